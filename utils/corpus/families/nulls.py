"""NullPointerException: dereferenced nulls in application code and the JDK methods that reject null.

JDK 14+ prints helpful messages (`Cannot invoke "String.length()" because "<local1>" is null`); JDK 7-11 print no
message. Explicit `throw new NullPointerException()` / `Objects.requireNonNull(x)` never get a helpful message.
The regular templates are declared in utils/corpus/templates/nulls.yaml; this one puts JDK stream frames between
two application frames, which a declared template's `top` cannot.
"""

from __future__ import annotations

from utils.corpus.builder import Ctx
from utils.corpus.model import Incident, template


# A JDK 8 API; min_jdk 7 keeps the JDK 7 rows corpus.yaml has always drawn (JDK 6 has none).
@template("NullPointerException", "npe.stream_lambda", min_jdk=7)
def stream_lambda(c: Ctx) -> Incident:
    owner = c.app(c.pick(("service", "support")))
    method = c.verb()
    getter = c.getter()
    lam = owner.at(f"lambda${method}${c.randint(0, 4)}", c.code.line())
    caller = owner.at(method, lam.line - c.randint(1, 6) if lam.line and lam.line > 30 else 40)
    value_type = c.app("domain")
    variable = c.pick(c.values(".variable"))
    message = c.message(".message", value_type=value_type, getter=getter, variable=variable)
    return c.fail(
        "java.lang.NullPointerException",
        message if c.jdk.at_least(14) else None,
        [lam, *c.jdk.segment("stream_collect"), caller],
        cause=c.text(".cause", method=method, value_type=value_type, getter=getter),
        fix=c.text(".fix"),
    )
