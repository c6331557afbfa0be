"""Word-list mending of OCR slips in merchant names and addresses."""

from __future__ import annotations

from pathlib import Path

import pytest

from receiptflow.errors import ConfigError
from receiptflow.extractors.local.lexicon import Lexicon, fold_accents, load_lexicon

WORDS = Lexicon.parse(
    "# comment\nJALAN 90\nSELANGOR 40\nALAM 30\nAIR 5\nPANAS 4\nDARUL 10\nUTAMA 18\n"
    "BALAKONG 3\nBURUNG 1\nBORONG 2\nPUDU 2\nPADU 2\nSAM 3\nCARRY 4\nGUARDIAN 6\n"
)


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("JAIAN", "JALAN"),  # I for L
        ("JA:AN", "JALAN"),  # an unreadable character
        ("SE_ANGOR,", "SELANGOR,"),  # punctuation around the word is kept
        ("Jaian", "Jalan"),  # and so is its case
        ("ÁLAM", "ALAM"),  # accents OCR put on a plain letter
        ("BALAKUNG", "BALAKONG"),
        ("DIARUL", "DARUL"),  # a spurious thin mark
        ("Utarna", "Utama"),  # rn for m
        ("CARY", "CARRY"),  # a doubled letter read once
        ("buardian", "Guardian"),  # a faded capital read as another small letter
        ("(KUCHAI)", "(KUCHAI)"),  # not near any listed word
    ],
)
def test_misread_words_are_mended(read: str, meant: str) -> None:
    assert WORDS.mend(read) == meant


@pytest.mark.parametrize(
    "word",
    [
        "SIAM",  # deleting the I gives SAM, but short words are not built by deletion
        "UPTOWN3",  # a name with a number
        "U13/BG",  # a code
        "PODU",  # one swap from PUDU and PADU, seen equally often: ambiguous, left alone
        "KELANG",  # two swaps from anything listed
        "MÜLLER",  # accents are only dropped when that gives a listed word
    ],
)
def test_words_that_are_not_slips_stay(word: str) -> None:
    assert WORDS.mend(word) == word


def test_words_between_commas_and_split_words() -> None:
    assert WORDS.mend("NO.12,JA:AN SS4C/5,PETALING") == "NO.12,JALAN SS4C/5,PETALING"
    words = Lexicon.parse("GARDENIA 5\nBAKERIES 3\nTIMELESS 2\nTIME 3\nLESS 2\n")
    assert words.mend("GA RDENIA BAKERIES") == "GARDENIA BAKERIES"
    # both pieces are listed words: two words as printed, not one split by OCR
    assert words.mend("TIME LESS") == "TIME LESS"


def test_glued_words_split_only_in_addresses() -> None:
    assert WORDS.mend("NO 290, JALANAIRPANAS,", split_glued=True) == "NO 290, JALAN AIR PANAS,"
    assert WORDS.mend("JALANAIRPANAS") == "JALANAIRPANAS"
    assert WORDS.split("JALANBURUNG") is None  # BURUNG seen once: too rare to split on


def test_fold_accents() -> None:
    assert fold_accents("Şeksyen Lapängan") == "Seksyen Lapangan"


def test_bundled_list_and_switches(tmp_path: Path) -> None:
    bundled = load_lexicon("bundled")
    assert bundled is not None and bundled.counts["JALAN"] > 100
    assert load_lexicon("") is None
    own = tmp_path / "words.txt"
    own.write_text("STRASSE\nMUENCHEN 3\n", encoding="utf-8")
    mine = load_lexicon(str(own))
    assert mine is not None and mine.counts == {"STRASSE": 1, "MUENCHEN": 3}
    with pytest.raises(ConfigError, match="cannot read the word list"):
        load_lexicon(str(tmp_path / "missing.txt"))


def test_a_list_applies_to_its_currencies_only() -> None:
    malaysian = Lexicon.parse("# currencies: MYR SGD\nCAFE 3\n")
    assert malaysian.applies_to("MYR") and malaysian.applies_to(None)
    assert not malaysian.applies_to("EUR")  # "Café" in Paris is spelled right
    assert Lexicon.parse("CAFE 3\n").applies_to("EUR")
