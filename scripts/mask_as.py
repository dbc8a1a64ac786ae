"""A copy of a JSONL of logs with every exception name hidden the way another tool hides it: what the analyzer must
read as it reads its own mask (`[EXC]`, `evaluate.py --mask_exception_names`).

    python scripts/mask_as.py ../shared/data/bugsjar_dev.jsonl runs/masked/angle.jsonl --placeholder '<MASKED>'
    python scripts/mask_as.py ../shared/data/bugsjar_dev.jsonl runs/masked/gone.jsonl --remove
    python evaluate.py --model M --input runs/masked/angle.jsonl --label_field root_exception --projects camel

Names are found as `utils.inputs.mask_exception_names` finds them (messages, frames of classes named like a
throwable, `Exception in thread`), then written as `--placeholder` (`<MASKED>`, `***`, `[REDACTED]`), or, with
`--remove`, left out with the ": " after them where an exception line or a `Caused by:` names its class (the message
line alone, `Caused by: message`; messages and frames keep their words). Score the copy with
`evaluate.py` *without* `--mask_exception_names`: its logs are masked already. Every other field is kept, so the
gold labels and projects are the original's. The output is never overwritten; a malformed line stops the run with
its file and line.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: `utils` is beside scripts/
    sys.path.insert(0, str(ROOT))

from utils.atomic import write_jsonl_atomic  # noqa: E402  (after the path is set)
from utils.inputs import MASK_TOKEN, mask_exception_names  # noqa: E402
from utils.stage1.data import JsonlError, read_jsonl  # noqa: E402

# `--remove`: where an exception line or a `Caused by:` names its class (what comes before the name, the name)
_LEAD = r'[ \t]*(?:(?:Caused by|Suppressed|Wrapped by):[ \t]*)?(?:{} in thread "[^"]*"[ \t]+)?'
_MASKED_AT_NAME = re.compile(rf"{_LEAD.format(re.escape(MASK_TOKEN))}{re.escape(MASK_TOKEN)}(?::|$)")
_NAME_AT_NAME = re.compile(rf"(?P<lead>{_LEAD.format('Exception')})[\w$.]+(?::[ \t]?|$)")


def hidden_as(log: str, placeholder: str | None) -> str:
    """`log` with its exception names hidden: as `placeholder` wherever `mask_exception_names` hides one, or removed
    (None) where an exception line or a `Caused by:` names its class, with the ": " after it; the rest of such a
    log (messages, frames) keeps its words, as a tool that only drops the name leaves them."""
    masked = mask_exception_names(log)
    if placeholder is not None:
        return masked.replace(MASK_TOKEN, placeholder)
    lines = []
    for original, hidden in zip(log.split("\n"), masked.split("\n"), strict=True):  # masking keeps the lines
        named = _NAME_AT_NAME.match(original) if _MASKED_AT_NAME.match(hidden) else None
        lines.append(original if named is None else named.group("lead") + original[named.end() :])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", type=Path, help="JSONL with a `log` field per row")
    parser.add_argument("output", type=Path, help="the masked copy (must not exist)")
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--placeholder", help="what stands where a name was (`<MASKED>`, `***`)")
    how.add_argument("--remove", action="store_true", help="leave the name out, with the ': ' after it")
    parser.add_argument("--log_field", default="log", help="the JSON field holding the log (default: log)")
    args = parser.parse_args(argv)
    if args.output.exists():
        raise SystemExit(f"{args.output}: exists; give a new path (nothing is overwritten)")
    if args.placeholder is not None and not args.placeholder.strip():
        raise SystemExit("--placeholder is empty; use --remove to leave names out")
    try:
        rows = read_jsonl(args.input, required_fields=(args.log_field,))
    except JsonlError as error:
        raise SystemExit(str(error)) from None
    for row, number in zip(rows, rows.line_numbers, strict=True):
        if not isinstance(row[args.log_field], str):
            raise SystemExit(f"{args.input}:{number}: field {args.log_field!r} is not a string")
        row[args.log_field] = hidden_as(row[args.log_field], None if args.remove else args.placeholder)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    write_jsonl_atomic(args.output, rows)  # whole or not at all
    print(f"{args.output}: {len(rows)} rows, names hidden as "
          f"{'nothing (removed)' if args.remove else repr(args.placeholder)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
