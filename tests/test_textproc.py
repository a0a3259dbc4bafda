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


# --- the fast paths must give what the plain patterns give (issue 10, speed) ------------------------------------

_FOLD_CASES = [
    "We use C++, C #, C#, .NET and ASP.NET; x.net is not one",
    "MS Excel, ms-word, Microsoft Office; MSExcel is one word",
    "AP/AR and GL; ap and ar in lower case are words; Ap is a word",
    "RN, RNs, rns; IT, It, it; ИТ, АйТи",
    "A/B testing, a / b tests, B.S.N., BSN, b.sn, bsn.",
    "1С:Бухгалтерия, 1c, 1C, 10С",
    "Node.js, nodejs, node; React.js, reactJS, react",
    "CI/CD, ci / cd, TCP/IP, pub/sub",
    "baз данных; базы данных, базами данных; системного администратора",
    "групп допуска по электробезопасности; группа по электробезопасности",
    "accounts payables, Account payable; heating, ventilation and air-conditioning",
    "Google Cloud Platform, google cloud, machine-learning, Machine Learning Operations, ML ops, mlops",
    "power bi, PowerBI, Power BI; databases, Database, data base",
    "Ёлка, ёжик, Machine learning",
    "İT and ıt, ſql (characters re.IGNORECASE reads as other letters)",
    "",
    "#+./-",
]


