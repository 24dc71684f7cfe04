"""What of a hunk's code the plan quotes: a small change as its code (`` `if f.noInterspersed {`
became `if !f.interspersed {` ``), and the words a comment changed (`` `SHA-512` became
`SHA1` ``), which say more than the names around them."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from tilgen.git.changes import Hunk
from tilgen.note import declarations, evidence, pairs
from tilgen.note.checks import import_line

SMALL = 3  # changed lines on a side, at most, for a change shown as its code
LINE_CHARS = 70


def small_change(hunk: Hunk) -> tuple[str, str] | None:
    """``(removed, added)`` code of a change small enough to quote in the plan (the removed
    side "" when it only adds): comment and blank lines left out, each side joined on one
    line; None when a side is longer than SMALL lines or LINE_CHARS characters."""
    sides: dict[str, list[str]] = {"-": [], "+": []}
    for ln in evidence.realigned(hunk.lines):
        code = ln[1:].strip()
        if ln[:1] in sides and code and not pairs._COMMENT.match(code) and "`" not in code:
            sides[ln[:1]].append(code)
    old, new = " ".join(sides["-"]), " ".join(sides["+"])
    if (not new or len(sides["-"]) > SMALL or len(sides["+"]) > SMALL
            or len(old) > LINE_CHARS or len(new) > LINE_CHARS):
        return None
    return old, new


_DOCUMENTED = re.compile(r"^\s*([A-Za-z_$][\w$.]*)\s*(?::[^=]*)?=(?!=)")
COMMENT_WORDS = 40  # characters of each side, at most
COMMENT_CHANGE = 6  # words of each side, at most


def comment_change(hunk: Hunk) -> tuple[str, str, str] | None:
    """``(name, was, now)`` when a hunk of code changes only comments: the name of the
    declaration below them ("" when the hunk shows none) and the words that changed
    (``SHA-512`` -> ``SHA1``); None when code lines changed too."""
    lines = evidence.realigned(hunk.lines)
    changed = [i for i, ln in enumerate(lines) if ln[:1] in "+-" and ln[1:].strip()]
    if not changed or not all(pairs._COMMENT.match(lines[i][1:]) for i in changed):
        return None
    below = [ln[1:] for ln in lines[changed[-1] + 1:] if ln[:1] in " +" and ln[1:].strip()
             and not pairs._COMMENT.match(ln[1:])]
    assigned = _DOCUMENTED.match(below[0]) if below else None
    on = (assigned.group(1) if assigned else declarations.declared_name(below[0])) if below else ""

    def words(marker: str) -> list[str]:
        return [w for i in changed if lines[i][0] == marker
                for w in pairs._COMMENT.sub("", lines[i][1:], count=1).split()
                if w.strip(",.;:")]

    old, new = words("-"), words("+")
    was: list[str] = []
    now: list[str] = []
    for op, a, b, c, d in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op != "equal":
            was += [w.strip(",.;:") for w in old[a:b]]
            now += [w.strip(",.;:") for w in new[c:d]]
    was = [w for w in was if any(c.isalnum() for c in w)]
    now = [w for w in now if any(c.isalnum() for c in w)]
    was_text, now_text = " ".join(was), " ".join(now)
    # a few words, or it is no word change to quote (a rewritten doc example)
    if (not (was or now) or max(len(was), len(now)) > COMMENT_CHANGE
            or len(was_text) > COMMENT_WORDS or len(now_text) > COMMENT_WORDS
            or "`" in was_text + now_text):
        return None
    return on, was_text, now_text


MAX_SHOWN = 90
_LITERAL = re.compile(r""""([^"`\\]*)"|'([^'`\\]*)'""")


def value_swap(old: str, new: str) -> tuple[str, str] | None:
    """The first string value a small change replaced, as (before, after): `license="BSD"`
    became `license="BSD-3-Clause"` is ("BSD", "BSD-3-Clause"); None when the lines hold
    other strings or the same ones. Told only the two lines, the 1.5B wrote it backwards."""
    before = [a or b for a, b in _LITERAL.findall(old)]
    after = [a or b for a, b in _LITERAL.findall(new)]
    if len(before) != len(after) or _LITERAL.sub("", old) != _LITERAL.sub("", new):
        return None
    for was, now in zip(before, after, strict=True):
        if was != now:
            return (was, now) if was.strip() and now.strip() and len(was) <= 40 \
                and len(now) <= 40 else None
    return None



