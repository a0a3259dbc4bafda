"""One CV against many jobs, pure: the ranking order, the gap worth closing first, gaps shared by many jobs.

Works on `Analysis` objects only (no model, no files); imports nothing but
app.analysis. The same analyses always give the same ranking.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.analysis.matching import RequirementMatch
from app.analysis.scoring import (
    Analysis,
    combine_score,
    compute_score,
    decide_verdict,
    find_knockouts,
    score_parts,
)
from app.analysis.textproc import surface_forms

# Best first, for ties on the score.
_VERDICT_ORDER = {"strong_fit": 0, "partial_fit": 1, "not_a_fit": 2}
# A job title is not something one closes by learning; it never counts as a gap to work on.
_NOT_A_GAP_KINDS = frozenset({"role"})
_BULLETS = " -*•·–—\t"
# Kinds whose missing words name a skill, a tool or a language (not years, degrees or places).
_SKILL_KINDS = frozenset({"skill", "certification", "language", "years"})


@dataclass(frozen=True)
class StatusCounts:
    """How many of a job's requirements the CV meets, in part or not at all."""

    met: int
    partial: int
    missing: int
    must_met: int
    must_missing: int
    must_total: int

    def to_dict(self) -> dict[str, int]:
        return {
            "met": self.met,
            "partial": self.partial,
            "missing": self.missing,
            "must_met": self.must_met,
            "must_missing": self.must_missing,
            "must_total": self.must_total,
        }


@dataclass(frozen=True)
class Gap:
    """One requirement the CV does not fully meet, and what meeting it would change."""

    requirement: str
    status: str  # "missing" | "partial"
    must: bool
    kind: str
    score_after: int  # the score if the CV met this requirement and nothing else changed
    lift: int  # score_after - score
    verdict_after: str
    knocks_out: bool  # this gap alone rules the application out today

    def to_dict(self) -> dict[str, object]:
        return {
            "requirement": self.requirement,
            "status": self.status,
            "must": self.must,
            "kind": self.kind,
            "lift": self.lift,
            "score_after": self.score_after,
            "verdict_after": self.verdict_after,
            "knocks_out": self.knocks_out,
        }

    def describe(self) -> str:
        """One line for a table: the requirement and what closing it is worth."""
        text = self.requirement if len(self.requirement) <= 90 else self.requirement[:89].rstrip() + "…"
        return f"{text} ({self.status}, +{self.lift} → {self.score_after})"


@dataclass(frozen=True)
class SharedGap:
    """A skill several jobs ask for that the CV does not show anywhere."""

    skill: str  # as the jobs write it, e.g. "Kubernetes"
    jobs: tuple[str, ...]  # the jobs that ask for it, in ranking order
    must_in: int  # how many of them make it a must-have
    job_count: int  # all the jobs ranked

    def sentence(self) -> str:
        return f"{self.skill} is asked by {len(self.jobs)} of {self.job_count} jobs and missing from your CV"

    def to_dict(self) -> dict[str, object]:
        return {
            "skill": self.skill,
            "jobs": list(self.jobs),
            "asked_by": len(self.jobs),
            "must_in": self.must_in,
            "of_jobs": self.job_count,
            "sentence": self.sentence(),
        }


def status_counts(analysis: Analysis) -> StatusCounts:
    matches = analysis.matches
    musts = [m for m in matches if m.requirement.must]
    return StatusCounts(
        met=sum(m.status == "met" for m in matches),
        partial=sum(m.status == "partial" for m in matches),
        missing=sum(m.status == "missing" for m in matches),
        must_met=sum(m.status == "met" for m in musts),
        must_missing=sum(m.status == "missing" for m in musts),
        must_total=len(musts),
    )


def rank_key(analysis: Analysis) -> tuple[int, int, int]:
    """Sort key, best job first: higher score, then the better verdict, then fewer must-haves missing."""
    return (-analysis.score, _VERDICT_ORDER.get(analysis.verdict, 3), len(analysis.missing_must_haves))


def rank_order(analyses: Sequence[Analysis]) -> list[int]:
    """Indexes of the analyses, best job first; ties keep the order the jobs were given in."""
    return sorted(range(len(analyses)), key=lambda index: (*rank_key(analyses[index]), index))


