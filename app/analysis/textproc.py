"""Language-aware text helpers shared by the deterministic analysis.

Everything here is pure: language detection, tokenising, stemming (Snowball,
English and Russian) and alias folding, so that "Postgres" in a CV meets
"PostgreSQL" in a job and "навыков" meets "навыки"; and Cues, cue words matched
fast at word starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer

from app.analysis.aliases import PHRASE_VARIANTS, RUSSIAN_WORDS, TOKEN_ALIASES

Language = str  # "en" | "ru"

_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)

# A token keeps the characters that make tool names distinct: C++, C#, .NET,
# Node.js, 1С:Бухгалтерия is split at the colon on purpose ("1с", "бухгалтерия").
_TOKEN = re.compile(r"\.?[^\W_][\w+#]*(?:[.\-][^\W_][\w+#]*)*")


# Names of the same thing (aliases.py) folded in one pass: one alternation of
# every phrase pattern, each in its own group so the match says which concept it is.
def _phrase_groups() -> dict[str, list[str]]:
    """The phrase patterns grouped by their first character (lower case), in table order."""
    by_first: dict[str, list[str]] = {}
    for index, (variant, _) in enumerate(PHRASE_VARIANTS):
        first = variant.removeprefix("(?-i:").removeprefix("\\")[0].lower()
        by_first.setdefault(first, []).append(f"(?P<a{index}>{variant})")
    return by_first


def _phrase_pattern() -> re.Pattern[str]:
    # Branches grouped by their first character behind one look-ahead each, and
    # one word-start check in front: the pattern costs little where nothing matches.
    groups = [f"(?={re.escape(first)})(?:{'|'.join(branches)})" for first, branches in _PHRASE_GROUPS.items()]
    return re.compile(_PHRASE_BEFORE + "(?:" + "|".join(groups) + ")" + _PHRASE_AFTER, re.IGNORECASE)


_PHRASE_BEFORE, _PHRASE_AFTER = r"(?<![\w.+#])", r"(?![\w+#])"
_PHRASE_GROUPS = _phrase_groups()
_PHRASE_PATTERN = _phrase_pattern()
# The same patterns one group at a time, tried only where a phrase can start (see _PHRASE_STARTS):
# at a given place only the group of its first character can match, so the result is the same.
_PHRASE_BY_FIRST = {
    first: re.compile(_PHRASE_BEFORE + "(?:" + "|".join(branches) + ")" + _PHRASE_AFTER, re.IGNORECASE)
    for first, branches in _PHRASE_GROUPS.items()
}
_PHRASE_CANONICAL = {f"a{index}": canonical for index, (_, canonical) in enumerate(PHRASE_VARIANTS)}
# Characters that re.IGNORECASE takes for another letter but that lower() does not turn into it, or turns
# into two (dotted and dotless i, long s, old Cyrillic letter forms; tests/test_textproc.py and
# tests/test_injection.py find them by brute force). Where a text holds one, a search of the lower-cased
# text can miss what the case-insensitive pattern finds: alias folding and the injection check then use
# the pattern everywhere.
CASE_TWINS = re.compile("[\u0130\u0131\u017f\u1c80-\u1c88]")


def _phrase_lead(variant: str) -> tuple[str, str, bool]:
    """The literal text a match of the phrase pattern starts with, its first word, and whether that is a whole word.

    "google cloud(?: platform)?" starts with "google cloud", a whole word "google"; "машинн\\w* обучени\\w*"
    with a word that starts with "машинн"; "\\.net" with ".net" and no word. Whole: a character that is not
    part of a word always follows (a space, "/", "+", the end), so the match's first word is exactly this.
    The phrase patterns are simple (aliases.py); anything this reading does not know ends the literal text
    early, which only makes the word a prefix: more places are tried, none is missed.
    """
    rest = variant.removeprefix("(?-i:")  # a case-sensitive abbreviation: "(?-i:RN)s?"
    in_group = rest is not variant
    literal = ""
    while rest:
        escaped = rest[0] == "\\" and len(rest) > 1 and not rest[1].isalnum()  # "\\.", "\\+"
        char, size = (rest[1], 2) if escaped else (rest[0], 1)
        if (not escaped and char in _REGEX_SYNTAX) or rest[size : size + 1] in _QUANTIFIERS:
            break  # syntax, or a character that may be left out ("accounts?")
        literal += char
        rest = rest[size:]
    if in_group and rest.startswith(")"):
        rest = rest[1:]
    literal = literal.lower()
    word = re.match(r"\w*", literal)
    lead = word.group() if word else ""
    if len(lead) < len(literal):
        return literal, lead, True  # a character that is not part of a word follows the word
    # Past optional spaces and punctuation ("\\s*", ",?"): the end, or a character that is not part of a word.
    rest = _OPTIONAL_NON_WORD.sub("", rest, count=1)
    return literal, lead, not rest or bool(_NON_WORD_ITEM.match(rest))


# The characters that are syntax in a pattern, and those that make the character before them optional or repeated.
_REGEX_SYNTAX = frozenset("()[]{}?*+|.^$\\")
_QUANTIFIERS = ("?", "*", "+", "{")
# One character of the pattern that is never part of a word: an escaped punctuation mark, \s, a plain
# punctuation mark or space, or a class of them ("[- ]").
_NON_WORD = r"(?:\\[^\w]|\\s|[^\w()\[\]{}?*+|.^$\\]|\[[^\]\w\\]*\])"
_OPTIONAL_NON_WORD = re.compile(rf"^(?:{_NON_WORD}[?*])*")
_NON_WORD_ITEM = re.compile(rf"{_NON_WORD}(?![?*{{])")


def _phrase_starts_pattern() -> re.Pattern[str]:
    """A pattern that finds, in lower-cased text, every place where a phrase pattern may match: the start
    of a word that is the first word of a phrase pattern, or starts with one (a few places more is fine).

    Plain lower-case words in a trie, not the phrase patterns themselves: Python's re tries an
    alternation of case-insensitive patterns at every character, which made folding a long posting cost
    milliseconds; this one fails at once inside words.
    """
    root = _TrieNode()
    for variant, _ in PHRASE_VARIANTS:
        literal, lead, is_whole = _phrase_lead(variant)
        if not literal:
            raise ValueError(f"the phrase pattern {variant!r} must start with a literal character")
        # ".net" is found by its literal start; a word by itself, and if whole, only as a whole word.
        node = root
        for char in lead or literal:
            node = node.children.setdefault(char, _TrieNode())
        node.ends.add("whole" if lead and is_whole else "prefix")
    return re.compile(_PHRASE_BEFORE + root.alternation())


@dataclass
class _TrieNode:
    children: dict[str, _TrieNode] = field(default_factory=dict)
    ends: set[str] = field(default_factory=set)  # "whole": a first word ends here; "prefix": it may go on

    def alternation(self) -> str:
        branches = [re.escape(char) + child.alternation() for char, child in sorted(self.children.items())]
        if self.ends:
            branches.append("" if "prefix" in self.ends else r"(?!\w)")
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


_PHRASE_STARTS = _phrase_starts_pattern()


_TOKEN_ALIASES: dict[str, str] = {**TOKEN_ALIASES, "ms": "microsoft"}
# A version glued to a name ("Python3", "HTML5", hh.ru's "Git1") is the name.
_TRAILING_VERSION = re.compile(r"^([^\W\d_]{3,}?)\d{1,2}$")

# Function words and the filler of requirement phrasing ("strong knowledge
# of", "опыт работы с"): words that never name a skill on their own.
STOPWORDS: dict[Language, frozenset[str]] = {
    "en": frozenset(
        """a an the and or of in on at to for with by from as is are be been being was were will
        would should can could may might must shall do does did have has had having this that these
        those it its our your their we you they he she i me my us them who whom which what when where
        how why not no nor but if then than so such very more most less least any all each every
        both either neither other another some one two three four five six seven eight nine ten
        plus etc e.g eg i.e ie via per within into onto over under about across using use used
        including include includes like related relevant equivalent similar least also well
        strong solid good great excellent deep proven demonstrated hands-on hands handson working
        work worked works knowledge understanding familiarity familiar experience experienced
        expertise expert proficiency proficient ability able skill skills skilled year years yr yrs
        month months minimum min preferred preferably required requirement requirements must nice
        ideally bonus advantage desirable desired qualification qualifications background track
        record level field area areas environment environments practical practice professional
        new modern latest best high highly large scale etc. concepts principles fundamentals
        tools tool technologies technology based candidate role team teams job position our
        someone person people building build built develop developing development developed
        degree""".split()
    ),
    "ru": frozenset(
        """и или а но в во на с со к ко о об от до по за из у для при без над под про через
        не ни же ли бы то это этот эта эти тот та те как так также что чтобы где когда который
        которая которые наш ваш их его её мы вы они он она я все всех всё каждый любой других
        другие быть является будет есть иметь имеет наличие опыт опыта опытом работы работа работе
        работать знание знания знаний умение умения навык навыки навыков уверенный уверенное
        уверенные хороший хорошее хорошие хорошее отличное глубокое понимание владение
        желательно приветствуется обязательно требуется требования плюсом плюс лет года год
        месяцев от более менее не менее минимум понимания кандидат кандидата сфере области
        пользователь пользователя""".split()
    ),
}


def detect_language(text: str) -> Language:
    """Return "ru" when Cyrillic letters dominate the text, else "en"."""
    return language_of(script_letters(text))


def script_letters(text: str) -> tuple[int, int]:
    """How many Cyrillic and how many Latin letters the text has.

    Counted once per document: the counts of two texts add up to those of the two joined.
    """
    if _NOT_COUNTED_BY_BYTES.search(text):
        return len(_CYRILLIC.findall(text)), len(_LATIN.findall(text))
    # Counted on the UTF-8 bytes, which is a hundred times faster than a findall: every character of
    # U+0400-U+047F, and no other, starts with the byte D0 or D1, and the search above found none of
    # that block's characters that are not letters; an ASCII letter is one byte of its own.
    data = text.encode("utf-8", "surrogatepass")
    return data.count(b"\xd0") + data.count(b"\xd1"), len(data.translate(None, _NOT_ASCII_LETTERS))


# What script_letters counts on bytes: any character that _CYRILLIC or _LATIN takes for a letter though it is
# not one of а-я, ё, a-z in either case (İ, ı, ſ, the Kelvin sign, old Cyrillic letter forms), and the
# characters of the Cyrillic block that are no letter of _CYRILLIC (tests/test_textproc.py checks both).
_NOT_COUNTED_BY_BYTES = re.compile("[\u0130\u0131\u017f\u212a\u1c80-\u1c86\u0400\u0402-\u040f\u0450\u0452-\u047f]")
_NOT_ASCII_LETTERS = bytes(byte for byte in range(256) if not (65 <= byte <= 90 or 97 <= byte <= 122))


def language_of(letters: tuple[int, int]) -> Language:
    """The language of a text from its script_letters: "ru" when Cyrillic letters dominate, else "en"."""
    cyrillic, latin = letters
    return "ru" if cyrillic > latin * 0.5 else "en"


def fold_aliases(text: str) -> str:
    """Lower-case the text and fold multi-word spellings into canonical tokens."""
    folded = text.replace("ё", "е").replace("Ё", "Е")
    # Case matters for a few abbreviations ("IT", "AP"), so fold before lower-casing.
    if CASE_TWINS.search(folded):
        return _PHRASE_PATTERN.sub(_canonical_of, folded).lower()
    lowered = folded.lower()
    # What _PHRASE_PATTERN.sub does, tried only where a phrase can start: most texts have none.
    pieces: list[str] = []
    done = 0
    for found in _PHRASE_STARTS.finditer(lowered):
        start = found.start()
        if start < done:
            continue
        group = _PHRASE_BY_FIRST.get(lowered[start])
        match = group.match(folded, start) if group is not None else None
        if match is not None:
            pieces += (folded[done:start], _canonical_of(match))
            done = match.end()
    if not pieces:
        return lowered
    pieces.append(folded[done:])
    return "".join(pieces).lower()


def _canonical_of(match: re.Match[str]) -> str:
    return f" {_PHRASE_CANONICAL[match.lastgroup or '']} "


@lru_cache(maxsize=4)
def _stemmer(language: Language) -> Stemmer.Stemmer:
    return Stemmer.Stemmer("russian" if language == "ru" else "english")


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """Stem one lower-case token with the stemmer of its own script.

    Russian CVs name English tools and English CVs rarely contain Russian,
    so the script of the word, not the document, picks the stemmer.
    """
    token = _TOKEN_ALIASES.get(token, token)
    if not token.isalpha():
        return token
    if _CYRILLIC.search(token):
        russian = _stemmer("ru").stemWord(token)
        canonical = _russian_aliases().get(russian)
        # "Разработчик" is "developer": the English canonical token, stemmed as English.
        return str(_stemmer("en").stemWord(canonical)) if canonical else str(russian)
    return str(_stemmer("en").stemWord(token))


@lru_cache(maxsize=1)
def _russian_aliases() -> dict[str, str]:
    """Stem of each Russian alias word -> its canonical token, so every inflection folds."""
    return {_stemmer("ru").stemWord(word.replace("ё", "е")): canonical for word, canonical in RUSSIAN_WORDS}


def raw_tokens(text: str) -> list[str]:
    """Lower-case tokens of the text after alias folding (no stemming, no stop-word removal).

    Hyphenated words count as their parts ("Python-разработчик" is "python" and
    "разработчик"), and a version glued to a name is dropped ("Python3").
    """
    return [part for token in _TOKEN.findall(fold_aliases(text)) for part in _token_parts(token)]


# Word-level caches: a token's parts and content stems depend on the token alone, and the
# vocabulary of CVs and postings is small, so a long posting is tokenised at the cost of a
# dictionary look-up per word once its words have been seen (like `stem`).
@lru_cache(maxsize=65536)
def _token_parts(token: str) -> tuple[str, ...]:
    """The tokens one match of _TOKEN stands for: its hyphenated parts, versions dropped, aliases folded."""
    parts = token.split("-") if "-" in token.strip("-") else [token]
    tokens: list[str] = []
    for part in parts:
        if not part:
            continue
        versioned = _TRAILING_VERSION.match(part)
        part = versioned.group(1) if versioned else part
        tokens.append(_TOKEN_ALIASES.get(part, part))
    return tuple(tokens)


@lru_cache(maxsize=65536)
def _token_stems(token: str) -> tuple[str, ...]:
    """The content stems of one match of _TOKEN (see content_stems)."""
    return tuple(stem(part) for part in _token_parts(token) if not is_stopword(part))


_NUMBER_LIKE = re.compile(r"^[\d.,+%]+$")

# Words of a requirement that say what it pays, where the job is or who employs, never a skill one could learn:
# US federal pay grades ("GS-12", "ZP-II", "WG-10") and the words grade and band ("the next lower grade",
# "a comparable pay band"); government places and bodies written as names ("New York State", "a State's
# Department of Education", "City, State, and/or Federal grants"). Case-sensitive for the names: "state
# management" and "federal tax law" are skills.
_NOT_A_SKILL = re.compile(
    r"\b(?:GS|GG|GL|GM|GP|WG|WL|WS|ZA|ZP|ZS|ZT|NH|NJ|NK)-?(?:\d{1,2}|[IVX]{1,4})\b"
    r"|\b(?:[Pp]ay\s+)?(?:[Gg]rade|[Bb]and)s?\b"
    r"|\b(?:New York|NYC|State|City|County|Borough|Federal|Commonwealth)(?:'s)?\b"
    r"|\b[Dd]epartments? of(?: the)?(?: [A-Z][\w&]*)+"
)


def without_non_skills(text: str) -> str:
    """The text with the words that can never name a skill taken out: pay grades, government places and bodies.

    A requirement's terms are what the CV is searched for and what the user is told is missing ("GS" or
    "State" missing in most jobs is noise): these words must not be among them.
    """
    return _NOT_A_SKILL.sub(" ", text)


def is_stopword(token: str) -> bool:
    """True for words that never name a skill: function words, filler, bare numbers ("5+")."""
    if token in STOPWORDS["en"] or token in STOPWORDS["ru"] or _NUMBER_LIKE.match(token):
        return True
    return len(token) < 2 and token not in {"c", "r"}


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning, in order, duplicates kept."""
    return [found for token in _TOKEN.findall(fold_aliases(text)) for found in _token_stems(token)]


