"""What Java code throws on purpose, in its own words: `throw new X("...")` statements mined from source code.

Most masked failures the classifier misses are an application's own `IllegalArgumentException` or
`IllegalStateException` worded in that application's terms, and the generator's templates word them in few ways.
Developers word them by convention (`... must not be negative`, `... already started`), and source code holds that
convention thousands of times over. `mine(paths)` reads `.java` files (loose, in directories, or inside `.tar.*` /
`.zip` archives such as Debian source packages), and gives each `throw new X(...)` as a `ThrowStatement`: the
exception class as the file resolves it, the message as a template (`{}` where a value is computed at run time, with
the expression's name as a hint; empty where the message holds no literal words), and where it stands (class,
method, first and last line). Stage 1's wording memory (utils/stage1/wording.py) votes with the worded ones on a
masked trace's message; the throw-site rule of a team's own code (utils/code_throws.py) reads where each stands.

Test code is skipped (its throws are assertion helpers and fixtures), and so are the packages of
`throw_statements.yaml`'s `excluded_packages`: the dev set's projects and the public bug benchmarks reserved for
independent evaluation, whose own wording must not help type their traces.
"""

from __future__ import annotations

import fnmatch
import gzip
import io
import json
import re
import tarfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from utils.atomic import open_atomic

TABLES_FILE = Path(__file__).with_name("throw_statements.yaml")
# The statements the wording memory reads by default (data/THROW_STATEMENTS.md says what was mined, and how).
DEFAULT_STATEMENTS = Path(__file__).resolve().parents[2] / "data" / "throw_statements.jsonl.gz"
_TABLES = yaml.safe_load(TABLES_FILE.read_text(encoding="utf-8"))

# Comments blanked (newlines kept, so line numbers hold) while string and char literals stay whole.
_LEXEMES = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|//[^\n]*|/\*.*?\*/', re.S)
_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)\s*;", re.M)
_IMPORT = re.compile(r"^\s*import\s+([\w.]+)\s*;", re.M)
_THROW = re.compile(r"\bthrow\s+new\s+([A-Za-z_][\w.]*)\s*\(")
# type arguments nested two deep, spaces allowed: `<E, T extends Collection<E>>`, `Map<String, List<Integer>>`
_GENERIC = r"<(?:[^<>{};()]|<(?:[^<>{};()]|<[^<>{};()]*>)*>)*>"
_METHOD = re.compile(
    r"(?:^|[;{}])\s*(?:@\w+(?:\([^)]*\))?\s*)*(?:(?:public|protected|private|static|final|synchronized|abstract|"
    rf"native|default|strictfp)\s+)*(?:{_GENERIC}\s*)?(?:([\w.$?]+(?:\s*{_GENERIC})?(?:\s*\[\])*)\s+)?"
    r"(\w+)\s*\([^;{}()]*(?:\([^;{}()]*\)[^;{}()]*)*\)\s*(?:throws\s+[\w.,\s]+)?\{")
_NOT_METHODS = frozenset({"if", "for", "while", "switch", "catch", "synchronized", "return", "new", "else", "try",
                          "do", "throw", "super", "this"})
_STRING = re.compile(r'"((?:\\.|[^"\\\n])*)"')
_FORMAT_SPEC = re.compile(r"%(?:\d+\$)?[-#+ 0,(]*\d*(?:\.\d+)?[a-zA-Z%]")
_MESSAGE_FORMAT = re.compile(r"\{\d+(?:,[^}]*)?\}")
_ESCAPES = {"n": " ", "t": " ", "r": "", '"': '"', "'": "'", "\\": "\\", "b": "", "f": "", "0": ""}


@dataclass(frozen=True)
class ThrowStatement:
    exception: str  # as the file resolves it: qualified where an import, java.lang or its own package says
    message: str  # the message as a template: `{}` for each run-time value; "" where it holds no literal words
    hints: tuple[str, ...]  # the expression behind each `{}`, for a plausible value (`index`, `name`)
    class_name: str  # the file's top-level class, qualified
    method: str  # `<init>` for a constructor
    line: int  # where `throw` stands
    source: str  # the archive or directory it was read from
    # where the `new X(...)` call ends: javac gives the frame the line of the statement's last call, anywhere in between
    end_line: int | None = None

    @property
    def worded(self) -> bool:
        return bool(self.message)

    def as_json(self) -> dict:
        return {**asdict(self), "hints": list(self.hints)}

    @classmethod
    def from_json(cls, row: dict) -> ThrowStatement:
        """A statement from its JSON object; a missing field, or an exception or message that is not text, is a
        ValueError or TypeError naming it."""
        wrong = [name for name in ("exception", "message") if not isinstance(row.get(name), str)]
        if wrong:
            raise ValueError(f"{' and '.join(wrong)} must be text")
        return cls(**{**row, "hints": tuple(row.get("hints", ()))})


