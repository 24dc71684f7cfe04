"""scripts/engine.py: which llama-cpp-python wheel install.sh keeps, against a wheel index on
loopback and fake engines (a wheel whose first decode crashes, one that decodes)."""

from __future__ import annotations

import base64
import hashlib
import io
import subprocess
import sys
import threading
import time
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VERSION = "0.3.36"
WHEEL_NAME = f"llama_cpp_python-{VERSION}-py3-none-any.whl"
CRASH = "import os, signal\n    os.kill(os.getpid(), signal.SIGSEGV)"  # what a bad build does
DECODES = "pass"

pytestmark = pytest.mark.slow


def fake_engine(kind: str, body: str) -> bytes:
    """A wheel named like llama-cpp-python whose ``Llama`` runs ``body`` when loaded."""
    module = (f"KIND = {kind!r}\n\nclass Llama:\n  def __init__(self, **kw):\n    {body}\n"
              "  def create_completion(self, prompt, **kw):\n"
              "    return {'choices': [{'text': ' return a + b'}]}\n")
    dist = f"llama_cpp_python-{VERSION}.dist-info"
    files = {"llama_cpp/__init__.py": module,
             f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: llama_cpp_python\n"
                                 f"Version: {VERSION}\n",
             f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                              "Tag: py3-none-any\n"}
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{name},sha256={digest.decode()},{len(text.encode())}")
    files[f"{dist}/RECORD"] = "\n".join(record + [f"{dist}/RECORD,,"]) + "\n"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    return path / "bin" / "python"


@pytest.fixture
def index(tmp_path: Path):
    """A PEP 503 simple index served by http.server; ``put(wheel)`` offers a wheel."""
    root = tmp_path / "index"
    (root / "llama-cpp-python").mkdir(parents=True)
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def put(data: bytes) -> str:
        (root / WHEEL_NAME).write_bytes(data)
        sha = hashlib.sha256(data).hexdigest()
        (root / "llama-cpp-python" / "index.html").write_text(
            f'<html><body><a href="../{WHEEL_NAME}#sha256={sha}">{WHEEL_NAME}</a></body></html>')
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield put
    server.shutdown()
    server.server_close()


def engine(venv: Path, cache: Path, *, index: str, build: bytes | None = None,
           tmp_path: Path) -> subprocess.CompletedProcess[str]:
    built = tmp_path / "built.whl"
    if build is not None:
        built.write_bytes(build)
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "engine.py"), "--python", str(venv),
         "--version", VERSION, "--cache", str(cache), "--prebuilt-index", index,
         "--build-cmd", f'cp {built} "$WHEEL_DIR/{WHEEL_NAME}"',
         "--model", str(tmp_path / "model.gguf"), "--timeout", "3"],
        capture_output=True, text=True)
    return proc


def installed(venv: Path) -> str:
    return subprocess.run([str(venv), "-c", "import llama_cpp; print(llama_cpp.KIND)"],
                          capture_output=True, text=True, check=True).stdout.strip()


def last_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


def test_a_prebuilt_wheel_that_crashes_at_the_first_decode_is_rejected_for_the_build(
        venv, index, tmp_path):
    url = index(fake_engine("prebuilt", CRASH))
    cache = tmp_path / "wheels" / f"{VERSION}-flags"
    line = last_line(engine(venv, cache, index=url, build=fake_engine("build", DECODES),
                            tmp_path=tmp_path))
    assert line.startswith("engine: built from source"), line
    assert "the prebuilt wheel crashed at the first decode (SIGSEGV)" in line
    assert installed(venv) == "build"
    prebuilt = tmp_path / "wheels" / f"{VERSION}-prebuilt"
    assert (prebuilt / "rejected").is_file() and not list(prebuilt.glob("*.whl"))
    # the next install takes the cached build and never tries that prebuilt wheel again
    line = last_line(engine(venv, cache, index=url, tmp_path=tmp_path))
    assert line == f"engine: cached build {WHEEL_NAME} passed the decode check"


def test_a_prebuilt_wheel_that_decodes_is_kept_and_nothing_is_built(venv, index, tmp_path):
    url = index(fake_engine("prebuilt", DECODES))
    cache = tmp_path / "wheels" / f"{VERSION}-flags"
    proc = engine(venv, cache, index=url, build=None, tmp_path=tmp_path)  # a build would fail
    assert last_line(proc).startswith(f"engine: prebuilt CPU wheel {WHEEL_NAME} passed")
    assert installed(venv) == "prebuilt" and "building" not in proc.stdout


def test_a_cached_wheel_that_fails_the_check_is_rebuilt(venv, tmp_path):
    cache = tmp_path / "wheels" / f"{VERSION}-flags"
    cache.mkdir(parents=True)
    (cache / WHEEL_NAME).write_bytes(fake_engine("stale", "raise SystemExit('bad model load')"))
    line = last_line(engine(venv, cache, index="off", build=fake_engine("build", DECODES),
                            tmp_path=tmp_path))
    assert line.startswith("engine: built from source"), line
    assert "the cached build failed the decode check (exit 1: bad model load)" in line
    assert "prebuilt index turned off" in line
    assert installed(venv) == "build"


def test_an_unreachable_prebuilt_index_costs_little_and_says_so(venv, tmp_path):
    cache = tmp_path / "wheels" / f"{VERSION}-flags"
    started = time.monotonic()
    line = last_line(engine(venv, cache, index="http://127.0.0.1:9/whl/cpu",
                            build=fake_engine("build", DECODES), tmp_path=tmp_path))
    assert "prebuilt index unreachable (http://127.0.0.1:9/whl/cpu:" in line, line
    assert time.monotonic() - started < 60  # two pip installs and a check; the probe is < 1 s
    probe = float(line.split(" s)")[0].rsplit(", ", 1)[1])
    assert probe < 3


def test_a_build_that_fails_the_check_too_is_one_clear_error(venv, tmp_path):
    cache = tmp_path / "wheels" / f"{VERSION}-flags"
    proc = engine(venv, cache, index="off", build=fake_engine("build", CRASH), tmp_path=tmp_path)
    assert proc.returncode != 0
    assert "even the source build failed the decode check" in proc.stderr
    assert "Traceback" not in proc.stderr
