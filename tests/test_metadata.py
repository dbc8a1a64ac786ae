"""analyzer_metadata.json through one schema (utils/models/metadata.py): round trips, a missing or unknown key failing in one
sentence that names the file, and the metadata every trainer writes loading back through it."""

from __future__ import annotations

import inspect
import json
from dataclasses import replace
from pathlib import Path

import pytest

from utils.inputs import build_model_input
from utils.models.metadata import (
    METADATA_FILE,
    TASK_CLASSIFY,
    TASK_GENERATE,
    TASK_LOCATE,
    LocatorMetadata,
    MetadataError,
    Stage1InputOptions,
    Stage1Metadata,
    Stage2Generation,
    Stage2InputOptions,
    Stage2Metadata,
    read_metadata,
    write_metadata,
)

STAGE1 = Stage1Metadata(
    task=TASK_CLASSIFY, base_model="tiny", architecture="MeanPoolingForSequenceClassification", pooling="mean",
    label_names=["NullPointerException", "Other"], input_options=Stage1InputOptions(max_frames=4, structure_hints=True),
    max_length=64, metrics={"eval_macro_f1": 0.5}, calibration={"temperature": 0.7}, prediction_warnings=["w"],
    data_issues={"skipped_lines": 0},
)
STAGE2 = Stage2Metadata(
    task=TASK_GENERATE, base_model="configs/t5_small_offline.json",
    input_options=Stage2InputOptions(builder="utils.stage2.seq2seq.build_source", max_frames=3, language_tag=True),
    generation=Stage2Generation(max_new_tokens=64, recall_threshold=0.9), metrics={"train": {}, "eval": {}, "test": {}},
)
LOCATOR = LocatorMetadata(task=TASK_LOCATE, kind="learned", l2=1.0, metrics={"chosen": "rules"})


@pytest.mark.parametrize("metadata", [STAGE1, STAGE2, LOCATOR], ids=["stage1", "stage2", "locator"])
def test_round_trip(tmp_path: Path, metadata) -> None:
    write_metadata(tmp_path, metadata)
    loaded = read_metadata(tmp_path)
    assert type(loaded) is type(metadata)
    assert replace(loaded, library_versions=None, saved_at=None) == metadata
    assert loaded.library_versions["python"] and loaded.saved_at
    payload = json.loads((tmp_path / METADATA_FILE).read_text(encoding="utf-8"))
    assert list(payload) == list(loaded.to_dict()) and payload == loaded.to_dict()
    assert loaded["task"] == metadata.task  # item access reads the JSON value
    with pytest.raises(KeyError):
        loaded["labels"]


def test_fields_some_runs_lack_are_left_out_and_the_rest_always_written() -> None:
    written = STAGE1.to_dict()
    assert "fold" not in written and "num_folds" not in written and written["data_issues"] == {"skipped_lines": 0}
    assert replace(STAGE1, fold=1, num_folds=3, data_issues=None).to_dict()["fold"] == 1
    assert written["training"] is None and written["input_options"] == {
        "max_frames": 4, "max_message_chars": 300, "structure_hints": True, "mask_exception_names": False}
    # A hand-saved directory with only the required keys reads as the readers read a missing key before the schema.
    least = Stage1Metadata.from_dict({"task": TASK_CLASSIFY, "label_names": ["A"]}, "least")
    assert (least.input_format, least.label_source, least.max_length, least.temperature) == ("trace", "labels_yaml",
                                                                                              None, 1.0)
    assert Stage2Metadata.from_dict({"task": TASK_GENERATE}, "least").input_options.max_frames == 5


def test_stage1_input_option_defaults_are_build_model_input_defaults() -> None:
    parameters = inspect.signature(build_model_input).parameters
    defaults = Stage1InputOptions().to_dict()
    assert defaults == {name: parameters[name].default for name in defaults}