def surface_forms(text: str) -> dict[str, str]:
    """Each content stem of the text and the words the text itself writes it with.

    {"kubernet": "Kubernetes", "gcp": "Google Cloud"} for "Kubernetes on Google
    Cloud": a stem found by the analysis, shown as the job spelled it.
    """
    forms: dict[str, str] = {}
    for match in _PHRASE_PATTERN.finditer(text):
        canonical = _PHRASE_CANONICAL[match.lastgroup or ""].strip()
        forms.setdefault(stem(_TOKEN_ALIASES.get(canonical, canonical)), match.group(0).strip())
    for token in _TOKEN.findall(_PHRASE_PATTERN.sub(" ", text)):
        for part in token.split("-") if "-" in token.strip("-") else [token]:
            versioned = _TRAILING_VERSION.match(part)
            part = versioned.group(1) if versioned else part
            folded = part.lower().replace("ё", "е")
            folded = _TOKEN_ALIASES.get(folded, folded)
            if part and not is_stopword(folded):
                forms.setdefault(stem(folded), part)
    return forms


def stem_set(text: str) -> frozenset[str]:
    """The set of content stems of a text."""
    return frozenset(content_stems(text))


def light_stem(token: str) -> str:
    """A gentler stem for job titles: English plurals only; Russian as usual.

    Snowball's English stemmer makes "Accountant" and "Account Executive" one
    word; for a role they are different jobs.
    """
    token = _TOKEN_ALIASES.get(token, token)
    if _CYRILLIC.search(token):
        canonical = _russian_aliases().get(_stemmer("ru").stemWord(token))
        return light_stem(canonical) if canonical else stem(token)
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def title_words(text: str) -> frozenset[str]:
    """The light stems of the meaningful words of a job title or CV line."""
    return frozenset(light_stem(t) for t in raw_tokens(text) if not is_stopword(t))


