"""Shared fixtures: every test runs with its own tilgen home and a fixed git identity."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

# The fake backend's entry point (tests/plugins), for tests that generate in-process.
sys.path.append(str(Path(__file__).resolve().parent / "plugins"))

AUTHOR_EMAIL = "dev@example.com"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every tilgen directory and git's global config at tmp_path."""
    home = tmp_path / "tilgen-home"
    home.mkdir()
    monkeypatch.setenv("TILGEN_HOME", str(home))
    # Models are big: share one download across tests (see tests/models.py).
    monkeypatch.setenv("TILGEN_MODELS_DIR", os.environ.get("TILGEN_TEST_MODELS_DIR", str(
        Path.home() / ".cache" / "tilgen-test-models")))
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text(
        f"[user]\n\tname = Dev\n\temail = {AUTHOR_EMAIL}\n[init]\n\tdefaultBranch = main\n"
        "[commit]\n\tgpgsign = false\n"
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var in list(os.environ):
        if var.startswith("TILGEN_") and var not in ("TILGEN_HOME", "TILGEN_MODELS_DIR",
                                                       "TILGEN_TEST_MODELS_DIR"):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TILGEN_RAISE", "1")  # unexpected errors surface as real tracebacks
    return home


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    full_env = {**os.environ, **(env or {})}
    out = subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, env=full_env
    )
    return out.stdout.decode("utf-8", "replace")


def commit_files(
    repo: Path,
    files: Mapping[str, str | bytes | None],
    message: str = "change",
    *,
    date: str | None = None,
    email: str = AUTHOR_EMAIL,
) -> str:
    """Write (or delete, for None) files, commit them, return the new sha."""
    for name, content in files.items():
        path = repo / name
        if content is None:
            git(repo, "rm", "-q", "--", name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        git(repo, "add", "--", name)
    env = {"GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_EMAIL": email}
    if date:
        env.update(GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    git(repo, "commit", "-q", "--no-verify", "--allow-empty", "-m", message, env=env)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty git repository with a fixed identity."""
    path = tmp_path / "project"
    path.mkdir()
    git(path, "init", "-q")
    return path


# Server fixtures shared by the remote-backend tests (and anyone checking what goes on the wire).
from tests.servers import fault_server, llama_server  # noqa: E402, F401


@pytest.fixture
def fake_backend():
    """The fake backend (``backend = "fake"``), its queue empty: enqueue answers in-process."""
    from tests.fake_backend import FakeBackend

    FakeBackend.clear()
    yield FakeBackend
    FakeBackend.clear()
