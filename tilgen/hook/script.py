"""tilgen's ``post-commit`` script: its text, its marker, and where it is in a hooks directory."""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path

from tilgen import paths
from tilgen.errors import StorageError

MARKER = "tilgen-hook-marker"
HOOK = "post-commit"
# Not ``post-commit.legacy``: pre-commit moves a foreign hook there and runs it, so using the
# same name would make pre-commit's hook run itself.
CHAINED = "post-commit.pre-tilgen"
PRE_COMMIT_LEGACY = "post-commit.legacy"


def is_ours(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return MARKER.encode() in fh.read(512)
    except OSError:
        return False


def render_script(*, global_: bool = False, python: str | None = None) -> str:
    text = resources.files("tilgen").joinpath("data/post-commit.sh").read_text("utf-8")
    return (text.replace("@PYTHON@", sh_quote(python or sys.executable))
            .replace("@LOG@", sh_quote(str(log_path())))
            .replace("@GLOBAL@", "1" if global_ else "0"))


def log_path() -> Path:
    return paths.logs_dir() / "hook.log"


def find_ours(hooks_dir: Path) -> Path | None:
    for name in (HOOK, PRE_COMMIT_LEGACY):
        if is_ours(hooks_dir / name):
            return hooks_dir / name
    return None


def baked_python(hook: Path) -> str | None:
    for line in hook.read_text("utf-8", "replace").splitlines():
        if line.startswith("tilgen_python="):
            return line.split("=", 1)[1].strip("'").replace("'\\''", "'")
    return None


def write_executable(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(0o755)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StorageError(f"cannot write {path}: {exc.strerror}; check its permissions") from None




def sh_quote(value: str) -> str:
    """The body of a single-quoted sh string."""
    return value.replace("'", "'\\''")
