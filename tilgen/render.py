"""Render a points answer into the public note, so format rules hold by construction."""

from __future__ import annotations

import datetime as dt
import textwrap
from typing import Any

from tilgen.changes import FileChange, Hunk
from tilgen.schema import PointsAnswer

MAX_SNIPPET_LINES = 8


def fence_language(f: FileChange) -> str:
    return (f.language or "").lower().replace(" ", "").replace("+", "p").replace("#", "sharp")


def snippet(hunk: Hunk) -> list[str]:
    """The most telling contiguous run of a hunk: its first added run, else its removed run."""
    for prefix in ("+", "-"):
        runs: list[list[str]] = []
        current: list[str] = []
        for line in hunk.lines:
            if line.startswith(prefix):
                current.append(line[1:])
            elif current:
                runs.append(current)
                current = []
        if current:
            runs.append(current)
        runs = [[ln for ln in r] for r in runs if any(ln.strip() for ln in r)]
        if runs:
            best = max(runs, key=lambda r: sum(1 for ln in r if ln.strip()))
            # A line holding a Markdown fence (Rust doc examples) would close ours early.
            lines = _trim_blank([ln for ln in best if "```" not in ln])[:MAX_SNIPPET_LINES]
            return textwrap.dedent("\n".join(lines)).splitlines()
    return []


def _trim_blank(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def render_points(
    answer: PointsAnswer, *, date: dt.date, hunks: list[tuple[FileChange, Hunk]]
) -> dict[str, Any]:
    """Turn ``{topic, keywords, points}`` into ``{title, keywords, content}``."""
    topic = " ".join(answer.topic.split()).rstrip(".")
    out = [f"# {date.isoformat()} TIL", ""]
    seen_text: set[str] = set()
    used_hunks: set[int] = set()
    for point in answer.points:
        text = " ".join(point.text.split())
        if not text or text in seen_text:
            continue
        seen_text.add(text)
        if not text.endswith("."):
            text += "."
        out.append(f"- {text}")
        ref = point.hunk
        if 1 <= ref <= len(hunks) and ref not in used_hunks:
            used_hunks.add(ref)
            f, h = hunks[ref - 1]
            code = snippet(h)
            if code:
                out += ["", f"```{fence_language(f)}", *code, "```"]
        out.append("")
    keywords = list(dict.fromkeys(" ".join(k.split()) for k in answer.keywords))[:3]
    return {
        "title": f"{date.isoformat()} TIL - {topic}",
        "keywords": keywords,
        "content": "\n".join(out).rstrip() + "\n",
    }
