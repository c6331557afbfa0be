"""The parts every shop prints: its head, the stamp (date, time, numbers, who served), the
payment and the foot. Each block prints onto a ``Sheet`` and returns the truth it printed."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from receiptflow.samples.compose import Sheet, Voice, fill, key, plain, split_slot, value
from receiptflow.samples.locales import Shop
from receiptflow.samples.roles import SPACE, Part
from receiptflow.samples.style import cash_tendered
from receiptflow.schemas.receipt import Merchant, Payment, PaymentMethod


@dataclass(frozen=True)
class Stamp:
    """When and where at the till: printed at the top or in the foot."""

    date: dt.date
    time: dt.time
    receipt_number: str
    till: str | None
    person: str | None  # who served: cashier or server


def head(sheet: Sheet, voice: Voice, shop: Shop, *, tax_id_here: bool) -> Merchant:
    """Brand, slogan, address, phone and (maybe) tax id, centred."""
    rng, locale = voice.rng, voice.locale
    name = voice.text(shop.brand)
    sheet.center((value(name, "merchant", "merchant.name"),), "title")
    if shop.slogan and rng.random() < 0.5:
        sheet.center(plain(shop.slogan))
    if voice.has("branch") and rng.random() < 0.25:
        sheet.center(plain(voice.text(voice.fresh("branch").format(n=rng.randint(2, 4999)))))
    postcode, city, region = rng.choice(locale.places)
    template = rng.choice(locale.phrases("address_lines")).split("|")
    slots = {
        "street": rng.choice(locale.streets),
        "no": str(rng.choice((rng.randint(1, 40), rng.randint(1, 250)))),
        "postcode": postcode,
        "city": city,
        "region": region,
    }
    address = [voice.text(line.format(**slots)) for line in template]
    for line in address:
        sheet.center((value(line, "address", "merchant.address"),))
    phone = None
    if rng.random() < 0.7:
        phone = locale.pattern(voice.word("phone_pattern"), rng)
        label = voice.text(voice.word("phone"))
        sheet.center((key(label, "phone"), SPACE, value(phone, "phone", "merchant.phone")))
    tax_id = None
    if tax_id_here:
        tax_id = tax_id_line(sheet, voice, centred=True)
    return Merchant(name=name, address=" ".join(address), phone=phone, tax_id=tax_id)


def tax_id_line(sheet: Sheet, voice: Voice, *, centred: bool) -> str:
    label, pattern = voice.word("tax_id").split("|")
    tax_id = voice.locale.pattern(pattern, voice.rng)
    parts = (key(voice.text(label), "tax_id"), SPACE, value(tax_id, "tax_id", "merchant.tax_id"))
    if centred:
        sheet.center(parts)
    else:
        sheet.left(parts)
    return tax_id


def draw_stamp(voice: Voice, dates: tuple[dt.date, dt.date], hours: tuple[int, int]) -> Stamp:
    rng, locale = voice.rng, voice.locale
    first, last = dates
    date = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
    seconds = rng.randrange(60) if "{SS}" in voice.time_format else 0
    time = dt.time(rng.randint(*hours), rng.randrange(60), seconds)
    number = locale.pattern(voice.word("receipt_pattern"), rng)
    till = str(rng.randint(1, 12)) if voice.has("till") and rng.random() < 0.6 else None
    person = rng.choice(locale.people) if rng.random() < 0.7 else None
    return Stamp(date, time, number, till, person)


def when(sheet: Sheet, voice: Voice, stamp: Stamp) -> None:
    """Date and time: labelled pair, one run-on cell, or a line each."""
    date = value(voice.date(stamp.date), "date", "date")
    time = value(voice.time(stamp.time), "time", "time")
    date_label, time_label = voice.word("date_label"), voice.word("time_label")
    dated = (key(voice.text(date_label), "date"), SPACE, date) if date_label else (date,)
    timed = (key(voice.text(time_label), "time"), SPACE, time) if time_label else (time,)
    style = voice.rng.random()
    if style < 0.5:
        sheet.pair(dated, timed)
    elif style < 0.8:
        sheet.left((*dated, Part("  "), *timed))
    else:
        sheet.left(dated)
        sheet.left(timed)


def numbers(sheet: Sheet, voice: Voice, stamp: Stamp, kind: str) -> None:
    """Receipt number, till and the person who served (a server in a restaurant)."""
    label = voice.text(voice.word("receipt_no"))
    receipt_number = value(stamp.receipt_number, "receipt_number", "receipt_number")
    number = (key(label, "receipt_number"), SPACE, receipt_number)
    if stamp.till is not None:
        till = (Part(voice.text(voice.word("till").format(n=stamp.till))),)
        sheet.pair(number, till)
    else:
        sheet.left(number)
    if stamp.person is not None:
        word = "server" if kind == "restaurant" else "cashier"
        sheet.left(person(voice, word, stamp.person))


def person(voice: Voice, word: str, name: str) -> tuple[Part, ...]:
    """ "Es bediente Sie: Anna": a cashier line, never the merchant."""
    before, after = split_slot(voice.word(word), "name")
    parts: list[Part] = []
    if before.strip():
        parts += [key(voice.text(before.rstrip()), "cashier"), SPACE]
    parts.append(value(voice.text(name), "cashier"))
    if after.strip():
        parts += [SPACE, key(voice.text(after.strip()), "cashier")]
    return tuple(parts)


def pay(sheet: Sheet, voice: Voice, total: Decimal, *, cash: bool) -> Payment:
    """Cash with change, or a card slip with the masked number."""
    if cash:
        return _cash(sheet, voice, total)
    return _card(sheet, voice, total)


def _cash(sheet: Sheet, voice: Voice, total: Decimal) -> Payment:
    rng = voice.rng
    tendered = cash_tendered(total, voice.locale.notes, rng)
    method = value(voice.text(voice.word("cash")), "payment", "payment.method")
    label = fill(voice.word("tendered"), "payment", voice, method=method)
    paid = (value(voice.money(tendered), "payment", "payment.tendered"),)
    sheet.pair(label, paid)
    change = tendered - total
    shown = change or rng.random() < 0.5
    if shown:
        change_label = (key(voice.text(voice.word("change")), "change"),)
        sheet.pair(change_label, (value(voice.money(change), "change", "payment.change"),))
    return Payment(method=PaymentMethod.CASH, tendered=tendered, change=change if shown else None)


def _card(sheet: Sheet, voice: Voice, total: Decimal) -> Payment:
    rng = voice.rng
    last4 = f"{rng.randrange(10000):04d}"
    brand = voice.text(voice.word("card"))
    method = value(brand, "payment", "payment.method")
    label = fill(voice.word("card_paid"), "payment", voice, method=method)
    sheet.pair(label, (value(voice.money(total), "payment", "payment.tendered"),))
    if rng.random() < 0.8:
        masked = voice.word("card_mask").format(last4=last4)
        number = value(masked, "card", "payment.card_last4")
        sheet.left(fill(voice.word("card_number"), "card", voice, masked=number))
        extras = voice.locale.phrases("card_extra")
        for pattern in rng.sample(extras, min(len(extras), rng.randint(0, 3))):
            extra = voice.locale.pattern(pattern, rng)
            sheet.left((Part(voice.text(extra), "card"),), role="card")
        return Payment(method=PaymentMethod.CARD, card_last4=last4, tendered=total)
    return Payment(method=PaymentMethod.CARD, tendered=total)


def foot(
    sheet: Sheet,
    voice: Voice,
    shop: Shop,
    *,
    tax_id_here: bool,
    stamp: Stamp | None,
) -> str | None:
    """Thanks, maybe the stamp, the legal name and the tax id; returns the tax id printed."""
    rng = voice.rng
    sheet.blank()
    if stamp is not None:
        when(sheet, voice, stamp)
        numbers(sheet, voice, stamp, shop.kind)
    thanks = voice.locale.phrases("thanks")
    for line in rng.sample(thanks, min(len(thanks), rng.randint(1, 2))):
        sheet.center(plain(voice.text(line)))
    if voice.has("footer") and rng.random() < 0.4:
        sheet.center(plain(voice.fresh("footer")))
    if shop.legal and rng.random() < 0.4:
        sheet.center((Part(shop.legal, "merchant"),))  # the company, not the name on top
    if tax_id_here:
        return tax_id_line(sheet, voice, centred=rng.random() < 0.5)
    return None


def fits_cash(rng: random.Random, share: float = 0.45) -> bool:
    return rng.random() < share
