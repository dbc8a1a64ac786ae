"""Collections and casts: IndexOutOfBoundsException (lists, arrays, strings, buffers), ConcurrentModification-
Exception, NoSuchElementException and ClassCastException, with the JDK frames that throw them per JDK version.

The regular templates are declared in utils/corpus/templates/collections.yaml; these build their frames per JDK
version (or a lambda's frame) by hand."""

from __future__ import annotations

from utils.corpus.builder import Ctx
from utils.corpus.declared import helper
from utils.corpus.model import Incident, StackFrame, template

IOOBE = "java.lang.IndexOutOfBoundsException"
SIOOBE = "java.lang.StringIndexOutOfBoundsException"
CME = "java.util.ConcurrentModificationException"


def preconditions(c: Ctx, check: str = "checkIndex") -> list[StackFrame]:
    """JDK 9+ index checks: jdk.internal.util.Preconditions ... Objects.checkIndex."""
    frames = [
        *c.chain("collections.preconditions.frames"),
        c.j(f"jdk.internal.util.Preconditions.{check}", (0, 248, 266, 302)),
    ]
    if check == "checkIndex":
        frames.append(c.j("java.util.Objects.checkIndex", (0, 372, 359, 385)))
    return frames


def index_message(c: Ctx, index: int, length: int) -> str:
    return f"Index {index} out of bounds for length {length}"


@helper("index_and_length")
def index_and_length(c: Ctx) -> tuple[int, int]:
    """An index a loop reads past the end (or before the start) of a sequence of `length` elements."""
    length = c.pick((0, 0, 1, 2, 3, 5, 10))
    return (c.pick((length, length, length + 1, -1)) if length else c.pick((0, 0, 1))), length


def site_and_numbers(c: Ctx, roles: tuple[str, ...]) -> tuple[StackFrame, int, int]:
    index, length = index_and_length(c)
    return c.frame(c.pick(roles)), index, length


def off_by_one(c: Ctx, site: StackFrame, what: str, index: int, length: int) -> tuple[str, str]:
    empty = c.text("collections.off_by_one.empty") if length == 0 else ""
    cause = c.text("collections.off_by_one.cause", site=site, what=what, index=index, length=length, empty=empty)
    return cause, c.text("collections.off_by_one.fix", site=site)


# ---------------------------------------------------------------------------------------- IndexOutOfBoundsException


@template("IndexOutOfBoundsException", "ioobe.list_get")
def list_get(c: Ctx) -> Incident:
    site, index, length = site_and_numbers(c, ("service", "support", "domain", "batch"))
    if c.jdk.version <= 8:
        throw = [
            c.j("java.util.ArrayList.rangeCheck", (657, 0, 0, 0) if c.jdk.version == 8 else 635),
            c.j("java.util.ArrayList.get", 433 if c.jdk.version == 8 else 411),
        ]
        message = f"Index: {index}, Size: {length}"
    else:
        throw = [*preconditions(c), c.j("java.util.ArrayList.get", (0, 458, 427, 427))]
        message = index_message(c, index, length)
    cause, fix = off_by_one(c, site, "a list", index, length)
    return c.fail(IOOBE, message, [site], throw, cause=cause, fix=fix)


@template("IndexOutOfBoundsException", "ioobe.substring")
def substring(c: Ctx) -> Incident:
    site = c.frame(c.pick(("util", "support", "gateway", "domain")))
    length = c.randint(0, 9)
    end = length + c.randint(1, 8)
    if c.jdk.version <= 8:
        throw = [c.j("java.lang.String.substring", (1963, 0, 0, 0) if c.jdk.version == 8 else 1951)]
        message = f"String index out of range: {c.pick((end, length - end))}"
    elif c.jdk.version == 21:
        throw = [*preconditions(c, "checkFromToIndex"), *c.chain(".throw")]
        message = f"begin 0, end {end}, length {length}"
    else:
        throw = c.chain(".throw_2")
        message = f"begin 0, end {end}, length {length}"
    if c.chance(0.3):
        throw.append(c.j("java.lang.String.substring", (1927, 1832, 2664, 2798)))  # substring(int) delegating
    return c.fail(
        SIOOBE,
        message,
        [site],
        throw,
        cause=c.text(".cause", site=site, end=end, length=length),
        fix=c.text(".fix"),
    )


