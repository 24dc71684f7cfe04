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
import threading
from pathlib import Path
from typing import Any

from tilgen.note.schema import FENCE, HEADING, INLINE_CODE

_HANGUL = re.compile(r"[가-힣]")
_WORDS = Path(__file__).parent.parent / "data" / "ko_dev_words.txt"


@functools.lru_cache(maxsize=2)
def _kiwi(with_loanwords: bool = True) -> Any | None:
    try:
        from kiwipiepy import Kiwi
    except ImportError:
        return None
    kiwi = Kiwi(load_typo_dict=False, load_multi_dict=False)
    for word in loanwords() if with_loanwords else ():
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


# Morphemes a garbled word falls apart into: one syllable each ("컴파일라" → 컴/파일/라,
# "반횐합니다" → 반/회/ㄴ/하/ㅂ니다). Two of them in one word rarely happen in real prose.
_FRAGMENT_TAGS = {"NNG", "NNB", "NNP", "MAG", "XR"}


def unknown_words(text: str, *, with_loanwords: bool = True,
                  fragments: bool = True) -> tuple[list[str], int] | None:
    """(unknown Hangul words, number of Hangul words) of ``text``; None without kiwipiepy.

    A word is unknown when a Hangul morpheme of its analysis is out of Kiwi's vocabulary, or
    (``fragments``) when it falls apart into two or more one-syllable nouns or adverbs."""
    kiwi = _kiwi(with_loanwords)
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
        oov: set[int] = set()
        pieces: dict[int, int] = {}
        for tok in kiwi.tokenize(line):
            if not _HANGUL.search(tok.form):
                continue
            i = next((i for i, (a, b) in enumerate(spans) if a <= tok.start < b), None)
            if i is None:
                continue
            if tok.oov:
                oov.add(i)
            elif fragments and len(tok.form) == 1 and tok.tag in _FRAGMENT_TAGS:
                pieces[i] = pieces.get(i, 0) + 1
        bad = oov | {i for i, n in pieces.items() if n >= 2}
        unknown += [_strip(words[i]) for i in sorted(bad)]
    return unknown, total


_warming: threading.Thread | None = None
_lock = threading.Lock()


def warm() -> None:
    """Load Kiwi in the background (about 2 s and 0.5 GB on first use), while a note is
    being generated, for :func:`garbled` to find it ready."""
    global _warming
    with _lock:
        if _warming is None:
            _warming = threading.Thread(target=unknown_words, args=("준비",), daemon=True,
                                        name="tilgen-kiwi")
            _warming.start()


def _ready() -> None:
    """Wait for the load :func:`warm` started (starting it if none did)."""
    warm()
    assert _warming is not None
    _warming.join()


def garbled(sentence: str) -> list[str]:
    """The words of a note's sentence that are no Korean (as :func:`unknown_words` finds
    them); none without kiwipiepy."""
    _ready()
    found = unknown_words(prose_text(sentence))
    return found[0] if found else []


# Words that say a change happened, not what it was: "`cmd.should.equal('exec1');` (코드
# 변경)입니다", "`Modifier`와 `Set`를 제거하고 `Set<Modifier>`를 추가하는 부분을 변경했습니다"
_HAPPENED = frozenset({"코드", "변경", "부분", "추가", "제거", "삭제", "경우", "있", "이", "하",
                       "되", "사용", "수정", "내용", "것", "새", "새롭", "함수", "메서드",
                       "메소드", "클래스", "필드", "변수", "값", "파일", "다음", "등"})
_CONTENT_TAGS = ("NNG", "NNP", "VV", "VA", "MAG", "XR")  # code spans read as X (SL)


def says_nothing(sentence: str) -> bool:
    """Whether a note's sentence, outside its code, has no word but ones saying a change
    happened (Kiwi's nouns, verbs, adjectives and adverbs against a short list); False
    without kiwipiepy."""
    _ready()
    kiwi = _kiwi()
    if kiwi is None:
        return False
    words = [t.form for t in kiwi.tokenize(prose_text(sentence)) if t.tag in _CONTENT_TAGS]
    return not [w for w in words if w not in _HAPPENED]


def _strip(word: str) -> str:
    return word.strip(".,;:!?()[]'\"“”‘’")


def korean_scores(content: str) -> dict[str, Any]:
    """``unknown_ko`` (list), ``hangul_words`` (count); both None without kiwipiepy."""
    found = unknown_words(prose_text(content))
    if found is None:
        return {"unknown_ko": None, "hangul_words": None}
    return {"unknown_ko": found[0], "hangul_words": found[1]}
