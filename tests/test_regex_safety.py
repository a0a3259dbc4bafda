"""No pattern run over a user's text can freeze the app (issue 12, point 2).

Python's `re` backtracks and holds the GIL, so one pattern that is exponential
or quadratic on some input stops every session of the app: a 22-item "..., or
similar (any)" line took 89 s, a 1 MB unbroken token over two minutes. Every
compiled pattern of the modules that read user text is found here by
introspection (a pattern added later is audited too) and run over adversarial
input (long runs, nested repeats, 100 KB tokens) in a child process that is
killed if it runs long. A linear pattern needs a few milliseconds per input; a
quadratic one minutes. The bound sits a hundred times above the first and far
below the second, so a busy machine does not make these tests flaky.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from types import ModuleType

import pytest

from app.analysis import (
    aliases,
    alternatives,
    cv_profile,
    cv_sections,
    documents,
    injection,
    job_requirements,
    matching,
    posting_clauses,
    posting_headings,
    posting_repair,
    read_errors,
    read_text,
    scoring,
    segment_kinds,
    segments,
    textproc,
)
from app.analysis.alternatives import split_alternatives
from app.analysis.cv_sections import find_sections
from app.analysis.documents import MAX_TEXT_CHARS
from app.analysis.job_requirements import extract_requirements
from app.analysis.scoring import analyze
from app.llm import advice_checks, advice_contradictions, advice_text, prompting
from tests.helpers import timed_in_child

# Modules whose patterns run over text a user gave us (CV, job, pasted text),
# or over the model's advice, which may quote it.
MODULES: tuple[ModuleType, ...] = (
    textproc,
    aliases,
    posting_repair,
    posting_clauses,
    posting_headings,
    segment_kinds,
    segments,
    cv_sections,
    injection,
    job_requirements,
    alternatives,
    cv_profile,
    matching,
    scoring,
    read_text,  # before documents, which imports its pattern
    read_errors,
    documents,
    advice_text,
    advice_contradictions,
    advice_checks,
    prompting,
)

TOKEN = 50_000  # characters of one adversarial run: quadratic patterns need minutes on it
PER_INPUT_S = 5.0  # one input, one pattern: linear takes milliseconds (a second on a crowded machine), quadratic 20 s+
CHILD_BUDGET_S = 60.0  # all inputs of one pattern; a pattern that hangs is killed here

# Units repeated into long runs, each run then followed by a character that breaks
# what it started to match, so a backtracking engine must give it back piece by piece.
_UNITS = (
    "a", "A", "Я", "1", " ", "\t", "\n", ".", ",", "-", "@", "(", ":", "<",
    "a ", "a, ", "1 ", "a.", "a@a.", "(a,", "a, or ", "или ", "опыт ", "1 years ", "experience ",
    "2019 - ", "Jan ", "Требования ", "Skills ", "C++ ", "system ",
)  # fmt: skip


def adversarial_inputs() -> Iterator[str]:
    """Inputs that make backtracking patterns slow: long runs of one unit, then a spoiler."""
    for unit in _UNITS:
        yield unit * (TOKEN // len(unit)) + "!(any)"
    # A word a pattern starts from, then a long run of spaces ("experience" + 50,000 spaces).
    for word in ("system", "experience", "1", "ms", "Требования"):
        yield word + " " * TOKEN + "!(any)"
    # Classes interleaved at random: no run is regular enough for a fast path.
    rng = random.Random(12)
    for alphabet in ("a ,", "a1.", "a@.-", "A :"):
        yield "".join(rng.choice(alphabet) for _ in range(TOKEN)) + "!"
    # The issue's own cases.
    yield ", ".join(f"Tool{i}" for i in range(22)) + ", or similar (any)"
    yield ", ".join(f"Skill {i}" for i in range(20)) + " (required)"


def module_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Every compiled pattern a module holds at its top level, inside tuples, lists and dicts too."""
    found: dict[int, tuple[str, re.Pattern[str]]] = {}

    def visit(name: str, value: object, depth: int = 0) -> None:
        if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
            found.setdefault(id(value), (name, value))
        elif depth < 3 and isinstance(value, (tuple, list)):
            for index, item in enumerate(value):
                visit(f"{name}[{index}]", item, depth + 1)
        elif depth < 3 and isinstance(value, dict):
            for key, item in value.items():
                visit(f"{name}[{key!r}]", item, depth + 1)
        elif depth < 3 and type(value).__module__.startswith("app.") and hasattr(value, "__dict__"):
            # Our own objects that hold patterns (textproc.Cues, say).
            for attribute, item in vars(value).items():
                visit(f"{name}.{attribute}", item, depth + 1)

    for module in MODULES:
        for attribute, value in vars(module).items():
            visit(f"{module.__name__.rsplit('.', 1)[-1]}.{attribute}", value)
    return sorted(found.values(), key=lambda item: item[0])


