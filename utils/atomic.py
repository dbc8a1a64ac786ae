"""Atomic file writes: a temp file beside the target, renamed over it, so no reader ever sees half a file; and a
run stopped by SIGTERM unwinds as Ctrl-C does, so no temp file is left behind."""

from __future__ import annotations

import json
import os
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def open_atomic(path: str | Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    """Like `open(path, mode)` for writing; the file appears at `path` only if the block finishes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")
    try:
        with os.fdopen(handle, mode, encoding=None if "b" in mode else encoding) as out:
            yield out
        # mkstemp makes the file private (0600); give it the mode a plain open() would have.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp_name, 0o666 & ~umask)
        os.replace(temp_name, path)
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)


def write_json_atomic(path: str | Path, payload: Any) -> Path:
    with open_atomic(path) as out:
        json.dump(payload, out, indent=2, ensure_ascii=False, default=str)
        out.write("\n")
    return Path(path)


def write_jsonl_atomic(path: str | Path, rows: Iterable[dict[str, Any]]) -> Path:
    with open_atomic(path) as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    return Path(path)


def check_output_paths(outputs: Mapping[str, str | None], inputs: Iterable[str] = ()) -> list[str]:
    """Before a run reads anything: a one-line `ValueError` when an output (option name -> path; None: not asked
    for) is one of the `inputs` or another output's path, is a directory, or has a file where its folder would be;
    a run would otherwise replace its own input or one output with another, or fail after all its work. Returns the
    outputs that exist already (the run replaces them, and says so)."""
    readable = {os.path.realpath(path): path for path in inputs if path != "-" and os.path.isfile(path)}
    taken: dict[str, str] = {}
    existing: list[str] = []
    for option, path in outputs.items():
        if not path:
            continue
        if path == "-":  # "-" reads standard input; written, it would make a file named "-"
            raise ValueError(f"{option} -: names a file to write, and '-' (standard output) is not one; give a path")
        real = os.path.realpath(path)
        if real in readable:
            raise ValueError(f"{option} {path}: it is an input of this run ({readable[real]}); write elsewhere")
        if real in taken:
            raise ValueError(f"{option} {path}: {taken[real]} writes to the same file; give each its own path")
        taken[real] = f"{option} {path}"
        if os.path.isdir(path):
            raise ValueError(f"{option} {path}: is a directory; give a file path")
        folder = Path(real).parent
        while not folder.exists():
            folder = folder.parent
        if not folder.is_dir():
            raise ValueError(f"{option} {path}: {folder} is a file, so its folder cannot be made")
        if os.path.exists(path):
            existing.append(path)
    return existing


def check_output_folder(path: str | Path) -> None:
    """SystemExit, in one line, when the `--output_dir` a run writes into is a file: said before the run reads
    anything, not when it first writes there."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise SystemExit(f"--output_dir {path}: is a file, not a directory")


@contextmanager
def terminate_unwinds() -> Iterator[None]:
    """Inside the block, SIGTERM (`kill`, `timeout`, a scheduler stopping a job) raises SystemExit(143) instead of
    ending the process where it stands: `open_atomic` removes its temp file and a child process is stopped, as
    after Ctrl-C. Outside the main thread (where Python allows no handler) the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
