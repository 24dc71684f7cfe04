"""A repository you clone cannot take over tilgen: its .tilgen.toml may set only what stays
inside the note until the user trusts the file (`tilgen config trust`), and a changed file is
untrusted again. Every key that could reach outside the note is tried, through the real CLI
and through the real post-commit hook, against a loopback server that records requests."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.cli import PLUGINS, ROOT, assert_clean, one_line, tilgen
from tests.conftest import commit_files, git
from tests.servers import FaultServer, stream_reply
from tilgen.config import trust
from tilgen.config.layers import load_settings
from tilgen.errors import ExitCode

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # the user's own, in their environment
POINTS = {"topic": "설정 파일 정리", "keywords": ["설정 관리"],
          "points": [{"text": "설정 값은 환경 변수에서 읽어 코드와 분리합니다.", "hunk": 1},
                     {"text": "비밀 값은 저장소에 커밋하지 않아야 합니다.", "hunk": 0}]}
PLANTED = 'password = "hunter2-correct-horse-battery"\n'


def hostile(key: str, server: str, victim: Path) -> str:
    """A .tilgen.toml that tries ``key``: each one reaches outside the note when obeyed."""
    remote = (f'[remote]\nbase_urls = ["{server}"]\napi_key_env = "AWS_SECRET_ACCESS_KEY"\n'
              'model = "test-model"\ncontext_length = 8192\nretries = 0\n')
    return {
        "notes_dir": f'notes_dir = "{victim.parent}"\nnote_filename = "{victim.name}"\n',
        "note_filename": f'note_filename = "../../../../../../../..{victim}"\n',
        "backend": 'backend = "remote"\n' + remote,
        "fallback_backend": 'fallback_backend = "remote"\n' + remote,
        "remote.base_urls": remote,
        "plugin": 'backend = "this:print"\n',
        "embedded.model_path":
            '[embedded]\nmodel_path = "/etc/passwd"\nlora_path = "/etc/shadow"\n',
        "redact": "redact = false\n",
    }[key]


KEYS = ["notes_dir", "note_filename", "backend", "fallback_backend", "remote.base_urls", "plugin",
        "embedded.model_path", "redact"]


@pytest.fixture
def user(isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The user's own setup: the fake backend in their config file, a secret in their env."""
    (isolated_home / "config").mkdir(exist_ok=True)
    (isolated_home / "config" / "config.toml").write_text('backend = "fake"\n')
    log = tmp_path / "fake-requests.log"
    env = {"AWS_SECRET_ACCESS_KEY": SECRET, "TILGEN_FAKE_LOG": str(log)}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim" / "precious.txt"
    path.parent.mkdir()
    path.write_text("precious\n")
    return path


def files_outside_notes(tmp_path: Path, home: Path, *, repo: Path) -> list[Path]:
    """Every file written under tmp_path that is not a note, the repository, or tilgen's own
    state, cache and config: notes are the only thing tilgen writes for a commit."""
    allowed = [home / "data" / "notes", home / "state", home / "cache", home / "config", repo]
    return [p for p in tmp_path.rglob("*") if p.is_file()
            and not any(p.is_relative_to(a) for a in allowed)
            and p.name not in ("gitconfig", "fake-requests.log", "precious.txt")]


def notes(home: Path, root: Path | None = None) -> list[Path]:
    """The daily notes written under the notes directory (not its README.md index)."""
    root = root or home / "data" / "notes"
    return sorted(p for p in root.rglob("*.md") if p != root / "README.md")


@pytest.mark.parametrize("key", KEYS)
def test_an_untrusted_repo_file_cannot_reach_outside_the_note(
        key: str, repo: Path, user: dict[str, str], victim: Path, fault_server: FaultServer,
        isolated_home: Path, tmp_path: Path) -> None:
    (repo / ".tilgen.toml").write_text('language = "ko"\n'
                                       + hostile(key, fault_server.url, victim))
    commit_files(repo, {"app.py": "def f():\n    return 1\n", "settings.py": PLANTED})
    proc = tilgen("today", cwd=repo)
    assert_clean(proc)
    assert proc.returncode == 0, proc.stderr
    warnings = [ln for ln in proc.stderr.splitlines() if "not trusted" in ln]
    assert len(warnings) == 1, proc.stderr
    assert "tilgen config trust --repo" in warnings[0]
    named = "backend" if key == "plugin" else key
    assert named in warnings[0]
    assert victim.read_text() == "precious\n"
    assert files_outside_notes(tmp_path, isolated_home, repo=repo) == []
    assert len(notes(isolated_home)) == 1
    assert fault_server.requests == []
    assert "Beautiful is better" not in proc.stdout + proc.stderr  # `this` never imported
    sent = Path(user["TILGEN_FAKE_LOG"]).read_text(encoding="utf-8")
    assert "hunter2-correct-horse" not in sent and "REDACTED" in sent  # redact stayed on
    assert SECRET not in sent


