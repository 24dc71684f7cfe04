"""README.md in the notes directory: every note by month, newest first, with its keywords."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from tilgen.log.notes import SavedNote, scan

INDEX_NAME = "README.md"


def render_index(notes: list[SavedNote]) -> str:
    repos = sorted({n.repo for n in notes if n.repo})
    lines = ["# Today I Learned", ""]
    if not notes:
        lines += ["아직 노트가 없습니다.", ""]
        return "\n".join(lines)
    digests = sum(1 for n in notes if n.kind != "daily")
    summary = f"노트 {len(notes) - digests}개"
    if digests:
        summary += f", 요약 {digests}개"
    if repos:
        summary += f" · 저장소: {', '.join(repos)}"
    lines += [summary, ""]
    month = None
    for note in notes:  # already newest first
        if note.date[:7] != month:
            month = note.date[:7]
            lines += ([""] if lines[-1] else []) + [f"## {month or '날짜 없음'}", ""]
        keywords = ", ".join(f"`{k}`" for k in note.keywords)
        repo = f" ({note.repo})" if len(repos) > 1 and note.repo else ""
        entry = f"- {note.date} · [{_escape(note.title)}]({quote(note.rel)}){repo}"
        lines.append(entry + (f" · {keywords}" if keywords else ""))
    return "\n".join(lines).rstrip() + "\n"


def _escape(text: str) -> str:
    return text.replace("[", r"\[").replace("]", r"\]")


def write_index(root: Path) -> Path:
    """Write (or replace) ``root/README.md`` from the notes under ``root``."""
    from tilgen.note.store import write_atomic

    path = root / INDEX_NAME
    write_atomic(path, render_index(scan(root)))
    return path
