"""Matching that credits real CVs: aliases, many-term requirements, years in the field, past titles, verdicts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.analysis.cv_profile import CvProfile
from app.analysis.cv_sections import dated_roles
from app.analysis.job_requirements import ROLE_PREFIX, Requirement
from app.analysis.matching import RequirementMatch, match_requirement
from app.analysis.scoring import (
    ScoreParts,
    analyze,
    combine_score,
    compute_score,
    decide_verdict,
    is_soft_trait,
)
from app.analysis.textproc import content_stems, title_words

TODAY = dt.date(2026, 11, 26)
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
FIELD_FIXTURES = Path(__file__).parent / "fixtures" / "field_pairs"


def _match(cv: str, text: str, kind: str = "skill", **extra) -> RequirementMatch:
    return match_requirement(Requirement(text, kind, True, **extra), CvProfile(cv, TODAY))


# --- the alias table ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("in_cv", "in_job"),
    [
        ("Senior AP Specialist", "accounts payable"),
        ("AP/AR clerk", "Accounts Receivable"),
        ("reconciled the GL", "general ledger"),
        ("MS Excel", "Microsoft Excel"),
        ("Excel", "MS-Excel"),
        ("Microsoft Word", "MS Word"),
        ("RN, Ohio Board of Nursing", "registered nurse"),
        ("BSN, Kent State", "Bachelor of Science in Nursing"),
        ("documented in the EMR", "electronic health records"),
        ("BLS and ACLS", "basic life support"),
        ("CDL Class B", "commercial driver's license"),
        ("HVAC technician", "heating, ventilation and air conditioning"),
        ("WAN and LAN", "wide area network"),
        ("IT support", "information technology"),
        ("k8s", "Kubernetes"),
        ("Postgres", "PostgreSQL"),
        ("Python3", "Python"),
        ("HTML5, CSS3", "HTML, CSS"),
        ("CI/CD", "continuous integration"),
        ("scikit-learn", "sklearn"),
        # Russian and English names of the same thing
        ("машинное обучение", "machine learning"),
        ("ООП", "object-oriented programming"),
        ("бухгалтерский учёт", "accounting"),
        ("продажи", "sales"),
        ("активные продажи", "продажам"),
        ("Python developer", "Python-разработчик"),
        ("программист 1С", "1C-разработчик"),
        ("английский язык", "English"),
        ("4 группа по электробезопасности", "Группа допуска IV"),
        ("базы данных", "database"),
        ("СУБД", "DBMS"),
    ],
)
def test_aliases_meet(in_cv: str, in_job: str) -> None:
    assert set(content_stems(in_cv)) & set(content_stems(in_job)), (in_cv, in_job)


@pytest.mark.parametrize(
    ("in_cv", "in_job"),
    [
        ("apply online", "AP"),  # an abbreviation folds only as a word, in capitals
        ("it was fun", "IT"),  # "it" the pronoun is not IT
        ("Java", "JavaScript"),
        ("marketing", "sales"),
        ("C", "C++"),
        ("C#", "C++"),
    ],
)
def test_aliases_do_not_overreach(in_cv: str, in_job: str) -> None:
    assert not set(content_stems(in_cv)) & set(content_stems(in_job)), (in_cv, in_job)


@pytest.mark.parametrize(
    ("title", "cv_title", "meets"),
    [
        ("Python-разработчик", "Python developer", True),
        ("Java-программист", "Java Developer", True),
        ("Системный администратор", "System administrator", True),
        ("Registered Nurse", "RN", True),
        ("Accountant", "Account Executive", False),  # titles are not stemmed hard
        ("Менеджер по продажам", "Sales manager", True),
    ],
)
def test_titles_meet_across_languages(title: str, cv_title: str, meets: bool) -> None:
    assert (title_words(title) <= title_words(cv_title)) is meets


# --- many-term requirements are met in proportion --------------------------------------------

CLOUD_CV = "SKILLS\nDocker, Kubernetes, AWS, Terraform\n"


@pytest.mark.parametrize(
    ("text", "coverage", "status", "missing_words"),
    [
        ("Experience with Docker, Kubernetes, AWS, Cloudflare", 0.75, "met", ("Cloudflare",)),
        ("Docker, Kubernetes, AWS and Terraform", 1.0, "met", ()),
        ("Docker, Cloudflare, Nomad", 1 / 3, "missing", ("Cloudflare", "Nomad")),
        ("Docker and Cloudflare", 0.5, "partial", ("Cloudflare",)),
        ("Cloudflare, Fastly, Akamai", 0.0, "missing", ("Cloudflare", "Fastly", "Akamai")),
        # a list of alternatives is met by any one of them
        ("Cloud platform experience (AWS, GCP, Azure)", 0.75, "met", ()),
    ],
)
def test_many_terms_met_in_proportion(text: str, coverage: float, status: str, missing_words: tuple[str, ...]) -> None:
    match = _match(CLOUD_CV, text)
    assert match.coverage == pytest.approx(coverage, abs=0.01)
    assert match.status == status
    assert match.missing_words == missing_words


def test_score_counts_the_share_shown() -> None:
    three_of_four = _match(CLOUD_CV, "Docker, Kubernetes, AWS, Cloudflare")
    none = _match(CLOUD_CV, "Cloudflare, Fastly")
    assert compute_score([three_of_four]) == 75
    assert compute_score([three_of_four, none]) == 38  # (0.75 * 3 + 0 * 3) / 6


def test_requirement_results_stay_backward_compatible() -> None:
    # Built as before (no coverage given), a match counts its status's value.
    old_style = RequirementMatch(Requirement("Python", "skill", True), "partial", None)
    assert old_style.credit == 0.5 and old_style.missing_words == ()
    assert compute_score([old_style]) == 50


# --- years counted from the dated roles in the field ---------------------------------------

AP_CV = """EXPERIENCE
Accounts Payable Clerk - Meridian Foods
Jan 2018 - Dec 2020
- Entered and matched vendor invoices (AP)
Barista - Blue Bottle
Jan 2021 - Dec 2024
- Made coffee
"""


@pytest.mark.parametrize(
    ("requirement", "years", "status", "knocks_out"),
    [
        ("3+ years of accounts payable experience", 3.0, "met", False),
        ("5+ years of accounts payable experience", 5.0, "partial", False),  # 3 of 5: at least 60 %
        ("6+ years of AP experience", 6.0, "missing", False),  # 7 years of work: not too few in all
        ("12+ years of accounts payable experience", 12.0, "missing", True),  # too few years of any work
        ("5+ years of experience", 5.0, "met", False),  # no field named: all work counts
        ("2+ years as a barista", 2.0, "met", False),
    ],
)
def test_years_counted_in_the_field(requirement: str, years: float, status: str, knocks_out: bool) -> None:
    match = _match(AP_CV, requirement, kind="years", years=years)
    assert (match.status, match.knocks_out) == (status, knocks_out)


def test_years_evidence_names_the_years_in_the_field() -> None:
    match = _match(AP_CV, "3+ years of accounts payable experience", kind="years", years=3.0)
    assert match.evidence is not None
    assert match.evidence.startswith("3 years of experience in roles that name it (of 7 in all)")


@pytest.mark.parametrize(
    ("cv", "roles"),
    [
        (AP_CV, [(2018.0, 2021.0, "Accounts Payable Clerk - Meridian Foods"),
                 (2021.0, 2025.0, "Barista - Blue Bottle")]),
        # hh.ru: the date line, then the employer, then the title
        ("Опыт работы\n\n09.2020 — 10.2020\nPerformance Lab\nстажер-инженер\n- Разработка скриптов\n",
         [(2020 + 8 / 12, 2020 + 10 / 12, "стажер-инженер")]),
        # a title and dates on one line
        ("EXPERIENCE:\nSenior Software Engineer at TechCorp (2021-2023)\n- Built APIs\n",
         [(2021.0, 2024.0, "Senior Software Engineer at TechCorp (2021-2023)")]),
        # education is not work
        ("EDUCATION\nBSc Biology\n2010 - 2014\n", []),
    ],
)  # fmt: skip
def test_dated_roles(cv: str, roles: list[tuple[float, float, str]]) -> None:
    found = dated_roles(cv, 2026.9)
    assert [(round(r.start, 2), round(r.end, 2)) for r in found] == [(round(s, 2), round(e, 2)) for s, e, _ in roles]
    for role, (_, _, title) in zip(found, roles, strict=True):
        assert title in role.title_lines


def test_role_text_runs_to_the_next_role() -> None:
    clerk, barista = dated_roles(AP_CV, 2026.9)
    assert "vendor invoices" in clerk.text and "Barista" not in clerk.text
    assert "Made coffee" in barista.text


# --- the job's title named by the CV as a past role ------------------------------------------


@pytest.mark.parametrize(
    ("cv", "title", "status"),
    [
        ("Jane Roe\nEXPERIENCE\nRegistered Nurse — City Hospital\n2019 - 2024\n", "Registered Nurse", "met"),
        ("Jane Roe\nRN, BSN\nEXPERIENCE\nStaff RN — Mercy\n2019 - 2024\n", "Registered Nurse", "met"),
        # a title met only in a bullet is not a role the CV held
        ("Jane Roe\nEXPERIENCE\nWard Clerk — City Hospital\n2019 - 2024\n- Supported registered nurses\n",
         "Registered Nurse", "missing"),
        ("Иван Петров\nPython developer\nОпыт работы\n01.2020 — по настоящее время\nООО Ромашка\nПрограммист\n",
         "Python-разработчик", "met"),
        ("Ищет работу на должность: Системный администратор\nОпыт работы: 5 лет\n", "Системный администратор", "met"),
        ("Jane Roe\nEXPERIENCE\nData Analyst — Acme\n2019 - 2024\n", "Data Scientist", "partial"),
    ],
)  # fmt: skip
def test_job_title_as_past_role(cv: str, title: str, status: str) -> None:
    match = _match(cv, ROLE_PREFIX + title, kind="role")
    assert match.status == status
    assert (match.evidence is not None) is (status != "missing")


# --- kinds weigh differently ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "soft"),
    [
        ("Коммуникабельность", True),
        ("Внимательность", True),
        ("Strong problem-solving and communication skills", True),
        ("Умение работать в команде", True),
        ("Attention to detail", True),
        ("Strong Python skills", False),
        ("Communication with clients in Salesforce", False),
        ("Опыт работы с 1С", False),
    ],
)
def test_soft_traits(text: str, soft: bool) -> None:
    assert is_soft_trait(Requirement(text, "skill", True)) is soft


def test_soft_traits_do_not_count_as_missing_must_haves() -> None:
    profile = CvProfile("Python developer\nSKILLS\nPython, SQL\n", TODAY)
    matches = [
        match_requirement(Requirement(text, "skill", True), profile)
        for text in ("Python", "SQL", "Коммуникабельность", "Внимательность", "Исполнительность")
    ]
    parts = ScoreParts(requirements=0.7, role=1.0, field=1.0, field_share=0.5)
    # Three of five must-haves are missing, but they are traits: not a reason to rule the CV out.
    assert decide_verdict(combine_score(parts), matches, [], parts) != "not_a_fit"


# --- the score's parts and the verdict ---------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "score"),
    [
        (ScoreParts(requirements=1.0, role=1.0, field=1.0, field_share=0.5), 100),
        (ScoreParts(requirements=0.0, role=0.0, field=0.0, field_share=0.0), 0),
        (ScoreParts(requirements=1.0, role=0.0, field=0.0, field_share=0.0), 45),  # 5 of 11
        (ScoreParts(requirements=0.0, role=1.0, field=0.0, field_share=0.0), 27),  # 3 of 11
        (ScoreParts(requirements=1.0, role=None, field=0.0, field_share=0.0), 62),  # no title: 5 of 8
    ],
)
def test_combine_score(parts: ScoreParts, score: int) -> None:
    assert combine_score(parts) == score


def test_another_field_is_not_a_fit_whatever_the_score() -> None:
    met = [RequirementMatch(Requirement("Teamwork", "skill", False), "met", None)]
    other = ScoreParts(requirements=1.0, role=0.0, field=0.1, field_share=0.04)
    same = ScoreParts(requirements=1.0, role=0.0, field=0.75, field_share=0.3)
    assert decide_verdict(80, met, [], other) == "not_a_fit"
    assert decide_verdict(80, met, [], same) == "strong_fit"


def test_having_held_the_job_outweighs_a_long_wish_list() -> None:
    role = RequirementMatch(Requirement(ROLE_PREFIX + "Cable splicer", "role", True), "met", None)
    wishes = [RequirementMatch(Requirement(f"Tool {i}", "skill", True), "missing", None) for i in range(4)]
    held = ScoreParts(requirements=0.3, role=1.0, field=0.5, field_share=0.2)
    assert decide_verdict(45, [role, *wishes], [], held) == "partial_fit"
    not_held = ScoreParts(requirements=0.3, role=0.5, field=0.5, field_share=0.2)
    assert decide_verdict(45, [role, *wishes], [], not_held) == "not_a_fit"


# --- verdicts on whole pairs: our own fixtures and real CVs --------------------------------------


@pytest.mark.parametrize(
    ("cv", "job", "verdicts"),
    [
        (FIELD_FIXTURES / "en/cv_nurse.txt", FIELD_FIXTURES / "en/job_rn_cardiac.txt", {"strong_fit"}),
        (FIELD_FIXTURES / "en/cv_ap_clerk.txt", FIELD_FIXTURES / "en/job_ap_specialist.txt", {"strong_fit"}),
        (FIELD_FIXTURES / "en/cv_painter.txt", SHARED / "real_dev/jobs/nyc/nyc_133921.txt",
         {"strong_fit", "partial_fit"}),
        (FIELD_FIXTURES / "en/cv_painter.txt", FIELD_FIXTURES / "en/job_rn_cardiac.txt", {"not_a_fit"}),
        (FIELD_FIXTURES / "en/cv_nurse.txt", FIELD_FIXTURES / "en/job_ap_specialist.txt", {"not_a_fit"}),
        (SHARED / "en/aligncv/sample1_cv.txt", FIELD_FIXTURES / "en/job_rn_cardiac.txt", {"not_a_fit"}),
        (SHARED / "real_dev/cvs/ru/hh_850afd450007da48.txt", FIELD_FIXTURES / "ru/job_python_backend.txt",
         {"strong_fit", "partial_fit"}),
        (SHARED / "real_dev/cvs/ru/hh_850afd450007da48.txt", SHARED / "ru/llmmatch/electro/vacancy_2.txt",
         {"not_a_fit"}),
        (SHARED / "real_dev/cvs/ru/hh_1384c15e00007023.txt", FIELD_FIXTURES / "ru/job_branch_director.txt",
         {"strong_fit", "partial_fit"}),
        (SHARED / "real_dev/cvs/ru/hh_1384c15e00007023.txt", FIELD_FIXTURES / "ru/job_java_developer.txt",
         {"not_a_fit"}),
    ],
)  # fmt: skip
def test_verdicts_on_pairs(cv: Path, job: Path, verdicts: set[str]) -> None:
    analysis = analyze(cv.read_text(encoding="utf-8"), job.read_text(encoding="utf-8"), today=TODAY)
    assert analysis.verdict in verdicts, (analysis.verdict, analysis.score, analysis.knockouts)


def test_same_field_outscores_cross_field() -> None:
    nurse = (FIELD_FIXTURES / "en/cv_nurse.txt").read_text(encoding="utf-8")
    painter = (FIELD_FIXTURES / "en/cv_painter.txt").read_text(encoding="utf-8")
    rn_job = (FIELD_FIXTURES / "en/job_rn_cardiac.txt").read_text(encoding="utf-8")
    painter_job = (SHARED / "real_dev/jobs/nyc/nyc_133921.txt").read_text(encoding="utf-8")
    assert analyze(nurse, rn_job, today=TODAY).score > analyze(painter, rn_job, today=TODAY).score + 30
    assert analyze(painter, painter_job, today=TODAY).score > analyze(nurse, painter_job, today=TODAY).score + 30


# --- a degree: its level, then its field ---------------------------------------------------------


@pytest.mark.parametrize(
    ("cv", "requirement", "status", "knocks_out"),
    [
        ("EDUCATION\nB.S. Accounting, Rutgers University, 2017\n", "Bachelor's degree in accounting or finance",
         "met", False),
        # the level is there, the subject is not: a gap, not a knock-out
        ("EDUCATION\nBS Computer Science, MIT\n", "Bachelor of Science in Nursing", "partial", False),
        ("EDUCATION\nBSN, Kent State University\n", "Bachelor of Science in Nursing", "met", False),
        ("Barista\nBlue Bottle, 2019 - 2024\n", "Bachelor's degree in accounting", "missing", True),
        ("Образование\nВысшее, экономика, РЭУ им. Плеханова\n", "Высшее образование", "met", False),
    ],
)  # fmt: skip
def test_degree_level_then_field(cv: str, requirement: str, status: str, knocks_out: bool) -> None:
    from app.analysis.job_requirements import classify

    match = match_requirement(classify(requirement, True), CvProfile(cv, TODAY))
    assert match.requirement.kind == "degree"
    assert (match.status, match.knocks_out) == (status, knocks_out)


def test_report_table_names_the_terms_not_shown() -> None:
    from app.report import Report
    from app.settings import make_settings

    analysis = analyze(CLOUD_CV, "Requirements:\n- Experience with Docker, Kubernetes, AWS, and Cloudflare\n")
    report = Report(analysis, make_settings(), "cv.txt", "job.txt")
    row = next(line for line in report.findings_markdown().splitlines() if "Cloudflare" in line and "met" in line)
    assert row.rstrip(" |").endswith("Cloudflare")
    requirement = next(r for r in report.to_dict()["requirements"] if "Cloudflare" in r["text"])
    assert requirement["missing"] == ["Cloudflare"] and requirement["coverage"] == 0.75


# --- alternatives: "1. ... or 2. ..." is met by any one ------------------------------------------

PAINTER_CV = "EXPERIENCE\nPainter - Acme Coatings\nJan 2022 - Dec 2025\n- Brush, roller and spray painting\n"


@pytest.mark.parametrize(
    ("alternatives", "status", "knocks_out"),
    [
        # four years of painting: short of five, but three plus an apprenticeship will do
        (("Five years of experience as a painter", "Three years of experience as a painter"), "met", False),
        (("Five years of experience as a painter", "Seven years of experience as a painter"), "partial", False),
        # too few years of any work for either: a knock-out
        (("Nine years of experience as a painter", "Eight years of experience as a painter"), "missing", True),
        # an alternative that only refers back ("equivalent to 1 above") rules no one out
        (("Nine years of experience as a painter", 'A combination of education and experience equivalent to "1"'),
         "missing", False),
    ],
)  # fmt: skip
def test_alternatives_are_met_by_any_one(alternatives: tuple[str, ...], status: str, knocks_out: bool) -> None:
    requirement = Requirement(" or ".join(alternatives), "years", True, years=3.0, alternatives=alternatives)
    match = match_requirement(requirement, CvProfile(PAINTER_CV, TODAY))
    assert (match.status, match.knocks_out) == (status, knocks_out)
    assert match.requirement is requirement
