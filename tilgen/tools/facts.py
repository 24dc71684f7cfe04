"""Fact checklists of an evaluation corpus (``facts.jsonl``) and how much of them a note covers.

A fact is a list of term groups (``any_of``). It is covered *strictly* when one bullet of
the note contains, case-insensitively, a term of every group; *loosely* when every group
is matched somewhere in the note's prose (fenced code is never searched).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tilgen.errors import TilgenError
from tilgen.note.checks import note_units
from tilgen.note.schema import FENCE

# Language names a note may mention, by canonical name. Latin names are matched as whole
# words; "Go" only with its capital (the verb and identifiers are everywhere).
_B, _E = r"(?<![A-Za-z0-9_.$])", r"(?![A-Za-z0-9_+#])"  # ASCII word edges: "Rust의" names Rust
LANGUAGES: dict[str, list[str]] = {
    "Go": [_B + "Go" + _E, "(?i:golang)", "고랭", r"고\s*언어"],
    "Rust": [_B + "(?i:rust)" + _E, "러스트"],
    "JavaScript": [_B + "(?i:javascript)" + _E, "자바스크립트", _B + "JS" + _E],
    "TypeScript": [_B + "(?i:typescript)" + _E, "타입스크립트", _B + "TS" + _E],
    "Java": [_B + "(?i:java)" + _E, "자바(?!스크립트)"],
    "Python": [_B + "(?i:python)" + _E, "파이썬"],
    "Kotlin": [_B + "(?i:kotlin)" + _E, "코틀린"],
    "Ruby": [_B + "(?i:ruby)" + _E, "루비"],
    "C++": [_B + r"C\+\+"],
    "C#": [_B + "C#"],
    "PHP": [_B + "PHP" + _E],
    "Swift": [_B + "(?i:swift)" + _E, "스위프트"],
    "Scala": [_B + "(?i:scala)" + _E, "스칼라"],
}
_LANG = {name: re.compile("|".join(pats)) for name, pats in LANGUAGES.items()}


def load_facts(corpus: Path) -> dict[str, dict[str, Any]]:
    """The corpus's ``facts.jsonl`` by case id; empty when it has none."""
    path = corpus / "facts.jsonl"
    if not path.is_file():
        return {}
    out = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            groups = [f["any_of"] for f in entry.get("facts", [])]
            if not all(isinstance(g, list) and all(isinstance(t, list) for t in g) for g in groups):
                raise ValueError("any_of must be a list of term lists")
        except (ValueError, KeyError, TypeError) as exc:
            raise TilgenError(f"{path}:{n}: not a facts entry ({exc}); see the corpus README "
                              "for the format", exit_code=2) from exc
        out[entry["id"]] = entry
    return out


def _covers(text: str, groups: list[list[str]]) -> bool:
    low = text.lower()
    return all(any(t.lower() in low for t in group) for group in groups)


def fact_scores(note: dict[str, Any] | None, entry: dict[str, Any] | None) -> dict[str, Any]:
    """Facts covered strictly and loosely, and language names not in ``lang_ok``.

    An invalid note (``None``) covers no fact; a case without an entry reports nothing."""
    if not entry:
        return {}
    facts = entry.get("facts", [])
    out: dict[str, Any] = {"facts": len(facts), "facts_strict": 0, "facts_loose": 0,
                           "facts_missed": [], "wrong_languages": []}
    if note is None:
        out["facts_missed"] = list(range(len(facts)))
        return out
    content = note.get("content", "")
    units = note_units(content)
    prose = "\n".join([str(note.get("title", "")), FENCE.sub(" ", content)])
    for i, fact in enumerate(facts):
        strict = any(_covers(u, fact["any_of"]) for u in units)
        out["facts_strict"] += strict
        out["facts_loose"] += strict or _covers(prose, fact["any_of"])
        if not strict:
            out["facts_missed"].append(i)
    if "lang_ok" in entry:
        ok = {name.lower() for name in entry["lang_ok"]}
        out["wrong_languages"] = [name for name, rx in _LANG.items()
                                  if name.lower() not in ok and rx.search(prose)]
    return out
