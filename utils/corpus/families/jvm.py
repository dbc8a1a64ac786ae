"""The JVM itself: StackOverflowError (recursion; the printed stack is all recursion), OutOfMemoryError (heap,
GC overhead, metaspace, direct memory, native threads), class loading (ClassNotFoundException /
NoClassDefFoundError) and linkage errors between incompatible library versions."""

from __future__ import annotations

from utils.corpus.builder import Ctx
from utils.corpus.model import Incident, StackFrame, Thrown, template

SOE = "java.lang.StackOverflowError"
OOME = "java.lang.OutOfMemoryError"


def repeat(frames: list[StackFrame], total: int) -> list[StackFrame]:
    """A recursion cycle repeated to about `total` frames (the JVM records at most 1024; logs often cut sooner)."""
    out: list[StackFrame] = []
    while len(out) < total:
        out.extend(frames)
    return out[:total]


def overflow(
    c: Ctx, cycle: list[StackFrame], fault: StackFrame, cause: str, fix: str, in_trace: bool = True
) -> Incident:
    frames = repeat(cycle, c.pick((24, 40, 64, 96, 128)))
    return c.incident(
        [Thrown(SOE, None, frames)], cause=cause, fix=fix, fault=fault, fault_in_trace=in_trace, auto_wrap=False
    )


# -------------------------------------------------------------------------------------------------- StackOverflow


@template("StackOverflowError", "soe.direct_recursion")
def direct_recursion(c: Ctx) -> Incident:
    owner = c.app(c.pick(("domain", "support", "util")))
    method = c.pick(("resolve", "findRoot", "calculate", "traverse", "expand", "depth", "visit"))
    frame = owner.at(method, c.code.line())
    cycle = [frame] if c.chance(0.6) else [frame, owner.at(method, frame.line + c.randint(2, 9) if frame.line else 40)]
    return overflow(
        c,
        cycle,
        frame,
        c.t(
            f"{owner.simple}.{method} calls itself without reaching a base case (cyclic data or missing stop "
            "condition)",
            f"{owner.simple}.{method}가 종료 조건 없이 자기 자신을 재귀 호출 (순환 데이터 또는 종료 조건 누락)",
        ),
        c.t(
            f"Add the missing base case / visited-set to {method}, or make it iterative",
            f"{method}에 종료 조건이나 방문 집합을 추가하거나 반복문으로 변경",
        ),
    )


@template("StackOverflowError", "soe.mutual_recursion")
def mutual_recursion(c: Ctx) -> Incident:
    first, second = c.app("domain"), c.code.other_cls()
    a = first.at(c.pick(("getParent", "resolve", "evaluate", "render", "accept")), c.code.line())
    b = second.at(c.pick(("lookup", "visit", "apply", "onChange", "compute")), c.code.line())
    return overflow(
        c,
        [a, b],
        a,
        c.t(
            f"{first.simple}.{a.method} and {second.simple}.{b.method} call each other endlessly (a cycle in the data)",
            f"{first.simple}.{a.method}와 {second.simple}.{b.method}가 서로를 무한 호출 (데이터 순환)",
        ),
        c.t(
            "Detect the cycle (track visited nodes) or break the mutual call",
            "방문 노드를 추적해 순환을 감지하거나 상호 호출을 끊음",
        ),
    )


@template("StackOverflowError", "soe.tostring_cycle")
def tostring_cycle(c: Ctx) -> Incident:
    parent = c.app("domain", c.pick(("Customer", "Account", "Order", "Node")))
    child = c.app("domain", c.pick(("Account", "LedgerEntry", "Transfer", "Child")))
    value_of = c.j("java.lang.String.valueOf", (2994, 2951, 4220, 4465))
    append = c.j("java.lang.StringBuilder.append", (131, 168, 173, 179))
    cycle = [
        parent.at("toString", c.randint(10, 40)),
        value_of,
        append,
        c.j("java.util.AbstractCollection.toString", (462, 472, 456, 465)),
        c.lib("org.hibernate.collection.internal.PersistentBag.toString", 510) if c.chance(0.5) else value_of,
        value_of,
        append,
        child.at("toString", c.randint(10, 40)),
        value_of,
        append,
    ]
    return overflow(
        c,
        cycle,
        cycle[0],
        c.t(
            f"toString() of {parent.simple} and {child.simple} include each other (bidirectional association, "
            "e.g. Lombok @ToString)",
            f"{parent.simple}와 {child.simple}의 toString()이 서로를 포함 (양방향 연관, Lombok @ToString 등)",
        ),
        c.t(
            "Exclude the back-reference from toString (@ToString.Exclude) on one side",
            "한쪽 toString에서 역참조 필드를 제외(@ToString.Exclude)",
        ),
    )


@template("StackOverflowError", "soe.hashcode_cycle")
def hashcode_cycle(c: Ctx) -> Incident:
    parent = c.app("domain", c.pick(("Customer", "Branch", "Order", "Group")))
    child = c.app("domain", c.pick(("Account", "Employee", "Item", "Member")))
    cycle = [
        parent.at("hashCode", c.randint(10, 40)),
        c.j("java.util.AbstractSet.hashCode", (126, 124, 124, 124)),
        c.lib("org.hibernate.collection.internal.PersistentSet.hashCode", 410)
        if c.chance(0.5)
        else c.j("java.util.HashSet.hashCode", (0, 0, 0, 0)),
        child.at("hashCode", c.randint(10, 40)),
    ]
    cycle = [f for f in cycle if f.line != 0]
    return overflow(
        c,
        cycle,
        cycle[0],
        c.t(
            f"equals/hashCode of {parent.simple} and {child.simple} include each other's collections",
            f"{parent.simple}와 {child.simple}의 equals/hashCode가 서로의 컬렉션을 포함",
        ),
        c.t(
            "Base equals/hashCode on the identifier only (exclude associations)",
            "equals/hashCode를 식별자 기준으로만 구현 (연관 필드 제외)",
        ),
    )


