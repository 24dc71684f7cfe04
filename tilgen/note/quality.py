"""Machine-checkable quality measures of a note against the patch it came from."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from tilgen.git.changes import FileChange
from tilgen.note import checks
from tilgen.note.schema import FENCE, KO_KEYWORD, bullets, hangul_share, prose

_INLINE = re.compile(r"`([^`\n]+)`")
_FILE_LIKE = re.compile(
    r"\b[\w./-]+\.(?:py|go|rs|js|ts|tsx|jsx|java|kt|rb|c|h|cpp|md|json|ya?ml|toml)\b")


@dataclass
class Scores:
    title_date: bool
    heading: bool
    bullets_period: bool
    keywords_ok: bool
    korean_share: float
    snippet_lines: int
    grounded_lines: int
    names: int
    grounded_names: int
    repeated: bool
    chars: int

    @property
    def format_ok(self) -> bool:
        return self.title_date and self.heading and self.bullets_period and self.keywords_ok

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "format_ok": self.format_ok}


def patch_lines(files: list[FileChange]) -> set[str]:
    out: set[str] = set()
    for f in files:
        for h in f.hunks:
            for line in h.lines:
                if line[:1] in " +-" and line[1:].strip():
                    out.add(line[1:].strip())
    return out


_FENCE_LANG_BODY = re.compile(r"```([^\n]*)\n(.*?)```", re.S)


def patch_text(files: list[FileChange]) -> str:
    return "\n".join([f.path for f in files] + [h.text() for f in files for h in f.hunks])


def score(note: dict[str, Any], *, date: str, files: list[FileChange]) -> Scores:
    content = note.get("content", "")
    lines = patch_lines(files)
    text = patch_text(files)
    # A ```diff block (removed code shown as removed) is grounded by its lines' contents.
    code = [(ln[1:] if lang == "diff" and ln[:1] in "+- " else ln).strip()
            for lang, block in _FENCE_LANG_BODY.findall(content) for ln in block.splitlines()
            if ln.strip()]
    names = {m for m in _INLINE.findall(FENCE.sub("", content))}
    names |= set(_FILE_LIKE.findall(prose(content)))
    grounded_names = sum(1 for n in names if _name_in(n, text))
    items = bullets(content)
    sentences = [s.strip() for s in re.split(r"(?<=[.!?다])\s+", prose(content))
                 if len(s.strip()) > 12]
    kws = note.get("keywords") or []
    return Scores(
        title_date=str(note.get("title", "")).startswith(f"{date} TIL - "),
        heading=content.lstrip().startswith(f"# {date} TIL"),
        bullets_period=bool(items) and all(b.endswith(".") for b in items),
        keywords_ok=1 <= len(kws) <= 3 and all(re.match(KO_KEYWORD, k) for k in kws),
        korean_share=round(hangul_share(content), 3),
        snippet_lines=len(code),
        grounded_lines=sum(1 for ln in code if ln in lines or any(ln in p for p in lines)),
        names=len(names),
        grounded_names=grounded_names,
        repeated=len(set(items)) != len(items) or len(set(sentences)) != len(sentences)
        or checks.looping(prose(content)),
        chars=len(content),
    )


def _name_in(name: str, text: str) -> bool:
    if name in text:
        return True
    if _FILE_LIKE.fullmatch(name):  # a file is named by its path or its base name, not ".py"
        return name.rsplit("/", 1)[-1] in text
    # `Flag.Shorthand`, `f.SetInterspersed()`: accept when the last identifier is present.
    parts = [p for p in re.split(r"[^\w$]+", name) if p]
    return bool(parts) and all(p in text for p in parts[-1:])
