"""One benchmark configuration, measured in a process of its own: `python -m app.bench.worker`.

Reads {"settings": Settings, "options": app.bench.plan.Options} as JSON on
stdin and writes one JSON object on stdout (anything else written to stdout,
llama.cpp's logs included, goes to stderr). Run by app.bench.runner.run_config; a
fresh process per configuration makes its peak RSS (VmHWM) its own.

Order, after llama-bench: load the model (timed apart); an untimed warm-up
(pp N once, a 2-token tg, and the task's deterministic analysis and prompt
building: the prompt evaluation it would warm is the pp warm-up's); then r
repetitions of pp N, then of tg N, each taking turns with the same test
through bare llama-cpp-python on the same loaded model
(app.llm.baseline.BareBaseline: the overhead ratio); then r repetitions of the
task; every repetition from an empty KV cache. Peak RSS and GPU memory are
read at the end, the model still loaded.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from app.analysis.documents import Document, read_document
from app.analysis.scoring import analyze
from app.bench.plan import TG_PROMPT_TOKENS, WARMUP_GEN_TOKENS, Options, task_documents
from app.errors import ContextOverflowError, CVEnhancerError
from app.llm.base import Decoding, GenerationMetrics
from app.llm.baseline import BareBaseline, measured_run, reset_cache
from app.llm.engine import Engine, release_engine
from app.llm.memory import gpu_memory_used_mb, peak_rss_mb, rss_mb
from app.pipeline import build_advice_prompt, decoding_for, load_engine, run_analysis
from app.settings import Settings

# Filler for prompts of an exact length: a common word is one token in every tokenizer we ship.
_FILLER = " the"


def prompt_of_tokens(tokenize: Callable[[str], list[int]], n_tokens: int) -> str:
    """A text that tokenizes (BOS included, when the model adds one) to exactly n_tokens tokens."""
    words = n_tokens
    for _ in range(8):
        text = _FILLER * max(1, words)
        count = len(tokenize(text))
        if count == n_tokens:
            return text
        words += n_tokens - count
    raise CVEnhancerError(f"could not build a prompt of exactly {n_tokens} tokens for this model's tokenizer")


def _pp(engine: Engine, prompt: str, decoding: Decoding) -> dict[str, Any]:
    """llama-bench's pp test: evaluate the whole prompt, sample one token."""
    metrics = measured_run(engine, prompt, decoding=decoding, max_tokens=1)
    return _sample(metrics, metrics.prompt_tokens_per_s)


def _tg(engine: Engine, prompt: str, n_gen: int, decoding: Decoding) -> dict[str, Any]:
    """llama-bench's tg test: exactly n_gen new tokens after a short prompt."""
    metrics = measured_run(engine, prompt, decoding=decoding, max_tokens=n_gen, ignore_eos=True)
    return _sample(metrics, metrics.gen_tokens_per_s)


def _sample(metrics: GenerationMetrics, tokens_per_s: float | None) -> dict[str, Any]:
    return {
        "tokens_per_s": tokens_per_s,
        "seconds": metrics.total_s,
        "prompt_tokens": metrics.prompt_tokens,
        "generated_tokens": metrics.generated_tokens,
    }


def _task(engine: Engine, settings: Settings, cv: Document, job: Document) -> dict[str, Any]:
    """One real analysis from an empty cache: end-to-end time to the model's first token, and total."""
    reset_cache(engine)
    first_token: list[float] = []

    def on_metrics(_metrics: GenerationMetrics) -> None:  # called after each piece the model writes
        if not first_token:
            first_token.append(time.perf_counter())

    started = time.perf_counter()
    report = run_analysis(cv, job, settings, on_metrics=on_metrics, speed_only=True)
    total = time.perf_counter() - started
    metrics = report.metrics
    return {
        "tokens_per_s": metrics.get("gen_tokens_per_s"),
        "seconds": total,
        "ttft_s": first_token[0] - started if first_token else None,
        "engine_ttft_s": metrics.get("ttft_s"),
        "prompt_tokens_per_s": metrics.get("prompt_tokens_per_s"),
        "prompt_tokens": metrics.get("prompt_tokens"),
        "generated_tokens": metrics.get("generated_tokens"),
    }


