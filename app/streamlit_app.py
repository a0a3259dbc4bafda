"""CV Enhancer in the browser: `streamlit run app/streamlit_app.py`.

Layout and widgets only. Reading files, the analysis, the prompt and the model
all live in the core (app.analysis.documents, app.pipeline); every error the core
raises is shown here as one `st.error` line that says what to do.
"""

from __future__ import annotations

import json
import time
from typing import Any

import streamlit as st

from app.analysis.documents import EXAMPLE_CV, EXAMPLE_JOB, SUPPORTED_SUFFIXES, Document, from_text, read_bytes
from app.analysis.plan import PLAN_SECTIONS
from app.bench.estimates import estimate_caption, estimate_text, load_estimates, quick_estimate
from app.errors import CVEnhancerError, InputError
from app.formatting import escape_markdown
from app.hub.catalog import MODELS_DIR, available_models, catalog_ref, find_entry, load_catalog
from app.hub.downloads import BackgroundDownload, bytes_on_disk
from app.llm.base import GenerationMetrics
from app.llm.engine import GPU_REBUILD_COMMAND, gpu_offload_supported
from app.llm.memory import gpu_memory_used_mb
from app.llm.writing import AdviceSection
from app.pipeline import run_analysis
from app.report import STOPPED_WARNING, VERDICT_TEXT, Report, metric_rows
from app.settings import Settings, default, describe, label, make_settings, server_urls_from_env, widget_kwargs
from app.ui_run import stop_requested

UPLOAD_TYPES = [suffix.lstrip(".") for suffix in SUPPORTED_SUFFIXES]
VERDICT_STYLE = {"strong_fit": st.success, "partial_fit": st.warning, "not_a_fit": st.error}
GREEDY_MODE, SAMPLING_MODE = "Greedy (same answer every time)", "Sampling"
# Redraw the live metrics at most this often: a redraw per token would slow generation.
METRICS_REFRESH_S = 0.3


def main() -> None:
    st.set_page_config(page_title="CV Enhancer", page_icon="📄", layout="wide")
    state = st.session_state
    state.setdefault("cv_text", "")
    state.setdefault("job_text", "")
    state.setdefault("report", None)
    state.setdefault("generating", False)

    recover_interrupted_run()
    settings = sidebar_settings()

    st.title("CV Enhancer")
    st.caption(
        "Check how well your CV matches a job, honestly — everything runs on this computer; "
        "nothing you enter is stored unless you download it."
    )
    if st.button("Try an example", help="Fill in a sample CV and job description"):
        state.cv_text = EXAMPLE_CV.read_text(encoding="utf-8")
        state.job_text = EXAMPLE_JOB.read_text(encoding="utf-8")

    cv_column, job_column = st.columns(2)
    with cv_column:
        st.subheader("Your CV")
        cv_upload = st.file_uploader("Upload your CV", type=UPLOAD_TYPES, key="cv_upload")
        st.text_area("…or paste it here", key="cv_text", height=260)
    with job_column:
        st.subheader("The job description")
        job_upload = st.file_uploader("Upload the job description", type=UPLOAD_TYPES, key="job_upload")
        st.text_area("…or paste it here", key="job_text", height=260)

    if st.button("Analyze", type="primary", disabled=settings is None):
        inputs = read_inputs(cv_upload, job_upload)
        if inputs is not None and settings is not None:
            analyze_and_stream(*inputs, settings)
            return
    if state.report is not None:
        show_report(state.report)


# --- sidebar -----------------------------------------------------------------


