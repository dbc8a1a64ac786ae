"""The stage-2 target format: one line of `key=value` fields separated by "; ".

    type=NullPointerException; cause=...; location=UserService.java:45 (com.bank.user.UserService.getUser); fix=...

The corpus writes it, stage 2 learns to generate it, predict/evaluate parse it back.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from utils.parsing.stacktrace import Frame

GUIDANCE_FIELDS = ("type", "cause", "location", "fix")
_FIELD_START = re.compile(r"(?:^|;\s+)(" + "|".join(GUIDANCE_FIELDS) + r")=")


def format_guidance(type_: str, cause: str, location: str, fix: str) -> str:
    """One guidance line; newlines inside values are flattened so the format stays one line."""
    values = {"type": type_, "cause": cause, "location": location, "fix": fix}
    return "; ".join(f"{key}={' '.join(str(values[key]).split())}" for key in GUIDANCE_FIELDS)


def parse_guidance(text: str) -> dict[str, str]:
    """Fields found in a guidance line (missing ones absent); tolerant of generated, imperfect text."""
    matches = list(_FIELD_START.finditer(text or ""))
    fields: dict[str, str] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        fields.setdefault(match.group(1), text[match.end() : end].strip())
    return fields


def format_location(file: str | None, line: int | None, qualified_method: str | None) -> str:
    """"UserService.java:45 (com.bank.user.UserService.getUser)"; parts that are unknown are left out."""
    where = f"{file}:{line}" if file and line is not None else (file or "unknown")
    return f"{where} ({qualified_method})" if qualified_method else where


def frame_location(frame: Frame | None) -> str:
    """The location of a frame as the user is shown it and the guidance carries it; "unknown" without one."""
    return format_location(frame.file, frame.line, frame.qualified_method) if frame else "unknown"
