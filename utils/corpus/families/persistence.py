"""JPA/Hibernate: OptimisticLockException (version checks), EntityNotFoundException (missing rows / empty results)
and LazyInitializationException (lazy associations read after the session closed)."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.families import stacks
from utils.corpus.model import Incident, StackFrame, Thrown, template

HIBERNATE_PERSISTER = "org.hibernate.persister.entity.AbstractEntityPersister"


def update_flush(c: Ctx) -> list[StackFrame]:
    """A flush that updates a versioned row (deepest first, the version check on top)."""
    flush = stacks.hibernate_flush(c)
    return [
        c.lib(f"{HIBERNATE_PERSISTER}.check", c.pick((2522, 2562))),
        c.lib(f"{HIBERNATE_PERSISTER}.update", c.pick((3352, 3418))),
        c.lib(f"{HIBERNATE_PERSISTER}.updateOrInsert", c.pick((3230, 3290))),
        c.lib(f"{HIBERNATE_PERSISTER}.update", c.pick((3634, 3700))),
        c.lib("org.hibernate.action.internal.EntityUpdateAction.execute", c.pick((146, 178))),
        *flush[5:],
    ]


def entity_ref(c: Ctx) -> tuple[str, int]:
    return c.app("domain").fqcn, c.randint(1, 999999)


# ------------------------------------------------------------------------------------------ OptimisticLockException


@template("OptimisticLockException", "ole.stale_object", codebases=("bank",))
def stale_object(c: Ctx) -> Incident:
    entity, ident = entity_ref(c)
    caller = c.frame("controller" if c.context == "web" else c.pick(("listener", "batch", "scheduler")))
    stack = c.call_stack([caller], update_flush(c))
    message = (
        c.message(".message", entity=entity, ident=ident)
    )
    root = Thrown("org.hibernate.StaleObjectStateException", message, stack)
    wrap = Wrap(
        "org.springframework.orm.ObjectOptimisticLockingFailureException",
        lambda e: (
            c.message(".wrap", entity=entity, ident=ident, e_to_string=e.to_string())
        ),
        at="org.springframework.orm.jpa.JpaTransactionManager.doCommit",
        line_delta=4,
        top=c.chain(".top"),
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[caller],
        fault=caller,
        cause=c.text(".cause", entity_simple=entity.rsplit('.', 1)[-1], ident=ident),
        fix=c.text(".fix"),
    )


@template("OptimisticLockException", "ole.jpa_wrapped", codebases=("bank",))
def jpa_wrapped(c: Ctx) -> Incident:
    entity, ident = entity_ref(c)
    service = c.frame("service")
    lib_frames = [*update_flush(c)[:9], *c.chain(".lib_frames")]
    stack = c.call_stack([service], lib_frames)
    message = (
        c.message(".message", entity=entity, ident=ident)
    )
    jpa = "jakarta.persistence" if c.jdk.at_least(17) and c.chance(0.6) else "javax.persistence"
    root = Thrown("org.hibernate.StaleObjectStateException", message, stack)
    wrap = Wrap(
        f"{jpa}.OptimisticLockException",
        lambda e: e.message,
        at="org.hibernate.internal.SessionImpl.flush",
        line_delta=4,
        top=c.chain(".top"),
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[service],
        cause=c.text(".cause", service=service, entity_simple=entity.rsplit('.', 1)[-1], ident=ident),
        fix=c.text(".fix"),
    )


@template("OptimisticLockException", "ole.batch_row_count")
def batch_row_count(c: Ctx) -> Incident:
    site = c.frame(c.pick(("service", "batch", "repository")))
    lib_frames = [*c.chain(".lib_frames"), *update_flush(c)[3:]]
    stack = c.call_stack([site], lib_frames)
    message = "Batch update returned unexpected row count from update [0]; actual row count: 0; expected: 1"
    if c.chance(0.4):
        message += f"; statement executed: update {c.table().lower()} set status=?, version=? where id=? and version=?"
    return c.incident(
        [Thrown("org.hibernate.StaleStateException", message, stack)],
        top=[site],
        cause=c.text(".cause"),
        fix=c.text(".fix"),
    )


@template("OptimisticLockException", "ole.spring_data_jdbc")
def spring_data_jdbc(c: Ctx) -> Incident:
    entity = c.app("domain")
    throw = c.chain(".throw")
    site = c.frame(c.pick(("service", "batch")))
    return c.fail(
        "org.springframework.dao.OptimisticLockingFailureException",
        f"Optimistic lock exception on saving entity of type {entity.fqcn}",
        [site],
        throw,
        cause=c.text(".cause", entity=entity),
        fix=c.text(".fix"),
    )


@template(
    "OptimisticLockException", "ole.concurrent_balance", codebases=("bank",), contexts=("web", "kafka", "executor")
)
def concurrent_balance(c: Ctx) -> Incident:
    account = c.app("domain", "Account")
    ident = c.randint(1000, 99999)
    caller = c.frame(c.pick(("controller", "listener", "service")))
    stack = c.call_stack([caller], update_flush(c))
    root = Thrown("org.hibernate.StaleObjectStateException", c.message(".root", account=account, ident=ident), stack)
    wrap = Wrap(
        "org.springframework.orm.ObjectOptimisticLockingFailureException",
        lambda e: (
            c.message(".wrap", account=account, ident=ident, e_to_string=e.to_string())
        ),
        at="org.springframework.orm.jpa.JpaTransactionManager.doCommit",
        line_delta=4,
    )
    return c.incident([root], wraps=[wrap], top=[caller], cause=c.text(".cause", ident=ident), fix=c.text(".fix"))


@template("OptimisticLockException", "ole.merge_detached", codebases=("bank",))
def merge_detached(c: Ctx) -> Incident:
    entity, ident = entity_ref(c)
    throw = c.chain(".throw")
    site = c.frame(c.pick(("service", "repository")))
    return c.fail(
        "org.hibernate.StaleObjectStateException",
        c.message(".result", entity=entity, ident=ident),
        [site],
        throw,
        cause=c.text(".cause", entity_simple=entity.rsplit('.', 1)[-1]),
        fix=c.text(".fix"),
    )


@template("OptimisticLockException", "ole.jakarta_message", min_jdk=11)
def jakarta_message(c: Ctx) -> Incident:
    entity, ident = entity_ref(c)
    jpa = "jakarta.persistence" if c.jdk.at_least(17) else "javax.persistence"
    throw = c.chain(".throw")
    site = c.frame(c.pick(("repository", "service", "domain")))
    return c.fail(
        f"{jpa}.OptimisticLockException",
        c.message(".result", entity=entity, ident=ident),
        [site],
        throw,
        cause=c.text(".cause"),
        fix=c.text(".fix"),
    )


# ------------------------------------------------------------------------------------------ EntityNotFoundException


def jpa_pkg(c: Ctx) -> str:
    return "jakarta.persistence" if c.jdk.at_least(17) and c.chance(0.6) else "javax.persistence"


@template("EntityNotFoundException", "enf.or_else_throw", min_jdk=8)
def or_else_throw(c: Ctx) -> Incident:
    entity = c.type_name()
    ident = c.account_no() if c.bank else str(c.randint(1, 99999))
    service = c.app("service")
    method = c.verb()
    lam = service.at(f"lambda${method}${c.randint(0, 3)}", c.code.line())
    caller = service.at(method, c.code.line())
    throw = [c.j("java.util.Optional.orElseThrow", (290, 385, 403, 403))]
    exception = c.pick(
        (f"{jpa_pkg(c)}.EntityNotFoundException", f"{c.code.root}.common.exception.EntityNotFoundException")
    )
    message = c.pick(
        (f"{entity} not found: {ident}", c.text(".message", entity=entity, ident=ident), f"{entity} {ident}")
    )
    return c.fail(
        exception,
        message,
        [lam, *throw, caller],
        fault=2,
        cause=c.text(".cause", method=method, entity=entity, ident=ident),
        fix=c.text(".fix"),
    )


@template("EntityNotFoundException", "enf.lazy_reference", codebases=("bank",))
def lazy_reference(c: Ctx) -> Incident:
    entity, ident = entity_ref(c)
    proxy = f"{entity}$HibernateProxy${c.pick(('Ab12Cd34', 'q8WxYz01', 'Mn45Op67'))}"
    getter = c.getter()
    throw = [*c.chain(".throw"), StackFrame(proxy, getter)]
    site = c.frame(c.pick(("service", "support")))
    return c.fail(
        f"{jpa_pkg(c)}.EntityNotFoundException",
        f"Unable to find {entity} with id {ident}",
        [site],
        throw,
        cause=c.text(".cause", entity_simple=entity.rsplit('.', 1)[-1], ident=ident),
        fix=c.text(".fix"),
    )


@template("EntityNotFoundException", "enf.no_result")
def no_result(c: Ctx) -> Incident:
    jpa = jpa_pkg(c)
    message = c.pick(
        (
            "No entity found for query",
            f"No result found for query [select a from {c.type_name()} a where a.{c.code.noun()} = :{c.code.noun()}]",
        )
    )
    throw = [
        c.lib("org.hibernate.query.internal.AbstractProducedQuery.getSingleResult", 1617)
        if message.startswith("No entity")
        else c.lib("org.hibernate.query.spi.AbstractSelectionQuery.getSingleResult", 274)
    ]
    site = c.frame("repository")
    return c.fail(
        f"{jpa}.NoResultException",
        message,
        [site],
        throw,
        cause=c.text(".cause", site=site),
        fix=c.text(".fix"),
    )


@template("EntityNotFoundException", "enf.empty_result_jdbc")
def empty_result_jdbc(c: Ctx) -> Incident:
    site = c.frame("repository")
    throw = [
        c.lib("org.springframework.dao.support.DataAccessUtils.nullableSingleResult", 97),
        c.lib("org.springframework.jdbc.core.JdbcTemplate.queryForObject", c.pick((784, 880))),
        c.lib("org.springframework.jdbc.core.JdbcTemplate.queryForObject", c.pick((809, 904))),
    ]
    return c.fail(
        "org.springframework.dao.EmptyResultDataAccessException",
        "Incorrect result size: expected 1, actual 0",
        [site],
        throw,
        cause=c.text(".cause", site=site),
        fix=c.text(".fix"),
    )


# A JDK 8 API; min_jdk 7 keeps the JDK 7 rows corpus.yaml has always drawn (JDK 6 has none).
@template("EntityNotFoundException", "enf.delete_by_id", codebases=("bank",), min_jdk=7)
def delete_by_id(c: Ctx) -> Incident:
    entity = c.app("domain")
    ident = c.randint(1, 99999)
    throw = [*c.chain(".throw"), *stacks.spring_data_repository(c, "deleteById")]
    site = c.frame("service")
    return c.fail(
        "org.springframework.dao.EmptyResultDataAccessException",
        f"No class {entity.fqcn} entity with id {ident} exists!",
        [site],
        throw,
        cause=c.text(".cause", ident=ident, entity=entity),
        fix=c.text(".fix"),
    )


@template("EntityNotFoundException", "enf.non_unique", codebases=("bank",))
def non_unique(c: Ctx) -> Incident:
    count = c.randint(2, 4)
    site = c.frame("repository")
    jpa = jpa_pkg(c)
    stack = c.call_stack([site], [*c.chain(".stack"), *stacks.spring_data_repository(c, c.verb("repository"))])
    root = Thrown(f"{jpa}.NonUniqueResultException", f"query did not return a unique result: {count}", stack)
    wrap = Wrap(
        "org.springframework.dao.IncorrectResultSizeDataAccessException",
        lambda e: f"query did not return a unique result: {count}; nested exception is {e.to_string()}",
        at="org.springframework.dao.support.PersistenceExceptionTranslationInterceptor.invoke",
        line_delta=4,
        top=[c.lib("org.springframework.orm.jpa.EntityManagerFactoryUtils.convertJpaAccessExceptionIfPossible", 402)],
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[site],
        cause=c.text(".cause", site=site, count=count),
        fix=c.text(".fix"),
    )


@template("EntityNotFoundException", "enf.hibernate_object_not_found")
def hibernate_object_not_found(c: Ctx) -> Incident:
    entity, ident = entity_ref(c)
    throw = c.chain(".throw")
    site = c.frame(c.pick(("service", "support", "domain")))
    return c.fail(
        "org.hibernate.ObjectNotFoundException",
        f"No row with the given identifier exists: [{entity}#{ident}]",
        [site],
        throw,
        cause=c.text(".cause", entity_simple=entity.rsplit('.', 1)[-1], ident=ident),
        fix=c.text(".fix"),
    )


# ------------------------------------------------------------------------------------- LazyInitializationException

LIE = "org.hibernate.LazyInitializationException"


def collection_frames(c: Ctx, operation: str) -> list[StackFrame]:
    base = "org.hibernate.collection.internal" if c.chance(0.6) else "org.hibernate.collection.spi"
    bag = c.pick(("PersistentBag", "PersistentSet"))
    return [
        c.lib(f"{base}.AbstractPersistentCollection.throwLazyInitializationException", c.pick((606, 614, 635))),
        c.lib(f"{base}.AbstractPersistentCollection.withTemporarySessionIfNeeded", c.pick((218, 218, 239))),
        c.lib(f"{base}.AbstractPersistentCollection.initialize", c.pick((585, 591, 612))),
        c.lib(f"{base}.AbstractPersistentCollection.read", c.pick((149, 136))),
        c.lib(f"{base}.{bag}.{operation}", c.pick((387, 373, 156, 151))),
    ]


def lazy_collection(c: Ctx, operation: str, site_role: str) -> Incident:
    owner = c.app("domain")
    association = c.pick(("accounts", "entries", "transactions", "cards", "children", "items", "limits"))
    message = (
        c.message("persistence.lazy_collection.message", owner=owner, association=association)
    )
    site = c.frame(site_role)
    return c.fail(
        LIE,
        message,
        [site],
        collection_frames(c, operation),
        cause=c.text("persistence.lazy_collection.cause", site=site, owner=owner, association=association),
        fix=c.text("persistence.lazy_collection.fix", association=association),
    )


@template("LazyInitializationException", "lie.iterate_collection")
def iterate_collection(c: Ctx) -> Incident:
    return lazy_collection(c, "iterator", c.pick(("controller", "support", "service")))


@template("LazyInitializationException", "lie.collection_size")
def collection_size(c: Ctx) -> Incident:
    return lazy_collection(c, c.pick(("size", "isEmpty", "toString")), c.pick(("support", "controller", "batch")))


@template("LazyInitializationException", "lie.proxy_getter")
def proxy_getter(c: Ctx) -> Incident:
    entity, ident = entity_ref(c)
    proxy = f"{entity}$HibernateProxy${c.pick(('Ab12Cd34', 'q8WxYz01', 'Mn45Op67'))}"
    getter = c.getter()
    message = f"could not initialize proxy [{entity}#{ident}] - no Session"
    throw = [
        c.lib("org.hibernate.proxy.AbstractLazyInitializer.initialize", c.pick((170, 176))),
        *c.chain(".throw"),
        StackFrame(proxy, getter),
    ]
    site = c.frame(c.pick(("controller", "support", "service")))
    return c.fail(
        LIE,
        message,
        [site],
        throw,
        cause=c.text(".cause", site=site, getter=getter, entity_simple=entity.rsplit('.', 1)[-1]),
        fix=c.text(".fix"),
    )


@template("LazyInitializationException", "lie.jackson_serialization", codebases=("bank",), contexts=("web",))
def jackson_serialization(c: Ctx) -> Incident:
    owner = c.app("domain")
    association = c.pick(("accounts", "entries", "cards"))
    controller = c.frame("controller")
    lazy = collection_frames(c, "iterator")
    ser = "com.fasterxml.jackson.databind.ser"
    lib_frames = [*lazy, *c.chain(".lib_frames_2"), *c.chain(".lib_frames")]
    entry = c.entry()
    stack = [*lib_frames, *entry.bottom[len(c.jdk.reflect_invoke()) + 3 :]]
    message = (
        c.message(".message", owner=owner, association=association)
    )
    root = Thrown(LIE, message, stack)
    wrap = Wrap(
        "com.fasterxml.jackson.databind.JsonMappingException",
        lambda e: f'{message} (through reference chain: {owner.fqcn}["{association}"])',
        at=f"{ser}.std.BeanSerializerBase.serializeFields",
        top=[*c.chain(".top"), c.lib(f"{ser}.std.StdSerializer.wrapAndThrow", 316)],
        line_delta=10,
    )
    wrap2 = Wrap(
        "org.springframework.http.converter.HttpMessageNotWritableException",
        lambda e: f"Could not write JSON: {message}; nested exception is {e.to_string()}",
        at="org.springframework.http.converter.json.AbstractJackson2HttpMessageConverter.writeInternal",
        line_delta=3,
    )
    return c.incident(
        [root],
        wraps=[wrap, wrap2],
        auto_wrap=False,
        fault=controller,
        fault_in_trace=False,
        cause=c.text(".cause", controller=controller, owner=owner, association=association),
        fix=c.text(".fix"),
    )


@template(
    "LazyInitializationException", "lie.async_thread", codebases=("bank",), contexts=("executor", "kafka", "scheduled")
)
def async_thread(c: Ctx) -> Incident:
    return lazy_collection(c, c.pick(("iterator", "size")), c.pick(("service", "support", "listener")))


@template("LazyInitializationException", "lie.stream_collection", min_jdk=8)
def stream_collection(c: Ctx) -> Incident:
    owner = c.app("domain")
    association = c.pick(("entries", "lines", "accounts", "attachments"))
    message = (
        c.message(".message", owner=owner, association=association)
    )
    site = c.frame(c.pick(("service", "support", "batch")))
    throw = [
        *collection_frames(c, "iterator")[:4],
        c.lib("org.hibernate.collection.internal.PersistentBag.spliterator", 156),
    ][:5]
    throw += [c.j("java.util.Collection.stream", (581, 734, 743, 750))]
    return c.fail(
        LIE,
        message,
        [site],
        throw,
        cause=c.text(".cause", site=site, owner=owner, association=association),
        fix=c.text(".fix", association=association, owner=owner),
    )


@template("LazyInitializationException", "lie.test_detached", contexts=("test",))
def test_detached(c: Ctx) -> Incident:
    return lazy_collection(c, c.pick(("size", "iterator")), c.pick(("service", "domain")))