def gaps(analysis: Analysis) -> list[Gap]:
    """Every requirement not fully met, with the score and verdict the CV would get if it met that one.

    Computed with the analysis's own scoring (compute_score, find_knockouts,
    decide_verdict), so the figures are exactly what a CV showing that
    requirement would get. Sorted by how much closing each is worth: the
    score lift, then whether it lifts the verdict, then must-haves first,
    then the job's own order.
    """
    found: list[tuple[tuple[int, int, int, int], Gap]] = []
    for index, match in enumerate(analysis.matches):
        if match.status == "met" or match.requirement.kind in _NOT_A_GAP_KINDS:
            continue
        closed = [_as_met(m) if i == index else m for i, m in enumerate(analysis.matches)]
        score_after, verdict_after = _rescored(analysis, closed)
        verdict_gain = _VERDICT_ORDER[analysis.verdict] - _VERDICT_ORDER[verdict_after]
        gap = Gap(
            requirement=match.requirement.text,
            status=match.status,
            must=match.requirement.must,
            kind=match.requirement.kind,
            score_after=score_after,
            lift=score_after - analysis.score,
            verdict_after=verdict_after,
            knocks_out=match.knocks_out or _is_knockout(match),
        )
        found.append(((-gap.lift, -verdict_gain, 0 if gap.must else 1, index), gap))
    return [gap for _, gap in sorted(found, key=lambda pair: pair[0])]


def biggest_gap(analysis: Analysis) -> Gap | None:
    """The one requirement whose meeting would lift the score most (None when every one is met)."""
    found = gaps(analysis)
    return found[0] if found else None


def shared_gaps(named: Sequence[tuple[str, Analysis]], *, min_jobs: int = 2, limit: int = 10) -> list[SharedGap]:
    """Skills missing from the CV that several of the jobs ask for, the most asked first.

    A skill is a word (after alias folding and stemming: "k8s" is
    "Kubernetes") of a requirement the CV does not meet, that appears
    nowhere in the CV, and that the jobs write as a name more often than as
    an ordinary word (see _names_something: "Docker", not "standards" or
    "management"); it is shown as they most often write the name. Each job
    counts once per skill. `named` pairs a job's name with its analysis, in
    ranking order.
    """
    jobs_by_term: dict[str, list[str]] = {}
    must_by_term: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    # How often each term is written as a name ("Docker") and as an ordinary word ("management").
    as_name: Counter[str] = Counter()
    as_word: Counter[str] = Counter()
    for name, analysis in named:
        seen_here: dict[str, bool] = {}
        for match in analysis.matches:
            if match.status == "met" or match.requirement.kind not in _SKILL_KINDS:
                continue
            text = match.requirement.text
            forms = surface_forms(text)
            for term in match.missing_terms:
                if term not in forms:
                    continue  # only words the job wrote out: stems alone are not readable
                spelling = forms[term]
                # A capital that opens a long requirement is grammar; a one- or two-word item is a name.
                opens_a_sentence = text.lstrip(_BULLETS).startswith(spelling) and len(text.split()) > 2
                if _names_something(spelling, first=opens_a_sentence):
                    as_name[term] += 1
                    spellings.setdefault(term, Counter())[spelling] += 1
                elif not opens_a_sentence:
                    as_word[term] += 1
                seen_here[term] = seen_here.get(term, False) or match.requirement.must
        for term, must in seen_here.items():
            jobs_by_term.setdefault(term, []).append(name)
            must_by_term[term] += must
    shared = [
        SharedGap(spellings[term].most_common(1)[0][0], tuple(jobs), must_by_term[term], len(named))
        for term, jobs in jobs_by_term.items()
        # A name in most of its uses: "Kubernetes", not "management" capitalised once in a heading.
        if len(jobs) >= min_jobs and as_name[term] > as_word[term]
    ]
    shared.sort(key=lambda gap: (-len(gap.jobs), -gap.must_in, gap.skill.lower()))
    return shared[:limit]


def _names_something(spelling: str, *, first: bool) -> bool:
    """Whether a word, as the job writes it, is the name of a tool, skill or credential.

    Names are written with capitals inside a sentence ("Docker", "GraphQL",
    "WCAG", "МСФО") or with digits and signs ("C++", "k8s", "Node.js");
    a lower-case word ("standards", "networking") or a capital that only
    opens the sentence is ordinary language.
    """
    if " " in spelling or any(not char.isalpha() for char in spelling):
        return True  # a folded phrase ("Google Cloud") or a name with digits or signs
    if any(char.isupper() for char in spelling[1:]):
        return True
    return spelling[0].isupper() and not first


def _rescored(analysis: Analysis, matches: list[RequirementMatch]) -> tuple[int, str]:
    """The score and verdict the analysis would give with these matches, everything else as it was."""
    if analysis.score_parts is None:  # an Analysis built without its parts (tests, older callers)
        score = compute_score(matches)
        return score, decide_verdict(score, matches, find_knockouts(matches))
    parts = score_parts(matches, analysis.score_parts.field_share)
    score = combine_score(parts)
    return score, decide_verdict(score, matches, find_knockouts(matches), parts)


def _as_met(match: RequirementMatch) -> RequirementMatch:
    return replace(match, status="met", knocks_out=False, missing_terms=(), coverage=None, missing_words=())


def _is_knockout(match: RequirementMatch) -> bool:
    requirement = match.requirement
    return requirement.kind == "certification" and requirement.must and match.status == "missing"
