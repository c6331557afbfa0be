"""Mend OCR slips in the merchant name and address against a word list.

Thermal print fades and OCR reads "JAIAN" for JALAN, "BALAKUNG" for BALAKONG, "ÁLAM" for ALAM,
"SE_ANGOR" for SELANGOR. Those words repeat from receipt to receipt, so a list of the words
printed in shop names and addresses, with how often each was seen, mends most of them: a word
that is not on the list but is one OCR slip away (a look-alike character, "rn" for "m", a
doubled letter read once, a spurious thin mark, a faded capital) from exactly one listed word,
or from one much more common than the rest, becomes that word. In addresses, words OCR ran
together ("JALANAIRPANAS") are pulled apart, and anywhere a word OCR cut in two ("GA RDENIA")
is joined. Words on the list, short words (< 4 letters), codes with digits and words far from
every listed one are left as read.

The bundled list (``data/header_words.txt``, "WORD count" per line) was built by
``scripts/build_lexicon.py`` from the SROIE train labels: Malaysian street, town and trade
words, used on receipts in ringgit (or of unknown currency) only.
``RECEIPTFLOW_LOCAL__LEXICON`` points at another list for other regions; an empty value turns
mending off.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from receiptflow.errors import ConfigError

BUNDLED = "bundled"
_MIN_LENGTH = 4
# A near word wins over another near word only when seen this many times more often.
_DOMINANCE = 3
# Glued words are pulled apart only into words seen at least this often (rare listed words
# would split real names: "KITCHENETTE" is no KITCHEN + ETTE).
_SPLIT_MIN_COUNT = 2
# Words are cut at spaces and commas ("NO.12,JA:AN" holds the word "JA:AN")
_TOKEN = re.compile(r"([^\s,]+)")
# Two pieces OCR split one word into: "GA RDENIA"
_PAIR = re.compile(r"\b([A-Za-z]{2,}) ([A-Za-z]{2,})\b")
_EDGES = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)


def fold_accents(word: str) -> str:
    """ "ÁLAM" -> "ALAM", "Şeksyen" -> "Seksyen": OCR models trained on many scripts put
    marks on plain Latin letters."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# Characters OCR takes for one another on receipt fonts (upper-cased before comparing; "ASEO"
# are the lower-case a/s/e/o that fade into each other). A non-alphanumeric character inside a
# word ("JA:AN", "SE_ANGOR") stands for any letter the OCR could not make out.
_LOOKALIKES = ("IL1|!JT", "O0DQUC", "B8E", "EF", "RKP", "S5", "G6C", "NHM", "Z2", "VY", "ASEO")
_SWAPS = frozenset(
    (first, second)
    for group in _LOOKALIKES
    for first in group
    for second in group
    if first != second
)


def _rn_as_m(word: str) -> set[str]:
    return {
        word[:index] + "M" + word[index + 2 :]
        for index in range(len(word) - 1)
        if word[index : index + 2] == "RN"
    }


# Thin marks OCR adds inside a word: "DIARUL" for DARUL
_SPURIOUS = frozenset("IL1|'.-")


def _misread(word: str, known: str) -> bool:
    """Could OCR have read ``known`` as ``word``? One look-alike (or unreadable) character in
    place of a letter, "RN" for "M" ("UTARNA"), a doubled letter read once ("CARY"), or one
    spurious thin mark. (Allowing two look-alikes mended a few more scans but also turned real
    words into listed ones: BURUNG into BORONG, KELANG into KAJANG.)"""
    if len(word) == len(known):
        diffs = [(a, b) for a, b in zip(word, known, strict=True) if a != b]
        return len(diffs) == 1 and all(
            not seen.isalnum() or (seen, meant) in _SWAPS for seen, meant in diffs
        )
    if len(word) + 1 == len(known) and len(word) >= _MIN_LENGTH:
        # a doubled letter printed close enough to read as one: "CARY" for CARRY
        return any(
            known[index] == known[index + 1] and known[:index] + known[index + 1 :] == word
            for index in range(len(known) - 1)
        )
    if len(word) == len(known) + 1 and len(known) >= _MIN_LENGTH:
        if "RN" in word and known in _rn_as_m(word):
            return True
        for index, char in enumerate(word):
            if char in _SPURIOUS and word[:index] + word[index + 1 :] == known:
                return True
    return False


def _same_case(template: str, word: str) -> str:
    if template.isupper() or not any(char.isalpha() for char in template):
        return word.upper()
    if template[:1].isupper():
        return word.capitalize()
    return word.lower()


