"""Text to numbers and dates: NumberFormatException, ArithmeticException and ParseException
(java.text.ParseException, java.time DateTimeParseException, generated parsers' ParseException)."""

from __future__ import annotations

from typing import Any

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.model import Incident, StackFrame, template

NFE = "java.lang.NumberFormatException"


def parse_int_frames(c: Ctx, kind: str = "int") -> list[StackFrame]:
    forinput = c.j("java.lang.NumberFormatException.forInputString", (65, 65, 67, 67))
    if kind == "long":
        return [forinput, *c.chain("numbers.parse_int_frames.result_2")]
    return [forinput, *c.chain("numbers.parse_int_frames.result")]


def nfe(
    c: Ctx, message: str, throw: list[StackFrame], value: str, roles: tuple[str, ...], *texts: str, **options: Any
) -> Incident:
    """`texts`: what the frame did and the fix, each in English then Korean."""
    return c.fail_in_role(roles, NFE, message, throw, texts, "numbers.nfe.cause", {"value": value}, **options)


@template("NumberFormatException", "nfe.non_digits")
def non_digits(c: Ctx) -> Incident:
    value = c.pick(("12a", "N/A", "abc", "1,000", "1000원", "0x1F", "3.5", "－１２", "KRW100", "TRUE"))
    throw = parse_int_frames(c)
    if c.chance(0.3):
        throw.append(c.j("java.lang.Integer.valueOf", (766, 983, 999, 991)))
    return nfe(
        c,
        f'For input string: "{value}"',
        throw,
        f'"{value}"',
        ("util", "support", "batch", "gateway"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("NumberFormatException", "nfe.empty_or_blank")
def empty_or_blank(c: Ctx) -> Incident:
    value = c.pick(("", " ", " 42", "42 ", "\t"))
    throw = parse_int_frames(c, c.pick(("int", "long")))
    if value == "" and c.jdk.version <= 8:
        throw = [throw[0], throw[1]] if c.chance(0.5) else throw
    return nfe(
        c,
        f'For input string: "{value}"',
        throw,
        f'"{value}"',
        ("util", "support", "batch", "controller"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("NumberFormatException", "nfe.long_overflow")
def long_overflow(c: Ctx) -> Incident:
    kind = c.pick(("int", "long"))
    value = (
        c.pick(("3000000000", "99999999999", "2147483648"))
        if kind == "int"
        else c.pick(("92233720368547758070", "123456789012345678901"))
    )
    return nfe(
        c,
        f'For input string: "{value}"',
        parse_int_frames(c, kind),
        f'"{value}"',
        ("util", "support", "domain"),
        *c.pair(".what", kind=kind),
        *c.pair(".fix"),
    )


@template("NumberFormatException", "nfe.parse_double")
def parse_double(c: Ctx) -> Incident:
    value = c.pick(("1,234.50", "12.5%", "", "1.2.3", "₩1000", "NaN%"))
    message = "empty String" if value == "" else f'For input string: "{value}"'
    package = "sun.misc" if c.jdk.version <= 8 else "jdk.internal.math"
    throw = [
        c.j(f"{package}.FloatingDecimal.readJavaFormatString", (2043, 2054, 2054, 2056)),
        c.j(f"{package}.FloatingDecimal.parseDouble", (110, 110, 110, 112)),
        c.j("java.lang.Double.parseDouble", (538, 543, 651, 792)),
    ]
    return nfe(c, message, throw, f'"{value}"', ("util", "support", "client"), *c.pair(".what"), *c.pair(".fix"))


@template("NumberFormatException", "nfe.big_decimal")
def big_decimal(c: Ctx) -> Incident:
    value = c.pick(("1,000", "12원", "", "1.000,50", " 100"))
    ch = next((x for x in value if not (x.isdigit() or x == ".")), " ")
    if c.jdk.version <= 8:
        message = None
    elif value == "":
        message = "Index 0 out of bounds for length 0"
    else:
        message = f'Character {ch} is neither a decimal digit number, decimal point, nor "e" notation exponential mark.'
    throw = c.chain(".throw")
    return nfe(c, message, throw, f'"{value}"', ("domain", "util", "support"), *c.pair(".what"), *c.pair(".fix"))


@template("NumberFormatException", "nfe.null_input")
def null_input(c: Ctx) -> Incident:
    message = "null" if c.jdk.version <= 11 else "Cannot parse null string: null"
    throw = c.chain(".throw")
    return nfe(
        c,
        message,
        throw,
        "null",
        ("controller", "support", "util", "config"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("NumberFormatException", "nfe.spring_conversion", contexts=("web",), codebases=("bank",))
def spring_conversion(c: Ctx) -> Incident:
    value = c.pick(("abc", "12,000", "undefined", "null", "1e3"))
    param = c.pick(("accountId", "page", "amount", "branchCode", "size"))
    controller = c.frame("controller")
    throw = [*parse_int_frames(c, "long"), *c.chain(".throw")]
    entry = c.entry()
    stack = [*throw, *entry.bottom[len(c.jdk.reflect_invoke()) + 2 :]]
    from utils.corpus.model import Thrown

    root = Thrown(NFE, f'For input string: "{value}"', stack)
    conversion = Wrap(
        "org.springframework.core.convert.ConversionFailedException",
        lambda inner: (
            c.message(".conversion", value=value, inner_to_string=inner.to_string())
        ),
        at="org.springframework.core.convert.support.ConversionUtils.invokeConverter",
        line_delta=6,
    )
    mismatch = Wrap(
        "org.springframework.web.method.annotation.MethodArgumentTypeMismatchException",
        lambda inner: (
            c.message(".mismatch", inner_to_string=inner.to_string())
        ),
        at="org.springframework.web.method.annotation.AbstractNamedValueMethodArgumentResolver.resolveArgument",
        line_delta=8,
    )
    return c.incident(
        [root],
        wraps=[conversion, mismatch],
        auto_wrap=False,
        fault=controller,
        fault_in_trace=False,
        cause=c.text(".cause", param=param, value=value, controller=controller),
        fix=c.text(".fix"),
    )


@template("NumberFormatException", "nfe.radix_hex")
def radix_hex(c: Ctx) -> Incident:
    value = c.pick(("0x1F", "G1", "zz", "#FF00"))
    radix = 16
    if c.jdk.at_least(17):
        message = f'For input string: "{value}" under radix {radix}'
    else:
        message = f'For input string: "{value}"'
    throw = c.chain(".throw")
    return nfe(
        c,
        message,
        throw,
        f'"{value}" (radix 16)',
        ("util", "gateway", "support"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


# --------------------------------------------------------------------------------------------- ArithmeticException

AE = "java.lang.ArithmeticException"


def arith(
    c: Ctx,
    message: str,
    throw: list[StackFrame],
    roles: tuple[str, ...],
    what_en: str,
    what_ko: str,
    fix_en: str,
    fix_ko: str,
    exception: str = AE,
) -> Incident:
    return c.fail_in_role(roles, exception, message, throw, (what_en, what_ko, fix_en, fix_ko))


@template("ArithmeticException", "ae.divide_by_zero")
def divide_by_zero(c: Ctx) -> Incident:
    noun = c.pick(("count", "days", "total", "quantity", "months", "size"))
    return arith(
        c,
        c.pick(("/ by zero", "/ by zero", "% by zero")),
        [],
        ("domain", "support", "util", "batch"),
        *c.pair(".what", noun=noun),
        *c.pair(".fix", noun=noun),
    )


@template("ArithmeticException", "ae.non_terminating")
def non_terminating(c: Ctx) -> Incident:
    throw = [c.j("java.math.BigDecimal.divide", (1690, 1722, 1780, 1780))]
    return arith(
        c,
        "Non-terminating decimal expansion; no exact representable decimal result.",
        throw,
        ("domain", "support", "util"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("ArithmeticException", "ae.rounding_necessary")
def rounding_necessary(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    if c.chance(0.4):
        throw.append(c.j("java.math.BigDecimal.setScale", (2568, 2928, 2984, 3009)))
    return arith(c, "Rounding necessary", throw, ("domain", "util", "support"), *c.pair(".what"), *c.pair(".fix"))


@template("ArithmeticException", "ae.exact_overflow", min_jdk=8)
def exact_overflow(c: Ctx) -> Incident:
    op, message, lines = c.pick(
        (
            ("addExact", "long overflow", (808, 848, 883, 926)),
            ("multiplyExact", "long overflow", (892, 948, 1004, 1032)),
            ("toIntExact", "integer overflow", (1011, 1071, 1135, 1174)),
            ("addExact", "integer overflow", (790, 825, 860, 903)),
        )
    )
    throw = [c.j(f"java.lang.Math.{op}", lines)]
    return arith(c, message, throw, ("domain", "util", "support"), *c.pair(".what", op=op), *c.pair(".fix"))


@template("ArithmeticException", "ae.big_decimal_zero")
def big_decimal_zero(c: Ctx) -> Incident:
    message = c.pick(("Division by zero", "Division undefined", "BigInteger divide by zero"))
    if message.startswith("BigInteger"):
        throw = c.chain(".throw")
    else:
        throw = [c.j("java.math.BigDecimal.divide", (1658, 1690, 1748, 1748))]
    return arith(c, message, throw, ("domain", "util", "support"), *c.pair(".what"), *c.pair(".fix"))


@template("ArithmeticException", "ae.exact_value")
def exact_value(c: Ctx) -> Incident:
    op = c.pick(("intValueExact", "longValueExact"))
    message = c.pick(("Overflow", "Rounding necessary"))
    throw = [
        c.j(
            f"java.math.BigDecimal.{op}",
            (3362, 3703, 3778, 3796) if op == "longValueExact" else (3454, 3790, 3866, 3884),
        )
    ]
    return arith(c, message, throw, ("domain", "util"), *c.pair(".what", op=op), *c.pair(".fix"))


@template("ArithmeticException", "ae.math_library", codebases=("oss",))
def math_library(c: Ctx) -> Incident:
    math3 = "org.apache.commons.math3"
    message, throw = c.pick(
        (
            ("zero denominator in fraction 1/0", c.chain(".message_throw")),
            ("overflow in fraction 2,147,483,648/1, cannot negate", [c.lib(f"{math3}.fraction.Fraction.negate", 509)]),
            ("division by zero", c.chain(".message_throw_2")),
        )
    )
    return arith(
        c,
        message,
        throw,
        ("service", "domain"),
        *c.pair(".what", message=message),
        *c.pair(".fix"),
        exception=f"{math3}.exception.MathArithmeticException",
    )


@template("ArithmeticException", "ae.percentage_average")
def percentage_average(c: Ctx) -> Incident:
    owner = c.app(
        c.pick(("support", "domain")),
        c.pick(("StatisticsCalculator", "RateCalculator", "AverageAccumulator", "Histogram")),
    )
    site = owner.at(c.pick(("average", "ratio", "percentOf", "mean")), c.code.line())
    caller = c.frame(c.pick(("service", "batch")))
    return c.fail(
        AE,
        "/ by zero",
        [site, caller],
        fault=1,
        cause=c.text(".cause", caller=caller, site=site),
        fix=c.text(".fix", caller=caller, site=site),
    )


# ------------------------------------------------------------------------------------------------ ParseException


@template("ParseException", "pe.simple_date_format")
def simple_date_format(c: Ctx) -> Incident:
    text = c.pick(("2024/03/12", "12-03-2024", "20240312", "2024-03-12T10:15:30Z", "", "Tue Mar 12 2024"))
    throw = [c.j("java.text.DateFormat.parse", (366, 395, 399, 399))]
    site = c.frame(c.pick(("util", "support", "batch", "gateway")))
    return c.fail(
        "java.text.ParseException",
        f'Unparseable date: "{text}"',
        [site],
        throw,
        cause=c.text(".cause", site=site, text=text),
        fix=c.text(".fix"),
    )


@template("ParseException", "pe.date_time_parse", min_jdk=8)
def date_time_parse(c: Ctx) -> Incident:
    text, index = c.pick(
        (("2024-3-12", 5), ("2024/03/12", 4), ("12.03.2024", 0), ("2024-03-12 10:15", 10), ("20240312", 0), ("", 0))
    )
    throw = [
        *c.chain(".throw"),
        c.j(c.pick(("java.time.LocalDate.parse", "java.time.LocalDateTime.parse")), (400, 428, 430, 435)),
        c.j("java.time.LocalDate.parse", (385, 413, 415, 420)),
    ]
    site = c.frame(c.pick(("util", "support", "controller", "batch")))
    return c.fail(
        "java.time.format.DateTimeParseException",
        f"Text '{text}' could not be parsed at index {index}",
        [site],
        throw,
        cause=c.text(".cause", text=text, site=site, index=index),
        fix=c.text(".fix"),
    )


@template("ParseException", "pe.number_format")
def number_format(c: Ctx) -> Incident:
    text = c.pick(("abc", "", "--5", "₩", "N/A"))
    throw = [c.j("java.text.NumberFormat.parse", (431, 434, 434, 436))]
    site = c.frame(c.pick(("util", "support", "batch")))
    return c.fail(
        "java.text.ParseException",
        f'Unparseable number: "{text}"',
        [site],
        throw,
        cause=c.text(".cause", site=site, text=text),
        fix=c.text(".fix"),
    )


@template("ParseException", "pe.generated_parser")
def generated_parser(c: Ctx) -> Incident:
    parser = (
        c.code.cls("support", "RuleParser")
        if c.bank
        else c.code.cls("domain", c.pick(("QueryParser", "ExpressionParser", "FilterParser")))
    )
    exception = f"{parser.package}.ParseException"
    token = c.pick(('"("', '"AND"', "<EOF>", '","'))
    line, column = str(c.randint(1, 3)), str(c.randint(3, 40))
    expected = c.pick(("<IDENTIFIER>", '")"', "<NUMBER>", '"WHERE"'))
    message = (
        c.message(".message", token=token, line=line, column=column, expected=expected)
    )
    throw = [
        parser.at("generateParseException", c.randint(900, 2400)),
        parser.at("jj_consume_token", c.randint(800, 2300)),
        parser.at(c.pick(("Expression", "Term", "Condition", "Primary")), c.randint(100, 700)),
        parser.at("parse", c.randint(40, 120)),
    ]
    caller = c.frame(c.pick(("service", "support")))
    return c.fail(
        exception,
        message,
        [*throw, caller],
        fault=3,
        cause=c.text(".cause", caller=caller, token=token, column=column),
        fix=c.text(".fix"),
    )


@template("ParseException", "pe.message_format")
def message_format(c: Ctx) -> Incident:
    text = c.pick(("ORDER-12/2024", "Tx {0} failed", "ACC:"))
    throw = [c.j("java.text.MessageFormat.parse", (1038, 1083, 1083, 1086))]
    site = c.frame(c.pick(("util", "gateway", "support")))
    return c.fail(
        "java.text.ParseException",
        "MessageFormat parse error!",
        [site],
        throw,
        cause=c.text(".cause", site=site, text=text),
        fix=c.text(".fix"),
    )


@template("ParseException", "pe.zoned_or_offset", min_jdk=8)
def zoned_or_offset(c: Ctx) -> Incident:
    text = c.pick(("2024-03-12T10:15:30", "2024-03-12 10:15:30+09:00", "2024-03-12T10:15:30.123+0900"))
    index = c.pick((19, 10, 23))
    throw = [
        *c.chain("pe.date_time_parse.throw"),
        c.j(
            c.pick(("java.time.ZonedDateTime.parse", "java.time.OffsetDateTime.parse", "java.time.Instant.parse")),
            (597, 598, 598, 598),
        ),
    ]
    site = c.frame(c.pick(("util", "client", "support")))
    return c.fail(
        "java.time.format.DateTimeParseException",
        f"Text '{text}' could not be parsed at index {index}",
        [site],
        throw,
        cause=c.text(".cause", text=text, site=site),
        fix=c.text(".fix"),
    )


@template("ParseException", "pe.config_date_batch", contexts=("batch", "scheduled", "main", "test"))
def config_date_batch(c: Ctx) -> Incident:
    text = c.pick(("20241301", "2024-02-3", "yyyyMMdd", "2024.03.12"))
    throw = [c.j("java.text.DateFormat.parse", (366, 395, 399, 399))]
    job = c.frame(
        c.pick(("batch", "scheduler", "support")), c.pick(("resolveBusinessDate", "parseJobDate", "baseDate"))
    )
    return c.fail(
        "java.text.ParseException",
        f'Unparseable date: "{text}"',
        [job],
        throw,
        cause=c.text(".cause", text=text, job=job),
        fix=c.text(".fix"),
    )