def _blank_comments(text: str) -> str:
    def blank(match: re.Match) -> str:
        lexeme = match.group(0)
        return lexeme if lexeme[0] in "\"'" else re.sub(r"[^\n]", " ", lexeme)
    return _LEXEMES.sub(blank, text)


def _call_arguments(text: str, start: int) -> list[str] | None:
    """The top-level arguments of the call whose `(` is just before `start`; None when it does not close."""
    call = _call(text, start)
    return call[0] if call else None


def _call(text: str, start: int) -> tuple[list[str], int] | None:
    """`_call_arguments`, and where the call's `)` stands."""
    depth, current, arguments, index = 1, [], [], start
    while index < len(text):
        char = text[index]
        if char in "\"'":
            literal = _LEXEMES.match(text, index)
            if literal is None:
                return None
            current.append(literal.group(0))
            index = literal.end()
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                arguments.append("".join(current).strip())
                return [argument for argument in arguments if argument], index
        elif char == "," and depth == 1:
            arguments.append("".join(current).strip())
            current = []
            index += 1
            continue
        elif char == ";":
            return None
        current.append(char)
        index += 1
    return None


def _split_top(expression: str, separator: str) -> list[str]:
    """`expression` split at `separator` outside literals and brackets."""
    parts, current, depth, index = [], [], 0, 0
    while index < len(expression):
        char = expression[index]
        if char in "\"'":
            literal = _LEXEMES.match(expression, index)
            end = literal.end() if literal else len(expression)
            current.append(expression[index:end])
            index = end
            continue
        depth += char in "([{"
        depth -= char in ")]}"
        if char == separator and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current).strip())
    return parts


def _unescape(literal: str) -> str:
    return re.sub(r"\\u([0-9a-fA-F]{4})|\\(.)",
                  lambda m: chr(int(m.group(1), 16)) if m.group(1) else _ESCAPES.get(m.group(2), m.group(2)), literal)


def _hint(expression: str) -> str:
    """The name behind a run-time value: `getName()` -> name, `this.index` -> index, `args[0]` -> args."""
    names = re.findall(r"[A-Za-z_]\w*", re.sub(r'"(?:\\.|[^"\\])*"', "", expression))
    names = [name for name in names if name not in {"this", "String", "valueOf", "toString", "format", "Arrays"}]
    if not names:
        return ""
    # `size.get()`: the value is the receiver's, not the getter's
    name = names[-2] if expression.rstrip().endswith(")") and len(names) > 1 and names[-1] in {"get"} else names[-1]
    return re.sub(r"^(get|is)(?=[A-Z])", "", name).lower()


def message_template(expression: str) -> tuple[str, tuple[str, ...]] | None:
    """The message an expression builds, as a template and its value hints; None when it holds no literal text."""
    format_call = re.match(r"(?:String\.format|MessageFormat\.format|format)\s*\(", expression)
    if format_call and expression.endswith(")"):
        arguments = _call_arguments(expression, format_call.end()) or []
        if not arguments or not _STRING.fullmatch(arguments[0]):
            return None
        text = _unescape(_STRING.fullmatch(arguments[0]).group(1))
        hints = tuple(_hint(argument) for argument in arguments[1:])
        pattern = _FORMAT_SPEC if "%" in text else _MESSAGE_FORMAT
        text = pattern.sub(lambda m: "%" if m.group(0) == "%%" else "{}", text)
        return (text, hints[: text.count("{}")] + ("",) * max(text.count("{}") - len(hints), 0)) if text else None
    pieces, hints = [], []
    for operand in _split_top(expression, "+"):
        literal = _STRING.fullmatch(operand)
        if literal:
            pieces.append(_unescape(literal.group(1)).replace("{}", "{ }"))
        elif operand:
            pieces.append("{}")
            hints.append(_hint(operand))
    text = "".join(pieces)
    if not re.search(r"[A-Za-z]{2}", text.replace("{}", "")):
        return None
    return text, tuple(hints)


def _excluded(package: str) -> bool:
    return any(package == prefix or package.startswith(prefix + ".") for prefix in _TABLES["excluded_packages"])


def _is_test_path(path: str) -> bool:
    return any(fnmatch.fnmatch(path.lower(), pattern) for pattern in _TABLES["test_paths"])


def _resolve(name: str, package: str, imports: dict[str, str]) -> str:
    if "." in name:
        return name
    if name in imports:
        return imports[name]
    return f"java.lang.{name}" if name in _TABLES["java_lang"] else f"{package}.{name}" if package else name


