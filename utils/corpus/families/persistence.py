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
        "Row was updated or deleted by another transaction (or unsaved-value mapping was incorrect) : "
        f"[{entity}#{ident}]"
    )
    root = Thrown("org.hibernate.StaleObjectStateException", message, stack)
    wrap = Wrap(
        "org.springframework.orm.ObjectOptimisticLockingFailureException",
        lambda e: (
            f"Object of class [{entity}] with identifier [{ident}]: optimistic locking failed; nested exception "
            f"is {e.to_string()}"
        ),
        at="org.springframework.orm.jpa.JpaTransactionManager.doCommit",
        line_delta=4,
        top=[
            c.lib("org.springframework.orm.jpa.vendor.HibernateJpaDialect.convertHibernateAccessException", 315),
            c.lib("org.springframework.orm.jpa.vendor.HibernateJpaDialect.translateExceptionIfPossible", 233),
        ],
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[caller],
        fault=caller,
        cause=c.t(
            f"Another transaction updated {entity.rsplit('.', 1)[-1]} #{ident} between this one's read and its "
            "commit (@Version mismatch)",
            f"이 트랜잭션이 읽은 뒤 커밋하기 전에 다른 트랜잭션이 {entity.rsplit('.', 1)[-1]} #{ident}를 수정 "
            "(@Version 불일치)",
        ),
        fix=c.t(
            "Retry the whole read-modify-write on conflict (or tell the user to reload); avoid long-lived entities "
            "across requests",
            "충돌 시 읽기-수정-쓰기 전체를 재시도하거나 사용자에게 재조회를 안내하고 요청 간 엔티티 재사용을 피함",
        ),
    )


@template("OptimisticLockException", "ole.jpa_wrapped", codebases=("bank",))
def jpa_wrapped(c: Ctx) -> Incident:
    entity, ident = entity_ref(c)
    service = c.frame("service")
    lib_frames = [
        *update_flush(c)[:9],
        c.lib("org.hibernate.internal.SessionImpl.doFlush", 1407),
        c.lib("org.hibernate.internal.SessionImpl.flush", 1384),
    ]
    stack = c.call_stack([service], lib_frames)
    message = (
        "Row was updated or deleted by another transaction (or unsaved-value mapping was incorrect) : "
        f"[{entity}#{ident}]"
    )
    jpa = "jakarta.persistence" if c.jdk.at_least(17) and c.chance(0.6) else "javax.persistence"
    root = Thrown("org.hibernate.StaleObjectStateException", message, stack)
    wrap = Wrap(
        f"{jpa}.OptimisticLockException",
        lambda e: e.message,
        at="org.hibernate.internal.SessionImpl.flush",
        line_delta=4,
        top=[
            c.lib("org.hibernate.internal.ExceptionConverterImpl.wrapStaleStateException", 226),
            c.lib("org.hibernate.internal.ExceptionConverterImpl.convert", 93),
            c.lib("org.hibernate.internal.ExceptionConverterImpl.convert", 181),
        ],
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[service],
        cause=c.t(
            f"em.flush() in {service.method} found {entity.rsplit('.', 1)[-1]} #{ident} changed concurrently",
            f"{service.method}의 em.flush()에서 {entity.rsplit('.', 1)[-1]} #{ident}가 동시에 변경된 것을 감지",
        ),
        fix=c.t(
            "Catch OptimisticLockException and retry with fresh data (or serialise updates to that row)",
            "OptimisticLockException을 잡아 최신 데이터로 재시도하거나 해당 행 갱신을 직렬화",
        ),
    )