def test_repo_safe_keys_still_apply_from_an_untrusted_file(repo: Path) -> None:
    (repo / ".tilgen.toml").write_text(
        'language = "en"\nnote_format = "direct"\nignore = ["*.lock"]\nauthor = "all"\n'
        'cache = false\nredact = true\nbackend = "remote"\n[generation]\nmax_tokens = 700\n')
    resolved = load_settings(repo_root=repo, env={}, warn=False)
    s = resolved.settings
    assert (s.language, s.note_format, s.ignore, s.author, s.cache, s.redact) == (
        "en", "direct", ["*.lock"], "all", False, True)
    assert s.generation.max_tokens == 700
    assert s.backend == "embedded" and resolved.ignored == {"backend": "remote"}


def test_every_key_is_classified_and_unknown_keys_are_user_only() -> None:
    from tilgen.config.keys import KEYS as ALL

    safe = {k for k in ALL if trust.repo_safe(k, True) or trust.repo_safe(k, 1)}
    assert safe == {"language", "note_format", "ignore", "author", "cache", "redact",
                    *(k for k in ALL if k.startswith("generation.")
                      and k != "generation.candidates")}  # it multiplies the user's compute
    assert not trust.repo_safe("redact", False)
    assert not trust.repo_safe("plugins", ["x"])  # a key added later is user-only by default
    for key in ("backend", "fallback_backend", "notes_dir", "note_filename", "embedded.model",
                "embedded.model_path", "embedded.lora_path", "remote.api_key_env"):
        assert not trust.repo_safe(key, "x")
    assert all(not trust.repo_safe(k, "x") for k in ALL if k.startswith("remote."))


def test_trust_is_by_content_and_untrust_revokes_it(repo: Path, isolated_home: Path) -> None:
    path = repo / ".tilgen.toml"
    path.write_text('backend = "remote"\n')
    proc = tilgen("config", "trust", "--repo", str(repo))
    assert proc.returncode == 0, proc.stderr
    assert "may now set backend" in proc.stdout
    assert load_settings(repo_root=repo, env={}, warn=False).settings.backend == "remote"
    stored = json.loads((isolated_home / "state" / "trusted-configs.json").read_text())
    assert stored == {str(path.resolve()): {"sha256": trust.digest(path)}}
    path.write_text('backend = "remote"\n# changed\n')
    assert load_settings(repo_root=repo, env={}, warn=False).settings.backend == "embedded"
    assert tilgen("config", "trust", cwd=repo).returncode == 0
    assert load_settings(repo_root=repo, env={}, warn=False).settings.backend == "remote"
    proc = tilgen("config", "untrust", cwd=repo)
    assert proc.returncode == 0 and proc.stdout.startswith("untrusted")
    assert load_settings(repo_root=repo, env={}, warn=False).settings.backend == "embedded"


def test_trust_errors_are_one_line(repo: Path, tmp_path: Path) -> None:
    proc = tilgen("config", "trust", cwd=repo)
    assert proc.returncode == ExitCode.CONFIG and "nothing to trust" in proc.stderr
    outside = tmp_path / "plain"
    outside.mkdir()
    proc = tilgen("config", "trust", "--repo", str(outside))
    assert proc.returncode == ExitCode.NOT_A_REPO
    (repo / ".tilgen.toml").write_text('note_filename = "../x.md"\n')
    proc = tilgen("config", "trust", cwd=repo)
    assert proc.returncode == ExitCode.CONFIG and "climbs out" in proc.stderr
    for p in (proc,):
        assert_clean(p)


def test_config_show_lists_ignored_keys_with_their_source(repo: Path, monkeypatch) -> None:
    (repo / ".tilgen.toml").write_text(
        'backend = "remote"\n[remote]\nbase_urls = ["http://user:pw-secret-1@127.0.0.1:9/v1"]\n')
    proc = tilgen("config", "show", cwd=repo)
    assert proc.returncode == 0
    ignored = [ln for ln in proc.stdout.splitlines() if "ignored:" in ln]
    assert [ln.split()[0] for ln in ignored] == ["backend", "remote.base_urls"]
    assert all("(not trusted; tilgen config trust)" in ln for ln in ignored)
    assert "pw-secret-1" not in proc.stdout + proc.stderr
    data = json.loads(tilgen("config", "show", "--json", cwd=repo).stdout)
    assert data["backend"]["value"] == "embedded"
    assert data["backend"]["ignored"]["value"] == "remote"
    assert "not trusted" in proc.stdout and "not trusted" not in proc.stderr  # no warning line


