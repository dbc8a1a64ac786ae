"""IllegalArgumentException, IllegalStateException, UnsupportedOperationException and plain RuntimeException:
the JDK/library methods that reject arguments or states, and application code that throws them itself.

The regular templates are declared in utils/corpus/templates/arguments.yaml; these two are not: they fail while
Spring starts (a stack of library frames only, the bean's constructor never entered)."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.declared import helper
from utils.corpus.families import stacks
from utils.corpus.families.spring import bean_name
from utils.corpus.model import Incident, Thrown, template


@helper("halves")
def halves(c: Ctx, low: int, high: int) -> float:
    """A number drawn in steps of 0.5 (`low` / 2 to `high` / 2), as a probability out of range prints."""
    return c.randint(low, high) / 2


@template("IllegalArgumentException", "iae.placeholder", contexts=("main",), codebases=("bank",))
def placeholder(c: Ctx) -> Incident:
    key = c.pick(c.values(".key"))
    bean = c.app("config") if c.chance(0.5) else c.app("client")
    throw = [*c.chain(".throw"), *stacks.bean_creation(c, c.pick((1, 2))), *stacks.context_refresh(c)]
    message = c.message(".message", key=key)
    wrapper = Wrap(
        "org.springframework.beans.factory.BeanCreationException",
        c.message(".wrapper", name=bean_name(bean.simple), message=message),
        at="org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory.populateBean",
        top=c.chain(".top"),
    )
    return c.incident(
        [Thrown("java.lang.IllegalArgumentException", message, throw)],
        wraps=[wrapper],
        auto_wrap=False,
        fault=bean.at("<init>", c.randint(15, 60)),
        fault_in_trace=False,
        cause=c.text(".cause", key=key, bean=bean),
        fix=c.text(".fix", key=key),
    )


@template("IllegalStateException", "ise.circular_reference", contexts=("main",), codebases=("bank",))
def circular_reference(c: Ctx) -> Incident:
    first = c.app("service")
    second = c.app("support")
    name_a, name_b = bean_name(first.simple), bean_name(second.simple)
    deep = [*c.chain(".deep"), *stacks.bean_creation(c, 3), *stacks.context_refresh(c)]
    root = Thrown(
        "org.springframework.beans.factory.BeanCurrentlyInCreationException", c.message(".root", name_a=name_a), deep
    )

    def unsatisfied(name: str) -> Wrap:
        return Wrap(
            "org.springframework.beans.factory.UnsatisfiedDependencyException",
            lambda inner: c.message(".unsatisfied", name=name, inner_to_string=inner.to_string()),
            at="org.springframework.beans.factory.support.ConstructorResolver.createArgumentArray",
        )

    return c.incident(
        [root],
        wraps=[unsatisfied(name_b), unsatisfied(name_a)],  # the second bean fails on the first, then the first on it
        auto_wrap=False,
        fault=first.at("<init>", c.randint(20, 60)),
        fault_in_trace=False,
        cause=c.text(".cause", first=first, second=second),
        fix=c.text(".fix"),
    )
