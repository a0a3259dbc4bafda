"""What every text engine shares: the `TextEngine` protocol and the value types of a call (no llama_cpp here).

The pipeline, the study and the app talk to a loaded model only through
`TextEngine`. Three kinds satisfy it: `app.llm.engine.Engine` (llama-cpp-python
in this process), `app.llm.fake.FakeEngine` (tests: queued replies and injected
failures) and any other backend (an OpenAI-compatible server, say) that
implements these few members and fills `GenerationMetrics` the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any, Protocol, runtime_checkable

from app.settings import default

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}


@dataclass(frozen=True)
class Decoding:
    """How to pick tokens: greedy (do_sample=False) or sampling. Defaults are the Settings fields' own."""

    greedy: bool = default("greedy")
    temperature: float = default("temperature")
    top_p: float = default("top_p")
    seed: int = default("seed")
    repeat_penalty: float = default("repeat_penalty")


@dataclass(frozen=True)
class ModelInfo:
    """Which model answered: the report's `model` object."""

    name: str
    file: str
    quantization: str | None
    chat_format: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": self.file,
            "quantization": self.quantization,
            "chat_format": self.chat_format,
        }


@dataclass
class GenerationMetrics:
    """What one call cost. Names match the JSON report's `metrics`."""

    load_s: float = 0.0
    prompt_tokens: int = 0
    prompt_tokens_reused: int = 0
    generated_tokens: int = 0
    ttft_s: float | None = None
    prompt_tokens_per_s: float | None = None
    gen_tokens_per_s: float | None = None
    total_s: float = 0.0
    rss_mb: float = 0.0
    peak_rss_mb: float = 0.0
    model_size_mb: float = 0.0
    gpu_layers: int = 0
    gpu_offload_supported: bool = False
    stopped_by_user: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {key: round(value, 4) if isinstance(value, float) else value for key, value in asdict(self).items()}


@runtime_checkable
class TextEngine(Protocol):
    """A loaded model, as the pipeline, the study and the app use it.

    Errors are domain errors (app.errors): ContextOverflowError when the
    prompt and max_tokens do not fit n_ctx, ModelError when the model fails.
    """

    @property
    def info(self) -> ModelInfo:
        """The model's name, file, quantization and chat format, for the report."""
        ...

    @property
    def n_ctx(self) -> int:
        """The context window in tokens: prompt plus new tokens must fit it."""
        ...

    def render(self, messages: list[Message]) -> tuple[str, list[str]]:
        """The prompt text for a chat in the model's chat format, and the format's stop strings."""
        ...

    def tokenize(self, text: str) -> list[int]:
        """The tokens of a whole prompt (beginning-of-sequence token included when the model adds one)."""
        ...

    def llm_tokens(self, text: str) -> list[int]:
        """The tokens of a piece of text inside a prompt (no beginning-of-sequence token)."""
        ...

    def stream(
        self,
        prompt: str,
        *,
        decoding: Decoding,
        max_tokens: int,
        stop: list[str] | None = None,
        metrics: GenerationMetrics | None = None,
        should_stop: Callable[[], bool] | None = None,
        on_queued: Callable[[], None] | None = None,
    ) -> Iterator[str]:
        """Yield the completion piece by piece, filling `metrics` as it goes.

        `should_stop` is polled after each piece: when true, generation ends,
        metrics.stopped_by_user is set and what was produced stands.
        `on_queued` is called once if the model is busy and this call waits.
        """
        ...

    def complete_json(
        self, messages: list[Message], schema: dict[str, Any], *, decoding: Decoding, max_tokens: int
    ) -> tuple[dict[str, Any], GenerationMetrics]:
        """Answer a chat with a JSON object that matches `schema`."""
        ...

    def close(self) -> None:
        """Free the model."""
        ...
