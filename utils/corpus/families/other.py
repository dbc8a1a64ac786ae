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
        cause=c.t(f"{site.method}: {what_en}", f"{site.method}: {what_ko}"),
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
        "the library's own runtime error for an inconsistent state or configuration",
        "라이브러리 고유 런타임 오류 (상태/설정 불일치)",
        "Read the message: fix the component/configuration it names at the reported place",
        "메시지가 가리키는 컴포넌트/설정을 보고된 위치에서 수정",
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
        "the page/template markup does not match the component tree",
        "페이지/템플릿 마크업이 컴포넌트 트리와 맞지 않음",
        "Fix the markup file (close tags, ids) or the component hierarchy so they agree",
        "마크업 파일(닫는 태그, id)이나 컴포넌트 계층을 서로 일치하게 수정",
        extra_top=frames,
    )


@template("Other", "other.template_engine", codebases=("bank",), contexts=("web",))
def template_engine(c: Ctx) -> Incident:
    view = f"{c.code.module}/{c.pick(('detail', 'list', 'statement', 'confirm'))}"
    if c.chance(0.5):
        exception = "org.thymeleaf.exceptions.TemplateInputException"
        message = (
            f"Error resolving template [{view}], template might not exist or might not be accessible by "
            "any of the configured Template Resolvers"
        )
        throw = [
            c.lib("org.thymeleaf.engine.TemplateManager.resolveTemplate", 869),
            c.lib("org.thymeleaf.engine.TemplateManager.parseAndProcess", 607),
            c.lib("org.thymeleaf.TemplateEngine.process", 1098),
            c.lib("org.thymeleaf.TemplateEngine.process", 1072),
            c.lib("org.thymeleaf.spring5.view.ThymeleafView.renderFragment", 366),
            c.lib("org.thymeleaf.spring5.view.ThymeleafView.render", 190),
        ]
        what = (f"the view name {view} has no template file", f"뷰 이름 {view}에 해당하는 템플릿 파일이 없음")
    else:
        exception = "freemarker.core.InvalidReferenceException"
        expr = c.pick(("account.owner.name", "statement.lines", "customer.address.zipCode"))
        message = (
            f'The following has evaluated to null or missing:\n==> {expr}  [in template "{view}.ftl" at line '
            f"{c.randint(5, 80)}, column {c.randint(3, 40)}]\n\n"
            "----\nTip: If the failing expression is known to legally refer to something that's sometimes null "
            "or missing, either specify a default value "
            "like myOptionalVar!myDefault, or use <#if myOptionalVar??>when-present<#else>when-missing</#if>."
        )
        throw = [
            c.lib("freemarker.core.InvalidReferenceException.getInstance", 134),
            c.lib("freemarker.core.EvalUtil.coerceModelToTextualCommon", 479),
            c.lib("freemarker.core.EvalUtil.coerceModelToStringOrMarkup", 401),
            c.lib("freemarker.core.DollarVariable.calculateInterpolatedStringOrMarkup", 104),
            c.lib("freemarker.core.Environment.visit", 383),
            c.lib("freemarker.core.Environment.process", 362),
            c.lib("freemarker.template.Template.process", 383),
        ]
        what = (f"the template reads {expr}, which is null in the model", f"템플릿이 모델에서 null인 {expr}를 읽음")
    return other(
        c,
        exception,
        message,
        throw,
        ("controller", "support"),
        *what,
        "Fix the view name/template path, or put the value in the model (or give the template a default)",
        "뷰 이름/템플릿 경로를 고치거나 모델에 값을 넣음 (또는 템플릿에 기본값 지정)",
    )


