"""Tests for app.analysis.textproc: language detection, stemming, alias folding, stop-words."""

from __future__ import annotations

import pytest

from app.analysis.textproc import content_stems, detect_language, is_stopword, raw_tokens, stem, stem_set


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Senior Python developer with five years of experience", "en"),
        ("Backend developer, REST APIs, PostgreSQL", "en"),
        ("Бухгалтер с опытом работы более 7 лет", "ru"),
        ("Главный бухгалтер", "ru"),
        # Mixed: Russian prose that names English tools is Russian ...
        ("Опыт работы с Python и Django", "ru"),
        ("Уверенное владение 1С:Бухгалтерия 8.3 и Excel", "ru"),
        # ... while an English line with one Russian word stays English.
        ("Senior Python developer, опыт 5 лет", "en"),
        ("Skills: Python, SQL, Docker, Kubernetes; язык", "en"),
        # No letters at all: the default is English.
        ("", "en"),
        ("2019 - 2024 | +7 912 000-48-51", "en"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    ("inflected", "base"),
    [
        ("databases", "database"),
        ("Databases", "database"),
        ("engineers", "engineering"),
        ("навыков", "навыки"),
        ("продажи", "продаж"),
        ("продажах", "продажи"),
        ("бухгалтерского", "бухгалтерский"),
    ],
)
def test_stems_meet_across_inflection(inflected: str, base: str) -> None:
    assert stem(inflected.lower()) == stem(base.lower())


def test_stem_set_meets_across_inflection() -> None:
    # "навыков"/"навыки" are stop-words (filler of requirement phrasing), so use content words here.
    assert stem_set("tuned databases") & stem_set("database tuning") >= {stem("database")}
    assert stem("продаж") in stem_set("активные продажи") & stem_set("опыт продаж")


@pytest.mark.parametrize(
    ("word", "other"),
    [
        ("databases", "data"),
        ("python", "pytorch"),
        ("java", "javascript"),
        ("sql", "mssql"),
    ],
)
def test_different_words_keep_different_stems(word: str, other: str) -> None:
    assert stem_set(word) != stem_set(other)


@pytest.mark.parametrize(
    ("cv_spelling", "job_spelling"),
    [
        ("k8s", "Kubernetes"),
        ("Postgres", "PostgreSQL"),
        ("psql", "PostgreSQL"),
        ("Node.js", "NodeJS"),
        ("node.js", "Node"),
        ("C++", "c++"),
        ("C ++", "C++"),
        ("C#", "c#"),
        ("Google Cloud Platform", "GCP"),
        ("Google Cloud", "gcp"),
        ("machine learning", "ML"),
        ("Machine-Learning", "ml"),
        ("1С", "1C"),  # Cyrillic "С" vs Latin "C"
        ("1С:Бухгалтерия", "1C Бухгалтерия"),
        ("scikit-learn", "sklearn"),
        ("CI/CD", "continuous integration"),
        ("Amazon Web Services", "AWS"),
        ("MS Excel", "Excel"),
        ("Golang", "Go"),
        ("Ёлка", "елка"),
    ],
)
def test_aliases_fold_to_the_same_stems(cv_spelling: str, job_spelling: str) -> None:
    folded = stem_set(cv_spelling)
    assert folded  # the spelling carries meaning
    assert folded == stem_set(job_spelling)


@pytest.mark.parametrize(
    ("text", "expected_tokens"),
    [
        ("k8s and Postgres", ["kubernetes", "and", "postgresql"]),
        ("C++ / C#", ["cpp", "csharp"]),
        ("Google Cloud Platform", ["gcp"]),
        ("Node.js, React.js", ["nodejs", "react"]),
        ("1С:Бухгалтерия 8.3", ["1c", "бухгалтерия", "8.3"]),
        (".NET", ["dotnet"]),
    ],
)
def test_raw_tokens_fold_aliases(text: str, expected_tokens: list[str]) -> None:
    assert raw_tokens(text) == expected_tokens


def test_c_plus_plus_is_not_c() -> None:
    assert stem_set("C++") != stem_set("C")
    assert stem_set("C") == {"c"}  # one-letter language names survive the stop-word filter


@pytest.mark.parametrize(
    "token",
    ["5+", "10", "3.5", "2,5", "100%", "the", "and", "with", "years", "experience", "и", "опыт", "лет", "x"],
)
def test_stopwords_and_numbers_are_not_content(token: str) -> None:
    assert is_stopword(token)


@pytest.mark.parametrize("token", ["python", "sql", "c", "r", "excel", "1c", "мсфо", "kubernetes", "cpp"])
def test_skill_words_are_content(token: str) -> None:
    assert not is_stopword(token)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5+ years of experience with Python", ["python"]),
        ("at least 3 years of SQL and Docker", ["sql", "docker"]),
        ("опыт работы от 3 лет в продажах", [stem("продажах")]),
        ("10% 2,5 3.5 5+", []),
        ("Strong knowledge of the tools", []),
    ],
)
def test_content_stems_drop_filler_and_numbers(text: str, expected: list[str]) -> None:
    assert content_stems(text) == expected


def test_content_stems_keep_order_and_duplicates() -> None:
    assert content_stems("Python, Django, Python") == ["python", "django", "python"]
