"""Banking domain exceptions: InsufficientBalanceException / InsufficientFundsException (balance or limit does not
cover a debit), thrown by the domain model and wrapped the ways services wrap them.

The regular templates are declared in utils/corpus/templates/domain.yaml (through the helpers here); the checked
exception escaping a JDK proxy builds its reflective stack by hand."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.declared import helper
from utils.corpus.families.stacks import proxy_class
from utils.corpus.model import Incident, StackFrame, Thrown, template


@helper("balance_message")
def balance_message(c: Ctx, account: str, balance: int, requested: int) -> str:
    masked = account[:4] + "***" + account[7:] if c.chance(0.5) else account
    slots = {"masked": masked, "balance": balance, "requested": requested}
    return c.pick(
        (
            c.message("domain.balance_message", **slots),
            c.text("domain.balance_message.result", **slots),
            c.message("domain.balance_message.short", **slots),
            c.text("domain.balance_message.result_2"),
        )
    )


@helper("domain_exception")
def domain_exception(c: Ctx, name: str) -> str:
    """The bank's own exception class `name`, in one of the packages banks keep them in."""
    return f"{c.pick(c.values('domain.exception_packages')).format(code=c.code)}.{name}"


@helper("biz_wrap")
def biz_wrap(c: Ctx, wording: str) -> Wrap:
    """The service's BizException; its error code is drawn when it is thrown (after the stack is built)."""
    return Wrap(
        f"{c.code.root}.common.exception.BizException",
        lambda inner: c.message("domain.biz_wrap", code=c.randint(1000, 9999), text=wording),
        at="app+1",
    )


@template("InsufficientBalanceException", "ibe.proxy_undeclared", codebases=("bank",))
def proxy_undeclared(c: Ctx) -> Incident:
    account, balance = c.account_no(), c.amount()
    requested = balance + c.pick((1000, 5000, 100000, balance))
    site = c.app("domain", "Account").at("withdraw", c.code.line(40, 300))
    service = c.app("service")
    method = c.verb()
    proxy = proxy_class(c)
    caller = c.frame(c.pick(("controller", "listener")))
    top = [site, service.at(method, c.code.line()), *c.jdk.segment("reflect_invoke"), *c.chain(".stack")]
    stack = c.call_stack([*top, StackFrame(proxy, method), caller], filler=0)
    exception = domain_exception(c, "InsufficientBalanceException")
    root = Thrown(exception, balance_message(c, account, balance, requested), stack)
    wraps = [  # Method.invoke wraps it, then the proxy, whose interface does not declare it
        Wrap(
            "java.lang.reflect.InvocationTargetException",
            None,
            at=c.jdk.segment("reflect_invoke")[-1].qualified_method,
            line_delta=0,
        ),
        Wrap("java.lang.reflect.UndeclaredThrowableException", None, at=proxy + "." + method, line_delta=0),
    ]
    return c.incident(
        [root],
        wraps=wraps,
        top=[site],
        fault=stack[1],
        cause=c.text(".cause", method=method),
        fix=c.text(".fix", method=method),
    )
