"""Parse unified diffs (``git diff``, ``git show``, ``git log -p``, plain ``diff -u``).

The parser never raises on odd input: lines it does not understand are skipped, so any
text yields a (possibly empty) list of files.
"""

from __future__ import annotations

import datetime as dt
import re

from tilgen.changes import CommitInfo, FileChange, Hunk

_HUNK_RE = re.compile(r"^@@@* -\d+(?:,\d+)? \+\d+(?:,\d+)? @@")
_C_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f",
              "r": "\r", "v": "\v"}


def decode(data: bytes | str) -> str:
    """Bytes to text, never failing: invalid UTF-8 becomes U+FFFD."""
    if isinstance(data, str):
        return data
    return data.decode("utf-8", errors="replace")


def unquote_path(raw: str) -> str:
    """Undo git's C-style quoting of a path (``"a\\nb"``, octal UTF-8 bytes)."""
    raw = raw.strip()
    if not (len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"'):
        return raw
    body, out, i = raw[1:-1], bytearray(), 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "01234567" and i + 3 < len(body) + 1 and re.match(r"[0-7]{3}", body[i + 1:i + 4]):
                out.append(int(body[i + 1:i + 4], 8))
                i += 4
                continue
            out.extend(_C_ESCAPES.get(nxt, nxt).encode("utf-8"))
            i += 2
            continue
        out.extend(ch.encode("utf-8"))
        i += 1
    return out.decode("utf-8", errors="replace")


def _strip_prefix(path: str) -> str:
    path = unquote_path(path)
    if path.startswith(("a/", "b/", "i/", "w/", "c/", "o/")):
        return path[2:]
    return path


def _split_diff_git(rest: str) -> tuple[str, str]:
    """Split the two paths of a ``diff --git`` line, quoted or not."""
    rest = rest.strip()
    if rest.startswith('"'):
        end = _closing_quote(rest)
        first, second = rest[: end + 1], rest[end + 1 :].strip()
        return _strip_prefix(first), _strip_prefix(second)
    if rest.endswith('"'):
        start = rest.rfind(' "')
        return _strip_prefix(rest[:start]), _strip_prefix(rest[start + 1 :])
    # Unquoted: "a/x b/x". With spaces in names, split where both halves match.
    half = len(rest) // 2
    if rest[:half] == rest[half + 1 :].replace("b/", "a/", 1) or " b/" not in rest:
        return _strip_prefix(rest[:half]), _strip_prefix(rest[half + 1 :])
    idx = rest.find(" b/")
    return _strip_prefix(rest[:idx]), _strip_prefix(rest[idx + 1 :])


def _closing_quote(text: str) -> int:
    i = 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    return len(text) - 1


def _file_path(line: str) -> str | None:
    """Path from a ``---``/``+++`` line, or None for /dev/null."""
    value = line[4:]
    if "\t" in value and not value.startswith('"'):
        value = value.split("\t", 1)[0]
    value = value.rstrip("\n")
    if value.strip() == "/dev/null":
        return None
    return _strip_prefix(value)


def parse_patch(data: bytes | str) -> tuple[list[CommitInfo], list[FileChange]]:
    """Parse any unified-diff text into commits (from ``commit`` headers) and files."""
    text = decode(data).replace("\r\n", "\n")
    commits: list[CommitInfo] = []
    files: list[FileChange] = []
    current: FileChange | None = None
    hunk: Hunk | None = None
    remaining = [0, 0]  # old, new lines left in the current hunk
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if hunk is not None and (remaining[0] > 0 or remaining[1] > 0):
            if line.startswith((" ", "-", "+", "\\")) or line == "":
                if line == "" and i == len(lines) - 1:
                    break
                body = line if line else " "
                hunk.lines.append(body)
                if body[0] == " ":
                    remaining[0] -= 1
                    remaining[1] -= 1
                elif body[0] == "-":
                    remaining[0] -= 1
                elif body[0] == "+":
                    remaining[1] -= 1
                i += 1
                continue
            hunk = None
        if line.startswith("\\") and hunk is None and current and current.hunks:
            current.hunks[-1].lines.append(line)  # "\ No newline at end of file"
            i += 1
            continue
        if line.startswith("commit ") and re.match(r"^commit [0-9a-f]{7,64}\b", line):
            i = _parse_commit_header(lines, i, commits)
            current, hunk = None, None
            continue
        if line.startswith("diff --git ") or line.startswith("diff --cc ") or line.startswith(
            "diff --combined "
        ):
            old, new = (
                _split_diff_git(line[len("diff --git ") :])
                if line.startswith("diff --git ")
                else (line.split(" ", 2)[-1], line.split(" ", 2)[-1])
            )
            current = FileChange(path=new, old_path=old if old != new else None)
            files.append(current)
            hunk = None
            i += 1
            continue
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            old_p, new_p = _file_path(line), _file_path(lines[i + 1])
            if current is None or current.hunks:
                current = FileChange(path=new_p or old_p or "unknown")
                files.append(current)
            if old_p is None:
                current.status = "added"
            if new_p is None:
                current.status = "deleted"
                current.path = old_p or current.path
            elif new_p:
                current.path = new_p
            if old_p and new_p and old_p != new_p:
                current.old_path = old_p
                if current.status == "modified":
                    current.status = "renamed"
            hunk = None
            i += 2
            continue
        if current is not None:
            m = _HUNK_RE.match(line)
            if m:
                hunk = Hunk(header=line)
                current.hunks.append(hunk)
                remaining = _hunk_sizes(line)
                i += 1
                continue
            _parse_extended_header(line, current)
        i += 1
    for f in files:
        _finish(f)
    return commits, files


def _hunk_sizes(header: str) -> list[int]:
    m = re.match(r"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@", header)
    if not m:  # combined diff: count by lines until the next header
        return [10**9, 10**9]
    old = int(m.group(1)) if m.group(1) is not None else 1
    new = int(m.group(2)) if m.group(2) is not None else 1
    return [old, new]


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
        try:
            f.similarity = int(line.split()[-1].rstrip("%"))
        except ValueError:
            pass
    elif line.startswith("index "):
        parts = line.split()
        if len(parts) >= 3 and parts[2] == "160000":
            shas = parts[1].split("..")
            if len(shas) == 2:
                f.submodule = (shas[0], shas[1])
    elif line.startswith("Binary files ") or line.startswith("GIT binary patch"):
        f.binary = True


def _finish(f: FileChange) -> None:
    sub_old = sub_new = None
    for h in f.hunks:
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


def _parse_commit_header(lines: list[str], i: int, commits: list[CommitInfo]) -> int:
    sha = lines[i].split()[1]
    info = CommitInfo(sha=sha, subject="")
    i += 1
    while i < len(lines) and lines[i] and not lines[i].startswith("    "):
        key, _, value = lines[i].partition(":")
        if key == "Author":
            info.author = value.strip()
        elif key == "Merge":
            info.is_merge = True
        elif key in ("Date", "AuthorDate"):
            info.date = _parse_git_date(value.strip())
        i += 1
    message: list[str] = []
    while i < len(lines) and (lines[i].startswith("    ") or lines[i] == ""):
        if lines[i].startswith("    "):
            message.append(lines[i][4:])
        elif message and i + 1 < len(lines) and not lines[i + 1].startswith("    "):
            i += 1
            break
        i += 1
    info.subject = next((m.strip() for m in message if m.strip()), "")
    commits.append(info)
    return i


def _parse_git_date(value: str) -> dt.datetime | None:
    for fmt in ("%a %b %d %H:%M:%S %Y %z", "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None
