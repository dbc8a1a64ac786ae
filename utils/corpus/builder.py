"""`Ctx`: what a template sees. It draws names and values, builds full stacks for the row's entry context and
turns (exception, message, frames, wrappers) into an `Incident` with the true faulty frame and guidance text.

Stacks are built the way the JVM records them: the root cause holds the whole call stack from the throwing
frame down to `Thread.run`; a wrapper thrown in a catch block holds the stack from its catch site down. The
printer (render.py) then elides the frames a cause shares with its wrapper as `... N more`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from utils.corpus.codebase import AppClass, Codebase
from utils.corpus.contexts import Entry, TestHarness, build_entry, chain, spring_proxy
from utils.corpus.jdk import Jdk, lib
from utils.corpus.model import Incident, StackFrame, Thrown
from utils.corpus.tables import tables

T = TypeVar("T")
CAUSE_TEXT = object()  # a wrapper's message is its cause's toString(), as `new X(cause)` makes it


@dataclass
class Wrap:
    """A wrapper exception thrown where the inner one was caught.

    `at`: the catch site: "app" (the first application frame), "app+N" (N frames further down the application
    frames), "entry" (the entry frame), or a qualified-method prefix ("org.springframework.jdbc.core.JdbcTemplate.
    execute"). `top`: frames above the catch site that built the wrapper (an exception translator).
    """

    cls: str
    message: Any = CAUSE_TEXT  # str, None, CAUSE_TEXT or a function of the wrapped Thrown
    at: str = "app"
    top: list[StackFrame] = field(default_factory=list)
    line_delta: int = 3


def _text_with_cause(text: str, inner: Thrown) -> str:
    return f"{text}: {inner.message or inner.cls}"


def _framework_wrapper(name: str, **slots: str) -> Wrap:
    """The data file's framework wrapper `name` (builder.framework_wraps); its message names the wrapped exception."""
    spec = tables().maps["builder.framework_wraps"][name]
    message = spec["message"]
    return Wrap(
        spec["class"],
        lambda inner: message.format(cause=inner.to_string(), **slots),
        at=spec["at"],
        line_delta=spec["line_delta"],
    )


class Ctx:
    """One row being generated: randomness, language, JDK, code base and entry context."""

    def __init__(self, rng: random.Random, jdk: Jdk, lang: str, code: Codebase, context: str, template: str) -> None:
        self.rng = rng
        self.jdk = jdk
        self.lang = lang
        self.code = code
        self.context = context
        self.template = template
        self._entry: Entry | None = None
        self.runner: str | None = None  # force a test runner ("junit3" | "junit4" | "junit5") before the entry is built
        self.harness = TestHarness()  # configured runner / launcher weights (generate.py sets them)

    # -- randomness ---------------------------------------------------------------------------------------------------
    def pick(self, options: Sequence[T]) -> T:
        return self.rng.choice(options)

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def randint(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    @property
    def bank(self) -> bool:
        return self.code.is_bank

    # -- tables (utils/corpus/templates/*.yaml) -----------------------------------------------------------------------
    # A key starting with "." is under the row's template name: ".cause" in template "npe.getter" is "npe.getter.cause".
    def _key(self, key: str) -> str:
        return self.template + key if key.startswith(".") else key

    def text(self, key: str, /, **slots: Any) -> str:
        """The data file's text `key` in the row's language, its `{slot}`s filled."""
        return tables().texts[self._key(key)]["ko" if self.lang == "ko" else "en"].format(**slots)

    def pair(self, key: str, /, **slots: Any) -> tuple[str, str]:
        """The data file's text `key` in both languages (for helpers that pick the language later)."""
        text = tables().texts[self._key(key)]
        return text["en"].format(**slots), text["ko"].format(**slots)

    def message(self, key: str, /, **slots: Any) -> str:
        """The data file's exception message `key`, its `{slot}`s filled."""
        return tables().messages[self._key(key)].format(**slots)

    def values(self, key: str) -> tuple[Any, ...]:
        """A data file's pick list (draw from it with `pick`: the draw stays visible in the template)."""
        return tables().values[self._key(key)]

    def chain(self, name: str) -> list[StackFrame]:
        """A data file's frame chain for the row's JDK, as a fresh list the template may extend."""
        return chain(self.jdk, self._key(name))

    # -- frames -------------------------------------------------------------------------------------------------------
    def j(self, qualified_method: str, lines: Any = None, native: bool = False, file: str | None = None) -> StackFrame:
        """A JDK frame; `lines` an int or a (JDK 8, 11, 17, 21) tuple."""
        return self.jdk.f(qualified_method, lines, file=file, native=native)

    @staticmethod
    def lib(qualified_method: str, line: int | None, file: str | None = None) -> StackFrame:
        return lib(qualified_method, line, file)

    def app(self, role: str, name: str | None = None) -> AppClass:
        return self.code.cls(role, name)

    def frame(self, role: str, method: str | None = None, name: str | None = None) -> StackFrame:
        """A frame of the row's `role` class (the same class each time the role is asked for)."""
        return self.code.frame(role, method, name)

    def at(self, owner: AppClass, method: str) -> StackFrame:
        return owner.at(method, self.code.line())

    def verb(self, role: str = "service") -> str:
        return self.code.method(role)

    # -- values for messages ------------------------------------------------------------------------------------------
    def account_no(self) -> str:
        branch = self.pick(self.values("builder.branches"))
        return f"{branch}-{self.randint(100, 999)}-{self.randint(100000, 999999)}"

    def amount(self) -> int:
        return self.pick(self.values("builder.amounts")) * 1000 + self.pick(self.values("builder.amount_hundreds"))

    def tx_id(self) -> str:
        day = f"{self.randint(2019, 2024)}{self.randint(1, 12):02d}{self.randint(1, 28):02d}"
        return f"TX{day}{self.randint(0, 99999999):08d}"

    def date(self, sep: str = "-") -> str:
        return f"{self.randint(2019, 2024)}{sep}{self.randint(1, 12):02d}{sep}{self.randint(1, 28):02d}"

    def host(self) -> str:
        return self.pick(self.values(f"builder.hosts.{self.code.kind}")).format(project=self.code.project)

    def port(self) -> int:
        return self.pick(self.values("builder.ports"))

    def url(self, path: str | None = None) -> str:
        scheme = self.pick(self.values("builder.url_schemes"))
        path = path or self.pick(self.values("builder.url_paths"))
        return f"{scheme}://{self.host()}:{self.port()}{path.replace('{n}', str(self.randint(1000, 99999)))}"

    def table(self) -> str:
        return self.pick(self.values(f"builder.tables.{self.code.kind}"))

    def column(self) -> str:
        return self.pick(self.values(f"builder.columns.{self.code.kind}"))

    def var(self) -> str:
        """A local variable or field name."""
        return self.pick(self.values(f"builder.vars.{self.code.kind}"))

    def getter(self) -> str:
        return "get" + self.pick(self.values("getter.properties"))

    def type_name(self) -> str:
        """A simple class name of the code base (for messages)."""
        return self.code.entity if self.bank else self.code.stem

    # -- stacks -------------------------------------------------------------------------------------------------------
    def entry(self, under_test: AppClass | None = None, method_under_test: str | None = None) -> Entry:
        """The row's entry context (built once)."""
        if self._entry is None:
            if under_test is None:
                under_test = self.code.cls("service") if self.bank else self.code.cls("domain")
            self._entry = build_entry(
                self.context, self.code, self.jdk, self.rng, under_test, method_under_test, self.runner, self.harness
            )
        return self._entry

    def filler_count(self) -> int:
        where = "test" if self.context == "test" else "other"
        return self.pick(self.values(f"builder.filler_counts.{where}.{self.code.kind}"))

    def call_stack(
        self, top: Sequence[StackFrame], throw: Sequence[StackFrame] = (), filler: int | None = None
    ) -> list[StackFrame]:
        """The full stack (deepest first) of code in `top` running in the row's entry context."""
        head = top[0] if top else None
        under_test = AppClass(head.cls) if head is not None and head.app else None
        method = head.method if head is not None and not head.method.startswith(("<", "lambda$")) else None
        entry = self.entry(under_test, method)
        middle = self.code.filler(self.filler_count() if filler is None else filler)
        app_frames = [*top, *middle]
        if self.context == "web" and app_frames and self.chance(0.5):
            target = app_frames[-1]
            app_frames += spring_proxy(self.jdk, self.rng, AppClass(target.cls), target.method)
        return [*throw, *app_frames, *entry.app_frames, *entry.bottom]

    # -- incidents ----------------------------------------------------------------------------------------------------
    def wrap(self, inner: Thrown, spec: Wrap) -> Thrown:
        """The wrapper of `inner` per `spec`, its stack starting at the catch site."""
        stack = inner.frames
        index = self._catch_index(stack, spec.at)
        site = stack[index].moved(spec.line_delta)
        if callable(spec.message):
            message = spec.message(inner)
        elif spec.message is CAUSE_TEXT:
            message = inner.to_string()
        else:
            message = spec.message
        return Thrown(spec.cls, message, [*spec.top, site, *stack[index + 1 :]])

    def _catch_index(self, stack: list[StackFrame], at: str) -> int:
        app_indexes = [i for i, frame in enumerate(stack) if frame.app] or [0]
        entry_frames = self.entry().app_frames if at == "entry" else []
        if entry_frames and entry_frames[0] in stack:
            return stack.index(entry_frames[0])
        if at == "entry" or at.startswith("app"):  # "app", "app+N"; an entry frame not in the stack: the first app one
            offset = int(at[4:]) if at.startswith("app+") else 0
            return app_indexes[min(offset, len(app_indexes) - 1)]
        methods = [frame.qualified_method for frame in stack]
        if at in methods:  # an exact method first: "Foo.parse" must not match "Foo.parseResolved0"
            return methods.index(at)
        return next((i for i, method in enumerate(methods) if method.startswith(at)), app_indexes[0])

    def fail(
        self,
        exception: str,
        message: str | None,
        top: Sequence[StackFrame] = (),
        throw: Sequence[StackFrame] = (),
        *,
        cause: str,
        fix: str,
        filler: int | None = None,
        **options: Any,
    ) -> Incident:
        """The common case: `exception` thrown at `throw` (library frames, deepest first) called from the
        application frames `top` (deepest first), in the row's context; `options` are `incident`'s."""
        chain = [Thrown(exception, message, self.call_stack(top, throw, filler))]
        return self.incident(chain, cause=cause, fix=fix, top=top, **options)

    def incident(
        self,
        chain: list[Thrown],
        *,
        cause: str,
        fix: str,
        fault: int | StackFrame = 0,
        top: Sequence[StackFrame] = (),
        wraps: Sequence[Wrap] = (),
        auto_wrap: bool = True,
        fault_in_trace: bool = True,
        log: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Incident:
        """An incident from a ready chain (top first): template wrappers, then the context's usual wrappers.
        `fault`: an index into `top` (0 the deepest, 1 its caller) or an explicit frame; with no `top` the entry
        frame is the fault."""
        for spec in wraps:
            chain.insert(0, self.wrap(chain[0], spec))
        if auto_wrap:
            for spec in self.context_wraps(chain[0]):
                chain.insert(0, self.wrap(chain[0], spec))
        if isinstance(fault, StackFrame):
            fault_frame = fault
        elif top:
            fault_frame = top[min(fault, len(top) - 1)]
        else:
            fault_frame = self.entry().app_frames[0]
        entry = self.entry()
        return Incident(
            chain=chain,
            fault=fault_frame,
            fault_in_trace=fault_in_trace,
            cause=cause,
            fix=fix,
            context=self.context,
            thread=entry.thread,
            logger=fault_frame.cls.split("$", 1)[0],
            log_message=log,
            extra=dict(extra or {}),
        )

    def context_wraps(self, outer: Thrown) -> list[Wrap]:
        """Wrappers the row's context and code base usually add (Spring MVC, Kafka, a domain exception ...)."""
        wraps: list[Wrap] = []
        app_frames = [frame for frame in outer.frames if frame.app]
        if (
            self.bank
            and len(app_frames) >= 2
            and self.context in ("web", "kafka", "batch", "scheduled")
            and self.chance(0.15)
        ):
            wraps.append(self._bank_domain_wrap())
        elif not self.bank and len(app_frames) >= 2 and self.chance(0.1):
            name = self.pick(self.values("builder.oss_exceptions"))
            name = name.format(project=self.code.project.capitalize(), stem=self.code.stem)
            failed = self.message("builder.failed_to", verb=self.verb(), stem=self.code.stem)
            message = self.pick((CAUSE_TEXT, failed, None))
            wraps.append(Wrap(f"{self.code.root}.{name}", message, at=f"app+{self.randint(1, 3)}"))
        framework = self._framework_wrap()
        return [*wraps, framework] if framework else wraps

    def _bank_domain_wrap(self) -> Wrap:
        """A bank's own exception (`BizException`) thrown in a catch block a few application frames down."""
        name = self.pick(self.values("builder.bank_exceptions")).format(stem=self.code.stem)
        package = self.pick(self.values("builder.bank_exception_packages"))
        package = package.format(root=self.code.root, module=self.code.module)
        text = self.text("bank.processing_failed", code=self.code)
        code = f"E{self.randint(1000, 9999)}"
        # new BizException(text), with a code, new BizException(e), new BizException(text + ": " + e.getMessage(), e)
        message = self.pick((text, f"[{code}] {text}", CAUSE_TEXT, partial(_text_with_cause, text)))
        return Wrap(f"{package}.{name}", message, at=self.pick(self.values("builder.bank_wrap_sites")))

    def _framework_wrap(self) -> Wrap | None:
        """The wrapper the entry context's framework adds around what escapes the application, if any."""
        if self.context == "web" and self.chance(0.2):
            return _framework_wrapper("jakarta" if self.entry().jakarta else "javax")
        if self.context == "kafka" and self.chance(0.35):
            entry = self.entry().app_frames[0]
            return _framework_wrapper("kafka", listener=f"{entry.cls}.{entry.method}")
        if self.context in ("executor", "scheduled", "batch") and self.chance(0.08):
            return _framework_wrapper("pool")
        if self.context == "main" and self.bank and self.chance(0.4) and self.entry().bottom:
            return _framework_wrapper("main")
        return None

    def under_test_fault(self, test_frame: StackFrame) -> StackFrame:
        """For assertion failures: the code under test (outside the trace), named after the test class/method."""
        entry = self.entry()
        target = entry.test_class.fqcn if entry.test_class else test_frame.cls
        for suffix in self.values("builder.test_class_suffixes"):
            if target.endswith(suffix):
                target = target.removesuffix(suffix)
                break
        method = entry.test_method or test_frame.method
        for prefix in self.values("builder.test_method_prefixes"):
            if method.startswith(prefix) and len(method) > len(prefix):
                method = method[len(prefix)].lower() + method[len(prefix) + 1 :]
                break
        for suffix in self.values("builder.test_method_suffixes"):  # each in turn: "fooWorksTest" -> "fooWorks"
            if method.endswith(suffix) and len(method) > len(suffix):
                method = method.removesuffix(suffix)
        owner = AppClass(target)
        return StackFrame(owner.fqcn, method, owner.file, None, app=True)
