"""Install, remove and inspect tilgen's ``post-commit`` hook."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from tilgen import paths
from tilgen.atomic import read_json as _read_json
from tilgen.atomic import write_json as _write_json
from tilgen.errors import ConfigError, NotARepoError, StorageError, TilgenError
from tilgen.git.repo import LOCAL_ENV

MARKER = "tilgen-hook-marker"
HOOK = "post-commit"
# Not ``post-commit.legacy``: pre-commit moves a foreign hook there and runs it, so using the
# same name would make pre-commit's hook run itself.
CHAINED = "post-commit.pre-tilgen"
PRE_COMMIT_LEGACY = "post-commit.legacy"
# Hooks the tilgen-owned global directory forwards to each repository's own hooks.
# reference-transaction is left out: it runs on every ref update.
DISPATCHED = (
    "applypatch-msg", "pre-applypatch", "post-applypatch", "pre-commit", "pre-merge-commit",
    "prepare-commit-msg", "commit-msg", "post-checkout", "post-merge", "pre-push", "pre-rebase",
    "post-rewrite", "pre-auto-gc", "push-to-checkout", "sendemail-validate",
)
# Exported by git for one hook run; they point a child at this commit's index and paths, or
# would make the background job's own git behave as inside this commit (editor, dates).
GIT_ENV_STRIP = (
    *LOCAL_ENV, "GIT_NAMESPACE", "GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "GIT_REFLOG_ACTION",
    "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_LITERAL_PATHSPECS",
    "GIT_GLOB_PATHSPECS", "GIT_NOGLOB_PATHSPECS", "GIT_ICASE_PATHSPECS", "GIT_AUTHOR_DATE",
    "GIT_COMMITTER_DATE",
)


@dataclass
class InstallResult:
    hook_path: Path
    changed: bool  # False: the same hook was already there
    chained: Path | None = None  # the foreign hook kept and run first
    global_: bool = False
    hooks_path_set: bool = False  # tilgen set the global core.hooksPath
    shared: bool = False  # the hooks directory is the global core.hooksPath


@dataclass
class UninstallResult:
    hook_path: Path
    removed: bool
    restored: Path | None = None  # the foreign hook put back
    hooks_path_unset: bool = False


@dataclass
class HookStatus:
    hooks_dir: Path
    hook_path: Path | None  # where tilgen's hook is, if installed
    chained: Path | None
    wrapped_by_pre_commit: bool
    interpreter: str | None
    interpreter_ok: bool
    global_hooks_path: str | None
    global_owned: bool
    queued: object | None  # jobqueue.QueueEntry
    last_run: dict | None
    log_path: Path

    @property
    def installed(self) -> bool:
        return self.hook_path is not None


def git(*args: str, cwd: Path | None = None, check: bool = True) -> str:
    env = {k: v for k, v in os.environ.items() if k not in GIT_ENV_STRIP}
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, env=env,
                              check=False)
    except FileNotFoundError:
        raise TilgenError("git is not installed or not on PATH; install git") from None
    if check and proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise TilgenError(f"git {args[0]} failed: {detail[-1] if detail else proc.returncode}")
    return proc.stdout.decode("utf-8", "replace").strip()


def toplevel(repo_root: Path) -> Path:
    """The top of the work tree containing ``repo_root``."""
    if not Path(repo_root).is_dir():
        raise NotARepoError(f"{repo_root} is not a directory; pass --repo PATH of a git work tree")
    out = git("rev-parse", "--show-toplevel", cwd=Path(repo_root), check=False)
    if not out:
        raise NotARepoError(f"{repo_root} is not inside a git work tree; run it inside one "
                            "or pass --repo PATH")
    return Path(out).resolve()


def git_path(top: Path, name: str) -> Path:
    """``git rev-parse --git-path``: honours core.hooksPath, worktrees and GIT_COMMON_DIR."""
    return (top / git("rev-parse", "--git-path", name, cwd=top)).resolve()


def is_ours(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return MARKER.encode() in fh.read(512)
    except OSError:
        return False


def render_script(*, global_: bool = False, python: str | None = None) -> str:
    text = resources.files("tilgen").joinpath("data/post-commit.sh").read_text("utf-8")
    return (text.replace("@PYTHON@", _sh_quote(python or sys.executable))
            .replace("@LOG@", _sh_quote(str(log_path())))
            .replace("@GLOBAL@", "1" if global_ else "0"))


def log_path() -> Path:
    return paths.logs_dir() / "hook.log"


def install(repo_root: Path | None, *, global_: bool = False) -> InstallResult:
    """Install the hook in the repository (or the global hooks directory); idempotent."""
    if global_:
        hooks_dir, owned = _global_dir()
    else:
        hooks_dir = git_path(toplevel(repo_root or Path.cwd()), "hooks")
        owned = _owns(hooks_dir)
    shared = global_ or _is_global_dir(hooks_dir)
    try:
        hooks_dir.mkdir(parents=True, exist_ok=True)
        log_path().parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"cannot create {hooks_dir}: {exc.strerror}; check its permissions") from None
    set_config = False
    if global_ and owned:
        _write_dispatchers(hooks_dir)
        if _global_hooks_path() is None:
            git("config", "--global", "core.hooksPath", str(hooks_dir))
            _write_json(_global_state_file(), {"hooks_path": str(hooks_dir)})
            set_config = True
    # In tilgen's own global directory the hook also runs the repository's own post-commit.
    script = render_script(global_=owned)
    hook = hooks_dir / HOOK
    target, chained, moved = hook, hooks_dir / CHAINED, False
    if is_ours(hooks_dir / PRE_COMMIT_LEGACY):
        target = hooks_dir / PRE_COMMIT_LEGACY  # pre-commit's hook runs ours: keep it so
    elif os.path.lexists(hook) and not is_ours(hook):
        if os.path.lexists(chained):
            raise TilgenError(f"{hook} is not tilgen's and {chained} exists already; "
                              "merge or remove one of them, then install again")
        os.replace(hook, chained)
        moved = True
    changed = not target.exists() or target.read_text("utf-8", "replace") != script
    if changed:
        try:
            _write_executable(target, script)
        except StorageError:
            if moved:  # leave the repository as it was
                os.replace(chained, hook)
            raise
    return InstallResult(hook_path=target, changed=changed or set_config,
                         chained=chained if os.path.lexists(chained) else None,
                         global_=global_, hooks_path_set=set_config, shared=shared)


def uninstall(repo_root: Path | None, *, global_: bool = False) -> UninstallResult:
    """Remove the hook and put back the one it replaced; tilgen's global setting is undone."""
    if global_:
        current = _global_hooks_path()
        if current is None:
            return UninstallResult(hook_path=_owned_global_dir() / HOOK, removed=False)
        hooks_dir = _expand(current)
    else:
        hooks_dir = git_path(toplevel(repo_root or Path.cwd()), "hooks")
        if _is_global_dir(hooks_dir):
            raise TilgenError(f"the hook in {hooks_dir} comes from the global core.hooksPath; "
                              "run `tilgen hook uninstall --global`")
    result = _remove_hook(hooks_dir)
    if global_ and _owns(hooks_dir):
        git("config", "--global", "--unset", "core.hooksPath", check=False)
        for name in DISPATCHED:
            if is_ours(hooks_dir / name):
                (hooks_dir / name).unlink()
        _global_state_file().unlink(missing_ok=True)
        try:
            hooks_dir.rmdir()  # only if nothing else lives there
        except OSError:
            pass
        result.hooks_path_unset = True
    return result


