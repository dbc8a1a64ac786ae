"""LoRA on the stage-2 T5 with REENTRANT activation checkpointing: it trains, and merged adapters save as a plain
seq2seq model that reloads with the same outputs."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import transformers.modeling_utils  # noqa: E402
from test_stage2 import TINY_T5 as STAGE2_T5  # noqa: E402
from test_stage2 import run_train_stage2  # noqa: E402

from utils.stage2.guidance import format_guidance, format_location  # noqa: E402
from utils.stage2.seq2seq import add_lora, build_model_from_config, load_explainer, train_tokenizer  # noqa: E402

# test_stage2.py's tiny T5 with two blocks a side
TINY_T5 = {**STAGE2_T5, "num_layers": 2, "num_decoder_layers": 2}


def _row(index: int) -> dict:
    line = 40 + index
    location = format_location("Transfers.java", line, "com.acme.pay.Transfers.move")
    return {
        "id": f"r{index}",
        "log": (
            "java.lang.IllegalArgumentException: amount must be positive: -" + str(index) + "\n"
            f"\tat com.acme.pay.Transfers.move(Transfers.java:{line})\n"
            "\tat com.acme.pay.Api.post(Api.java:12)\n"
        ),
        "label": "IllegalArgumentException",
        "guidance": format_guidance(
            "IllegalArgumentException",
            f"a negative amount -{index} reached move",
            location,
            "Validate the amount at the API boundary.",
        ),
        "meta": {
            "template": "t",
            "family": "test",
            "language": "en",
            "root_exception": "java.lang.IllegalArgumentException",
            "fault": {"class": "com.acme.pay.Transfers", "method": "move", "file": "Transfers.java", "line": line},
        },
    }


def _tiny_model_and_tokenizer(tmp_path: Path):
    rows = [_row(i) for i in range(8)]
    tokenizer = train_tokenizer([row["log"] for row in rows] + [row["guidance"] for row in rows], vocab_size=300)
    config_file = tmp_path / "t5.json"
    config_file.write_text(json.dumps(TINY_T5))
    torch.manual_seed(0)
    return build_model_from_config(config_file, tokenizer), tokenizer, rows


def test_lora_trains_with_reentrant_checkpointing_and_merges(tmp_path, monkeypatch):
    reentrant_flags: list[bool] = []
    real_checkpoint = transformers.modeling_utils.checkpoint

    def recording_checkpoint(function, *args, **kwargs):
        reentrant_flags.append(kwargs.get("use_reentrant"))
        return real_checkpoint(function, *args, **kwargs)

    monkeypatch.setattr(transformers.modeling_utils, "checkpoint", recording_checkpoint)
    model, tokenizer, rows = _tiny_model_and_tokenizer(tmp_path)
    base_weights = {name: weight.detach().clone() for name, weight in model.named_parameters()}
    lora_model = add_lora(
        model,
        r=4,
        alpha=8,
        dropout=0.0,
        target_modules=["q", "v"],
        checkpointing=True,
        checkpointing_kwargs={"use_reentrant": True},
    )
    assert model.is_gradient_checkpointing
    # frozen embeddings must still give outputs that require grad, or reentrant checkpoints cut the graph
    assert lora_model.get_input_embeddings()(torch.tensor([[3, 4]])).requires_grad

    batch = tokenizer([row["log"] for row in rows], padding=True, return_tensors="pt")
    labels = tokenizer(text_target=[row["guidance"] for row in rows], padding=True, return_tensors="pt")["input_ids"]
    batch["labels"] = labels.masked_fill(labels == tokenizer.pad_token_id, -100)
    trainable = [weight for weight in lora_model.parameters() if weight.requires_grad]
    assert trainable and all("lora_" in name for name, weight in lora_model.named_parameters() if weight.requires_grad)
    optimizer = torch.optim.AdamW(trainable, lr=2e-2)
    lora_model.train()
    losses = []
    for _ in range(25):
        loss = lora_model(**batch).loss
        loss.backward()  # fails with "element 0 of tensors does not require grad" without enable_input_require_grads
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())

    assert reentrant_flags and all(flag is True for flag in reentrant_flags)  # checkpointing ran, reentrant
    assert losses[-1] < 0.7 * losses[0]
    lora_b = {name: weight for name, weight in lora_model.named_parameters() if "lora_B" in name}
    assert lora_b and all(weight.abs().sum() > 0 for weight in lora_b.values())
    for name, weight in lora_model.get_base_model().named_parameters():
        if "lora_" not in name:
            assert torch.equal(weight, base_weights[name.replace(".base_layer", "")]), name

    lora_model.eval()
    with torch.no_grad():
        adapted_logits = lora_model(**batch).logits
    merged = lora_model.merge_and_unload()
    merged.config.use_cache = True
    merged.save_pretrained(tmp_path / "merged")
    tokenizer.save_pretrained(tmp_path / "merged")
    assert not (tmp_path / "merged" / "adapter_config.json").exists()  # a plain seq2seq dir
    reloaded, _, _ = load_explainer(tmp_path / "merged", device="cpu")
    with torch.no_grad():
        reloaded_logits = reloaded(**batch).logits
    assert not any("lora" in name for name, _ in reloaded.named_parameters())
    torch.testing.assert_close(reloaded_logits, adapted_logits, atol=1e-4, rtol=1e-4)


def test_train_stage2_script_with_lora_and_checkpointing(tmp_path, monkeypatch):
    paths = {}
    for split, offset in (("train", 0), ("validation", 50), ("test", 80)):
        rows = [_row(offset + i) for i in range(8)]
        paths[split] = tmp_path / f"{split}.jsonl"
        paths[split].write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    output_dir = tmp_path / "model"
    run_train_stage2(monkeypatch, tmp_path, paths, output_dir, "--num_train_epochs", "1",
                     "--per_device_train_batch_size", "4", "--max_target_length", "48", "--use_cpu", "--lora_r", "4",
                     "--lora_alpha", "8", "--lora_target_modules", "q", "v", "wo", "--gradient_checkpointing",
                     "--gradient_checkpointing_kwargs", '{"use_reentrant": true}', t5=TINY_T5, vocab_size=300)
    assert not (output_dir / "adapter_config.json").exists()
    metadata = json.loads((output_dir / "analyzer_metadata.json").read_text())
    assert metadata["lora"]["lora_r"] == 4 and metadata["lora"]["lora_target_modules"] == ["q", "v", "wo"]
    assert metadata["parameters"]["trainable"] < metadata["parameters"]["total"] / 2
    model, _, _ = load_explainer(output_dir, device="cpu")
    assert not any("lora" in name for name, _ in model.named_parameters())
