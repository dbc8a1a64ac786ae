"""Text to numbers and dates: NumberFormatException, ArithmeticException and ParseException
(java.text.ParseException, java.time DateTimeParseException, generated parsers' ParseException).

The regular templates are declared in utils/corpus/templates/numbers.yaml; this one is not: its stack has no
application frame (Spring fails to convert a path variable before the controller is entered)."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.model import Incident, Thrown, template


@template("NumberFormatException", "nfe.spring_conversion", contexts=("web",), codebases=("bank",))
def spring_conversion(c: Ctx) -> Incident:
    value = c.pick(c.values(".value"))
    param = c.pick(c.values(".param"))
    controller = c.frame("controller")
    # The web entry's frames below InvocableHandlerMethod.invokeForRequest, where `.throw` ends.
    below = c.entry().bottom[len(c.jdk.segment("reflect_invoke")) + 2 :]
    root = Thrown("java.lang.NumberFormatException", c.message(".message", value=value), [*c.chain(".throw"), *below])
    conversion = Wrap(
        "org.springframework.core.convert.ConversionFailedException",
        lambda inner: c.message(".conversion", value=value, inner_to_string=inner.to_string()),
        at="org.springframework.core.convert.support.ConversionUtils.invokeConverter",
        line_delta=6,
    )
    mismatch = Wrap(
        "org.springframework.web.method.annotation.MethodArgumentTypeMismatchException",
        lambda inner: c.message(".mismatch", inner_to_string=inner.to_string()),
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
