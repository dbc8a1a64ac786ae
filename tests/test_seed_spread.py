"""scripts/seed_spread.py: one recipe's retrainings side by side, their mean, and a refusal to average reports of
other rows."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from seed_spread import SUBSETS, main  # noqa: E402


def _report(path: Path, right: int, alone: int, projects: tuple[str, ...] = ("flink", "wicket")) -> Path:
    def subsets(count: int) -> dict:
        return {subset: {"rows": 80, "top1": count / 80, "correct": count} for subset, _ in SUBSETS}

    majority = {subset: {"rows": 80, "top1": 0.2, "label": "NullPointerException"} for subset, _ in SUBSETS}
    path.mkdir(parents=True)
    (path / "report.json").write_text(json.dumps({
        "task": "classify", "input_sha256": "abc", "projects": list(projects), "label_field": "root_exception",
        "masked_exception_names": True, "rows": 800, "model_metrics": subsets(alone),
        "model_with_jvm_evidence": subsets(right), "majority_baseline": majority}), encoding="utf-8")
    return path


def test_the_mean_of_three_retrainings_and_their_spread(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    paths = [_report(tmp_path / name, right, alone) for name, right, alone in
             (("s42", 48, 40), ("s43", 40, 36), ("s44", 45, 38))]
    text = main([str(path) for path in paths])
    lines = text.splitlines()
    assert lines[2].endswith("| 0.600 (48) | 0.600 | 0.600 | 0.600 | 0.500 (40) |")
    assert lines[5] == "| mean of 3 | **0.554** (44.3) | 0.554 | 0.554 | 0.554 | 0.475 |"
    assert lines[6].startswith("| majority class, the same rows | 0.200 (NullPointerException) |")
    assert "40-48 of 80 across the reports (a spread of 8); the mean is 2.77x the majority class" in text
    assert text in capsys.readouterr().out


def test_reports_of_other_rows_are_not_averaged(tmp_path: Path) -> None:
    first = _report(tmp_path / "a", 48, 40)
    other = _report(tmp_path / "b", 30, 30, projects=("camel",))
    with pytest.raises(SystemExit, match=r"scored other rows than .* \(projects"):
        main([str(first), str(other)])
    with pytest.raises(SystemExit, match="two reports or more"):
        main([str(first)])
    with pytest.raises(SystemExit, match="no report.json"):
        main([str(first), str(tmp_path / "missing")])
