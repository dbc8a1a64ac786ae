"""The generator's data files (utils/corpus/templates/*.yaml): each loads against the format, every table entry is
used by some template, and a malformed file fails with one sentence naming it."""

from __future__ import annotations

import ast
import random
import re
import string
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from utils.corpus.builder import Ctx, Wrap
from utils.corpus.codebase import Codebase
from utils.corpus.jdk import Jdk
from utils.corpus.model import StackFrame
from utils.corpus.tables import TEMPLATES_DIR, TableError, Tables, chain_references, load_tables, parse_frame, tables

CORPUS_DIR = Path(__file__).resolve().parents[1] / "utils" / "corpus"
_LOOKUPS = ("chain", "text", "pair", "message", "values")  # the Ctx methods that read a table


def _used_keys() -> tuple[set[str], list[re.Pattern[str]]]:
    """Every string literal of the generator's Python (a key is named as one: `c.text(".cause")`, a default
    argument ...), and patterns for relative keys (".cause": any template's) and f-string keys (`f"jdbc.{vendor}"`)."""
    exact: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for path in sorted(CORPUS_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                exact.add(node.value)
                if node.value.startswith("."):
                    patterns.append(re.compile(r".+" + re.escape(node.value) + "$"))
            elif (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", "") in _LOOKUPS
                and node.args
                and isinstance(key := node.args[0], ast.JoinedStr)
            ):
                parts = [re.escape(v.value) if isinstance(v, ast.Constant) else r"[^.]+" for v in key.values]
                patterns.append(re.compile("".join(parts) + "$"))
    for mapping in tables().maps.values():  # a map may name keys too (database.translations)
        exact.update(_strings(mapping, ""))
    for name, spec in tables().templates.items():  # a declared template names its keys as strings too
        for text in _strings(spec, name):
            exact.add(text)
            if "{" in text:  # a key with slots ("numbers.parse_int.{kind}")
                parts = re.split(r"\{[^}]*\}", text)
                patterns.append(re.compile(r"[^.]+".join(re.escape(part) for part in parts) + "$"))
    return exact, patterns


def _strings(value: object, template: str) -> set[str]:
    """The strings in a declared template's entry, a relative key (".cause") under the template's name; the
    default cause and fix keys are named by every declared template that does not name others."""
    if isinstance(value, dict):
        found = {f"{template}.cause", f"{template}.fix"} if "label" in value else set()
        return found.union(*(_strings(item, template) for item in value.values()))
    if isinstance(value, (list, tuple)):
        return set().union(*(_strings(item, template) for item in value))
    if isinstance(value, str):
        return {template + value if value.startswith(".") else value}
    return set()


def test_every_data_file_loads_and_belongs_to_a_module() -> None:
    """A data file is a family's (its declared templates are that family's) or a core generator module's tables
    (contexts.yaml for contexts.py: no templates there)."""
    loaded = load_tables()
    files = sorted(TEMPLATES_DIR.glob("*.yaml"))
    assert files, "no data files"
    families = {path.stem for path in (CORPUS_DIR / "families").glob("*.py")}
    assert {path.stem for path in files} <= families | {path.stem for path in CORPUS_DIR.glob("*.py")}
    assert {loaded.origin[f"templates:{name}"].stem for name in loaded.templates} <= families
    assert loaded.frames and loaded.texts
    for name, frames in loaded.frames.items():
        assert frames, f"chain {name} is empty"


def test_every_table_entry_is_used() -> None:
    exact, patterns = _used_keys()
    referenced = chain_references()
    loaded = tables()
    unused = [
        f"{section}:{name}"
        for section, names in (("frames", loaded.frames), ("texts", loaded.texts), ("messages", loaded.messages),
                               ("values", loaded.values), ("maps", loaded.maps))
        for name in names
        if name not in exact and name not in referenced and not any(p.match(name) for p in patterns)
    ]
    assert unused == []


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_template_fills_its_texts_in_both_languages(lang: str) -> None:
    """A slot a template does not pass raises KeyError only for rows in the language whose text names it."""
    import utils.corpus.families  # noqa: F401  (registers the templates)
    from utils.corpus.contexts import CONTEXTS
    from utils.corpus.jdk import JDK_VERSIONS
    from utils.corpus.model import TEMPLATES

    for name, template in sorted(TEMPLATES.items()):
        for index in range(4):
            rng = random.Random(f"{name}:{index}")
            kind = template.codebases[index % len(template.codebases)]
            contexts = template.contexts or CONTEXTS
            versions = [v for v in JDK_VERSIONS if v >= template.min_jdk]
            jdk = Jdk(versions[-1 - index % min(2, len(versions))])
            ctx = Ctx(rng, jdk, lang, Codebase(kind, rng), contexts[index % len(contexts)], name)
            incident = template.build(ctx)
            assert incident.cause and incident.fix, name


def test_every_text_and_message_is_a_valid_format_string() -> None:
    """A literal brace must be doubled ({{ }}); a single one fails only when a row draws that text."""
    loaded = tables()
    strings = [*(text for pair in loaded.texts.values() for text in pair.values()), *loaded.messages.values()]
    for text in strings:
        list(string.Formatter().parse(text))  # raises ValueError on a lone brace


def test_a_frame_string_reads_as_the_jvm_prints_it() -> None:
    spec = parse_frame("jdk java.sql.DriverManager.getConnection:689/702/708/708", Path("x.yaml"))
    assert (spec.method, spec.lines, spec.jdk, spec.native) == (
        "java.sql.DriverManager.getConnection", (689, 702, 708, 708), True, False
    )
    ctx = Ctx(random.Random(0), Jdk(17), "en", Codebase("bank", random.Random(0)), "test", "t")
    frame = ctx.jdk.f(spec.method, spec.lines)
    assert frame.render() == "at java.sql/java.sql.DriverManager.getConnection(DriverManager.java:708)"
    assert parse_frame("com.zaxxer.hikari.pool.HikariProxyConnection.prepareStatement", Path("x.yaml")).lines is None
    assert parse_frame("jdk java.lang.Thread.sleep native", Path("x.yaml")).native


def test_a_chain_reference_inserts_the_named_chain(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("frames:\n  inner: [a.B.c:1, a.B.d:2]\n  outer: [x.Y.z:3, '@inner']\n")
    loaded = load_tables(tmp_path)
    assert [spec.method for spec in loaded.frames["outer"]] == ["x.Y.z", "a.B.c", "a.B.d"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("frame:\n  x: [a.B.c:1]\n", r"broken\.yaml: unknown key 'frame'"),
        ("texts:\n  x: {en: a, ko: b, jp: c}\n", r"broken\.yaml: text 'x' must have exactly"),
        ("frames:\n  x: [not a frame]\n", r"broken\.yaml: frame 'not a frame'"),
        ("frames:\n  x: ['@missing']\n", r"broken\.yaml: chain 'x' refers to the unknown chain 'missing'"),
        ("values:\n  x: []\n", r"broken\.yaml: values 'x' must be a non-empty list"),
    ],
)
def test_a_malformed_data_file_fails_naming_the_file(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "broken.yaml").write_text(content)
    with pytest.raises(TableError, match=message):
        load_tables(tmp_path)


def test_a_name_defined_in_two_files_fails_naming_both(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("values:\n  x: [1]\n")
    (tmp_path / "b.yaml").write_text("values:\n  x: [2]\n")
    with pytest.raises(TableError, match=r"b\.yaml: values name 'x' is already defined in a\.yaml"):
        load_tables(tmp_path)


def test_a_relative_key_is_under_the_rows_template() -> None:
    ctx = Ctx(random.Random(0), Jdk(11), "ko", Codebase("bank", random.Random(0)), "test", "sqle.incorrect_string")
    assert ctx.text(".cause", table="T", column="c") == "한글 텍스트를 latin1/utf8(3바이트) 문자셋인 T.c에 저장"


def test_declared_templates_register_under_their_files_family() -> None:
    import utils.corpus.families  # noqa: F401  (registers the templates)
    from utils.corpus.model import TEMPLATES

    declared = tables().templates
    assert declared, "no declared templates"
    for name, spec in declared.items():
        assert TEMPLATES[name].label == spec["label"]
        assert TEMPLATES[name].family == tables().origin[f"templates:{name}"].stem


def test_a_declared_template_draws_in_the_order_written() -> None:
    """The draws happen in the entry's order, an `if` takes only its branch's draws, and every draw is a slot."""
    from utils.corpus import declared

    spec = yaml.safe_load(
        """
        label: L
        exception: x.Boom
        draw:
        - n: {randint: [1, 6]}
        - if: {chance: 0.5}
          then: [word: {pick: [a, b, c]}]
          else: [word: {format: 'none{n}'}]
        - site: {frame: service}
        message: 'n={n} word={word}'
        cause: t.cause
        fix: t.cause
        """
    )
    for seed in range(6):
        rng, expected = random.Random(seed), random.Random(seed)
        ctx = Ctx(rng, Jdk(17), "en", Codebase("oss", random.Random(99)), "main", "t")  # its own rng: only the draws
        n = expected.randint(1, 6)
        word = expected.choice(["a", "b", "c"]) if expected.random() < 0.5 else f"none{n}"
        ctx.text = lambda key, **slots: f"{slots['site'].method}:{slots['word']}"  # type: ignore[method-assign]
        incident = declared.build(spec, ctx)
        assert incident.root.message == f"n={n} word={word}"
        assert incident.root.cls == "x.Boom" and incident.fault.app


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{label: L, exception: E, mesage: m}", r"broken\.yaml: template 't' has the unknown key 'mesage'"),
        ("{exception: E}", r"broken\.yaml: template 't' needs the string key 'label'"),
        ("{label: L, exception: E, draw: [x: nown]}", r"broken\.yaml: template 't': 'nown' is not one"),
        ("{label: L, exception: E, draw: [{x: noun, y: noun}]}", r"broken\.yaml: template 't': a draw step"),
        ("{label: L, exception: E, draw: [p: {call: no_such}]}", r"broken\.yaml: template 't' calls the unknown helper"),
    ],
)
def test_a_malformed_declared_template_fails_naming_the_file(tmp_path: Path, template: str, message: str) -> None:
    from utils.corpus.declared import check_templates

    (tmp_path / "broken.yaml").write_text(f"templates:\n  t: {template}\n")
    with pytest.raises(TableError, match=message):
        check_templates(load_tables(tmp_path))


