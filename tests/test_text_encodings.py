"""How a plain-text CV or job in a legacy encoding is read (issue 12, point 8): decoded right, or warned about.

Latin-1 used to be decoded as cp1251 without a word ("Jürgen" → "Jьrgen"). Real text nobody here wrote checks
the Russian legacy encodings, the likeliest non-UTF-8 input: the hh.ru CVs of ../shared/data, re-encoded.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from app.analysis.documents import Document, document_warnings, normalise_text, read_bytes, read_document
from app.analysis.read_text import decode_text
from app.errors import DocumentError
from app.pipeline import run_analysis
from app.settings import Settings
from tests.helpers import run_script

ROOT = Path(__file__).resolve().parent.parent
HH_CVS = sorted((ROOT.parent / "shared" / "data" / "real_dev" / "cvs" / "ru").glob("*.txt"))

GERMAN_CV = (
    "Jürgen Müller, Köln\n"
    "Berufserfahrung\n"
    "Softwareentwickler bei der Stadtverwaltung Köln, 2015–2020: Datenanalyse für Behörden, Prüfung der "
    "Datenqualität, Berichte für die Geschäftsführung.\n"
    "Fähigkeiten: Python, SQL, Excel, Präsentationen, Teamführung\n"
)
FRENCH_CV = (
    "Hélène Lefèvre, Montréal\n"
    "Expérience professionnelle\n"
    "Développeuse Python à la Société Générale, 2018–2023 : création d'outils d'analyse, réalisé des études "
    "de marché, amélioré la qualité des données.\n"
    "Compétences : Python, SQL, gestion d'équipe, communication\n"
)
RUSSIAN_CV = (
    "Иван Петров\n"
    "Опыт работы\n"
    "Разработчик Python в ООО «Ромашка», 2019–2023: сервисы отчётности, очереди задач, базы данных.\n"
    "Ключевые навыки: Python, SQL, Django, работа в команде\n"
)
TWO_LINE_RU_CV = "Мария Смирнова, бухгалтер\nОпыт: 1С, Excel, отчётность, 7 лет\n"

# (id, text, codec it is saved in, whether the reader must warn: None when either is fine)
ENCODED: list[tuple[str, str, str, bool | None]] = [
    ("latin1-name", "Jürgen Müller, Köln", "latin-1", True),
    ("cp1252-name", "Jürgen Müller, Köln", "cp1252", True),
    ("latin1-german-cv", GERMAN_CV.replace("–", "-"), "latin-1", False),
    ("cp1252-german-cv", GERMAN_CV, "cp1252", False),
    ("latin1-french-cv", FRENCH_CV.replace("–", "-"), "latin-1", False),
    ("cp1251-russian-cv", RUSSIAN_CV, "cp1251", False),
    ("koi8r-russian-cv", RUSSIAN_CV.replace("–", "-").replace("«", '"').replace("»", '"'), "koi8-r", False),
    ("cp1251-two-line-cv", TWO_LINE_RU_CV, "cp1251", None),
    ("koi8r-two-line-cv", TWO_LINE_RU_CV, "koi8-r", None),
    ("cp1251-one-word", "Резюме", "cp1251", True),
    ("cp1251-name", "Иванов Иван", "cp1251", True),
    ("cp1250-polish-cv", "Paweł Żółć\nExperience\nPython developer, 2019-2023", "cp1250", False),
]


@pytest.mark.parametrize(("case", "text", "codec", "warned"), ENCODED, ids=[case[0] for case in ENCODED])
def test_a_legacy_encoding_is_decoded_right(case: str, text: str, codec: str, warned: bool | None) -> None:
    document = read_bytes(text.encode(codec), "cv.txt")

    assert document.text == normalise_text(text)
    if warned is not None:
        assert document.encoding_guessed is warned
    warnings = document_warnings(document)
    assert bool(warnings) is document.encoding_guessed
    if warnings:
        (warning,) = warnings
        assert warning.startswith("cv.txt: the text encoding was guessed as ")
        assert "save the file as UTF-8" in warning and "\n" not in warning


@pytest.mark.parametrize("data", [b"caf\xe9", b"\xe9\xe8", b"Ma\xf1ana", b"\xc0\xc1\xc2"])
def test_short_ambiguous_bytes_are_decoded_with_a_warning(data: bytes) -> None:
    document = read_bytes(data, "job.txt")

    assert document.encoding_guessed
    (warning,) = document_warnings(document, "job description")
    assert warning.startswith("job.txt: the text encoding was guessed as ")


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("Jürgen Müller, Köln — Résumé\n".encode(), "Jürgen Müller, Köln — Résumé"),
        (b"\xef\xbb\xbf" + "Иван Петров, Python\n".encode(), "Иван Петров, Python"),
        ("Hélène, Python\n".encode("utf-16"), "Hélène, Python"),
        (b"Plain ASCII CV\n", "Plain ASCII CV"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "ascii"],
)
def test_unicode_files_are_read_unchanged_and_without_a_warning(data: bytes, text: str) -> None:
    document = read_bytes(data, "cv.txt")

    assert document.text == text
    assert not document.encoding_guessed
    assert document_warnings(document) == []


def test_binary_bytes_are_still_refused() -> None:
    rng = random.Random(7)
    noise = bytes(rng.randrange(1, 256) for _ in range(4096))  # no NUL: the control-character share decides
    for data in (noise, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", bytes(range(1, 32)) * 40 + "Jürgen".encode("cp1252")):
        with pytest.raises(DocumentError, match="binary"):
            read_bytes(data, "blob.txt")


def test_a_large_file_is_decoded_from_a_bounded_sample() -> None:
    # The detector reads 64 KB from just before the first non-ASCII byte; the whole file is decoded with its answer.
    data = b"Python developer. " * 200_000 + GERMAN_CV.encode("cp1252")
    decoded = decode_text(data, "big.txt")
    assert decoded.encoding == "cp1252"
    assert decoded.text.endswith(GERMAN_CV)


# --- real text nobody here wrote: Russian CVs from hh.ru, saved as Windows and KOI8 files --------------------


def test_the_real_cvs_are_there() -> None:
    assert len(HH_CVS) >= 40


@pytest.mark.parametrize("codec", ["cp1251", "koi8-r", "cp866"])
def test_real_russian_cvs_in_legacy_encodings_are_decoded_exactly(codec: str) -> None:
    wrong = []
    for path in HH_CVS:
        text = path.read_text(encoding="utf-8").encode(codec, "replace").decode(codec)
        if read_bytes(text.encode(codec), path.name).text != normalise_text(text):
            wrong.append(path.name)
    assert wrong == []


def test_the_first_two_lines_of_real_russian_cvs_in_cp1251_are_decoded_exactly() -> None:
    # A short legacy file must not regress: cp1251 was the reader's first guess before the detector.
    wrong = []
    for path in HH_CVS:
        lines = path.read_text(encoding="utf-8").strip().splitlines()[:2]
        text = "\n".join(lines).encode("cp1251", "replace").decode("cp1251")
        if read_bytes(text.encode("cp1251"), path.name).text != normalise_text(text):
            wrong.append((path.name, text))
    assert wrong == []


# --- the warning reaches the report: the CLI and the app show report.warnings --------------------------------


# The issue's own case, too short for the detector to be sure: decoded right, with the warning.
WARNED_CV = "Jürgen Müller, Köln\nPython developer\n"


def test_the_encoding_warning_is_in_the_report(tmp_path: Path) -> None:
    cv = read_document(_write(tmp_path / "cv.txt", WARNED_CV.encode("latin-1")))
    job = Document("job.txt", "Python developer\nRequirements:\n- Python\n- SQL", "txt")

    report = run_analysis(cv, job, Settings(use_llm=False))

    assert any(w.startswith("cv.txt: the text encoding was guessed as Windows-1252") for w in report.warnings)
    assert cv.text.startswith("Jürgen Müller, Köln")
    assert "the text encoding was guessed as Windows-1252" in report.to_markdown()


def test_the_cli_shows_the_encoding_warning(tmp_path: Path) -> None:
    cv = _write(tmp_path / "cv.txt", WARNED_CV.encode("latin-1"))
    job = _write(tmp_path / "job.txt", b"Python developer\nRequirements:\n- Python\n- SQL\n")

    shown = run_script("analyze.py", "--no-llm", "--cv", cv, "--job", job, timeout=120)
    as_json = run_script("analyze.py", "--no-llm", "--json", "--cv", cv, "--job", job, timeout=120)

    assert shown.returncode == 0, shown.stderr
    assert "the text encoding was guessed as Windows-1252" in shown.stdout
    warnings = json.loads(as_json.stdout)["warnings"]
    assert any("cv.txt: the text encoding was guessed as Windows-1252" in warning for warning in warnings)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
