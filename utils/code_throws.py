"""A root cause whose name is unreadable, typed by the throw of the team's own code that stands at its top frame's
line (`predict.py --code_throws SRC`, `evaluate.py --code_throws SRC`: sources, or the statements mined from them).

Without a name, stage 1 guesses a failure's class from its wording and frames, and an application's own
`IllegalArgumentException` reads like its own `LimitExceededException`; the code that threw it says which. Given the
statements scripts/mine_throw_statements.py mines from the code that wrote the log, a root cause with no readable
name whose top frame stands inside one `throw new X(...)` (the frame's file, the statement's first to last line:
javac gives the frame the line of the statement's last call) is typed X (utils/jvm_evidence.py's first rule), where:
- the frame's method is the statement's (a lambda's `lambda$name$0` counts as `name`, an inner class's constructor
  as the inner class's name): code edited since the mining moves lines more often than methods;
- every statement there throws the same class;
- a worded statement's longest literal piece shows in the root cause's message, and a worded statement does not
  fire on a root cause with no message: the code at that line did not throw it (another version of the file, or a
  null met while the message was being built).
Only the code the user names is read (its sources, mined at start, or their statements): the shipped statements
(data/throw_statements.jsonl.gz) are other versions of other code, whose lines say nothing about the code that ran.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from utils.corpus.throw_statements import ThrowStatement, is_source_archive, mine, read_statements
from utils.parsing.stacktrace import Frame, ThrownException

CODE_THROWS_HELP = ("The code that wrote the logs: its sources (a directory, or a .zip / .jar / .tar.* of them), "
                    "mined at start, or its statements mined once by scripts/mine_throw_statements.py SRC --output "
                    "FILE. A root cause whose name is missing or masked and whose top frame stands at one of its "
                    "`throw new X(...)` statements is typed X (decided by \"your code's throw\").")
_SPACES = re.compile(r"\s+")


class StatementsFileError(ValueError):
    """A --code_throws file that is missing or cannot be read: one sentence naming it (and the line at fault)."""


@dataclass(frozen=True)
class _Site:
    first: int
    last: int
    method: str
    exception: str
    words: str  # the message template's longest literal piece, spaces collapsed; "" for an unworded throw


def _longest_piece(template: str) -> str:
    pieces = [_SPACES.sub(" ", piece).strip() for piece in template.split("{}")]
    return max(pieces, key=len, default="")


def _file_class(frame: Frame) -> str:
    """The top-level class of the frame's source file: `Foo$1` and `Foo$Inner` run code of Foo.java."""
    if frame.file and frame.file.endswith(".java"):
        stem = frame.file[: -len(".java")]
        return f"{frame.package}.{stem}" if frame.package else stem
    return frame.class_name.split("$", 1)[0]


def _frame_method(frame: Frame) -> str:
    """The method as the source names it: `lambda$post$0` -> post, an inner class's `<init>` -> its name."""
    if frame.method.startswith("lambda$"):
        return frame.method.split("$")[1] if frame.method.count("$") >= 2 else frame.method
    if frame.method == "<init>" and "$" in frame.class_name:
        return frame.class_name.rsplit("$", 1)[-1]
    return frame.method


class CodeThrows:
    """Where a codebase's `throw new X(...)` statements stand, by source file."""

    def __init__(self, path: str, statements: Iterable[ThrowStatement]) -> None:
        self.path = path
        self._sites: dict[str, list[_Site]] = defaultdict(list)
        for statement in statements:
            self._sites[statement.class_name].append(_Site(
                statement.line, statement.end_line or statement.line, statement.method, statement.exception,
                _longest_piece(statement.message)))

    def thrown_at(self, root: ThrownException) -> str | None:
        """The class the code throws at `root`'s top frame, or None where the code does not say (or disagrees)."""
        top = root.frames[0] if root.frames else None
        if top is None or top.line is None or top.masked:
            return None
        method = _frame_method(top)
        sites = [site for site in self._sites.get(_file_class(top), ())
                 if site.first <= top.line <= site.last and site.method == method]
        if len({site.exception for site in sites}) != 1:
            return None
        message = _SPACES.sub(" ", root.message or "")
        if any(site.words and site.words not in message for site in sites):
            return None
        return sites[0].exception

    def describe(self) -> dict[str, object]:
        return {"file": self.path, "statements": sum(map(len, self._sites.values()))}


def load_code_throws(path: str | Path) -> CodeThrows:
    """The throw statements of `path`: Java sources (a directory, a .java file, a source archive), mined here, or a
    file of scripts/mine_throw_statements.py; a StatementsFileError naming it."""
    path = Path(path)
    sources = path.is_dir() or path.suffix == ".java" or is_source_archive(path)
    if not path.exists():
        raise StatementsFileError(f"--code_throws {path}: no such file or directory (your code's sources, or "
                                  f"scripts/mine_throw_statements.py SRC --output {path})")
    try:
        statements = mine([path]) if sources else read_statements(path)
    except ValueError as error:
        raise StatementsFileError(f"--code_throws {error}") from None
    if not statements:
        what = "no `throw new` in its main code (test code is skipped)" if sources else "no throw statement in it"
        raise StatementsFileError(f"--code_throws {path}: {what}")
    return CodeThrows(str(path), statements)
