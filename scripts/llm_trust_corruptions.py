"""Controlled corruptions of a true receipt: the wrong answers an LLM gives, for the
scripted-server corpus of ``llm_trust_corpus.py``.

Per key field, three kinds of wrong value, each of which real models produce:
- ``misread``: one character read as a look-alike (8 for 3, 7 for 1; a letter in a name),
  or a neighbouring day or year; usually printed nowhere on the receipt;
- ``other``: another value that *is* printed on the receipt (the cash tendered or the
  subtotal as the total, the address line as the merchant, day and month swapped);
- ``invented``: a plausible value from nowhere.
Line items: one dropped, one amount misread, or one invented. Everything draws from the
``random.Random`` it is given, so a seed fixes the corpus.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from receiptflow.llm.grounding import SourceText, name_key
from receiptflow.schemas.receipt import LineItem, Receipt, TaxLine

KINDS = ("misread", "other", "invented")
LOOK_ALIKE = {"0": "8", "1": "7", "2": "7", "3": "8", "4": "1", "5": "6", "6": "5", "7": "1"}
LOOK_ALIKE |= {"8": "3", "9": "8"}
LETTER_SLIPS = {"O": "0", "I": "1", "S": "5", "B": "8", "E": "F", "N": "M", "A": "R", "C": "G"}
INVENTED_NAMES = ("7-ELEVEN", "TESCO EXTRA", "AEON BIG", "STARBUCKS COFFEE", "SHELL", "WALMART")


def misread_amount(value: Decimal, rng: random.Random) -> Decimal:
    text = f"{value:f}"
    digits = [i for i, char in enumerate(text) if char.isdigit()]
    index = rng.choice(digits)
    changed = text[:index] + LOOK_ALIKE[text[index]] + text[index + 1 :]
    return Decimal(changed)


def other_amount(value: Decimal, source: SourceText, rng: random.Random) -> Decimal | None:
    """Another amount printed on the receipt (with decimals), or None if there is none."""
    printed = sorted(amount for amount in source.prices if amount not in (0, value))
    return rng.choice(printed) if printed else None


def invented_amount(value: Decimal, rng: random.Random) -> Decimal:
    factor = Decimal(rng.randint(55, 170)) / 100
    return (value * factor).quantize(Decimal("0.01"))


def corrupt_amount(value: Decimal, kind: str, source: SourceText, rng: random.Random) -> Decimal:
    wrong: Decimal | None = None
    if kind == "other":
        wrong = other_amount(value, source, rng)
    elif kind == "invented":
        wrong = invented_amount(value, rng)
    while wrong is None or wrong == value:
        wrong = misread_amount(value, rng)
    return wrong


def corrupt_date(value: dt.date, kind: str, rng: random.Random) -> dt.date:
    if kind == "other" and value.day <= 12 and value.day != value.month:
        return value.replace(month=value.day, day=value.month)  # read the other way round
    if kind == "invented":
        return dt.date(rng.randint(2012, 2024), rng.randint(1, 12), rng.randint(1, 28))
    step = rng.choice((-3, -1, 1, 3, 10))
    if rng.random() < 0.3:
        return value.replace(year=value.year + (1 if step > 0 else -1), day=min(value.day, 28))
    return value + dt.timedelta(days=step)


def corrupt_name(name: str, kind: str, source: SourceText, rng: random.Random) -> str:
    if kind == "other":
        key = name_key(name)
        top = [line for line in source.lines[:8] if name_key(line) not in ("", key)]
        if top:
            return rng.choice(top)
    if kind == "invented":
        return rng.choice([n for n in INVENTED_NAMES if name_key(n) != name_key(name)])
    letters = [i for i, char in enumerate(name) if char.upper() in LETTER_SLIPS]
    if letters:
        index = rng.choice(letters)
        return name[:index] + LETTER_SLIPS[name[index].upper()] + name[index + 1 :]
    words = name.split()
    return " ".join(words[:-1]) if len(words) > 1 else name + " SDN BHD"


def corrupt_items(items: list[LineItem], kind: str, rng: random.Random) -> list[LineItem]:
    items = list(items)
    priced = [i for i, item in enumerate(items) if item.amount is not None]
    if kind == "other" and len(items) > 1:
        items.pop(rng.randrange(len(items)))  # an item missed
    elif kind == "invented" or not priced:
        amount = Decimal(rng.randint(100, 2500)) / 100
        items.insert(rng.randrange(len(items) + 1), LineItem(description="ITEM", amount=amount))
    else:
        index = rng.choice(priced)
        amount = items[index].amount
        assert amount is not None
        wrong = misread_amount(amount, rng)
        items[index] = items[index].model_copy(update={"amount": wrong, "unit_price": None})
    return items


def corrupt_taxes(taxes: list[TaxLine], kind: str, rng: random.Random) -> list[TaxLine]:
    if not taxes or kind == "invented":
        return [*taxes, TaxLine(label="SST", amount=Decimal(rng.randint(10, 900)) / 100)]
    index = rng.randrange(len(taxes))
    wrong = misread_amount(taxes[index].amount, rng)
    return [*taxes[:index], taxes[index].model_copy(update={"amount": wrong}), *taxes[index + 1 :]]


def corrupt(
    truth: Receipt, fields: dict[str, str], source: SourceText, rng: random.Random
) -> Receipt:
    """``truth`` with each field in ``fields`` (field -> kind) read wrong that way."""
    update: dict[str, object] = {}
    for field, kind in fields.items():
        if field == "merchant.name":
            name = corrupt_name(truth.merchant.name or "", kind, source, rng)
            update["merchant"] = truth.merchant.model_copy(update={"name": name})
        elif field == "date" and truth.date is not None:
            update["date"] = corrupt_date(truth.date, kind, rng)
        elif field in ("total", "subtotal") and getattr(truth, field) is not None:
            update[field] = corrupt_amount(getattr(truth, field), kind, source, rng)
        elif field == "line_items":
            update["line_items"] = corrupt_items(truth.line_items, kind, rng)
        elif field == "taxes":
            update["taxes"] = corrupt_taxes(truth.taxes, kind, rng)
    return truth.model_copy(update=update)
