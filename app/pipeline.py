"""One analysis end to end: documents in, a Report out, advice streamed on the way.

The CLI and the Streamlit app both call `run_analysis`; neither holds prompt
or model logic of its own. The model runs in this process (settings.backend
"local") or on OpenAI-compatible servers ("server"): the prompt, the checks of
the answer and the report are the same; only the model call differs.
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from app.analysis.documents import Document, document_warnings
from app.analysis.plan import Plan
from app.analysis.plan_builder import build_plan
from app.analysis.scoring import Analysis, analyze
from app.errors import GenerationStopped, ModelError, SyntheticModelError
from app.hub.catalog import ResolvedModel, resolve_model
from app.llm.base import Decoding, GenerationMetrics, ModelEngine
from app.llm.engine import Engine, LoadSettings, engine_lease, get_engine
from app.llm.gguf_info import GgufInfo, read_gguf_info
from app.llm.server import ServerEngine, get_server_engine
from app.llm.writing import AdviceSection, AdviceWriter, advice_text
from app.report import STOPPED_WARNING, ModelInfo, Report
from app.settings import Settings, check_context, check_threads

# A bearer token for model servers that want one (llama-cpp-python's --api_key, vLLM's --api-key).
API_KEY_ENV = "CV_ENHANCER_API_KEY"


def load_settings_for(model: ResolvedModel, settings: Settings) -> LoadSettings:
    """How to load the model for these settings; SettingsError for threads or a context this model can't use well."""
    check_threads(settings.threads)
    if settings.threads_batch:
        check_threads(settings.threads_batch, "--threads-batch")
    check_context(settings.ctx, trained_context(model), model.name, settings.force_ctx)
    return LoadSettings(
        model_path=str(model.path),
        n_ctx=settings.ctx,
        n_threads=settings.threads,
        n_threads_batch=settings.threads_batch or settings.threads,
        n_batch=settings.batch,
        n_gpu_layers=settings.gpu_layers,
        chat_format=model.chat_format,
    )


def trained_context(model: ResolvedModel) -> int | None:
    """The context the model was trained with: the catalog's, else the GGUF header's (None if unreadable)."""
    if model.context_length:
        return model.context_length
    info = gguf_header(model.path)
    return info.context_length if info is not None else None


SYNTHETIC_REFUSAL = "synthetic weights: speed only"


def is_synthetic_file(path: Path) -> bool:
    """Whether a GGUF file is a synthetic model (its header says so)."""
    info = gguf_header(path)
    return info is not None and info.synthetic


