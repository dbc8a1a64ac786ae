"""Train stage 2: a seq2seq model that writes the guidance line (type, cause, location, fix) of one trace.

    python train_stage2.py configs/stage2_t5.yaml                 # offline: T5 from a config + corpus tokenizer
    python train_stage2.py configs/stage2_t5.yaml --num_train_epochs 1
    python train_stage2.py --model_name_or_path t5-small          # any seq2seq hub id or model dir
    python train_stage2.py configs/stage2_lora.yaml               # LoRA adapters (+ activation checkpointing)

Input: the parsed trace with the row's true label and its true faulty frame (meta.fault) as type and location
(at prediction time: stage 1's label and the frame ranker's location), and the cause and fix of the most similar
known scenario (utils/stage2/scenarios.py; the memory is saved beside the model). Target: the corpus `guidance`.

Resuming follows the rule of every trainer (utils.models.training.may_resume): a run with the same arguments as the one
recorded in its output dir resumes from its last checkpoint-*, one with other arguments is refused unless
--overwrite_output_dir.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import datasets
import numpy as np
import torch
from transformers import (
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    DataCollatorForSeq2Seq,
    EarlyStoppingCallback,
    EvalPrediction,
    HfArgumentParser,
    Seq2SeqTrainer,
    Seq2SeqTrainingArguments,
    set_seed,
)

from utils.args import corpus_split, file_given, parse_args_with_config
from utils.atomic import write_jsonl_atomic
from utils.console import configure_console
from utils.evaluation.generation_metrics import evaluate_explanations, rouge_l_scores
from utils.evaluation.plots import plot_learning_curves
from utils.models.checkpoints import read_metadata, save_model_dir, write_json_atomic
from utils.models.metadata import Stage2Generation, Stage2InputOptions, Stage2Metadata
from utils.models.model_card import write_model_card
from utils.models.training import (
    ResumeArguments,
    base_model_errors,
    check_training,
    resume_checkpoint,
    run_arguments,
    training_history,
    write_run_arguments,
)
from utils.stage1.data import read_jsonl
from utils.stage2.guidance import GUIDANCE_FIELDS, parse_guidance
from utils.stage2.scenarios import MEMORY_FILE, ScenarioMemory
from utils.stage2.seq2seq import (
    RECALL_THRESHOLDS,
    SOURCE_KNOWN,
    SOURCE_TYPE,
    TASK,
    add_lora,
    build_model_from_config,
    build_scenario_memory,
    checked_explanations,
    choose_recall_threshold,
    count_parameters,
    explanation_problems,
    generate_explanations,
    is_model_config_file,
    shown_with_sources,
    stage2_example,
    train_tokenizer,
    use_recall,
)

logger = logging.getLogger("train_stage2")


@dataclass
class ModelArguments:
    model_name_or_path: str = field(
        default="configs/t5_small_offline.json",
        metadata={"help": "Seq2seq hub id (t5-small), model dir, or a model config .json: a model built from "
                          "scratch with a byte-level BPE tokenizer trained on the training file (offline default)."},
    )
    tokenizer_name: str | None = field(
        default=None, metadata={"help": "Tokenizer dir or hub id; default: the model's (or trained, for a .json)."}
    )
    tokenizer_vocab_size: int = field(default=8000, metadata={"help": "Vocabulary size of a trained tokenizer."})
    precision: str = field(
        default="auto",
        metadata={"help": "auto | fp32 | bf16. auto: bf16 on CUDA with bf16 support, else fp32 (T5 overflows in "
                          "fp16, so fp16 is not offered; MPS and CPU train in fp32)."},
    )
    lora_r: int = field(default=0, metadata={"help": "LoRA rank; 0 trains every weight."})
    lora_alpha: int = field(default=32, metadata={"help": "LoRA scaling numerator (scale = alpha / r)."})
    lora_dropout: float = field(default=0.05, metadata={"help": "Dropout on the LoRA branch."})
    lora_target_modules: list[str] = field(
        default_factory=lambda: ["q", "v"], metadata={"help": "Module names that get adapters (T5: q k v o wi wo)."}
    )
    merge_lora: bool = field(
        default=True, metadata={"help": "Merge the adapters into the weights and save a plain seq2seq model dir."}
    )


@dataclass
class DataArguments(ResumeArguments):
    train_file: str = field(default=corpus_split("train"), metadata={"help": "Corpus JSONL with log, label, "
                                                                                   "guidance, meta."})
    validation_file: str = field(default=corpus_split("validation"), metadata={"help": "Validation JSONL."})
    test_file: str | None = field(
        default=corpus_split("test"), metadata={"help": "Held-out JSONL scored after training ('none': skip)."}
    )
    max_source_length: int = field(default=256, metadata={"help": "Encoder tokens kept (source truncated)."})
    max_target_length: int = field(default=128, metadata={"help": "Target tokens kept; also max_new_tokens."})
    max_frames: int = field(default=5, metadata={"help": "Frames of the root cause shown in the source."})
    max_train_samples: int | None = field(default=None, metadata={"help": "Use the first N training rows."})
    max_eval_samples: int | None = field(default=None, metadata={"help": "Use the first N validation rows."})
    max_predict_samples: int | None = field(default=None, metadata={"help": "Score the first N test rows."})
    early_stopping_patience: int = field(default=3, metadata={"help": "Evaluations without improvement; 0: off."})
    generation_batch_size: int = field(default=32, metadata={"help": "Batch size of the test-set generation."})
    no_repeat_ngram_size: int = field(
        default=3, metadata={"help": "Never repeat an n-gram of generated tokens (0: off); saved in the model's "
                                     "generation_config, so predict.py decodes the same way."}
    )
    max_cause_tokens: int = field(
        default=48, metadata={"help": "Constrained generation: close a cause still running after N tokens."}
    )
    retrieval: bool = field(
        default=True, metadata={"help": "Show the model the most similar known scenario (from the training rows, "
                                        "saved as scenarios.json beside the model): retrieval-augmented generation."}
    )
    memory_per_scenario: int = field(
        default=20, metadata={"help": "Training rows kept in the scenario memory per scenario and language."}
    )
    recall_calibration_rows: int = field(
        default=300, metadata={"help": "Known-scenario rows (training rows, themselves left out of the recall) and as "
                                       "many new-scenario rows (validation) on which the similarity from which a "
                                       "recalled text replaces the model's is chosen."}
    )
    recall_calibration_logs: str | None = field(
        default=None, metadata={"help": "A JSONL of real logs (field `log`, no reference needed, e.g. "
                                        "../shared/data/bugsjar_dev.jsonl): per threshold, the share of the texts "
                                        "recalled for them that fit (slots filled, grounded in the log) is measured, "
                                        "and only thresholds reaching --recall_min_fit_share may be chosen."}
    )
    recall_calibration_log_rows: int = field(default=1000, metadata={"help": "Real logs read for the above."})
    recall_min_fit_share: float = field(
        default=0.5, metadata={"help": "With --recall_calibration_logs: the least share of recalled texts that must "
                                       "fit the real logs at a threshold for it to be chosen (1.01, never recall, "
                                       "always may)."}
    )


def read_rows(path: str, limit: int | None) -> list[dict]:
    rows = read_jsonl(path, required_fields=("log", "label", "guidance"))
    return rows[:limit] if limit else rows


def load_examples(path: str, rows: list[dict], max_frames: int, memory: ScenarioMemory | None = None,
                  leave_out: str | None = None) -> datasets.Dataset:
    """Corpus rows -> a Dataset of Stage2Example fields; `leave_out` for rows `memory` holds (see stage2_example)."""
    examples = [dataclasses.asdict(stage2_example(row, max_frames=max_frames, memory=memory, leave_out=leave_out))
                for row in rows]
    malformed = sum(1 for example in examples if set(parse_guidance(example["target"])) != set(GUIDANCE_FIELDS))
    logger.info("%s: %d examples", path, len(examples))
    if malformed:  # kept (the model learns what the corpus says) but reported
        logger.warning("%s: %d guidance lines lack some of the fields %s", path, malformed, ", ".join(GUIDANCE_FIELDS))
    return datasets.Dataset.from_list(examples)


def parse_arguments(argv: list[str] | None) -> tuple[ModelArguments, DataArguments, Seq2SeqTrainingArguments,
                                                     dict[str, Any]]:
    """(model, data and training arguments, the run's arguments as recorded for the resume rule); the training
    arguments get bf16 per --precision (fp16 never: T5 overflows in it)."""
    parser = HfArgumentParser((ModelArguments, DataArguments, Seq2SeqTrainingArguments))
    parsed = parse_args_with_config(
        parser, argv,
        defaults={"output_dir": "models/stage2", "eval_strategy": "epoch", "save_strategy": "epoch",
                  "logging_strategy": "steps", "logging_steps": 20, "save_total_limit": 1,
                  "load_best_model_at_end": True, "metric_for_best_model": "loss", "report_to": "none",
                  "learning_rate": 1e-3, "num_train_epochs": 3,
                  "train_sampling_strategy": "group_by_length"},
    )
    model_args, data_args, training_args = parsed
    cuda_bf16 = torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    if model_args.precision not in ("auto", "fp32", "bf16") or (model_args.precision == "bf16" and not cuda_bf16):
        raise SystemExit(f"--precision {model_args.precision}: use auto, fp32, or bf16 (bf16 needs CUDA with bf16)")
    use_bf16 = model_args.precision == "bf16" or (model_args.precision == "auto" and cuda_bf16)
    training_args = dataclasses.replace(training_args, bf16=use_bf16, fp16=False)
    return model_args, data_args, training_args, run_arguments(*parsed)


def build_model(model_args: ModelArguments, data_args: DataArguments, training_args: Seq2SeqTrainingArguments,
                train_set: datasets.Dataset) -> tuple[Any, Any, Seq2SeqTrainingArguments]:
    """(tokenizer, model, training arguments): a model config .json builds the model from scratch with a tokenizer
    trained on the training examples; LoRA adapters when --lora_r > 0 (activation checkpointing set up before
    PEFT wraps the model, so the Trainer must not redo it)."""
    if is_model_config_file(model_args.model_name_or_path) and model_args.tokenizer_name is None:
        tokenizer = train_tokenizer(
            (text for column in ("source", "target") for text in train_set[column]),
            vocab_size=model_args.tokenizer_vocab_size,
        )
    else:
        with base_model_errors(model_args.tokenizer_name or model_args.model_name_or_path,
                               "--tokenizer_name" if model_args.tokenizer_name else "--model_name_or_path"):
            tokenizer = AutoTokenizer.from_pretrained(model_args.tokenizer_name or model_args.model_name_or_path)
    tokenizer.model_max_length = data_args.max_source_length  # what generation truncates to after reloading
    if is_model_config_file(model_args.model_name_or_path):
        model = build_model_from_config(model_args.model_name_or_path, tokenizer)
    else:
        with base_model_errors(model_args.model_name_or_path):
            model = AutoModelForSeq2SeqLM.from_pretrained(model_args.model_name_or_path)
    if model_args.lora_r > 0:
        model = add_lora(
            model, model_args.lora_r, model_args.lora_alpha, model_args.lora_dropout, model_args.lora_target_modules,
            checkpointing=bool(training_args.activation_checkpointing),
            checkpointing_kwargs=training_args.activation_checkpointing_kwargs,
        )
        training_args = dataclasses.replace(training_args, activation_checkpointing=False,
                                            gradient_checkpointing=False)
    trainable, total = count_parameters(model)
    logger.info("model %s: %d parameters, %d trainable", model_args.model_name_or_path, total, trainable)
    return tokenizer, model, training_args


def tokenize_sets(tokenizer: Any, data_args: DataArguments, training_args: Seq2SeqTrainingArguments,
                  train_set: datasets.Dataset, eval_set: datasets.Dataset) -> tuple[datasets.Dataset, datasets.Dataset]:
    """Token ids of sources and targets (truncated at --max_source_length / --max_target_length)."""

    def tokenize(batch: dict[str, list[str]]) -> dict[str, list[list[int]]]:
        encoded = tokenizer(batch["source"], max_length=data_args.max_source_length, truncation=True)
        encoded["labels"] = tokenizer(
            text_target=batch["target"], max_length=data_args.max_target_length, truncation=True
        )["input_ids"]
        return encoded

    with training_args.main_process_first(desc="tokenization"):
        columns = train_set.column_names
        train_tokens = train_set.map(tokenize, batched=True, remove_columns=columns, desc="tokenize train")
        eval_tokens = eval_set.map(tokenize, batched=True, remove_columns=columns, desc="tokenize validation")
    lengths = [len(ids) for ids in train_tokens["input_ids"]]
    target_lengths = [len(ids) for ids in train_tokens["labels"]]
    logger.info("source tokens median %d p90 %d; target median %d p90 %d (truncated at %d / %d)",
                np.median(lengths), np.percentile(lengths, 90), np.median(target_lengths),
                np.percentile(target_lengths, 90), data_args.max_source_length, data_args.max_target_length)
    return train_tokens, eval_tokens


def build_trainer(model: Any, tokenizer: Any, data_args: DataArguments, training_args: Seq2SeqTrainingArguments,
                  train_tokens: datasets.Dataset, eval_tokens: datasets.Dataset) -> Seq2SeqTrainer:
    """The Seq2SeqTrainer, with early stopping and, with --predict_with_generate, scores of generated lines."""

    def compute_metrics(prediction: EvalPrediction) -> dict[str, float]:
        """Scores of the generated validation lines (only with --predict_with_generate)."""
        generated = np.where(prediction.predictions != -100, prediction.predictions, tokenizer.pad_token_id)
        targets = np.where(prediction.label_ids != -100, prediction.label_ids, tokenizer.pad_token_id)
        scores = evaluate_explanations(
            tokenizer.batch_decode(generated, skip_special_tokens=True, clean_up_tokenization_spaces=False),
            tokenizer.batch_decode(targets, skip_special_tokens=True, clean_up_tokenization_spaces=False),
        )
        return {key: scores[key] for key in ("rougeL", "rougeL_cause", "rougeL_fix", "exact_all", "well_formed")}

    callbacks = []
    if data_args.early_stopping_patience > 0 and training_args.load_best_model_at_end:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=data_args.early_stopping_patience))
    return Seq2SeqTrainer(
        model=model,
        args=training_args,
        train_dataset=train_tokens,
        eval_dataset=eval_tokens,
        processing_class=tokenizer,
        data_collator=DataCollatorForSeq2Seq(
            tokenizer, model=model, label_pad_token_id=-100, pad_to_multiple_of=8 if training_args.bf16 else None
        ),
        compute_metrics=compute_metrics if training_args.predict_with_generate else None,
        callbacks=callbacks,
    )


def train(trainer: Seq2SeqTrainer, checkpoint: str | None) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """(train metrics with seconds per epoch, per-epoch history before the final evaluation adds a row)."""
    if checkpoint:
        logger.info("resuming training from %s", checkpoint)
    started = time.perf_counter()
    train_result = trainer.train(resume_from_checkpoint=checkpoint)
    train_seconds = time.perf_counter() - started
    metrics = dict(train_result.metrics)
    metrics["train_seconds_per_epoch"] = train_seconds / max(float(trainer.state.epoch or 1.0), 1e-9)
    trainer.log_metrics("train", metrics)
    trainer.save_metrics("train", metrics)
    trainer.save_state()
    return metrics, training_history(trainer.state.log_history)


def final_model_of(trainer: Seq2SeqTrainer, model_args: ModelArguments, data_args: DataArguments) -> Any:
    """The trained model as it is saved: LoRA merged (loading needs no PEFT), decoding settings in its config."""
    final_model = trainer.model
    if model_args.lora_r > 0 and model_args.merge_lora:
        final_model = final_model.merge_and_unload()  # a plain seq2seq model: loading needs no PEFT
    final_model.config.use_cache = True
    final_model.generation_config.no_repeat_ngram_size = data_args.no_repeat_ngram_size  # travels with the model
    return final_model


def stage2_metadata(model: Any, args: tuple[ModelArguments, DataArguments], sets: tuple[Any, Any], retrieval: bool,
                    recall: dict[str, Any], metrics: dict[str, dict[str, float]],
                    parameters: tuple[int, int]) -> Stage2Metadata:
    """The analyzer_metadata.json of the trained explainer (`retrieval`: a scenario memory is saved beside it)."""
    model_args, data_args = args
    train_set, eval_set = sets
    built_from_config = is_model_config_file(model_args.model_name_or_path)
    trainable, total = parameters
    return Stage2Metadata(
        task=TASK,
        base_model=model_args.model_name_or_path,
        architecture=type(model).__name__,
        tokenizer=model_args.tokenizer_name or ("trained byte-level BPE" if built_from_config else "base model's"),
        lora=dataclasses.asdict(model_args) if model_args.lora_r > 0 else None,
        input_options=Stage2InputOptions(
            builder="utils.stage2.seq2seq.build_source", max_frames=data_args.max_frames, language_tag=True,
            retrieval=retrieval, max_source_length=data_args.max_source_length,
            max_target_length=data_args.max_target_length),
        generation=Stage2Generation(
            constrained_decoding=True, max_new_tokens=data_args.max_target_length,
            no_repeat_ngram_size=data_args.no_repeat_ngram_size, max_cause_tokens=data_args.max_cause_tokens,
            recall_threshold=recall.get("recall_threshold"), recall_calibration=recall or None),
        training_data={"train_file": data_args.train_file, "train_rows": len(train_set),
                       "validation_file": data_args.validation_file, "validation_rows": len(eval_set)},
        metrics=metrics,
        parameters={"total": total, "trainable": trainable},
    )


def save_run(output_dir: Path, model: Any, tokenizer: Any, memory: ScenarioMemory | None,
             history: list[dict[str, Any]], metadata: Stage2Metadata, resume_args: ResumeArguments) -> None:
    """The complete model dir: history, scenario memory, model, tokenizer, metadata (last), the card."""
    write_json_atomic(output_dir / "training_history.json", history)
    if memory is not None:
        memory.save(output_dir)  # before the metadata, which save_model_dir writes last
    else:
        (output_dir / MEMORY_FILE).unlink(missing_ok=True)  # an earlier run's memory would not match this model
    if history:
        plot_learning_curves(history, output_dir / "learning_curves.png")
    save_model_dir(model, tokenizer, output_dir, metadata)
    resume_args.remove_checkpoints(output_dir)  # the final model is saved at the top of output_dir
    write_model_card(output_dir, read_metadata(output_dir) or metadata)


def main(argv: list[str] | None = None) -> None:
    # 1. Build: arguments (config file < command line), logging, precision, seed; the resume rule for output_dir.
    configure_console()  # progress bars on a terminal only; no library chatter (utils/console.py)
    model_args, data_args, training_args, arguments = parse_arguments(argv)
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO,
                        handlers=[logging.StreamHandler(sys.stdout)])
    output_dir = Path(training_args.output_dir)
    check_training(training_args, model_args.model_name_or_path)
    resume = data_args.may_resume(output_dir, arguments)
    set_seed(training_args.seed)

    # 2. Data: training rows, the scenario memory recalled from, examples (source, target, known scenario).
    train_rows = read_rows(data_args.train_file, data_args.max_train_samples)
    memory = build_scenario_memory(train_rows, data_args.memory_per_scenario) if data_args.retrieval else None
    if memory is not None:
        logger.info("scenario memory: %d entries from %d training rows", len(memory.entries), len(train_rows))
    train_set = load_examples(data_args.train_file, train_rows, data_args.max_frames, memory, leave_out="training")
    eval_set = load_examples(data_args.validation_file,
                             read_rows(data_args.validation_file, data_args.max_eval_samples),
                             data_args.max_frames, memory)

    # 3. Trainer: tokenizer and model (a config-built model's tokenizer is trained on the examples), token ids.
    tokenizer, model, training_args = build_model(model_args, data_args, training_args, train_set)
    parameters = count_parameters(model)
    trainer = build_trainer(model, tokenizer, data_args, training_args,
                            *tokenize_sets(tokenizer, data_args, training_args, train_set, eval_set))

    # 4. Train (resuming per utils.models.training.may_resume, or from an explicit --resume_from_checkpoint).
    if training_args.should_save:
        write_run_arguments(output_dir, arguments)
    metrics, history = train(trainer, training_args.resume_from_checkpoint or resume_checkpoint(output_dir, resume))

    # 5. Calibrate and evaluate: validation loss, the recall threshold, the held-out test split.
    final_model = final_model_of(trainer, model_args, data_args)
    eval_metrics = trainer.evaluate(metric_key_prefix="eval")
    trainer.log_metrics("eval", eval_metrics)
    trainer.save_metrics("eval", eval_metrics)
    recall = calibrate_recall(final_model, tokenizer, memory, train_rows, eval_set, data_args) if memory else {}
    test_metrics = evaluate_test(final_model, tokenizer, memory, data_args, output_dir, recall, trainer)

    # 6. Save the model dir and its card.
    all_metrics = {"train": metrics, "eval": eval_metrics, "test": test_metrics}
    metadata = stage2_metadata(final_model, (model_args, data_args), (train_set, eval_set), memory is not None,
                               recall, all_metrics, parameters)
    save_run(output_dir, final_model, tokenizer, memory, history, metadata, data_args)


def evaluate_test(model: Any, tokenizer: Any, memory: ScenarioMemory | None, data_args: DataArguments,
                  output_dir: Path, recall: dict[str, Any], trainer: Seq2SeqTrainer) -> dict[str, float]:
    """Scores on --test_file ({} without one); logs the chosen recall threshold first."""
    if recall:
        logger.info("recall threshold %.2f: mean ROUGE-L %.3f (model alone %.3f, recall alone %.3f) on %d known + "
                    "%d new scenario rows", recall["recall_threshold"], recall["rougeL_chosen"],
                    recall["rougeL_model"], recall["rougeL_recall"], recall["rows_known"], recall["rows_new"])
    if not file_given(data_args.test_file):
        return {}
    test_set = load_examples(data_args.test_file, read_rows(data_args.test_file, data_args.max_predict_samples),
                             data_args.max_frames, memory)
    test_metrics = score_generation(model, tokenizer, test_set, data_args, output_dir, recall.get("recall_threshold"))
    trainer.log_metrics("test", test_metrics)
    trainer.save_metrics("test", test_metrics)
    return test_metrics


def model_lines(model, tokenizer, examples: datasets.Dataset, data_args: DataArguments) -> tuple[list[str], list[str]]:
    """(constrained, post-checked): the model's explanations of `examples` (what a user is shown when no known
    scenario is used)."""
    return checked_explanations(model, tokenizer, examples["source"], examples["label"], examples["location"],
                                batch_size=data_args.generation_batch_size, max_new_tokens=data_args.max_target_length,
                                max_cause_tokens=data_args.max_cause_tokens)


def shown_lines(examples: datasets.Dataset, model_texts: list[str], threshold: float | None,
                checked: bool = True) -> list[tuple[str, str]]:
    """`shown_with_sources` of `examples`: (text, source) per row. `checked`: a recall is shown only where it fits
    and a model text only where it passes the checks, else the type-level text (as predict.py shows them); with
    `checked` False, `model_texts` "" and threshold 0: each row's recalled text."""
    checks = {"usable": examples["known_usable"], "fallbacks": examples["fallback"],
              "groundings": examples["grounding"], "anchors": examples["anchors"]} if checked else {}
    return shown_with_sources(model_texts, examples["label"], examples["location"], examples["known_similarity"],
                              examples["known_cause"], examples["known_fix"], threshold, **checks)