@template("Other", "other.mybatis_binding", codebases=("bank",))
def mybatis_binding(c: Ctx) -> Incident:
    mapper = f"{c.code.root}.{c.code.module}.mapper.{c.type_name()}Mapper"
    statement = c.pick(("select", "insert", "update")) + c.type_name()
    proxy = (
        f"jdk.proxy2.$Proxy{c.randint(90, 250)}" if c.jdk.at_least(17) else f"com.sun.proxy.$Proxy{c.randint(90, 250)}"
    )
    if c.chance(0.5):
        message = f"Invalid bound statement (not found): {mapper}.{statement}"
        throw = [
            c.lib("org.apache.ibatis.binding.MapperMethod$SqlCommand.<init>", 235),
            c.lib("org.apache.ibatis.binding.MapperMethod.<init>", 53),
            c.lib("org.apache.ibatis.binding.MapperProxy.lambda$cachedInvoker$0", 108),
            c.lib("org.apache.ibatis.binding.MapperProxy.cachedInvoker", 95),
            c.lib("org.apache.ibatis.binding.MapperProxy.invoke", 86),
            StackFrame(proxy, statement),
        ]
        what = (
            "the mapper XML for this method is not loaded (namespace/id mismatch or mapper-locations)",
            "이 메서드의 매퍼 XML이 로드되지 않음 (namespace/id 불일치 또는 mapper-locations)",
        )
        fix = (
            "Make the XML namespace and id match the interface method and include the XML in mybatis.mapper-locations",
            "XML namespace/id를 인터페이스 메서드와 맞추고 mybatis.mapper-locations에 XML을 포함",
        )
    else:
        param = c.code.noun()
        message = f"Parameter '{param}' not found. Available parameters are [arg1, arg0, param1, param2]"
        throw = [
            c.lib("org.apache.ibatis.binding.MapperMethod$ParamMap.get", 212),
            c.lib("org.apache.ibatis.reflection.wrapper.MapWrapper.get", 45),
            c.lib("org.apache.ibatis.reflection.MetaObject.getValue", 122),
            c.lib("org.apache.ibatis.scripting.defaults.DefaultParameterHandler.setParameters", 79),
            c.lib("org.apache.ibatis.executor.statement.PreparedStatementHandler.parameterize", 94),
        ]
        what = (
            f"the SQL uses #{{{param}}} but the mapper method has several parameters without @Param",
            f"SQL이 #{{{param}}}를 쓰는데 매퍼 메서드 파라미터에 @Param이 없음",
        )
        fix = (
            f'Annotate the parameter with @Param("{param}") (or compile with -parameters)',
            f'파라미터에 @Param("{param}")을 붙이거나 -parameters로 컴파일',
        )
    return other(
        c, "org.apache.ibatis.binding.BindingException", message, throw, ("service", "repository"), *what, *fix
    )


