"""Merchant name and address from the header rows."""

from __future__ import annotations

import pytest
from local_receipts_support import Printed, lines_of

from receiptflow.extractors.local.address import tidy_address
from receiptflow.extractors.local.header import find_header
from receiptflow.extractors.local.header_rules import is_reg_row, name_score
from receiptflow.extractors.local.layout import group_rows


def header_of(rows: list[Printed]):  # type: ignore[no-untyped-def]
    return find_header(group_rows(lines_of(rows)))


def test_name_spread_over_two_rows_is_joined() -> None:
    header = header_of(
        [
            "POPULAR BOOK",
            "CO. (M) SDN BHD",
            "(CO. NO. 113825-W)",
            "NO 8, JALAN 7/118B, DESA TUN RAZAK",
            "56000 KUALA LUMPUR, MALAYSIA",
            "TEL : 03-9201 6281",
        ]
    )
    assert header.name == "POPULAR BOOK CO. (M) SDN BHD"
    assert header.address == "NO 8, JALAN 7/118B, DESA TUN RAZAK 56000 KUALA LUMPUR, MALAYSIA"


def test_registration_number_is_cut_from_the_name() -> None:
    header = header_of(
        [
            "DION REALTIES SDN BHD (CO. NO:20154-T)",
            "MENARA DION #02-03, LEVEL 2,",
            "27, JALAN SULTAN ISMAIL,",
            "50250 KUALA LUMPUR.",
            "TEL : + 6 03 2026 6386",
        ]
    )
    assert header.name == "DION REALTIES SDN BHD"
    assert header.address == (
        "MENARA DION #02-03, LEVEL 2, 27, JALAN SULTAN ISMAIL, 50250 KUALA LUMPUR."
    )


@pytest.mark.parametrize(
    ("name_row", "name"),
    [
        (("YONG CEN ENTERPRISE", "POSTED"), "YONG CEN ENTERPRISE"),  # an accountant's stamp
        (("(P)", "SEGI CASH & CARRY SDN. BHD."), "SEGI CASH & CARRY SDN. BHD."),
        (("HASHA PETROKIOSK", "COMPANY NO: JM0632980-V"), "HASHA PETROKIOSK"),
        (("PRE-PAID MOBILE SDN BHD",), "PRE-PAID MOBILE SDN BHD"),
    ],
)
def test_stamps_and_registration_labels_beside_the_name(name_row: Printed, name: str) -> None:
    header = header_of([name_row, "9, JALAN SUBANG JASA 3,", "40150 SHAH ALAM, SELANGOR."])
    assert header.name == name


def test_name_without_legal_suffix_is_the_row_above_the_address() -> None:
    header = header_of(
        [
            "TAN WOON YANN",
            "INDAH GIFT & HOME DECO",
            "27,JALAN DEDAP 13,",
            "TAMAN JOHOR JAYA,",
            "81100 JOHOR BAHRU,JOHOR.",
            "TEL:07-3507405",
        ]
    )
    assert header.name == "INDAH GIFT & HOME DECO"
    assert header.address == "27,JALAN DEDAP 13, TAMAN JOHOR JAYA, 81100 JOHOR BAHRU,JOHOR."


def test_a_notice_above_the_name_is_not_the_name() -> None:
    header = header_of(
        [
            "GOODS SOLD ARE NOT RETURNABLE. TQ",
            "SEGI CASH & CARRY SDN. BHD.",
            "PT17920 SEK U9, SHAH ALAM",
            "GST REG NO : 001951645696",
        ]
    )
    assert header.name == "SEGI CASH & CARRY SDN. BHD."
    assert header.address == "PT17920 SEK U9, SHAH ALAM"


def test_an_outlet_number_a_tax_number_or_a_priced_item_is_not_the_name() -> None:
    # a store's number under its name carries the trade word STORE, and is still no name
    header = header_of(["DISNEY PARKS", "Crystal Palace", "Store Number 322", "Lake Buena Vista"])
    assert header.name == "DISNEY PARKS"
    # India's GSTIN under the brand
    header = header_of(["Jungle Jamboree", "GSTIN:07AAEFF2441G12S", "UNIT OF: FUTOMIC DINERS"])
    assert header.name != "GSTIN:07AAEFF2441G12S"
    # a German "SB" (self-service) item whose letters read as a legal suffix
    header = header_of(["Netto", "Heidelberg", ("SB Schinkenspeck 300g", "2,29 B")])
    assert header.name == "Netto"
    # the outlet's number printed before the name is no part of it
    header = header_of([("Store 1", "G.W.P.LLC"), "300 WASHINGTON WAY", "CASHIER: SYSADMIN"])
    assert header.name == "G.W.P.LLC"


