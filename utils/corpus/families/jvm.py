"""The JVM itself: StackOverflowError (recursion; the printed stack is all recursion), OutOfMemoryError (heap,
GC overhead, metaspace, direct memory, native threads), class loading (ClassNotFoundException /
NoClassDefFoundError) and linkage errors between incompatible library versions.

The regular templates (the OutOfMemoryErrors among them) are declared in utils/corpus/templates/jvm.yaml; these
build recursion cycles, class-loading chains and JVM descriptors by hand."""

from __future__ import annotations

from utils.corpus.builder import Ctx
from utils.corpus.model import Incident, StackFrame, Thrown, template

SOE = "java.lang.StackOverflowError"


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
    return overflow(c, cycle, frame, c.text(".result", owner=owner, method=method), c.text(".result_2", method=method))


@template("StackOverflowError", "soe.mutual_recursion")
def mutual_recursion(c: Ctx) -> Incident:
    first, second = c.app("domain"), c.code.other_cls()
    a = first.at(c.pick(("getParent", "resolve", "evaluate", "render", "accept")), c.code.line())
    b = second.at(c.pick(("lookup", "visit", "apply", "onChange", "compute")), c.code.line())
    return overflow(c, [a, b], a, c.text(".result", first=first, a=a, second=second, b=b), c.text(".result_2"))


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
    return overflow(c, cycle, cycle[0], c.text(".result", parent=parent, child=child), c.text(".result_2"))


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
    return overflow(c, cycle, cycle[0], c.text(".result", parent=parent, child=child), c.text(".result_2"))


@template("StackOverflowError", "soe.jackson_recursion")
def jackson_recursion(c: Ctx) -> Incident:
    ser = "com.fasterxml.jackson.databind.ser"
    cycle = c.chain(".cycle")
    parent, child = c.app("domain", "Customer" if c.bank else "Node"), c.app("domain", "Account" if c.bank else "Edge")
    frames = repeat(cycle, c.pick((36, 60, 90)))
    chain_text = (
        c.message(
            ".chain_text",
            parent=parent,
            child_simple=child.simple.lower(),
            child=child,
            parent_simple=parent.simple.lower(),
        )
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
        cause=c.text(".cause", parent=parent, child=child),
        fix=c.text(".fix"),
    )


@template("StackOverflowError", "soe.regex_backtracking")
def regex_backtracking(c: Ctx) -> Incident:
    cycle = c.chain(".cycle")
    owner = c.app(c.pick(("util", "support", "gateway")))
    fault = StackFrame(owner.fqcn, c.pick(("isValid", "matches", "parse", "sanitize")), owner.file, None, app=True)
    return overflow(c, cycle, fault, c.text(".result", owner=owner), c.text(".result_2"), in_trace=False)


@template("StackOverflowError", "soe.event_recursion", codebases=("bank",))
def event_recursion(c: Ctx) -> Incident:
    listener = c.app("listener")
    on_event = listener.at(c.pick(("onTransferCompleted", "onEvent", "handle")), c.code.line())
    cycle = [*c.chain(".cycle"), on_event, *c.jdk.reflect_invoke(), *c.chain(".cycle_2")]
    return overflow(c, cycle, on_event, c.text(".result", listener=listener, on_event=on_event), c.text(".result_2"))


@template("StackOverflowError", "soe.nested_input_parser", codebases=("oss",))
def nested_input_parser(c: Ctx) -> Incident:
    parser = c.app("domain", c.pick(("JsonReader", "ExpressionParser", "TemplateParser", "XmlTreeBuilder")))
    a = parser.at(c.pick(("parseValue", "parseExpression", "readElement")), c.code.line())
    b = parser.at(c.pick(("parseObject", "parseTerm", "readChildren")), c.code.line())
    return overflow(c, [a, b], a, c.text(".result", parser=parser), c.text(".result_2"))


# ---------------------------------------------------------------------------------- ClassNotFound / NoClassDefFound

CNFE = "java.lang.ClassNotFoundException"
NCDFE = "java.lang.NoClassDefFoundError"


@template("ClassNotFoundException", "cnfe.missing_dependency")
def missing_dependency(c: Ctx) -> Incident:
    missing = c.pick(c.values(".missing"))
    site = c.frame(c.pick(("util", "support", "service", "config")))
    stack = c.call_stack([site])
    cause_frames = [*c.jdk.class_load(), *stack]
    chain = [Thrown(NCDFE, missing.replace(".", "/"), stack), Thrown(CNFE, missing, cause_frames)]
    return c.incident(
        chain,
        fault=site,
        top=[site],
        cause=c.text(".cause", site=site, missing_simple=missing.rsplit('.', 1)[-1]),
        fix=c.text(".fix"),
    )


@template("ClassNotFoundException", "cnfe.jaxb_removed", min_jdk=11)
def jaxb_removed(c: Ctx) -> Incident:
    missing = c.pick(c.values(".missing"))
    site = c.frame(c.pick(("util", "client", "support")))
    stack = c.call_stack([site])
    chain = [Thrown(NCDFE, missing.replace(".", "/"), stack), Thrown(CNFE, missing, [*c.jdk.class_load(), *stack])]
    return c.incident(
        chain,
        fault=site,
        top=[site],
        cause=c.text(".cause", missing=missing, site=site),
        fix=c.text(".fix"),
    )