@template("StackOverflowError", "soe.jackson_recursion")
def jackson_recursion(c: Ctx) -> Incident:
    ser = "com.fasterxml.jackson.databind.ser"
    cycle = [
        c.lib(f"{ser}.BeanPropertyWriter.serializeAsField", 728),
        c.lib(f"{ser}.std.BeanSerializerBase.serializeFields", 774),
        c.lib(f"{ser}.BeanSerializer.serialize", 178),
        c.lib(f"{ser}.impl.IndexedListSerializer.serializeContents", 119),
        c.lib(f"{ser}.impl.IndexedListSerializer.serialize", 79),
        c.lib(f"{ser}.impl.IndexedListSerializer.serialize", 18),
    ]
    parent, child = c.app("domain", "Customer" if c.bank else "Node"), c.app("domain", "Account" if c.bank else "Edge")
    frames = repeat(cycle, c.pick((36, 60, 90)))
    chain_text = (
        f'{parent.fqcn}["{child.simple.lower()}s"]->java.util.ArrayList[0]->{child.fqcn}["{parent.simple.lower()}"]->'
        f'{parent.fqcn}["{child.simple.lower()}s"]->...'
    )
    top = Thrown(
        "com.fasterxml.jackson.databind.JsonMappingException",
        f"Infinite recursion (StackOverflowError) (through reference chain: {chain_text})",
        [c.lib(f"{ser}.std.BeanSerializerBase.serializeFields", 787), *repeat(cycle, c.pick((12, 24)))],
    )
    fault = StackFrame(
        child.fqcn, c.pick(("getCustomer", "getParent", f"get{parent.simple}")), child.file, None, app=True
    )
    return c.incident(
        [top, Thrown(SOE, None, frames)],
        fault=fault,
        fault_in_trace=False,
        auto_wrap=False,
        cause=c.t(
            f"Jackson serializes {parent.simple} -> {child.simple} -> {parent.simple} ... endlessly (bidirectional "
            "relation)",
            f"Jackson이 {parent.simple} -> {child.simple} -> {parent.simple} ... 를 무한히 직렬화 (양방향 관계)",
        ),
        fix=c.t(
            "Break the cycle for JSON: @JsonManagedReference/@JsonBackReference, @JsonIgnore, or return a DTO",
            "@JsonManagedReference/@JsonBackReference, @JsonIgnore를 쓰거나 DTO로 변환해 반환",
        ),
    )


@template("StackOverflowError", "soe.regex_backtracking")
def regex_backtracking(c: Ctx) -> Incident:
    cycle = [
        c.j("java.util.regex.Pattern$Loop.match", (4785, 4787, 4787, 4846)),
        c.j("java.util.regex.Pattern$GroupTail.match", (4717, 4719, 4719, 4778)),
        c.j("java.util.regex.Pattern$BranchConn.match", (4568, 4570, 4570, 4629)),
        c.j("java.util.regex.Pattern$CharProperty.match", (3777, 3779, 3779, 3838)),
        c.j("java.util.regex.Pattern$Branch.match", (4604, 4606, 4606, 4665)),
        c.j("java.util.regex.Pattern$GroupHead.match", (4658, 4660, 4660, 4719)),
    ]
    owner = c.app(c.pick(("util", "support", "gateway")))
    fault = StackFrame(owner.fqcn, c.pick(("isValid", "matches", "parse", "sanitize")), owner.file, None, app=True)
    return overflow(
        c,
        cycle,
        fault,
        c.t(
            "A regex with an alternation inside a repeated group ((a|b)*) recurses per character on long input "
            f"in {owner.simple}",
            f"{owner.simple}의 정규식 (a|b)* 형태가 긴 입력에서 문자마다 재귀하여 스택 초과",
        ),
        c.t(
            "Rewrite the pattern with a character class / possessive quantifier, or limit the input length",
            "문자 클래스나 소유 수량자로 정규식을 바꾸거나 입력 길이를 제한",
        ),
        in_trace=False,
    )


@template("StackOverflowError", "soe.event_recursion", codebases=("bank",))
def event_recursion(c: Ctx) -> Incident:
    listener = c.app("listener")
    on_event = listener.at(c.pick(("onTransferCompleted", "onEvent", "handle")), c.code.line())
    cycle = [
        c.lib("org.springframework.context.support.AbstractApplicationContext.publishEvent", 421),
        c.lib("org.springframework.context.support.AbstractApplicationContext.publishEvent", 378),
        on_event,
        *c.jdk.reflect_invoke(),
        c.lib("org.springframework.context.event.ApplicationListenerMethodAdapter.doInvoke", 344),
        c.lib("org.springframework.context.event.ApplicationListenerMethodAdapter.processEvent", 229),
        c.lib("org.springframework.context.event.ApplicationListenerMethodAdapter.onApplicationEvent", 166),
        c.lib("org.springframework.context.event.SimpleApplicationEventMulticaster.doInvokeListener", 176),
        c.lib("org.springframework.context.event.SimpleApplicationEventMulticaster.invokeListener", 169),
        c.lib("org.springframework.context.event.SimpleApplicationEventMulticaster.multicastEvent", 143),
    ]
    return overflow(
        c,
        cycle,
        on_event,
        c.t(
            f"{listener.simple}.{on_event.method} publishes the same event type it listens to",
            f"{listener.simple}.{on_event.method}가 자신이 구독하는 이벤트를 다시 발행",
        ),
        c.t(
            "Publish a different event type or guard against re-entrance", "다른 이벤트 타입을 발행하거나 재진입을 방지"
        ),
    )


@template("StackOverflowError", "soe.nested_input_parser", codebases=("oss",))
def nested_input_parser(c: Ctx) -> Incident:
    parser = c.app("domain", c.pick(("JsonReader", "ExpressionParser", "TemplateParser", "XmlTreeBuilder")))
    a = parser.at(c.pick(("parseValue", "parseExpression", "readElement")), c.code.line())
    b = parser.at(c.pick(("parseObject", "parseTerm", "readChildren")), c.code.line())
    return overflow(
        c,
        [a, b],
        a,
        c.t(
            f"{parser.simple} parses deeply nested input recursively with no depth limit",
            f"{parser.simple}가 깊게 중첩된 입력을 깊이 제한 없이 재귀 파싱",
        ),
        c.t(
            "Enforce a maximum nesting depth (reject the input) or parse iteratively with an explicit stack",
            "최대 중첩 깊이를 두어 입력을 거부하거나 명시적 스택으로 반복 파싱",
        ),
    )