def test_address_ends_before_phone_but_keeps_town_printed_beside_it() -> None:
    header = header_of(
        [
            "MOONLIGHT CAKE HOUSE SDN BHD 862725-U",
            "NO.1, JALAN PERMAS 10/5, BANDAR BARU PERMAS JAYA",
            "81750 JOHOR BAHRU, JOHOR, TEL NO.: 07-387 3322",
            "WWW.MOONLIGHTCAKE.COM",
        ]
    )
    assert header.name == "MOONLIGHT CAKE HOUSE SDN BHD"
    assert header.address == (
        "NO.1, JALAN PERMAS 10/5, BANDAR BARU PERMAS JAYA 81750 JOHOR BAHRU, JOHOR"
    )


def test_mall_name_after_the_town_is_not_address() -> None:
    header = header_of(
        [
            "BEST SHOP SDN BHD",
            "LOT 5, JALAN BESAR,",
            "47400 PETALING JAYA, SELANGOR",
            "SUNWAY VELOCITY",
            "TEL : 03-1234 5678",
        ]
    )
    assert header.address == "LOT 5, JALAN BESAR, 47400 PETALING JAYA, SELANGOR"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(867388-U)", True),
        ("CO-REG:860671-D", True),
        ("COMPANY NO: 002643278-A", True),
        ("(CO. NO. JM0195368-D)", True),
        ("LOT 37636 , JALAN 6/37A", False),
        ("SDN BHD 862725-U", False),
    ],
)
def test_registration_rows(text: str, expected: bool) -> None:
    assert is_reg_row(text) is expected


def test_name_score_prefers_legal_suffix_over_trade_word() -> None:
    assert name_score("TRI SHAAS SDN BHD (728515-M)") > name_score("MYDIN MART SRI MUDA") > 0
    assert name_score("TAX INVOICE") == 0
    assert name_score("(867388-U)") == 0


def test_address_ends_at_a_phone_number_even_with_a_garbled_label() -> None:
    header = header_of(
        [
            "GUARDIAN HEALTH AND BEAUTY SDN BHD",
            "No 15 Jalan Bandar Rawang 10",
            "Bandar Baru Rawang",
            "lel:03-60952052",
            "Company Keg #1101085-1",
        ]
    )
    assert header.address == "No 15 Jalan Bandar Rawang 10 Bandar Baru Rawang"


def test_rows_after_an_open_town_row_stay_in_the_address() -> None:
    header = header_of(
        [
            "SINNATHAMBY HOLDINGS SDN. BHD.",
            "NO.17, 18 & 41, JALAN BESAR,",
            "39100 BRINCHANG,",
            "CAMERON HIGHLANDS,",
            "PAHANG",
            "GST REG.:002120876032",
        ]
    )
    assert (
        header.address == "NO.17, 18 & 41, JALAN BESAR, 39100 BRINCHANG, CAMERON HIGHLANDS, PAHANG"
    )


def test_town_printed_under_a_row_ending_on_the_postcode() -> None:
    header = header_of(
        [
            "RESTORAN HASSAN BISTRO",
            "NO.2-1-1 JALAN SETIA PRIMA Q",
            "U 13/Q SETIA ALAM 40170",
            "SHAH ALAM",
            "SELANGOR",
            "TAX INVOICE",
        ]
    )
    assert (
        header.address == "NO.2-1-1 JALAN SETIA PRIMA Q U 13/Q SETIA ALAM 40170 SHAH ALAM SELANGOR"
    )


@pytest.mark.parametrize(
    ("mall", "expected_first"),
    [("PARADIGM MALL", "PARADIGM MALL"), ("MALL OF MEDINI", "MALL OF MEDINI")],
)
def test_mall_row_stays_when_no_postcode_follows(mall: str, expected_first: str) -> None:
    header = header_of(
        ["T PLUS F&B SDN. BHD.", mall, "LOT NO.: 4F-27 & 4FK-38, 4TH FLOOR", "TEL : 03-1234 5678"]
    )
    assert header.address == f"{expected_first} LOT NO.: 4F-27 & 4FK-38, 4TH FLOOR"


