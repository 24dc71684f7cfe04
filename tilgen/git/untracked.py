"""Untracked files as added :class:`FileChange` objects, read straight from the work tree.

``git diff`` does not show untracked files, and staging them (``git add -N``) would touch the
user's index, so their "diff" is built here the way git would print it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tilgen.git.changes import FileChange, Hunk
from tilgen.git.diffnames import decode

MAX_FILES = 500  # untracked files read; the rest are only counted
MAX_BYTES = 1_000_000  # a bigger untracked file is listed without its content
_BINARY_PROBE = 8000  # git's own rule: a NUL in the first 8000 bytes means binary


def untracked_changes(root: Path, names: list[str], omitted: list[str]) -> list[FileChange]:
    """One added file per name (relative to ``root``); what is skipped goes to ``omitted``."""
    files = []
    for name in sorted(names)[:MAX_FILES]:
        change = _read(root, name)
        if change is not None:
            files.append(change)
    if len(names) > MAX_FILES:
        omitted.append(f"{len(names) - MAX_FILES:,} more untracked files: not read (too many)")
    return files


def _read(root: Path, name: str) -> FileChange | None:
    """``name`` as git listed it, undecodable bytes kept as surrogates to find the file."""
    path = root / name
    shown = decode(name.encode("utf-8", "surrogateescape"))  # as parse_patch would spell it
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            return _added(shown, "120000", os.fsencode(os.readlink(path)))
        if not stat.S_ISREG(info.st_mode):
            return None
        mode = "100755" if info.st_mode & stat.S_IXUSR else "100644"
        if info.st_size > MAX_BYTES:
            return FileChange(path=shown, status="added", new_mode=mode,
                              note=f"untracked file of {info.st_size:,} bytes: content not read")
        return _added(shown, mode, path.read_bytes())
    except OSError:
        return None  # vanished or unreadable since git listed it


def _added(name: str, mode: str, data: bytes) -> FileChange:
    change = FileChange(path=name, status="added", new_mode=mode)
    if b"\0" in data[:_BINARY_PROBE]:
        change.binary = True
        return change
    if not data:
        return change
    text = decode(data).replace("\r\n", "\n")
    lines = text.split("\n")
    complete = text.endswith("\n")
    if complete:
        lines.pop()
    count = len(lines)
    hunk = Hunk(header=f"@@ -0,0 +1{'' if count == 1 else f',{count}'} @@",
                lines=[f"+{line}" for line in lines])
    if not complete:
        hunk.lines.append("\\ No newline at end of file")
    change.hunks.append(hunk)
    return change
