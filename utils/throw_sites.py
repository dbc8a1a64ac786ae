"""What a trace's throw site says it threw: JDK methods that throw one exception class and no other
(configs/throw_sites.yaml), so a root cause whose name is missing, masked or garbled is still typed when its top
frame is one of them (stdlib and yaml only: the parse-only paths use it)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from utils.parsing.stacktrace import Trace

THROW_SITES_PATH = Path(__file__).resolve().parent.parent / "configs" / "throw_sites.yaml"


@cache
def load_throw_sites(path: str | Path = THROW_SITES_PATH) -> dict[str, str]:
    """`pkg.Class.method` -> the fully qualified class it throws."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    sites = data.get("throw_sites") if isinstance(data, dict) else None
    if set(data) != {"throw_sites"} or not isinstance(sites, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in sites.items()):
        raise ValueError(f"{path}: expected one mapping `throw_sites:` of `pkg.Class.method: pkg.ExceptionClass`")
    return sites


def thrown_at(trace: Trace) -> str | None:
    """The class the root cause's top frame throws, when the root's own name is unreadable (missing, masked) and
    that frame is a listed throw site; else None (a readable name is the parser's to read)."""
    root = trace.root_cause
    if root is None or root.class_name or not root.frames:
        return None
    top = root.frames[0]
    return load_throw_sites().get(f"{top.class_name}.{top.method}")
