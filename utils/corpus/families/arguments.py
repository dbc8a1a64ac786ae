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
            c.t(f"Unsupported {noun} {value}", f"유효하지 않은 {noun} 값입니다: {value}"),
        )
    )
    return c.fail(
        IAE,
        message,
        [check, caller],
        fault=1,
        cause=c.t(
            f"{caller.method} passed an invalid {noun} ({value}) that {check.method} rejects",
            f"{caller.method}에서 유효하지 않은 {noun} 값({value})을 전달해 {check.method}에서 거부됨",
        ),
        fix=c.t(
            f"Validate {noun} where it enters (request/DTO) and stop {caller.method} from passing {value}",
            f"요청/DTO 단계에서 {noun}을(를) 검증하고 {caller.method}가 {value}를 넘기지 않도록 수정",
        ),
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
        cause=c.t(
            f"{site.method} received {noun}={value}, which its precondition check rejects",
            f"{site.method}에 전달된 {noun}={value} 값이 사전 조건 검사에서 거부됨",
        ),
        fix=c.t(
            f"Pass a valid {noun} to {site.method} (validate the input earlier) or relax the check if {value} is legal",
            f"{site.method}에 올바른 {noun}를 전달하도록 입력을 먼저 검증하거나, {value}가 정상 값이면 검사 "
            "조건을 수정",
        ),
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
        cause=c.t(
            f'{caller.method} called {enum.simple}.valueOf("{constant}"), which is not a constant of the enum',
            f'{caller.method}에서 {enum.simple}.valueOf("{constant}") 호출 - 정의되지 않은 상수',
        ),
        fix=c.t(
            f"Map external codes to {enum.simple} explicitly (case, legacy values) and handle unknown codes",
            f"외부 코드 값을 {enum.simple}로 명시적으로 매핑(대소문자/구 코드)하고 미정의 값을 처리",
        ),
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
        c.j("java.util.regex.Pattern.expr", (1996, 2063, 2063, 2089)),
        c.j("java.util.regex.Pattern.compile", (1696, 1783, 1783, 1809)),
        c.j("java.util.regex.Pattern.<init>", (1351, 1430, 1430, 1456)),
        c.j("java.util.regex.Pattern.compile", (1028, 1069, 1069, 1095)),
    ]
    if c.chance(0.5):
        throw += [
            c.j("java.lang.String.split", (2380, 2317, 3106, 3153)),
            c.j("java.lang.String.split", (2422, 2359, 3151, 3198)),
        ]
    site = c.frame(c.pick(("util", "support", "service")))
    return c.fail(
        "java.util.regex.PatternSyntaxException",
        message,
        [site],
        throw,
        cause=c.t(
            f'{site.method} compiles the invalid regular expression "{pattern}" ({problem})',
            f'{site.method}에서 잘못된 정규식 "{pattern}"을(를) 컴파일함 ({problem})',
        ),
        fix=c.t(
            "Escape the metacharacters (Pattern.quote) or correct the pattern",
            "메타 문자를 이스케이프(Pattern.quote)하거나 패턴을 수정",
        ),
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
        throw = [
            c.j("java.time.temporal.ValueRange.checkValidValue", (311, 311, 319, 319)),
            c.j("java.time.temporal.ChronoField.checkValidValue", (717, 717, 718, 718)),
            c.j("java.time.LocalDate.of", (269, 272, 272, 279)),
        ]
    else:
        message = c.pick(
            (
                "Invalid date 'FEBRUARY 30'",
                "Invalid date 'February 29' as '2023' is not a leap year",
                "Invalid date 'APRIL 31'",
            )
        )
        throw = [
            c.j("java.time.LocalDate.create", (459, 442, 458, 465)),
            c.j("java.time.LocalDate.of", (271, 274, 274, 281)),
        ]
    site = c.frame(c.pick(("util", "support", "domain", "batch")))
    return c.fail(
        "java.time.DateTimeException",
        message,
        [site],
        throw,
        cause=c.t(
            f"{site.method} builds a date from fields that do not form a valid date ({message.split(':')[0]})",
            f"{site.method}에서 유효하지 않은 날짜 값으로 LocalDate를 생성함",
        ),
        fix=c.t(
            "Validate day/month before LocalDate.of (e.g. use YearMonth.lengthOfMonth / end-of-month rules)",
            "LocalDate.of 호출 전에 일/월 범위를 검증 (말일 처리는 YearMonth.lengthOfMonth 등 사용)",
        ),
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
    deep = [
        c.j("java.time.LocalDate.create", (459, 442, 458, 465)),
        c.j("java.time.LocalDate.of", (271, 274, 274, 281)),
        c.j("java.time.chrono.IsoChronology.resolveYMD", (463, 576, 584, 584)),
        c.j("java.time.chrono.AbstractChronology.resolveDate", (472, 472, 472, 472)),
        c.j("java.time.chrono.IsoChronology.resolveDate", (492, 492, 492, 492)),
        c.j("java.time.format.Parsed.resolveDateFields", (351, 354, 354, 354)),
        c.j("java.time.format.Parsed.resolveFields", (257, 261, 261, 261)),
        c.j("java.time.format.Parsed.resolve", (149, 148, 148, 148)),
        c.j("java.time.format.DateTimeParseContext.toResolved", (337, 336, 336, 336)),
        c.j("java.time.format.DateTimeFormatter.parseResolved0", (1951, 2048, 2054, 2108)),
        c.j("java.time.format.DateTimeFormatter.parse", (1851, 1948, 1954, 2008)),
        c.j("java.time.LocalDate.parse", (400, 428, 430, 435)),
    ]
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
        cause=c.t(
            f"'{text}' has the right format but is not a real date, so parsing in {site.method} fails",
            f"'{text}'는 형식은 맞지만 존재하지 않는 날짜라 {site.method}의 파싱이 실패",
        ),
        fix=c.t(
            "Reject impossible dates at input validation and report them to the caller instead of parsing blindly",
            "존재하지 않는 날짜는 입력 검증 단계에서 거부하고 호출자에게 오류로 응답",
        ),
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
    throw = [
        c.j("java.util.Base64$Decoder.decode0", (714, 743, 767, 814)),
        c.j("java.util.Base64$Decoder.decode", (526, 538, 539, 566)),
        c.j("java.util.Base64$Decoder.decode", (549, 561, 562, 589)),
    ]
    site = c.frame(c.pick(("util", "support", "client", "gateway")))
    return c.fail(
        IAE,
        message,
        [site],
        throw,
        cause=c.t(
            f"{site.method} decodes text that is not plain Base64 (URL-safe alphabet, padding or whitespace)",
            f"{site.method}에서 표준 Base64가 아닌 값(URL-safe 문자, 패딩, 공백)을 디코딩함",
        ),
        fix=c.t(
            "Use Base64.getUrlDecoder()/getMimeDecoder() to match the sender, or strip whitespace first",
            "송신측 형식에 맞게 getUrlDecoder()/getMimeDecoder()를 쓰거나 공백을 제거 후 디코딩",
        ),
    )


@template("IllegalArgumentException", "iae.placeholder", contexts=("main",), codebases=("bank",))
def placeholder(c: Ctx) -> Incident:
    key = c.pick(
        (
            "core.banking.url",
            "kftc.gateway.endpoint",
            "bank.crypto.key-alias",
            "card.auth.timeout",
            "batch.settlement.dir",
            "hsm.slot",
        )
    )
    bean = c.app("config") if c.chance(0.5) else c.app("client")
    throw = [
        c.lib("org.springframework.util.PropertyPlaceholderHelper.parseStringValue", 180),
        c.lib("org.springframework.util.PropertyPlaceholderHelper.replacePlaceholders", 126),
        c.lib("org.springframework.core.env.AbstractPropertyResolver.doResolvePlaceholders", 239),
        c.lib("org.springframework.core.env.AbstractPropertyResolver.resolveRequiredPlaceholders", 210),
        c.lib("org.springframework.core.env.AbstractEnvironment.resolveRequiredPlaceholders", 571),
        c.lib("org.springframework.beans.factory.support.AbstractBeanFactory.resolveEmbeddedValue", 936),
        c.lib("org.springframework.beans.factory.support.DefaultListableBeanFactory.doResolveDependency", 1332),
        c.lib("org.springframework.beans.factory.support.DefaultListableBeanFactory.resolveDependency", 1311),
        c.lib(
            "org.springframework.beans.factory.annotation.AutowiredAnnotationBeanPostProcessor$AutowiredFieldElement.resolveFieldValue",
            657,
        ),
        c.lib(
            "org.springframework.beans.factory.annotation.AutowiredAnnotationBeanPostProcessor$AutowiredFieldElement.inject",
            640,
        ),
        c.lib("org.springframework.beans.factory.annotation.InjectionMetadata.inject", 119),
        c.lib(
            "org.springframework.beans.factory.annotation.AutowiredAnnotationBeanPostProcessor.postProcessProperties",
            399,
        ),
        c.lib("org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory.populateBean", 1431),
        *stacks.bean_creation(c, c.pick((1, 2))),
        *stacks.context_refresh(c),
    ]
    name = bean.simple[:1].lower() + bean.simple[1:]
    message = f"Could not resolve placeholder '{key}' in value \"${{{key}}}\""
    field = c.t(
        "Injection of autowired dependencies failed; nested exception is java.lang.IllegalArgumentException: "
        f"{message}",
        "Injection of autowired dependencies failed; nested exception is java.lang.IllegalArgumentException: "
        f"{message}",
    )
    wrapper = Wrap(
        "org.springframework.beans.factory.BeanCreationException",
        f"Error creating bean with name '{name}': {field}",
        at="org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory.populateBean",
        top=[
            c.lib(
                "org.springframework.beans.factory.annotation.AutowiredAnnotationBeanPostProcessor.postProcessProperties",
                405,
            )
        ],
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
        cause=c.t(
            f"Property '{key}' used by {bean.simple} is not defined for the active profile",
            f"{bean.simple}에서 사용하는 속성 '{key}'가 현재 프로파일 설정에 없음",
        ),
        fix=c.t(
            f"Define {key} in application.yml / the environment, or give @Value a default (${{{key}:...}})",
            f"application.yml 또는 환경 변수에 {key}를 정의하거나 @Value에 기본값(${{{key}:...}})을 지정",
        ),
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
        cause=c.t(
            f"{caller.method} reflectively invokes a method with arguments of the wrong type ({message})",
            f"{caller.method}에서 리플렉션 호출 시 인자 타입/개수가 맞지 않음 ({message})",
        ),
        fix=c.t(
            "Convert the value to the parameter type before Method.invoke (or look the method up by its real "
            "signature)",
            "Method.invoke 전에 값을 파라미터 타입으로 변환하거나 실제 시그니처로 메서드를 조회",
        ),
    )


@template("IllegalArgumentException", "iae.math_argument", codebases=("oss",))
def math_argument(c: Ctx) -> Incident:
    math3 = "org.apache.commons.math3"
    exception, message, throw = c.pick(
        (
            (
                f"{math3}.exception.NotStrictlyPositiveException",
                "invalid number of points: 0 (must be positive)",
                [
                    c.lib(f"{math3}.util.MathArrays.checkPositive", 1011),
                    c.lib(f"{math3}.analysis.interpolation.SplineInterpolator.interpolate", 68),
                ],
            ),
            (
                f"{math3}.exception.DimensionMismatchException",
                f"{c.randint(3, 9)} != {c.randint(1, 2)}",
                [
                    c.lib(f"{math3}.linear.MatrixUtils.checkAdditionCompatible", 543),
                    c.lib(f"{math3}.linear.Array2DRowRealMatrix.add", 210),
                ],
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
        cause=c.t(
            f"{site.method} calls the math library with arguments it rejects: {message}",
            f"{site.method}에서 수학 라이브러리에 허용되지 않는 인자를 전달: {message}",
        ),
        fix=c.t(
            f"Check sizes/ranges in {site.method} before the call and handle the empty or degenerate case",
            f"{site.method}에서 호출 전에 크기/범위를 확인하고 빈 데이터 등 예외 케이스를 처리",
        ),
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
        throw = [
            c.j("java.nio.charset.Charset.checkName", (315, 312, 312, 308)),
            c.j("java.nio.charset.Charset.lookup2", (484, 482, 482, 472)),
            c.j("java.nio.charset.Charset.lookup", (464, 462, 462, 452)),
            c.j("java.nio.charset.Charset.forName", (528, 526, 526, 539)),
        ]
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
    return c.fail(
        exception,
        message,
        [site],
        throw,
        cause=c.t(f"{site.method} passes {what} to the JDK", f"{site.method}에서 JDK API에 잘못된 값({what})을 전달"),
        fix=c.t(
            "Compute the value correctly (check for negative sizes) or use StandardCharsets / a valid charset name",
            "값 계산을 바로잡거나(음수 검사) StandardCharsets 또는 올바른 문자셋 이름 사용",
        ),
    )


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
            c.t(f"{entity.simple} {ident} already processed", f"이미 처리된 거래입니다: {ident}"),
        )
    )
    caller = c.frame("service")
    return c.fail(
        ISE,
        message,
        [site, caller],
        cause=c.t(
            f"{caller.method} called {site.method} on a {entity.simple} that is already {state}",
            f"{caller.method}에서 이미 {state} 상태인 {entity.simple}에 {site.method}를 호출",
        ),
        fix=c.t(
            f"Check the state before {site.method} (idempotency for retries / duplicate requests)",
            f"{site.method} 호출 전에 상태를 확인 (재시도/중복 요청에 대한 멱등성 처리)",
        ),
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
        cause=c.t(
            f"{site.method} ran before {c.type_name()} was ready ({message or 'state check failed'})",
            f"{c.type_name()}가 준비되기 전에 {site.method}가 실행됨 ({message or '상태 검사 실패'})",
        ),
        fix=c.t(
            f"Initialise/start the component before calling {site.method}, or guard the call",
            f"{site.method} 호출 전에 컴포넌트를 초기화/시작하거나 호출을 보호",
        ),
    )


@template("IllegalStateException", "ise.iterator_remove")
def iterator_remove(c: Ctx) -> Incident:
    throw = [c.j("java.util.ArrayList$Itr.remove", (865, 1009, 980, 1062))]
    site = c.frame(c.pick(("service", "support", "domain")))
    return c.fail(
        ISE,
        None,
        [site],
        throw,
        cause=c.t(
            f"{site.method} calls Iterator.remove() twice or before next()",
            f"{site.method}에서 Iterator.remove()를 next() 없이 또는 두 번 호출",
        ),
        fix=c.t(
            "Call next() before each remove(), or use removeIf(...)",
            "remove() 전에 next()를 호출하거나 removeIf(...) 사용",
        ),
    )


@template("IllegalStateException", "ise.stream_reused", min_jdk=8)
def stream_reused(c: Ctx) -> Incident:
    throw = [
        c.j("java.util.stream.AbstractPipeline.<init>", (203, 203, 203, 203)),
        c.j("java.util.stream.ReferencePipeline.<init>", (94, 96, 96, 96)),
        c.j("java.util.stream.ReferencePipeline$StatelessOp.<init>", (618, 637, 663, 664)),
        c.j("java.util.stream.ReferencePipeline$3.<init>", (187, 189, 197, 197)),
        c.j("java.util.stream.ReferencePipeline.map", (186, 188, 196, 196)),
    ]
    site = c.frame(c.pick(("service", "support")))
    return c.fail(
        ISE,
        "stream has already been operated upon or closed",
        [site],
        throw,
        cause=c.t(f"{site.method} consumes the same Stream twice", f"{site.method}에서 같은 Stream을 두 번 사용"),
        fix=c.t(
            "Create a new stream for each pipeline (keep the collection, not the Stream)",
            "파이프라인마다 새 스트림을 생성 (Stream 대신 컬렉션을 보관)",
        ),
    )


@template("IllegalStateException", "ise.duplicate_key", min_jdk=8)
def duplicate_key(c: Ctx) -> Incident:
    key = c.account_no() if c.bank else c.pick(("default", "id", "node-1", "en_US"))
    if c.jdk.version <= 8:
        throw = [
            c.j("java.util.stream.Collectors.lambda$throwingMerger$0", 133),
            c.j("java.util.HashMap.merge", 1254),
            c.j("java.util.stream.Collectors.lambda$toMap$58", 1320),
        ]
        message = f"Duplicate key {c.type_name()}@{c.randint(0x10000000, 0x7FFFFFFF):x}"
    else:
        throw = [
            c.j("java.util.stream.Collectors.duplicateKeyException", (0, 133, 135, 135)),
            c.j("java.util.stream.Collectors.lambda$uniqKeysMapAccumulator$1", (0, 180, 182, 182)),
        ]
        message = f"Duplicate key {key} (attempted merging values {c.type_name()}@1a2b3c and {c.type_name()}@4d5e6f)"
    throw += [c.j("java.util.stream.ReduceOps$3ReducingSink.accept", (169, 169, 169, 169)), *c.jdk.stream_collect()[1:]]
    site = c.frame(c.pick(("service", "support", "repository")))
    return c.fail(
        ISE,
        message,
        [site],
        throw,
        cause=c.t(
            f"Collectors.toMap in {site.method} met the key {key} twice",
            f"{site.method}의 Collectors.toMap에서 키 {key}가 중복됨",
        ),
        fix=c.t(
            "Pass a merge function to toMap or de-duplicate the source (check why the key repeats)",
            "toMap에 병합 함수를 지정하거나 원본 데이터의 중복 원인을 제거",
        ),
    )


@template("IllegalStateException", "ise.queue_or_matcher")
def queue_or_matcher(c: Ctx) -> Incident:
    if c.chance(0.5):
        throw = [
            c.j("java.util.AbstractQueue.add", 98),
            c.j("java.util.concurrent.ArrayBlockingQueue.add", (312, 326, 329, 329)),
        ]
        message, what = (
            "Queue full",
            c.t("adds to a full bounded queue with add()", "가득 찬 고정 크기 큐에 add()로 추가"),
        )
        fix = c.t(
            "Use offer()/put() with back-pressure or size the queue for the load",
            "offer()/put()으로 대기 처리하거나 부하에 맞게 큐 크기를 조정",
        )
    else:
        throw = [
            c.j("java.util.regex.Matcher.group", (536, 645, 645, 642)),
            c.j("java.util.regex.Matcher.group", (496, 589, 589, 586)),
        ]
        message, what = (
            "No match found",
            c.t(
                "reads Matcher.group() without a successful matches()/find()",
                "matches()/find() 성공 확인 없이 Matcher.group()을 읽음",
            ),
        )
        fix = c.t(
            "Check matches()/find() before group() and handle input that does not match",
            "group() 전에 matches()/find() 결과를 확인하고 불일치 입력을 처리",
        )
    site = c.frame(c.pick(("util", "support", "service", "gateway")))
    return c.fail(ISE, message, [site], throw, cause=c.t(f"{site.method} {what}", f"{site.method}에서 {what}"), fix=fix)


@template("IllegalStateException", "ise.response_committed", contexts=("web",))
def response_committed(c: Ctx) -> Incident:
    throw = [c.lib("org.apache.catalina.connector.ResponseFacade.sendError", c.pick((472, 485)))]
    site = c.frame("controller")
    return c.fail(
        ISE,
        "Cannot call sendError() after the response has been committed",
        [site],
        throw,
        cause=c.t(
            f"{site.method} writes an error after the response body was already flushed",
            f"{site.method}에서 응답 본문이 이미 전송된 뒤에 오류 응답을 보내려 함",
        ),
        fix=c.t(
            "Decide the status before writing the body (or return early after streaming)",
            "본문을 쓰기 전에 상태 코드를 결정하거나 스트리밍 후에는 바로 반환",
        ),
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
        "No thread-bound request found: Are you referring to request attributes outside of an actual web request, "
        "or processing a request outside of the originally receiving thread? If you are actually operating within "
        "a web request and still receive this message, your code is probably running outside of DispatcherServlet: "
        "In this case, use RequestContextListener or RequestContextFilter to expose the current request."
    )
    return c.fail(
        ISE,
        message,
        [site],
        throw,
        cause=c.t(
            f"{site.method} reads the HTTP request outside a request thread ({c.context} thread)",
            f"{site.method}가 요청 스레드가 아닌 {c.context} 스레드에서 HTTP 요청 정보를 읽음",
        ),
        fix=c.t(
            "Pass the needed request data as a parameter instead of reading RequestContextHolder in async code",
            "비동기 코드에서는 RequestContextHolder 대신 필요한 요청 값을 파라미터로 전달",
        ),
    )


@template("IllegalStateException", "ise.task_cancelled")
def task_cancelled(c: Ctx) -> Incident:
    throw = [
        c.j("java.util.concurrent.FutureTask.report", 121),
        c.j("java.util.concurrent.FutureTask.get", (192, 191, 191, 191)),
    ]
    site = c.frame(c.pick(("service", "support", "scheduler")))
    return c.fail(
        "java.util.concurrent.CancellationException",
        None,
        [site],
        throw,
        cause=c.t(
            f"{site.method} calls get() on a task that was cancelled (timeout or shutdown)",
            f"{site.method}에서 취소된 작업(타임아웃/종료)의 get()을 호출",
        ),
        fix=c.t(
            "Check isCancelled() or catch CancellationException where tasks can be cancelled",
            "작업이 취소될 수 있는 곳에서는 isCancelled()를 확인하거나 CancellationException 처리",
        ),
    )


@template("IllegalStateException", "ise.lock_not_owner")
def lock_not_owner(c: Ctx) -> Incident:
    if c.chance(0.5):
        throw = [
            c.j("java.util.concurrent.locks.ReentrantLock$Sync.tryRelease", (151, 149, 175, 176)),
            c.j("java.util.concurrent.locks.AbstractQueuedSynchronizer.release", (1261, 1302, 1007, 1059)),
            c.j("java.util.concurrent.locks.ReentrantLock.unlock", (457, 439, 494, 494)),
        ]
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
        cause=c.t(
            f"{site.method} releases/waits on a lock its thread does not hold",
            f"{site.method}에서 현재 스레드가 보유하지 않은 락을 해제/대기함",
        ),
        fix=c.t(
            "Unlock in a finally block of the same thread that locked; wait/notify only inside synchronized",
            "락을 건 같은 스레드의 finally에서 해제하고 wait/notify는 synchronized 안에서만 호출",
        ),
    )


@template("IllegalStateException", "ise.circular_reference", contexts=("main",), codebases=("bank",))
def circular_reference(c: Ctx) -> Incident:
    first = c.app("service")
    second = c.app("support")
    name_a = first.simple[:1].lower() + first.simple[1:]
    name_b = second.simple[:1].lower() + second.simple[1:]
    deep = [
        c.lib("org.springframework.beans.factory.support.DefaultSingletonBeanRegistry.beforeSingletonCreation", 355),
        c.lib("org.springframework.beans.factory.support.DefaultSingletonBeanRegistry.getSingleton", 227),
        *stacks.bean_creation(c, 3),
        *stacks.context_refresh(c),
    ]
    stack = deep
    root = Thrown(
        "org.springframework.beans.factory.BeanCurrentlyInCreationException",
        f"Error creating bean with name '{name_a}': Requested bean is currently in creation: Is there an "
        "unresolvable circular reference?",
        stack,
    )
    unsatisfied = "org.springframework.beans.factory.UnsatisfiedDependencyException"
    wraps = [
        Wrap(
            unsatisfied,
            lambda inner: (
                f"Error creating bean with name '{name_b}': Unsatisfied dependency expressed "
                f"through constructor parameter 0; nested exception is {inner.to_string()}"
            ),
            at="org.springframework.beans.factory.support.ConstructorResolver.createArgumentArray",
        ),
        Wrap(
            unsatisfied,
            lambda inner: (
                f"Error creating bean with name '{name_a}': Unsatisfied dependency expressed "
                f"through constructor parameter 0; nested exception is {inner.to_string()}"
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
        cause=c.t(
            f"{first.simple} and {second.simple} depend on each other through their constructors",
            f"{first.simple}와 {second.simple}가 생성자 주입으로 서로를 참조 (순환 참조)",
        ),
        fix=c.t(
            "Break the cycle: move the shared logic to a third bean or inject one side lazily (@Lazy / setter)",
            "공통 로직을 별도 빈으로 분리하거나 한쪽을 @Lazy/세터 주입으로 바꿔 순환을 제거",
        ),
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
    return c.fail(
        UOE,
        None,
        [site],
        throw,
        cause=c.t(
            f"{site.method} calls {op}() on an immutable collection created by {source}",
            f"{site.method}에서 {source}로 만든 불변 컬렉션에 {op}()를 호출",
        ),
        fix=c.t(
            "Copy into a mutable collection first (new ArrayList<>(...)) before modifying it",
            "수정 전에 new ArrayList<>(...) 등 변경 가능한 컬렉션으로 복사",
        ),
    )


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
        cause=c.t(
            f"{site.method} modifies the read-only view returned by {getter}()",
            f"{site.method}에서 {getter}()가 반환한 읽기 전용 컬렉션을 수정함",
        ),
        fix=c.t(
            f"Modify through the owning object's API, or copy the result of {getter}() first",
            f"소유 객체의 메서드로 변경하거나 {getter}() 결과를 복사해서 사용",
        ),
    )


@template("UnsupportedOperationException", "uoe.arrays_as_list")
def arrays_as_list(c: Ctx) -> Incident:
    op = c.pick(("add", "remove"))
    if op == "add":
        throw = [
            c.j("java.util.AbstractList.add", (148, 153, 153, 155)),
            c.j("java.util.AbstractList.add", (108, 111, 111, 113)),
        ]
    else:
        throw = [
            c.j("java.util.AbstractList.remove", (161, 167, 169, 171)),
            c.j("java.util.AbstractList$Itr.remove", (374, 387, 389, 391)),
        ]
    site = c.frame(c.pick(("service", "support", "util")))
    source = c.pick(("Arrays.asList(...)", "Collections.emptyList()", "Collections.singletonList(...)"))
    return c.fail(
        UOE,
        None,
        [site],
        throw,
        cause=c.t(
            f"{site.method} changes the size of a fixed-size list from {source}",
            f"{site.method}에서 {source}로 만든 고정 크기 리스트의 크기를 변경",
        ),
        fix=c.t(
            "Wrap it in new ArrayList<>(...) before adding or removing",
            "추가/삭제 전에 new ArrayList<>(...)로 감싸서 사용",
        ),
    )


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
            c.t(
                f"Currency {c.pick(('JPY', 'CNY', 'VND'))} is not supported",
                f"지원하지 않는 통화입니다: {c.pick(('JPY', 'CNY', 'VND'))}",
            ),
            None,
        )
    )
    caller = c.frame("service")
    return c.fail(
        UOE,
        message,
        [site, caller],
        fault=0,
        cause=c.t(
            f"{owner.simple}.{method} is a stub / unsupported path and {caller.method} reached it",
            f"{owner.simple}.{method}는 미구현(지원 안 함) 경로인데 {caller.method}에서 호출됨",
        ),
        fix=c.t(
            f"Implement {method} in {owner.simple} or route {caller.method} to an implementation that supports it",
            f"{owner.simple}.{method}를 구현하거나 {caller.method}가 지원하는 구현체를 사용하도록 수정",
        ),
    )


@template("UnsupportedOperationException", "uoe.guava_immutable")
def guava_immutable(c: Ctx) -> Incident:
    op = c.pick(("add", "put", "remove"))
    cls = "com.google.common.collect.ImmutableMap" if op == "put" else "com.google.common.collect.ImmutableCollection"
    throw = [c.lib(f"{cls}.{op}", c.pick((267, 495, 281, 538)))]
    site = c.frame(c.pick(("service", "support", "config")))
    return c.fail(
        UOE,
        None,
        [site],
        throw,
        cause=c.t(
            f"{site.method} calls {op}() on a Guava immutable collection",
            f"{site.method}에서 Guava 불변 컬렉션에 {op}() 호출",
        ),
        fix=c.t(
            "Build a new collection (builder or copy) instead of mutating the immutable one",
            "불변 컬렉션을 수정하지 말고 빌더나 복사로 새 컬렉션을 생성",
        ),
    )


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
        cause=c.t(
            f"{site.method} calls remove() on an iterator that does not implement it",
            f"{site.method}에서 remove()를 지원하지 않는 Iterator의 remove()를 호출",
        ),
        fix=c.t(
            "Collect the elements to drop and remove them from the source collection, or implement remove()",
            "삭제 대상을 모아서 원본 컬렉션에서 제거하거나 Iterator에 remove()를 구현",
        ),
        extra={"helper": helper.qualified_method},
    )


@template("UnsupportedOperationException", "uoe.map_entry_set")
def map_entry_set(c: Ctx) -> Incident:
    if c.jdk.at_least(11):
        throw = [
            c.j("java.util.ImmutableCollections.uoe", (0, 71, 142, 159)),
            c.j("java.util.ImmutableCollections$AbstractImmutableMap.put", (0, 714, 1072, 1241)),
        ]
        source = "Map.of(...)"
    else:
        throw = [c.j("java.util.Collections$UnmodifiableMap.put", (1457, 1457, 1505, 1529))]
        source = "Collections.unmodifiableMap(...)"
    site = c.frame(c.pick(("config", "support", "service")))
    return c.fail(
        UOE,
        None,
        [site],
        throw,
        cause=c.t(
            f"{site.method} puts into a map built with {source}", f"{site.method}에서 {source}로 만든 맵에 put 호출"
        ),
        fix=c.t("Use a HashMap copy when the map must change", "변경이 필요하면 HashMap으로 복사해서 사용"),
    )


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
        c.t(
            f"{system} answered HTTP {status}; the client turns every non-2xx answer into a RuntimeException",
            f"{system}가 HTTP {status}로 응답했고 클라이언트가 이를 RuntimeException으로 변환",
        ),
        c.t(
            f"Check {system} availability/request payload and handle {status} explicitly (retry or a typed error)",
            f"{system} 상태와 요청 내용을 확인하고 {status} 응답을 재시도/전용 예외로 명시적으로 처리",
        ),
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
        c.t(
            f"An input with {noun} {value} arrived that no branch handles",
            f"처리 분기가 없는 {noun} {value} 입력이 들어옴",
        ),
        c.t(
            f"Add handling for {value} (or skip/park unknown values instead of failing the whole flow)",
            f"{value}에 대한 처리를 추가하거나 미지원 값은 전체 실패 대신 건너뛰기/보류 처리",
        ),
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
            c.t(f"{action} failed after {attempts} retries", f"{action} {attempts}회 재시도 후 실패"),
        )
    )
    return runtime(
        c,
        "util",
        message,
        c.t(
            f"{action} failed {attempts} times; the retry helper gives up without keeping the last error",
            f"{action}이(가) {attempts}회 모두 실패했고 재시도 헬퍼가 마지막 원인을 남기지 않음",
        ),
        c.t(
            "Find the underlying failure (log each attempt's cause) and keep it as the exception cause",
            "각 시도의 원인을 로그로 남기고 예외 cause로 보존하여 근본 원인을 해결",
        ),
        fault=1,
    )


