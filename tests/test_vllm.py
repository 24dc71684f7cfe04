"""The remote backend against a real vLLM server (a GPU machine); skipped without one.

    TILGEN_TEST_VLLM_URL=http://127.0.0.1:8000/v1     the server (required)
    TILGEN_TEST_VLLM_MODEL=qwen2.5-coder-0.5b         its served model name
    TILGEN_TEST_VLLM_LORA=til05                       a LoRA adapter it serves (optional)
    TILGEN_TEST_VLLM_STRICT_URL=http://127.0.0.1:8002/v1   the same model behind a chat
        template that refuses a system message and non-alternating roles, as Gemma 1/2's do

The variables are read when this module is imported: the test fixtures clear TILGEN_*.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from tests.cli import assert_clean, tilgen
from tilgen.backends.base import GenerationRequest
from tilgen.backends.remote.backend import RemoteBackend
from tilgen.backends.remote.modes import PROBE_SCHEMA, honoured
from tilgen.backends.run import generate
from tilgen.config.settings import RemoteSettings
from tilgen.note.schema import validate_note
from tilgen.tools.evaluate import builtin_corpus

URL = os.environ.get("TILGEN_TEST_VLLM_URL", "")
MODEL = os.environ.get("TILGEN_TEST_VLLM_MODEL", "qwen2.5-coder-0.5b")
LORA = os.environ.get("TILGEN_TEST_VLLM_LORA", "")
STRICT_URL = os.environ.get("TILGEN_TEST_VLLM_STRICT_URL", "")

pytestmark = [pytest.mark.server,
              pytest.mark.skipif(not URL, reason="TILGEN_TEST_VLLM_URL is not set")]
PATCH = builtin_corpus() / "go-context-timeout.diff"


def env(url: str = URL, model: str = MODEL) -> dict[str, str]:
    return {"TILGEN_BACKEND": "remote", "TILGEN_REMOTE_BASE_URLS": url,
            "TILGEN_REMOTE_MODEL": model, "TILGEN_CACHE": "false"}


def note_from_cli(tmp_path: Path, *args: str, **kw: str) -> dict:
    proc = tilgen("patch", str(PATCH), "--json", "--no-save", *args, cwd=tmp_path, env=env(**kw))
    assert_clean(proc)
    assert proc.returncode == 0, proc.stderr
    note = json.loads(proc.stdout)
    day = dt.date.fromisoformat(note["title"][:10])  # a patch's note takes the patch's date
    validate_note(note, date=day)
    return note


def doctor(tmp_path: Path, **kw: str) -> dict:
    proc = tilgen("doctor", "--backend", "remote", "--json", cwd=tmp_path, env=env(**kw))
    assert_clean(proc)
    return {c["name"]: c for c in json.loads(proc.stdout) if c["target"] != "remote"}


@pytest.mark.parametrize("fmt", ["direct", "points"])
def test_both_note_formats_give_valid_notes(tmp_path: Path, fmt: str) -> None:
    note = note_from_cli(tmp_path, "--format", fmt)
    assert note["content"].count("\n") >= 3  # a direct note can hold newlines on xgrammar


def test_doctor_is_truthful(tmp_path: Path) -> None:
    checks = doctor(tmp_path)
    assert checks["reachable"]["status"] == "ok" and checks["model"]["status"] == "ok"
    assert checks["context"]["data"]["source"] == "server: max_model_len in /v1/models"
    assert checks["tokenizer"]["data"]["tokenizer"] == "vllm"
    structured = checks["structured output"]
    assert structured["status"] == "ok" and structured["data"]["mode"] == "json_schema"
    assert honoured("json_schema", structured["data"]["answer"])


def test_vllm_drops_a_schema_sent_with_json_object() -> None:
    # Why the probe checks answers: this request is accepted (HTTP 200) and its schema unused.
    backend = RemoteBackend(RemoteSettings(base_urls=[URL], model=MODEL))
    request = GenerationRequest(
        messages=[{"role": "user", "content": 'Reply with exactly {"ok": true}'}],
        json_schema=PROBE_SCHEMA, max_tokens=16, temperature=0.0, seed=0)
    items = list(backend.stream_on(URL, request, ["json_object_schema"]))
    text = "".join(item for item in items if isinstance(item, str))
    assert items[-1].extra["structured_output"] == "json_object_schema"  # type: ignore[union-attr]
    assert not honoured("json_object_schema", text), text


def test_prefix_reuse_shows_as_cached_tokens() -> None:
    # Needs --enable-prompt-tokens-details, which `tilgen serve` prints.
    backend = RemoteBackend(RemoteSettings(base_urls=[URL], model=MODEL))
    system = "You write short answers. " * 60
    request = GenerationRequest(messages=[{"role": "system", "content": system},
                                          {"role": "user", "content": "Say hi."}],
                                max_tokens=8, temperature=0.0, seed=0)
    generate(backend, request)
    second = generate(backend, request)
    assert second.cached_prompt_tokens and second.cached_prompt_tokens >= 256


@pytest.mark.skipif(not LORA, reason="TILGEN_TEST_VLLM_LORA is not set")
def test_a_lora_adapter_writes_a_note_and_doctor_reads_the_parent_context(
        tmp_path: Path) -> None:
    note_from_cli(tmp_path, model=LORA)
    checks = doctor(tmp_path, model=LORA)
    assert checks["model"]["status"] == "ok"
    assert checks["context"]["status"] == "ok"
    assert checks["context"]["data"]["source"] == "server: max_model_len in /v1/models"
    parent = doctor(tmp_path)["context"]["data"]["context_length"]
    assert checks["context"]["data"]["context_length"] == parent


@pytest.mark.skipif(not STRICT_URL, reason="TILGEN_TEST_VLLM_STRICT_URL is not set")
def test_a_template_refusing_the_system_role_still_gets_a_note(tmp_path: Path) -> None:
    note_from_cli(tmp_path, url=STRICT_URL)
    modes = json.loads((Path(os.environ["TILGEN_HOME"]) / "cache" / "remote-modes.json")
                       .read_text())
    assert modes[f"{STRICT_URL} {MODEL}"]["fold_system"] is True
