"""JPA/Hibernate: OptimisticLockException (version checks), EntityNotFoundException (missing rows / empty results)
and LazyInitializationException (lazy associations read after the session closed).

The regular templates are declared in utils/corpus/templates/persistence.yaml, through the helpers here (a lazy
collection's frames, a Hibernate proxy, a versioned update); these draw after the call stack is built, or build
the stack by hand."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.declared import helper
from utils.corpus.families import stacks
from utils.corpus.model import Incident, StackFrame, Thrown, template

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
def versioned_update(c: Ctx) -> list[StackFrame]:
    """A flush that updates a versioned row (deepest first, the version check on top)."""
    frames = [c.lib(method, c.pick(lines)) for method, lines in c.values("persistence.versioned_update")]
    return [*frames, *stacks.hibernate_flush(c)[5:]]


# ------------------------------------------------------------------------------------------ OptimisticLockException


@template("OptimisticLockException", "ole.jpa_wrapped", codebases=("bank",))
def jpa_wrapped(c: Ctx) -> Incident:
    entity, ident = c.app("domain"), c.randint(1, 999999)
    service = c.frame("service")
    stack = c.call_stack([service], [*versioned_update(c)[:9], *c.chain(".lib_frames")])
    root = Thrown(
        "org.hibernate.StaleObjectStateException", c.message("persistence.stale_row", entity=entity, ident=ident), stack
    )
    wrap = Wrap(
        f"{jpa_package(c)}.OptimisticLockException",
        lambda e: e.message,
        at="org.hibernate.internal.SessionImpl.flush",
        line_delta=4,
        top=c.chain(".top"),
    )
    cause = c.text(".cause", service=service, entity=entity, ident=ident)
    return c.incident([root], wraps=[wrap], top=[service], cause=cause, fix=c.text(".fix"))


@template("OptimisticLockException", "ole.batch_row_count")
def batch_row_count(c: Ctx) -> Incident:
    site = c.frame(c.pick(("service", "batch", "repository")))
    stack = c.call_stack([site], [*c.chain(".lib_frames"), *versioned_update(c)[3:]])
    message = c.message(".message")
    if c.chance(0.4):
        message += c.message(".statement", table=c.table().lower())
    return c.incident(
        [Thrown("org.hibernate.StaleStateException", message, stack)],
        top=[site],
        cause=c.text(".cause"),
        fix=c.text(".fix"),
    )


# ------------------------------------------------------------------------------------- LazyInitializationException


@template("LazyInitializationException", "lie.jackson_serialization", codebases=("bank",), contexts=("web",))
def jackson_serialization(c: Ctx) -> Incident:
    owner = c.app("domain")
    association = c.pick(c.values(".association"))
    controller = c.frame("controller")
    lib_frames = [*lazy_collection(c, "iterator"), *c.chain(".lib_frames_2"), *c.chain(".lib_frames")]
    stack = [
        *lib_frames,
        *c.entry().bottom[len(c.jdk.segment("reflect_invoke")) + 3 :],
    ]  # the servlet below the handler
    message = c.message("persistence.lazy_collection.message", owner=owner, association=association)
    wrap = Wrap(
        "com.fasterxml.jackson.databind.JsonMappingException",
        lambda e: c.message(".through", message=message, owner=owner, association=association),
        at="com.fasterxml.jackson.databind.ser.std.BeanSerializerBase.serializeFields",
        top=c.chain(".top"),
        line_delta=10,
    )
    wrap2 = Wrap(
        "org.springframework.http.converter.HttpMessageNotWritableException",
        lambda e: c.message(".not_writable", message=message, inner=e.to_string()),
        at="org.springframework.http.converter.json.AbstractJackson2HttpMessageConverter.writeInternal",
        line_delta=3,
    )
    return c.incident(
        [Thrown("org.hibernate.LazyInitializationException", message, stack)],
        wraps=[wrap, wrap2],
        auto_wrap=False,
        fault=controller,
        fault_in_trace=False,
        cause=c.text(".cause", controller=controller, owner=owner, association=association),
        fix=c.text(".fix"),
    )