# ------------------------------------------------------------------------------------------------- OutOfMemoryError


def oom(
    c: Ctx,
    message: str,
    throw: list[StackFrame],
    roles: tuple[str, ...],
    what_en: str,
    what_ko: str,
    fix_en: str,
    fix_ko: str,
) -> Incident:
    site = c.frame(c.pick(roles))
    return c.fail(
        OOME,
        message,
        [site],
        throw,
        cause=c.t(f"{site.method} {what_en}", f"{site.method}에서 {what_ko}"),
        fix=c.t(fix_en, fix_ko),
        auto_wrap=False,
    )


@template("OutOfMemoryError", "oom.string_builder")
def string_builder(c: Ctx) -> Incident:
    throw = [
        c.j("java.util.Arrays.copyOf", (3332, 3745, 3537, 3541)),
        c.j("java.lang.AbstractStringBuilder.ensureCapacityInternal", (124, 172, 228, 242)),
        c.j("java.lang.AbstractStringBuilder.append", (448, 538, 582, 618)),
        c.j("java.lang.StringBuilder.append", (136, 174, 179, 179)),
    ]
    return oom(
        c,
        "Java heap space",
        throw,
        ("support", "batch", "util"),
        "builds one huge string in memory (whole export/report in a StringBuilder)",
        "거대한 문자열을 메모리에 생성 (전체 내보내기/리포트를 StringBuilder에)",
        "Stream the output to a Writer in chunks instead of building it in memory",
        "메모리에 모으지 말고 Writer로 나눠서 스트리밍 출력",
    )


@template("OutOfMemoryError", "oom.list_growth")
def list_growth(c: Ctx) -> Incident:
    if c.jdk.version <= 8:
        throw = [
            c.j("java.util.Arrays.copyOf", 3210),
            c.j("java.util.Arrays.copyOf", 3181),
            c.j("java.util.ArrayList.grow", 265),
            c.j("java.util.ArrayList.ensureExplicitCapacity", 239),
            c.j("java.util.ArrayList.ensureCapacityInternal", 231),
            c.j("java.util.ArrayList.add", 462),
        ]
    else:
        throw = [
            c.j("java.util.Arrays.copyOf", (0, 3689, 3512, 3513)),
            c.j("java.util.ArrayList.grow", (0, 237, 237, 237)),
            c.j("java.util.ArrayList.grow", (0, 242, 244, 244)),
            c.j("java.util.ArrayList.add", (0, 485, 454, 483)),
            c.j("java.util.ArrayList.add", (0, 498, 467, 496)),
        ]
    return oom(
        c,
        "Java heap space",
        throw,
        ("repository", "batch", "service"),
        "loads every row/record into one list (unbounded query or file)",
        "모든 행/레코드를 하나의 리스트에 적재 (제한 없는 조회/파일)",
        "Page or stream the data (fetch size, chunked processing) instead of loading it all",
        "페이징/스트리밍(fetch size, 청크 처리)으로 나눠서 처리",
    )


@template("OutOfMemoryError", "oom.gc_overhead")
def gc_overhead(c: Ctx) -> Incident:
    throw = c.pick(
        (
            [
                c.j("java.util.HashMap.resize", (704, 700, 702, 711)),
                c.j("java.util.HashMap.putVal", (663, 661, 663, 672)),
                c.j("java.util.HashMap.put", (612, 610, 612, 620)),
            ],
            [
                c.j("java.util.HashMap.newNode", (1750, 1802, 1814, 1826)),
                c.j("java.util.HashMap.putVal", (631, 628, 630, 639)),
                c.j("java.util.HashMap.put", (612, 610, 612, 620)),
            ],
        )
    )
    return oom(
        c,
        "GC overhead limit exceeded",
        throw,
        ("support", "service", "util"),
        "keeps adding to an unbounded in-memory cache/map until the GC cannot free memory",
        "제한 없는 메모리 캐시/맵에 계속 추가하여 GC가 메모리를 회수하지 못함",
        "Bound the cache (size/TTL eviction, e.g. Caffeine) and check for leaked references",
        "캐시 크기/TTL 제한(예: Caffeine)을 두고 누수 참조를 점검",
    )


@template("OutOfMemoryError", "oom.metaspace", min_jdk=8)
def metaspace(c: Ctx) -> Incident:
    throw = [
        c.j("java.lang.ClassLoader.defineClass1", native=True),
        c.j("java.lang.ClassLoader.defineClass", (763, 1016, 1012, 1027)),
        c.lib("org.springframework.cglib.core.ReflectUtils.defineClass", 555),
        c.lib("org.springframework.cglib.core.AbstractClassGenerator.generate", 363),
        c.lib("org.springframework.cglib.proxy.Enhancer.generate", 585),
        c.lib("org.springframework.cglib.core.AbstractClassGenerator.create", 299),
    ]
    if c.jdk.version <= 8 and c.chance(0.4):
        message = "PermGen space" if c.jdk.version == 7 else "Metaspace"
    else:
        message = "Metaspace"
    return oom(
        c,
        message,
        throw,
        ("support", "service", "config"),
        "generates a new proxy class on every call, filling class metadata space",
        "호출할 때마다 새 프록시 클래스를 생성하여 클래스 메타데이터 영역이 가득 참",
        "Create proxies once and reuse them (or cache the Enhancer/class); raise MaxMetaspaceSize only after that",
        "프록시를 한 번 생성해 재사용(Enhancer/클래스 캐시)하고 그 후 필요 시 MaxMetaspaceSize 조정",
    )