def test_a_declared_wrapper_is_caught_where_it_says_with_its_message_filled_at_the_end() -> None:
    """A `wrap` draw's options may share an operation's name (`message`, `at`); its message sees the caught exception;
    `extra` values and `fault` are filled from the draws."""
    from utils.corpus import declared

    spec = yaml.safe_load(
        """
        label: L
        exception: x.Boom
        draw:
        - site: {frame: service}
        - caller: {frame: controller}
        - wrapper: {wrap: x.Wrapper, message: 'failed in {site.method}: {inner_string}', at: app+1, line_delta: 2}
        - bare: {wrap: x.Bare, message: null}
        message: boom
        top: [site, caller]
        fault: '{caller}'
        wraps: ['=wrapper', '=bare?', '=absent?']
        extra: {where: '{site.method}', flag: true}
        auto_wrap: false
        cause: t.cause
        fix: t.cause
        """
    )
    ctx = Ctx(random.Random(3), Jdk(17), "en", Codebase("oss", random.Random(99)), "main", "t")
    ctx.text = lambda key, **slots: key  # type: ignore[method-assign]
    declared.check_templates(Tables(templates={"t": spec}, origin={"templates:t": Path("t.yaml")}))
    incident = declared.build(spec, ctx)
    bare, wrapper, root = incident.chain
    site, caller = root.frames[0], [frame for frame in root.frames if frame.app][1]
    assert (bare.cls, bare.message) == ("x.Bare", None)
    assert (wrapper.cls, wrapper.message) == ("x.Wrapper", f"failed in {site.method}: x.Boom: boom")
    assert wrapper.frames[0] == caller.moved(2)  # caught one application frame down, two lines on
    assert incident.fault == caller and incident.extra == {"where": site.method, "flag": True}


