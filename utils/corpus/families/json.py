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
    c: Ctx,
    exception: str,
    message: str,
    throw: list[StackFrame],
    roles: tuple[str, ...],
    what_en: str,
    what_ko: str,
    fix_en: str,
    fix_ko: str,
) -> Incident:
    site = c.frame(c.pick(roles))
    return c.fail(
        exception,
        message,
        [site],
        throw,
        cause=c.t(f"{site.method}: {what_en}", f"{site.method}: {what_ko}"),
        fix=c.t(fix_en, fix_ko),
    )


# ---------------------------------------------------------------------------------------------- JsonParseException


@template("JsonParseException", "jpe.unexpected_character")
def unexpected_character(c: Ctx) -> Incident:
    body = json_body(c)
    char = c.pick(("}", "<", "'", "]"))
    code = ord(char)
    message = c.pick(
        (
            f"Unexpected character ('{char}' (code {code})): was expecting double-quote to start field name",
            f"Unexpected character ('{char}' (code {code})): expected a valid value (JSON String, Number, Array, "
            "Object or token 'null', 'true' or 'false')",
        )
    )
    throw = [*parse_frames(c, "_reportUnexpectedChar"), *stacks.jackson_read(c)]
    return json_incident(
        c,
        f"{CORE}.JsonParseException",
        f"{message}\n at {source_text(c, body)}",
        throw,
        ("client", "support", "listener", "util"),
        f"the payload is not valid JSON at '{char}' (trailing comma, single quotes or an HTML error page)",
        f"페이로드가 '{char}' 위치에서 올바른 JSON이 아님 (끝 쉼표, 작은따옴표, HTML 오류 페이지)",
        "Check what the sender actually returned (status/content type) and fix the producer of the JSON",
        "송신측이 실제로 보낸 응답(상태/Content-Type)을 확인하고 JSON 생성 측을 수정",
    )


@template("JsonParseException", "jpe.unrecognized_token")
def unrecognized_token(c: Ctx) -> Incident:
    token = c.pick(("OK", "undefined", "NaN", "SUCCESS", "nul", "True"))
    message = (
        f"Unrecognized token '{token}': was expecting (JSON String, Number, Array, Object or token 'null', "
        "'true' or 'false')"
    )
    throw = [*parse_frames(c, "_reportInvalidToken"), *stacks.jackson_read(c, tree=c.chance(0.4))]
    return json_incident(
        c,
        f"{CORE}.JsonParseException",
        f"{message}\n at {source_text(c, token)}",
        throw,
        ("client", "support", "listener"),
        f"the body is the bare word '{token}', not JSON",
        f"응답 본문이 JSON이 아닌 단어 '{token}'임",
        "Agree on a JSON response format, or read plain-text responses as String",
        "JSON 응답 형식을 합의하거나 평문 응답은 String으로 처리",
    )


@template("JsonParseException", "jpe.unexpected_eof")
def unexpected_eof(c: Ctx) -> Incident:
    message = c.pick(
        (
            "Unexpected end-of-input: expected close marker for Object (start marker at [Source: "
            '(String)"{"accountNo":"110""; line: 1, column: 1])',
            "Unexpected end-of-input in field name",
            "Unexpected end-of-input: was expecting closing quote for a string value",
        )
    )
    throw = [
        c.lib(f"{CORE}.base.ParserMinimalBase._reportInvalidEOF", c.pick((682, 697))),
        c.lib(f"{CORE}.base.ParserBase._handleEOF", c.pick((501, 512))),
        c.lib(f"{CORE}.base.ParserBase._eofAsNextChar", 513),
        c.lib(f"{CORE}.json.UTF8StreamJsonParser._skipWSOrEnd", 3086),
        c.lib(f"{CORE}.json.UTF8StreamJsonParser.nextFieldName", 1048),
        *stacks.jackson_read(c),
    ]
    return json_incident(
        c,
        f"{CORE}.io.JsonEOFException",
        f'{message}\n at [Source: (byte[])"{{..."; line: 1, column: {c.randint(20, 4000)}]',
        throw,
        ("client", "listener", "support"),
        "the JSON document is cut off (truncated body, size limit or partial read)",
        "JSON 문서가 중간에 잘림 (본문 잘림, 크기 제한, 부분 읽기)",
        "Read the whole body (check Content-Length/buffer limits) before parsing",
        "파싱 전에 본문 전체를 읽도록 수정 (Content-Length/버퍼 한도 확인)",
    )


