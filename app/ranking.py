"""One CV against many jobs end to end: read every job, rank them, write advice for the best few.

The CLI (`analyze.py --job A --job B ...`) and the app's ranking page both call
`rank_jobs`; the order, the gaps and the shared gaps come from the pure
app.analysis.ranking. A job that cannot be read is reported for that job
and the others still run. Advice for the top N goes through the same
pipeline as one analysis, one job after another; every prompt opens with
the same rules (the CV itself is not in it: the plan quotes what each job
needs), so the model's KV cache keeps them from one job to the next and each
further job evaluates only its own tokens (`metrics.prompt_tokens_reused`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.analysis.documents import SUPPORTED_SUFFIXES, Document, read_bytes, read_document
from app.analysis.job_requirements import job_title
from app.analysis.ranking import Gap, SharedGap, StatusCounts, biggest_gap, rank_order, shared_gaps, status_counts
from app.errors import ContextOverflowError, CVEnhancerError, InputError, one_line
from app.llm.base import GenerationMetrics
from app.llm.writing import AdviceSection
from app.pipeline import run_analysis
from app.report import VERDICT_TEXT, Report
from app.settings import Settings


@dataclass(frozen=True)
class FailedJob:
    """A job that could not be analysed, and the one line that says why and what to do."""

    name: str
    error: str

    def to_dict(self) -> dict[str, str]:
        return {"job": self.name, "error": self.error}


JobInput = Document | FailedJob


@dataclass
class RankedJob:
    """One job's place in the ranking: its full report and what the ranking adds to it."""

    rank: int
    report: Report
    title: str | None
    counts: StatusCounts
    gap: Gap | None
    advised: bool = False  # whether the model was asked for advice on this job

    @property
    def name(self) -> str:
        return self.report.job_name

    def to_dict(self) -> dict[str, Any]:
        """The job's report (the same contract as `analyze.py --json` for one job) plus a `ranking` part."""
        data = self.report.to_dict()
        data["ranking"] = {
            "rank": self.rank,
            "title": self.title,
            "requirements": self.counts.to_dict(),
            "biggest_gap": self.gap.to_dict() if self.gap else None,
            "advised": self.advised,
        }
        return data

    def table_row(self) -> dict[str, Any]:
        counts = self.counts
        return {
            "rank": self.rank,
            "job": self.name,
            "title": self.title or "",
            "verdict": VERDICT_TEXT[self.report.analysis.verdict],
            "score": self.report.analysis.score,
            "must-haves met": f"{counts.must_met} of {counts.must_total}",
            "must-haves missing": counts.must_missing,
            "gap that would lift the score most": self.gap.describe() if self.gap else "—",
        }


