"""JSON: JsonParseException (malformed JSON text: Jackson, Gson, org.json) and JsonMappingException (valid JSON that
does not fit the Java type: unknown fields, bad formats, wrong shapes, missing creators, unknown subtypes).

The templates are declared in utils/corpus/templates/json.yaml, through the Jackson helpers here."""

from __future__ import annotations

from utils.corpus.builder import Ctx
from utils.corpus.codebase import AppClass
from utils.corpus.declared import helper
from utils.corpus.families import stacks
from utils.corpus.model import StackFrame

CORE = "com.fasterxml.jackson.core"
DATABIND = "com.fasterxml.jackson.databind"

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
