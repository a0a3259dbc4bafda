"""The one validated settings object behind the CLI flags, the app's widgets and benchmark records.

Each field's description is the help text of its CLI flag and the tooltip of
its widget, so the two never drift apart.
"""

from __future__ import annotations

import os
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from app.errors import SettingsError

EMBEDDED_MODEL_NAME = "smollm2-135m-instruct"
# The app's and the CLI's default server URL(s) (the server backend), space- or comma-separated.
SERVER_URL_ENV = "CV_ENHANCER_SERVER_URL"


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
    backend: Literal["local", "server"] = Field(
        "local",
        description="where the model runs: local (llama-cpp-python in this process) or server "
        "(OpenAI-compatible model servers at server_urls)",
    )
    server_urls: list[str] = Field(
        default_factory=list,
        description="OpenAI-compatible base URL of a model server, e.g. http://127.0.0.1:8080/v1 "
        "(nginx in front of workers, or one worker); repeat for more: the next is tried when one fails",
    )
    server_timeout_s: float = Field(
        600.0, ge=1.0, le=86400.0, description="longest wait in seconds for a server's next byte (queued requests wait)"
    )

    @field_validator("server_urls")
    @classmethod
    def _check_urls(cls, urls: list[str]) -> list[str]:
        cleaned = []
        for url in urls:
            text = url.strip().rstrip("/")
            parts = urlsplit(text)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"{url!r} is not an http(s) URL; use http://HOST:PORT/v1")
            cleaned.append(text if parts.path.endswith("/v1") else text + "/v1")
        return list(dict.fromkeys(cleaned))

    @model_validator(mode="after")
    def _check_consistency(self) -> Settings:
        if self.max_tokens >= self.ctx:
            raise ValueError(f"max_tokens ({self.max_tokens}) must be smaller than ctx ({self.ctx})")
        if self.backend == "server" and not self.server_urls:
            raise ValueError("the server backend needs a server URL: pass --server-url http://HOST:PORT/v1")
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


def server_urls_from_env() -> list[str]:
    """The URLs in CV_ENHANCER_SERVER_URL (space- or comma-separated); none when it is unset."""
    return [part for part in os.environ.get(SERVER_URL_ENV, "").replace(",", " ").split() if part]


def describe(field: str) -> str:
    """The help text of a settings field (for CLI flags and widget tooltips)."""
    return Settings.model_fields[field].description or field