def status(repo_root: Path | None, *, global_: bool = False) -> HookStatus:
    from tilgen.hook import queue as jobqueue

    top = None
    if global_:
        current = _global_hooks_path()
        hooks_dir = _expand(current) if current else _owned_global_dir()
    else:
        top = toplevel(repo_root or Path.cwd())
        hooks_dir = git_path(top, "hooks")
    hook = _find_ours(hooks_dir)
    chained = hooks_dir / CHAINED
    interpreter = _baked_python(hook) if hook else None
    return HookStatus(
        hooks_dir=hooks_dir, hook_path=hook,
        chained=chained if os.path.lexists(chained) else None,
        wrapped_by_pre_commit=hook is not None and hook.name == PRE_COMMIT_LEGACY,
        interpreter=interpreter,
        interpreter_ok=bool(interpreter) and os.access(interpreter or "", os.X_OK),
        global_hooks_path=_global_hooks_path(),
        global_owned=_owns(_owned_global_dir()),
        queued=jobqueue.load_entry(top) if top else None,
        last_run=jobqueue.last_run(top) if top else None,
        log_path=log_path(),
    )


def scrub_git_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """Drop the repository-locating variables git exports to hooks (in place for os.environ)."""
    target = os.environ if env is None else env
    for name in GIT_ENV_STRIP:
        target.pop(name, None)
    return dict(target)


