"""The Rank jobs page: one CV against several job descriptions, best fit first.

Layout and widgets only: reading the files, the ranking, the gaps, the
advice and the exports all come from app.ranking (the core of `analyze.py
--job A --job B ...`); every error the core raises is one `st.error` line.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import altair as alt
import streamlit as st

from app.analysis.documents import SUPPORTED_SUFFIXES, Document, from_text, read_bytes
from app.errors import CVEnhancerError, InputError
from app.formatting import escape_markdown
from app.hub.catalog import available_models
from app.llm.base import GenerationMetrics
from app.llm.writing import AdviceSection
from app.ranking import JobInput, RankedJob, Ranking, load_job_bytes, rank_jobs
from app.report import VERDICT_TEXT, metric_rows
from app.settings import Settings, default, describe, label, make_settings, widget_kwargs
from app.ui_run import stop_requested
from app.ui_widgets import ready_model_picker

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXAMPLE_JOBS = ("example_job.txt", "example_job_frontend.txt", "example_job_go.txt")
UPLOAD_TYPES = [suffix.lstrip(".") for suffix in SUPPORTED_SUFFIXES]
VERDICT_STYLE = {"strong_fit": st.success, "partial_fit": st.warning, "not_a_fit": st.error}
STATUS_COLOURS = {"met": "#2e7d32", "partial": "#f9a825", "missing": "#c62828"}
METRICS_REFRESH_S = 0.3


def main() -> None:
    st.set_page_config(page_title="CV Enhancer · Rank jobs", page_icon="📊", layout="wide")
    state = st.session_state
    state.setdefault("rank_cv_text", "")
    state.setdefault("rank_tab_count", 2)
    state.setdefault("ranking", None)
    recover_interrupted_run()
    settings = sidebar_settings()

    st.title("Rank jobs")
    st.caption(
        "One CV, several job descriptions: which job fits best, and which gap to close first. "
        "Everything runs on this computer; nothing you enter is stored unless you download it."
    )
    if st.button("Try an example", help="Fill in a sample CV and three job descriptions"):
        fill_example()

    cv_column, jobs_column = st.columns([2, 3])
    with cv_column:
        st.subheader("Your CV")
        cv_upload = st.file_uploader("Upload your CV", type=UPLOAD_TYPES, key="rank_cv_upload")
        st.text_area("…or paste your CV here", key="rank_cv_text", height=300)
    with jobs_column:
        st.subheader("The jobs")
        job_uploads = st.file_uploader(
            "Upload job descriptions (several files at once)",
            type=UPLOAD_TYPES,
            accept_multiple_files=True,
            key="rank_job_uploads",
        )
        tabs = st.tabs([f"Job {number + 1}" for number in range(state.rank_tab_count)])
        for number, tab in enumerate(tabs):
            with tab:
                state.setdefault(f"rank_job_{number}", "")
                st.text_area(f"Paste job {number + 1} here", key=f"rank_job_{number}", height=230)
        if st.button("Add another job", help="One more tab to paste a job description into"):
            state.rank_tab_count += 1
            st.rerun()

    if st.button("Rank the jobs", type="primary", disabled=settings is None):
        inputs = read_inputs(cv_upload, job_uploads or [])
        if inputs is not None and settings is not None:
            run_ranking(*inputs, settings)
            return
    if state.ranking is not None:
        show_ranking(state.ranking)


# --- sidebar -----------------------------------------------------------------


def sidebar_settings() -> Settings | None:
    sidebar = st.sidebar
    sidebar.header("Settings")
    model = ready_model_picker(sidebar, available_models())
    use_llm = sidebar.checkbox(label("use_llm"), value=default("use_llm"), help=describe("use_llm"))
    advise_top = sidebar.number_input(**widget_kwargs("advise_top"), disabled=not use_llm)
    max_tokens = sidebar.number_input(**widget_kwargs("max_tokens"))
    threads = sidebar.number_input(**widget_kwargs("threads"))
    try:
        return make_settings(
            model=model,
            use_llm=use_llm,
            advise_top=int(advise_top),
            max_tokens=int(max_tokens),
            threads=int(threads),
        )
    except CVEnhancerError as error:
        sidebar.error(str(error))
        return None


# --- inputs ------------------------------------------------------------------


def fill_example() -> None:
    state = st.session_state
    state.rank_cv_text = (EXAMPLES / "example_cv.txt").read_text(encoding="utf-8")
    state.rank_tab_count = max(state.rank_tab_count, len(EXAMPLE_JOBS))
    for number, name in enumerate(EXAMPLE_JOBS):
        state[f"rank_job_{number}"] = (EXAMPLES / name).read_text(encoding="utf-8")


def read_inputs(cv_upload: Any, job_uploads: list[Any]) -> tuple[Document, list[JobInput]] | None:
    """The CV and every job given (uploads, then pasted tabs); None with an error shown when unusable."""
    state = st.session_state
    try:
        if cv_upload is not None:
            cv = read_bytes(cv_upload.getvalue(), cv_upload.name)
        elif state.rank_cv_text.strip():
            cv = from_text(state.rank_cv_text, name="pasted CV")
        else:
            raise InputError("no CV given: upload a file or paste the text, or press “Try an example”.")
    except CVEnhancerError as error:
        st.error(escape_markdown(str(error)))
        return None
    jobs: list[JobInput] = [load_job_bytes(upload.getvalue(), upload.name) for upload in job_uploads]
    for number in range(state.rank_tab_count):
        text = state.get(f"rank_job_{number}", "")
        if text.strip():
            jobs.append(from_text(text, name=f"job {number + 1} (pasted)"))
    if not jobs:
        st.error("no job descriptions given: upload files or paste jobs into the tabs, or press “Try an example”.")
        return None
    return cv, jobs


# --- running -----------------------------------------------------------------


def run_ranking(cv: Document, jobs: list[JobInput], settings: Settings) -> None:
    """Rank at once, show the table, then stream the advice for the top jobs one after another."""
    state = st.session_state
    state.ranking = None
    state.rank_generating = True
    table_area = st.container()
    stop_slot = st.empty()
    progress_slot = st.empty()
    advice_column, metrics_column = st.columns([3, 2])
    with advice_column:
        advice_heading = st.empty()
        advice_box = st.empty()
        draft_box = st.empty()
    with metrics_column:
        metrics_box = st.empty()
    streamed: list[str] = []
    checked: list[AdviceSection] = []
    last_draw = [0.0]
    advised = [0]

    def on_ranked(ranking: Ranking) -> None:
        # The ranking needs no model: show it whole at once, the advice streams in below.
        state.pending_ranking = ranking
        with table_area:
            show_overview(ranking, selectable=False)
        if settings.use_llm and ranking.jobs and settings.advise_top:
            stop_slot.button("Stop", help="Stop writing advice; what is finished is kept")

    def on_advice_start(entry: RankedJob) -> None:
        streamed.clear()
        checked.clear()
        draft_box.empty()
        total = min(settings.advise_top, len(state.pending_ranking.jobs))
        progress_slot.progress(
            advised[0] / total, text=f"Writing advice for job {advised[0] + 1} of {total}: {entry.name}"
        )
        advice_heading.subheader(f"Advice: {entry.rank}. {entry.name}")
        advice_box.info("Loading the model…" if advised[0] == 0 else "Reading the job…")

    def on_token(piece: str) -> None:
        # The model's draft of the current section, greyed until its checks pass.
        if not streamed and not checked:
            advice_box.empty()
        streamed.append(piece)
        draft_box.caption("Writing (not checked yet): " + "".join(streamed)[-600:] + " ▌")

    def on_section(section: AdviceSection) -> None:
        # Only checked sections are shown as advice: a failed one is already the plan's text, marked so.
        checked.append(section)
        streamed.clear()
        draft_box.empty()
        advice_box.markdown("\n\n".join(part.markdown() for part in checked))

    def on_metrics(metrics: GenerationMetrics) -> None:
        now = time.perf_counter()
        if now - last_draw[0] >= METRICS_REFRESH_S:
            last_draw[0] = now
            draw_metrics(metrics_box, metrics.to_dict())

    def on_advice_done(entry: RankedJob) -> None:
        advised[0] += 1

    def on_queued() -> None:
        advice_box.info("Another session is using the model; the advice starts when it finishes.")

    def on_wait(message: str) -> None:
        # Another session holds the model with other settings: it is reloaded with these when that one is done.
        advice_box.info(message)

    try:
        ranking = rank_jobs(
            cv,
            jobs,
            settings,
            on_ranked=on_ranked,
            on_advice_start=on_advice_start,
            on_advice_done=on_advice_done,
            on_token=on_token,
            on_section=on_section,
            on_metrics=on_metrics,
            on_queued=on_queued,
            on_wait=on_wait,
            # Stop (or a closed tab) also ends a wait for another session's model, which calls no widget.
            should_stop=stop_requested(),
        )
    except CVEnhancerError as error:
        state.rank_generating = False
        st.error(escape_markdown(str(error)))
        return
    state.rank_generating = False
    state.ranking = ranking
    st.rerun()  # draw the finished ranking with its selectable table


def recover_interrupted_run() -> None:
    """After Stop (or any click) interrupted the advice, keep the ranking and every finished report."""
    state = st.session_state
    if not state.get("rank_generating"):
        return
    state.rank_generating = False
    ranking: Ranking | None = state.get("pending_ranking")
    if ranking is None:
        return
    ranking.warnings.append("You stopped the run: jobs without advice keep their deterministic report.")
    state.ranking = ranking


# --- output ------------------------------------------------------------------


def show_ranking(ranking: Ranking) -> None:
    selection = show_overview(ranking, selectable=True)
    if not ranking.jobs:
        return
    markdown_column, json_column = st.columns(2)
    markdown_column.download_button(
        "Download the ranking (Markdown)", ranking.to_markdown(), "cv_ranking.md", "text/markdown"
    )
    json_column.download_button(
        "Download the ranking (JSON)",
        json.dumps(ranking.to_dict(), ensure_ascii=False, indent=2),
        "cv_ranking.json",
        "application/json",
    )
    rows = selection.selection.rows if selection is not None else []
    show_job(ranking.jobs[rows[0] if rows else 0])


def show_overview(ranking: Ranking, *, selectable: bool) -> Any:
    """The ranking table, the jobs that failed, the chart and the skills most jobs miss; the table's selection."""
    st.subheader("Ranking")
    selection = None
    if ranking.jobs:
        st.caption(
            f"{ranking.job_count} jobs ranked by match score in {ranking.ranking_ms:.0f} ms."
            + (" Click a row to open that job's full report below." if selectable else "")
        )
        if selectable:
            selection = st.dataframe(
                ranking.table_rows(),
                hide_index=True,
                width="stretch",
                on_select="rerun",
                selection_mode="single-row",
                key="ranking_table",
            )
        else:
            st.dataframe(ranking.table_rows(), hide_index=True, width="stretch")
    for failed in ranking.failed:
        st.error(escape_markdown(failed.error))
    for warning in ranking.warnings:
        st.warning(escape_markdown(warning))
    if not ranking.jobs:
        return None
    chart_column, gaps_column = st.columns([3, 2])
    with chart_column:
        st.markdown("**Requirements met, partly met and missing, per job**")
        st.altair_chart(requirements_chart(ranking), width="stretch")
    with gaps_column:
        st.markdown("**Missing in most jobs**")
        shared = ranking.shared_gaps()
        for gap in shared[:6]:
            st.markdown(
                f"- **{gap.skill}** is asked by {len(gap.jobs)} of {gap.job_count} jobs and missing from your CV"
            )
        if not shared:
            st.caption("No skill is missing from your CV in more than one of these jobs.")
    return selection


