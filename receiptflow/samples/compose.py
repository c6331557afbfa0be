"""Building blocks of the locale-driven receipts: a receipt's voice and the sheet it prints on.

A ``Voice`` makes one receipt's printing choices once (which phrasing of "total", which date
format, capitals or not) so a receipt is consistent with itself while receipts differ from
each other. A ``Sheet`` collects print lines whose every part carries its role and the truth
field it prints (see ``roles.py``).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal

from receiptflow.samples.layouts import (
    Cell,
    LineKind,
    PrintLine,
    Side,
    centered,
    left_right,
    lone,
    rule,
)
from receiptflow.samples.locales import Locale
from receiptflow.samples.roles import SPACE, Part

_SLOT = re.compile(r"\{(\w+)\}")


class Voice:
    """How this one receipt words and formats things."""

    def __init__(self, locale: Locale, rng: random.Random) -> None:
        self.locale = locale
        self.rng = rng
        self.upper = rng.random() < locale.upper_share
        self._chosen: dict[str, str] = {}
        self.amount_format = rng.choice(locale.amount_formats)
        self.date_format = rng.choice(locale.date_formats)
        self.time_format = rng.choice(locale.time_formats)
        self.rate_places = rng.choice((0, 0, 1, 2))

    def word(self, key: str) -> str:
        """The receipt's phrasing for ``key``: drawn once, then kept."""
        if key not in self._chosen:
            self._chosen[key] = self.rng.choice(self.locale.phrases(key))
        return self._chosen[key]

    def fresh(self, key: str) -> str:
        """A new draw every time (footer lines, card slip extras)."""
        return self.rng.choice(self.locale.phrases(key))

    def has(self, key: str) -> bool:
        return bool(self.locale.words.get(key))

    def text(self, text: str) -> str:
        return text.upper() if self.upper else text

    def amount(self, value: Decimal) -> str:
        return self.locale.number(value)

    def money(self, value: Decimal) -> str:
        """An amount with the currency as this receipt prints totals."""
        number = self.locale.number(abs(value))
        return ("-" if value < 0 else "") + self.amount_format.format(a=number)

    def date(self, value: dt.date) -> str:
        return self.text(self.locale.date(value, self.date_format))

    def time(self, value: dt.time) -> str:
        return self.locale.time(value, self.time_format)


def fill(template: str, role: str, voice: Voice, **slots: Part) -> tuple[Part, ...]:
    """A phrasing with ``{slots}``: the slots become the given parts, the words between them
    keys of ``role`` ("Geg. {method}" -> key "Geg.", then the method's part)."""
    parts: list[Part] = []
    position = 0
    for match in _SLOT.finditer(template):
        parts += _words(template[position : match.start()], role, voice)
        parts.append(slots[match.group(1)])
        position = match.end()
    parts += _words(template[position:], role, voice)
    return tuple(parts)


def _words(text: str, role: str, voice: Voice) -> list[Part]:
    """Literal template text: its words a key of ``role``, its spaces spacing."""
    if not text:
        return []
    stripped = text.strip()
    if not stripped:
        return [Part(text)]
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    middle = Part(voice.text(stripped), role, key=True)
    return [part for part in (Part(lead), middle, Part(trail)) if part.text]


def plain(text: str) -> tuple[Part, ...]:
    return (Part(text),)


def value(text: str, role: str, field: str | None = None) -> Part:
    return Part(text, role, field=field)


def key(text: str, role: str) -> Part:
    return Part(text, role, key=True)


def width(parts: tuple[Part, ...]) -> int:
    return sum(len(part.text) for part in parts)


def clip(text: str, room: int) -> str:
    """What a till prints of a name that does not fit its column: the first ``room`` chars."""
    return text if len(text) <= room else text[:room].rstrip()


class Sheet:
    """The print lines of one receipt, top to bottom."""

    def __init__(self, cols: int) -> None:
        self.cols = cols
        self.lines: list[PrintLine] = []

    def add(self, line: PrintLine) -> None:
        self.lines.append(line)

    def blank(self) -> None:
        self.lines.append(PrintLine())

    def rule(self, char: str = "-") -> None:
        self.lines.append(rule(self.cols, char))

    def center(self, parts: Side, kind: LineKind = "normal", role: str = "") -> None:
        line = centered(parts, self.cols, kind)
        self.lines.append(PrintLine(line.cells, kind, role=role))

    def left(
        self, parts: Side, kind: LineKind = "normal", item: int | None = None, role: str = ""
    ) -> None:
        line = lone(parts, item, kind)
        self.lines.append(PrintLine(line.cells, kind, role=role, item=item))

    def pair(
        self,
        left: Side,
        right: Side,
        kind: LineKind = "normal",
        item: int | None = None,
        role: str = "",
    ) -> None:
        """``left`` at the left margin, ``right`` against the right one; on its own line
        under ``left`` when the two would touch."""
        left_len = len(left) if isinstance(left, str) else width(left)
        right_len = len(right) if isinstance(right, str) else width(right)
        wide = 1.35 if kind in ("bold", "title") else 1.0
        if (left_len + right_len + 2) * wide > self.cols:
            self.left(left, kind, item, role)
            cell = (
                Cell(right, self.cols, "r")
                if isinstance(right, str)
                else Cell.of(right, self.cols, "r")
            )
            self.lines.append(PrintLine((cell,), kind, role=role, item=item))
            return
        line = left_right(left, right, self.cols, kind, item)
        self.lines.append(PrintLine(line.cells, kind, role=role, item=item))

    def columns(
        self,
        cells: Sequence[tuple[tuple[Part, ...], float, str]],
        role: str = "",
        item: int | None = None,
    ) -> None:
        """Cells at fixed columns: (parts, column, "l"/"r")."""
        built = tuple(
            Cell.of(parts, col, "r" if align == "r" else "l") for parts, col, align in cells
        )
        self.lines.append(PrintLine(built, role=role, item=item))


def amount_parts(
    voice: Voice, amount: Decimal, role: str, field: str | None, code: str = ""
) -> tuple[Part, ...]:
    """A line amount, with the tax code some tills print after it ("1,19 A")."""
    parts: tuple[Part, ...] = (value(voice.amount(amount), role, field),)
    return parts + ((SPACE, Part(code)) if code else ())


def spaced(*groups: tuple[Part, ...]) -> tuple[Part, ...]:
    """Groups of parts with one space between them."""
    out: list[Part] = []
    for group in groups:
        if out and group:
            out.append(SPACE)
        out += group
    return tuple(out)


def split_slot(template: str, slot: str) -> Iterator[str]:
    """``"Server: {name}"`` -> ``"Server: "``, ``""``: the text around one slot."""
    before, _, after = template.partition("{" + slot + "}")
    yield before
    yield after