@template("OptimisticLockException", "ole.batch_row_count")
def batch_row_count(c: Ctx) -> Incident:
    site = c.frame(c.pick(("service", "batch", "repository")))
    lib_frames = [
        c.lib("org.hibernate.jdbc.Expectations$BasicExpectation.checkBatched", 67),
        c.lib("org.hibernate.jdbc.Expectations$BasicExpectation.verifyOutcome", 54),
        c.lib("org.hibernate.engine.jdbc.batch.internal.NonBatchingBatch.addToBatch", 47),
        c.lib(f"{HIBERNATE_PERSISTER}.update", 3352),
        *update_flush(c)[3:],
    ]
    stack = c.call_stack([site], lib_frames)
    message = "Batch update returned unexpected row count from update [0]; actual row count: 0; expected: 1"
    if c.chance(0.4):
        message += f"; statement executed: update {c.table().lower()} set status=?, version=? where id=? and version=?"
    return c.incident(
        [Thrown("org.hibernate.StaleStateException", message, stack)],
        top=[site],
        cause=c.t(
            "The UPDATE matched no row: the row was deleted/changed by someone else, or the entity's id/version "
            "is wrong",
            "UPDATE 대상 행이 없음: 다른 곳에서 삭제/변경되었거나 엔티티의 id/version 값이 잘못됨",
        ),
        fix=c.t(
            "Check for concurrent deletes and detached entities with stale ids; reload before updating",
            "동시 삭제와 오래된 id를 가진 분리 엔티티를 확인하고 갱신 전에 다시 조회",
        ),
    )


@template("OptimisticLockException", "ole.spring_data_jdbc")
def spring_data_jdbc(c: Ctx) -> Incident:
    entity = c.app("domain")
    throw = [
        c.lib("org.springframework.data.jdbc.core.JdbcAggregateChangeExecutionContext.updateWithVersion", 201),
        c.lib("org.springframework.data.jdbc.core.JdbcAggregateChangeExecutionContext.executeUpdateRoot", 132),
        c.lib("org.springframework.data.jdbc.core.AggregateChangeExecutor.execute", 85),
        c.lib("org.springframework.data.jdbc.core.JdbcAggregateTemplate.update", 362),
        c.lib("org.springframework.data.jdbc.core.JdbcAggregateTemplate.save", 156),
        c.lib("org.springframework.data.jdbc.repository.support.SimpleJdbcRepository.save", 64),
    ]
    site = c.frame(c.pick(("service", "batch")))
    return c.fail(
        "org.springframework.dao.OptimisticLockingFailureException",
        f"Optimistic lock exception on saving entity of type {entity.fqcn}",
        [site],
        throw,
        cause=c.t(
            f"Saving {entity.simple} with an outdated @Version value (changed concurrently)",
            f"오래된 @Version 값으로 {entity.simple} 저장 (동시 변경)",
        ),
        fix=c.t(
            "Reload and reapply the change, or retry on OptimisticLockingFailureException",
            "다시 조회해 변경을 재적용하거나 OptimisticLockingFailureException 시 재시도",
        ),
    )


@template(
    "OptimisticLockException", "ole.concurrent_balance", codebases=("bank",), contexts=("web", "kafka", "executor")
)
def concurrent_balance(c: Ctx) -> Incident:
    account = c.app("domain", "Account")
    ident = c.randint(1000, 99999)
    caller = c.frame(c.pick(("controller", "listener", "service")))
    stack = c.call_stack([caller], update_flush(c))
    root = Thrown(
        "org.hibernate.StaleObjectStateException",
        "Row was updated or deleted by another transaction (or unsaved-value mapping was incorrect) : "
        f"[{account.fqcn}#{ident}]",
        stack,
    )
    wrap = Wrap(
        "org.springframework.orm.ObjectOptimisticLockingFailureException",
        lambda e: (
            f"Object of class [{account.fqcn}] with identifier [{ident}]: optimistic locking failed; nested "
            f"exception is {e.to_string()}"
        ),
        at="org.springframework.orm.jpa.JpaTransactionManager.doCommit",
        line_delta=4,
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[caller],
        cause=c.t(
            f"Two requests debited account #{ident} at the same time; the second commit lost the version check",
            f"두 요청이 동시에 계좌 #{ident}에서 출금해 두 번째 커밋이 버전 검사에 실패",
        ),
        fix=c.t(
            "Serialise balance updates per account (pessimistic lock or queue) or retry the debit with fresh balance",
            "계좌별 잔액 갱신을 직렬화(비관적 락/큐)하거나 최신 잔액으로 출금을 재시도",
        ),
    )


