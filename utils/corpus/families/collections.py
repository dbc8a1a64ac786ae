"""Collections and casts: IndexOutOfBoundsException (lists, arrays, strings, buffers), ConcurrentModification-
Exception, NoSuchElementException and ClassCastException, with the JDK frames that throw them per JDK version."""

from __future__ import annotations

from utils.corpus.builder import Ctx
from utils.corpus.model import Incident, StackFrame, template

IOOBE = "java.lang.IndexOutOfBoundsException"
AIOOBE = "java.lang.ArrayIndexOutOfBoundsException"
SIOOBE = "java.lang.StringIndexOutOfBoundsException"
CME = "java.util.ConcurrentModificationException"
NSEE = "java.util.NoSuchElementException"
CCE = "java.lang.ClassCastException"


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


def site_and_numbers(c: Ctx, roles: tuple[str, ...]) -> tuple[StackFrame, int, int]:
    length = c.pick((0, 0, 1, 2, 3, 5, 10))
    index = c.pick((length, length, length + 1, -1)) if length else c.pick((0, 0, 1))
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


@template("IndexOutOfBoundsException", "ioobe.array_index")
def array_index(c: Ctx) -> Incident:
    site, index, length = site_and_numbers(c, ("support", "domain", "util", "gateway"))
    message = str(index) if c.jdk.version <= 8 else index_message(c, index, length)
    cause, fix = off_by_one(c, site, "an array", index, length)
    return c.fail(AIOOBE, message, [site], cause=cause, fix=fix)


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


@template("IndexOutOfBoundsException", "ioobe.buffer")
def buffer(c: Ctx) -> Incident:
    getter = c.pick(("getInt", "getLong", "get", "getShort"))
    if c.chance(0.65):
        exception = "java.nio.BufferUnderflowException"
        throw = [
            c.j("java.nio.Buffer.nextGetIndex", (506, 651, 699, 731)),
            c.j(f"java.nio.HeapByteBuffer.{getter}", (412, 391, 385, 398)),
        ]
        what = c.text(".what", getter=getter)
    else:
        exception = "java.nio.BufferOverflowException"
        throw = c.chain(".throw")
        what = c.text(".what_2")
    site = c.frame(c.pick(("gateway", "support", "util", "domain")))
    return c.fail(exception, None, [site], throw, cause=c.text(".cause", site=site, what=what), fix=c.text(".fix"))


