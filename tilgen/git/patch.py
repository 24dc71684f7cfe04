"""Parse unified diffs (``git diff``, ``git show``, ``git log -p``, plain ``diff -u``).

The parser never raises on odd input: lines it does not understand are skipped, so any
text yields a (possibly empty) list of files.
"""

from __future__ import annotations

import re

from tilgen.git.changes import CommitInfo, FileChange, Hunk
from tilgen.git.diffnames import decode, file_path, split_diff_git, unquote_path
from tilgen.git.patchheaders import parse_commit_header, parse_mail_header

# "@@ -1,2 +1,3 @@", and "@@@ -1,2 -1,2 +1,3 @@@" for a merge (one range per parent).
_HUNK_RE = re.compile(r"^(@@+)(?: -\d+(?:,\d+)?)+ \+\d+(?:,\d+)? \1(?= |$)")
_MBOX_RE = re.compile(r"^From [0-9a-f]{40,64} Mon Sep 17 00:00:00 2001$")


def parse_patch(data: bytes | str) -> tuple[list[CommitInfo], list[FileChange]]:
    """Parse any unified-diff text into commits (from ``commit`` headers) and files."""
    text = decode(data).replace("\r\n", "\n")
    commits: list[CommitInfo] = []
    files: list[FileChange] = []
    current: FileChange | None = None
    from_git = False  # the current file had a ``diff --git`` line: its paths are exact
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("\\") and current is not None and current.hunks:
            current.hunks[-1].lines.append(line)  # "\ No newline at end of file"
            i += 1
            continue
        if line.startswith("commit ") and re.match(r"^commit [0-9a-f]{7,64}\b", line):
            i = parse_commit_header(lines, i, commits)
            current = None
            continue
        if _MBOX_RE.match(line):
            i = parse_mail_header(lines, i, commits)
            current = None
            continue
        if line.startswith(("diff --git ", "diff --cc ", "diff --combined ")):
            if line.startswith("diff --git "):
                old, new = split_diff_git(line[len("diff --git ") :])
            else:
                old = new = unquote_path(line.split(" ", 2)[-1])
            current = FileChange(path=new, old_path=old if old != new else None)
            files.append(current)
            from_git = True
            i += 1
            continue
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            if current is None or current.hunks:
                current = FileChange(path="unknown")
                files.append(current)
                from_git = False
            _set_paths(current, file_path(line), file_path(lines[i + 1]), exact=from_git)
            i += 2
            continue
        if current is not None:
            sizes = _hunk_sizes(line) if line.startswith("@@") else None
            if sizes is not None:
                hunk = Hunk(header=line)
                current.hunks.append(hunk)
                i = _read_hunk(lines, i + 1, hunk, sizes)
                continue
            _parse_extended_header(line, current)
        i += 1
    for f in files:
        _finish(f)
    return commits, files


def _read_hunk(lines: list[str], i: int, hunk: Hunk, sizes: list[int]) -> int:
    """Append the hunk's lines, starting at ``lines[i]``; return the index after them.

    The header's line counts say where the hunk ends, so a removed line that reads
    "-- x" is never taken for a file header.
    """
    out, n = hunk.lines, len(lines)
    if len(sizes) == 2:  # the usual two-sided hunk, kept fast: big diffs are all hunk lines
        old, new = sizes
        while i < n and (old > 0 or new > 0):
            line = lines[i]
            ch = line[:1]
            if ch == " " or not line:  # some tools strip the space of an empty context line
                old, new = old - 1, new - 1
                out.append(line or " ")
            elif ch == "-":
                old -= 1
                out.append(line)
            elif ch == "+":
                new -= 1
                out.append(line)
            elif ch == "\\":
                out.append(line)
            else:
                break
            i += 1
        return i
    width = len(sizes) - 1
    while i < n and any(k > 0 for k in sizes):
        line = lines[i]
        prefix = line[:width] if line else " " * width
        if len(prefix) == width and all(ch in " +-" for ch in prefix):
            out.append(_count_line(prefix, line[width:], sizes))
        elif line.startswith("\\"):
            out.append(line)
        else:
            break
        i += 1
    return i


