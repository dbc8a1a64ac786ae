"""JSON: JsonParseException (malformed JSON text: Jackson, Gson, org.json) and JsonMappingException (valid JSON that
does not fit the Java type: unknown fields, bad formats, wrong shapes, missing creators, unknown subtypes).

The regular templates are declared in utils/corpus/templates/json.yaml (through the Jackson helpers here); these
build the request bodies Spring MVC cannot read, whose stack ends below the controller that never ran, and Gson's
wrapped error (a declared `wrap` draw cannot name its catch site yet: `at` is also a draw)."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.codebase import AppClass
from utils.corpus.declared import helper
from utils.corpus.families import stacks
from utils.corpus.model import Incident, StackFrame, Thrown, template

CORE = "com.fasterxml.jackson.core"
DATABIND = "com.fasterxml.jackson.databind"
NOT_READABLE = "org.springframework.http.converter.HttpMessageNotReadableException"

helper("jackson_read")(stacks.jackson_read)


@helper("json_body")
def json_body(c: Ctx) -> str:
    """A body that is not valid JSON; a bank's names its accounts and amounts (all drawn before the pick)."""
    if c.bank:
        slots = {"account": c.account_no(), "amount": c.amount(), "account_2": c.account_no(), "tx_id": c.tx_id()}
        return c.pick(c.values("json.body.bank")).format(**slots)
    return c.pick(c.values("json.body.oss"))


@helper("source_text")
def source_text(c: Ctx, body: str) -> str:
    """Jackson's `[Source: ...]` location of a parse error in `body`."""
    return c.message("json.source", kind=c.pick(c.values("json.source.kind")), body=body, column=c.randint(2, 60))


@helper("parse_frames")
def parse_frames(c: Ctx, reader: str) -> list[StackFrame]:
    """Jackson's parser reporting an error through `reader` (deepest first)."""
    base = c.pick(c.values("json.parser"))
    return [
        c.lib(f"{CORE}.JsonParser._constructError", c.pick((1851, 2337, 2391))),
        c.lib(f"{CORE}.base.ParserMinimalBase._reportError", c.pick((707, 720, 735))),
        c.lib(f"{CORE}.base.ParserMinimalBase.{reader}", c.pick((580, 617, 659))),
        c.lib(f"{CORE}.{base}.{c.pick(c.values('json.parser.method'))}", c.pick((1867, 1937, 2469, 708))),
    ]


@helper("json_deserialize")
def deserialize(c: Ctx) -> list[StackFrame]:
    """A bean deserializer under ObjectMapper.readValue (deepest first), below the frames that failed."""
    return [
        c.lib(f"{DATABIND}.deser.BeanDeserializer.vanillaDeserialize", c.pick((320, 324))),
        c.lib(f"{DATABIND}.deser.BeanDeserializer.deserialize", c.pick((177, 176))),
        *stacks.jackson_read(c),
    ]


@helper("json_dto")
def dto(c: Ctx) -> AppClass:
    """A request/response class of the code base's domain."""
    return c.app("domain", f"{c.type_name()}{c.pick(c.values('json.dto_suffix'))}")


# ------------------------------------------------------------------------- request bodies Spring MVC cannot read


def below_controller(c: Ctx) -> list[StackFrame]:
    """Spring MVC reading a @RequestBody and the request's frames below the controller's reflective call (deepest
    first); builds the row's entry."""
    return [*stacks.message_converter(c), *c.entry().bottom[len(c.jdk.segment("reflect_invoke")) + 2 :]]


def unread_body(c: Ctx, controller: StackFrame, root: Thrown, parse_error: str | None = None, **slots: str) -> Incident:
    """The controller method is the fault, outside the trace: it never ran. `parse_error`: Jackson's message, which
    Spring's wrapper repeats."""
    wraps = []
    if parse_error is not None:
        wraps.append(
            Wrap(
                NOT_READABLE,
                lambda inner: c.message("json.parse_error", error=parse_error, inner_string=inner.to_string()),
                at="org.springframework.http.converter.json.AbstractJackson2HttpMessageConverter.readJavaType",
                line_delta=5,
            )
        )
    return c.incident(
        [root],
        wraps=wraps,
        auto_wrap=False,
        fault=controller,
        fault_in_trace=False,
        cause=c.text(".cause", controller=controller, **slots),
        fix=c.text(".fix"),
    )


@template("JsonParseException", "jpe.request_body", contexts=("web",), codebases=("bank",))
def request_body(c: Ctx) -> Incident:
    controller = c.frame("controller")
    body = json_body(c)
    error = c.message("json.field_name_expected", char=c.pick(c.values(".char")))
    bottom = below_controller(c)
    stack = [*parse_frames(c, "_reportUnexpectedChar"), *stacks.jackson_read(c)[:2], *c.chain(".stack"), *bottom]
    root = Thrown(f"{CORE}.JsonParseException", c.message(".message", error=error, source=source_text(c, body)), stack)
    return unread_body(c, controller, root, error)


@template("JsonMappingException", "jme.body_missing", contexts=("web",), codebases=("bank",))
def body_missing(c: Ctx) -> Incident:
    controller = c.frame("controller")
    message = c.message(".message", target=dto(c), controller=controller)
    stack = [*c.chain(".throw"), *below_controller(c)[4:]]  # thrown once the converters read no body
    return unread_body(c, controller, Thrown(NOT_READABLE, message, stack))


@template("JsonMappingException", "jme.request_mapping_wrapped", contexts=("web",), codebases=("bank",))
def request_mapping_wrapped(c: Ctx) -> Incident:
    controller = c.frame("controller")
    target = dto(c)
    field = c.pick(c.values(".field"))
    error = c.message(".error", value=c.pick(c.values(".value")))
    bottom = below_controller(c)
    stack = [*c.chain(".stack"), *stacks.jackson_read(c)[:2], *c.chain("jpe.request_body.stack"), *bottom]
    message = c.message(".message", error=error, column=c.randint(10, 90), target=target, field=field)
    root = Thrown(f"{DATABIND}.exc.InvalidFormatException", message, stack)
    return unread_body(c, controller, root, error, field=field)