def statements_in(text: str, path: str, source: str, worded_only: bool = False) -> list[ThrowStatement]:
    """The `throw new X(...)` statements of one Java file's text (none for test code or excluded packages); with
    `worded_only`, those whose message holds literal words (the wording memory reads no other)."""
    if _is_test_path(path):
        return []
    package_match = _PACKAGE.search(text)
    package = package_match.group(1) if package_match else ""
    if _excluded(package):
        return []
    code = _blank_comments(text)
    imports = {name.rsplit(".", 1)[-1]: name for name in _IMPORT.findall(code)}
    stem = Path(path).stem
    class_name = f"{package}.{stem}" if package else stem
    methods = [(match.start(2), "<init>" if match.group(2) == stem and not match.group(1) else match.group(2))
               for match in _METHOD.finditer(code) if match.group(2) not in _NOT_METHODS]
    found = []
    for throw in _THROW.finditer(code):
        call = _call(code, throw.end())
        template = message_template(call[0][0]) if call and call[0] else None
        enclosing = [name for start, name in methods if start < throw.start()]
        if call is None or not enclosing or (template is None and worded_only):
            continue
        found.append(ThrowStatement(
            exception=_resolve(throw.group(1), package, imports), message=template[0] if template else "",
            hints=template[1] if template else (), class_name=class_name, method=enclosing[-1],
            line=code.count("\n", 0, throw.start()) + 1, source=source, end_line=code.count("\n", 0, call[1]) + 1))
    return found


def _java_files(path: Path, root: Path | None = None) -> Iterator[tuple[str, str]]:
    """(path, text) of every .java file under `path`: a file, a directory, or a tar / zip archive. A directory's
    files are named from it (`/src/test/...`), so a checkout that itself sits under a `tests/` folder is not all
    taken for test code."""
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and (child.suffix == ".java" or is_source_archive(child)):
                yield from _java_files(child, root or path)
    elif path.suffix == ".java":
        name = f"/{path.relative_to(root).as_posix()}" if root else path.name
        yield name, path.read_text(encoding="utf-8", errors="replace")
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for name in sorted(archive.namelist()):
                if name.endswith(".java"):
                    yield name, archive.read(name).decode("utf-8", errors="replace")
    elif is_source_archive(path):
        with tarfile.open(path) as archive:
            for member in archive:
                if member.isfile() and member.name.endswith(".java"):
                    handle = archive.extractfile(member)
                    if handle is not None:
                        yield member.name, io.TextIOWrapper(handle, encoding="utf-8", errors="replace").read()


def is_source_archive(path: Path) -> bool:
    """A name `mine` reads as an archive of sources."""
    return any(path.name.endswith(suffix) for suffix in (".tar.gz", ".tgz", ".tar.xz", ".tar.bz2", ".zip", ".jar"))


def mine(paths: Iterable[str | Path], worded_only: bool = False) -> list[ThrowStatement]:
    """Every throw statement in the Java sources under `paths` (`statements_in`), in path order."""
    statements = []
    for path in paths:
        source = Path(path).name
        try:
            for name, text in _java_files(Path(path)):
                statements += statements_in(text, name, source, worded_only)
        except (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile) as error:  # a damaged or cut archive
            raise ValueError(f"{path}: cannot be read as Java sources ({error})") from None
    return statements


def read_statements(path: str | Path) -> list[ThrowStatement]:
    """Statements saved by `write_statements` (JSONL, gzipped when the name ends in .gz); one line per error."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    statements, number = [], 0
    try:
        with opener(path, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    statements.append(ThrowStatement.from_json(json.loads(line)))
                except (ValueError, TypeError, AttributeError) as error:
                    raise ValueError(f"{path}:{number}: not a throw statement ({error})") from None
    except (OSError, EOFError, UnicodeDecodeError, zlib.error) as error:  # not gzip, cut, damaged, not UTF-8
        where = f"{path}:{number + 1}" if number else str(path)
        raise ValueError(f"{where}: cannot be read as statements ({error})") from None
    return statements


def write_statements(path: str | Path, statements: list[ThrowStatement]) -> None:
    """`statements` as JSONL (gzipped for a .gz name, with no time stamp, so the same statements give the same
    bytes), written whole or not at all."""
    text = "".join(json.dumps(statement.as_json(), ensure_ascii=False) + "\n" for statement in statements)
    with open_atomic(path, "wb") as out:
        out.write(gzip.compress(text.encode("utf-8"), mtime=0) if str(path).endswith(".gz") else text.encode("utf-8"))
