"""Join the read rows of the items region into line items (the last step of ``items``).

A printed item often spans several rows, and which rows belong together depends on the
receipt's layout: a code row and a description row above a "1 PC * 9.000 9.00" row (SROIE), a
name row above or below a "2 x 12.000 24.000" row (CORD), a count row ("2 X 13,000") next to
the priced name it multiplies to, a description wrapped onto a second row, an option ("+Hot")
indented under its item. The rules that tell those layouts apart are a module of their own:
they work on rows ``items_rows`` has already read and need nothing of how ``items`` finds the
region or scores the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher

from receiptflow.extractors.local.items_rows import ItemRow
from receiptflow.extractors.local.items_tokens import (
    DEPOSIT,
    DISCOUNT,
    LABELLED_NUMBER,
    VOID,
    is_code,
    is_void_label,
)
from receiptflow.schemas.receipt import LineItem


def _fold_count_rows(read: list[ItemRow]) -> list[ItemRow]:
    """A row with only a count and a price ("2 X 13,000" above "Honey Mandarin 26,000", or
    "@2 X RM 10.40" below "AJINOMOTO 1KG 20.80") belongs to the neighbour it multiplies to."""
    kept: list[ItemRow] = []
    for position, row in enumerate(read):
        price = row.unit_price if row.amount is None else row.amount
        if row.has_text or price is None or (row.amount is not None and row.unit_price):
            kept.append(row)
            continue
        count = row.quantity or Decimal(1)
        neighbours = [read[position - 1]] if position > 0 else []
        neighbours += read[position + 1 : position + 2]
        for neighbour in neighbours:
            if (
                neighbour.has_text
                and neighbour.amount is not None
                and abs(neighbour.amount - count * price) < Decimal("0.01")
                and (neighbour.quantity in (None, count) or _pack_size(neighbour))
                and neighbour.unit_price in (None, price)
            ):
                if neighbour.quantity != count and neighbour.trailing_count:
                    # "YAOURT NATURE X4" over "2 X 1,20": X4 was the pack, not the count
                    neighbour.description += " " + neighbour.trailing_count
                neighbour.quantity, neighbour.unit_price = count, price
                break
        else:
            kept.append(row)
    return kept


def _join_wrapped_amounts(read: list[ItemRow]) -> list[ItemRow]:
    """An amount alone on its row ("6,95 B") under a name or quantity row that has none: the
    printed line wrapped ("Handeingabe 1,393 kg x 4,99" / "6,95 B"); the amount is that row's."""
    kept: list[ItemRow] = []
    running = Decimal(0)  # the amounts so far: an amount alone that is their sum is a subtotal
    for row in read:
        above = kept[-1] if kept else None
        alone = row.amount is not None and not row.has_text and row.sku is None
        alone = alone and not (running > 0 and row.amount == running)
        running += row.amount or 0
        if (
            above is not None
            and alone
            and above.amount is None
            and row.quantity is None
            and row.unit_price is None
            and (above.has_text or above.quantity is not None)
            and _fits(above, row.amount)
        ):
            above.amount, above.amount_word, above.negative = (
                row.amount,
                row.amount_word,
                row.negative,
            )
            continue
        kept.append(row)
    return kept


def _fits(row: ItemRow, amount: Decimal | None) -> bool:
    if amount is None or row.quantity is None or row.unit_price is None:
        return True
    return abs(row.quantity * row.unit_price - abs(amount)) <= max(Decimal("0.011"), amount / 200)


@dataclass
class Assembled:
    items: list[LineItem]
    discounts: Decimal  # what the discount rows of the region take off (the items keep theirs)


def _pack_size(row: ItemRow) -> bool:
    return row.trailing_count is not None and row.unit_price is None