@template("OutOfMemoryError", "oom.direct_buffer")
def direct_buffer(c: Ctx) -> Incident:
    throw = [
        c.j("java.nio.Bits.reserveMemory", (694, 175, 175, 175)),
        c.j("java.nio.DirectByteBuffer.<init>", (123, 118, 118, 111)),
        c.j("java.nio.ByteBuffer.allocateDirect", (311, 317, 332, 360)),
    ]
    if c.chance(0.5):
        throw += [
            c.lib("io.netty.buffer.PoolArena$DirectArena.allocateDirect", 755),
            c.lib("io.netty.buffer.PoolArena$DirectArena.newChunk", 731),
            c.lib("io.netty.buffer.PoolArena.allocateNormal", 247),
            c.lib("io.netty.buffer.PoolArena.allocate", 215),
            c.lib("io.netty.buffer.PooledByteBufAllocator.newDirectBuffer", 356),
        ]
    return oom(
        c,
        "Direct buffer memory",
        throw,
        ("gateway", "client", "support"),
        "allocates direct buffers faster than they are released (buffers not released/leaked)",
        "다이렉트 버퍼를 해제보다 빠르게 할당 (release 누락/누수)",
        "Release ByteBufs/buffers after use (check leak detector output) and size MaxDirectMemorySize",
        "사용한 ByteBuf/버퍼를 release하고(누수 탐지 로그 확인) MaxDirectMemorySize를 조정",
    )


@template("OutOfMemoryError", "oom.native_thread")
def native_thread(c: Ctx) -> Incident:
    message = (
        "unable to create native thread: possibly out of memory or process/resource limits reached"
        if c.jdk.version == 21
        else "unable to create new native thread"
    )
    throw = [
        c.j("java.lang.Thread.start0", native=True),
        c.j("java.lang.Thread.start", (717, 803, 809, 1553)),
        c.j("java.util.concurrent.ThreadPoolExecutor.addWorker", (957, 937, 945, 953)),
        c.j("java.util.concurrent.ThreadPoolExecutor.execute", (1367, 1343, 1364, 1375)),
    ]
    return oom(
        c,
        message,
        throw,
        ("service", "client", "support"),
        "creates a new thread pool per request/call, so threads pile up until the OS limit",
        "요청/호출마다 새 스레드 풀을 만들어 OS 한도까지 스레드가 쌓임",
        "Share one bounded executor (and shut down pools you create); check ulimit -u",
        "제한된 공용 Executor를 재사용하고 생성한 풀은 종료; ulimit -u 확인",
    )


@template("OutOfMemoryError", "oom.read_whole_stream")
def read_whole_stream(c: Ctx) -> Incident:
    if c.jdk.version <= 8:
        throw = [
            c.j("java.util.Arrays.copyOf", 3236),
            c.j("java.io.ByteArrayOutputStream.grow", 118),
            c.j("java.io.ByteArrayOutputStream.ensureCapacity", 93),
            c.j("java.io.ByteArrayOutputStream.write", 153),
        ]
    else:
        throw = [
            c.j("java.util.Arrays.copyOf", (0, 3745, 3537, 3541)),
            c.j("java.io.InputStream.readNBytes", (0, 396, 396, 444)),
            c.j("java.io.InputStream.readAllBytes", (0, 333, 346, 395)),
        ]
    message = c.pick(("Java heap space", "Java heap space", "Requested array size exceeds VM limit"))
    return oom(
        c,
        message,
        throw,
        ("support", "batch", "client", "util"),
        "reads a whole large file/response body into a byte array",
        "큰 파일/응답 본문 전체를 바이트 배열로 읽음",
        "Process the stream incrementally (buffered copy to disk/consumer) and limit accepted sizes",
        "스트림을 조금씩 처리(버퍼 복사)하고 허용 크기를 제한",
    )


@template("OutOfMemoryError", "oom.orm_result", codebases=("bank",))
def orm_result(c: Ctx) -> Incident:
    throw = [
        c.j("java.util.Arrays.copyOf", (3210, 3689, 3512, 3513)),
        c.j("java.util.ArrayList.grow", (265, 237, 237, 237)),
        c.lib("org.hibernate.loader.Loader.processResultSet", 1003),
        c.lib("org.hibernate.loader.Loader.doQuery", 960),
        c.lib("org.hibernate.loader.Loader.doQueryAndInitializeNonLazyCollections", 356),
        c.lib("org.hibernate.loader.Loader.doList", 2868),
        c.lib("org.hibernate.loader.Loader.list", 2838),
        c.lib("org.hibernate.internal.SessionImpl.list", 1460),
        c.lib("org.hibernate.query.internal.AbstractProducedQuery.doList", 1649),
        c.lib("org.hibernate.query.internal.AbstractProducedQuery.list", 1617),
    ]
    return oom(
        c,
        "Java heap space",
        throw,
        ("repository", "batch"),
        "loads an entire table through Hibernate into one result list",
        "Hibernate로 테이블 전체를 하나의 결과 리스트에 적재",
        "Page the query (setMaxResults/setFirstResult or a cursor) and clear the session per chunk",
        "조회를 페이징(setMaxResults/커서)하고 청크마다 세션을 clear",
    )


# ---------------------------------------------------------------------------------- ClassNotFound / NoClassDefFound

CNFE = "java.lang.ClassNotFoundException"
NCDFE = "java.lang.NoClassDefFoundError"


@template("ClassNotFoundException", "cnfe.jdbc_driver")
def jdbc_driver(c: Ctx) -> Incident:
    driver = c.pick(
        (
            "com.mysql.cj.jdbc.Driver",
            "oracle.jdbc.OracleDriver",
            "org.postgresql.Driver",
            "com.mysql.jdbc.Driver",
            "org.mariadb.jdbc.Driver",
            "com.ibm.db2.jcc.DB2Driver",
        )
    )
    site = c.frame(c.pick(("config", "util", "repository")))
    return c.fail(
        CNFE,
        driver,
        [site],
        c.jdk.class_for_name(),
        cause=c.t(
            f"The JDBC driver {driver} is not on the runtime classpath",
            f"JDBC 드라이버 {driver}가 런타임 클래스패스에 없음",
        ),
        fix=c.t(
            "Add the driver dependency with runtime scope (or to the server's lib directory) and check the class name",
            "드라이버 의존성을 runtime 범위로 추가(또는 서버 lib에 배치)하고 클래스명을 확인",
        ),
    )