class Cues:
    """Cue words matched at word starts in lower-cased text.

    Long alternations under re.IGNORECASE are slow in Python's re (every branch
    is tried at every character); anchoring them at word starts and lower-casing
    the text first makes them several times faster, and keeps them linear.
    """

    def __init__(self, pattern: str) -> None:
        self.source = pattern  # as written; compiled with its alternatives grouped, which matches the same
        self.pattern = re.compile(r"(?<!\w)(?:" + grouped_by_first_letter(pattern) + r")")

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text.lower())

    @classmethod
    def any_of(cls, *cues: Cues) -> Cues:
        """One cue list that matches where any of these does: a text that holds none is read once, not once each."""
        return cls("|".join(cue.source for cue in cues))


def grouped_alternation(pattern: str) -> re.Pattern[str]:
    """re.compile(pattern, re.IGNORECASE) with its branches grouped by first letter: the same matches, faster."""
    return re.compile(grouped_by_first_letter(pattern, ignore_case=True, word_start=False), re.IGNORECASE)


def top_level_alternatives(pattern: str) -> list[str]:
    """The alternatives of a pattern's outermost alternation: "a|b(?:c|d)|[|]" is ["a", "b(?:c|d)", "[|]"]."""
    alternatives: list[str] = []
    depth = start = index = 0
    class_opened = -1  # where the open class's characters start, -1 outside a class
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if class_opened >= 0:
            if char == "]" and index > class_opened:  # "[]...]" and "[^]...]" start with a literal "]"
                class_opened = -1
        elif char == "[":
            class_opened = index + (2 if pattern[index + 1 : index + 2] == "^" else 1)
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            alternatives.append(pattern[start:index])
            start = index + 1
        index += 1
    alternatives.append(pattern[start:])
    return alternatives


