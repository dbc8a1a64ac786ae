"""Spring application wiring and input validation: BeanCreationException (context start-up: missing, ambiguous or
uninstantiable beans) and ValidationException (bean validation, request binding, domain validation).

The templates are declared in utils/corpus/templates/spring.yaml, through the helpers here; those below the entry's
frames (a start-up's main(), a request's dispatch) serve other families' declared templates too."""

from __future__ import annotations

from utils.corpus.builder import Ctx
from utils.corpus.codebase import AppClass
from utils.corpus.declared import helper
from utils.corpus.families import stacks
from utils.corpus.model import StackFrame


def bean_name(cls_simple: str) -> str:
    return cls_simple[:1].lower() + cls_simple[1:]


@helper("class_path")
def class_path(c: Ctx, name: str) -> str:
    """A class's path in a jar or classes folder, as a bean definition's resource names it (no draw)."""
    return name.replace(".", "/")


@helper("boot_main")
def boot_main(c: Ctx) -> StackFrame:
    """The application's main() that started Spring Boot, below `spring_boot.start` (its line drawn)."""
    return stacks.context_refresh(c)[-1]


@helper("below_handler")
def below_handler(c: Ctx, skip: int = 2) -> list[StackFrame]:
    """The web entry's frames below the controller's reflective call and the `skip` Spring MVC frames invoking it
    (builds the row's entry): the stack of a request that fails before its controller runs."""
    return c.entry().bottom[len(c.jdk.segment("reflect_invoke")) + skip :]


@helper("entry_bottom")
def entry_bottom(c: Ctx, keep: int) -> list[StackFrame]:
    """The last `keep` frames of the row's entry (building it): what a test's context start-up runs on."""
    return c.entry().bottom[-keep:]


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
