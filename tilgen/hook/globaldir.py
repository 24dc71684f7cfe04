"""The global hooks directory (``core.hooksPath``): whose it is, and tilgen's own one."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from tilgen import paths
from tilgen.atomic import read_json
from tilgen.errors import ConfigError
from tilgen.git.repo import git_command
from tilgen.hook.script import is_ours, write_executable

# Hooks the tilgen-owned global directory forwards to each repository's own hooks.
# reference-transaction is left out: it runs on every ref update.
DISPATCHED = (
    "applypatch-msg", "pre-applypatch", "post-applypatch", "pre-commit", "pre-merge-commit",
    "prepare-commit-msg", "commit-msg", "post-checkout", "post-merge", "pre-push", "pre-rebase",
    "post-rewrite", "pre-auto-gc", "push-to-checkout", "sendemail-validate",
)


def hooks_path() -> str | None:
    return git_command("config", "--global", "--get", "core.hooksPath", check=False) or None


def owned_dir() -> Path:
    return paths.data_dir() / "hooks"


def install_dir() -> tuple[Path, bool]:
    """The directory for a global install and whether tilgen owns it."""
    current = hooks_path()
    if current is None:
        return owned_dir(), True
    path = expand(current)
    if not path.is_absolute():
        raise ConfigError(f"the global core.hooksPath {current!r} is relative; make it absolute "
                          "with `git config --global core.hooksPath /abs/dir`")
    return path, owns(path)


def owns(hooks_dir: Path) -> bool:
    """Whether ``hooks_dir`` is the global core.hooksPath that tilgen itself set."""
    state = read_json(state_file()) or {}
    return bool(state) and is_global(hooks_dir) and is_global(
        expand(str(state.get("hooks_path", ""))))


def is_global(path: Path) -> bool:
    current = hooks_path()
    return current is not None and expand(current).resolve() == path.resolve()


def expand(value: str) -> Path:
    return Path(value).expanduser()


def state_file() -> Path:
    return paths.state_dir() / "global-hooks.json"


def write_dispatchers(hooks_dir: Path) -> None:
    text = resources.files("tilgen").joinpath("data/dispatch.sh").read_text("utf-8")
    hooks_dir.mkdir(parents=True, exist_ok=True)
    for name in DISPATCHED:
        if not os.path.lexists(hooks_dir / name) or is_ours(hooks_dir / name):
            write_executable(hooks_dir / name, text)
