"""Checks of the generated advice against the documents.

Two honest-advice checks, both pure functions:
- names of skills or tools the advice mentions that appear in neither the CV
  nor the job (the model may have made them up);
- sentences that tell the person to list or claim a missing requirement
  instead of learning it first.
"""

from __future__ import annotations

import re

from app.analysis.scoring import Analysis
from app.analysis.textproc import stem, stem_set

# A tool-like name: has a capital inside or after the first letter (PyTorch,
# GraphQL, AWS), or digits/+/#/. inside a word (C++, Node.js, 1C, S3).
_TOOL_LIKE = re.compile(
    r"(?<![\w.])(?:[A-Za-zА-Яа-яЁё]+[A-ZА-ЯЁ][\wА-Яа-яЁё]*|[A-ZА-ЯЁ]{2,}[\w]*|[A-Za-z]+(?:\+\+|#)|[A-Za-z]+\.(?:js|NET|io)|\d+[A-Za-zА-Яа-я]+)(?![\w])"
)
# Words of our own prompt and report that may appear in capitals.
_OWN_WORDS = frozenset(
    stem(word.lower())
    for word in (
        "CV",
        "CVs",
        "JOB",
        "FINDINGS",
        "OK",
        "I",
        "II",
        "III",
        "IV",
        "USA",
        "UK",
        "EU",
        "PDF",
        "DOCX",
        "not_a_fit",
        "strong_fit",
        "partial_fit",
        "ATS",
        "LinkedIn",
        "GitHub",
        "STAR",
        "KPI",
        "KPIs",
        "FAQ",
        "TODO",
        "NB",
        "PS",
        "ASAP",
        "HR",
        "IT",
        "EN",
        "RU",
        "AI",
        "CEO",
        "ИТ",
        "РФ",
        "ПК",
        "ВУЗ",
        "HH",
    )
)
_CLAIM = re.compile(
    r"\b(?:add|list|mention|include|claim|write|state|put|highlight)\b|"
    r"\b(?:добавьте|укажите|напишите|впишите|перечислите|отметьте)\b",
    re.IGNORECASE,
)
_HONEST_CONTEXT = re.compile(
    r"\b(?:learn|study|course|train|practi[cs]e|gain|get (?:certified|experience)|once you|after you|when you|"
    r"if you have|if you did|if true|only if|build a project|earn)\b|"
    r"изуч|освой|пройдите|получите|после того|когда вы|если у вас есть|если вы",
    re.IGNORECASE,
)


def unsupported_terms(advice: str, cv_text: str, job_text: str) -> list[str]:
    """Tool-like names in the advice found in neither the CV nor the job."""
    known = stem_set(cv_text) | stem_set(job_text)
    unknown: dict[str, None] = {}
    for match in _TOOL_LIKE.finditer(advice):
        word = match.group(0)
        if re.fullmatch(r"[A-ZА-ЯЁ]{2,}s", word):
            word = word[:-1]  # "SQLs", "LLMs": the plural of an acronym is the acronym
        stems = stem_set(word)
        if not stems or stems & _OWN_WORDS or stems <= known or stem(word.lower()) in known:
            continue
        unknown.setdefault(match.group(0), None)
    return list(unknown)


def claim_advice(advice: str, analysis: Analysis) -> list[str]:
    """Sentences that tell the person to put on the CV a must-have the CV does not show."""
    missing_terms = {
        term
        for match in analysis.matches
        if match.status == "missing" and match.requirement.kind in ("skill", "certification", "degree", "years")
        for term in match.missing_terms
    }
    flagged: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n", advice):
        if not _CLAIM.search(sentence) or _HONEST_CONTEXT.search(sentence):
            continue
        if stem_set(sentence) & missing_terms:
            flagged.append(sentence.strip())
    return flagged


def advice_warnings(advice: str, analysis: Analysis, cv_text: str, job_text: str) -> list[str]:
    warnings: list[str] = []
    terms = unsupported_terms(advice, cv_text, job_text)
    if terms:
        warnings.append(
            "The advice names " + ", ".join(terms[:12]) + ", which appear in neither the CV nor the job "
            "description (possible hallucination): check before acting on it."
        )
    for sentence in claim_advice(advice, analysis):
        shown = sentence if len(sentence) <= 140 else sentence[:139] + "…"
        warnings.append(
            f'The advice suggests adding something the CV does not show ("{shown}"): add it only if it is true; '
            "otherwise learn it first."
        )
    return warnings