@template("IndexOutOfBoundsException", "ioobe.char_at")
def char_at(c: Ctx) -> Incident:
    site = c.frame(c.pick(("util", "support", "gateway")))
    length = c.randint(0, 6)
    index = length + c.randint(0, 3)
    if c.jdk.version <= 8:
        throw = [c.j("java.lang.String.charAt", (658, 0, 0, 0) if c.jdk.version == 8 else 646)]
        message = f"String index out of range: {index}"
    elif c.jdk.version == 11:
        throw = c.chain(".throw")
        message = f"String index out of range: {index}"
    elif c.jdk.version == 17:
        throw = c.chain(".throw_2")
        message = f"index {index}, length {length}"
    else:
        throw = [*preconditions(c, "checkIndex")[:3], *c.chain(".throw_3")]
        message = index_message(c, index, length)
    return c.fail(
        SIOOBE,
        message,
        [site],
        throw,
        cause=c.text(".cause", site=site, index=index, length=length),
        fix=c.text(".fix"),
    )


@template("IndexOutOfBoundsException", "ioobe.list_remove_set")
def list_remove_set(c: Ctx) -> Incident:
    site, index, length = site_and_numbers(c, ("service", "domain", "support"))
    op = c.pick(("remove", "set"))
    if c.jdk.version <= 8:
        throw = [
            c.j("java.util.ArrayList.rangeCheck", 657 if c.jdk.version == 8 else 635),
            c.j(f"java.util.ArrayList.{op}", 496 if op == "remove" else 448),
        ]
        message = f"Index: {index}, Size: {length}"
    else:
        throw = [
            *preconditions(c),
            c.j(
                f"java.util.ArrayList.{op}",
                (0, 535 if op == "remove" else 473, 504 if op == "remove" else 441, 504 if op == "remove" else 441),
            ),
        ]
        message = index_message(c, index, length)
    cause, fix = off_by_one(c, site, "a list", index, length)
    return c.fail(IOOBE, message, [site], throw, cause=cause, fix=fix)


# ---------------------------------------------------------------------------------- ConcurrentModificationException


@template("ConcurrentModificationException", "cme.list_foreach_lambda", min_jdk=8)
def list_foreach_lambda(c: Ctx) -> Incident:
    throw = [c.j("java.util.ArrayList.forEach", (1262, 1543, 1513, 1598))]
    owner = c.app(c.pick(("service", "support")))
    method = c.verb()
    lam = owner.at(f"lambda${method}${c.randint(0, 3)}", c.code.line())
    caller = owner.at(method, c.code.line())
    return c.fail(
        CME,
        None,
        [caller],
        throw,
        fault=0,
        cause=c.text(".cause", method=method),
        fix=c.text(".fix"),
        extra={"lambda": lam.qualified_method},
    )


# ----------------------------------------------------------------------------------------------- ClassCastException


@helper("cast_message")
def cast_message(c: Ctx, source: str, target: str, source_loader: str = "app", target_loader: str = "app") -> str:
    if c.jdk.version <= 8:
        return f"{source} cannot be cast to {target}"

    def where(name: str, loader: str) -> str:
        if name.startswith("java."):
            return "in module java.base of loader 'bootstrap'"
        if loader.startswith("org.springframework"):
            return f"in unnamed module of loader {loader}"
        return f"in unnamed module of loader '{loader}'"

    source_where, target_where = where(source, source_loader), where(target, target_loader)
    if source_where == target_where:
        return f"class {source} cannot be cast to class {target} ({source} and {target} are {source_where})"
    return f"class {source} cannot be cast to class {target} ({source} is {source_where}; {target} is {target_where})"

