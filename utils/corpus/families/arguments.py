"""IllegalArgumentException, IllegalStateException, UnsupportedOperationException and plain RuntimeException:
the JDK/library methods that reject arguments or states, and application code that throws them itself."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.families import stacks
from utils.corpus.model import Incident, Thrown, template

IAE = "java.lang.IllegalArgumentException"
ISE = "java.lang.IllegalStateException"
UOE = "java.lang.UnsupportedOperationException"
RTE = "java.lang.RuntimeException"


def short(cls: str) -> str:
    return cls.rsplit(".", 1)[-1]


# ----------------------------------------------------------------------------------------- IllegalArgumentException


@template("IllegalArgumentException", "iae.app_validation")
def app_validation(c: Ctx) -> Incident:
    validator = c.app("support", f"{c.code.stem}Validator") if c.bank else c.app("support")
    check = validator.at(c.pick(("validate", "checkArgument", "requirePositive", "verify")), c.code.line())
    caller = c.frame(c.pick(("service", "controller", "batch")))
    noun = c.code.noun()
    value = c.pick((f"-{c.amount()}", "0", "''", f"{c.randint(10000, 99999999)}", "null", "ABC-12"))
    message = c.pick(
        (
            f"{noun} must be positive: {value}",
            f"Invalid {noun}: {value}",
            f"{noun} out of range: {value}",
            c.text(".message", noun=noun, value=value),
        )
    )
    return c.fail(
        IAE,
        message,
        [check, caller],
        fault=1,
        cause=c.text(".cause", caller=caller, noun=noun, value=value, check=check),
        fix=c.text(".fix", noun=noun, caller=caller, value=value),
    )


@template("IllegalArgumentException", "iae.precondition_helper")
def precondition_helper(c: Ctx) -> Incident:
    noun = c.code.noun()
    value = c.pick(("-1", "0", f"{c.randint(100, 999999)}", "''"))
    helper = c.pick(("guava", "spring", "commons"))
    if helper == "guava":
        throw = [c.lib("com.google.common.base.Preconditions.checkArgument", c.pick((122, 141, 217, 383)))]
        message = c.pick((None, f"{noun} must be positive but was {value}", f"{noun} out of range: {value}"))
    elif helper == "spring":
        which, line = c.pick((("isTrue", 121), ("notNull", 201), ("hasText", 289), ("notEmpty", 338)))
        throw = [c.lib(f"org.springframework.util.Assert.{which}", line)]
        message = {
            "isTrue": f"{noun} must be greater than 0",
            "notNull": f"'{noun}' must not be null",
            "hasText": f"'{noun}' must not be empty",
            "notEmpty": f"{noun} must not be empty",
        }[which]
        if which == "isTrue" and c.chance(0.3):
            message = "[Assertion failed] - this expression must be true"
    else:
        throw = [c.lib("org.apache.commons.lang3.Validate.isTrue", c.pick((158, 136)))]
        message = f"The value must be greater than zero: {value}"
    site = c.frame(c.pick(("domain", "service", "support")))
    caller = c.frame(c.pick(("service", "controller", "batch")))
    return c.fail(
        IAE,
        message,
        [site, caller],
        throw,
        cause=c.text(".cause", site=site, noun=noun, value=value),
        fix=c.text(".fix", noun=noun, site=site, value=value),
    )


@template("IllegalArgumentException", "iae.enum_value_of")
def enum_value_of(c: Ctx) -> Incident:
    enum = c.app("domain", c.pick(("PaymentStatus", "TxType", "Channel", "CurrencyCode", "Mode", "Level", "Kind")))
    constant = c.pick(("DONE", "Completed", "wire", "KRW1", "", "UNKNOWN", "debit", "N"))
    throw = [c.j("java.lang.Enum.valueOf", (238, 240, 273, 293))]
    synthetic = enum.at("valueOf", c.randint(3, 12))
    caller = c.frame(c.pick(("support", "service", "repository", "listener")))
    return c.fail(
        IAE,
        f"No enum constant {enum.fqcn}.{constant}",
        [synthetic, caller],
        throw,
        fault=1,
        cause=c.text(".cause", caller=caller, enum=enum, constant=constant),
        fix=c.text(".fix", enum=enum),
    )


@template("IllegalArgumentException", "iae.regex_syntax")
def regex_syntax(c: Ctx) -> Incident:
    pattern, index, problem = c.pick(
        (
            ("(\\d{3}-\\d{4}", 12, "Unclosed group"),
            ("*.csv", 0, "Dangling meta character '*'"),
            ("[A-Z", 3, "Unclosed character class"),
            ("{date}_\\d+", 0, "Illegal repetition"),
            ("+82-10", 0, "Dangling meta character '+'"),
        )
    )
    message = f"{problem} near index {index}\n{pattern}\n{' ' * index}^"
    throw = [
        c.j("java.util.regex.Pattern.error", (1957, 2028, 2028, 2054)),
        c.j(
            "java.util.regex.Pattern.accept" if problem == "Unclosed group" else "java.util.regex.Pattern.sequence",
            (1815, 1873, 1873, 1899),
        ),
        *c.chain(".throw"),
    ]
    if c.chance(0.5):
        throw += c.chain(".throw_2")
    site = c.frame(c.pick(("util", "support", "service")))
    return c.fail(
        "java.util.regex.PatternSyntaxException",
        message,
        [site],
        throw,
        cause=c.text(".cause", site=site, pattern=pattern, problem=problem),
        fix=c.text(".fix"),
    )


# A JDK 8 API; min_jdk 7 keeps the JDK 7 rows corpus.yaml has always drawn (JDK 6 has none).
@template("IllegalArgumentException", "iae.date_out_of_range", min_jdk=7)
def date_out_of_range(c: Ctx) -> Incident:
    if c.chance(0.5):
        field, valid, value = c.pick(
            (
                ("MonthOfYear", "1 - 12", 13),
                ("DayOfMonth", "1 - 28/31", 32),
                ("HourOfDay", "0 - 23", 24),
                ("MinuteOfHour", "0 - 59", 60),
            )
        )
        message = f"Invalid value for {field} (valid values {valid}): {value}"
        throw = c.chain(".throw")
    else:
        message = c.pick(c.values(".message"))
        throw = c.chain(".throw_2")
    site = c.frame(c.pick(("util", "support", "domain", "batch")))
    return c.fail(
        "java.time.DateTimeException",
        message,
        [site],
        throw,
        cause=c.text(".cause", site=site, message_head=message.split(':')[0]),
        fix=c.text(".fix"),
    )


# A JDK 8 API; min_jdk 7 keeps the JDK 7 rows corpus.yaml has always drawn (JDK 6 has none).
@template("IllegalArgumentException", "iae.parse_invalid_date", min_jdk=7)
def parse_invalid_date(c: Ctx) -> Incident:
    text = c.pick(("2024-02-30", "2023-02-29", "2024-04-31", "2024-13-01"))
    inner = (
        "Invalid date 'FEBRUARY 30'"
        if text.endswith("02-30")
        else (
            "Invalid date 'February 29' as '2023' is not a leap year"
            if text.startswith("2023")
            else "Invalid date 'APRIL 31'"
            if text.endswith("04-31")
            else "Invalid value for MonthOfYear (valid values 1 - 12): 13"
        )
    )
    deep = c.chain(".deep")
    site = c.frame(c.pick(("util", "support", "controller", "batch")))
    wrapper = Wrap(
        "java.time.format.DateTimeParseException",
        f"Text '{text}' could not be parsed: {inner}",
        at="java.time.format.DateTimeFormatter.parse",
        line_delta=4,
        top=[c.j("java.time.format.DateTimeFormatter.createError", (1920, 2017, 2023, 2077))],
    )
    return c.fail(
        "java.time.DateTimeException",
        inner,
        [site],
        deep,
        wraps=[wrapper],
        cause=c.text(".cause", text=text, site=site),
        fix=c.text(".fix"),
    )


# A JDK 8 API; min_jdk 7 keeps the JDK 7 rows corpus.yaml has always drawn (JDK 6 has none).
@template("IllegalArgumentException", "iae.base64", min_jdk=7)
def base64(c: Ctx) -> Incident:
    message = c.pick(
        (
            f"Illegal base64 character {c.pick(('2d', '5f', '20', '3a', '2e'))}",
            "Input byte array has wrong 4-byte ending unit",
            "Last unit does not have enough valid bits",
            "Input byte[] should at least have 2 bytes for base64 bytes",
        )
    )
    throw = c.chain(".throw")
    site = c.frame(c.pick(("util", "support", "client", "gateway")))
    return c.fail(IAE, message, [site], throw, cause=c.text(".cause", site=site), fix=c.text(".fix"))


@template("IllegalArgumentException", "iae.placeholder", contexts=("main",), codebases=("bank",))
def placeholder(c: Ctx) -> Incident:
    key = c.pick(c.values(".key"))
    bean = c.app("config") if c.chance(0.5) else c.app("client")
    throw = [*c.chain(".throw"), *stacks.bean_creation(c, c.pick((1, 2))), *stacks.context_refresh(c)]
    name = bean.simple[:1].lower() + bean.simple[1:]
    message = f"Could not resolve placeholder '{key}' in value \"${{{key}}}\""
    field = c.text(".field", message=message)
    wrapper = Wrap(
        "org.springframework.beans.factory.BeanCreationException",
        f"Error creating bean with name '{name}': {field}",
        at="org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory.populateBean",
        top=c.chain(".top"),
    )
    stack = throw
    chain = [Thrown(IAE, message, stack)]
    fault = bean.at("<init>", c.randint(15, 60))
    return c.incident(
        chain,
        wraps=[wrapper],
        auto_wrap=False,
        fault=fault,
        fault_in_trace=False,
        cause=c.text(".cause", key=key, bean=bean),
        fix=c.text(".fix", key=key),
    )


@template("IllegalArgumentException", "iae.reflection_mismatch")
def reflection_mismatch(c: Ctx) -> Incident:
    util = c.app("util", "ReflectionUtils" if c.bank else None) if c.bank else c.code.other_cls()
    site = util.at(c.pick(("invoke", "invokeSetter", "copyProperty", "applyValue")), c.code.line())
    caller = c.frame(c.pick(("support", "service", "batch")))
    message = c.pick(
        ("argument type mismatch", "wrong number of arguments", "object is not an instance of declaring class")
    )
    throw = c.jdk.reflect_invoke()
    if c.jdk.version != 21:
        throw = throw[:1] + throw[1:]
    return c.fail(
        IAE,
        message,
        [site, caller],
        throw,
        fault=1,
        cause=c.text(".cause", caller=caller, message=message),
        fix=c.text(".fix"),
    )


@template("IllegalArgumentException", "iae.math_argument", codebases=("oss",))
def math_argument(c: Ctx) -> Incident:
    math3 = "org.apache.commons.math3"
    exception, message, throw = c.pick(
        (
            (
                f"{math3}.exception.NotStrictlyPositiveException",
                "invalid number of points: 0 (must be positive)",
                c.chain(".exception_message_throw"),
            ),
            (
                f"{math3}.exception.DimensionMismatchException",
                f"{c.randint(3, 9)} != {c.randint(1, 2)}",
                c.chain(".exception_message_throw_2"),
            ),
            (
                f"{math3}.exception.OutOfRangeException",
                f"{c.randint(2, 9) / 2} out of [0, 1] range",
                [c.lib(f"{math3}.distribution.AbstractRealDistribution.inverseCumulativeProbability", 120)],
            ),
            (
                f"{math3}.exception.NumberIsTooSmallException",
                f"insufficient data: only 1 rows and {c.randint(2, 5)} columns.",
                [c.lib(f"{math3}.stat.regression.AbstractMultipleLinearRegression.validateSampleData", 193)],
            ),
            (f"{math3}.exception.NoDataException", "no data", [c.lib(f"{math3}.util.MathArrays.verifyValues", 1578)]),
        )
    )
    site = c.frame("service")
    return c.fail(
        exception,
        message,
        [site],
        throw,
        cause=c.text(".cause", site=site, message=message),
        fix=c.text(".fix", site=site),
    )


@template("IllegalArgumentException", "iae.capacity_or_charset")
def capacity_or_charset(c: Ctx) -> Incident:
    kind = c.pick(("list", "map", "random", "charset", "charset_name"))
    if kind == "list":
        throw, message = (
            [c.j("java.util.ArrayList.<init>", (157, 160, 156, 156))],
            f"Illegal Capacity: -{c.randint(1, 40)}",
        )
    elif kind == "map":
        throw, message = (
            [c.j("java.util.HashMap.<init>", (448, 452, 454, 458))],
            f"Illegal initial capacity: -{c.randint(1, 40)}",
        )
    elif kind == "random":
        throw, message = [c.j("java.util.Random.nextInt", (388, 388, 322, 550))], "bound must be positive"
    elif kind == "charset":
        name = c.pick(("EUC_KR", "MS949x", "x-unknown", "KSC5601-87"))
        throw, message = [c.j("java.nio.charset.Charset.forName", (531, 529, 528, 543))], name
    else:
        name = c.pick(("UTF 8", "utf8 ", "EUC KR"))
        throw = c.chain(".throw")
        message = name
    exception = {
        "charset": "java.nio.charset.UnsupportedCharsetException",
        "charset_name": "java.nio.charset.IllegalCharsetNameException",
    }.get(kind, IAE)
    site = c.frame(c.pick(("util", "support", "service")))
    what = {
        "list": "a negative list capacity",
        "map": "a negative map capacity",
        "random": "a non-positive bound",
        "charset": f"an unknown charset name {message}",
        "charset_name": f"an invalid charset name '{message}'",
    }[kind]
    return c.fail(exception, message, [site], throw, cause=c.text(".cause", site=site, what=what), fix=c.text(".fix"))


# ------------------------------------------------------------------------------------------- IllegalStateException


@template("IllegalStateException", "ise.app_state")
def app_state(c: Ctx) -> Incident:
    entity = c.app("domain")
    site = entity.at(c.pick(("complete", "cancel", "approve", "settle", "close", "commit", "start")), c.code.line())
    state = c.pick(("COMPLETED", "CANCELLED", "CLOSED", "SETTLED", "FAILED", "STOPPED"))
    ident = c.tx_id() if c.bank else str(c.randint(1, 9999))
    message = c.pick(
        (
            f"{entity.simple} {ident} is already {state}",
            f"Cannot {site.method} {entity.simple} in state {state}",
            f"Illegal state transition {state} -> {site.method.upper()}",
            c.text(".message", entity=entity, ident=ident),
        )
    )
    caller = c.frame("service")
    return c.fail(
        ISE,
        message,
        [site, caller],
        cause=c.text(".cause", caller=caller, site=site, entity=entity, state=state),
        fix=c.text(".fix", site=site),
    )


@template("IllegalStateException", "ise.check_state")
def check_state(c: Ctx) -> Incident:
    noun = c.code.noun()
    if c.chance(0.6):
        throw = [c.lib("com.google.common.base.Preconditions.checkState", c.pick((173, 444, 508, 588)))]
    else:
        throw = [c.lib("org.springframework.util.Assert.state", c.pick((76, 97)))]
    message = c.pick(
        (
            None,
            f"{noun} not initialized",
            f"{c.type_name()} has been closed",
            "not started",
            f"expected state RUNNING but was {c.pick(('NEW', 'STOPPED', 'FAILED'))}",
        )
    )
    site = c.frame(c.pick(("domain", "support", "service")))
    return c.fail(
        ISE,
        message,
        [site],
        throw,
        cause=c.text(".cause", site=site, type_name=c.type_name(), reason=message or c.text(".no_message")),
        fix=c.text(".fix", site=site),
    )


@template("IllegalStateException", "ise.iterator_remove")
def iterator_remove(c: Ctx) -> Incident:
    throw = [c.j("java.util.ArrayList$Itr.remove", (865, 1009, 980, 1062))]
    site = c.frame(c.pick(("service", "support", "domain")))
    return c.fail(ISE, None, [site], throw, cause=c.text(".cause", site=site), fix=c.text(".fix"))


@template("IllegalStateException", "ise.stream_reused", min_jdk=8)
def stream_reused(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    site = c.frame(c.pick(("service", "support")))
    return c.fail(
        ISE,
        "stream has already been operated upon or closed",
        [site],
        throw,
        cause=c.text(".cause", site=site),
        fix=c.text(".fix"),
    )


@template("IllegalStateException", "ise.duplicate_key", min_jdk=8)
def duplicate_key(c: Ctx) -> Incident:
    key = c.account_no() if c.bank else c.pick(("default", "id", "node-1", "en_US"))
    if c.jdk.version <= 8:
        throw = c.chain(".throw")
        message = f"Duplicate key {c.type_name()}@{c.randint(0x10000000, 0x7FFFFFFF):x}"
    else:
        throw = c.chain(".throw_2")
        message = f"Duplicate key {key} (attempted merging values {c.type_name()}@1a2b3c and {c.type_name()}@4d5e6f)"
    throw += [c.j("java.util.stream.ReduceOps$3ReducingSink.accept", (169, 169, 169, 169)), *c.jdk.stream_collect()[1:]]
    site = c.frame(c.pick(("service", "support", "repository")))
    return c.fail(ISE, message, [site], throw, cause=c.text(".cause", site=site, key=key), fix=c.text(".fix"))


@template("IllegalStateException", "ise.queue_or_matcher")
def queue_or_matcher(c: Ctx) -> Incident:
    if c.chance(0.5):
        throw = c.chain(".throw")
        message, what = ("Queue full", c.text(".message_what"))
        fix = c.text(".fix")
    else:
        throw = c.chain(".throw_2")
        message, what = ("No match found", c.text(".message_what_2"))
        fix = c.text(".fix_2")
    site = c.frame(c.pick(("util", "support", "service", "gateway")))
    return c.fail(ISE, message, [site], throw, cause=c.text(".cause", site=site, what=what), fix=fix)


@template("IllegalStateException", "ise.response_committed", contexts=("web",))
def response_committed(c: Ctx) -> Incident:
    throw = [c.lib("org.apache.catalina.connector.ResponseFacade.sendError", c.pick((472, 485)))]
    site = c.frame("controller")
    return c.fail(
        ISE,
        "Cannot call sendError() after the response has been committed",
        [site],
        throw,
        cause=c.text(".cause", site=site),
        fix=c.text(".fix"),
    )


@template(
    "IllegalStateException",
    "ise.no_request_bound",
    contexts=("executor", "kafka", "scheduled", "batch"),
    codebases=("bank",),
)
def no_request_bound(c: Ctx) -> Incident:
    throw = [c.lib("org.springframework.web.context.request.RequestContextHolder.currentRequestAttributes", 131)]
    site = c.frame(c.pick(("support", "service")), c.pick(("currentUser", "clientIp", "auditInfo", "channelCode")))
    message = (
        c.message(".message")
    )
    return c.fail(ISE, message, [site], throw, cause=c.text(".cause", site=site, context=c.context), fix=c.text(".fix"))


@template("IllegalStateException", "ise.task_cancelled")
def task_cancelled(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    site = c.frame(c.pick(("service", "support", "scheduler")))
    return c.fail(
        "java.util.concurrent.CancellationException",
        None,
        [site],
        throw,
        cause=c.text(".cause", site=site),
        fix=c.text(".fix"),
    )


@template("IllegalStateException", "ise.lock_not_owner")
def lock_not_owner(c: Ctx) -> Incident:
    if c.chance(0.5):
        throw = c.chain(".throw")
        message = None
    else:
        throw = [c.j("java.lang.Object.notifyAll" if c.chance(0.5) else "java.lang.Object.wait", native=True)]
        message = "current thread is not owner" if c.jdk.at_least(11) else None
    site = c.frame(c.pick(("support", "service", "domain")))
    return c.fail(
        "java.lang.IllegalMonitorStateException",
        message,
        [site],
        throw,
        cause=c.text(".cause", site=site),
        fix=c.text(".fix"),
    )


@template("IllegalStateException", "ise.circular_reference", contexts=("main",), codebases=("bank",))
def circular_reference(c: Ctx) -> Incident:
    first = c.app("service")
    second = c.app("support")
    name_a = first.simple[:1].lower() + first.simple[1:]
    name_b = second.simple[:1].lower() + second.simple[1:]
    deep = [*c.chain(".deep"), *stacks.bean_creation(c, 3), *stacks.context_refresh(c)]
    stack = deep
    root = Thrown(
        "org.springframework.beans.factory.BeanCurrentlyInCreationException",
        c.message(".root", name_a=name_a),
        stack,
    )
    unsatisfied = "org.springframework.beans.factory.UnsatisfiedDependencyException"
    wraps = [
        Wrap(
            unsatisfied,
            lambda inner: (
                c.message(".wraps", name_b=name_b, inner_to_string=inner.to_string())
            ),
            at="org.springframework.beans.factory.support.ConstructorResolver.createArgumentArray",
        ),
        Wrap(
            unsatisfied,
            lambda inner: (
                c.message(".wraps_2", name_a=name_a, inner_to_string=inner.to_string())
            ),
            at="org.springframework.beans.factory.support.ConstructorResolver.createArgumentArray",
        ),
    ]
    fault = first.at("<init>", c.randint(20, 60))
    return c.incident(
        [root],
        wraps=wraps,
        auto_wrap=False,
        fault=fault,
        fault_in_trace=False,
        cause=c.text(".cause", first=first, second=second),
        fix=c.text(".fix"),
    )


# ------------------------------------------------------------------------------------ UnsupportedOperationException


@template("UnsupportedOperationException", "uoe.immutable_list", min_jdk=11)
def immutable_list(c: Ctx) -> Incident:
    op = c.pick(("add", "remove", "set", "addAll", "clear", "sort"))
    throw = [
        c.j("java.util.ImmutableCollections.uoe", (0, 71, 142, 159)),
        c.j(
            f"java.util.ImmutableCollections$AbstractImmutableCollection.{op}"
            if op in ("add", "remove", "addAll", "clear")
            else f"java.util.ImmutableCollections$AbstractImmutableList.{op}",
            (0, 75, 147, 258),
        ),
    ]
    site = c.frame(c.pick(("service", "support", "domain", "batch")))
    source = c.pick(("List.of(...)", "Stream.toList()", "Collectors.toUnmodifiableList()", "Map.of(...)"))
    return c.fail(UOE, None, [site], throw, cause=c.text(".cause", site=site, op=op, source=source), fix=c.text(".fix"))


@template("UnsupportedOperationException", "uoe.unmodifiable_view")
def unmodifiable_view(c: Ctx) -> Incident:
    op, lines = c.pick(
        (
            ("add", (1055, 1058, 1067, 1091)),
            ("remove", (1058, 1061, 1070, 1094)),
            ("addAll", (1064, 1067, 1076, 1100)),
            ("clear", (1076, 1079, 1088, 1112)),
        )
    )
    throw = [c.j(f"java.util.Collections$UnmodifiableCollection.{op}", lines)]
    getter = c.getter() + "s"
    site = c.frame(c.pick(("service", "support", "batch")))
    return c.fail(
        UOE,
        None,
        [site],
        throw,
        cause=c.text(".cause", site=site, getter=getter),
        fix=c.text(".fix", getter=getter),
    )


@template("UnsupportedOperationException", "uoe.arrays_as_list")
def arrays_as_list(c: Ctx) -> Incident:
    op = c.pick(("add", "remove"))
    throw = c.chain(".throw") if op == "add" else c.chain(".throw_2")
    site = c.frame(c.pick(("service", "support", "util")))
    source = c.pick(("Arrays.asList(...)", "Collections.emptyList()", "Collections.singletonList(...)"))
    return c.fail(UOE, None, [site], throw, cause=c.text(".cause", site=site, source=source), fix=c.text(".fix"))


@template("UnsupportedOperationException", "uoe.not_implemented")
def not_implemented(c: Ctx) -> Incident:
    owner = c.app(c.pick(("client", "support", "domain", "repository")))
    method = c.verb(c.pick(("client", "support")))
    site = owner.at(method, c.code.line())
    message = c.pick(
        (
            "Not supported yet.",
            "Not implemented",
            f"{method} is not supported by {owner.simple}",
            c.text(".message", choice=c.pick(('JPY', 'CNY', 'VND')), choice_2=c.pick(('JPY', 'CNY', 'VND'))),
            None,
        )
    )
    caller = c.frame("service")
    return c.fail(
        UOE,
        message,
        [site, caller],
        fault=0,
        cause=c.text(".cause", owner=owner, method=method, caller=caller),
        fix=c.text(".fix", method=method, owner=owner, caller=caller),
    )


@template("UnsupportedOperationException", "uoe.guava_immutable")
def guava_immutable(c: Ctx) -> Incident:
    op = c.pick(("add", "put", "remove"))
    cls = "com.google.common.collect.ImmutableMap" if op == "put" else "com.google.common.collect.ImmutableCollection"
    throw = [c.lib(f"{cls}.{op}", c.pick((267, 495, 281, 538)))]
    site = c.frame(c.pick(("service", "support", "config")))
    return c.fail(UOE, None, [site], throw, cause=c.text(".cause", site=site, op=op), fix=c.text(".fix"))


@template("UnsupportedOperationException", "uoe.iterator_remove")
def iterator_remove_default(c: Ctx) -> Incident:
    throw = [c.j("java.util.Iterator.remove", (102, 102, 102, 102))]
    owner = c.code.other_cls().inner(c.pick(("1", "Itr", "CursorIterator")))
    helper = owner.at(c.pick(("next", "hasNext")), c.code.line())
    site = c.frame(c.pick(("service", "support")))
    return c.fail(
        UOE,
        "remove",
        [site],
        throw,
        cause=c.text(".cause", site=site),
        fix=c.text(".fix"),
        extra={"helper": helper.qualified_method},
    )


@template("UnsupportedOperationException", "uoe.map_entry_set")
def map_entry_set(c: Ctx) -> Incident:
    if c.jdk.at_least(11):
        throw = c.chain(".throw")
        source = "Map.of(...)"
    else:
        throw = [c.j("java.util.Collections$UnmodifiableMap.put", (1457, 1457, 1505, 1529))]
        source = "Collections.unmodifiableMap(...)"
    site = c.frame(c.pick(("config", "support", "service")))
    return c.fail(UOE, None, [site], throw, cause=c.text(".cause", site=site, source=source), fix=c.text(".fix"))


# ---------------------------------------------------------------------------------------------- RuntimeException


def runtime(
    c: Ctx, site_role: str, message: str, cause: str, fix: str, fault: int = 0, caller_role: str = "service"
) -> Incident:
    site = c.frame(site_role)
    caller = c.frame(caller_role)
    return c.fail(RTE, message, [site, caller], fault=fault, cause=cause, fix=fix)


@template("RuntimeException", "rte.unexpected_response")
def unexpected_response(c: Ctx) -> Incident:
    status = c.pick((500, 502, 503, 504, 400, 409))
    system = (
        c.pick(("core banking", "KFTC gateway", "card network", "FX rate provider"))
        if c.bank
        else c.pick(("registry", "remote node", "metadata service"))
    )
    message = c.pick(
        (
            f"Unexpected response code {status} from {system}",
            f"{system} returned HTTP {status}",
            f"Call to {system} failed: status={status}",
        )
    )
    return runtime(
        c,
        "client",
        message,
        c.text(".result", system=system, status=status),
        c.text(".result_2", system=system, status=status),
    )


@template("RuntimeException", "rte.unknown_type")
def unknown_type(c: Ctx) -> Incident:
    value = c.pick(("ACCOUNT_FROZEN", "REFUND_PARTIAL", "FX_HOLD", "v3", "LEGACY", "CHARGEBACK", "X"))
    noun = c.pick(("event type", "message type", "transaction code", "record type", "format version"))
    message = c.pick((f"Unknown {noun}: {value}", f"Unsupported {noun} '{value}'", f"No handler for {noun} {value}"))
    return runtime(
        c,
        c.pick(("listener", "support", "gateway")),
        message,
        c.text(".result", noun=noun, value=value),
        c.text(".result_2", value=value),
        caller_role=c.pick(("listener", "service")),
    )


@template("RuntimeException", "rte.retry_exhausted")
def retry_exhausted(c: Ctx) -> Incident:
    attempts = c.randint(2, 5)
    action = c.pick(("settlement file upload", "ledger posting", "approval request", "flush", "lock acquisition"))
    message = c.pick(
        (
            f"Max retries ({attempts}) exceeded for {action}",
            f"Giving up {action} after {attempts} attempts",
            c.text(".message", action=action, attempts=attempts),
        )
    )
    return runtime(
        c,
        "util",
        message,
        c.text(".result", action=action, attempts=attempts),
        c.text(".result_2"),
        fault=1,
    )


@template("RuntimeException", "rte.config_missing")
def config_missing(c: Ctx) -> Incident:
    key = c.pick(
        ("bank.kftc.endpoint", "card.auth.merchant-id", "settlement.output-dir", "storage.path", "cluster.name")
    )
    message = c.pick(
        (f"Missing required configuration: {key}", f"Property {key} is not set", c.text(".message", key=key))
    )
    return runtime(
        c,
        "config",
        message,
        c.text(".result", key=key),
        c.text(".result_2", key=key),
        caller_role="service",
    )


@template("RuntimeException", "rte.test_double", contexts=("test",))
def test_double(c: Ctx) -> Incident:
    fake = c.app(
        "test",
        c.pick(("FakeLedgerGateway", "StubPaymentClient", "FailingStore", "BrokenTransport", f"Faulty{c.code.stem}")),
    )
    site = fake.at(c.pick(("send", "post", "write", "call", "flush")), c.code.line(15, 120))
    under_test = c.frame(c.pick(("service", "domain", "support")))
    message = c.pick(("boom", "test", "simulated failure", "Expected failure", "injected fault"))
    return c.fail(
        RTE,
        message,
        [site, under_test],
        fault=1,
        cause=c.text(".cause", fake=fake, under_test=under_test),
        fix=c.text(".fix", under_test=under_test),
    )


@template("RuntimeException", "rte.business_rule", codebases=("bank",))
def business_rule(c: Ctx) -> Incident:
    account = c.account_no()
    message = c.pick(
        (
            c.text(".message", account=account),
            c.text(".message_2", account=account),
            c.text(".message_3", number=c.randint(1000, 9999)),
            c.text(".message_4"),
        )
    )
    return runtime(c, "domain", message, c.text(".result", message=message), c.text(".result_2"))


@template("RuntimeException", "rte.wrapped_message_only")
def wrapped_message_only(c: Ctx) -> Incident:
    path = c.pick(c.values(".path"))
    detail = c.pick(("Connection reset", "Permission denied", "Stream closed", "timeout", "No space left on device"))
    message = c.pick(
        (f"Failed to read {path}: {detail}", f"Could not load {path} ({detail})", f"I/O error while processing {path}")
    )
    return runtime(
        c,
        c.pick(("support", "batch", "util")),
        message,
        c.text(".result", path=path, detail=detail),
        c.text(".result_2"),
    )


@template("RuntimeException", "rte.instantiation")
def instantiation(c: Ctx) -> Incident:
    target = c.code.other_cls()
    message = c.pick(
        (
            f"Could not instantiate {target.fqcn}",
            f"Cannot create instance of {target.simple}",
            f"Failed to create handler {target.fqcn}",
        )
    )
    return runtime(
        c,
        c.pick(("util", "support", "config")),
        message,
        c.text(".result", target=target),
        c.text(".result_2", target=target),
    )