def removed_line(hunk: Hunk) -> tuple[str, str]:
    """The first declaration a hunk that only removes code took away, as written
    (`@Override public ArrayTypeName annotated(AnnotationSpec... annotations) {`): its
    parameters say which of several methods of that name went; and that name where another
    definition of it stays in the hunk (`#[cfg(doc)]` and `#[cfg(not(doc))]` copies of one
    macro, one removed), "" otherwise."""
    for at, ln in enumerate(hunk.lines):
        if ln.startswith("-") and declarations.opens(ln[1:]):
            line = ln[1:].strip()
            before = [b[1:].strip() for b in hunk.lines[max(at - 2, 0):at]
                      if b.startswith("-") and re.match(r"^\s*(#\[|@)", b[1:])]
            name = declarations.declared_name(line)
            kept = [k for k in hunk.lines if not k.startswith("-") and declarations.opens(k[1:])
                    and declarations.declared_name(k[1:]) == name]
            if before and not line.startswith(("#[", "@")):  # `#[cfg(doc)]` says which one
                line = " ".join([*before, line])
            if len(line) > MAX_SHOWN or "`" in line:
                return "", ""
            return line, name if kept else ""
    return "", ""


def signature_change(hunk: Hunk) -> tuple[str, str, str] | None:
    """``(name, was, now)`` where a function keeps its name and its declaration changed (its
    parameters, its return type): `requireExactlyOneOf(Set<Modifier> set, Set<Modifier>
    modifiers)` became `requireExactlyOneOf(Set<Modifier> modifiers, Modifier...
    mutuallyExclusive)`, which says more than the parameter names it swapped."""
    was: dict[str, str] = {}
    for ln in hunk.lines:
        line = ln[1:].strip()
        if ln[:1] not in "+-" or "(" not in line or not declarations.opens(line):
            continue
        name = declarations.declared_name(line)
        if ln.startswith("-"):
            was.setdefault(name, line)
        elif name in was and was[name] != line and "`" not in line + was[name]:
            sides = [was[name], line]
            if all(s.startswith(f"{name}(") or f" {name}(" in s for s in sides):
                # from the name on: `public static void` says nothing
                sides = [s[s.find(f"{name}("):].removesuffix("{").strip() for s in sides]
            if max(map(len, sides)) <= MAX_SHOWN:
                return name, sides[0], sides[1]
    return None


def _quotable(line: str) -> bool:
    """A line of code a plan may quote: not blank, a comment, an import or a bare keyword
    line, and no backtick to break the quote."""
    return bool(line.strip()) and "`" not in line and not pairs._COMMENT.match(line) \
        and not evidence._NO_SCOPE.match(line) and not import_line(line)


def richest_line(hunk: Hunk, names: Sequence[str]) -> str:
    """The added line naming most of ``names`` (the one that says what the hunk does:
    `command = this.commands[this.commands.length - 1]`), or nothing for none."""
    best, most = "", 0
    for ln in hunk.lines:
        line = ln[1:].strip()
        if not ln.startswith("+") or len(line) > MAX_SHOWN or not _quotable(line):
            continue
        count = sum(1 for n in names if re.search(rf"(?<![\w.]){re.escape(n)}(?!\w)", line))
        if count > most:
            best, most = line, count
    return best


# A line that checks a result: assert!, assertEquals, assertThat, expect(…), x.should…, t.Error…
_CHECK = re.compile(r"\b(assert\w*!?|expect|should|t\.(Error|Fatal)\w*)\b|^\s*(self\.)?assert")
_GO_FAIL = re.compile(r"^\s*t\.(Error|Fatal)\w*\(")
_ERR_CHECK = re.compile(r"^\s*if err != nil \{$")  # fails on any error: not what is tested


def test_lines(hunk: Hunk, test: str) -> tuple[str, str]:
    """``(runs, checks)`` of the test ``test`` a hunk adds: its first check
    (`assert next(unsigners).digest_method == hashlib.sha1`; in Go the `if` before its
    `t.Errorf`) and the code line before it that it checks (`unsigners =
    serializer.iter_unsigners()`); "" for either that is not there or too long to quote."""
    found = test_checks(hunk, test, 1)
    return found[0] if found else ("", "")