PATTERNS = module_patterns()


def _exhaust(pattern: re.Pattern[str], text: str) -> None:
    # finditer runs the pattern from every position a search, sub, split or findall would.
    for _ in pattern.finditer(text):
        pass


def test_the_audit_finds_the_patterns_of_every_module() -> None:
    names = {name for name, _ in PATTERNS}
    assert {"cv_sections._EMAIL", "posting_headings._ALL_CAPS", "injection._RULES[2].pattern"} <= names
    for module in MODULES:
        short = module.__name__.rsplit(".", 1)[-1]
        assert any(name.startswith(short + ".") for name in names), short
    assert len(PATTERNS) > 60


@pytest.mark.parametrize(("name", "pattern"), PATTERNS, ids=[name for name, _ in PATTERNS])
def test_pattern_is_linear_on_adversarial_input(name: str, pattern: re.Pattern[str]) -> None:
    inputs = list(adversarial_inputs())
    times = timed_in_child([lambda text=text: _exhaust(pattern, text) for text in inputs], CHILD_BUDGET_S)
    slow = [(text, took) for text, took in zip(inputs, times, strict=True) if took is None or took > PER_INPUT_S]
    if slow:
        text, took = slow[0]
        shown = "over the time limit" if took is None else f"{took:.1f} s"
        pytest.fail(f"{name} took {shown} on {text[:24]!r}…{text[-8:]!r} ({len(text)} characters)")


# --- the two blow-ups of the issue, through the functions that run them ---------


