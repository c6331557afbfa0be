"""Which files a list of paths means: folder expansion and explicit files."""

from __future__ import annotations

from pathlib import Path

from receiptflow.ingest import SUPPORTED_SUFFIXES, iter_input_files


def _touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")


def test_folder_expands_recursively_sorted_supported_only(tmp_path: Path) -> None:
    _touch(
        tmp_path,
        "b.jpg",
        "a.PDF",
        "sub/c.png",
        "sub/deeper/d.heic",
        "notes.txt",
        ".DS_Store",
        "._b.jpg",
        ".~lock.a.pdf#",
        "~$draft.pdf",
        "upload.jpg.part",
        "x.tmp",
        "y.jpg.crdownload",
        ".hidden/e.jpg",
        "f.tiff",
    )

    found = iter_input_files([tmp_path])

    relative = [path.relative_to(tmp_path).as_posix() for path in found]
    assert relative == ["a.PDF", "b.jpg", "f.tiff", "sub/c.png", "sub/deeper/d.heic"]


def test_explicit_files_are_kept_as_given(tmp_path: Path) -> None:
    _touch(tmp_path, "folder/z.jpg", "odd.txt")
    odd, missing = tmp_path / "odd.txt", tmp_path / "missing.jpg"

    found = iter_input_files([odd, tmp_path / "folder", missing])

    assert found == [odd, tmp_path / "folder" / "z.jpg", missing]


def test_a_file_named_twice_is_listed_once(tmp_path: Path) -> None:
    _touch(tmp_path, "a.jpg")

    assert iter_input_files([tmp_path / "a.jpg", tmp_path]) == [tmp_path / "a.jpg"]


def test_supported_suffixes_cover_every_format() -> None:
    expected = {".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif", ".pdf", ".heic"}
    assert expected <= SUPPORTED_SUFFIXES
