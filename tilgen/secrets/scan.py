"""Finders that claim where secrets are in a text: tokens, PEM blocks, assignments, entropy.

Each finder adds spans to a :class:`Spans`; the first claim on a character wins, so the
order the caller runs them in is their priority.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

from tilgen.secrets import patterns as sp

PLACEHOLDER_RE = re.compile(r"\[REDACTED:[a-z0-9-]+\]")
QUOTES = "\"'`"
_OP_RE = re.compile(r"[\"'`]?\]?[ \t]*(?::=|=>|===?|!==?|=|:(?![:/\\]))[ \t]*")
_ANNOT_RE = re.compile(r"[\"'`]?[ \t]*:[ \t]*[A-Za-z_][\w\[\]., |]*?[ \t]*=(?![=>])[ \t]*")
_QUOTED_RE = re.compile(r"[rRbBuUfF]{0,2}([\"'`])((?:\\.|(?!\1).)*)\1?")
_BARE_RE = re.compile(r"(?:\{[^}\s]*\}|[^\s,;&)}\]'\"`<>])+")
_ENV_LINE = re.compile(r"[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*")
_NAME_LINE = re.compile(r"[ \t]*-?[ \t]*[\"']?name[\"']?[ \t]*:[ \t]*[\"']?([A-Za-z_][\w.-]*)")
_VALUE_LINE = re.compile(r"[ \t]*-?[ \t]*[\"']?value[\"']?[ \t]*:[ \t]*")
_NETRC_RE = re.compile(r"(?:^|\s)(?:password|passwd|account)\s+(?P<v>\S+)")


class Spans:
    """Non-overlapping claims on the text; the first claim on a character wins."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: list[int] = []
        self.items: list[tuple[int, int, str | None]] = []

    def add(self, start: int, end: int, kind: str | None) -> bool:
        if kind is not None:  # nothing left to hide once placeholders are taken out
            rest = PLACEHOLDER_RE.sub("", self.text[start:end])
            if not any(c.isalnum() for c in rest):
                return False
        i = bisect.bisect_right(self.starts, start)
        if i and self.items[i - 1][1] > start or i < len(self.items) and self.items[i][0] < end:
            return False
        self.starts.insert(i, start)
        self.items.insert(i, (start, end, kind))
        return True


def _claim_content(spans: Spans, base: int, line: str, start: int, end: int, kind: str) -> None:
    """Claim line[start:end] without its surrounding whitespace."""
    seg = line[start:end]
    lead = len(seg) - len(seg.lstrip())
    seg = seg.strip()
    if seg:
        spans.add(base + start + lead, base + start + lead + len(seg), kind)


def pem_blocks(lines: list[str], starts: list[int], spans: Spans) -> None:
    """Every line between BEGIN and END of a private key, inline or across lines."""
    if not any("-----" in line for line in lines):
        return
    inside = False
    for n, line in enumerate(lines):
        pos, base = 0, starts[n]
        if inside:
            end = sp.PEM_END.search(line)
            _claim_content(spans, base, line, 0, end.start() if end else len(line), "private-key")
            if not end:
                continue
            inside, pos = False, end.end()
        elif "-----END" in line and not sp.PEM_BEGIN.search(line, 0, line.find("-----END")):
            end = sp.PEM_END.search(line)
            if end:  # the text starts inside a key: take the body lines above the END marker
                _claim_content(spans, base, line, 0, end.start(), "private-key")
                k = n - 1
                while k >= 0 and sp.PEM_BODY.fullmatch(lines[k]):
                    _claim_content(spans, starts[k], lines[k], 0, len(lines[k]), "private-key")
                    k -= 1
                pos = end.end()
        while (begin := sp.PEM_BEGIN.search(line, pos)) is not None:
            end = sp.PEM_END.search(line, begin.end())
            stop = end.start() if end else len(line)
            _claim_content(spans, base, line, begin.end(), stop, "private-key")
            if end is None:
                inside = True
                break
            pos = end.end()


def _read_value(line: str, pos: int, *, rest_of_line: bool, quoted_ok: bool = True
                ) -> tuple[int, int]:
    """Columns of the value starting at ``pos``: a quoted string's inside, or a bare word."""
    if quoted_ok and (m := _QUOTED_RE.match(line, pos)):
        return m.start(2), m.end(2)
    if rest_of_line:
        end = len(line)
        for mark in (" #", "\t#"):
            if (c := line.find(mark, pos)) != -1:
                end = min(end, c)
        return pos, pos + len(line[pos:end].rstrip())
    m = _BARE_RE.match(line, pos)
    return (pos, m.end()) if m else (pos, pos)


def _maybe_claim(spans: Spans, base: int, line: str, value: tuple[int, int], key: str,
                 cls: tuple[str, str]) -> None:
    strength, kind = cls
    text = line[value[0]:value[1]]
    if sp.is_harmless(text, kind=kind, key=key):
        return
    if strength == "strong" or sp.looks_random(text):
        spans.add(base + value[0], base + value[1], kind)


def env_lines(lines: list[str], starts: list[int], spans: Spans) -> None:
    """``.env`` files: values of sensitive-looking keys, and any value that looks random."""
    for n, line in enumerate(lines):
        m = _ENV_LINE.match(line)
        if not m:
            continue
        key = m.group(1)
        cls = sp.classify_key(key)
        if cls is None and sp.ENV_SENSITIVE.search(key):
            cls = ("strong", "env-value")
        _maybe_claim(spans, starts[n], line, _read_value(line, m.end(), rest_of_line=True), key,
                     cls or ("weak", "env-value"))


