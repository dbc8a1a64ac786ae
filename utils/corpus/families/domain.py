"""Banking domain exceptions: InsufficientBalanceException / InsufficientFundsException (balance or limit does not
cover a debit), thrown by the domain model and wrapped the ways services wrap them."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.model import Incident, StackFrame, Thrown, template


def won(c: Ctx, amount: int) -> str:
    return c.t(f"{amount:,} KRW", f"{amount:,}원")


def shortfall(c: Ctx) -> tuple[str, int, int]:
    account = c.account_no()
    balance = c.amount()
    return account, balance, balance + c.pick((1000, 5000, 100000, balance))


def balance_message(c: Ctx, account: str, balance: int, requested: int) -> str:
    masked = account[:4] + "***" + account[7:] if c.chance(0.5) else account
    return c.pick(
        (
            f"Insufficient balance: account={masked}, balance={balance}, requested={requested}",
            c.t(
                f"Insufficient balance for account {masked}",
                f"잔액이 부족합니다 (계좌번호: {masked}, 잔액: {balance:,}원, 요청금액: {requested:,}원)",
            ),
            f"balance {balance} < amount {requested}",
            c.t("Not enough balance", "출금 가능 금액이 부족합니다"),
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
        cause=c.t(
            f"{caller.method} tried to debit {won(c, requested)} from an account holding {won(c, balance)} ({what_en})",
            f"{caller.method}에서 잔액 {won(c, balance)}인 계좌에 {won(c, requested)} 출금 시도 ({what_ko})",
        ),
        fix=c.t(fix_en, fix_ko),
    )


BALANCE_FIX = (
    "Check the available balance (incl. holds) before debiting and return a business error to the user, not a 500",
    "출금 전에 가용 잔액(보류 금액 포함)을 확인하고 500 대신 업무 오류로 사용자에게 안내",
)


@template("InsufficientBalanceException", "ibe.account_withdraw", codebases=("bank",))
def account_withdraw(c: Ctx) -> Incident:
    return debit_incident(
        c,
        "Account",
        c.pick(("withdraw", "debit")),
        "InsufficientBalanceException",
        "the transfer amount exceeds the balance",
        "이체 금액이 잔액보다 큼",
        *BALANCE_FIX,
    )


@template("InsufficientBalanceException", "ibe.card_limit", codebases=("bank",))
def card_limit(c: Ctx) -> Incident:
    account, balance, requested = shortfall(c)
    owner = c.app("domain", c.pick(("CardLimit", "CreditLine", "Card")))
    site = owner.at(c.pick(("reserve", "authorize", "consume")), c.code.line(30, 250))
    caller = c.frame(c.pick(("service", "gateway")))
    message = c.pick(
        (
            f"Available limit {balance} KRW < authorization amount {requested} KRW",
            c.t("Credit limit exceeded", "카드 한도가 부족합니다"),
        )
    )
    return c.fail(
        domain_class(c, "InsufficientFundsException"),
        message,
        [site, caller],
        fault=1,
        cause=c.t(
            f"The card authorization for {won(c, requested)} exceeds the remaining limit {won(c, balance)}",
            f"{won(c, requested)} 카드 승인 요청이 남은 한도 {won(c, balance)}를 초과",
        ),
        fix=c.t(
            "Decline the authorization with the proper response code (insufficient limit) instead of an error",
            "오류 대신 한도 부족 응답 코드로 승인을 거절 처리",
        ),
    )


@template("InsufficientBalanceException", "ibe.auto_debit_batch", codebases=("bank",), contexts=("batch", "scheduled"))
def auto_debit_batch(c: Ctx) -> Incident:
    return debit_incident(
        c,
        "Account",
        "debit",
        "InsufficientBalanceException",
        "a scheduled auto-debit ran on an account without funds",
        "잔액이 없는 계좌에서 자동이체 배치 출금 실행",
        "Skip and record failed auto-debits (retry later/notify) instead of failing the whole batch step",
        "자동이체 실패 건은 기록 후 건너뛰고(재시도/통지) 배치 스텝 전체를 실패시키지 않음",
    )


@template("InsufficientBalanceException", "ibe.service_wrapped", codebases=("bank",), contexts=("web", "kafka"))
def service_wrapped(c: Ctx) -> Incident:
    text = c.t("Transfer failed", "이체 처리 실패")
    wrap = Wrap(
        f"{c.code.root}.common.exception.BizException", lambda inner: f"[E{c.randint(1000, 9999)}] {text}", at="app+1"
    )
    return debit_incident(
        c,
        "Account",
        "withdraw",
        "InsufficientBalanceException",
        "the service wrapped the domain error in a generic business exception",
        "서비스가 도메인 오류를 일반 업무 예외로 감쌈",
        *BALANCE_FIX,
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
            c.lib("org.springframework.aop.support.AopUtils.invokeJoinpointUsingReflection", 344),
            c.lib("org.springframework.aop.framework.JdkDynamicAopProxy.invoke", 208),
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
        cause=c.t(
            "A checked InsufficientBalanceException passed through a JDK proxy whose interface does not declare "
            f"it ({method})",
            f"인터페이스에 선언되지 않은 검사 예외 InsufficientBalanceException이 JDK 프록시({method})를 통과",
        ),
        fix=c.t(
            f"Declare the exception on the interface method {method} (or make it unchecked) and handle it as a "
            "business error",
            f"인터페이스 메서드 {method}에 예외를 선언(또는 unchecked로 변경)하고 업무 오류로 처리",
        ),
    )


@template("InsufficientBalanceException", "ibe.fx_purchase", codebases=("bank",))
def fx_purchase(c: Ctx) -> Incident:
    return debit_incident(
        c,
        c.pick(("FxWallet", "ForeignCurrencyAccount")),
        c.pick(("buy", "exchange", "debit")),
        "InsufficientFundsException",
        "the KRW amount for the currency purchase (with spread) exceeds the balance",
        "환전에 필요한 원화 금액(스프레드 포함)이 잔액보다 큼",
        "Quote the total including fees/spread and check it against the balance before booking",
        "수수료/스프레드 포함 총액을 산정해 거래 전에 잔액과 비교",
    )


@template("InsufficientBalanceException", "ibe.wallet_points", codebases=("bank",))
def wallet_points(c: Ctx) -> Incident:
    return debit_incident(
        c,
        c.pick(("PointWallet", "PrepaidWallet")),
        c.pick(("use", "deduct")),
        "InsufficientFundsException",
        "the wallet/point balance is lower than the payment",
        "지갑/포인트 잔액이 결제 금액보다 적음",
        "Offer partial payment or another method when the wallet balance is short",
        "잔액 부족 시 부분 결제나 다른 결제 수단을 제공",
    )


@template("InsufficientBalanceException", "ibe.test_expected", codebases=("bank",), contexts=("test",))
def test_expected(c: Ctx) -> Incident:
    return debit_incident(
        c,
        "Account",
        "withdraw",
        "InsufficientBalanceException",
        "the test fixture's balance is lower than the amount the test transfers",
        "테스트 픽스처의 잔액이 테스트 이체 금액보다 적음",
        "Fund the fixture account in the test setup, or expect the exception (assertThrows) if that is the case "
        "under test",
        "테스트 준비에서 계좌 잔액을 충분히 두거나, 이것이 검증 대상이면 assertThrows로 예외를 기대",
    )