@template("JsonParseException", "jpe.control_char")
def control_char(c: Ctx) -> Incident:
    message = c.pick(
        (
            "Illegal unquoted character ((CTRL-CHAR, code 10)): has to be escaped using backslash to be included "
            "in string value",
            "Illegal unquoted character ((CTRL-CHAR, code 9)): has to be escaped using backslash to be included "
            "in string value",
            "Invalid UTF-8 start byte 0xb0",
        )
    )
    throw = [*parse_frames(c, "_throwUnquotedSpace"), *stacks.jackson_read(c)]
    return json_incident(
        c,
        f"{CORE}.JsonParseException",
        f"{message}\n at {source_text(c, json_body(c))}",
        throw,
        ("client", "listener", "support"),
        "a string value contains a raw newline/tab or non-UTF-8 bytes (e.g. memo text built by concatenation)",
        "문자열 값에 이스케이프되지 않은 개행/탭 또는 UTF-8이 아닌 바이트 (문자열 연결로 만든 메모 등)",
        "Build JSON with a serializer (not string concatenation) and send UTF-8",
        "문자열 연결 대신 직렬화기로 JSON을 만들고 UTF-8로 전송",
    )


@template("JsonParseException", "jpe.gson_malformed")
def gson_malformed(c: Ctx) -> Incident:
    path = c.pick(("$", "$.amount", "$.items[2]", "$.data.name"))
    root_message = (
        f"Use JsonReader.setLenient(true) to accept malformed JSON at line 1 column {c.randint(2, 90)} path {path}"
    )
    site = c.frame(c.pick(("client", "support", "util")))
    stack = c.call_stack(
        [site],
        [
            c.lib("com.google.gson.stream.JsonReader.syntaxError", 1568),
            c.lib("com.google.gson.stream.JsonReader.checkLenient", 1409),
            c.lib("com.google.gson.stream.JsonReader.doPeek", 542),
            c.lib("com.google.gson.stream.JsonReader.peek", 425),
            c.lib("com.google.gson.internal.bind.ReflectiveTypeAdapterFactory$Adapter.read", 207),
            c.lib("com.google.gson.Gson.fromJson", 927),
            c.lib("com.google.gson.Gson.fromJson", 892),
            c.lib("com.google.gson.Gson.fromJson", 841),
            c.lib("com.google.gson.Gson.fromJson", 813),
        ],
    )
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
        cause=c.t(
            f"{site.method} gives Gson text that is not strict JSON (at {path})",
            f"{site.method}에서 엄격한 JSON이 아닌 텍스트를 Gson에 전달 ({path})",
        ),
        fix=c.t(
            "Fix the producer to emit valid JSON (quotes, commas); avoid lenient parsing of external input",
            "생성 측이 올바른 JSON(따옴표, 쉼표)을 보내도록 수정하고 외부 입력의 lenient 파싱은 피함",
        ),
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
        "new JSONObject(text) got text that is not a JSON object (empty body, array or HTML)",
        "new JSONObject(text)에 JSON 객체가 아닌 텍스트(빈 본문, 배열, HTML)가 전달됨",
        "Check the response status/body before parsing and handle non-JSON answers",
        "파싱 전에 응답 상태/본문을 확인하고 JSON이 아닌 응답을 처리",
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
        c.lib(f"{DB}.ObjectReader._bindAndClose", 2079),
        c.lib(f"{DB}.ObjectReader.readValue", 1555),
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
        cause=c.t(
            f"The client posted malformed JSON to {controller.method}",
            f"클라이언트가 {controller.method}에 잘못된 JSON을 전송",
        ),
        fix=c.t(
            "Return 400 with the parse error to the client and fix the caller's JSON",
            "클라이언트에 400과 파싱 오류를 반환하고 호출 측 JSON을 수정",
        ),
    )


