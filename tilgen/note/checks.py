"""What a reader checks in a note's text: invented numbers, vacuous and meta bullets, and
snippets that carry nothing. Pure functions of the note, the patch and the commit messages."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import PurePosixPath
from typing import Any

from tilgen.git.changes import FileChange
from tilgen.note.schema import FENCE, HEADING, INLINE_CODE

_FENCE_BODY = re.compile(r"```([^\n]*)\n(.*?)```", re.S)
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
# ASCII edges: "12월" and "30초" are numbers, `utf8` and `v2` are not.
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])\d[\d,]*(?:\.\d+)?(?![A-Za-z0-9_])")
_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")  # ASCII: "`f`는" names f
_WORD = re.compile(r"[A-Za-z]{4,}")
# Header lines of `git show` / `git format-patch` that are no evidence for a number: a piece
# of the hash or the date turned into "204번 커밋" is invented.
_HEADER = re.compile(r"^(commit [0-9a-f]{7,}|From [0-9a-f]{7,}|(Author|AuthorDate|Commit|CommitDate"
                     r"|Date|Merge|Signed-off-by|Co-authored-by|Reviewed-by):)", re.I)
# Words that are in every patch and name nothing of this change.
_GENERIC = {
    "the", "and", "for", "with", "this", "that", "from", "into", "not", "are", "was", "has",
    "have", "use", "def", "func", "function", "class", "public", "private", "protected",
    "static", "const", "let", "var", "new", "self", "return", "import", "package", "true",
    "false", "null", "nil", "none", "void", "int", "string", "str", "type", "fix", "add",
    "adds", "added", "update", "updated", "change", "changes", "changed", "remove", "removed",
    "make", "code", "file", "files", "test", "tests",
}


@dataclass
class Checks:
    bullets: int
    invented_numbers: list[str]
    vacuous_bullets: int
    meta_bullets: int
    snippets: int
    boilerplate_snippets: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def note_units(content: str) -> list[str]:
    """The bullets of a note: each list item (with its continuation lines) and each other
    non-empty line of prose, fenced code and the ``# date TIL`` heading left out."""
    units: list[str] = []
    in_item = False
    for line in HEADING.sub("", FENCE.sub("\n", content)).splitlines():
        if not line.strip():
            in_item = False
            continue
        if _ITEM.match(line):
            units.append(_ITEM.sub("", line).strip())
            in_item = True
        elif in_item and line[:1].isspace():
            units[-1] += " " + line.strip()
        else:
            units.append(line.strip().lstrip("#").strip())
            in_item = False
    return [u for u in units if u]


def message_text(patch: str) -> str:
    """The commit messages in a patch (what precedes its first ``diff --git``), header
    lines (hash, author, dates) left out."""
    head = patch.split("\ndiff --git ", 1)[0] if not patch.startswith("diff --git ") else ""
    return "\n".join(ln for ln in head.splitlines() if not _HEADER.match(ln.strip()))


def evidence_text(files: list[FileChange], messages: str) -> str:
    """Where a number or a name in the note may come from: paths, each file's counts of
    added and removed lines (the prompt shows them), hunk lines (and the function named in
    a hunk header, not its line numbers), commit messages."""
    parts = [messages]
    for f in files:
        parts += [f.path, f.old_path or "", f"+{f.added} -{f.removed}"]
        for h in f.hunks:
            parts.append(h.header.split("@@", 2)[-1])
            parts += [ln[1:] for ln in h.lines]
    return "\n".join(parts)


def _norm_number(n: str) -> str:
    return n.replace(",", "").rstrip(".")


def invented_numbers(content: str, evidence: str) -> list[str]:
    """Numbers of two or more digits in the prose (code left out) found nowhere in the
    evidence, e.g. a PR number or a piece of the hash told as "204번 커밋"."""
    prose = INLINE_CODE.sub(" ", HEADING.sub(" ", FENCE.sub(" ", content)))
    known = {_norm_number(n) for n in _NUMBER.findall(evidence)}
    out = []
    for raw in _NUMBER.findall(prose):
        n = _norm_number(raw)
        if sum(c.isdigit() for c in n) >= 2 and n not in known and n not in out:
            out.append(n)
    return out


def change_terms(files: list[FileChange], messages: str) -> set[str]:
    """Lower-cased identifiers of the added and removed lines and of hunk headers (the
    function whose body changed), file names and stems, and commit message words of four
    letters or more."""
    terms: set[str] = set()
    for f in files:
        for path in filter(None, (f.path, f.old_path)):
            name = PurePosixPath(path).name
            terms |= {name.lower(), name.split(".")[0].lower()}
        for h in f.hunks:
            # the added and removed lines, and the function or class a hunk header names
            changed = [ln[1:] for ln in h.lines if ln[:1] in "+-"] + [h.header.split("@@", 2)[-1]]
            for line in changed:
                terms |= {t.lower() for t in _IDENT.findall(line) if len(t) >= 3}
    terms |= {w.lower() for w in _WORD.findall(messages)}
    return {t for t in terms if t and t not in _GENERIC}


def vacuous(unit: str, terms: set[str]) -> bool:
    """A bullet that names no identifier, file or term of the change."""
    words = {t.lower() for t in _IDENT.findall(unit.replace("`", " "))}
    words |= {w.lower() for w in re.findall(r"[\w.-]+\.\w+", unit)}
    return not (words & terms)


