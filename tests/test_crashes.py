"""Hostile input that used to end in "unexpected error" (exit 3): each now ends in one clear
line with its own exit code, checked before any model runs where it can be. Also the lesser
faults found with them: what --show-prompt prints, days with no text, conflict markers,
messages that said what was not true, lock files and file modes, credentials in URLs and
token-shaped names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import PLUGINS, ROOT, assert_clean, one_line, tilgen
from tests.conftest import commit_files, git
from tests.servers import FaultServer, Reply, error_reply
from tests.test_hostile_repo import grep_for_secrets
from tilgen.errors import ExitCode

GITHUB_TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
PASSWORD = "pa55-w0rd-in-url"


def shell(script: str, *, cwd: Path, env: dict[str, str] | None = None
          ) -> subprocess.CompletedProcess[str]:
    """``script`` in bash, with ``$TILGEN`` running the real CLI (for <&-, >&-, /dev/full)."""
    full = {**os.environ, **(env or {})}
    full["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(PLUGINS)])
    full.pop("TILGEN_RAISE", None)
    full["TILGEN"] = f"{sys.executable} -m tilgen"
    proc = subprocess.run(["bash", "-c", script], cwd=cwd, env=full, capture_output=True,
                          timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode,
                                       proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


@pytest.fixture
def day(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    commit_files(repo, {"app.py": "def add(a, b):\n    return a + b\n"}, "Add add")
    monkeypatch.setenv("TILGEN_FAKE_LOG", str(tmp_path / "fake.log"))
    return repo


def model_calls(tmp_path: Path) -> int:
    log = tmp_path / "fake.log"
    return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


def notes(home: Path) -> list[Path]:
    """The daily notes (not the README.md index beside them)."""
    root = home / "data" / "notes"
    return sorted(p for p in root.rglob("*.md") if p != root / "README.md")


# -- the crash list ---------------------------------------------------------------------------


def test_patch_from_a_closed_stdin(tmp_path: Path) -> None:
    line = one_line(shell("$TILGEN patch - -b fake <&-", cwd=tmp_path), ExitCode.USAGE)
    assert "standard input is closed" in line


@pytest.mark.parametrize("redirect", [">&-", "> /dev/full"])
def test_show_prompt_into_a_closed_or_full_stdout(day: Path, redirect: str) -> None:
    proc = shell(f"$TILGEN today -b fake --show-prompt {redirect}", cwd=day)
    line = one_line(proc, ExitCode.IO)
    assert "standard output" in line
    assert "Exception ignored" not in proc.stderr


def test_json_into_a_full_stdout_still_saves_the_note(day: Path, isolated_home: Path) -> None:
    line = one_line(shell("$TILGEN today -b fake --json > /dev/full", cwd=day), ExitCode.IO)
    assert "No space left" in line
    assert len(notes(isolated_home)) == 1


def test_a_closed_stdout_only_loses_the_preview(day: Path, isolated_home: Path) -> None:
    proc = shell("$TILGEN today -b fake >&-", cwd=day)
    assert proc.returncode == 0, proc.stderr
    assert len(notes(isolated_home)) == 1


@pytest.mark.parametrize("date,why", [("9999-12-31", "in the future"),
                                      ("0001-01-01", "before 1970-01-01")])
def test_dates_outside_git_history(day: Path, date: str, why: str, tmp_path: Path) -> None:
    line = one_line(tilgen("today", "-b", "fake", "--date", date, cwd=day), ExitCode.USAGE)
    assert why in line
    assert model_calls(tmp_path) == 0


@pytest.mark.parametrize("pattern,why", [
    ("{0}.md", "uses {0}"), ("{nope}.md", "uses {nope}"), ("{date!r}.md", "uses {date!r}"),
    ("{repo}/", "names a folder"), ("../../x/{date}.md", "climbs out"),
    ("/tmp/{date}.md", "absolute"), ("{repo}/ .md", None), ("{", "not a valid pattern"),
    ("", "names a folder"),
])
@pytest.mark.parametrize("where", ["user file", "env"])
def test_bad_note_filename_is_a_config_error_before_the_model(
        day: Path, isolated_home: Path, tmp_path: Path, pattern: str, why: str | None,
        where: str) -> None:
    env = {}
    if where == "env":
        env["TILGEN_NOTE_FILENAME"] = pattern
    else:
        (isolated_home / "config").mkdir()
        (isolated_home / "config" / "config.toml").write_text(
            f"note_filename = {json.dumps(pattern)}\n")
    proc = tilgen("today", "-b", "fake", cwd=day, env=env)
    if why is None:  # an odd but harmless name: written inside the notes directory
        assert proc.returncode == 0, proc.stderr
        assert all(p.is_relative_to(isolated_home / "data" / "notes") for p in notes(isolated_home))
        return
    if pattern == "" and where == "env":  # an empty variable is unset
        assert proc.returncode == 0
        return
    line = one_line(proc, ExitCode.CONFIG)
    assert why in line and "note_filename" in line
    assert model_calls(tmp_path) == 0 and notes(isolated_home) == []


def test_config_set_rejects_a_bad_note_filename(isolated_home: Path) -> None:
    line = one_line(tilgen("config", "set", "note_filename", "{repo}/"), ExitCode.CONFIG)
    assert "names a folder" in line
    assert not (isolated_home / "config" / "config.toml").exists()


def test_models_dir_that_is_not_a_folder(day: Path) -> None:
    proc = tilgen("today", "-b", "embedded", cwd=day, env={"TILGEN_MODELS_DIR": "/dev/null"})
    line = one_line(proc, ExitCode.MODEL)
    assert "/dev/null is not a folder" in line and "TILGEN_MODELS_DIR" in line


def _remote_env(server: FaultServer, **extra: str) -> dict[str, str]:
    return {"TILGEN_REMOTE_BASE_URLS": server.url, "TILGEN_REMOTE_MODEL": "test-model",
            "TILGEN_REMOTE_CONTEXT_LENGTH": "8192", "TILGEN_REMOTE_RETRIES": "1", **extra}


def test_a_stream_event_that_is_not_json(day: Path, fault_server: FaultServer) -> None:
    fault_server.default("POST", "/v1/chat/completions",
                         Reply(stream=[], raw_events=["{not json}"]))
    proc = tilgen("today", "-b", "remote", cwd=day, env=_remote_env(fault_server))
    assert "not JSON" in one_line(proc, ExitCode.BACKEND)


def test_an_answer_without_text_does_not_blame_the_context(day: Path,
                                                           fault_server: FaultServer) -> None:
    fault_server.default("POST", "/v1/chat/completions", Reply(status=200, body={"x": 1}))
    line = one_line(tilgen("today", "-b", "remote", cwd=day, env=_remote_env(fault_server)),
                    ExitCode.BACKEND)
    assert "empty answer, though the prompt fits" in line and "exceed" not in line


def test_retry_count_is_true_when_retry_after_is_long(day: Path,
                                                      fault_server: FaultServer) -> None:
    fault_server.default("POST", "/v1/chat/completions",
                         error_reply(429, "slow down", {"retry-after": "120"}))
    proc = tilgen("today", "-b", "remote", cwd=day,
                  env=_remote_env(fault_server, TILGEN_REMOTE_RETRIES="2"))
    line = one_line(proc, ExitCode.BACKEND)
    assert len(fault_server.calls("/v1/chat/completions")) == 1
    assert "after 0 retries" in line and "asked to wait 120s" in line


@pytest.mark.parametrize("entry", ["[]", '"note"', '{"note": []}', '{"note": {"title": ""}}',
                                   '{"nope": 1}', "{not json"])
def test_a_broken_cache_entry_is_generated_again(day: Path, isolated_home: Path,
                                                 tmp_path: Path, entry: str) -> None:
    assert tilgen("today", "-b", "fake", cwd=day).returncode == 0
    cached = list((isolated_home / "cache" / "notes").rglob("*.json"))
    assert cached and model_calls(tmp_path) == 1
    for path in cached:
        path.write_text(entry)
    proc = tilgen("today", "-b", "fake", cwd=day)
    assert proc.returncode == 0, proc.stderr
    assert model_calls(tmp_path) == 2
    assert all(json.loads(p.read_text())["note"]["title"] for p in cached)  # overwritten
    assert tilgen("today", "-b", "fake", cwd=day).returncode == 0
    assert model_calls(tmp_path) == 2  # and used again


@pytest.mark.parametrize("change", [
    {"first_trigger": "yesterday"}, {"last_trigger": None}, {"last_trigger": 1e400},
    {"days": {"not-a-day": 1}}, {"days": ["2026-01-01"]}, {"seq": "x"}, {"repo": 7},
])
def test_flush_with_a_broken_queue_entry(day: Path, isolated_home: Path,
                                         change: dict[str, object]) -> None:
    from tilgen.hook import queue as jobqueue

    jobqueue.record_trigger(day.resolve())
    [path] = list((isolated_home / "state" / "queue").glob("*.json"))
    data = json.loads(path.read_text())
    data.update(change)
    path.write_text(json.dumps(data).replace("Infinity", "1e400"))
    for args in (("flush",), ("flush", "--repo", str(day))):
        proc = tilgen(*args, env={"TILGEN_BACKEND": "fake"})
        assert_clean(proc)
        assert proc.returncode == 0, proc.stderr


def _ro_tmpfs(path: Path) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


def test_config_set_into_an_unwritable_place(tmp_path: Path, repo: Path) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    line = one_line(tilgen("config", "set", "language", "en",
                           env={"TILGEN_HOME": str(blocker)}), ExitCode.CONFIG)
    assert "cannot read it (Not a directory)" in line  # found before any write is tried
    (repo / ".tilgen.toml").mkdir()
    line = one_line(tilgen("config", "set", "--repo", "language", "en", cwd=repo),
                    ExitCode.CONFIG)
    assert "cannot read it (Is a directory)" in line


def test_config_set_into_a_read_only_file_system(tmp_path: Path) -> None:
    repo, home = tmp_path / "ro-repo", tmp_path / "ro-home"
    if not _ro_tmpfs(repo):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        assert _ro_tmpfs(home)
        git(repo, "init", "-q")
        (home / "config").mkdir()
        for folder in (repo, home):
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        for args in (("language", "en"), ("--repo", "language", "en")):
            proc = tilgen("config", "set", *args, cwd=repo, env={"TILGEN_HOME": str(home)})
            assert "Read-only file system" in one_line(proc, ExitCode.IO)
    finally:
        subprocess.run(["umount", str(repo)], check=False)
        subprocess.run(["umount", str(home)], check=False)


# -- lesser faults ----------------------------------------------------------------------------


def test_show_prompt_prints_the_fitted_prompt(repo: Path) -> None:
    big = "".join(f"def handler_{i}(request):\n    return respond(request, code={i})\n\n"
                  for i in range(4000))
    commit_files(repo, {"handlers.py": big, "util.py": "def respond(r, code):\n    return code\n"})
    proc = tilgen("today", "-b", "fake", "--show-prompt", cwd=repo,
                  env={"TILGEN_EMBEDDED_N_CTX": "4096"})
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout) < len(big) / 5
    assert "4096-token context" in proc.stderr and "estimate" in proc.stderr


def test_binary_only_day_calls_no_model(repo: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TILGEN_FAKE_LOG", str(tmp_path / "fake.log"))
    commit_files(repo, {"logo.png": b"\x89PNG\r\n\x1a\n\0\0\0binary"}, "Add logo")
    line = one_line(tilgen("today", "-b", "fake", cwd=repo), ExitCode.NO_CHANGES)
    assert "logo.png: binary" in line and "no model was called" in line
    assert model_calls(tmp_path) == 0


def test_submodule_only_day_calls_no_model(repo: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TILGEN_FAKE_LOG", str(tmp_path / "fake.log"))
    sha = commit_files(repo, {}, "base")
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{sha},vendor/lib")
    git(repo, "commit", "-q", "--no-verify", "-m", "Add submodule")
    git(repo, "reset", "-q", "--soft", "HEAD~0")
    line = one_line(tilgen("commit", "HEAD", "-b", "fake", cwd=repo), ExitCode.NO_CHANGES)
    assert "submodule" in line
    assert model_calls(tmp_path) == 0


def test_conflict_markers_in_working_changes_warn(repo: Path) -> None:
    commit_files(repo, {"a.py": "x = 1\n"})
    (repo / "a.py").write_text("<<<<<<< HEAD\nx = 1\n=======\nx = 2\n>>>>>>> other\n")
    proc = tilgen("working", "-b", "fake", "--no-save", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "a.py still holds merge conflict markers" in proc.stderr


def test_messages_name_commands_that_exist(repo: Path) -> None:
    line = one_line(tilgen("today", "-b", "fake", cwd=repo), ExitCode.NOT_A_REPO)
    assert "tilgen staged or tilgen working" in line and "--staged" not in line
    commit_files(repo, {"a.py": "x = 1\n"})
    line = one_line(tilgen("staged", "-b", "fake", cwd=repo), ExitCode.NO_CHANGES)
    assert "tilgen working" in line and "--working" not in line


def test_no_lock_file_beside_notes_and_the_umask_is_honoured(day: Path,
                                                             isolated_home: Path) -> None:
    proc = shell("umask 022 && $TILGEN today -b fake", cwd=day)
    assert proc.returncode == 0, proc.stderr
    [note] = notes(isolated_home)
    assert [p.name for p in note.parent.iterdir()] == [note.name]
    assert note.stat().st_mode & 0o777 == 0o644
    note.unlink()
    assert shell("umask 077 && $TILGEN today -b fake --no-cache", cwd=day).returncode == 0
    assert note.stat().st_mode & 0o777 == 0o600


# -- credentials ------------------------------------------------------------------------------


def test_a_password_in_a_base_url_is_never_shown_or_stored(day: Path, isolated_home: Path,
                                                          fault_server: FaultServer) -> None:
    down = f"http://user:{PASSWORD}@127.0.0.1:9/v1"
    up = fault_server.url.replace("http://", f"http://user:{PASSWORD}@")
    fault_server.default("POST", "/v1/chat/completions", error_reply(500, "boom"))
    outputs = []
    for urls in (down, up, f"{down},{up}"):
        env = {"TILGEN_REMOTE_BASE_URLS": urls, "TILGEN_REMOTE_RETRIES": "0",
               "TILGEN_REMOTE_MODEL": "test-model", "TILGEN_REMOTE_CONTEXT_LENGTH": "8192"}
        proc = tilgen("today", "-b", "remote", cwd=day, env=env)
        assert proc.returncode == ExitCode.BACKEND, proc.stderr
        assert "user:****@127.0.0.1" in proc.stderr
        outputs.append(proc.stdout + proc.stderr)
        doctor = tilgen("doctor", "--json", cwd=day, env=env)
        outputs.append(doctor.stdout + doctor.stderr)
        shown = tilgen("config", "show", "--json", cwd=day, env=env)
        outputs.append(shown.stdout + shown.stderr)
    state = (isolated_home / "state" / "remote-replicas.json").read_text()
    assert "user:****@127.0.0.1:9/v1" in state
    assert not [text for text in outputs if PASSWORD in text]
    grep_for_secrets(isolated_home, PASSWORD)


def test_token_shaped_branch_and_file_names_are_redacted(repo: Path, tmp_path: Path,
                                                         isolated_home: Path) -> None:
    commit_files(repo, {"a.py": "x = 1\n"})
    git(repo, "checkout", "-q", "-b", f"fix/{GITHUB_TOKEN}")
    commit_files(repo, {f"keys/{GITHUB_TOKEN}.txt": "hello\n", "b.py": "y = 2\n"},
                 f"Rotate {GITHUB_TOKEN}")
    log = tmp_path / "fake.log"
    proc = tilgen("today", "-b", "fake", cwd=repo, env={"TILGEN_FAKE_LOG": str(log)})
    assert proc.returncode == 0, proc.stderr
    sent = log.read_text(encoding="utf-8")
    assert GITHUB_TOKEN not in sent and "[REDACTED:github-token]" in sent
    shown = tilgen("today", "-b", "fake", "--show-prompt", cwd=repo)
    assert GITHUB_TOKEN not in shown.stdout