@pytest.mark.parametrize(
    "payload, words",
    [
        ({"task": TASK_CLASSIFY}, "lacks the required key 'label_names'"),
        ({"task": TASK_CLASSIFY, "label_names": ["A"], "labels": ["A"]}, "unknown key 'labels'"),
        ({"task": TASK_CLASSIFY, "label_names": ["A"], "input_options": {"max_frame": 3}},
         "unknown key 'input_options.max_frame'"),
        ({"task": TASK_GENERATE, "generation": {"recall": 0.5}}, "unknown key 'generation.recall'"),
        ({"label_names": ["A"]}, "needs a 'task' field"),
        ({"task": "stage3-magic"}, "task 'stage3-magic' is not one this code knows"),
        ([1, 2], "needs a 'task' field"),
        ("{not json", "is not valid JSON"),
    ],
    ids=["missing", "unknown", "unknown-nested", "unknown-generation", "no-task", "unknown-task", "not-object",
         "not-json"],
)
def test_a_bad_file_fails_in_one_sentence_naming_it(tmp_path: Path, payload, words: str) -> None:
    path = tmp_path / METADATA_FILE
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload), encoding="utf-8")
    with pytest.raises(MetadataError) as error:
        read_metadata(tmp_path)
    message = str(error.value)
    assert message.startswith(str(path)) and words in message and "\n" not in message


def test_a_bad_file_fails_the_model_loader_in_the_same_sentence(tmp_path: Path) -> None:
    from utils.models.checkpoints import ModelLoadError, load_model

    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"")
    (tmp_path / "tokenizer.json").write_text("{}")
    (tmp_path / METADATA_FILE).write_text(json.dumps({"task": TASK_CLASSIFY, "label_names": [], "pooling": "mean",
                                                      "max_frames": 5}))
    with pytest.raises(ModelLoadError, match=r"analyzer_metadata.json: unknown key 'max_frames'"):
        load_model(tmp_path)


def _write_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def test_stage1_trainer_writes_what_the_schema_reads(tmp_path: Path, tiny_encoder: Path) -> None:
    import train_stage1
    from utils.models.checkpoints import load_model

    exceptions = ["java.lang.NullPointerException", "java.io.IOException"]
    rows = [{"id": f"r{i}", "log": f"{exceptions[i % 2]}: case {i}\n\tat com.acme.A.run(A.java:{i + 1})",
             "label": exceptions[i % 2]} for i in range(16)]
    output_dir = tmp_path / "stage1"
    train_stage1.main([
        "--model_name_or_path", str(tiny_encoder), "--output_dir", str(output_dir),
        "--train_file", str(_write_rows(tmp_path / "rows.jsonl", rows)), "--validation_file", "none",
        "--validation_split_fraction", "0.25", "--freeze_encoder", "--feature_cache_dir", "", "--num_train_epochs",
        "1", "--max_length", "32", "--save_strategy", "no", "--load_best_model_at_end", "false",
    ])
    loaded = load_model(output_dir)
    assert isinstance(loaded.metadata, Stage1Metadata) and loaded.metadata.input_options.structure_hints is True
    payload = json.loads((output_dir / METADATA_FILE).read_text(encoding="utf-8"))
    assert list(payload) == list(loaded.metadata.to_dict()) and payload == loaded.metadata.to_dict()


def test_stage2_and_locator_trainers_write_what_the_schema_reads(tmp_path: Path, monkeypatch) -> None:
    from test_stage2 import train_stage2_one_step

    import train_locator
    from utils.locate import load_ranker
    from utils.stage2.seq2seq import load_explainer

    stage2_dir = tmp_path / "stage2"
    train_stage2_one_step(tmp_path, stage2_dir, monkeypatch)
    metadata = load_explainer(stage2_dir, device="cpu")[2]
    assert isinstance(metadata, Stage2Metadata) and metadata.input_options.retrieval is True
    assert json.loads((stage2_dir / METADATA_FILE).read_text(encoding="utf-8")) == metadata.to_dict()
    assert "stage2" in (stage2_dir / "README.md").read_text(encoding="utf-8")  # the one card writer's card

    names = [f"com.acme.p.Service.step{index}" for index in range(3)]
    log = "java.lang.IllegalStateException: case\n" + "".join(
        f"\tat {name}(Service.java:{10 + index})\n" for index, name in enumerate(names))
    corpus = [{"id": f"c{n}", "log": log, "label": "IllegalStateException",
               "meta": {"fault": {"class": "com.acme.p.Service", "method": "step1", "file": "S.java", "line": 11}}}
              for n in range(4)]
    locator_dir = tmp_path / "locate"
    train_locator.main(["--corpus_file", str(_write_rows(tmp_path / "corpus.jsonl", corpus)), "--l2", "1.0",
                        "--output_dir", str(locator_dir)])
    metadata = read_metadata(locator_dir)
    assert isinstance(metadata, LocatorMetadata) and metadata.kind == "learned" and metadata.l2 == 1.0
    assert load_ranker(locator_dir).metadata == metadata.to_dict()
