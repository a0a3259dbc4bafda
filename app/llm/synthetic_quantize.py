"""llama.cpp's quantizer for synthetic models: each tensor's type from llama_model_quantize, rows quantized by ggml."""

from __future__ import annotations

import contextlib
import ctypes
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gguf
import llama_cpp
import numpy as np

from app.errors import SettingsError, SyntheticBuildError

# llama.cpp's file types (enum llama_ftype) for the quantizations the catalog offers.
FTYPES: dict[str, int] = {
    "F16": 1,
    "Q4_0": 2,
    "Q4_1": 3,
    "Q8_0": 7,
    "Q5_0": 8,
    "Q5_1": 9,
    "Q2_K": 10,
    "Q3_K_S": 11,
    "Q3_K_M": 12,
    "Q3_K_L": 13,
    "Q4_K_S": 14,
    "Q4_K_M": 15,
    "Q5_K_S": 16,
    "Q5_K_M": 17,
    "Q6_K": 18,
}
BuildProgress = Callable[[str, float, float], None]  # (phase, done, total): "writing F16" bytes, "quantizing" tensors


_TENSOR_LINE = re.compile(r"\[\s*(\d+)/\s*(\d+)\]\s+(\S+)")
_NEW_TYPE = re.compile(r"(?:converting to|->\s+[\d.]+ MiB \()\s*(\w+)")


@dataclass
class QuantizeLog:
    """What llama.cpp's quantizer said, parsed from its log lines."""

    lines: list[str] = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)  # tensor name -> new type ("q4_K"), where converted
    errors: list[str] = field(default_factory=list)


@contextlib.contextmanager
def _llama_log_to(handler: Callable[[int, str], None]) -> Iterator[None]:
    """Route llama.cpp's log to handler for the duration, then give it back to llama-cpp-python's logger."""
    from llama_cpp import _logger

    @llama_cpp.llama_log_callback  # type: ignore[untyped-decorator]
    def callback(level: int, text: bytes, _user_data: ctypes.c_void_p) -> None:
        handler(level, text.decode("utf-8", errors="replace"))

    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))
    try:
        yield
    finally:
        llama_cpp.llama_log_set(_logger.llama_log_callback, ctypes.c_void_p(0))


def quantize(
    source: Path,
    target: Path,
    quantization: str,
    *,
    threads: int = 0,
    dry_run: bool = False,
    progress: BuildProgress | None = None,
) -> QuantizeLog:
    """Quantize an F16 GGUF with llama.cpp's own recipe (llama_model_quantize); SyntheticBuildError on failure."""
    quantization = quantization.upper()
    if quantization not in FTYPES:
        raise SettingsError(f"unknown quantization {quantization}; use one of {', '.join(FTYPES)}.")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = FTYPES[quantization]
    params.nthread = threads
    params.dry_run = dry_run
    log = QuantizeLog()
    pending = [""]

    def handle(level: int, text: str) -> None:
        pending[0] += text
        while "\n" in pending[0]:
            line, pending[0] = pending[0].split("\n", 1)
            log.lines.append(line)
            if level == 3 or "error" in line.lower():
                log.errors.append(line.strip())
            match = _TENSOR_LINE.search(line)
            if match:
                kind = _NEW_TYPE.search(line)
                if kind:
                    log.types[match.group(3)] = kind.group(1)
                if progress is not None:
                    progress("quantizing", int(match.group(1)), int(match.group(2)))

    with _llama_log_to(handle):
        status = llama_cpp.llama_model_quantize(
            str(source).encode("utf-8"), str(target).encode("utf-8"), ctypes.byref(params)
        )
    if status != 0:
        detail = log.errors[-1] if log.errors else f"status {status}"
        raise SyntheticBuildError(f"llama.cpp could not quantize {source.name} to {quantization}: {detail}")
    return log


@dataclass(frozen=True)
class QuantPlan:
    """What a quantization gives, from llama.cpp's dry run: each tensor's type and the file's size."""

    quantization: str
    types: dict[str, str]  # tensor name -> GGML type name ("q4_K", "q6_K", "f32")
    tensor_bytes: int
    f16_bytes: int  # the intermediate file

    def type_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for name in self.types.values():
            counts[name] = counts.get(name, 0) + 1
        return dict(sorted(counts.items()))


def quantized_row_bytes(type_name: str, row_values: int) -> int:
    quant_type = gguf.GGMLQuantizationType[type_name.upper()]
    block, type_size = gguf.GGML_QUANT_SIZES[quant_type]
    return row_values // block * type_size


# --- quantizing rows with ggml ---------------------------------------------------------------

SAMPLE_ROWS = 64  # rows quantized per tensor by ggml; the tensor repeats them (the values do not matter)


@functools.cache
def _ggml_quantize_chunk() -> Any:
    """ggml's own quantizer (the one llama_model_quantize calls), from the library llama-cpp-python ships."""
    from llama_cpp._ctypes_extensions import load_shared_library  # the platform's library name (.so, .dylib, .dll)

    library = load_shared_library("ggml-base", Path(llama_cpp.__file__).parent / "lib")
    function = library.ggml_quantize_chunk
    function.restype = ctypes.c_size_t
    function.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p] + [ctypes.c_int64] * 3 + [ctypes.c_void_p]
    library.ggml_quantize_init.argtypes = [ctypes.c_int]
    library.ggml_quantize_init.restype = None
    return library


def quantize_rows(type_name: str, values: np.ndarray) -> bytes:
    """Rows of float32 values in a GGML type ("q4_K", "q6_K", "f16", "f32"), by ggml_quantize_chunk."""
    quant_type = gguf.GGMLQuantizationType[type_name.upper()]
    rows, per_row = values.shape
    source = np.ascontiguousarray(values, dtype=np.float32)
    target = np.zeros(rows * quantized_row_bytes(type_name, per_row), dtype=np.uint8)
    library = _ggml_quantize_chunk()
    library.ggml_quantize_init(int(quant_type))
    written = library.ggml_quantize_chunk(
        int(quant_type), source.ctypes.data, target.ctypes.data, 0, rows, per_row, None
    )
    if written != target.nbytes:
        raise SyntheticBuildError(f"ggml quantized {written} bytes of {type_name}, expected {target.nbytes}.")
    return target.tobytes()