@template("Other", "other.unexpected_rollback", codebases=("bank",))
def unexpected_rollback(c: Ctx) -> Incident:
    throw = [
        c.lib("org.springframework.transaction.support.AbstractPlatformTransactionManager.processRollback", 872),
        c.lib("org.springframework.transaction.support.AbstractPlatformTransactionManager.commit", 709),
        c.lib(
            "org.springframework.transaction.interceptor.TransactionAspectSupport.commitTransactionAfterReturning", 654
        ),
        c.lib("org.springframework.transaction.interceptor.TransactionAspectSupport.invokeWithinTransaction", 407),
        c.lib("org.springframework.transaction.interceptor.TransactionInterceptor.invoke", 119),
        c.lib("org.springframework.aop.framework.ReflectiveMethodInvocation.proceed", 186),
        c.lib("org.springframework.aop.framework.CglibAopProxy$DynamicAdvisedInterceptor.intercept", 708),
    ]
    return other(
        c,
        "org.springframework.transaction.UnexpectedRollbackException",
        "Transaction silently rolled back because it has been marked as rollback-only",
        throw,
        ("controller", "listener", "batch"),
        "an inner @Transactional method failed and marked the shared transaction rollback-only, but the caller "
        "caught the error and tried to commit",
        "내부 @Transactional 메서드가 실패해 공유 트랜잭션을 rollback-only로 표시했는데 호출자가 예외를 잡고 "
        "커밋을 시도",
        "Let the exception propagate, or run the inner call in REQUIRES_NEW / noRollbackFor if its failure is "
        "acceptable",
        "예외를 전파하거나, 내부 실패가 허용되면 REQUIRES_NEW 또는 noRollbackFor 사용",
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
        throw = [
            c.lib(
                "org.springframework.web.servlet.mvc.method.annotation.AbstractMessageConverterMethodArgumentResolver.readWithMessageConverters",
                205,
            )
        ]
    else:
        exception, message = (
            "org.springframework.web.servlet.NoHandlerFoundException",
            f"No handler found for POST /api/v1/{c.code.module}/{c.verb()}",
        )
        throw = [c.lib("org.springframework.web.servlet.DispatcherServlet.noHandlerFound", 1293)]
    throw += [
        c.lib("org.springframework.web.servlet.handler.AbstractHandlerMethodMapping.lookupHandlerMethod", 420),
        c.lib("org.springframework.web.servlet.DispatcherServlet.getHandler", 1257),
        c.lib("org.springframework.web.servlet.DispatcherServlet.doDispatch", 1039),
    ]
    stack = [*throw, *entry.bottom[entry.bottom.index(next(f for f in entry.bottom if f.method == "doService")) :]]
    controller = entry.app_frames[0]
    return c.incident(
        [Thrown(exception, message, stack)],
        auto_wrap=False,
        fault=controller,
        fault_in_trace=False,
        cause=c.t(
            "The request does not match any handler mapping (method/content type/path)",
            "요청이 어떤 핸들러 매핑(메서드/콘텐츠 타입/경로)과도 맞지 않음",
        ),
        fix=c.t(
            "Call the endpoint with the mapped HTTP method/Content-Type/path, or add the mapping",
            "매핑된 HTTP 메서드/Content-Type/경로로 호출하거나 매핑을 추가",
        ),
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
        cause=c.t(
            "The test harness throws a plain Exception: the output of the code under test differs from the expected "
            "result",
            "테스트 하네스가 일반 Exception을 던짐: 테스트 대상 코드의 결과가 기대값과 다름",
        ),
        fix=c.t(
            f"Compare the produced and expected files and fix {fault.method} (or regenerate the expectation if "
            "the change is intended)",
            f"생성된 결과와 기대 파일을 비교해 {fault.method}를 수정 (의도된 변경이면 기대값 갱신)",
        ),
    )


@template("Other", "other.xml_parse")
def xml_parse(c: Ctx) -> Incident:
    message = c.pick(
        (
            "Content is not allowed in prolog.",
            "Premature end of file.",
            'The element type "Amount" must be terminated by the matching end-tag "</Amount>".',
            "Invalid byte 1 of 1-byte UTF-8 sequence.",
        )
    )
    line = c.randint(1, 60)
    site = c.frame(c.pick(("gateway", "support", "util", "client")))
    stack = c.call_stack(
        [site],
        [
            c.j(
                "com.sun.org.apache.xerces.internal.util.ErrorHandlerWrapper.createSAXParseException",
                (203, 204, 204, 204),
            ),
            c.j("com.sun.org.apache.xerces.internal.util.ErrorHandlerWrapper.fatalError", (177, 178, 178, 178)),
            c.j("com.sun.org.apache.xerces.internal.impl.XMLErrorReporter.reportError", (400, 400, 400, 400)),
            c.j("com.sun.org.apache.xerces.internal.impl.XMLScanner.reportFatalError", (1473, 1471, 1471, 1471)),
            c.j("com.sun.org.apache.xerces.internal.parsers.XMLParser.parse", (141, 141, 141, 141)),
            c.j("com.sun.org.apache.xerces.internal.parsers.DOMParser.parse", (243, 247, 247, 247)),
            c.j("com.sun.org.apache.xerces.internal.jaxp.DocumentBuilderImpl.parse", (339, 342, 342, 342)),
            c.j("javax.xml.parsers.DocumentBuilder.parse", (121, 122, 122, 122)),
        ],
    )
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
        cause=c.t(
            f"{site.method} parses a payload that is not well-formed XML ({message})",
            f"{site.method}가 올바른 XML이 아닌 페이로드를 파싱 ({message})",
        ),
        fix=c.t(
            "Check what was actually received (BOM, HTML error page, encoding) and validate before parsing",
            "실제로 수신한 내용(BOM, HTML 오류 페이지, 인코딩)을 확인하고 파싱 전에 검증",
        ),
    )