def spawn_background(repo_root: Path) -> None:
    """Start ``tilgen hook-run`` for the repository, detached, and return at once."""
    log = log_path()
    log.parent.mkdir(parents=True, exist_ok=True)
    env = scrub_git_env(dict(os.environ))
    nice = ["nice", "-n", "10"] if shutil.which("nice") else []  # as the shell hook does
    with open(log, "ab") as out, open(os.devnull, "rb") as devnull:
        subprocess.Popen(
            [*nice, sys.executable, "-m", "tilgen", "hook-run", "--repo", str(repo_root)],
            stdin=devnull, stdout=out, stderr=out, env=env, cwd=str(repo_root),
            start_new_session=True, close_fds=True,
        )


# -- helpers -----------------------------------------------------------------------------------


def _remove_hook(hooks_dir: Path) -> UninstallResult:
    hook = _find_ours(hooks_dir)
    if hook is None:
        return UninstallResult(hook_path=hooks_dir / HOOK, removed=False)
    hook.unlink()
    chained = hooks_dir / CHAINED
    if os.path.lexists(chained):
        os.replace(chained, hook)
        return UninstallResult(hook_path=hook, removed=True, restored=hook)
    return UninstallResult(hook_path=hook, removed=True)


def _find_ours(hooks_dir: Path) -> Path | None:
    for name in (HOOK, PRE_COMMIT_LEGACY):
        if is_ours(hooks_dir / name):
            return hooks_dir / name
    return None


def _baked_python(hook: Path) -> str | None:
    for line in hook.read_text("utf-8", "replace").splitlines():
        if line.startswith("tilgen_python="):
            return line.split("=", 1)[1].strip("'").replace("'\\''", "'")
    return None


def _global_hooks_path() -> str | None:
    return git("config", "--global", "--get", "core.hooksPath", check=False) or None


def _owned_global_dir() -> Path:
    return paths.data_dir() / "hooks"


def _global_dir() -> tuple[Path, bool]:
    """The directory for a global install and whether tilgen owns it."""
    current = _global_hooks_path()
    if current is None:
        return _owned_global_dir(), True
    path = _expand(current)
    if not path.is_absolute():
        raise ConfigError(f"the global core.hooksPath {current!r} is relative; make it absolute "
                          "with `git config --global core.hooksPath /abs/dir`")
    return path, _owns(path)


def _owns(hooks_dir: Path) -> bool:
    """Whether ``hooks_dir`` is the global core.hooksPath that tilgen itself set."""
    state = _read_json(_global_state_file())
    return bool(state) and _is_global_dir(hooks_dir) and _is_global_dir(
        _expand(str(state.get("hooks_path", ""))))


def _is_global_dir(path: Path) -> bool:
    current = _global_hooks_path()
    return bool(current) and _expand(current).resolve() == path.resolve()


def _expand(value: str) -> Path:
    return Path(value).expanduser()


def _global_state_file() -> Path:
    return paths.state_dir() / "global-hooks.json"


def _write_dispatchers(hooks_dir: Path) -> None:
    text = resources.files("tilgen").joinpath("data/dispatch.sh").read_text("utf-8")
    hooks_dir.mkdir(parents=True, exist_ok=True)
    for name in DISPATCHED:
        if not os.path.lexists(hooks_dir / name) or is_ours(hooks_dir / name):
            _write_executable(hooks_dir / name, text)


def _write_executable(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(0o755)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StorageError(f"cannot write {path}: {exc.strerror}; check its permissions") from None




def _sh_quote(value: str) -> str:
    """The body of a single-quoted sh string."""
    return value.replace("'", "'\\''")
