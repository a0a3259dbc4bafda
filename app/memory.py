"""Process memory figures: resident set size now and at its peak, in MB."""

from __future__ import annotations

import sys

import psutil

_MB = 1024 * 1024


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
    try:
        import pynvml
    except ImportError:
        return None
    try:
        pynvml.nvmlInit()
        try:
            handle = pynvml.nvmlDeviceGetHandleByIndex(0)
            return pynvml.nvmlDeviceGetMemoryInfo(handle).used / _MB
        finally:
            pynvml.nvmlShutdown()
    except pynvml.NVMLError:
        return None