def grouped_by_first_letter(pattern: str, *, ignore_case: bool = False, word_start: bool = True) -> str:
    """The same alternation with the alternatives that start with the same plain character behind it once.

    Python's re tries an alternation's branches one by one at every place of the text: a cue list of
    sixty phrases costs sixty comparisons at each word start. Grouped under their first character
    ("e(?:xperience|ducation)|k(?:nowledge)"), all but one group fail at the first comparison. At one
    place only branches of one first character can match, so moving a branch past branches of other
    first characters changes nothing; a branch that does not start with a plain character (a class, a
    group, "^") keeps its place between the others. Patterns with capturing groups are left as they are,
    because the order of their groups would change.

    word_start: the pattern is only tried at word starts (Cues), so a leading \\b before a letter always
    holds and is dropped; else it is kept as part of the first character. ignore_case: the pattern is
    compiled with re.IGNORECASE, so "M" and "m" start the same group.
    """
    if re.search(r"(?<!\\)\((?!\?)", pattern):
        return pattern
    pieces: list[str] = []
    run: dict[tuple[str, str], list[str]] = {}  # (the leading \\b or "", first character) -> the rests

    def close_run() -> None:
        for (boundary, first), rests in run.items():
            rest = rests[0] if len(rests) == 1 else "(?:" + "|".join(rests) + ")"
            pieces.append(boundary + re.escape(first) + rest)
        run.clear()

    for alternative in top_level_alternatives(pattern):
        boundary = ""
        if alternative.startswith("\\b") and alternative[2:3].isalnum():
            boundary, alternative = ("" if word_start else "\\b"), alternative[2:]
        first = alternative[:1]
        if first and first not in _REGEX_SYNTAX and alternative[1:2] not in _QUANTIFIERS:
            key = (boundary, first.lower() if ignore_case else first)
            run.setdefault(key, []).append(alternative[1:])
        else:
            close_run()
            pieces.append(boundary + alternative)
    close_run()
    return "|".join(pieces)