# About the commit, the day or the project rather than the code, each with the English
# words that make it no meta when the change itself is about them (a hook that runs
# after a commit may well say "커밋"). Read against real notes (docs/QUALITY.md).
META: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (re.compile(r"커밋"), ("commit",)),
    (re.compile(r"(이|이번|해당|본|우리)\s*(프로젝트|저장소|리포지토리|레포지토리|레포)"
                r"|(프로젝트|저장소|리포지토리|레포지토리)(에서|에|의|를|을|는|가)"),
     ("repo", "project")),
    (re.compile(r"\d{1,2}\s*월\s*\d{1,2}\s*일|\d{4}\s*년|\d{4}-\d{2}-\d{2}"), ()),
    (re.compile(r"(^|\s)(오늘|어제|이번 주|금일)"), ()),
    (re.compile(r"(변경\s*사항|변경\s*내용|변경점|수정\s*사항)(을|를|이|들을)?\s*"
                r"(추가|반영|적용|포함|작성|제작|정리|업데이트|진행)"), ()),
    (re.compile(r"(파일|코드)(을|를)\s*(추가|수정|변경|업데이트|삭제|제작|작성)"
                r"(했|하였|되었|됐)"), ()),
    (re.compile(r"풀\s*리퀘스트|pull request|(^|[^A-Za-z])PR([^A-Za-z]|$)"
                r"|(머지|병합)(했|하였|되었|됐)", re.I), ("merge", "pull")),
    (re.compile(r"작성자|기여자|커미터|개발자(가|들이|는)\s*(추가|수정|변경)"), ()),
    (re.compile(r"(릴리스|릴리즈|출시)(했|하였|되었|됐|합니다)"), ("release",)),
    (re.compile(r"TIL|오늘 배운|배웠|배운 점|이 노트|이번 노트"), ()),
    # the prompt's own description of a hunk read back: "18 - 16:", "5 줄 추가", "새로운 이름:"
    (re.compile(r"^\d+\s*-\s*\d+\s*:|\d+\s*줄(이|을|를)?\s*(추가|삭제|제거|변경)"
                r"|새로운 이름\s*(:|은|는|으로)"), ()),
]


def is_meta(unit: str, evidence: str = "") -> bool:
    """A bullet about the commit, the date or the project rather than the code."""
    return meta_phrase(unit, evidence) is not None


def meta_phrase(unit: str, evidence: str = "") -> str | None:
    """The words that make ``unit`` a meta bullet ("프로젝트의", "커밋"), or None."""
    text = INLINE_CODE.sub(" ", unit)
    low = evidence.lower()
    for pattern, english in META:
        found = pattern.search(text)
        if found and not any(w in low for w in english):
            return found.group(0).strip()
    return None


# An import, package or module line of a language tilgen knows (render.py skips them too)
IMPORT_LINE = re.compile(
    r"^(import\b|from\s+\S+\s+import\b|package\s+[\w.]+;?$|use\s+[\w:{}, *]+;?$|extern crate\b"
    r"|(pub\s+)?mod\s+\w+;$|#include\b|using\s+[\w.]+;$|(const|let|var)\s+[\w{}, ]+=\s*require\("
    r"|require\(|export\s+\*\s+from\b|(\w+\s+|_\s+|\.\s+)?\"[\w./@-]+\"$)")
_BOILER = re.compile(r"^(//|/\*|\*|#(?!\[)|--|[(){}\[\];,]+$)")


def import_line(line: str) -> bool:
    return bool(IMPORT_LINE.match(line.strip()))


def boilerplate(block: str) -> bool:
    """A code block made only of imports, package lines, blank lines and comments."""
    lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
    in_block = False
    for ln in lines:
        if in_block:
            if ln.startswith((")", "}")):
                in_block = False
            continue
        if not (_BOILER.match(ln) or IMPORT_LINE.match(ln)):
            return False
        if re.match(r"^(import|use)\b.*[({]$", ln):
            in_block = True  # `import (` … `)`, `use x::{` … `};`
    return True


def check(content: str, *, files: list[FileChange], messages: str = "") -> Checks:
    evidence = evidence_text(files, messages)
    terms = change_terms(files, messages)
    units = note_units(content)
    # a ```diff block shows removed and added lines: its code is what follows the marker
    blocks = ["\n".join(ln[1:] if ln[:1] in "+- " else ln for ln in body.splitlines())
              if lang.strip() == "diff" else body for lang, body in _FENCE_BODY.findall(content)]
    return Checks(
        bullets=len(units),
        invented_numbers=invented_numbers(content, evidence),
        vacuous_bullets=sum(1 for u in units if vacuous(u, terms)),
        meta_bullets=sum(1 for u in units if is_meta(u, evidence)),
        snippets=len(blocks),
        boilerplate_snippets=sum(1 for b in blocks if boilerplate(b)),
    )


def looping(text: str) -> bool:
    """A piece of 24+ characters three times or more: a decoding loop ("`parseArgs`),
    `interspersed`), `parseArgs`), `interspersed`), …")."""
    compact = " ".join(text.split())
    return any(compact.count(compact[i:i + 24]) >= 3 for i in range(0, len(compact) - 24, 12))
