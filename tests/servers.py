"""Servers for tests: the real llama-cpp-python OpenAI-compatible server, and a programmable
fault-injection server (401/404/429/500, slow or empty streams) that records every request.

Use them as fixtures: ``from tests.servers import llama_server, fault_server  # noqa: F401``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

TEST_MODEL_FILE = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
TEST_MODEL_ALIAS = "qwen2.5-coder-0.5b-test"
LLAMA_SERVER_CTX = 2048


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def llama_model_file() -> Path:
    folder = os.environ.get("TILGEN_TEST_MODELS_DIR") or str(
        Path.home() / ".cache" / "tilgen-test-models")
    return Path(folder) / TEST_MODEL_FILE


# -- the real llama.cpp server ------------------------------------------------------------
@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (``http://127.0.0.1:PORT/v1``) of a real ``python -m llama_cpp.server``
    serving the 0.5B test model as ``TEST_MODEL_ALIAS`` with a 2048-token context."""
    missing = [m for m in ("llama_cpp", "uvicorn", "fastapi", "sse_starlette")
               if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"llama-cpp-python[server] is not installed (missing {', '.join(missing)})")
    model = llama_model_file()
    if not model.is_file():
        pytest.skip(f"test model {model} is missing; run `tilgen model pull qwen2.5-coder-0.5b` "
                    "with TILGEN_MODELS_DIR pointing there")
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
           "--model_alias", TEST_MODEL_ALIAS, "--host", "127.0.0.1", "--port", str(port),
           "--n_ctx", str(LLAMA_SERVER_CTX), "--n_threads", "2", "--verbose", "False"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited with {proc.returncode}:\n"
                            + log.read_text(errors="replace")[-2000:])
            try:
                with urllib.request.urlopen(base + "/models", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not answer /v1/models within 120 s")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- the fault-injection server ----------------------------------------------------------
@dataclass
class Reply:
    """One scripted answer. ``stream`` pieces become chat-completion SSE chunks."""

    status: int = 200
    body: Any = None  # JSON body (non-stream)
    headers: dict[str, str] = field(default_factory=dict)
    stream: list[str] | None = None
    finish_reason: str | None = "stop"
    usage: dict[str, Any] | None = None
    delay_first: float = 0.0  # seconds before the first chunk (after the headers)
    delay_each: float = 0.0  # seconds between chunks
    drop_after: int | None = None  # pieces sent before the connection drops mid-body
    raw_events: list[str] | None = None  # sent verbatim as `data: <text>` events (bad streams)


def error_reply(status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status=status, body={"error": {"message": message, "type": "error",
                                                "code": status}}, headers=headers or {})


def stream_reply(*pieces: str, usage: dict[str, Any] | None = None, **kwargs: Any) -> Reply:
    return Reply(stream=list(pieces), usage=usage, **kwargs)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    at: float

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class FaultServer:
    """An OpenAI-compatible stand-in on 127.0.0.1 that answers from a script.

    ``script(method, path, *replies)`` queues replies for a route, used once each in order;
    when a route's queue is empty its ``default`` answers (set with ``default(...)``).
    ``/v1/models`` lists ``models`` unless scripted. Every request is kept in ``requests``.
    """

    def __init__(self, *, models: list[str] | None = None) -> None:
        self.models = models or ["test-model"]
        self.requests: list[Recorded] = []
        self._queues: dict[tuple[str, str], deque[Reply]] = {}
        self._defaults: dict[tuple[str, str], Reply] = {}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"fault": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        self.root = f"http://127.0.0.1:{self.port}"
        self.url = self.root + "/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def script(self, method: str, path: str, *replies: Reply) -> None:
        with self._lock:
            self._queues.setdefault((method.upper(), path), deque()).extend(replies)

    def chat(self, *replies: Reply) -> None:
        self.script("POST", "/v1/chat/completions", *replies)

    def default(self, method: str, path: str, reply: Reply) -> None:
        self._defaults[(method.upper(), path)] = reply

    def calls(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    def wire_text(self) -> str:
        """Everything clients sent (headers and bodies), to look for leaked secrets."""
        return "\n".join(f"{r.method} {r.path} {r.headers} {r.body.decode('utf-8', 'replace')}"
                         for r in self.requests)

    def next_reply(self, method: str, path: str) -> Reply:
        with self._lock:
            queue = self._queues.get((method, path))
            if queue:
                return queue.popleft()
        if (method, path) in self._defaults:
            return self._defaults[(method, path)]
        if (method, path) == ("GET", "/v1/models"):
            return Reply(body={"object": "list", "data": [
                {"id": m, "object": "model", "owned_by": "test"} for m in self.models]})
        return error_reply(404, f"no route {method} {path}")

    def wait(self, seconds: float) -> bool:
        """Sleep that ends early when the server closes; False if it closed."""
        return not self._stop.wait(seconds)

    def close(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    fault: FaultServer
    protocol_version = "HTTP/1.0"  # one request per connection; streams end by closing

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path.split("?", 1)[0]
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.fault.requests.append(Recorded(self.command, path, headers, body, time.monotonic()))
        reply = self.fault.next_reply(self.command, path)
        if reply.stream is None:
            data = json.dumps(reply.body if reply.body is not None else {}).encode()
            self.send_response(reply.status)
            for name, value in {"content-type": "application/json", **reply.headers}.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.send_response(reply.status)
        for name, value in {"content-type": "text/event-stream", **reply.headers}.items():
            self.send_header(name, value)
        if reply.drop_after is not None:  # a body promised longer than it gets: a crash
            self.send_header("content-length", str(10**6))
        self.end_headers()
        self.wfile.flush()
        if reply.delay_first and not self.fault.wait(reply.delay_first):
            return
        if reply.raw_events is not None:
            for text in reply.raw_events:
                self.wfile.write(f"data: {text}\n\n".encode())
            self.wfile.flush()
            return
        if not reply.stream and reply.usage is None:
            return  # an empty stream: headers, then the connection closes
        for i, piece in enumerate(reply.stream):
            if i == reply.drop_after:
                return
            if i and reply.delay_each and not self.fault.wait(reply.delay_each):
                return
            self._event({"choices": [{"index": 0, "delta": {"content": piece},
                                      "finish_reason": None}]})
        self._event({"choices": [{"index": 0, "delta": {}, "finish_reason": reply.finish_reason}]})
        if reply.usage is not None:
            self._event({"choices": [], "usage": reply.usage})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _event(self, payload: dict[str, Any]) -> None:
        chunk = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": 0,
                 "model": self.fault.models[0], **payload}
        try:
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
        except OSError:
            pass

    do_GET = do_POST = _handle


@pytest.fixture
def fault_server() -> Iterator[FaultServer]:
    server = FaultServer()
    try:
        yield server
    finally:
        server.close()