@template("OptimisticLockException", "ole.merge_detached", codebases=("bank",))
def merge_detached(c: Ctx) -> Incident:
    entity, ident = entity_ref(c)
    throw = [
        c.lib("org.hibernate.event.internal.DefaultMergeEventListener.entityIsDetached", 335),
        c.lib("org.hibernate.event.internal.DefaultMergeEventListener.onMerge", 171),
        c.lib("org.hibernate.internal.SessionImpl.fireMerge", 910),
        c.lib("org.hibernate.internal.SessionImpl.merge", 896),
    ]
    site = c.frame(c.pick(("service", "repository")))
    return c.fail(
        "org.hibernate.StaleObjectStateException",
        "Row was updated or deleted by another transaction (or unsaved-value mapping was incorrect) : "
        f"[{entity}#{ident}]",
        [site],
        throw,
        cause=c.t(
            f"merge() of a detached {entity.rsplit('.', 1)[-1]} carrying an old version (edited from a stale "
            "form/cache)",
            f"오래된 버전을 가진 분리 상태 {entity.rsplit('.', 1)[-1]}를 merge (오래된 화면/캐시에서 수정)",
        ),
        fix=c.t(
            "Send the version with the form and reject/refresh stale edits instead of merging",
            "버전을 함께 전달하고 오래된 수정은 merge 대신 거부/재조회",
        ),
    )


@template("OptimisticLockException", "ole.jakarta_message", min_jdk=11)
def jakarta_message(c: Ctx) -> Incident:
    entity, ident = entity_ref(c)
    jpa = "jakarta.persistence" if c.jdk.at_least(17) else "javax.persistence"
    throw = [
        c.lib("org.hibernate.internal.ExceptionConverterImpl.wrapStaleStateException", 226),
        c.lib("org.hibernate.internal.ExceptionConverterImpl.convert", 93),
        c.lib("org.hibernate.internal.ExceptionConverterImpl.convert", 181),
        c.lib("org.hibernate.internal.SessionImpl.doFlush", 1413),
        c.lib("org.hibernate.internal.SessionImpl.flush", 1384),
    ]
    site = c.frame(c.pick(("repository", "service", "domain")))
    return c.fail(
        f"{jpa}.OptimisticLockException",
        "Row was updated or deleted by another transaction (or unsaved-value mapping was incorrect) : "
        f"[{entity}#{ident}]",
        [site],
        throw,
        cause=c.t(
            "A concurrent transaction changed the same row before this flush",
            "이 flush 전에 다른 트랜잭션이 같은 행을 변경",
        ),
        fix=c.t(
            "Retry on conflict with fresh state, or redesign the hot row (counter table, append-only entries)",
            "최신 상태로 재시도하거나 경합이 심한 행을 재설계(카운터 분리, 추가 전용 기록)",
        ),
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
        (
            f"{entity} not found: {ident}",
            c.t(f"No {entity} with id {ident}", f"{entity} 정보가 존재하지 않습니다: {ident}"),
            f"{entity} {ident}",
        )
    )
    return c.fail(
        exception,
        message,
        [lam, *throw, caller],
        fault=2,
        cause=c.t(
            f"{method} looked up {entity} {ident}, which does not exist (deleted, wrong id or another environment)",
            f"{method}가 존재하지 않는 {entity} {ident}를 조회 (삭제됨, 잘못된 ID, 다른 환경 데이터)",
        ),
        fix=c.t(
            "Answer 404/business error for unknown ids and check where the caller got this id",
            "알 수 없는 ID는 404/업무 오류로 응답하고 호출자가 받은 ID 출처를 확인",
        ),
    )


