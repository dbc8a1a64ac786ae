"""JSON: JsonParseException (malformed JSON text: Jackson, Gson, org.json) and JsonMappingException (valid JSON that
does not fit the Java type: unknown fields, bad formats, wrong shapes, missing creators, unknown subtypes)."""

from __future__ import annotations

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.families import stacks
from utils.corpus.model import Incident, StackFrame, Thrown, template

CORE = "com.fasterxml.jackson.core"
DB = "com.fasterxml.jackson.databind"


def source_text(c: Ctx, body: str) -> str:
    kind = c.pick(
        ("(String)", "(byte[])", "(org.springframework.util.StreamUtils$NonClosingInputStream)", "(StringReader)")
    )
    return f'[Source: {kind}"{body}"; line: 1, column: {c.randint(2, 60)}]'


def json_body(c: Ctx) -> str:
    if c.bank:
        return c.pick(
            (
                f'{{"fromAccount":"{c.account_no()}","amount":{c.amount()},}}',
                f'{{"accountNo":"{c.account_no()}","currency":"KRW"',
                "<html><body>502 Bad Gateway</body></html>",
                f'{{"txId":"{c.tx_id()}","memo":"이체\n"}}',
                "OK",
            )
        )
    return c.pick(
        ('{"name":"a",}', '{"id":1,"tags":[1,2,}', "<!DOCTYPE html><html>", "{'key': 'value'}", "NaN", '{"a":1')
    )


def parse_frames(c: Ctx, reader: str) -> list[StackFrame]:
    base = c.pick(("json.ReaderBasedJsonParser", "json.UTF8StreamJsonParser"))
    return [
        c.lib(f"{CORE}.JsonParser._constructError", c.pick((1851, 2337, 2391))),
        c.lib(f"{CORE}.base.ParserMinimalBase._reportError", c.pick((707, 720, 735))),
        c.lib(f"{CORE}.base.ParserMinimalBase.{reader}", c.pick((580, 617, 659))),
        c.lib(
            f"{CORE}.{base}.{c.pick(('_handleOddValue', '_handleOddName', '_skipComma', 'nextToken'))}",
            c.pick((1867, 1937, 2469, 708)),
        ),
    ]


def json_incident(
    c: Ctx, exception: str, message: str, throw: list[StackFrame], roles: tuple[str, ...], *texts: str
) -> Incident:
    """`texts`: what the frame did and the fix, each in English then Korean."""
    return c.fail_in_role(roles, exception, message, throw, texts, "site.what")


# ---------------------------------------------------------------------------------------------- JsonParseException


@template("JsonParseException", "jpe.unexpected_character")
def unexpected_character(c: Ctx) -> Incident:
    body = json_body(c)
    char = c.pick(("}", "<", "'", "]"))
    code = ord(char)
    message = c.pick(
        (
            f"Unexpected character ('{char}' (code {code})): was expecting double-quote to start field name",
            c.message(".message", char=char, code=code),
        )
    )
    throw = [*parse_frames(c, "_reportUnexpectedChar"), *stacks.jackson_read(c)]
    return json_incident(
        c,
        f"{CORE}.JsonParseException",
        f"{message}\n at {source_text(c, body)}",
        throw,
        ("client", "support", "listener", "util"),
        *c.pair(".what", char=char),
        *c.pair(".fix"),
    )


@template("JsonParseException", "jpe.unrecognized_token")
def unrecognized_token(c: Ctx) -> Incident:
    token = c.pick(("OK", "undefined", "NaN", "SUCCESS", "nul", "True"))
    message = (
        c.message(".message", token=token)
    )
    throw = [*parse_frames(c, "_reportInvalidToken"), *stacks.jackson_read(c, tree=c.chance(0.4))]
    return json_incident(
        c,
        f"{CORE}.JsonParseException",
        f"{message}\n at {source_text(c, token)}",
        throw,
        ("client", "support", "listener"),
        *c.pair(".what", token=token),
        *c.pair(".fix"),
    )


