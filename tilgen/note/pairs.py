"""Which removed and added lines of a hunk are the same line edited, and the names an edit
swapped for others: the direction of a change (``Replace(`` -> ``ReplaceAll(``), read from
the lines themselves, not from what a model makes of the ``-`` and ``+`` prefixes."""

from __future__ import annotations

import ast
import difflib
import functools
import re
from collections.abc import Iterator

from tilgen.git.changes import Hunk
from tilgen.secrets.scan import PLACEHOLDER_RE

_WORD = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*(?:[.:][A-Za-z_$][A-Za-z0-9_$]*)*")
# Words every language shares; naming them as "added" or "removed" says nothing.
_COMMON = frozenset("""
a an and as async await be bool boolean break byte case catch char class const continue def
default defer del do double elif else enum err error except export extends false final finally
float fn for from func function go if impl import in int interface is it let long loop match
mod mut new nil none not null crate of or package pass pub private protected public raise return
self self.assert short static str string struct super switch the this throw throws to true try
type typeof u8 u32 u64 usize use var void while with yield
""".split())
_COMMENT = re.compile(r"^\s*(//|#(?![\[!])|/\*|\*|--|;)")

MAX_SWAPS = 4
MAX_PAIRS = 200  # edited line pairs read per hunk: a rewrite of thousands says no more


def replacements(hunk: Hunk) -> list[tuple[str, str]]:
    """``(old, new)`` identifier pairs where a removed line became a similar added line with
    one name swapped for another (``Replace(`` -> ``ReplaceAll(``, ``NoInterspersed()`` ->
    ``SetInterspersed(interspersed bool)``): the direction of a change, stated once."""
    return list(_replacements(tuple(hunk.lines)))


