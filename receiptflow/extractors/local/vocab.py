"""The receipt vocabulary, one data file per language (``data/vocab/<code>.toml``), compiled
into the patterns the parser uses.

A file lists, per kind of row (total, change, tax, ...), the words and phrases a receipt in
that language prints for it, plus its month and day names and the currency its country pays in. The
phrase syntax (see ``data/vocab/README.md``) is forgiving the way receipts and OCR are: case
and accents do not matter ("ESPECES" is "Espèces", "RUECKGELD" is "Rückgeld"), a space may or
may not be printed ("SUB TOTAL" is "SUBTOTAL"), punctuation is optional ("I.V.A." is "IVA"),
a trailing ``*`` lets the word go on ("EXCL*" is "EXCLUDING"), and a phrase only ever matches
whole words. A contributor adds a word by editing a data file; nothing here names a word.
The compiled patterns search upper-cased text (``text.upper()``), and share the beginnings of
their phrases, so hundreds of phrases cost about what a dozen did.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from receiptflow.errors import ReceiptflowError

VOCAB_DIR = Path(__file__).parent / "data" / "vocab"

# What each kind of phrase labels. A file may leave a kind out; a kind not listed here is a
# typo and fails loading.
KINDS: dict[str, str] = {
    "grand_total": "the amount due: the strongest claim to be the total",
    "total": "a total",
    "amount": "a plain amount: the weakest claim to be the total",
    "subtotal": "the sum before tax, service or discounts",
    "rounded_total": "the total after cash rounding",
    "rounding": "the cash rounding adjustment",
    "tax": "a tax amount (VAT, GST, sales tax)",
    "tax_included": "a note that the tax is inside the prices",
    "tax_table": "column heads of a VAT summary table (rate, net, tax, gross)",
    "tax_summary": "the heading of a tax summary block",
    "not_tax": "tax words that label something else (a VAT number, the invoice title)",
    "tip": "a tip",
    "service": "a service charge",
    "discount": "a discount or saving",
    "cash": "payment in cash",
    "card": "payment by card",
    "mobile": "payment by phone or wallet",
    "tendered": "what the customer handed over",
    "change": "the change given back",
    "deposit": "a bottle or container deposit (an item, not a total)",
    "not_money": "counts, weights and points: numbers that are not money",
    "date_label": "the label of the sale date",
    "other_date_label": "labels of dates that are not the sale date (expiry, validity)",
    "item_header": "column heads of the items table",
    "item_detail": "labels of the quantity or weight line under an item (Handeingabe, Peso)",
    "unit": "units printed after a count or a weight (Stk, PZ, uds, kg, lb)",
    "void": "a cancelled item: the line that voids one rung up before (STORNO, VOID)",
    "hints": "words typical of the language's receipts that label no amount",
}
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order
MONTH_KEYS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

LETTER = r"[^\W\d_]"
_OPTIONAL = set(".()[]:'’,°#")  # punctuation a receipt may or may not print
_JOINERS = set("-/")  # printed, or a space, or nothing


class VocabularyError(ReceiptflowError):
    """A vocabulary data file that cannot be read or says something contradictory."""


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    currency: str | None  # what a receipt in this language pays in, when nothing else says
    prices_include_tax: bool  # shop prices include VAT (EU retail), so a VAT row is inside
    decimal_comma: bool  # amounts are written 12,50 (and 1.234,50)
    words: dict[str, tuple[str, ...]] = field(default_factory=dict)  # kind -> phrases
    months: dict[str, int] = field(default_factory=dict)  # month name -> 1..12
    weekdays: dict[str, int] = field(default_factory=dict)  # day name -> 0 (Monday)..6
    currency_words: dict[str, str] = field(default_factory=dict)  # "EURO" -> "EUR"
    date_connectors: tuple[str, ...] = ()  # "15 de enero de 2018"
    day_suffixes: tuple[str, ...] = ()  # "1st", "1er"


def read_language(path: Path) -> Language:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise VocabularyError(f"{path.name}: {error}") from error
    words = data.get("words", {})
    unknown = set(words) - set(KINDS)
    if unknown:
        raise VocabularyError(f"{path.name}: unknown kinds {sorted(unknown)}")
    months: dict[str, int] = {}
    for key, names in data.get("months", {}).items():
        if key not in MONTH_KEYS:
            raise VocabularyError(f"{path.name}: unknown month {key!r}")
        months.update((name, MONTH_KEYS.index(key) + 1) for name in names)
    weekdays: dict[str, int] = {}
    for key, names in data.get("weekdays", {}).items():
        if key not in WEEKDAY_KEYS:
            raise VocabularyError(f"{path.name}: unknown day of the week {key!r}")
        weekdays.update((name, WEEKDAY_KEYS.index(key)) for name in names)
    dates = data.get("dates", {})
    return Language(
        code=data.get("code", path.stem),
        name=data.get("name", path.stem),
        currency=data.get("currency"),
        prices_include_tax=bool(data.get("prices_include_tax", False)),
        decimal_comma=bool(data.get("decimal_comma", False)),
        words={kind: tuple(phrases) for kind, phrases in words.items()},
        months=months,
        weekdays=weekdays,
        currency_words=dict(data.get("currency_words", {})),
        date_connectors=tuple(dates.get("connectors", ())),
        day_suffixes=tuple(dates.get("day_suffixes", ())),
    )


@cache
def languages() -> dict[str, Language]:
    """Every language file, by code; month names and day names must agree across languages,
    and no day name may be a month's ("MAR" is March, so not Tuesday's "mar.")."""
    found = {lang.code: lang for lang in map(read_language, sorted(VOCAB_DIR.glob("*.toml")))}
    for kind in ("months", "weekdays"):
        seen: dict[str, tuple[int, str]] = {}
        for lang in found.values():
            for name, number in getattr(lang, kind).items():
                key = fold(name)
                if key in seen and seen[key][0] != number:
                    other = seen[key][1]
                    raise VocabularyError(
                        f"{kind}: {name!r} is {number} in {lang.code}, not in {other}"
                    )
                seen[key] = (number, lang.code)
    months = {fold(name) for lang in found.values() for name in lang.months}
    for lang in found.values():
        if clash := sorted(name for name in lang.weekdays if fold(name) in months):
            raise VocabularyError(f"{lang.code}: day names {clash} are month names")
    return found


# ------------------------------------------------------------------------ phrase patterns


def strip_accents(text: str) -> str:
    return "".join(
        char for char in unicodedata.normalize("NFD", text) if not unicodedata.combining(char)
    )


def fold(text: str) -> str:
    """Upper case, accents off, letters and digits only: "Rückgeld" -> "RUCKGELD"."""
    return re.sub(r"[\W_]", "", strip_accents(text.upper()))


@cache
def _accented() -> dict[str, str]:
    """Each base letter with the accented capitals that fold to it: "E" -> "EÈÉÊË"."""
    variants: dict[str, str] = {}
    for code in range(0xC0, 0x100):  # Latin-1: the accents of the languages here
        char = chr(code)
        base = strip_accents(char)
        if char.isupper() and len(base) == 1 and base.isascii() and base != char:
            variants[base] = variants.get(base, base) + char
    return variants


def _letter(char: str, *, ocr_zero: bool) -> str:
    base = strip_accents(char)
    if len(base) != 1 or not base.isascii() or not base.isalpha():
        return re.escape(char)
    chars = _accented().get(base, base) + ("0" if ocr_zero and base == "O" else "")
    pattern = f"[{chars}]" if len(chars) > 1 else base
    return pattern + ("E?" if char in "ÄÖÜ" else "")  # German "RUECKGELD" for "RÜCKGELD"


def _atoms(phrase: str, *, ocr_zero: bool = False) -> tuple[str, ...]:
    """A phrase as a sequence of small regexes, one per printed character."""
    atoms: list[str] = []
    for index, word in enumerate(phrase.upper().split()):
        if index:
            atoms.append(r"\s*")
        for position, char in enumerate(word):
            if char == "*":
                atoms.append(LETTER + "*")
            elif char in _JOINERS:  # "SUB-TOTAL": SUB TOTAL, SUBTOTAL
                atoms.append(r"\s*" + re.escape(char) + r"?\s*")
            elif char in _OPTIONAL:  # "I.V.A.": IVA, I. V. A. (but never "I V A")
                before = r"\s*" if position > 0 else ""
                after = r"\s*" if position < len(word) - 1 else ""
                atoms.append(f"(?:{before}{re.escape(char)}{after})?")
            else:
                atoms.append(_letter(char, ocr_zero=ocr_zero))
    return tuple(atoms)


def phrase_regex(phrase: str, *, ocr_zero: bool = False) -> str:
    """One phrase of a data file as a regex (without the whole-word guards)."""
    return "".join(_atoms(phrase, ocr_zero=ocr_zero))


def _trie_regex(phrases: Iterable[str], *, ocr_zero: bool = False) -> str:
    """Phrases as one regex with their shared beginnings factored out ("TOTAL", "TOTAL DUE",
    "TOTALE" try T-O-T-A-L once): hundreds of phrases in nine languages stay fast."""
    trie: dict[str, dict[str, Any]] = {}
    for phrase in phrases:
        node = trie
        for atom in _atoms(phrase, ocr_zero=ocr_zero):
            node = node.setdefault(atom, {})
        node[""] = {}  # a phrase may end here
    return _branches(trie)


def _branches(node: dict[str, dict[str, Any]]) -> str:
    branches = [atom + _branches(child) for atom, child in sorted(node.items()) if atom]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def whole_phrases(phrases: Iterable[str]) -> re.Pattern[str]:
    """Phrases as one pattern that matches only whole words of UPPER-CASE text (callers
    upper-case what they search: case-insensitive matching is several times slower)."""
    body = _trie_regex(phrases)
    if not body:
        return re.compile(r"(?!)")
    return re.compile(rf"(?<!{LETTER})(?:{body})(?!{LETTER})")


def phrases(*kinds: str, codes: Iterable[str] | None = None) -> list[str]:
    """The phrases of these kinds in every language (or only in ``codes``)."""
    for kind in kinds:
        if kind not in KINDS:
            raise VocabularyError(f"unknown kind {kind!r}")
    chosen = set(codes) if codes is not None else None
    return [
        phrase
        for lang in languages().values()
        if chosen is None or lang.code in chosen
        for kind in kinds
        for phrase in lang.words.get(kind, ())
    ]


@cache
def words(*kinds: str) -> re.Pattern[str]:
    """Any phrase of these kinds, in any language, as whole words of upper-case text."""
    return whole_phrases(phrases(*kinds))


@cache
def words_of(code: str, *kinds: str) -> re.Pattern[str]:
    """Like ``words``, in one language only."""
    return whole_phrases(phrases(*kinds, codes=[code]))


@cache
def currency_words() -> dict[str, str]:
    """Currency names printed as words, folded: "EURO" -> "EUR", "RINGGIT" -> "MYR"."""
    return {
        fold(word): code
        for lang in languages().values()
        for word, code in lang.currency_words.items()
    }


@cache
def currency_word_pattern() -> re.Pattern[str]:
    return whole_phrases(currency_words())


# --------------------------------------------------------------------------- month names


@cache
def month_regex() -> str:
    """Month names of every language as one group per month (``m01`` .. ``m12``), so the
    month a date names is the group that matched; OCR's zero for the letter O is allowed."""
    by_month: dict[int, set[str]] = {}
    for lang in languages().values():
        for name, month in lang.months.items():
            by_month.setdefault(month, set()).add(name)
    groups = [
        f"(?P<m{month:02d}>{_trie_regex(names, ocr_zero=True)})"
        for month, names in sorted(by_month.items())
    ]
    return "(?:" + "|".join(groups) + ")"