@template("ClassNotFoundException", "cnfe.javax_to_jakarta", min_jdk=17, codebases=("bank",))
def javax_to_jakarta(c: Ctx) -> Incident:
    missing = c.pick(c.values(".missing"))
    site = c.frame(c.pick(("config", "support", "controller")))
    stack = c.call_stack([site])
    chain = [Thrown(NCDFE, missing.replace(".", "/"), stack), Thrown(CNFE, missing, [*c.jdk.class_load(), *stack])]
    return c.incident(chain, fault=site, top=[site], cause=c.text(".cause", missing=missing), fix=c.text(".fix"))


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
        cause=c.text(".cause", configured=configured),
        fix=c.text(".fix"),
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
    return c.fail(CNFE, missing, [site], frames, cause=c.text(".cause", missing=missing), fix=c.text(".fix"))


@template("ClassNotFoundException", "cnfe.deserialization")
def deserialization(c: Ctx) -> Incident:
    package = f"{c.code.root}.{c.pick(('session', 'cache', 'model', 'dto'))}"
    missing = f"{package}.{c.type_name()}{c.pick(('Snapshot', 'State', 'Dto', ''))}"
    frames = c.jdk.class_for_name()[:-2] + c.chain(".frames")
    site = c.frame(c.pick(("support", "util", "repository")))
    return c.fail(CNFE, missing, [site], frames, cause=c.text(".cause", missing=missing), fix=c.text(".fix"))


# --------------------------------------------------------------------------------------------------- LinkageError


def descriptor(c: Ctx, owner: str, method: str, params: list[str], returns: str, jvm: str) -> str:
    """NoSuchMethodError's message: the JVM descriptor on JDK 8, a Java-like signature from JDK 11."""
    if c.jdk.version <= 8:
        return f"{owner}.{method}{jvm}"
    return f"'{returns} {owner}.{method}({', '.join(params)})'"


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
        cause=c.text(".cause", owner_simple=owner.rsplit('.', 1)[-1], method=method),
        fix=c.text("jvm.linkage_fix"),
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
        cause=c.text(".cause", lib_class=lib_frame.rsplit('.', 2)[0].rsplit('.', 1)[-1], field=field),
        fix=c.text("jvm.linkage_fix"),
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
            c.message(".message", impl=impl, method=method, param=param, interface=interface)
        )
    caller = c.lib(c.pick(c.values(".caller")), c.randint(80, 400))
    site = c.frame(c.pick(("service", "batch", "config")))
    return c.fail(
        "java.lang.AbstractMethodError",
        message,
        [caller, site],
        fault=1,
        cause=c.text(".cause", impl=impl, interface_simple=interface.rsplit('.', 1)[-1], method=method),
        fix=c.text(".fix", method=method, impl=impl),
    )


@template("LinkageError", "le.incompatible_class_change")
def incompatible_class_change(c: Ctx) -> Incident:
    name = c.pick(c.values(".name"))
    message = c.pick(
        (
            f"Found interface {name}, but class was expected",
            f"Found class {name}, but interface was expected",
            f"Expected static method '{c.pick(('void', 'java.lang.Object'))} {name}.create()'",
        )
    )
    caller = c.lib(c.pick(c.values(".caller")), c.randint(40, 200))
    site = c.frame(c.pick(("support", "config", "service")))
    return c.fail(
        "java.lang.IncompatibleClassChangeError",
        message,
        [caller, site],
        fault=1,
        cause=c.text(".cause", name_simple=name.rsplit('.', 1)[-1]),
        fix=c.text("jvm.linkage_fix"),
    )


@template("LinkageError", "le.class_version", contexts=("main", "test"))
def class_version(c: Ctx) -> Incident:
    runtime = {6: 50, 7: 51, 8: 52, 11: 55, 17: 61, 21: 65}[c.jdk.version]
    compiled = c.pick([v for v in (52, 55, 61, 65) if v > runtime] or [66])
    cls = c.app("main").fqcn.replace(".", "/")
    message = (
        c.message(".message", cls=cls, compiled=compiled, runtime=runtime)
    )
    if c.jdk.version == 6:  # JDK 6 (7 and 8 too, though corpus.yaml keeps 9's wording there) named major.minor
        message = f"{cls} : Unsupported major.minor version {compiled}.0"
    throw = c.chain(".throw")
    site = c.frame("config")
    return c.fail(
        "java.lang.UnsupportedClassVersionError",
        message,
        [site],
        throw,
        cause=c.text(".cause", compiled=compiled, jdk=c.jdk, runtime=runtime),
        fix=c.text(".fix"),
    )


@template("LinkageError", "le.loader_constraint")
def loader_constraint(c: Ctx) -> Incident:
    name = c.pick(
        ("org/slf4j/ILoggerFactory", "javax/xml/namespace/QName", "org/apache/logging/log4j/spi/LoggerContext")
    )
    message = c.pick(
        (
            c.message(".message", number=c.randint(0x1000000, 0x7FFFFFF), name=name),
            f'duplicate class definition for name: "{name}"',
        )
    )
    throw = c.chain(".throw")
    site = c.frame(c.pick(("config", "support")))
    return c.fail(
        "java.lang.LinkageError",
        message,
        [site],
        throw,
        cause=c.text(".cause", name=name.replace('/', '.')),
        fix=c.text(".fix"),
    )


@template("Other", "other.verify_error")
def verify_error(c: Ctx) -> Incident:
    cls = c.code.other_cls()
    message = c.pick(
        (
            c.message(".message", cls_fqcn=cls.fqcn.replace('.', '/'), verb=c.verb()),
            c.message(".message_2", cls_fqcn=cls.fqcn.replace('.', '/')),
        )
    )
    site = c.frame(c.pick(("service", "support")))
    return c.fail("java.lang.VerifyError", message, [site], cause=c.text(".cause", cls=cls), fix=c.text(".fix"))

