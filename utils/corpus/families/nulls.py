"""NullPointerException: dereferenced nulls in application code and the JDK methods that reject null.

JDK 14+ prints helpful messages (`Cannot invoke "String.length()" because "<local1>" is null`); JDK 7-11 print no
message. Explicit `throw new NullPointerException()` / `Objects.requireNonNull(x)` never get a helpful message.
"""

from __future__ import annotations

from utils.corpus.builder import Ctx
from utils.corpus.model import Incident, template

NPE = "java.lang.NullPointerException"


def helpful(c: Ctx, text: str) -> str | None:
    """The helpful NPE message on JDK 14+ (on by default from 15), none before."""
    return text if c.jdk.at_least(14) else None


def local(c: Ctx, name: str) -> str:
    """A local variable as the message names it: its name with -g debug info, else "<localN>"."""
    return name if c.chance(0.6) else f"<local{c.randint(1, 9)}>"


def require_non_null(c: Ctx, with_message: bool) -> list:
    if with_message:
        return [c.j("java.util.Objects.requireNonNull", (228, 246, 233, 259))]
    return [c.j("java.util.Objects.requireNonNull", (203, 221, 208, 233))]


@template("NullPointerException", "npe.getter_chain")
def getter_chain(c: Ctx) -> Incident:
    holder = c.app("domain")
    getter = c.getter()
    target = c.app("domain", c.pick(("Customer", "Branch", "Address", "Node", "Owner", "Profile", "Settings")))
    call = c.pick(("getId", "getCode", "getName", "isActive", "getValue", "toString"))
    site = c.frame(c.pick(("service", "support", "domain")))
    message = helpful(
        c, f'Cannot invoke "{target.fqcn}.{call}()" because the return value of "{holder.fqcn}.{getter}()" is null'
    )
    return c.fail(
        NPE,
        message,
        [site],
        cause=c.text(".cause", holder=holder, getter=getter, site=site, call=call),
        fix=c.text(".fix", property=getter[3:], site=site),
    )


@template("NullPointerException", "npe.field_not_injected")
def field_not_injected(c: Ctx) -> Incident:
    dependency = c.app(c.pick(("repository", "client", "support")))
    field = dependency.simple[:1].lower() + dependency.simple[1:]
    call = c.verb(c.pick(("repository", "client")))
    site = c.frame("service")
    message = helpful(c, f'Cannot invoke "{dependency.fqcn}.{call}(Object)" because "this.{field}" is null')
    return c.fail(
        NPE,
        message,
        [site],
        cause=c.text(".cause", field=field, site_cls_simple=site.cls.rsplit('.', 1)[-1]),
        fix=c.text(".fix", dependency=dependency, site_cls_simple=site.cls.rsplit('.', 1)[-1]),
    )


@template("NullPointerException", "npe.string_local")
def string_local(c: Ctx) -> Incident:
    name = c.pick(("header", "value", "line", "code", "token", "name", "input", "memo", "currency"))
    call = c.pick(("trim()", "length()", "toUpperCase()", "equals(Object)", "isEmpty()", "split(String)"))
    site = c.frame(c.pick(("util", "support", "controller", "service")))
    message = helpful(c, f'Cannot invoke "String.{call}" because "{local(c, name)}" is null')
    return c.fail(
        NPE,
        message,
        [site],
        cause=c.text(".cause", name=name, site=site, call_name=call.split('(')[0]),
        fix=c.text(".fix", name=name, site=site),
    )


@template("NullPointerException", "npe.require_non_null", min_jdk=7)
def require_non_null_ctor(c: Ctx) -> Incident:
    noun = c.code.noun()
    with_message = c.chance(0.6)
    owner = c.app("domain")
    constructor = owner.at("<init>", c.code.line(20, 120))
    caller = c.frame(c.pick(("service", "support", "batch")))
    message = c.pick((f"{noun} must not be null", f"{noun} is required", f"{noun}")) if with_message else None
    return c.fail(
        NPE,
        message,
        [constructor, caller],
        require_non_null(c, with_message),
        fault=1,
        cause=c.text(".cause", caller=caller, noun=noun, owner=owner),
        fix=c.text(".fix", noun=noun, caller=caller, owner=owner),
    )


@template("NullPointerException", "npe.unboxing")
def unboxing(c: Ctx) -> Incident:
    boxed, primitive = c.pick(
        (
            ("java.lang.Long", "longValue"),
            ("java.lang.Integer", "intValue"),
            ("java.lang.Boolean", "booleanValue"),
            ("java.lang.Double", "doubleValue"),
        )
    )
    source = c.pick(
        (
            'the return value of "java.util.Map.get(Object)"',
            f'the return value of "{c.app("domain").fqcn}.{c.getter()}()"',
            f'"{local(c, c.code.noun())}"',
        )
    )
    site = c.frame(c.pick(("service", "support", "domain")))
    message = helpful(c, f'Cannot invoke "{boxed}.{primitive}()" because {source} is null')
    return c.fail(
        NPE,
        message,
        [site],
        cause=c.text(".cause", boxed_simple=boxed.rsplit('.', 1)[-1], site=site),
        fix=c.text(".fix"),
    )