@template("ClassNotFoundException", "cnfe.missing_dependency")
def missing_dependency(c: Ctx) -> Incident:
    missing = c.pick(
        (
            "org.apache.commons.lang3.StringUtils",
            "com.google.common.collect.ImmutableList",
            "org.bouncycastle.jce.provider.BouncyCastleProvider",
            "com.fasterxml.jackson.datatype.jsr310.JavaTimeModule",
            "org.slf4j.LoggerFactory",
            "io.micrometer.core.instrument.MeterRegistry",
        )
    )
    site = c.frame(c.pick(("util", "support", "service", "config")))
    stack = c.call_stack([site])
    cause_frames = [*c.jdk.class_load(), *stack]
    chain = [Thrown(NCDFE, missing.replace(".", "/"), stack), Thrown(CNFE, missing, cause_frames)]
    return c.incident(
        chain,
        fault=site,
        top=[site],
        cause=c.t(
            f"{site.method} uses {missing.rsplit('.', 1)[-1]}, whose jar is missing at run time (provided/optional "
            "scope or shading)",
            f"{site.method}에서 사용하는 {missing.rsplit('.', 1)[-1]}의 jar가 런타임에 없음 (provided/optional 범위 "
            "또는 셰이딩)",
        ),
        fix=c.t(
            "Add the library to the runtime classpath (fix the dependency scope / packaging)",
            "라이브러리를 런타임 클래스패스에 포함 (의존성 범위/패키징 수정)",
        ),
    )


@template("ClassNotFoundException", "cnfe.could_not_initialize")
def could_not_initialize(c: Ctx) -> Incident:
    broken = c.app(
        c.pick(("client", "util", "config")),
        c.pick(("HsmClient", "CryptoHolder", "LicenseManager", "NativeCodec", None)),
    )
    site = c.frame(c.pick(("service", "support")))
    return c.fail(
        NCDFE,
        f"Could not initialize class {broken.fqcn}",
        [site],
        cause=c.t(
            f"The static initialiser of {broken.simple} failed earlier, so every later use of the class fails",
            f"{broken.simple}의 static 초기화가 이전에 실패해 이후 모든 사용이 실패",
        ),
        fix=c.t(
            f"Find the first ExceptionInInitializerError for {broken.simple} in the log and fix its static init "
            "(config, native lib)",
            f"로그에서 {broken.simple}의 최초 ExceptionInInitializerError를 찾아 static 초기화(설정, 네이티브 "
            "라이브러리)를 수정",
        ),
    )


@template("ClassNotFoundException", "cnfe.jaxb_removed", min_jdk=11)
def jaxb_removed(c: Ctx) -> Incident:
    missing = c.pick(
        (
            "javax.xml.bind.DatatypeConverter",
            "javax.xml.bind.JAXBContext",
            "javax.activation.DataSource",
            "javax.annotation.PostConstruct",
        )
    )
    site = c.frame(c.pick(("util", "client", "support")))
    stack = c.call_stack([site])
    chain = [Thrown(NCDFE, missing.replace(".", "/"), stack), Thrown(CNFE, missing, [*c.jdk.class_load(), *stack])]
    return c.incident(
        chain,
        fault=site,
        top=[site],
        cause=c.t(
            f"{missing} was removed from the JDK in Java 11 and {site.method} still uses it",
            f"{missing}는 Java 11에서 JDK에서 제거되었는데 {site.method}에서 여전히 사용",
        ),
        fix=c.t(
            "Add the standalone API dependency (jakarta.xml.bind-api / jaxb-runtime ...) or replace the call "
            "(java.util.Base64)",
            "독립 API 의존성(jakarta.xml.bind-api 등)을 추가하거나 java.util.Base64 등으로 대체",
        ),
    )


@template("ClassNotFoundException", "cnfe.javax_to_jakarta", min_jdk=17, codebases=("bank",))
def javax_to_jakarta(c: Ctx) -> Incident:
    missing = c.pick(
        (
            "javax.servlet.http.HttpServletRequest",
            "javax.servlet.Filter",
            "javax.persistence.EntityManager",
            "javax.validation.ConstraintValidator",
        )
    )
    site = c.frame(c.pick(("config", "support", "controller")))
    stack = c.call_stack([site])
    chain = [Thrown(NCDFE, missing.replace(".", "/"), stack), Thrown(CNFE, missing, [*c.jdk.class_load(), *stack])]
    return c.incident(
        chain,
        fault=site,
        top=[site],
        cause=c.t(
            f"After the Spring Boot 3 upgrade the app (or a library it uses) still references {missing}",
            f"Spring Boot 3 업그레이드 후에도 앱(또는 사용하는 라이브러리)이 {missing}를 참조",
        ),
        fix=c.t(
            "Migrate imports to jakarta.* and upgrade libraries to Jakarta EE 9+ compatible versions",
            "import를 jakarta.*로 바꾸고 라이브러리를 Jakarta EE 9+ 호환 버전으로 올림",
        ),
    )


@template("ClassNotFoundException", "cnfe.configured_class")
def configured_class(c: Ctx) -> Incident:
    package = f"{c.code.root}.{c.pick(('plugins', 'handlers', 'ext', 'codec'))}"
    configured = (
        f"{package}.{c.pick(('Default', 'Fast', 'Legacy'))}{c.code.stem}{c.pick(('Plugin', 'Handler', 'Impl'))}"
    )
    loader = c.app("util", "ClassUtils" if c.bank else None) if c.bank else c.code.other_cls()
    site = loader.at(c.pick(("loadClass", "newInstance", "forName", "instantiate")), c.code.line())
    caller = c.frame(c.pick(("config", "support", "service")))
    return c.fail(
        CNFE,
        configured,
        [site, caller],
        c.jdk.class_for_name(),
        fault=1,
        cause=c.t(
            f"The class name {configured} taken from configuration does not exist (typo, renamed or module not "
            "deployed)",
            f"설정에서 읽은 클래스명 {configured}가 존재하지 않음 (오타, 이름 변경, 모듈 미배포)",
        ),
        fix=c.t(
            "Correct the configured class name or deploy the module that contains it",
            "설정된 클래스명을 고치거나 해당 모듈을 배포",
        ),
    )


