"""Saved notes read back: front matter, title, keywords and the lesson bullets."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tilgen import paths

RELATED_HEADING = "## 관련 노트"
DAILY_TITLE = re.compile(r"^(\d{4}-\d{2}-\d{2}) TIL - ")
# Folders a site generator writes into, or that hold no notes.
SKIP_DIRS = {"public", "resources", "_site", "node_modules", "themes", "layouts", "static"}


@dataclass
class SavedNote:
    path: Path
    meta: dict[str, Any]
    body: str
    root: Path = field(default=Path("."))

    @property
    def title(self) -> str:
        return str(self.meta.get("title", ""))

    @property
    def date(self) -> str:
        return str(self.meta.get("date", ""))[:10]

    @property
    def repo(self) -> str:
        return str(self.meta.get("repo", ""))

    @property
    def keywords(self) -> list[str]:
        value = self.meta.get("keywords") or []
        return [str(k) for k in value] if isinstance(value, list) else [str(value)]

    @property
    def kind(self) -> str:
        return str(self.meta.get("kind", "daily"))

    @property
    def rel(self) -> str:
        """The path under the notes directory, with forward slashes."""
        try:
            return self.path.relative_to(self.root).as_posix()
        except ValueError:
            return self.path.as_posix()

    @property
    def content(self) -> str:
        """The note itself: the body without the related-notes section tilgen appends."""
        return strip_related(self.body)

    def lessons(self) -> list[str]:
        from tilgen.note.schema import bullets

        return bullets(self.content)


def notes_root(notes_dir: str | None) -> Path:
    return Path(notes_dir).expanduser() if notes_dir else paths.default_notes_dir()


def strip_related(body: str) -> str:
    head, sep, _ = body.partition("\n" + RELATED_HEADING + "\n")
    return (head.rstrip() + "\n") if sep else body


def split_front_matter(text: str) -> tuple[dict[str, Any] | None, str]:
    """``(front matter, body)``; None when the text has no front matter block."""
    if not text.startswith("---\n"):
        return None, text
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.rstrip().endswith("\n---"):
            end = len(text.rstrip()) - 4
        else:
            return None, text
    meta: dict[str, Any] = {}
    for line in text[4:end].splitlines():
        key, sep, raw = line.partition(":")
        if not sep or not key.strip() or line.startswith((" ", "\t", "-")):
            continue
        raw = raw.strip()
        try:
            meta[key.strip()] = json.loads(raw) if raw else ""
        except ValueError:
            meta[key.strip()] = raw.strip("'\"")
    return meta, text[end + 5:].lstrip("\n")


def read_note(path: Path, root: Path) -> SavedNote | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    meta, body = split_front_matter(text)
    if not meta or not meta.get("title"):
        return None
    return SavedNote(path=path, meta=meta, body=body, root=root)


def note_files(root: Path) -> Iterator[Path]:
    """Markdown files under ``root``, outside hidden and generated folders (README excepted)."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS)
        for name in sorted(filenames):
            if name.endswith(".md") and name != "README.md" and not name.startswith("."):
                yield Path(dirpath) / name


def scan(root: Path) -> list[SavedNote]:
    """Every saved note under ``root``, newest first (then by repository)."""
    found = [n for n in (read_note(p, root) for p in note_files(root)) if n is not None]
    found.sort(key=lambda n: (n.date, n.kind != "daily", n.repo), reverse=True)
    return found
