"""scripts/cross_project.py's table: every subset with the model, the model + JVM evidence, the rules alone and
the majority class of the same rows beside each other."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from cross_project import SUBSETS, arm_commands, fold_table, table  # noqa: E402


def test_the_table_puts_every_scorer_of_a_subset_on_one_row() -> None:
    def metrics(top1: float) -> dict:
        return {subset: {"rows": 81, "top1": top1, "top3": 0.7, "macro_f1": 0.6} for subset in SUBSETS}

    majority = {subset: {"rows": 81, "top1": 0.2, "label": "NullPointerException"} for subset in SUBSETS}
    report = {"model_metrics": metrics(0.5), "model_with_jvm_evidence": metrics(0.6),
              "jvm_evidence_or_majority": metrics(0.4), "majority_baseline": majority}
    lines = table({"real": report}).splitlines()
    assert len(lines) == 2 + len(SUBSETS)
    assert lines[2] == ("| real | non_assertion | 81 | 0.500 | 0.600 | n/a | 0.700 | 0.600 | 0.400 | "
                        "NullPointerException | 0.200 | 3.00x |")
    for subset in SUBSETS:  # evaluate.py's reports since 2026-12-06 carry the answer's interval
        report["model_with_jvm_evidence"][subset]["top1_ci95"] = [0.49, 0.7]
    assert "| 0.600 | 0.490-0.700 | 0.700 |" in table({"real": report}).splitlines()[2]


def test_a_fold_arm_leaves_its_project_out_of_training_and_is_scored_on_it_alone(tmp_path: Path) -> None:
    protocol = {"dev_set": "dev.jsonl", "source_field": "project", "train_projects": ["camel", "maven"],
                "test_projects": ["flink", "wicket"]}
    args = argparse.Namespace(work_dir=str(tmp_path), seed=42, generator_config=None, synthetic_per_real=6.0,
                              synthetic_templates="all", real_repeat=1, train_config="configs/stage1_quick.yaml",
                              real_validation_fraction=0.15)
    (build, train, evaluate), model, report = arm_commands("fold-camel", protocol, args)
    excluded = build[build.index("--exclude_sources") + 1: build.index("--synthetic_per_real")]
    assert excluded == ["flink", "wicket", "camel"] and "--real_logs" in build
    assert build[build.index("--synthetic_templates") + 1] == "all"
    assert evaluate[evaluate.index("--projects") + 1: evaluate.index("--project_field")] == ["camel"]
    assert (model, report) == (tmp_path / "model_fold-camel", tmp_path / "report_fold-camel")
    (real_build, *_), _, _ = arm_commands("real", protocol, args)
    assert real_build[real_build.index("--exclude_sources") + 1: real_build.index("--synthetic_per_real")] == [
        "flink", "wicket"]
    args.real_validation_fraction = 0.0  # every training project's rows train
    (real_build, *_), _, _ = arm_commands("real", protocol, args)
    assert real_build[real_build.index("--real_validation_fraction") + 1] == "0.0"


def test_the_fold_table_sums_each_held_out_project_s_signatures() -> None:
    def report(rows: int, model: float, answered: float, rules: float, majority: float) -> dict:
        def subsets(top1: float) -> dict:
            return {subset: {"rows": rows, "top1": top1} for subset in SUBSETS}
        return {"model_metrics": subsets(model), "model_with_jvm_evidence": subsets(answered),
                "jvm_evidence_or_majority": subsets(rules), "majority_baseline": subsets(majority)}

    lines = fold_table({"fold-camel": report(20, 0.55, 0.6, 0.9, 0.35),
                        "fold-maven": report(5, 0.2, 0.4, 0.6, 0.4)}).splitlines()
    assert lines[2] == "| camel | 20 | 11 | 12 | 18 | 7 |"
    assert lines[3] == "| maven | 5 | 1 | 2 | 3 | 2 |"
    assert lines[4] == "| **all** | 25 | 12 (0.480) | 14 (0.560) | 21 (0.840) | 9 (0.360) |"


def test_a_corpus_of_another_synthetic_mix_is_refused_not_reused(tmp_path: Path) -> None:
    protocol = {"dev_set": "dev.jsonl", "source_field": "project", "train_projects": ["camel", "maven"],
                "test_projects": ["flink", "wicket"]}
    args = argparse.Namespace(work_dir=str(tmp_path), seed=42, generator_config=None, synthetic_per_real=6.0,
                              synthetic_templates="all", real_repeat=1, train_config="configs/stage1_quick.yaml",
                              real_validation_fraction=0.15)
    corpus = tmp_path / "corpus_real"
    corpus.mkdir()
    (corpus / "train.jsonl").write_text("{}\n", encoding="utf-8")
    report = corpus / "real_logs_report.json"
    report.write_text(json.dumps({"synthetic_per_real": 6.0}), encoding="utf-8")  # before the option: held out
    with pytest.raises(SystemExit, match="built with --synthetic_templates held_out"):
        arm_commands("real", protocol, args)
    report.write_text(json.dumps({"synthetic_per_real": 6.0, "synthetic_templates": "all"}), encoding="utf-8")
    commands, _, _ = arm_commands("real", protocol, args)
    assert not any("build_corpus.py" in command for command in commands)  # the same mix: reused
    args.real_validation_fraction = 0.0  # a corpus reported without the fraction was built with the default
    with pytest.raises(SystemExit, match="--real_validation_fraction 0.15, not all / 6 / 1 / 0"):
        arm_commands("real", protocol, args)
    args.real_validation_fraction, args.real_repeat = 0.15, 3
    with pytest.raises(SystemExit, match="--real_repeat 1 --real_validation_fraction 0.15, not all / 6 / 3 / 0.15"):
        arm_commands("real", protocol, args)
