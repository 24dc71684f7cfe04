"""Saving a note into the log: its layout's path and front matter, related notes, the index."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tilgen.log.layouts import front, link_target, path_for, related_block
from tilgen.log.notes import SavedNote, notes_root, read_note

RELATED_COUNT = 3


def related_notes(root: Path, path: Path, title: str, keywords: list[str], content: str,
                  date: str) -> list[SavedNote]:
    """The past daily notes closest to this one (none when there is no other note)."""
    from tilgen.log.search import SearchIndex, note_terms
    from tilgen.log.terms import analyse, hangul_words

    index = SearchIndex(root)
    index.refresh()
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    if not any(d.get("note") and k != rel for k, d in index.docs.items()):
        return []
    text = note_terms(title, keywords, content)
    analyse(hangul_words(text), index.vocab)  # the new note's words, by Kiwi, as a note's are
    hits = index.search(text, limit=RELATED_COUNT, exclude={rel}, daily_only=True, before=date)
    return [n for n in (read_note(h.path, root) for h in hits) if n is not None]


def render(settings: Any, path: Path, *, title: str, keywords: list[str], content: str,
           meta: dict[str, Any], related: list[SavedNote]) -> str:
    from tilgen.note.store import front_matter

    layout = settings.notes_layout
    head = front(layout, title, keywords, meta, [link_target(layout, n, path) for n in related])
    return front_matter(head) + content.rstrip() + "\n" + related_block(layout, related, path)


def save_note(settings: Any, *, title: str, keywords: list[str], content: str,
              meta: dict[str, Any], repo: str, date: str, period: str | None = None,
              path: Path | None = None, on_status: Any = None) -> Path:
    """Write the note (atomically) where its layout puts it, then refresh the index."""
    from tilgen.note.store import write_atomic

    root = notes_root(settings.notes_dir)
    path = path or path_for(settings, repo=repo, date=date, period=period)
    related: list[SavedNote] = []
    if settings.related and period is None:
        try:
            related = related_notes(root, path, title, keywords, content, date)
        except (OSError, ImportError) as exc:  # a note is never lost for want of its links
            if on_status:
                on_status(f"related notes skipped: {exc}")
    write_atomic(path, render(settings, path, title=title, keywords=keywords, content=content,
                              meta=meta, related=related))
    after_save(settings, root, on_status)
    return path


def after_save(settings: Any, root: Path, on_status: Any = None) -> None:
    """Rewrite README.md when ``index`` is on; a failure there is reported, not raised."""
    if not settings.index:
        return
    from tilgen.errors import StorageError
    from tilgen.log.index import write_index

    try:
        write_index(root)
    except StorageError as exc:
        if on_status:
            on_status(f"index not updated: {exc.message}")