@template("ClassNotFoundException", "cnfe.boot_loader", contexts=("main",), codebases=("bank",))
def boot_loader(c: Ctx) -> Incident:
    missing = c.pick(
        (
            "org.springframework.boot.autoconfigure.web.ServerProperties$Jetty",
            "org.h2.Driver",
            f"{c.code.root}.{c.code.module}.config.{c.code.stem}AutoConfiguration",
        )
    )
    loader = (
        "org.springframework.boot.loader.LaunchedURLClassLoader"
        if c.chance(0.6)
        else "org.springframework.boot.loader.launch.LaunchedClassLoader"
    )
    frames = c.jdk.class_for_name()
    frames = [frames[0], frames[1], c.lib(f"{loader}.loadClass", 151), *frames[-3:]]
    site = c.frame("config")
    frames += [c.lib("org.springframework.util.ClassUtils.forName", 284)]
    return c.fail(
        CNFE,
        missing,
        [site],
        frames,
        cause=c.t(
            f"The executable jar does not contain {missing} (dependency excluded or wrong profile)",
            f"실행 jar에 {missing}가 포함되지 않음 (의존성 제외 또는 잘못된 프로파일)",
        ),
        fix=c.t(
            "Check the packaged BOOT-INF/lib (mvn dependency:tree) and add the missing dependency",
            "패키징된 BOOT-INF/lib를 확인(mvn dependency:tree)하고 누락된 의존성을 추가",
        ),
    )


@template("ClassNotFoundException", "cnfe.deserialization")
def deserialization(c: Ctx) -> Incident:
    package = f"{c.code.root}.{c.pick(('session', 'cache', 'model', 'dto'))}"
    missing = f"{package}.{c.type_name()}{c.pick(('Snapshot', 'State', 'Dto', ''))}"
    frames = c.jdk.class_for_name()[:-2] + [
        c.j("java.lang.Class.forName0", native=True),
        c.j("java.lang.Class.forName", (348, 398, 467, 534)),
        c.j("java.io.ObjectInputStream.resolveClass", (720, 758, 790, 813)),
        c.j("java.io.ObjectInputStream.readNonProxyDesc", (1923, 1995, 2061, 2131)),
        c.j("java.io.ObjectInputStream.readClassDesc", (1806, 1862, 1927, 1997)),
        c.j("java.io.ObjectInputStream.readOrdinaryObject", (2097, 2169, 2252, 2328)),
        c.j("java.io.ObjectInputStream.readObject0", (1625, 1679, 1762, 1807)),
        c.j("java.io.ObjectInputStream.readObject", (465, 493, 540, 537)),
        c.j("java.io.ObjectInputStream.readObject", (423, 451, 498, 495)),
    ]
    site = c.frame(c.pick(("support", "util", "repository")))
    return c.fail(
        CNFE,
        missing,
        [site],
        frames,
        cause=c.t(
            f"Serialized data (cache/session) refers to {missing}, which no longer exists after a rename/deploy",
            f"직렬화된 데이터(캐시/세션)가 이름 변경/배포 후 사라진 {missing}를 참조",
        ),
        fix=c.t(
            "Flush the stale cache/session data, or keep the old class name (or use JSON instead of Java "
            "serialization)",
            "오래된 캐시/세션 데이터를 비우거나 예전 클래스명을 유지 (또는 Java 직렬화 대신 JSON 사용)",
        ),
    )


# --------------------------------------------------------------------------------------------------- LinkageError


def descriptor(c: Ctx, owner: str, method: str, params: list[str], returns: str, jvm: str) -> str:
    """NoSuchMethodError's message: the JVM descriptor on JDK 8, a Java-like signature from JDK 11."""
    if c.jdk.version <= 8:
        return f"{owner}.{method}{jvm}"
    return f"'{returns} {owner}.{method}({', '.join(params)})'"


LINKAGE_FIX = (
    "Align the library versions (mvn dependency:tree, dependencyManagement/BOM) so compile and run time match",
    "의존성 트리(mvn dependency:tree)를 확인해 컴파일/런타임 라이브러리 버전을 BOM/dependencyManagement로 일치시킴",
)


@template("LinkageError", "le.no_such_method")
def no_such_method(c: Ctx) -> Incident:
    owner, method, params, returns, jvm, caller_lib = c.pick(
        (
            (
                "com.google.common.base.Preconditions",
                "checkArgument",
                ["boolean", "java.lang.String", "java.lang.Object"],
                "void",
                "(ZLjava/lang/String;Ljava/lang/Object;)V",
                None,
            ),
            (
                "org.springframework.util.Assert",
                "notNull",
                ["java.lang.Object"],
                "void",
                "(Ljava/lang/Object;)V",
                "org.springframework.boot.autoconfigure.AutoConfigurationImportSelector.getCandidateConfigurations",
            ),
            (
                "com.fasterxml.jackson.core.JsonParser",
                "getReadCapabilities",
                [],
                "com.fasterxml.jackson.core.util.JacksonFeatureSet",
                "()Lcom/fasterxml/jackson/core/util/JacksonFeatureSet;",
                "com.fasterxml.jackson.databind.DeserializationContext.<init>",
            ),
            (
                "org.apache.http.conn.ssl.SSLConnectionSocketFactory",
                "getDefaultHostnameVerifier",
                [],
                "javax.net.ssl.HostnameVerifier",
                "()Ljavax/net/ssl/HostnameVerifier;",
                "org.apache.http.impl.client.HttpClientBuilder.build",
            ),
            (
                "io.netty.util.internal.PlatformDependent",
                "allocateUninitializedArray",
                ["int"],
                "byte[]",
                "(I)[B",
                "io.netty.buffer.PoolArena$HeapArena.newByteArray",
            ),
            (
                "org.yaml.snakeyaml.representer.Representer",
                "<init>",
                [],
                "void",
                "()V",
                "org.springframework.boot.env.OriginTrackedYamlLoader.createYaml",
            ),
        )
    )
    message = descriptor(c, owner, method, params, returns, jvm)
    top = []
    if caller_lib:
        top.append(c.lib(caller_lib, c.randint(60, 400)))
    site = c.frame(c.pick(("config", "support", "client", "service")))
    return c.fail(
        "java.lang.NoSuchMethodError",
        message,
        [*top, site],
        fault=len(top),
        cause=c.t(
            f"{owner.rsplit('.', 1)[-1]} on the runtime classpath is an older/newer version without {method} "
            "(dependency conflict)",
            f"런타임 클래스패스의 {owner.rsplit('.', 1)[-1]} 버전에 {method}가 없음 (의존성 버전 충돌)",
        ),
        fix=c.t(*LINKAGE_FIX),
    )


