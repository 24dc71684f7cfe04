"""Install and remove tilgen's ``post-commit`` hook, and start its job from pre-commit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tilgen.atomic import write_json
from tilgen.errors import NotARepoError, StorageError, TilgenError
from tilgen.git.repo import git_command, no_git_env
from tilgen.hook import globaldir
from tilgen.hook.script import (
    CHAINED,
    HOOK,
    PRE_COMMIT_LEGACY,
    find_ours,
    is_ours,
    log_path,
    render_script,
    write_executable,
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


def toplevel(repo_root: Path) -> Path:
    """The top of the work tree containing ``repo_root``."""
    if not Path(repo_root).is_dir():
        raise NotARepoError(f"{repo_root} is not a directory; pass --repo PATH of a git work tree")
    out = git_command("rev-parse", "--show-toplevel", cwd=Path(repo_root), check=False)
    if not out:
        raise NotARepoError(f"{repo_root} is not inside a git work tree; run it inside one "
                            "or pass --repo PATH")
    return Path(out).resolve()


def git_path(top: Path, name: str) -> Path:
    """``git rev-parse --git-path``: honours core.hooksPath, worktrees and GIT_COMMON_DIR."""
    return (top / git_command("rev-parse", "--git-path", name, cwd=top)).resolve()


def install(repo_root: Path | None, *, global_: bool = False) -> InstallResult:
    """Install the hook in the repository (or the global hooks directory); idempotent."""
    if global_:
        hooks_dir, owned = globaldir.install_dir()
    else:
        hooks_dir = git_path(toplevel(repo_root or Path.cwd()), "hooks")
        owned = globaldir.owns(hooks_dir)
    shared = global_ or globaldir.is_global(hooks_dir)
    try:
        hooks_dir.mkdir(parents=True, exist_ok=True)
        log_path().parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"cannot create {hooks_dir}: {exc.strerror}; check its permissions") from None
    set_config = False
    if global_ and owned:
        globaldir.write_dispatchers(hooks_dir)
        if globaldir.hooks_path() is None:
            git_command("config", "--global", "core.hooksPath", str(hooks_dir))
            write_json(globaldir.state_file(), {"hooks_path": str(hooks_dir)})
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
            write_executable(target, script)
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
        current = globaldir.hooks_path()
        if current is None:
            return UninstallResult(hook_path=globaldir.owned_dir() / HOOK, removed=False)
        hooks_dir = globaldir.expand(current)
    else:
        hooks_dir = git_path(toplevel(repo_root or Path.cwd()), "hooks")
        if globaldir.is_global(hooks_dir):
            raise TilgenError(f"the hook in {hooks_dir} comes from the global core.hooksPath; "
                              "run `tilgen hook uninstall --global`")
    result = _remove_hook(hooks_dir)
    if global_ and globaldir.owns(hooks_dir):
        git_command("config", "--global", "--unset", "core.hooksPath", check=False)
        for name in globaldir.DISPATCHED:
            if is_ours(hooks_dir / name):
                (hooks_dir / name).unlink()
        globaldir.state_file().unlink(missing_ok=True)
        try:
            hooks_dir.rmdir()  # only if nothing else lives there
        except OSError:
            pass
        result.hooks_path_unset = True
    return result


def spawn_background(repo_root: Path) -> None:
    """Start ``tilgen hook-run`` for the repository, detached, and return at once."""
    log = log_path()
    log.parent.mkdir(parents=True, exist_ok=True)
    env = no_git_env()
    nice = ["nice", "-n", "10"] if shutil.which("nice") else []  # as the shell hook does
    with open(log, "ab") as out, open(os.devnull, "rb") as devnull:
        subprocess.Popen(
            [*nice, sys.executable, "-m", "tilgen", "hook-run", "--repo", str(repo_root)],
            stdin=devnull, stdout=out, stderr=out, env=env, cwd=str(repo_root),
            start_new_session=True, close_fds=True,
        )


# -- helpers -----------------------------------------------------------------------------------


def _remove_hook(hooks_dir: Path) -> UninstallResult:
    hook = find_ours(hooks_dir)
    if hook is None:
        return UninstallResult(hook_path=hooks_dir / HOOK, removed=False)
    hook.unlink()
    chained = hooks_dir / CHAINED
    if os.path.lexists(chained):
        os.replace(chained, hook)
        return UninstallResult(hook_path=hook, removed=True, restored=hook)
    return UninstallResult(hook_path=hook, removed=True)


