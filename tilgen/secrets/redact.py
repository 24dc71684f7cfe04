"""Mask secrets in a change set before any of its text reaches a model, local or remote.

Each secret value becomes a typed placeholder such as ``[REDACTED:aws-access-key]``; the
names around it (``AWS_ACCESS_KEY_ID = "..."``) stay, so the code still reads. Own rules
(provider token formats, PEM blocks, ``.env`` files, URL credentials, key = value
assignments, entropy) run everywhere; detect-secrets' plugins run on the lines a cheap
prefilter picks, so a large diff stays fast. A missed secret is worse than a masked hash.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from tilgen.git.changes import ChangeSet
from tilgen.secrets import patterns as sp
from tilgen.secrets import scan as scan
from tilgen.secrets.scan import PLACEHOLDER_RE, Spans

_MAX_PASSES = 20
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_HUNK_HEADER = re.compile(r"^(@@+ [^@]*@@+)(.*)$", re.DOTALL)


@dataclass(frozen=True)
class Finding:
    """One masked secret: its kind, the 0-based line, and its columns in that line."""

    kind: str
    line: int
    start: int
    end: int


@dataclass
class RedactionReport:
    counts: dict[str, int] = field(default_factory=dict)  # kind -> secrets masked
    places: dict[str, int] = field(default_factory=dict)  # file path or "commit <sha>" -> count

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, place: str, findings: list[Finding]) -> None:
        for f in findings:
            self.counts[f.kind] = self.counts.get(f.kind, 0) + 1
            self.places[place] = self.places.get(place, 0) + 1

    def summary(self) -> str:
        if not self.total:
            return "no secrets found"
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.counts.items(), key=lambda i: -i[1]))
        return f"{self.total} secret(s) redacted ({kinds})"


def redact_text(text: str, *, path: str | None = None) -> tuple[str, list[Finding]]:
    """Mask every secret in ``text`` (the content of ``path``, if known). Idempotent.

    Line count is preserved. ``Finding.line`` indexes lines of ``text``; columns refer to the
    text as it was when the finding was made (masking one secret can reveal the shape of
    another, so passes repeat until nothing changes).
    """
    findings: list[Finding] = []
    for _ in range(_MAX_PASSES):
        text, found = _redact_once(text, path)
        if not found:
            break
        findings.extend(found)
    return text, findings


def redact_name(text: str) -> tuple[str, list[Finding]]:
    """Mask token-shaped strings (provider formats such as ``ghp_…``, URL credentials) in a
    branch or file name. Names are not judged by entropy: that would mask ordinary long ones."""
    if not text:
        return text, []
    lowered = text.lower() if len(text.lower()) == len(text) else text.translate(_ASCII_LOWER)
    starts = [0]
    for line in text.split("\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    spans = Spans(text)
    for m in PLACEHOLDER_RE.finditer(text):
        spans.add(m.start(), m.end(), None)
    scan.token_rules(text, lowered, spans)
    return _apply(text, starts, spans)


def redact_changeset(cs: ChangeSet) -> RedactionReport:
    """Mask secrets in place in every hunk line, hunk context and commit subject of ``cs``,
    and token-shaped strings in its file names and source label (which names the branch)."""
    report = RedactionReport()
    cs.source, _ = redact_name(cs.source)  # not counted: it repeats a subject or a branch
    for i, item in enumerate(cs.omitted):
        cs.omitted[i], found = redact_name(item)
        report.add("omitted", found)
    for commit in cs.commits:
        commit.subject, found = redact_text(commit.subject)
        report.add(f"commit {commit.short}", found)
    for f in cs.files:
        f.path, found = redact_name(f.path)
        report.add(f.path, found)
        if f.old_path:
            f.old_path, found = redact_name(f.old_path)
            report.add(f.path, found)
        for hunk in f.hunks:
            # The @@ ranges stay; the function context git appends after them is source text.
            m = _HUNK_HEADER.match(hunk.header)
            if m and m.group(2):
                context, found = redact_text(m.group(2), path=f.path)
                hunk.header = m.group(1) + context
                report.add(f.path, found)
            body, found = redact_text("\n".join(line[1:] for line in hunk.lines), path=f.path)
            new_lines = body.split("\n")
            hunk.lines = [line[:1] + new for line, new in zip(hunk.lines, new_lines, strict=True)]
            report.add(f.path, found)
    return report


def _redact_once(text: str, path: str | None) -> tuple[str, list[Finding]]:
    kind = sp.file_kind(path)
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    lowered = text.lower()
    if len(lowered) != len(text):  # a few Unicode letters lowercase to two characters
        lowered = text.translate(_ASCII_LOWER)
    spans = Spans(text)
    for m in PLACEHOLDER_RE.finditer(text):
        spans.add(m.start(), m.end(), None)  # masked already: nothing may claim it again
    # Most specific first: the first claim on a character decides its kind.
    scan.pem_blocks(lines, starts, spans)
    scan.token_rules(text, lowered, spans)
    if kind == "env":
        scan.env_lines(lines, starts, spans)
    if kind == "config":
        scan.name_value_pairs(lines, starts, spans)
        if path and "netrc" in path:
            scan.netrc_passwords(text, spans)
    scan.assignments(lowered, lines, starts, spans, kind)
    long_lines = scan.entropy_tokens(text, lines, starts, spans)
    line_of = scan.line_finder(starts)
    candidates = {
        "keyword": {line_of(m.start()) for m in sp.DS_KEYWORD_RE.finditer(lowered)},
        "entropy": {line_of(m.start()) for m in sp.DS_QUOTED_RE.finditer(text)
                    if sp.could_be_entropic(m.group()[1:-1])},
        "other": long_lines,
    }
    if any(candidates.values()):
        from tilgen.secrets.plugins import detect_secrets

        try:
            detect_secrets(lines, starts, spans, path, candidates=candidates)
        except ImportError:  # detect-secrets missing: the own rules above still apply
            pass
    return _apply(text, starts, spans)


def _apply(text: str, starts: list[int], spans: Spans) -> tuple[str, list[Finding]]:
    out, findings, pos = [], [], 0
    for start, end, kind in spans.items:
        if kind is None:
            continue
        out.append(text[pos:start])
        # A span never should cross a line, but if one does the line count must survive.
        out.append("\n".join(f"[REDACTED:{kind}]" for _ in text[start:end].split("\n")))
        n = bisect.bisect_right(starts, start) - 1
        findings.append(Finding(kind, n, start - starts[n], end - starts[n]))
        pos = end
    if not findings:
        return text, []
    out.append(text[pos:])
    return "".join(out), findings