@template("RuntimeException", "rte.config_missing")
def config_missing(c: Ctx) -> Incident:
    key = c.pick(
        ("bank.kftc.endpoint", "card.auth.merchant-id", "settlement.output-dir", "storage.path", "cluster.name")
    )
    message = c.pick(
        (
            f"Missing required configuration: {key}",
            f"Property {key} is not set",
            c.t(f"Configuration {key} is empty", f"필수 설정값이 없습니다: {key}"),
        )
    )
    return runtime(
        c,
        "config",
        message,
        c.t(f"Required setting {key} is absent in this environment", f"현재 환경에 필수 설정 {key}가 없음"),
        c.t(
            f"Set {key} for the environment (profile / env var) or fail at start-up with a clear message",
            f"해당 환경(프로파일/환경 변수)에 {key}를 설정",
        ),
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
        cause=c.t(
            f"The test's fake {fake.simple} fails on purpose and {under_test.method} does not handle the failure",
            f"테스트용 {fake.simple}가 의도적으로 실패했는데 {under_test.method}가 이를 처리하지 않음",
        ),
        fix=c.t(
            f"Make {under_test.method} handle the downstream failure as the test specifies (catch, compensate, report)",
            f"테스트 명세대로 {under_test.method}가 하위 호출 실패를 처리(예외 처리/보상/결과 반환)하도록 수정",
        ),
    )