def sidebar_settings() -> Settings | None:
    """The settings widgets; None (with an error shown) when they do not validate."""
    sidebar = st.sidebar
    sidebar.header("Settings")
    env_urls = server_urls_from_env()
    where = sidebar.radio(
        label("backend"), ["This computer", "Model servers"], index=1 if env_urls else 0, help=describe("backend")
    )
    on_servers = where == "Model servers"
    server_urls: list[str] = []
    if on_servers:
        typed = sidebar.text_input(
            label("server_urls"),
            value=" ".join(env_urls),
            placeholder="http://127.0.0.1:8080/v1 (several: separated by spaces)",
            help=describe("server_urls"),
        )
        server_urls = typed.replace(",", " ").split()
    choices = available_models()
    # On servers the file is theirs: any catalog model may be named (for its chat format).
    ready = choices if on_servers else [choice for choice in choices if choice.available]
    labels = {choice.name: choice.label for choice in ready}
    names = list(labels)
    model = sidebar.selectbox(
        label("model"),
        names,
        index=names.index(default("model")) if default("model") in names else 0,
        format_func=labels.__getitem__,
        help=describe("model") + (" (the one the servers run: its chat format is used)" if on_servers else ""),
    )
    missing = [choice for choice in choices if not choice.available and choice.download_command]
    if missing and not on_servers:
        estimates = load_estimates()
        with sidebar.expander("More models (not downloaded)"):
            for choice in missing:
                size = f"{choice.size_gb:.1f} GB download" if choice.size_gb else "size unknown"
                ram = f", needs about {choice.ram_gb:g} GB RAM" if choice.ram_gb else ""
                st.markdown(f"**{choice.label}** — {size}{ram}")
                estimate = estimates.get(catalog_ref(choice.name))
                if estimate is not None:
                    st.markdown(estimate_text(estimate))
                    st.caption(estimate_caption(estimate))
                st.code(choice.download_command, language="bash")
                download_column, measure_column = st.columns(2)
                if download_column.button(
                    "Download now", key=f"download_{choice.name}", help="Fetch it from Hugging Face"
                ):
                    download_with_progress(choice.name)
                if measure_column.button(
                    "Measure speed here",
                    key=f"measure_{choice.name}",
                    help="Build a model of the same shape with synthetic weights (no download; several GB of disk "
                    "for a while, minutes for a 7B model) and time it on this computer. Speed only: it never "
                    "writes advice.",
                ):
                    measure_with_progress(choice.name)

    sidebar.subheader("Device")
    threads = sidebar.number_input(**widget_kwargs("threads"))
    can_offload = gpu_offload_supported()
    gpu_layers = sidebar.number_input(**widget_kwargs("gpu_layers"), disabled=not can_offload)
    if not can_offload:
        sidebar.caption(f"This llama-cpp-python build has no GPU offload. Rebuild it with `{GPU_REBUILD_COMMAND}`.")
    batch = sidebar.number_input(**widget_kwargs("batch"))
    ctx = sidebar.number_input(**widget_kwargs("ctx"))
    force_ctx = sidebar.checkbox(label("force_ctx"), value=default("force_ctx"), help=describe("force_ctx"))

    sidebar.subheader("Decoding")
    mode = sidebar.radio(
        label("greedy"),
        [GREEDY_MODE, SAMPLING_MODE],
        index=0 if default("greedy") else 1,
        help=describe("greedy"),
    )
    greedy = mode == GREEDY_MODE
    temperature = sidebar.slider(**widget_kwargs("temperature"), disabled=greedy)
    top_p = sidebar.slider(**widget_kwargs("top_p"), disabled=greedy)
    seed = sidebar.number_input(**widget_kwargs("seed"), disabled=greedy)
    repeat_penalty = sidebar.slider(**widget_kwargs("repeat_penalty"))
    max_tokens = sidebar.number_input(**widget_kwargs("max_tokens"))
    try:
        return make_settings(
            model=model,
            threads=int(threads),
            gpu_layers=int(gpu_layers),
            batch=int(batch),
            ctx=int(ctx),
            force_ctx=force_ctx,
            greedy=greedy,
            temperature=temperature,
            top_p=top_p,
            seed=int(seed),
            repeat_penalty=repeat_penalty,
            max_tokens=int(max_tokens),
            backend="server" if on_servers else "local",
            server_urls=server_urls,
        )
    except CVEnhancerError as error:
        sidebar.error(escape_markdown(str(error)))
        return None


def download_with_progress(name: str) -> None:
    """Download a catalog model, drawing a progress bar from the bytes already on disk."""
    entry = find_entry(name, load_catalog())
    job = BackgroundDownload(entry, MODELS_DIR)
    bar = st.progress(0.0, text=f"Downloading {entry.filename}…")
    total = entry.size_bytes or int(entry.approx_gb * 1e9) or None
    while job.running:
        done = bytes_on_disk(entry, MODELS_DIR)
        fraction = min(done / total, 1.0) if total else 0.0
        bar.progress(fraction, text=f"Downloading {entry.filename}: {done / 1e9:.2f} of {(total or 0) / 1e9:.2f} GB")
        time.sleep(0.5)
    if job.result is None:
        bar.empty()
        st.error(escape_markdown(job.error or f"downloading {entry.filename} was interrupted; try again."))
        return
    bar.progress(1.0, text=f"Downloaded and verified: {job.result.path}")
    st.rerun()  # the model now shows as available in the picker


