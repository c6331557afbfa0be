"""``receiptflow extract`` as a user runs it: a real process, real files, real exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
DIGITAL = SAMPLES / "us_restaurant_digital.pdf"  # text layer: no OCR, fast


def run(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "receiptflow", "extract", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
        check=False,
    )


def test_one_file_prints_one_pretty_json_object() -> None:
    done = run(str(DIGITAL))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("{\n")
    obj = json.loads(done.stdout)
    assert list(obj)[:5] == ["source", "extractor", "receipt", "flags", "confidence"]
    assert set(obj["source"]) == {"path", "sha256", "pages"}
    assert obj["source"]["pages"] == 1 and len(obj["source"]["sha256"]) == 64
    assert obj["extractor"] == "local"
    expected = json.loads(DIGITAL.with_name("us_restaurant_digital.expected.json").read_text())
    assert obj["receipt"]["total"] == expected["total"]
    assert obj["receipt"]["merchant"]["name"] == expected["merchant"]["name"]


def test_folder_gives_jsonl_and_bad_input_fails_after_the_others(tmp_path: Path) -> None:
    shutil.copy(DIGITAL, tmp_path / "a.pdf")
    shutil.copy(DIGITAL, tmp_path / "c.pdf")
    (tmp_path / "b.jpg").write_text("this is not a picture")
    done = run(str(tmp_path))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert [Path(json.loads(line)["source"]["path"]).name for line in lines] == ["a.pdf", "c.pdf"]
    assert "b.jpg: " in done.stderr and "not a supported image" in done.stderr


def test_progress_bar_on_a_terminal_stderr_leaves_stdout_to_the_json_lines(
    tmp_path: Path,
) -> None:
    shutil.copy(DIGITAL, tmp_path / "a.pdf")
    shutil.copy(DIGITAL, tmp_path / "b.pdf")
    # FORCE_COLOR makes rich treat stderr as a terminal, as when a user redirects only stdout
    done = run(str(tmp_path), env={**os.environ, "FORCE_COLOR": "1"})
    assert done.returncode == 0, done.stderr
    assert len([json.loads(line) for line in done.stdout.splitlines()]) == 2
    assert "0/2" in done.stderr and '"source"' not in done.stderr


def test_extract_does_not_start_prefect() -> None:
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from receiptflow.cli.main import app\n"
        f"result = CliRunner().invoke(app, ['extract', {str(DIGITAL)!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'prefect'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"


def test_json_format_with_several_files_is_one_array(tmp_path: Path) -> None:
    shutil.copy(DIGITAL, tmp_path / "a.pdf")
    shutil.copy(DIGITAL, tmp_path / "b.pdf")
    done = run(str(tmp_path / "a.pdf"), str(tmp_path / "b.pdf"), "--format", "json")
    assert done.returncode == 0, done.stderr
    objects = json.loads(done.stdout)
    assert [Path(obj["source"]["path"]).name for obj in objects] == ["a.pdf", "b.pdf"]


def test_missing_file_is_a_clear_error() -> None:
    done = run("/nonexistent/receipt.png")
    assert done.returncode != 0
    assert "/nonexistent/receipt.png" in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_extractor_is_refused_with_the_choices() -> None:
    done = run(str(DIGITAL), "--extractor", "magic")
    assert done.returncode == 2
    assert "local" in done.stderr and "magic" in done.stderr


def test_unreadable_word_list_is_a_configuration_error(tmp_path: Path) -> None:
    missing = tmp_path / "words.txt"
    done = run(str(DIGITAL), env={**os.environ, "RECEIPTFLOW_LOCAL__LEXICON": str(missing)})
    assert done.returncode == 2
    assert f"{missing}: cannot read the word list" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.ocr
@pytest.mark.slow
def test_table_format_shows_each_receipt() -> None:
    done = run(str(DIGITAL), str(SAMPLES / "us_diner.png"), "--format", "table")
    assert done.returncode == 0, done.stderr
    assert "us_diner.png" in done.stdout and "us_restaurant_digital.pdf" in done.stdout
    assert "SUNRISE DINER" in done.stdout


@pytest.mark.parametrize(
    ("name", "hint"), [("openai", "OPENAI_API_KEY"), ("nemo", "RECEIPTFLOW_NEMO__BASE_URL")]
)
def test_llm_extractor_without_configuration_says_what_to_set(
    name: str, hint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "RECEIPTFLOW_NEMO__BASE_URL"):
        monkeypatch.setenv(variable, "")  # blank means unset
    done = run(str(DIGITAL), "--extractor", name)
    assert done.returncode == 2
    assert hint in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""