def assemble_items(read: list[ItemRow]) -> Assembled:
    """The line items that the read rows of the items region print, in order: each priced row
    with its name, code and count rows; discounts, options, labelled numbers and voided items
    (with the lines that void them) left out; deposits and their returns kept."""
    read = _fold_count_rows(_join_wrapped_amounts(read))
    names_above = _names_above(read)
    items: list[_Draft] = []
    pending_names: list[ItemRow] = []
    pending_counts: list[ItemRow] = []
    pending_code: str | None = None
    discounts = Decimal(0)
    for position, row in enumerate(read):
        if _BANNER.fullmatch(row.description):
            continue  # "*** Eat In ***  0.00", "** DINE-IN **": the order's kind, no product
        deposit = bool(DEPOSIT.search(row.description.upper()))
        if row.amount is not None and not deposit:
            if DISCOUNT.search(row.description) or (row.negative and not _cancel(items, row)):
                discounts += abs(row.amount)  # discounts are not items (totals reads them)
                continue
            if row.negative:  # "STORNO -1,19": the item it voids is gone, and so is this row
                pending_names, pending_counts, pending_code = [], [], None
                continue
        below = read[position + 1] if position + 1 < len(read) else None
        if row.amount is None:
            if LABELLED_NUMBER.match(row.description) or is_void_label(row.description):
                continue  # "BARCODE: 10182079", "ITEM NO. : 30001640", a "STORNO" line
            if row.has_text:
                pending_code = pending_code or row.sku
                if names_above or not items or pending_counts or _names_next(row, below, items):
                    pending_names.append(row)
                elif not items[-1].named or not (
                    _is_option(row, items[-1].row)
                    or items[-1].wrapped
                    or _is_unit_note(row)
                    or _line_of_its_own(items[-1].row, row)
                ):
                    items[-1].names.append(row)  # a wrapped name, or the name of a code row
            elif row.quantity is not None or row.unit_price is not None:
                pending_counts.append(row)
            elif row.sku or is_code(" ".join(word.text for word in row.words)):
                pending_code = row.sku or row.words[0].text.rstrip("-")
            continue
        if items and row.amount == 0 and _is_option(row, items[-1].row):
            continue  # "  1 *Rhum 0": a free option of the item above, not an item
        draft = _Draft(row=row, sku=row.sku or pending_code, counts=pending_counts)
        pending_code, pending_counts = None, []
        if pending_names and row.has_text and not names_above:
            if items:  # a wrapped name of the item above; above the first: a heading
                items[-1].names.extend(pending_names)
        else:
            draft.names = pending_names
        pending_names = []
        items.append(draft)
    if pending_names and items and not names_above:
        items[-1].names.extend(row for row in pending_names if row.quantity is None)
    _lend_names(items)
    built = [item for item in (draft.build() for draft in items) if item is not None]
    return Assembled(built, discounts)


def _cancel(items: list[_Draft], void: ItemRow) -> bool:
    """Remove the item a negative row voids: one of the last few with the same amount, and
    the same name when the void row prints one ("IPA 6PK -10.99", "STORNO -1,19")."""
    assert void.amount is not None
    name = _letters(VOID.sub(" ", void.description.upper()))
    for position in range(len(items) - 1, max(len(items) - 4, 0) - 1, -1):
        draft = items[position]
        if draft.row.amount != -void.amount:
            continue
        if name and not _same_name(name, _letters(draft.description.upper())):
            continue
        del items[position]
        return True
    return False


def _letters(text: str) -> str:
    return re.sub(r"[\W_]", "", text)


def _same_name(void_name: str, item_name: str) -> bool:
    """Names printed twice, one perhaps cut short to leave room for the word "VOID"."""
    if not item_name:
        return True
    shorter = min(len(void_name), len(item_name))
    if shorter >= 4 and void_name[:shorter] == item_name[:shorter]:
        return True
    return SequenceMatcher(None, void_name, item_name).ratio() >= 0.7


def _lend_names(items: list[_Draft]) -> None:
    """A nameless "2PC @ 7.99 15.98" row takes the name printed just above it, which was read
    as the wrapped end of the item before."""
    for before, draft in zip(items, items[1:], strict=False):
        if draft.row.has_text or draft.names or not before.names:
            continue
        if before.names[-1].index > before.row.index:
            draft.names.append(before.names.pop())


def _names_next(row: ItemRow, below: ItemRow | None, items: list[_Draft]) -> bool:
    """A "2 Maling" row above a "12000 24.000" row names that row, not the item above; so
    does a plain name row ("Caesar Salad" over "2 @ 9.50 19.00") when the item above
    already has its name ("BLT 9.25")."""
    if below is None or below.amount is None or below.has_text:
        return False
    return row.quantity is not None or items[-1].named