@template("JsonParseException", "jpe.unexpected_eof")
def unexpected_eof(c: Ctx) -> Incident:
    message = c.pick(c.values(".message"))
    throw = [
        c.lib(f"{CORE}.base.ParserMinimalBase._reportInvalidEOF", c.pick((682, 697))),
        c.lib(f"{CORE}.base.ParserBase._handleEOF", c.pick((501, 512))),
        *c.chain(".throw"),
        *stacks.jackson_read(c),
    ]
    return json_incident(
        c,
        f"{CORE}.io.JsonEOFException",
        f'{message}\n at [Source: (byte[])"{{..."; line: 1, column: {c.randint(20, 4000)}]',
        throw,
        ("client", "listener", "support"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("JsonParseException", "jpe.control_char")
def control_char(c: Ctx) -> Incident:
    message = c.pick(c.values(".message"))
    throw = [*parse_frames(c, "_throwUnquotedSpace"), *stacks.jackson_read(c)]
    return json_incident(
        c,
        f"{CORE}.JsonParseException",
        f"{message}\n at {source_text(c, json_body(c))}",
        throw,
        ("client", "listener", "support"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("JsonParseException", "jpe.gson_malformed")
def gson_malformed(c: Ctx) -> Incident:
    path = c.pick(("$", "$.amount", "$.items[2]", "$.data.name"))
    root_message = (
        f"Use JsonReader.setLenient(true) to accept malformed JSON at line 1 column {c.randint(2, 90)} path {path}"
    )
    site = c.frame(c.pick(("client", "support", "util")))
    stack = c.call_stack([site], c.chain(".stack"))
    root = Thrown("com.google.gson.stream.MalformedJsonException", root_message, stack)
    wrap = Wrap(
        "com.google.gson.JsonSyntaxException",
        lambda inner: inner.to_string(),
        at="com.google.gson.Gson.fromJson",
        top=[c.lib("com.google.gson.internal.bind.ReflectiveTypeAdapterFactory$Adapter.read", 226)][:0],
        line_delta=4,
    )
    return c.incident(
        [root],
        wraps=[wrap],
        top=[site],
        cause=c.text(".cause", site=site, path=path),
        fix=c.text(".fix"),
    )


@template("JsonParseException", "jpe.org_json")
def org_json(c: Ctx) -> Incident:
    message = c.pick(
        (
            "A JSONObject text must begin with '{' at 1 [character 2 line 1]",
            f"Expected a ',' or '}}' at {c.randint(10, 200)} [character {c.randint(10, 200)} line 1]",
            f"Unterminated string at {c.randint(10, 300)} [character {c.randint(10, 300)} line 1]",
        )
    )
    throw = [
        c.lib("org.json.JSONTokener.syntaxError", c.pick((432, 507))),
        c.lib("org.json.JSONObject.<init>", c.pick((222, 216))),
        c.lib("org.json.JSONObject.<init>", c.pick((406, 402))),
    ]
    return json_incident(
        c,
        "org.json.JSONException",
        message,
        throw,
        ("client", "support", "gateway"),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


@template("JsonParseException", "jpe.request_body", contexts=("web",), codebases=("bank",))
def request_body(c: Ctx) -> Incident:
    controller = c.frame("controller")
    body = json_body(c)
    char = c.pick(("}", "'", "]"))
    inner = f"Unexpected character ('{char}' (code {ord(char)})): was expecting double-quote to start field name"
    entry = c.entry()
    stack = [
        *parse_frames(c, "_reportUnexpectedChar"),
        *stacks.jackson_read(c)[:2],
        *c.chain(".stack"),
        *stacks.message_converter(c),
        *entry.bottom[len(c.jdk.reflect_invoke()) + 2 :],
    ]
    root = Thrown(f"{CORE}.JsonParseException", f"{inner}\n at {source_text(c, body)}", stack)
    wrap = Wrap(
        "org.springframework.http.converter.HttpMessageNotReadableException",
        lambda e: f"JSON parse error: {inner}; nested exception is {e.to_string()}",
        at="org.springframework.http.converter.json.AbstractJackson2HttpMessageConverter.readJavaType",
        line_delta=5,
    )
    return c.incident(
        [root],
        wraps=[wrap],
        auto_wrap=False,
        fault=controller,
        fault_in_trace=False,
        cause=c.text(".cause", controller=controller),
        fix=c.text(".fix"),
    )


@template("JsonParseException", "jpe.kafka_deserializer", contexts=("kafka",), codebases=("bank",))
def kafka_deserializer(c: Ctx) -> Incident:
    body = json_body(c)
    throw = [*parse_frames(c, "_reportUnexpectedChar"), *stacks.jackson_read(c)]
    return json_incident(
        c,
        f"{CORE}.JsonParseException",
        c.message(".result", source_text=source_text(c, body)),
        throw,
        ("listener",),
        *c.pair(".what"),
        *c.pair(".fix"),
    )


# -------------------------------------------------------------------------------------------- JsonMappingException


def deser_frames(c: Ctx, first: list[StackFrame]) -> list[StackFrame]:
    return [
        *first,
        c.lib(f"{DB}.deser.BeanDeserializer.vanillaDeserialize", c.pick((320, 324))),
        c.lib(f"{DB}.deser.BeanDeserializer.deserialize", c.pick((177, 176))),
        *stacks.jackson_read(c),
    ]


def mapping(
    c: Ctx,
    exception: str,
    message: str,
    first: list[StackFrame],
    what_en: str,
    what_ko: str,
    fix_en: str,
    fix_ko: str,
    roles: tuple[str, ...] = ("client", "support", "listener", "util"),
) -> Incident:
    site = c.frame(c.pick(roles))
    return c.fail(
        exception,
        message,
        [site],
        deser_frames(c, first),
        cause=c.text("json.mapping.cause", site=site, what_en=what_en, what_ko=what_ko),
        fix=c.t(fix_en, fix_ko),
    )


def dto(c: Ctx) -> str:
    return c.app("domain", f"{c.type_name()}{c.pick(('Request', 'Response', 'Dto', 'Message', ''))}").fqcn


@template("JsonMappingException", "jme.unrecognized_field")
def unrecognized_field(c: Ctx) -> Incident:
    target = dto(c)
    field = c.pick(("accountNo", "acct_no", "customerName", "extra", "version", "trace_id", "fee"))
    known = c.pick(
        ('"amount", "fromAccount", "toAccount", "memo"', '"id", "name", "status"', '"txId", "resultCode", "message"')
    )
    message = (
        c.message(
            ".message",
            field=field,
            target=target,
            known_count=known.count(",") + 1,
            known=known,
            number=c.randint(20, 300),
        )
    )
    first = [
        c.lib(f"{DB}.exc.UnrecognizedPropertyException.from", 61),
        c.lib(f"{DB}.DeserializationContext.handleUnknownProperty", c.pick((1127, 1132))),
        c.lib(f"{DB}.deser.std.StdDeserializer.handleUnknownProperty", c.pick((1989, 2036))),
        c.lib(f"{DB}.deser.BeanDeserializerBase.handleUnknownProperty", c.pick((1700, 1705))),
        c.lib(f"{DB}.deser.BeanDeserializerBase.handleUnknownVanilla", c.pick((1678, 1683))),
    ]
    return mapping(
        c,
        f"{DB}.exc.UnrecognizedPropertyException",
        message,
        first,
        *c.pair(".what", field=field, target_simple=target.rsplit(".", 1)[-1]),
        *c.pair(".fix"),
    )


@template("JsonMappingException", "jme.invalid_format")
def invalid_format(c: Ctx) -> Incident:
    target = dto(c)
    field, java_type, value, reason = c.pick(
        (
            ("amount", "java.math.BigDecimal", "1,000", "not a valid representation"),
            ("valueDate", "java.time.LocalDate", "2024/03/12", c.message(".field_java_type_value_reason")),
            ("count", "int", "ten", "not a valid `int` value"),
            (
                "currency",
                f"{c.code.root}.Currency",
                "KRW1",
                "not one of the values accepted for Enum class: [USD, EUR, KRW, JPY]",
            ),
        )
    )
    message = (
        c.message(
            ".message",
            java_type=java_type,
            value=value,
            reason=reason,
            number=c.randint(10, 200),
            target=target,
            field=field,
        )
    )
    first = [
        c.lib(f"{DB}.exc.InvalidFormatException.from", 67),
        c.lib(f"{DB}.DeserializationContext.weirdStringException", c.pick((1991, 1851))),
        c.lib(f"{DB}.DeserializationContext.handleWeirdStringValue", c.pick((1219, 1245))),
        *c.chain(".first"),
    ]
    return mapping(
        c,
        f"{DB}.exc.InvalidFormatException",
        message,
        first,
        *c.pair(".what", field=field, value=value, java_type_simple=java_type.rsplit(".", 1)[-1]),
        *c.pair(".fix", field=field),
    )


@template("JsonMappingException", "jme.mismatched_shape")
def mismatched_shape(c: Ctx) -> Incident:
    target = dto(c)
    if c.chance(0.5):
        message = (
            c.message(".message", target=target)
        )
        what = c.pair(".what")
    else:
        message = (
            c.message(".message_2", target=target)
        )
        what = c.pair(".what_2")
    first = [
        c.lib(f"{DB}.exc.MismatchedInputException.from", 59),
        c.lib(f"{DB}.DeserializationContext.reportInputMismatch", c.pick((1741, 1601))),
        c.lib(f"{DB}.DeserializationContext.handleUnexpectedToken", c.pick((1515, 1375))),
    ]
    return mapping(c, f"{DB}.exc.MismatchedInputException", message, first, *what, *c.pair(".what_ko"))


@template("JsonMappingException", "jme.no_creator")
def no_creator(c: Ctx) -> Incident:
    target = dto(c)
    message = (
        c.message(".message", target=target)
    )
    first = [
        c.lib(f"{DB}.exc.InvalidDefinitionException.from", 67),
        c.lib(f"{DB}.DeserializationContext.reportBadDefinition", c.pick((1904, 1764))),
        c.lib(f"{DB}.DatabindContext.reportBadDefinition", 400),
        c.lib(f"{DB}.DeserializationContext.handleMissingInstantiator", c.pick((1349, 1209))),
        c.lib(f"{DB}.deser.BeanDeserializerBase.deserializeFromObjectUsingNonDefault", c.pick((1415, 1405))),
        c.lib(f"{DB}.deser.BeanDeserializer.deserializeFromObject", 362),
    ]
    return mapping(
        c,
        f"{DB}.exc.InvalidDefinitionException",
        message,
        first,
        *c.pair(".what", target_simple=target.rsplit('.', 1)[-1]),
        *c.pair(".fix"),
    )


@template("JsonMappingException", "jme.java_time_module")
def java_time_module(c: Ctx) -> Incident:
    java_type = c.pick(("java.time.LocalDate", "java.time.LocalDateTime", "java.time.OffsetDateTime"))
    target = dto(c)
    message = (
        c.message(
            ".message",
            java_type=java_type,
            target=target,
            choice=c.pick(("valueDate", "createdAt", "settledAt")),
        )
    )
    throw = c.chain(".throw")
    return json_incident(
        c,
        f"{DB}.exc.InvalidDefinitionException",
        message,
        throw,
        ("util", "support", "client", "listener"),
        *c.pair(".what", java_type_simple=java_type.rsplit('.', 1)[-1]),
        *c.pair(".fix"),
    )


@template("JsonMappingException", "jme.empty_bean")
def empty_bean(c: Ctx) -> Incident:
    cls = c.pick(
        (
            c.app("domain").fqcn,
            "org.hibernate.proxy.pojo.bytebuddy.ByteBuddyInterceptor",
            "java.io.ByteArrayInputStream",
        )
    )
    message = (
        c.message(".message", cls=cls)
    )
    throw = c.chain(".throw")
    return json_incident(
        c,
        f"{DB}.exc.InvalidDefinitionException",
        message,
        throw,
        ("util", "support", "controller"),
        *c.pair(".what", cls_simple=cls.rsplit('.', 1)[-1]),
        *c.pair(".fix"),
    )


@template("JsonMappingException", "jme.unknown_subtype")
def unknown_subtype(c: Ctx) -> Incident:
    base = c.app("domain", c.pick(("PaymentMethod", "Event", "Command", "Instruction")))
    type_id = c.pick(("WIRE", "VIRTUAL_ACCOUNT", "refund.v2", "ACCOUNT_CLOSED"))
    message = (
        c.message(
            ".message",
            type_id=type_id,
            base=base,
            choice=c.pick(('method', 'payload', 'event')),
            number=c.randint(8, 60),
        )
    )
    first = [
        c.lib(f"{DB}.exc.InvalidTypeIdException.from", 43),
        c.lib(f"{DB}.DeserializationContext.invalidTypeIdException", c.pick((2073, 1933))),
        c.lib(f"{DB}.DeserializationContext.handleUnknownTypeId", c.pick((1564, 1424))),
        *c.chain(".first"),
    ]
    return mapping(
        c,
        f"{DB}.exc.InvalidTypeIdException",
        message,
        first,
        *c.pair(".what", type_id=type_id, base=base),
        *c.pair(".fix", type_id=type_id),
    )


@template("JsonMappingException", "jme.body_missing", contexts=("web",), codebases=("bank",))
def body_missing(c: Ctx) -> Incident:
    controller = c.frame("controller")
    target = dto(c)
    message = (
        c.message(".message", target=target, controller=controller)
    )
    mvc = "org.springframework.web.servlet.mvc.method.annotation"
    throw = [
        c.lib(f"{mvc}.RequestResponseBodyMethodProcessor.readWithMessageConverters", 163),
        *stacks.message_converter(c)[4:],
    ]
    entry = c.entry()
    stack = [*throw, *entry.bottom[len(c.jdk.reflect_invoke()) + 2 :]]
    return c.incident(
        [Thrown("org.springframework.http.converter.HttpMessageNotReadableException", message, stack)],
        auto_wrap=False,
        fault=controller,
        fault_in_trace=False,
        cause=c.text(".cause", controller=controller),
        fix=c.text(".fix"),
    )


@template("JsonMappingException", "jme.request_mapping_wrapped", contexts=("web",), codebases=("bank",))
def request_mapping_wrapped(c: Ctx) -> Incident:
    controller = c.frame("controller")
    target = dto(c)
    field = c.pick(("amount", "transferDate", "type"))
    inner = (
        f'Cannot deserialize value of type `java.math.BigDecimal` from String "{c.pick(("1,000", "abc", "10만"))}": '
        "not a valid representation"
    )
    entry = c.entry()
    stack = [
        *c.chain(".stack"),
        *stacks.jackson_read(c)[:2],
        *c.chain("jpe.request_body.stack"),
        *stacks.message_converter(c),
        *entry.bottom[len(c.jdk.reflect_invoke()) + 2 :],
    ]
    root = Thrown(
        f"{DB}.exc.InvalidFormatException",
        c.message(".root", inner=inner, number=c.randint(10, 90), target=target, field=field),
        stack,
    )
    wrap = Wrap(
        "org.springframework.http.converter.HttpMessageNotReadableException",
        lambda e: f"JSON parse error: {inner}; nested exception is {e.to_string()}",
        at="org.springframework.http.converter.json.AbstractJackson2HttpMessageConverter.readJavaType",
        line_delta=5,
    )
    return c.incident(
        [root],
        wraps=[wrap],
        auto_wrap=False,
        fault=controller,
        fault_in_trace=False,
        cause=c.text(".cause", field=field, controller=controller),
        fix=c.text(".fix"),
    )
