"""Stage 2: tokenizer, training pairs, constrained generation, agreement post-check, metrics, the training script."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from transformers import AutoTokenizer  # noqa: E402

from utils.evaluation.generation_metrics import evaluate_explanations, field_agreement, rouge_l  # noqa: E402
from utils.stage2.guidance import format_guidance, format_location, frame_location, parse_guidance  # noqa: E402
from utils.stage2.seq2seq import (  # noqa: E402
    FIX_RESERVE,
    agreement_processor,
    build_model_from_config,
    enforce_agreement,
    generate_explanations,
    load_explainer,
    row_language,
    stage2_example,
    train_tokenizer,
)

# Invented scenarios: (label, root FQCN, message, app class, method, line, cause, fix)
SCENARIOS = [
    (
        "NullPointerException",
        "java.lang.NullPointerException",
        'Cannot invoke "String.trim()" because "name" is null',
        "com.acme.user.UserService",
        "rename",
        45,
        "name was null when rename ran",
        "Check `name != null` before calling trim().",
    ),
    (
        "SocketTimeoutException",
        "java.net.SocketTimeoutException",
        "Read timed out",
        "com.acme.ledger.LedgerClient",
        "post",
        88,
        "the ledger call took longer than the read timeout",
        "Raise the read timeout or retry with backoff.",
    ),
    (
        "NumberFormatException",
        "java.lang.NumberFormatException",
        'For input string: "12a"',
        "com.acme.card.LimitParser",
        "parse",
        17,
        "계좌 한도 문자열이 숫자가 아닙니다",
        "입력값을 Integer.parseInt 전에 검증하세요.",
    ),
]


def _row(index: int, scenario: tuple) -> dict:
    label, fqcn, message, app_class, method, line, cause, fix = scenario
    line += index  # rows differ in their line numbers
    simple = app_class.rsplit(".", 1)[-1]
    log = (
        f"2024-03-01 10:15:{index % 60:02d}.123 ERROR [main] c.a.App - request failed\n"
        f"java.lang.IllegalStateException: wrapped failure {index}\n"
        f"\tat com.acme.web.Controller.handle(Controller.java:{10 + index})\n"
        f"Caused by: {fqcn}: {message}\n"
        f"\tat {app_class}.{method}({simple}.java:{line})\n"
        f"\tat com.acme.web.Controller.handle(Controller.java:{9 + index})\n"
        f"\t... 3 more\n"
    )
    location = format_location(f"{simple}.java", line, f"{app_class}.{method}")
    return {
        "id": f"row-{index}",
        "log": log,
        "label": label,
        "guidance": format_guidance(label, cause, location, fix),
        "meta": {
            "template": f"t{index % 3}",
            "family": "test",
            "language": "en",
            "root_exception": fqcn,
            "fault": {"class": app_class, "method": method, "file": f"{simple}.java", "line": line},
        },
    }


def write_tiny_corpus(directory: Path, rows_per_split: int = 12) -> dict[str, Path]:
    paths = {}
    for offset, split in enumerate(("train", "validation", "test")):
        path = directory / f"{split}.jsonl"
        rows = [_row(offset * 100 + i, SCENARIOS[i % len(SCENARIOS)]) for i in range(rows_per_split)]
        path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
        paths[split] = path
    return paths


# A T5 small enough to train in seconds on CPU (test_lora.py and test_metadata.py use it too).
TINY_T5 = {
    "model_type": "t5",
    "d_model": 32,
    "d_kv": 8,
    "d_ff": 64,
    "num_heads": 4,
    "num_layers": 1,
    "num_decoder_layers": 1,
    "relative_attention_num_buckets": 8,
    "dropout_rate": 0.0,
}


def run_train_stage2(monkeypatch: pytest.MonkeyPatch, directory: Path, paths: dict[str, Path | str],
                     output_dir: Path, *options: str, t5: dict | None = None, vocab_size: int = 400) -> None:
    """Runs train_stage2.py as the command line would: a tiny T5 (`t5`, else TINY_T5, written to directory/t5.json)
    with a tokenizer of `vocab_size`, trained on the splits `paths`, saved in `output_dir`; `options` follow."""
    import train_stage2

    config_file = directory / "t5.json"
    config_file.write_text(json.dumps(t5 or TINY_T5))
    monkeypatch.setattr(sys, "argv", [
        "train_stage2.py", "--model_name_or_path", str(config_file), "--tokenizer_vocab_size", str(vocab_size),
        "--train_file", str(paths["train"]), "--validation_file", str(paths["validation"]),
        "--test_file", str(paths["test"]), "--output_dir", str(output_dir), *options])
    train_stage2.main()


@pytest.fixture(scope="module")
def tokenizer():
    texts = [_row(i, SCENARIOS[i % 3])["guidance"] for i in range(30)] + [
        _row(i, SCENARIOS[i % 3])["log"] for i in range(30)
    ]
    return train_tokenizer(texts, vocab_size=400)


@pytest.fixture(scope="module")
def tiny_model(tokenizer, tmp_path_factory):
    config_file = tmp_path_factory.mktemp("config") / "t5.json"
    config_file.write_text(json.dumps(TINY_T5))
    torch.manual_seed(0)
    return build_model_from_config(config_file, tokenizer).eval()


def test_tokenizer_round_trips_code_case_and_korean(tokenizer, tmp_path):
    tokenizer.save_pretrained(tmp_path)
    reloaded = AutoTokenizer.from_pretrained(tmp_path)
    assert (reloaded.pad_token_id, reloaded.eos_token_id, reloaded.unk_token_id) == (0, 1, 2)
    texts = [
        "Check `user != null` before calling User.getName();  if (x[0] == '{') {}",
        "계좌 이체 처리 중 오류 발생: 뷁똠 (unseen Hangul)",
        "CamelCase and lowercase\n\tkept",
    ]
    for text in texts:
        ids = reloaded(text)["input_ids"]
        assert ids[-1] == reloaded.eos_token_id
        assert reloaded.unk_token_id not in ids
        assert reloaded.decode(ids, skip_special_tokens=True) == text


def test_stage2_example_uses_label_and_true_fault_frame():
    row = _row(7, SCENARIOS[1])
    example = stage2_example(row)
    expected_location = "LedgerClient.java:95 (com.acme.ledger.LedgerClient.post)"
    assert example.label == "SocketTimeoutException"
    assert example.location == expected_location
    assert parse_guidance(example.target)["location"] == expected_location
    assert "SocketTimeoutException" in example.source and expected_location in example.source
    assert "Read timed out" in example.source
    # the root cause comes before the outer wrapper
    assert "IllegalStateException" not in example.source.split("Read timed out")[0]


def test_explanation_language_is_chosen_per_trace_not_per_file():
    # One Korean record in a log once made every trace of the file be explained in Korean.
    from utils.parsing.log_sources import LogDocument
    from utils.pipeline.analyze import Analyzer, AnalyzerOptions

    log = (
        "2026-01-05 10:00:00.000 ERROR [exec-1] c.b.p.PaymentService - Payment failed id=42\n"
        "java.net.SocketTimeoutException: Read timed out\n\tat com.acme.pay.PaymentService.charge(PaymentService.java:88)\n"
        "2026-01-05 10:00:01.000 ERROR [exec-2] c.b.p.PaymentService - 결제 실패 id=43\n"
        "java.lang.IllegalStateException: insufficient balance\n\tat com.acme.pay.PaymentService.charge(PaymentService.java:90)\n"
        "2026-01-05 10:00:02.000 ERROR [exec-3] c.b.u.UserService - Lookup failed\n"
        "java.lang.NullPointerException: 이름 없음\n\tat com.acme.users.UserService.find(UserService.java:12)\n"
        "2026-01-05 10:00:03.000 ERROR [exec-4] c.b.u.UserService - Lookup failed\n"
        "java.lang.NullPointerException: name is null\n\tat com.acme.users.UserService.find(UserService.java:12)\n"
    )
    choices = {}
    for option in ("auto", "en", "ko"):
        analyzer = Analyzer(AnalyzerOptions(no_model=True, explanation_language=option))
        results = analyzer.analyze([LogDocument("a", "a", log), LogDocument("b", "b", log, language="en")])
        assert [item.trace.root_cause.simple_name for item in results[:4]] == [
            "SocketTimeoutException", "IllegalStateException", "NullPointerException", "NullPointerException"]
        choices[option] = [analyzer._language(item) for item in results]
    # auto: Korean for the traces whose own lines hold Hangul (the 2nd in its log record, the 3rd in its message);
    # a row's own `language` still wins over the option
    assert choices["auto"] == ["en", "ko", "ko", "en"] + ["en"] * 4
    assert choices["en"] == ["en"] * 8 and choices["ko"] == ["ko"] * 4 + ["en"] * 4


def test_stage2_source_names_the_guidance_language():
    row = _row(1, SCENARIOS[1])
    assert stage2_example(row).source.startswith("language: en | type: SocketTimeoutException | ")
    row["meta"]["language"] = "ko"
    assert stage2_example(row).source.startswith("language: ko | ")
    del row["meta"]["language"]  # an imported row: read from the guidance itself
    row["guidance"] = format_guidance("Other", "결제 서비스가 응답하지 않음", "A.java:1 (a.A.f)", "재시도")
    assert row_language(row) == "ko"
    assert stage2_example(row, language_tag=False).source.startswith("type: ")


def test_row_without_fault_takes_the_location_its_guidance_names():
    row = _row(3, SCENARIOS[0])
    row["meta"]["fault"] = None
    example = stage2_example(row)
    assert example.location == parse_guidance(row["guidance"])["location"]
    assert example.location in example.source
    row["guidance"] = format_guidance("NullPointerException", "c", "somewhere", "f")  # unparseable location
    assert stage2_example(row).location == "UserService.java:48 (com.acme.user.UserService.rename)"  # first app frame


def test_enforce_agreement_rewrites_type_and_location_only():
    location = "Foo.java:3 (com.x.Foo.bar)"
    agreeing = format_guidance("NullPointerException", "a was null", location, "check a")
    assert enforce_agreement(agreeing, "NullPointerException", location) == (agreeing, True)
    wrong = format_guidance("IllegalStateException", "a was null", "Other.java:9 (com.x.Other.baz)", "check a")
    fixed, agreed = enforce_agreement(wrong, "NullPointerException", location)
    assert not agreed
    assert parse_guidance(fixed) == {
        "type": "NullPointerException",
        "cause": "a was null",
        "location": location,
        "fix": "check a",
    }
    garbage, agreed = enforce_agreement("no fields at all", "NullPointerException", location)
    assert not agreed and field_agreement(garbage, "NullPointerException", location) == (True, True)


def test_agreement_processor_forces_prefix_then_location_after_marker(tokenizer):
    location = "LimitParser.java:17 (com.acme.card.LimitParser.parse)"
    processor = agreement_processor(tokenizer, ["NumberFormatException"], [location])
    prefix = tokenizer("type=NumberFormatException; cause=", add_special_tokens=False)["input_ids"]
    marker_length = len(tokenizer("; location=", add_special_tokens=False)["input_ids"])
    location_ids = tokenizer(f"; location={location}; fix=", add_special_tokens=False)["input_ids"][marker_length:]
    assert processor._forced_token([], 0) == prefix[0]
    assert processor._forced_token(prefix[:2], 0) == prefix[2]
    # a cause ending in "." must not hide the marker
    written = prefix + tokenizer("bad input.; location=", add_special_tokens=False)["input_ids"]
    assert processor._forced_token(written, 0) == location_ids[0]
    assert processor._forced_token(written + location_ids[:3], 0) == location_ids[3]
    assert processor._forced_token(written + location_ids, 0) is None  # free again after the location
    assert processor._forced_token(prefix + tokenizer("x", add_special_tokens=False)["input_ids"], 0) is None
    prose = prefix + tokenizer("the downstream location=", add_special_tokens=False)["input_ids"]
    assert processor._forced_token(prose, 0) is None  # " location=" without ";" is part of the cause
    expected = f"type=NumberFormatException; cause=bad input.; location={location}; fix="
    assert tokenizer.decode(written + location_ids) == expected
    # a cause that runs past max_cause_tokens is closed with "; location=" and the location follows
    short = agreement_processor(tokenizer, ["NumberFormatException"], [location], max_cause_tokens=3)
    generated = prefix + tokenizer("one two three", add_special_tokens=False)["input_ids"][:3]
    while (forced := short._forced_token(generated, 0)) is not None:
        generated.append(forced)
    assert tokenizer.decode(generated).endswith(f"; location={location}; fix=")
    # within max_new_tokens, the cause is closed early enough for the location and a few tokens of fix (a cause
    # closed only at max_cause_tokens let generation stop inside the forced location)
    word = tokenizer("word", add_special_tokens=False)["input_ids"][0]
    for budget in (60, 400):
        bounded = agreement_processor(tokenizer, ["NumberFormatException"], [location], max_cause_tokens=48,
                                      max_new_tokens=budget)
        forced_length = len(bounded.close_ids) + len(bounded.location_ids[0])
        generated = list(prefix)
        while bounded._forced_token(generated, 0) is None:
            generated.append(word)  # a cause that runs on until it is closed
        while (forced := bounded._forced_token(generated, 0)) is not None:
            generated.append(forced)
        assert tokenizer.decode(generated).endswith(f"; location={location}; fix=")
        cause_length = min(48, budget - len(prefix) - forced_length - FIX_RESERVE)
        assert len(generated) == len(prefix) + cause_length + forced_length
        assert (cause_length < 48) == (budget == 60)  # the small budget closes the cause before max_cause_tokens


def test_generate_explanations_keeps_order_and_constrains_type(tokenizer, tiny_model):
    rows = [_row(i, SCENARIOS[i % 3]) for i in range(5)]
    examples = [stage2_example(row) for row in rows]
    sources = [example.source + " extra" * i for i, example in enumerate(examples)]  # different lengths
    types = [example.label for example in examples]
    outputs = generate_explanations(
        tiny_model,
        tokenizer,
        sources,
        batch_size=2,
        max_new_tokens=40,
        types=types,
        locations=[example.location for example in examples],
    )
    assert len(outputs) == len(sources)
    for output, label in zip(outputs, types):
        assert output.startswith(f"type={label}; cause=")
    beams = generate_explanations(tiny_model, tokenizer, sources[:2], num_beams=2, max_new_tokens=30, types=types[:2])
    assert [b.startswith(f"type={t};") for b, t in zip(beams, types[:2])] == [True, True]
    free = generate_explanations(tiny_model, tokenizer, sources[:3], batch_size=2, max_new_tokens=8)
    alone = [generate_explanations(tiny_model, tokenizer, [source], max_new_tokens=8)[0] for source in sources[:3]]
    assert free == alone  # batching and sorting do not change what each input gets


def test_evaluate_explanations_arithmetic():
    location = "A.java:1 (p.A.m)"
    reference = format_guidance("NullPointerException", "x was null", location, "check x")
    wrong_type = format_guidance("IllegalStateException", "x was null", location, "check x")
    wrong_fix = format_guidance("NullPointerException", "x was null", location, "restart the server")
    metrics = evaluate_explanations(
        [reference, wrong_fix],
        [reference, reference],
        raw_predictions=[wrong_type, wrong_fix],
        types=["NullPointerException"] * 2,
        locations=[location] * 2,
        type_correct=[True, False],
    )
    assert metrics["exact_type"] == 1.0 and metrics["exact_cause"] == 1.0 and metrics["exact_fix"] == 0.5
    assert metrics["exact_all"] == 0.5 and metrics["well_formed"] == 1.0
    assert metrics["agreement_raw_type"] == 0.5 and metrics["agreement_raw"] == 0.5 and metrics["agreement"] == 1.0
    assert metrics["end_to_end_exact"] == 0.5 and metrics["stage1_accuracy"] == 0.5
    assert metrics["rougeL"] < 1.0 and metrics["rougeL_cause"] == 1.0 and metrics["rougeL_fix"] == 0.5
    assert rouge_l(["계좌 이체 오류"], ["계좌 이체 오류"]) == 1.0  # Korean is scored, not dropped
    assert rouge_l(["계좌 이체 오류"], ["전혀 다른 문장"]) == 0.0
    with pytest.raises(ValueError):
        evaluate_explanations(["a"], ["a", "b"])


def train_stage2_one_step(directory: Path, output_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """train_stage2.py for one step on a tiny corpus written to `directory`, with `--test_file none`, into
    `output_dir`."""
    paths = write_tiny_corpus(directory)
    run_train_stage2(monkeypatch, directory, {**paths, "test": "none"}, output_dir, "--max_steps", "1",
                     "--per_device_train_batch_size", "4", "--use_cpu", "--max_target_length", "48",
                     "--recall_calibration_rows", "4")


def test_train_stage2_skips_the_test_split_when_told_none(tmp_path, monkeypatch):
    """`--test_file none` (as a YAML config or a shell writes it) skips scoring; it was read as a file name."""
    output_dir = tmp_path / "model"
    train_stage2_one_step(tmp_path, output_dir, monkeypatch)
    assert (output_dir / "model.safetensors").is_file() and not (output_dir / "test_results.json").exists()


def test_train_stage2_script_end_to_end(tmp_path, monkeypatch):
    paths = write_tiny_corpus(tmp_path)
    output_dir = tmp_path / "model"
    run_train_stage2(monkeypatch, tmp_path, paths, output_dir, "--num_train_epochs", "3",
                     "--per_device_train_batch_size", "4", "--learning_rate", "3e-3", "--max_target_length", "48",
                     "--logging_steps", "1", "--use_cpu", "--predict_with_generate", "--generation_max_length", "48")

    for name in (
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "analyzer_metadata.json",
        "training_history.json",
        "learning_curves.png",
        "test_predictions.jsonl",
        "test_results.json",
    ):
        assert (output_dir / name).is_file(), name
    metadata = json.loads((output_dir / "analyzer_metadata.json").read_text())
    assert metadata["task"] == "stage2-explanation"
    assert metadata["input_options"]["max_source_length"] == 256
    assert metadata["input_options"]["language_tag"] is True
    test_metrics = metadata["metrics"]["test"]
    assert test_metrics["agreement"] == 1.0  # after the post-check, whatever the (barely trained) model wrote
    predictions = [json.loads(line) for line in (output_dir / "test_predictions.jsonl").read_text().splitlines()]
    assert len(predictions) == 12
    for prediction in predictions:
        label = parse_guidance(prediction["reference"])["type"]
        assert prediction["constrained"].startswith(f"type={label};")
    history = json.loads((output_dir / "training_history.json").read_text())
    assert len(history) == 3 and history[-1]["train_loss"] < history[0]["train_loss"]
    assert "eval_rougeL" in history[0]  # --predict_with_generate scores the validation generations

    import evaluate

    report = evaluate.main(["--task", "explain", "--input", str(paths["test"]), "--stage2", str(output_dir),
                            "--no_stage1", "--output_dir", str(tmp_path / "explain_report")])
    assert report["rows"] == 12 and report["rows_without_trace"] == 0
    assert report["agreement"] == 1.0  # what the user sees always agrees with the shown type and location
    assert report["stage1_type_accuracy"] == 1.0  # the parser reads every invented trace's root cause
    # end_to_end_rouge is the share of rows with the type right and ROUGE-L >= 0.6: an exact row counts, and the
    # share cannot exceed mean ROUGE-L / 0.6 (Markov)
    assert report["end_to_end_exact"] <= report["end_to_end_rouge"] <= report["rougeL"] / 0.6 + 1e-9
    assert (tmp_path / "explain_report" / "report.md").read_text().startswith("# Stage-2 evaluation")

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import stage2_baselines

    baselines = stage2_baselines.main(["--train_file", str(paths["train"]), "--validation_file",
                                       str(paths["validation"]), "--test_file", str(paths["test"]), "--model",
                                       str(output_dir), "--output_dir", str(tmp_path / "baselines")])
    scored = baselines["results"][f"model {output_dir}"]
    assert scored["exact_type"] == scored["exact_location"] == 1.0  # given the true type and location, as scored
    assert scored["rougeL"] == pytest.approx(test_metrics["rougeL"])  # the user's view: known scenarios recalled
    own_text = baselines["results"][f"model {output_dir}, its own text on every row"]
    assert own_text["rougeL"] == pytest.approx(test_metrics["model_rougeL"])

    model, tokenizer, loaded_metadata = load_explainer(output_dir)
    assert loaded_metadata["task"] == "stage2-explanation" and tokenizer.model_max_length == 256
    example = stage2_example(_row(1, SCENARIOS[1]))
    [text] = generate_explanations(model, tokenizer, [example.source], max_new_tokens=16, types=[example.label])
    assert text.startswith("type=SocketTimeoutException;")

    # The explanation language: a document's own, else the option; "auto" reads Hangul in the log.
    from utils.parsing.log_sources import LogDocument
    from utils.pipeline.analyze import Analyzer, AnalyzerOptions
    from utils.pipeline.record import to_record
    from utils.report.summary import format_summary

    seen_sources: list[str] = []
    import utils.stage2.seq2seq

    real_generate = utils.stage2.seq2seq.generate_explanations

    def recording_generate(model, tokenizer, sources, **options):
        seen_sources.extend(sources)
        return real_generate(model, tokenizer, sources, **options)

    monkeypatch.setattr(utils.stage2.seq2seq, "generate_explanations", recording_generate)
    log = _row(1, SCENARIOS[1])["log"]
    # b: Hangul in the trace's own log record (the choice is per trace: a line outside its record does not count)
    documents = [LogDocument("a", "a", log), LogDocument("b", "b", log.replace("request failed", "결제 실패")),
                 LogDocument("c", "c", log, language="ko")]
    known: dict[str, str] = {}  # language tag -> the known-scenario part of the source
    for option, expected in (("auto", ["en", "ko", "ko"]), ("en", ["en", "en", "ko"]), ("ko", ["ko"] * 3)):
        seen_sources.clear()
        analyzer = Analyzer(AnalyzerOptions(no_stage1=True, stage2_dir=str(output_dir), explanation_language=option,
                                            recall_threshold=1.01))  # every explanation from the model
        analyzer.analyze(documents)
        assert [source.split(" | ")[0] for source in seen_sources] == [f"language: {lang}" for lang in expected]
        known.update({source.split(" | ")[0]: source.split(" | ")[4] for source in seen_sources})

    # Retrieval-augmented: the memory of the training rows travels with the model; the model is shown the nearest
    # known scenario (every scenario of the tiny corpus is a training one) and the user sees which it was.
    assert metadata["input_options"]["retrieval"] is True and (output_dir / "scenarios.json").is_file()
    assert known["language: en"].startswith("known 1.0: cause=")  # the tiny corpus's guidance is all English:
    assert known["language: ko"] == "known: none"  # nothing known in Korean, and no English text is shown instead
    # With the threshold chosen at training (recalled texts score 1.0 on the tiny corpus, where every scenario is
    # known), a known scenario's own text is shown and the model writes only where nothing is known.
    calibration = metadata["generation"]["recall_calibration"]
    assert calibration["rougeL_recall"] == pytest.approx(1.0) and calibration["rows_known"] == 12
    assert metadata["generation"]["recall_threshold"] <= 1.0
    assert test_metrics["recall_share"] == 1.0 and test_metrics["rougeL"] == pytest.approx(1.0)
    assert test_metrics["model_rougeL"] < 1.0  # the barely trained model's own text
    seen_sources.clear()
    analyzer = Analyzer(AnalyzerOptions(no_stage1=True, stage2_dir=str(output_dir)))
    results = analyzer.analyze(documents)
    assert results[0].explanation_source == "known scenario"
    from utils.stage2.explanations import trace_grounding
    from utils.stage2.seq2seq import explanation_problems

    for item in results[1:]:  # the barely trained model's Korean text is shown only if it passes the checks
        assert item.explanation_source == ("type template" if item.explanation_rejected else "model")
        assert not explanation_problems(item.explanation, trace_grounding(item.trace, item.label, item.location))
    shown, reference = parse_guidance(results[0].explanation), parse_guidance(_row(1, SCENARIOS[1])["guidance"])
    assert (shown["cause"], shown["fix"]) == (reference["cause"], reference["fix"])
    assert shown["location"] == frame_location(results[0].location)  # still the location the user is shown
    assert len(seen_sources) == 2  # only the Korean ones went to the model
    record = to_record(results[0])
    assert record["explanation_source"] == "known scenario" and record["known_scenario"]["scenario"] == "t1"
    assert record["known_scenario"]["similarity"] > 0.95
    assert "Known case  : t1 (similarity 1.00, close match)" in format_summary(results, analyzer)
    (output_dir / "scenarios.json").unlink()
    with pytest.raises(SystemExit, match="scenarios.json is missing"):
        Analyzer(AnalyzerOptions(no_stage1=True, stage2_dir=str(output_dir)))


def test_stage2_baselines_script(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import stage2_baselines

    row = _row(1, SCENARIOS[1])
    fields = parse_guidance(stage2_baselines.fields_only(row))
    reference = parse_guidance(row["guidance"])
    assert (fields["type"], fields["location"], fields["cause"], fields["fix"]) == (
        reference["type"], reference["location"], "", "")
    method = row["meta"]["fault"]["method"]
    assert parse_guidance(stage2_baselines.extractive(row))["cause"].startswith(f"{method}: ")

    paths = write_tiny_corpus(tmp_path)  # every split repeats the same three scenarios
    report = stage2_baselines.main(["--train_file", str(paths["train"]), "--validation_file",
                                    str(paths["validation"]), "--test_file", str(paths["test"]),
                                    "--output_dir", str(tmp_path / "report"), "--oracles"])
    results = report["results"]
    assert results["oracle_known_text"]["rougeL"] == pytest.approx(1.0)  # every test scenario is a known one
    # the reference's words found in the log: "name was null when rename ran" keeps "name", "null", "rename"
    assert 0.0 < results["oracle_extractive"]["rougeL_cause"] < 1.0
    row = _row(2, SCENARIOS[0])
    assert parse_guidance(stage2_baselines.oracle_extractive(row))["cause"] == "name null rename"
    assert results["class_text"]["rougeL"] == pytest.approx(1.0)  # seen scenarios: the exact text, method swapped
    assert results["nearest_template"]["rougeL"] == pytest.approx(1.0)
    assert results["fields_only"]["rougeL_cause"] == 0.0 < results["extractive"]["rougeL_cause"]
    assert max(results["fields_only"]["rougeL"], results["extractive"]["rougeL"]) < 1.0
    assert json.loads((tmp_path / "report" / "report.json").read_text())["rows"] == 12
