"""Receipts from Germany, France, Spain, Italy, the Netherlands, Portugal and Malaysia, read
end to end: the amount due over payment and change, VAT tables as taxes (never items, never
the total), the currency from words or the language, dates with month names."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from local_receipts_support import Printed, lines_of

from receiptflow.extractors.local.parser import ParsedReceipt, parse_lines


def summary(parsed: ParsedReceipt) -> str:
    """ "total currency date | payment | taxes, inside the prices or not | | language"."""
    receipt, payment = parsed.receipt, parsed.receipt.payment
    paid = f"{payment.method} {payment.tendered} {payment.change}" if payment else "-"
    taxes = " ".join(f"{tax.rate}%={tax.amount}" for tax in receipt.taxes) or "-"
    inside = {tax.inclusive for tax in receipt.taxes}
    taxes += {frozenset({True}): " incl", frozenset({False}): " excl"}.get(frozenset(inside), "")
    return (
        f"{receipt.total} {receipt.currency} {receipt.date} | {paid} | {taxes} | "
        f"{len(receipt.line_items)} | {parsed.language.code}"
    )


def _parsed(rows: list[Printed]) -> ParsedReceipt:
    return parse_lines(lines_of(rows))


REWE: list[Printed] = [
    "REWE Markt GmbH",
    "Hauptstr. 12",
    "10115 Berlin",
    "UID Nr.: DE812706034",
    ("", "EUR"),
    ("SPUELMITTEL", "1,49 A"),
    ("KUECHENROLLE", "2,99 A"),
    ("MINERALWASSER", "0,96 A"),
    ("PFAND", "0,25 A"),
    ("BIO BANANE", "1,79 B"),
    ("VOLLMILCH 3,5%", "1,19 B"),
    ("BUTTER", "2,29 B"),
    ("EIER 10ER", "3,49 B"),
    ("BROT", "2,99 B"),
    ("KAESE GOUDA", "2,79 B"),
    ("TOMATEN", "1,99 B"),
    ("NUDELN", "0,99 B"),
    ("ZUCKER 1KG", "1,02 B"),
    "--------------------------------",
    ("ZU ZAHLEN EURO", "24,23"),
    ("BARGELD", "50,00"),
    ("ZURÜCK", "25,77"),
    ("Steuer", "%", "Netto", "Steuer", "Brutto"),
    ("A=", "19,0%", "4,78", "0,91", "5,69"),
    ("B=", "7,0%", "17,33", "1,21", "18,54"),
    ("Gesamtbetrag", "22,11", "2,12", "24,23"),
    ("Datum:", "14.12.2023", "18:32"),
    "Vielen Dank für Ihren Einkauf",
]
LIDL: list[Printed] = [  # change printed negative, the tax column before the net one
    "LIDL Dienstleistung GmbH",
    "Schillerstr. 5",
    "04109 Leipzig",
    ("Bio Bananen", "1,29 A"),
    ("Vollmilch", "0,99 A"),
    ("Kaffee gemahlen", "4,99 A"),
    ("Spülmittel", "0,95 B"),
    ("zu zahlen", "8,22"),
    ("Bar", "10,00"),
    ("Rückgeld", "-1,78"),
    ("MWST%", "MWST", "+", "Netto", "=", "Brutto"),
    ("A 7%", "0,47", "6,80", "7,27"),
    ("B 19%", "0,15", "0,80", "0,95"),
    ("Summe", "0,62", "7,60", "8,22"),
    "14.12.23 18:32",
]
CARREFOUR: list[Printed] = [
    "CARREFOUR MARKET",
    "12 RUE DE LA PAIX",
    "75002 PARIS",
    "TEL 01 42 00 00 00",
    "Samedi 3 févr. 2024 12:14",
    ("BAGUETTE TRADITION", "1,10"),
    ("CAMEMBERT PRESIDENT", "2,35"),
    ("VIN ROUGE BORDEAUX", "6,90"),
    ("POMMES GOLDEN 1,2KG", "3,15"),
    ("TOTAL TTC", "13,50"),
    ("ESPECES", "20,00"),
    ("RENDU", "6,50"),
    ("TAUX", "HT", "TVA", "TTC"),
    ("TVA 5,5%", "6,26", "0,34", "6,60"),
    ("TVA 20%", "5,75", "1,15", "6,90"),
    "MERCI DE VOTRE VISITE",
]
BISTRO: list[Printed] = [  # the tax added to the net total: not inside the prices
    "LE PETIT ZINC",
    "11 RUE SAINT-BENOIT 75006 PARIS",
    "Le 12/01/2024",
    ("2 MENU DU JOUR", "40,00"),
    ("1 CAFE", "2,50"),
    ("TOTAL HT", "42,50"),
    ("TVA 10%", "4,25"),
    ("TOTAL TTC", "46,75"),
    ("CB", "46,75"),
    "MERCI ET A BIENTOT",
]
MERCADONA: list[Printed] = [
    "MERCADONA, S.A.",
    "C/ MAYOR 15",
    "28013 MADRID",
    "NIF A-46103834",
    "FACTURA SIMPLIFICADA 2891-013-123456",
    "12 de marzo de 2024 19:45",
    ("1 LECHE ENTERA", "0,89"),
    ("1 PAN DE MOLDE", "1,35"),
    ("2 ACEITE OLIVA", "4,50", "9,00"),
    ("1 JAMON SERRANO", "3,95"),
    ("TOTAL (€)", "15,19"),
    ("EFECTIVO", "20,00"),
    ("CAMBIO", "4,81"),
    ("IVA", "BASE IMPONIBLE (€)", "CUOTA (€)"),
    ("10%", "13,81", "1,38"),
    "GRACIAS POR SU VISITA",
]
CONAD: list[Printed] = [
    "SUPERMERCATO CONAD",
    "VIA ROMA 21",
    "20121 MILANO",
    "P.IVA 01234567890",
    "DOCUMENTO COMMERCIALE",
    ("", "EURO"),
    ("PASTA BARILLA 500G", "0,99"),
    ("PARMIGIANO REGGIANO", "5,49"),
    ("VINO CHIANTI", "6,90"),
    ("TOTALE COMPLESSIVO", "13,38"),
    ("DI CUI IVA", "1,92"),  # "of which VAT": inside the prices
    ("CONTANTI", "20,00"),
    ("RESTO", "6,62"),
    "15 mar 2024 11:02",
    "GRAZIE E ARRIVEDERCI",
]
ALBERT_HEIJN: list[Printed] = [  # 9% of the gross: the table prints no net column
    "ALBERT HEIJN 1234",
    "DAMRAK 1",
    "1012 LM AMSTERDAM",
    ("OMSCHRIJVING", "BEDRAG"),
    ("HALFVOLLE MELK", "1,09"),
    ("GOUDA KAAS 48+", "4,99"),
    ("COLA 1,5L", "1,69"),
    ("STATIEGELD", "0,15"),
    ("TOTAAL", "7,92"),
    ("PINNEN", "7,92"),
    ("BTW", "OVER", "BTW"),
    ("9%", "7,92", "0,65"),
    "7 mrt. 2024 10:15",
    "BEDANKT EN TOT ZIENS",
]
CAFE: list[Printed] = [
    "CAFE DE JAREN",
    "NIEUWE DOELENSTRAAT 20",
    "1012 CP AMSTERDAM",
    ("2 KOFFIE", "6,00"),
    ("1 APPELTAART", "4,50"),
    ("TOTAAL", "10,50"),
    ("CONTANT", "20,00"),
    ("WISSELGELD", "9,50"),
    ("BTW 9%", "0,87"),
    "DATUM 02-05-2024",
    "BEDANKT",
]
PINGO_DOCE: list[Printed] = [
    "PINGO DOCE",
    "RUA AUGUSTA 100",
    "1100-053 LISBOA",
    "NIF 500829993",
    "FATURA SIMPLIFICADA FS 123/4567",
    "15 de março de 2024 09:30",
    ("PAO DE FORMA", "1,29"),
    ("LEITE MEIO GORDO", "0,79"),
    ("BACALHAU", "8,99"),
    ("TOTAL", "11,07"),
    ("NUMERARIO", "20,00"),
    ("TROCO", "8,93"),
    ("TAXA", "BASE", "IVA"),
    ("6%", "10,44", "0,63"),
    "OBRIGADO VOLTE SEMPRE",
]
KEDAI: list[Printed] = [
    "KEDAI RUNCIT MAJU",
    "NO 12 JALAN SS2/24",
    "47300 PETALING JAYA",
    ("TARIKH: 12 OGOS 2023", "MASA: 14:22"),
    ("BERAS 5KG", "18.90"),
    ("MINYAK MASAK", "6.50"),
    ("GULA 1KG", "2.85"),
    ("JUMLAH", "28.25"),
    ("TUNAI", "50.00"),
    ("BAKI", "21.75"),
    "TERIMA KASIH SILA DATANG LAGI",
]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            REWE,
            "24.23 EUR 2023-12-14 | cash 50.00 25.77 | 19.0%=0.91 7.0%=1.21 incl | 13 | de",
        ),
        (
            LIDL,
            "8.22 EUR 2023-12-14 | cash 10.00 1.78 | 7%=0.47 19%=0.15 incl | 4 | de",
        ),
        (
            CARREFOUR,
            "13.50 EUR 2024-02-03 | cash 20.00 6.50 | 5.5%=0.34 20%=1.15 incl | 4 | fr",
        ),
        (BISTRO, "46.75 EUR 2024-01-12 | card 46.75 None | 10%=4.25 excl | 2 | fr"),
        (MERCADONA, "15.19 EUR 2024-03-12 | cash 20.00 4.81 | 10%=1.38 incl | 4 | es"),
        (CONAD, "13.38 EUR 2024-03-15 | cash 20.00 6.62 | None%=1.92 incl | 3 | it"),
        (ALBERT_HEIJN, "7.92 EUR 2024-03-07 | card 7.92 None | 9%=0.65 incl | 4 | nl"),
        (CAFE, "10.50 EUR 2024-05-02 | cash 20.00 9.50 | 9%=0.87 incl | 2 | nl"),
        (PINGO_DOCE, "11.07 EUR 2024-03-15 | cash 20.00 8.93 | 6%=0.63 incl | 3 | pt"),
        (KEDAI, "28.25 MYR 2023-08-12 | cash 50.00 21.75 | - | 3 | ms"),
    ],
    ids=["de", "de-discounter", "fr", "fr-bistro", "es", "it", "nl", "nl-cafe", "pt", "ms"],
)
def test_receipts_from_each_country(rows: list[Printed], expected: str) -> None:
    assert summary(_parsed(rows)) == expected


def test_payment_change_and_the_vat_table_are_never_items() -> None:
    items = [(item.description, item.amount) for item in _parsed(REWE).receipt.line_items]
    assert sum(amount or 0 for _, amount in items) == Decimal("24.23")
    assert ("PFAND", Decimal("0.25")) in items  # a deposit is charged like an item
    printed = " ".join(description for description, _ in items).upper()
    for not_an_item in ("ZAHLEN", "BARGELD", "ZURÜCK", "NETTO", "GESAMT", "19,0%"):
        assert not_an_item not in printed
    dutch = [item.description for item in _parsed(ALBERT_HEIJN).receipt.line_items]
    assert dutch == ["HALFVOLLE MELK", "GOUDA KAAS 48+", "COLA 1,5L", "STATIEGELD"]


def test_the_language_gives_the_currency_only_when_nothing_printed_does() -> None:
    swiss: list[Printed] = ["MIGROS ZUERICH", ("SUMME CHF", "12,40"), ("BAR", "20,00")]
    swiss.append(("RÜCKGELD", "7,60"))
    assert _parsed(swiss).receipt.currency == "CHF"
    english: list[Printed] = ["CORNER SHOP", ("TOTAL", "4.50"), ("CASH", "5.00")]
    english.append(("CHANGE", "0.50"))
    assert _parsed(english).receipt.currency is None  # English is printed everywhere


@given(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
    st.sampled_from(["", " A", " B", " F", " T", " *"]),
)
def test_amounts_in_both_conventions_are_the_total(value: Decimal, tax_code: str) -> None:
    european = f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    german: list[Printed] = [
        "BAECKEREI MUELLER",
        ("BROT", european + tax_code),
        ("SUMME EUR", european),
        ("BAR", european),
    ]
    english: list[Printed] = [
        "CORNER DELI",
        ("SANDWICH", f"{value:,.2f}" + tax_code),
        ("TOTAL", f"${value:,.2f}"),
    ]
    assert _parsed(german).receipt.total == value
    assert _parsed(english).receipt.total == value
