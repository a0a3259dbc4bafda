"""Tests for app.llm.advice_checks: made-up tool names and advice to claim what the CV does not show (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.analysis.scoring import Analysis, analyze
from app.llm.advice_checks import advice_warnings, claim_advice, unsupported_terms

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


CHEF_CV = read("pastry_chef_cv.txt")
ML_JOB = read("ml_engineer_job.txt")
STRONG_CV = read("strong_cv.txt")
STRONG_JOB = read("strong_job.txt")


@pytest.fixture(scope="module")
def chef_vs_ml() -> Analysis:
    return analyze(CHEF_CV, ML_JOB)


@pytest.fixture(scope="module")
def strong_pair() -> Analysis:
    return analyze(STRONG_CV, STRONG_JOB)


# --- unsupported_terms --------------------------------------------------------------


@pytest.mark.parametrize(
    ("advice", "expected"),
    [
        ("Set up your pipelines with KubeFlux.", ["KubeFlux"]),
        ("Try TensorFlux and JAX before applying.", ["TensorFlux", "JAX"]),
        ("Use XGBoost, then XGBoost again.", ["XGBoost"]),  # each name once
        ("Learn Node.js and C++.", ["Node.js", "C++"]),
    ],
)
def test_unsupported_terms_flags_tool_names_found_in_neither_document(advice: str, expected: list[str]) -> None:
    assert unsupported_terms(advice, CHEF_CV, ML_JOB) == expected


@pytest.mark.parametrize(
    "advice",
    [
        "Learn PyTorch, MLflow and Kubeflow.",  # as the job writes them
        "Learn PYTORCH and TENSORFLOW.",  # other case
        "Learn pytorch and KubeFlow.",  # lower case, other inner capital
        "Read PyTorch's documentation.",  # possessive
        "Your HACCP certificate shows care for hygiene.",  # from the CV
        "Practise SQL every week.",
        "Mention it on LinkedIn and GitHub, and keep the CV ATS-friendly.",  # our own words
        "Nothing tool-like here at all.",
    ],
)
def test_unsupported_terms_accepts_names_from_either_document(advice: str) -> None:
    assert unsupported_terms(advice, CHEF_CV, ML_JOB) == []


def test_unsupported_terms_is_inflection_insensitive_for_ordinary_plurals() -> None:
    # The job says "REST APIs"; the advice says "API" and the other way round.
    assert unsupported_terms("Design a REST API for the shop.", STRONG_CV, STRONG_JOB) == []
    assert unsupported_terms("Your REST APIs matter.", "Built a REST API", "Python developer") == []


def test_unsupported_terms_depends_on_the_documents() -> None:
    advice = "Add your MLflow work."
    assert unsupported_terms(advice, CHEF_CV, "Bakery manager") == ["MLflow"]
    assert unsupported_terms(advice, CHEF_CV, ML_JOB) == []
    assert unsupported_terms(advice, "Tracked runs in mlflow", "Bakery manager") == []


def test_unsupported_terms_treats_a_word_with_only_an_initial_capital_as_ordinary() -> None:
    # Only names with an inner capital, all capitals, digits or +/#/.js look like tools: a plain
    # capitalised word ("Kubeflux", like any word opening a sentence) is not checked.
    assert unsupported_terms("Kubeflux would help.", CHEF_CV, ML_JOB) == []


@pytest.mark.parametrize("advice", ["Write SQLs daily.", "Read about LLMs."])
def test_unsupported_terms_accepts_plural_acronyms_of_job_terms(advice: str) -> None:
    assert unsupported_terms(advice, CHEF_CV, ML_JOB) == []


# --- claim_advice -------------------------------------------------------------------------


def test_claim_advice_flags_adding_a_missing_requirement(chef_vs_ml: Analysis) -> None:
    assert any("pytorch" in match.missing_terms for match in chef_vs_ml.missing_must_haves)

    assert claim_advice("Add PyTorch to your skills section.", chef_vs_ml) == ["Add PyTorch to your skills section."]


@pytest.mark.parametrize(
    "advice",
    [
        "Learn PyTorch through a course, then add it.",
        "Once you have built a project with PyTorch, list it.",
        "Add PyTorch only if you have used it.",
        "Изучите PyTorch на курсе, потом добавьте его в резюме.",
    ],
)
def test_claim_advice_accepts_learning_first(advice: str, chef_vs_ml: Analysis) -> None:
    assert claim_advice(advice, chef_vs_ml) == []


@pytest.mark.parametrize(
    "advice",
    [
        "List Docker under your skills.",
        "Mention MLflow in your summary!",
        "Добавьте PyTorch в навыки.",
        "Include Kubeflow in the skills list?",
    ],
)
def test_claim_advice_flags_other_claim_verbs_and_russian(advice: str, chef_vs_ml: Analysis) -> None:
    assert claim_advice(advice, chef_vs_ml) == [advice]


def test_claim_advice_flags_only_the_offending_sentence(chef_vs_ml: Analysis) -> None:
    advice = (
        "1. Match: your CV is not a fit for this job.\n"
        "Your pastry work shows discipline. Add PyTorch to your skills section. "
        "Learn Python through a course, then add it."
    )
    assert claim_advice(advice, chef_vs_ml) == ["Add PyTorch to your skills section."]


def test_claim_advice_ignores_requirements_the_cv_meets(strong_pair: Analysis) -> None:
    # Docker and Django are met by the strong CV: mentioning them is not a false claim.
    assert claim_advice("Add Docker and Django to your summary.", strong_pair) == []


def test_claim_advice_ignores_skills_no_requirement_asks_for(chef_vs_ml: Analysis) -> None:
    assert claim_advice("Mention your lamination and chocolate tempering.", chef_vs_ml) == []


# --- advice_warnings -----------------------------------------------------------------------


def test_advice_warnings_is_empty_for_honest_advice(chef_vs_ml: Analysis) -> None:
    advice = "1. Match: your CV is not a fit for this job. Learn Python and PyTorch through a course first."
    assert advice_warnings(advice, chef_vs_ml, CHEF_CV, ML_JOB) == []


def test_advice_warnings_wording(chef_vs_ml: Analysis) -> None:
    advice = "Use KubeFlux for pipelines. Add PyTorch to your skills section."
    warnings = advice_warnings(advice, chef_vs_ml, CHEF_CV, ML_JOB)

    assert warnings == [
        "The advice names KubeFlux, which appear in neither the CV nor the job description (possible "
        "hallucination): check before acting on it.",
        'The advice suggests adding something the CV does not show ("Add PyTorch to your skills section."): '
        "add it only if it is true; otherwise learn it first.",
    ]


def test_advice_warnings_lists_at_most_twelve_names(chef_vs_ml: Analysis) -> None:
    names = [f"ToolX{letter}" for letter in "ABCDEFGHIJKLMNO"]
    warnings = advice_warnings("Try " + ", ".join(names) + ".", chef_vs_ml, CHEF_CV, ML_JOB)

    assert len(warnings) == 1
    assert ", ".join(names[:12]) + ", which appear" in warnings[0]
    assert names[12] not in warnings[0]


def test_advice_warnings_shortens_a_long_sentence(chef_vs_ml: Analysis) -> None:
    sentence = "Add PyTorch to your skills section " + "and describe it in great detail " * 8 + "now."
    warnings = advice_warnings(sentence, chef_vs_ml, CHEF_CV, ML_JOB)

    assert len(warnings) == 1
    quoted = warnings[0].split('("', 1)[1].split('")', 1)[0]
    assert len(quoted) == 140
    assert quoted.endswith("…")
    assert quoted[:-1] == sentence[:139]
