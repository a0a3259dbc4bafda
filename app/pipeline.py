"""One analysis end to end: documents in, a Report out, advice streamed on the way.

The CLI and the Streamlit app both call `run_analysis`; neither holds prompt
or model logic of its own. The model runs in this process (settings.backend
"local") or on OpenAI-compatible servers ("server"): the prompt, the checks of
the answer and the report are the same; only the model call differs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from app.analysis.documents import Document
from app.analysis.scoring import Analysis, analyze
from app.hub.catalog import ResolvedModel, resolve_model
from app.llm.advice_checks import advice_warnings
from app.llm.base import Decoding, GenerationMetrics, ModelEngine
from app.llm.engine import Engine, LoadSettings, get_engine
from app.llm.prompting import answer_start, fit_prompt
from app.llm.server import ServerEngine, get_server_engine
from app.report import STOPPED_WARNING, ModelInfo, Report
from app.settings import Settings

# Tokens kept free besides max_tokens: the chat template's closing tokens.
_CONTEXT_MARGIN = 16
# A bearer token for model servers that want one (llama-cpp-python's --api_key, vLLM's --api-key).
API_KEY_ENV = "CV_ENHANCER_API_KEY"


def load_settings_for(model: ResolvedModel, settings: Settings) -> LoadSettings:
    return LoadSettings(
        model_path=str(model.path),
        n_ctx=settings.ctx,
        n_threads=settings.threads,
        n_threads_batch=settings.threads_batch or settings.threads,
        n_batch=settings.batch,
        n_gpu_layers=settings.gpu_layers,
        chat_format=model.chat_format,
    )


def load_engine(settings: Settings) -> Engine:
    """The shared local engine for these settings (loaded once, reused after).

    The seam tests replace with a FakeEngine (tests/conftest.py's `fake_engine`); the benchmarks call it
    directly, since they measure llama-cpp-python in this process.
    """
    model = resolve_model(settings.model, chat_format=settings.chat_format)
    return get_engine(model, load_settings_for(model, settings))


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


def model_engine(settings: Settings) -> ModelEngine:
    """The engine of settings.backend: the local model (loaded once) or the servers."""
    return server_engine(settings) if settings.backend == "server" else load_engine(settings)


@dataclass(frozen=True)
class AdvicePrompt:
    """The exact text the model continues, and what came with it."""

    text: str  # the rendered chat, ending with the opening of the answer
    stop: list[str]
    opening: str  # the advice's first sentence, written by us from the findings
    warnings: list[str]


def build_advice_prompt(
    engine: ModelEngine, analysis: Analysis, cv_text: str, job_text: str, settings: Settings
) -> AdvicePrompt:
    """The prompt for the advice, trimmed to the context window, in the model's chat format."""

    def count_tokens(messages: list[dict[str, str]]) -> int:
        return len(engine.tokenize(engine.render(messages)[0]))

    opening = answer_start(analysis)
    # The opening sentence is part of the prompt the model continues: it counts too.
    opening_tokens = len(engine.llm_tokens(opening))
    budget = engine.n_ctx - settings.max_tokens - _CONTEXT_MARGIN - opening_tokens
    prompt = fit_prompt(analysis, cv_text, job_text, count_tokens=count_tokens, budget=budget)
    text, stop = engine.render(prompt.messages)
    return AdvicePrompt(text + opening, stop, opening, prompt.warnings)


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
    should_stop: Callable[[], bool] | None = None,
    engine: ModelEngine | None = None,
) -> Report:
    """Analyse the CV against the job; with settings.use_llm, stream the model's advice too.

    Callbacks, all optional: on_findings gets the report with the deterministic
    findings before any model work (show them at once); on_token gets each piece
    of advice as it is generated; on_metrics gets the live metrics after each
    piece; on_queued is called if another session is using the model and this
    one must wait; should_stop is polled between tokens to cancel. `engine`
    overrides the one settings.backend picks (the study pins a pair to a server).
    """
    started = time.perf_counter()
    analysis = analyze(cv.text, job.text)
    analysis_ms = (time.perf_counter() - started) * 1000
    report = Report(analysis, settings, cv.name, job.name, warnings=list(analysis.warnings))
    report.metrics = {"analysis_ms": round(analysis_ms, 2)}
    if on_findings is not None:
        on_findings(report)
    if not settings.use_llm:
        return report

    engine = engine if engine is not None else model_engine(settings)
    report.model = ModelInfo(
        engine.model.name, str(engine.model.path), engine.model.quantization, engine.chat_format, engine.backend
    )
    prompt = build_advice_prompt(engine, analysis, cv.text, job.text, settings)
    report.warnings.extend(prompt.warnings)
    metrics = GenerationMetrics()
    pieces: list[str] = [prompt.opening]
    if on_token is not None:
        on_token(prompt.opening)
    stream = engine.stream(
        prompt.text,
        decoding=decoding_for(settings),
        max_tokens=settings.max_tokens,
        stop=prompt.stop,
        metrics=metrics,
        should_stop=should_stop,
        on_queued=on_queued,
    )
    for piece in stream:
        pieces.append(piece)
        if on_token is not None:
            on_token(piece)
        if on_metrics is not None:
            on_metrics(metrics)
    report.advice = "".join(pieces).strip()
    report.metrics = {**metrics.to_dict(), "analysis_ms": round(analysis_ms, 2)}
    if metrics.server:
        report.model = replace(report.model, server=metrics.server)  # the server that answered
    if metrics.stopped_by_user:
        report.warnings.append(STOPPED_WARNING)
    report.warnings.extend(advice_warnings(report.advice, analysis, cv.text, job.text))
    return report
