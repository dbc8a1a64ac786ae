"""predict.py end to end with tiny models trained here: stage 1 (a folds dir of two members), a learned frame
ranker and a stage-2 T5. Every assertion is about a value a broken feature would change: who decided the label,
which member an ensemble weight selects, the temperature inside `top_k`, the ranker's location, and the agreement
of an explanation with the record it is printed in."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import numpy as np
import pytest
import torch
from test_learning_controls import trace_log as kind_trace_log

import evaluate
import predict
import train_locator
import train_stage1
import train_stage2
from utils.corpus.generate import generate_corpus
from utils.inputs import build_model_input, mask_exception_names
from utils.locate import locate
from utils.models.checkpoints import default_encoder_path, load_model
from utils.parsing.stacktrace import parse_trace
from utils.pipeline.analyze import DECIDED_BY_MODEL

# Four invented failures whose messages and application frames differ by clear tokens; the exception name is
# masked everywhere below, so only those tokens can tell the model what failed (no message is one the JDK writes
# for one class, so utils/jvm_evidence.py leaves every one to the model).
KINDS = [
    ("java.lang.NullPointerException", "customer {n} is null", "com.acme.crm.CustomerService",
     ["find", "load", "merge", "lookup"]),
    ("java.net.SocketTimeoutException", "Read timed out after {n} ms", "com.acme.pay.GatewayClient",
     ["send", "charge", "retry", "connect"]),
    # a plain SQLException: the DAO's own frames show no JDBC driver, which a SQLSyntaxErrorException's thrower would
    ("java.sql.SQLException", "Unknown column amt{n} in ledger", "com.acme.ledger.EntryDao",
     ["insert", "post", "flush", "batch"]),
    ("java.lang.NumberFormatException", 'rate "{n}x" is not a number', "com.acme.fx.RateParser",
     ["parse", "quote", "convert", "scan"]),
]
LABELS = ["NullPointerException", "SocketTimeoutException", "SQLException", "NumberFormatException"]
trace_log = partial(kind_trace_log, kinds=KINDS)  # row index, kind -> the log
FAULT_FRAME = 1  # the learned ranker is trained to point at the second application frame; the rules take the first
# Stage-1 inference in full precision where predict.py offers the choice (its default may autocast to bf16 on CPUs
# that run it natively, which moves probabilities by ~1e-2): the scores below are compared to 1e-4.
FP32 = ["--precision", "fp32"] if "precision" in {f.name for f in dataclasses.fields(predict.PredictArguments)} else []


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module")
def folds_dir(workdir: Path) -> Path:
    """Two stage-1 members: heads on the frozen offline MiniLM (features encoded once), trained on masked traces.
    (The random tiny encoder of conftest.py cannot tell these masked traces apart reliably.) One label in 8 of each
    kind is wrong on purpose: held-out rows are then not all right, so each member's fitted temperature is an
    interior value (with perfect validation it falls to its floor and every top score rounds to 1.0, which would
    hide a dropped temperature). No checkpoints: the head trains in seconds, saving 90 MB per epoch would not."""
    rows = [{"id": f"t{index}", "log": trace_log(index, index % 4),
             "label": KINDS[(index + ((index // 4) % 8 == 0)) % 4][0]} for index in range(96)]
    output_dir = workdir / "folds"
    train_stage1.main([
        "--model_name_or_path", str(default_encoder_path()), "--output_dir", str(output_dir),
        "--train_file", str(write_jsonl(workdir / "stage1_train.jsonl", rows)), "--validation_file", "none",
        "--num_folds", "2", "--freeze_encoder", "--feature_cache_dir", "", "--head_learning_rate", "0.01",
        "--num_train_epochs", "30", "--early_stopping_patience", "0", "--save_strategy", "no",
        "--load_best_model_at_end", "false", "--loss", "ce", "--max_length", "64",
        "--per_device_train_batch_size", "8", "--mask_exception_names", "--mask_probability", "1.0", "--seed", "5",
    ])
    return output_dir


@pytest.fixture(scope="module")
def masked_logs(workdir: Path) -> Path:
    """One unseen trace per kind, its exception names masked as evaluate.py --mask_exception_names does."""
    rows = [{"id": LABELS[kind], "log": mask_exception_names(trace_log(500 + kind, kind))} for kind in range(4)]
    return write_jsonl(workdir / "masked.jsonl", rows)


@pytest.fixture(scope="module")
def locator_dir(workdir: Path) -> Path:
    """A ranker fitted (with almost no pull towards the rules) on a corpus whose fault is always the second
    application frame."""
    rows = []
    for index in range(24):
        _, _, owner, methods = KINDS[index % 4]
        line = 20 + 10 * FAULT_FRAME + index % 9
        fault = {"class": owner, "method": methods[FAULT_FRAME], "file": f"{owner.rsplit('.', 1)[1]}.java",
                 "line": line}
        rows.append({"id": f"c{index}", "log": trace_log(index, index % 4), "label": LABELS[index % 4],
                     "meta": {"fault": fault}})
    output_dir = workdir / "locate"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "argv", ["train_locator.py", "--corpus_file", str(write_jsonl(workdir / "loc.jsonl", rows)),
                                    "--l2", "0.01", "--output_dir", str(output_dir)])
        train_locator.main()
    return output_dir


@pytest.fixture(scope="module")
def stage2_dir(workdir: Path) -> Path:
    """A tiny retrieval-augmented T5 trained for a few steps (as tests/test_grounding.py's tiny_stage2, smaller)."""
    directory = workdir / "stage2_data"
    directory.mkdir()
    for split, rows in generate_corpus(120, seed=11).items():
        write_jsonl(directory / f"{split}.jsonl", rows)
    config = directory / "t5.json"
    config.write_text(json.dumps({"model_type": "t5", "d_model": 32, "d_kv": 8, "d_ff": 64, "num_heads": 4,
                                  "num_layers": 1, "num_decoder_layers": 1, "relative_attention_num_buckets": 8,
                                  "dropout_rate": 0.0}))
    output_dir = workdir / "stage2"
    argv = ["train_stage2.py", "--model_name_or_path", str(config), "--tokenizer_vocab_size", "600",
            "--train_file", str(directory / "train.jsonl"), "--validation_file", str(directory / "validation.jsonl"),
            "--test_file", str(directory / "test.jsonl"), "--output_dir", str(output_dir), "--max_steps", "20",
            "--per_device_train_batch_size", "8", "--max_target_length", "64", "--use_cpu",
            "--recall_calibration_rows", "20", "--max_eval_samples", "20", "--max_predict_samples", "5"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "argv", argv)
        train_stage2.main()
    return output_dir


@pytest.fixture
def run_predict(tmp_path: Path, masked_logs: Path, locator_dir: Path) -> Callable[..., list[dict]]:
    """predict.py's main() on the masked logs (in process: the models load in a second, not a new interpreter);
    its records. Nothing from models/ of the checkout takes part: stage 2 is off unless named, and the ranker is
    this module's unless named (predict.py has no switch for the built-in rules; a models/locate would win)."""
    calls: Iterator[int] = iter(range(100))

    def run(*args: str) -> list[dict]:
        output = tmp_path / f"out{next(calls)}.jsonl"
        defaults = [] if "--no_model" in args else [
            *([] if "--locator" in args else ["--locator", str(locator_dir)]),
            *([] if "--stage2" in args else ["--no_stage2"])]
        argv = ["predict.py", "--input", str(masked_logs), "--output", str(output), *FP32, *defaults, *args]
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(sys, "argv", argv)
            assert predict.main() == 0
        return [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]

    return run


def test_masked_names_let_stage_one_decide(folds_dir: Path, run_predict) -> None:
    records = run_predict("--model", str(folds_dir / "fold_0"))
    parser_only = run_predict("--no_model")
    assert [record["id"] for record in records] == LABELS
    for record, bare in zip(records, parser_only):
        # The parser reads no class name, so without a model nothing is decided ...
        assert record["exception_fqcn"] in ("", None) and record["parser_label"] is None
        assert bare["label"] is None and bare["decided_by"] is None and bare["top_k"] == []
        # ... and with one, the model's top label is the answer, and it is the right one.
        assert record["decided_by"] == DECIDED_BY_MODEL
        assert record["label"] == record["top_k"][0]["label"] == record["id"]


def scores(records: list[dict]) -> list[list[dict]]:
    return [record["top_k"] for record in records]


def test_ensemble_weights_select_their_member(folds_dir: Path, run_predict) -> None:
    members = [str(folds_dir / "fold_0"), str(folds_dir / "fold_1")]
    first_only = run_predict("--model", str(folds_dir), "--ensemble_weights", "1", "0", "--top_k", "4")
    second_only = run_predict("--model", str(folds_dir), "--ensemble_weights", "0", "1", "--top_k", "4")
    assert scores(first_only) != scores(second_only)  # the members differ, so the weights must matter
    assert scores(first_only) == scores(run_predict("--model", members[0], "--top_k", "4"))
    assert scores(second_only) == scores(run_predict("--model", members[1], "--top_k", "4"))
    # Default weights (each member's out-of-fold macro-F1) mix both: the result is neither member alone.
    mixed = scores(run_predict("--model", str(folds_dir), "--top_k", "4"))
    assert mixed != scores(first_only) and mixed != scores(second_only)


def member_logits(member: Path, logs: list[str]) -> np.ndarray:
    """The member's raw logits for `logs`, computed here with the model's own forward pass: the input text built
    as the metadata says, tokenized to its max_length."""
    loaded = load_model(member)
    metadata = loaded.metadata
    texts = [build_model_input(parse_trace(log), **metadata["input_options"]) for log in logs]
    batch = loaded.tokenizer(texts, padding=True, truncation=True, max_length=metadata["max_length"],
                             return_tensors="pt")
    with torch.no_grad():
        return loaded.model(**batch).logits.numpy()


def probabilities(logits: np.ndarray, temperature: float) -> np.ndarray:
    scaled = np.exp((logits - logits.max(axis=1, keepdims=True)) / temperature)
    return scaled / scaled.sum(axis=1, keepdims=True)


def assert_top_k_at(records: list[dict], expected: np.ndarray, names: list[str]) -> None:
    for record, row in zip(records, expected):
        for entry in record["top_k"]:
            assert entry["score"] == pytest.approx(row[names.index(entry["label"])], abs=1e-4), (record["id"], entry)


def test_top_k_uses_the_stored_temperature(folds_dir: Path, masked_logs: Path, workdir: Path, run_predict) -> None:
    member = folds_dir / "fold_0"
    logs = [json.loads(line)["log"] for line in masked_logs.read_text(encoding="utf-8").splitlines()]
    names = [name for _, name in sorted(load_model(member).model.config.id2label.items())]
    logits = member_logits(member, logs)
    temperature = json.loads((member / "analyzer_metadata.json").read_text())["calibration"]["temperature"]
    assert abs(temperature - 1.0) > 0.1  # else the test could not tell a calibrated score from a raw one
    # without the wording memory's vote, which tests/test_wording.py checks on its own
    records = run_predict("--model", str(member), "--redact", "false", "--top_k", "4", "--no_wording")
    assert_top_k_at(records, probabilities(logits, temperature), names)
    raw = probabilities(logits, 1.0)
    assert max(abs(entry["score"] - raw[row, names.index(entry["label"])]) for row, record in enumerate(records)
               for entry in record["top_k"]) > 0.01

    # Whatever temperature the metadata stores is the one applied: the same weights with another one.
    hotter = workdir / "fold_0_hotter"
    shutil.copytree(member, hotter, dirs_exist_ok=True)
    metadata = json.loads((hotter / "analyzer_metadata.json").read_text())
    metadata["calibration"]["temperature"] = 3.0
    (hotter / "analyzer_metadata.json").write_text(json.dumps(metadata))
    records = run_predict("--model", str(hotter), "--redact", "false", "--top_k", "4", "--no_wording")
    assert_top_k_at(records, probabilities(logits, 3.0), names)


def located_method(record: dict) -> str:
    return f"{record['location']['class']}.{record['location']['method']}"


def test_learned_locator_chooses_the_location(folds_dir: Path, locator_dir: Path, masked_logs: Path,
                                              run_predict) -> None:
    records = run_predict("--model", str(folds_dir / "fold_0"), "--locator", str(locator_dir))
    logs = [json.loads(line)["log"] for line in masked_logs.read_text(encoding="utf-8").splitlines()]
    for record, log, (_, _, owner, methods) in zip(records, logs, KINDS):
        assert located_method(record) == f"{owner}.{methods[FAULT_FRAME]}"
        assert record["candidates"][0]["method"] == methods[FAULT_FRAME]
        by_rules = locate(parse_trace(log))  # on these traces the rules choose another frame
        assert by_rules is not None and by_rules.qualified_method == f"{owner}.{methods[0]}"


def guidance_location(location: dict) -> str:
    """The location as an explanation writes it (README: `File.java:45 (pkg.Class.method)`), built here from the
    record's own fields."""
    return f"{location['file']}:{location['line']} ({location['class']}.{location['method']})"


def explain_report(masked_logs: Path, tmp_path: Path, models: list[str]) -> dict:
    """evaluate.py --task explain on the masked logs, each with its true label and a reference explanation (any:
    only rows with one are counted for agreement); its report."""
    rows = [{**json.loads(line), "label": kind[0], "guidance": "type=X; cause=y; location=z; fix=w"}
            for line, kind in zip(masked_logs.read_text(encoding="utf-8").splitlines(), KINDS)]
    return evaluate.main(["--task", "explain", "--input", str(write_jsonl(tmp_path / "rows.jsonl", rows)), *models,
                          "--output_dir", str(tmp_path / "report")])


def test_explanation_agrees_with_the_records_type_and_location(folds_dir: Path, locator_dir: Path, stage2_dir: Path,
                                                               masked_logs: Path, tmp_path: Path,
                                                               run_predict) -> None:
    # 1.01: never a recalled scenario's text, so each explanation is the stage-2 model's (or, rejected, the type's).
    models = ["--model", str(folds_dir / "fold_0"), "--locator", str(locator_dir), "--stage2", str(stage2_dir),
              "--recall_threshold", "1.01"]
    records = run_predict(*models)
    for record, (_, _, owner, methods) in zip(records, KINDS):
        # The type came from stage 1 and the location from the learned ranker ...
        assert record["decided_by"] == DECIDED_BY_MODEL and record["label"] == record["id"]
        assert located_method(record) == f"{owner}.{methods[FAULT_FRAME]}"
        # ... and the explanation says exactly those.
        fields = record["explanation_fields"]
        assert fields["type"] == record["label"], record["explanation"]
        assert fields["location"] == guidance_location(record["location"]), record["explanation"]
        assert record["explanation_source"] in ("model", "type template")
    # Constrained decoding: the model's own generation (shown or not) already carried that type and location (the
    # cause is closed early enough that the forced location fits in max_new_tokens: this tiny tokenizer spends ~40
    # tokens on it, and a cause closed only at max_cause_tokens left generation stopping inside it).
    report = explain_report(masked_logs, tmp_path, models)
    assert report["rows_with_reference"] == 4 and report["stage1_type_accuracy"] == 1.0
    assert report["agreement_raw_type"] == 1.0 and report["agreement_raw_location"] == 1.0
    assert report["agreement_raw"] == 1.0 and report["agreement"] == 1.0


def scripted_generation(agree: bool) -> Callable[..., list[str]]:
    """A stand-in for the stage-2 generation: a grounded cause and fix about the located method, with the type and
    location asked for (`agree`) or another type and a location the trace does not have."""

    def generate(model, tokenizer, sources, types=None, locations=None, **options) -> list[str]:
        texts = []
        for label, where in zip(types, locations):
            qualified = where.split("(", 1)[1].rstrip(")")
            owner, method = qualified.rsplit(".", 2)[-2:]
            wrong_type = "IOException" if label != "IOException" else "SQLException"
            texts.append(f"type={label if agree else wrong_type}; cause={owner}.{method} failed on the input it was "
                         f"given; location={where if agree else 'Elsewhere.java:1 (com.acme.Elsewhere.run)'}; "
                         f"fix=Check the input before {owner}.{method} uses it.")
        return texts

    return generate


@pytest.mark.parametrize("agree", [False, True])
def test_agreement_raw_and_final(folds_dir: Path, locator_dir: Path, stage2_dir: Path, masked_logs: Path,
                                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_predict, agree: bool) -> None:
    import utils.stage2.seq2seq

    monkeypatch.setattr(utils.stage2.seq2seq, "generate_explanations", scripted_generation(agree))
    models = ["--model", str(folds_dir / "fold_0"), "--locator", str(locator_dir), "--stage2", str(stage2_dir),
              "--recall_threshold", "1.01"]
    for record in run_predict(*models):
        # The generation passed the grounding checks, so it is shown: corrected when it disagreed (raw), always in
        # agreement with the record (final).
        assert record["explanation_source"] == "model", record["explanation_rejected"]
        assert record["explanation_agreed"] is agree
        assert record["explanation_fields"]["type"] == record["label"]
        assert record["explanation_fields"]["location"] == guidance_location(record["location"])
        assert record["explanation_fields"]["cause"].endswith("failed on the input it was given")

    # evaluate.py --task explain counts the same two agreements over rows with a reference explanation.
    report = explain_report(masked_logs, tmp_path, models)
    assert report["rows_with_reference"] == 4 and report["stage1_type_accuracy"] == 1.0
    assert report["agreement_raw"] == (1.0 if agree else 0.0) and report["agreement"] == 1.0
