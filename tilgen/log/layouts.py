"""Where a note goes and what front matter it carries, for each notes layout.

``plain``: ``{repo}/{date}.md`` (or ``note_filename``); ``obsidian``: the same names, ``tags``
and ``[[wikilinks]]`` to related notes; ``jekyll``: ``_posts/YYYY-MM-DD-slug.md`` with
``layout``, ``date`` and ``tags``; ``hugo``: ``content/posts/{repo}/{date}.md`` with ``date``
and ``tags``. Every path goes through :func:`tilgen.note.store.note_path`, which keeps it
inside the notes directory.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from tilgen.log.notes import RELATED_HEADING, SavedNote

LAYOUTS = ("plain", "obsidian", "jekyll", "hugo")
DEFAULT_PATTERN = "{repo}/{date}.md"


def slug(text: str) -> str:
    """A file-name slug: lower case, letters (Hangul too), digits and single hyphens."""
    return re.sub(r"[^\w]+", "-", text.lower()).strip("-_") or "note"


def pattern_for(layout: str, note_filename: str, *, digest: bool = False) -> str:
    """The file name pattern ({repo}, {date}) of a daily note, or of a digest ({date} = period)."""
    if layout == "jekyll":
        return "_posts/{date}-{repo}.md"
    if layout == "hugo":
        return "content/posts/{repo}/{date}.md"
    return DEFAULT_PATTERN if digest else note_filename


def path_for(settings: Any, *, repo: str, date: str, period: str | None = None) -> Path:
    """The file of a daily note (``date``) or of a digest (``period``, ending on ``date``)."""
    from tilgen.note.store import note_path

    layout = settings.notes_layout
    pattern = pattern_for(layout, settings.note_filename, digest=period is not None)
    if layout == "jekyll":  # Jekyll wants _posts/YYYY-MM-DD-slug.md
        name = slug(repo) + (f"-{slug(period)}" if period else "")
        return note_path(notes_dir=settings.notes_dir, pattern=pattern, repo=name, date=date)
    return note_path(notes_dir=settings.notes_dir, pattern=pattern, repo=repo,
                     date=period or date)


def tag(keyword: str, layout: str) -> str:
    return keyword.replace(" ", "_") if layout == "obsidian" else keyword


def front(layout: str, title: str, keywords: list[str], meta: dict[str, Any],
          related: list[str]) -> dict[str, Any]:
    """The front matter, in the order the layout's readers expect (None values are dropped)."""
    head: dict[str, Any] = {"title": title}
    if layout == "jekyll":
        head["layout"] = "post"
    if layout in ("jekyll", "hugo"):
        head["date"] = meta.get("date")
    if layout != "plain":
        head["tags"] = [tag(k, layout) for k in keywords]
    head["keywords"] = keywords
    head.update({k: v for k, v in meta.items() if k not in head})
    head["related"] = related or None
    return head


def link_target(layout: str, note: SavedNote, source: Path) -> str:
    """How a note refers to ``note``: a wikilink (Obsidian) or a relative Markdown path."""
    if layout == "obsidian":
        return f"[[{note.rel.removesuffix('.md')}]]"
    return Path(os.path.relpath(note.path, source.parent)).as_posix()


def related_block(layout: str, related: list[SavedNote], source: Path) -> str:
    """The list appended under a note (not part of the validated note itself)."""
    if not related:
        return ""
    lines = ["", RELATED_HEADING, ""]
    for note in related:
        if layout == "obsidian":
            lines.append(f"- [[{note.rel.removesuffix('.md')}|{note.title}]]")
        else:
            lines.append(f"- [{note.title}]({link_target(layout, note, source)})")
    return "\n".join(lines) + "\n"
