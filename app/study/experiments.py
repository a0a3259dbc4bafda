"""Batch runs of the analysis over labelled pairs, models and decoding configs (the study's experiments).

A run is a JSONL file: one row per (pair, model, config), written and flushed
as soon as it is done, so an interrupted run resumes where it stopped (rows
already in the file are skipped). Each row holds the full report of
`analyze.py --json` under "report", plus the pair's id, label and reference
data. The loop is model-outer, pair-middle, config-inner: a model is loaded
once, and the configs of one pair run back to back on the same prompt, so
llama.cpp keeps the prompt in its KV cache and evaluates it once per pair
(the report's metrics.prompt_tokens_reused shows it).

A row that failed (a prompt that does not fit the context, say) is written
too, with "error" set and "report" null, so the results can say what failed;
resuming tries it again and the new line replaces it (the last line of an id
wins).

Configs: "greedy" (do_sample=False) or "sample@T" (do_sample=True at
temperature T, top-p 0.95, seed 42), optionally "sample@T:p0.9" (top-p) and
":s7" (seed), e.g. "sample@1.25:p0.9:s7".
"""

from __future__ import annotations

import json
import os
import queue
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app import pipeline
from app.analysis.documents import Document, read_document
from app.errors import CVEnhancerError, DocumentError, InputError, SettingsError
from app.hub.catalog import PROJECT_ROOT, resolve_model
from app.llm.base import ModelEngine
from app.llm.served_model import served_model
from app.pipeline import run_analysis
from app.settings import Settings, default, make_settings
from app.study.jsonlog import appender, read_jsonl
from app.study.pairs import LABEL_TO_VERDICT, Pair, load_pairs

# A config's top-p and seed unless it names its own: the Settings defaults.
DEFAULT_TOP_P: float = default("top_p")
DEFAULT_SEED: int = default("seed")
JUDGE_SUFFIX = ".judge.jsonl"
RUNS_ENV = "CV_ENHANCER_RUNS_DIR"
_CONFIG = re.compile(r"^sample@(?P<t>\d+(?:\.\d+)?|\.\d+)(?P<rest>(?::[ps][^:]*)*)$")


def runs_dir() -> Path:
    """Where runs and ratings live: runs/ in the project (CV_ENHANCER_RUNS_DIR overrides it)."""
    return Path(os.environ.get(RUNS_ENV) or PROJECT_ROOT / "runs")


# --- configs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """One decoding setting of the study."""

    name: str  # canonical: "greedy", "sample@1.0", "sample@1.0:p0.9", "sample@1.0:s7"
    greedy: bool
    temperature: float | None = None
    top_p: float | None = None
    seed: int = DEFAULT_SEED

    @property
    def do_sample(self) -> bool:
        return not self.greedy

    def settings_values(self) -> dict[str, Any]:
        """The Settings fields this config sets."""
        if self.greedy:
            return {"greedy": True}
        return {"greedy": False, "temperature": self.temperature, "top_p": self.top_p, "seed": self.seed}


def parse_config(text: str) -> Config:
    """ "greedy" / "sample@T[:pP][:sS]" -> Config, with a canonical name (sample@1 -> sample@1.0)."""
    value = text.strip()
    if value == "greedy":
        return Config("greedy", greedy=True)
    match = _CONFIG.match(value)
    if not match:
        raise SettingsError(
            f'bad config {text!r}: use "greedy" or "sample@T" with a temperature T, optionally with ":pP" '
            'for top-p and ":sS" for the seed, e.g. "sample@1.25" or "sample@0.7:p0.9".'
        )
    temperature = float(match.group("t"))
    top_p, seed = DEFAULT_TOP_P, DEFAULT_SEED
    for part in filter(None, match.group("rest").split(":")):
        try:
            if part[0] == "p":
                top_p = float(part[1:])
            else:
                seed = int(part[1:])
        except ValueError:
            raise SettingsError(f"bad config {text!r}: {part!r} is not a number after p or s.") from None
    if not 0.0 < temperature <= 2.0:
        raise SettingsError(f'bad config {text!r}: the temperature must be above 0 and at most 2 (use "greedy" for 0).')
    if not 0.0 < top_p <= 1.0:
        raise SettingsError(f"bad config {text!r}: top-p must be above 0 and at most 1.")
    name = f"sample@{temperature!r}"
    if top_p != DEFAULT_TOP_P:
        name += f":p{top_p!r}"
    if seed != DEFAULT_SEED:
        name += f":s{seed}"
    return Config(name, greedy=False, temperature=temperature, top_p=top_p, seed=seed)