def test_config_set_repo_keeps_a_trusted_file_trusted(repo: Path) -> None:
    (repo / ".tilgen.toml").write_text('language = "ko"\n')
    assert tilgen("config", "trust", cwd=repo).returncode == 0
    proc = tilgen("config", "set", "--repo", "backend", "remote", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert load_settings(repo_root=repo, env={}, warn=False).settings.backend == "remote"
    assert tilgen("config", "untrust", cwd=repo).returncode == 0
    proc = tilgen("config", "set", "--repo", "notes_dir", "/tmp/x", cwd=repo)
    assert "user-only" in proc.stderr and "tilgen config trust" in proc.stderr


# -- the same, through the post-commit hook ---------------------------------------------------


def _commit(repo: Path, name: str) -> None:
    (repo / name).write_text("def g():\n    return 2\n")
    git(repo, "add", "--", name)
    git(repo, "commit", "-q", "-m", f"add {name}")


def _wait_for(check, timeout: float = 120.0) -> None:  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            from tilgen.hook.install import log_path

            log = log_path().read_text() if log_path().exists() else "(no log)"
            raise AssertionError(f"timed out; hook log:\n{log}")
        time.sleep(0.2)


@pytest.mark.slow
def test_hook_in_a_hostile_clone_then_trusted_then_changed(
        repo: Path, user: dict[str, str], victim: Path, fault_server: FaultServer,
        isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tilgen.hook import install as hooks
    from tilgen.hook import queue as jobqueue

    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), str(PLUGINS)]))
    monkeypatch.setenv("TILGEN_HOOK_DELAY", "0.2")
    fault_server.default("POST", "/v1/chat/completions",
                         stream_reply(json.dumps(POINTS, ensure_ascii=False)))
    notes_dir = tmp_path / "team-notes"
    file = repo / ".tilgen.toml"
    file.write_text('backend = "remote"\nfallback_backend = "this:print"\n'
                    f'notes_dir = "{notes_dir}"\n'
                    f'[remote]\nbase_urls = ["{fault_server.url}"]\n'
                    'api_key_env = "AWS_SECRET_ACCESS_KEY"\nmodel = "test-model"\n'
                    'context_length = 8192\nretries = 0\n'
                    '[embedded]\nmodel_path = "/etc/passwd"\n')
    commit_files(repo, {"settings.py": PLANTED}, "settings")
    hooks.install(repo)
    top = repo.resolve()

    def runs() -> int:
        return int((jobqueue.last_run(top) or {}).get("runs", 0))

    _commit(repo, "a.py")  # untrusted: the user's fake backend, the default notes dir
    _wait_for(lambda: runs() >= 1 and jobqueue.load_entry(top) is None)
    assert jobqueue.last_run(top)["ok"], jobqueue.last_run(top)
    assert fault_server.requests == [] and not notes_dir.exists()
    assert len(notes(isolated_home)) == 1
    log = hooks.log_path().read_text()
    assert "not trusted" in log and "tilgen config trust" in log
    assert files_outside_notes(tmp_path, isolated_home, repo=repo) == []

    file.write_text(file.read_text().replace('"this:print"', '"fake"'))
    assert tilgen("config", "trust", cwd=repo).returncode == 0
    _commit(repo, "b.py")  # trusted: the repository's server, key and notes directory
    _wait_for(lambda: runs() >= 2 and jobqueue.load_entry(top) is None)
    assert jobqueue.last_run(top)["ok"], jobqueue.last_run(top)
    chats = fault_server.calls("/v1/chat/completions")
    assert chats and chats[0].headers["authorization"] == f"Bearer {SECRET}"
    assert "hunter2-correct-horse" not in fault_server.wire_text()
    assert len(notes(isolated_home, notes_dir)) == 1

    file.write_text(file.read_text().replace("retries = 0", "retries = 1"))  # changed: untrusted
    git(repo, "add", ".tilgen.toml")
    served = len(fault_server.requests)
    _commit(repo, "c.py")
    _wait_for(lambda: runs() >= 3 and jobqueue.load_entry(top) is None)
    assert len(fault_server.requests) == served
    assert victim.read_text() == "precious\n"
    grep_for_secrets(isolated_home, SECRET)


def test_a_trusted_file_with_an_unknown_fallback_fails_before_any_request(
        repo: Path, fault_server: FaultServer) -> None:
    fault_server.default("POST", "/v1/chat/completions",
                         stream_reply(json.dumps(POINTS, ensure_ascii=False)))
    (repo / ".tilgen.toml").write_text(
        'backend = "remote"\nfallback_backend = "this:print"\n'
        f'[remote]\nbase_urls = ["{fault_server.url}"]\nmodel = "test-model"\n')
    commit_files(repo, {"a.py": "x = 1\n"})
    assert tilgen("config", "trust", cwd=repo).returncode == 0
    line = one_line(tilgen("today", cwd=repo), ExitCode.CONFIG)
    assert line.startswith("tilgen: error: fallback_backend = 'this:print': unknown backend")
    assert "choose one of: embedded, remote" in line
    assert fault_server.requests == []


def grep_for_secrets(home: Path, *secrets: str) -> None:
    """No file tilgen keeps (state, logs, cache, config, notes) holds any of ``secrets``."""
    for path in home.rglob("*"):
        if path.is_file() and path.stat().st_size < 5_000_000:
            data = path.read_bytes()
            for secret in secrets:
                assert secret.encode() not in data, f"{secret[:6]}… found in {path}"


def test_a_symlink_to_a_trusted_file_is_not_trusted(repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "team"
    other.mkdir()
    (other / ".tilgen.toml").write_text('backend = "remote"\n')
    trust.trust(other / ".tilgen.toml")
    (repo / ".tilgen.toml").symlink_to(other / ".tilgen.toml")
    resolved = load_settings(repo_root=repo, env={}, warn=False)
    assert resolved.settings.backend == "embedded" and "backend" in resolved.ignored
