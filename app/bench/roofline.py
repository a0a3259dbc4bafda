"""Each tg row beside the speed memory bandwidth allows, and the time to first token of a one-page CV.

`annotate` adds to a benchmark result, in place: per tg row the bytes read per
token (from the GGUF's tensor sizes and the KV cache at the test's mean
context), the bandwidth of its thread count, the bound and the efficiency
(measured ÷ bound); per row the first-token estimate of the real task at the
configuration's pp speed. `markdown_section` prints them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.bench.bandwidth import Bandwidth, efficiency, split_bound
from app.llm.gguf_info import TokenReads, token_reads

# The tg test's prompt length (app.bench.plan.TG_PROMPT_TOKENS); repeated to keep this module free of the plan.
_TG_PROMPT_TOKENS = 8


def annotate(
    result: dict[str, Any],
    bandwidths: Mapping[int, Bandwidth],
    gpu_gb_per_s: float | None = None,
    reads: Mapping[str, TokenReads] | None = None,
) -> None:
    """Add bytes_per_token, bandwidth_gb_per_s, bound_ts and efficiency to the tg rows; est_ttft_s to every row."""
    cache: dict[str, TokenReads | None] = dict(reads or {})
    pp_speed: dict[Any, float] = {}
    for row in result["results"]:
        if row["status"] == "ok" and str(row["test"]).startswith("pp") and row.get("avg_ts"):
            pp_speed[row.get("config_id")] = row["avg_ts"]
    for row in result["results"]:
        tokens = row.get("task_prompt_tokens")
        speed = pp_speed.get(row.get("config_id"))
        row["est_ttft_s"] = tokens / speed if tokens and speed else None
        for key in ("bytes_per_token", "bandwidth_gb_per_s", "gpu_bandwidth_gb_per_s", "bound_ts", "efficiency"):
            row.setdefault(key, None)
        if row["status"] != "ok" or not str(row["test"]).startswith("tg"):
            continue
        path = row["model_file"]
        if path not in cache:
            try:
                cache[path] = token_reads(path)
            except Exception:  # a file gone since the run: the row keeps its speed, without a bound
                cache[path] = None
        profile = cache[path]
        bandwidth = bandwidths.get(row["threads"])
        if profile is None or bandwidth is None:
            continue
        mean_context = _TG_PROMPT_TOKENS + (row.get("n_gen") or 0) / 2
        cpu_bytes, gpu_bytes = profile.split(row["gpu_layers"], mean_context)
        bound = split_bound(cpu_bytes, bandwidth.gb_per_s, gpu_bytes, gpu_gb_per_s)
        row["bytes_per_token"] = round(cpu_bytes + gpu_bytes)
        row["bandwidth_gb_per_s"] = round(bandwidth.gb_per_s, 3)
        row["gpu_bandwidth_gb_per_s"] = gpu_gb_per_s if gpu_bytes else None
        row["bound_ts"] = bound
        row["efficiency"] = efficiency(row.get("avg_ts"), bound)


def _label(row: Mapping[str, Any]) -> str:
    name = f"{row['model']} {row['quantization']}" if row.get("quantization") else str(row["model"])
    return f"{name} (synthetic)" if row.get("synthetic") and not name.startswith("synthetic:") else name


def markdown_section(rows: Sequence[Mapping[str, Any]], table: Any) -> str:
    """The tg rows against the bound, and the first-token estimates; "" when there is nothing to show.

    `table` is app.formatting.markdown_table (passed in to keep one table style).
    """
    parts = []
    tg_rows = [row for row in rows if row["status"] == "ok" and row.get("bound_ts")]
    if tg_rows:
        header = [
            "model",
            "backend",
            "threads",
            "ngl",
            "test",
            "t/s",
            "RAM GB/s",
            "MB/token",
            "bound t/s",
            "efficiency",
        ]
        cells = [
            [
                _label(row),
                row["backend"],
                str(row["threads"]),
                "all" if row["gpu_layers"] < 0 else str(row["gpu_layers"]),
                row["test"],
                f"{row['avg_ts']:.2f} ± {(row.get('stddev_ts') or 0):.2f}",
                f"{row['bandwidth_gb_per_s']:.1f}",
                f"{row['bytes_per_token'] / 1e6:.0f}",
                f"{row['bound_ts']:.2f}",
                f"{row['efficiency'] * 100:.0f} %" if row.get("efficiency") is not None else "—",
            ]
            for row in tg_rows
        ]
        parts.append(table(header, cells, [False, False, True, True, True, True, True, True, True, True]))
        parts.append(
            "- bound: memory bandwidth (STREAM-like copy, same thread count) ÷ bytes read per token (every weight "
            "but the embedding table, plus the KV cache at the test's mean context); efficiency = t/s ÷ bound"
        )
    estimates: dict[Any, Mapping[str, Any]] = {}
    for row in rows:
        if row["status"] == "ok" and row.get("est_ttft_s") is not None:
            estimates.setdefault(row.get("config_id"), row)
    if estimates:
        header = ["model", "backend", "threads", "ngl", "task prompt tokens", "est. first token s"]
        cells = [
            [
                _label(row),
                row["backend"],
                str(row["threads"]),
                "all" if row["gpu_layers"] < 0 else str(row["gpu_layers"]),
                str(row["task_prompt_tokens"]),
                f"{row['est_ttft_s']:.1f}",
            ]
            for row in estimates.values()
        ]
        parts.append(table(header, cells, [False, False, True, True, True, True]))
        parts.append("- est. first token: the real task's prompt (CV + job, as the pipeline builds it) ÷ the pp t/s")
    return "\n\n".join(parts)