def _real_texts_and_lines() -> list[str]:
    """Every text of the shared data, the fixtures and the examples (real postings and CVs), whole and line by line."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    texts: list[str] = []
    for folder in (root.parent / "shared" / "data", root / "tests" / "fixtures", root / "app" / "examples"):
        for path in sorted(folder.rglob("*.txt")):
            text = path.read_text(encoding="utf-8", errors="replace")
            texts += [text, *text.splitlines()]
    return texts


def _fold_in_one_pass(text: str) -> str:
    from app.analysis import textproc

    folded = text.replace("ё", "е").replace("Ё", "Е")
    return textproc._PHRASE_PATTERN.sub(textproc._canonical_of, folded).lower()


@pytest.mark.parametrize("text", _FOLD_CASES)
def test_fold_aliases_gives_what_the_one_pass_pattern_gives(text: str) -> None:
    from app.analysis.textproc import fold_aliases

    assert fold_aliases(text) == _fold_in_one_pass(text)


def test_fold_aliases_gives_what_the_one_pass_pattern_gives_on_real_text_and_mixtures() -> None:
    import random

    from app.analysis.textproc import fold_aliases

    texts = _real_texts_and_lines()
    pieces = [word for case in _FOLD_CASES for word in case.split()] + ["-", "/", " ", "(", "x"]
    chooser = random.Random(10)
    texts += ["".join(chooser.choice(pieces) for _ in range(chooser.randint(1, 10))) for _ in range(5000)]
    assert len(texts) > 5000
    differing = [text for text in texts if fold_aliases(text) != _fold_in_one_pass(text)]
    assert not differing, differing[:3]


def test_case_twins_lists_every_character_ignorecase_takes_for_a_letter_of_a_phrase() -> None:
    # Brute force over all of Unicode: a character that re.IGNORECASE matches to a letter of a phrase pattern
    # but that lower() does not turn into that letter must send the text down the one-pass path.
    import re

    from app.analysis import textproc
    from app.analysis.aliases import PHRASE_VARIANTS

    letters = {char.lower() for variant, _ in PHRASE_VARIANTS for char in variant if char.isalpha()}
    any_letter = re.compile("[" + re.escape("".join(sorted(letters))) + "]", re.IGNORECASE)
    twins = [
        char
        for char in map(chr, range(0x110000))
        if any_letter.match(char) and (len(char.lower()) != 1 or char.lower() not in letters)
    ]
    assert twins, "the brute force found nothing: the check itself is broken"
    assert all(textproc.CASE_TWINS.match(char) for char in twins), [hex(ord(char)) for char in twins]


def test_script_letters_counts_what_the_letter_patterns_count() -> None:
    # Every character of the Basic Multilingual Plane and some beyond, one at a time and in runs.
    from app.analysis import textproc

    def by_pattern(text: str) -> tuple[int, int]:
        return len(textproc._CYRILLIC.findall(text)), len(textproc._LATIN.findall(text))

    chars = [chr(code) for code in range(0x10000)] + ["\U0001f600", "\U00010400"]
    assert all(textproc.script_letters(char) == by_pattern(char) for char in chars)
    runs = ["".join(chars[start : start + 300]) for start in range(0, len(chars), 300)]
    runs += ["Бухгалтер, 1С; Excel — ёлка, Ёж", "Python-разработчик ѣ", "İstanbul ſ K"]
    assert all(textproc.script_letters(run) == by_pattern(run) for run in runs)
    assert textproc.script_letters("Опыт работы с Python") == (11, 6)


@pytest.mark.parametrize(
    ("pattern", "alternatives"),
    [
        ("a|b", ["a", "b"]),
        (r"a|b(?:c|d)|e", ["a", "b(?:c|d)", "e"]),
        (r"[|]|\||x", ["[|]", r"\|", "x"]),
        (r"[]|]y|[^]|]z|w", ["[]|]y", "[^]|]z", "w"]),
        (r"[\]|]|v", [r"[\]|]", "v"]),
        ("(a|b)|c", ["(a|b)", "c"]),
        ("", [""]),
    ],
)
def test_top_level_alternatives(pattern: str, alternatives: list[str]) -> None:
    from app.analysis.textproc import top_level_alternatives

    assert top_level_alternatives(pattern) == alternatives


@pytest.mark.parametrize(
    ("pattern", "keywords", "grouped"),
    [
        # Branches of one first character go behind it once, in their order.
        ("experience|education|knowledge", {}, "e(?:xperience|ducation)|knowledge"),
        # A branch that does not start with a plain character keeps its place between the others.
        (r"esq|^you|e-verify|\d+ years", {}, r"esq|^you|e-verify|\d+ years"),
        (r"ab|^x|ac", {}, r"ab|^x|ac"),
        # Cues are tried only at word starts: a leading \b is dropped; elsewhere it is part of the key.
        (r"\bmaster|\bmba\b", {}, r"m(?:aster|ba\b)"),
        (r"\bmaster|\bmba\b|magister", {"word_start": False}, r"\bm(?:aster|ba\b)|magister"),
        # Case-insensitive patterns put "M" and "m" in one group.
        ("Master|mba", {"ignore_case": True}, "m(?:aster|ba)"),
        ("Master|mba", {}, "Master|mba"),
        # A first character that may be left out or repeated is no key.
        ("s?ql|sql", {}, "s?ql|sql"),
        # Capturing groups would be renumbered: left alone.
        ("(one|two) years|three", {}, "(one|two) years|three"),
    ],
)
def test_grouped_by_first_letter(pattern: str, keywords: dict[str, bool], grouped: str) -> None:
    from app.analysis.textproc import grouped_by_first_letter

    assert grouped_by_first_letter(pattern, **keywords) == grouped


def _real_lines_and_mixtures() -> list[str]:
    import random

    texts = _real_texts_and_lines()
    words = [word for text in texts[:300] for word in text.split()]
    chooser = random.Random(11)
    texts += [" ".join(chooser.choice(words) for _ in range(chooser.randint(1, 12))) for _ in range(3000)]
    return texts


def test_grouped_patterns_find_what_the_patterns_as_written_find() -> None:
    # Every cue list of the analysis and the grouped degree patterns, over real postings and CVs and mixtures
    # of their words: the same matches at the same places with the same groups.
    import importlib
    import pkgutil
    import re

    import app.analysis
    from app.analysis import cv_sections, job_requirements, scoring
    from app.analysis.textproc import Cues

    pairs: list[tuple[re.Pattern[str], re.Pattern[str], bool]] = []  # written, grouped, lower-cased text
    for module_info in pkgutil.iter_modules(app.analysis.__path__):
        module = importlib.import_module(f"app.analysis.{module_info.name}")
        for value in vars(module).values():
            found = [value] if isinstance(value, Cues) else []
            if isinstance(value, tuple):
                found += [
                    item for entry in value if isinstance(entry, tuple) for item in entry if isinstance(item, Cues)
                ]
            pairs += [(re.compile(r"(?<!\w)(?:" + cue.source + ")"), cue.pattern, True) for cue in found]
    assert len(pairs) >= 20
    written = [*(pattern for _, pattern in job_requirements.DEGREE_PATTERNS)]
    written += [job_requirements._GENERIC_DEGREE, job_requirements._NAMES_A_DEGREE_PATTERN]
    grouped = [*(pattern for _, pattern in job_requirements.DEGREE_LEVELS)]
    grouped += [job_requirements._GENERIC_DEGREE_RE, job_requirements._NAMES_A_DEGREE]
    # The soft-skill words as they were written before each English word got its own \b...\b.
    written.append(
        r"\b(?:communication|teamwork|team player|leadership|collaborat\w*|problem[- ]solving|"
        r"empathy|adaptab\w+|time management|mentor\w*|attention to detail|interpersonal|"
        r"negotiation|presentation skills|critical thinking|creativ\w+|self[- ]motivated|"
        r"organi[sz]ational)\b|коммуникабельн\w*|ответственн\w*|стрессоустойчив\w*|"
        r"внимательн\w*|пунктуальн\w*|обучаем\w*|исполнительн\w*|целеустремл\w*|"
        r"работа в команде|лидерск\w*|инициативн\w*|организованн\w*"
    )
    grouped.append(cv_sections.SOFT_SKILL_WORDS)
    written.append("|".join(pattern for _, pattern in job_requirements.DEGREE_PATTERNS))
    grouped.append(job_requirements._ANY_DEGREE)
    written.append(scoring._MORE_SOFT_TRAITS_PATTERN)
    grouped.append(scoring._MORE_SOFT_TRAITS)
    pairs += [
        (re.compile(source, re.IGNORECASE), pattern, False) for source, pattern in zip(written, grouped, strict=True)
    ]
    assert sum(before.pattern != after.pattern for before, after, _ in pairs) >= 20  # most were regrouped
    texts = _real_lines_and_mixtures()
    for before, after, lower in pairs:
        for text in texts:
            text = text.lower() if lower else text
            expected = [(match.span(), match.groups()) for match in before.finditer(text)]
            assert [(match.span(), match.groups()) for match in after.finditer(text)] == expected, (after.pattern, text)
