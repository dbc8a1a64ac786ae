"""IllegalArgumentException, IllegalStateException, UnsupportedOperationException and plain RuntimeException:
the JDK/library methods that reject arguments or states, and application code that throws them itself.

The templates are declared in utils/corpus/templates/arguments.yaml, through the helper here and the Spring start-up
stacks of families/stacks.py."""

from __future__ import annotations

from utils.corpus.builder import Ctx
from utils.corpus.declared import helper


@helper("halves")
def halves(c: Ctx, low: int, high: int) -> float:
    """A number drawn in steps of 0.5 (`low` / 2 to `high` / 2), as a probability out of range prints."""
    return c.randint(low, high) / 2
