"""The one validated settings object behind the CLI flags, the app's widgets and benchmark records.

Each field is declared once, here: its default, its bounds, its help text
(`description`) and its widget label (`title`). Nothing else retypes them:

- scripts add flags with `add_flag(parser, "max_tokens")` (or `flag_kwargs`),
  whose help, type and range come from the field;
- the app's widgets take `widget_kwargs("max_tokens")` (label, bounds, default,
  step, help);
- the engine's `Decoding` and `LoadSettings` take their defaults from
  `default(...)`.

A new setting (a backend, a server URL...) is one `setting(...)` below (a
pydantic `Field`), with a `description`, a `title` and, when numeric, its
bounds and a `step`; `tests/test_settings.py` walks the fields and checks
every flag and widget against them.
"""

from __future__ import annotations

import argparse
import os
import types
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin
from urllib.parse import urlsplit

import annotated_types
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

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


def logical_cores() -> int:
    """The CPU threads this machine can run at once (hyper-threads included)."""
    return max(1, os.cpu_count() or 1)


def check_threads(threads: int, flag: str = "--threads") -> None:
    """Refuse more threads than logical cores: llama.cpp's threads then wait on each other.

    512 threads on 2 cores took 88 s where 2 took 5.6 s (issue 12).
    """
    cores = logical_cores()
    if threads > cores:
        raise SettingsError(
            f"{flag} {threads} is more than this machine's {cores} logical CPU cores, which only slows llama.cpp "
            f"down; use {flag} {cores} or fewer."
        )


def check_context(ctx: int, trained: int | None, model: str, force: bool = False) -> None:
    """Refuse a context window above the model's training context unless forced (--force-ctx)."""
    if trained and ctx > trained and not force:
        raise SettingsError(
            f"a context of {ctx} tokens is above the {trained} {model} was trained with, and its answers degrade "
            f"past that; use --ctx {trained} or less, or allow it with --force-ctx (in the app: "
            f'"{label("force_ctx")}").'
        )


def setting(
    default: Any = PydanticUndefined,
    *,
    title: str,
    description: str,
    step: float | None = None,
    default_text: str | None = None,
    **constraints: Any,
) -> Any:
    """One Settings field: its default, widget label (title), help (description), bounds (ge, gt, le...), widget step.

    default_text: how --help names a default computed at run time ("physical cores").
    """
    extra: dict[str, Any] = {}
    if step is not None:
        extra["step"] = step
    if default_text is not None:
        extra["default_text"] = default_text
    return Field(default, title=title, description=description, json_schema_extra=extra, **constraints)


