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
    if sys.platform == "win32":
        return psutil.Process().memory_info().peak_wset / _MB
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / _MB if sys.platform == "darwin" else peak / 1024
