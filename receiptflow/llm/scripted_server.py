"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1, for tests and bench.

It answers ``POST /v1/chat/completions`` with whatever the script says for the n-th
request (a tool call, plain content, an HTTP error with headers, after a delay), records
every request body, and reports the usage it billed, so a test can check the request the
openai SDK really sent and compare receiptflow's accounting with the server's. A reply can
carry token logprobs, as llama.cpp's or vLLM's server returns them. It also speaks the Batch
API (``/v1/files``, ``/v1/batches``: ``receiptflow.llm.scripted_batches``), answering each
batch line with the same script.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from receiptflow.ingest.document import TextLine
from receiptflow.llm.scripted_batches import BatchEndpoints

# A small receipt as OCR lines, and the answer that fits it: what the tests and the
# throughput bench script the server with.
SAMPLE_ANSWER: dict[str, Any] = {
    "merchant": {"name": "KEDAI MAKAN"},
    "date": "2024-03-01",
    "currency": "MYR",
    "line_items": [
        {"description": "TEH TARIK", "quantity": 2, "unit_price": "1.50", "amount": "3.00"},
        {"description": "ROTI CANAI", "quantity": 1, "unit_price": "1.20", "amount": "1.20"},
    ],
    "subtotal": "4.20",
    "total": "4.20",
}
SAMPLE_LINES = [
    TextLine("KEDAI MAKAN", (10, 10, 120, 30)),
    TextLine("01/03/2024 12:30", (10, 30, 170, 38)),
    TextLine("TEH TARIK 2 x 1.50", (10, 40, 190, 60)),
    TextLine("3.00", (300, 40, 340, 60)),
    TextLine("ROTI CANAI", (10, 70, 110, 90)),
    TextLine("1.20", (300, 70, 340, 90)),
    TextLine("TOTAL", (10, 100, 60, 120)),
    TextLine("4.20", (300, 100, 340, 120)),
]


@dataclass(frozen=True)
class Reply:
    arguments: str | None = None  # tool-call arguments (JSON text, possibly malformed)
    content: str | None = None  # plain message content (JSON / MD_JSON modes)
    finish_reason: str | None = None  # default: "tool_calls" with arguments, else "stop"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    drop: bool = False  # close the connection without answering (a reset)
    prompt_tokens: int | None = None  # default: derived from the request size
    completion_tokens: int | None = None
    # (token, logprob) per generated token, returned as choices[0].logprobs.content
    logprobs: list[tuple[str, float]] | None = None
    refusal: str | None = None  # message.refusal, as OpenAI's structured outputs refuse
    no_choices: bool = False  # "choices": [] (some proxies and filters answer so)
    body: str | None = None  # sent as-is instead of a completion (an HTML page, say)
    content_type: str = "application/json"
    model: str | None = None  # the served model (response.model); default: the one asked
    cached_tokens: int | None = None  # usage.prompt_tokens_details.cached_tokens


_TOKEN = re.compile(r"\d|[^\W\d]+|\s+|[^\w\s]")


def token_logprobs(text: str, unsure: dict[str, float] | None = None) -> list[tuple[str, float]]:
    """``text`` cut into token-like pieces (one per digit, as many tokenizers do), each with
    log probability 0 (certain), except the pieces of each ``unsure`` substring, which get
    that probability."""
    pieces = [(match.group(), match.start()) for match in _TOKEN.finditer(text)]
    doubtful = [
        (match.start(), match.end(), math.log(probability))
        for snippet, probability in (unsure or {}).items()
        for match in re.finditer(re.escape(snippet), text)
    ]
    out = []
    for piece, start in pieces:
        end = start + len(piece)
        logprob = min([lp for a, b, lp in doubtful if a < end and start < b], default=0.0)
        out.append((piece, logprob))
    return out


def tool(arguments: dict[str, Any] | str, **options: Any) -> Reply:
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return Reply(arguments=text, **options)


def error(status: int, **options: Any) -> Reply:
    return Reply(status=status, **options)


Script = Callable[[dict[str, Any], int], Reply] | Sequence[Reply]


