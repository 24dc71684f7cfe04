"""Several candidate notes for one prompt, and the one a reader would keep.

A small model's notes vary from sample to sample far more than its prompt lets on: one names
the function that changed and says what it does now, the next paraphrases the file list. When
the backend can afford it (a server answers several requests at once), tilgen asks for a few
and keeps the note that names most of what the change is about: the names it added, removed
or swapped (:mod:`tilgen.note.evidence`) and the functions whose bodies changed, with fewer
bullets that name nothing of the change (:func:`tilgen.note.checks.vacuous`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tilgen.git.changes import FileChange, Hunk
from tilgen.note import checks, evidence, pairs
from tilgen.note.schema import FENCE, TilNote

_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def key_names(hunks: Iterable[tuple[FileChange, Hunk]]) -> set[str]:
    """What the change is about: names added, removed or swapped, and the scopes (functions,
    types) git names for its hunks; a dotted name counts by its last part too."""
    out: set[str] = set()
    for _f, hunk in hunks:
        new, gone = evidence.name_changes(hunk)
        names = new + gone + [w for pair in pairs.replacements(hunk) for w in pair]
        names += [w for w in _IDENT.findall(evidence.scope(hunk)) if len(w) > 3]
        for name in names:
            out.add(name)
            out.add(re.split(r"[.:]", name)[-1])
    return {n for n in out if len(n) > 2}


def score(note: TilNote, names: set[str], proof_terms: set[str]) -> tuple[int, int, int]:
    """(key names the prose mentions, bullets naming something of the change, minus the
    bullets naming nothing): higher is better, compared in that order."""
    body = FENCE.sub(" ", note.content)
    named = sum(1 for n in names if re.search(rf"(?<![\w$]){re.escape(n)}(?![\w$])", body))
    units = checks.note_units(note.content)
    vacuous = sum(1 for u in units if checks.vacuous(u, proof_terms))
    return named, len(units) - vacuous, -vacuous


def best(notes: list[TilNote], names: set[str], proof_terms: set[str]) -> int:
    """Index of the note to keep (the first of equals)."""
    scores = [score(n, names, proof_terms) for n in notes]
    return max(range(len(notes)), key=lambda i: (scores[i], -i))