@template("NullPointerException", "npe.map_rejects_null")
def map_rejects_null(c: Ctx) -> Incident:
    if c.chance(0.6):
        throw = c.chain(".throw")
        what = "ConcurrentHashMap"
    else:
        throw = c.chain(".throw_2")
        what = "Properties"
    site = c.frame(c.pick(("support", "service", "config", "util")))
    return c.fail(NPE, None, [site], throw, cause=c.text(".cause", site=site, what=what), fix=c.text(".fix", what=what))


# A JDK 8 API; min_jdk 7 keeps the JDK 7 rows corpus.yaml has always drawn (JDK 6 has none).
@template("NullPointerException", "npe.comparator_null_key", min_jdk=7)
def comparator_null_key(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    if c.chance(0.4):
        throw.append(c.j("java.util.Collections.sort", (177, 145, 145, 145)))
    site = c.frame(c.pick(("service", "support", "batch")))
    key = c.code.noun()
    message = helpful(c, c.message(".message"))
    return c.fail(NPE, message, [site], throw, cause=c.text(".cause", site=site, key=key), fix=c.text(".fix", key=key))


# A JDK 8 API; min_jdk 7 keeps the JDK 7 rows corpus.yaml has always drawn (JDK 6 has none).
@template("NullPointerException", "npe.stream_lambda", min_jdk=7)
def stream_lambda(c: Ctx) -> Incident:
    owner = c.app(c.pick(("service", "support")))
    method = c.verb()
    getter = c.getter()
    lam = owner.at(f"lambda${method}${c.randint(0, 4)}", c.code.line())
    caller = owner.at(method, lam.line - c.randint(1, 6) if lam.line and lam.line > 30 else 40)
    value_type = c.app("domain")
    message = helpful(
        c, f'Cannot invoke "{value_type.fqcn}.{getter}()" because "{c.pick(("e", "it", "x", "item"))}" is null'
    )
    return c.fail(
        NPE,
        message,
        [lam, *c.jdk.stream_collect(), caller],
        cause=c.text(".cause", method=method, value_type=value_type, getter=getter),
        fix=c.text(".fix"),
    )


@template("NullPointerException", "npe.switch_on_null")
def switch_on_null(c: Ctx) -> Incident:
    site = c.frame(c.pick(("service", "support", "domain")))
    if c.chance(0.5):
        enum = c.app("domain", c.pick(("Status", "TxType", "Channel", "Mode", "State", "Kind")))
        message = helpful(c, f'Cannot invoke "{enum.fqcn}.ordinal()" because "{local(c, "type")}" is null')
        what = f"enum {enum.simple}"
    else:
        message = helpful(c, f'Cannot invoke "String.hashCode()" because "{local(c, "code")}" is null')
        what = "String"
    return c.fail(NPE, message, [site], cause=c.text(".cause", site=site, what=what), fix=c.text(".fix"))


@template("NullPointerException", "npe.array_field")
def array_field(c: Ctx) -> Incident:
    field = c.pick(("slots", "buckets", "buffer", "entries", "rates", "limits", "weights", "columns"))
    access = c.pick(
        (
            f'Cannot load from object array because "this.{field}" is null',
            f'Cannot read the array length because "this.{field}" is null',
            f'Cannot store to int array because "this.{field}" is null',
            f'Cannot load from double array because "{local(c, field)}" is null',
        )
    )
    site = c.frame(c.pick(("domain", "support", "util")))
    return c.fail(
        NPE,
        helpful(c, access),
        [site],
        cause=c.text(".cause", field=field, site=site),
        fix=c.text(".fix", field=field),
    )


# A JDK 8 API; min_jdk 7 keeps the JDK 7 rows corpus.yaml has always drawn (JDK 6 has none).
@template("NullPointerException", "npe.optional_of_null", min_jdk=7)
def optional_of_null(c: Ctx) -> Incident:
    if c.chance(0.5):
        throw = [*require_non_null(c, False), *c.chain(".throw")]
        throw = [f for f in throw if f.line != 0]
        api = "Optional.of"
    else:
        throw = [c.j("java.io.File.<init>", (277, 278, 278, 320))]
        api = "new File"
    site = c.frame(c.pick(("service", "support", "repository", "util")))
    return c.fail(NPE, None, [site], throw, cause=c.text(".cause", site=site, api=api), fix=c.text(".fix", api=api))
