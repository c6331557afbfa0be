"""How receipts print in one country and language, read from ``data/locales/<code>.toml``.

Each file holds the currency and how amounts print, date and time formats with the month
names of that language, several phrasings for every printed label, shops, streets, people
and what the shops sell. A contributor extends a locale by editing its file; nothing here
knows a word of any language. ``samples/README.md`` lists the keys.
"""

from __future__ import annotations

import datetime as dt
import random
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from receiptflow.errors import ReceiptflowError
from receiptflow.samples.style import Style
from receiptflow.schemas.currency import currency_exponent

LOCALE_DIR = Path(__file__).resolve().parent / "data" / "locales"


class LocaleError(ReceiptflowError):
    """A locale file is missing or lacks a key the generator needs."""


@dataclass(frozen=True)
class Shop:
    kind: str  # supermarket, cafe, restaurant, gas_station
    brand: str  # printed at the top: the merchant name
    legal: str | None = None  # the company behind it, printed in some footers
    slogan: str | None = None


@dataclass(frozen=True)
class Product:
    name: str
    price: Decimal
    tax: str = ""  # a code of Locale.tax_rates; "" = not taxed
    unit: str = ""  # "" counted; "kg", "lb", "l", "gal" measured; "deposit" bottle with deposit


@dataclass(frozen=True)
class Locale:
    code: str
    currency: str
    decimal: str
    thousands: str
    amount_formats: tuple[str, ...]  # an amount with its currency: "{a} EUR", "$ {a}"
    date_formats: tuple[str, ...]
    time_formats: tuple[str, ...]
    months: tuple[str, ...]
    months_abbr: tuple[str, ...]
    weekdays: tuple[str, ...]
    tax_inclusive: bool
    tax_rates: Mapping[str, tuple[Decimal, ...]]  # tax code after amounts -> percent choices
    tax_names: tuple[str, ...]  # "MwSt", "TVA", "Sales Tax": the word in tax labels
    words: Mapping[str, tuple[str, ...]]
    places: tuple[tuple[str, str, str], ...]  # postcode, city, region
    streets: tuple[str, ...]
    people: tuple[str, ...]
    shops: tuple[Shop, ...]
    catalog: Mapping[str, tuple[Product, ...]]
    notes: tuple[int, ...]  # what cash customers hand over
    cash_step: Decimal | None  # cash totals round to this (NL, AU, MY), else None
    deposit: Decimal | None  # per-bottle deposit (Pfand, statiegeld, CRV)
    deposit_tax: str  # the tax code of a deposit line
    tip_share: float  # how often a restaurant receipt carries a tip
    service_rate: Decimal | None  # a restaurant service charge, percent
    service_share: float  # how often a restaurant adds it
    tax_id_share: float  # how often a receipt prints the shop's tax id
    upper_share: float  # how often a shop prints everything in capitals
    marks_share: float  # how often a till prints the tax code after each amount
    subtotal_share: float  # how often a shop prints a subtotal line

    @property
    def places_of_money(self) -> int:
        return currency_exponent(self.currency)

    def phrases(self, key: str) -> tuple[str, ...]:
        try:
            return self.words[key]
        except KeyError:
            raise LocaleError(f"locale {self.code} has no words for {key!r}") from None

    def number(self, value: Decimal, places: int | None = None) -> str:
        style = Style(decimal_sep=self.decimal, thousands_sep=self.thousands)
        return style.number(value, self.places_of_money if places is None else places)

    def date(self, value: dt.date, pattern: str) -> str:
        return pattern.format(
            d=value.day,
            dd=f"{value.day:02d}",
            m=value.month,
            mm=f"{value.month:02d}",
            yy=f"{value.year % 100:02d}",
            yyyy=value.year,
            mon=self.months_abbr[value.month - 1],
            MON=self.months_abbr[value.month - 1].upper(),
            month=self.months[value.month - 1],
            wd=self.weekdays[value.weekday()],
        )

    @staticmethod
    def time(value: dt.time, pattern: str) -> str:
        hour12 = value.hour % 12 or 12
        return pattern.format(
            H=value.hour,
            HH=f"{value.hour:02d}",
            h=hour12,
            hh=f"{hour12:02d}",
            MM=f"{value.minute:02d}",
            SS=f"{value.second:02d}",
            ampm="am" if value.hour < 12 else "pm",
            AMPM="AM" if value.hour < 12 else "PM",
        )

    def shops_of(self, kind: str) -> tuple[Shop, ...]:
        return tuple(shop for shop in self.shops if shop.kind == kind)

    def products(self, kind: str) -> tuple[Product, ...]:
        return self.catalog.get(kind, ())

    def pattern(self, pattern: str, rng: random.Random) -> str:
        """``#`` -> a digit, ``@`` -> a capital letter: tax ids, phone numbers, codes."""
        return "".join(
            str(rng.randrange(10))
            if char == "#"
            else chr(65 + rng.randrange(26))
            if char == "@"
            else char
            for char in pattern
        )


