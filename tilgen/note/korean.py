"""Hangul words a Korean morphological analyser cannot read as dictionary words.

Small models force identifiers into Hangul ("hooks" → "허드", "library" → "히브러리"); such a
word is no Korean a reader knows. kiwipiepy (the ``quality`` extra) analyses each sentence of
the prose; a word holding a Hangul morpheme outside Kiwi's dictionary (``oov``) that is not a
known developer loanword counts as unknown. How well this separates garbled from real words
is measured in docs/QUALITY.md. Without kiwipiepy the measure is ``None`` (n/a).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from tilgen.note.schema import FENCE, HEADING, INLINE_CODE

_HANGUL = re.compile(r"[가-힣]")
_WORDS = Path(__file__).parent.parent / "data" / "ko_dev_words.txt"


@functools.lru_cache(maxsize=1)
def _kiwi() -> Any | None:
    try:
        from kiwipiepy import Kiwi
    except ImportError:
        return None
    kiwi = Kiwi()
    for word in loanwords():
        kiwi.add_user_word(word, "NNG")
    return kiwi


@functools.lru_cache(maxsize=1)
def loanwords() -> tuple[str, ...]:
    """Developer loanwords written in Hangul that Kiwi's dictionary lacks (파싱, 리팩터링 …)."""
    lines = _WORDS.read_text(encoding="utf-8").splitlines()
    return tuple(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def available() -> bool:
    return _kiwi() is not None


def prose_text(content: str) -> str:
    """The prose of a note for analysis: code spans become ``X`` (so "`f`를" reads as a
    foreign word and its particle), fenced code and the heading are left out."""
    return INLINE_CODE.sub("X", HEADING.sub(" ", FENCE.sub("\n", content)))


def unknown_words(text: str) -> tuple[list[str], int] | None:
    """(unknown Hangul words, number of Hangul words) of ``text``; None without kiwipiepy."""
    kiwi = _kiwi()
    if kiwi is None:
        return None
    unknown: list[str] = []
    total = 0
    for line in text.splitlines():
        if not _HANGUL.search(line):
            continue
        spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", line)]
        words = [line[a:b] for a, b in spans]
        total += sum(1 for w in words if _HANGUL.search(w))
        bad: set[int] = set()
        for tok in kiwi.tokenize(line):
            if tok.oov and _HANGUL.search(tok.form):
                for i, (a, b) in enumerate(spans):
                    if a <= tok.start < b:
                        bad.add(i)
        unknown += [_strip(words[i]) for i in sorted(bad)]
    return unknown, total


def _strip(word: str) -> str:
    return word.strip(".,;:!?()[]'\"“”‘’")


def korean_scores(content: str) -> dict[str, Any]:
    """``unknown_ko`` (list), ``hangul_words`` (count); both None without kiwipiepy."""
    found = unknown_words(prose_text(content))
    if found is None:
        return {"unknown_ko": None, "hangul_words": None}
    return {"unknown_ko": found[0], "hangul_words": found[1]}
