"""The files a `predict.py` run writes, each named once: the records (`--output`), their run report beside them,
the groups (`--groups`) and the report for people (`--report`). Both engines (local, Ray) check them with
`utils.atomic.check_output_paths` before they read anything, and say which ones they replaced."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

RUN_REPORT_SUFFIX = ".report.json"


def run_report_path(output: str) -> str:
    """The run report beside `--output`: inputs, counts, skips with reasons, models, redaction hits."""
    return f"{output}{RUN_REPORT_SUFFIX}"


def output_paths(args: Any) -> dict[str, str | None]:
    """Every file a run writes, by the option that names it (None: not asked for)."""
    return {"--output": args.output, "--output's run report": run_report_path(args.output) if args.output else None,
            "--groups": args.groups, "--report": args.report}


def replacing(path: str | None, replaced: Sequence[str]) -> str:
    """What a "wrote ..." line adds when the run replaced a file that was there."""
    return " (it replaced the file that was there)" if path in replaced else ""


def replacing_records(output: str, replaced: Sequence[str]) -> str:
    """What the records' "wrote ..." line adds when the run replaced the records or their run report (either
    alone may have been there)."""
    which = [path for path in (output, run_report_path(output)) if path in replaced]
    return f" (it replaced what was there: {', '.join(which)})" if which else ""
