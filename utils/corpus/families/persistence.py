"""JPA/Hibernate: OptimisticLockException (version checks), EntityNotFoundException (missing rows / empty results)
and LazyInitializationException (lazy associations read after the session closed).

The templates are declared in utils/corpus/templates/persistence.yaml, through the helpers here (a lazy
collection's frames, a Hibernate proxy, a versioned update)."""

from __future__ import annotations

from utils.corpus.builder import Ctx
from utils.corpus.declared import helper
from utils.corpus.families import stacks
from utils.corpus.model import StackFrame

helper("spring_data_repository")(stacks.spring_data_repository)


@helper("jpa_package")
def jpa_package(c: Ctx) -> str:
    """Where the JPA API lives: Jakarta from JDK 17 in most rows (Spring Boot 3), javax before."""
    return "jakarta.persistence" if c.jdk.at_least(17) and c.chance(0.6) else "javax.persistence"


@helper("hibernate_proxy")
def hibernate_proxy(c: Ctx, entity: str) -> list[StackFrame]:
    """A getter called on the generated Hibernate proxy of `entity` (no source)."""
    proxy = f"{entity}$HibernateProxy${c.pick(c.values('persistence.proxy_suffix'))}"
    return [StackFrame(proxy, c.getter())]


@helper("lazy_collection")
def lazy_collection(c: Ctx, operation: str, keep: int = 5) -> list[StackFrame]:
    """A lazy collection initialised outside its session by `operation` (deepest first; `keep` the deepest frames,
    all drawn, for a caller that reaches the collection another way)."""
    base = "org.hibernate.collection.internal" if c.chance(0.6) else "org.hibernate.collection.spi"  # Hibernate 5, 6
    slots = {"base": base, "bag": c.pick(c.values("persistence.bag")), "operation": operation}
    frames = [c.lib(method.format(**slots), c.pick(lines)) for method, lines in c.values("persistence.lazy_collection")]
    return frames[:keep]


@helper("jdk_frame")
def jdk_frame(c: Ctx, method: str, lines: list[int]) -> StackFrame:
    """One JDK frame (its lines on JDK 8, 11, 17 and 21) for a declared template's `top` between two app frames."""
    return c.j(method, tuple(lines))


@helper("versioned_update")
def versioned_update(c: Ctx, start: int = 0, stop: int | None = None) -> list[StackFrame]:
    """A flush that updates a versioned row (deepest first, the version check on top), every line drawn; `start`,
    `stop`: the part a caller that reaches it another way keeps."""
    frames = [c.lib(method, c.pick(lines)) for method, lines in c.values("persistence.versioned_update")]
    return [*frames, *stacks.hibernate_flush(c)[5:]][start:stop]