def measure_with_progress(name: str) -> None:
    """Time a not-downloaded model on its synthetic twin (built first when needed), with a progress bar."""
    bar = st.progress(0.0, text=f"Preparing a synthetic {name}…")

    def on_build(phase: str, done: float, total: float) -> None:
        bar.progress(min(done / total, 1.0) if total else 0.0, text=f"Synthetic {name}: {phase}")

    def on_run(done: int, total: int, _label: str) -> None:
        bar.progress(done / total if total else 0.0, text=f"Measuring {name} (pp and tg)…")

    try:
        estimate = quick_estimate(name, int(default("threads")), on_build=on_build, on_run=on_run)
    except CVEnhancerError as error:
        bar.empty()
        st.error(escape_markdown(str(error)))
        return
    bar.progress(1.0, text=f"{name}: {estimate_text(estimate)}")
    st.rerun()  # the picker shows the new estimate


# --- inputs ------------------------------------------------------------------


def read_inputs(cv_upload: Any, job_upload: Any) -> tuple[Document, Document] | None:
    """The CV and job as documents (an upload wins over pasted text), or None with an error shown."""
    try:
        cv = _document(cv_upload, st.session_state.cv_text, "CV")
        job = _document(job_upload, st.session_state.job_text, "job description")
    except CVEnhancerError as error:
        st.error(escape_markdown(str(error)))
        return None
    return cv, job


def _document(upload: Any, pasted: str, what: str) -> Document:
    if upload is not None:
        return read_bytes(upload.getvalue(), upload.name)
    if not pasted.strip():
        raise InputError(f"no {what} given: upload a file or paste the text, or press “Try an example”.")
    return from_text(pasted, name=f"pasted {what}")


# --- running -----------------------------------------------------------------


def analyze_and_stream(cv: Document, job: Document, settings: Settings) -> None:
    """Run the analysis, showing the findings at once and the advice as it is generated."""
    state = st.session_state
    state.report = None
    state.generating = True
    state.partial_advice = ""
    state.pending_report = None

    findings_area = st.container()
    stop_slot = st.empty()
    if settings.use_llm:
        # Any click interrupts the running script; recover_interrupted_run keeps the text.
        stop_slot.button("Stop", help="Stop generating; what was written so far is kept")
    advice_column, plan_column, metrics_column = st.columns([3, 2, 2])
    with advice_column:
        st.subheader("Advice")
        status = st.empty()
        advice_box = st.empty()
        draft_box = st.empty()
    with plan_column:
        st.subheader("Your plan")
        plan_box = st.empty()
    with metrics_column:
        st.subheader("Speed and memory")
        metrics_box = st.empty()
    last_draw = [0.0]
    checked: list[AdviceSection] = []

    def on_findings(report: Report) -> None:
        state.pending_report = report
        with findings_area:
            show_findings(report)
        with plan_box.container():
            show_plan(report)
        if settings.use_llm:
            status.info("Asking the model servers…" if settings.backend == "server" else "Loading the model…")

    def on_queued() -> None:
        status.info("Another session is using the model; your analysis is queued and starts when it finishes.")

    def on_wait(message: str) -> None:
        # Another session holds the model with other settings: it is reloaded with these when that one is done.
        status.info(message)

    def on_token(piece: str) -> None:
        # The model's draft of the current section, shown greyed until its checks pass.
        if not state.partial_advice:
            status.empty()
        state.partial_advice += piece
        draft_box.caption("Writing (not checked yet): " + escape_markdown(state.partial_advice[-600:]) + " ▌")

    def on_section(section: AdviceSection) -> None:
        checked.append(section)
        state.partial_advice = ""
        draft_box.empty()
        advice_box.markdown(sections_markdown(checked))

    def on_metrics(metrics: GenerationMetrics) -> None:
        now = time.perf_counter()
        if now - last_draw[0] >= METRICS_REFRESH_S:
            last_draw[0] = now
            draw_metrics(metrics_box, metrics.to_dict(), settings)

    try:
        report = run_analysis(
            cv,
            job,
            settings,
            on_findings=on_findings,
            on_token=on_token,
            on_metrics=on_metrics,
            on_queued=on_queued,
            on_wait=on_wait,
            on_section=on_section,
            should_stop=stop_requested(),
        )
    except CVEnhancerError as error:
        state.generating = False
        status.empty()
        st.error(escape_markdown(str(error)))
        return
    except MemoryError:
        state.generating = False
        st.error("Not enough memory for this model and context size: pick a smaller model or context size.")
        return
    state.generating = False
    state.report = report
    status.empty()
    stop_slot.empty()
    draft_box.empty()
    with advice_box.container():
        show_advice(report)
    draw_metrics(metrics_box, report.metrics, settings)
    show_warnings_and_downloads(report)