def _texts(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    return tuple(str(value) for value in data.get(key, ()))


def _optional_decimal(value: Any) -> Decimal | None:
    return Decimal(str(value)) if value not in (None, "") else None


def _product(row: list[Any]) -> Product:
    name, price, *rest = row
    tax = str(rest[0]) if rest else ""
    unit = str(rest[1]) if len(rest) > 1 else ""
    return Product(str(name), Decimal(str(price)), tax, unit)


def parse_locale(data: Mapping[str, Any]) -> Locale:
    money, dates, tax = data["money"], data["dates"], data["tax"]
    customs = data.get("customs", {})
    words = {key: _texts(data["words"], key) for key in data["words"]}
    shops = tuple(
        Shop(kind, entry["brand"], entry.get("legal"), entry.get("slogan"))
        for kind, entries in data["shops"].items()
        for entry in entries
    )
    return Locale(
        code=data["code"],
        currency=data["currency"],
        decimal=money["decimal"],
        thousands=money["thousands"],
        amount_formats=_texts(money, "with_currency"),
        date_formats=_texts(dates, "formats"),
        time_formats=_texts(dates, "times"),
        months=_texts(dates, "months"),
        months_abbr=_texts(dates, "months_abbr"),
        weekdays=_texts(dates, "weekdays"),
        tax_inclusive=bool(tax["inclusive"]),
        tax_rates={
            str(code): tuple(Decimal(r) for r in str(rates).split("|"))
            for code, rates in tax["rates"]
        },
        tax_names=_texts(tax, "names"),
        words=words,
        places=tuple((str(p), str(c), str(r)) for p, c, r in data["address"]["places"]),
        streets=_texts(data["address"], "streets"),
        people=_texts(data["people"], "names"),
        shops=shops,
        catalog={kind: tuple(map(_product, rows)) for kind, rows in data["catalog"].items()},
        notes=tuple(int(note) for note in customs.get("notes", (5, 10, 20, 50))),
        cash_step=_optional_decimal(customs.get("cash_step")),
        deposit=_optional_decimal(customs.get("deposit")),
        deposit_tax=str(customs.get("deposit_tax", "")),
        tip_share=float(customs.get("tip_share", 0.0)),
        service_rate=_optional_decimal(customs.get("service_rate")),
        service_share=float(customs.get("service_share", 0.7)),
        tax_id_share=float(customs.get("tax_id_share", 0.8)),
        upper_share=float(customs.get("upper_share", 0.3)),
        marks_share=float(customs.get("marks_share", 0.5)),
        subtotal_share=float(customs.get("subtotal_share", 0.5)),
    )


def available_locales() -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in LOCALE_DIR.glob("*.toml")))


@cache
def load_locale(code: str) -> Locale:
    path = LOCALE_DIR / f"{code}.toml"
    if not path.exists():
        raise LocaleError(f"no locale {code!r}; choose from {', '.join(available_locales())}")
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    try:
        return parse_locale(data)
    except (KeyError, ValueError, TypeError) as error:
        raise LocaleError(f"{path.name}: {error!r}") from error
