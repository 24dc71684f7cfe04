"""Writing notes: Markdown with YAML front matter, atomically, under a lock."""

from __future__ import annotations

import errno
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from tilgen import atomic, paths
from tilgen.config.filename import check_pattern, relative_parts
from tilgen.errors import ConfigError, StorageError
from tilgen.note.schema import TilNote


def note_path(*, notes_dir: str | None, pattern: str, repo: str, date: str) -> Path:
    """Where the note goes: ``pattern`` under the notes directory, never outside it."""
    base = Path(notes_dir).expanduser() if notes_dir else paths.default_notes_dir()
    safe_repo = repo.replace(os.sep, "_").replace("/", "_").replace("..", "_").strip() or "repo"
    try:
        check_pattern(pattern)
        parts = relative_parts(pattern.format(repo=safe_repo, date=date), pattern=pattern)
    except ValueError as exc:
        raise ConfigError(f"{exc} (tilgen config set note_filename '{{repo}}/{{date}}.md')"
                          ) from None
    return base.joinpath(*parts)


def front_matter(meta: dict[str, Any]) -> str:
    """YAML front matter; values are JSON-encoded, which YAML reads as-is."""
    lines = ["---"]
    for key, value in meta.items():
        if value is None or value == []:
            continue
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    lines.append("---")
    return "\n".join(lines) + "\n\n"


def render_file(note: TilNote, meta: dict[str, Any]) -> str:
    head = {"title": note.title, "keywords": note.keywords, **meta}
    return front_matter(head) + note.content.rstrip() + "\n"


def lock_file(path: Path) -> Path:
    """The lock guarding ``path``: in the state directory, so no lock file sits beside a note."""
    digest = hashlib.sha256(str(path.absolute()).encode("utf-8", "surrogateescape")).hexdigest()
    return paths.state_dir() / "locks" / f"{digest[:32]}.lock"


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, under a lock: never a half-written note."""
    from filelock import FileLock, Timeout

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = lock_file(path)
        lock.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(lock), timeout=60):
            atomic.write_atomic(path, text)
    except Timeout:
        raise StorageError(f"{path} is locked by another tilgen process; try again") from None
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise StorageError(
                f"disk full while writing {path}; free some space and run again") from None
        raise StorageError(
            f"cannot write {path}: {exc.strerror}; fix permissions or set notes_dir "
            "(tilgen config set notes_dir DIR)"
        ) from None
