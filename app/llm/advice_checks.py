"""Checks of the generated advice against the plan and the documents (pure functions).

Each check takes a piece of advice (one section) and returns what is wrong
with it, so it can be tested table-driven:
- unsupported_terms: skill or tool names in neither the CV nor the job;
- claim_advice: telling the person to list a missing requirement instead of learning it;
- invented_numbers: numbers in neither the CV, the job, the findings nor the plan;
- verdict_contradictions, status_contradictions, section_contradictions
  (app.llm.advice_contradictions): a score or verdict other than the
  analysis's, a requirement's status or a CV section said otherwise;
- echoed_instructions: our own prompt's instructions written back;
- wrong_language: text in a language other than the CV's;
- repetition_loops: the same sentence or phrase over and over;
- ungrounded_words: a section most of whose words are in neither the documents,
  the plan nor our prompt (gibberish, or facts made up);
- left_out_actions: a plan action of the section the text does not cover.
check_section runs them all on one section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.analysis.plan import PlanAction
from app.analysis.scoring import Analysis
from app.analysis.textproc import Language, content_stems, stem, stem_set
from app.llm.advice_contradictions import (
    section_contradictions,
    status_contradictions,
    verdict_contradictions,
    without_score_claims,
)
from app.llm.advice_text import GENERIC, HONEST_CONTEXT, QUOTE, SENTENCE, without_quotes

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


def unsupported_terms(advice: str, cv_text: str, job_text: str) -> list[str]:
    """Tool-like names in the advice found in neither the CV nor the job."""
    known = stem_set(cv_text) | stem_set(job_text)
    # "TCP/IP" or "KX-TDA" in a document is folded or split differently from the same letters in the advice.
    literal = (cv_text + "\n" + job_text).lower()
    unknown: dict[str, None] = {}
    for match in _TOOL_LIKE.finditer(advice):
        word = match.group(0)
        if re.fullmatch(r"[A-ZА-ЯЁ]{2,}s", word):
            word = word[:-1]  # "SQLs", "LLMs": the plural of an acronym is the acronym
        stems = stem_set(word)
        if not stems or stems & _OWN_WORDS or stems <= known or stem(word.lower()) in known:
            continue
        if re.search(rf"(?<![\w]){re.escape(word.lower())}(?![\w])", literal):
            continue
        unknown.setdefault(match.group(0), None)
    return list(unknown)


def claim_advice(advice: str, analysis: Analysis) -> list[str]:
    """Sentences that tell the person to put on the CV a must-have the CV does not show."""
    missing_terms = {
        term
        for match in analysis.matches
        # A language level is claimed like a skill ("Add fluent German to your languages").
        if match.status == "missing"
        and match.requirement.kind in ("skill", "certification", "degree", "years", "language")
        for term in match.missing_terms
        if term not in GENERIC
    }
    flagged: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n", advice):
        if not _CLAIM.search(sentence) or HONEST_CONTEXT.search(sentence):
            continue
        if stem_set(without_quotes(sentence)) & missing_terms:
            flagged.append(sentence.strip())
    return flagged


# --- checks of one section of written advice, against the plan and the documents ------------

_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*")
# "1. ", "- 2) " opening a line: list numbering, not a fact.
_LIST_MARKER = re.compile(r"(?m)^[^\S\n]*(?:[-*•][^\S\n]*)?\d{1,2}[.)](?=\s)")


def _normalise_number(raw: str) -> str:
    """ "80,000" -> "80000", "3,5" -> "3.5", "4.80" -> "4.8": one spelling per value."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", raw):
        raw = raw.replace(",", "")
    raw = raw.replace(",", ".")
    if raw.count(".") > 1:
        return raw  # a version or a date (8.3.1, 01.02.2020): compared as written
    if "." in raw:
        raw = raw.rstrip("0").rstrip(".")
    return raw.lstrip("0") or "0"


def numbers_in(text: str) -> list[str]:
    """The numbers a text states, normalised, list numbering left out."""
    text = _LIST_MARKER.sub(" ", text)
    return [_normalise_number(match.group(0)) for match in _NUMBER.finditer(text)]


