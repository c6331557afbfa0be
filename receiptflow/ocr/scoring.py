"""Character error rate of OCR text against a transcript (benchmarks and evaluation)."""

from __future__ import annotations

import re
from collections.abc import Iterable

# CJK ideographs and their punctuation / full-width forms. SROIE's transcripts leave out the
# Chinese lines many Malaysian receipts carry, so an engine that reads them is not wrong.
_CJK = re.compile("[\u2e80-\u303f\u3040-\u9fff\uf900-\ufaff\uff00-\uffef]")


def normalise_text(text: str, *, upper: bool = False, drop_cjk: bool = False) -> str:
    """Whitespace collapsed to single spaces; punctuation kept; upper-cased on request (SROIE's
    transcripts are upper-case whatever the print says); CJK characters dropped on request."""
    if drop_cjk:
        text = _CJK.sub(" ", text)
    collapsed = " ".join(text.split())
    return collapsed.upper() if upper else collapsed


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insert, delete, substitute = 1), Myers' bit-parallel algorithm:
    a receipt page of ~1,000 characters takes milliseconds in pure Python."""
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a)
    peq: dict[str, int] = {}
    for i, char in enumerate(b):
        peq[char] = peq.get(char, 0) | (1 << i)
    full = (1 << m) - 1
    last = 1 << (m - 1)
    pv, mv, score = full, 0, m
    for char in a:
        eq = peq.get(char, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | ~(xh | pv)
        mh = pv & xh
        if ph & last:
            score += 1
        elif mh & last:
            score -= 1
        ph = (ph << 1) | 1
        mh <<= 1
        pv = (mh | ~(xv | ph)) & full
        mv = ph & xv & full
    return score


def character_error_rate(
    pairs: Iterable[tuple[str, str]], *, upper: bool = False, drop_cjk: bool = False
) -> float:
    """Corpus CER: total edits over total reference characters, for (hypothesis, reference)."""
    edits = chars = 0
    for hypothesis, reference in pairs:
        reference = normalise_text(reference, upper=upper, drop_cjk=drop_cjk)
        hypothesis = normalise_text(hypothesis, upper=upper, drop_cjk=drop_cjk)
        edits += edit_distance(hypothesis, reference)
        chars += len(reference)
    return edits / chars if chars else 0.0
