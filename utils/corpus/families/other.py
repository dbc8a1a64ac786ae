"""`Other`: real exceptions outside the label set, so that the model learns the class instead of forcing one of the
45: framework and template errors, MyBatis binding, XML/JAXB, JNDI, serialization, reflection, Mockito verification,
Kafka deserialization, Spring Batch parsing, transaction roll-back, plain `java.lang.Exception` and project-specific
runtime exceptions of open-source libraries."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.model import Incident, StackFrame, Thrown, template


def other(
    c: Ctx,
    exception: str,
    message: str | None,
    throw: list[StackFrame],
    roles: tuple[str, ...],
    what_en: str,
    what_ko: str,
    fix_en: str,
    fix_ko: str,
    fault: int = 0,
    extra_top: list[StackFrame] | None = None,
) -> Incident:
    site = c.frame(c.pick(roles))
    top = [*(extra_top or []), site]
    return c.fail(
        exception,
        message,
        top,
        throw,
        fault=fault if not extra_top else len(extra_top) + fault,
        cause=c.text("other.other.cause", site=site, what_en=what_en, what_ko=what_ko),
        fix=c.t(fix_en, fix_ko),
    )


@template("Other", "other.project_runtime_exception", codebases=("oss",))
def project_runtime_exception(c: Ctx) -> Incident:
    project = c.code.project.capitalize()
    exception = c.pick(
        (
            f"{c.code.root}.{project}RuntimeException",
            f"{c.code.root}.{project}Exception",
            f"{c.code.root}.{c.code.module}.{c.code.stem}Exception",
        )
    )
    message = c.pick(
        (
            f"{c.code.stem} '{c.code.noun()}' is not attached to a {c.pick(('container', 'session', 'context'))}",
            f"Could not {c.verb()} {c.code.stem}: state {c.pick(('CLOSED', 'DETACHED', 'UNBOUND'))}",
            f"Unable to resolve {c.code.noun()} '{c.pick(('default', 'main', 'root'))}'",
            f"Unexpected {c.code.noun()} in {c.code.stem}",
            None,
        )
    )
    owner = c.code.other_cls()
    frames = [owner.at(c.verb(), c.code.line()) for _ in range(c.randint(0, 3))]
    return other(
        c,
        exception,
        message,
        [],
        ("domain", "service", "support"),
        *c.pair(".what"),
        *c.pair(".fix"),
        extra_top=frames,
    )


@template("Other", "other.markup_exception", codebases=("oss",))
def markup_exception(c: Ctx) -> Incident:
    tag = c.pick(('<span id="label">', '<div class="panel">', "<form:input>", '<td name="amount">'))
    resource = f"{c.code.root.replace('.', '/')}/{c.code.module}/{c.code.stem}.html"
    message = c.pick(
        (
            f"Unclosed element {tag} opened at line {c.randint(3, 90)}, column {c.randint(1, 40)} of {resource}",
            f"No element with id '{c.code.noun()}' in template {resource} for {c.code.stem}",
            f"Template {resource} for {c.code.root}.{c.code.module}.{c.code.stem} does not exist",
        )
    )
    owner = c.app("domain", c.pick(("MarkupParser", "TemplateLoader", "MarkupCache", "PageRenderer")))
    frames = [
        owner.at(c.pick(("parseMarkup", "loadMarkup", "getMarkup", "render")), c.code.line())
        for _ in range(c.randint(1, 4))
    ]
    return other(
        c,
        f"{c.code.root}.markup.{c.pick(('MarkupException', 'MarkupNotFoundException', 'TemplateSyntaxException'))}",
        message,
        [],
        ("service", "domain"),
        *c.pair(".what"),
        *c.pair(".fix"),
        extra_top=frames,
    )


@template("Other", "other.template_engine", codebases=("bank",), contexts=("web",))
def template_engine(c: Ctx) -> Incident:
    view = f"{c.code.module}/{c.pick(('detail', 'list', 'statement', 'confirm'))}"
    if c.chance(0.5):
        exception = "org.thymeleaf.exceptions.TemplateInputException"
        message = (
            c.message(".message", view=view)
        )
        throw = c.chain(".throw")
        what = c.pair(".what", view=view)
    else:
        exception = "freemarker.core.InvalidReferenceException"
        expr = c.pick(("account.owner.name", "statement.lines", "customer.address.zipCode"))
        message = (
            c.message(".message_2", expr=expr, view=view, number=c.randint(5, 80), number_2=c.randint(3, 40))
        )
        throw = c.chain(".throw_2")
        what = c.pair(".what_2", expr=expr)
    return other(c, exception, message, throw, ("controller", "support"), *what, *c.pair(".what_ko"))


@template("Other", "other.mybatis_binding", codebases=("bank",))
def mybatis_binding(c: Ctx) -> Incident:
    mapper = f"{c.code.root}.{c.code.module}.mapper.{c.type_name()}Mapper"
    statement = c.pick(("select", "insert", "update")) + c.type_name()
    proxy = (
        f"jdk.proxy2.$Proxy{c.randint(90, 250)}" if c.jdk.at_least(17) else f"com.sun.proxy.$Proxy{c.randint(90, 250)}"
    )
    if c.chance(0.5):
        message = f"Invalid bound statement (not found): {mapper}.{statement}"
        throw = [*c.chain(".throw"), StackFrame(proxy, statement)]
        what = c.pair(".what")
        fix = c.pair(".fix")
    else:
        param = c.code.noun()
        message = f"Parameter '{param}' not found. Available parameters are [arg1, arg0, param1, param2]"
        throw = c.chain(".throw_2")
        what = c.pair(".what_2", param=param)
        fix = c.pair(".fix_2", param=param)
    return other(
        c, "org.apache.ibatis.binding.BindingException", message, throw, ("service", "repository"), *what, *fix
    )


@template("Other", "other.unexpected_rollback", codebases=("bank",))
def unexpected_rollback(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    return other(
        c,
        "org.springframework.transaction.UnexpectedRollbackException",
        "Transaction silently rolled back because it has been marked as rollback-only",
        throw,
        ("controller", "listener", "batch"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("Other", "other.http_method_media", codebases=("bank",), contexts=("web",))
def http_method_media(c: Ctx) -> Incident:
    entry = c.entry()
    kind = c.pick(("method", "media", "handler"))
    if kind == "method":
        exception, message = (
            "org.springframework.web.HttpRequestMethodNotSupportedException",
            f"Request method '{c.pick(('GET', 'PUT', 'DELETE'))}' not supported",
        )
        throw = [
            c.lib("org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping.handleNoMatch", 213)
        ]
    elif kind == "media":
        exception, message = (
            "org.springframework.web.HttpMediaTypeNotSupportedException",
            f"Content type '{c.pick(('text/plain;charset=UTF-8', 'application/x-www-form-urlencoded;charset=UTF-8'))}' "
            "not supported",
        )
        throw = c.chain(".throw_2")
    else:
        exception, message = (
            "org.springframework.web.servlet.NoHandlerFoundException",
            f"No handler found for POST /api/v1/{c.code.module}/{c.verb()}",
        )
        throw = [c.lib("org.springframework.web.servlet.DispatcherServlet.noHandlerFound", 1293)]
    throw += c.chain(".throw")
    stack = [*throw, *entry.bottom[entry.bottom.index(next(f for f in entry.bottom if f.method == "doService")) :]]
    controller = entry.app_frames[0]
    return c.incident(
        [Thrown(exception, message, stack)],
        auto_wrap=False,
        fault=controller,
        fault_in_trace=False,
        cause=c.text(".cause"),
        fix=c.text(".fix"),
    )


@template("Other", "other.test_exception", contexts=("test",))
def test_exception(c: Ctx) -> Incident:
    c.runner = c.pick(("junit4", "junit3"))
    message = c.pick(
        (
            f"Output differs from src/test/resources/{c.code.module}/expected.txt at line {c.randint(2, 400)}",
            f"Expected {c.randint(2, 9)} events but got {c.randint(0, 1)}",
            "test timed out",
            f"Unexpected {c.code.stem} state",
        )
    )
    helper = c.app("test", f"Abstract{c.code.stem}Test").at(
        c.pick(("test", "verify", "compareResults")), c.code.line(40, 300)
    )
    fault = c.under_test_fault(c.entry().app_frames[0])
    return c.fail(
        "java.lang.Exception",
        message,
        [helper],
        filler=0,
        auto_wrap=False,
        fault=fault,
        fault_in_trace=False,
        cause=c.text(".cause"),
        fix=c.text(".fix", fault=fault),
    )


@template("Other", "other.xml_parse")
def xml_parse(c: Ctx) -> Incident:
    message = c.pick(c.values(".message"))
    line = c.randint(1, 60)
    site = c.frame(c.pick(("gateway", "support", "util", "client")))
    stack = c.call_stack([site], c.chain(".stack"))
    root = Thrown(
        "org.xml.sax.SAXParseException", f"lineNumber: {line}; columnNumber: {c.randint(1, 80)}; {message}", stack
    )
    root.cls = "org.xml.sax.SAXParseException"
    chain = [root]
    if c.chance(0.4):
        chain.insert(
            0,
            Thrown(
                "javax.xml.bind.UnmarshalException",
                "\n - with linked exception:\n[" + root.to_string().replace(": ", "; ", 1) + "]",
                stack[8:] if len(stack) > 8 else stack,
            ),
        )
    return c.incident(
        chain,
        top=[site],
        fault=site,
        cause=c.text(".cause", site=site, message=message),
        fix=c.text(".fix"),
    )


@template("Other", "other.jndi_name")
def jndi_name(c: Ctx) -> Incident:
    name = c.pick(("jdbc/BankDS", "java:comp/env/jdbc/LedgerDS", "jms/SettlementQueue", "mail/Session"))
    throw = c.chain(".throw")
    return other(
        c,
        "javax.naming.NameNotFoundException",
        f"Name [{name}] is not bound in this Context. Unable to find [{name.split('/')[0]}].",
        throw,
        ("config", "repository", "support"),
        *c.pair(".what", name=name),
        *c.pair(".fix"),
    )


@template("Other", "other.not_serializable")
def not_serializable(c: Ctx) -> Incident:
    cls = c.code.other_cls().fqcn
    throw = c.chain(".throw")
    return other(
        c,
        "java.io.NotSerializableException",
        cls,
        throw,
        ("support", "util", "repository"),
        *c.pair(".what", cls_simple=cls.rsplit('.', 1)[-1]),
        *c.pair(".fix"),
    )


@template("Other", "other.reflection_lookup")
def reflection_lookup(c: Ctx) -> Incident:
    target = c.code.other_cls().fqcn
    kind = c.pick(("method", "field", "ctor"))
    if kind == "method":
        exception, message = "java.lang.NoSuchMethodException", f"{target}.{c.verb()}(java.lang.String)"
        throw = [c.j("java.lang.Class.getMethod", (1786, 2108, 2227, 2321))]
    elif kind == "field":
        exception, message = "java.lang.NoSuchFieldException", c.code.noun()
        throw = [c.j("java.lang.Class.getDeclaredField", (2070, 2411, 2610, 2707))]
    else:
        exception, message = "java.lang.NoSuchMethodException", f"{target}.<init>()"
        throw = c.chain(".throw")
    return other(c, exception, message, throw, ("util", "support", "config"), *c.pair(".what"), *c.pair(".fix"))


@template("Other", "other.missing_resource_bundle")
def missing_resource_bundle(c: Ctx) -> Incident:
    base = c.pick(("messages", "i18n/errors", "bank_messages"))
    locale = c.pick(("ko_KR", "en_US", "ko"))
    throw = c.chain(".throw")
    return other(
        c,
        "java.util.MissingResourceException",
        f"Can't find bundle for base name {base}, locale {locale}",
        throw,
        ("support", "util", "config"),
        *c.pair(".what", base=base, locale=locale),
        *c.pair(".fix", base=base, locale=locale),
    )


@template("Other", "other.mockito_verification", contexts=("test",))
def mockito_verification(c: Ctx) -> Incident:
    collaborator = c.app(c.pick(("repository", "client")))
    mock = collaborator.simple[:1].lower() + collaborator.simple[1:]
    method = c.verb(c.pick(("repository", "client")))
    test = c.entry().app_frames[0]
    caller_class = collaborator.fqcn.replace(collaborator.simple, c.code.stem + "Service")
    if c.chance(0.5):
        exception = "org.mockito.exceptions.verification.WantedButNotInvoked"
        message = (
            c.message(".message", mock=mock, method=method, domain_class=c.app('domain').fqcn, test=test)
        )
    else:
        exception = "org.mockito.exceptions.verification.TooManyActualInvocations"
        message = (
            c.message(
                ".message_2",
                mock=mock,
                method=method,
                test=test,
                number=c.randint(2, 3),
                caller_class=caller_class,
                verb=c.verb(),
                code=c.code,
                c_code_line=c.code.line(),
            )
        )
    fault = c.under_test_fault(test)
    return c.fail(
        exception,
        message,
        [],
        filler=0,
        auto_wrap=False,
        fault=fault,
        fault_in_trace=False,
        cause=c.text(".cause", fault=fault, mock=mock, method=method),
        fix=c.text(".fix", fault=fault),
    )


@template("Other", "other.kafka_deserialization", codebases=("bank",), contexts=("kafka",))
def kafka_deserialization(c: Ctx) -> Incident:
    topic = c.pick(("payment-events", "transfer.completed", "ledger-postings"))
    partition, offset = c.randint(0, 11), c.randint(100, 9000000)
    throw = [*c.chain(".throw"), *c.jdk.runnable_adapter(), *c.jdk.future_task_run(), *c.jdk.thread_run()]
    exception = c.pick(c.values(".exception"))
    message = (
        c.message(".message", topic=topic, partition=partition, offset=offset)
    )
    listener = c.app("listener")
    return c.incident(
        [Thrown(exception, message, throw)],
        auto_wrap=False,
        fault=StackFrame(listener.fqcn, "onMessage", listener.file, None, app=True),
        fault_in_trace=False,
        cause=c.text(".cause", topic=topic, partition=partition, offset=offset),
        fix=c.text(".fix"),
    )


@template("Other", "other.flat_file_parse", codebases=("bank",), contexts=("batch",))
def flat_file_parse(c: Ctx) -> Incident:
    line_no = c.randint(2, 90000)
    resource = f"/data/settlement/in/KFTC_{c.date('')}.dat"
    record = f"{c.randint(10**9, 10**10 - 1)}{c.account_no().replace('-', '')}{c.amount():015d}"
    site = c.frame("batch")
    stack = c.call_stack([site], c.chain(".stack"))
    root = Thrown(
        "org.springframework.batch.item.file.transform.IncorrectLineLengthException",
        f"Line is longer than max range {c.randint(80, 200)}",
        stack,
    )
    wrap = Wrap(
        "org.springframework.batch.item.file.FlatFileParseException",
        f"Parsing error at line: {line_no} in resource=[file [{resource}]], input=[{record}]",
        at="org.springframework.batch.item.file.FlatFileItemReader.doRead",
        line_delta=7,
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[site],
        cause=c.text(".cause", line_no=line_no, resource=resource),
        fix=c.text(".fix"),
    )


@template("Other", "other.checked_business", codebases=("bank",))
def checked_business(c: Ctx) -> Incident:
    name = c.pick(c.values(".name"))
    message = c.pick(
        (
            c.text(".message"),
            c.text(".message_2"),
            c.text(".message_3"),
            f"[E{c.randint(1000, 9999)}] " + c.text(".message_4"),
        )
    )
    owner = c.app(c.pick(("domain", "support")))
    site = owner.at(c.pick(("check", "validateLimit", "assertActive", "verify")), c.code.line())
    caller = c.frame("service")
    return c.fail(
        f"{c.code.root}.{c.pick((c.code.module + '.exception', 'common.exception'))}.{name}",
        message,
        [site, caller],
        fault=1,
        cause=c.text(".cause", owner=owner, message=message),
        fix=c.text(".fix"),
    )


@template("Other", "other.jmx_instance_exists", contexts=("main", "test"))
def jmx_instance_exists(c: Ctx) -> Incident:
    name = c.pick(
        (
            "com.zaxxer.hikari:type=Pool (HikariPool-1)",
            f"{c.code.root}:type=Metrics,name={c.code.stem}",
            "org.apache.commons.pool2:type=GenericObjectPool,name=pool",
        )
    )
    throw = c.chain(".throw")
    return other(
        c,
        "javax.management.InstanceAlreadyExistsException",
        name,
        throw,
        ("config", "support"),
        *c.pair(".what", name=name),
        *c.pair(".fix"),
    )


@template("Other", "other.convergence", codebases=("oss",))
def convergence(c: Ctx) -> Incident:
    math3 = "org.apache.commons.math3"
    exception, message, throw = c.pick(
        (
            (
                f"{math3}.exception.ConvergenceException",
                "illegal state: convergence failed",
                c.chain(".exception_message_throw"),
            ),
            (
                f"{math3}.exception.TooManyEvaluationsException",
                f"illegal state: maximal count ({c.pick((100, 1000))}) exceeded: evaluations",
                c.chain(".exception_message_throw_2"),
            ),
            (
                f"{math3}.exception.MathInternalError",
                "illegal state: internal error, please fill a bug report at https://issues.apache.org/jira/browse/MATH",
                [c.lib(f"{math3}.util.FastMath.log", 1140)],
            ),
        )
    )
    return other(c, exception, message, throw, ("service", "domain"), *c.pair(".what"), *c.pair(".fix"))


@template("Other", "other.broken_barrier")
def broken_barrier(c: Ctx) -> Incident:
    throw = c.chain(".throw")
    return other(
        c,
        "java.util.concurrent.BrokenBarrierException",
        None,
        throw,
        ("support", "batch", "service"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )
