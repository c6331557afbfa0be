"""The model files shipped in ``receiptflow/learned/data``: read once, versioned by content.

A model's version is the start of its file's SHA-256, so an extraction record and the flow
cache key name exactly the models that made a result, and retraining changes both.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

from receiptflow.errors import ConfigError

MODEL_FILES = ("row_roles.json", "trust_local.json")


class ModelFileError(ConfigError):
    """A model file is missing, unreadable or not a model of the expected kind."""


BUNDLED = "bundled"


def _read(name: str, source: str = BUNDLED) -> bytes:
    """The bundled file ``name``, or the file at path ``source``."""
    try:
        if source != BUNDLED:
            return Path(source).read_bytes()
        return resources.files("receiptflow.learned").joinpath("data", name).read_bytes()
    except OSError as error:
        where = name if source == BUNDLED else source
        raise ModelFileError(f"model file {where} cannot be read: {error}") from error


@functools.cache
def load_model(name: str, source: str = BUNDLED) -> dict[str, Any]:
    """The parsed model file (bundled, or at path ``source``), with its ``version`` (content
    hash) added."""
    raw = _read(name, source)
    try:
        data: dict[str, Any] = json.loads(raw)
    except ValueError as error:
        raise ModelFileError(f"model file {name} is not valid JSON: {error}") from error
    data["version"] = hashlib.sha256(raw).hexdigest()[:12]
    return data


@functools.cache
def model_files_version(role_model: str = BUNDLED, calibrator: str = BUNDLED) -> str:
    """One version for the model files in use (part of the flow cache key): a retrained or
    replaced model never reuses extractions made with the old one."""
    digest = hashlib.sha256()
    for name, source in zip(MODEL_FILES, (role_model, calibrator), strict=True):
        try:
            digest.update(_read(name, source))
        except ModelFileError:
            digest.update(b"missing:" + source.encode())
    return digest.hexdigest()[:12]
