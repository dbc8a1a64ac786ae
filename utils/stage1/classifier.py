"""The stage-1 classifier model class: any encoder + masked mean pooling + dense/tanh + dropout + linear head.

Its own module, importing only torch and transformers, because both the checkpoint loader
(`utils.models.checkpoints.load_model`) and the frozen-encoder feature cache (`utils.stage1.features`) need it: kept
inside `utils.stage1.features` it made the import cycle `utils.stage1.inference -> utils.models.checkpoints ->
utils.stage1.features -> utils.stage1.inference`.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from transformers import AutoModel, PretrainedConfig, PreTrainedModel
from transformers.modeling_outputs import SequenceClassifierOutput


def masked_mean(hidden_states: torch.Tensor, attention_mask: torch.Tensor | None) -> torch.Tensor:
    """Mean of the hidden states over real (unpadded) tokens: (rows, tokens, hidden) -> (rows, hidden)."""
    if attention_mask is None:
        return hidden_states.mean(dim=1)
    weights = attention_mask.unsqueeze(-1).to(hidden_states.dtype)
    return (hidden_states * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)


def _build_encoder(config: PretrainedConfig) -> nn.Module:
    """`AutoModel.from_config` without the BERT/RoBERTa pooler (dead weight under mean pooling), in the attention
    implementation the config asks for, or eager when this encoder class has no SDPA (DeBERTa-v2, MPNet)."""
    try:
        try:
            return AutoModel.from_config(config, add_pooling_layer=False)
        except TypeError:  # encoders without a pooler take no such argument
            return AutoModel.from_config(config)
    except ValueError as error:
        if "attention implementation" not in str(error) or config._attn_implementation == "eager":
            raise
        config._attn_implementation = "eager"
        return _build_encoder(config)


class MeanPoolingForSequenceClassification(PreTrainedModel):
    """Any encoder (`AutoModel.from_config`) + masked mean pooling + dense/tanh + dropout + linear classifier.

    Saved like any transformers model (config.json says `architectures: [MeanPoolingForSequenceClassification]`,
    `model_type` stays the encoder's); `utils.models.checkpoints.load_model` knows the class. Loading a plain encoder
    checkpoint (e.g. all-MiniLM-L6-v2) fills `encoder.*` and initialises the head.
    """

    config_class = PretrainedConfig
    base_model_prefix = "encoder"
    supports_gradient_checkpointing = True
    # Claimed so that the encoder inside gets SDPA attention (MiniLM-L6 encodes ~1.2-1.5x faster on CPU than with
    # the eager attention a wrapper gets by default); `_build_encoder` falls back to eager for encoders without it.
    _supports_sdpa = True

    def __init__(self, config: PretrainedConfig) -> None:
        super().__init__(config)
        self.encoder = _build_encoder(config)
        hidden = config.hidden_size
        dropout = getattr(config, "classifier_dropout", None)
        dropout = dropout if dropout is not None else getattr(config, "hidden_dropout_prob", 0.1)
        self.dense = nn.Linear(hidden, hidden)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(hidden, config.num_labels)
        self.post_init()

    def representation(self, pooled: torch.Tensor) -> torch.Tensor:
        """`tanh(dense(pooled))`: what the last linear layer reads, and what the neighbour memory compares
        (utils/stage1/neighbours.py)."""
        return torch.tanh(self.dense(pooled))

    def features(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, **kwargs: Any) -> torch.Tensor:
        """The encoder, masked mean pooling and `representation`; in eval mode `classifier(features)` are the
        logits."""
        hidden_states = self.encoder(input_ids=input_ids, attention_mask=attention_mask, return_dict=True,
                                     **kwargs).last_hidden_state
        return self.representation(masked_mean(hidden_states, attention_mask))

    def forward(
        self,
        input_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        **kwargs: Any,
    ) -> SequenceClassifierOutput:
        inputs = {"input_ids": input_ids, "attention_mask": attention_mask, **kwargs}
        if token_type_ids is not None:
            inputs["token_type_ids"] = token_type_ids
        logits = self.classifier(self.dropout(self.features(**inputs)))
        loss = nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)
