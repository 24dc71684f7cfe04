"""Backends by name, from the entry-point group ``tilgen.backends``.

The built-in backends are registered there by tilgen's own package metadata, exactly as a
plugin registers its own (``[project.entry-points."tilgen.backends"]``, ``name = "pkg:Class"``).
Only the entry point named is loaded. A backend name is never imported as
``module:attribute``: a name that reaches here from a variable or a config file must not be
able to run arbitrary code.
"""

from __future__ import annotations

from functools import cache
from importlib import metadata
from typing import Any, cast

from tilgen.backends.base import (
    Backend,
    BackendClass,
    GenerationRequest,
    GenerationResult,
    ProgressCallback,
    StatusCallback,
)
from tilgen.config.settings import Settings
from tilgen.errors import ConfigError

GROUP = "tilgen.backends"

__all__ = ["Backend", "GenerationRequest", "GenerationResult", "names", "backend_class",
           "make_backend", "cache_identity", "model_settings", "reload"]


@cache
def _entry_points() -> dict[str, metadata.EntryPoint]:
    """The group's entry points by name, tilgen's own first; read once per process (a scan
    of every installed distribution's metadata)."""
    found: dict[str, metadata.EntryPoint] = {}
    points = metadata.entry_points(group=GROUP)
    own = [ep for ep in points if _is_own(ep)]
    for ep in own + sorted((ep for ep in points if ep not in own), key=lambda ep: ep.name):
        found.setdefault(ep.name, ep)  # the first one wins, as for imports
    return found


def _is_own(ep: metadata.EntryPoint) -> bool:
    return ep.dist is not None and ep.dist.name == "tilgen"


def names() -> list[str]:
    """Every installed backend's name: tilgen's own first, then plugins'."""
    return list(_entry_points())


@cache
def backend_class(name: str) -> BackendClass:
    """The class registered as ``name``; a ConfigError listing the installed ones if none is."""
    ep = _entry_points().get(name)
    if ep is None:
        message = f"unknown backend {name!r}; choose one of: {', '.join(names()) or 'none'}"
        if not any(_is_own(ep) for ep in _entry_points().values()):
            message += ("; tilgen's own backends are not registered: reinstall tilgen "
                        "(pip install -e . in a checkout)")
        raise ConfigError(message)
    try:
        cls: Any = ep.load()
    except Exception as exc:  # noqa: BLE001 - a broken plugin is a configuration problem
        raise ConfigError(f"backend {name!r} ({ep.value}) cannot be loaded: {exc}") from None
    missing = [m for m in ("from_settings", "cache_identity", "model_settings")
               if not callable(getattr(cls, m, None))]
    if missing:
        raise ConfigError(f"backend {name!r} ({ep.value}) is not a tilgen backend: it has no "
                          f"{', '.join(missing)}")
    return cast(BackendClass, cls)


def reload() -> None:
    """Read the installed backends again, e.g. after ``sys.path`` changed."""
    _entry_points.cache_clear()
    backend_class.cache_clear()


def make_backend(name: str, settings: Settings, *, on_status: StatusCallback | None = None,
                 progress: ProgressCallback | None = None) -> Backend:
    """Build the backend called ``name`` (nothing heavy is loaded until it generates)."""
    return backend_class(name).from_settings(settings, on_status=on_status, progress=progress)


def cache_identity(name: str, settings: Settings) -> dict[str, Any]:
    """What makes notes of backend ``name`` differ, without building it."""
    return backend_class(name).cache_identity(settings)


def model_settings(name: str, model: str) -> dict[str, Any]:
    """The settings ``--model`` sets for backend ``name``; a ConfigError if it has none."""
    out = backend_class(name).model_settings(model)
    if not out:
        raise ConfigError(f"backend {name!r} has no model to choose; drop --model")
    return out