def test_checks(hunk: Hunk, test: str, limit: int = 2) -> list[tuple[str, str]]:
    """The first ``limit`` checks of the test ``test`` a hunk adds, as :func:`test_lines`
    gives the first (anyhow's `test_convert` checks the message, then, after
    `drop(box_dyn);`, that the error inside was dropped); the quotable ones, in order."""
    added = [ln[1:] for ln in hunk.lines if ln.startswith("+")]
    start = next((i for i, ln in enumerate(added) if declarations.opens(ln)
                  and declarations.declared_name(ln) == test), None)
    if start is None:
        return []
    body = added[start + 1:]

    def quotable(line: str) -> bool:  # whole: no call left open (`assertCode(""` of a
        # text block), no end of a chain (`.build();`)
        return (len(line) >= 8 and len(line) <= MAX_SHOWN and "`" not in line
                and not line.startswith(".") and line.count("(") == line.count(")")
                and not pairs._COMMENT.match(line))

    found: list[tuple[str, str]] = []
    done = 0  # the lines before it belong to the checks found
    for i, ln in enumerate(body):
        if found and declarations.opens(ln) and declarations.declared_name(ln):
            break  # the next test or function: its checks are not this test's
        if not _CHECK.search(ln) or declarations.opens(ln):
            continue
        at = i
        if _GO_FAIL.match(ln) and i and body[i - 1].strip().startswith("if "):
            if _ERR_CHECK.match(body[i - 1]):
                continue
            at = i - 1
        check = body[at].strip()
        runs = next((b.strip() for b in reversed(body[done:at]) if quotable(b.strip())
                     and not (_CHECK.search(b) and not declarations.opens(b))
                     and not _GO_FAIL.match(b) and not _ERR_CHECK.match(b)), "")
        if not found and not quotable(check):
            return []
        if quotable(check):
            found.append((runs, check))
        done = i + 1
        if len(found) == limit:
            break
    return found


PROSE_CHARS = 160


def prose_text(hunk: Hunk) -> str:
    """The longest paragraph a hunk of prose adds (a changelog's "this release was yanked from
    pypi because it changed the default algorithm to SHA-512."), joined on one line, its
    markup dropped, at most PROSE_CHARS characters cut at a word; "" for none."""
    paragraphs: list[list[str]] = [[]]
    for ln in hunk.lines:
        text = ln[1:].strip()
        if ln.startswith("+") and text and not re.fullmatch(r"[-=~^*#]+", text):
            paragraphs[-1].append(re.sub(r"^([-*+]|\d+[.)])\s+", "", text))
        elif paragraphs[-1]:
            paragraphs.append([])
    best = max((" ".join(p) for p in paragraphs), key=len, default="")
    best = re.sub(r":\w+:`?[^`\s]*`?", "", best)  # reST roles: :pr:`240`, :issue:`12`
    best = " ".join(best.replace("*", "").replace("`", "").replace('"', "'").split())
    if len(best.split()) < 4:
        return ""
    if len(best) > PROSE_CHARS:
        best = best[:PROSE_CHARS].rsplit(" ", 1)[0] + " …"
    return best


def added_besides(hunk: Hunk, swaps: Sequence[tuple[str, str]]) -> str:
    """The first line a hunk adds that none of its swaps explains: `interspersed: true,`
    beside `NoInterspersed` becoming `SetInterspersed` (the new field's default, which the
    swap alone leaves out); "" for none. Lines naming a swapped name, or the same as a removed
    line but for spacing, are the swap's own."""
    removed = {re.sub(r"\s+", "", ln[1:]) for ln in hunk.lines if ln.startswith("-")}
    names = [n for pair in swaps for n in pair]
    for ln in hunk.lines:
        line = " ".join(ln[1:].split())
        if (not ln.startswith("+") or len(line) > MAX_SHOWN or not _quotable(line)
                or not re.search(r"\w", line)
                or re.sub(r"\s+", "", ln[1:]) in removed
                or any(re.search(rf"(?<![\w.]){re.escape(n)}(?!\w)", line) for n in names)):
            continue
        return line
    return ""


_COMMON = frozenset("this self return const var let func new for if else true false null nil "
                    "None length len".split())


def _words(line: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z_]\w{2,}", line) if w not in _COMMON}


def first_removed(hunk: Hunk, shows: str) -> str:
    """The first line of code a hunk removes that shares a name with the added line
    ``shows`` (`for i, d := range val {`, where `copy(out, val)` took its place), "" for
    none: what an added line replaced is half its lesson. A removed line sharing nothing
    with it is no replacement (commander 81577a65: told `command = this.commands[…]` came in
    place of `if (0 == arguments.length) return this._alias;`, the 1.5B wrote that
    `command._alias` was removed)."""
    added = {re.sub(r"\s+", "", ln[1:]) for ln in hunk.lines if ln.startswith("+")}
    lines = [" ".join(ln[1:].split()) for ln in hunk.lines if ln.startswith("-")
             and re.sub(r"\s+", "", ln[1:]) not in added]
    lines = [ln for ln in lines if _quotable(ln) and re.search(r"[(=;{\[]", ln)
             and _words(ln) & _words(shows)]
    # a long one is no quote: cut (`flag := &Flag{name, shorthand, …`), the 1.5B wrote that
    # the keyed fields that replaced it used it instead
    return next((line for line in lines if len(line) <= MAX_SHOWN), "")
