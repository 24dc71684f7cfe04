"""A cache of validated notes keyed by (changes, model, backend settings, prompt version)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from tilgen import paths
from tilgen.atomic import write_atomic


def key(*parts: Any) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(json.dumps(part, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _path(k: str) -> Path:
    return paths.cache_dir() / "notes" / k[:2] / f"{k}.json"


def get(k: str) -> dict[str, Any] | None:
    """The entry under ``k``; None when missing or broken (not a JSON object)."""
    try:
        with open(_path(k), encoding="utf-8") as fh:
            entry = json.load(fh)
    except (OSError, ValueError):
        return None
    return entry if isinstance(entry, dict) else None  # another shape: a miss, rewritten


def put(k: str, value: dict[str, Any]) -> None:
    path = _path(k)
    try:
        write_atomic(path, json.dumps(value, ensure_ascii=False), durable=False)
    except OSError:
        pass  # a cache that cannot be written is only a missed speed-up
