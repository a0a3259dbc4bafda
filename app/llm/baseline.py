"""The bare llama-cpp-python baseline and the measuring helpers of the benchmarks (real engine only).

`BareBaseline` calls llama-cpp-python directly on the model an `Engine`
loaded; `measured_run` and `reset_cache` run the engine from an empty KV
cache. scripts/benchmark.py (through app.bench.worker) and
scripts/bench_core.py compare the two: ours/bare is the project's overhead.
"""

from __future__ import annotations

import time

import llama_cpp

from app.llm.base import Decoding, GenerationMetrics
from app.llm.engine import Engine, sampling_arguments


class BareBaseline:
    """Baseline for scripts/benchmark.py's pp/tg tests: llama-cpp-python called directly, none of our layer.

    It calls `create_completion` on the very `llama_cpp.Llama` an Engine
    loaded: a text prompt (tokenized by llama-cpp-python exactly as
    Engine.tokenize does), non-streaming, from an empty KV cache, with the same
    sampling arguments, and none of Engine's tokenizing, lock, streaming or
    live metrics. Sharing the model keeps one copy of the weights in RAM or
    VRAM and lets the benchmark interleave the two paths, so the machine's
    drift hits both alike. Tokens/s come from llama.cpp's perf counters, read
    as Engine reads them: ours/bare is the project's overhead like for like.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.llm = engine.llm

    def prompt_processing(self, prompt: str, *, decoding: Decoding) -> dict[str, float | None]:
        """llama-bench's pp test: evaluate the whole prompt and sample one token."""
        return self._run(prompt, decoding=decoding, max_tokens=1, ignore_eos=False)

    def generation(self, prompt: str, *, decoding: Decoding, max_tokens: int) -> dict[str, float | None]:
        """llama-bench's tg test: exactly max_tokens new tokens after a short prompt (end-of-text banned)."""
        return self._run(prompt, decoding=decoding, max_tokens=max_tokens, ignore_eos=True)

    def _run(self, prompt: str, *, decoding: Decoding, max_tokens: int, ignore_eos: bool) -> dict[str, float | None]:
        with self.engine.lock:  # the model is the engine's: never two calls at once
            # An empty cache: the whole prompt is evaluated, as after reset_cache (llama-cpp-python leaves it untyped).
            self.llm.reset()  # type: ignore[no-untyped-call]
            llama_cpp.llama_perf_context_reset(self.llm.ctx)
            started = time.perf_counter()
            self.llm.create_completion(
                prompt,
                max_tokens=max_tokens,
                logit_bias={self.llm.token_eos(): float("-inf")} if ignore_eos else None,
                **sampling_arguments(decoding),
            )
            total_s = time.perf_counter() - started
            perf = llama_cpp.llama_perf_context(self.llm.ctx)
        measured_prompt = perf.t_p_eval_ms > 0 and perf.n_p_eval > 0
        measured_gen = perf.t_eval_ms > 0 and perf.n_eval > 0
        return {
            "prompt_tokens_per_s": perf.n_p_eval / (perf.t_p_eval_ms / 1000) if measured_prompt else None,
            "gen_tokens_per_s": perf.n_eval / (perf.t_eval_ms / 1000) if measured_gen else None,
            "prompt_tokens": float(perf.n_p_eval) if measured_prompt else 0.0,
            "total_s": total_s,
        }


def reset_cache(engine: Engine) -> None:
    """Forget the KV cache, so the next call evaluates its whole prompt (benchmarks)."""
    with engine.lock:
        engine.llm.reset()  # type: ignore[no-untyped-call]  # llama-cpp-python leaves it untyped


def measured_run(
    engine: Engine,
    prompt: str,
    *,
    decoding: Decoding,
    max_tokens: int,
    stop: list[str] | None = None,
    ignore_eos: bool = False,
) -> GenerationMetrics:
    """One generation through the engine from an empty KV cache, for benchmarks: its metrics only."""
    reset_cache(engine)
    metrics = GenerationMetrics()
    for _ in engine.stream(
        prompt, decoding=decoding, max_tokens=max_tokens, stop=stop, metrics=metrics, ignore_eos=ignore_eos
    ):
        pass
    return metrics
