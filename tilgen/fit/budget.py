"""Fit a ChangeSet into a token budget, keeping what teaches most.

Everything that can be cut is laid out on one ladder, most valuable first: commit
subjects, a one-line count of omitted files, one-line file summaries (source before tests
before docs before config), the full list of omitted files, then diff lines (each hunk is
shown from its start, source hunks deeper than test hunks, test hunks deeper than docs).
A candidate keeps a prefix of the ladder. Sizes are estimated per piece from UTF-8 length
and calibrated with a few real token counts, so ``count_tokens`` runs a handful of times,
not once per piece.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections import Counter
from collections.abc import Callable
from typing import Protocol

from tilgen.errors import TilgenError
from tilgen.fit import filters
from tilgen.git.changes import ChangeSet, FileChange, Hunk


class TokenCounter(Protocol):
    """What fitting needs of a backend: its context and a token count."""

    def context_length(self) -> int: ...

    def count_tokens(self, text: str) -> int: ...

# How deep into its hunks each kind of file is shown, relative to source: when source
# hunks show 60 lines, test hunks show 30 and config hunks 10.
KIND_WEIGHT = {"source": 1.0, "test": 0.5, "docs": 0.25, "config": 1 / 6, "data": 0.125}
LINE_CAP = 400  # characters of one diff line kept once fitting is needed
SUBJECT_CAP = 200
SLACK = 0.05  # a result within this fraction under the budget is good enough
MAX_COUNTS = 16  # real token counts per fit, at most (plus the fallback check)
GUIDED_STEPS = 3  # estimate-guided guesses before plain bisection takes over


def hunk_marker(n: int) -> str:
    return f"... [tilgen: {n:,} lines of this hunk omitted] ..."


def file_marker(hunks: int, lines: int) -> str:
    return f"... [tilgen: {hunks:,} more hunks of this file omitted ({lines:,} lines)] ..."


def estimate_tokens(text: str) -> int:
    """A conservative token count when no tokenizer is at hand, cheap enough for every line
    of a big diff: 2.4 bytes of UTF-8 per token. Qwen's tokenizer averages ~3 ASCII
    characters per token on code, and a Hangul syllable (3 bytes) is about one token."""
    return len(text.encode("utf-8")) * 5 // 12 + 1


def _cap(line: str) -> str:
    if len(line) <= LINE_CAP:
        return line
    return line[:LINE_CAP] + f" ...[tilgen: {len(line) - LINE_CAP:,} chars cut]"


def _capped_file(f: FileChange) -> FileChange:
    hunks = [Hunk(header=_cap(h.header), lines=[_cap(line) for line in h.lines]) for h in f.hunks]
    return dataclasses.replace(f, hunks=hunks)


def _collapse(omitted: list[str]) -> list[str]:
    """Many 'path: reason' lines as one line of reasons."""
    if not omitted:
        return []
    kinds = Counter(line.rsplit(": ", 1)[-1].split(" (")[0] for line in omitted)
    text = ", ".join(kind for kind, _ in kinds.most_common(6))
    return [f"{len(omitted):,} more omitted entries not listed (budget): {text}"[:300]]


class _Ladder:
    """The ordered pieces of a ChangeSet and what keeping a prefix of them costs."""

    def __init__(self, cs: ChangeSet) -> None:
        self.cs = cs
        self.commits = [dataclasses.replace(c, subject=c.subject[:SUBJECT_CAP])
                        for c in cs.commits]
        self.files = [_capped_file(f) for f in sorted(cs.files, key=filters.rank_key)]
        self.units: list[tuple[int, int]] = []  # (file, hunk) of each kept-able line
        steps = [estimate_tokens(c.subject) + 5 for c in self.commits]
        steps.append(estimate_tokens("\n".join(_collapse(cs.omitted))))
        steps += [estimate_tokens(f.describe()) + 12 for f in self.files]
        steps.append(max(0, estimate_tokens("\n".join(cs.omitted)) - estimate_tokens("\n".join(
            _collapse(cs.omitted)))))
        # Every hunk is shown to the same weighted depth (water-filling), so one big file
        # cannot starve the others; ties go to better-ranked files and bigger hunks.
        lines: list[tuple[float, int, int, int, int]] = []
        for fi, f in enumerate(self.files):
            weight = KIND_WEIGHT[filters.kind_of(f)] * (0.5 if f.status == "deleted" else 1.0)
            score = [-filters.meaningful_lines(h.lines) for h in f.hunks]
            order = sorted(range(len(score)), key=score.__getitem__)
            for pos, hi in enumerate(order):
                lines.extend((li / weight, fi, pos, hi, li)
                             for li in range(len(f.hunks[hi].lines)))
        lines.sort()
        seen_file: set[int] = set()
        for _, fi, _, hi, li in lines:
            hunk = self.files[fi].hunks[hi]
            cost = estimate_tokens(hunk.lines[li])
            if li == 0:
                cost += estimate_tokens(hunk.header) + estimate_tokens(hunk_marker(len(hunk.lines)))
                if fi not in seen_file:
                    seen_file.add(fi)
                    cost += estimate_tokens(file_marker(len(self.files[fi].hunks), 1000)) + 10
            steps.append(cost)
            self.units.append((fi, hi))
        self.cum = [0.0]
        for step in steps:
            self.cum.append(self.cum[-1] + step)

    @property
    def top(self) -> int:
        return len(self.cum) - 1

    def largest_within(self, model_budget: float) -> int:
        """The largest prefix whose estimated cost (above the empty one) fits."""
        return max(0, bisect.bisect_right(self.cum, model_budget) - 1)

    def build(self, x: int) -> ChangeSet:
        """The candidate keeping the first ``x`` pieces of the ladder."""
        n_commits = min(x, len(self.commits))
        x -= n_commits
        collapsed = x > 0
        x = max(0, x - 1)
        n_files = min(x, len(self.files))
        x -= n_files
        full_omitted = x > 0
        n_units = max(0, x - 1)
        kept: dict[tuple[int, int], int] = Counter(self.units[:n_units])
        files = [self._file(fi, kept) for fi in range(n_files)]
        notes = [line for f, line in files if line and f.hunks]
        summarised = sum(1 for f, line in files if line and not f.hunks)
        if summarised:  # the files themselves are listed, each marked "diff omitted"
            notes.append(f"diffs of {summarised:,} listed files omitted (budget)")
        omitted = (list(self.cs.omitted) if full_omitted
                   else _collapse(self.cs.omitted) if collapsed else [])
        hidden = self.files[n_files:]
        if hidden:
            kinds = Counter(filters.kind_of(f) for f in hidden)
            detail = ", ".join(f"{n} {kind}" for kind, n in kinds.most_common())
            notes.append(f"{len(hidden):,} more files not listed (budget): {detail}")
        if n_commits < len(self.commits):
            notes.append(f"{len(self.commits) - n_commits:,} more commits not listed (budget)")
        return dataclasses.replace(
            self.cs, files=[f for f, _ in files], commits=self.commits[:n_commits],
            omitted=omitted + notes,
        )

    def _file(self, fi: int, kept: dict[tuple[int, int], int]) -> tuple[FileChange, str]:
        """The file with only its kept lines, and the omitted line saying what went."""
        f = self.files[fi]
        total = sum(len(h.lines) for h in f.hunks)
        shown = sum(kept.get((fi, hi), 0) for hi in range(len(f.hunks)))
        if shown == total:
            return f, ""
        if shown == 0:
            return dataclasses.replace(f, hunks=[], note="diff omitted: budget"), "-"
        hunks: list[Hunk] = []
        dropped_hunks = dropped_lines = 0
        for hi, h in enumerate(f.hunks):
            k = kept.get((fi, hi), 0)
            if k == 0 and h.lines:
                dropped_hunks += 1
                dropped_lines += len(h.lines)
                continue
            lines = h.lines[:k] + ([hunk_marker(len(h.lines) - k)] if k < len(h.lines) else [])
            hunks.append(Hunk(header=h.header, lines=lines))
        if dropped_hunks:
            hunks[-1].lines.append(file_marker(dropped_hunks, dropped_lines))
        return (dataclasses.replace(f, hunks=hunks, note="diff partly omitted: budget"),
                f"{f.path}: {total - shown:,} of {total:,} diff lines omitted (budget)")


def fit(
    cs: ChangeSet,
    *,
    budget_tokens: int,
    count_tokens: Callable[[str], int],
    render: Callable[[ChangeSet], str],
) -> ChangeSet:
    """A copy of ``cs`` whose ``render`` is at most ``budget_tokens`` by ``count_tokens``.

    Raises TilgenError when even the summary without files and commits does not fit.
    """
    if budget_tokens < 1:
        raise TilgenError(
            f"no room for the changes: prompt budget is {budget_tokens} tokens; use a larger "
            "context (embedded.n_ctx) or a smaller generation.max_tokens"
        )
    full_text = render(cs)
    full_cheap = estimate_tokens(full_text)
    ladder = _Ladder(cs)
    base = estimate_tokens(render(ladder.build(0)))
    if full_cheap <= 4 * budget_tokens:  # small enough to count for real
        full_tokens = count_tokens(full_text)
        if full_tokens <= budget_tokens:
            return dataclasses.replace(cs, files=list(cs.files), commits=list(cs.commits),
                                       omitted=list(cs.omitted))
        ratio = full_tokens / max(1.0, base + ladder.cum[-1])
    else:  # far too big: skip the expensive count, assume ~3 bytes per token
        ratio = full_cheap / max(1.0, base + ladder.cum[-1])

    lo, hi = -1, ladder.top + 1  # lo: largest known to fit; hi: smallest known not to
    best: ChangeSet | None = None
    counts, tokens_at_zero = 0, None
    target = budget_tokens * (1 - SLACK / 2)
    while hi - lo > 1:
        if counts >= MAX_COUNTS:
            if best is not None:
                break
            x = 0  # out of counts and nothing fits yet: settle it with the smallest candidate
        elif counts < GUIDED_STEPS:
            x = ladder.largest_within(target / ratio - base)
            x = min(max(x, lo + 1), hi - 1)
        else:
            x = (lo + hi) // 2 if lo >= 0 else min(hi - 1, (hi - 1) // 4)
            x = min(max(x, lo + 1), hi - 1)
        candidate = ladder.build(x)
        tokens = count_tokens(render(candidate))
        counts += 1
        if x == 0:
            tokens_at_zero = tokens
        ratio = max(tokens, 1) / max(1.0, base + ladder.cum[x])
        if tokens <= budget_tokens:
            lo, best = x, candidate
            if tokens >= (1 - SLACK) * budget_tokens:
                break
        else:
            hi = x
    if best is None:
        raise TilgenError(
            f"prompt budget of {budget_tokens:,} tokens cannot hold even the summary of these "
            f"changes ({tokens_at_zero or '?'} tokens); use a larger context (embedded.n_ctx) "
            "or a smaller generation.max_tokens"
        )
    return best