@dataclass
class Ranking:
    """Every job ranked against one CV, best first, with the jobs that failed and the gaps they share."""

    cv_name: str
    settings: Settings
    jobs: list[RankedJob]
    failed: list[FailedJob] = field(default_factory=list)
    ranking_ms: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def job_count(self) -> int:
        return len(self.jobs)

    def shared_gaps(self, *, min_jobs: int = 2, limit: int = 10) -> list[SharedGap]:
        return shared_gaps([(job.name, job.report.analysis) for job in self.jobs], min_jobs=min_jobs, limit=limit)

    def table_rows(self) -> list[dict[str, Any]]:
        return [job.table_row() for job in self.jobs]

    def chart_rows(self) -> list[dict[str, Any]]:
        """Requirements met / partial / missing per job, best job first (for a stacked bar chart)."""
        return [
            {
                "job": f"{job.rank}. {job.name}",
                "met": job.counts.met,
                "partial": job.counts.partial,
                "missing": job.counts.missing,
            }
            for job in self.jobs
        ]

    def cv_summary(self) -> dict[str, Any]:
        """What the ranking knows of the CV itself (the same for every job)."""
        if not self.jobs:
            return {"name": self.cv_name}
        analysis = self.jobs[0].report.analysis
        return {
            "name": self.cv_name,
            "years_of_experience": analysis.cv_years,
            "sections_present": [name for name, hit in analysis.sections.items() if hit.present],
            "missing_sections": analysis.missing_sections,
        }

    def to_dict(self) -> dict[str, Any]:
        """The contract of `analyze.py --json` with several jobs: the CV, then every job's report, best first."""
        return {
            "cv": self.cv_summary(),
            "jobs": [job.to_dict() for job in self.jobs],
            "failed": [job.to_dict() for job in self.failed],
            "shared_gaps": [gap.to_dict() for gap in self.shared_gaps()],
            "advise_top": self.settings.advise_top if self.settings.use_llm else 0,
            "ranking_ms": round(self.ranking_ms, 2),
            "warnings": self.warnings,
        }

    # --- text forms ------------------------------------------------------

    def table_markdown(self) -> str:
        lines = [
            "| # | job | title | verdict | score | must-haves met | missing | the gap that would lift the score most |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for row in self.table_rows():
            cells = [
                str(row["rank"]),
                row["job"],
                row["title"] or "—",
                row["verdict"],
                str(row["score"]),
                row["must-haves met"],
                str(row["must-haves missing"]),
                row["gap that would lift the score most"],
            ]
            lines.append("| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |")
        return "\n".join(lines)

    def summary_markdown(self) -> str:
        """The ranking table, the skills most jobs miss, and the jobs that failed."""
        lines = [f"## {self.job_count} jobs ranked for {self.cv_name}", ""]
        lines.append(self.table_markdown() if self.jobs else "_No job could be analysed._")
        shared = self.shared_gaps()
        if shared:
            lines += ["", "### Missing in most jobs", ""]
            lines += [f"- {gap.sentence()}" for gap in shared]
        if self.failed:
            lines += ["", "### Jobs that could not be analysed", ""]
            lines += [f"- {job.error}" for job in self.failed]
        if self.warnings:
            lines += ["", "### Warnings", ""]
            lines += [f"- {warning}" for warning in self.warnings]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """The whole ranking: the summary, then each job's full report, best first."""
        parts = [f"# CV Enhancer ranking\n\n{self.summary_markdown()}"]
        for job in self.jobs:
            body = job.report.to_markdown().strip().splitlines()
            if body and body[0].startswith("# "):
                body = body[1:]  # each report's own title gives way to the job's place in the ranking
            heading = f"# {job.rank}. {job.name}" + (f" — {job.title}" if job.title else "")
            parts.append(heading + "\n" + "\n".join(body).strip())
        return "\n\n---\n\n".join(parts) + "\n"


# --- reading the jobs --------------------------------------------------------


def load_job(path: Path) -> JobInput:
    """A job file as a document, or a FailedJob saying why it cannot be used."""
    try:
        return read_document(path)
    except (CVEnhancerError, OSError) as error:
        return FailedJob(str(path), one_line(error))


def load_job_bytes(data: bytes, name: str) -> JobInput:
    """An uploaded job as a document, or a FailedJob saying why it cannot be used."""
    try:
        return read_bytes(data, name)
    except CVEnhancerError as error:
        return FailedJob(name, one_line(error))


def job_files(folder: Path) -> list[Path]:
    """The job files of a folder (.pdf, .docx, .txt, .md), sorted by name; an error when there are none."""
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder; give --jobs a folder of job descriptions, or use --job FILE.")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
    if not files:
        raise InputError(
            f"{folder} holds no job descriptions ({', '.join(SUPPORTED_SUFFIXES)}); put the postings there "
            "or pass them with --job FILE."
        )
    return files


# --- running -----------------------------------------------------------------


def rank_jobs(
    cv: Document,
    jobs: Iterable[JobInput],
    settings: Settings,
    *,
    on_ranked: Callable[[Ranking], None] | None = None,
    on_advice_start: Callable[[RankedJob], None] | None = None,
    on_advice_done: Callable[[RankedJob], None] | None = None,
    on_token: Callable[[str], None] | None = None,
    on_section: Callable[[AdviceSection], None] | None = None,
    on_metrics: Callable[[GenerationMetrics], None] | None = None,
    on_queued: Callable[[], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Ranking:
    """Rank every job against the CV; with settings.use_llm, write advice for the best settings.advise_top.

    The deterministic ranking comes first (on_ranked gets it before any model
    work); then the top jobs get their advice one after another, best first,
    each report replaced by the one with advice (on_advice_start/done around
    each; on_token, on_section, on_metrics, on_queued, on_wait and should_stop as in
    run_analysis: on_token the unchecked draft, on_section each checked section).
    A job whose advice fails keeps its deterministic report and says why in
    its warnings; should_stop ends the advice of the job under way and skips
    the rest.
    """
    started = time.perf_counter()
    documents: list[Document] = []
    failed: list[FailedJob] = []
    for job in jobs:
        (failed if isinstance(job, FailedJob) else documents).append(job)  # type: ignore[arg-type]
    deterministic = settings.model_copy(update={"use_llm": False})
    reports = [run_analysis(cv, job, deterministic) for job in documents]
    order = rank_order([report.analysis for report in reports])
    ranked = [
        RankedJob(
            rank=place + 1,
            report=reports[index],
            title=job_title(documents[index].text),
            counts=status_counts(reports[index].analysis),
            gap=biggest_gap(reports[index].analysis),
        )
        for place, index in enumerate(order)
    ]
    ranking = Ranking(cv.name, settings, ranked, failed, ranking_ms=(time.perf_counter() - started) * 1000)
    if on_ranked is not None:
        on_ranked(ranking)
    if not settings.use_llm or settings.advise_top == 0:
        return ranking

    document_of = {id(report): documents[i] for i, report in enumerate(reports)}
    stopped = False
    model_error: str | None = None
    for entry in ranked[: settings.advise_top]:
        if stopped or model_error is not None:
            entry.report.warnings.append(
                "No advice was written for this job: "
                + (f"the model failed ({model_error})." if model_error else "you stopped the run.")
            )
            continue
        entry.advised = True
        if on_advice_start is not None:
            on_advice_start(entry)
        job = document_of[id(entry.report)]
        try:
            entry.report = run_analysis(
                cv,
                job,
                settings,
                on_token=on_token,
                on_section=on_section,
                on_metrics=on_metrics,
                on_queued=on_queued,
                on_wait=on_wait,
                should_stop=should_stop,
            )
        except ContextOverflowError as error:
            # This job's text is too long for the context: its deterministic report stands.
            entry.report.warnings.append(f"No advice was written for this job: {one_line(error)}")
        except CVEnhancerError as error:
            # The model itself cannot run: no point trying it on the next jobs.
            model_error = one_line(error)
            entry.report.warnings.append(f"No advice was written for this job: {model_error}")
            ranking.warnings.append(f"The model could not write advice: {model_error}")
        if should_stop is not None and should_stop():
            stopped = True
        if on_advice_done is not None:
            on_advice_done(entry)
    return ranking
