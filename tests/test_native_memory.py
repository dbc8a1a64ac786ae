"""Memory native code freed leaves predict.py's process (utils/native_memory.py), and oneDNN's kernel cache is kept
small unless the user sets its size (utils/stage1/inference.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from utils.native_memory import release_freed_memory

REPO = Path(__file__).resolve().parents[1]


# Run in a fresh process: in pytest's, memory earlier tests freed would serve the blocks without the RSS growing.
_HOLD_FREE_TRIM = """
import ctypes, ctypes.util, psutil
from utils.native_memory import release_freed_memory
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
process = psutil.Process()
before = process.memory_info().rss
# 64 KiB blocks come from the heap (under malloc's mmap threshold); the last one pins the heap's top, so freeing the
# others alone returns nothing to the OS
blocks = [libc.malloc(64 * 1024) for _ in range(2000)]
for block in blocks:
    ctypes.memset(block, 1, 64 * 1024)
for block in blocks[:-1]:
    libc.free(block)
held = process.memory_info().rss - before
released = release_freed_memory()
print(held, process.memory_info().rss - before, released)
"""


@pytest.mark.skipif(not release_freed_memory(), reason="malloc_trim is glibc's")
def test_freed_heap_memory_leaves_the_process() -> None:
    shown = subprocess.run([sys.executable, "-c", _HOLD_FREE_TRIM], cwd=REPO, capture_output=True, text=True,
                           check=True).stdout.split()
    held, after, released = int(shown[0]), int(shown[1]), shown[2]
    assert held > 100 * 2**20  # the premise: free() kept the pages
    assert released == "True"
    assert after < held - 100 * 2**20


@pytest.mark.parametrize(("user", "expected"), [(None, "8"), ("256", "256")])
def test_onednn_kernel_cache_is_small_unless_the_user_sized_it(user: str | None, expected: str) -> None:
    environment = {key: value for key, value in os.environ.items() if key != "ONEDNN_PRIMITIVE_CACHE_CAPACITY"}
    if user is not None:
        environment["ONEDNN_PRIMITIVE_CACHE_CAPACITY"] = user
    shown = subprocess.run(
        [sys.executable, "-c", "import os, utils.stage1.inference; print(os.environ['ONEDNN_PRIMITIVE_CACHE_CAPACITY'])"],
        cwd=REPO, env=environment, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert shown == expected
