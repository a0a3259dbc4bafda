"""Checks of the generated advice against the plan and the documents (pure functions).

Each check takes a piece of advice (one section) and returns what is wrong
with it, so it can be tested table-driven:
- unsupported_terms: skill or tool names in neither the CV nor the job;
- claim_advice: telling the person to list a missing requirement instead of learning it;
- invented_numbers: numbers in neither the CV, the job, the findings nor the plan;
- verdict_contradictions: a score or verdict other than the analysis's;
- status_contradictions: a missing requirement called met, or a met one called missing;
- section_contradictions: a CV section called missing that is there, or "all sections" when one is not;
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
    r"if you have|if you did|if true|if it is true|where it is true|where true|only if|build a project|earn)\b|"
    r"does not show|doesn't show|not shown|изуч|освой|пройдите|получите|после того|когда вы|если у вас есть|если вы|"
    r"если это правда|реально пользуетесь|в резюме нет|в резюме этого нет|которые вы прошли|которые видны из опыта|"
    r"you took|your experience shows",
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


# A quotation of three words or more: a CV line or a requirement cited, not the advice's own claim.
_QUOTE = re.compile(r'"[^"\n]*"|«[^»\n]*»|“[^”\n]*”')


def without_quotes(text: str) -> str:
    """The text with its long quotations (CV lines, requirements) left out."""
    return _QUOTE.sub(lambda match: " " if len(match.group(0).split()) >= 3 else match.group(0), text)


def claim_advice(advice: str, analysis: Analysis) -> list[str]:
    """Sentences that tell the person to put on the CV a must-have the CV does not show."""
    missing_terms = {
        term
        for match in analysis.matches
        # A language level is claimed like a skill ("Add fluent German to your languages").
        if match.status == "missing"
        and match.requirement.kind in ("skill", "certification", "degree", "years", "language")
        for term in match.missing_terms
        if term not in _GENERIC
    }
    flagged: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n", advice):
        if not _CLAIM.search(sentence) or _HONEST_CONTEXT.search(sentence):
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
        advice = _without_score_claims(advice, score)
    known: set[str] = set()
    for text in known_texts:
        for number in numbers_in(text):
            known.add(number)
            # "4.8" in "4.8/5" and a range "2019-2023" are also read as their parts.
            known.update(part for part in re.split(r"[.,]", number) if part)
    return list(dict.fromkeys(number for number in numbers_in(advice) if number not in known))


_SCORE_CLAIMS = (
    # "67/100" first, so that removing a true score claim takes its "/100" with it.
    re.compile(r"(?i)(?<![\w.])(\d+(?:[.,]\d+)?)\s*(?:/|out of|из)\s*100\b"),
    re.compile(
        r"(?i)\b(?:score[sd]?|rating|rated|оценк\w*|балл\w*)\b\W{0,3}(?:(?:of|is|at|—|-|:|=|в|на)\s*)?\(?\s*(\d+(?:[.,]\d+)?)"
    ),
    re.compile(r"(?i)(?<![\w.])(\d+(?:[.,]\d+)?)\s*%\s*(?:match|fit|соответств)"),
)


def _without_score_claims(advice: str, score: int) -> str:
    for pattern in _SCORE_CLAIMS:
        advice = pattern.sub(lambda m: " " if _same_number(m.group(1), score) else m.group(0), advice)
    return advice


def _same_number(raw: str, value: int) -> bool:
    return float(raw.replace(",", ".")) == value


_STRONG_CLAIM = re.compile(
    r"(?i)\b(?:strong|great|excellent|perfect|ideal|very good|outstanding)\s+(?:fit|match|candidate)\b|"
    r"\bperfect(?:ly)?\s+(?:suited|fits?|matches)\b|\bmeets? (?:all|every)\b|\bfully (?:meets|matches|qualified)\b|"
    r"хорошо подходит|отлично подходит|идеально подходит|полностью (?:подходит|соответствует)|"
    r"идеальн\w* кандидат|отличн\w* кандидат"
)
_POSITIVE_CLAIM = re.compile(
    r"(?i)\b(?:good|solid)\s+(?:fit|match)\b|\bwell[- ]suited\b|\bpartial(?:ly)?\s+(?:a\s+)?(?:fit|match)|"
    r"частично подходит|подходит частично"
)
_NEGATIVE_CLAIM = re.compile(
    r"(?i)\bnot a fit\b|\bpoor (?:fit|match)\b|\bdoes(?:n't| not) (?:fit|match)\b|\bnot (?:suited|suitable)\b|"
    r"\bunsuitable\b|\bno match\b|(?<!полностью )не подходит|не соответствует"
)
_NEGATED = re.compile(r"(?i)(?:\bnot|n't|\bне|\bnever)\s+(?:\w+\s+)?$")


def verdict_contradictions(advice: str, analysis: Analysis) -> list[str]:
    """Statements of a score or a verdict other than the analysis's."""
    problems: list[str] = []
    seen: set[int] = set()  # "scored 80 out of 100" is one claim, whichever patterns read it
    for pattern in _SCORE_CLAIMS:
        for match in pattern.finditer(advice):
            value = float(match.group(1).replace(",", "."))
            if match.start(1) in seen:
                continue
            seen.add(match.start(1))
            if value != analysis.score:
                problems.append(f'a score of {match.group(1)} ("{_excerpt(advice, match)}"), not {analysis.score}')
    verdict = analysis.verdict
    wrong: list[re.Pattern[str]] = {
        "strong_fit": [_NEGATIVE_CLAIM],
        "partial_fit": [_STRONG_CLAIM, _NEGATIVE_CLAIM],
        "not_a_fit": [_STRONG_CLAIM, _POSITIVE_CLAIM],
    }[verdict]
    for pattern in wrong:
        for match in pattern.finditer(advice):
            before = advice[max(0, match.start() - 16) : match.start()]
            if pattern is not _NEGATIVE_CLAIM and _NEGATED.search(before):
                continue  # "not a strong fit" agrees with a partial or no fit
            problems.append(f'"{_excerpt(advice, match)}" while the verdict is {verdict}')
    return problems