class ScriptedServer:
    """``with ScriptedServer(script) as server: openai.OpenAI(base_url=server.url, ...)``.

    ``script`` is a list (request n gets item n; the last repeats) or a function of the
    request body and its index. ``latency_s`` is added to every reply (bench)."""

    def __init__(self, script: Script, *, latency_s: float = 0.0) -> None:
        self.script = script
        self.latency_s = latency_s
        self.requests: list[dict[str, Any]] = []
        # per request: the path with its query (Azure: /openai/deployments/D/...?api-version=)
        # and the headers, as sent (lower-case names)
        self.paths: list[str] = []
        self.headers: list[dict[str, str]] = []
        self._asked = 0  # requests answered, synchronous or batch lines
        self.billed: list[tuple[int, int]] = []  # (prompt, completion) per 200 reply
        self.in_flight = 0
        self.max_in_flight_seen = 0
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.batch_api = BatchEndpoints(self)  # its files, batches and what it billed

    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def reply_for(
        self,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
        *,
        synchronous: bool = True,
    ) -> Reply:
        """The script's reply to the n-th request; batch lines count in n but are kept apart
        (``batch_api.lines``), so ``requests`` (and ``headers``) is what was asked synchronously."""
        with self._lock:
            index = self._asked
            self._asked += 1
            if synchronous:
                self.requests.append(body)
                self.headers.append(headers or {})
        if callable(self.script):
            return self.script(body, index)
        return self.script[min(index, len(self.script) - 1)]

    def completion(self, body: dict[str, Any], reply: Reply) -> dict[str, Any]:
        prompt = reply.prompt_tokens
        if prompt is None:
            prompt = len(json.dumps(body.get("messages", []))) // 4
        answer = reply.arguments if reply.arguments is not None else reply.content or ""
        completion = reply.completion_tokens
        if completion is None:
            completion = max(1, len(answer) // 4)
        message: dict[str, Any] = {"role": "assistant", "content": reply.content}
        if reply.refusal is not None:
            message["refusal"] = reply.refusal
        if reply.arguments is not None:
            name = _tool_name(body)
            message["tool_calls"] = [
                {
                    "id": f"call_{len(self.requests)}",
                    "type": "function",
                    "function": {"name": name, "arguments": reply.arguments},
                }
            ]
        finish = reply.finish_reason or ("tool_calls" if reply.arguments is not None else "stop")
        choice: dict[str, Any] = {"index": 0, "message": message, "finish_reason": finish}
        if reply.logprobs is not None:
            choice["logprobs"] = {
                "content": [
                    {"token": token, "logprob": logprob, "bytes": None, "top_logprobs": []}
                    for token, logprob in reply.logprobs
                ]
            }
        usage: dict[str, Any] = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
        if reply.cached_tokens is not None:
            usage["prompt_tokens_details"] = {"cached_tokens": reply.cached_tokens}
        return {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": reply.model or body.get("model", "scripted"),
            "choices": [] if reply.no_choices else [choice],
            "usage": usage,
        }

    def start(self) -> ScriptedServer:
        handler = type("Handler", (_Handler,), {"server_script": self})
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler, bind_and_activate=False)
        httpd.request_queue_size = 256  # a burst of 64 connects must not be refused
        httpd.daemon_threads = True
        httpd.server_bind()
        httpd.server_activate()
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _tool_name(body: dict[str, Any]) -> str:
    tools = body.get("tools") or [{}]
    return str(tools[0].get("function", {}).get("name", "tool"))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK expects
    server_script: ScriptedServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        return

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if not self._batch_api("GET", b""):
            self._send(404, {"error": {"message": f"no route {self.path}"}})

    def _batch_api(self, method: str, body: bytes) -> bool:
        answer = self.server_script.batch_api.handle(method, self.path, self.headers, body)
        if answer is None:
            return False
        status, data, content_type = answer
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        return True

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self._batch_api("POST", raw):
            return
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._send(400, {"error": {"message": "request body is not JSON"}})
            return
        if not self.path.partition("?")[0].endswith("/chat/completions"):
            self._send(404, {"error": {"message": f"no route {self.path}"}})
            return
        script = self.server_script
        with script._lock:
            script.paths.append(self.path)
            request_id = f"req_scripted_{len(script.paths)}"
        reply = script.reply_for(body, {k.lower(): v for k, v in self.headers.items()})
        with script._lock:
            script.in_flight += 1
            script.max_in_flight_seen = max(script.max_in_flight_seen, script.in_flight)
        try:
            time.sleep(script.latency_s + reply.delay_s)
        finally:
            with script._lock:
                script.in_flight -= 1
        if reply.drop:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if reply.body is not None:
            self._send_text(reply.status, reply.body, reply.content_type)
            return
        if reply.status != 200:
            message = {"error": {"message": f"scripted {reply.status}", "type": "scripted"}}
            self._send(reply.status, message, {"x-request-id": request_id, **reply.headers})
            return
        payload = script.completion(body, reply)
        # Bill before the reply goes out: the client may read it and the test check the bill
        # before this thread runs again. Undo it if the client hung up first.
        bill = (payload["usage"]["prompt_tokens"], payload["usage"]["completion_tokens"])
        with script._lock:
            script.billed.append(bill)
        if not self._send(200, payload, {"x-request-id": request_id, **reply.headers}):
            with script._lock:
                script.billed.remove(bill)

    def _send_text(self, status: int, text: str, content_type: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _send(
        self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> bool:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return False  # the client gave up (timeout tests): nothing was delivered
        return True


def _serve_sample(latency_s: float, ready: Any, stop: Any) -> None:
    with ScriptedServer([tool(SAMPLE_ANSWER)], latency_s=latency_s) as server:
        ready.put(server.url)
        stop.wait()


@contextmanager
def sample_server_process(latency_s: float) -> Iterator[str]:
    """A server answering every request with ``SAMPLE_ANSWER`` after ``latency_s``, in its
    own process (its threads then do not compete with the client for the GIL): its URL."""
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Queue(), context.Event()
    process = context.Process(target=_serve_sample, args=(latency_s, ready, stop), daemon=True)
    process.start()
    try:
        yield ready.get(timeout=60)
    finally:
        stop.set()
        process.join(timeout=10)
