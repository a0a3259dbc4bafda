"""Memory bandwidth and the speed limit it sets on generation (the roofline of tg).

Generating one token reads every weight once (bar the token-embedding table,
of which one row is read) plus the KV cache so far, so no machine can generate
faster than bandwidth ÷ bytes read per token. `measure_bandwidth` times a
STREAM-like copy (b → a, numpy, arrays far larger than any cache) on as many
threads as the benchmark row uses; STREAM counts a copy as reading b and
writing a, 2 × the array's bytes. `tg_bound` and `efficiency` put a measured
tg beside that limit. With layers on a GPU the offloaded bytes stream from the
card's memory (NVML's theoretical bandwidth) and the rest from RAM.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

DEFAULT_ARRAY_MB = 256  # per array, split among the threads: far beyond any CPU cache
DEFAULT_REPETITIONS = 5


@dataclass(frozen=True)
class Bandwidth:
    """The best of `repetitions` STREAM-like copies (STREAM reports the best, the least disturbed run)."""

    gb_per_s: float  # 10^9 bytes per second
    threads: int
    array_mb: int
    repetitions: int
    kernel: str = "copy"

    def to_dict(self) -> dict[str, float | int | str]:
        return {
            "gb_per_s": round(self.gb_per_s, 2),
            "threads": self.threads,
            "array_mb": self.array_mb,
            "repetitions": self.repetitions,
            "kernel": self.kernel,
        }


def measure_bandwidth(
    threads: int = 1, *, array_mb: int = DEFAULT_ARRAY_MB, repetitions: int = DEFAULT_REPETITIONS
) -> Bandwidth:
    """Copy bandwidth of this machine's RAM with `threads` threads (numpy releases the GIL while copying)."""
    threads = max(1, threads)
    values = array_mb * 1024 * 1024 // 8 // threads
    sources = [np.full(values, 1.0) for _ in range(threads)]
    targets = [np.zeros(values) for _ in range(threads)]  # written once here, so no page faults are timed
    barrier = threading.Barrier(threads + 1)

    def copy(index: int) -> None:
        for _ in range(repetitions + 1):  # the first round warms up
            barrier.wait()
            np.copyto(targets[index], sources[index])
            barrier.wait()

    workers = [threading.Thread(target=copy, args=(index,), daemon=True) for index in range(threads)]
    for worker in workers:
        worker.start()
    best = float("inf")
    for round_number in range(repetitions + 1):
        barrier.wait()
        started = time.perf_counter()
        barrier.wait()
        elapsed = time.perf_counter() - started
        if round_number:
            best = min(best, elapsed)
    for worker in workers:
        worker.join()
    moved = 2 * 8 * values * threads
    return Bandwidth(moved / best / 1e9, threads, array_mb, repetitions)


def tg_bound(bytes_per_token: float, bandwidth_gb_per_s: float) -> float | None:
    """Tokens per second memory allows when every token reads bytes_per_token at the given bandwidth."""
    if bytes_per_token <= 0 or bandwidth_gb_per_s <= 0:
        return None
    return bandwidth_gb_per_s * 1e9 / bytes_per_token


def split_bound(cpu_bytes: float, cpu_gb_per_s: float, gpu_bytes: float, gpu_gb_per_s: float | None) -> float | None:
    """The bound with some weights in RAM and the rest in GPU memory: the two reads happen one after the other."""
    seconds = 0.0
    if cpu_bytes > 0:
        if cpu_gb_per_s <= 0:
            return None
        seconds += cpu_bytes / (cpu_gb_per_s * 1e9)
    if gpu_bytes > 0:
        if not gpu_gb_per_s:
            return None
        seconds += gpu_bytes / (gpu_gb_per_s * 1e9)
    return 1.0 / seconds if seconds > 0 else None


def efficiency(measured_ts: float | None, bound_ts: float | None) -> float | None:
    """Measured tg over the bound (1.0 = at the physical limit)."""
    if not measured_ts or not bound_ts:
        return None
    return measured_ts / bound_ts
