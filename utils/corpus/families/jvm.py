"""The JVM itself: StackOverflowError (recursion; the printed stack is all recursion), OutOfMemoryError (heap,
GC overhead, metaspace, direct memory, native threads), class loading (ClassNotFoundException /
NoClassDefFoundError) and linkage errors between incompatible library versions.

The regular templates (the OutOfMemoryErrors and most linkage errors among them) are declared in
utils/corpus/templates/jvm.yaml, through the helpers here; these build recursion cycles, the jar launcher's class
loading, JVM descriptors and class file versions by hand."""

from __future__ import annotations

from utils.corpus.builder import Ctx
from utils.corpus.declared import helper
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


# -------------------------------------------------------------------------------------------------- StackOverflow


def repeat(frames: list[StackFrame], total: int) -> list[StackFrame]:
    """A recursion cycle repeated to about `total` frames (the JVM records at most 1024; logs often cut sooner)."""
    return (frames * (total // len(frames) + 1))[:total]


def overflow(c: Ctx, cycle: list[StackFrame], fault: StackFrame, in_trace: bool = True, **slots: object) -> Incident:
    """The cycle repeated over the whole printed stack (an Error: no wrapper); `slots` fill the cause and fix."""
    return c.incident(
        [Thrown(SOE, None, repeat(cycle, c.pick((24, 40, 64, 96, 128))))],
        cause=c.text(".cause", **slots),
        fix=c.text(".fix", **slots),
        fault=fault,
        fault_in_trace=in_trace,
        auto_wrap=False,
    )


@template("StackOverflowError", "soe.direct_recursion")
def direct_recursion(c: Ctx) -> Incident:
    owner = c.app(c.pick(("domain", "support", "util")))
    method = c.pick(c.values(".method"))
    frame = owner.at(method, c.code.line())
    cycle = [frame] if c.chance(0.6) else [frame, owner.at(method, frame.line + c.randint(2, 9) if frame.line else 40)]
    return overflow(c, cycle, frame, owner=owner, method=method)


@template("StackOverflowError", "soe.mutual_recursion")
def mutual_recursion(c: Ctx) -> Incident:
    first, second = c.app("domain"), c.code.other_cls()
    a = first.at(c.pick(c.values(".method")), c.code.line())
    b = second.at(c.pick(c.values(".method_2")), c.code.line())
    return overflow(c, [a, b], a, first=first, a=a, second=second, b=b)


@template("StackOverflowError", "soe.tostring_cycle")
def tostring_cycle(c: Ctx) -> Incident:
    parent = c.app("domain", c.pick(c.values(".parent")))
    child = c.app("domain", c.pick(c.values(".child")))
    cycle = [
        parent.at("toString", c.randint(10, 40)),
        *c.chain(".collection"),
        *c.chain(".bag" if c.chance(0.5) else ".value_of"),
        *c.chain(".append"),
        child.at("toString", c.randint(10, 40)),
        *c.chain(".append"),
    ]
    return overflow(c, cycle, cycle[0], parent=parent, child=child)


@template("StackOverflowError", "soe.hashcode_cycle")
def hashcode_cycle(c: Ctx) -> Incident:
    parent = c.app("domain", c.pick(c.values(".parent")))
    child = c.app("domain", c.pick(c.values(".child")))
    cycle = [
        parent.at("hashCode", c.randint(10, 40)),
        *c.chain(".persistent_set" if c.chance(0.5) else ".hash_set"),  # HashSet inherits AbstractSet's hashCode
        child.at("hashCode", c.randint(10, 40)),
    ]
    return overflow(c, cycle, cycle[0], parent=parent, child=child)


@template("StackOverflowError", "soe.jackson_recursion")
def jackson_recursion(c: Ctx) -> Incident:
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
    return c.incident(
        [top, Thrown(SOE, None, frames)],
        fault=fault,
        fault_in_trace=False,
        auto_wrap=False,
        cause=c.text(".cause", parent=parent, child=child),
        fix=c.text(".fix"),
    )


@template("StackOverflowError", "soe.regex_backtracking")
def regex_backtracking(c: Ctx) -> Incident:
    cycle = c.chain(".cycle")
    owner = c.app(c.pick(("util", "support", "gateway")))
    fault = StackFrame(owner.fqcn, c.pick(c.values(".method")), owner.file, None, app=True)
    return overflow(c, cycle, fault, in_trace=False, owner=owner)


@template("StackOverflowError", "soe.event_recursion", codebases=("bank",))
def event_recursion(c: Ctx) -> Incident:
    listener = c.app("listener")
    on_event = listener.at(c.pick(c.values(".method")), c.code.line())
    cycle = [*c.chain(".cycle"), on_event, *c.jdk.segment("reflect_invoke"), *c.chain(".cycle_2")]
    return overflow(c, cycle, on_event, listener=listener, on_event=on_event)


@template("StackOverflowError", "soe.nested_input_parser", codebases=("oss",))
def nested_input_parser(c: Ctx) -> Incident:
    parser = c.app("domain", c.pick(c.values(".parser")))
    a = parser.at(c.pick(c.values(".method")), c.code.line())
    b = parser.at(c.pick(c.values(".method_2")), c.code.line())
    return overflow(c, [a, b], a, parser=parser)


# ---------------------------------------------------------------------------------- ClassNotFound / NoClassDefFound


@template("ClassNotFoundException", "cnfe.boot_loader", contexts=("main",), codebases=("bank",))
def boot_loader(c: Ctx) -> Incident:
    missing = c.pick(c.values(".missing")).format(code=c.code)
    old, new = c.values(".loaders")  # Spring Boot's jar launcher before 3.2 and since
    loader = old if c.chance(0.6) else new
    frames = c.jdk.segment("class_for_name")
    frames = [frames[0], frames[1], c.lib(f"{loader}.loadClass", 151), *frames[-3:]]  # the jar's loader asked first
    site = c.frame("config")
    frames += c.chain(".class_utils")
    return c.fail(
        "java.lang.ClassNotFoundException",
        missing,
        [site],
        frames,
        cause=c.text(".cause", missing=missing),
        fix=c.text(".fix"),
    )


# --------------------------------------------------------------------------------------------------- LinkageError


@template("LinkageError", "le.no_such_method")
def no_such_method(c: Ctx) -> Incident:
    owner, method, params, returns, jvm, caller_lib = c.pick(c.values(".signature"))
    message = (
        f"{owner}.{method}{jvm}"  # the JVM descriptor; from JDK 11 a Java-like signature
        if c.jdk.version <= 8
        else f"'{returns} {owner}.{method}({', '.join(params)})'"
    )
    top = [c.lib(caller_lib, c.randint(60, 400))] if caller_lib else []
    site = c.frame(c.pick(("config", "support", "client", "service")))
    return c.fail(
        "java.lang.NoSuchMethodError",
        message,
        [*top, site],
        fault=len(top),
        cause=c.text(".cause", owner_simple=java_name(c, owner, "simple"), method=method),
        fix=c.text("jvm.linkage_fix"),
    )


@template("LinkageError", "le.class_version", contexts=("main", "test"))
def class_version(c: Ctx) -> Incident:
    runtime = tables().maps["jvm.class_file_version"][c.jdk.version]
    compiled = c.pick([v for v in (52, 55, 61, 65) if v > runtime] or [66])
    cls = c.app("main").fqcn.replace(".", "/")
    # JDK 6 (7 and 8 too, though corpus.yaml keeps 9's wording there) named major.minor
    message = c.message(
        ".message_jdk6" if c.jdk.version == 6 else ".message", cls=cls, compiled=compiled, runtime=runtime
    )
    throw = c.chain(".throw")
    site = c.frame("config")
    return c.fail(
        "java.lang.UnsupportedClassVersionError",
        message,
        [site],
        throw,
        cause=c.text(".cause", compiled=compiled, jdk=c.jdk, runtime=runtime),
        fix=c.text(".fix"),
    )
