"""The data model of a set of changes: what every later stage reads."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

_REVERT = re.compile(r'^Revert "(.+)"\s*$')  # the subject `git revert` writes


@dataclass
class Hunk:
    """One ``@@`` hunk. ``lines`` keep their one-character prefix (' ', '+', '-', '\\')."""

    header: str
    lines: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        return self._counts()[1]

    @property
    def removed(self) -> int:
        return self._counts()[2]

    def _counts(self) -> tuple[int, int, int]:
        """(lines, added, removed), counted once: every stage asks, and a generated file's
        hunk can hold millions of lines. Recounted when lines were added since."""
        cached = self.__dict__.get("_counted")
        if cached is None or cached[0] != len(self.lines):
            added = removed = 0
            for line in self.lines:
                first = line[:1]
                if first == "+":
                    added += 1
                elif first == "-":
                    removed += 1
            cached = (len(self.lines), added, removed)
            self.__dict__["_counted"] = cached
        return cached

    def text(self) -> str:
        return "\n".join([self.header, *self.lines])


@dataclass
class FileChange:
    """The change to one file. ``path`` is the new path (the old one for deletions)."""

    path: str
    status: str = "modified"  # added | deleted | modified | renamed | copied
    old_path: str | None = None
    old_mode: str | None = None
    new_mode: str | None = None
    binary: bool = False
    submodule: tuple[str, str] | None = None  # (old sha, new sha) of a gitlink
    similarity: int | None = None
    hunks: list[Hunk] = field(default_factory=list)
    language: str | None = None
    note: str | None = None  # why the file was summarised instead of shown

    @property
    def added(self) -> int:
        return sum(h.added for h in self.hunks)

    @property
    def removed(self) -> int:
        return sum(h.removed for h in self.hunks)

    @property
    def changed_lines(self) -> int:
        return self.added + self.removed

    @property
    def mode_changed(self) -> bool:
        return bool(self.old_mode and self.new_mode and self.old_mode != self.new_mode)

    def describe(self) -> str:
        """A one-line summary: 'renamed a.py -> b.py', 'binary logo.png', ..."""
        parts = [self.status]
        if self.old_path and self.old_path != self.path:
            parts.append(f"{self.old_path} -> {self.path}")
        else:
            parts.append(self.path)
        if self.binary:
            parts.append("(binary)")
        if self.submodule:
            old, new = self.submodule
            parts.append(f"(submodule {old[:12]} -> {new[:12]})")
        if self.mode_changed:
            parts.append(f"(mode {self.old_mode} -> {self.new_mode})")
        return " ".join(parts)


@dataclass
class CommitInfo:
    sha: str
    subject: str
    author: str = ""
    date: dt.datetime | None = None
    is_merge: bool = False
    body: str = ""  # the message after the subject line: often the why of the change

    @property
    def short(self) -> str:
        return self.sha[:12]


def reverted_subject(subject: str) -> str | None:
    """The subject of the commit a `git revert` subject (`Revert "…"`) undoes, else None."""
    found = _REVERT.match(subject.strip())
    return found.group(1) if found else None


@dataclass
class ChangeSet:
    """Everything one note is written from."""

    source: str  # human description: "today (2026-11-22) by a@b.c", "commit abc123", ...
    repo_name: str
    date: dt.date
    files: list[FileChange] = field(default_factory=list)
    commits: list[CommitInfo] = field(default_factory=list)
    omitted: list[str] = field(default_factory=list)  # what was dropped, and why
    repo_root: str | None = None

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def removed(self) -> int:
        return sum(f.removed for f in self.files)


_CONFLICT_MARKERS = ("<<<<<<< ", ">>>>>>> ")


def conflict_files(cs: ChangeSet) -> list[str]:
    """Files whose added lines hold merge conflict markers (``<<<<<<< ours`` ... ``>>>>>>>``)."""
    found = []
    for f in cs.files:
        lines = (line[1:] for hunk in f.hunks for line in hunk.lines if line[:1] == "+")
        if any(line.startswith(_CONFLICT_MARKERS) or line.rstrip() in ("<<<<<<<", ">>>>>>>")
               for line in lines):
            found.append(f.path)
    return found


def without_text(cs: ChangeSet) -> str | None:
    """What changed, when no file has a text line to learn from (binary files, submodule
    updates, renames); None when some file has."""
    if any(f.hunks for f in cs.files):
        return None
    if not cs.files and cs.omitted:
        shown = "; ".join(cs.omitted[:3]) + ("; ..." if len(cs.omitted) > 3 else "")
        return f"only files that teach nothing changed ({shown})"
    kinds = sorted({"submodule updates" if f.submodule else "binary files" if f.binary
                    else "renames or mode changes" for f in cs.files})
    return (" and ".join(kinds) if kinds else "no file") + " changed, with no text lines"
