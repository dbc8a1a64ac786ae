"""AssertionError: test assertions as JUnit 3/4/5, AssertJ and Hamcrest print them, plus Java `assert`.

The fault of an assertion failure is the code under test, which the trace does not show: `fault_in_trace` is
False and the fault is named after the test (FooServiceTest.testTransfer -> FooService.transfer), without a line.
"""

from __future__ import annotations

from utils.corpus.builder import Ctx
from utils.corpus.model import Incident, StackFrame, template
from utils.corpus.tables import tables

TEST = ("test",)
JUNIT4 = tables().maps["junit4.lines"]  # version -> method -> line (see assertions.yaml)


def compact(expected: str, actual: str, context: int = 20) -> str:
    """JUnit's ComparisonCompactor: the differing middle in brackets, long common ends elided with "..."."""
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


def value_pair(c: Ctx) -> tuple[str, str, str]:
    """(kind, expected, actual) as a test would compare them."""
    kind = c.pick(("number", "number", "status", "text", "bool", "collection"))
    if kind == "number":
        if c.bank:
            expected = c.amount()
            actual = expected - c.pick((500, 1000, expected // 10 or 1, expected))
            return kind, str(expected), str(actual)
        expected = c.randint(0, 40)
        return kind, str(expected), str(expected + c.pick((-1, 1, 2, -expected)))
    if kind == "status":
        pair = c.pick(
            (
                ("COMPLETED", "PENDING"),
                ("APPROVED", "DECLINED"),
                ("SETTLED", "FAILED"),
                ("ACTIVE", "DORMANT"),
                ("OK", "ERROR"),
                ("CLOSED", "OPEN"),
                ("READY", "STOPPED"),
            )
        )
        return kind, pair[0], pair[1]
    if kind == "text":
        if c.bank:
            account = c.account_no()
            pair = c.pick(
                (
                    (account, account.replace(account[4:7], "***")),
                    (c.date(), c.date()),
                    (f"KRW {c.amount():,}", f"KRW {c.amount():,}"),
                    ("이체 완료", "이체 실패"),
                )
            )
        else:
            pair = c.pick(
                (
                    ("/foo/bar", "/foo/bar/"),
                    ("a,b,c", "a,c"),
                    ("SELECT * FROM t WHERE id = ?", "SELECT * FROM t WHERE id=?"),
                    ("<div>ok</div>", "<div></div>"),
                    ("1.0.2", "1.0.10"),
                    ("key=value", "key = value"),
                )
            )
        return kind, pair[0], pair[1]
    if kind == "bool":
        return kind, "true", "false"
    if c.bank:
        return kind, "[TX-1, TX-2, TX-3]", "[TX-1, TX-3]"
    return kind, "[1, 2, 3]", c.pick(("[1, 3]", "[]", "[1, 2, 3, 3]"))


def test_fault(c: Ctx) -> StackFrame:
    return c.under_test_fault(c.entry().app_frames[0])


def assertion(c: Ctx, exception: str, message: str | None, throw: list[StackFrame], cause: str, fix: str) -> Incident:
    """An assertion thrown by `throw` (assert-library frames) directly in the test method."""
    c.entry()
    return c.fail(
        exception,
        message,
        [],
        throw,
        cause=cause,
        fix=fix,
        fault=test_fault(c),
        fault_in_trace=False,
        filler=0,
        auto_wrap=False,
    )


def mismatch_text(c: Ctx, kind: str, expected: str, actual: str) -> tuple[str, str]:
    fault = test_fault(c)
    return (
        c.text(
            "assertions.mismatch_text.result",
            fault_cls_simple=fault.cls.rsplit('.', 1)[-1],
            fault=fault,
            actual=actual,
            expected=expected,
        ),
        c.text("assertions.mismatch_text.result_2", kind=kind, fault=fault, expected=expected),
    )


def junit4_version(c: Ctx) -> dict:
    return JUNIT4[c.pick(("4.11", "4.12", "4.12", "4.13"))]


@template("AssertionError", "assert.junit4_equals", contexts=TEST)
def junit4_equals(c: Ctx) -> Incident:
    c.runner = "junit4"
    v = junit4_version(c)
    kind, expected, actual = value_pair(c)
    lines = v["eq_long"] if kind in ("number", "bool") else v["eq_obj"]
    throw = [
        c.lib("org.junit.Assert.fail", v["fail"]),
        c.lib("org.junit.Assert.failNotEquals", v["failNotEquals"]),
        c.lib("org.junit.Assert.assertEquals", lines[0]),
        c.lib("org.junit.Assert.assertEquals", lines[1]),
    ]
    label = c.pick(("", "", f"{c.code.noun()} ", "unexpected result "))
    message = f"{label}expected:<{expected}> but was:<{actual}>"
    if kind == "text" and c.chance(0.3):
        message = f"{label}expected: java.lang.String<{expected}> but was: java.lang.String<{expected}>"
    cause, fix = mismatch_text(c, kind, expected, actual)
    return assertion(c, "java.lang.AssertionError", message, throw, cause, fix)


@template("AssertionError", "assert.junit4_comparison_failure", contexts=TEST)
def junit4_comparison_failure(c: Ctx) -> Incident:
    c.runner = "junit4"
    v = junit4_version(c)
    _, expected, actual = value_pair(c)
    if not any(ch.isalpha() for ch in expected):
        expected, actual = f"status={expected}", f"status={actual}"
    throw = [c.lib("org.junit.Assert.assertEquals", v["str"][0]), c.lib("org.junit.Assert.assertEquals", v["str"][1])]
    message = compact(expected, actual)
    cause, fix = mismatch_text(c, "text", expected, actual)
    return assertion(c, "org.junit.ComparisonFailure", message, throw, cause, fix)


@template("AssertionError", "assert.junit4_condition", contexts=TEST)
def junit4_condition(c: Ctx) -> Incident:
    c.runner = "junit4"
    v = junit4_version(c)
    which = c.pick(("true", "false", "notNull", "null"))
    noun = c.code.noun()
    if which == "null":
        throw = [
            c.lib("org.junit.Assert.fail", v["fail"]),
            c.lib("org.junit.Assert.failNotNull", v["failNotNull"]),
            c.lib("org.junit.Assert.assertNull", v["null"][0]),
            c.lib("org.junit.Assert.assertNull", v["null"][1]),
        ]
        message = f"expected null, but was:<{c.pick((noun, c.type_name() + '@5e9f23b4', '[]'))}>"
    else:
        throw = [
            c.lib("org.junit.Assert.fail", v["fail0"]),
            c.lib(f"org.junit.Assert.assert{which[0].upper()}{which[1:]}", v[which][0]),
        ]
        if c.chance(0.5):
            throw.append(c.lib(f"org.junit.Assert.assert{which[0].upper()}{which[1:]}", v[which][1]))
            message = None
        else:
            message = c.pick(
                (
                    f"{noun} should be set",
                    f"expected {noun} to be valid",
                    f"{c.type_name()} not found",
                    "Result should not be empty",
                    f"{noun} mismatch",
                )
            )
    fault = test_fault(c)
    return assertion(
        c,
        "java.lang.AssertionError",
        message,
        throw,
        c.text(".result", noun=noun, fault=fault, which=which),
        c.text(".result_2", fault=fault, noun=noun),
    )


@template("AssertionError", "assert.junit3", contexts=TEST)
def junit3(c: Ctx) -> Incident:
    c.runner = "junit3"
    kind, expected, actual = value_pair(c)
    new = c.chance(0.5)
    if kind == "text" or kind == "status":
        throw = [
            c.lib("junit.framework.Assert.assertEquals", 100 if new else 81),
            c.lib("junit.framework.Assert.assertEquals", 107 if new else 87),
        ]
        if c.chance(0.5):
            throw.append(c.lib("junit.framework.TestCase.assertEquals", 269 if new else 253))
        exception, message = "junit.framework.ComparisonFailure", compact(expected, actual)
    elif c.chance(0.5):
        throw = [
            c.lib("junit.framework.Assert.fail", 50 if new else 47),
            c.lib("junit.framework.Assert.failNotEquals", 329 if new else 277),
            c.lib("junit.framework.Assert.assertEquals", 78 if new else 64),
            c.lib("junit.framework.Assert.assertEquals", 234 if new else 195),
        ]
        exception, message = "junit.framework.AssertionFailedError", f"expected:<{expected}> but was:<{actual}>"
    else:
        throw = [
            c.lib("junit.framework.Assert.fail", 50 if new else 47),
            c.lib("junit.framework.Assert.assertTrue", 20),
        ]
        if c.chance(0.5):
            throw.append(c.lib("junit.framework.TestCase.assertTrue", 192))
        exception = "junit.framework.AssertionFailedError"
        message = c.pick((None, f"{c.code.noun()} not updated", "Check failed", f"expected {c.type_name()}"))
    cause, fix = mismatch_text(c, kind, expected, actual)
    return assertion(c, exception, message, throw, cause, fix)


@template("AssertionError", "assert.junit5_equals", contexts=TEST, min_jdk=8)
def junit5_equals(c: Ctx) -> Incident:
    c.runner = "junit5"
    kind, expected, actual = value_pair(c)
    if c.chance(0.6):
        throw = [
            *c.chain(".throw"),
            c.lib("org.junit.jupiter.api.AssertEquals.assertEquals", c.pick((182, 150, 166))),
            c.lib("org.junit.jupiter.api.Assertions.assertEquals", c.pick((1141, 1135, 531, 1145))),
        ]
    else:
        throw = c.chain(".throw_2")
    message = f"expected: <{expected}> but was: <{actual}>"
    if c.chance(0.35):
        message = f"{c.pick((c.code.noun(), 'balance after transfer', 'status', 'result size'))} ==> {message}"
    cause, fix = mismatch_text(c, kind, expected, actual)
    return assertion(c, "org.opentest4j.AssertionFailedError", message, throw, cause, fix)


@template("AssertionError", "assert.junit5_condition", contexts=TEST, min_jdk=8)
def junit5_condition(c: Ctx) -> Incident:
    c.runner = "junit5"
    builder = c.chain(".builder")
    which = c.pick(("true", "throws", "notNull", "fail"))
    fault = test_fault(c)
    if which == "true":
        throw = [*builder, *c.chain(".throw")]
        message = c.pick(
            (
                "expected: <true> but was: <false>",
                f"{c.code.noun()} must be valid ==> expected: <true> but was: <false>",
            )
        )
        what = c.text(".what")
    elif which == "throws":
        expected = c.pick(
            (
                "java.lang.IllegalArgumentException",
                "java.lang.IllegalStateException",
                f"{c.code.root}.{c.pick(('InsufficientBalance', 'LimitExceeded', 'Invalid' + c.code.stem))}Exception",
            )
        )
        throw = [*builder, *c.chain(".throw_2")]
        message = f"Expected {expected} to be thrown, but nothing was thrown."
        what = c.text(".what_2", fault=fault, expected_simple=expected.rsplit('.', 1)[-1])
    elif which == "notNull":
        throw = [*builder, *c.chain(".throw_3")]
        message = "expected: not <null>"
        what = c.text(".what_3", fault=fault)
    else:
        throw = c.chain(".throw_4")
        message = c.pick(
            ("Should have thrown an exception", f"{c.type_name()} should not be accepted", "Unexpected success")
        )
        what = c.text(".what_4", fault=fault)
    return assertion(
        c,
        "org.opentest4j.AssertionFailedError",
        message,
        throw,
        c.text(".result", what=what),
        c.text(".result_2", fault=fault),
    )


@template("AssertionError", "assert.assertj", contexts=TEST, min_jdk=8)
def assertj(c: Ctx) -> Incident:
    kind, expected, actual = value_pair(c)
    opentest = c.chance(0.5)
    if opentest:  # AssertJ builds opentest4j's error reflectively and strips its own frames
        c.runner = "junit5"
        throw = c.jdk.reflect_construct()
        quote = '"' if kind in ("text", "status") else ""
        message = f"\nexpected: {quote}{expected}{quote}\n but was: {quote}{actual}{quote}"
        exception = "org.opentest4j.AssertionFailedError"
    else:
        throw = []
        exception = "java.lang.AssertionError"
        message = c.pick(
            (
                f"\nExpecting:\n <{actual}>\nto be equal to:\n <{expected}>\nbut was not.",
                "\nExpecting actual not to be null",
                f"\nExpected size: 3 but was: 2 in:\n[{c.code.noun()}1, {c.code.noun()}2]",
                c.message(".message", expected=expected, actual=actual),
                f'\nExpecting empty but was: ["{actual}"]',
                "\nExpecting value to be true but was false",
            )
        )
    cause, fix = mismatch_text(c, kind, expected, actual)
    return assertion(c, exception, message, throw, cause, fix)


@template("AssertionError", "assert.hamcrest", contexts=TEST)
def hamcrest(c: Ctx) -> Incident:
    kind, expected, actual = value_pair(c)
    message = c.pick(
        (
            f"\nExpected: is <{expected}>\n     but: was <{actual}>",
            f'\nExpected: "{expected}"\n     but: was "{actual}"',
            "\nExpected: a collection with size <3>\n     but: collection size was <2>",
            "\nExpected: not null\n     but: was null",
            f'\nExpected: a string containing "{expected}"\n     but: was "{actual}"',
            f"\nExpected: iterable containing [<{expected}>]\n     but: item 0: was <{actual}>",
        )
    )
    throw = [c.lib("org.hamcrest.MatcherAssert.assertThat", 20)]
    if c.chance(0.5):
        c.runner = "junit4"
        v = junit4_version(c)
        throw += [
            c.lib("org.junit.Assert.assertThat", v["that"][0]),
            c.lib("org.junit.Assert.assertThat", v["that"][1]),
        ]
    else:
        throw.append(c.lib("org.hamcrest.MatcherAssert.assertThat", c.pick((8, 6))))
    cause, fix = mismatch_text(c, kind, expected, actual)
    return assertion(c, "java.lang.AssertionError", message, throw, cause, fix)


@template("AssertionError", "assert.array_equals", contexts=TEST)
def array_equals(c: Ctx) -> Incident:
    c.runner = "junit4"
    index = c.randint(0, 12)
    expected, actual = c.randint(0, 99), c.randint(0, 99)
    inner = f"expected:<{expected}> but was:<{actual}>"
    throw = [
        c.lib("org.junit.internal.ComparisonCriteria.arrayEquals", c.pick((50, 76))),
        c.lib("org.junit.internal.ComparisonCriteria.arrayEquals", 51),
        c.lib("org.junit.Assert.internalArrayEquals", c.pick((473, 532))),
        c.lib("org.junit.Assert.assertArrayEquals", c.pick((294, 305, 265))),
    ]
    fault = test_fault(c)
    cause = c.text(".cause", index=index, fault=fault, actual=actual, expected=expected)
    fix = c.text(".fix", fault=fault)
    incident = assertion(
        c,
        "org.junit.internal.ArrayComparisonFailure",
        f"arrays first differed at element [{index}]; {inner}",
        throw,
        cause,
        fix,
    )
    if c.chance(0.5):  # JUnit 4.12+ keeps the element's failure as the cause
        from utils.corpus.model import Thrown

        top = incident.chain[0]
        cause_frames = [*c.chain(".cause_frames"), top.frames[0].moved(2), *top.frames[1:]]
        top.message = f"arrays first differed at element [{index}]; {inner}"
        incident.chain.append(Thrown("java.lang.AssertionError", inner, cause_frames))
    return incident


@template("AssertionError", "assert.java_assert", contexts=TEST)
def java_assert(c: Ctx) -> Incident:
    owner = c.app(c.pick(("domain", "support", "service")))
    site = owner.at(c.verb(c.pick(("domain", "support"))), c.code.line())
    noun = c.code.noun()
    message = c.pick(
        (
            None,
            f"{noun} must not be negative: -{c.randint(1, 900)}",
            f"invariant violated: {noun}",
            f"unexpected state {c.pick(('CLOSED', 'INIT', 'null'))}",
        )
    )
    return c.fail(
        "java.lang.AssertionError",
        message,
        [site],
        cause=c.text(".cause", site=site, noun=noun),
        fix=c.text(".fix", noun=noun, site=site),
        auto_wrap=False,
    )


@template("AssertionError", "assert.expected_exception", contexts=TEST)
def expected_exception(c: Ctx) -> Incident:
    c.runner = "junit4"
    entry = c.entry()
    expected = c.pick(
        (
            "java.lang.IllegalArgumentException",
            "java.lang.IllegalStateException",
            "java.lang.NullPointerException",
            f"{c.code.root}.{c.code.stem}Exception",
        )
    )
    index = next((i for i, f in enumerate(entry.bottom) if f.method == "evaluate" and "InvokeMethod" in f.cls), 0)
    stack = [c.lib("org.junit.internal.runners.statements.ExpectException.evaluate", 32), *entry.bottom[index + 1 :]]
    fault = test_fault(c)
    from utils.corpus.model import Thrown

    return c.incident(
        [Thrown("java.lang.AssertionError", f"Expected exception: {expected}", stack)],
        cause=c.text(".cause", fault=fault, expected_simple=expected.rsplit('.', 1)[-1]),
        fix=c.text(".fix", fault=fault),
        fault=fault,
        fault_in_trace=False,
        auto_wrap=False,
    )


@template("AssertionError", "assert.test_helper", contexts=TEST)
def test_helper(c: Ctx) -> Incident:
    c.runner = c.pick(("junit4", "junit4", "junit3"))
    support = c.app("test", f"{c.code.stem}Assertions" if c.chance(0.5) else "TestSupport")
    helper = support.at(
        c.pick(("assertBalanced", "assertSameContent", "assertReceived", "verifyState", "assertMatches")),
        c.code.line(20, 300),
    )
    expected, actual = c.randint(1, 9), c.randint(0, 3)
    if c.runner == "junit3":
        throw = c.chain(".throw")
        exception = "junit.framework.AssertionFailedError"
    else:
        throw = [c.lib("org.junit.Assert.fail", 88)]
        exception = "java.lang.AssertionError"
    message = c.pick(
        (
            f"{c.code.noun()}: {expected} expected, {actual} received",
            f"Expected {expected} {c.code.noun()} entries but found {actual}",
            f"debit/credit mismatch: {c.amount()} != {c.amount()}",
        )
    )
    c.entry()
    fault = test_fault(c)
    return c.fail(
        exception,
        message,
        [helper],
        throw,
        filler=0,
        auto_wrap=False,
        fault=fault,
        fault_in_trace=False,
        cause=c.text(".cause", helper=helper, fault=fault),
        fix=c.text(".fix", fault=fault, c_code_noun=c.code.noun()),
    )


@template("AssertionError", "assert.multiple_failures", contexts=TEST, min_jdk=8)
def multiple_failures(c: Ctx) -> Incident:
    c.runner = "junit5"
    parts = []
    for _ in range(c.randint(2, 3)):
        kind, expected, actual = value_pair(c)
        parts.append(f"\torg.opentest4j.AssertionFailedError: expected: <{expected}> but was: <{actual}>")
    if c.chance(0.5):
        exception = "org.opentest4j.MultipleFailuresError"
        throw = c.chain(".throw")
        message = f"Multiple Failures ({len(parts)} failures)\n" + "\n".join(parts)
    else:
        exception = "org.assertj.core.error.AssertJMultipleFailuresError"
        throw = [c.lib("org.assertj.core.api.SoftAssertions.assertAll", 137)]
        message = f"\nMultiple Failures ({len(parts)} failures)\n" + "\n".join(
            f"-- failure {i + 1} --\n{p.strip().split(': ', 1)[1]}" for i, p in enumerate(parts)
        )
    fault = test_fault(c)
    return assertion(c, exception, message, throw, c.text(".result", fault=fault), c.text(".result_2", fault=fault))