def test_a_declared_template_draws_after_its_call_stack_and_names_slot_attributes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`after_stack` steps draw once the call stack is built, and a wrapper's `message_key` message is filled with
    them; `slot.attr` names a drawn object's frames and wrappers in `top`, `throw` and `wraps`."""
    from utils.corpus import declared

    spec = yaml.safe_load(
        """
        label: L
        exception: x.Boom
        draw:
        - route: {call: route_parts}
        after_stack:
        - n: {randint: [1, 9]}
        - wrapper: {wrap: x.Wrapper, message_key: t.wrap}
        message: 'n={n}'
        top: [route.top]
        throw: ['=route.lib']
        wraps: ['=wrapper', '=route.wraps']
        auto_wrap: false
        cause: t.cause
        fix: t.cause
        """
    )
    site = StackFrame("a.Site", "run", "Site.java", 7, app=True)
    route = SimpleNamespace(top=[site], lib=[StackFrame("lib.Deep", "call")], wraps=[Wrap("x.Outer", None)])
    monkeypatch.setitem(declared.HELPERS, "route_parts", lambda c: route)
    declared.check_templates(Tables(templates={"t": spec}, origin={"templates:t": Path("t.yaml")}))
    ctx = Ctx(random.Random(3), Jdk(17), "en", Codebase("oss", random.Random(99)), "main", "t")
    order: list[str] = []
    ctx.call_stack = lambda top, throw, filler: order.append("stack") or [*throw, *top]  # type: ignore[method-assign]
    ctx.randint = lambda low, high: order.append("draw") or 5  # type: ignore[method-assign]
    ctx.message = lambda key, **slots: f"{key} n={slots['n']}: {slots['inner_string']}"  # type: ignore[method-assign]
    ctx.text = lambda key, **slots: key  # type: ignore[method-assign]
    outer, wrapper, root = declared.build(spec, ctx).chain
    assert order == ["stack", "draw"]
    assert (root.message, root.frames) == ("n=5", [route.lib[0], site])
    assert wrapper.message == "t.wrap n=5: x.Boom: n=5"
    assert (outer.cls, outer.message) == ("x.Outer", None)


