"""The post-commit hook: install/uninstall, chaining, the background job, queue and flush."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli import FAKE, PLUGINS, ROOT, assert_clean, tilgen
from tests.conftest import git
from tilgen import paths
from tilgen.git.repo import HOOK_ENV, no_git_env
from tilgen.hook import install as hooks
from tilgen.hook import queue as jobqueue
from tilgen.hook import script
from tilgen.hook import status as hookstatus

psutil = pytest.importorskip("psutil")

SERVER_DOWN = {"TILGEN_BACKEND": "remote", "TILGEN_REMOTE_BASE_URLS": "http://127.0.0.1:9/v1",
               "TILGEN_REMOTE_RETRIES": "0"}
NO_MODEL = {"TILGEN_BACKEND": "embedded", "TILGEN_EMBEDDED_MODEL_PATH": "/nonexistent.gguf"}


@pytest.fixture
def hook_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Commits made by the tests start real background jobs with the fake backend."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        filter(None, [str(ROOT), str(PLUGINS), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("TILGEN_BACKEND", FAKE)
    monkeypatch.setenv("TILGEN_HOOK_DELAY", "0.3")
    monkeypatch.setenv("TILGEN_FAKE_LOG", str(tmp_path / "fake-requests.log"))
    yield
    _stop_jobs(tmp_path)


def _jobs(tmp_path: Path) -> list:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmd = " ".join(proc.info["cmdline"] or [])
        if "hook-run" in cmd and str(tmp_path) in cmd:
            found.append(proc)
    return found


def _stop_jobs(tmp_path: Path) -> None:
    for proc in _jobs(tmp_path):
        try:
            proc.kill()
        except psutil.Error:
            pass


def wait_for(check: Callable[[], object], timeout: float = 90.0, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or check}; log:\n{_log_text()}")


def wait_jobs_done(tmp_path: Path, timeout: float = 120.0) -> None:
    wait_for(lambda: not _jobs(tmp_path), timeout, "the background jobs to end")


def _log_text() -> str:
    path = script.log_path()
    return path.read_text("utf-8", "replace") if path.exists() else "(no log)"


def commit(repo: Path, name: str = "a.py", *, message: str = "change",
           env: dict[str, str] | None = None,
           args: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """A real `git commit` of one changed file, as a user types it."""
    path = repo / name
    path.write_text(path.read_text() + "x = 1\n" if path.exists() else "def f():\n    return 1\n")
    git(repo, "add", "--", name)
    proc = subprocess.run(["git", *args, "commit", "-q", "-m", message], cwd=repo,
                          capture_output=True, text=True, env={**os.environ, **(env or {})},
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc


def top(repo: Path) -> Path:
    return repo.resolve()


def runs(repo: Path) -> int:
    return int((jobqueue.last_run(top(repo)) or {}).get("runs", 0))


# -- install / uninstall / status ----------------------------------------------------------------


def test_install_is_idempotent_and_uninstall_removes_it(repo: Path) -> None:
    result = hooks.install(repo)
    hook = repo / ".git" / "hooks" / "post-commit"
    assert result.changed and result.hook_path == hook.resolve() and result.chained is None
    assert os.access(hook, os.X_OK) and script.is_ours(hook)
    text = hook.read_text()
    assert f"tilgen_python='{sys.executable}'" in text and "@PYTHON@" not in text
    again = hooks.install(repo)
    assert not again.changed and hook.read_text() == text
    st = hookstatus.status(repo)
    assert st.installed and st.interpreter == sys.executable and st.interpreter_ok
    assert st.queued is None and st.last_run is None
    assert hooks.uninstall(repo).removed
    assert not hook.exists() and not hookstatus.status(repo).installed
    assert not hooks.uninstall(repo).removed


def test_cli_install_status_uninstall(repo: Path) -> None:
    out = tilgen("hook", "install", cwd=repo)
    assert out.returncode == 0 and "installed tilgen's post-commit hook" in out.stdout
    status = tilgen("hook", "status", "--json", cwd=repo)
    data = json.loads(status.stdout)
    assert data["installed"] and data["hook"].endswith("post-commit") and data["queued"] is None
    text = tilgen("hook", "status", cwd=repo).stdout
    assert "installed at" in text and "log:" in text
    out = tilgen("hook", "uninstall", cwd=repo)
    assert out.returncode == 0 and "removed" in out.stdout
    assert not json.loads(tilgen("hook", "status", "--json", cwd=repo).stdout)["installed"]


def test_outside_a_repository_is_a_one_line_error(tmp_path: Path) -> None:
    out = tilgen("hook", "install", cwd=tmp_path)
    assert out.returncode == 4 and out.stderr.count("\n") == 1
    assert_clean(out)


def test_core_hooks_path_is_honoured(repo: Path, hook_env: None) -> None:
    git(repo, "config", "core.hooksPath", ".githooks")
    result = hooks.install(repo)
    assert result.hook_path == (repo / ".githooks" / "post-commit").resolve()
    assert not (repo / ".git" / "hooks" / "post-commit").exists()
    commit(repo)
    wait_for(lambda: jobqueue.last_run(top(repo)), what="the job's result")


def test_worktree_shares_the_hook_and_runs_for_its_own_tree(repo: Path, hook_env: None,
                                                           tmp_path: Path) -> None:
    commit(repo)  # no hook yet
    wt = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", str(wt))
    result = hooks.install(wt)
    assert result.hook_path == (repo / ".git" / "hooks" / "post-commit").resolve()
    assert hookstatus.status(wt).installed and hookstatus.status(repo).installed
    commit(wt, "b.py")
    run = wait_for(lambda: jobqueue.last_run(top(wt)), what="the worktree's job")
    assert run["ok"] and run["repo"] == str(top(wt))
    assert jobqueue.last_run(top(repo)) is None


def test_foreign_hook_is_chained_runs_first_and_is_restored(repo: Path, hook_env: None,
                                                          tmp_path: Path) -> None:
    marker = tmp_path / "foreign-ran"
    foreign = repo / ".git" / "hooks" / "post-commit"
    original = f"#!/bin/sh\necho ran >> '{marker}'\nexit 1\n"
    foreign.write_text(original)
    foreign.chmod(0o755)
    result = hooks.install(repo)
    assert result.chained == foreign.with_name("post-commit.pre-tilgen").resolve()
    assert hookstatus.status(repo).chained is not None
    proc = commit(repo)
    assert marker.read_text() == "ran\n" and proc.stderr == ""
    wait_for(lambda: jobqueue.last_run(top(repo)), what="the job after the foreign hook")
    assert not hooks.install(repo).changed  # still chained once, not chained to itself
    restored = hooks.uninstall(repo)
    assert restored.restored and foreign.read_text() == original
    assert not foreign.with_name("post-commit.pre-tilgen").exists()


# -- the background job --------------------------------------------------------------------------


def test_commit_returns_while_the_job_waits_then_the_note_appears(
    repo: Path, hook_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TILGEN_HOOK_DELAY", "3")
    hooks.install(repo)
    proc = commit(repo)
    # The job sleeps `delay` seconds before doing anything: had the hook waited for it,
    # its result would already be recorded.
    assert jobqueue.last_run(top(repo)) is None
    assert proc.stdout == "" and proc.stderr == ""
    run = wait_for(lambda: jobqueue.last_run(top(repo)), what="the note")
    assert run["ok"] and run["status"] == "ok" and run["runs"] == 1
    note = Path(run["note_path"])
    assert note.is_file() and note.is_relative_to(paths.default_notes_dir())
    assert jobqueue.load_entry(top(repo)) is None
    assert "generating the note" in _log_text()


@pytest.mark.parametrize("broken", [SERVER_DOWN, NO_MODEL], ids=["server-down", "no-model"])
def test_broken_backend_never_fails_the_commit_and_flush_completes_it(
    repo: Path, hook_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, broken: dict
) -> None:
    hooks.install(repo)
    for key, value in broken.items():
        monkeypatch.setenv(key, value)
    proc = commit(repo)
    assert proc.stderr == ""
    run = wait_for(lambda: jobqueue.last_run(top(repo)), what="the failed run")
    wait_jobs_done(tmp_path)
    assert not run["ok"] and run["status"] == "failed"
    entry = jobqueue.load_entry(top(repo))
    assert entry is not None and entry.attempts == 1 and entry.last_error == run["message"]
    assert entry.error_code in (7, 9)
    assert run["message"] in _log_text()
    status = tilgen("hook", "status", cwd=repo).stdout
    assert "1 failed attempt" in status and "tilgen flush" in status
    # The backend is back.
    for key in broken:
        monkeypatch.delenv(key)
    monkeypatch.setenv("TILGEN_BACKEND", FAKE)
    out = tilgen("flush", cwd=repo)
    assert out.returncode == 0, out.stderr
    assert re.search(r"^ok\s+.*note saved", out.stdout, re.M)
    assert jobqueue.load_entry(top(repo)) is None
    assert Path(jobqueue.last_run(top(repo))["note_path"]).is_file()
    assert tilgen("flush", cwd=repo).stdout.strip() == "nothing queued"


def test_flush_reports_a_failure_with_its_exit_code(
    repo: Path, hook_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    hooks.install(repo)
    for key, value in SERVER_DOWN.items():
        monkeypatch.setenv(key, value)
    commit(repo)
    wait_for(lambda: jobqueue.last_run(top(repo)), what="the failed run")
    wait_jobs_done(tmp_path)
    out = tilgen("flush", "--repo", str(repo))
    assert out.returncode == 7 and out.stdout.startswith("failed")
    assert jobqueue.load_entry(top(repo)).attempts == 2
    # The next commit's successful run clears the queue too.
    monkeypatch.setenv("TILGEN_BACKEND", FAKE)
    commit(repo)
    wait_for(lambda: jobqueue.load_entry(top(repo)) is None, what="the queue to clear")
    assert jobqueue.last_run(top(repo))["ok"]


@pytest.mark.slow
def test_a_burst_of_commits_yields_one_generation(
    repo: Path, hook_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Twenty interpreters start at once on a small machine: leave them time to record.
    monkeypatch.setenv("TILGEN_HOOK_DELAY", "5")
    hooks.install(repo)
    for i in range(20):
        commit(repo, message=f"change {i}")
    wait_for(lambda: jobqueue.last_run(top(repo)), 180, "the burst's run")
    wait_jobs_done(tmp_path, 180)
    assert runs(repo) == 1
    fake_requests = (tmp_path / "fake-requests.log").read_text().splitlines()
    assert len(fake_requests) == 1
    assert _log_text().count("generating the note") == 1
    assert _log_text().count("commit noticed") == 20
    assert jobqueue.load_entry(top(repo)) is None
    for path in paths.state_dir().rglob("*"):
        assert not path.name.endswith(".tmp")
        if path.suffix == ".json":
            json.loads(path.read_text())  # whole, never half-written


def test_nothing_runs_during_a_rebase(repo: Path, hook_env: None, tmp_path: Path) -> None:
    commit(repo, message="one")
    commit(repo, message="two")
    hooks.install(repo)
    editor = tmp_path / "edit-first"
    editor.write_text("#!/bin/sh\nsed 's/^pick/edit/' \"$1\" > \"$1.new\"\nmv \"$1.new\" \"$1\"\n")
    editor.chmod(0o755)
    env = {"GIT_SEQUENCE_EDITOR": str(editor)}
    subprocess.run(["git", "rebase", "-q", "-i", "HEAD~1"], cwd=repo, env={**os.environ, **env},
                   check=True, capture_output=True)
    assert (repo / ".git" / "rebase-merge").is_dir()
    commit(repo, "c.py", message="amended during the rebase")
    wait_for(lambda: "is in progress" in _log_text(), what="the skip")
    wait_jobs_done(tmp_path)
    assert jobqueue.last_run(top(repo)) is None
    assert jobqueue.load_entry(top(repo)) is not None  # kept for later
    assert "skipped" in tilgen("flush", cwd=repo).stdout
    git(repo, "rebase", "--continue")
    wait_jobs_done(tmp_path)
    assert tilgen("flush", cwd=repo).returncode == 0
    assert jobqueue.last_run(top(repo))["ok"] and jobqueue.load_entry(top(repo)) is None


# -- the script itself ---------------------------------------------------------------------------


def _script_unset_list() -> set[str]:
    text = (ROOT / "tilgen" / "data" / "post-commit.sh").read_text()
    block = text[text.index("unset "):text.index("\n\n", text.index("unset "))]
    return set(re.findall(r"GIT_[A-Z_]+", block))


def test_script_and_python_strip_the_same_variables() -> None:
    assert _script_unset_list() == set(HOOK_ENV)
    env = {"GIT_DIR": "x", "GIT_INDEX_FILE": "y", "GIT_CONFIG_GLOBAL": "g", "PATH": "p",
           "GIT_CONFIG_KEY_0": "core.hooksPath", "GIT_CONFIG_VALUE_0": "/elsewhere"}
    assert no_git_env(env) == {"GIT_CONFIG_GLOBAL": "g", "PATH": "p"}


def test_hooks_dir_template_is_the_packaged_one() -> None:
    packaged = (ROOT / "tilgen" / "data" / "post-commit.sh").read_bytes()
    assert (ROOT / "hooks" / "post-commit.sh").read_bytes() == packaged
    subprocess.run(["sh", "-n", str(ROOT / "tilgen" / "data" / "post-commit.sh")], check=True)
    subprocess.run(["sh", "-n", str(ROOT / "tilgen" / "data" / "dispatch.sh")], check=True)


def _spy(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """An executable that records its environment and arguments."""
    out = tmp_path / f"{name}.env"
    spy = tmp_path / "bin" / name
    spy.parent.mkdir(exist_ok=True)
    spy.write_text(f"#!/bin/sh\nenv > '{out}.part'\necho \"ARGS=$*\" >> '{out}.part'\n"
                   f"mv '{out}.part' '{out}'\n")
    spy.chmod(0o755)
    return spy, out


def test_the_job_sees_no_git_variables_from_the_commit(repo: Path, tmp_path: Path,
                                                     hook_env: None) -> None:
    commit(repo)
    wt = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", str(wt))  # git exports GIT_DIR to hooks in a worktree
    spy, out = _spy(tmp_path, "python")
    hook = repo / ".git" / "hooks" / "post-commit"
    hook.write_text(script.render_script(python=str(spy)))
    hook.chmod(0o755)
    commit(wt, "b.py", args=("-c", "tilgen.test=1"), env={"GIT_AUTHOR_DATE": "@1700000000 +0000"})
    seen = dict(line.split("=", 1) for line in wait_for(out.exists, what="the spy") and
                out.read_text().splitlines() if "=" in line)
    leaked = {name for name in seen if name in HOOK_ENV}
    assert not leaked
    assert seen["GIT_CONFIG_GLOBAL"] == os.environ["GIT_CONFIG_GLOBAL"]  # user config stays
    assert seen["ARGS"] == f"-m tilgen hook-run --repo {wt.resolve()}"


def test_a_vanished_interpreter_falls_back_to_tilgen_on_path(repo: Path, tmp_path: Path,
                                                             hook_env: None) -> None:
    spy, out = _spy(tmp_path, "tilgen")
    hook = repo / ".git" / "hooks" / "post-commit"
    hook.write_text(script.render_script(python=str(tmp_path / "gone" / "python")))
    hook.chmod(0o755)
    commit(repo, env={"PATH": f"{spy.parent}{os.pathsep}{os.environ['PATH']}"})
    wait_for(out.exists, what="the fallback")
    assert f"ARGS=hook-run --repo {top(repo)}" in out.read_text()


def test_skip_variable_and_unwritable_log_still_exit_zero(repo: Path, tmp_path: Path,
                                                          hook_env: None) -> None:
    hooks.install(repo)
    hook = repo / ".git" / "hooks" / "post-commit"
    proc = subprocess.run([str(hook)], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, "TILGEN_HOOK_SKIP": "1"})
    assert proc.returncode == 0 and proc.stdout + proc.stderr == ""
    text = hook.read_text().replace(str(script.log_path()), "/proc/no/such/dir/hook.log")
    hook.write_text(text)
    proc = subprocess.run([str(hook)], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, "TILGEN_HOOK_DELAY": "0"})
    assert proc.returncode == 0 and proc.stdout + proc.stderr == ""
    wait_for(lambda: jobqueue.last_run(top(repo)), what="the run without a log")


def test_without_setsid_the_job_is_started_with_nohup(repo: Path, tmp_path: Path,
                                                     hook_env: None) -> None:
    hooks.install(repo)
    commit(repo)
    wait_for(lambda: jobqueue.last_run(top(repo)), what="the first run")
    wait_jobs_done(tmp_path)
    bare = tmp_path / "bare-bin"  # a PATH with no setsid
    bare.mkdir()
    for tool in ("git", "nohup", "nice"):
        found = shutil.which(tool)
        assert found, tool
        (bare / tool).symlink_to(found)
    hook = repo / ".git" / "hooks" / "post-commit"
    proc = subprocess.run([str(hook)], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, "PATH": str(bare)})
    assert proc.returncode == 0 and proc.stdout + proc.stderr == ""
    wait_for(lambda: runs(repo) == 2, what="the job started with nohup")


# -- global install ------------------------------------------------------------------------------


def test_global_install_keeps_repository_hooks_working(repo: Path, tmp_path: Path,
                                                      hook_env: None) -> None:
    local = repo / ".git" / "hooks"
    for name in ("pre-commit", "post-commit"):
        (local / name).write_text(f"#!/bin/sh\necho {name} >> '{tmp_path}/local-hooks'\n")
        (local / name).chmod(0o755)
    result = hooks.install(None, global_=True)
    owned = paths.data_dir() / "hooks"
    assert result.hooks_path_set and result.hook_path == owned / "post-commit"
    assert git(repo, "config", "--global", "core.hooksPath").strip() == str(owned)
    assert hookstatus.status(repo).installed and hookstatus.status(None, global_=True).global_owned
    assert not hooks.install(None, global_=True).changed
    commit(repo)
    assert (tmp_path / "local-hooks").read_text().split() == ["pre-commit", "post-commit"]
    wait_for(lambda: jobqueue.last_run(top(repo)), what="the global hook's job")
    wt = tmp_path / "wt"  # a linked worktree finds the main repository's hooks too
    git(repo, "worktree", "add", "-q", str(wt))
    commit(wt, "b.py")
    assert (tmp_path / "local-hooks").read_text().split() == ["pre-commit", "post-commit"] * 2
    wait_for(lambda: jobqueue.last_run(top(wt)), what="the worktree's job")
    with pytest.raises(Exception, match="uninstall --global"):
        hooks.uninstall(repo)
    undone = hooks.uninstall(None, global_=True)
    assert undone.removed and undone.hooks_path_unset and not owned.exists()
    assert subprocess.run(["git", "config", "--global", "core.hooksPath"],
                          capture_output=True).returncode == 1


def test_global_install_into_an_existing_hooks_path(tmp_path: Path, repo: Path) -> None:
    shared = tmp_path / "team-hooks"
    shared.mkdir()
    git(repo, "config", "--global", "core.hooksPath", str(shared))
    result = hooks.install(None, global_=True)
    assert result.hook_path == shared / "post-commit" and not result.hooks_path_set
    assert "tilgen_global=0" in result.hook_path.read_text()
    assert not (shared / "pre-commit").exists()  # no dispatchers in someone else's directory
    undone = hooks.uninstall(None, global_=True)
    assert undone.removed and not undone.hooks_path_unset
    assert git(repo, "config", "--global", "core.hooksPath").strip() == str(shared)


# -- pre-commit ----------------------------------------------------------------------------------


def _pre_commit(repo: Path, *args: str) -> subprocess.CompletedProcess:
    pytest.importorskip("pre_commit")
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=repo,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def pre_commit_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))


def test_manifest_is_valid(pre_commit_home: None) -> None:
    proc = _pre_commit(ROOT, "validate-manifest", ".pre-commit-hooks.yaml")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_pre_commit_framework_runs_tilgen_after_commit(repo: Path, hook_env: None,
                                                       pre_commit_home: None) -> None:
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n- repo: local\n  hooks:\n  - id: tilgen\n    name: tilgen\n"
        f"    entry: {sys.executable} -m tilgen hook-run --from-pre-commit\n"
        "    language: system\n    stages: [post-commit]\n    always_run: true\n"
        "    pass_filenames: false\n"
    )
    proc = _pre_commit(repo, "install", "--hook-type", "post-commit")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    git(repo, "add", ".pre-commit-config.yaml")
    proc = commit(repo)
    assert "tilgen" in proc.stdout + proc.stderr and "Passed" in proc.stdout + proc.stderr
    run = wait_for(lambda: jobqueue.last_run(top(repo)), what="the job pre-commit started")
    assert run["ok"] and Path(run["note_path"]).is_file()


def test_pre_commit_and_tilgen_hooks_coexist_in_either_order(repo: Path, hook_env: None,
                                                            tmp_path: Path,
                                                            pre_commit_home: None) -> None:
    marker = tmp_path / "pre-commit-ran"
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n- repo: local\n  hooks:\n  - id: mark\n    name: mark\n"
        f"    entry: sh -c 'echo ran >> {marker}'\n"
        "    language: system\n    stages: [post-commit]\n    always_run: true\n"
        "    pass_filenames: false\n"
    )
    git(repo, "add", ".pre-commit-config.yaml")
    hooks_dir = repo / ".git" / "hooks"
    # tilgen first: pre-commit moves tilgen's hook to post-commit.legacy and runs it.
    hooks.install(repo)
    assert _pre_commit(repo, "install", "--hook-type", "post-commit").returncode == 0
    assert hookstatus.status(repo).wrapped_by_pre_commit
    assert not hooks.install(repo).changed  # recognised where pre-commit put it
    proc = commit(repo)
    assert marker.read_text() == "ran\n" and "bug" not in proc.stdout + proc.stderr
    wait_for(lambda: runs(repo) == 1, what="tilgen's run under pre-commit")
    assert hooks.uninstall(repo).removed and not (hooks_dir / "post-commit.legacy").exists()
    # pre-commit first: tilgen chains pre-commit's hook, which still works.
    hooks.install(repo)
    assert (hooks_dir / "post-commit.pre-tilgen").exists()
    proc = commit(repo, "b.py")
    assert marker.read_text() == "ran\nran\n", proc.stdout + proc.stderr
    assert "bug" not in proc.stdout + proc.stderr
    wait_for(lambda: runs(repo) == 2, what="tilgen's second run")
    hooks.uninstall(repo)
    assert "pre-commit" in (hooks_dir / "post-commit").read_text()
    shutil.rmtree(tmp_path / "pre-commit-home", ignore_errors=True)