@template("RuntimeException", "rte.business_rule", codebases=("bank",))
def business_rule(c: Ctx) -> Incident:
    account = c.account_no()
    message = c.pick(
        (
            c.t(f"Account {account} is closed", f"해지된 계좌입니다: {account}"),
            c.t(f"Daily transfer limit exceeded for {account}", f"일일 이체한도를 초과했습니다: {account}"),
            c.t(f"Card ****-{c.randint(1000, 9999)} is suspended", "정지된 카드입니다"),
            c.t("Cut-off time passed for same-day settlement", "당일 정산 마감 시간이 지났습니다"),
        )
    )
    return runtime(
        c,
        "domain",
        message,
        c.t(
            f"A business rule rejected the request ({message}) with a generic RuntimeException",
            f"업무 규칙 위반({message})을 일반 RuntimeException으로 처리함",
        ),
        c.t(
            "Throw a dedicated business exception and map it to a proper error response instead of 500",
            "전용 업무 예외로 던지고 500 대신 적절한 오류 응답으로 변환",
        ),
    )


@template("RuntimeException", "rte.wrapped_message_only")
def wrapped_message_only(c: Ctx) -> Incident:
    path = c.pick(
        (
            "/data/settlement/in/KFTC_20240312.dat",
            "conf/app.properties",
            "/var/lib/app/segments/00042",
            "classpath:templates/statement.ftl",
        )
    )
    detail = c.pick(("Connection reset", "Permission denied", "Stream closed", "timeout", "No space left on device"))
    message = c.pick(
        (f"Failed to read {path}: {detail}", f"Could not load {path} ({detail})", f"I/O error while processing {path}")
    )
    return runtime(
        c,
        c.pick(("support", "batch", "util")),
        message,
        c.t(
            f"An I/O failure on {path} ({detail}) was rethrown as a RuntimeException without its cause",
            f"{path} 입출력 실패({detail})를 원인 없이 RuntimeException으로 다시 던짐",
        ),
        c.t(
            "Keep the original exception as the cause (new RuntimeException(msg, e)) and fix the I/O problem",
            "원래 예외를 cause로 보존(new RuntimeException(msg, e))하고 입출력 문제를 해결",
        ),
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
        c.t(
            f"Reflective creation of {target.simple} failed (no public no-arg constructor or abstract class)",
            f"리플렉션으로 {target.simple} 생성 실패 (public 기본 생성자 없음 또는 추상 클래스)",
        ),
        c.t(
            f"Give {target.simple} a public no-arg constructor or register a factory for it",
            f"{target.simple}에 public 기본 생성자를 추가하거나 팩토리를 등록",
        ),
    )
