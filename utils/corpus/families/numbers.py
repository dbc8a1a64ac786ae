"""Text to numbers and dates: NumberFormatException, ArithmeticException and ParseException
(java.text.ParseException, java.time DateTimeParseException, generated parsers' ParseException).

The regular templates are declared in utils/corpus/templates/numbers.yaml; these four build frames by hand."""

from __future__ import annotations

from typing import Any

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.model import Incident, StackFrame, template

NFE = "java.lang.NumberFormatException"


def parse_int_frames(c: Ctx, kind: str = "int") -> list[StackFrame]:
    return c.chain(f"numbers.parse_int.{kind}")


def nfe(
    c: Ctx, message: str, throw: list[StackFrame], value: str, roles: tuple[str, ...], *texts: str, **options: Any
) -> Incident:
    """`texts`: what the frame did and the fix, each in English then Korean."""
    return c.fail_in_role(roles, NFE, message, throw, texts, "numbers.nfe.cause", {"value": value}, **options)


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
