"""scripts/cross_project.py's table: every subset with the model, the model + JVM evidence, the rules alone and
the majority class of the same rows beside each other."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from cross_project import SUBSETS, table  # noqa: E402


def test_the_table_puts_every_scorer_of_a_subset_on_one_row() -> None:
    def metrics(top1: float) -> dict:
        return {subset: {"rows": 81, "top1": top1, "top3": 0.7, "macro_f1": 0.6} for subset in SUBSETS}

    majority = {subset: {"rows": 81, "top1": 0.2, "label": "NullPointerException"} for subset in SUBSETS}
    report = {"model_metrics": metrics(0.5), "model_with_jvm_evidence": metrics(0.6),
              "jvm_evidence_or_majority": metrics(0.4), "majority_baseline": majority}
    lines = table({"real": report}).splitlines()
    assert len(lines) == 2 + len(SUBSETS)
    assert lines[2] == ("| real | non_assertion | 81 | 0.500 | 0.600 | 0.700 | 0.600 | 0.400 | NullPointerException "
                        "| 0.200 | 3.00x |")
