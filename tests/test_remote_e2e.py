"""The remote backend through the real CLI: a real server, fallback, and what goes on the wire."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli import FAKE, assert_clean, tilgen
from tests.conftest import commit_files
from tests.secrets_corpus import planted_secrets
from tests.servers import LLAMA_SERVER_CTX, TEST_MODEL_ALIAS, stream_reply
from tilgen.note.schema import validate_note

POINTS = {"topic": "설정 파일 정리", "keywords": ["설정 관리"],
          "points": [{"text": "설정 값은 환경 변수에서 읽어 코드와 분리합니다.", "hunk": 1},
                     {"text": "비밀 값은 저장소에 커밋하지 않아야 합니다.", "hunk": 0}]}


def saved_notes(home: Path) -> list[Path]:
    return sorted((home / "data" / "notes").rglob("*/*.md"))


@pytest.mark.server
def test_today_against_a_real_server_fits_a_day_far_larger_than_its_context(
        repo, isolated_home, llama_server):
    big = "".join(f"def handler_{i}(request):\n    return respond(request, code={i})\n\n"
                  for i in range(600))
    commit_files(repo, {"app/handlers.py": big, "app/util.py": "def respond(r, code):\n"
                        "    return {'code': code}\n"}, "Add generated handlers")
    proc = tilgen("today", "--backend", "remote", "--max-tokens", "500", cwd=repo, env={
        "TILGEN_REMOTE_BASE_URLS": llama_server, "TILGEN_REMOTE_MODEL": TEST_MODEL_ALIAS,
        "TILGEN_REMOTE_CONTEXT_LENGTH": str(LLAMA_SERVER_CTX)})
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc)
    [path] = saved_notes(isolated_home)
    text = path.read_text(encoding="utf-8")
    assert '"backend": "remote"' not in text and 'backend: "remote"' in text
    assert "omitted" in text  # the front matter records what did not fit
    head, body = text[4:].split("\n---\n", 1)
    meta = {k: json.loads(v) for k, v in (ln.split(": ", 1) for ln in head.splitlines())}
    import datetime as dt

    validate_note({"title": meta["title"], "keywords": meta["keywords"], "content": body.strip()},
                  date=dt.date.fromisoformat(meta["date"]))


def test_unreachable_server_falls_back_and_says_so(repo, isolated_home):
    commit_files(repo, {"a.py": "x = 1\n"}, "first")
    proc = tilgen("today", "--backend", "remote", cwd=repo, env={
        "TILGEN_REMOTE_BASE_URLS": "http://127.0.0.1:9/v1", "TILGEN_FALLBACK_BACKEND": FAKE,
        "TILGEN_REMOTE_RETRIES": "0"})
    assert proc.returncode == 0, proc.stderr
    assert "fallback" in proc.stderr
    [path] = saved_notes(isolated_home)
    assert 'fallback_from: "remote"' in path.read_text(encoding="utf-8")


def test_unreachable_server_without_fallback_is_one_line_and_saves_nothing(repo, isolated_home):
    commit_files(repo, {"a.py": "x = 1\n"}, "first")
    proc = tilgen("today", "--backend", "remote", cwd=repo, env={
        "TILGEN_REMOTE_BASE_URLS": "http://127.0.0.1:9/v1", "TILGEN_REMOTE_RETRIES": "0",
        "TILGEN_API_KEY": "sk-test-should-never-be-printed-123456"})
    assert proc.returncode == 7
    assert_clean(proc)
    assert "sk-test-should-never" not in proc.stderr + proc.stdout
    assert saved_notes(isolated_home) == []


def _commit_planted(repo: Path) -> list[str]:
    files: dict[str, str] = {}
    secrets = []
    for _kind, name, content, secret in planted_secrets():
        files[name] = content
        secrets.append(secret)
    commit_files(repo, files, "Add service configuration")
    return secrets


def _leaks(secrets: list[str], wire: str) -> list[str]:
    leaked = []
    for s in secrets:
        pieces = [s] + [s[i:i + 12] for i in range(0, max(1, len(s) - 11), 4) if len(s) >= 12]
        if any(p in wire for p in pieces):
            leaked.append(s)
    return leaked


def test_no_planted_secret_reaches_a_remote_server(repo, fault_server, isolated_home):
    secrets = _commit_planted(repo)
    assert len(secrets) >= 40
    fault_server.default("POST", "/v1/chat/completions",
                         stream_reply(json.dumps(POINTS, ensure_ascii=False)))
    proc = tilgen("today", "--backend", "remote", "--max-tokens", "2000", cwd=repo, env={
        "TILGEN_REMOTE_BASE_URLS": fault_server.url, "TILGEN_REMOTE_MODEL": "test-model",
        "TILGEN_REMOTE_CONTEXT_LENGTH": "32768"})
    assert proc.returncode == 0, proc.stderr
    wire = fault_server.wire_text()
    assert "/v1/chat/completions" in wire and "REDACTED" in wire
    assert _leaks(secrets, wire) == []


def test_no_planted_secret_reaches_a_local_backend(repo, tmp_path, isolated_home):
    secrets = _commit_planted(repo)
    log = tmp_path / "requests.jsonl"
    proc = tilgen("today", "-b", FAKE, cwd=repo, env={"TILGEN_FAKE_LOG": str(log),
                                                     "TILGEN_EMBEDDED_N_CTX": "32768"})
    assert proc.returncode == 0, proc.stderr
    sent = log.read_text(encoding="utf-8")
    assert "REDACTED" in sent
    assert _leaks(secrets, json.loads(json.dumps(sent))) == []
