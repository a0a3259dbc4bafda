"""The domain errors of CV Enhancer.

Every error the core raises on purpose derives from :class:`CVEnhancerError`.
Its message is one line that says what went wrong *and what to do*; the edges
(the CLI, the Streamlit app) print that line and never a traceback.
"""

from __future__ import annotations


class CVEnhancerError(Exception):
    """Base of every error CV Enhancer raises for the user to read."""


class InputError(CVEnhancerError):
    """Something the user gave us cannot be used as it is."""


class DocumentError(InputError):
    """A CV or job file cannot be read into text (empty, binary, encrypted, scanned, too big)."""


class SettingsError(InputError):
    """A setting is out of range or inconsistent with another."""


class ModelError(CVEnhancerError):
    """The language model cannot be found, loaded or run."""


class ModelNotFoundError(ModelError):
    """No model matches the given name or path."""


class ServerError(ModelError):
    """No model server answers, or one answers in a way we cannot use (server backend)."""


class ModelLoadError(ModelError):
    """llama.cpp refused to load the model file."""


class SyntheticModelError(ModelError):
    """A synthetic (same-shape, random-weight) model was asked for advice: it is for speed estimates only."""


class SyntheticBuildError(ModelError):
    """A synthetic model cannot be built (no disk space, a failed quantization, a bad request)."""


class InsufficientMemoryError(ModelError):
    """Loading the model would need more memory than the machine has free."""


class ContextOverflowError(ModelError):
    """The prompt cannot be made to fit the model's context window."""


class CatalogError(ModelError):
    """models/catalog.toml (or a catalog given instead) cannot be read or is inconsistent."""


class DownloadError(ModelError):
    """A model file cannot be downloaded, checked or removed."""


class DiskSpaceError(DownloadError):
    """Not enough free disk space for a download; refused before it starts."""


class ChecksumMismatchError(DownloadError):
    """A model file's size or sha256 is not the expected one."""


class DownloadInProgressError(DownloadError):
    """Another download of the same model file is under way (another run, another app session)."""


class DownloadTooLargeError(DownloadError):
    """The server sent more bytes than the model file can have; the transfer was cut off."""


class GenerationStopped(CVEnhancerError):
    """The user stopped the analysis (Stop, or the page was closed) before the model answered."""


def one_line(error: BaseException, *, limit: int | None = None) -> str:
    """An exception's text on one line, for a message that quotes it: runs of spaces and line breaks become
    one space (llama.cpp's and huggingface_hub's messages span several lines), the exception's type when it
    has no text, and at most `limit` characters when one is given.
    """
    text = " ".join(str(error).split()) or type(error).__name__
    if limit is not None and len(text) > limit:
        return text[: limit - 3] + "..."
    return text
