"""Text to numbers and dates: NumberFormatException, ArithmeticException and ParseException
(java.text.ParseException, java.time DateTimeParseException, generated parsers' ParseException)."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.model import Incident, StackFrame, template

NFE = "java.lang.NumberFormatException"


def parse_int_frames(c: Ctx, kind: str = "int") -> list[StackFrame]:
    forinput = c.j("java.lang.NumberFormatException.forInputString", (65, 65, 67, 67))
    if kind == "long":
        return [
            forinput,
            c.j("java.lang.Long.parseLong", (589, 692, 711, 709)),
            c.j("java.lang.Long.parseLong", (631, 817, 836, 834)),
        ]
    return [
        forinput,
        c.j("java.lang.Integer.parseInt", (580, 652, 668, 662)),
        c.j("java.lang.Integer.parseInt", (615, 770, 786, 778)),
    ]


def nfe(
    c: Ctx,
    message: str,
    throw: list[StackFrame],
    value: str,
    roles: tuple[str, ...],
    what_en: str,
    what_ko: str,
    fix_en: str,
    fix_ko: str,
    **options,
) -> Incident:
    site = c.frame(c.pick(roles))
    return c.fail(
        NFE,
        message,
        [site],
        throw,
        cause=c.t(
            f"{site.method} parses {value} as a number: {what_en}",
            f"{site.method}에서 {value}를 숫자로 변환: {what_ko}",
        ),
        fix=c.t(fix_en, fix_ko),
        **options,
    )


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
        "it contains characters that are not digits",
        "숫자가 아닌 문자가 포함됨",
        "Clean/validate the field first (thousand separators, units, decimals) or use the right parser",
        "천 단위 구분자/단위/소수점을 제거하거나 검증 후 알맞은 파서를 사용",
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
        "the field is empty or has surrounding spaces",
        "값이 비어 있거나 앞뒤 공백이 있음",
        "trim() the value and treat empty fields as absent before parsing",
        "변환 전에 trim()하고 빈 값은 누락으로 처리",
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
        f"the value is outside the {kind} range",
        f"{kind} 범위를 벗어난 값",
        "Use long/BigDecimal for amounts and identifiers, or keep account numbers as strings",
        "금액/식별자는 long이나 BigDecimal로, 계좌번호 등은 문자열로 다룸",
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
    return nfe(
        c,
        message,
        throw,
        f'"{value}"',
        ("util", "support", "client"),
        "the text has a grouping separator, unit or is empty",
        "구분자나 단위가 있거나 빈 문자열",
        "Parse with NumberFormat/DecimalFormat for the locale, or strip units, and use BigDecimal for money",
        "로케일에 맞는 NumberFormat을 쓰거나 단위를 제거하고 금액은 BigDecimal 사용",
    )


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
    throw = [
        c.j("java.math.BigDecimal.<init>", (494, 518, 608, 609)),
        c.j("java.math.BigDecimal.<init>", (383, 401, 497, 498)),
        c.j("java.math.BigDecimal.<init>", (806, 830, 903, 904)),
    ]
    return nfe(
        c,
        message,
        throw,
        f'"{value}"',
        ("domain", "util", "support"),
        "new BigDecimal(text) rejects separators, units and empty text",
        "new BigDecimal(text)는 구분자/단위/빈 문자열을 허용하지 않음",
        "Normalise the amount text (remove separators/units, reject empty) before new BigDecimal",
        "new BigDecimal 전에 금액 문자열을 정규화(구분자/단위 제거, 빈 값 거부)",
    )


@template("NumberFormatException", "nfe.null_input")
def null_input(c: Ctx) -> Incident:
    message = "null" if c.jdk.version <= 11 else "Cannot parse null string: null"
    throw = [
        c.j("java.lang.Integer.parseInt", (542, 614, 630, 624)),
        c.j("java.lang.Integer.parseInt", (615, 770, 786, 778)),
    ]
    return nfe(
        c,
        message,
        throw,
        "null",
        ("controller", "support", "util", "config"),
        "the value (request parameter / header / property) is missing",
        "값(요청 파라미터/헤더/속성)이 없음",
        "Check for null and use a default or a validation error",
        "null 여부를 확인하고 기본값 또는 검증 오류로 처리",
    )


@template("NumberFormatException", "nfe.spring_conversion", contexts=("web",), codebases=("bank",))
def spring_conversion(c: Ctx) -> Incident:
    value = c.pick(("abc", "12,000", "undefined", "null", "1e3"))
    param = c.pick(("accountId", "page", "amount", "branchCode", "size"))
    controller = c.frame("controller")
    throw = [
        *parse_int_frames(c, "long"),
        c.j("java.lang.Long.valueOf", (803, 1135, 1155, 1153)),
        c.lib("org.springframework.util.NumberUtils.parseNumber", 211),
        c.lib("org.springframework.core.convert.support.StringToNumberConverterFactory$StringToNumber.convert", 64),
        c.lib("org.springframework.core.convert.support.StringToNumberConverterFactory$StringToNumber.convert", 50),
        c.lib("org.springframework.core.convert.support.GenericConversionService$ConverterFactoryAdapter.convert", 437),
        c.lib("org.springframework.core.convert.support.ConversionUtils.invokeConverter", 41),
        c.lib("org.springframework.core.convert.support.GenericConversionService.convert", 192),
        c.lib("org.springframework.beans.TypeConverterDelegate.convertIfNecessary", 129),
        c.lib("org.springframework.beans.TypeConverterSupport.convertIfNecessary", 73),
        c.lib(
            "org.springframework.web.method.annotation.AbstractNamedValueMethodArgumentResolver.resolveArgument", 125
        ),
        c.lib("org.springframework.web.method.support.HandlerMethodArgumentResolverComposite.resolveArgument", 122),
        c.lib("org.springframework.web.method.support.InvocableHandlerMethod.getMethodArgumentValues", 179),
        c.lib("org.springframework.web.method.support.InvocableHandlerMethod.invokeForRequest", 146),
    ]
    entry = c.entry()
    stack = [*throw, *entry.bottom[len(c.jdk.reflect_invoke()) + 2 :]]
    from utils.corpus.model import Thrown

    root = Thrown(NFE, f'For input string: "{value}"', stack)
    conversion = Wrap(
        "org.springframework.core.convert.ConversionFailedException",
        lambda inner: (
            f"Failed to convert from type [java.lang.String] to type [@org.springframework.web.bind."
            f"annotation.PathVariable java.lang.Long] for value '{value}'; nested exception is "
            f"{inner.to_string()}"
        ),
        at="org.springframework.core.convert.support.ConversionUtils.invokeConverter",
        line_delta=6,
    )
    mismatch = Wrap(
        "org.springframework.web.method.annotation.MethodArgumentTypeMismatchException",
        lambda inner: (
            f"Failed to convert value of type 'java.lang.String' to required type 'java.lang.Long'; "
            f"nested exception is {inner.to_string()}"
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
        cause=c.t(
            f"The client sent {param}={value}, which cannot be converted to Long for {controller.method}",
            f"클라이언트가 보낸 {param}={value} 값을 {controller.method}의 Long 파라미터로 변환할 수 없음",
        ),
        fix=c.t(
            "Return 400 for bad parameters (@ExceptionHandler for MethodArgumentTypeMismatchException) and fix "
            "the caller",
            "잘못된 파라미터는 400으로 응답(@ExceptionHandler)하고 호출 측 값을 수정",
        ),
    )


@template("NumberFormatException", "nfe.radix_hex")
def radix_hex(c: Ctx) -> Incident:
    value = c.pick(("0x1F", "G1", "zz", "#FF00"))
    radix = 16
    if c.jdk.at_least(17):
        message = f'For input string: "{value}" under radix {radix}'
    else:
        message = f'For input string: "{value}"'
    throw = [
        c.j("java.lang.NumberFormatException.forInputString", (65, 65, 67, 67)),
        c.j("java.lang.Integer.parseInt", (580, 652, 668, 662)),
    ]
    return nfe(
        c,
        message,
        throw,
        f'"{value}" (radix 16)',
        ("util", "gateway", "support"),
        "prefixes like 0x/# are not accepted by parseInt",
        "parseInt는 0x/# 같은 접두어를 허용하지 않음",
        "Strip the prefix or use Integer.decode",
        "접두어를 제거하거나 Integer.decode 사용",
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
    site = c.frame(c.pick(roles))
    return c.fail(
        exception,
        message,
        [site],
        throw,
        cause=c.t(f"{site.method} {what_en}", f"{site.method}에서 {what_ko}"),
        fix=c.t(fix_en, fix_ko),
    )


@template("ArithmeticException", "ae.divide_by_zero")
def divide_by_zero(c: Ctx) -> Incident:
    noun = c.pick(("count", "days", "total", "quantity", "months", "size"))
    return arith(
        c,
        c.pick(("/ by zero", "/ by zero", "% by zero")),
        [],
        ("domain", "support", "util", "batch"),
        f"divides by {noun}, which is 0 for this input",
        f"{noun}(이)가 0인 입력으로 나눗셈",
        f"Handle {noun} == 0 (empty period, no items) before dividing",
        f"나누기 전에 {noun} == 0 (빈 기간/항목 없음) 처리",
    )


@template("ArithmeticException", "ae.non_terminating")
def non_terminating(c: Ctx) -> Incident:
    throw = [c.j("java.math.BigDecimal.divide", (1690, 1722, 1780, 1780))]
    return arith(
        c,
        "Non-terminating decimal expansion; no exact representable decimal result.",
        throw,
        ("domain", "support", "util"),
        "divides BigDecimals without a scale/rounding mode (e.g. 1/3)",
        "스케일/반올림 모드 없이 BigDecimal 나눗셈 (예: 1/3)",
        "Use divide(divisor, scale, RoundingMode.HALF_UP) or a MathContext",
        "divide(divisor, scale, RoundingMode.HALF_UP) 또는 MathContext 사용",
    )


@template("ArithmeticException", "ae.rounding_necessary")
def rounding_necessary(c: Ctx) -> Incident:
    throw = [
        c.j("java.math.BigDecimal.commonNeedIncrement", (4179, 4495, 5346, 5382)),
        c.j("java.math.BigDecimal.needIncrement", (4235, 4551, 5402, 5438)),
        c.j("java.math.BigDecimal.divideAndRound", (4143, 4459, 5310, 5346)),
        c.j("java.math.BigDecimal.setScale", (2521, 2883, 2943, 2968)),
    ]
    if c.chance(0.4):
        throw.append(c.j("java.math.BigDecimal.setScale", (2568, 2928, 2984, 3009)))
    return arith(
        c,
        "Rounding necessary",
        throw,
        ("domain", "util", "support"),
        "sets a smaller scale without a rounding mode (fractional won/cents)",
        "반올림 모드 없이 소수 자릿수를 줄임 (원/센트 미만 값)",
        "Pass an explicit RoundingMode to setScale (per the product's rounding rule)",
        "setScale에 상품 규칙에 맞는 RoundingMode를 명시",
    )


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
    return arith(
        c,
        message,
        throw,
        ("domain", "util", "support"),
        f"overflows in Math.{op} (amount in minor units too large)",
        f"Math.{op}에서 오버플로 (최소 단위 금액이 너무 큼)",
        "Use long/BigDecimal for the computation or validate the input range",
        "long/BigDecimal로 계산하거나 입력 범위를 검증",
    )


@template("ArithmeticException", "ae.big_decimal_zero")
def big_decimal_zero(c: Ctx) -> Incident:
    message = c.pick(("Division by zero", "Division undefined", "BigInteger divide by zero"))
    if message.startswith("BigInteger"):
        throw = [
            c.j("java.math.MutableBigInteger.divideKnuth", (1178, 1179, 1178, 1178)),
            c.j("java.math.BigInteger.divideKnuth", (2112, 2443, 2443, 2443)),
            c.j("java.math.BigInteger.divide", (2093, 2424, 2424, 2424)),
        ]
    else:
        throw = [c.j("java.math.BigDecimal.divide", (1658, 1690, 1748, 1748))]
    return arith(
        c,
        message,
        throw,
        ("domain", "util", "support"),
        "divides by a zero BigDecimal (rate, quantity or total is 0)",
        "0인 BigDecimal(환율/수량/합계)로 나눗셈",
        "Check the divisor with signum() == 0 before dividing",
        "나누기 전에 signum() == 0인지 확인",
    )


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
    return arith(
        c,
        message,
        throw,
        ("domain", "util"),
        f"converts a BigDecimal with {op} but it has a fraction or is too large",
        f"{op} 변환 시 소수부가 있거나 범위를 넘음",
        "Round explicitly before the conversion or keep BigDecimal",
        "변환 전에 명시적으로 반올림하거나 BigDecimal을 유지",
    )


@template("ArithmeticException", "ae.math_library", codebases=("oss",))
def math_library(c: Ctx) -> Incident:
    math3 = "org.apache.commons.math3"
    message, throw = c.pick(
        (
            (
                "zero denominator in fraction 1/0",
                [
                    c.lib(f"{math3}.fraction.Fraction.<init>", 256),
                    c.lib(f"{math3}.fraction.Fraction.getReducedFraction", 446),
                ],
            ),
            ("overflow in fraction 2,147,483,648/1, cannot negate", [c.lib(f"{math3}.fraction.Fraction.negate", 509)]),
            (
                "division by zero",
                [c.lib(f"{math3}.util.ArithmeticUtils.gcd", 286), c.lib(f"{math3}.fraction.Fraction.divide", 584)],
            ),
        )
    )
    return arith(
        c,
        message,
        throw,
        ("service", "domain"),
        f"hits an arithmetic limit in the math library ({message})",
        f"수학 라이브러리 연산 한계 도달 ({message})",
        "Check operands (zero, overflow) before the call or switch to BigFraction",
        "호출 전에 피연산자(0, 오버플로)를 확인하거나 BigFraction 사용",
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
        cause=c.t(
            f"{caller.method} asks {site.method} for an average over zero samples",
            f"{caller.method}에서 표본이 0개인 상태로 {site.method} 평균을 계산",
        ),
        fix=c.t(
            f"Skip or default the ratio when there are no samples, in {caller.method} or {site.method}",
            f"표본이 없을 때는 {caller.method}/{site.method}에서 계산을 건너뛰거나 기본값 사용",
        ),
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
        cause=c.t(
            f'{site.method} parses "{text}" with a SimpleDateFormat pattern that does not match it',
            f'{site.method}에서 "{text}"를 형식이 맞지 않는 SimpleDateFormat 패턴으로 파싱',
        ),
        fix=c.t(
            "Use the sender's date pattern (or try the known formats) and validate before parsing",
            "송신측 날짜 형식을 사용하거나 허용 형식을 순서대로 시도하고 파싱 전에 검증",
        ),
    )


@template("ParseException", "pe.date_time_parse", min_jdk=8)
def date_time_parse(c: Ctx) -> Incident:
    text, index = c.pick(
        (("2024-3-12", 5), ("2024/03/12", 4), ("12.03.2024", 0), ("2024-03-12 10:15", 10), ("20240312", 0), ("", 0))
    )
    throw = [
        c.j("java.time.format.DateTimeFormatter.parseResolved0", (1949, 2046, 2052, 2106)),
        c.j("java.time.format.DateTimeFormatter.parse", (1851, 1948, 1954, 2008)),
        c.j(c.pick(("java.time.LocalDate.parse", "java.time.LocalDateTime.parse")), (400, 428, 430, 435)),
        c.j("java.time.LocalDate.parse", (385, 413, 415, 420)),
    ]
    site = c.frame(c.pick(("util", "support", "controller", "batch")))
    return c.fail(
        "java.time.format.DateTimeParseException",
        f"Text '{text}' could not be parsed at index {index}",
        [site],
        throw,
        cause=c.t(
            f'"{text}" does not match the formatter {site.method} uses (mismatch at index {index})',
            f'"{text}"가 {site.method}의 DateTimeFormatter 형식과 다름 (인덱스 {index}에서 불일치)',
        ),
        fix=c.t(
            "Parse with a DateTimeFormatter.ofPattern matching the input, and reject malformed dates with a clear "
            "error",
            "입력에 맞는 DateTimeFormatter.ofPattern으로 파싱하고 형식 오류는 명확한 메시지로 거부",
        ),
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
        cause=c.t(
            f'{site.method} parses "{text}" with NumberFormat, which finds no number at its start',
            f'{site.method}에서 NumberFormat으로 "{text}"를 파싱했으나 숫자가 없음',
        ),
        fix=c.t(
            "Validate the field (empty/placeholder values) before parsing and report the record",
            "파싱 전에 빈 값/자리표시자 값을 검증하고 해당 레코드를 보고",
        ),
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
        f'Encountered " {token} {token} "" at line {line}, column {column}.\nWas expecting one of:\n    {expected} '
        "...\n"
        f'    "(" ...\n    '
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
        cause=c.t(
            f"The expression given to {caller.method} is not valid for the grammar (unexpected {token} at column "
            f"{column})",
            f"{caller.method}에 전달된 식이 문법에 맞지 않음 (컬럼 {column}의 {token})",
        ),
        fix=c.t(
            "Validate/escape user-entered expressions before parsing, or fix the grammar if the input is legal",
            "사용자 입력 식을 파싱 전에 검증/이스케이프하거나 정상 입력이면 문법을 수정",
        ),
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
        cause=c.t(
            f'{site.method} parses "{text}" with a MessageFormat pattern it does not follow',
            f'{site.method}에서 "{text}"를 맞지 않는 MessageFormat 패턴으로 파싱',
        ),
        fix=c.t(
            "Use a regex or a dedicated parser for the identifier format, and validate inputs",
            "식별자 형식에 정규식/전용 파서를 사용하고 입력을 검증",
        ),
    )


@template("ParseException", "pe.zoned_or_offset", min_jdk=8)
def zoned_or_offset(c: Ctx) -> Incident:
    text = c.pick(("2024-03-12T10:15:30", "2024-03-12 10:15:30+09:00", "2024-03-12T10:15:30.123+0900"))
    index = c.pick((19, 10, 23))
    throw = [
        c.j("java.time.format.DateTimeFormatter.parseResolved0", (1949, 2046, 2052, 2106)),
        c.j("java.time.format.DateTimeFormatter.parse", (1851, 1948, 1954, 2008)),
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
        cause=c.t(
            f'The timestamp "{text}" lacks or formats its zone/offset differently from the ISO pattern {site.method} '
            "expects",
            f'타임스탬프 "{text}"의 타임존/오프셋 형식이 {site.method}가 기대하는 ISO 형식과 다름',
        ),
        fix=c.t(
            "Parse with a formatter matching the sender (or LocalDateTime + explicit zone)",
            "송신측 형식에 맞는 포매터로 파싱하거나 LocalDateTime + 명시적 타임존 사용",
        ),
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
        cause=c.t(
            f'The job parameter/base date "{text}" does not match yyyyMMdd in {job.method}',
            f'배치 파라미터/기준일 "{text}"가 {job.method}의 yyyyMMdd 형식과 다름',
        ),
        fix=c.t(
            "Fix the job parameter and validate it (setLenient(false)) when the job starts",
            "잡 파라미터 값을 수정하고 시작 시점에 검증(setLenient(false))",
        ),
    )
