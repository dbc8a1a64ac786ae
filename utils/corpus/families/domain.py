"""Banking domain exceptions: InsufficientBalanceException / InsufficientFundsException (balance or limit does not
cover a debit), thrown by the domain model and wrapped the ways services wrap them."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.model import Incident, StackFrame, Thrown, template


def won(c: Ctx, amount: int) -> str:
    return c.text("domain.won.result", amount=amount)


def shortfall(c: Ctx) -> tuple[str, int, int]:
    account = c.account_no()
    balance = c.amount()
    return account, balance, balance + c.pick((1000, 5000, 100000, balance))


def balance_message(c: Ctx, account: str, balance: int, requested: int) -> str:
    masked = account[:4] + "***" + account[7:] if c.chance(0.5) else account
    return c.pick(
        (
            f"Insufficient balance: account={masked}, balance={balance}, requested={requested}",
            c.text("domain.balance_message.result", masked=masked, balance=balance, requested=requested),
            f"balance {balance} < amount {requested}",
            c.text("domain.balance_message.result_2"),
        )
    )


def domain_class(c: Ctx, name: str) -> str:
    return c.pick(
        (
            f"{c.code.root}.{c.code.module}.exception.{name}",
            f"{c.code.root}.common.exception.{name}",
            f"{c.code.root}.{c.code.module}.domain.{name}",
        )
    )


def debit_incident(
    c: Ctx,
    owner_name: str,
    method: str,
    name: str,
    what_en: str,
    what_ko: str,
    fix_en: str,
    fix_ko: str,
    wraps: list[Wrap] | None = None,
) -> Incident:
    account, balance, requested = shortfall(c)
    owner = c.app("domain", owner_name)
    site = owner.at(method, c.code.line(40, 300))
    caller = c.frame(c.pick(("service", "batch", "listener")))
    return c.fail(
        domain_class(c, name),
        balance_message(c, account, balance, requested),
        [site, caller],
        fault=1,
        wraps=wraps or (),
        cause=c.text(
            "domain.debit_incident.cause",
            caller=caller,
            won=won(c, requested),
            won_2=won(c, balance),
            what_en=what_en,
            won_3=won(c, balance),
            won_4=won(c, requested),
            what_ko=what_ko,
        ),
        fix=c.t(fix_en, fix_ko),
    )


@template("InsufficientBalanceException", "ibe.account_withdraw", codebases=("bank",))
def account_withdraw(c: Ctx) -> Incident:
    return debit_incident(
        c,
        "Account",
        c.pick(("withdraw", "debit")),
        "InsufficientBalanceException",
        *c.pair(".what"),
        *c.pair("domain.balance_fix"),
    )


@template("InsufficientBalanceException", "ibe.card_limit", codebases=("bank",))
def card_limit(c: Ctx) -> Incident:
    account, balance, requested = shortfall(c)
    owner = c.app("domain", c.pick(("CardLimit", "CreditLine", "Card")))
    site = owner.at(c.pick(("reserve", "authorize", "consume")), c.code.line(30, 250))
    caller = c.frame(c.pick(("service", "gateway")))
    message = c.pick((f"Available limit {balance} KRW < authorization amount {requested} KRW", c.text(".message")))
    return c.fail(
        domain_class(c, "InsufficientFundsException"),
        message,
        [site, caller],
        fault=1,
        cause=c.text(
            ".cause",
            won=won(c, requested),
            won_2=won(c, balance),
            won_3=won(c, requested),
            won_4=won(c, balance),
        ),
        fix=c.text(".fix"),
    )


@template("InsufficientBalanceException", "ibe.auto_debit_batch", codebases=("bank",), contexts=("batch", "scheduled"))
def auto_debit_batch(c: Ctx) -> Incident:
    return debit_incident(c, "Account", "debit", "InsufficientBalanceException", *c.pair(".what"), *c.pair(".fix"))


@template("InsufficientBalanceException", "ibe.service_wrapped", codebases=("bank",), contexts=("web", "kafka"))
def service_wrapped(c: Ctx) -> Incident:
    text = c.text(".text")
    wrap = Wrap(
        f"{c.code.root}.common.exception.BizException", lambda inner: f"[E{c.randint(1000, 9999)}] {text}", at="app+1"
    )
    return debit_incident(
        c,
        "Account",
        "withdraw",
        "InsufficientBalanceException",
        *c.pair(".what"),
        *c.pair("domain.balance_fix"),
        wraps=[wrap],
    )


@template("InsufficientBalanceException", "ibe.proxy_undeclared", codebases=("bank",))
def proxy_undeclared(c: Ctx) -> Incident:
    account, balance, requested = shortfall(c)
    owner = c.app("domain", "Account")
    site = owner.at("withdraw", c.code.line(40, 300))
    service = c.app("service")
    method = c.verb()
    proxy = (
        f"jdk.proxy2.$Proxy{c.randint(90, 250)}" if c.jdk.at_least(17) else f"com.sun.proxy.$Proxy{c.randint(90, 250)}"
    )
    caller = c.frame(c.pick(("controller", "listener")))
    stack = c.call_stack(
        [
            site,
            service.at(method, c.code.line()),
            *c.jdk.reflect_invoke(),
            *c.chain(".stack"),
            StackFrame(proxy, method),
            caller,
        ],
        filler=0,
    )
    root = Thrown(
        domain_class(c, "InsufficientBalanceException"), balance_message(c, account, balance, requested), stack
    )
    wraps = [
        Wrap(
            "java.lang.reflect.InvocationTargetException",
            None,
            at=c.jdk.reflect_invoke()[-1].qualified_method,
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


@template("InsufficientBalanceException", "ibe.fx_purchase", codebases=("bank",))
def fx_purchase(c: Ctx) -> Incident:
    return debit_incident(
        c,
        c.pick(("FxWallet", "ForeignCurrencyAccount")),
        c.pick(("buy", "exchange", "debit")),
        "InsufficientFundsException",
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("InsufficientBalanceException", "ibe.wallet_points", codebases=("bank",))
def wallet_points(c: Ctx) -> Incident:
    return debit_incident(
        c,
        c.pick(("PointWallet", "PrepaidWallet")),
        c.pick(("use", "deduct")),
        "InsufficientFundsException",
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("InsufficientBalanceException", "ibe.test_expected", codebases=("bank",), contexts=("test",))
def test_expected(c: Ctx) -> Incident:
    return debit_incident(c, "Account", "withdraw", "InsufficientBalanceException", *c.pair(".what"), *c.pair(".fix"))
