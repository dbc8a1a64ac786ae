"""`Other`: real exceptions outside the label set, so that the model learns the class instead of forcing one of the
45: framework and template errors, MyBatis binding, XML/JAXB, JNDI, serialization, reflection, Mockito verification,
Kafka deserialization, Spring Batch parsing, transaction roll-back, plain `java.lang.Exception` and project-specific
runtime exceptions of open-source libraries.

The regular templates are declared in utils/corpus/templates/other.yaml (through the helpers here); these build
frames in loops, request-mapping stacks, JAXB and Kafka chains and Spring Batch wrappers by hand."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.declared import helper
from utils.corpus.model import Incident, StackFrame, Thrown, template
from utils.corpus.tables import tables


@helper("code_line")
def code_line(c: Ctx, low: int, high: int) -> int:
    return c.code.line(low, high)


def other(c: Ctx, exception: str, message: str | None, frames: list[StackFrame], roles: tuple[str, ...]) -> Incident:
    """`exception` thrown in the code base's own `frames`, called from a frame of one of `roles` (drawn last)."""
    site = c.frame(c.pick(roles))
    return c.fail(
        exception,
        message,
        [*frames, site],
        fault=len(frames),
        cause=c.text("site.what", site=site, what=c.text(".what")),
        fix=c.text(".fix"),
    )


@template("Other", "other.project_runtime_exception", codebases=("oss",))
def project_runtime_exception(c: Ctx) -> Incident:
    code = c.code
    exception = c.pick(c.values(".exceptions")).format(code=code, project=code.project.capitalize())
    message = c.pick(
        (
            c.message(".detached", code=code, noun=code.noun(), holder=c.pick(c.values(".holders"))),
            c.message(".unbound", code=code, verb=c.verb(), state=c.pick(c.values(".states"))),
            c.message(".unresolved", noun=code.noun(), name=c.pick(c.values(".names"))),
            c.message(".unexpected", code=code, noun=code.noun()),
            None,
        )
    )
    owner = code.other_cls()
    frames = [owner.at(c.verb(), code.line()) for _ in range(c.randint(0, 3))]
    return other(c, exception, message, frames, ("domain", "service", "support"))


@template("Other", "other.markup_exception", codebases=("oss",))
def markup_exception(c: Ctx) -> Incident:
    code = c.code
    tag = c.pick(c.values(".tags"))
    resource = f"{code.root.replace('.', '/')}/{code.module}/{code.stem}.html"
    message = c.pick(
        (
            c.message(".unclosed", tag=tag, line=c.randint(3, 90), column=c.randint(1, 40), resource=resource),
            c.message(".no_id", noun=code.noun(), resource=resource, code=code),
            c.message(".missing", resource=resource, code=code),
        )
    )
    owner = c.app("domain", c.pick(c.values(".owners")))
    frames = [owner.at(c.pick(c.values(".methods")), code.line()) for _ in range(c.randint(1, 4))]
    return other(c, f"{code.root}.markup.{c.pick(c.values('.exceptions'))}", message, frames, ("service", "domain"))


@template("Other", "other.http_method_media", codebases=("bank",), contexts=("web",))
def http_method_media(c: Ctx) -> Incident:
    entry = c.entry()
    kind = c.pick(("method", "media", "handler"))
    detail = f"{c.code.module}/{c.verb()}" if kind == "handler" else c.pick(c.values(f".{kind}"))
    throw = [*c.chain(f".{kind}"), *c.chain(".throw")]
    dispatch = next(i for i, frame in enumerate(entry.bottom) if frame.method == "doService")
    exception = tables().maps["other.http_method_media.exceptions"][kind]
    return c.incident(
        [Thrown(exception, c.message(f".{kind}", detail=detail), [*throw, *entry.bottom[dispatch:]])],
        auto_wrap=False,
        fault=entry.app_frames[0],
        fault_in_trace=False,
        cause=c.text(".cause"),
        fix=c.text(".fix"),
    )


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


@template("Other", "other.kafka_deserialization", codebases=("bank",), contexts=("kafka",))
def kafka_deserialization(c: Ctx) -> Incident:
    topic = c.pick(c.values(".topics"))
    partition, offset = c.randint(0, 11), c.randint(100, 9000000)
    throw = [
        *c.chain(".throw"),
        *c.jdk.segment("runnable_adapter"),
        *c.jdk.segment("future_task_run"),
        *c.jdk.segment("thread_run"),
    ]
    exception = c.pick(c.values(".exception"))
    message = c.message(".message", topic=topic, partition=partition, offset=offset)
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
    resource = c.message(".resource", date=c.date(""))
    record = f"{c.randint(10**9, 10**10 - 1)}{c.account_no().replace('-', '')}{c.amount():015d}"
    site = c.frame("batch")
    stack = c.call_stack([site], c.chain(".stack"))
    root = Thrown(
        "org.springframework.batch.item.file.transform.IncorrectLineLengthException",
        c.message(".root", length=c.randint(80, 200)),
        stack,
    )
    wrap = Wrap(
        "org.springframework.batch.item.file.FlatFileParseException",
        c.message(".wrap", line_no=line_no, resource=resource, record=record),
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
