"""Strict structured outputs, as the openai SDK sends them through Instructor to a scripted
OpenAI-compatible server: the strict flag, the response format, and a schema OpenAI's strict
mode accepts (every object closed, every property required)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from receiptflow.extractors import ExtractionStatus, get_extractor
from receiptflow.ingest.document import Document, Page
from receiptflow.llm.scripted_server import SAMPLE_ANSWER, SAMPLE_LINES, Reply, ScriptedServer, tool
from receiptflow.settings import Settings

pytestmark = pytest.mark.llm

# What OpenAI's strict mode accepts ("Supported schemas" in the structured outputs guide);
# anything else is a 400 for every request.
STRICT_KEYWORDS = {
    "type", "properties", "required", "additionalProperties", "items", "enum", "const",
    "anyOf", "$ref", "$defs", "description", "title", "pattern", "format",
}  # fmt: skip


def strict_problems(node: Any, path: str = "#") -> list[str]:
    """Where ``node`` breaks OpenAI's strict-mode rules."""
    if isinstance(node, list):
        return [p for i, item in enumerate(node) for p in strict_problems(item, f"{path}/{i}")]
    if not isinstance(node, dict):
        return []
    problems = [f"{path}: {key}" for key in node if key not in STRICT_KEYWORDS]
    if "properties" in node:
        if node.get("additionalProperties") is not False:
            problems.append(f"{path}: additionalProperties is not false")
        if sorted(node.get("required", [])) != sorted(node["properties"]):
            problems.append(f"{path}: not every property is required")
    if "$ref" in node and len(node) > 1:
        problems.append(f"{path}: siblings beside $ref")
    for key, value in node.items():
        if key in ("properties", "$defs"):
            problems += [
                p for name, sub in value.items() for p in strict_problems(sub, f"{path}/{name}")
            ]
        elif key in ("items", "anyOf"):
            problems += strict_problems(value, f"{path}/{key}")
    return problems


def _document() -> Document:
    page = Page(index=0, image=Image.new("RGB", (600, 900), "white"), text_lines=SAMPLE_LINES)
    return Document(Path("r.pdf"), "0" * 64, "application/pdf", 1, [page])


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    def reply(body: dict[str, Any], index: int) -> Reply:
        if "tools" in body:
            return tool(SAMPLE_ANSWER)
        return Reply(content=json.dumps(SAMPLE_ANSWER))

    with ScriptedServer(reply) as running:
        yield running


def _settings(server: ScriptedServer, **openai: Any) -> Settings:
    return Settings(
        openai={"api_key": "sk-test", "base_url": server.url, "transport_retries": 0, **openai},
        nemo={"base_url": server.url, "model": "nemo-test", "transport_retries": 0},
        trust={"enabled": False},
    )


def test_openai_default_is_a_strict_tool_without_parallel_calls(server: ScriptedServer) -> None:
    result = get_extractor("openai", _settings(server)).extract(_document())
    assert result.status is ExtractionStatus.OK, result.errors
    (request,) = server.requests
    (function,) = [t["function"] for t in request["tools"]]
    assert function["strict"] is True and request["parallel_tool_calls"] is False
    assert request["tool_choice"] == {"type": "function", "function": {"name": function["name"]}}
    assert "response_format" not in request
    parameters = function["parameters"]
    assert parameters["type"] == "object" and strict_problems(parameters) == []
    assert {"total", "line_items", "merchant", "taxes"} <= set(parameters["required"])


def test_json_schema_mode_sends_a_strict_response_format(server: ScriptedServer) -> None:
    result = get_extractor("openai", _settings(server, output_mode="json_schema")).extract(
        _document()
    )
    assert result.status is ExtractionStatus.OK, result.errors
    (request,) = server.requests
    assert "tools" not in request and "tool_choice" not in request
    response_format = request["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["strict"] is True
    assert response_format["json_schema"]["name"] == "receipt"
    assert strict_problems(response_format["json_schema"]["schema"]) == []
    assert result.raw_output == json.dumps(SAMPLE_ANSWER)


def test_plain_tools_mode_sends_no_strict_flag(server: ScriptedServer) -> None:
    get_extractor("openai", _settings(server, output_mode="tools")).extract(_document())
    (request,) = server.requests
    assert "strict" not in request["tools"][0]["function"]
    assert "parallel_tool_calls" not in request


def test_nemo_json_schema_from_the_environment(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A self-hosted server gets the schema as its response format, to enforce it."""
    monkeypatch.setenv("RECEIPTFLOW_NEMO__BASE_URL", server.url)
    monkeypatch.setenv("RECEIPTFLOW_NEMO__MODE", "json_schema")
    monkeypatch.setenv("RECEIPTFLOW_OPENAI__OUTPUT_MODE", "json_schema")
    settings = Settings(trust={"enabled": False})
    assert settings.openai.output_mode == "json_schema"
    result = get_extractor("nemo", settings).extract(_document())
    assert result.status is ExtractionStatus.OK, result.errors
    (request,) = server.requests
    assert request["response_format"]["type"] == "json_schema"
    assert strict_problems(request["response_format"]["json_schema"]["schema"]) == []


def test_a_wrong_output_mode_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from receiptflow.errors import ConfigError

    monkeypatch.setenv("RECEIPTFLOW_OPENAI__OUTPUT_MODE", "strict")
    with pytest.raises(ConfigError, match="RECEIPTFLOW_OPENAI__OUTPUT_MODE"):
        Settings()


def test_the_checker_finds_what_strict_mode_refuses() -> None:
    assert strict_problems({"type": "object", "properties": {"a": {"type": "string"}}}) == [
        "#: additionalProperties is not false",
        "#: not every property is required",
    ]
    assert strict_problems({"type": "string", "default": "x"}) == ["#: default"]