@template("EntityNotFoundException", "enf.lazy_reference", codebases=("bank",))
def lazy_reference(c: Ctx) -> Incident:
    entity, ident = entity_ref(c)
    proxy = f"{entity}$HibernateProxy${c.pick(('Ab12Cd34', 'q8WxYz01', 'Mn45Op67'))}"
    getter = c.getter()
    throw = [
        c.lib(
            "org.hibernate.jpa.boot.internal.EntityManagerFactoryBuilderImpl$JpaEntityNotFoundDelegate.handleEntityNotFound",
            177,
        ),
        c.lib("org.hibernate.proxy.AbstractLazyInitializer.checkTargetState", 298),
        c.lib("org.hibernate.proxy.AbstractLazyInitializer.initialize", 181),
        c.lib("org.hibernate.proxy.AbstractLazyInitializer.getImplementation", 310),
        c.lib("org.hibernate.proxy.pojo.bytebuddy.ByteBuddyInterceptor.intercept", 45),
        c.lib("org.hibernate.proxy.ProxyConfiguration$InterceptorDispatcher.intercept", 95),
        StackFrame(proxy, getter),
    ]
    site = c.frame(c.pick(("service", "support")))
    return c.fail(
        f"{jpa_pkg(c)}.EntityNotFoundException",
        f"Unable to find {entity} with id {ident}",
        [site],
        throw,
        cause=c.t(
            f"A reference (getReference/@ManyToOne) points to {entity.rsplit('.', 1)[-1]} #{ident}, whose row is gone",
            f"참조(getReference/@ManyToOne)가 가리키는 {entity.rsplit('.', 1)[-1]} #{ident} 행이 없음",
        ),
        fix=c.t(
            "Repair the dangling foreign key data (or add a FK constraint) and use findById where absence is possible",
            "끊어진 외래 키 데이터를 정리(또는 FK 제약 추가)하고 없을 수 있는 경우 findById 사용",
        ),
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
        cause=c.t(
            f"getSingleResult() in {site.method} found no row", f"{site.method}의 getSingleResult()가 결과를 찾지 못함"
        ),
        fix=c.t(
            "Use getResultList()/Optional for queries that may return nothing",
            "결과가 없을 수 있는 쿼리는 getResultList()/Optional 사용",
        ),
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
        cause=c.t(
            f"queryForObject in {site.method} returned no row for the key",
            f"{site.method}의 queryForObject가 해당 키로 행을 찾지 못함",
        ),
        fix=c.t(
            "Use query(...) and handle an empty list (or catch EmptyResultDataAccessException) where absence is valid",
            "없을 수 있으면 query(...)로 빈 결과를 처리하거나 EmptyResultDataAccessException을 처리",
        ),
    )


# A JDK 8 API; min_jdk 7 keeps the JDK 7 rows corpus.yaml has always drawn (JDK 6 has none).
@template("EntityNotFoundException", "enf.delete_by_id", codebases=("bank",), min_jdk=7)
def delete_by_id(c: Ctx) -> Incident:
    entity = c.app("domain")
    ident = c.randint(1, 99999)
    throw = [
        c.lib("org.springframework.data.jpa.repository.support.SimpleJpaRepository.lambda$deleteById$0", 166),
        c.j("java.util.Optional.orElseThrow", (290, 385, 403, 403)),
        c.lib("org.springframework.data.jpa.repository.support.SimpleJpaRepository.deleteById", 165),
        *stacks.spring_data_repository(c, "deleteById"),
    ]
    site = c.frame("service")
    return c.fail(
        "org.springframework.dao.EmptyResultDataAccessException",
        f"No class {entity.fqcn} entity with id {ident} exists!",
        [site],
        throw,
        cause=c.t(
            f"deleteById({ident}) on a {entity.simple} that does not exist (already deleted / double submit)",
            f"존재하지 않는 {entity.simple}에 deleteById({ident}) 호출 (이미 삭제/중복 요청)",
        ),
        fix=c.t(
            "Make deletion idempotent (check existsById or ignore missing ids)",
            "existsById 확인 또는 없는 ID 무시로 삭제를 멱등하게 처리",
        ),
    )


@template("EntityNotFoundException", "enf.non_unique", codebases=("bank",))
def non_unique(c: Ctx) -> Incident:
    count = c.randint(2, 4)
    site = c.frame("repository")
    jpa = jpa_pkg(c)
    stack = c.call_stack(
        [site],
        [
            c.lib("org.hibernate.query.internal.AbstractProducedQuery.uniqueElement", 1647),
            c.lib("org.hibernate.query.internal.AbstractProducedQuery.getSingleResult", 1618),
            *stacks.spring_data_repository(c, c.verb("repository")),
        ],
    )
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
        cause=c.t(
            f"A single-result query in {site.method} matched {count} rows (duplicate data / missing unique key)",
            f"{site.method}의 단건 조회가 {count}건과 일치 (중복 데이터 / 고유 키 누락)",
        ),
        fix=c.t(
            "Clean the duplicates and add a unique constraint, or query with ordering + limit 1 if several are valid",
            "중복 데이터를 정리하고 고유 제약을 추가하거나, 여러 건이 정상이면 정렬 후 1건만 조회",
        ),
    )


