"""NullPointerException: dereferenced nulls in application code and the JDK methods that reject null.

JDK 14+ prints helpful messages (`Cannot invoke "String.length()" because "<local1>" is null`); JDK 7-11 print no
message. Explicit `throw new NullPointerException()` / `Objects.requireNonNull(x)` never get a helpful message.
The templates are declared in utils/corpus/templates/nulls.yaml, through the helper here.
"""

from __future__ import annotations

from utils.corpus.builder import Ctx
from utils.corpus.declared import helper


@helper("line_above")
def line_above(c: Ctx, line: int) -> int:
    """The line of a call a few lines above `line` in the same method (line 40 when `line` is 30 or less)."""
    return line - c.randint(1, 6) if line and line > 30 else 40
