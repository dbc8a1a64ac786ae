"""AssertionError: test assertions as JUnit 3/4/5, AssertJ and Hamcrest print them, plus Java `assert`.

The fault of an assertion failure is the code under test, which the trace does not show: `fault_in_trace` is
False and the fault is named after the test (FooServiceTest.testTransfer -> FooService.transfer), without a line.
"""

from __future__ import annotations

from typing import Any

from utils.corpus.builder import Ctx
from utils.corpus.declared import helper
from utils.corpus.families.stacks import detached
from utils.corpus.model import Incident, StackFrame, Thrown, template
from utils.corpus.tables import tables

TEST = ("test",)
MULTIPLE = tables().maps["assert.multiple_failures.styles"]  # a style -> its exception class and throwing chain


@helper("compact")
def compact(c: Ctx, expected: str, actual: str, context: int = 20) -> str:
    """A ComparisonFailure's message (no draw), as JUnit's ComparisonCompactor builds it: the differing middle in
    brackets, long common ends elided with "..."."""
    prefix = 0
    while prefix < min(len(expected), len(actual)) and expected[prefix] == actual[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(expected), len(actual)) - prefix
        and expected[len(expected) - 1 - suffix] == actual[len(actual) - 1 - suffix]
    ):
        suffix += 1

    def part(text: str) -> str:
        head = ("..." if prefix > context else "") + text[max(0, prefix - context) : prefix]
        tail = text[len(text) - suffix : len(text) - suffix + context] + ("..." if suffix > context else "")
        return f"{head}[{text[prefix : len(text) - suffix]}]{tail}"

    return f"expected:<{part(expected)}> but was:<{part(actual)}>"


@helper("value_pair")
def value_pair(c: Ctx) -> tuple[str, str, str]:
    """(kind, expected, actual) as a test would compare them."""
    kind = c.pick(c.values("assertions.kinds"))
    if kind == "number" and c.bank:
        expected = c.amount()
        return kind, str(expected), str(expected - c.pick((500, 1000, expected // 10 or 1, expected)))
    if kind == "number":
        expected = c.randint(0, 40)
        return kind, str(expected), str(expected + c.pick((-1, 1, 2, -expected)))
    if kind == "status":
        return kind, *c.pick(c.values("assertions.status_pairs"))
    if kind == "text" and c.bank:
        account = c.account_no()
        masked = account.replace(account[4:7], "***")
        pairs = ((account, masked), (c.date(), c.date()), (f"KRW {c.amount():,}", f"KRW {c.amount():,}"))
        return kind, *c.pick((*pairs, *c.values("assertions.bank_text_pairs")))
    if kind == "text":
        return kind, *c.pick(c.values("assertions.text_pairs"))
    if kind == "bool":
        return kind, "true", "false"
    if c.bank:
        return kind, "[TX-1, TX-2, TX-3]", "[TX-1, TX-3]"
    return kind, "[1, 2, 3]", c.pick(c.values("assertions.actual_lists"))


@helper("test_runner")
def test_runner(c: Ctx, runners: str | list[str]) -> str:
    """Set the row's test runner, one drawn from a list (before its entry is built: the stack is that runner's)."""
    c.runner = runners if isinstance(runners, str) else c.pick(runners)
    return c.runner


@helper("test_frame")
def test_frame(c: Ctx) -> StackFrame:
    """The test method's frame (building the row's entry if no draw has yet)."""
    return c.entry().app_frames[0]


@helper("test_fault")
def test_fault(c: Ctx) -> StackFrame:
    return c.under_test_fault(c.entry().app_frames[0])


@helper("comparison_strings")
def comparison_strings(c: Ctx, pair: tuple[str, str, str]) -> tuple[str, str]:
    """The expected and actual of `pair` as a test compares them with assertEquals(String, String): a value without
    letters (a number) is compared inside a labelled line ("status=3")."""
    _, expected, actual = pair
    if not any(ch.isalpha() for ch in expected):
        return f"status={expected}", f"status={actual}"
    return expected, actual


def assertion(c: Ctx, exception: str, message: str | None, throw: list[StackFrame], **slots: Any) -> Incident:
    """An assertion thrown by `throw` (assert-library frames) directly in the test method; texts `.cause`, `.fix`."""
    fault = test_fault(c)
    return c.fail(
        exception,
        message,
        [],
        throw,
        cause=c.text(".cause", fault=fault, **slots),
        fix=c.text(".fix", fault=fault),
        fault=fault,
        fault_in_trace=False,
        filler=0,
        auto_wrap=False,
    )


@template("AssertionError", "assert.array_equals", contexts=TEST)
def array_equals(c: Ctx) -> Incident:
    c.runner = "junit4"
    slots = {"index": c.randint(0, 12), "expected": c.randint(0, 99), "actual": c.randint(0, 99)}
    inner = c.message(".inner", **slots)
    throw = [c.lib(method, lines if isinstance(lines, int) else c.pick(lines)) for method, lines in c.values(".throw")]
    message = c.message(".message", inner=inner, **slots)
    incident = assertion(c, "org.junit.internal.ArrayComparisonFailure", message, throw, **slots)
    if c.chance(0.5):  # JUnit 4.12+ keeps the element's failure as the cause
        top = incident.chain[0]
        cause_frames = [*c.chain(".cause_frames"), top.frames[0].moved(2), *top.frames[1:]]
        incident.chain.append(Thrown("java.lang.AssertionError", inner, cause_frames))
    return incident


@template("AssertionError", "assert.expected_exception", contexts=TEST)
def expected_exception(c: Ctx) -> Incident:
    """JUnit 4's @Test(expected = ...) on a test that threw nothing: ExpectException fails below the test method."""
    c.runner = "junit4"
    entry = c.entry()
    expected = c.pick(c.values(".expected")).format(code=c.code)
    below = next((i + 1 for i, f in enumerate(entry.bottom) if f.method == "evaluate" and "InvokeMethod" in f.cls), 1)
    fault = test_fault(c)
    message = c.message(".message", expected=expected)
    root = Thrown("java.lang.AssertionError", message, [*c.chain(".throw"), *entry.bottom[below:]])
    return detached(c, [root], fault, fault=fault, expected_simple=expected.rsplit(".", 1)[-1])


@template("AssertionError", "assert.multiple_failures", contexts=TEST, min_jdk=8)
def multiple_failures(c: Ctx) -> Incident:
    c.runner = "junit5"
    pairs = [value_pair(c)[1:] for _ in range(c.randint(2, 3))]
    style = "opentest4j" if c.chance(0.5) else "assertj"
    exception, throw = MULTIPLE[style]
    lines = [c.message(f".{style}.failure", number=n, expected=e, actual=a) for n, (e, a) in enumerate(pairs, 1)]
    message = c.message(f".{style}", count=len(pairs), failures="\n".join(lines))
    return assertion(c, exception, message, c.chain(throw))