class Settings(BaseModel):
    """How to run one analysis: which model, on what hardware, with what decoding."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)

    model: str = setting(
        EMBEDDED_MODEL_NAME,
        title="Model",
        description="catalog name of the model or the path of a .gguf file",
        default_text=f"{EMBEDDED_MODEL_NAME}, the embedded model",
    )
    chat_format: str | None = setting(
        None,
        title="Chat format",
        description="llama-cpp-python chat format",
        default_text="the catalog's, else the GGUF's own template",
    )
    greedy: bool = setting(
        True,
        title="Decoding mode",
        description="greedy decoding (do_sample=False): the same answer every time",
        default_text="on",
    )
    temperature: float = setting(
        0.7, ge=0.0, le=2.0, title="Temperature", description="sampling temperature (used when not greedy)", step=0.05
    )
    top_p: float = setting(
        0.95, gt=0.0, le=1.0, title="Top-p", description="nucleus sampling top-p (used when not greedy)", step=0.05
    )
    repeat_penalty: float = setting(
        1.1,
        ge=1.0,
        le=2.0,
        title="Repeat penalty",
        description="penalty on repeated tokens (1.0 off; llama.cpp's usual 1.1 stops loops)",
        step=0.05,
    )
    seed: int = setting(42, ge=0, le=2**31 - 1, title="Seed", description="random seed for sampling", step=1)
    max_tokens: int = setting(
        512, ge=1, le=8192, title="Max new tokens", description="most new tokens the advice may have", step=16
    )
    threads: int = setting(
        default_factory=default_threads,
        ge=1,
        le=512,
        title="CPU threads",
        description="CPU threads for generation; at most the logical cores of this machine",
        step=1,
        default_text="physical cores",
    )
    threads_batch: int | None = setting(
        None,
        ge=1,
        le=512,
        title="CPU threads for the prompt",
        description="CPU threads for prompt processing",
        step=1,
        default_text="same as threads",
    )
    batch: int = setting(
        512, ge=1, le=8192, title="Batch size", description="prompt-processing batch size (n_batch)", step=64
    )
    gpu_layers: int = setting(
        0,
        ge=-1,
        le=1000,
        title="GPU layers (-1 = all)",
        description="layers to offload to the GPU: 0 none, -1 all",
        step=1,
    )
    ctx: int = setting(
        4096, ge=512, le=131072, title="Context size", description="context window in tokens (n_ctx)", step=512
    )
    force_ctx: bool = setting(
        False,
        title="Allow a context above the model's training",
        description="allow a context window larger than the one the model was trained with (its answers "
        "degrade past it, and the cache takes memory)",
        default_text="off",
    )
    use_llm: bool = setting(
        True,
        title="Write advice",
        description="write advice with the model; off: the deterministic report alone",
        default_text="on",
    )
    advise_top: int = setting(
        3,
        ge=0,
        le=100,
        title="Advice for the top N jobs",
        description="with several jobs, write advice for this many of the best matches; the rest get the "
        "deterministic report",
        step=1,
    )
    advice_mode: Literal["sections", "whole"] = setting(
        "sections",
        title="How the advice is written",
        description="sections: one short prompt per section of the plan (small models stay on task, the first "
        "token comes sooner); whole: the whole advice from one prompt",
        default_text="sections",
    )
    backend: Literal["local", "server"] = setting(
        "local",
        title="Where the model runs",
        description="local: llama-cpp-python in this process; server: OpenAI-compatible model servers at server_urls",
        default_text="server when a server URL is given, else local",
    )
    server_urls: list[str] = setting(
        default_factory=list,
        title="Server URL(s)",
        description="OpenAI-compatible base URL of a model server, e.g. http://127.0.0.1:8080/v1 "
        "(nginx in front of workers, or one worker); several: the next is tried when one fails",
        default_text=f"${SERVER_URL_ENV}, space-separated",
    )
    server_timeout_s: float = setting(
        600.0,
        ge=1.0,
        le=86400.0,
        title="Server timeout (s)",
        description="longest wait in seconds for a server's next byte (a queued request waits)",
        step=10.0,
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


def server_urls_from_env() -> list[str]:
    """The URLs in CV_ENHANCER_SERVER_URL (space- or comma-separated); none when it is unset."""
    return [part for part in os.environ.get(SERVER_URL_ENV, "").replace(",", " ").split() if part]


def backend_values(backend: str | None, server_urls: list[str] | None) -> dict[str, Any]:
    """--backend, --server-url and CV_ENHANCER_SERVER_URL as Settings values: a URL given means the server backend."""
    urls = server_urls or ([] if backend == "local" else server_urls_from_env())
    return {"backend": backend or ("server" if urls else "local"), "server_urls": urls}


# --- reading the fields: the helpers every flag and widget goes through ------------------------


def field_info(field: str) -> FieldInfo:
    try:
        return Settings.model_fields[field]
    except KeyError:
        raise KeyError(f"Settings has no field {field!r}") from None


def describe(field: str) -> str:
    """The help text of a settings field (for CLI flags and widget tooltips)."""
    return field_info(field).description or field


def label(field: str) -> str:
    """The widget label of a settings field."""
    return field_info(field).title or field.replace("_", " ").capitalize()


def default(field: str) -> Any:
    """The field's default (a computed one, such as threads, computed now)."""
    info = field_info(field)
    if info.default_factory is not None:
        return info.default_factory()  # type: ignore[call-arg]
    return info.default


def _extra(field: str) -> dict[str, Any]:
    extra = field_info(field).json_schema_extra
    return extra if isinstance(extra, dict) else {}


def default_text(field: str) -> str:
    """The default as --help says it: "512", "physical cores"."""
    text = _extra(field).get("default_text")
    return str(text) if text is not None else str(default(field))


@dataclass(frozen=True)
class Bounds:
    """A numeric field's range. `low_open`: the low end itself is not allowed (top_p > 0)."""

    low: float | None
    high: float | None
    low_open: bool = False
    high_open: bool = False


def bounds(field: str) -> Bounds:
    """The field's numeric range, as pydantic validates it."""
    low: Any = None
    high: Any = None
    low_open = high_open = False
    for item in field_info(field).metadata:
        if isinstance(item, annotated_types.Ge):
            low = item.ge
        elif isinstance(item, annotated_types.Gt):
            low, low_open = item.gt, True
        elif isinstance(item, annotated_types.Le):
            high = item.le
        elif isinstance(item, annotated_types.Lt):
            high, high_open = item.lt, True
    return Bounds(low, high, low_open, high_open)


def step(field: str) -> float | None:
    """The widget step of a numeric field."""
    value = _extra(field).get("step")
    return None if value is None else value


