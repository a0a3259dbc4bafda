"""Process memory figures: resident set size now and at its peak, in MB."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import psutil

from app.errors import InsufficientMemoryError
from app.llm.gguf_info import GgufInfo, read_gguf_info

_MB = 1024 * 1024
T = TypeVar("T")


def rss_mb() -> float:
    """Resident memory of this process now."""
    return psutil.Process().memory_info().rss / _MB


def peak_rss_mb() -> float:
    """The most resident memory this process has held since it started."""
    if sys.platform.startswith("linux"):
        # VmHWM belongs to this program's address space. getrusage's ru_maxrss
        # would not do: Linux carries it across fork+exec, so a process started
        # by a big parent reports the parent's peak.
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    if sys.platform == "win32":
        return psutil.Process().memory_info().peak_wset / _MB
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / _MB if sys.platform == "darwin" else peak / 1024


def gpu_memory_used_mb() -> float | None:
    """GPU memory in use on the first NVIDIA GPU (NVML), or None where there is none to ask."""
    return _nvml_memory("used")


def gpu_info() -> dict[str, Any] | None:
    """The first NVIDIA GPU's name and total memory (NVML), or None where there is none to ask."""

    def ask(pynvml: Any, handle: Any) -> dict[str, Any]:
        name = pynvml.nvmlDeviceGetName(handle)
        total = pynvml.nvmlDeviceGetMemoryInfo(handle).total
        return {
            "name": name.decode() if isinstance(name, bytes) else str(name),
            "memory_total_mb": round(total / _MB),
        }

    return _ask_nvml(ask)


def gpu_bandwidth_gb_per_s() -> float | None:
    """The first NVIDIA GPU's theoretical memory bandwidth (NVML: bus width × max memory clock × 2, double data
    rate), in GB/s; None where there is no GPU to ask. The bound of a tg row with layers offloaded."""

    def ask(pynvml: Any, handle: Any) -> float:
        bus_bits = pynvml.nvmlDeviceGetMemoryBusWidth(handle)
        clock_mhz = pynvml.nvmlDeviceGetMaxClockInfo(handle, pynvml.NVML_CLOCK_MEM)
        return float(bus_bits) / 8 * float(clock_mhz) * 1e6 * 2 / 1e9

    return _ask_nvml(ask)


def _nvml_memory(field: str) -> float | None:
    return _ask_nvml(lambda pynvml, handle: float(getattr(pynvml.nvmlDeviceGetMemoryInfo(handle), field)) / _MB)


def _ask_nvml(question: Callable[[Any, Any], T]) -> T | None:
    """Ask NVML about GPU 0; None without the library, a driver or a GPU."""
    try:
        import pynvml
    except ImportError:
        return None
    try:
        pynvml.nvmlInit()
        try:
            return question(pynvml, pynvml.nvmlDeviceGetHandleByIndex(0))
        finally:
            pynvml.nvmlShutdown()
    except pynvml.NVMLError:
        return None


# What a loaded model needs besides its weights and KV cache: the Python
# runtime, llama.cpp's compute buffers, the app (measured: ~150-250 MB).
RUNTIME_OVERHEAD_MB = 200.0


@dataclass(frozen=True)
class MemoryEstimate:
    ram_mb: float
    vram_mb: float


def estimate_model_memory(info: GgufInfo, n_ctx: int, n_batch: int, n_gpu_layers: int) -> MemoryEstimate:
    """RAM and VRAM a model needs: weights + KV cache for n_ctx + logits buffers + runtime.

    Offloaded layers move their share of the weights and of the KV cache to the GPU.
    """
    layers = max(1, info.block_count)
    on_gpu = 1.0 if n_gpu_layers < 0 else min(1.0, n_gpu_layers / layers)
    weights_mb = info.file_size / _MB
    kv_mb = info.kv_cache_bytes(n_ctx) / _MB
    # llama.cpp's logits for a batch, and llama-cpp-python's copy of them.
    logits_mb = 2 * n_batch * info.vocab_size * 4 / _MB
    ram = (weights_mb + kv_mb) * (1 - on_gpu) + logits_mb + RUNTIME_OVERHEAD_MB
    vram = (weights_mb + kv_mb) * on_gpu
    return MemoryEstimate(ram_mb=ram, vram_mb=vram)


def check_memory_for(path: Path, n_ctx: int, n_batch: int, n_gpu_layers: int) -> MemoryEstimate:
    """Refuse, with what to do instead, to load a model that would not fit in free memory.

    Swapping a laptop to a halt is worse than a clear refusal before the load.
    """
    estimate = estimate_model_memory(read_gguf_info(path), n_ctx, n_batch, n_gpu_layers)
    available_mb = psutil.virtual_memory().available / _MB
    if estimate.ram_mb > available_mb:
        raise InsufficientMemoryError(
            f"{path.name} needs about {estimate.ram_mb / 1024:.1f} GB of RAM at context {n_ctx} but only "
            f"{available_mb / 1024:.1f} GB is free; close other programs, lower the context size, offload layers "
            "to a GPU, or use a smaller quantization (Q3_K_M or Q2_K)."
        )
    free_vram_mb = gpu_memory_free_mb()
    if estimate.vram_mb > 0 and free_vram_mb is not None and estimate.vram_mb > free_vram_mb:
        raise InsufficientMemoryError(
            f"offloading {n_gpu_layers} layers of {path.name} needs about {estimate.vram_mb / 1024:.1f} GB of GPU "
            f"memory but {free_vram_mb / 1024:.1f} GB is free; offload fewer layers (--gpu-layers) or use a "
            "smaller quantization."
        )
    return estimate


def gpu_memory_free_mb() -> float | None:
    """Free memory on the first NVIDIA GPU (NVML), or None where there is none to ask."""
    return _nvml_memory("free")