def requirements_chart(ranking: Ranking) -> alt.Chart:
    order = [row["job"] for row in ranking.chart_rows()]
    values = [
        {"job": row["job"], "status": status, "requirements": row[status], "stack": stack}
        for row in ranking.chart_rows()
        for stack, status in enumerate(STATUS_COLOURS)
    ]
    return (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            y=alt.Y("job:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X("requirements:Q", title="requirements"),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
                title=None,
            ),
            order=alt.Order("stack:Q"),
            tooltip=["job:N", "status:N", "requirements:Q"],
        )
        .properties(height=alt.Step(30))
    )


def show_job(entry: RankedJob) -> None:
    report = entry.report
    analysis = report.analysis
    st.divider()
    st.header(f"{entry.rank}. {entry.name}" + (f" — {entry.title}" if entry.title else ""))
    VERDICT_STYLE[analysis.verdict](f"**Verdict: {VERDICT_TEXT[analysis.verdict]}** — match score {analysis.score}/100")
    if entry.gap is not None:
        st.markdown(f"**The gap that would lift the score most:** {entry.gap.describe()}")
    report_column, metrics_column = st.columns([3, 2])
    with report_column:
        # The whole report (findings, plan, advice, warnings) without the title and verdict shown above.
        lines = report.to_markdown().splitlines()
        st.markdown("\n".join(line for line in lines if not line.startswith(("# CV Enhancer report", "## Verdict:"))))
    with metrics_column:
        st.subheader("Speed and memory")
        if report.model is None:
            st.caption(
                f"No advice was written for this job (analysis {report.metrics.get('analysis_ms', 0):.0f} ms); "
                "raise “Advice for the top N jobs” and rank again to get it."
            )
        else:
            draw_metrics(st.empty(), report.metrics)


def draw_metrics(box: Any, metrics: dict[str, Any]) -> None:
    with box.container():
        for label, value in metric_rows(metrics):
            st.markdown(f"{label}: **{value}**")


main()