# A clause that says the person has something ...
_HAS_CLAIM = re.compile(
    r"(?i)\byou (?:have|already have|'ve got|possess|know|are (?:skilled|proficient|experienced|strong))\b|"
    r"\byour (?:cv|resume|experience|skills?) (?:shows?|demonstrates?|lists?|mentions?|includes?|proves?|covers?)\b|"
    r"\byou(?:'ve| have)? (?:shown|demonstrated|proven)\b|"
    r"\b(?:strong|solid|extensive|proven) (?:experience|skills?|knowledge)\b|"
    r"\bmeets?\b|у вас (?:есть|имеется)|вы владеете|вы знаете|вы умеете|в (?:вашем )?резюме (?:есть|указан|видн)|"
    r"вы (?:уже )?(?:показали|продемонстрировали)"
)
# ... and one that says it is missing.
_LACKS_CLAIM = re.compile(
    r"(?i)\b(?:you )?lack(?:s|ing)?\b|\bmissing\b|\bis not (?:shown|listed|mentioned)\b|"
    r"\bdoes(?:n't| not) (?:show|mention|list|include|have)\b|\bno (?:experience|knowledge)\b|"
    r"\b(?:don't|do not) have\b|\bgap\b|нет опыта|отсутству|не хватает|не указан|в резюме нет|нет в резюме|"
    r"не видно|у вас нет"
)
_CONDITIONAL = re.compile(r"(?i)\bif\b|\bonce\b|\bwhen\b|\bесли\b|\bкогда\b")
_NEGATION = re.compile(r"(?i)\b(?:not|no|never|without|lack\w*|missing)\b|n't\b|\bне\b|\bнет\b|\bбез\b")
_CLAUSE = re.compile(r"(?i)[,;:]|\band\b|\bbut\b|\bwhile\b|\bhowever\b|\bthough\b|\bи\b|\bно\b|\bа\b|\bоднако\b")
_GENERIC = frozenset(
    stem(word)
    for word in "experience experienced knowledge skills skill strong good solid working proven ability years year "
    "professional related field cv job work role опыт опыта знание знания навыки навык умение работы".split()
)


