"""The Batch API side of the scripted server: ``/v1/files`` and ``/v1/batches``.

Files are kept in memory (upload with ``purpose``, list, retrieve, download the content).
A batch reads its input file when created, stays ``in_progress`` for ``polls`` retrieves, then
answers every line with the server's script (the same replies a synchronous request would
get) and writes an output file (status 200 lines) and an error file (the others), each in a
shuffled order, as OpenAI does not keep the input order either. Lines a test wants left
unanswered (``expire``) make the batch ``expired`` with those lines in the error file.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from receiptflow.llm.scripted_server import ScriptedServer


@dataclass
class StoredFile:
    id: str
    filename: str
    purpose: str
    content: bytes
    created_at: int = field(default_factory=lambda: int(time.time()))

    def object(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "file",
            "bytes": len(self.content),
            "created_at": self.created_at,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": "processed",
        }


@dataclass
class ScriptedBatch:
    id: str
    input_file_id: str
    endpoint: str
    completion_window: str
    metadata: dict[str, str] | None
    status: str = "validating"
    polls: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None
    counts: dict[str, int] = field(
        default_factory=lambda: {"total": 0, "completed": 0, "failed": 0}
    )
    errors: list[dict[str, Any]] = field(default_factory=list)
    created_at: int = field(default_factory=lambda: int(time.time()))

    def object(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "batch",
            "endpoint": self.endpoint,
            "input_file_id": self.input_file_id,
            "completion_window": self.completion_window,
            "status": self.status,
            "output_file_id": self.output_file_id,
            "error_file_id": self.error_file_id,
            "created_at": self.created_at,
            "request_counts": dict(self.counts),
            "metadata": self.metadata,
            "errors": {"object": "list", "data": self.errors} if self.errors else None,
        }


class BatchEndpoints:
    """The state behind the routes; ``server`` answers each line with its script."""

    def __init__(
        self, server: ScriptedServer, *, polls: int = 1, seed: int = 0, expire: int = 0
    ) -> None:
        self.server = server
        self.polls = polls  # retrieves that still see the batch in progress
        self.expire = expire  # lines left unanswered (batch "expired") in each batch
        self.files: dict[str, StoredFile] = {}
        self.batches: dict[str, ScriptedBatch] = {}
        self.lines: list[dict[str, Any]] = []  # every request line of every batch
        self.billed: list[tuple[int, int]] = []  # (prompt, completion) per answered line
        self._random = random.Random(seed)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def handle(
        self, method: str, path: str, headers: Any, body: bytes
    ) -> tuple[int, bytes, str] | None:
        """(status, body, content type) for a Batch API route, None for any other path."""
        parts = path.split("?")[0].rstrip("/").split("/")[2:]  # after "/v1"
        if not parts or parts[0] not in ("files", "batches"):
            return None
        with self._lock:
            try:
                return self._route(method, parts, headers, body)
            except KeyError as missing:
                return _json(404, {"error": {"message": f"no such object {missing}"}})

    def _route(
        self, method: str, parts: list[str], headers: Any, body: bytes
    ) -> tuple[int, bytes, str]:
        kind, rest = parts[0], parts[1:]
        if kind == "files":
            if method == "POST" and not rest:
                return _json(200, self._upload(headers, body).object())
            if method == "GET" and not rest:
                return _json(200, _page([f.object() for f in self.files.values()]))
            if method == "GET" and rest[1:] == ["content"]:
                return 200, self.files[rest[0]].content, "application/octet-stream"
            if method == "GET" and len(rest) == 1:
                return _json(200, self.files[rest[0]].object())
        if kind == "batches":
            if method == "POST" and not rest:
                return _json(200, self._create(json.loads(body or b"{}")).object())
            if method == "GET" and not rest:
                newest_first = sorted(self.batches.values(), key=lambda b: -int(b.id[6:]))
                return _json(200, _page([b.object() for b in newest_first]))
            if method == "GET" and len(rest) == 1:
                return _json(200, self._poll(self.batches[rest[0]]).object())
        return _json(404, {"error": {"message": f"no route {method} /v1/{'/'.join(parts)}"}})

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids)}"

    def _upload(self, headers: Any, body: bytes) -> StoredFile:
        head = f"Content-Type: {headers.get('Content-Type')}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + body)
        fields: dict[str, tuple[str | None, bytes]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            fields[str(name)] = (
                part.get_filename(),
                payload if isinstance(payload, bytes) else b"",
            )
        filename, content = fields["file"]
        stored = StoredFile(
            self._new_id("file-"), filename or "upload", fields["purpose"][1].decode(), content
        )
        self.files[stored.id] = stored
        return stored

    def _create(self, request: dict[str, Any]) -> ScriptedBatch:
        batch = ScriptedBatch(
            id=self._new_id("batch_"),
            input_file_id=request["input_file_id"],
            endpoint=request["endpoint"],
            completion_window=request["completion_window"],
            metadata=request.get("metadata"),
        )
        lines = [json.loads(line) for line in self.files[batch.input_file_id].content.splitlines()]
        custom_ids = [line.get("custom_id") for line in lines]
        if len(set(custom_ids)) != len(custom_ids):
            batch.status = "failed"
            batch.errors = [{"code": "duplicate_custom_id", "message": "custom_id not unique"}]
        elif any(line.get("url") != batch.endpoint for line in lines):
            batch.status = "failed"
            batch.errors = [{"code": "invalid_url", "message": "a line's url is not the endpoint"}]
        batch.counts["total"] = len(lines)
        self.batches[batch.id] = batch
        return batch

    def _poll(self, batch: ScriptedBatch) -> ScriptedBatch:
        if batch.status in ("validating", "in_progress"):
            batch.polls += 1
            batch.status = "in_progress"
            if batch.polls > self.polls:
                self._run(batch)
        return batch

    def _run(self, batch: ScriptedBatch) -> None:
        lines = [json.loads(line) for line in self.files[batch.input_file_id].content.splitlines()]
        answered, unanswered = lines[: len(lines) - self.expire], lines[len(lines) - self.expire :]
        output, errors = [], []
        for line in answered:
            self.lines.append(line)
            reply = self.server.reply_for(line["body"], synchronous=False)
            entry: dict[str, Any] = {
                "id": self._new_id("batch_req_"),
                "custom_id": line["custom_id"],
                "error": None,
            }
            if reply.status == 200:
                completion = self.server.completion(line["body"], reply)
                usage = completion["usage"]
                self.billed.append((usage["prompt_tokens"], usage["completion_tokens"]))
                entry["response"] = {"status_code": 200, "request_id": "req", "body": completion}
                output.append(entry)
            else:
                message = {"error": {"message": f"scripted {reply.status}", "type": "scripted"}}
                entry["response"] = {"status_code": reply.status, "body": message}
                errors.append(entry)
        for line in unanswered:
            expired = "This request could not be executed before the completion window expired."
            errors.append(
                {
                    "id": self._new_id("batch_req_"),
                    "custom_id": line["custom_id"],
                    "response": None,
                    "error": {"code": "batch_expired", "message": expired},
                }
            )
        self._random.shuffle(output)
        self._random.shuffle(errors)
        batch.output_file_id = self._result_file(batch, "output", output)
        batch.error_file_id = self._result_file(batch, "error", errors)
        batch.counts.update(completed=len(output), failed=len(errors))
        batch.status = "expired" if unanswered else "completed"

    def _result_file(self, batch: ScriptedBatch, kind: str, entries: list[Any]) -> str | None:
        if not entries:
            return None
        content = "".join(json.dumps(entry) + "\n" for entry in entries).encode()
        stored = StoredFile(
            self._new_id("file-"), f"{batch.id}_{kind}.jsonl", "batch_output", content
        )
        self.files[stored.id] = stored
        return stored.id


def _page(data: list[dict[str, Any]]) -> dict[str, Any]:
    return {"object": "list", "data": data, "has_more": False}


def _json(status: int, payload: dict[str, Any]) -> tuple[int, bytes, str]:
    return status, json.dumps(payload).encode(), "application/json"