@template("EntityNotFoundException", "enf.hibernate_object_not_found")
def hibernate_object_not_found(c: Ctx) -> Incident:
    entity, ident = entity_ref(c)
    throw = [
        c.lib("org.hibernate.boot.internal.StandardEntityNotFoundDelegate.handleEntityNotFound", 28),
        c.lib("org.hibernate.proxy.AbstractLazyInitializer.checkTargetState", 298),
        c.lib("org.hibernate.proxy.AbstractLazyInitializer.initialize", 181),
        c.lib("org.hibernate.proxy.AbstractLazyInitializer.getImplementation", 310),
    ]
    site = c.frame(c.pick(("service", "support", "domain")))
    return c.fail(
        "org.hibernate.ObjectNotFoundException",
        f"No row with the given identifier exists: [{entity}#{ident}]",
        [site],
        throw,
        cause=c.t(
            f"session.load/proxy for {entity.rsplit('.', 1)[-1]} #{ident} points to a missing row",
            f"{entity.rsplit('.', 1)[-1]} #{ident}의 프록시가 없는 행을 가리킴",
        ),
        fix=c.t(
            "Use get()/find() (returns null) where the row may be missing, and repair dangling references",
            "행이 없을 수 있으면 get()/find()를 쓰고 끊어진 참조를 정리",
        ),
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
        f"failed to lazily initialize a collection of role: {owner.fqcn}.{association}, could not initialize "
        "proxy - no Session"
    )
    site = c.frame(site_role)
    return c.fail(
        LIE,
        message,
        [site],
        collection_frames(c, operation),
        cause=c.t(
            f"{site.method} reads {owner.simple}.{association} after the transaction/session that loaded "
            f"{owner.simple} closed",
            f"{site.method}가 {owner.simple}를 읽은 트랜잭션/세션이 끝난 뒤 {owner.simple}.{association}에 접근",
        ),
        fix=c.t(
            f"Fetch {association} inside the transaction (JOIN FETCH / @EntityGraph) or map to a DTO before returning",
            f"트랜잭션 안에서 {association}를 함께 조회(JOIN FETCH/@EntityGraph)하거나 반환 전에 DTO로 변환",
        ),
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
        c.lib("org.hibernate.proxy.AbstractLazyInitializer.getImplementation", 310),
        c.lib("org.hibernate.proxy.pojo.bytebuddy.ByteBuddyInterceptor.intercept", 45),
        c.lib("org.hibernate.proxy.ProxyConfiguration$InterceptorDispatcher.intercept", 95),
        StackFrame(proxy, getter),
    ]
    site = c.frame(c.pick(("controller", "support", "service")))
    return c.fail(
        LIE,
        message,
        [site],
        throw,
        cause=c.t(
            f"{site.method} calls {getter}() on a lazy {entity.rsplit('.', 1)[-1]} proxy outside its session",
            f"{site.method}가 세션 밖에서 지연 로딩 {entity.rsplit('.', 1)[-1]} 프록시의 {getter}()를 호출",
        ),
        fix=c.t(
            "Load the association eagerly for this use case (JOIN FETCH) or access it inside the @Transactional method",
            "이 용도에는 연관을 즉시 조회(JOIN FETCH)하거나 @Transactional 메서드 안에서 접근",
        ),
    )


