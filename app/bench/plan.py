"""Planning a benchmark: the sweep (models × threads × gpu_layers × batch × ctx) as validated configurations.

Part of app.bench (see its __init__): `parse_list` reads "1,2,all"-style
lists, `expand_configs` crosses them in llama-bench's order, `prepare`
resolves the models and validates every configuration's `Settings` before
anything runs. No llama_cpp here: planning needs no model.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from app.analysis.documents import EXAMPLE_CV, EXAMPLE_JOB, read_document
from app.errors import InputError, SettingsError
from app.hub.catalog import ResolvedModel, is_synthetic_ref, resolve_model
from app.settings import Settings, check_threads, make_settings

SCHEMA = "cv-enhancer-benchmark/1"
# A row of a result: measured, skipped (a GPU row on a CPU-only build) or failed (with the reason).
RowStatus = Literal["ok", "skipped", "failed"]
ROW_STATUSES: tuple[RowStatus, ...] = ("ok", "skipped", "failed")
SWEEP_KEYS: tuple[str, ...] = ("threads", "gpu_layers", "batch", "ctx")
# The tg test's prompt: a few tokens, evaluated as one batch so it never counts as generation.
TG_PROMPT_TOKENS = 8
# Tokens the warm-up generates (llama-bench's warm-up generates one; two make llama.cpp decode once).
WARMUP_GEN_TOKENS = 2


class BenchmarkError(InputError):
    """A saved benchmark file cannot be used (not JSON, not a benchmark result)."""


@dataclass(frozen=True)
class Options:
    """What each configuration runs; the same for every configuration of one benchmark."""

    repetitions: int = 5
    n_prompt: int = 512  # pp test: 0 skips it
    n_gen: int = 128  # tg test: 0 skips it
    task: bool = True  # the real task: one CV + job analysis
    task_tokens: int = 64  # max new tokens of the task's advice
    task_cv: str | None = None  # the task's CV and job files; None: the bundled app/examples pair
    task_job: str | None = None
    warmup: bool = True
    overhead: bool = True  # the same pp/tg through bare llama-cpp-python
    bandwidth: bool = True  # measure memory bandwidth: each tg row's bound and efficiency
    force_ctx: bool = False  # allow -c above a model's training context

    def tests(self) -> list[str]:
        names = []
        if self.n_prompt:
            names.append(f"pp{self.n_prompt}")
        if self.n_gen:
            names.append(f"tg{self.n_gen}")
        if self.task:
            names.append("task")
        return names


@dataclass(frozen=True)
class BenchConfig:
    """One point of the sweep."""

    model: str
    threads: int
    gpu_layers: int  # -1: all
    batch: int
    ctx: int

    @property
    def backend(self) -> str:
        return "CPU" if self.gpu_layers == 0 else "GPU"

    @property
    def label(self) -> str:
        return f"{self.backend} t{self.threads} ngl{layers_text(self.gpu_layers)} b{self.batch} c{self.ctx}"


@dataclass(frozen=True)
class PlannedConfig:
    """A configuration ready to run: its model file and its validated settings."""

    config: BenchConfig
    model: ResolvedModel
    settings: Settings


def layers_text(gpu_layers: int) -> str:
    return "all" if gpu_layers < 0 else str(gpu_layers)


# --- the sweep ---------------------------------------------------------------


def parse_list(text: str, option: str, *, allow_all: bool = False, minimum: int = 1) -> list[int]:
    """ "1,2,4" -> [1, 2, 4]; with allow_all, "all" (or -1) -> -1. SettingsError (one line) otherwise."""
    values: list[int] = []
    for item in str(text).split(","):
        item = item.strip().lower()
        if allow_all and item in ("all", "-1"):
            value = -1
        else:
            try:
                value = int(item)
            except ValueError:
                expected = "integers or 'all'" if allow_all else "integers"
                raise SettingsError(
                    f"{option}: {item or 'an empty item'!r} is not a number; give a comma-separated list of "
                    f"{expected}, e.g. {'0,16,all' if allow_all else '1,2'}."
                ) from None
            if value < minimum:
                raise SettingsError(f"{option}: {value} is below the minimum of {minimum}.")
        if value not in values:
            values.append(value)
    return values


def expand_configs(
    models: Sequence[str],
    threads: Sequence[int],
    gpu_layers: Sequence[int],
    batch: Sequence[int],
    ctx: Sequence[int],
) -> list[BenchConfig]:
    """Every combination, models outermost (llama-bench's order: model, then each parameter in turn)."""
    return [BenchConfig(*values) for values in itertools.product(models, threads, gpu_layers, batch, ctx)]


def validate_options(options: Options) -> None:
    if options.repetitions < 1:
        raise SettingsError(f"-r/--repetitions must be at least 1 (got {options.repetitions}).")
    if options.n_prompt < 0 or options.n_gen < 0:
        raise SettingsError("-p/--n-prompt and -n/--n-gen must be 0 (skip the test) or more.")
    if options.n_gen == 1:
        raise SettingsError("-n/--n-gen 1 measures no generation step; use 2 or more (0 skips the test).")
    if not options.tests():
        raise SettingsError("nothing to measure: -p 0, -n 0 and --no-task leave no test.")
    if options.task:
        for path in task_documents(options):
            read_document(path)  # a DocumentError (one line) now rather than a failed row later


def task_documents(options: Options) -> tuple[Path, Path]:
    """The CV and job of the real task: the bundled example pair unless others were given."""
    return (
        Path(options.task_cv) if options.task_cv else EXAMPLE_CV,
        Path(options.task_job) if options.task_job else EXAMPLE_JOB,
    )


def resolve_for_benchmark(
    model: str, build_progress: Callable[[str, float, float], None] | None = None
) -> ResolvedModel:
    """resolve_model, building a synthetic model first when needed; a synthetic file given by path is marked."""
    if is_synthetic_ref(model):
        from app.llm.synthetic import build_synthetic  # llama_cpp: only when a synthetic model is asked for

        build_synthetic(model, progress=build_progress)
    resolved = resolve_model(model)
    if not resolved.synthetic and resolved.path.suffix.lower() == ".gguf":
        from app.pipeline import is_synthetic_file

        if is_synthetic_file(resolved.path):
            resolved = replace(resolved, synthetic=True)
    return resolved


def prepare(
    configs: Iterable[BenchConfig],
    options: Options,
    *,
    build_progress: Callable[[str, float, float], None] | None = None,
) -> list[PlannedConfig]:
    """Resolve the models and validate every configuration's settings before anything runs.

    A synthetic model ("synthetic:NAME[:QUANT]") is built first when it is not
    yet (app.llm.synthetic; build_progress follows it), and reused after.
    """
    from app.pipeline import load_settings_for  # the checks every load makes: threads, context

    validate_options(options)
    configs = list(configs)
    for config in configs:
        check_threads(config.threads)  # before a synthetic model takes minutes to build
    resolved: dict[str, ResolvedModel] = {}
    planned: list[PlannedConfig] = []
    for config in configs:
        if config.model not in resolved:
            resolved[config.model] = resolve_for_benchmark(config.model, build_progress)
        settings = make_settings(
            model=config.model,
            threads=config.threads,
            gpu_layers=config.gpu_layers,
            batch=config.batch,
            ctx=config.ctx,
            max_tokens=options.task_tokens,
            force_ctx=options.force_ctx,
        )
        # Refused now, in one line, rather than as a failed (or mislabelled) row later.
        load_settings_for(resolved[config.model], settings)
        # The engine needs room for the prompt plus the new tokens.
        if options.n_prompt and options.n_prompt + 1 > config.ctx:
            raise SettingsError(f"pp{options.n_prompt} does not fit a context of {config.ctx}; raise --ctx or lower -p")
        if options.n_gen and TG_PROMPT_TOKENS + options.n_gen > config.ctx:
            raise SettingsError(f"tg{options.n_gen} does not fit a context of {config.ctx}; raise --ctx or lower -n")
        planned.append(PlannedConfig(config, resolved[config.model], settings))
    if not planned:
        raise SettingsError("no configuration to run.")
    return planned
