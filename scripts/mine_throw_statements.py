"""Mine `throw new X(...)` statements from Java source code into the file stage 1's wording memory reads
(`predict.py --wording_statements`) and the throw-site rule of your own code (`predict.py --code_throws`);
utils/corpus/throw_statements.py says what is kept and what is skipped.

    python scripts/mine_throw_statements.py SRC [SRC ...] --output runs/statements.jsonl.gz
    # the shipped data/throw_statements.jsonl.gz (data/THROW_STATEMENTS.md): Debian source packages
    apt-get source --download-only <package> ...     # with a deb-src line in /etc/apt/sources.list.d
    python scripts/mine_throw_statements.py *.orig.tar.* --worded_only --output data/throw_statements.jsonl.gz \
        --overwrite

A SRC is a directory (its .java files and archives, recursively), a .java file, or a .zip / .jar / .tar.* archive.
Prints the statements found per SRC and per label. An existing --output is replaced only with --overwrite.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: `utils` is beside scripts/
    sys.path.insert(0, str(ROOT))

from utils.corpus.throw_statements import mine, write_statements  # noqa: E402  (after the path is set)
from utils.labels import load_label_set  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sources", nargs="+", help="directories, .java files or source archives")
    parser.add_argument("--output", required=True, help="the statements file (.jsonl, or .jsonl.gz)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --output")
    parser.add_argument("--worded_only", action="store_true",
                        help="only throws whose message holds literal words (all the wording memory reads); by "
                             "default every `throw new X(...)`, which the throw-site rule of --code_throws reads")
    args = parser.parse_args(argv)
    output = Path(args.output)
    if output.exists() and not args.overwrite:
        parser.error(f"{output} exists; pass --overwrite to replace it")
    missing = [source for source in args.sources if not Path(source).exists()]
    if missing:
        parser.error(f"{missing[0]}: not found")
    statements = []
    for source in args.sources:
        try:
            found = mine([source], args.worded_only)
        except ValueError as error:
            parser.error(str(error))
        print(f"{len(found):7d}  {source}")
        statements += found
    if not statements:
        parser.error("no throw statement in the sources (test code is skipped)")
    write_statements(output, statements)
    label_set, labels = load_label_set(), Counter()
    for exception, count in Counter(statement.exception for statement in statements).items():
        labels[label_set.to_label(exception)] += count  # per class, not per statement: to_label is not free
    worded = [statement for statement in statements if statement.worded]
    distinct = len({(statement.exception, statement.message) for statement in worded})
    print(f"{len(statements)} statements, {len(worded)} with a worded message ({distinct} distinct exception and "
          f"message) -> {output}")
    print("per label: " + ", ".join(f"{label} {count}" for label, count in labels.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
