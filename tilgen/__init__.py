"""tilgen: turn git changes into a dated Korean "Today I Learned" note."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "generate_note"]


def generate_note(*args: Any, **kwargs: Any) -> Any:
    """Generate a validated TIL note; see :func:`tilgen.api.generate_note`."""
    from tilgen.api import generate_note as _generate_note

    return _generate_note(*args, **kwargs)