@cache
def _short_months() -> dict[str, int]:
    """Three-letter month names of every language, folded: "MAR" -> 3, "DEZ" -> 12."""
    return {
        fold(name): month
        for lang in languages().values()
        for name, month in lang.months.items()
        if len(fold(name)) == 3
    }


def misread_month(word: str) -> str | None:
    """The month abbreviation that a three-letter ``word`` is with one letter misread ("NAR"
    for MAR, "DUN" for JUN), when only one month is that close; else None."""
    folded = fold(word)
    if len(folded) != 3 or folded in _short_months():
        return None
    close = {
        name: month
        for name, month in _short_months().items()
        if sum(a != b for a, b in zip(name, folded, strict=True)) == 1
    }
    if len(set(close.values())) != 1:
        return None
    return min(close)


@cache
def date_connectors() -> str:
    """Words between a day, the month and the year ("15 de enero de 2018"), as a regex."""
    names = {phrase_regex(word) for lang in languages().values() for word in lang.date_connectors}
    return "(?:(?:" + "|".join(sorted(names)) + r")\s+)?" if names else ""


@cache
def day_suffixes() -> str:
    names = {phrase_regex(word) for lang in languages().values() for word in lang.day_suffixes}
    return "(?:" + "|".join(sorted(names)) + ")?" if names else ""


