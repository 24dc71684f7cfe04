"""The commit headers in a patch: ``git log``/``git show`` headers and format-patch mails."""

from __future__ import annotations

import datetime as dt
import re

from tilgen.git.changes import CommitInfo


def _email(value: str) -> str:
    """``Name <a@b.c>`` -> ``a@b.c``; a bare name stays as it is."""
    m = re.search(r"<([^<>]*)>\s*$", value)
    return m.group(1).strip() if m else value.strip()


def parse_commit_header(lines: list[str], i: int, commits: list[CommitInfo]) -> int:
    """A ``git log``/``git show`` header and message; returns the index after them."""
    info = CommitInfo(sha=lines[i].split()[1], subject="")
    i += 1
    while i < len(lines) and lines[i] and not lines[i].startswith("    "):
        key, _, value = lines[i].partition(":")
        if key == "Author":
            info.author = _email(value)
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


def parse_mail_header(lines: list[str], i: int, commits: list[CommitInfo]) -> int:
    """A ``git format-patch`` mail header; the message and diffstat after it are skipped
    by the main loop, as they hold no diff lines."""
    info = CommitInfo(sha=lines[i].split()[1], subject="")
    i += 1
    key = ""
    while i < len(lines) and lines[i]:
        line = lines[i]
        if line[0] in " \t" and key == "Subject":
            info.subject += " " + line.strip()
        else:
            key, _, value = line.partition(":")
            if key == "From":
                info.author = _email(value)
            elif key == "Date":
                info.date = _parse_git_date(value.strip())
            elif key == "Subject":
                info.subject = value.strip()
        i += 1
    info.subject = re.sub(r"^\[PATCH[^\]]*\]\s*", "", info.subject)
    commits.append(info)
    return i


def _parse_git_date(value: str) -> dt.datetime | None:
    for fmt in ("%a %b %d %H:%M:%S %Y %z", "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%z",
                "%a, %d %b %Y %H:%M:%S %z"):
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None
