"""Tests for app.analysis.ranking (pure, table-driven) and app.ranking.rank_jobs without a model."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.analysis.cv_sections import SectionHit
from app.analysis.documents import from_text
from app.analysis.job_requirements import Requirement
from app.analysis.matching import RequirementMatch
from app.analysis.ranking import biggest_gap, gaps, rank_order, shared_gaps, status_counts
from app.analysis.scoring import Analysis, analyze, compute_score, decide_verdict, find_knockouts
from app.analysis.textproc import stem, surface_forms
from app.ranking import FailedJob, rank_jobs
from app.settings import make_settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
REAL = ROOT.parent / "shared" / "data" / "en" / "skillora" / "real_world"
REAL_DEV_NYC = ROOT.parent / "shared" / "data" / "real_dev" / "jobs" / "nyc"


def match(
    text: str, status: str, *, must: bool = True, kind: str = "skill", missing: tuple[str, ...] = ()
) -> RequirementMatch:
    return RequirementMatch(Requirement(text, kind, must), status, None, (), missing)


def analysis_of(matches: list[RequirementMatch]) -> Analysis:
    score = compute_score(matches)
    knockouts = find_knockouts(matches)
    return Analysis(
        language="en",
        verdict=decide_verdict(score, matches, knockouts),
        score=score,
        sections={"experience": SectionHit(True, None)},
        matches=matches,
        knockouts=knockouts,
        cv_years=None,
    )


# --- rank_order ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        # score decides: all met (100) > half (50) > none met (0)
        ([["met", "missing"], ["met", "met"], ["missing", "missing"]], [1, 0, 2]),
        # equal scores keep the order the jobs were given in
        ([["met", "missing"], ["missing", "met"]], [0, 1]),
        ([["missing"], ["missing"], ["met"]], [2, 0, 1]),
    ],
)
def test_rank_order_is_by_score_then_given_order(statuses: list[list[str]], expected: list[int]) -> None:
    analyses = [analysis_of([match(f"skill {i}", s) for i, s in enumerate(job)]) for job in statuses]
    assert rank_order(analyses) == expected


def test_equal_scores_rank_the_better_verdict_first() -> None:
    # Both score 50; the knock-out (a missing must-have licence) makes the second one not a fit.
    plain = analysis_of([match("Python", "met"), match("Go", "missing")])
    licence = analysis_of([match("Python", "met"), match("CPA licence", "missing", kind="certification")])
    assert plain.score == licence.score == 50
    assert licence.verdict == "not_a_fit" and plain.verdict != "not_a_fit"
    assert rank_order([licence, plain]) == [1, 0]


# --- gaps ------------------------------------------------------------------------


def test_biggest_gap_is_the_requirement_worth_most_points() -> None:
    # weights: must 3 (missing), nice 1 (missing), must 3 (partial): earned 1.5 of 7 -> 21
    analysis = analysis_of(
        [match("Kubernetes", "missing"), match("Kafka", "missing", must=False), match("SQL", "partial")]
    )
    assert analysis.score == 21
    found = gaps(analysis)
    assert [gap.requirement for gap in found] == ["Kubernetes", "SQL", "Kafka"]
    top = found[0]
    assert top == biggest_gap(analysis)
    assert (top.score_after, top.lift) == (64, 43)  # earned 4.5 of 7
    assert (found[1].score_after, found[1].lift) == (43, 22)  # SQL partial -> met: +1.5
    assert (found[2].score_after, found[2].lift) == (36, 15)  # a nice-to-have: +1
    assert top.must and top.status == "missing"
    assert "Kubernetes" in top.describe() and "+43" in top.describe()


def test_a_knock_out_gap_says_so_and_what_verdict_closing_it_gives() -> None:
    analysis = analysis_of(
        [match("CPA licence", "missing", kind="certification"), match("Excel", "met"), match("GAAP", "met")]
    )
    assert analysis.verdict == "not_a_fit"
    gap = biggest_gap(analysis)
    assert gap is not None
    assert gap.knocks_out and gap.requirement == "CPA licence"
    assert gap.score_after == 100 and gap.verdict_after == "strong_fit"


def test_ties_on_points_prefer_the_gap_that_lifts_the_verdict() -> None:
    # Two must-haves worth the same points; only closing the licence removes the knock-out.
    analysis = analysis_of(
        [
            match("Go", "missing"),
            match("CPA licence", "missing", kind="certification"),
            match("Excel", "met"),
            match("SQL", "met"),
        ]
    )
    assert biggest_gap(analysis).requirement == "CPA licence"  # type: ignore[union-attr]


def test_the_job_title_and_met_requirements_are_never_gaps() -> None:
    analysis = analysis_of([match("Role: Data Scientist", "missing", kind="role"), match("Python", "met")])
    assert gaps(analysis) == []
    assert biggest_gap(analysis) is None


def test_status_counts() -> None:
    counts = status_counts(
        analysis_of(
            [
                match("a", "met"),
                match("b", "missing"),
                match("c", "partial"),
                match("d", "missing", must=False),
                match("e", "met", must=False),
            ]
        )
    )
    assert (counts.met, counts.partial, counts.missing) == (2, 1, 2)
    assert (counts.must_met, counts.must_missing, counts.must_total) == (1, 1, 3)


# --- shared gaps -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Experience with K8s and Docker", {"kubernetes": "K8s", "docker": "Docker"}),
        ("Google Cloud Platform or Microsoft Azure", {"gcp": "Google Cloud Platform", "azure": "Microsoft Azure"}),
        ("Strong knowledge of PostgreSQL", {"postgresql": "PostgreSQL"}),
    ],
)
def test_surface_forms_keep_the_job_s_own_spelling(text: str, expected: dict[str, str]) -> None:
    forms = surface_forms(text)
    for word, spelling in expected.items():
        assert forms[stem(word)] == spelling
    assert "knowledg" not in forms and "strong" not in forms  # filler words name no skill


CV = (
    "Jane Roe\nEXPERIENCE\nBackend developer, 2019 - 2024\nSKILLS\nPython, Django, Docker\n"
    "EDUCATION\nBSc Computer Science\n"
)
JOBS = {
    "a": "Platform Engineer\nRequirements\n- Python\n- Kubernetes\n- Terraform\n",
    "b": "Backend Developer\nRequirements\n- Django\n- Experience with k8s\n- Terraform\n- Docker\n",
    "c": "SRE\nRequirements\n- Kubernetes administration\n- Go\n",
    "d": "Data Analyst\nRequirements\n- SQL\n- Tableau\n",
}


def test_shared_gaps_count_each_job_once_across_spellings() -> None:
    named = [(name, analyze(CV, text)) for name, text in JOBS.items()]
    shared = shared_gaps(named)

    assert shared[0].skill in ("Kubernetes", "k8s")
    assert shared[0].jobs == ("a", "b", "c")
    assert shared[0].sentence() == f"{shared[0].skill} is asked by 3 of 4 jobs and missing from your CV"
    assert [(gap.skill, gap.jobs) for gap in shared[1:]] == [("Terraform", ("a", "b"))]
    # Python, Django and Docker are in the CV; Go, SQL and Tableau are asked by one job only.
    assert len(shared) == 2
    assert shared_gaps(named, min_jobs=4) == []


def test_a_word_the_jobs_mostly_write_in_lower_case_is_not_a_shared_skill() -> None:
    jobs = {
        "a": "Platform Engineer\nRequirements\n- Experience in project management\n- Terraform\n",
        "b": "Site Lead\nRequirements\n- Strong management of vendors\n- Terraform\n",
        "c": "Team Lead\nRequirements\n- Management\n- Kubernetes\n",
    }
    named = [(name, analyze(CV, text)) for name, text in jobs.items()]
    assert [(gap.skill, gap.jobs) for gap in shared_gaps(named)] == [("Terraform", ("a", "b"))]


def test_real_civil_service_postings_share_skills_not_ordinary_words() -> None:
    """Real New York City postings write "management" in lower case and headings in capitals: neither is a skill."""
    cv_text = (REAL / "resumes" / "rachel_martinez_ds.txt").read_text(encoding="utf-8")
    postings = sorted(REAL_DEV_NYC.glob("*.txt"))
    named = [(path.name, analyze(cv_text, path.read_text(encoding="utf-8"))) for path in postings]
    skills = [gap.skill for gap in shared_gaps(named)]
    assert "Microsoft Excel" in skills
    assert not {"management", "Management", "Assignment"} & set(skills)


REAL_DEV_JOBS = ROOT.parent / "shared" / "data" / "real_dev" / "jobs"
# Words of real postings that name a pay grade, a place or an employer: never a skill to learn (issue 14).
NOT_SKILLS = {"GS", "ZP", "WG", "State", "City", "County", "Federal", "NYC", "York", "New York", "grade", "band"}


@pytest.mark.parametrize(
    "cv_path",
    [
        *sorted((REAL / "resumes").glob("*.txt")),
        ROOT.parent / "shared" / "data" / "real_dev" / "cvs" / "ru" / "hh_00e5eedf00089ef4.txt",
    ],
    ids=lambda path: path.stem,
)
def test_real_postings_share_skills_not_pay_grades_or_places(cv_path: Path) -> None:
    """The NYC and federal postings of real_dev: "GS" (GS-12) and "State" (New York State) were shared gaps."""
    cv_text = cv_path.read_text(encoding="utf-8")
    postings = sorted(REAL_DEV_JOBS.glob("*/*.txt"))
    named = [(path.name, analyze(cv_text, path.read_text(encoding="utf-8"))) for path in postings]
    skills = [gap.skill for gap in shared_gaps(named, limit=50)]

    assert not NOT_SKILLS & set(skills), skills
    # Real skills the postings ask for and these CVs do not show still come through.
    assert {"Microsoft Excel", "Word"} <= set(skills), skills


@pytest.mark.parametrize(
    ("requirement", "kept", "dropped"),
    [
        (
            "one year of specialized experience equivalent to at least the next lower grade (GS-07) or a "
            "comparable pay band in federal or other service",
            {"specialized"},
            {"GS", "grade", "band", "pay"},
        ),
        ("equivalent to at least the GS-9 (ZP-II at NIST) level in data analysis", {"analysis"}, {"GS", "ZP"}),
        ("a valid New York State license as a Professional Engineer", {"Engineer"}, {"State", "York"}),
        (
            "clerical work for a State's Department of Health",
            {"clerical"},
            {"State", "Department", "Health"},
        ),
        ("manage contracts for City, State, and/or Federal grants using Excel", {"Excel", "contracts"}, {"State"}),
        # Lower case, these are skills: they stay.
        ("state management with Redux", {"state", "Redux"}, set()),
        ("knowledge of federal tax law", {"federal", "tax"}, set()),
    ],
)
def test_pay_grades_and_places_are_not_requirement_terms(requirement: str, kept: set[str], dropped: set[str]) -> None:
    missing = analyze("Experience\nCashier at a shop, 2019-2023\n", f"Requirements:\n- {requirement}\n").matches
    terms = {term for m in missing for term in m.missing_terms}
    forms = surface_forms(requirement)
    for word in kept:
        assert stem(word.lower()) in terms, (word, terms)
    for word in dropped:
        assert not {stem(word.lower()), forms.get(stem(word.lower()))} & terms, (word, terms)


@pytest.mark.parametrize(
    ("message", "limit", "shown"),
    [
        ("llama_decode returned -3\n  at line 2\n", None, "llama_decode returned -3 at line 2"),
        ("", None, "RuntimeError"),
        ("x" * 200, 160, "x" * 157 + "..."),
        ("a short\tmessage", 160, "a short message"),
    ],
)
def test_one_line_is_one_helper_for_the_ranking_and_the_hub(message: str, limit: int | None, shown: str) -> None:
    from app import errors, ranking
    from app.hub import downloads, hub_client

    assert errors.one_line(RuntimeError(message), limit=limit) == shown
    # One helper, not a copy per package: the ranking's job errors and the hub's download errors use it.
    assert ranking.one_line is hub_client.one_line is downloads.one_line is errors.one_line


# --- rank_jobs without the model ---------------------------------------------------


def test_rank_jobs_orders_reports_and_keeps_failed_jobs_apart() -> None:
    cv = from_text(CV, "cv.txt")
    jobs = [from_text(text, name) for name, text in JOBS.items()]
    failed = FailedJob("broken.pdf", "broken.pdf: cannot read this PDF; re-save it")
    ranking = rank_jobs(cv, [jobs[0], failed, *jobs[1:]], make_settings(use_llm=False))

    scores = [job.report.analysis.score for job in ranking.jobs]
    assert scores == sorted(scores, reverse=True)
    assert [job.rank for job in ranking.jobs] == [1, 2, 3, 4]
    assert ranking.failed == [failed]
    assert {job.name for job in ranking.jobs} == set(JOBS)
    data = ranking.to_dict()
    assert [job["inputs"]["job"] for job in data["jobs"]] == [job.name for job in ranking.jobs]
    assert data["failed"] == [{"job": "broken.pdf", "error": "broken.pdf: cannot read this PDF; re-save it"}]
    assert data["jobs"][0]["ranking"]["rank"] == 1
    assert all(job["advice"] == "" and job["model"] is None for job in data["jobs"])
    markdown = ranking.to_markdown()
    assert "is asked by 3 of 4 jobs and missing from your CV" in markdown
    assert "broken.pdf: cannot read this PDF" in markdown
    assert markdown.index("# 1. ") < markdown.index("# 2. ") < markdown.index("# 4. ")


def test_a_model_that_cannot_load_leaves_every_deterministic_report_standing() -> None:
    cv = from_text(CV, "cv.txt")
    jobs = [from_text(text, name) for name, text in JOBS.items()]
    ranking = rank_jobs(cv, jobs, make_settings(model="no-such-model", advise_top=2))

    assert ranking.job_count == 4
    assert len(ranking.warnings) == 1 and "no-such-model" in ranking.warnings[0]
    for job in ranking.jobs[:2]:
        assert any(w.startswith("No advice was written for this job") for w in job.report.warnings)
        assert job.report.advice == ""
    assert not any("No advice" in w for job in ranking.jobs[2:] for w in job.report.warnings)


def test_real_postings_rank_with_honest_gaps() -> None:
    """Real postings and a real CV nobody here wrote: every gap is one of that job's unmet requirements."""
    cv_text = (REAL / "resumes" / "ashley_nguyen_junior.txt").read_text(encoding="utf-8")
    postings = sorted((REAL / "job_postings").glob("*.txt"))
    jobs = [from_text(path.read_text(encoding="utf-8"), path.name) for path in postings]
    ranking = rank_jobs(from_text(cv_text, "cv.txt"), jobs, make_settings(use_llm=False))

    assert ranking.job_count == len(postings) >= 4
    for job in ranking.jobs:
        gap = job.gap
        if gap is None:
            continue
        unmet = {m.requirement.text for m in job.report.analysis.matches if m.status != "met"}
        assert gap.requirement in unmet
        assert gap.lift > 0 and gap.score_after == job.report.analysis.score + gap.lift