@template("LazyInitializationException", "lie.jackson_serialization", codebases=("bank",), contexts=("web",))
def jackson_serialization(c: Ctx) -> Incident:
    owner = c.app("domain")
    association = c.pick(("accounts", "entries", "cards"))
    controller = c.frame("controller")
    lazy = collection_frames(c, "iterator")
    ser = "com.fasterxml.jackson.databind.ser"
    lib_frames = [
        *lazy,
        c.lib(f"{ser}.std.CollectionSerializer.serialize", 112),
        c.lib(f"{ser}.std.CollectionSerializer.serialize", 25),
        c.lib(f"{ser}.BeanPropertyWriter.serializeAsField", 728),
        c.lib(f"{ser}.std.BeanSerializerBase.serializeFields", 774),
        c.lib(f"{ser}.BeanSerializer.serialize", 178),
        c.lib(f"{ser}.DefaultSerializerProvider._serialize", 480),
        c.lib(f"{ser}.DefaultSerializerProvider.serializeValue", 400),
        c.lib("com.fasterxml.jackson.databind.ObjectWriter$Prefetch.serialize", 1514),
        c.lib("com.fasterxml.jackson.databind.ObjectWriter.writeValue", 1007),
        c.lib("org.springframework.http.converter.json.AbstractJackson2HttpMessageConverter.writeInternal", 456),
        c.lib("org.springframework.http.converter.AbstractGenericHttpMessageConverter.write", 104),
        c.lib(
            "org.springframework.web.servlet.mvc.method.annotation.AbstractMessageConverterMethodProcessor.writeWithMessageConverters",
            290,
        ),
        c.lib(
            "org.springframework.web.servlet.mvc.method.annotation.RequestResponseBodyMethodProcessor.handleReturnValue",
            183,
        ),
        c.lib("org.springframework.web.method.support.HandlerMethodReturnValueHandlerComposite.handleReturnValue", 78),
        c.lib(
            "org.springframework.web.servlet.mvc.method.annotation.ServletInvocableHandlerMethod.invokeAndHandle", 135
        ),
    ]
    entry = c.entry()
    stack = [*lib_frames, *entry.bottom[len(c.jdk.reflect_invoke()) + 3 :]]
    message = (
        f"failed to lazily initialize a collection of role: {owner.fqcn}.{association}, could not initialize "
        "proxy - no Session"
    )
    root = Thrown(LIE, message, stack)
    wrap = Wrap(
        "com.fasterxml.jackson.databind.JsonMappingException",
        lambda e: f'{message} (through reference chain: {owner.fqcn}["{association}"])',
        at=f"{ser}.std.BeanSerializerBase.serializeFields",
        top=[
            c.lib("com.fasterxml.jackson.databind.JsonMappingException.wrapWithPath", 392),
            c.lib("com.fasterxml.jackson.databind.JsonMappingException.wrapWithPath", 351),
            c.lib(f"{ser}.std.StdSerializer.wrapAndThrow", 316),
        ],
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
        cause=c.t(
            f"{controller.method} returns the {owner.simple} entity; Jackson touches the lazy {association} after "
            "the session closed",
            f"{controller.method}가 {owner.simple} 엔티티를 그대로 반환해 세션 종료 후 Jackson이 지연 로딩 "
            f"{association}에 접근",
        ),
        fix=c.t(
            "Return a DTO built inside the transaction (not the entity), or fetch what the response needs",
            "엔티티 대신 트랜잭션 안에서 만든 DTO를 반환하거나 응답에 필요한 연관을 함께 조회",
        ),
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
        f"failed to lazily initialize a collection of role: {owner.fqcn}.{association}, could not initialize "
        "proxy - no Session"
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
        cause=c.t(
            f"{site.method} streams {owner.simple}.{association} after the session closed (open-in-view off / async)",
            f"{site.method}가 세션 종료 후 {owner.simple}.{association}를 스트림으로 읽음 (open-in-view 비활성/비동기)",
        ),
        fix=c.t(
            f"Fetch {association} in the query that loads {owner.simple} or move the logic into the transactional "
            "service",
            f"{owner.simple}를 조회하는 쿼리에서 {association}를 함께 가져오거나 로직을 트랜잭션 서비스로 이동",
        ),
    )


@template("LazyInitializationException", "lie.test_detached", contexts=("test",))
def test_detached(c: Ctx) -> Incident:
    return lazy_collection(c, c.pick(("size", "iterator")), c.pick(("service", "domain")))