# ----------------------------------------------------------------------- language guess


@dataclass(frozen=True)
class LanguageGuess:
    code: str | None  # None when no language stands out
    confidence: float
    scores: dict[str, float] = field(default_factory=dict)  # language -> weighted hits

    @property
    def language(self) -> Language | None:
        return languages().get(self.code) if self.code else None


_MAX_WORDS = 4  # the longest phrase, in printed words, that the guess looks up
_MIN_SCORE = 1.5  # more than one word of the language's own ("BAR" alone is not German)


@cache
def _phrase_languages() -> dict[str, frozenset[str]]:
    """Folded phrase -> the languages that use it (phrases with ``*``, very short ones like
    "EC" or "CB", and month abbreviations like "DES" say too little about a language)."""
    owners: dict[str, set[str]] = {}
    for lang in languages().values():
        names = [p for kind in lang.words.values() for p in kind]
        names += [name for name in lang.months if len(fold(name)) >= 4]
        for name in names:
            key = fold(name)
            if "*" not in name and len(key) >= 3 and len(name.split()) <= _MAX_WORDS:
                owners.setdefault(key, set()).add(lang.code)
    return {key: frozenset(codes) for key, codes in owners.items()}


def guess_language(text: str) -> LanguageGuess:
    """The language whose vocabulary the receipt prints most: each distinct phrase found
    counts 1, shared among the languages that use it ("TOTAL": en, fr, es, pt)."""
    table = _phrase_languages()
    tokens = re.findall(r"[^\W_]+", strip_accents(text.upper()))  # folded words
    found = {
        key
        for start in range(len(tokens))
        for size in range(1, _MAX_WORDS + 1)
        if (key := "".join(tokens[start : start + size])) in table
    }
    scores: dict[str, float] = {}
    for key in found:
        for code in table[key]:
            scores[code] = scores.get(code, 0.0) + 1 / len(table[key])
    ranked = sorted(scores.items(), key=lambda item: -item[1])[:2]
    best = ranked[0][1] if ranked else 0.0
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if best < _MIN_SCORE or runner_up == best:
        return LanguageGuess(None, 0.0, scores)
    confidence = round(0.5 + 0.5 * (1 - runner_up / best), 3)  # 0.5 close race .. 1 alone
    return LanguageGuess(ranked[0][0], confidence, scores)
