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
        cause=c.t(
            f"{holder.simple}.{getter}() returned null and {site.method} called {call}() on it without a check",
            f"{holder.simple}.{getter}()가 null을 반환했는데 {site.method}에서 검사 없이 {call}()를 호출함",
        ),
        fix=c.t(
            f"Handle a missing {getter[3:]} in {site.method} (null check or Optional), or make sure it is always set",
            f"{site.method}에서 {getter[3:]} 값이 없는 경우를 처리(null 검사/Optional)하거나 항상 채워지도록 수정",
        ),
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
        cause=c.t(
            f"Field {field} of {site.cls.rsplit('.', 1)[-1]} is null: the object was created with new or "
            f"the dependency was never injected",
            f"{site.cls.rsplit('.', 1)[-1]}의 {field} 필드가 null: 객체를 new로 생성했거나 의존성이 주입되지 않음",
        ),
        fix=c.t(
            f"Inject {dependency.simple} through the constructor and obtain {site.cls.rsplit('.', 1)[-1]} from the "
            f"container instead of new",
            f"{dependency.simple}를 생성자 주입으로 받고 {site.cls.rsplit('.', 1)[-1]}는 new 대신 컨테이너에서 "
            "주입받도록 수정",
        ),
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
        cause=c.t(
            f"String {name} is null when {site.method} calls {call.split('(')[0]}() (absent input or field)",
            f"{site.method}에서 {call.split('(')[0]}() 호출 시 문자열 {name}이(가) null (입력 값 누락)",
        ),
        fix=c.t(
            f'Validate {name} before use in {site.method}, or use a null-safe check such as "x".equals({name})',
            f'{site.method}에서 {name}을(를) 사용 전에 검증하거나 "x".equals({name}) 같은 null 안전 비교로 변경',
        ),
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
        cause=c.t(
            f"{caller.method} passed a null {noun} to new {owner.simple}(...), which rejects null",
            f"{caller.method}에서 null인 {noun}을(를) new {owner.simple}(...)에 전달함",
        ),
        fix=c.t(
            f"Make sure {noun} is set before {caller.method} constructs {owner.simple}; validate the input earlier",
            f"{caller.method}에서 {owner.simple} 생성 전에 {noun} 값을 채우거나 입력 단계에서 검증",
        ),
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
        cause=c.t(
            f"A null {boxed.rsplit('.', 1)[-1]} was auto-unboxed to a primitive in {site.method}",
            f"{site.method}에서 null인 {boxed.rsplit('.', 1)[-1]} 값이 기본형으로 자동 언박싱됨",
        ),
        fix=c.t(
            "Check for null (or use getOrDefault / a default value) before unboxing",
            "언박싱 전에 null 검사 또는 getOrDefault/기본값 사용",
        ),
    )


@template("NullPointerException", "npe.map_rejects_null")
def map_rejects_null(c: Ctx) -> Incident:
    if c.chance(0.6):
        throw = [
            c.j("java.util.concurrent.ConcurrentHashMap.putVal", (1011, 1011, 1075, 1075)),
            c.j("java.util.concurrent.ConcurrentHashMap.put", (1006, 1006, 1069, 1069)),
        ]
        what = "ConcurrentHashMap"
    else:
        throw = [
            c.j("java.util.Hashtable.put", (460, 475, 476, 481)),
            c.j("java.util.Properties.setProperty", (166, 225, 236, 238)),
        ]
        what = "Properties"
    site = c.frame(c.pick(("support", "service", "config", "util")))
    return c.fail(
        NPE,
        None,
        [site],
        throw,
        cause=c.t(
            f"{site.method} put a null key or value into a {what}, which does not accept null",
            f"{site.method}에서 null 키나 값을 {what}에 넣음 ({what}는 null 불가)",
        ),
        fix=c.t(
            f"Skip or default null entries before putting them into the {what}",
            f"{what}에 넣기 전에 null 항목을 건너뛰거나 기본값으로 대체",
        ),
    )


