"""Score requirement extraction against hand-made gold lists (recall, precision, must/nice agreement).

A gold file is a JSON list of ``{"job": path, "requirements": [{"text": ..., "must": bool}]}``
where ``job`` is relative to the gold file and every ``text`` is a literal span of the
posting. An entry may also list ``"boilerplate": [span, ...]``: pay, benefits, legal and
application sentences that must never come out as requirements. An extracted requirement
matches a gold one (or a boilerplate span) when their words overlap by at least 60 % of
the shorter of the two. Reads files; imports only the analysis layer and the errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.analysis.documents import normalise_text, read_document
from app.analysis.job_requirements import Requirement, extract_requirements
from app.errors import InputError
from app.study.json_files import read_json

MATCH_OVERLAP = 0.6
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class GoldRequirement:
    text: str
    must: bool


@dataclass(frozen=True)
class GoldPosting:
    job_path: Path
    requirements: tuple[GoldRequirement, ...]
    boilerplate: tuple[str, ...] = ()


@dataclass
class PostingScore:
    """How the extractor did on one posting."""

    job: str
    gold: int
    extracted: int
    gold_found: int
    extracted_correct: int
    must_agree: int  # of the gold items found, those whose best match has the same must/nice
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)
    must_disagree: list[str] = field(default_factory=list)
    boilerplate: int = 0  # boilerplate spans the gold lists
    boilerplate_extracted: list[str] = field(default_factory=list)  # extracted requirements that are boilerplate

    @property
    def recall(self) -> float:
        return self.gold_found / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.extracted_correct / self.extracted if self.extracted else (1.0 if not self.gold else 0.0)

    @property
    def must_agreement(self) -> float:
        return self.must_agree / self.gold_found if self.gold_found else 1.0


def words(text: str) -> frozenset[str]:
    """The set of lower-case words of a text."""
    return frozenset(_WORD.findall(text.lower()))


def overlap(a: str, b: str) -> float:
    """Shared words as a share of the shorter text's words (0 when either has none)."""
    wa, wb = words(a), words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def load_gold(path: Path) -> list[GoldPosting]:
    """Read a gold file; every job path is resolved against the gold file's folder."""
    data = read_json(path, "gold")
    if not isinstance(data, list):
        raise InputError(f'{path}: expected a JSON list of {{"job": ..., "requirements": [...]}} objects.')
    base = Path(path).resolve().parent
    postings: list[GoldPosting] = []
    for index, entry in enumerate(data):
        try:
            job_path = base / entry["job"]
            items = tuple(GoldRequirement(str(item["text"]), bool(item["must"])) for item in entry["requirements"])
            boilerplate = tuple(str(span) for span in entry.get("boilerplate", ()))
        except (KeyError, TypeError, AttributeError):
            raise InputError(
                f'{path}: entry #{index + 1} needs "job" and a "requirements" list of {{"text", "must"}} objects.'
            ) from None
        if not job_path.is_file():
            raise InputError(f"{path}: entry #{index + 1}: job file {entry['job']} not found next to the gold file.")
        postings.append(GoldPosting(job_path, items, boilerplate))
    return postings


def counted(requirement: Requirement) -> bool:
    """Whether an extracted requirement is scored: the job's title and location are not in gold lists."""
    return requirement.kind not in ("role", "location")


def score_posting(
    posting: GoldPosting,
    extract: Callable[[str], Sequence[Requirement]] = extract_requirements,
    *,
    label: str | None = None,
) -> PostingScore:
    """Compare the extractor's requirements for one posting with its gold list."""
    text = read_document(posting.job_path).text
    flat_text = " ".join(text.split())
    for span in [item.text for item in posting.requirements] + list(posting.boilerplate):
        # Compared as read: soft hyphens, odd spaces and line breaks do not make a copied span differ.
        if " ".join(normalise_text(span).split()) not in flat_text:
            raise InputError(
                f"gold text is not a span of {posting.job_path.name}: {span[:60]!r}; copy it from the posting."
            )
    extracted = [r for r in extract(text) if counted(r)]
    found = must_agree = 0
    missed: list[str] = []
    must_disagree: list[str] = []
    for item in posting.requirements:
        best, best_overlap = None, 0.0
        for requirement in extracted:
            value = overlap(item.text, requirement.text)
            if value > best_overlap:
                best, best_overlap = requirement, value
        if best is None or best_overlap < MATCH_OVERLAP:
            missed.append(item.text)
            continue
        found += 1
        if best.must == item.must:
            must_agree += 1
        else:
            must_disagree.append(f"{item.text} (gold {'must' if item.must else 'nice'})")
    correct = 0
    spurious: list[str] = []
    for requirement in extracted:
        if any(overlap(item.text, requirement.text) >= MATCH_OVERLAP for item in posting.requirements):
            correct += 1
        else:
            spurious.append(requirement.text)
    boilerplate_extracted = [
        requirement.text
        for requirement in extracted
        if any(overlap(span, requirement.text) >= MATCH_OVERLAP for span in posting.boilerplate)
    ]
    return PostingScore(
        job=label or posting.job_path.name,
        gold=len(posting.requirements),
        extracted=len(extracted),
        gold_found=found,
        extracted_correct=correct,
        must_agree=must_agree,
        missed=missed,
        spurious=spurious,
        must_disagree=must_disagree,
        boilerplate=len(posting.boilerplate),
        boilerplate_extracted=boilerplate_extracted,
    )


def overall(scores: Sequence[PostingScore]) -> PostingScore:
    """All postings pooled: every gold and every extracted item counts once."""
    return PostingScore(
        job="overall",
        gold=sum(s.gold for s in scores),
        extracted=sum(s.extracted for s in scores),
        gold_found=sum(s.gold_found for s in scores),
        extracted_correct=sum(s.extracted_correct for s in scores),
        must_agree=sum(s.must_agree for s in scores),
        boilerplate=sum(s.boilerplate for s in scores),
        boilerplate_extracted=[text for s in scores for text in s.boilerplate_extracted],
    )
