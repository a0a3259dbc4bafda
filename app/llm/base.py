"""What every model backend shares, without llama_cpp: decoding settings, per-call metrics, the engine's interface.

`Engine` (app/llm/engine.py, llama-cpp-python in this process) and
`ServerEngine` (app/llm/server.py, OpenAI-compatible servers over HTTP) both
satisfy `ModelEngine`; the pipeline, the advice checks and the report never
ask which one they have. `app.llm.fake.FakeEngine` satisfies it too (tests:
queued replies and injected failures).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, runtime_checkable

from app.errors import ContextOverflowError, GenerationStopped
from app.settings import default

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack for **kwargs is Python 3.12's

Message = dict[str, str]

# How often a call waiting for the model's lock checks whether its user pressed Stop.
_TURN_POLL_S = 0.1


@dataclass(frozen=True)
class Decoding:
    """How to pick tokens: greedy (do_sample=False) or sampling. Defaults are the Settings fields' own."""

    greedy: bool = default("greedy")
    temperature: float = default("temperature")
    top_p: float = default("top_p")
    seed: int = default("seed")
    repeat_penalty: float = default("repeat_penalty")


def sampling_arguments(decoding: Decoding) -> dict[str, Any]:
    """The sampling fields of a llama.cpp completion call (llama-cpp-python's and its server's names)."""
    if decoding.greedy:
        # temperature 0 makes llama.cpp take the most likely token: do_sample=False.
        return {
            "temperature": 0.0,
            "top_k": 1,
            "top_p": 1.0,
            "min_p": 0.0,
            "seed": decoding.seed,
            "repeat_penalty": decoding.repeat_penalty,
        }
    return {
        "temperature": decoding.temperature,
        "top_p": decoding.top_p,
        "top_k": 0,
        "min_p": 0.0,
        "seed": decoding.seed,
        "repeat_penalty": decoding.repeat_penalty,
    }


@dataclass
class GenerationMetrics:
    """What one call cost. Names match the JSON report's `metrics`.

    backend "local": every figure is this process's, speeds from llama.cpp's
    own counters. backend "server": ttft_s and gen_tokens_per_s are measured
    here, on the client, so they include the network and any queue on the
    server; the server's own figures, where it reports them (llama.cpp's
    `timings`), are the server_* fields; RAM is the server's, so rss_mb and
    peak_rss_mb are None (unknown), never this process's.
    """

    load_s: float | None = 0.0
    prompt_tokens: int = 0
    prompt_tokens_reused: int | None = 0
    generated_tokens: int = 0
    ttft_s: float | None = None
    prompt_tokens_per_s: float | None = None
    gen_tokens_per_s: float | None = None
    total_s: float = 0.0
    rss_mb: float | None = 0.0
    peak_rss_mb: float | None = 0.0
    model_size_mb: float | None = 0.0
    gpu_layers: int = 0
    gpu_offload_supported: bool = False
    stopped_by_user: bool = False
    backend: str = "local"
    server: str | None = None  # the URL that answered (server backend)
    server_worker: str | None = None  # behind a balancer, the worker that answered (nginx's X-Upstream-Addr)
    server_prompt_tokens_per_s: float | None = None
    server_gen_tokens_per_s: float | None = None
    server_timings: dict[str, Any] | None = None  # the server's `timings` object as it sent it
    server_retries: list[str] | None = None  # why earlier servers were left (the answer still came)
    # Advice written section by section makes several calls: how many, and the tokens
    # evaluated before the very first new token (what time to first token waits for).
    model_calls: int = 0
    first_prompt_tokens: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {key: round(value, 4) if isinstance(value, float) else value for key, value in asdict(self).items()}


class StreamOptions(TypedDict, total=False):
    """The optional keywords of `ModelEngine.stream`, the same for every backend."""

    stop: list[str] | None  # strings that end the completion, besides the model's own end of text
    metrics: GenerationMetrics | None  # filled as the stream goes (a fresh one when not given)
    should_stop: Callable[[], bool] | None  # asked after each piece: true ends the stream early, what came stands
    on_queued: Callable[[], None] | None  # called once when another call holds the model and this one waits
    ignore_eos: bool  # ban the end-of-text token so that exactly max_tokens come out (benchmarks)


