"""Spring application wiring and input validation: BeanCreationException (context start-up: missing, ambiguous or
uninstantiable beans) and ValidationException (bean validation, request binding, domain validation)."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.codebase import AppClass
from utils.corpus.declared import helper
from utils.corpus.families import stacks
from utils.corpus.model import Incident, StackFrame, Thrown, template
from utils.corpus.tables import tables

MAIN = ("main",)
STARTUP = tables().maps["bce.startup"]  # a template -> its root exception and the wrapper around it
WRAPS = tables().maps["spring.wraps"]  # a wrapper -> its class, where it is thrown, its line's distance
UNRESOLVED = tables().maps["val.unresolved"]  # a template -> its exception and the resolver that throws it


def bean_name(cls_simple: str) -> str:
    return cls_simple[:1].lower() + cls_simple[1:]


def constructor(owner: AppClass) -> StackFrame:
    """The constructor of a bean class, the fault of a bean that cannot be created (it never ran: no line)."""
    return StackFrame(owner.fqcn, "<init>", owner.file, None, app=True)


def dependent_bean(c: Ctx) -> tuple[StackFrame, str]:
    """The constructor of a bean that needs the failing one, and that bean's name."""
    owner = c.app(c.pick(c.values("spring.dependent_roles")))
    return constructor(owner), bean_name(owner.simple)


def wrapper(c: Ctx, kind: str, message: str, /, **slots: object) -> Wrap:
    """The wrapper `kind` (spring.yaml: spring.wraps); its message (a `messages:` key) names the caught exception."""
    cls, at, line_delta = WRAPS[kind]
    return Wrap(
        cls, lambda inner: c.message(message, inner_string=inner.to_string(), **slots), at=at, line_delta=line_delta
    )


def startup(c: Ctx, deep: str, fault: StackFrame, depth: int = 1, /, **slots: object) -> Incident:
    """A failure while the Spring context starts: the chain `deep` above `depth` nested getBean calls, wrapped by the
    bean factory (bce.startup). Messages `.message`, `.wrapper`; texts `.cause`, `.fix` (with `fault`)."""
    root, wrap = STARTUP[c.template]
    stack = [*c.chain(deep), *stacks.bean_creation(c, depth), *stacks.context_refresh(c)]
    return c.incident(
        [Thrown(root, c.message(".message", **slots), stack)],
        wraps=[wrapper(c, wrap, ".wrapper", **slots)] if wrap else [],
        auto_wrap=False,
        fault=fault,
        fault_in_trace=False,
        cause=c.text(".cause", fault=fault, **slots),
        fix=c.text(".fix", **slots),
    )


@template("BeanCreationException", "bce.no_such_bean", contexts=MAIN, codebases=("bank",))
def no_such_bean(c: Ctx) -> Incident:
    missing = c.app(c.pick(c.values(".roles")))
    fault, name = dependent_bean(c)
    return startup(
        c, "spring.resolve_dependency", fault, missing=missing, name=name, fault_cls=fault.cls.replace(".", "/")
    )


@template("BeanCreationException", "bce.no_unique_bean", contexts=MAIN, codebases=("bank",))
def no_unique_bean(c: Ctx) -> Incident:
    support = c.app("support")
    kind, first, second = c.pick(c.values(".candidates"))
    kind = kind.format(support=support)
    fault, name = dependent_bean(c)
    slots = {"kind": kind, "kind_simple": kind.rsplit(".", 1)[-1], "first": first, "second": second, "name": name}
    return startup(c, ".deep", fault, **slots)


@template("BeanCreationException", "bce.no_bean_named", contexts=MAIN, codebases=("bank",))
def no_bean_named(c: Ctx) -> Incident:
    missing = c.pick(c.values(".missing"))
    fault, name = dependent_bean(c)
    return startup(c, ".deep", fault, missing=missing, name=name)


@template("BeanCreationException", "bce.instantiation", contexts=MAIN)
def instantiation(c: Ctx) -> Incident:
    target = c.app(c.pick(c.values(".roles")))
    reason, abstract = c.pick(c.values(".reasons"))
    slots = {"bean_name": bean_name(target.simple), "target_fqcn": target.fqcn.replace(".", "/")}
    return startup(c, ".abstract" if abstract else ".deep", constructor(target), target=target, reason=reason, **slots)


@template("BeanCreationException", "bce.factory_method_message", contexts=MAIN, codebases=("bank",))
def factory_method_message(c: Ctx) -> Incident:
    config = c.app("config")
    method = c.pick(c.values(".methods"))
    fault = StackFrame(config.fqcn, method, config.file, None, app=True)
    return startup(c, ".deep", fault, 2, config=config, method=method, config_fqcn=config.fqcn.replace(".", "/"))


