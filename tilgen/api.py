"""The Python API: generate a note without the CLI (for apps and web back ends)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tilgen import pipeline
from tilgen.backends.base import TokenCallback
from tilgen.git.source import ChangeSource
from tilgen.options import NoteOptions


def generate_note(
    repo: str | Path = ".",
    *,
    day: str | dt.date | None = "today",
    commit: str | None = None,
    staged: bool = False,
    working: bool = False,
    patch: str | bytes | None = None,
    author: str | None = None,
    save: bool = True,
    settings: dict[str, Any] | None = None,
    on_token: TokenCallback | None = None,
) -> pipeline.NoteResult:
    """Generate (and by default save) a validated note.

    Choose the changes with one of ``commit`` (a rev or ``A..B``), ``staged``, ``working``
    or ``patch`` (diff text); otherwise the commits of ``day`` are used. ``settings`` holds
    dotted overrides such as ``{"backend": "remote", "generation.max_tokens": 800}``.
    Raises :class:`tilgen.errors.TilgenError` subclasses on expected failures.
    """
    if patch is not None:
        source = ChangeSource.from_patch(patch)
    elif commit:
        source = ChangeSource.commits(repo, commit)
    elif staged:
        source = ChangeSource.staged(repo)
    elif working:
        source = ChangeSource.working(repo)
    else:
        source = ChangeSource.for_day(repo, day, author=author)
    return pipeline.run(source, NoteOptions(save=save, settings=settings or {}), on_token=on_token)