def invented_numbers(advice: str, *known_texts: str, score: int | None = None) -> list[str]:
    """Numbers in the advice that appear in none of the known texts (CV, job, findings, plan).

    With `score`, the score counts as known only where the advice states it as the score
    ("score 67/100"): "67% of your CV" is an invented figure even though 67 is the score.
    """
    if score is not None:
        advice = without_score_claims(advice, score)
    known: set[str] = set()
    for text in known_texts:
        for number in numbers_in(text):
            known.add(number)
            # "4.8" in "4.8/5" and a range "2019-2023" are also read as their parts.
            known.update(part for part in re.split(r"[.,]", number) if part)
    return list(dict.fromkeys(number for number in numbers_in(advice) if number not in known))


_WORD = re.compile(r"[^\W\d_]+")
# Four words: long enough that ordinary advice does not repeat our instructions by chance,
# short enough to catch a cut-off echo ("Write this part only: ...").
_SHINGLE = 4


def _shingles(text: str, size: int = _SHINGLE) -> set[tuple[str, ...]]:
    return _word_shingles([word.lower() for word in _WORD.findall(text)], size)


def _word_shingles(words: list[str], size: int = _SHINGLE) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def echoed_instructions(advice: str, instructions: str, grounded: str = "") -> list[str]:
    """Runs of four or more words of our prompt's instructions in the advice (not also in the plan it restates).

    A run stays within one paragraph: the final advice joins its sections with a blank line and our own
    heading, so a section cut off at "...it asks for" before "6. Missing sections:" is not an echo.
    """
    paragraphs = [[word.lower() for word in _WORD.findall(part)] for part in _PARAGRAPH.split(advice)]
    echoed = set().union(*(_word_shingles(words) for words in paragraphs)) & _shingles(instructions)
    echoed -= _shingles(grounded)
    found: list[str] = []
    for words in paragraphs if echoed else []:
        index = 0
        while index <= len(words) - _SHINGLE:
            if tuple(words[index : index + _SHINGLE]) in echoed:
                end = index + _SHINGLE
                while end < len(words) and tuple(words[end - _SHINGLE + 1 : end + 1]) in echoed:
                    end += 1
                found.append(" ".join(words[index:end]))
                index = end
            else:
                index += 1
    return found


_PARAGRAPH = re.compile(r"\n[^\S\n]*\n")


_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)


def wrong_language(advice: str, language: Language) -> bool:
    """True when the text is not mostly in `language` (names of tools in Latin letters are allowed in Russian)."""
    advice = QUOTE.sub(" ", advice)  # a quoted requirement or CV line keeps its own language
    cyrillic, latin = len(_CYRILLIC.findall(advice)), len(_LATIN.findall(advice))
    if cyrillic + latin < 20:
        return False
    share = cyrillic / (cyrillic + latin)
    return share < 0.5 if language == "ru" else share > 0.2


def _sentence_counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for sentence in SENTENCE.split(text):
        words = " ".join(_WORD.findall(sentence.lower()))
        if len(words.split()) >= 4:
            counts[words] = counts.get(words, 0) + 1
    return counts


def _gram_counts(text: str, size: int = 4) -> dict[str, int]:
    words = [word.lower() for word in _WORD.findall(text)]
    counts: dict[str, int] = {}
    for i in range(len(words) - size + 1):
        gram = " ".join(words[i : i + size])
        counts[gram] = counts.get(gram, 0) + 1
    return counts


def repetition_loops(advice: str, plan_text: str = "") -> list[str]:
    """A sentence said twice or more, or a four-word phrase three times or more, beyond what the plan repeats.

    The plan words its actions alike ("Learn X... Learn Y..."); restating that is not a loop.
    """
    allowed_sentences, allowed_grams = _sentence_counts(plan_text), _gram_counts(plan_text)
    found = [
        sentence
        for sentence, count in _sentence_counts(advice).items()
        if count >= 2 and count > allowed_sentences.get(sentence, 0)
    ]
    for phrase, count in _gram_counts(advice).items():
        if count >= 3 and count > allowed_grams.get(phrase, 0) and not any(phrase in shown for shown in found):
            found.append(phrase)
    return found[:3]


