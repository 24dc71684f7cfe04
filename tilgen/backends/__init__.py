"""Backends by name: the built-ins, or an installed plugin's entry point.

A backend name is never imported as ``module:attribute``: a name that reaches here from a
variable or a config file must not be able to run arbitrary code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tilgen.backends.base import Backend, GenerationRequest, GenerationResult
from tilgen.errors import ConfigError
from tilgen.config.settings import Settings

BUILTIN = ("embedded", "remote")

__all__ = ["Backend", "GenerationRequest", "GenerationResult", "make_backend", "BUILTIN"]


def make_backend(
    name: str, settings: Settings, *, on_status: Callable[[str], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Any:
    """Build the backend called ``name`` (nothing heavy is loaded until it generates)."""
    if name == "embedded":
        from tilgen.backends.embedded import EmbeddedBackend
        from tilgen.backends.modelstore import is_cached, pull, resolve

        es = settings.embedded
        path, spec = resolve(es.model_path or es.model)
        if spec is not None and not is_cached(spec):
            if on_status:
                on_status(f"downloading model {spec.name} ({spec.size / 1e9:.2f} GB), once")
            path = pull(spec, progress=progress)
        return EmbeddedBackend(
            path,
            n_ctx=es.n_ctx,
            n_threads=es.n_threads,
            n_batch=es.n_batch,
            n_gpu_layers=es.n_gpu_layers,
            lora_path=es.lora_path,
            model_name=spec.name if spec else path.name,
        )
    if name == "remote":
        from tilgen.backends.remote.backend import RemoteBackend
        from tilgen.config.layers import resolve_api_key

        api_key, _ = resolve_api_key(settings)
        return RemoteBackend(settings.remote, api_key=api_key)
    plugin = _plugin(name)
    if plugin is not None:
        return plugin.load()(settings)
    raise ConfigError(f"unknown backend {name!r}; choose one of: {', '.join(names())}")


ENTRY_POINT_GROUP = "tilgen.backends"


def _plugin(name: str) -> Any:
    """The installed entry point called ``name`` in the ``tilgen.backends`` group, if any."""
    from importlib.metadata import entry_points

    found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
    return found[0] if found and name not in BUILTIN else None


def names() -> list[str]:
    """Every backend name make_backend accepts: built-ins first, then installed plugins."""
    from importlib.metadata import entry_points

    plugins = sorted({ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)} - set(BUILTIN))
    return [*BUILTIN, *plugins]
