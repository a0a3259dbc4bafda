"""The Benchmark page of the app (Streamlit lists app/pages/ files in the sidebar next to the main page).

Layout and widgets only: the measuring, the tables and the chart data all come
from app.bench (plan, runner, results, compare), the core of scripts/benchmark.py. Run a quick benchmark of
the chosen model, or load result files saved by `scripts/benchmark.py
--output json`, and compare tokens/s per configuration (CPU against GPU,
threads, offloaded layers) and memory.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from app.bench.compare import chart_rows, compare_markdown, memory_rows, skipped_rows
from app.bench.plan import Options, expand_configs, parse_list, prepare
from app.bench.results import load_result, to_csv, to_json, to_markdown
from app.bench.runner import run_benchmark
from app.errors import CVEnhancerError
from app.formatting import escape_markdown
from app.hub.catalog import available_models, synthetic_models
from app.llm.engine import gpu_offload_supported
from app.settings import default, describe, label, widget_kwargs
from app.ui_widgets import ready_model_picker


def main() -> None:
    st.set_page_config(page_title="CV Enhancer · Benchmark", page_icon="⏱️", layout="wide")
    st.session_state.setdefault("bench_results", {})
    st.title("Benchmark")
    st.caption(
        "How fast a model runs on this computer, in the manner of llama.cpp's llama-bench: prompt processing "
        "(pp), generation (tg) and optionally the real CV analysis, per configuration."
    )
    run_column, load_column = st.columns(2)
    with run_column:
        quick_benchmark()
    with load_column:
        load_files()
    show_results(st.session_state.bench_results)


def quick_benchmark() -> None:
    st.subheader("Run a quick benchmark")
    # Built synthetic models too: a model not downloaded is measured on its same-shape twin (speed only).
    model = ready_model_picker(st, [*available_models(), *synthetic_models()])
    threads = st.text_input(
        f"{label('threads')} (a list)", str(default("threads")), help=f"{describe('threads')}; e.g. 1,2,4: one row each"
    )
    layers = st.text_input(
        "GPU layers (a list)", str(default("gpu_layers")), help=f"{describe('gpu_layers')}; e.g. 0,16,all: one row each"
    )
    if not gpu_offload_supported():
        st.caption("This llama-cpp-python build has no GPU offload: GPU configurations are reported as skipped.")
    first, second, third = st.columns(3)
    repetitions = first.number_input("Repetitions", 1, 10, 2)
    n_prompt = second.number_input("Prompt tokens (pp)", 0, 4096, 64, 16)
    n_gen = third.number_input("New tokens (tg)", 0, 1024, 16, 8)
    task = st.checkbox("Include the real task (one CV + job analysis; slower)", value=False)
    batch_column, ctx_column = st.columns(2)
    batch = batch_column.number_input(**widget_kwargs("batch"))
    ctx = ctx_column.number_input(**widget_kwargs("ctx"))
    if not st.button("Run", type="primary") or model is None:
        return
    try:
        options = Options(
            repetitions=int(repetitions), n_prompt=int(n_prompt), n_gen=int(n_gen), task=task, task_tokens=16
        )
        configs = expand_configs(
            [model],
            parse_list(threads, "CPU threads"),
            parse_list(layers, "GPU layers", allow_all=True, minimum=0),
            [int(batch)],
            [int(ctx)],
        )
        planned = prepare(configs, options)
    except CVEnhancerError as error:
        st.error(escape_markdown(str(error)))
        return
    bar = st.progress(0.0, text=f"0 of {len(planned)} configurations")

    def progress(done: int, total: int, label: str) -> None:
        text = f"{done} of {total} configurations" + (f" — running {label}" if done < total else "")
        bar.progress(done / total, text=text)

    result = run_benchmark(planned, options, progress=progress)
    name = f"run {dt.datetime.now().strftime('%H:%M:%S')}"
    st.session_state.bench_results[name] = result
    failed = [row["reason"] for row in result["results"] if row["status"] == "failed"]
    if failed:
        st.error(escape_markdown(f"A configuration failed: {failed[0]}"))


def load_files() -> None:
    st.subheader("Load saved results")
    uploads = st.file_uploader(
        "Result files (scripts/benchmark.py --output json)", type=["json"], accept_multiple_files=True
    )
    for upload in uploads or []:
        try:
            st.session_state.bench_results[upload.name] = load_result(upload.getvalue(), upload.name)
        except CVEnhancerError as error:
            st.error(escape_markdown(str(error)))


def show_results(results: dict[str, dict[str, Any]]) -> None:
    if not results:
        st.info("Run a benchmark or load a saved result file to see the charts.")
        return
    chosen = st.multiselect("Results shown", list(results), default=list(results))
    pairs = [(name, results[name]) for name in chosen]
    speed = chart_rows(pairs)
    if speed:
        st.subheader("Tokens per second")
        st.caption(
            "Real and synthetic models side by side, told apart by colour: a synthetic model has the real one's "
            "shape and tensor types with random weights (its speed, none of its text)."
        )
        st.bar_chart(speed, x="configuration", y="tokens/s", color="series", stack=False, horizontal=True)
        st.subheader("Memory")
        st.bar_chart(memory_rows(pairs), x="configuration", y=["peak RSS MB", "GPU MB"], stack=False, horizontal=True)
    else:
        st.warning("No configuration of these results was measured.")
    for name, result in pairs:
        for reason in dict.fromkeys(row["reason"] for row in skipped_rows(result)):
            st.warning(escape_markdown(f"{name}: not measured — {reason}"))
        with st.expander(f"Table: {name}"):
            st.markdown(to_markdown(result))
            json_column, csv_column = st.columns(2)
            json_column.download_button(
                "Download JSON", to_json(result), f"benchmark-{name}.json", "application/json", key=f"json {name}"
            )
            csv_column.download_button("Download CSV", to_csv(result), f"benchmark-{name}.csv", "text/csv", key=name)
    if len(pairs) >= 2:
        st.subheader("Compare")
        names = [name for name, _ in pairs]
        first, second = st.columns(2)
        a = first.selectbox("A (e.g. the CPU run)", names, index=0)
        b = second.selectbox("B (e.g. the GPU run)", names, index=1)
        if a is not None and b is not None:
            st.markdown(compare_markdown(results[a], results[b], a, b))


main()
