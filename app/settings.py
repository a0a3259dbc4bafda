"""The one validated settings object behind the CLI flags, the app's widgets and benchmark records.

Each field's description is the help text of its CLI flag and the tooltip of
its widget, so the two never drift apart.
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.errors import SettingsError

EMBEDDED_MODEL_NAME = "smollm2-135m-instruct"


def default_threads() -> int:
    """Physical cores when known: llama.cpp gains nothing from hyper-threads."""
    try:
        import psutil

        physical = psutil.cpu_count(logical=False)
    except Exception:  # psutil may not know on some platforms; fall back below
        physical = None
    return max(1, physical or os.cpu_count() or 1)


class Settings(BaseModel):
    """How to run one analysis: which model, on what hardware, with what decoding."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)

    model: str = Field(EMBEDDED_MODEL_NAME, description="catalog name of the model or the path of a .gguf file")
    chat_format: str | None = Field(
        None, description="llama-cpp-python chat format; default: the catalog's, else the GGUF's own template"
    )
    greedy: bool = Field(True, description="greedy decoding (do_sample=False): the same answer every time")
    temperature: float = Field(0.7, ge=0.0, le=2.0, description="sampling temperature (used when not greedy)")
    top_p: float = Field(0.95, gt=0.0, le=1.0, description="nucleus sampling top-p (used when not greedy)")
    repeat_penalty: float = Field(
        1.1, ge=1.0, le=2.0, description="penalty on repeated tokens (1.0 off; llama.cpp's usual 1.1 stops loops)"
    )
    seed: int = Field(42, ge=0, le=2**31 - 1, description="random seed for sampling")
    max_tokens: int = Field(512, ge=1, le=8192, description="most new tokens the advice may have")
    threads: int = Field(default_factory=default_threads, ge=1, le=512, description="CPU threads for generation")
    threads_batch: int | None = Field(
        None, ge=1, le=512, description="CPU threads for prompt processing (default: same as threads)"
    )
    batch: int = Field(512, ge=1, le=8192, description="prompt-processing batch size (n_batch)")
    gpu_layers: int = Field(0, ge=-1, le=1000, description="layers to offload to the GPU: 0 none, -1 all")
    ctx: int = Field(4096, ge=512, le=131072, description="context window in tokens (n_ctx)")
    use_llm: bool = Field(True, description="write advice with the model; off: the deterministic report alone")
    advise_top: int = Field(
        3,
        ge=0,
        le=100,
        description="with several jobs, write advice for this many of the best matches; the rest get the "
        "deterministic report",
    )

    @model_validator(mode="after")
    def _check_consistency(self) -> Settings:
        if self.max_tokens >= self.ctx:
            raise ValueError(f"max_tokens ({self.max_tokens}) must be smaller than ctx ({self.ctx})")
        return self


def make_settings(**values: Any) -> Settings:
    """Build Settings, turning pydantic's report into one SettingsError line per problem."""
    try:
        return Settings(**{key: value for key, value in values.items() if value is not None})
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc']) or 'settings'}: {issue['msg']}" for issue in error.errors()
        )
        raise SettingsError(f"invalid settings: {problems}") from None


def widget_range(field: str) -> tuple[int, int, int]:
    """(minimum, maximum, default) of an integer settings field, for a number widget's bounds."""
    info = Settings.model_fields[field]
    low = next(item.ge for item in info.metadata if hasattr(item, "ge"))
    high = next(item.le for item in info.metadata if hasattr(item, "le"))
    return int(low), int(high), int(info.get_default(call_default_factory=True))


def describe(field: str) -> str:
    """The help text of a settings field (for CLI flags and widget tooltips)."""
    return Settings.model_fields[field].description or field
