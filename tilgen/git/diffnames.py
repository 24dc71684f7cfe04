"""File names in a diff: bytes to text, git's C-style quoting, the a/ and b/ prefixes."""

from __future__ import annotations

import re

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
            if re.match(r"[0-3][0-7]{2}", body[i + 1 : i + 4]):
                out.append(int(body[i + 1:i + 4], 8))
                i += 4
                continue
            out.extend(_C_ESCAPES.get(nxt, nxt).encode("utf-8", "surrogatepass"))
            i += 2
            continue
        out.extend(ch.encode("utf-8", "surrogatepass"))
        i += 1
    return out.decode("utf-8", errors="replace")


def _strip_prefix(path: str) -> str:
    path = unquote_path(path)
    if path.startswith(("a/", "b/", "i/", "w/", "c/", "o/")):
        return path[2:]
    return path


def split_diff_git(rest: str) -> tuple[str, str]:
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


def file_path(line: str) -> str | None:
    """Path from a ``---``/``+++`` line, or None for /dev/null."""
    value = line[4:]
    if "\t" in value and not value.startswith('"'):
        value = value.split("\t", 1)[0]
    value = value.rstrip("\n")
    if value.strip() == "/dev/null":
        return None
    return _strip_prefix(value)
