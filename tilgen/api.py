"""The Python API: generate a note without the CLI (for apps and web back ends)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tilgen.pipeline import NoteResult


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
    on_token: Any = None,
) -> NoteResult:
    """Generate (and by default save) a validated note.

    Choose the changes with one of ``commit`` (a rev or ``A..B``), ``staged``, ``working``
    or ``patch`` (diff text); otherwise the commits of ``day`` are used. ``settings`` holds
    dotted overrides such as ``{"backend": "remote", "generation.max_tokens": 800}``.
    Raises :class:`tilgen.errors.TilgenError` subclasses on expected failures.
    """
    from tilgen import pipeline
    from tilgen.config.layers import load_settings
    from tilgen.git.collect import (
        collect_commits,
        collect_day,
        collect_patch,
        collect_staged,
        collect_working,
        open_repo,
    )

    if patch is not None:
        cs = collect_patch(patch, name="patch")
        root = None
    else:
        git_repo = open_repo(repo)
        root = Path(git_repo.working_tree_dir or repo)
    resolved = load_settings(repo_root=root, cli=settings).settings
    if patch is None:
        if commit:
            cs = collect_commits(git_repo, commit)
        elif staged:
            cs = collect_staged(git_repo)
        elif working:
            cs = collect_working(git_repo)
        else:
            cs = collect_day(git_repo, day=_day(day), author=author or resolved.author)
    result = pipeline.generate_note(cs, resolved, on_token=on_token)
    if save:
        pipeline.save(result, resolved)
    return result


def _day(value: str | dt.date | None) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if value in (None, "today"):
        return dt.date.today()
    if value == "yesterday":
        return dt.date.today() - dt.timedelta(days=1)
    return dt.date.fromisoformat(str(value))