def parse_configs(text: str) -> list[Config]:
    configs = [parse_config(part) for part in text.split(",") if part.strip()]
    if not configs:
        raise SettingsError("no configs given: use e.g. --configs greedy,sample@1.0,sample@1.25.")
    return list({config.name: config for config in configs}.values())  # duplicates once


def parse_models(text: str) -> list[str]:
    models = list(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if not models:
        raise SettingsError("no models given: use e.g. --models smollm2-135m-instruct,llama-2-7b-chat.")
    return models


def row_id(pair_id: str, model: str, config: str) -> str:
    return f"{pair_id}|{model}|{config}"


def decoding_of(row: dict[str, Any]) -> dict[str, Any]:
    """The row's do_sample / temperature / top_p (None where greedy)."""
    config = parse_config(row["config"])
    return {
        "do_sample": config.do_sample,
        "temperature": config.temperature,
        "top_p": config.top_p,
        "seed": None if config.greedy else config.seed,
    }


# --- run files -----------------------------------------------------------------------------


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a JSONL run file, one per id (the last line of an id wins), failed rows included.

    A torn last line, from a crash mid-write, is ignored.
    """
    rows = read_jsonl(path, kind="run file", row_name="run row", required=("id", "report"))
    latest = {row["id"]: row for row in rows}  # a retried row's later line replaces the failed one
    return list({row["id"]: latest[row["id"]] for row in rows}.values())


def answered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows that have a report (failed rows left out)."""
    return [row for row in rows if row.get("report") is not None]


def default_run_path(pairs_file: Path, models: list[str], configs: list[Config]) -> Path:
    """The same command gives the same file name, so running it again resumes."""
    model_part = "+".join(Path(model).stem if model.endswith(".gguf") else model for model in models)
    name = f"{Path(pairs_file).stem}-{model_part}-{'+'.join(c.name for c in configs)}"
    return runs_dir() / (re.sub(r"[^\w.@+-]", "_", name) + ".jsonl")


# --- the run ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairInputs:
    """A pair with its documents read, or, when one cannot be read, why (its rows are recorded as failed)."""

    pair: Pair
    cv: Document | None
    job: Document | None
    extra: dict[str, Any]  # fields of the pairs file that Pair does not keep (human_reason, source)
    error: str | None = None

    def documents(self) -> tuple[Document, Document]:
        """The CV and the job; a DocumentError (one line) when they could not be read."""
        if self.error is not None or self.cv is None or self.job is None:
            raise DocumentError(self.error or f"pair {self.pair.id}: its documents could not be read")
        return self.cv, self.job


def read_pair_documents(pair: Pair, extra: dict[str, Any]) -> PairInputs:
    try:
        return PairInputs(pair, read_document(pair.cv_path), read_document(pair.job_path), extra)
    except CVEnhancerError as error:
        return PairInputs(pair, None, None, extra, error=str(error))


def load_pair_inputs(
    pairs_file: Path, limit: int | None = None, *, on_warning: Callable[[str], None] | None = None
) -> list[PairInputs]:
    """The pairs with their documents read up front.

    A document that cannot be read (empty, binary, moved) does not stop the
    run: it is reported through `on_warning` now, and its pair's rows are
    recorded as failed with the reason, while the other pairs run.

    An id that appears more than once (two people labelled the same pair, say)
    is kept for each occurrence, the later ones renamed "ID~2", "ID~3"... with
    a warning, so every labelled pair gets its own rows.
    """
    pairs = load_pairs(pairs_file)
    raw = json.loads(Path(pairs_file).read_text(encoding="utf-8"))
    entries = raw.get("pairs", []) if isinstance(raw, dict) else raw  # same order as load_pairs
    seen: dict[str, int] = {}
    inputs = []
    for pair, entry in zip(pairs, entries, strict=True):
        seen[pair.id] = seen.get(pair.id, 0) + 1
        if seen[pair.id] > 1:
            renamed = f"{pair.id}~{seen[pair.id]}"
            if on_warning is not None:
                on_warning(f"{pairs_file}: pair id {pair.id!r} appears more than once; this one runs as {renamed!r}.")
            pair = replace(pair, id=renamed)
        extra = {key: entry.get(key) for key in ("human_reason", "source") if entry.get(key) is not None}
        item = read_pair_documents(pair, extra)
        if item.error is not None and on_warning is not None:
            on_warning(f"pair {pair.id}: {item.error} (its rows are recorded as failed; the others run)")
        inputs.append(item)
        if limit is not None and len(inputs) >= limit:
            break
    return inputs


def make_row(
    item: PairInputs, model: str, config: Config, report: dict[str, Any] | None, error: str | None = None
) -> dict[str, Any]:
    pair = item.pair
    return {
        "id": row_id(pair.id, model, config.name),
        "pair_id": pair.id,
        "label": pair.label,
        "expected_verdict": LABEL_TO_VERDICT[pair.label],
        # A failed row has no report: the language is then the pairs file's, or unknown.
        "lang": pair.lang or (report.get("language") if report is not None else None),
        "human_score_of_10": pair.human_score_of_10,
        "expected_score": list(pair.expected_score) if pair.expected_score else None,
        "note": pair.note,
        **item.extra,
        "cv_path": str(pair.cv_path),
        "job_path": str(pair.job_path),
        "model": model,
        "config": config.name,
        "report": report,
        "error": error,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }


@dataclass
class RunSummary:
    path: Path
    planned: int = 0
    skipped: int = 0
    written: int = 0
    failed: int = 0
    prompt_tokens: int = 0
    prompt_tokens_reused: int = 0


def plan(
    pairs: list[PairInputs], models: list[str], configs: list[Config], done: set[str]
) -> list[tuple[str, PairInputs, Config]]:
    """What is left to do, in run order: model-outer, pair-middle, config-inner."""
    return [
        (model, item, config)
        for model in models
        for item in pairs
        for config in configs
        if row_id(item.pair.id, model, config.name) not in done
    ]


def run_experiments(
    pairs: list[PairInputs],
    models: list[ModelSpec],
    configs: list[Config],
    out: Path,
    *,
    base: dict[str, Any],
    progress: Callable[[Iterable[Any], int], Iterator[Any]] | None = None,
    on_error: Callable[[str], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    concurrency: int = 1,
) -> RunSummary:
    """Run every (pair, model, config) not yet in `out`, appending one flushed row each.

    With base["backend"] == "server" the answers fan out over base["server_urls"]:
    `concurrency` pairs at once, each pair's configs back to back on one
    server (the least busy when the pair starts), so that server's KV cache
    keeps the pair's prompt; rows are written as they finish.

    `base` holds the Settings fields shared by every row (max_tokens, threads,
    ctx...). `progress(iterable, total)` wraps the work (a tqdm bar, say).
    A row that fails with a user-facing error is reported through `on_error`
    and written with its error (no report); the next run tries it again. Resuming a file
    made with other shared settings (max_tokens, ctx...) is allowed, with a
    warning through `on_warning`: its rows would not be comparable.
    """
    out = Path(out)
    existing = answered(read_rows(out)) if out.exists() else []
    done = {row["id"] for row in existing}  # failed rows are tried again
    if existing and on_warning is not None:
        earlier = existing[0]["report"].get("settings", {})
        changed = [
            f"{name} {earlier.get(name)} -> {value}"
            for name, value in base.items()
            if value is not None and name in earlier and earlier[name] != value
        ]
        if changed:
            on_warning(f"{out} was started with other settings ({', '.join(changed)}); its rows may not compare.")
    names = [model.name for model in models]
    todo = plan(pairs, names, configs, done)
    summary = RunSummary(out, planned=len(pairs) * len(models) * len(configs))
    summary.skipped = summary.planned - len(todo)
    if not todo:
        return summary
    by_name = {model.name: model for model in models}
    with appender(out) as write:

        def record(model_name: str, item: PairInputs, config: Config, report: dict[str, Any] | str) -> None:
            """One finished answer (a report, or the error that stopped it) as a flushed row."""
            if isinstance(report, str):
                summary.failed += 1
                if on_error is not None:
                    on_error(f"{row_id(item.pair.id, model_name, config.name)}: {report}")
                write(make_row(item, model_name, config, None, report))
                return
            write(make_row(item, model_name, config, report))
            summary.written += 1
            summary.prompt_tokens += int(report["metrics"].get("prompt_tokens") or 0)
            summary.prompt_tokens_reused += int(report["metrics"].get("prompt_tokens_reused") or 0)

        if base.get("backend") == "server":
            answers = _answers_from_servers(todo, by_name, base, max(1, concurrency))
            for answer in answers if progress is None else progress(answers, len(todo)):
                record(*answer)
            return summary
        work: Iterable[tuple[str, PairInputs, Config]] = todo if progress is None else progress(todo, len(todo))
        for model_name, item, config in work:
            settings = settings_for(by_name[model_name], config, base)
            # Loaded once per model, outside the row's try: a model that cannot load ends the run in one line.
            pipeline.load_engine(settings)
            try:
                record(model_name, item, config, _answer(item, settings))
            except CVEnhancerError as error:
                record(model_name, item, config, str(error))
    return summary


Answer = tuple[str, PairInputs, Config, dict[str, Any] | str]


def _answers_from_servers(
    todo: list[tuple[str, PairInputs, Config]], models: dict[str, ModelSpec], base: dict[str, Any], concurrency: int
) -> Iterator[Answer]:
    """Run the work on the servers with a bounded pool, yielding each answer as it finishes (in any order).

    A pair's configs stay together on one server, picked when the pair
    starts: the least busy one that is not resting after a failure.
    """
    groups: list[list[tuple[str, PairInputs, Config]]] = []
    for task in todo:
        if groups and (groups[-1][0][0], groups[-1][0][1].pair.id) == (task[0], task[1].pair.id):
            groups[-1].append(task)
        else:
            groups.append([task])
    first = todo[0]
    urls = pipeline.server_engine(settings_for(models[first[0]], first[2], base)).pool.urls  # as Settings wrote them
    busy: Counter[str] = Counter()
    lock = threading.Lock()
    finished: queue.Queue[Answer | None] = queue.Queue()
    cancelled = threading.Event()  # the caller stopped reading (Ctrl-C): start nothing new

    def run_pair(group: list[tuple[str, PairInputs, Config]]) -> None:
        engine = pipeline.server_engine(settings_for(models[group[0][0]], group[0][2], base))
        with lock:
            url = min(urls, key=lambda u: (engine.pool.resting(u), busy[u], urls.index(u)))
            busy[url] += 1
        try:
            for model_name, item, config in group:
                if cancelled.is_set():
                    return
                settings = settings_for(models[model_name], config, base)
                try:
                    pinned = pipeline.server_engine(settings).pinned(url)
                    report: dict[str, Any] | str = _answer(item, settings, pinned)
                except CVEnhancerError as error:
                    report = str(error)
                finished.put((model_name, item, config, report))
        finally:
            with lock:
                busy[url] -= 1

    def run_all() -> None:
        try:
            with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="study") as pool:
                for future in [pool.submit(run_pair, group) for group in groups]:
                    future.result()  # a bug of ours surfaces here, after the others finished
        finally:
            finished.put(None)

    errors: list[BaseException] = []

    def supervise() -> None:
        try:
            run_all()
        except BaseException as error:  # handed to the caller's thread below
            errors.append(error)

    threading.Thread(target=supervise, daemon=True).start()
    try:
        while (answer := finished.get()) is not None:
            yield answer
    finally:
        cancelled.set()
    if errors:
        raise errors[0]


def _answer(item: PairInputs, settings: Settings, engine: ModelEngine | None = None) -> dict[str, Any]:
    """One row's report; a CVEnhancerError when the pair's documents or the analysis fail."""
    return run_analysis(*item.documents(), settings, engine=engine).to_dict()


def settings_for(model: ModelSpec, config: Config, base: dict[str, Any]) -> Settings:
    return make_settings(**{**base, **config.settings_values(), "model": model.argument})


@dataclass(frozen=True)
class ModelSpec:
    name: str  # as rows record it: the catalog name, or the file's stem for a path
    argument: str  # as given: what Settings.model takes


def resolve_models(names: list[str], *, on_servers: bool = False) -> list[ModelSpec]:
    """Every model found before any work (an unknown or missing model is one error line).

    On servers the file is theirs: only its name and chat format must be known here.
    """
    if on_servers:
        return [ModelSpec(served_model(name, None)[0].name, name) for name in names]
    return [ModelSpec(resolve_model(name).name, name) for name in names]


# --- texts of a run's rows -----------------------------------------------------------------


def row_texts(rows: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """pair_id -> (CV text, job text), each pair's documents read once."""
    texts: dict[str, tuple[str, str]] = {}
    for row in rows:
        if row["pair_id"] not in texts:
            try:
                texts[row["pair_id"]] = (read_document(row["cv_path"]).text, read_document(row["job_path"]).text)
            except CVEnhancerError as error:
                raise InputError(
                    f"pair {row['pair_id']}: {error} (the run file keeps the documents' paths; are they moved?)"
                ) from None
    return texts


def run_files(directory: Path | None = None) -> list[Path]:
    """The run files under runs/ (judge files left out), newest first."""
    folder = directory or runs_dir()
    if not folder.is_dir():
        return []
    files = [path for path in folder.glob("*.jsonl") if not path.name.endswith(JUDGE_SUFFIX)]
    return sorted(files, key=lambda path: path.stat().st_mtime, reverse=True)