@template("JsonParseException", "jpe.kafka_deserializer", contexts=("kafka",), codebases=("bank",))
def kafka_deserializer(c: Ctx) -> Incident:
    body = json_body(c)
    throw = [*parse_frames(c, "_reportUnexpectedChar"), *stacks.jackson_read(c)]
    return json_incident(
        c,
        f"{CORE}.JsonParseException",
        "Unexpected character ('<' (code 60)): expected a valid value (JSON String, Number, Array, Object or "
        f"token 'null', 'true' or 'false')\n at {source_text(c, body)}",
        throw,
        ("listener",),
        "a message on the topic is not JSON (another producer/format on the same topic)",
        "토픽의 메시지가 JSON이 아님 (같은 토픽에 다른 형식의 프로듀서)",
        "Route bad records to a dead-letter topic (ErrorHandlingDeserializer) and fix the producer",
        "오류 레코드는 DLT로 보내고(ErrorHandlingDeserializer) 프로듀서를 수정",
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
        cause=c.t(f"{site.method}: {what_en}", f"{site.method}: {what_ko}"),
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
        f'Unrecognized field "{field}" (class {target}), not marked as ignorable ({known.count(",") + 1} known '
        f"properties: {known}])\n"
        " at [Source: "
        f'(String)"{{..."; line: 1, column: {c.randint(20, 300)}] (through reference chain: {target}["{field}"])'
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
        f'the JSON has field "{field}" that {target.rsplit(".", 1)[-1]} does not declare (API version drift)',
        f'JSON의 "{field}" 필드가 {target.rsplit(".", 1)[-1]}에 없음 (API 버전 차이)',
        "Add the field to the DTO or ignore unknown properties (@JsonIgnoreProperties(ignoreUnknown = true))",
        "DTO에 필드를 추가하거나 @JsonIgnoreProperties(ignoreUnknown = true)로 알 수 없는 필드를 무시",
    )