def gguf_header(path: Path) -> GgufInfo | None:
    """The file's GGUF header, read once per file version; None if the file is missing or not a readable GGUF.

    Reading it walks the whole vocabulary (about half a second for the embedded model), and every
    analysis asks for the trained context. What is wrong with an unreadable file, llama.cpp's load reports.
    """
    try:
        stat = path.stat()
    except OSError:
        return None
    return _read_header(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _read_header(path: str, _mtime_ns: int, _size: int) -> GgufInfo | None:
    try:
        return read_gguf_info(Path(path))
    except ModelError:
        return None


def local_model(settings: Settings, *, speed_only: bool = False) -> ResolvedModel:
    """The model file these settings name, refused if synthetic unless the caller only measures speed.

    A synthetic model (same shape as a real one, random weights) writes noise.
    """
    model = resolve_model(settings.model, chat_format=settings.chat_format)
    if not model.synthetic and is_synthetic_file(model.path):
        model = replace(model, synthetic=True)  # a synthetic file passed by its path
    if model.synthetic and not speed_only:
        raise SyntheticModelError(
            f"{model.name}: {SYNTHETIC_REFUSAL} — its random weights write noise, not advice. Pick a downloaded "
            "model (`python scripts/download_models.py download NAME`), or benchmark this one with "
            f"`python scripts/benchmark.py -m {model.name if model.name.startswith('synthetic:') else model.path}`."
        )
    return model


def load_engine(settings: Settings, *, speed_only: bool = False) -> Engine:
    """The shared engine for these settings (loaded once, reused after), for a script with one user.

    The seam tests replace with a FakeEngine (tests/conftest.py's `fake_engine`); the benchmarks call it
    directly, since they measure llama-cpp-python in this process. Code that may run beside another
    session (run_analysis, so the app) holds the model with lease_local_engine instead.
    """
    model = local_model(settings, speed_only=speed_only)
    return get_engine(model, load_settings_for(model, settings))


@contextlib.contextmanager
def lease_local_engine(
    settings: Settings,
    *,
    on_wait: Callable[[str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    speed_only: bool = False,
) -> Iterator[ModelEngine]:
    """The shared local model for these settings, held until the block ends (see app.llm.engine.engine_lease).

    Another session's switch to other settings waits until the block ends, so the model is never freed
    while this one tokenizes or generates with it. The seam tests replace with a FakeEngine, like load_engine.
    """
    model = local_model(settings, speed_only=speed_only)
    with engine_lease(model, load_settings_for(model, settings), on_wait=on_wait, should_stop=should_stop) as engine:
        yield engine


def _hold_engine(
    settings: Settings,
    given: ModelEngine | None,
    *,
    on_wait: Callable[[str], None] | None,
    should_stop: Callable[[], bool] | None,
    speed_only: bool,
) -> contextlib.AbstractContextManager[ModelEngine]:
    """The engine of this analysis, held for it: the local model under a lease, the others as they are."""
    if given is not None:
        return contextlib.nullcontext(given)
    if settings.backend == "server":
        return contextlib.nullcontext(server_engine(settings))
    return lease_local_engine(settings, on_wait=on_wait, should_stop=should_stop, speed_only=speed_only)


def server_engine(settings: Settings) -> ServerEngine:
    """The engine that sends these settings' calls to settings.server_urls (shared while they stay the same)."""
    return get_server_engine(
        settings.server_urls,
        settings.model,
        chat_format=settings.chat_format,
        n_ctx=settings.ctx,
        read_timeout_s=settings.server_timeout_s,
        api_key=os.environ.get(API_KEY_ENV) or None,
    )


def model_engine(settings: Settings, *, speed_only: bool = False) -> ModelEngine:
    """The engine of settings.backend: the local model (loaded once) or the servers."""
    return (
        server_engine(settings)
        if settings.backend == "server"
        else load_engine(settings, speed_only=True)
        if speed_only
        else load_engine(settings)
    )


def advice_writer(
    engine: ModelEngine, analysis: Analysis, plan: Plan, cv_text: str, job_text: str, settings: Settings
) -> AdviceWriter:
    """The writer of this plan's advice with these settings (its prompts are built as it writes)."""
    return AdviceWriter(
        engine,
        plan,
        analysis,
        cv_text,
        job_text,
        decoding=decoding_for(settings),
        max_tokens=settings.max_tokens,
        mode=settings.advice_mode,
    )


@dataclass(frozen=True)
class AdvicePrompt:
    """The exact text of the model's first call, and what came with it."""

    text: str  # the rendered chat, ending with the opening of the answer
    stop: list[str]
    opening: str  # what we write at the start of the answer (the heading, the verdict sentence)
    warnings: list[str]


def build_advice_prompt(
    engine: ModelEngine, analysis: Analysis, cv_text: str, job_text: str, settings: Settings
) -> AdvicePrompt:
    """The prompt the model evaluates before its first token of advice (benchmarks time this one)."""
    writer = advice_writer(engine, analysis, build_plan(analysis, cv_text), cv_text, job_text, settings)
    text, stop, opening = writer.first_prompt()
    return AdvicePrompt(text, stop, opening, writer.warnings)


def decoding_for(settings: Settings) -> Decoding:
    return Decoding(
        greedy=settings.greedy,
        temperature=settings.temperature,
        top_p=settings.top_p,
        seed=settings.seed,
        repeat_penalty=settings.repeat_penalty,
    )


def run_analysis(
    cv: Document,
    job: Document,
    settings: Settings,
    *,
    on_findings: Callable[[Report], None] | None = None,
    on_token: Callable[[str], None] | None = None,
    on_metrics: Callable[[GenerationMetrics], None] | None = None,
    on_queued: Callable[[], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_section: Callable[[AdviceSection], None] | None = None,
    speed_only: bool = False,
    engine: ModelEngine | None = None,
) -> Report:
    """Analyse the CV against the job and plan the advice; with settings.use_llm, have the model write it up.

    Callbacks, all optional: on_findings gets the report with the findings and
    the plan before any model work (show them at once); on_token gets each
    piece the model writes, unchecked (a draft to show as it comes); on_section
    gets each section once checked, as the user should read it (the model's
    text, or the plan's where the model's failed); on_metrics gets the live
    metrics after each piece; on_queued is called if another session is using
    the model and this one must wait; on_wait gets a sentence when the local
    model must first be reloaded with this analysis's settings, which waits for
    every other session using it; should_stop is polled while waiting and
    between tokens to cancel. speed_only (the benchmark's real task) allows a
    synthetic model, whose advice is noise. `engine` overrides the one
    settings.backend picks (the study pins a pair to a server).
    """
    started = time.perf_counter()
    analysis = analyze(cv.text, job.text)
    plan = build_plan(analysis, cv.text)
    analysis_ms = (time.perf_counter() - started) * 1000
    # How the files were read: text a reader cannot see was left out, a legacy encoding was guessed. The user
    # is told plainly.
    reading = [*document_warnings(cv, "CV"), *document_warnings(job, "job description")]
    report = Report(analysis, settings, cv.name, job.name, warnings=[*reading, *analysis.warnings], plan=plan)
    report.metrics = {"analysis_ms": round(analysis_ms, 2)}
    if on_findings is not None:
        on_findings(report)
    if not settings.use_llm:
        return report

    try:
        # The lease keeps the local model loaded until this analysis is done with it: another session's
        # switch to other settings waits for it (freeing the model under us crashed the app, issue 12).
        with _hold_engine(settings, engine, on_wait=on_wait, should_stop=should_stop, speed_only=speed_only) as held:
            report.model = ModelInfo(
                held.model.name, str(held.model.path), held.model.quantization, held.chat_format, held.backend
            )
            writer = advice_writer(held, analysis, plan, cv.text, job.text, settings)
            sections = writer.write(
                on_token=on_token, on_metrics=on_metrics, should_stop=should_stop, on_queued=on_queued
            )
            try:
                for section in sections:
                    report.advice_sections.append(section)
                    if on_section is not None:
                        on_section(section)
            finally:
                # If a callback raised (the app's page was closed, say), end the generation now, while the
                # lease still keeps the model loaded, not whenever the generator is collected.
                sections.close()
    except GenerationStopped as stopped:
        # Stopped before the model was ours: the plan speaks for every section.
        report.complete_from_plan("generation was stopped by you before this section was written")
        report.warnings.append(str(stopped))
        return report
    report.advice = advice_text(report.advice_sections)
    report.metrics = {**writer.metrics.to_dict(), "analysis_ms": round(analysis_ms, 2)}
    if writer.metrics.server:
        report.model = replace(report.model, server=writer.metrics.server)  # the server that answered
    report.warnings.extend(writer.warnings)
    if writer.metrics.stopped_by_user:
        report.complete_from_plan("generation was stopped by you before this section was written")
        report.warnings.append(STOPPED_WARNING)
    failed = [section for section in report.advice_sections if section.source == "plan"]
    if failed:
        report.warnings.append(
            f"{len(failed)} of {len(report.advice_sections)} sections of the model's advice failed the checks "
            "(invented numbers, contradictions, echoed instructions, left-out actions...) and were replaced by the "
            "plan's own text, marked “from the plan”."
        )
    return report