@template("IndexOutOfBoundsException", "ioobe.sublist")
def sublist(c: Ctx) -> Incident:
    site = c.frame(c.pick(("service", "support", "batch")))
    size = c.randint(0, 40)
    to = size + c.randint(1, 50)
    if c.jdk.version <= 8:
        throw = c.chain(".throw")
        message = f"toIndex = {to}"
    else:
        throw = c.chain(".throw_2")
        message = f"toIndex = {to}"
    return c.fail(
        IOOBE,
        message,
        [site],
        throw,
        cause=c.text(".cause", site=site, to=to, size=size),
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


@template("IndexOutOfBoundsException", "ioobe.arrays_aslist_get")
def arrays_aslist_get(c: Ctx) -> Incident:
    site, index, length = site_and_numbers(c, ("util", "support", "config"))
    throw = [c.j("java.util.Arrays$ArrayList.get", (3841, 4351, 4165, 4305))]
    if c.chance(0.5):
        throw = []  # split(...)[n] on the array itself
    message = str(index) if c.jdk.version <= 8 else index_message(c, index, length)
    what = c.text(".what")
    cause, fix = off_by_one(c, site, what, index, length)
    return c.fail(AIOOBE, message, [site], throw, cause=cause, fix=fix)


@template("IndexOutOfBoundsException", "ioobe.negative_array_size")
def negative_array_size(c: Ctx) -> Incident:
    size = -c.randint(1, 4096)
    throw = [] if c.chance(0.5) else [c.j("java.util.Arrays.copyOf", (3332, 3720, 3512, 3541))]
    site = c.frame(c.pick(("gateway", "support", "util", "domain")))
    return c.fail(
        "java.lang.NegativeArraySizeException",
        None if c.jdk.version <= 8 else str(size),
        [site],
        throw,
        cause=c.text(".cause", site=site, size=size),
        fix=c.text(".fix"),
    )


# ---------------------------------------------------------------------------------- ConcurrentModificationException


def cme_incident(c: Ctx, throw: list[StackFrame], what_en: str, what_ko: str, fix_en: str, fix_ko: str) -> Incident:
    site = c.frame(c.pick(("service", "support", "domain", "batch")))
    return c.fail(
        CME,
        None,
        [site],
        throw,
        cause=c.text("collections.cme_incident.cause", site=site, what_en=what_en, what_ko=what_ko),
        fix=c.t(fix_en, fix_ko),
    )


ITR_LINES = {"check": (909, 1043, 1013, 1095), "next": (859, 997, 967, 1049)}


@template("ConcurrentModificationException", "cme.foreach_remove")
def foreach_remove(c: Ctx) -> Incident:
    throw = [
        c.j("java.util.ArrayList$Itr.checkForComodification", ITR_LINES["check"]),
        c.j("java.util.ArrayList$Itr.next", ITR_LINES["next"]),
    ]
    return cme_incident(c, throw, *c.pair(".what"), *c.pair(".fix"))


@template("ConcurrentModificationException", "cme.hashmap_keyset")
def hashmap_keyset(c: Ctx) -> Incident:
    kind = c.pick(("Key", "Value", "Entry"))
    throw = [
        c.j("java.util.HashMap$HashIterator.nextNode", (1445, 1493, 1597, 1605)),
        c.j(
            f"java.util.HashMap${kind}Iterator.next",
            (1469, 1516, 1620, 1628) if kind == "Key" else (1474, 1521, 1625, 1633),
        ),
    ]
    return cme_incident(c, throw, *c.pair(".what"), *c.pair(".fix"))


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


@template("ConcurrentModificationException", "cme.compute_if_absent", min_jdk=11)
def compute_if_absent(c: Ctx) -> Incident:
    throw = [c.j("java.util.HashMap.computeIfAbsent", (0, 1134, 1229, 1229))]
    return cme_incident(c, throw, *c.pair(".what"), *c.pair(".fix"))


@template(
    "ConcurrentModificationException", "cme.shared_list_threads", contexts=("executor", "web", "kafka", "scheduled")
)
def shared_list_threads(c: Ctx) -> Incident:
    throw = [
        c.j("java.util.ArrayList$Itr.checkForComodification", ITR_LINES["check"]),
        c.j("java.util.ArrayList$Itr.next", ITR_LINES["next"]),
    ]
    return cme_incident(c, throw, *c.pair(".what"), *c.pair(".fix"))


@template("ConcurrentModificationException", "cme.sublist_after_change")
def sublist_after_change(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    return cme_incident(c, throw, *c.pair(".what"), *c.pair(".fix"))


@template("ConcurrentModificationException", "cme.stream_source_modified", min_jdk=8)
def stream_source_modified(c: Ctx) -> Incident:
    throw = [
        c.j("java.util.ArrayList$ArrayListSpliterator.forEachRemaining", (1388, 1660, 1631, 1714)),
        *c.jdk.stream_collect()[2:],
    ]
    return cme_incident(c, throw, *c.pair(".what"), *c.pair(".fix"))


@template("ConcurrentModificationException", "cme.treemap_or_linkedlist")
def treemap_or_linkedlist(c: Ctx) -> Incident:
    throw = c.chain(".throw") if c.chance(0.5) else c.chain(".throw_2")
    return cme_incident(c, throw, *c.pair(".what"), *c.pair(".fix"))


# ------------------------------------------------------------------------------------------ NoSuchElementException


def nsee(
    c: Ctx,
    message: str | None,
    throw: list[StackFrame],
    what_en: str,
    what_ko: str,
    fix_en: str,
    fix_ko: str,
    exception: str = NSEE,
) -> Incident:
    site = c.frame(c.pick(("service", "support", "domain", "repository", "batch")))
    return c.fail(
        exception,
        message,
        [site],
        throw,
        cause=c.text("collections.nsee.cause", site=site, what_en=what_en, what_ko=what_ko),
        fix=c.t(fix_en, fix_ko),
    )


@template("NoSuchElementException", "nsee.optional_get", min_jdk=8)
def optional_get(c: Ctx) -> Incident:
    if c.jdk.at_least(11) and c.chance(0.4):
        throw = [c.j("java.util.Optional.orElseThrow", (0, 382, 377, 377))]
    else:
        throw = [c.j("java.util.Optional.get", (135, 148, 143, 143))]
    return nsee(c, "No value present", throw, *c.pair(".what"), *c.pair(".fix"))


@template("NoSuchElementException", "nsee.iterator_next")
def iterator_next(c: Ctx) -> Incident:
    throw = c.pick(
        (
            [c.j("java.util.ArrayList$Itr.next", (862, 1000, 970, 1052))],
            c.chain(".throw"),
            [c.j("java.util.Collections$EmptyIterator.next", (4191, 4368, 4481, 4556))],
        )
    )
    return nsee(c, None, throw, *c.pair(".what"), *c.pair(".fix"))


@template("NoSuchElementException", "nsee.linked_list_first")
def linked_list_first(c: Ctx) -> Incident:
    op, lines = c.pick(
        (
            ("getFirst", (244, 248, 248, 250)),
            ("getLast", (257, 261, 261, 263)),
            ("removeFirst", (270, 274, 274, 276)),
            ("element", (659, 663, 663, 665)),
        )
    )
    if c.chance(0.4):
        throw = c.chain(".throw")
        op = "pop"
    else:
        throw = [c.j(f"java.util.LinkedList.{op}", lines)]
    return nsee(c, None, throw, *c.pair(".what", op=op), *c.pair(".fix"))


@template("NoSuchElementException", "nsee.scanner")
def scanner(c: Ctx) -> Incident:
    if c.chance(0.5):
        throw = c.chain(".throw_2")
        return nsee(c, None, throw, *c.pair(".what_2"), *c.pair(".fix_2"), exception="java.util.InputMismatchException")
    throw = c.chain(".throw")
    return nsee(c, None, throw, *c.pair(".what"), *c.pair(".fix"))


@template("NoSuchElementException", "nsee.tokenizer")
def tokenizer(c: Ctx) -> Incident:
    throw = [c.j("java.util.StringTokenizer.nextToken", (349, 349, 349, 347))]
    return nsee(c, None, throw, *c.pair(".what"), *c.pair(".fix"))


@template("NoSuchElementException", "nsee.empty_stack")
def empty_stack(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    if c.chance(0.4):
        throw = throw[:1]
    return nsee(c, None, throw, *c.pair(".what"), *c.pair(".fix"), exception="java.util.EmptyStackException")


@template("NoSuchElementException", "nsee.stream_find_first", min_jdk=8)
def stream_find_first(c: Ctx) -> Incident:
    key = c.account_no() if c.bank else c.pick(("default", "primary", "main"))
    throw = [c.j("java.util.Optional.get", (135, 148, 143, 143))]
    owner = c.app(c.pick(("service", "support")))
    site = owner.at(c.verb(), c.code.line())
    return c.fail(
        NSEE,
        "No value present",
        [site],
        throw,
        cause=c.text(".cause", site=site, key=key),
        fix=c.text(".fix"),
    )


@template("NoSuchElementException", "nsee.only_element")
def only_element(c: Ctx) -> Incident:
    throw = [
        c.lib("com.google.common.collect.Iterators.getOnlyElement", c.pick((302, 315))),
        c.lib("com.google.common.collect.Iterables.getOnlyElement", c.pick((254, 276))),
    ]
    return nsee(c, None, throw, *c.pair(".what"), *c.pair(".fix"))


# ----------------------------------------------------------------------------------------------- ClassCastException


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


def cce(
    c: Ctx,
    source: str,
    target: str,
    throw: list[StackFrame],
    cause_en: str,
    cause_ko: str,
    fix_en: str,
    fix_ko: str,
    roles: tuple[str, ...] = ("service", "support", "domain"),
    **loaders: str,
) -> Incident:
    site = c.frame(c.pick(roles))
    exception = "java.lang.ClassCastException"
    return c.fail(
        exception,
        cast_message(c, source, target, **loaders),
        [site],
        throw,
        cause=c.text("collections.cce.cause", site=site, cause_en=cause_en, cause_ko=cause_ko),
        fix=c.t(fix_en, fix_ko),
    )


@template("ClassCastException", "cce.generic_map_to_dto")
def generic_map_to_dto(c: Ctx) -> Incident:
    dto = c.app("domain", f"{c.type_name()}Dto").fqcn
    return cce(
        c,
        "java.util.LinkedHashMap",
        dto,
        [],
        *c.pair(".cause"),
        *c.pair(".fix"),
        roles=("client", "service", "support"),
    )


@template("ClassCastException", "cce.boxed_number")
def boxed_number(c: Ctx) -> Incident:
    source, target = c.pick(
        (
            ("java.lang.Integer", "java.lang.Long"),
            ("java.lang.String", "java.lang.Integer"),
            ("java.math.BigDecimal", "java.lang.Long"),
            ("java.lang.Long", "java.lang.Integer"),
            ("java.lang.String", "java.util.Date"),
        )
    )
    return cce(
        c,
        source,
        target,
        [],
        *c.pair(".cause", source_simple=source.rsplit('.', 1)[-1], target_simple=target.rsplit('.', 1)[-1]),
        *c.pair(".fix"),
    )


@template("ClassCastException", "cce.not_comparable", min_jdk=7)
def not_comparable(c: Ctx) -> Incident:
    element = c.app("domain").fqcn
    if c.chance(0.5):
        throw = c.chain(".throw")
        where_en, where_ko = c.pair(".where_en_where_ko")
    else:
        throw = c.chain(".throw_2")
        where_en, where_ko = c.pair(".where_en_where_ko_2")
    return cce(
        c,
        element,
        "java.lang.Comparable",
        throw,
        where_en,
        where_ko,
        *c.pair(".fix", element_simple=element.rsplit('.', 1)[-1]),
    )


@template("ClassCastException", "cce.jdk_proxy_to_class")
def jdk_proxy_to_class(c: Ctx) -> Incident:
    impl = c.app("service").fqcn
    proxy = (
        f"jdk.proxy2.$Proxy{c.randint(80, 240)}" if c.jdk.at_least(17) else f"com.sun.proxy.$Proxy{c.randint(80, 240)}"
    )
    return cce(c, proxy, impl, [], *c.pair(".cause"), *c.pair(".fix"), roles=("service", "config", "support"))


@template("ClassCastException", "cce.two_class_loaders", min_jdk=11)
def two_class_loaders(c: Ctx) -> Incident:
    cls = c.app("domain").fqcn
    loader = (
        c.message(".loader", number=c.randint(0x10000000, 0x7FFFFFFF))
    )
    message = (
        c.message(".message", cls=cls, loader=loader)
    )
    site = c.frame(c.pick(("service", "support", "client")))
    return c.fail(
        CCE,
        message,
        [site],
        cause=c.text(".cause", cls_simple=cls.rsplit('.', 1)[-1], site=site),
        fix=c.text(".fix"),
    )


@template("ClassCastException", "cce.array_store")
def array_store(c: Ctx) -> Incident:
    if c.jdk.version <= 8:
        message = c.pick(("java.lang.Integer", "java.lang.String", "java.lang.Long"))
    else:
        message = (
            c.message(".message")
        )
    throw = c.chain(".throw")
    site = c.frame(c.pick(("support", "util", "service")))
    return c.fail(
        "java.lang.ArrayStoreException",
        message,
        [site],
        throw,
        cause=c.text(".cause", site=site),
        fix=c.text(".fix"),
    )


@template("ClassCastException", "cce.hibernate_proxy")
def hibernate_proxy(c: Ctx) -> Incident:
    entity = c.app("domain")
    sub = c.app("domain", f"Corporate{entity.simple}" if c.chance(0.5) else f"Premium{entity.simple}")
    proxy = f"{entity.fqcn}$HibernateProxy${c.pick(('gD4aWmTk', 'Xy12AbCd', 'p9QwErTy', 'L0kJhGfD'))}"
    return cce(c, proxy, sub.fqcn, [], *c.pair(".cause", entity=entity, sub=sub), *c.pair(".fix"))


@template("ClassCastException", "cce.config_value")
def config_value(c: Ctx) -> Incident:
    source, target = c.pick(
        (
            ("java.lang.String", "java.lang.Number"),
            ("java.util.ArrayList", "java.util.Map"),
            ("java.lang.Boolean", "java.lang.String"),
            ("java.util.LinkedHashMap", "java.util.List"),
        )
    )
    return cce(
        c,
        source,
        target,
        [],
        *c.pair(".cause", source_simple=source.rsplit('.', 1)[-1], target_simple=target.rsplit('.', 1)[-1]),
        *c.pair(".fix"),
        roles=("config", "support", "util"),
    )