def _clauses(text: str) -> list[str]:
    return [clause for sentence in _SENTENCE.split(text) for clause in _CLAUSE.split(sentence) if clause.strip()]


def status_contradictions(advice: str, analysis: Analysis) -> list[str]:
    """Clauses that call a missing requirement met, or a met requirement missing."""
    problems: list[str] = []
    for clause in _clauses(without_quotes(advice)):
        stems = stem_set(clause)
        if not stems:
            continue
        has = (
            _HAS_CLAIM.search(clause)
            and not _NEGATION.search(clause)
            and not _HONEST_CONTEXT.search(clause)
            and not _CONDITIONAL.search(clause)
        )
        lacks = _LACKS_CLAIM.search(clause)
        for match in analysis.matches:
            if match.requirement.kind == "location":
                continue
            if match.status == "missing" and has:
                terms = set(match.missing_terms) - _GENERIC
                if terms & stems:
                    problems.append(
                        f'calls "{match.requirement.text}" met ("{clause.strip()}"); the CV does not show it'
                    )
            elif match.status == "met" and lacks:
                terms = set(match.matched_terms) - _GENERIC
                if terms & stems:
                    problems.append(f'calls "{match.requirement.text}" missing ("{clause.strip()}"); the CV shows it')
    return list(dict.fromkeys(problems))


# A core section named as a section ("the education section", "раздел «Образование»"), English and Russian.
_NAMED_SECTION: dict[str, re.Pattern[str]] = {
    name: re.compile(rf"(?i)\b(?:{words})\W+sections?\b|раздел\w*\W+«?(?:{words})")
    for name, words in (
        ("experience", r"(?:work |professional )?experience|work history|опыт\w*(?: работы)?"),
        ("education", r"education|образовани\w*"),
        ("hard_skills", r"(?<!soft )skills|hard skills|навык\w*|профессиональн\w* навык\w*"),
        ("soft_skills", r"soft skills|личн\w* качеств\w*"),
    )
}
_ADD = re.compile(r"(?i)\badd\b|добавьте")
_ALL_SECTIONS = re.compile(r"(?i)\ball (?:four|the|core|main)\b[^.]*\bsections\b|все (?:четыре )?(?:основные )?раздел")


def section_contradictions(advice: str, analysis: Analysis) -> list[str]:
    """A CV section called missing (or to be added) that the CV has; "all sections" when one is missing."""
    problems: list[str] = []
    missing = set(analysis.missing_sections)
    for sentence in _SENTENCE.split(advice):
        if missing and _ALL_SECTIONS.search(sentence) and not _NEGATION.search(sentence):
            problems.append(f'"{sentence.strip()}" while the CV lacks: {", ".join(sorted(missing))}')
    for clause in _clauses(without_quotes(advice)):
        if not (_LACKS_CLAIM.search(clause) or _ADD.search(clause)) or _CONDITIONAL.search(clause):
            continue
        for name, pattern in _NAMED_SECTION.items():
            if name not in missing and pattern.search(clause):
                problems.append(f'calls the {name.replace("_", " ")} section missing ("{clause.strip()}"); it is there')
    return list(dict.fromkeys(problems))


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
    advice = _QUOTE.sub(" ", advice)  # a quoted requirement or CV line keeps its own language
    cyrillic, latin = len(_CYRILLIC.findall(advice)), len(_LATIN.findall(advice))
    if cyrillic + latin < 20:
        return False
    share = cyrillic / (cyrillic + latin)
    return share < 0.5 if language == "ru" else share > 0.2


def _sentence_counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for sentence in _SENTENCE.split(text):
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
        covered = any(term.lower() in lowered or (set(content_stems(term)) - _GENERIC) & stems for term in action.terms)
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


_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def _excerpt(text: str, match: re.Match[str], around: int = 30) -> str:
    start = max(0, match.start() - around)
    end = min(len(text), match.end() + around)
    return " ".join(text[start:end].split())
