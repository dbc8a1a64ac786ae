"""build_corpus.py --production_log: a production-like log written as a stream, with its truth; predict.py --groups
finds one group per distinct failure with the exact count of each."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from utils.corpus.production_log import ProductionLogConfig, parse_size, truth_is_current, write_production_log
from utils.parsing.log_sources import DocumentStream

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def production_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    config = replace(ProductionLogConfig.from_yaml(), distinct_failures=12, info_lines_per_failure=60)
    path = tmp_path_factory.mktemp("production") / "app.log"
    truth = write_production_log(path, 400_000, seed=7, config=config)
    return path, truth


def test_sizes_are_read_and_bad_ones_named() -> None:
    assert parse_size("200MB") == 200_000_000 and parse_size("1GB") == 10**9 and parse_size("2MiB") == 2 * 2**20
    assert parse_size("4096") == 4096
    with pytest.raises(ValueError, match="'lots' is not a size"):
        parse_size("lots")


def test_the_log_is_production_like_and_its_truth_adds_up(production_log: tuple[Path, dict]) -> None:
    path, truth = production_log
    text = path.read_text(encoding="utf-8")
    assert truth["bytes"] == path.stat().st_size >= 400_000
    assert truth["lines"] == text.count("\n")
    assert truth["traces"] == sum(item["count"] for item in truth["failures"]) > 20
    assert truth["distinct_failures"] == len(truth["failures"]) == len({item["group"] for item in truth["failures"]})
    info = sum(1 for line in text.splitlines() if re.match(r"\d{4}-\d\d-\d\d \S+ (INFO|DEBUG|WARN) ", line))
    assert info > 0.5 * truth["lines"]  # INFO lines are most lines
    errors = re.findall(r"^\S+ \S+ ERROR \[([^\]]+)\] \S+ - .*requestId=(\w+)$", text, re.MULTILINE)
    assert len(errors) == truth["traces"]
    assert len({thread for thread, _ in errors}) > 5 and len({rid for _, rid in errors}) == len(errors)
    regions = [document for document in DocumentStream([str(path)]) if not document.no_trace_head]
    assert sum(len(region.text) for region in regions) < 0.6 * len(text)  # the scan skips the INFO stretches
    stamps = re.findall(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) ", text, re.MULTILINE)
    assert stamps == sorted(stamps) and len(set(stamps)) > 0.5 * len(stamps)


def test_repeats_vary_their_values(production_log: tuple[Path, dict]) -> None:
    path, truth = production_log
    frequent = max(truth["failures"], key=lambda item: item["count"])
    text = path.read_text(encoding="utf-8")
    headers = re.findall(rf"^{re.escape(frequent['exception'])}: (.*)$", text, re.MULTILINE)
    assert len(headers) >= frequent["count"]
    if any(re.search(r"\d", header) for header in headers):
        assert len(set(headers)) > 1  # numbers in its message differ between repeats


def test_groups_match_the_truth_one_per_failure_counts_exact(production_log: tuple[Path, dict],
                                                             tmp_path: Path) -> None:
    path, truth = production_log
    groups = tmp_path / "groups.jsonl"
    result = subprocess.run([sys.executable, str(REPO / "predict.py"), "--input", str(path), "--no_model",
                             "--output", str(tmp_path / "out.jsonl"), "--groups", str(groups)],
                            capture_output=True, text=True, cwd=REPO, timeout=600)
    assert result.returncode == 0, result.stderr
    found = {row["group"]: row["count"] for row in map(json.loads, groups.read_text(encoding="utf-8").splitlines())}
    assert found == {item["group"]: item["count"] for item in truth["failures"]}
    assert len(found) == truth["distinct_failures"]


def test_build_corpus_cli_writes_the_log_and_its_truth(tmp_path: Path) -> None:
    output = tmp_path / "small.log"
    config = tmp_path / "production.yaml"
    raw = ProductionLogConfig.from_yaml().__dict__ | {"distinct_failures": 4, "info_lines_per_failure": 5}
    config.write_text(json.dumps(raw), encoding="utf-8")  # JSON is YAML
    result = subprocess.run([sys.executable, str(REPO / "build_corpus.py"), "--production_log", "30KB",
                             "--output", str(output), "--production_config", str(config)],
                            capture_output=True, text=True, cwd=REPO, timeout=600)
    assert result.returncode == 0, result.stderr
    truth = json.loads(Path(f"{output}.truth.json").read_text(encoding="utf-8"))
    assert truth["bytes"] == output.stat().st_size >= 30_000 and truth["distinct_failures"] <= 4
    bad = subprocess.run([sys.executable, str(REPO / "build_corpus.py"), "--production_log", "huge",
                          "--output", str(output)], capture_output=True, text=True, cwd=REPO, timeout=600)
    assert bad.returncode != 0 and "'huge' is not a size" in bad.stderr
    # Before: a second run replaced the log without a word, and a directory as --output failed with a traceback
    # after the whole log was made.
    again = subprocess.run(result.args, capture_output=True, text=True, cwd=REPO, timeout=600)
    assert again.returncode == 0 and f"(it replaced what was there: {output}, {output}.truth.json)" in again.stderr
    folder = subprocess.run([*result.args[:5], str(tmp_path)], capture_output=True, text=True, cwd=REPO, timeout=600)
    assert folder.returncode != 0 and folder.stderr.strip() == f"--output {tmp_path}: is a directory; give a file path"
    with pytest.raises(ValueError, match="'0KB' is no bytes"):
        parse_size("0KB")


def test_a_truth_made_by_another_signature_is_not_current(production_log: tuple[Path, dict]) -> None:
    # The bench reuses a log only when its truth's group ids are today's: a log made before a change of the failure
    # signature would otherwise be scored against ids the grouping no longer gives (groups_exact: false).
    _, truth = production_log
    config = replace(ProductionLogConfig.from_yaml(), distinct_failures=12, info_lines_per_failure=60)
    assert truth_is_current(truth, config)
    stale = {**truth, "failures": [{**truth["failures"][0], "group": "0123456789abcdef"}, *truth["failures"][1:]]}
    assert not truth_is_current(stale, config)
    assert not truth_is_current({"seed": 7}, config) and not truth_is_current({**truth, "seed": 8}, config)
