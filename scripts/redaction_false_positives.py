"""What the redactor (utils/redact.py) hits in a JSONL of logs: per kind, hits, rows hit and a few examples.

    python scripts/redaction_false_positives.py                                   # the real dev set
    python scripts/redaction_false_positives.py --input logs.jsonl --field text --ip-addresses

On real Apache test logs (the default) nearly every hit is a false positive: the figures show what redaction
would damage in ordinary Java logs. The report keeps only ~60 characters around each example, never a whole row.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from utils.redact import Hit, RedactOptions, Redactor  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DEFAULT_INPUT = REPO.parent / "shared" / "data" / "bugsjar_dev.jsonl"


def example(text: str, hit: Hit, width: int = 60) -> str:
    """The hit in [brackets] with about `width` characters around it, on one line."""
    side = max(0, (width - (hit.end - hit.start)) // 2)
    before = text[max(0, hit.start - side): hit.start]
    after = text[hit.end: hit.end + side]
    return f"{before}[{text[hit.start: hit.end]}]{after}".replace("\n", "\\n").replace("\t", "\\t")


def scan(path: Path, field: str, options: RedactOptions, max_examples: int) -> dict:
    redactor = Redactor(options)
    hits, rows_hit, rules = Counter(), Counter(), defaultdict(Counter)
    examples: dict[str, list[str]] = defaultdict(list)
    rows = rows_with_hit = 0
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            text = json.loads(line).get(field) or ""
            rows += 1
            found = redactor.find(text)
            for hit in found:
                hits[hit.kind] += 1
                rules[hit.kind][hit.rule] += 1
                if len(examples[hit.kind]) < max_examples:
                    examples[hit.kind].append(example(text, hit))
            rows_with_hit += bool(found)
            for kind in {hit.kind for hit in found}:
                rows_hit[kind] += 1
    kinds = sorted(set(redactor.config.placeholders) | set(hits))
    return {
        "input": str(path), "field": field, "rows": rows, "ip_addresses": options.ip_addresses,
        "rows_with_any_hit": rows_with_hit,
        "kinds": {
            kind: {"hits": hits[kind], "rows_hit": rows_hit[kind], "rules": dict(rules[kind]),
                   "examples": examples[kind]}
            for kind in kinds
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", type=Path, default=DEFAULT_INPUT, help="JSONL of logs (read only)")
    parser.add_argument("--field", default="log", help="the row field holding the log text")
    parser.add_argument("--output", type=Path, default=REPO / "reports" / "redaction_fp.json")
    parser.add_argument("--examples", type=int, default=5, help="examples kept per kind")
    parser.add_argument("--ip-addresses", action="store_true", help="also redact IP addresses (off by default)")
    args = parser.parse_args(argv)

    report = scan(args.input, args.field, RedactOptions(ip_addresses=args.ip_addresses), args.examples)
    print(f"{report['rows']} rows of {report['input']}, {report['rows_with_any_hit']} with a hit")
    print("| kind | hits | rows hit | rules |\n|---|---:|---:|---|")
    for kind, entry in report["kinds"].items():
        rules = ", ".join(f"{name} {count}" for name, count in entry["rules"].items())
        print(f"| {kind} | {entry['hits']} | {entry['rows_hit']} | {rules} |")
    for kind, entry in report["kinds"].items():
        for text in entry["examples"]:
            print(f"  {kind}: {text}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"saved {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