def recover_interrupted_run() -> None:
    """After Stop (or any click) interrupted a generation, keep what was produced."""
    state = st.session_state
    if not state.get("generating"):
        return
    state.generating = False
    report: Report | None = state.get("pending_report")
    if report is None:
        return
    # The unchecked draft of the section being written is dropped: the plan's text stands in for it.
    report.complete_from_plan("generation was stopped by you before this section was written")
    report.warnings.append(STOPPED_WARNING)
    state.report = report


# --- output ------------------------------------------------------------------


def show_findings(report: Report) -> None:
    analysis = report.analysis
    verdict = VERDICT_TEXT[analysis.verdict]
    VERDICT_STYLE[analysis.verdict](f"**Verdict: {verdict}** — match score {analysis.score}/100")
    if analysis.knockouts:
        st.markdown("**Knock-outs** (each one alone rules the application out):")
        for knockout in analysis.knockouts:
            st.markdown(f"- {escape_markdown(knockout)}")
    sections_column, requirements_column = st.columns([1, 2])
    with sections_column:
        st.markdown("**CV sections**")
        for name in ("experience", "education", "hard_skills", "soft_skills"):
            hit = analysis.sections[name]
            label = name.replace("_", " ")
            if hit.present:
                # Tooltips render Markdown too: the CV line is escaped.
                st.markdown(
                    f":green[:material/check_circle: {label}]",
                    help=escape_markdown(hit.evidence) if hit.evidence else None,
                )
            else:
                st.markdown(f":red[:material/cancel: {label} — missing]")
    with requirements_column:
        st.markdown("**Requirements**")
        rows = [
            {
                # Plain words: emoji need fonts a laptop may lack.
                "status": match.status,
                "requirement": match.requirement.text,
                "must": "must" if match.requirement.must else "nice",
                "kind": match.requirement.kind,
                "evidence in your CV": match.evidence or "",
                # Which terms of a many-term requirement the CV does not show.
                "not shown": ", ".join(match.missing_words) if match.status != "missing" else "",
            }
            for match in analysis.matches
        ]
        if rows:
            st.dataframe(rows, hide_index=True, width="stretch")
        else:
            st.info("No requirements found in the job description.")


def draw_metrics(box: Any, metrics: dict[str, Any], settings: Settings) -> None:
    gpu_mb = gpu_memory_used_mb() if settings.gpu_layers and settings.backend == "local" else None
    with box.container():
        for label, value in metric_rows(metrics, gpu_mb):
            st.markdown(f"{label}: **{value}**")


def sections_markdown(sections: list[AdviceSection]) -> str:
    return "\n\n".join(section.markdown() for section in sections)


def show_advice(report: Report) -> None:
    st.markdown(
        sections_markdown(report.advice_sections) or escape_markdown(report.advice) or "_No advice was generated._"
    )
    if report.advice_sections:
        sources = report.advice_sources()
        st.caption(
            f"{sources['model']} sections written by the model and checked; {sources['plan']} from the plan "
            "(the model's text failed a check)."
        )


def show_plan(report: Report) -> None:
    """The plan as a checklist the user can tick off (the ticks live only in this session)."""
    if report.plan is None:
        return
    for section in PLAN_SECTIONS:
        actions = report.plan.for_section(section)
        if not actions:
            continue
        st.markdown(f"**{report.plan.heading(section).rstrip(':')}**")
        for index, action in enumerate(actions):
            st.checkbox(escape_markdown(action.action), key=f"plan_{section}_{index}")


def show_report(report: Report) -> None:
    show_findings(report)
    advice_column, plan_column, metrics_column = st.columns([3, 2, 2])
    with advice_column:
        st.subheader("Advice")
        show_advice(report)
    with plan_column:
        st.subheader("Your plan")
        show_plan(report)
    with metrics_column:
        st.subheader("Speed and memory")
        draw_metrics(st.empty(), report.metrics, report.settings)
    show_warnings_and_downloads(report)


def show_warnings_and_downloads(report: Report) -> None:
    for warning in report.warnings:
        st.warning(escape_markdown(warning))
    markdown_column, json_column = st.columns(2)
    markdown_column.download_button(
        "Download the report (Markdown)", report.to_markdown(), "cv_report.md", "text/markdown"
    )
    json_column.download_button(
        "Download the report (JSON)",
        json.dumps(report.to_dict(), ensure_ascii=False, indent=2),
        "cv_report.json",
        "application/json",
    )


main()