@template("Other", "other.jndi_name")
def jndi_name(c: Ctx) -> Incident:
    name = c.pick(("jdbc/BankDS", "java:comp/env/jdbc/LedgerDS", "jms/SettlementQueue", "mail/Session"))
    throw = [
        c.lib("org.apache.naming.NamingContext.lookup", 833),
        c.lib("org.apache.naming.NamingContext.lookup", 160),
        c.lib("org.apache.naming.SelectorContext.lookup", 134),
        c.j("javax.naming.InitialContext.lookup", (417, 409, 409, 409)),
    ]
    return other(
        c,
        "javax.naming.NameNotFoundException",
        f"Name [{name}] is not bound in this Context. Unable to find [{name.split('/')[0]}].",
        throw,
        ("config", "repository", "support"),
        f"the JNDI resource {name} is not defined in the server/container",
        f"JNDI 리소스 {name}가 서버/컨테이너에 정의되지 않음",
        "Define the resource in the server (context.xml / server config) or use the application's own DataSource",
        "서버(context.xml 등)에 리소스를 정의하거나 애플리케이션 자체 DataSource 사용",
    )


@template("Other", "other.not_serializable")
def not_serializable(c: Ctx) -> Incident:
    cls = c.code.other_cls().fqcn
    throw = [
        c.j("java.io.ObjectOutputStream.writeObject0", (1184, 1185, 1197, 1200)),
        c.j("java.io.ObjectOutputStream.defaultWriteFields", (1548, 1553, 1582, 1585)),
        c.j("java.io.ObjectOutputStream.writeSerialData", (1509, 1510, 1539, 1542)),
        c.j("java.io.ObjectOutputStream.writeOrdinaryObject", (1432, 1433, 1448, 1451)),
        c.j("java.io.ObjectOutputStream.writeObject0", (1178, 1179, 1191, 1194)),
        c.j("java.io.ObjectOutputStream.writeObject", (348, 349, 354, 357)),
    ]
    return other(
        c,
        "java.io.NotSerializableException",
        cls,
        throw,
        ("support", "util", "repository"),
        f"an object graph written with Java serialization (session/cache) contains {cls.rsplit('.', 1)[-1]}, "
        "which is not Serializable",
        f"Java 직렬화(세션/캐시) 대상 객체 그래프에 Serializable이 아닌 {cls.rsplit('.', 1)[-1]}가 포함됨",
        "Make the field transient/Serializable, or store a serializable DTO (or use JSON serialization)",
        "필드를 transient/Serializable로 하거나 직렬화 가능한 DTO(또는 JSON) 저장",
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
        throw = [
            c.j("java.lang.Class.getConstructor0", (3082, 3349, 3585, 3761)),
            c.j("java.lang.Class.getDeclaredConstructor", (2178, 2553, 2754, 2851)),
        ]
    return other(
        c,
        exception,
        message,
        throw,
        ("util", "support", "config"),
        "a reflective lookup names a member that does not exist (renamed/obfuscated, wrong signature)",
        "리플렉션 조회 대상 멤버가 없음 (이름 변경/난독화, 시그니처 불일치)",
        "Update the reflective name/signature (or avoid reflection with an interface)",
        "리플렉션에 쓰는 이름/시그니처를 갱신하거나 인터페이스로 대체",
    )


@template("Other", "other.missing_resource_bundle")
def missing_resource_bundle(c: Ctx) -> Incident:
    base = c.pick(("messages", "i18n/errors", "bank_messages"))
    locale = c.pick(("ko_KR", "en_US", "ko"))
    throw = [
        c.j("java.util.ResourceBundle.throwMissingResourceException", (1573, 2055, 2045, 2071)),
        c.j("java.util.ResourceBundle.getBundleImpl", (1396, 1689, 1683, 1703)),
        c.j("java.util.ResourceBundle.getBundle", (854, 1083, 1083, 1097)),
    ]
    return other(
        c,
        "java.util.MissingResourceException",
        f"Can't find bundle for base name {base}, locale {locale}",
        throw,
        ("support", "util", "config"),
        f"the resource bundle {base} for {locale} is not on the classpath",
        f"{locale}용 리소스 번들 {base}가 클래스패스에 없음",
        f"Package {base}.properties (and {base}_{locale}.properties) under resources",
        f"resources에 {base}.properties(및 {base}_{locale}.properties)를 포함",
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
            f"\nWanted but not invoked:\n{mock}.{method}(\n    <any {c.app('domain').fqcn}>\n);\n-> at "
            f"{test.cls}.{test.method}({test.file}:{test.line})\n"
            "Actually, there were zero interactions with this mock.\n"
        )
    else:
        exception = "org.mockito.exceptions.verification.TooManyActualInvocations"
        message = (
            f"\n{mock}.{method}(\n    <any>\n);\nWanted 1 time:\n-> at "
            f"{test.cls}.{test.method}({test.file}:{test.line})\nBut "
            f"was {c.randint(2, 3)} times:\n"
            f"-> at {caller_class}.{c.verb()}({c.code.stem}Service.java:{c.code.line()})\n"
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
        cause=c.t(
            f"{fault.method} did not call {mock}.{method} the expected number of times",
            f"{fault.method}가 {mock}.{method}를 기대한 횟수만큼 호출하지 않음",
        ),
        fix=c.t(
            f"Fix the interaction in {fault.method} (missing/duplicate call) or the verification if the design changed",
            f"{fault.method}의 호출(누락/중복)을 수정하거나 설계가 바뀌었으면 검증을 수정",
        ),
    )


@template("Other", "other.kafka_deserialization", codebases=("bank",), contexts=("kafka",))
def kafka_deserialization(c: Ctx) -> Incident:
    topic = c.pick(("payment-events", "transfer.completed", "ledger-postings"))
    partition, offset = c.randint(0, 11), c.randint(100, 9000000)
    throw = [
        c.lib("org.apache.kafka.clients.consumer.internals.Fetcher.parseRecord", 1448),
        c.lib("org.apache.kafka.clients.consumer.internals.Fetcher.access$3400", 135),
        c.lib("org.apache.kafka.clients.consumer.internals.Fetcher$CompletedFetch.fetchRecords", 1671),
        c.lib("org.apache.kafka.clients.consumer.internals.Fetcher$CompletedFetch.access$1900", 1507),
        c.lib("org.apache.kafka.clients.consumer.internals.Fetcher.fetchRecords", 733),
        c.lib("org.apache.kafka.clients.consumer.internals.Fetcher.fetchedRecords", 684),
        c.lib("org.apache.kafka.clients.consumer.KafkaConsumer.pollForFetches", 1277),
        c.lib("org.apache.kafka.clients.consumer.KafkaConsumer.poll", 1238),
        c.lib("org.apache.kafka.clients.consumer.KafkaConsumer.poll", 1211),
        c.lib("org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer.doPoll", 1521),
        c.lib("org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer.pollAndInvoke", 1286),
        c.lib("org.springframework.kafka.listener.KafkaMessageListenerContainer$ListenerConsumer.run", 1200),
        *c.jdk.runnable_adapter(),
        *c.jdk.future_task_run(),
        *c.jdk.thread_run(),
    ]
    exception = c.pick(
        (
            "org.apache.kafka.common.errors.RecordDeserializationException",
            "org.apache.kafka.common.errors.SerializationException",
        )
    )
    message = (
        f"Error deserializing key/value for partition {topic}-{partition} at offset {offset}. If needed, "
        "please seek past the record to continue consumption."
    )
    listener = c.app("listener")
    return c.incident(
        [Thrown(exception, message, throw)],
        auto_wrap=False,
        fault=StackFrame(listener.fqcn, "onMessage", listener.file, None, app=True),
        fault_in_trace=False,
        cause=c.t(
            f"A record on {topic}-{partition}@{offset} cannot be deserialized (poison pill: another format/schema)",
            f"{topic}-{partition}@{offset} 레코드를 역직렬화할 수 없음 (다른 형식/스키마의 포이즌 메시지)",
        ),
        fix=c.t(
            "Use ErrorHandlingDeserializer + a dead-letter topic, and fix the producer's format",
            "ErrorHandlingDeserializer와 DLT를 사용하고 프로듀서 형식을 수정",
        ),
    )


@template("Other", "other.flat_file_parse", codebases=("bank",), contexts=("batch",))
def flat_file_parse(c: Ctx) -> Incident:
    line_no = c.randint(2, 90000)
    resource = f"/data/settlement/in/KFTC_{c.date('')}.dat"
    record = f"{c.randint(10**9, 10**10 - 1)}{c.account_no().replace('-', '')}{c.amount():015d}"
    site = c.frame("batch")
    stack = c.call_stack(
        [site],
        [
            c.lib("org.springframework.batch.item.file.transform.FixedLengthTokenizer.doTokenize", 134),
            c.lib("org.springframework.batch.item.file.transform.AbstractLineTokenizer.tokenize", 130),
            c.lib("org.springframework.batch.item.file.mapping.DefaultLineMapper.mapLine", 43),
            c.lib("org.springframework.batch.item.file.FlatFileItemReader.doRead", 180),
        ],
    )
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
        cause=c.t(
            f"Line {line_no} of {resource} does not match the fixed-length layout (record length changed)",
            f"{resource}의 {line_no}번째 줄이 고정 길이 레이아웃과 맞지 않음 (레코드 길이 변경)",
        ),
        fix=c.t(
            "Align the tokenizer ranges with the file spec version, or skip/report malformed lines (skip policy)",
            "토크나이저 범위를 파일 명세 버전에 맞추거나 잘못된 줄을 스킵/보고(skip policy)",
        ),
    )


