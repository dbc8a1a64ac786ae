"""Memory native code freed leaves predict.py's process, and oneDNN's kernel cache is kept small unless the user
sized it (utils/native_memory.py)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _without_cache_size() -> dict[str, str]:
    """This process's environment without a oneDNN cache size, under either of its names."""
    return {key: value for key, value in os.environ.items() if not key.endswith("_PRIMITIVE_CACHE_CAPACITY")}

# Run in a fresh process: in pytest's, memory earlier tests freed would serve the blocks without the RSS growing.
# RSS from /proc (Linux, where glibc is): the second field of statm, in pages.
_HOLD_FREE_TRIM = """
import ctypes, os
from utils.native_memory import release_freed_memory
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
def rss():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
before = rss()
# 64 KiB blocks come from the heap (under malloc's mmap threshold); the last one pins the heap's top, so freeing the
# others alone returns nothing to the OS
blocks = [libc.malloc(64 * 1024) for _ in range(2000)]
for block in blocks:
    ctypes.memset(block, 1, 64 * 1024)
for block in blocks[:-1]:
    libc.free(block)
held = rss() - before
released = release_freed_memory()
print(held, rss() - before, released)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_freed_heap_memory_leaves_the_process() -> None:
    shown = subprocess.run([sys.executable, "-c", _HOLD_FREE_TRIM], cwd=REPO, capture_output=True, text=True,
                           check=True).stdout.split()
    held, after, released = int(shown[0]), int(shown[1]), shown[2]
    assert held > 100 * 2**20  # the premise: free() kept the pages
    assert released == "True"
    assert after < held - 100 * 2**20


_SHOW_KERNEL_CACHE = """
import os
from utils.native_memory import limit_kernel_cache
limit_kernel_cache()
print(os.environ.get("ONEDNN_PRIMITIVE_CACHE_CAPACITY"), os.environ.get("DNNL_PRIMITIVE_CACHE_CAPACITY"))
"""


@pytest.mark.parametrize(("user", "expected"), [
    ({}, "8 None"),
    ({"ONEDNN_PRIMITIVE_CACHE_CAPACITY": "256"}, "256 None"),
    ({"DNNL_PRIMITIVE_CACHE_CAPACITY": "1024"}, "None 1024"),  # oneDNN's older name, which it reads second
])
def test_onednn_kernel_cache_is_small_unless_the_user_sized_it(user: dict[str, str], expected: str) -> None:
    shown = subprocess.run([sys.executable, "-c", _SHOW_KERNEL_CACHE], cwd=REPO, env={**_without_cache_size(), **user},
                           capture_output=True, text=True, check=True).stdout.strip()
    assert shown == expected


def test_the_analyzer_sizes_the_kernel_cache_before_its_models_load(tmp_path: Path) -> None:
    # importing the analyzer sets nothing (a process that runs no model keeps oneDNN's default); loading models does,
    # first: here the model directory is missing, and the size was set before that was found
    script = f"""
import os
from utils.pipeline.analyze import Analyzer, AnalyzerOptions
before = os.environ.get("ONEDNN_PRIMITIVE_CACHE_CAPACITY")
try:
    Analyzer(AnalyzerOptions(model_dirs=[{str(tmp_path / "no-model")!r}]))
except Exception as error:
    print(type(error).__name__, before, os.environ.get("ONEDNN_PRIMITIVE_CACHE_CAPACITY"))
"""
    shown = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=_without_cache_size(), capture_output=True, text=True,
                           check=True).stdout.split()
    assert shown[1:] == ["None", "8"], shown
