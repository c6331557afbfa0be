"""The per-language vocabulary files and the patterns compiled from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from receiptflow.extractors.local import vocab

REQUIRED_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt", "ms")
REQUIRED_KINDS = ("grand_total", "tax", "cash", "change", "date_label")


def test_every_required_language_has_a_file_with_the_core_kinds() -> None:
    languages = vocab.languages()
    for code in REQUIRED_LANGUAGES:
        assert code in languages, code
        missing = [kind for kind in REQUIRED_KINDS if not languages[code].words.get(kind)]
        assert not missing, (code, missing)
        assert len(set(languages[code].months.values())) == 12, code


def test_countries_currencies_follow_the_language_but_english_says_nothing() -> None:
    languages = vocab.languages()
    assert {code: languages[code].currency for code in ("de", "fr", "es", "it", "nl", "pt")} == {
        code: "EUR" for code in ("de", "fr", "es", "it", "nl", "pt")
    }
    assert languages["ms"].currency == "MYR"
    assert languages["en"].currency is None


@pytest.mark.parametrize(
    ("kind", "printed"),
    [
        ("change", "RÜCKGELD"),
        ("change", "RUECKGELD"),  # an umlaut printed with an e
        ("change", "Ruckgeld"),  # or without its dots, in any case
        ("cash", "ESPECES"),  # "Espèces" without its accent
        ("tax", "I.V.A."),  # punctuation optional
        ("tax", "I. V. A."),
        ("subtotal", "SUBTOTAL"),  # "SUB-TOTAL": hyphen, space or nothing
        ("subtotal", "SUB TOTAL"),
        ("grand_total", "ZU ZAHLEN EURO"),
        ("grand_total", "ZUZAHLEN"),  # a space may be missing
        ("subtotal", "TOTAL EXCLUDING GST"),  # "EXCL* GST": the word goes on
        ("grand_total", "TOTALE COMPLESSIVO"),
        ("deposit", "Pfandrückgabe"),
        ("change", "WISSELGELD"),
    ],
)
def test_phrases_match_as_receipts_print_them(kind: str, printed: str) -> None:
    assert vocab.words(kind).search(printed.upper()), (kind, printed)


@pytest.mark.parametrize(
    ("kind", "printed"),
    [
        ("cash", "BARCODE 4006381333931"),  # "BAR" only as a whole word
        ("tax", "1BS @ 1B TW"),  # "B.T.W." never from letters merely spaced apart
        ("change", "CHANGED"),
        ("grand_total", "SUBTOTAL"),
    ],
)
def test_phrases_never_match_inside_other_words(kind: str, printed: str) -> None:
    assert not vocab.words(kind).search(printed)


def test_a_contributor_adds_a_word_by_editing_a_data_file(tmp_path: Path) -> None:
    path = tmp_path / "xx.toml"
    path.write_text(
        'code = "xx"\ncurrency = "DKK"\n[words]\nchange = ["Tilbage"]\n'
        'grand_total = ["At betale"]\n[months]\nmay = ["Maj"]\n',
        encoding="utf-8",
    )
    language = vocab.read_language(path)
    assert (language.code, language.currency, language.months) == ("xx", "DKK", {"Maj": 5})
    pattern = vocab.whole_phrases(language.words["grand_total"])
    assert pattern.search("AT BETALE 120,00") and pattern.search("ATBETALE")


def test_a_misspelt_kind_fails_loading(tmp_path: Path) -> None:
    path = tmp_path / "xx.toml"
    path.write_text('[words]\nchnage = ["Tilbage"]\n', encoding="utf-8")
    with pytest.raises(vocab.VocabularyError, match="chnage"):
        vocab.read_language(path)


def test_month_names_mean_one_month_in_every_language() -> None:
    seen: dict[str, int] = {}
    for language in vocab.languages().values():
        for name, month in language.months.items():
            assert seen.setdefault(vocab.fold(name), month) == month, name


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ZU ZAHLEN EURO 24,23\nBAR 50,00\nRÜCKGELD 25,77\nVielen Dank für Ihren Einkauf", "de"),
        ("TOTAL TTC 13,50\nESPECES 20,00\nRENDU 6,50\nMERCI DE VOTRE VISITE", "fr"),
        ("TOTAL 15,19\nEFECTIVO 20,00\nCAMBIO 4,81\nGRACIAS POR SU VISITA", "es"),
        ("TOTALE COMPLESSIVO 13,38\nCONTANTI 20,00\nRESTO 6,62\nGRAZIE", "it"),
        ("TOTAAL 7,92\nPINNEN 7,92\nBEDANKT EN TOT ZIENS", "nl"),
        ("TOTAL 11,07\nNUMERARIO 20,00\nTROCO 8,93\nOBRIGADO VOLTE SEMPRE", "pt"),
        ("JUMLAH 28.25\nTUNAI 50.00\nBAKI 21.75\nTERIMA KASIH", "ms"),
        ("SUBTOTAL 15.50\nSALES TAX 1.32\nTOTAL 16.82\nCHANGE DUE 3.18\nTHANK YOU", "en"),
    ],
)
def test_the_language_guess_is_the_vocabulary_printed_most(text: str, code: str) -> None:
    guess = vocab.guess_language(text)
    assert guess.code == code, guess.scores
    assert guess.language is not None and guess.language.code == code
    assert 0.5 < guess.confidence <= 1


def test_one_shared_or_stray_word_names_no_language() -> None:
    assert vocab.guess_language("TOTAL 12.00").code is None  # en, fr, es, pt alike
    assert vocab.guess_language("SNACK BAR\nTOTAL 12.00").code is None  # "BAR" alone


def test_a_misread_month_is_mended_only_when_one_month_is_one_letter_away() -> None:
    from receiptflow.extractors.local.vocab import misread_month

    assert misread_month("Nar") == "MAR"
    assert misread_month("dun") == "JUN"
    assert misread_month("Jun") is None  # a month as printed needs no mending
    assert misread_month("Oet") is None  # OCT, OKT or SET (Italian September)
    assert misread_month("Xyz") is None


def test_day_names_mean_one_day_and_are_no_month(tmp_path: Path) -> None:
    days = {"SAT": 5, "SAMEDI": 5, "SAMSTAG": 5, "SABTU": 5, "DOM": 6, "MER": 2, "SAB": 5}
    names = {
        vocab.fold(name): day
        for language in vocab.languages().values()
        for name, day in language.weekdays.items()
    }
    assert {name: names[name] for name in days} == days
    assert "MAR" not in names  # March, not Tuesday's "mar."
    path = tmp_path / "xx.toml"
    path.write_text('code = "xx"\n[weekdays]\nsat = ["Lordag"]\nsonday = ["Sondag"]\n')
    with pytest.raises(vocab.VocabularyError, match="sonday"):
        vocab.read_language(path)


@pytest.mark.parametrize(
    ("files", "error"),
    [
        ({"aa": '[weekdays]\nsat = ["SAB"]', "bb": '[weekdays]\nsun = ["SAB"]'}, "SAB"),
        ({"aa": '[months]\nmar = ["MAR"]\n[weekdays]\ntue = ["MAR"]'}, "month names"),
    ],
)
def test_contradicting_day_names_fail_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], error: str
) -> None:
    for code, text in files.items():
        (tmp_path / f"{code}.toml").write_text(f'code = "{code}"\n{text}\n')
    monkeypatch.setattr(vocab, "VOCAB_DIR", tmp_path)
    with pytest.raises(vocab.VocabularyError, match=error):
        vocab.languages.__wrapped__()
