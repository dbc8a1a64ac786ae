"""JDK-version-accurate frames: the same call prints differently on JDK 6/7/8 and 11/17/21.

`Jdk.f("java.util.ArrayList.get", (433, 458, 427, 427))` takes line numbers as (JDK 8, 11, 17, 21) and adds the
`java.base/` module prefix on JDK 9+. Versions differ in more than lines (sun.reflect vs jdk.internal.reflect,
DirectMethodHandleAccessor on 21): the segments of utils/corpus/jdk.yaml hold those differences once.

JDK 6 rows are built as JDK 7 rows and then rewritten frame by frame (`as_jdk6`, jdk.yaml's `jdk6` table): JDK 6
ran the same code paths with other line numbers and a few other classes (AbstractList$Itr, FutureTask$Sync,
ThreadPoolExecutor$Worker.runTask, PlainSocketImpl), so one table covers templates and segments alike.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

import yaml

from utils.corpus.model import Incident, StackFrame, Thrown
from utils.corpus.tables import FrameSpec, parse_frame
from utils.parsing.stacktrace import JDK_PREFIXES

TABLES_FILE = Path(__file__).with_name("jdk.yaml")
_TABLES = yaml.safe_load(TABLES_FILE.read_text(encoding="utf-8"))

JDK_VERSIONS = (6, 7, 8, 11, 17, 21)


def _jdk_frames(items: list[str]) -> list[FrameSpec]:
    """Frames as jdk.yaml writes them: every one a JDK frame (no `jdk ` needed), `<segment>`s named."""
    return [
        spec if spec.segment else dataclasses.replace(spec, jdk=True)
        for spec in (parse_frame(item, TABLES_FILE) for item in items)
    ]


_MODULES: dict[str, str] = _TABLES["modules"]
# segment -> {the newest JDK a variant holds for: its frames}; a plain list holds for every version
_SEGMENTS = {
    name: {newest: _jdk_frames(items) for newest, items in spec.items()}
    if isinstance(spec, dict)
    else {JDK_VERSIONS[-1]: _jdk_frames(spec)}
    for name, spec in _TABLES["segments"].items()
}
# "qualified.method[:line]" -> a line, or the frames that replace it on JDK 6
JDK6_FRAMES: dict[str, int | list[FrameSpec]] = {
    key: spec if isinstance(spec, int) else _jdk_frames(spec) for key, spec in _TABLES["jdk6"].items()
}


def jdk_module(class_name: str) -> str | None:
    return next((module for prefix, module in _MODULES.items() if class_name.startswith(prefix)), None)


def source_file(class_name: str) -> str:
    """ "java.util.ArrayList$Itr" -> "ArrayList.java"."""
    return class_name.rsplit(".", 1)[-1].split("$", 1)[0] + ".java"


def lib(qualified_method: str, line: int | None, file: str | None = None) -> StackFrame:
    """A library (non-JDK) frame; the file defaults to the outer class's name."""
    cls, method = qualified_method.rsplit(".", 1)
    if file is None and line is not None:
        file = source_file(cls)
    return StackFrame(cls, method, file, line)


Lines = int | tuple[int, int, int, int] | None  # a line, or the lines on (JDK 8, 11, 17, 21)
_LINES_INDEX = {7: 0, 8: 0, 11: 1, 17: 2, 21: 3}  # a version's entry in such a tuple (JDK 6 and 7 read 8's)


class Jdk:
    """Frame factory for one JDK version."""

    def __init__(self, version: int) -> None:
        if version not in JDK_VERSIONS:
            raise ValueError(f"unsupported JDK version {version}; choose from {JDK_VERSIONS}")
        self.version = version
        # The version whose tables the segments read: JDK 6 is built as 7, then rewritten by `as_jdk6`.
        self.base = 7 if version == 6 else version

    def at_least(self, version: int) -> bool:
        return self.version >= version

    def f(
        self, qualified_method: str, lines: Lines = None, file: str | None = None, native: bool = False
    ) -> StackFrame:
        cls, method = qualified_method.rsplit(".", 1)
        line = lines[_LINES_INDEX[self.base]] if isinstance(lines, tuple) else lines
        return StackFrame(
            cls=cls,
            method=method,
            file=None if native else (file or source_file(cls)),
            line=None if native else line,
            module=jdk_module(cls) if self.version >= 9 else None,
            native=native,
        )

    def segment(self, name: str) -> list[StackFrame]:
        """A segment of utils/corpus/jdk.yaml on this version (the variant of the first version at or above it)."""
        variants = _SEGMENTS[name]
        return self.frames(variants[min(newest for newest in variants if newest >= self.base)])

    def frames(self, specs: Iterable[FrameSpec]) -> list[StackFrame]:
        """A data file's frames on this version: JDK and library frames, `<segment>`s and `<proxy>` frames."""
        frames: list[StackFrame] = []
        for spec in specs:
            if spec.segment:
                frames += self.segment(spec.method)
            elif spec.proxy:
                module = "jdk.proxy1" if self.version >= 17 else None
                frames.append(StackFrame(f"{module or 'com.sun.proxy'}.$Proxy2", spec.method, module=module))
            elif spec.jdk:
                frames.append(self.f(spec.method, spec.lines, native=spec.native))
            else:
                frames.append(lib(spec.method, spec.lines))
        return frames

    def async_supply(self, on_common_pool: bool) -> list[StackFrame]:
        """Below a CompletableFuture.supplyAsync lambda: the task and the thread that ran it."""
        return self.segment("async_supply_common" if on_common_pool else "async_supply_pool")


# -- JDK 6 ----------------------------------------------------------------------------------------------------------
def _jdk6_frames(frame: StackFrame) -> list[StackFrame]:
    if not frame.cls.startswith(JDK_PREFIXES):
        return [_anonymous_class(frame)]
    spec = JDK6_FRAMES.get(f"{frame.qualified_method}:{frame.line}", JDK6_FRAMES.get(frame.qualified_method))
    if spec is None:
        return [frame]
    if isinstance(spec, int):
        return [dataclasses.replace(frame, line=spec)]
    return _JDK6.frames(spec)


def _anonymous_class(frame: StackFrame) -> StackFrame:
    """Java 6 code (the application's and its libraries') has no lambdas: `Foo.lambda$run$2` was an anonymous
    `Foo$3.run`; a CGLIB proxy's frame names the proxied method."""
    if not frame.method.startswith("lambda$"):
        return frame
    parts = frame.method.split("$")
    if frame.generated:
        return dataclasses.replace(frame, method=parts[1] if len(parts) > 2 else "invoke")
    number = int(parts[-1]) + 1 if parts[-1].isdigit() else 1
    return dataclasses.replace(frame, cls=f"{frame.cls}${number}", method="run")


_JDK6 = Jdk(6)


def as_jdk6(incident: Incident) -> Incident:
    """The incident as JDK 6 prints it (see `JDK6_FRAMES`); equal frames stay equal, so `... N more` still holds."""
    chain = [
        Thrown(exc.cls, exc.message, [new for frame in exc.frames for new in _jdk6_frames(frame)])
        for exc in incident.chain
    ]
    return dataclasses.replace(incident, chain=chain, fault=_anonymous_class(incident.fault))