@dataclass(frozen=True)
class Lexicon:
    counts: dict[str, int]
    # Currencies of the receipts the words come from ("# currencies: MYR SGD" in the file);
    # empty: any. A Malaysian list must not turn a Paris "Café" into "Cafe".
    currencies: frozenset[str] = frozenset()

    def applies_to(self, currency: str | None) -> bool:
        return not self.currencies or currency is None or currency in self.currencies

    @classmethod
    def read(cls, path: Path) -> Lexicon:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(f"{path}: cannot read the word list ({error})") from error
        return cls.parse(text)

    @classmethod
    def parse(cls, text: str) -> Lexicon:
        counts: dict[str, int] = {}
        currencies: frozenset[str] = frozenset()
        for line in text.splitlines():
            parts = line.split()
            if parts[:2] == ["#", "currencies:"]:
                currencies = frozenset(code.upper() for code in parts[2:])
            if not parts or parts[0].startswith("#"):
                continue
            count = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 1
            counts[parts[0].upper()] = counts.get(parts[0].upper(), 0) + count
        return cls(counts, currencies)

    def correct(self, word: str) -> str | None:
        """The listed word ``word`` (upper case) was meant to be, or None."""
        if word in self.counts:
            return word
        folded = fold_accents(word)
        if folded in self.counts:
            return folded
        near = sorted(
            ((count, known) for known, count in self.counts.items() if _misread(folded, known)),
            reverse=True,
        )
        if not near:
            return None
        if len(near) == 1 or near[0][0] >= _DOMINANCE * near[1][0]:
            return near[0][1]
        return None

    def split(self, word: str) -> list[str] | None:
        """``word`` (upper case) as two or three listed words OCR ran together
        ("JALANAIRPANAS" -> JALAN AIR PANAS), the most common reading; None if there is none."""
        best: tuple[int, list[str]] | None = None
        for parts in _splits(word):
            counts = [self.counts.get(part, 0) for part in parts]
            if min(counts) < _SPLIT_MIN_COUNT:
                continue
            score = math.prod(counts)
            if best is None or score > best[0]:
                best = (score, parts)
        return best[1] if best else None

    def mend(self, text: str, *, split_glued: bool = False) -> str:
        """``text`` with its misread words replaced, spacing and punctuation kept; with
        ``split_glued`` also words OCR ran together pulled apart (addresses, not names:
        "FAMILYMART" is a brand)."""
        text = _PAIR.sub(self._join_pair, text)
        return _TOKEN.sub(lambda match: self._mend_token(match.group(1), split_glued), text)

    def _join_pair(self, match: re.Match[str]) -> str:
        first, second = match.group(1), match.group(2)
        joined = (first + second).upper()
        known = self.counts
        if joined in known and first.upper() not in known and second.upper() not in known:
            return first + second
        return match.group(0)

    def _mend_token(self, token: str, split_glued: bool) -> str:
        match = _EDGES.match(token)
        if match is None:
            return token
        lead, core, tail = match.groups()
        letters = sum(char.isalpha() for char in core)
        if len(core) < _MIN_LENGTH or letters < len(core) - 1 or not core[0].isalpha():
            return token  # short words and codes ("U13/BG", "19-G&19-1") are not words
        if not core[-1].isalpha():
            return token  # "UPTOWN3", "OLIVE9": a name with a number, not a misread
        corrected = self.correct(core.upper())
        if corrected is None and core[0].islower() and core[1:].islower():
            # a faded capital read as a small letter: "buardian" for Guardian
            corrected = self.correct("?" + core[1:].upper())
            core = core[0].upper() + core[1:] if corrected else core
        if corrected is None and split_glued and core.isalpha() and len(core) >= 2 * 3:
            parts = self.split(core.upper())
            if parts:
                return lead + " ".join(_same_case(core, part) for part in parts) + tail
        if corrected is None or corrected == core.upper():
            return token
        return lead + _same_case(core, corrected) + tail


def _splits(word: str, shortest: int = 3) -> list[list[str]]:
    """Every way to cut ``word`` into two or three pieces of ``shortest`` letters or more."""
    found: list[list[str]] = []
    for first in range(shortest, len(word) - shortest + 1):
        head, rest = word[:first], word[first:]
        found.append([head, rest])
        for second in range(shortest, len(rest) - shortest + 1):
            found.append([head, rest[:second], rest[second:]])
    return found


@lru_cache(maxsize=8)
def load_lexicon(source: str) -> Lexicon | None:
    """``"bundled"``: the shipped list; a path: that list; empty: no mending."""
    if not source:
        return None
    if source == BUNDLED:
        data = resources.files("receiptflow.extractors.local") / "data" / "header_words.txt"
        return Lexicon.parse(data.read_text(encoding="utf-8"))
    return Lexicon.read(Path(source))