@functools.lru_cache(maxsize=1024)
def _replacements(lines: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    out: dict[tuple[str, str], None] = {}
    pairs_seen = 0
    for removed, added in _blocks(list(lines)):
        # a name the removed lines had already is no new name: `requireSubsetOf` did not
        # become `requireExactlyOneOf` where both were declared before and one stays
        before = {w for ln in removed if not _COMMENT.match(ln)
                  for w in _words(re.sub(r"\s(//|#)\s.*$", "", ln))}
        for old_line, new_line in _pairs(removed, added):
            pairs_seen += 1
            if len(out) >= MAX_SWAPS or pairs_seen > MAX_PAIRS:  # enough to state a direction
                return tuple(out)[:MAX_SWAPS]
            old_words, new_words = _words(old_line), _words(new_line)
            ops = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
            for tag, i1, i2, j1, j2 in ops.get_opcodes():
                if tag != "replace":
                    continue
                # the same number of words swapped pair up in order; else the first ones
                pairs = (list(zip(old_words[i1:i2], new_words[j1:j2], strict=True))
                         if i2 - i1 == j2 - j1 else [(old_words[i1], new_words[j1])])
                for old, new in pairs:
                    if (old.lower() not in _COMMON and new.lower() not in _COMMON
                            and len(old) >= 3 and len(new) >= 3 and new not in before):
                        out.setdefault((old, new), None)
    return tuple(out)[:MAX_SWAPS]


def _words(line: str) -> list[str]:
    line = re.sub(r"(\"[^\"]*\"|'[^']*')", " ", line)
    return _WORD.findall(line)


def _runs(lines: list[str]) -> Iterator[str | tuple[list[str], list[str]]]:
    """A hunk's lines in order: each context line as it is, each run of changed lines as
    ``(removed, added)`` (markers kept), a removed line after added ones starting a new run."""
    removed: list[str] = []
    added: list[str] = []
    for line in lines:
        if line.startswith("-") and added or not line.startswith(("-", "+")):
            if removed or added:
                yield removed, added
                removed, added = [], []
        if line.startswith("-"):
            removed.append(line)
        elif line.startswith("+"):
            added.append(line)
        else:
            yield line
    if removed or added:
        yield removed, added


def _blocks(lines: list[str]) -> list[tuple[list[str], list[str]]]:
    """Each run of removed lines directly followed by added ones, markers stripped."""
    return [([ln[1:] for ln in run[0]], [ln[1:] for ln in run[1]])
            for run in _runs(lines) if not isinstance(run, str) and run[0] and run[1]]


def _pairs(removed: list[str], added: list[str]) -> Iterator[tuple[str, str]]:
    """Removed and added lines that are the same line edited (similar enough), in order."""
    start = 0
    for old in removed:
        if _COMMENT.match(old) or not old.strip():
            continue
        for j in range(start, min(len(added), start + 6)):
            match = difflib.SequenceMatcher(a=old.strip(), b=added[j].strip())
            if match.real_quick_ratio() >= 0.6 and match.quick_ratio() >= 0.6 \
                    and match.ratio() >= 0.6:
                yield old, added[j]
                start = j + 1
                break


def swapped_line(hunk: Hunk, old: str, new: str) -> str:
    """The removed line in which ``old`` became ``new`` (`r = r + strings.Replace(l, …, -1)`),
    "" for none or where the line differs by nothing else (`return json.loads(payload)`): the
    added line is the snippet's, and what more it was is said nowhere else."""
    for removed, added in _blocks(list(hunk.lines)):
        for was, now in _pairs(removed, added):
            if old in _words(was) and new in _words(now):
                same = re.sub(r"\s+", "", was.replace(old, new)) == re.sub(r"\s+", "", now)
                return "" if same else " ".join(was.split())
    return ""


def calls_gone(hunk: Hunk, name: str) -> bool:
    """Whether ``hunk`` removes a call of ``name`` and adds none (`emitLastEnumValue("BAZ")`)."""
    call = re.compile(rf"(?<![\w$]){re.escape(name)}\s*\(")
    return (any(call.search(ln) for ln in hunk.lines if ln.startswith("-"))
            and not any(call.search(ln) for ln in hunk.lines if ln.startswith("+")))


_LITERAL = re.compile(r"&?([A-Z]\w*)\{(.*)\}\s*$")  # `&Flag{name, shorthand, usage}`
_KEYED = re.compile(r"\s*(\w+):\s+(.*?),?\s*$")  # `Name:      name,`


def _items(inside: str) -> list[str]:
    """A literal's values, split at its top-level commas."""
    items, depth, item = [], 0, ""
    for ch in inside:
        depth += (ch in "([{") - (ch in ")]}")
        if ch == "," and depth == 0:
            items.append(item.strip())
            item = ""
        else:
            item += ch
    return [i for i in [*items, item.strip()] if i]


def keyed_literal(hunk: Hunk) -> tuple[str, tuple[str, ...], tuple[str, ...]] | None:
    """``(type, fields, dropped values)`` where a Go struct literal that listed its values
    in field order (`&Flag{name, shorthand, usage, value, value.String(), false, …}`) now
    names each field (`Name: name,` …): a literal that no longer breaks when the struct
    gains or reorders a field. None for none."""
    for removed, added in _blocks(list(hunk.lines)):
        for old in removed:
            found = _LITERAL.search(old)
            values = _items(found.group(2)) if found else []
            if not found or len(values) < 3 or any(_KEYED.match(v) for v in values):
                continue
            opens = [i for i, ln in enumerate(added) if ln.rstrip().endswith(f"{found.group(1)}{{")]
            keyed = [m for ln in added[opens[0] + 1:] if (m := _KEYED.match(ln))] if opens else []
            if len(keyed) >= 2:
                kept = {m.group(2) for m in keyed}
                return (found.group(1), tuple(m.group(1) for m in keyed),
                        tuple(v for v in values if v not in kept))
    return None


_TOKEN = re.compile(r"""(?P<s>(?<![\w.])[rRbBuU]{0,2}(?:"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'))"""
                    r"|(?P<w>\w+)|(?P<p>\S)")


def _tokens(lines: list[str]) -> tuple[list[tuple[str, str]], set[str]] | None:
    """``lines``' tokens, a string as its value (adjacent strings joined, as Python does), a
    comma before a closing bracket and parentheses around one string left out; and which of
    those it took. None where a string's value cannot be read (an f-string)."""
    out: list[tuple[str, str]] = []
    took: set[str] = set()
    for m in _TOKEN.finditer("\n".join(lines)):
        if m.group("s"):
            try:
                value = ast.literal_eval(m.group("s"))
            except (ValueError, SyntaxError):
                return None
            value = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            if out and out[-1][0] == "S":
                out[-1] = ("S", out[-1][1] + value)
                took.add("split")
            else:
                out.append(("S", value))
        else:
            out.append(("T", m.group(0)))
    kept: list[tuple[str, str]] = []
    for i, tok in enumerate(out):
        if (tok == ("T", ",") and i + 1 < len(out) and out[i + 1][1] in (")", "]", "}")
                and not _one_tuple(out, i)):
            took.add("comma")
            continue
        kept.append(tok)
    for i in range(len(kept) - 2, 0, -1):  # `== ("a" "b")`: the parentheses only wrap
        if (kept[i - 1] == ("T", "(") and kept[i][0] == "S" and kept[i + 1] == ("T", ")")
                and (i < 2 or not _calls(kept[i - 2][1]))):
            kept[i - 1:i + 2] = [kept[i]]
            took.add("parens")
    return kept, took


def _commas(lines: list[str]) -> int:
    return sum(m.group(0) == "," for m in _TOKEN.finditer("\n".join(lines)))


def _one_tuple(tokens: list[tuple[str, str]], comma: int) -> bool:
    """Whether the comma at ``comma`` makes a parenthesised group a tuple (`("a",)`), which
    without it is the value itself; a call's trailing comma (`f(a,)`) changes nothing."""
    if tokens[comma + 1][1] != ")":
        return False
    depth = 0
    for j in range(comma, -1, -1):
        depth += (tokens[j][1] in (")", "]", "}")) - (tokens[j][1] in ("(", "[", "{"))
        if depth < 0:  # the group's `(`: a call's when a name or a closing bracket leads it
            return j == 0 or not _calls(tokens[j - 1][1])
    return True


# words before a `(` that opens a group, not a call: `return ("a",)` returns a tuple
_KEYWORDS = frozenset("and assert await case elif else if in is not or return throw typeof "
                      "while yield".split())


def _calls(before: str) -> bool:
    """Whether a `(` after the token ``before`` opens a call (`f(`, `x[0](`)."""
    return bool(re.match(r"\w|[)\]]", before)) and before not in _KEYWORDS


def reformatted(hunk: Hunk) -> tuple[str, ...]:
    """How a hunk that changes no code's meaning reformats it ("quotes", "comma" for a
    trailing comma, "wrap" for line breaks, "escapes" for a quote no longer escaped), () for
    a hunk that changes code: Black's or Prettier's work, which a small model reads as new
    values ("`secret_key`는 새로운 값으로 대체되었습니다")."""
    if not any(ln.startswith("-") for ln in hunk.lines) or not any(
            ln.startswith("+") for ln in hunk.lines):
        return ()
    # the hunk before and after, context included: a trailing comma is one before a `)`
    removed = [ln[1:] for ln in hunk.lines if not ln.startswith("+")]
    added = [ln[1:] for ln in hunk.lines if not ln.startswith("-")]
    old, new = _tokens(removed), _tokens(added)
    if not (old and new) or removed == added:
        return ()
    kinds = {"comma"} if _commas(removed) != _commas(added) else set()
    if len(old[0]) != len(new[0]):
        return ()
    for (kind, was), (_k, now) in zip(old[0], new[0], strict=True):
        if kind != _k or was == now:
            continue
        if kind == "S" and _unescaped(was) == _unescaped(now):
            kinds.add("escapes")
        elif kind == "S" and _hidden(was, now):  # a redacted secret stands for its part
            kinds.add("hidden")
        else:
            return ()
    quoted = [[m.group(0)[-1] for m in _TOKEN.finditer("\n".join(side)) if m.group("s")]
              for side in (removed, added)]
    if quoted[0] != quoted[1]:
        kinds.add("quotes")
    if len(removed) != len(added) or (old[1] ^ new[1]) & {"split", "parens"}:
        kinds.add("wrap")
    return tuple(k for k in ("quotes", "escapes", "comma", "wrap", "hidden") if k in kinds)


def _unescaped(value: str) -> str:
    return value.replace('\\"', '"').replace("\\'", "'")


def _hidden(was: str, now: str) -> bool:
    """Whether two strings are the same but for parts redaction hid in one of them."""
    for marked, plain in ((was, now), (now, was)):
        parts = PLACEHOLDER_RE.split(marked)
        if len(parts) > 1 and not PLACEHOLDER_RE.search(plain) and re.fullmatch(
                ".+".join(map(re.escape, parts)), plain, re.S):
            return True
    return False
