"""Which float type to compute in, read from the machine at run time (stdlib only; torch is asked lazily).

bf16 pays on CPUs that run it natively (AVX512-BF16, AMX) and on CUDA devices that support it; elsewhere oneDNN
emulates it and it is slower than fp32, so "auto" means bf16 only where the hardware says so.
"""

from __future__ import annotations

import platform
from functools import lru_cache
from pathlib import Path

NATIVE_BF16_FLAGS = ("avx512_bf16", "amx_bf16")
PRECISIONS = ("auto", "fp32", "bf16")


@lru_cache(maxsize=1)
def cpu_has_native_bf16() -> bool:
    """True when /proc/cpuinfo lists a native bf16 instruction set (Linux x86); False where it cannot be read."""
    if platform.system() != "Linux":
        return False
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    flags_line = next((line for line in text.splitlines() if line.startswith("flags")), "")
    flags = set(flags_line.split(":", 1)[-1].split())
    return any(flag in flags for flag in NATIVE_BF16_FLAGS)


def use_bf16(precision: str, device: str = "cpu") -> bool:
    """Whether to compute in bf16 for `precision` ("auto", "fp32", "bf16") on `device` ("cpu" or "cuda")."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    if precision != "auto":
        return precision == "bf16"
    if device.startswith("cuda"):
        import torch

        return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    return cpu_has_native_bf16()