def calibrate_recall(model, tokenizer, memory: ScenarioMemory, train_rows: list[dict], eval_set: datasets.Dataset,
                     data_args: DataArguments) -> dict[str, Any]:
    """Choose the similarity from which a recalled known scenario's text replaces the model's, on rows of known
    scenarios (training rows spread over the file, each recalling with itself left out) and as many rows of new
    ones (validation: held-out templates), by mean ROUGE-L of what the user would see: a recall that does not fit
    its row (unfillable or ungrounded) is never shown, a rejected model text gives way to the type-level one. With
    --recall_calibration_logs, only thresholds at which at least --recall_min_fit_share of the texts recalled for
    those real logs fit them may be chosen."""
    count = data_args.recall_calibration_rows
    known = load_examples("training rows (known scenarios)", train_rows[:: max(len(train_rows) // count, 1)][:count],
                          data_args.max_frames, memory, leave_out="row")
    rows = datasets.concatenate_datasets([known, eval_set.select(range(min(count, len(eval_set))))])
    checked = model_lines(model, tokenizer, rows, data_args)[1]
    model_scores = rouge_l_scores([text for text, _ in shown_lines(rows, checked, RECALL_THRESHOLDS[-1])],
                                  rows["target"])
    recall_scores = rouge_l_scores([text for text, _ in shown_lines(rows, [""] * len(rows), 0.0, checked=False)],
                                   rows["target"])
    real, allowed = {}, None
    if data_args.recall_calibration_logs:
        logs = read_jsonl(data_args.recall_calibration_logs, required_fields=("log",), skip_invalid=True)
        real = real_log_recall(memory, logs[: data_args.recall_calibration_log_rows])
        allowed = [threshold for threshold in RECALL_THRESHOLDS
                   if real[str(threshold)]["fit_share"] >= data_args.recall_min_fit_share]
    threshold, chosen = choose_recall_threshold(rows["known_similarity"], model_scores, recall_scores,
                                                rows["known_usable"], allowed)
    return {"recall_threshold": threshold, "rougeL_chosen": chosen, "rougeL_model": float(np.mean(model_scores)),
            "rougeL_recall": float(np.mean(recall_scores)), "rows_known": len(known),
            "rows_new": len(rows) - len(known), "recall_fits": float(np.mean(rows["known_usable"])),
            **({"real_logs": data_args.recall_calibration_logs, "real_logs_min_fit_share":
                data_args.recall_min_fit_share, "real_logs_per_threshold": real} if real else {})}


def real_log_recall(memory: ScenarioMemory, rows: list[dict]) -> dict[str, dict[str, float]]:
    """Per threshold of `RECALL_THRESHOLDS`: of the real logs `rows`, how many recall a known scenario at least that
    similar, and the share of those recalled texts that fit their log (`recall_usable`: every slot filled from the
    trace, nothing stated that the log does not show). Read as predict.py would: the parser's type, the rules'
    location, the language of the log."""
    from utils.inputs import detect_language
    from utils.labels import load_label_set
    from utils.locate import rank_frames
    from utils.stage2.explanations import labelled_trace, trace_grounding, trace_slots
    from utils.stage2.scenarios import scenario_text
    from utils.stage2.seq2seq import recall_usable

    label_set = load_label_set()
    recalls: list[tuple[float, bool]] = []
    for row in rows:
        if (read := labelled_trace(row, label_set)) is None:
            continue
        trace, label = read
        ranked = rank_frames(trace, label, None)
        location = ranked[0].frame if ranked else None
        recall = memory.recall(scenario_text(trace, label), label, detect_language(row["log"]),
                               slots=trace_slots(trace, location)[0])
        if recall is not None:
            recalls.append((recall.similarity, recall_usable(recall, trace_grounding(trace, label, location))))
    table = {}
    for threshold in RECALL_THRESHOLDS:
        fits = [fit for similarity, fit in recalls if use_recall(similarity, threshold)]
        # nothing recalled at this threshold: nothing unfit is shown either
        table[str(threshold)] = {"recalled": len(fits), "fit": sum(fits),
                                 "fit_share": sum(fits) / len(fits) if fits else 1.0}
    return table


def score_generation(model, tokenizer, test_set: datasets.Dataset, data_args: DataArguments,
                     output_dir: Path, recall_threshold: float | None = None) -> dict[str, float]:
    """Generate for the held-out rows twice — free ("raw") and constrained to the given type/location — then
    apply the agreement post-check, and take the recalled known scenario's text where its similarity reaches
    `recall_threshold`; scores (`rougeL`: what the user sees; `model_*`: the model's text on every row), speed and
    the predictions (test_predictions.jsonl) are saved."""
    sources, references = test_set["source"], test_set["target"]
    types, locations = test_set["label"], test_set["location"]
    options = {"batch_size": data_args.generation_batch_size, "max_new_tokens": data_args.max_target_length}
    started = time.perf_counter()
    # the model alone: plain greedy decoding
    free = generate_explanations(model, tokenizer, sources, no_repeat_ngram_size=0, **options)
    free_seconds = time.perf_counter() - started
    started = time.perf_counter()
    constrained, checked = model_lines(model, tokenizer, test_set, data_args)
    constrained_seconds = time.perf_counter() - started
    similarities = test_set["known_similarity"]
    shown = shown_lines(test_set, checked, recall_threshold)
    final, final_sources = [text for text, _ in shown], [source for _, source in shown]

    free_metrics = evaluate_explanations(free, references, types=types, locations=locations)
    model_metrics = evaluate_explanations(checked, references)
    metrics = evaluate_explanations(final, references, raw_predictions=constrained, types=types, locations=locations)
    metrics.update({f"model_{key}": model_metrics[key] for key in ("rougeL", "rougeL_cause", "rougeL_fix")})
    metrics["recall_share"] = float(np.mean([source == SOURCE_KNOWN for source in final_sources]))
    metrics["type_template_share"] = float(np.mean([source == SOURCE_TYPE for source in final_sources]))
    metrics["model_texts_rejected"] = int(sum(bool(explanation_problems(text, grounding, anchors)) for text, grounding,
                                              anchors in zip(checked, test_set["grounding"], test_set["anchors"])))
    # free generation has no post-check: its agreement is the raw one
    metrics.update({f"free_{key}": value for key, value in free_metrics.items()
                    if key != "count" and not key.startswith("agreement_raw")})
    metrics["free_logs_per_second"] = len(sources) / max(free_seconds, 1e-9)
    metrics["constrained_logs_per_second"] = len(sources) / max(constrained_seconds, 1e-9)
    keys = ("source", "reference", "free", "constrained", "model", "known_similarity", "final", "final_source")
    write_jsonl_atomic(output_dir / "test_predictions.jsonl", (dict(zip(keys, row)) for row in zip(
        sources, references, free, constrained, checked, similarities, final, final_sources)))
    return metrics


if __name__ == "__main__":
    main(sys.argv[1:])