def name_value_pairs(lines: list[str], starts: list[int], spans: Spans) -> None:
    """Kubernetes-style ``- name: DB_PASSWORD`` followed by ``value: ...``."""
    for n, line in enumerate(lines):
        m = _NAME_LINE.match(line)
        cls = sp.classify_key(m.group(1)) if m else None
        if m is None or cls is None:
            continue
        for k in range(n + 1, min(n + 3, len(lines))):
            v = _VALUE_LINE.match(lines[k])
            if v:
                value = _read_value(lines[k], v.end(), rest_of_line=True)
                _maybe_claim(spans, starts[k], lines[k], value, m.group(1), cls)
                break


def _odd_quotes(prefix: str) -> bool:
    prefix = prefix.replace("\\\\", "").replace('\\"', "").replace("\\'", "")
    if prefix.count('"') % 2 or prefix.count("`") % 2:
        return True
    return len(re.findall(r"(?<![A-Za-z])'|'(?![A-Za-z])", prefix)) % 2 == 1


def _in_comment(prefix: str) -> bool:
    head = prefix.lstrip()
    return "#" in prefix or "//" in prefix or head.startswith(("*", "/*", "--", ";", "<!--"))


def _assigned_value(line: str, a: int, b: int, kind: str) -> tuple[int, int] | None:
    """Where the value assigned to the name at line[a:b] is, if it is a literal."""
    op = _OP_RE.match(line, b)
    if not op:
        return None
    quoted_key = a > 0 and line[a - 1] in QUOTES and b < len(line) and line[b] == line[a - 1]
    prefix = line[: a - 1 if quoted_key else a]
    if not quoted_key and a > 0 and line[a - 1] in QUOTES or _odd_quotes(prefix):
        # The name sits inside a string ("--password=x", "Password=x;"): so does the value.
        return _read_value(line, op.end(), rest_of_line=False, quoted_ok=False)
    if _QUOTED_RE.match(line, op.end()):
        return _read_value(line, op.end(), rest_of_line=False)
    if kind == "code" and not _in_comment(prefix):
        annotated = _ANNOT_RE.match(line, b)  # `password: str = "..."`
        if annotated and _QUOTED_RE.match(line, annotated.end()):
            return _read_value(line, annotated.end(), rest_of_line=False)
        return None
    at_line_start = not prefix.strip(" \t-")
    start, end = _read_value(line, op.end(), rest_of_line=kind in ("env", "config")
                             and at_line_start)
    if kind not in ("env", "config") and sp.is_expression(line[start:end]):
        return None
    return start, end


def assignments(lowered: str, lines: list[str], starts: list[int], spans: Spans,
                 kind: str) -> None:
    """``name = value`` where the name says secret (``lowered`` is the text in lowercase)."""
    seen: set[tuple[int, int]] = set()
    for m in sp.HINT_RE.finditer(lowered):
        n = bisect.bisect_right(starts, m.start()) - 1
        line, base = lines[n], starts[n]
        a, b = m.start() - base, m.end() - base
        while a > 0 and line[a - 1] in sp.KEY_CHARS:
            a -= 1
        while b < len(line) and line[b] in sp.KEY_CHARS:
            b += 1
        while b > a and line[b - 1] in ".-":
            b -= 1
        if (n, a) in seen:
            continue
        seen.add((n, a))
        cls = sp.classify_key(line[a:b])
        value = _assigned_value(line, a, b, kind) if cls else None
        if cls and value and value[1] > value[0]:
            _maybe_claim(spans, base, line, value, line[a:b], cls)


def entropy_tokens(text: str, lines: list[str], starts: list[int], spans: Spans) -> set[int]:
    """Random-looking tokens that are quoted, assigned, or alone on their line.

    Returns the lines holding a long token with a digit: where provider formats could be.
    """
    touched: set[int] = set()
    for m in sp.LONG_TOKEN_RE.finditer(text):
        start, end = m.span()
        token = m.group()
        quoted = start > 0 and text[start - 1] in QUOTES
        n = bisect.bisect_right(starts, start) - 1
        if sp.HAS_DIGIT.search(token):
            touched.add(n)
        if not sp.random_token(token):
            continue
        line, col = lines[n], start - starts[n]
        before = line[:col].rstrip()
        after = line[col + len(token):].replace("\\n", "")
        if (quoted or before.endswith(("=", ":", ">")) or not before.strip(QUOTES)
                and not after.strip(" \t,;+" + QUOTES)):
            spans.add(start, end, "high-entropy")
    return touched


def token_rules(text: str, lowered: str, spans: Spans) -> None:
    """Provider formats (``AKIA...``, ``ghp_...``), URL credentials, auth headers."""
    for rule in sp.TOKEN_RULES:
        for start, end in rule.matches(text, lowered):
            if sp.is_template(text[start:end]):
                continue
            while end < len(text) and text[end] in sp.GLUE:  # the whole token, not a prefix
                end += 1
            spans.add(start, end, rule.kind)


def netrc_passwords(text: str, spans: Spans) -> None:
    """``.netrc``: ``password <value>`` without any ``=``."""
    for m in _NETRC_RE.finditer(text):
        spans.add(*m.span("v"), "password")


def line_finder(starts: list[int]) -> Callable[[int], int]:
    """Offset in the text -> 0-based line number, given each line's starting offset."""
    return lambda pos: bisect.bisect_right(starts, pos) - 1
