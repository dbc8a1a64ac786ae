"""Keeps the analyzer's native memory (outside Python's heap) to what it needs: oneDNN's kernel cache small, and the
pages a model pass freed returned to the operating system.

- oneDNN keeps up to 1,024 compiled kernels (primitives), one per shape its bf16 matmuls met. Dynamic padding and
  stage 2's decoding steps meet new shapes at almost every call, so the cache held tens of MB of kernels it rarely
  reused; 8 lowered predict.py's peak at the same speed, 0 cost 10-15% of the time
  (docs/measurements/production_logs.md, "Kernel cache and freed pages"). oneDNN reads the size when it builds its
  first kernel, so `limit_kernel_cache` runs before any model does.
- A model pass allocates its activations, oneDNN's scratch buffers and the tokenizer's batch through glibc's malloc,
  from the main heap and from one arena per thread. Freed, that memory stays in the process (glibc returns a heap's
  top only): after one MiniLM pass over 120 texts (bf16) the process held 577 MB RSS against 505 MB before it, and
  539 MB after `malloc_trim(0)`, which releases the free pages of every arena. glibc only: elsewhere (musl, macOS,
  Windows) the call is absent and `release_freed_memory` does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Callable
from functools import cache

KERNEL_CACHE_CAPACITY = 8
# oneDNN reads the first of these names that is set; a user who set either keeps their value
_KERNEL_CACHE_VARIABLES = ("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "DNNL_PRIMITIVE_CACHE_CAPACITY")


def limit_kernel_cache() -> None:
    """oneDNN keeps at most KERNEL_CACHE_CAPACITY kernels, unless the user sized its cache. Effective when no oneDNN
    kernel has run in this process yet (predict.py: before its models load)."""
    if not any(name in os.environ for name in _KERNEL_CACHE_VARIABLES):
        os.environ[_KERNEL_CACHE_VARIABLES[0]] = str(KERNEL_CACHE_CAPACITY)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where the C library has none."""
    # the process's own symbols first (libc is loaded): find_library needs ldconfig or a compiler, which slim
    # images lack
    libraries: list[str | None] = [None] if os.name == "posix" else []
    name = ctypes.util.find_library("c")
    if name is not None:
        libraries.append(name)
    for library in libraries:
        try:
            return ctypes.CDLL(library).malloc_trim
        except (OSError, AttributeError):
            continue
    return None


def release_freed_memory() -> bool:
    """Returns the free pages of malloc's heaps to the OS; whether the C library could (True on glibc)."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
