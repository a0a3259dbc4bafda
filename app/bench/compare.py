"""Comparing benchmark results: the speed-up of one run over another (--compare) and the app's chart rows.

No llama_cpp here (see app.bench.results).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from app.bench.plan import SWEEP_KEYS, BenchConfig, layers_text
from app.bench.results import mean_sd_text
from app.formatting import markdown_table

# --- comparing two results ---------------------------------------------------


def compare_rows(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of A and B joined by test and by every key (model and sweep keys) whose values both runs share.

    A key whose values differ between the runs (gpu_layers 0 in A, all in B) is
    what is being compared: it is not joined on, and shown as "A → B".
    """
    keys = ("model", *SWEEP_KEYS)
    a_rows, b_rows = a["results"], b["results"]
    shared = [key for key in keys if {row[key] for row in a_rows} == {row[key] for row in b_rows}]
    joined = []
    for a_row in a_rows:
        for b_row in b_rows:
            if b_row["test"] != a_row["test"] or any(b_row[key] != a_row[key] for key in shared):
                continue
            a_ts = a_row.get("avg_ts") if a_row["status"] == "ok" else None
            b_ts = b_row.get("avg_ts") if b_row["status"] == "ok" else None
            joined.append(
                {
                    "test": a_row["test"],
                    **{key: (a_row[key], b_row[key]) for key in keys},
                    "a_status": a_row["status"],
                    "b_status": b_row["status"],
                    "a_avg_ts": a_ts,
                    "a_stddev_ts": a_row.get("stddev_ts"),
                    "b_avg_ts": b_ts,
                    "b_stddev_ts": b_row.get("stddev_ts"),
                    "speedup": b_ts / a_ts if a_ts and b_ts else None,
                }
            )
    return joined


def compare_markdown(a: dict[str, Any], b: dict[str, Any], label_a: str = "A", label_b: str = "B") -> str:
    """A table of A t/s, B t/s and the speed-up B/A (e.g. A a CPU run, B a GPU run)."""
    joined = compare_rows(a, b)
    if not joined:
        return f"No rows of {label_a} and {label_b} share a test and configuration; nothing to compare.\n"

    def both(pair: tuple[Any, Any], text: Callable[[Any], str] = str) -> str:
        return text(pair[0]) if pair[0] == pair[1] else f"{text(pair[0])} → {text(pair[1])}"

    def ts(status: str, mean: float | None, sd: float | None) -> str:
        return mean_sd_text(mean, sd) if status == "ok" else status

    header = ["model", "threads", "ngl", "n_batch", "n_ctx", "test", "A t/s", "B t/s", "speed-up B/A"]
    rows = [
        [
            both(row["model"]),
            both(row["threads"]),
            both(row["gpu_layers"], layers_text),
            both(row["batch"]),
            both(row["ctx"]),
            row["test"],
            ts(row["a_status"], row["a_avg_ts"], row["a_stddev_ts"]),
            ts(row["b_status"], row["b_avg_ts"], row["b_stddev_ts"]),
            "—" if row["speedup"] is None else f"{row['speedup']:.2f}×",
        ]
        for row in joined
    ]
    table = markdown_table(header, rows, [False, True, True, True, True, True, True, True, True])
    legend = f"A: {label_a} ({_run_summary(a)})\nB: {label_b} ({_run_summary(b)})"
    return f"{legend}\n\n{table}\n"


def _run_summary(result: dict[str, Any]) -> str:
    env = result.get("environment", {})
    gpu = env.get("gpu_name") or "no GPU"
    return f"{env.get('cpu_model', '?')}, {gpu}, llama-cpp-python {env.get('llama_cpp_python', '?')}, " + str(
        env.get("timestamp", "")
    )


# --- the app's charts --------------------------------------------------------


def chart_rows(results: Sequence[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Flat rows for the Benchmark page's charts: one per measured configuration × test of each result.

    `configuration` names the run (when there are several), the backend, threads and offloaded layers.
    """
    several = len(results) > 1
    rows = []
    for source, result in results:
        for row in result["results"]:
            if row["status"] != "ok":
                continue
            config = BenchConfig(row["model"], row["threads"], row["gpu_layers"], row["batch"], row["ctx"])
            label = f"{source}: {config.label}" if several else config.label
            if len({r["model"] for r in result["results"]}) > 1:
                label = f"{row['model']} {label}"
            rows.append(
                {
                    "source": source,
                    "configuration": label,
                    "model": row["model"],
                    "weights": "synthetic" if row.get("synthetic") else "real",
                    # The chart's colour: the test, and whether the weights are real or synthetic.
                    "series": f"{row['test']} ({'synthetic' if row.get('synthetic') else 'real'} weights)",
                    "backend": row["backend"],
                    "threads": row["threads"],
                    "gpu_layers": layers_text(row["gpu_layers"]),
                    "test": row["test"],
                    "tokens/s": row.get("avg_ts"),
                    "sd": row.get("stddev_ts"),
                    "peak RSS MB": row.get("peak_rss_mb"),
                    "GPU MB": row.get("gpu_memory_mb"),
                }
            )
    return rows


def skipped_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows that were not measured, with why."""
    return [row for row in result["results"] if row["status"] != "ok"]


def memory_rows(results: Sequence[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """One row per measured configuration: peak RSS and GPU memory (the Benchmark page's memory chart)."""
    rows: dict[str, dict[str, Any]] = {}
    for row in chart_rows(results):
        rows.setdefault(
            row["configuration"],
            {
                "configuration": row["configuration"],
                "backend": row["backend"],
                "peak RSS MB": row["peak RSS MB"],
                "GPU MB": row["GPU MB"] or 0.0,
            },
        )
    return list(rows.values())
