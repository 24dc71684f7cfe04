"""Which hunks a note's points are about, and the names each point must open with.

Left to choose, a small model writes two points about the first hunk it reads, or about a
changelog line, and names the code vaguely or not at all. tilgen knows from its own evidence
(:mod:`tilgen.note.evidence`) which hunks carry the change: the ones that swap one name for
another, add or remove names, in a function it can name. It picks up to MAX_POINTS of them,
one point each, and the grammar makes each point open with one of that hunk's names in
backticks; a point about a swap names the old name first and the new one after it, so the
sentence's natural reading ("`A`를 `B`로 바꿨습니다") is the change's direction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from tilgen.git.changes import FileChange, Hunk
from tilgen.note import declarations, evidence, pairs
from tilgen.note.openings import sentence_pattern
from tilgen.note.quotes import (
    added_besides,
    comment_change,
    first_removed,
    prose_text,
    removed_line,
    richest_line,
    signature_change,
    small_change,
    test_checks,
    test_lines,
    value_swap,
)
from tilgen.note.ranking import hunk_score, name_parts, telling

MAX_POINTS = 4
_CODE = re.compile(r"[(=;{\[:]")  # a line of code has one of these; prose seldom does
_MOVED = re.compile(r"moved (to|from) (\S+): (.*)$")
MAX_NAMES = 8
_HIDDEN = frozenset({"private", "pub(crate)", "protected", "internal", "fileprivate"})


@dataclass(frozen=True)
class Focus:
    """One point to write: about hunk [#hunk] (1-based), opening with one of ``names``; with
    ``swap`` (old, new) it names ``old`` first and ``new`` after it."""

    hunk: int
    names: tuple[str, ...]
    swap: tuple[str, str] | None = None
    scope: str = ""
    removed: bool = False  # the hunk only removes code: the point says it is gone
    moved: str = ""  # "moved to lib.rs: `Error`" (see evidence.moves)
    move: tuple[str, str] | None = None  # (from path, to path) of what moved
    modifier: tuple[str, str, str] | None = None  # (name, before, after): `public` -> `private`
    lines: tuple[str, str] | None = None  # a small change's code: (removed, added)
    comment: tuple[str, str, str] | None = None  # only a comment changed: (on, was, now)
    shows: str = ""  # the line that says it: a removed declaration, the richest added line
    also: int = 0  # the same removal in this many other files
    stays: str = ""  # the removed declaration's name, where another definition of it stays
    checks: str = ""  # a new test's first check (then ``shows`` is the line it checks)
    then: tuple[str, str] | None = None  # a new test's second check: (the line before, it)
    besides: str = ""  # a line a swap's hunk adds that the swap does not explain
    instead: str = ""  # the first line of code removed where ``shows`` was added
    successor: str = ""  # what a removed (or hidden) name's uses became elsewhere
    before: str = ""  # a swap's removed line, as it was (the snippet shows it as it is)
    keyed: tuple[str, tuple[str, ...], tuple[str, ...]] | None = None  # pairs.keyed_literal
    reformat: tuple[str, ...] = ()  # only formatting changed: how (pairs.reformatted)

    def sentence(self, language: str = "ko") -> str:
        """The pattern of this point's sentence (see :func:`sentence_pattern`)."""
        return sentence_pattern(self, language)

    def plan_line(self) -> str:
        """What the prompt says of this point."""
        where = f" in `{self.scope}`" if self.scope else ""
        if self.swap:
            old, new = self.swap
            # the line it is in, when short: `hmac.new(…, digestmod=self.digest_method)`
            # says what the new name is for
            shows = self.lines and len(self.lines[1]) > len(new) + 4
            line = f" in `{self.lines[1]}`" if shows and self.lines else ""
            also = f"; it also adds `{self.besides}`" if self.besides else ""
            return f"hunk [#{self.hunk}]{where}: `{old}` became `{new}`{line}{also}"
        shown = ", ".join(f"`{n}`" for n in self.names[:2])  # a longer list was copied
        if self.move:  # where it was is no place for it: the move is the point
            moved = ", ".join(re.findall(r"`[^`]+`", self.moved)[:3])
            return f"hunk [#{self.hunk}]: {moved} moved from {self.move[0]} to {self.move[1]}"
        if self.moved:
            return f"hunk [#{self.hunk}]{where}: {self.moved}"
        if self.modifier:
            name, before, after = self.modifier
            was = f" (was `{before}`)" if before else ""
            return (f"hunk [#{self.hunk}]{where}: `{name}` is now `{after}`{was}" if after
                    else f"hunk [#{self.hunk}]{where}: `{name}` is no longer `{before}`")
        if self.comment:
            on, was, now = self.comment
            said = (f"`{was}` became `{now}`" if was and now else
                    f"added `{now}`" if now else f"dropped `{was}`")
            return (f"hunk [#{self.hunk}]{where}: only the comment on `{on}` changed, not "
                    f"its code: {said}")
        if self.removed and shown:
            what = f"`{self.shows}`" if self.shows else shown
            more = f"; the same removal in {self.also} more files" if self.also else ""
            # one of two definitions went and the name stays: never say the name is gone
            gone = (f"one definition of `{self.stays}`; another stays" if self.stays
                    else f"no longer exists; `{self.successor}` is used in its place"
                    if self.successor else "no longer exists")
            return f"hunk [#{self.hunk}]{where}: REMOVED {what} ({gone}{more})"
        if self.lines:  # the code itself says more than its names: `copy(out, val)`
            old, new = self.lines
            return (f"hunk [#{self.hunk}]{where}: " + (f"`{old}` became `{new}`" if old
                                                        else f"added `{new}`")
                    + (f" ({shown})" if shown else ""))
        if self.checks:  # what a test checks is its lesson: `assert next(unsigners)…sha1`
            runs = f" runs `{self.shows}` and" if self.shows else ""
            return (f"hunk [#{self.hunk}]{where}: new test `{self.names[0]}`{runs} checks "
                    f"`{self.checks}`")
        if self.shows and not shown:  # prose: its words
            return f'hunk [#{self.hunk}]: the text now says "{self.shows}"'
        adds = f" in `{self.shows}`" if self.shows else ""
        adds += f", in place of the removed `{self.instead}`" if self.shows and self.instead else ""
        return f"hunk [#{self.hunk}]{where}" + (f": about {shown}{adds}" if shown else "")


def scope_name(where: str) -> str:
    """The function or type a hunk header names (see
    :func:`tilgen.note.declarations.declared_name`)."""
    return declarations.declared_name(where)


def plan(hunks: list[tuple[FileChange, Hunk]], limit: int = MAX_POINTS,
         mentioned: frozenset[str] = frozenset()) -> list[Focus]:
    """The points to write, most telling first: one per chosen hunk, a hunk of another file
    or function preferred to a second one of the same. A hunk's names that the commit
    messages use (``mentioned``, see :func:`tilgen.note.ranking.message_words`) come first:
    "Support the alias of Git style sub-command" makes `command._alias` the name to open
    with, not `undefined`."""
    scored = []
    files: list[FileChange] = []
    for f, _h in hunks:
        if not files or files[-1] is not f:
            files.append(f)
    successors: dict[str, str] = {}
    moves = evidence.moves([(f.path, f.hunks) for f in files])
    at = {id(h): (fi, hi) for fi, f in enumerate(files) for hi, h in enumerate(f.hunks)}
    for i, (f, h) in enumerate(hunks, start=1):
        moved = moves.get(at.get(id(h), (-1, -1)), "")
        went = _MOVED.match(moved)
        move = None
        if went:  # "moved to src/lib.rs: `Chain`": from here to there, or there to here
            move = (f.path, went.group(2)) if went.group(1) == "to" else (went.group(2), f.path)
            taken = re.findall(r"`([^`]+)`", went.group(3))
        code = f.language not in evidence.PROSE_LANGUAGES
        new, gone = evidence.name_changes(h) if code else ([], [])
        swaps = pairs.replacements(h) if code else []
        for was, now in swaps:  # `stripColor(str)` became `stripVTControlCharacters(str)`
            successors.setdefault(was, now)
        where = declarations.scope(h)
        name = scope_name(where) if code else ""
        names = [w for pair in swaps[:1] for w in pair] + new + gone
        names += [w for pair in swaps[1:] for w in pair]
        if not names and code:  # a changed value: the names on its lines
            names = evidence.changed_names(h)[:MAX_NAMES]
        names = list(dict.fromkeys(names + ([name] if name else [])))
        tests: set[str] = set()
        if not swaps:  # a test it adds, then the telling names: `SetInterspersed` before `args`
            tests = set(declarations.tests([ln[1:] for ln in h.lines
                                            if ln.startswith("+")])) if code else set()
            imported = evidence.imported_only(h) if code else set()
            names.sort(key=lambda w: (w not in tests, w in imported,
                                      -sum(p in mentioned for p in name_parts(w)), not telling(w)))
        signature = signature_change(h) if code else None
        if signature:  # a function's declaration changed: it says how, not the names it swapped
            swaps, names = [], [signature[0], *(n for n in names if n != signature[0])]
        removed = code and bool(gone) and not swaps and not moved and not any(
            ln.startswith("+") for ln in evidence.realigned(h.lines))
        if removed:  # what was declared there first (an override's method), then the rest
            taken = declarations.declared([ln[1:] for ln in h.lines if ln.startswith("-")])
            names = list(dict.fromkeys(taken + sorted(gone, key=lambda w: not telling(w))))
        if move:  # what moved opens the point
            names = list(dict.fromkeys([*taken, *names]))
        changed = declarations.modifier_changes(h) if code and not swaps else []
        modifier = changed[0] if changed else None
        if modifier:
            names = [modifier[0], *(n for n in names if n != modifier[0])]
        comment = (comment_change(h) if code and not (swaps or removed or moved or modifier)
                   else None)
        if comment and not (comment[0] or name):
            comment = None
        if comment:  # the declaration the comment documents opens the point
            comment = (comment[0] or name, *comment[1:])
            names = list(dict.fromkeys([comment[0], *([name] if name else [])]))
        lines = (small_change(h) if code and not (removed or moved or modifier or comment)
                 else None)
        if swaps and lines and sum(1 for ln in evidence.realigned(h.lines) if ln[:1] == "+"
                                   and ln[1:].strip()) != 1:
            lines = None  # a swap is shown in its line, when it is one line
        lines = signature[1:] if signature else lines
        values = value_swap(*lines) if lines and lines[0] and not swaps else None
        shows, stays = removed_line(h) if removed else ("", "")
        checks = instead = ""
        then = None
        if not code:  # a changelog's or README's words say what changed
            shows = prose_text(h)
        if code and not (removed or swaps or moved or modifier or comment or lines):
            shows = richest_line(h, names[:MAX_NAMES])
            if names and names[0] in tests:
                runs, checks = test_lines(h, names[0])
                shows = runs if checks else shows
                then = next(iter(test_checks(h, names[0])[1:]), None) if checks else None
            # code, not a comment block's prose: `copy(out, val)` where `for … {` was
            instead = (first_removed(h, shows) if shows and not checks and _CODE.search(shows)
                       else "")
            if instead and names and names[0] == name:  # the function it is in opens it
                # no more: told "about `Replace`, `copy`", the 1.5B wrote `Replace` was removed
                names = [*names[1:], name]
        focus = Focus(i, tuple(names[:MAX_NAMES]), swaps[0] if swaps else values,
                      where[:60] if name else "", removed, moved, move, modifier, lines,
                      comment, shows, stays=stays, checks=checks, then=then,
                      besides=added_besides(h, swaps) if swaps and not lines else "",
                      instead=instead, before=pairs.swapped_line(h, *swaps[0]) if swaps else "",
                      keyed=pairs.keyed_literal(h) if f.language == "Go" else None,
                      reformat=pairs.reformatted(h) if code else ())
        # `f.NoInterspersed` -> `f.SetInterspersed` is the swap `NoInterspersed` made once more
        place = (("swap", *(re.split(r"[.:]", w)[-1].lower() for w in swaps[0])) if swaps
                 else ("modifier", modifier[0]) if modifier else (f.path, name))
        scored.append((hunk_score(f, h, swaps, new, gone, name) + 3.0 * bool(modifier), i, focus,
                       place))
    scored = [s for s in scored if s[0] > 0]
    # a function removed here and replaced in its calls there: the removal says by what
    # (told only "REMOVED `stripColor`", the 1.5B wrote that the hand-written one is used)
    scored = [(sc, i, replace(focus, successor=successors[focus.names[0]])
               if focus.removed and focus.names and focus.names[0] in successors else focus, p)
              for sc, i, focus, p in scored]
    # a declaration made private: what the calls it can no longer take became
    scored = [(sc, i, replace(focus, successor=next(
        (s[1] for f, h in hunks if h is not hunks[focus.hunk - 1][1] and pairs.calls_gone(
            h, focus.modifier[0]) for s in pairs.replacements(h)[:1]), ""))
               if focus.modifier and focus.modifier[2] in _HIDDEN else focus, p)
              for sc, i, focus, p in scored]
    scored.sort(key=lambda s: (-s[0], s[1]))
    # one removal made in several files (an override each subclass had) is one point
    removals: dict[tuple[str, ...], set[str]] = {}
    for _s, _i, focus, _p in scored:
        if focus.removed:
            removals.setdefault(focus.names, set()).add(hunks[focus.hunk - 1][0].path)
    scored = [(sc, i, replace(focus, also=len(removals[focus.names]) - 1)
               if focus.removed else focus, place) for sc, i, focus, place in scored]
    chosen: list[Focus] = []
    places: set[tuple[str, ...]] = set()
    named: set[str] = set()
    later: list[tuple[Focus, tuple[str, ...]]] = []
    for _s, _i, focus, place in scored:  # first pass: one per swap, file and function
        if place[0] == "swap" and place in places and focus.swap:
            # the same swap again, in another function: a point about that function, if room
            name = scope_name(focus.scope)
            if name:
                later.append((Focus(focus.hunk, (name, *(n for n in focus.names if n not in
                                                         focus.swap and n != name)),
                                    None, focus.scope,
                                    lines=small_change(hunks[focus.hunk - 1][1])),
                              (focus.scope, name)))
            continue
        # a declaration's new modifiers are news even where its name was said already
        # (`ErrorImpl` is now `pub(crate)`, beside the struct that moved and holds it)
        if (place not in places and len(chosen) < limit
                and not (focus.names and set(focus.names) <= named and not focus.modifier)):
            chosen.append(focus)
            places.add(place)
            named |= set(focus.names)
    for focus, place in later:
        if len(chosen) < limit and place not in places and focus.names[0] not in named:
            chosen.append(focus)
            places.add(place)
            named |= set(focus.names)
    for _s, _i, focus, _place in scored:  # then the rest, if room is left
        if (focus not in chosen and len(chosen) < min(limit, 2) and not (
                focus.removed and any(c.removed and c.names == focus.names for c in chosen))):
            chosen.append(focus)
    swap = chosen[0].swap if len(chosen) == 1 else None
    if swap and len(chosen[0].names) > 2:
        # one hunk: a second point about what else it names, besides the swap
        first = chosen[0]
        chosen.append(Focus(first.hunk, tuple(n for n in first.names if n not in swap),
                            None, first.scope))
    strong = [c for c in chosen if c.names or c.shows]  # a quoted text is no vague point
    chosen = chosen if len(strong) < 2 else strong
    weak = {f.hunk for s, _i, f, _p in scored if s < 1  # imports, comments, prose unquoted
            and not (f.shows and not f.names)}
    kept = [c for c in chosen if c.hunk not in weak]
    return kept if len(chosen) > 2 and len(kept) >= 2 else chosen