@template("BeanCreationException", "bce.missing_web_server_factory", contexts=MAIN)
def missing_web_server_factory(c: Ctx) -> Incident:
    """Thrown in the context's onRefresh, below the first getBean: the fault is the application's main()."""
    root, wrap = STARTUP[c.template]
    main = stacks.context_refresh(c)
    app = main[-1]
    return c.incident(
        [Thrown(root, c.message(".message"), [*c.chain(".throw"), *main[3:]])],
        wraps=[wrapper(c, wrap, ".wrapper")],
        auto_wrap=False,
        fault=StackFrame(app.cls, app.method, app.file, app.line, app=True),
        cause=c.text(".cause"),
        fix=c.text(".fix"),
    )


@template("BeanCreationException", "bce.test_context", contexts=("test",), codebases=("bank",))
def test_context(c: Ctx) -> Incident:
    """A test's Spring context that fails to start: the test framework's loader wraps the start-up failure."""
    c.runner = c.pick(c.values(".runners"))
    missing = c.app(c.pick(c.values(".roles")))
    test = c.entry()
    fault, name = dependent_bean(c)
    root, wrap = STARTUP[c.template]
    stack = [*c.chain("spring.resolve_dependency"), *stacks.bean_creation(c, 1), *c.chain(".boot"), *test.bottom[-12:]]
    return c.incident(
        [Thrown(root, c.message("bce.no_such_bean.message", missing=missing), stack)],
        wraps=[wrapper(c, wrap, ".wrapper", name=name), wrapper(c, "context_load", ".load_failed")],
        auto_wrap=False,
        fault=fault,
        fault_in_trace=False,
        cause=c.text(".cause", missing=missing),
        fix=c.text(".fix", missing=missing),
    )


# --------------------------------------------------------------------------------------------- ValidationException


def field_error(c: Ctx, obj: str, field: str, value: str, code: str, default: str) -> str:
    return c.message("spring.field_error.result", obj=obj, field=field, value=value, code=code, default=default)


@helper("bean_constraint")
def bean_constraint(c: Ctx) -> tuple[str, str, str]:
    """A bean-validation constraint (its default message has braces, which a declared pick would fill)."""
    return c.pick(c.values("val.constraints"))


@helper("cglib_frame")
def cglib_frame(c: Ctx, owner: AppClass, method: str) -> list[StackFrame]:
    """The frame of a CGLIB subclass Spring generated around `owner` (its class name has a drawn hash)."""
    cls = f"{owner.fqcn}$$EnhancerBySpringCGLIB${c.randint(0x10000000, 0x7FFFFFFF):x}"
    return [StackFrame(cls, method, generated=True)]


@helper("account_prefix")
def account_prefix(c: Ctx) -> str:
    """An account number cut short, as a mistyped input has it."""
    return c.account_no()[:-2]


def unresolved(c: Ctx, controller: StackFrame, message: str, /, **slots: str) -> Incident:
    """A controller argument Spring MVC cannot resolve (val.unresolved): thrown while the request is dispatched, so
    the controller method (the fault) never runs and is not in the trace."""
    exception, resolver, lines, below = UNRESOLVED[c.template]
    entry = c.entry()
    throw = [c.lib(resolver, c.pick(lines)), *c.chain(below)]
    return c.incident(
        [Thrown(exception, message, [*throw, *entry.bottom[len(c.jdk.segment("reflect_invoke")) + 2 :]])],
        auto_wrap=False,
        fault=controller,
        fault_in_trace=False,
        cause=c.text(".cause", controller=controller, **slots),
        fix=c.text(".fix", **slots),
    )


@template("ValidationException", "val.method_argument_not_valid", contexts=("web",), codebases=("bank",))
def method_argument_not_valid(c: Ctx) -> Incident:
    controller = c.frame("controller")
    dto = c.app("domain", f"{c.type_name()}Request")
    code, default, value = c.pick(c.values("val.constraints"))
    field = c.pick(c.values(".fields"))
    error = field_error(c, bean_name(dto.simple), field, value, code, default)
    message = c.message(".message", controller=controller, dto=dto, field_error=error)
    return unresolved(c, controller, message, field=field, value=value, code=code, default=default)


@template("ValidationException", "val.bind_exception", contexts=("web",), codebases=("bank",))
def bind_exception(c: Ctx) -> Incident:
    controller = c.frame("controller")
    form, field, value = c.pick(c.values(".forms")), c.pick(c.values(".fields")), c.pick(c.values(".values"))
    error = field_error(c, form, field, value, c.message(".code"), c.message(".default"))
    return unresolved(c, controller, c.message(".message", field_error=error), field=field, value=value, form=form)


@template("ValidationException", "val.missing_parameter", contexts=("web",), codebases=("bank",))
def missing_parameter(c: Ctx) -> Incident:
    controller = c.frame("controller")
    param = c.pick(c.values(".params"))
    message = c.pick(c.values(".messages")).format(param=param)
    return unresolved(c, controller, message, param=param)
