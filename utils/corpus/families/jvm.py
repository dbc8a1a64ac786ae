"""The JVM itself: StackOverflowError (recursion; the printed stack is all recursion), OutOfMemoryError (heap,
GC overhead, metaspace, direct memory, native threads), class loading (ClassNotFoundException /
NoClassDefFoundError) and linkage errors between incompatible library versions.

The regular templates are declared in utils/corpus/templates/jvm.yaml, through the helpers here. A recursion's
stack is no call stack from an entry point, so the StackOverflowErrors are data of their own there (the map
`jvm.overflows`, built by `overflow`); only Jackson's, which wraps the error, is written out here."""

from __future__ import annotations

from functools import partial
from typing import Any

from utils.corpus.builder import Ctx
from utils.corpus.declared import draw, drawn, helper
from utils.corpus.families.stacks import detached
from utils.corpus.model import Incident, StackFrame, Thrown, template
from utils.corpus.tables import tables

SOE = "java.lang.StackOverflowError"


@helper("java_name")
def java_name(c: Ctx, name: str, form: str) -> str:
    """A class name as a message or text prints it: `simple` (no package), `internal` (the JVM's slashes) or
    `binary` (dots, from an internal name)."""
    if form == "simple":
        return name.rsplit(".", 1)[-1]
    return name.replace(".", "/") if form == "internal" else name.replace("/", ".")


@helper("library_frame")
def library_frame(c: Ctx, method: str, low: int, high: int) -> StackFrame:
    """A library frame at a drawn line (a caller whose line depends on a version nobody tabulated)."""
    return c.lib(method, c.randint(low, high))


@helper("jar_class_for_name")
def jar_class_for_name(c: Ctx) -> list[StackFrame]:
    """Class.forName in a Spring Boot jar: the launcher's class loader (before 3.2 or since: drawn) asked first."""
    old, new = c.values("cnfe.boot_loader.loaders")
    frames = c.jdk.segment("class_for_name")
    return [frames[0], frames[1], c.lib(f"{old if c.chance(0.6) else new}.loadClass", 151), *frames[-3:]]


@helper("class_versions")
def class_versions(c: Ctx) -> tuple[int, int, int]:
    """The row's JDK, the class file version it runs and a newer one the code was compiled for (drawn)."""
    runtime = tables().maps["jvm.class_file_version"][c.jdk.version]
    return c.jdk.version, runtime, c.pick([v for v in (52, 55, 61, 65) if v > runtime] or [66])


# -------------------------------------------------------------------------------------------------- StackOverflow


def repeat(frames: list[StackFrame], total: int) -> list[StackFrame]:
    """A recursion cycle repeated to about `total` frames (the JVM records at most 1024; logs often cut sooner)."""
    return (frames * (total // len(frames) + 1))[:total]


def overflow(c: Ctx, spec: dict[str, Any]) -> Incident:
    """A StackOverflowError of `jvm.overflows`: its draws (declared.draw's steps), then its `cycle` (slot names,
    deepest first; a slot holding a list adds its frames, `name?` one only some rows draw) repeated over the whole
    printed stack (an Error: no wrapper). `fault` names the slot of the faulty frame; every draw fills the texts."""
    slots: dict[str, Any] = {}
    draw(c, spec["draw"], slots)
    cycle: list[StackFrame] = drawn(spec["cycle"], slots)
    return c.incident(
        [Thrown(SOE, None, repeat(cycle, c.pick((24, 40, 64, 96, 128))))],
        cause=c.text(".cause", **slots),
        fix=c.text(".fix", **slots),
        fault=slots[spec["fault"]],
        fault_in_trace=spec.get("fault_in_trace", True),
        auto_wrap=False,
    )


for _name, _spec in tables().maps["jvm.overflows"].items():
    template("StackOverflowError", _name, codebases=_spec.get("codebases", ("bank", "oss")), family="jvm")(
        partial(overflow, spec=_spec)
    )


@template("StackOverflowError", "soe.jackson_recursion")
def jackson_recursion(c: Ctx) -> Incident:
    """Jackson serializing a bidirectional relation: it wraps the overflow, naming the reference chain."""
    cycle = c.chain(".cycle")
    parent, child = c.app("domain", "Customer" if c.bank else "Node"), c.app("domain", "Account" if c.bank else "Edge")
    frames = repeat(cycle, c.pick((36, 60, 90)))
    message = c.message(
        ".message",
        parent=parent,
        child_simple=child.simple.lower(),
        child=child,
        parent_simple=parent.simple.lower(),
    )
    top = Thrown(
        "com.fasterxml.jackson.databind.JsonMappingException",
        message,
        [*c.chain(".serialize_fields"), *repeat(cycle, c.pick((12, 24)))],
    )
    getter = c.pick(c.values(".getter")).format(parent=parent)
    fault = StackFrame(child.fqcn, getter, child.file, None, app=True)
    return detached(c, [top, Thrown(SOE, None, frames)], fault, parent=parent, child=child)