def _is_option(row: ItemRow, item: ItemRow) -> bool:
    """Printed under an item but not aligned with its name: an option ("+Hot", "1 Sedang")."""
    if row.quantity is not None and row.amount is None:
        return True
    if row.amount in (None, 0) and (row.off_column or row.description[:1] in {"+", "*", "-", ">"}):
        return True
    if row.description_x is None or item.description_x is None:
        return False
    tolerance = 1.2 * max(item.char_width, row.char_width, 1.0)
    if row.amount is not None:
        return row.description_x - item.description_x > tolerance
    return abs(row.description_x - item.description_x) > tolerance


# a line framed by runs of asterisks: a banner (the kind of order, a note), never an item
_BANNER = re.compile(r"\*{2,}[^*]*\*{2,}")

# the end of a name that goes on: "Ja Jiang Noodles with Chicken &", "Choice of Size : (3"
_GOES_ON = re.compile(
    r"(?:[&,/+(:-]|\b(?:with|and|of|w/|or|in|de|del|con|mit|und|et|au|aux|a la))$", re.IGNORECASE
)


def _line_of_its_own(priced: ItemRow, row: ItemRow) -> bool:
    """A name row under a named priced row whose first word would have fitted in the blank
    before that row's amount: the printer did not wrap the name there, so the row is a line
    of its own ("Pernil Lunch 8.59" / "Trifongo", "DOUBLE COMBO 7.69" / "ROOT BEER": a side,
    a choice, a note), not the rest of the name ("Tomato & Tofu Egg 19.00" / "Flower Soup")."""
    words = row.description.split()
    if priced.room is None or not words or not priced.has_text:
        return False
    name = priced.description
    if _GOES_ON.search(name) or name.count("(") > name.count(")"):
        return False
    return priced.room >= len(words[0]) + 2  # a space before the word and one after it


def _names_above(read: list[ItemRow]) -> bool:
    """Whether name rows sit above their priced row (else below it, as a continuation): a
    name comes first, and most priced rows print no name of their own ("2 x @ 12.000")."""
    priced = [row for row in read if row.amount is not None]
    if 2 * sum(row.has_text for row in priced) > len(priced) + 1:
        return False  # "1 Pernil Lunch 8.59" / "Trifongo": the names are on the priced rows
    for row in read:
        if row.amount is not None:
            return False
        if row.has_text and not LABELLED_NUMBER.match(row.description):
            return True
    return False


# "($8.00 each)" under "Signature MC x3 $24.00": the unit price, not a part of the name
_UNIT_NOTE = re.compile(r"\(?\s*[$€£]?\s*\d+[.,]\d\d\s*(?:each|ea|/ea)\s*\)?", re.IGNORECASE)


def _is_unit_note(row: ItemRow) -> bool:
    return bool(_UNIT_NOTE.fullmatch(" ".join(word.text for word in row.words)))


@dataclass
class _Draft:
    row: ItemRow
    sku: str | None = None
    names: list[ItemRow] = field(default_factory=list)
    counts: list[ItemRow] = field(default_factory=list)

    @property
    def named(self) -> bool:
        return self.row.has_text or bool(self.names)

    @property
    def wrapped(self) -> bool:
        """The name already goes on below the priced row (a second row is an option)."""
        return any(name.index > self.row.index for name in self.names)

    @property
    def description(self) -> str:
        return " ".join(part.description for part in [*self.names, self.row])

    def build(self) -> LineItem | None:
        row = self.row
        quantity, unit = row.quantity, row.unit_price
        for count_row in self.counts:
            quantity = quantity or count_row.quantity
            unit = unit or count_row.unit_price
        in_print_order = sorted([*self.names, row], key=lambda part: part.index)
        parts = [part.description for part in in_print_order]
        if quantity is None and self.names:
            quantity = self.names[-1].quantity
        for name in self.names:  # "NAME BADGE (H) @ 0.5500" under the priced row
            unit = unit or name.unit_price
        description = " ".join(part for part in parts if part).strip()
        description = description or self.sku or ""  # a code row whose name was not read
        if not description or row.amount is None:
            return None
        return LineItem(
            description=description,
            quantity=quantity if quantity is not None else Decimal(1),
            unit_price=unit if unit is not None else _unit_from(row.amount, quantity),
            amount=row.amount,
            sku=self.sku,
        )


def _unit_from(amount: Decimal, quantity: Decimal | None) -> Decimal | None:
    if quantity is None or quantity == 1:
        return amount
    unit = amount / quantity
    return unit if unit == unit.quantize(Decimal("0.01")) else None
