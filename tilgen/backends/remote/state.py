"""What the remote backend remembers between runs: the structured-output mode each server
accepts and whether its chat template refuses a system message (cache), and which replicas
were down a moment ago (state). Both are small JSON files; losing them only costs a probe,
so every error here is swallowed. URLs are kept with their passwords masked."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tilgen import paths
from tilgen.atomic import write_atomic
from tilgen.secrets.mask import mask_url

MODE_TTL = 7 * 24 * 3600.0  # re-probe weekly: servers get upgraded
DEAD_SECONDS = 60.0


def modes_file() -> Path:
    return paths.cache_dir() / "remote-modes.json"


def replicas_file() -> Path:
    return paths.state_dir() / "remote-replicas.json"


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(path: Path, data: dict[str, Any]) -> None:
    try:
        write_atomic(path, json.dumps(data, indent=1, sort_keys=True), durable=False)
    except OSError:
        pass


def key(url: str) -> str:
    """How a URL is stored: its password masked, so no state file keeps a credential."""
    return mask_url(url)


def _load(base_url: str, model: str, field: str) -> Any:
    entry = _read(modes_file()).get(f"{key(base_url)} {model}")
    if not isinstance(entry, dict) or time.time() - float(entry.get("saved", 0)) > MODE_TTL:
        return None
    return entry.get(field)


def _save(base_url: str, model: str, field: str, value: Any) -> None:
    data = _read(modes_file())
    stored = f"{key(base_url)} {model}"
    found = data.get(stored)
    entry: dict[str, Any] = found if isinstance(found, dict) else {}
    entry.update({field: value, "saved": time.time()})
    data[stored] = entry
    _write(modes_file(), data)


def load_mode(base_url: str, model: str) -> str | None:
    """The structured-output mode last seen working with this server and model."""
    mode = _load(base_url, model, "mode")
    return mode if isinstance(mode, str) else None


def save_mode(base_url: str, model: str, mode: str) -> None:
    _save(base_url, model, "mode", mode)


def load_folds_system(base_url: str, model: str) -> bool:
    """Whether this server's chat template refused a system message (Gemma 1/2 do)."""
    return _load(base_url, model, "fold_system") is True


def save_folds_system(base_url: str, model: str) -> None:
    _save(base_url, model, "fold_system", True)


def _dead() -> dict[str, float]:
    now = time.time()
    return {stored: float(until) for stored, until in _read(replicas_file()).items()
            if isinstance(until, (int, float)) and until > now}


def dead_replicas(urls: list[str] | None = None) -> dict[str, float]:
    """Those of ``urls`` (default: every one stored, as stored) recently found down, with the
    time until which they are skipped."""
    dead = _dead()
    if urls is None:
        return dead
    return {url: dead[key(url)] for url in urls if key(url) in dead}


def mark_dead(url: str, *, seconds: float = DEAD_SECONDS) -> None:
    data = _dead()
    data[key(url)] = time.time() + seconds
    _write(replicas_file(), data)


def mark_alive(url: str) -> None:
    data = _dead()
    if data.pop(key(url), None) is not None:
        _write(replicas_file(), data)