def _count_line(prefix: str, body: str, remaining: list[int]) -> str:
    """Count one hunk line against the lines left; return it with a one-column prefix.

    A combined diff (``diff --cc``) has a column per parent: a line is removed if any column
    says so, added if any says '+', context otherwise.
    """
    if "-" in prefix:
        for col, ch in enumerate(prefix):
            if ch == "-":
                remaining[col] -= 1
        return "-" + body
    remaining[-1] -= 1
    for col, ch in enumerate(prefix):
        if ch == " ":
            remaining[col] -= 1
    return ("+" if "+" in prefix else " ") + body


def _set_paths(f: FileChange, old: str | None, new: str | None, *, exact: bool) -> None:
    """Apply the paths of a ``---``/``+++`` pair (None is /dev/null)."""
    if old is None:
        f.status = "added"
    if new is None:
        f.status = "deleted"
        f.path = old or f.path
        return
    f.path = new
    if old and old != new:
        if not exact and "/" in old and "/" in new and old.split("/", 1)[1] == new.split("/", 1)[1]:
            f.path = new.split("/", 1)[1]  # `diff -ru old new`: one file in two trees
            return
        f.old_path = old
        if f.status == "modified":
            f.status = "renamed"


def _hunk_sizes(header: str) -> list[int] | None:
    """[lines of each parent..., lines of the result] from a hunk header, else None."""
    m = _HUNK_RE.match(header)
    if not m:
        return None
    ranges = re.findall(r"[-+]\d+(?:,(\d+))?", header[: m.end()])
    if len(ranges) != len(m.group(1)):  # "@@@" has two parents: three ranges
        return None
    # A missing count means one line; absurd counts are capped, not trusted to int().
    return [1 if not n else int(n) if len(n) < 10 else 10**9 for n in ranges]


def _parse_extended_header(line: str, f: FileChange) -> None:
    if line.startswith("new file mode "):
        f.status, f.new_mode = "added", line.split()[-1]
    elif line.startswith("deleted file mode "):
        f.status, f.old_mode = "deleted", line.split()[-1]
    elif line.startswith("old mode "):
        f.old_mode = line.split()[-1]
    elif line.startswith("new mode "):
        f.new_mode = line.split()[-1]
    elif line.startswith("rename from "):
        f.status, f.old_path = "renamed", unquote_path(line[len("rename from ") :])
    elif line.startswith("rename to "):
        f.path = unquote_path(line[len("rename to ") :])
    elif line.startswith("copy from "):
        f.status, f.old_path = "copied", unquote_path(line[len("copy from ") :])
    elif line.startswith("copy to "):
        f.path = unquote_path(line[len("copy to ") :])
    elif line.startswith(("similarity index ", "dissimilarity index ")):
        value = line.split()[-1].rstrip("%")
        f.similarity = int(value) if value.isdigit() and len(value) < 4 else None
    elif line.startswith("index "):
        parts = line.split()
        if len(parts) >= 3 and parts[2] == "160000":
            shas = parts[1].split("..")
            if len(shas) == 2:
                f.submodule = (shas[0], shas[1])
        elif len(parts) >= 3 and f.old_mode is None and f.new_mode is None:
            f.old_mode = f.new_mode = parts[2]  # unchanged mode: tells symlinks apart
    elif line.startswith("Binary files ") or line.startswith("GIT binary patch"):
        f.binary = True


def _finish(f: FileChange) -> None:
    sub_old = sub_new = None
    for h in f.hunks:
        if len(h.lines) > 2:  # a gitlink's hunk is one '-' and/or one '+' line
            continue
        for line in h.lines:
            if line.startswith("-Subproject commit "):
                sub_old = line.split()[-1]
            elif line.startswith("+Subproject commit "):
                sub_new = line.split()[-1]
    if sub_old or sub_new:
        f.submodule = (sub_old or "0" * 40, sub_new or "0" * 40)
        f.hunks = []
    if f.old_path == f.path:
        f.old_path = None
