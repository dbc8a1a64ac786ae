"""Every shipped file in configs/ is read by the code that uses it, so a renamed option or a broken table fails here
and not in a user's first run. A new config file must be added to READERS."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

CONFIGS = Path(__file__).resolve().parents[1] / "configs"


def _stage1(path: Path) -> None:
    from transformers import HfArgumentParser, TrainingArguments

    import train_stage1
    from utils.args import parse_args_with_config

    parser = HfArgumentParser((train_stage1.ModelArguments, train_stage1.DataArguments, train_stage1.LossArguments,
                               TrainingArguments))
    model_args, data_args, *_ = parse_args_with_config(parser, [str(path)], train_stage1.training_defaults())
    assert data_args.train_file and model_args.pooling in ("mean", "cls")


def _stage2(path: Path) -> None:
    from transformers import HfArgumentParser, Seq2SeqTrainingArguments

    import train_stage2
    from utils.args import parse_args_with_config

    parser = HfArgumentParser((train_stage2.ModelArguments, train_stage2.DataArguments, Seq2SeqTrainingArguments))
    model_args, _, _ = parse_args_with_config(parser, [str(path)])
    assert model_args.model_name_or_path


def _locate(path: Path) -> None:
    from transformers import HfArgumentParser

    import train_locator
    from utils.args import parse_args_with_config

    parse_args_with_config(HfArgumentParser(train_locator.LocatorArguments), [str(path)])


def _corpus(path: Path) -> None:
    from utils.corpus.generate import GeneratorConfig

    assert GeneratorConfig.from_yaml(path).class_weights


def _labels(path: Path) -> None:
    from utils.labels import load_label_set

    assert len(load_label_set(path)) > 40


def _library(path: Path) -> None:
    from utils.parsing.stacktrace import load_library_rules

    load_library_rules(path)


def _runners(path: Path) -> None:
    from utils.locate import load_runner_rules

    load_runner_rules(path)


def _redact(path: Path) -> None:
    from utils.redact import _load_config

    _load_config(str(path))


def _explanations(path: Path) -> None:
    from utils.stage2.explanations import load_type_explanations

    load_type_explanations(str(path))


def _report_text(path: Path) -> None:
    from utils.report.text import load_tables

    assert load_tables(path)


def _fingerprint_rules(path: Path) -> None:
    from utils.pipeline.grouping import load_fingerprint_rules

    assert load_fingerprint_rules(path) == []


def _production_log(path: Path) -> None:
    from utils.corpus.production_log import ProductionLogConfig

    assert ProductionLogConfig.from_yaml(path).messages


def _cross_project(path: Path) -> None:
    protocol = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert not set(protocol["train_projects"]) & set(protocol["test_projects"])
    assert {"dev_set", "source_field"} <= set(protocol)


def _accelerate(path: Path) -> None:
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert {"compute_environment", "distributed_type", "mixed_precision"} <= set(config)


def _t5(path: Path) -> None:
    from transformers import T5Config

    assert T5Config.from_json_file(str(path)).d_model > 0


def _throw_sites(path: Path) -> None:
    from utils.jvm_evidence import load_throw_sites

    assert load_throw_sites(path)["java.util.Objects.requireNonNull"] == "java.lang.NullPointerException"


def _jdk_messages(path: Path) -> None:
    from utils.jvm_evidence import load_jdk_messages

    assert any(pattern.search("/ by zero") for pattern, _ in load_jdk_messages(path))


def _thrower_signs(path: Path) -> None:
    from utils.jvm_evidence import load_thrower_signs
    from utils.labels import load_label_set

    signs = load_thrower_signs(path)
    assert signs["StackOverflowError"].message_empty and set(signs) <= set(load_label_set().names)


def _name_placeholders(path: Path) -> None:
    from utils.parsing.stacktrace import load_name_placeholders

    placeholders = load_name_placeholders(path)
    assert placeholders.pattern.match("<MASKED>: closed") and placeholders.anywhere.search("wrapped <EXCEPTION>")
    assert not placeholders.anywhere.search("password=[MASKED]")  # hides values: read only where a name stands


READERS: dict[str, Callable[[Path], None]] = {
    "stage1_quick.yaml": _stage1, "stage1_frozen.yaml": _stage1, "stage1_minilm.yaml": _stage1,
    "stage2_quick.yaml": _stage2, "stage2_t5.yaml": _stage2, "stage2_lora.yaml": _stage2,
    "locate.yaml": _locate, "corpus.yaml": _corpus, "corpus_wide.yaml": _corpus, "labels.yaml": _labels,
    "library_packages.yaml": _library, "test_runners.yaml": _runners, "redact.yaml": _redact,
    "explanations.yaml": _explanations, "report_text.yaml": _report_text, "fingerprint_rules.yaml": _fingerprint_rules,
    "cross_project.yaml": _cross_project, "accelerate_cpu.yaml": _accelerate, "accelerate_a100.yaml": _accelerate,
    "accelerate_mps.yaml": _accelerate, "t5_tiny.json": _t5, "t5_small_offline.json": _t5,
    "production_log.yaml": _production_log, "throw_sites.yaml": _throw_sites,
    "jdk_messages.yaml": _jdk_messages, "thrower_signs.yaml": _thrower_signs,
    "name_placeholders.yaml": _name_placeholders,
}


def test_every_config_file_has_a_reader() -> None:
    assert sorted(path.name for path in CONFIGS.iterdir() if path.is_file()) == sorted(READERS)


@pytest.mark.parametrize("name", sorted(READERS))
def test_config_is_read_by_its_code(name: str) -> None:
    READERS[name](CONFIGS / name)


@pytest.mark.parametrize("text", ["runs: '*'\n", "runs: ['**']\n", "bracketed: [mask]\n"])
def test_a_malformed_placeholder_table_is_a_clear_error(tmp_path: Path, text: str) -> None:
    from utils.parsing.stacktrace import load_name_placeholders

    bad = tmp_path / "name_placeholders.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="name_placeholders.yaml"):
        load_name_placeholders(bad)


@pytest.mark.parametrize(("argv", "said"), [
    (["--bogus", "1"], "unrecognized arguments: --bogus 1 (see --help)"),
    (["--sead=3"], "unrecognized arguments: --sead=3; did you mean --seed? (see --help)"),
])
def test_an_unknown_option_is_a_one_line_error(argv: list[str], said: str, capsys: pytest.CaptureFixture) -> None:
    # Before: transformers' ValueError ("Some specified arguments are not used by the HfArgumentParser"), a traceback.
    from transformers import HfArgumentParser

    import build_corpus
    from utils.args import parse_args_with_config

    with pytest.raises(SystemExit) as stopped:
        parse_args_with_config(HfArgumentParser(build_corpus.CorpusArguments), argv)
    assert stopped.value.code == 2
    assert capsys.readouterr().err.strip().splitlines() == [f"{Path(sys.argv[0]).name}: error: {said}"]


@pytest.mark.parametrize("text", ["labels: [\n", "- a list\n", "\xff\xfe"])
def test_a_named_yaml_file_that_is_not_one_is_one_error_naming_it(tmp_path: Path, text: str) -> None:
    # Before: yaml's multi-line error, a TypeError or an AttributeError, each a traceback from the entry point.
    from utils.corpus.generate import GeneratorConfig
    from utils.corpus.production_log import ProductionLogConfig
    from utils.labels import LabelSet
    from utils.yaml_files import ConfigFileError

    path = tmp_path / "named.yaml"
    path.write_bytes(text.encode("latin-1"))
    for reader in (LabelSet.from_yaml, GeneratorConfig.from_yaml, ProductionLogConfig.from_yaml):
        with pytest.raises(ConfigFileError, match=f"^{path}: not ") as error:
            reader(path)
        assert "\n" not in str(error.value)


def test_evaluate_names_a_bad_labels_file_in_one_line(tmp_path: Path) -> None:
    import evaluate

    rows, labels = tmp_path / "rows.jsonl", tmp_path / "labels.yaml"
    rows.write_text('{"log": "java.lang.IllegalStateException: x", "group": "a"}\n', encoding="utf-8")
    labels.write_text("labels: [\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=f"^evaluate.py: error: {labels}: not valid YAML"):
        evaluate.main(["--task", "group", "--input", str(rows), "--labels_file", str(labels)])


def test_train_locator_refuses_a_negative_l2_and_a_file_as_output(tmp_path: Path) -> None:
    # Before: --l2 -5 saved a ranker with weights near 1e158; a file as --output_dir failed with a traceback.
    import train_locator

    with pytest.raises(SystemExit, match=r"^--l2 must be 0 or more, got -5.0$"):
        train_locator.main(["configs/locate.yaml", "--l2", "-5"])
    (tmp_path / "afile").write_text("x")
    with pytest.raises(SystemExit, match="afile: is a file, not a directory$"):
        train_locator.main(["configs/locate.yaml", "--output_dir", str(tmp_path / "afile")])


def test_argparse_errors_and_config_typos_are_one_line_with_a_guess(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture) -> None:
    # Before: a wrong type printed the whole usage (over 100 lines for a trainer) first; a misspelt config key had
    # no guess.
    from transformers import HfArgumentParser

    import build_corpus
    from utils.args import parse_args_with_config

    with pytest.raises(SystemExit) as stopped:
        parse_args_with_config(HfArgumentParser(build_corpus.CorpusArguments), ["--size", "many"])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"{Path(sys.argv[0]).name}: error: argument --size: invalid int value: 'many' (see --help)"]
    config = tmp_path / "corpus.yaml"
    config.write_text("sise: 10\nzzz: 1\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"corpus.yaml: unknown option\(s\) sise \(did you mean size\?\), zzz$"):
        parse_args_with_config(HfArgumentParser(build_corpus.CorpusArguments), [str(config)])
