"""Cross-entropy vs. focal loss on the same split: train stage 1 twice, print one markdown table.

    python scripts/compare_losses.py                                   # configs/stage1_frozen.yaml, both losses
    python scripts/compare_losses.py --output-dir /tmp/losses -- --max_train_samples 2000
    python scripts/compare_losses.py --output-dir /tmp/losses --report-only          # table of finished runs

Everything after `--` goes to train_stage1.py unchanged (both runs get it). Each run is a normal model dir under
<output-dir>/<loss>; the table reads their analyzer_metadata.json: validation top-1, macro-F1, the mean top score
against accuracy, ECE before/after the fitted temperature, and any degenerate-prediction warning.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: `utils` is beside scripts/
    sys.path.insert(0, str(REPO))

from utils.models.metadata import Stage1Metadata, read_metadata  # noqa: E402

LOSSES = ("ce", "focal")


def train(loss: str, config: str, output_dir: Path, extra: list[str]) -> Stage1Metadata:
    command = [sys.executable, str(REPO / "train_stage1.py"), config, "--loss", loss, "--output_dir", str(output_dir),
               "--overwrite_output_dir", *extra]
    print("$", " ".join(command), file=sys.stderr, flush=True)
    subprocess.run(command, cwd=REPO, check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    return read_metadata(output_dir)


def confidence(metadata: Stage1Metadata) -> str:
    """The confidence warning of the raw scores, if any (under-/over-confident), else "ok"."""
    for warning in metadata.prediction_warnings:
        for kind in ("under-confident", "over-confident"):
            if warning.startswith("raw scores") and kind in warning:
                return kind
    return "ok"


def table(results: dict[str, Stage1Metadata]) -> str:
    lines = [
        "| loss | rows | top-1 | macro-F1 | mean top score | ECE before | ECE after | temperature | raw scores |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for loss, metadata in results.items():
        metrics, calibration = metadata.metrics, metadata.calibration
        lines.append(
            f"| {loss} | {metrics['eval_samples']} | {metrics['eval_top1']:.4f} | {metrics['eval_macro_f1']:.4f} | "
            f"{metrics['eval_mean_top_score']:.4f} | {calibration['ece_before']:.4f} | {calibration['ece_after']:.4f} "
            f"| {calibration['temperature']:.3f} | {confidence(metadata)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    # 1. Build: arguments.
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default="configs/stage1_frozen.yaml", help="train_stage1.py config file")
    parser.add_argument("--output-dir", default="models/loss_comparison", help="one model dir per loss under here")
    parser.add_argument("--report-only", action="store_true", help="no training: tabulate the model dirs already there")
    parser.add_argument("extra", nargs="*", help="after --: options passed to train_stage1.py")
    args = parser.parse_args(argv)
    # 2.-5. Train one model per loss (train_stage1.py does data, trainer, training, calibration), or read them.
    if args.report_only:
        results = {loss: read_metadata(Path(args.output_dir) / loss) for loss in LOSSES}
    else:
        results = {loss: train(loss, args.config, Path(args.output_dir) / loss, args.extra) for loss in LOSSES}
    # 6. Save the comparison.
    report = table(results)
    for loss, metadata in results.items():
        report += "".join(f"\n- {loss}: {warning}" for warning in metadata.prediction_warnings)
    print(report)
    (Path(args.output_dir) / "comparison.md").write_text(report + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