def test_a_declared_template_off_the_call_stack_throws_its_frames_alone() -> None:
    """`call_stack: false`: the stack is the `throw` frames, the fault (`at` without a line: a method that never ran)
    is outside the trace and no context wraps the exception; a list of steps is drawn in place (a shared YAML alias),
    a `message` key is filled from the draws and `chain` keeps the frames `from`/`to`."""
    from utils.corpus import declared

    spec = yaml.safe_load(
        """
        label: L
        exception: x.Boom
        draw:
        - owner: {app: service}
        - - kind: {pick: [a, b]}
          - text: {message: 'm.{kind}'}
        - fault: {at: owner, method: start}
        - loop: {chain: event.loop, from: 1, to: 3}
        message: '{text}'
        call_stack: false
        throw: ['=loop']
        fault: '{fault}'
        cause: t.cause
        fix: t.cause
        """
    )
    declared.check_templates(Tables(templates={"t": spec}, origin={"templates:t": Path("t.yaml")}))
    loop = [StackFrame("io.Loop", f"step{index}") for index in range(4)]
    for seed in range(10):  # a web row's context wraps one in five on the call stack
        ctx = Ctx(random.Random(seed), Jdk(17), "en", Codebase("oss", random.Random(99)), "web", "t")
        ctx.chain = lambda name: list(loop)  # type: ignore[method-assign]
        ctx.message = lambda key, **slots: f"<{key}>"  # type: ignore[method-assign]
        ctx.text = lambda key, **slots: key  # type: ignore[method-assign]
        incident = declared.build(spec, ctx)
        (root,) = incident.chain
        owner = ctx.app("service")
        assert root.frames == loop[1:3] and root.message in ("<m.a>", "<m.b>")
        assert incident.fault == StackFrame(owner.fqcn, "start", owner.file, None, app=True)
        assert not incident.fault_in_trace


def test_a_helper_name_registered_twice_fails() -> None:
    import utils.corpus.families  # noqa: F401  (registers the families' helpers)
    from utils.corpus.declared import HELPERS, helper

    name = next(iter(HELPERS))
    with pytest.raises(ValueError, match=f"helper '{name}' is registered twice"):
        helper(name)(lambda c: None)