def test_split_alternatives_is_fast_on_the_issues_lists() -> None:
    long_or_list = ", ".join(f"Tool{i}" for i in range(22)) + ", or similar (any)"  # 89 s before
    required_stack = ", ".join(f"Skill {i}" for i in range(20)) + " (required)"  # 3.7 s before
    huge_list = "Python, " * 100_000 + "Java or Go"
    inputs = [long_or_list, required_stack, huge_list, "(" * TOKEN, "(a, " * (TOKEN // 4)]
    times = timed_in_child([lambda text=text: split_alternatives(text) for text in inputs], 60)
    assert all(took is not None and took < 5 for took in times), times


def test_a_job_with_the_issues_lines_is_analysed_fast() -> None:
    job = (
        "Requirements:\n"
        + ", ".join(f"Tool{i}" for i in range(22))
        + ", or similar (any)\n"
        + ", ".join(f"Skill {i}" for i in range(20))
        + " (required)\n"
    )
    cv = "Experience\nJan 2019 - Present: Tool3 developer\nEducation\nBSc\nSkills\nSkill 1\n"
    times = timed_in_child([lambda: analyze(cv, job)], 60)
    assert times[0] is not None and times[0] < 5, times


def test_the_email_pattern_is_fast_on_a_long_unbroken_token() -> None:
    token = "a" * 1_000_000  # 1 MB took over 120 s, 40 KB 3-9 s
    jobs = [
        lambda: cv_sections._EMAIL.search(token),
        lambda: cv_sections._EMAIL.search("x@" + token),
        lambda: find_sections(token[:MAX_TEXT_CHARS]),
    ]
    times = timed_in_child(jobs, 60)
    assert all(took is not None and took < 10 for took in times), times


def test_the_email_pattern_still_finds_addresses() -> None:
    for line, found in (
        ("jane.doe+cv@mail.example.com", True),
        ("Contact: j_doe@ex-ample.org, +44 20 7946 0000", True),
        ("a@b.c", True),
        ("no address here @ all", False),
        ("jane@localhost", False),
    ):
        assert (cv_sections._EMAIL.search(line) is not None) is found, line
        assert find_sections(line)["contacts"].present is found, line


# --- rewritten patterns answer as the old ones did -------------------------------

# The patterns as they were before the fix: slow on adversarial input, but the
# reference for what the new ones must answer on ordinary (short) text.
_OLD_OR_LIST = re.compile(r"((?:[\w+#.\- ]+,\s*)*[\w+#.\- ]+,?\s+(?:or|или|and/or)\s+[\w+#.\- ]+)$", re.IGNORECASE)
_OLD_ALTERNATIVES = re.compile(r"\((?:e\.g\.,?|such as|like|например|напр\.)?\s*([^)]*)\)", re.IGNORECASE)


def _old_split_alternatives(text: str) -> tuple[str, list[str]]:
    parenthesised = _OLD_ALTERNATIVES.search(text)
    if parenthesised and ("," in parenthesised.group(1) or re.search(r"\bor\b|\bили\b|/", parenthesised.group(1))):
        return text[: parenthesised.start()] + text[parenthesised.end() :], alternatives.list_items(
            parenthesised.group(1)
        )
    or_list = _OLD_OR_LIST.search(text)
    if or_list and re.search(r"\b(?:or|или|and/or)\b", text, re.IGNORECASE):
        items = alternatives.list_items(or_list.group(1))
        if len(items) >= 2 and all(len(item.split()) <= 3 for item in items[1:]):
            first_words = items[0].split()
            head = text[: or_list.start()] + " ".join(first_words[:-1])
            items[0] = first_words[-1] if first_words else items[0]
            return head, items
    return text, []


def _random_texts(pieces: list[str], count: int, seed: int, longest: int = 12) -> Iterator[str]:
    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choice(pieces) for _ in range(rng.randint(0, longest)))


@pytest.mark.parametrize(
    "text",
    [
        "Expert in Java, Go, or Python",
        "NLP libraries (spaCy, NLTK, Hugging Face)",
        "Experience with AWS or GCP",
        "Знание Python или Go",
        "Deep learning frameworks (e.g., PyTorch, TensorFlow)",
        "SQL and/or NoSQL databases",
        "Git, Docker, Kubernetes, Terraform, Ansible, or similar\n",
        "Cloud: AWS, Azure, or GCP (any)",
    ],
)
def test_split_alternatives_answers_as_before(text: str) -> None:
    assert split_alternatives(text) == _old_split_alternatives(text)


def test_split_alternatives_answers_as_before_on_random_text() -> None:
    pieces = [
        *("a", "Go", "Java", " ", " ", ",", ", ", "or", "OR", "или", "ИЛИ", "and/or", "(", ")", "e.g. ", "like "),
        *(".", "\t", "\n", "/", "и", "л", "d", "r", "o", "n", "1", "_", "+", "#", "-", "é", "ß", "İ", "\u00a0"),
    ]
    differing = [
        text
        for text in _random_texts(pieces, 20_000, seed=1)
        if split_alternatives(text) != _old_split_alternatives(text)
    ]
    assert differing == []


@pytest.mark.parametrize(
    ("new", "old", "pieces"),
    [
        (cv_sections._EMAIL, r"[\w.+-]+@[\w-]+\.[\w.]+", ["a", "@", ".", "-", "+", " ", "b.c", "_", "1"]),
        (
            posting_headings._ALL_CAPS,
            r"^[^a-zа-яё]*[A-ZА-ЯЁ][^a-zа-яё]*$",
            ["A", "a", "Я", "я", " ", ":", "#", "1", "\n", "-"],
        ),
        (
            job_requirements._YEARS_PATTERNS[0],
            r"(\d+(?:[.,]\d)?)\s*\+?\s*(?:(?:-|–|—|to)\s*\d+\s*)?(?:years?|yrs?)\b",
            ["1", "12", ".", ",", " ", "+", "-", "to", " years", "yrs", "s", "x"],
        ),
        (
            job_requirements._YEARS_PATTERNS[3],
            r"(\d+)\s*(?:-|–|—)\s*\d+\s*(?:лет|года)",
            ["1", "12", " ", "-", "–", "лет", "года", "x"],
        ),
        (
            job_requirements._YEARS_PATTERNS[4],
            r"(\d+(?:[.,]\d)?)\+?\s*(?:лет|года|год)\b",
            ["1", "12", ".", ",", " ", "+", "лет", "год", "а", "x"],
        ),
        (
            cv_profile._STATED_YEARS[0],
            r"(\d+(?:[.,]\d)?)\s*\+?\s*(?:years?|yrs?)(?:\s+of)?(?:\s+\w+){0,3}?\s+experience",
            ["1", "12", ".", " ", "+", "years", " of", " work", " experience", "x"],
        ),
        (
            cv_profile._STATED_YEARS[1],
            r"experience\s*(?:of|:)?\s*(\d+(?:[.,]\d)?)\s*\+?\s*years?",
            ["experience", " ", "of", ":", "1", "12", ".", "+", "years", "x"],
        ),
        (
            injection._PATTERNS[2],
            r"^\s*(?:system|assistant|user)\s*(?:prompt)?\s*:",
            [" ", "system", "user", "prompt", ":", "x", "\t"],
        ),
    ],
    ids=["email", "heading-shape", "years-en", "years-range-ru", "years-ru", "stated-years", "experience-of", "role"],
)
def test_rewritten_pattern_finds_what_the_old_one_found(new: re.Pattern[str], old: str, pieces: list[str]) -> None:
    old_pattern = re.compile(old, new.flags)
    for text in _random_texts(pieces, 20_000, seed=3):
        before, after = old_pattern.search(text), new.search(text)
        assert (before and (before.span(), before.groups())) == (after and (after.span(), after.groups())), text


def test_inline_headings_still_split_where_they_did() -> None:
    job = "Мы ищем аналитика в команду данных компании. Требования: опыт SQL от 3 лет; Python. Условия: удалёнка"
    requirements = [requirement.text for requirement in extract_requirements(job)]
    assert requirements[-2:] == ["опыт SQL от 3 лет", "Python"]