@template("JsonMappingException", "jme.invalid_format")
def invalid_format(c: Ctx) -> Incident:
    target = dto(c)
    field, java_type, value, reason = c.pick(
        (
            ("amount", "java.math.BigDecimal", "1,000", "not a valid representation"),
            (
                "valueDate",
                "java.time.LocalDate",
                "2024/03/12",
                "Failed to deserialize java.time.LocalDate: (java.time.format.DateTimeParseException) Text "
                "'2024/03/12' could not be parsed at index 4",
            ),
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
        f'Cannot deserialize value of type `{java_type}` from String "{value}": {reason}\n at [Source: '
        f'(String)"{{..."; line: 1, column: '
        f'{c.randint(10, 200)}] (through reference chain: {target}["{field}"])'
    )
    first = [
        c.lib(f"{DB}.exc.InvalidFormatException.from", 67),
        c.lib(f"{DB}.DeserializationContext.weirdStringException", c.pick((1991, 1851))),
        c.lib(f"{DB}.DeserializationContext.handleWeirdStringValue", c.pick((1219, 1245))),
        c.lib(f"{DB}.deser.std.NumberDeserializers$BigDecimalDeserializer.deserialize", 1044),
        c.lib(f"{DB}.deser.impl.MethodProperty.deserializeAndSet", 129),
    ]
    return mapping(
        c,
        f"{DB}.exc.InvalidFormatException",
        message,
        first,
        f'field {field} holds "{value}", which cannot become {java_type.rsplit(".", 1)[-1]}',
        f'{field} 필드 값 "{value}"를 {java_type.rsplit(".", 1)[-1]}로 변환할 수 없음',
        f"Agree the wire format of {field} with the sender (or add @JsonFormat / a custom deserializer)",
        f"{field}의 전송 형식을 송신측과 맞추거나 @JsonFormat/커스텀 역직렬화기 추가",
    )


@template("JsonMappingException", "jme.mismatched_shape")
def mismatched_shape(c: Ctx) -> Incident:
    target = dto(c)
    if c.chance(0.5):
        message = (
            f"Cannot deserialize value of type `java.util.ArrayList<{target}>` from Object value (token "
            "`JsonToken.START_OBJECT`)\n"
            f' at [Source: (String)"{{"data":[...]}}"; line: 1, column: 1]'
        )
        what = (
            'expects a JSON array but the response wraps the list in an object ({"data": [...]})',
            '배열을 기대했지만 응답이 객체로 감싸져 있음 ({"data": [...]})',
        )
    else:
        message = (
            f'Cannot deserialize instance of `{target}` out of START_ARRAY token\n at [Source: (String)"[...]"; '
            "line: 1, column: 1]"
        )
        what = ("expects a JSON object but receives an array", "객체를 기대했지만 배열을 받음")
    first = [
        c.lib(f"{DB}.exc.MismatchedInputException.from", 59),
        c.lib(f"{DB}.DeserializationContext.reportInputMismatch", c.pick((1741, 1601))),
        c.lib(f"{DB}.DeserializationContext.handleUnexpectedToken", c.pick((1515, 1375))),
    ]
    return mapping(
        c,
        f"{DB}.exc.MismatchedInputException",
        message,
        first,
        *what,
        "Map the real response shape (a wrapper DTO with the list field, or a TypeReference for lists)",
        "실제 응답 구조에 맞게 매핑 (리스트 필드를 가진 래퍼 DTO 또는 TypeReference 사용)",
    )


@template("JsonMappingException", "jme.no_creator")
def no_creator(c: Ctx) -> Incident:
    target = dto(c)
    message = (
        f"Cannot construct instance of `{target}` (no Creators, like default constructor, exist): cannot deserialize "
        "from Object value "
        f'(no delegate- or property-based Creator)\n at [Source: (String)"{{...}}"; line: 1, column: 2]'
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
        f"{target.rsplit('.', 1)[-1]} has no no-arg constructor or @JsonCreator (immutable class / record without "
        "parameter names)",
        f"{target.rsplit('.', 1)[-1]}에 기본 생성자나 @JsonCreator가 없음 (불변 클래스/파라미터 이름 정보 없음)",
        "Add a no-arg constructor or annotate the constructor with @JsonCreator/@JsonProperty (or enable "
        "ParameterNamesModule)",
        "기본 생성자를 추가하거나 생성자에 @JsonCreator/@JsonProperty 지정 (또는 ParameterNamesModule 사용)",
    )


@template("JsonMappingException", "jme.java_time_module")
def java_time_module(c: Ctx) -> Incident:
    java_type = c.pick(("java.time.LocalDate", "java.time.LocalDateTime", "java.time.OffsetDateTime"))
    target = dto(c)
    message = (
        f"Java 8 date/time type `{java_type}` not supported by default: add Module "
        '"com.fasterxml.jackson.datatype:jackson-datatype-jsr310" '
        f'to enable handling (through reference chain: {target}["{c.pick(("valueDate", "createdAt", "settledAt"))}"])'
    )
    throw = [
        c.lib(f"{DB}.exc.InvalidDefinitionException.from", 77),
        c.lib(f"{DB}.SerializerProvider.reportBadDefinition", 1300),
        c.lib(f"{DB}.ser.impl.UnsupportedTypeSerializer.serialize", 35),
        c.lib(f"{DB}.ser.BeanPropertyWriter.serializeAsField", 728),
        c.lib(f"{DB}.ser.std.BeanSerializerBase.serializeFields", 774),
        c.lib(f"{DB}.ser.BeanSerializer.serialize", 178),
        c.lib(f"{DB}.ser.DefaultSerializerProvider._serialize", 480),
        c.lib(f"{DB}.ser.DefaultSerializerProvider.serializeValue", 319),
        c.lib(f"{DB}.ObjectMapper._writeValueAndClose", 4568),
        c.lib(f"{DB}.ObjectMapper.writeValueAsString", 3821),
    ]
    return json_incident(
        c,
        f"{DB}.exc.InvalidDefinitionException",
        message,
        throw,
        ("util", "support", "client", "listener"),
        f"serializes {java_type.rsplit('.', 1)[-1]} with an ObjectMapper created by new ObjectMapper() (JavaTimeModule "
        "not registered)",
        f"new ObjectMapper()로 만든 매퍼로 {java_type.rsplit('.', 1)[-1]}를 직렬화 (JavaTimeModule 미등록)",
        "Use the application's configured ObjectMapper or register JavaTimeModule",
        "애플리케이션이 설정한 ObjectMapper를 주입받거나 JavaTimeModule 등록",
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
        f"No serializer found for class {cls} and no properties discovered to create BeanSerializer (to "
        "avoid exception, disable SerializationFeature.FAIL_ON_EMPTY_BEANS)"
    )
    throw = [
        c.lib(f"{DB}.exc.InvalidDefinitionException.from", 77),
        c.lib(f"{DB}.SerializerProvider.reportBadDefinition", 1300),
        c.lib(f"{DB}.DatabindContext.reportBadDefinition", 400),
        c.lib(f"{DB}.ser.impl.UnknownSerializer.failForEmpty", 46),
        c.lib(f"{DB}.ser.impl.UnknownSerializer.serialize", 29),
        c.lib(f"{DB}.ser.DefaultSerializerProvider._serialize", 480),
        c.lib(f"{DB}.ser.DefaultSerializerProvider.serializeValue", 319),
        c.lib(f"{DB}.ObjectMapper.writeValueAsString", 3821),
    ]
    return json_incident(
        c,
        f"{DB}.exc.InvalidDefinitionException",
        message,
        throw,
        ("util", "support", "controller"),
        f"serializes {cls.rsplit('.', 1)[-1]}, which has no getters/properties (or is a Hibernate proxy)",
        f"게터/속성이 없는(또는 Hibernate 프록시인) {cls.rsplit('.', 1)[-1]}를 직렬화",
        "Return a DTO with the needed fields instead of the entity/proxy",
        "엔티티/프록시 대신 필요한 필드만 가진 DTO를 반환",
    )


@template("JsonMappingException", "jme.unknown_subtype")
def unknown_subtype(c: Ctx) -> Incident:
    base = c.app("domain", c.pick(("PaymentMethod", "Event", "Command", "Instruction")))
    type_id = c.pick(("WIRE", "VIRTUAL_ACCOUNT", "refund.v2", "ACCOUNT_CLOSED"))
    message = (
        f"Could not resolve type id '{type_id}' as a subtype of `{base.fqcn}`: known type ids = [CARD, ACCOUNT, "
        "POINT] (for POJO property "
        f"'{c.pick(('method', 'payload', 'event'))}')\n at [Source: (String)\"{{...}}\"; line: 1, column: "
        f"{c.randint(8, 60)}]"
    )
    first = [
        c.lib(f"{DB}.exc.InvalidTypeIdException.from", 43),
        c.lib(f"{DB}.DeserializationContext.invalidTypeIdException", c.pick((2073, 1933))),
        c.lib(f"{DB}.DeserializationContext.handleUnknownTypeId", c.pick((1564, 1424))),
        c.lib(f"{DB}.jsontype.impl.TypeDeserializerBase._handleUnknownTypeId", 308),
        c.lib(f"{DB}.jsontype.impl.TypeDeserializerBase._findDeserializer", 165),
        c.lib(f"{DB}.jsontype.impl.AsPropertyTypeDeserializer._deserializeTypedForId", 135),
    ]
    return mapping(
        c,
        f"{DB}.exc.InvalidTypeIdException",
        message,
        first,
        f"the sender uses type id '{type_id}' that {base.simple} does not register",
        f"송신측 타입 ID '{type_id}'가 {base.simple}에 등록되어 있지 않음",
        f"Register the subtype for '{type_id}' (@JsonSubTypes) or set a defaultImpl for unknown ids",
        f"'{type_id}' 하위 타입을 @JsonSubTypes에 등록하거나 미지의 ID에 defaultImpl 지정",
    )


@template("JsonMappingException", "jme.body_missing", contexts=("web",), codebases=("bank",))
def body_missing(c: Ctx) -> Incident:
    controller = c.frame("controller")
    target = dto(c)
    message = (
        f"Required request body is missing: public org.springframework.http.ResponseEntity<{target}> "
        f"{controller.cls}.{controller.method}({target})"
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
        cause=c.t(
            f"A request reached {controller.method} without a body (wrong Content-Length, GET with @RequestBody, "
            "proxy dropping it)",
            f"본문 없는 요청이 {controller.method}에 도달 (Content-Length 오류, @RequestBody에 GET, 프록시가 "
            "본문 제거)",
        ),
        fix=c.t(
            "Make the client send the JSON body (POST/PUT, Content-Type: application/json) or mark the body optional",
            "클라이언트가 JSON 본문을 보내도록 수정(POST/PUT, application/json)하거나 본문을 선택 사항으로 지정",
        ),
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
        c.lib(f"{DB}.exc.InvalidFormatException.from", 67),
        c.lib(f"{DB}.DeserializationContext.weirdStringException", 1991),
        c.lib(f"{DB}.deser.BeanDeserializer.vanillaDeserialize", 320),
        c.lib(f"{DB}.deser.BeanDeserializer.deserialize", 177),
        *stacks.jackson_read(c)[:2],
        c.lib(f"{DB}.ObjectReader._bindAndClose", 2079),
        c.lib(f"{DB}.ObjectReader.readValue", 1555),
        *stacks.message_converter(c),
        *entry.bottom[len(c.jdk.reflect_invoke()) + 2 :],
    ]
    root = Thrown(
        f"{DB}.exc.InvalidFormatException",
        f"{inner}\n at [Source: (PushbackInputStream); line: 1, column: {c.randint(10, 90)}] (through reference "
        f'chain: {target}["{field}"])',
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
        cause=c.t(
            f"The client sent {field} in a format the request DTO of {controller.method} cannot read",
            f"클라이언트가 {controller.method} 요청 DTO가 읽을 수 없는 형식으로 {field}를 보냄",
        ),
        fix=c.t(
            "Answer 400 with a field error and document the expected format (numbers without separators, ISO dates)",
            "필드 오류와 함께 400을 반환하고 기대 형식(구분자 없는 숫자, ISO 날짜)을 명시",
        ),
    )
