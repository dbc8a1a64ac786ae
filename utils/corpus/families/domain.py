"""Banking domain exceptions: InsufficientBalanceException / InsufficientFundsException (balance or limit does not
cover a debit), thrown by the domain model and wrapped the ways services wrap them.

The templates are declared in utils/corpus/templates/domain.yaml, through the helpers here."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.declared import helper
from utils.corpus.model import StackFrame


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


@helper("proxy_call")
def proxy_call(c: Ctx, proxy: str, method: str) -> StackFrame:
    """A call through the JDK proxy class `proxy` (generated: no source file)."""
    return StackFrame(proxy, method)
