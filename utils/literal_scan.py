"""Many literal strings found in one pass over a text's bytes, with Hyperscan where the optional `hyperscan` package
is installed (requirements.txt installs it on x86-64 Linux). Callers keep a `str` path for where it is not: the
parser's candidate scan (utils/parsing/log_sources.py) and redaction's prefilter (utils/redact.py).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

_SCRATCH = threading.local()  # a scan's working memory, per thread and database (a shared one fails concurrent scans)


def literal_database(literals: Sequence[bytes], single_match: bool = False) -> Any:
    """A Hyperscan database of `literals` (a match's id is the literal's index), or None where the package is not
    installed or cannot compile here (a CPU it does not support). `single_match`: each literal is reported once per
    scan (whether it is there, not where)."""
    try:
        import hyperscan
    except ImportError:
        return None
    database = hyperscan.Database()
    try:
        database.compile(expressions=[re.escape(literal) for literal in literals], ids=list(range(len(literals))),
                         elements=len(literals),
                         flags=[hyperscan.HS_FLAG_SINGLEMATCH if single_match else 0] * len(literals))
    except hyperscan.error:
        return None
    return database


def scan(database: Any, data: bytes, on_match: Callable[[int, int, int, int, Any], bool | None]) -> bool:
    """Calls `on_match(id, start, end, flags, context)` at every match in `data`, in order of their ends; False when
    `on_match` stopped the scan by returning True."""
    import hyperscan

    scratches = getattr(_SCRATCH, "by_database", None)
    if scratches is None:
        scratches = _SCRATCH.by_database = {}
    # the database is kept beside its scratch: a freed one's id may be another's, whose scans its scratch would fail
    held = scratches.get(id(database))
    if held is None or held[0] is not database:
        held = scratches[id(database)] = (database, hyperscan.Scratch(database))
    scratch = held[1]
    try:
        database.scan(data, match_event_handler=on_match, scratch=scratch)
    except hyperscan.ScanTerminated:
        return False
    return True
