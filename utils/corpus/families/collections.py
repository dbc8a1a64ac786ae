"""Collections and casts: IndexOutOfBoundsException (lists, arrays, strings, buffers), ConcurrentModification-
Exception, NoSuchElementException and ClassCastException, with the JDK frames that throw them per JDK version.

The regular templates are declared in utils/corpus/templates/collections.yaml; the one here keeps a lambda's
frame, which is not in the trace, in the incident's meta."""

from __future__ import annotations

from utils.corpus.builder import Ctx
from utils.corpus.declared import helper
from utils.corpus.model import Incident, template


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


@template("ConcurrentModificationException", "cme.list_foreach_lambda", min_jdk=8)
def list_foreach_lambda(c: Ctx) -> Incident:
    owner = c.app(c.pick(("service", "support")))
    method = c.verb()
    lam = owner.at(f"lambda${method}${c.randint(0, 3)}", c.code.line())
    caller = owner.at(method, c.code.line())
    return c.fail(
        "java.util.ConcurrentModificationException",
        None,
        [caller],
        c.chain(".throw"),
        cause=c.text(".cause", method=method),
        fix=c.text(".fix"),
        extra={"lambda": lam.qualified_method},
    )