# A JDK 8 API; min_jdk 7 keeps the JDK 7 rows corpus.yaml has always drawn (JDK 6 has none).
@template("NullPointerException", "npe.comparator_null_key", min_jdk=7)
def comparator_null_key(c: Ctx) -> Incident:
    throw = [
        c.j("java.util.Comparator.lambda$comparing$77a9974f$1", (469, 469, 473, 473)),
        c.j("java.util.TimSort.countRunAndMakeAscending", (355, 355, 355, 355)),
        c.j("java.util.TimSort.sort", (220, 220, 220, 220)),
        c.j("java.util.Arrays.sort", (1512, 1515, 1307, 1307)),
        c.j("java.util.ArrayList.sort", (1462, 1750, 1721, 1805)),
    ]
    if c.chance(0.4):
        throw.append(c.j("java.util.Collections.sort", (177, 145, 145, 145)))
    site = c.frame(c.pick(("service", "support", "batch")))
    key = c.code.noun()
    message = helpful(
        c,
        'Cannot invoke "java.lang.Comparable.compareTo(Object)" because the return value of '
        '"java.util.function.Function.apply(Object)" is null',
    )
    return c.fail(
        NPE,
        message,
        [site],
        throw,
        cause=c.t(
            f"Sorting in {site.method} compared elements whose {key} is null",
            f"{site.method}의 정렬 중 {key} 값이 null인 요소를 비교함",
        ),
        fix=c.t(
            f"Use Comparator.nullsLast(...) for {key} or filter out elements without it before sorting",
            f"{key}에 Comparator.nullsLast(...)를 쓰거나 정렬 전에 값이 없는 요소를 제외",
        ),
    )


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
        cause=c.t(
            f"The list mapped in {method} contains a null {value_type.simple}; the lambda calls {getter}() on it",
            f"{method}에서 매핑하는 리스트에 null인 {value_type.simple}가 있어 람다에서 {getter}() 호출 시 실패",
        ),
        fix=c.t(
            "Filter nulls (filter(Objects::nonNull)) or stop adding null elements to the list",
            "filter(Objects::nonNull)로 null을 거르거나 리스트에 null이 들어가지 않도록 수정",
        ),
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
    return c.fail(
        NPE,
        message,
        [site],
        cause=c.t(
            f"switch in {site.method} received a null {what}", f"{site.method}의 switch 문에 null {what} 값이 전달됨"
        ),
        fix=c.t(
            "Check the value for null before the switch (or give it a default)",
            "switch 전에 null 여부를 확인하거나 기본값을 지정",
        ),
    )


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
        cause=c.t(
            f"Array {field} was never initialised before {site.method} used it",
            f"{site.method}에서 사용하기 전에 배열 {field}가 초기화되지 않음",
        ),
        fix=c.t(
            f"Initialise {field} in the constructor (or lazily before first use)",
            f"생성자에서 {field}를 초기화하거나 최초 사용 전에 생성",
        ),
    )


# A JDK 8 API; min_jdk 7 keeps the JDK 7 rows corpus.yaml has always drawn (JDK 6 has none).
@template("NullPointerException", "npe.optional_of_null", min_jdk=7)
def optional_of_null(c: Ctx) -> Incident:
    if c.chance(0.5):
        throw = [
            *require_non_null(c, False),
            c.j("java.util.Optional.<init>", (96, 107, 113, 0)),
            c.j("java.util.Optional.of", (108, 120, 125, 113)),
        ]
        throw = [f for f in throw if f.line != 0]
        api = "Optional.of"
    else:
        throw = [c.j("java.io.File.<init>", (277, 278, 278, 320))]
        api = "new File"
    site = c.frame(c.pick(("service", "support", "repository", "util")))
    return c.fail(
        NPE,
        None,
        [site],
        throw,
        cause=c.t(
            f"{site.method} passed null to {api}, which rejects null",
            f"{site.method}에서 null을 {api}에 전달함 (null 허용 안 됨)",
        ),
        fix=c.t(
            f"Use Optional.ofNullable / check the value before calling {api}",
            f"Optional.ofNullable을 사용하거나 {api} 호출 전에 값 검사",
        ),
    )