@template("LinkageError", "le.no_such_field")
def no_such_field(c: Ctx) -> Incident:
    field, lib_frame = c.pick(
        (
            ("INSTANCE", "org.apache.http.conn.ssl.SSLConnectionSocketFactory.<clinit>"),
            ("FAIL_ON_TRAILING_TOKENS", "com.fasterxml.jackson.databind.DeserializationConfig.<init>"),
            ("Companion", "okhttp3.internal.Util.<clinit>"),
            ("UTF_8", "org.apache.commons.io.Charsets.<clinit>"),
        )
    )
    site = c.frame(c.pick(("client", "config", "support")))
    return c.fail(
        "java.lang.NoSuchFieldError",
        field,
        [c.lib(lib_frame, c.randint(40, 160)), site],
        fault=1,
        cause=c.t(
            f"{lib_frame.rsplit('.', 2)[0].rsplit('.', 1)[-1]} was compiled against a version that has {field}; "
            "the runtime version lacks it",
            f"{lib_frame.rsplit('.', 2)[0].rsplit('.', 1)[-1]}가 {field}가 있는 버전으로 컴파일되었으나 런타임 "
            "버전에는 없음",
        ),
        fix=c.t(*LINKAGE_FIX),
    )


@template("LinkageError", "le.abstract_method")
def abstract_method(c: Ctx) -> Incident:
    impl = c.app(c.pick(("support", "repository", "client")))
    interface, method, param = c.pick(
        (
            ("org.springframework.batch.item.ItemWriter", "write", "org.springframework.batch.item.Chunk"),
            ("javax.sql.DataSource", "getParentLogger", ""),
            ("org.slf4j.spi.SLF4JServiceProvider", "getRequestedApiVersion", ""),
            ("java.sql.Connection", "getSchema", ""),
        )
    )
    if c.jdk.version <= 8:
        message = f"{impl.fqcn}.{method}({'L' + param.replace('.', '/') + ';' if param else ''})V"
    else:
        message = (
            f"Receiver class {impl.fqcn} does not define or inherit an implementation of the resolved method "
            f"'abstract void {method}({param})' of interface {interface}."
        )
    caller = c.lib(
        c.pick(
            (
                "org.springframework.batch.core.step.item.SimpleChunkProcessor.writeItems",
                "com.zaxxer.hikari.pool.PoolBase.setupConnection",
                "org.slf4j.LoggerFactory.bind",
            )
        ),
        c.randint(80, 400),
    )
    site = c.frame(c.pick(("service", "batch", "config")))
    return c.fail(
        "java.lang.AbstractMethodError",
        message,
        [caller, site],
        fault=1,
        cause=c.t(
            f"{impl.simple} was compiled against an older {interface.rsplit('.', 1)[-1]} and lacks the new method "
            f"{method}",
            f"{impl.simple}가 예전 {interface.rsplit('.', 1)[-1]}에 맞춰 컴파일되어 새 메서드 {method}가 없음",
        ),
        fix=c.t(
            f"Recompile/implement {method} in {impl.simple} against the library version in use, or align versions",
            f"사용 중인 라이브러리 버전에 맞춰 {impl.simple}에 {method}를 구현/재컴파일하거나 버전을 맞춤",
        ),
    )


@template("LinkageError", "le.incompatible_class_change")
def incompatible_class_change(c: Ctx) -> Incident:
    name = c.pick(
        (
            "org.apache.hadoop.mapreduce.JobContext",
            "org.objectweb.asm.ClassVisitor",
            "org.junit.runner.Description",
            "javax.ws.rs.core.Response",
        )
    )
    message = c.pick(
        (
            f"Found interface {name}, but class was expected",
            f"Found class {name}, but interface was expected",
            f"Expected static method '{c.pick(('void', 'java.lang.Object'))} {name}.create()'",
        )
    )
    caller = c.lib(
        c.pick(
            (
                "org.springframework.core.type.classreading.SimpleMetadataReader.<init>",
                "org.apache.maven.surefire.common.junit4.JUnit4TestChecker.isValidJUnit4Test",
            )
        ),
        c.randint(40, 200),
    )
    site = c.frame(c.pick(("support", "config", "service")))
    return c.fail(
        "java.lang.IncompatibleClassChangeError",
        message,
        [caller, site],
        fault=1,
        cause=c.t(
            f"{name.rsplit('.', 1)[-1]} changed between class and interface across library versions on the classpath",
            f"클래스패스의 라이브러리 버전 간에 {name.rsplit('.', 1)[-1]}가 클래스/인터페이스로 바뀜",
        ),
        fix=c.t(*LINKAGE_FIX),
    )


