"""Random mixes: the locales and damage asked for, the same files on one process or two."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from receiptflow.cli.main import app
from receiptflow.samples import generate_many, random_specs
from receiptflow.samples.locales import LocaleError
from receiptflow.samples.variants import IMAGE_VARIANTS


def test_specs_draw_only_the_asked_locales_and_damage_share() -> None:
    specs = random_specs(120, 4, locales=("de-DE", "en-US"), damage_share=0.25)
    assert specs == random_specs(120, 4, locales=("de-DE", "en-US"), damage_share=0.25)
    assert {s.name.split("_")[0] for s in specs} == {"de-DE", "en-US"}
    assert {s.locale for s in specs} <= {"de-DE", "en-US", None}  # None: the fixed shops
    damaged = [s for s in specs if s.damage]
    assert 15 <= len(damaged) <= 45
    assert all(s.variant in IMAGE_VARIANTS for s in damaged)
    assert len({s.scenario for s in specs}) >= 5 and len({s.font for s in specs}) >= 6
    assert not any(s.damage for s in random_specs(50, 4))


def test_unknown_locale_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LocaleError, match="xx-XX"):
        random_specs(3, 1, locales=("xx-XX",))
    result = CliRunner().invoke(
        app, ["samples", "generate", str(tmp_path), "--count", "2", "--locales", "xx-XX"]
    )
    assert result.exit_code == 2 and "xx-XX" in result.output


def test_cli_writes_truth_and_line_truth(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "samples",
            "generate",
            str(tmp_path),
            "--count",
            "4",
            "--seed",
            "9",
            "--locales",
            "fr-FR,ms-MY",
            "--damage-share",
            "0.5",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "4 samples written" in result.output
    sides = sorted(tmp_path.glob("*.lines.json"))
    assert len(sides) == 4 == len(list(tmp_path.glob("*.expected.json")))
    for side in sides:
        data = json.loads(side.read_text(encoding="utf-8"))
        assert data["locale"] in ("fr-FR", "ms-MY") and data["lines"]
        assert (tmp_path / data["document"]).exists()


@pytest.mark.slow
def test_two_processes_write_the_same_files(tmp_path: Path) -> None:
    specs = random_specs(6, 2, damage_share=0.5)
    generate_many(tmp_path / "one", specs, jobs=1)
    generate_many(tmp_path / "two", specs, jobs=2)
    names = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "two").iterdir())
    for name in names:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
