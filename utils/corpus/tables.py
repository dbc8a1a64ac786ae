"""The generator's tables: one YAML file per exception family under `utils/corpus/templates/`.

Each file may hold three sections (any other key fails the load with one sentence naming the file):

- `frames:` named frame chains, deepest frame first. A frame is one string:
  `[jdk ]<package.Class.method>[:<line>][ native]`, where `<line>` is one number or four numbers `8/11/17/21`
  (the line on JDK 8, 11, 17 and 21; JDK 6 and 7 use 8's). `jdk ` marks a JDK frame (it gets the module prefix
  on JDK 9+ and keeps its file name without a line); other frames are library frames (no line: "Unknown
  Source"). An entry `@name` inserts the chain `name` (defined in any file) in its place, `<name>` the JDK
  segment `name` of utils/corpus/jdk.yaml on the row's JDK, and `<proxy>method` a JDK dynamic proxy's frame.
- `texts:` English/Korean pairs, `{en: ..., ko: ...}`, with `{slot}` placeholders filled by `str.format`
  (`{site.method}`, `{what[0]}` work; a literal brace is doubled).
- `messages:` exception messages (one language: the JVM's), `{slot}`s as in texts.
- `values:` pick lists: the options a template draws from with `c.pick(c.values(key))`.
- `templates:` declared templates (the regular ones), built by utils/corpus/declared.py (format there).
- `maps:` lookup tables (an HTTP status to its reason phrase, a library version to its line numbers), read with
  `tables().maps[name]`; lists in them read as tuples.

Names are global across files, so a chain or text is written once and any family may reuse it. The order of
random draws lives in a template's composition: a declared template's `draw:` list, or a Python template's code
(pick lists and the other tables draw nothing by themselves).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it: loads 4x faster
SECTIONS = ("frames", "texts", "messages", "values", "maps", "templates")
LANGUAGES = ("en", "ko")
_FRAME = re.compile(
    r"^(?:<proxy>(?P<proxied>[\w$]+)|<(?P<segment>\w+)>|"
    r"(?P<jdk>jdk )?(?P<method>[^\s:]+\.[^\s:.]+)(?::(?P<lines>\d+(?:/\d+){3}|\d+))?(?P<native> native)?)$"
)


@dataclass(frozen=True)
class FrameSpec:
    """One frame of a chain as written in a data file."""

    method: str  # qualified method: "com.zaxxer.hikari.HikariDataSource.getConnection" (a segment: its name)
    lines: int | tuple[int, ...] | None = None
    jdk: bool = False
    native: bool = False
    segment: bool = False  # `<name>`: a JDK segment, expanded on the row's JDK
    proxy: bool = False  # `<proxy>method`: a JDK dynamic proxy's frame (its class depends on the JDK)


@dataclass
class Tables:
    """Every data file merged: chains (references resolved), texts and value lists, each name defined once."""

    frames: dict[str, list[FrameSpec]] = field(default_factory=dict)
    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    values: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    maps: dict[str, dict[Any, Any]] = field(default_factory=dict)
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> its entry (declared.py builds it)
    origin: dict[str, Path] = field(default_factory=dict)  # "frames:name" -> the file that defines it
    referenced: set[str] = field(default_factory=set)  # chains some chain inserts with `@name`


class TableError(ValueError):
    """A data file that does not follow the format above."""


def parse_frame(text: str, path: Path) -> FrameSpec:
    match = _FRAME.match(text)
    if match is None:
        raise TableError(f"{path.name}: frame {text!r} is not `[jdk ]package.Class.method[:line][ native]`.")
    if match["proxied"]:
        return FrameSpec(match["proxied"], proxy=True)
    if match["segment"]:
        return FrameSpec(match["segment"], segment=True)
    lines: int | tuple[int, ...] | None = None
    if match["lines"]:
        numbers = tuple(int(part) for part in match["lines"].split("/"))
        lines = numbers if len(numbers) > 1 else numbers[0]
    return FrameSpec(match["method"], lines, bool(match["jdk"]), bool(match["native"]))


def frozen(value: Any) -> Any:
    """Lists as tuples, all the way down: a table is read, never changed."""
    if isinstance(value, list):
        return tuple(frozen(item) for item in value)
    if isinstance(value, dict):
        return {key: frozen(item) for key, item in value.items()}
    return value


def _check_mapping(value: Any, what: str, path: Path) -> dict:
    if not isinstance(value, dict):
        raise TableError(f"{path.name}: {what} must be a mapping.")
    return value


def _define(tables: Tables, section: str, name: Any, path: Path) -> None:
    if not isinstance(name, str):
        raise TableError(f"{path.name}: {section} name {name!r} must be a string.")
    key = f"{section}:{name}"
    if key in tables.origin:
        raise TableError(f"{path.name}: {section} name {name!r} is already defined in {tables.origin[key].name}.")
    tables.origin[key] = path


def load_file(path: Path, tables: Tables, references: dict[str, list[str]]) -> None:
    """Add one data file to `tables`; chain references are collected and resolved once all files are read."""
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
    _check_mapping(document, "the top level", path)
    unknown = sorted(set(document) - set(SECTIONS))
    if unknown:
        raise TableError(f"{path.name}: unknown key {unknown[0]!r} (allowed: {', '.join(SECTIONS)}).")
    for name, frames in _check_mapping(document.get("frames") or {}, "frames", path).items():
        _define(tables, "frames", name, path)
        if not isinstance(frames, list) or not all(isinstance(frame, str) for frame in frames):
            raise TableError(f"{path.name}: chain {name!r} must be a list of frame strings.")
        references[name] = frames
    for name, pair in _check_mapping(document.get("texts") or {}, "texts", path).items():
        _define(tables, "texts", name, path)
        if not isinstance(pair, dict) or set(pair) != set(LANGUAGES) or not all(isinstance(pair[k], str) for k in pair):
            raise TableError(f"{path.name}: text {name!r} must have exactly the string keys en and ko.")
        tables.texts[name] = pair
    for name, message in _check_mapping(document.get("messages") or {}, "messages", path).items():
        _define(tables, "messages", name, path)
        if not isinstance(message, str):
            raise TableError(f"{path.name}: message {name!r} must be a string.")
        tables.messages[name] = message
    for name, options in _check_mapping(document.get("values") or {}, "values", path).items():
        _define(tables, "values", name, path)
        if not isinstance(options, list) or not options:
            raise TableError(f"{path.name}: values {name!r} must be a non-empty list.")
        tables.values[name] = tuple(frozen(option) for option in options)
    for name, mapping in _check_mapping(document.get("maps") or {}, "maps", path).items():
        _define(tables, "maps", name, path)
        tables.maps[name] = frozen(_check_mapping(mapping, f"map {name!r}", path))
    for name, spec in _check_mapping(document.get("templates") or {}, "templates", path).items():
        _define(tables, "templates", name, path)
        tables.templates[name] = _check_mapping(spec, f"template {name!r}", path)  # keys: declared.check_templates


def _resolve(name: str, raw: dict[str, list[str]], tables: Tables, stack: tuple[str, ...]) -> list[FrameSpec]:
    if name in tables.frames:
        return tables.frames[name]
    path = tables.origin[f"frames:{name}"]
    frames: list[FrameSpec] = []
    for entry in raw[name]:
        if not entry.startswith("@"):
            frames.append(parse_frame(entry, path))
            continue
        target = entry[1:]
        if target not in raw:
            raise TableError(f"{path.name}: chain {name!r} refers to the unknown chain {target!r}.")
        if target in stack:
            raise TableError(f"{path.name}: chain {name!r} refers to itself through {target!r}.")
        tables.referenced.add(target)
        frames += _resolve(target, raw, tables, (*stack, target))
    tables.frames[name] = frames
    return frames


def load_tables(directory: Path = TEMPLATES_DIR) -> Tables:
    """Every `*.yaml` under `directory`, checked against the format above."""
    tables = Tables()
    raw: dict[str, list[str]] = {}
    for path in sorted(directory.glob("*.yaml")):
        load_file(path, tables, raw)
    for name in raw:
        _resolve(name, raw, tables, (name,))
    return tables


@cache
def tables() -> Tables:
    """The shipped tables, loaded once per process."""
    return load_tables()


def chain_references(tables_dir: Path = TEMPLATES_DIR) -> set[str]:
    """Chains some data file inserts with `@name` (for the test that every chain is used)."""
    return load_tables(tables_dir).referenced