def value_type(field: str) -> type:
    """int, float, bool or str: the field's type without None."""
    annotation = field_info(field).annotation
    if get_origin(annotation) in (Union, types.UnionType):
        annotation = next(arg for arg in get_args(annotation) if arg is not type(None))
    if get_origin(annotation) is Literal:
        return type(get_args(annotation)[0])
    return annotation if isinstance(annotation, type) else str


def choices(field: str) -> tuple[Any, ...] | None:
    """The allowed values of a Literal field (a backend, say), else None."""
    annotation = field_info(field).annotation
    if get_origin(annotation) in (Union, types.UnionType):
        annotation = next(arg for arg in get_args(annotation) if arg is not type(None))
    if get_origin(annotation) is Literal:
        return get_args(annotation)
    return None


def _number_text(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def range_text(field: str) -> str:
    """ "1 to 8192", "above 0, at most 1"; "" for a field without bounds."""
    span = bounds(field)
    if span.low is None and span.high is None:
        return ""
    if not span.low_open and not span.high_open and span.low is not None and span.high is not None:
        return f"{_number_text(span.low)} to {_number_text(span.high)}"
    parts = []
    if span.low is not None:
        parts.append(f"{'above' if span.low_open else 'at least'} {_number_text(span.low)}")
    if span.high is not None:
        parts.append(f"{'below' if span.high_open else 'at most'} {_number_text(span.high)}")
    return ", ".join(parts)


def flag_name(field: str) -> str:
    """--max-tokens for max_tokens."""
    return "--" + field.replace("_", "-")


def flag_help(field: str, note: str = "", *, own_default: Any = None) -> str:
    """The field's description, its default and its range: the help of its flag."""
    shown = f"{own_default} here" if own_default is not None else default_text(field)
    facts = [f"default {shown}"]
    if range_text(field):
        facts.append(range_text(field))
    return f"{describe(field)}{note} ({'; '.join(facts)})"


def flag_kwargs(field: str, *, note: str = "", own_default: Any = None) -> dict[str, Any]:
    """argparse keywords for the field's flag: type, help, choices; default None, so Settings' default applies.

    `own_default`: a script's own default instead (a benchmark fixing its
    thread count, say), said in the help. A bool field gives a store_true flag.
    """
    kind = value_type(field)
    kwargs: dict[str, Any] = {
        "dest": field,
        "default": own_default,
        "help": flag_help(field, note, own_default=own_default),
    }
    if kind is bool:
        kwargs["action"] = "store_true"
        return kwargs
    kwargs["type"] = kind
    allowed = choices(field)
    if allowed is not None:
        kwargs["choices"] = list(allowed)
    elif kind in (int, float):
        kwargs["metavar"] = "N" if kind is int else "X"
    return kwargs


def add_flag(parser: Any, field: str, *aliases: str, note: str = "", own_default: Any = None) -> argparse.Action:
    """Add the field's flag (--max-tokens, plus any short aliases) to a parser or a group of one."""
    action: argparse.Action = parser.add_argument(
        flag_name(field), *aliases, **flag_kwargs(field, note=note, own_default=own_default)
    )
    return action


def settings_from_args(args: argparse.Namespace, **overrides: Any) -> Settings:
    """Settings from the parsed flags of add_flag (unset flags keep their default), then `overrides`."""
    values = {name: getattr(args, name) for name in Settings.model_fields if hasattr(args, name)}
    return make_settings(**{**values, **overrides})


def widget_kwargs(field: str, **overrides: Any) -> dict[str, Any]:
    """Keywords for a Streamlit number_input or slider of the field: label, bounds, default, step, help.

    A bound the field excludes (top_p > 0) becomes the nearest allowed step.
    """
    span = bounds(field)
    kind = value_type(field)
    increment = step(field)
    low, high = span.low, span.high
    if low is not None and span.low_open:
        low = low + (increment or 1)
    if high is not None and span.high_open:
        high = high - (increment or 1)
    value = default(field)
    kwargs: dict[str, Any] = {
        "label": label(field),
        "min_value": None if low is None else kind(low),
        "max_value": None if high is None else kind(high),
        "value": None if value is None else kind(value),
        "help": describe(field),
    }
    if increment is not None:
        kwargs["step"] = kind(increment)
    return {**kwargs, **overrides}


# Fields an analysis run is set up with: each has a flag in analyze.py and a widget in the app's sidebar.
RUN_FIELDS: tuple[str, ...] = (
    "model",
    "greedy",
    "temperature",
    "top_p",
    "repeat_penalty",
    "seed",
    "max_tokens",
    "threads",
    "batch",
    "gpu_layers",
    "ctx",
    "force_ctx",
    "backend",
)
