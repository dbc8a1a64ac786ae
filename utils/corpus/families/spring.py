"""Spring application wiring and input validation: BeanCreationException (context start-up: missing, ambiguous or
uninstantiable beans) and ValidationException (bean validation, request binding, domain validation)."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.families import stacks
from utils.corpus.model import Incident, StackFrame, Thrown, template
from utils.corpus.tables import tables

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


@template("BeanCreationException", "bce.no_such_bean", contexts=MAIN, codebases=("bank",))
def no_such_bean(c: Ctx) -> Incident:
    missing = c.app(c.pick(("support", "client", "repository")))
    fault, name = dependent_bean(c)
    deep = c.chain("spring.resolve_dependency")
    message = (
        c.message(".message", missing=missing)
    )
    wrapper = (
        f"{BEANS}.UnsatisfiedDependencyException",
        c.message(".wrapper", name=name, fault_cls=fault.cls.replace('.', '/')),
    )
    return startup(
        c,
        deep,
        f"{BEANS}.NoSuchBeanDefinitionException",
        message,
        [wrapper],
        fault,
        c.text(".result", fault_cls_simple=fault.cls.rsplit('.', 1)[-1], missing=missing),
        c.text(".result_2", missing=missing),
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
        *c.chain("spring.resolve_dependency")[1:],
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
        c.text(".result", kind_simple=kind.rsplit('.', 1)[-1], first=first, second=second),
        c.text(".result_2", first=first),
    )


@template("BeanCreationException", "bce.no_bean_named", contexts=MAIN, codebases=("bank",))
def no_bean_named(c: Ctx) -> Incident:
    missing = c.pick(c.values(".missing"))
    fault, name = dependent_bean(c)
    deep = c.chain(".deep")
    return startup(
        c,
        deep,
        f"{BEANS}.NoSuchBeanDefinitionException",
        f"No bean named '{missing}' available",
        [(f"{BEANS}.BeanCreationException", f"Error creating bean with name '{name}'")],
        fault,
        c.text(".result", missing=missing),
        c.text(".result_2", missing=missing),
    )


@template("BeanCreationException", "bce.instantiation", contexts=MAIN)
def instantiation(c: Ctx) -> Incident:
    target = c.app(c.pick(("support", "client", "config")))
    reason = c.pick(("Specified class is an interface", "Is it an abstract class?", "Is the constructor accessible?"))
    deep = [
        c.lib(
            "org.springframework.beans.BeanUtils.instantiateClass", 204 if reason != "Is it an abstract class?" else 207
        ),
        *c.chain(".deep"),
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
                c.message(".result_3", bean_name=bean_name(target.simple), target_fqcn=target.fqcn.replace('.', '/')),
            )
        ],
        fault,
        c.text(".result", target=target, reason=reason),
        c.text(".result_2", target=target),
    )


@template("BeanCreationException", "bce.factory_method_message", contexts=MAIN, codebases=("bank",))
def factory_method_message(c: Ctx) -> Incident:
    config = c.app("config")
    method = c.pick(("dataSource", "restTemplate", "kafkaTemplate", "hsmClient", "cipherService"))
    deep = c.chain(".deep")
    fault = StackFrame(config.fqcn, method, config.file, None, app=True)
    message = (
        c.message(".message", method=method, config_fqcn=config.fqcn.replace('.', '/'))
    )
    stack = [*deep, *stacks.bean_creation(c, 2), *stacks.context_refresh(c)]
    return c.incident(
        [Thrown(f"{BEANS}.BeanCreationException", message, stack)],
        auto_wrap=False,
        fault=fault,
        fault_in_trace=False,
        cause=c.text(".cause", config=config, method=method),
        fix=c.text(".fix", method=method),
    )


@template("BeanCreationException", "bce.missing_web_server_factory", contexts=MAIN)
def missing_web_server_factory(c: Ctx) -> Incident:
    boot = "org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext"
    throw = c.chain(".throw")
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
        cause=c.text(".cause"),
        fix=c.text(".fix"),
    )


@template("BeanCreationException", "bce.test_context", contexts=("test",), codebases=("bank",))
def test_context(c: Ctx) -> Incident:
    c.runner = c.pick(("junit4", "junit5"))
    missing = c.app(c.pick(("client", "support", "repository")))
    test = c.entry()
    fault, name = dependent_bean(c)
    deep = c.chain("spring.resolve_dependency")
    loader = c.chain(".loader")
    boot = c.chain(".boot")
    stack = [*deep, *stacks.bean_creation(c, 1), *boot, *loader, *test.bottom[-12:]]
    root = Thrown(f"{BEANS}.NoSuchBeanDefinitionException", c.message(".root", missing=missing), stack)
    wraps = [
        Wrap(
            f"{BEANS}.UnsatisfiedDependencyException",
            lambda e: (
                c.message(".wraps", name=name, e_to_string=e.to_string())
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
        cause=c.text(".cause", missing=missing),
        fix=c.text(".fix", missing=missing),
    )


# --------------------------------------------------------------------------------------------- ValidationException


def field_error(c: Ctx, obj: str, field: str, value: str, code: str, default: str) -> str:
    return (
        c.message("spring.field_error.result", obj=obj, field=field, value=value, code=code, default=default)
    )


CONSTRAINTS = tables().values["val.constraints"]  # (annotation, default message, bad value)


@template("ValidationException", "val.method_argument_not_valid", contexts=("web",), codebases=("bank",))
def method_argument_not_valid(c: Ctx) -> Incident:
    controller = c.frame("controller")
    dto = c.app("domain", f"{c.type_name()}Request")
    obj = bean_name(dto.simple)
    code, default, value = c.pick(CONSTRAINTS)
    field = c.pick(("amount", "accountNo", "beneficiaryName", "memo", "email", "cardNo"))
    message = (
        c.message(
            ".message",
            controller=controller,
            dto=dto,
            field_error=field_error(c, obj, field, value, code, default),
        )
    )
    entry = c.entry()
    throw = [
        c.lib(
            "org.springframework.web.servlet.mvc.method.annotation.RequestResponseBodyMethodProcessor.resolveArgument",
            c.pick((141, 144)),
        ),
        *c.chain(".throw"),
    ]
    stack = [*throw, *entry.bottom[len(c.jdk.reflect_invoke()) + 2 :]]
    exception = "org.springframework.web.bind.MethodArgumentNotValidException"
    return c.incident(
        [Thrown(exception, message, stack)],
        auto_wrap=False,
        fault=controller,
        fault_in_trace=False,
        cause=c.text(".cause", controller=controller, field=field, value=value, code=code, default=default),
        fix=c.text(".fix"),
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
        *c.chain(".throw"),
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
        cause=c.text(".cause", caller=caller, service=service, method=method, field=field, value=value, code=code),
        fix=c.text(".fix", method=method),
    )


@template("ValidationException", "val.persist_time", codebases=("bank",))
def persist_time(c: Ctx) -> Incident:
    entity = c.app("domain")
    field = c.pick(("valueDate", "amount", "currency", "branchCode"))
    pkg = "jakarta.validation" if c.jdk.at_least(17) and c.chance(0.6) else "javax.validation"
    message = (
        c.message(".message", entity=entity, pkg=pkg, field=field)
    )
    throw = c.chain(".throw")
    site = c.frame(c.pick(("service", "batch")))
    return c.fail(
        f"{pkg}.ConstraintViolationException",
        message,
        [site],
        throw,
        cause=c.text(".cause", site=site, entity=entity, field=field),
        fix=c.text(".fix", field=field),
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
        *c.chain("val.method_argument_not_valid.throw"),
    ]
    stack = [*throw, *entry.bottom[len(c.jdk.reflect_invoke()) + 2 :]]
    return c.incident(
        [Thrown("org.springframework.validation.BindException", message, stack)],
        auto_wrap=False,
        fault=controller,
        fault_in_trace=False,
        cause=c.text(".cause", field=field, value=value, form=form),
        fix=c.text(".fix"),
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
        *c.chain(".throw"),
    ]
    stack = [*throw, *entry.bottom[len(c.jdk.reflect_invoke()) + 2 :]]
    return c.incident(
        [Thrown("org.springframework.web.bind.MissingServletRequestParameterException", message, stack)],
        auto_wrap=False,
        fault=controller,
        fault_in_trace=False,
        cause=c.text(".cause", controller=controller, param=param),
        fix=c.text(".fix", param=param),
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
            c.text(".message", account_head=account[:-2]),
            c.text(".message_2"),
            c.text(".message_3"),
            f"{c.code.noun()} is invalid",
        )
    )
    return c.fail(
        exception,
        message,
        [site, caller],
        fault=1,
        cause=c.text(".cause", caller=caller, validator=validator, message=message),
        fix=c.text(".fix"),
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
        cause=c.text(".cause", site=site, field=field, value=value, code=code),
        fix=c.text(".fix", field=field),
    )