# Below this share of its content words found in the CV, the job, the plan or our prompt, a section is
# not about this person's documents: gibberish, or facts made up (a "Sales and Marketing" job that is not).
_GROUNDED_MIN_SHARE = 0.5
_GROUNDED_MIN_WORDS = 8


def ungrounded_words(advice: str, *known_texts: str) -> list[str]:
    """Content words of the advice found in none of the known texts, when they are most of its words."""
    stems = content_stems(advice)
    if len(set(stems)) < _GROUNDED_MIN_WORDS:
        return []
    known: set[str] = set()
    for text in known_texts:
        known |= stem_set(text)
    novel = [word for word in dict.fromkeys(stems) if word not in known]
    if len(novel) / len(set(stems)) <= 1 - _GROUNDED_MIN_SHARE:
        return []
    return novel


def left_out_actions(advice: str, actions: list[PlanAction]) -> list[PlanAction]:
    """The plan's actions that the text does not cover: none of their terms is named."""
    stems = stem_set(advice) | {stem(word.lower()) for word in _WORD.findall(advice)}
    lowered = advice.lower()
    left: list[PlanAction] = []
    for action in actions:
        if not action.terms:
            continue
        covered = any(term.lower() in lowered or (set(content_stems(term)) - GENERIC) & stems for term in action.terms)
        if not covered:
            left.append(action)
    return left


@dataclass(frozen=True)
class Problem:
    """One failed check of a section: which check, and what it found."""

    check: str  # invented_number | contradicts_verdict | contradicts_status | echoed_instruction |
    # contradicts_sections | wrong_language | repetition | ungrounded | left_out_action | unknown_tool |
    # claim_advice | empty
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"check": self.check, "detail": self.detail}


@dataclass(frozen=True)
class CheckContext:
    """What a section is checked against."""

    analysis: Analysis
    cv_text: str
    job_text: str
    known_text: str  # the findings and the plan, as the prompt gave them: their numbers and words are grounded
    instructions: str  # every instruction of our prompt templates


def check_section(text: str, actions: list[PlanAction], context: CheckContext) -> list[Problem]:
    """Every check of one section of advice; an empty list means it may be shown as written."""
    if len(_WORD.findall(text)) < 3:
        return [Problem("empty", "the section has no text")]
    analysis = context.analysis
    problems = [
        Problem("invented_number", number)
        for number in invented_numbers(
            text, context.cv_text, context.job_text, context.known_text, score=analysis.score
        )
    ]
    problems += [Problem("contradicts_verdict", detail) for detail in verdict_contradictions(text, analysis)]
    problems += [Problem("contradicts_status", detail) for detail in status_contradictions(text, analysis)]
    problems += [Problem("contradicts_sections", detail) for detail in section_contradictions(text, analysis)]
    problems += [
        Problem("echoed_instruction", phrase)
        for phrase in echoed_instructions(text, context.instructions, context.known_text)
    ]
    if wrong_language(text, analysis.language):
        problems.append(
            Problem("wrong_language", f"not written in {'Russian' if analysis.language == 'ru' else 'English'}")
        )
    plan_text = " ".join(action.action for action in actions)
    problems += [Problem("repetition", phrase) for phrase in repetition_loops(text, plan_text)]
    novel = ungrounded_words(text, context.cv_text, context.job_text, context.known_text, context.instructions)
    if novel:
        problems.append(
            Problem(
                "ungrounded", "most of its words are in neither the documents nor the plan: " + ", ".join(novel[:8])
            )
        )
    problems += [Problem("left_out_action", action.action) for action in left_out_actions(text, actions)]
    problems += [Problem("unknown_tool", term) for term in unsupported_terms(text, context.cv_text, context.job_text)]
    problems += [Problem("claim_advice", sentence) for sentence in claim_advice(text, analysis)]
    return problems