def _task_prompt_tokens(engine: Engine, settings: Settings, cv: Document, job: Document) -> int:
    """Tokens of the real task's prompt (CV + job, as the pipeline builds it); building it also warms the task."""
    prompt = build_advice_prompt(engine, analyze(cv.text, job.text), cv.text, job.text, settings)
    return len(engine.tokenize(prompt.text))


def _bare_pp(bare: BareBaseline | None, prompt: str, decoding: Decoding) -> dict[str, Any] | None:
    if bare is None:
        return None
    sample = bare.prompt_processing(prompt, decoding=decoding)
    return {"tokens_per_s": sample["prompt_tokens_per_s"], "seconds": sample["total_s"]}


def _bare_tg(bare: BareBaseline | None, prompt: str, n_gen: int, decoding: Decoding) -> dict[str, Any] | None:
    if bare is None:
        return None
    sample = bare.generation(prompt, decoding=decoding, max_tokens=n_gen)
    return {"tokens_per_s": sample["gen_tokens_per_s"], "seconds": sample["total_s"]}


def measure(settings: Settings, options: Options) -> dict[str, Any]:
    """Everything about one configuration, as JSON-ready data."""
    decoding = decoding_for(settings)
    gpu_before = gpu_memory_used_mb() if settings.gpu_layers else None
    engine = load_engine(settings, speed_only=True)  # a synthetic model is measured like any other
    bare = BareBaseline(engine) if options.overhead else None
    result: dict[str, Any] = {"status": "ok", "load_s": engine.load_s, "tests": {}, "bare": {}}
    pp_prompt = prompt_of_tokens(engine.tokenize, options.n_prompt) if options.n_prompt else ""
    tg_prompt = prompt_of_tokens(engine.tokenize, TG_PROMPT_TOKENS)
    cv, job = (read_document(path) for path in task_documents(options))
    # What the first-token estimate of the real task needs, measured or not (the prompt is built, not run).
    try:
        result["task_prompt_tokens"] = _task_prompt_tokens(engine, settings, cv, job)
    except ContextOverflowError:
        if options.task:
            raise  # the task cannot run at this context: the configuration fails, saying why
        result["task_prompt_tokens"] = None  # too small a context for the task: no estimate, pp/tg still run

    if options.warmup:
        if options.n_prompt:
            _pp(engine, pp_prompt, decoding)
            _bare_pp(bare, pp_prompt, decoding)
        if options.n_gen:
            _tg(engine, tg_prompt, WARMUP_GEN_TOKENS, decoding)
            _bare_tg(bare, tg_prompt, WARMUP_GEN_TOKENS, decoding)
    # Ours and the bare baseline take turns, so a change in the machine's load hits both alike.
    if options.n_prompt:
        pairs = [
            (_pp(engine, pp_prompt, decoding), _bare_pp(bare, pp_prompt, decoding)) for _ in range(options.repetitions)
        ]
        result["tests"]["pp"] = [ours for ours, _ in pairs]
        result["bare"]["pp"] = [theirs for _, theirs in pairs if theirs is not None]
    if options.n_gen:
        pairs = [
            (_tg(engine, tg_prompt, options.n_gen, decoding), _bare_tg(bare, tg_prompt, options.n_gen, decoding))
            for _ in range(options.repetitions)
        ]
        result["tests"]["tg"] = [ours for ours, _ in pairs]
        result["bare"]["tg"] = [theirs for _, theirs in pairs if theirs is not None]
    if options.task:
        result["tests"]["task"] = [_task(engine, settings, cv, job) for _ in range(options.repetitions)]

    result["peak_rss_mb"] = peak_rss_mb()
    result["rss_mb"] = rss_mb()
    gpu_after = gpu_memory_used_mb() if settings.gpu_layers else None
    result["gpu_memory_mb"] = gpu_after - gpu_before if gpu_after is not None and gpu_before is not None else None
    release_engine()
    return result


def main() -> int:
    job = json.load(sys.stdin)
    # Keep stdout for our one JSON line; whatever else prints there (C code included) goes to stderr.
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    try:
        result = measure(Settings(**job["settings"]), Options(**job["options"]))
    except CVEnhancerError as error:
        result = {"status": "failed", "reason": str(error)}
    except Exception as error:  # a bug or a llama.cpp failure: still a row that says what happened
        result = {"status": "failed", "reason": f"internal error: {type(error).__name__}: {error}"}
    channel.write(json.dumps(result) + "\n")
    channel.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
