"""`Other`: real exceptions outside the label set, so that the model learns the class instead of forcing one of the
45: framework and template errors, MyBatis binding, XML/JAXB, JNDI, serialization, reflection, Mockito verification,
Kafka deserialization, Spring Batch parsing, transaction roll-back, plain `java.lang.Exception` and project-specific
runtime exceptions of open-source libraries.

The regular templates are declared in utils/corpus/templates/other.yaml (through the helpers here); these build
request-mapping stacks and JAXB chains by hand."""

from __future__ import annotations

from utils.corpus.builder import Ctx
from utils.corpus.codebase import AppClass
from utils.corpus.declared import helper
from utils.corpus.families.stacks import detached
from utils.corpus.model import Incident, StackFrame, Thrown, template
from utils.corpus.tables import tables


@helper("code_line")
def code_line(c: Ctx, low: int, high: int) -> int:
    return c.code.line(low, high)


@helper("digits")
def digits(c: Ctx, text: str) -> str:
    """`text` without its dashes: a date or account number as a fixed-width record writes it (no draw)."""
    return text.replace("-", "")


@helper("capitalized")
def capitalized(c: Ctx, word: str) -> str:
    return word.capitalize()


@helper("calls")
def calls(c: Ctx, owner: AppClass, count: int, methods: str | None = None) -> list[StackFrame]:
    """`count` frames of `owner` (deepest first), each a method of the pick list `methods` or else a verb."""
    return [owner.at(c.pick(c.values(methods)) if methods else c.verb(), c.code.line()) for _ in range(count)]


@template("Other", "other.http_method_media", codebases=("bank",), contexts=("web",))
def http_method_media(c: Ctx) -> Incident:
    entry = c.entry()
    kind = c.pick(("method", "media", "handler"))
    detail = f"{c.code.module}/{c.verb()}" if kind == "handler" else c.pick(c.values(f".{kind}"))
    throw = [*c.chain(f".{kind}"), *c.chain(".throw")]
    dispatch = next(i for i, frame in enumerate(entry.bottom) if frame.method == "doService")
    exception = tables().maps["other.http_method_media.exceptions"][kind]
    root = Thrown(exception, c.message(f".{kind}", detail=detail), [*throw, *entry.bottom[dispatch:]])
    return detached(c, [root], entry.app_frames[0])


@template("Other", "other.xml_parse")
def xml_parse(c: Ctx) -> Incident:
    message = c.pick(c.values(".message"))
    line = c.randint(1, 60)
    site = c.frame(c.pick(("gateway", "support", "util", "client")))
    stack = c.call_stack([site], c.chain(".stack"))
    root = Thrown(
        "org.xml.sax.SAXParseException", c.message(".sax", line=line, column=c.randint(1, 80), text=message), stack
    )
    chain = [root]
    if c.chance(0.4):  # JAXB wraps the parser's error as its "linked exception", from the unmarshaller down
        linked = c.message(".linked", root=root.to_string().replace(": ", "; ", 1))
        chain.insert(0, Thrown("javax.xml.bind.UnmarshalException", linked, stack[8:] if len(stack) > 8 else stack))
    return c.incident(
        chain, top=[site], fault=site, cause=c.text(".cause", site=site, message=message), fix=c.text(".fix")
    )
