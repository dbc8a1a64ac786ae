"""Plain data of the generator: stack frames, thrown exceptions, one generated incident, the template registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from utils.corpus.builder import Ctx


@dataclass(frozen=True)
class StackFrame:
    """One `at ...` line as the JVM prints it."""

    cls: str  # "java.util.ArrayList$Itr"
    method: str
    file: str | None = None  # None prints "Unknown Source" (or "Native Method" when native)
    line: int | None = None
    module: str | None = None  # "java.base" on JDK 9+
    native: bool = False
    generated: bool = False  # CGLIB proxies print "(<generated>)"
    app: bool = False  # application code (the faulty frame is always one of these)

    @property
    def qualified_method(self) -> str:
        return f"{self.cls}.{self.method}"

    @property
    def simple_cls(self) -> str:
        """The class name without its package (a data file's text names it as `{site.simple_cls}`)."""
        return self.cls.rsplit(".", 1)[-1]

    def source(self) -> str:
        if self.native:
            return "Native Method"
        if self.generated:
            return "<generated>"
        if self.file is None:
            return "Unknown Source"
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def render(self) -> str:
        module = f"{self.module}/" if self.module else ""
        return f"at {module}{self.cls}.{self.method}({self.source()})"

    def moved(self, delta: int) -> StackFrame:
        """The same frame at another line: the catch site of a wrapper is a few lines below the call."""
        if self.line is None:
            return self
        return replace(self, line=self.line + delta, generated=False)


@dataclass
class Thrown:
    """One exception of a chain, with its own full stack (the printer elides frames shared with the wrapper)."""

    cls: str
    message: str | None
    frames: list[StackFrame]

    def to_string(self) -> str:
        """Throwable.toString(): what a wrapper built with `new X(cause)` takes as its message."""
        return f"{self.cls}: {self.message}" if self.message is not None else self.cls


@dataclass
class Incident:
    """What a template produces: the exception chain plus everything the row's guidance and meta need."""

    chain: list[Thrown]  # top first, root cause last
    fault: StackFrame  # the frame a developer would fix (may lie outside the trace: assertion failures)
    fault_in_trace: bool
    cause: str
    fix: str
    context: str  # entry context: "test", "web", "kafka", "batch", ...
    thread: str = "main"
    logger: str = ""
    log_message: str | None = None  # what the application logged together with the trace
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def root(self) -> Thrown:
        return self.chain[-1]


@dataclass(frozen=True)
class Template:
    """A scenario template: one named situation of one class; splits hold out whole templates."""

    name: str  # "npe.getter_chain"
    label: str  # the canonical label every row of it must get
    family: str  # the module that defines it: "nulls", "database", ...
    build: Callable[[Ctx], Incident]
    contexts: tuple[str, ...] | None = None  # allowed entry contexts (None: any)
    codebases: tuple[str, ...] = ("bank", "oss")
    min_jdk: int = 6  # the oldest JDK the scenario exists on (java.nio.file needs 7, Stream.toList 16, ...)


TEMPLATES: dict[str, Template] = {}


def template(
    label: str,
    name: str,
    contexts: tuple[str, ...] | None = None,
    codebases: tuple[str, ...] = ("bank", "oss"),
    min_jdk: int = 6,
    family: str | None = None,
) -> Callable[[Callable[[Ctx], Incident]], Callable[[Ctx], Incident]]:
    """Register a template builder under `name` for `label` (decorator); `family` defaults to the builder's module."""

    def register(build: Callable[[Ctx], Incident]) -> Callable[[Ctx], Incident]:
        if name in TEMPLATES:
            raise ValueError(f"template {name!r} is registered twice")
        TEMPLATES[name] = Template(
            name, label, family or build.__module__.rsplit(".", 1)[-1], build, contexts, codebases, min_jdk
        )
        return build

    return register
