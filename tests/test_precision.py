"""bf16 is chosen from what the hardware says at run time, never assumed."""

from __future__ import annotations

import pytest

from utils.stage1 import precision


def test_explicit_choices_win_and_bad_values_fail() -> None:
    assert precision.use_bf16("bf16") and not precision.use_bf16("fp32")
    with pytest.raises(ValueError, match="precision must be one of"):
        precision.use_bf16("fp16")


@pytest.mark.parametrize("flags, expected", [("fpu avx512f avx512_bf16 sse", True), ("fpu amx_bf16 amx_tile", True),
                                             ("fpu avx2 avx512f avx512bw", False)])
def test_auto_reads_cpu_flags(monkeypatch, tmp_path, flags: str, expected: bool) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {flags}\n", encoding="utf-8")
    monkeypatch.setattr(precision, "Path", lambda _: cpuinfo)
    monkeypatch.setattr(precision.platform, "system", lambda: "Linux")
    precision.cpu_has_native_bf16.cache_clear()
    try:
        assert precision.use_bf16("auto", "cpu") is expected
    finally:
        precision.cpu_has_native_bf16.cache_clear()