@template("Other", "other.checked_business", codebases=("bank",))
def checked_business(c: Ctx) -> Incident:
    name = c.pick(
        (
            "TransferLimitExceededException",
            "AccountFrozenException",
            "DuplicateTransferException",
            "CutOffTimeExceededException",
            "BizException",
            "BusinessException",
        )
    )
    message = c.pick(
        (
            c.t("Daily transfer limit exceeded", "일일 이체한도를 초과했습니다"),
            c.t("Account is frozen", "지급정지된 계좌입니다"),
            c.t("Duplicate transfer request", "중복 이체 요청입니다"),
            f"[E{c.randint(1000, 9999)}] " + c.t("Request rejected", "요청이 거절되었습니다"),
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
        cause=c.t(
            f"A business rule in {owner.simple} rejected the request: {message}",
            f"{owner.simple}의 업무 규칙이 요청을 거절: {message}",
        ),
        fix=c.t(
            "Handle the business exception in the caller and return the business error code to the channel instead "
            "of a 500",
            "호출자에서 업무 예외를 처리해 500 대신 업무 오류 코드를 채널에 반환",
        ),
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
    throw = [
        c.j("com.sun.jmx.mbeanserver.Repository.addMBean", (437, 436, 436, 436)),
        c.j("com.sun.jmx.interceptor.DefaultMBeanServerInterceptor.registerWithRepository", (1898, 1855, 1865, 1865)),
        c.j("com.sun.jmx.interceptor.DefaultMBeanServerInterceptor.registerDynamicMBean", (966, 955, 960, 960)),
        c.j("com.sun.jmx.interceptor.DefaultMBeanServerInterceptor.registerObject", (900, 890, 895, 895)),
        c.j("com.sun.jmx.interceptor.DefaultMBeanServerInterceptor.registerMBean", (324, 320, 320, 320)),
        c.j("com.sun.jmx.mbeanserver.JmxMBeanServer.registerMBean", (522, 522, 523, 523)),
    ]
    return other(
        c,
        "javax.management.InstanceAlreadyExistsException",
        name,
        throw,
        ("config", "support"),
        f"a second component registers the JMX name {name} (two pools/contexts with the same name)",
        f"두 번째 컴포넌트가 같은 JMX 이름 {name}을 등록 (같은 이름의 풀/컨텍스트 2개)",
        "Give each pool/context a unique name (poolName / spring.jmx.default-domain) or disable duplicate registration",
        "풀/컨텍스트마다 고유 이름(poolName, spring.jmx.default-domain)을 주거나 중복 등록을 비활성화",
    )


@template("Other", "other.convergence", codebases=("oss",))
def convergence(c: Ctx) -> Incident:
    math3 = "org.apache.commons.math3"
    exception, message, throw = c.pick(
        (
            (
                f"{math3}.exception.ConvergenceException",
                "illegal state: convergence failed",
                [
                    c.lib(f"{math3}.analysis.solvers.BaseSecantSolver.doSolve", 161),
                    c.lib(f"{math3}.analysis.solvers.BaseAbstractUnivariateSolver.solve", 190),
                ],
            ),
            (
                f"{math3}.exception.TooManyEvaluationsException",
                f"illegal state: maximal count ({c.pick((100, 1000))}) exceeded: evaluations",
                [
                    c.lib(f"{math3}.analysis.solvers.BaseAbstractUnivariateSolver.incrementEvaluationCount", 296),
                    c.lib(f"{math3}.analysis.solvers.BrentSolver.brent", 172),
                ],
            ),
            (
                f"{math3}.exception.MathInternalError",
                "illegal state: internal error, please fill a bug report at https://issues.apache.org/jira/browse/MATH",
                [c.lib(f"{math3}.util.FastMath.log", 1140)],
            ),
        )
    )
    return other(
        c,
        exception,
        message,
        throw,
        ("service", "domain"),
        "the numerical routine did not converge for these inputs",
        "이 입력에서 수치 계산이 수렴하지 않음",
        "Check the inputs/bracketing interval and raise the iteration limit or pick a more robust solver",
        "입력/구간을 확인하고 반복 한도를 늘리거나 더 견고한 해법 선택",
    )


@template("Other", "other.broken_barrier")
def broken_barrier(c: Ctx) -> Incident:
    throw = [
        c.j("java.util.concurrent.CyclicBarrier.dowait", (250, 251, 251, 252)),
        c.j("java.util.concurrent.CyclicBarrier.await", (362, 364, 364, 364)),
    ]
    return other(
        c,
        "java.util.concurrent.BrokenBarrierException",
        None,
        throw,
        ("support", "batch", "service"),
        "another party of the CyclicBarrier failed or timed out, breaking the barrier for all",
        "CyclicBarrier의 다른 참여 스레드가 실패/타임아웃되어 장벽이 깨짐",
        "Find the failing party's own exception and fix it; reset the barrier only after handling it",
        "실패한 참여 스레드의 예외를 찾아 해결하고 처리 후 장벽을 reset",
    )
