"""Where tilgen keeps its files. ``TILGEN_HOME`` relocates every directory."""

from __future__ import annotations

import os
from pathlib import Path

APP = "tilgen"


def _home() -> Path | None:
    value = os.environ.get("TILGEN_HOME")
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    home = _home()
    if home:
        return home / "config"
    import platformdirs

    return Path(platformdirs.user_config_dir(APP))


def cache_dir() -> Path:
    home = _home()
    if home:
        return home / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP))


def state_dir() -> Path:
    home = _home()
    if home:
        return home / "state"
    import platformdirs

    return Path(platformdirs.user_state_dir(APP))


def data_dir() -> Path:
    home = _home()
    if home:
        return home / "data"
    import platformdirs

    return Path(platformdirs.user_data_dir(APP))


def user_config_file() -> Path:
    return config_dir() / "config.toml"


def models_dir() -> Path:
    override = os.environ.get("TILGEN_MODELS_DIR")
    return Path(override).expanduser() if override else cache_dir() / "models"


def default_notes_dir() -> Path:
    return data_dir() / "notes"


def logs_dir() -> Path:
    return state_dir() / "logs"
