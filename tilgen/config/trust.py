"""The trust boundary for repository settings, drawn as git's ``safe.directory`` and
direnv's ``direnv allow`` draw theirs.

A repository's ``.tilgen.toml`` (or ``[tool.tilgen]``) arrives with every clone, and tilgen
runs on every commit once its hook is installed. So an untrusted repository file may set only
what stays inside the note: language, format, ignore patterns, author filter, generation
limits, the cache, and turning redaction on. Everything else (which backend runs and where it
sends the changes, the key it sends, which model file is loaded, where notes are written) is
user-only: it comes from the user's own file, the environment, flags, or a repository file the
user trusted with ``tilgen config trust``. Trust is kept by the file's path and SHA-256, so a
changed file is untrusted again. Keys are allowed by name: a new key is user-only until it is
listed here.
"""

from __future__ import annotations

import hashlib
import shlex
import sys
from pathlib import Path
from typing import Any

from tilgen import paths
from tilgen.atomic import read_json, write_json

REPO_SAFE_KEYS = frozenset({
    "language", "note_format", "ignore", "author", "cache",
    "generation.max_tokens", "generation.temperature", "generation.top_p",
    "generation.top_k", "generation.min_p", "generation.repeat_penalty", "generation.seed",
})  # not generation.candidates: it multiplies the user's model time and server load
# Safe from a repository only with these values.
REPO_SAFE_VALUES: dict[str, tuple[Any, ...]] = {"redact": (True,)}


def repo_safe(key: str, value: Any) -> bool:
    """Whether an untrusted repository file may set ``key`` to ``value``."""
    if key in REPO_SAFE_KEYS:
        return True
    return key in REPO_SAFE_VALUES and any(value is ok for ok in REPO_SAFE_VALUES[key])


def trust_file() -> Path:
    return paths.state_dir() / "trusted-configs.json"


def digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _key(path: Path) -> str:
    # The folder is resolved, the file itself is not: a repository's .tilgen.toml that is a
    # symlink to a file trusted elsewhere is not trusted by that.
    return str(path.absolute().parent.resolve() / path.name)


def _entries() -> dict[str, Any]:
    return read_json(trust_file()) or {}


def is_trusted(path: Path) -> bool:
    """Whether the user trusted ``path`` as it is now (same content as when trusted)."""
    entry = _entries().get(_key(path))
    if not isinstance(entry, dict):
        return False
    current = digest(path)
    return current is not None and entry.get("sha256") == current


def trust(path: Path) -> str:
    """Remember ``path`` with its current SHA-256; the digest recorded."""
    current = digest(path)
    if current is None:
        raise OSError(f"cannot read {path}")
    entries = _entries()
    entries[_key(path)] = {"sha256": current}
    write_json(trust_file(), entries)
    return current


def untrust(path: Path) -> bool:
    """Forget ``path``; False if it was not trusted."""
    entries = _entries()
    if entries.pop(_key(path), None) is None:
        return False
    write_json(trust_file(), entries)
    return True


def split(flat: dict[str, Any], path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(kept, ignored) settings of a repository file: everything is kept if it is trusted."""
    if not flat or is_trusted(path):
        return flat, {}
    kept = {key: value for key, value in flat.items() if repo_safe(key, value)}
    return kept, {key: value for key, value in flat.items() if key not in kept}


def ignored_message(path: Path, ignored: dict[str, Any], *, repo_root: Path | None) -> str:
    where = f" --repo {shlex.quote(str(repo_root))}" if repo_root is not None else ""
    return (f"{path} is not trusted, so it may not set {', '.join(sorted(ignored))} "
            f"(ignored; other settings apply). If you trust it: tilgen config trust{where}")


_warned: set[str] = set()


def warn_once(message: str) -> None:
    """The ignored-keys line on stderr, once per process however often settings are read.
    Never a prompt: the git hook runs without a terminal."""
    if message in _warned:
        return
    _warned.add(message)
    try:
        sys.stderr.write(f"tilgen: warning: {message}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