def test_mall_row_goes_when_postcode_and_town_follow() -> None:
    header = header_of(
        [
            "MENTAI INITIAL SDN BHD (1206674-T)",
            "SUSHI MENTAI PLAZA DANAU",
            "NO.37-1, PLAZA DANAU DESA 2,",
            "58100 KUALA LUMPUR.",
            "TEL : 03-1234 5678",
        ]
    )
    assert header.address == "NO.37-1, PLAZA DANAU DESA 2, 58100 KUALA LUMPUR."


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("SANYUSTATIONERYSHOP", "SANYU STATIONERY SHOP"),
        ("EDEN IMPRESSIONSDN BHD", "EDEN IMPRESSION SDN BHD"),
        ("99 SPEED MARTS/B", "99 SPEED MART S/B"),
        ("TIMELESS KITCHENETTE SDN BHD", "TIMELESS KITCHENETTE SDN BHD"),
        ("AIK HUAT ENTERPRISE(SETIA ALAM)SDN BHD", "AIK HUAT ENTERPRISE (SETIA ALAM) SDN BHD"),
        ("MR.D.I.Y. (M) SDN BHD", "MR. D.I.Y. (M) SDN BHD"),
        ("AIK HUAT_HARDWARE SDN BHD", "AIK HUAT HARDWARE SDN BHD"),
        ("MR. D.1.Y. (M) SDN BHD", "MR. D.I.Y. (M) SDN BHD"),
        ("99 SPEED MART 5/B", "99 SPEED MART S/B"),
        ("Taste Of The WorId Sdn Bhd", "Taste Of The World Sdn Bhd"),
        ("EIGHT OUNCE COFFEE CO. THE GARDENS MALL", "EIGHT OUNCE COFFEE CO."),
        ("BEMED (SP) SDN. BHD. P", "BEMED (SP) SDN. BHD."),
        (
            "CHECKERS HYPERMARKET SDN BHD (JALAN KLANG LAMA)",
            "CHECKERS HYPERMARKET SDN BHD (JALAN KLANG LAMA)",
        ),
    ],
)
def test_name_spacing_lost_by_ocr_is_restored(printed: str, expected: str) -> None:
    header = header_of([printed, "NO 8, JALAN 7/118B, DESA TUN RAZAK", "TEL : 03-9201 6281"])
    assert header.name == expected


def test_postcode_glued_to_town_is_split() -> None:
    header = header_of(
        [
            "KEDAI ABC SDN BHD",
            "NO.2, JALAN TEMENGGUNG 19/9,",
            "43200Cheras, Selangor",
            "TEL : 03-1234 5678",
        ]
    )
    assert header.address == "NO.2, JALAN TEMENGGUNG 19/9, 43200 Cheras, Selangor"


def test_brand_printed_alone_above_its_branch_row_is_the_name() -> None:
    header = header_of(
        [
            "TAX INVOICE",
            "DOMINO'S PIZZA",
            "GST REF NO : 001694261248",
            "DOMINO'S PIZZA PERMAS JAYA",
            "NO.12, JALAN PERMAS JAYA 10,",
            "81750 MASAI JOHOR",
        ]
    )
    assert header.name == "DOMINO'S PIZZA"
    assert header.address == "NO.12, JALAN PERMAS JAYA 10, 81750 MASAI JOHOR"


def test_legal_name_extending_the_brand_row_stays_the_name() -> None:
    header = header_of(
        ["PREMIO", "PREMIO STATIONERY SDN BHD", "NO 5, JALAN SS 2/3", "TEL : 03-1234 5678"]
    )
    assert header.name == "PREMIO STATIONERY SDN BHD"


@pytest.mark.parametrize(
    ("read", "printed"),
    [
        (
            "Lot 38. 39 101 Boulevard. Jalan Kenari 5. Bandar Puchong",
            "Lot 38, 39 101 Boulevard, Jalan Kenari 5, Bandar Puchong",
        ),
        ("NO. 3, JALAN SS21/39, SELANGOR D.E.", "NO. 3, JALAN SS21/39, SELANGOR D.E."),
        ("NO290, JALAN AIR PANAS", "NO 290, JALAN AIR PANAS"),
        ("LOTP.T. 2811, JALAN ANGSA", "LOT P.T. 2811, JALAN ANGSA"),
        ("NO 29O, JALAN AIR PANAS", "NO 290, JALAN AIR PANAS"),
        ("LOT 1O5, JALAN BESAR", "LOT 105, JALAN BESAR"),
        ("BLOK 2O, JALAN", "BLOK 2O, JALAN"),  # one digit: too little to tell
    ],
)
def test_address_punctuation_slips(read: str, printed: str) -> None:
    assert tidy_address(read) == printed
