"""Collections and casts: IndexOutOfBoundsException (lists, arrays, strings, buffers), ConcurrentModification-
Exception, NoSuchElementException and ClassCastException, with the JDK frames that throw them per JDK version.

The templates are declared in utils/corpus/templates/collections.yaml, through the helpers here."""

from __future__ import annotations

from utils.corpus.builder import Ctx
from utils.corpus.declared import helper


@helper("index_and_length")
def index_and_length(c: Ctx) -> tuple[int, int]:
    """An index a loop reads past the end (or before the start) of a sequence of `length` elements."""
    length = c.pick((0, 0, 1, 2, 3, 5, 10))
    return (c.pick((length, length, length + 1, -1)) if length else c.pick((0, 0, 1))), length


@helper("cast_message")
def cast_message(c: Ctx, source: str, target: str) -> str:
    """The JVM's message; from JDK 9 on it says where each class was loaded (java.* by the boot loader)."""
    if c.jdk.version <= 8:
        return c.message("collections.cast.jdk8", source=source, target=target)
    source_where, target_where = (
        c.message("collections.cast.boot" if name.startswith("java.") else "collections.cast.app")
        for name in (source, target)
    )
    key = "collections.cast.same" if source_where == target_where else "collections.cast.different"
    return c.message(key, source=source, target=target, source_where=source_where, target_where=target_where)
