"""Spring application wiring and input validation: BeanCreationException (context start-up: missing, ambiguous or
uninstantiable beans) and ValidationException (bean validation, request binding, domain validation)."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.families import stacks
from utils.corpus.model import Incident, StackFrame, Thrown, template

MAIN = ("main",)
BEANS = "org.springframework.beans.factory"


def bean_name(cls_simple: str) -> str:
    return cls_simple[:1].lower() + cls_simple[1:]


def startup(
    c: Ctx,
    deep: list[StackFrame],
    root_cls: str,
    root_msg: str,
    wrappers: list[tuple[str, str]],
    fault: StackFrame,
    cause: str,
    fix: str,
) -> Incident:
    """A failure while the Spring context starts: `deep` frames above nested getBean calls, wrapped level by level."""
    stack = [*deep, *stacks.bean_creation(c, len(wrappers) or 1), *stacks.context_refresh(c)]
    wraps = [
        Wrap(
            cls,
            (lambda inner, text=text: f"{text}; nested exception is {inner.to_string()}"),
            at=f"{BEANS}.support.ConstructorResolver.createArgumentArray"
            if index == 0
            else f"{BEANS}.support.AbstractAutowireCapableBeanFactory.createBean",
            line_delta=6,
        )
        for index, (cls, text) in enumerate(wrappers)
    ]
    return c.incident(
        [Thrown(root_cls, root_msg, stack)],
        wraps=wraps,
        auto_wrap=False,
        fault=fault,
        fault_in_trace=False,
        cause=cause,
        fix=fix,
    )


def dependent_bean(c: Ctx) -> tuple[StackFrame, str]:
    owner = c.app(c.pick(("controller", "service", "listener")))
    return StackFrame(owner.fqcn, "<init>", owner.file, None, app=True), bean_name(owner.simple)


RESOLVE = [
    f"{BEANS}.support.DefaultListableBeanFactory.raiseNoMatchingBeanFound",
    f"{BEANS}.support.DefaultListableBeanFactory.doResolveDependency",
    f"{BEANS}.support.DefaultListableBeanFactory.resolveDependency",
    f"{BEANS}.support.ConstructorResolver.resolveAutowiredArgument",
    f"{BEANS}.support.ConstructorResolver.createArgumentArray",
    f"{BEANS}.support.ConstructorResolver.autowireConstructor",
    f"{BEANS}.support.AbstractAutowireCapableBeanFactory.autowireConstructor",
    f"{BEANS}.support.AbstractAutowireCapableBeanFactory.createBeanInstance",
]
RESOLVE_LINES = (1790, 1346, 1300, 887, 791, 229, 1372, 1222)


@template("BeanCreationException", "bce.no_such_bean", contexts=MAIN, codebases=("bank",))
def no_such_bean(c: Ctx) -> Incident:
    missing = c.app(c.pick(("support", "client", "repository")))
    fault, name = dependent_bean(c)
    deep = [c.lib(q, line) for q, line in zip(RESOLVE, RESOLVE_LINES, strict=True)]
    message = (
        f"No qualifying bean of type '{missing.fqcn}' available: expected at least 1 bean which qualifies as "
        "autowire candidate. "
        "Dependency annotations: {}"
    )
    wrapper = (
        f"{BEANS}.UnsatisfiedDependencyException",
        f"Error creating bean with name '{name}' defined in file [/app/classes/{fault.cls.replace('.', '/')}.class]: "
        "Unsatisfied dependency expressed through constructor parameter 0",
    )
    return startup(
        c,
        deep,
        f"{BEANS}.NoSuchBeanDefinitionException",
        message,
        [wrapper],
        fault,
        c.t(
            f"{fault.cls.rsplit('.', 1)[-1]} needs a {missing.simple} bean but none is registered (not scanned, "
            "missing @Component, profile/condition off)",
            f"{fault.cls.rsplit('.', 1)[-1]}가 {missing.simple} 빈을 필요로 하지만 등록되지 않음 (스캔 범위 밖, "
            "@Component 누락, "
            "프로파일/조건 불일치)",
        ),
        c.t(
            f"Register {missing.simple} (annotation/@Bean, component scan package, active profile) or make the "
            "dependency optional",
            f"{missing.simple}를 빈으로 등록(어노테이션/@Bean, 스캔 패키지, 활성 프로파일)하거나 의존성을 "
            "선택적으로 변경",
        ),
    )


@template("BeanCreationException", "bce.no_unique_bean", contexts=MAIN, codebases=("bank",))
def no_unique_bean(c: Ctx) -> Incident:
    kind, first, second = c.pick(
        (
            ("javax.sql.DataSource", "primaryDataSource", "reportingDataSource"),
            ("org.springframework.web.client.RestTemplate", "coreBankingRestTemplate", "partnerRestTemplate"),
            ("com.fasterxml.jackson.databind.ObjectMapper", "objectMapper", "fepObjectMapper"),
            (c.app("support").fqcn, "defaultFeePolicy", "vipFeePolicy"),
        )
    )
    fault, name = dependent_bean(c)
    deep = [
        c.lib(f"{BEANS}.config.DependencyDescriptor.resolveNotUnique", 220),
        *[c.lib(q, line) for q, line in zip(RESOLVE[1:], RESOLVE_LINES[1:], strict=True)],
    ]
    message = (
        f"No qualifying bean of type '{kind}' available: expected single matching bean but found 2: {first},{second}"
    )
    wrapper = (
        f"{BEANS}.UnsatisfiedDependencyException",
        f"Error creating bean with name '{name}': Unsatisfied dependency expressed through constructor parameter 1",
    )
    return startup(
        c,
        deep,
        f"{BEANS}.NoUniqueBeanDefinitionException",
        message,
        [wrapper],
        fault,
        c.t(
            f"Two beans of type {kind.rsplit('.', 1)[-1]} exist ({first}, {second}) and the injection point does "
            "not say which",
            f"{kind.rsplit('.', 1)[-1]} 타입 빈이 둘({first}, {second})인데 주입 지점에서 어느 것인지 지정하지 않음",
        ),
        c.t(
            f'Mark one @Primary or inject with @Qualifier("{first}")',
            f'하나에 @Primary를 지정하거나 @Qualifier("{first}")로 주입',
        ),
    )


@template("BeanCreationException", "bce.no_bean_named", contexts=MAIN, codebases=("bank",))
def no_bean_named(c: Ctx) -> Incident:
    missing = c.pick(
        (
            "ledgerTransactionManager",
            "batchDataSource",
            "kafkaListenerContainerFactory",
            "taskExecutor",
            "entityManagerFactory",
        )
    )
    fault, name = dependent_bean(c)
    deep = [
        c.lib(f"{BEANS}.support.DefaultListableBeanFactory.getBeanDefinition", 863),
        c.lib(f"{BEANS}.support.AbstractBeanFactory.getMergedLocalBeanDefinition", 1344),
        c.lib(f"{BEANS}.support.AbstractBeanFactory.doGetBean", 309),
        c.lib(f"{BEANS}.support.AbstractBeanFactory.getBean", 213),
    ]
    return startup(
        c,
        deep,
        f"{BEANS}.NoSuchBeanDefinitionException",
        f"No bean named '{missing}' available",
        [(f"{BEANS}.BeanCreationException", f"Error creating bean with name '{name}'")],
        fault,
        c.t(
            f"Configuration refers to the bean name '{missing}', which is not defined in this context",
            f"설정이 참조하는 빈 이름 '{missing}'가 이 컨텍스트에 없음",
        ),
        c.t(
            f"Define '{missing}' (or fix the referenced name in @Transactional/@KafkaListener/@Qualifier)",
            f"'{missing}' 빈을 정의하거나 참조하는 이름(@Transactional/@Qualifier 등)을 수정",
        ),
    )


@template("BeanCreationException", "bce.instantiation", contexts=MAIN)
def instantiation(c: Ctx) -> Incident:
    target = c.app(c.pick(("support", "client", "config")))
    reason = c.pick(("Specified class is an interface", "Is it an abstract class?", "Is the constructor accessible?"))
    deep = [
        c.lib(
            "org.springframework.beans.BeanUtils.instantiateClass", 204 if reason != "Is it an abstract class?" else 207
        ),
        c.lib(f"{BEANS}.support.SimpleInstantiationStrategy.instantiate", 87),
        c.lib(f"{BEANS}.support.AbstractAutowireCapableBeanFactory.instantiateBean", 1326),
        c.lib(f"{BEANS}.support.AbstractAutowireCapableBeanFactory.createBeanInstance", 1232),
    ]
    fault = StackFrame(target.fqcn, "<init>", target.file, None, app=True)
    return startup(
        c,
        deep,
        "org.springframework.beans.BeanInstantiationException",
        f"Failed to instantiate [{target.fqcn}]: {reason}",
        [
            (
                f"{BEANS}.BeanCreationException",
                f"Error creating bean with name '{bean_name(target.simple)}' defined in file "
                f"[/app/classes/{target.fqcn.replace('.', '/')}.class]: Instantiation of bean failed",
            )
        ],
        fault,
        c.t(
            f"Spring cannot instantiate {target.simple} ({reason})",
            f"Spring이 {target.simple}를 생성할 수 없음 ({reason})",
        ),
        c.t(
            f"Register a concrete class with an accessible constructor for {target.simple}",
            f"{target.simple}에 대해 접근 가능한 생성자를 가진 구체 클래스를 등록",
        ),
    )


@template("BeanCreationException", "bce.factory_method_message", contexts=MAIN, codebases=("bank",))
def factory_method_message(c: Ctx) -> Incident:
    config = c.app("config")
    method = c.pick(("dataSource", "restTemplate", "kafkaTemplate", "hsmClient", "cipherService"))
    deep = [
        c.lib(f"{BEANS}.support.ConstructorResolver.instantiate", 653),
        c.lib(f"{BEANS}.support.ConstructorResolver.instantiateUsingFactoryMethod", 638),
        c.lib(f"{BEANS}.support.AbstractAutowireCapableBeanFactory.instantiateUsingFactoryMethod", 1352),
        c.lib(f"{BEANS}.support.AbstractAutowireCapableBeanFactory.createBeanInstance", 1195),
    ]
    fault = StackFrame(config.fqcn, method, config.file, None, app=True)
    message = (
        f"Error creating bean with name '{method}' defined in class path resource "
        f"[{config.fqcn.replace('.', '/')}.class]: "
        f"Bean instantiation via factory method failed"
    )
    stack = [*deep, *stacks.bean_creation(c, 2), *stacks.context_refresh(c)]
    return c.incident(
        [Thrown(f"{BEANS}.BeanCreationException", message, stack)],
        auto_wrap=False,
        fault=fault,
        fault_in_trace=False,
        cause=c.t(
            f"The @Bean method {config.simple}.{method} failed; the real cause was logged earlier/cut from this trace",
            f"@Bean 메서드 {config.simple}.{method}가 실패 (실제 원인은 이전 로그/생략된 부분에 있음)",
        ),
        fix=c.t(
            f"Find the nested cause of {method} (properties, credentials, reachability) in the full log and fix it",
            f"전체 로그에서 {method}의 하위 원인(속성, 자격 증명, 연결)을 찾아 수정",
        ),
    )


@template("BeanCreationException", "bce.missing_web_server_factory", contexts=MAIN)
def missing_web_server_factory(c: Ctx) -> Incident:
    boot = "org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext"
    throw = [
        c.lib(f"{boot}.getWebServerFactory", 210),
        c.lib(f"{boot}.createWebServer", 182),
        c.lib(f"{boot}.onRefresh", 160),
        c.lib("org.springframework.context.support.AbstractApplicationContext.refresh", 577),
    ]
    main = stacks.context_refresh(c)
    stack = [*throw, *main[3:]]
    root = Thrown(
        "org.springframework.context.ApplicationContextException",
        "Unable to start ServletWebServerApplicationContext due to missing ServletWebServerFactory bean.",
        stack,
    )
    wrap = Wrap(
        "org.springframework.context.ApplicationContextException",
        lambda e: f"Unable to start web server; nested exception is {e.to_string()}",
        at=f"{boot}.onRefresh",
        line_delta=3,
    )
    app = main[-1]
    return c.incident(
        [root],
        wraps=[wrap],
        auto_wrap=False,
        fault=StackFrame(app.cls, app.method, app.file, app.line, app=True),
        cause=c.t(
            "A web application context starts without an embedded server (spring-boot-starter-web/tomcat missing "
            "or excluded)",
            "내장 서버 없이 웹 애플리케이션 컨텍스트가 시작됨 (spring-boot-starter-web/tomcat 누락 또는 제외)",
        ),
        fix=c.t(
            "Add the web starter (or set spring.main.web-application-type=none for a batch/CLI app)",
            "웹 스타터를 추가하거나 배치/CLI 앱이면 spring.main.web-application-type=none 설정",
        ),
    )


@template("BeanCreationException", "bce.test_context", contexts=("test",), codebases=("bank",))
def test_context(c: Ctx) -> Incident:
    c.runner = c.pick(("junit4", "junit5"))
    missing = c.app(c.pick(("client", "support", "repository")))
    test = c.entry()
    fault, name = dependent_bean(c)
    deep = [c.lib(q, line) for q, line in zip(RESOLVE, RESOLVE_LINES, strict=True)]
    loader = [
        c.lib("org.springframework.boot.test.context.SpringBootContextLoader.loadContext", 136),
        c.lib("org.springframework.test.context.cache.DefaultCacheAwareContextLoaderDelegate.loadContextInternal", 99),
        c.lib("org.springframework.test.context.cache.DefaultCacheAwareContextLoaderDelegate.loadContext", 124),
        c.lib("org.springframework.test.context.support.DefaultTestContext.getApplicationContext", 124),
        c.lib(
            "org.springframework.test.context.support.DependencyInjectionTestExecutionListener.injectDependencies", 118
        ),
        c.lib(
            "org.springframework.test.context.support.DependencyInjectionTestExecutionListener.prepareTestInstance", 83
        ),
        c.lib("org.springframework.test.context.TestContextManager.prepareTestInstance", 248),
    ]
    boot = [
        c.lib(f"{BEANS}.support.DefaultListableBeanFactory.preInstantiateSingletons", 955),
        c.lib("org.springframework.context.support.AbstractApplicationContext.finishBeanFactoryInitialization", 918),
        c.lib("org.springframework.context.support.AbstractApplicationContext.refresh", 583),
        c.lib("org.springframework.boot.SpringApplication.refresh", 731),
        c.lib("org.springframework.boot.SpringApplication.refreshContext", 408),
        c.lib("org.springframework.boot.SpringApplication.run", 307),
    ]
    stack = [*deep, *stacks.bean_creation(c, 1), *boot, *loader, *test.bottom[-12:]]
    root = Thrown(
        f"{BEANS}.NoSuchBeanDefinitionException",
        f"No qualifying bean of type '{missing.fqcn}' available: expected at least 1 bean which qualifies as "
        f"autowire candidate. Dependency annotations: {{}}",
        stack,
    )
    wraps = [
        Wrap(
            f"{BEANS}.UnsatisfiedDependencyException",
            lambda e: (
                f"Error creating bean with name '{name}': Unsatisfied dependency expressed through constructor "
                f"parameter 0; nested exception is {e.to_string()}"
            ),
            at=f"{BEANS}.support.ConstructorResolver.createArgumentArray",
            line_delta=6,
        ),
        Wrap(
            "java.lang.IllegalStateException",
            "Failed to load ApplicationContext",
            at="org.springframework.test.context.cache.DefaultCacheAwareContextLoaderDelegate.loadContext",
            line_delta=8,
        ),
    ]
    return c.incident(
        [root],
        wraps=wraps,
        auto_wrap=False,
        fault=fault,
        fault_in_trace=False,
        cause=c.t(
            f"The test's Spring context lacks a {missing.simple} bean (slice test / @MockBean missing)",
            f"테스트 스프링 컨텍스트에 {missing.simple} 빈이 없음 (슬라이스 테스트 / @MockBean 누락)",
        ),
        fix=c.t(
            f"Provide {missing.simple} in the test (@MockBean or @Import) or widen the test slice",
            f"테스트에 {missing.simple}를 제공(@MockBean/@Import)하거나 테스트 범위를 넓힘",
        ),
    )


# --------------------------------------------------------------------------------------------- ValidationException


def field_error(c: Ctx, obj: str, field: str, value: str, code: str, default: str) -> str:
    return (
        f"Field error in object '{obj}' on field '{field}': rejected value [{value}]; codes "
        f"[{code}.{obj}.{field},{code}.{field},{code}]; "
        "arguments [org.springframework.context.support.DefaultMessageSourceResolvable: codes "
        f"[{obj}.{field},{field}]; "
        "arguments []; "
        f"default message [{field}]]; default message [{default}]"
    )


CONSTRAINTS = (
    ("Positive", "must be greater than 0", "-500"),
    ("NotBlank", "must not be blank", ""),
    ("NotNull", "must not be null", "null"),
    ("Size", "size must be between 10 and 14", "1102"),
    ("Pattern", 'must match "\\d{3}-\\d{3}-\\d{6}"', "110234567890"),
    ("Email", "must be a well-formed email address", "kim@"),
)


@template("ValidationException", "val.method_argument_not_valid", contexts=("web",), codebases=("bank",))
def method_argument_not_valid(c: Ctx) -> Incident:
    controller = c.frame("controller")
    dto = c.app("domain", f"{c.type_name()}Request")
    obj = bean_name(dto.simple)
    code, default, value = c.pick(CONSTRAINTS)
    field = c.pick(("amount", "accountNo", "beneficiaryName", "memo", "email", "cardNo"))
    message = (
        "Validation failed for argument [0] in public org.springframework.http.ResponseEntity<?> "
        f"{controller.cls}.{controller.method}({dto.fqcn}): "
        f"[{field_error(c, obj, field, value, code, default)}] "
    )
    entry = c.entry()
    throw = [
        c.lib(
            "org.springframework.web.servlet.mvc.method.annotation.RequestResponseBodyMethodProcessor.resolveArgument",
            c.pick((141, 144)),
        ),
        c.lib("org.springframework.web.method.support.HandlerMethodArgumentResolverComposite.resolveArgument", 122),
        c.lib("org.springframework.web.method.support.InvocableHandlerMethod.getMethodArgumentValues", 179),
        c.lib("org.springframework.web.method.support.InvocableHandlerMethod.invokeForRequest", 146),
    ]
    stack = [*throw, *entry.bottom[len(c.jdk.reflect_invoke()) + 2 :]]
    exception = "org.springframework.web.bind.MethodArgumentNotValidException"
    return c.incident(
        [Thrown(exception, message, stack)],
        auto_wrap=False,
        fault=controller,
        fault_in_trace=False,
        cause=c.t(
            f"The request to {controller.method} has {field}=[{value}], which violates @{code} ({default})",
            f"{controller.method} 요청의 {field}=[{value}] 값이 @{code} 제약({default})을 위반",
        ),
        fix=c.t(
            "Return a 400 with the field errors (@ExceptionHandler) and fix the client input",
            "필드 오류와 함께 400을 반환(@ExceptionHandler)하고 클라이언트 입력을 수정",
        ),
    )


@template("ValidationException", "val.method_validation", codebases=("bank",))
def method_validation(c: Ctx) -> Incident:
    service = c.app("service")
    method = c.verb()
    code, default, value = c.pick(CONSTRAINTS)
    field = c.pick(("request.amount", "accountNo", "command.valueDate", "limit"))
    jakarta = c.jdk.at_least(17) and c.chance(0.6)
    throw = [
        c.lib("org.springframework.validation.beanvalidation.MethodValidationInterceptor.invoke", c.pick((120, 121))),
        c.lib("org.springframework.aop.framework.ReflectiveMethodInvocation.proceed", 186),
        c.lib("org.springframework.aop.framework.CglibAopProxy$CglibMethodInvocation.proceed", 763),
        c.lib("org.springframework.aop.framework.CglibAopProxy$DynamicAdvisedInterceptor.intercept", 708),
        StackFrame(
            f"{service.fqcn}$$EnhancerBySpringCGLIB${c.randint(0x10000000, 0x7FFFFFFF):x}", method, generated=True
        ),
    ]
    caller = c.frame(c.pick(("controller", "listener", "batch")))
    pkg = "jakarta.validation" if jakarta else "javax.validation"
    return c.fail(
        f"{pkg}.ConstraintViolationException",
        f"{method}.{field}: {default}",
        [caller],
        throw,
        fault=StackFrame(service.fqcn, method, service.file, None, app=True),
        fault_in_trace=False,
        cause=c.t(
            f"{caller.method} called {service.simple}.{method} with {field}=[{value}], violating @{code}",
            f"{caller.method}가 {service.simple}.{method}를 {field}=[{value}]로 호출해 @{code} 제약 위반",
        ),
        fix=c.t(
            f"Validate the input before calling {method} (or map the violation to a business error)",
            f"{method} 호출 전에 입력을 검증하거나 위반을 업무 오류로 변환",
        ),
    )


@template("ValidationException", "val.persist_time", codebases=("bank",))
def persist_time(c: Ctx) -> Incident:
    entity = c.app("domain")
    field = c.pick(("valueDate", "amount", "currency", "branchCode"))
    pkg = "jakarta.validation" if c.jdk.at_least(17) and c.chance(0.6) else "javax.validation"
    message = (
        f"Validation failed for classes [{entity.fqcn}] during persist time for groups [{pkg}.groups.Default, "
        "]\nList of constraint violations:[\n"
        f"\tConstraintViolationImpl{{interpolatedMessage='must not be null', propertyPath={field}, "
        f"rootBeanClass=class {entity.fqcn}, "
        f"messageTemplate='{{{pkg}.constraints.NotNull.message}}'}}\n]"
    )
    throw = [
        c.lib("org.hibernate.cfg.beanvalidation.BeanValidationEventListener.validate", 140),
        c.lib("org.hibernate.cfg.beanvalidation.BeanValidationEventListener.onPreInsert", 80),
        c.lib("org.hibernate.action.internal.EntityIdentityInsertAction.preInsert", 186),
        c.lib("org.hibernate.action.internal.EntityIdentityInsertAction.execute", 75),
        c.lib("org.hibernate.engine.spi.ActionQueue.execute", 645),
        c.lib("org.hibernate.engine.spi.ActionQueue.addResolvedEntityInsertAction", 282),
        c.lib("org.hibernate.event.internal.AbstractSaveEventListener.performSaveOrReplicate", 362),
        c.lib("org.hibernate.internal.SessionImpl.firePersist", 764),
        c.lib("org.hibernate.internal.SessionImpl.persist", 742),
        c.lib("org.springframework.data.jpa.repository.support.SimpleJpaRepository.save", 597),
    ]
    site = c.frame(c.pick(("service", "batch")))
    return c.fail(
        f"{pkg}.ConstraintViolationException",
        message,
        [site],
        throw,
        cause=c.t(
            f"{site.method} saves a {entity.simple} whose {field} is null (@NotNull on the entity)",
            f"{site.method}가 {field}가 null인 {entity.simple}를 저장 (@NotNull)",
        ),
        fix=c.t(
            f"Set {field} before saving (or validate the command earlier)",
            f"저장 전에 {field} 값을 설정 (또는 더 앞단에서 검증)",
        ),
    )


@template("ValidationException", "val.bind_exception", contexts=("web",), codebases=("bank",))
def bind_exception(c: Ctx) -> Incident:
    controller = c.frame("controller")
    form = c.pick(("searchForm", "inquiryCondition", "statementRequest"))
    field = c.pick(("fromDate", "toDate", "page", "size"))
    value = c.pick(("2024-13-01", "20240230", "-1", "abc"))
    message = (
        f"org.springframework.validation.BeanPropertyBindingResult: 1 errors\n"
        f"{field_error(c, form, field, value, 'typeMismatch', 'Failed to convert property value')}"
    )
    entry = c.entry()
    throw = [
        c.lib(
            "org.springframework.web.method.annotation.ModelAttributeMethodProcessor.resolveArgument",
            c.pick((170, 175)),
        ),
        c.lib("org.springframework.web.method.support.HandlerMethodArgumentResolverComposite.resolveArgument", 122),
        c.lib("org.springframework.web.method.support.InvocableHandlerMethod.getMethodArgumentValues", 179),
        c.lib("org.springframework.web.method.support.InvocableHandlerMethod.invokeForRequest", 146),
    ]
    stack = [*throw, *entry.bottom[len(c.jdk.reflect_invoke()) + 2 :]]
    return c.incident(
        [Thrown("org.springframework.validation.BindException", message, stack)],
        auto_wrap=False,
        fault=controller,
        fault_in_trace=False,
        cause=c.t(
            f"Query parameter {field}={value} cannot be bound to {form}",
            f"쿼리 파라미터 {field}={value}를 {form}에 바인딩할 수 없음",
        ),
        fix=c.t(
            "Return 400 with the binding errors and document the expected formats",
            "바인딩 오류와 함께 400을 반환하고 기대 형식을 명시",
        ),
    )


@template("ValidationException", "val.missing_parameter", contexts=("web",), codebases=("bank",))
def missing_parameter(c: Ctx) -> Incident:
    controller = c.frame("controller")
    param = c.pick(("accountNo", "fromDate", "branchCode", "page", "customerId"))
    message = c.pick(
        (
            f"Required request parameter '{param}' for method parameter type String is not present",
            f"Required String parameter '{param}' is not present",
        )
    )
    entry = c.entry()
    throw = [
        c.lib(
            "org.springframework.web.method.annotation.RequestParamMethodArgumentResolver.handleMissingValueInternal",
            c.pick((218, 206)),
        ),
        c.lib("org.springframework.web.method.annotation.RequestParamMethodArgumentResolver.handleMissingValue", 193),
        c.lib(
            "org.springframework.web.method.annotation.AbstractNamedValueMethodArgumentResolver.resolveArgument", 114
        ),
        c.lib("org.springframework.web.method.support.HandlerMethodArgumentResolverComposite.resolveArgument", 122),
        c.lib("org.springframework.web.method.support.InvocableHandlerMethod.getMethodArgumentValues", 179),
        c.lib("org.springframework.web.method.support.InvocableHandlerMethod.invokeForRequest", 146),
    ]
    stack = [*throw, *entry.bottom[len(c.jdk.reflect_invoke()) + 2 :]]
    return c.incident(
        [Thrown("org.springframework.web.bind.MissingServletRequestParameterException", message, stack)],
        auto_wrap=False,
        fault=controller,
        fault_in_trace=False,
        cause=c.t(
            f"The client called {controller.method} without the required parameter {param}",
            f"클라이언트가 필수 파라미터 {param} 없이 {controller.method}를 호출",
        ),
        fix=c.t(
            f"Send {param} from the client, or make it optional with a default (required = false)",
            f"클라이언트에서 {param}를 보내거나 기본값과 함께 선택 파라미터로 변경",
        ),
    )


@template("ValidationException", "val.domain_validation")
def domain_validation(c: Ctx) -> Incident:
    validator = c.app("support", f"{c.code.stem}Validator") if c.bank else c.app("support")
    site = validator.at(c.pick(("validate", "check", "verify")), c.code.line())
    caller = c.frame(c.pick(("service", "controller", "batch")))
    root = c.code.root
    exception = c.pick(
        (
            f"{root}.common.exception.ValidationException",
            f"{root}.validation.ValidationException",
            "jakarta.validation.ValidationException" if c.jdk.at_least(17) else "javax.validation.ValidationException",
        )
    )
    account = c.account_no()
    message = c.pick(
        (
            c.t(f"Invalid account number format: {account[:-2]}", f"계좌번호 형식이 올바르지 않습니다: {account[:-2]}"),
            c.t("Transfer amount exceeds the per-transaction limit", "1회 이체 한도를 초과했습니다"),
            c.t("Beneficiary name must not be empty", "수취인명은 필수입니다"),
            f"{c.code.noun()} is invalid",
        )
    )
    return c.fail(
        exception,
        message,
        [site, caller],
        fault=1,
        cause=c.t(
            f"{caller.method} passed input that {validator.simple} rejects: {message}",
            f"{caller.method}가 넘긴 입력을 {validator.simple}가 거부: {message}",
        ),
        fix=c.t(
            "Report the validation error to the caller (400 / business code) and correct the input at its source",
            "검증 오류를 호출자에게(400/업무 코드) 알리고 입력 원천에서 값을 수정",
        ),
    )


@template("ValidationException", "val.constraint_manual")
def constraint_manual(c: Ctx) -> Incident:
    pkg = "jakarta.validation" if c.jdk.at_least(17) and c.chance(0.6) else "javax.validation"
    field = c.pick(("amount", "name", "email", "size", "port"))
    code, default, value = c.pick(CONSTRAINTS)
    site = c.frame(c.pick(("support", "service", "config")))
    return c.fail(
        f"{pkg}.ConstraintViolationException",
        f"{field}: {default}",
        [site],
        cause=c.t(
            f"{site.method} validated an object with Validator.validate() and {field}=[{value}] breaks @{code}",
            f"{site.method}에서 Validator.validate() 결과 {field}=[{value}]가 @{code}를 위반",
        ),
        fix=c.t(
            f"Fix how {field} is produced, or surface the violation to the user instead of failing",
            f"{field} 생성 로직을 수정하거나 위반 내용을 사용자에게 안내",
        ),
    )