@dataclass(frozen=True)
class Streaming:
    """A stream's options with their defaults filled in: what a backend's `stream` reads."""

    stop: list[str]
    metrics: GenerationMetrics
    should_stop: Callable[[], bool] | None
    on_queued: Callable[[], None] | None
    ignore_eos: bool

    @classmethod
    def of(cls, options: StreamOptions) -> Streaming:
        unknown = set(options) - StreamOptions.__optional_keys__
        if unknown:  # what a signature with these keywords spelled out would refuse
            raise TypeError(f"stream() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
        metrics = options.get("metrics")
        return cls(
            stop=list(options.get("stop") or []),
            metrics=metrics if metrics is not None else GenerationMetrics(),
            should_stop=options.get("should_stop"),
            on_queued=options.get("on_queued"),
            ignore_eos=options.get("ignore_eos", False),
        )


def check_fits(prompt_tokens: int, max_tokens: int, n_ctx: int, *, ctx_flag: str = "--ctx") -> None:
    """Refuse a call whose prompt and new tokens would not fit the context window, saying what to raise."""
    if prompt_tokens + max_tokens > n_ctx:
        raise ContextOverflowError(
            f"the prompt needs {prompt_tokens} tokens plus {max_tokens} new ones, more than the context "
            f"window of {n_ctx}; raise {ctx_flag} or lower --max-tokens."
        )


def take_turn(
    lock: threading.Lock,
    on_queued: Callable[[], None] | None,
    should_stop: Callable[[], bool] | None = None,
) -> None:
    """Acquire the model's lock; when another call holds it, say so once (on_queued), then wait.

    While waiting, `should_stop` is polled: a user who presses Stop (or closes
    the tab) while another session's generation holds the model is not kept
    waiting for it; the wait ends with GenerationStopped.
    """
    if lock.acquire(blocking=False):
        return
    if on_queued is not None:
        on_queued()
    while not lock.acquire(timeout=_TURN_POLL_S):
        if should_stop is not None and should_stop():
            raise GenerationStopped("Stopped while waiting for the model; nothing was generated.")


class ModelFacts(Protocol):
    """What the report says about the model."""

    @property
    def name(self) -> str: ...

    @property
    def path(self) -> Path | str: ...

    @property
    def quantization(self) -> str | None: ...


@runtime_checkable
class ModelEngine(Protocol):
    """The calls the pipeline makes to a model, wherever it runs."""

    @property
    def backend(self) -> str:
        """ "local" (this process) or "server"."""
        ...

    @property
    def chat_format(self) -> str | None:
        """The chat format the prompt is rendered in (None: the model's own template)."""
        ...

    @property
    def model(self) -> ModelFacts: ...

    @property
    def n_ctx(self) -> int: ...

    def render(self, messages: list[Message]) -> tuple[str, list[str]]:
        """The prompt text for a chat and the stop strings of its format."""
        ...

    def tokenize(self, text: str) -> list[int]:
        """A whole prompt's tokens (beginning-of-sequence token included)."""
        ...

    def llm_tokens(self, text: str) -> list[int]:
        """Tokens of a piece of text inside a prompt (no beginning-of-sequence token)."""
        ...

    def stream(
        self, prompt: str, *, decoding: Decoding, max_tokens: int, **options: Unpack[StreamOptions]
    ) -> Iterator[str]:
        """Yield the completion piece by piece, filling the options' `metrics` as it goes (see StreamOptions)."""
        ...


@runtime_checkable
class JsonEngine(ModelEngine, Protocol):
    """A ModelEngine that can also answer with JSON matching a schema (the LLM judge needs it)."""

    def complete_json(
        self, messages: list[Message], schema: dict[str, Any], *, decoding: Decoding, max_tokens: int
    ) -> tuple[dict[str, Any], GenerationMetrics]:
        """Answer a chat with a JSON object that matches `schema`."""
        ...
