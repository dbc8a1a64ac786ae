"""NullPointerException: dereferenced nulls in application code and the JDK methods that reject null.

JDK 14+ prints helpful messages (`Cannot invoke "String.length()" because "<local1>" is null`); JDK 7-11 print no
message. Explicit `throw new NullPointerException()` / `Objects.requireNonNull(x)` never get a helpful message.
The regular templates are declared in utils/corpus/templates/nulls.yaml; these three build frames by hand.
"""

from __future__ import annotations

from utils.corpus.builder import Ctx
from utils.corpus.model import Incident, template

NPE = "java.lang.NullPointerException"


def helpful(c: Ctx, text: str) -> str | None:
    """The helpful NPE message on JDK 14+ (on by default from 15), none before."""
    return text if c.jdk.at_least(14) else None


def require_non_null(c: Ctx, with_message: bool) -> list:
    if with_message:
        return [c.j("java.util.Objects.requireNonNull", (228, 246, 233, 259))]
    return [c.j("java.util.Objects.requireNonNull", (203, 221, 208, 233))]


@template("NullPointerException", "npe.require_non_null", min_jdk=7)
def require_non_null_ctor(c: Ctx) -> Incident:
    noun = c.code.noun()
    with_message = c.chance(0.6)
    owner = c.app("domain")
    constructor = owner.at("<init>", c.code.line(20, 120))
    caller = c.frame(c.pick(("service", "support", "batch")))
    message = c.pick((f"{noun} must not be null", f"{noun} is required", f"{noun}")) if with_message else None
    return c.fail(
        NPE,
        message,
        [constructor, caller],
        require_non_null(c, with_message),
        fault=1,
        cause=c.text(".cause", caller=caller, noun=noun, owner=owner),
        fix=c.text(".fix", noun=noun, caller=caller, owner=owner),
    )


# A JDK 8 API; min_jdk 7 keeps the JDK 7 rows corpus.yaml has always drawn (JDK 6 has none).
@template("NullPointerException", "npe.stream_lambda", min_jdk=7)
def stream_lambda(c: Ctx) -> Incident:
    owner = c.app(c.pick(("service", "support")))
    method = c.verb()
    getter = c.getter()
    lam = owner.at(f"lambda${method}${c.randint(0, 4)}", c.code.line())
    caller = owner.at(method, lam.line - c.randint(1, 6) if lam.line and lam.line > 30 else 40)
    value_type = c.app("domain")
    message = helpful(
        c, f'Cannot invoke "{value_type.fqcn}.{getter}()" because "{c.pick(("e", "it", "x", "item"))}" is null'
    )
    return c.fail(
        NPE,
        message,
        [lam, *c.jdk.stream_collect(), caller],
        cause=c.text(".cause", method=method, value_type=value_type, getter=getter),
        fix=c.text(".fix"),
    )


# A JDK 8 API; min_jdk 7 keeps the JDK 7 rows corpus.yaml has always drawn (JDK 6 has none).
@template("NullPointerException", "npe.optional_of_null", min_jdk=7)
def optional_of_null(c: Ctx) -> Incident:
    if c.chance(0.5):
        throw = [*require_non_null(c, False), *c.chain(".throw")]
        throw = [f for f in throw if f.line != 0]
        api = "Optional.of"
    else:
        throw = [c.j("java.io.File.<init>", (277, 278, 278, 320))]
        api = "new File"
    site = c.frame(c.pick(("service", "support", "repository", "util")))
    return c.fail(NPE, None, [site], throw, cause=c.text(".cause", site=site, api=api), fix=c.text(".fix", api=api))