@template("LinkageError", "le.unsatisfied_link")
def unsatisfied_link(c: Ctx) -> Incident:
    library = c.pick(
        (
            "netty_transport_native_epoll_x86_64",
            "ocijdbc19",
            "sqlite-3.36.0-linux-x86_64",
            "zstd-jni-1.5.2",
            "cryptoki",
            "snappyjava",
        )
    )
    message = c.pick(
        (
            f"no {library} in java.library.path",
            f"no {library} in java.library.path: /usr/java/packages/lib:/usr/lib64:/lib64:/lib:/usr/lib",
            f"/tmp/lib{library}{c.randint(100000, 999999)}.so: libc.so.6: version `GLIBC_2.28' not found",
        )
    )
    throw = [
        c.j("java.lang.ClassLoader.loadLibrary", (1867, 2670, 2458, 2458)),
        c.j("java.lang.Runtime.loadLibrary0", (870, 830, 916, 916)),
        c.j("java.lang.System.loadLibrary", (1122, 1873, 1989, 2089)),
    ]
    site = c.frame(c.pick(("support", "client", "config", "gateway")))
    return c.fail(
        "java.lang.UnsatisfiedLinkError",
        message,
        [site],
        throw,
        cause=c.t(
            f"The native library {library} is missing or incompatible with this OS/CPU",
            f"네이티브 라이브러리 {library}가 없거나 OS/CPU와 호환되지 않음",
        ),
        fix=c.t(
            "Install the native library for this platform (or add the platform-specific artifact) and set "
            "java.library.path",
            "해당 플랫폼용 네이티브 라이브러리(또는 플랫폼별 아티팩트)를 설치하고 java.library.path 설정",
        ),
    )


@template("LinkageError", "le.class_version", contexts=("main", "test"))
def class_version(c: Ctx) -> Incident:
    runtime = {6: 50, 7: 51, 8: 52, 11: 55, 17: 61, 21: 65}[c.jdk.version]
    compiled = c.pick([v for v in (52, 55, 61, 65) if v > runtime] or [66])
    cls = c.app("main").fqcn.replace(".", "/")
    message = (
        f"{cls} has been compiled by a more recent version of the Java Runtime (class file version {compiled}.0), this "
        f"version of the Java Runtime only recognizes class file versions up to {runtime}.0"
    )
    if c.jdk.version == 6:  # JDK 6 (7 and 8 too, though corpus.yaml keeps 9's wording there) named major.minor
        message = f"{cls} : Unsupported major.minor version {compiled}.0"
    throw = [
        c.j("java.lang.ClassLoader.defineClass1", native=True),
        c.j("java.lang.ClassLoader.defineClass", (763, 1016, 1012, 1027)),
        c.j("java.security.SecureClassLoader.defineClass", (142, 174, 150, 150)),
    ]
    site = c.frame("config")
    return c.fail(
        "java.lang.UnsupportedClassVersionError",
        message,
        [site],
        throw,
        cause=c.t(
            f"The code was built for class file version {compiled} but runs on Java {c.jdk.version} (class file "
            f"{runtime})",
            f"클래스 파일 버전 {compiled}로 빌드된 코드를 Java {c.jdk.version}(버전 {runtime})에서 실행",
        ),
        fix=c.t(
            "Run on the JDK the build targets, or compile with --release matching the runtime",
            "빌드 대상 JDK로 실행하거나 런타임에 맞는 --release 옵션으로 컴파일",
        ),
    )


@template("LinkageError", "le.loader_constraint")
def loader_constraint(c: Ctx) -> Incident:
    name = c.pick(
        ("org/slf4j/ILoggerFactory", "javax/xml/namespace/QName", "org/apache/logging/log4j/spi/LoggerContext")
    )
    message = c.pick(
        (
            "loader constraint violation: when resolving method 'org.slf4j.ILoggerFactory "
            "org.slf4j.impl.StaticLoggerBinder.getLoggerFactory()' "
            "the class loader org.apache.catalina.loader.ParallelWebappClassLoader "
            f"@{c.randint(0x1000000, 0x7FFFFFF):x} "
            "of the current class, "
            "org/slf4j/LoggerFactory, and the class loader 'app' for the method's defining class, have different "
            f"Class objects for the type {name}",
            f'duplicate class definition for name: "{name}"',
        )
    )
    throw = [
        c.j("java.lang.ClassLoader.defineClass1", native=True),
        c.j("java.lang.ClassLoader.defineClass", (763, 1016, 1012, 1027)),
    ]
    site = c.frame(c.pick(("config", "support")))
    return c.fail(
        "java.lang.LinkageError",
        message,
        [site],
        throw,
        cause=c.t(
            f"{name.replace('/', '.')} is loaded by two class loaders (the same jar in the app and the server/parent "
            "classpath)",
            f"{name.replace('/', '.')}가 두 클래스 로더에 로드됨 (같은 jar가 앱과 서버/상위 클래스패스에 중복)",
        ),
        fix=c.t(
            "Keep the library in one place only (mark it provided, or remove it from the server lib)",
            "라이브러리를 한 곳에만 두도록 정리 (provided 처리 또는 서버 lib에서 제거)",
        ),
    )


@template("Other", "other.verify_error")
def verify_error(c: Ctx) -> Incident:
    cls = c.code.other_cls()
    message = c.pick(
        (
            "Bad type on operand stack\nException Details:\n  Location:\n    "
            f"{cls.fqcn.replace('.', '/')}.{c.verb()}()V "
            "@12: invokevirtual\n  Reason:\n    Type 'java/lang/Object' (current frame, stack[1]) is not assignable "
            "to 'java/lang/String'",
            "Inconsistent stackmap frames at branch target 42\nException Details:\n  Location:\n    "
            f"{cls.fqcn.replace('.', '/')}.<init>()V @35: goto",
        )
    )
    site = c.frame(c.pick(("service", "support")))
    return c.fail(
        "java.lang.VerifyError",
        message,
        [site],
        cause=c.t(
            f"Bytecode of {cls.simple} was produced by an incompatible tool (instrumentation/agent or mixed "
            "compiler versions)",
            f"{cls.simple}의 바이트코드가 호환되지 않는 도구(에이전트/계측 또는 혼합 컴파일러)로 생성됨",
        ),
        fix=c.t(
            "Rebuild cleanly with one compiler version and update/disable the bytecode agent",
            "한 컴파일러 버전으로 클린 빌드하고 바이트코드 에이전트를 업데이트/비활성화",
        ),
    )
