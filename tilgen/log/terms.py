"""Search terms of Korean and English text: morphemes for Hangul words, parts for identifiers.

Hangul words are analysed by Kiwi (kiwipiepy, loaded lazily) once each; their analyses are
kept with the search index, so a query is analysed from what the notes already taught the
index and never waits for Kiwi's model to load (several seconds). A query word the notes
never used is split into the known terms it starts with or is made of, after its particle or
ending is dropped. Without kiwipiepy the same fallback reads every word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
HANGUL_RUN = re.compile(r"[가-힣]+")
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
# Morpheme tags that carry meaning: nouns, numerals' roots, verb and adjective stems, roots,
# foreign words and Hanja.
CONTENT_TAGS = {"NNG", "NNP", "NR", "VV", "VA", "XR", "SL", "SH", "VV-R", "VV-I", "VA-R", "VA-I"}
STOP = {"a", "an", "the", "of", "to", "in", "on", "is", "are", "and", "or", "for", "with", "by",
        "as", "at", "be", "it", "this", "that", "from", "til", "md"}
# Particles and endings, longest first: what the fallback strips from an unknown word.
SUFFIXES = sorted("""은 는 이 가 을 를 에 의 도 만 와 과 로 으로 에서 에게 까지 부터 처럼 보다 이나 나
    하다 한다 합니다 하는 하고 하여 해서 했다 했습니다 된다 됩니다 되는 되어 하기 하면 입니다 이다
    였다 였습니다 습니다 니다 를통해 들 들은 들을 들이 들의 에는 에서는 으로는 로는 과의 와의""".split(),
                  key=len, reverse=True)

# Endings dropped only when what is left is a term the notes use (막기 -> 막, 줄이면 -> 줄이).
SHORT_ENDINGS = ("기", "게", "고", "면", "지", "어", "아", "음")
NUMBER = re.compile(r"(?<![\w.])\d{2,}(?![\w.])")

_kiwi: Any = None


def identifier_terms(text: str) -> list[str]:
    """``ChangeSet`` -> changeset, change, set; ``os.path.join`` -> os.path.join, os, path, join."""
    out: list[str] = []
    for ident in IDENT.findall(text):
        whole = ident.lower()
        parts = [p.lower() for piece in re.split(r"[._]", ident) for p in _CAMEL.findall(piece)]
        if whole not in STOP and len(whole) > 1:
            out.append(whole)
        if len(parts) > 1:
            out += [p for p in parts if len(p) > 1 and p not in STOP]
    return out + NUMBER.findall(text)


def hangul_words(text: str) -> list[str]:
    """The Hangul part of each whitespace-separated word (``ChangeSet을`` -> ``을``)."""
    return [m for word in text.split() for m in HANGUL_RUN.findall(word)]


def _load_kiwi() -> Any:
    global _kiwi
    if _kiwi is None:
        try:
            from kiwipiepy import Kiwi
        except ImportError:
            _kiwi = False
        else:
            _kiwi = Kiwi(num_workers=1, load_typo_dict=False, load_multi_dict=False)
    return _kiwi


def analyse(words: Iterable[str], vocab: dict[str, list[str]], *, allow_kiwi: bool = True) -> None:
    """Add the Kiwi analysis of every word not yet in ``vocab`` (no-op without kiwipiepy)."""
    missing = sorted({w for w in words if w not in vocab})
    if not missing or not allow_kiwi:
        return
    kiwi = _load_kiwi()
    if not kiwi:
        return
    for word, tokens in zip(missing, kiwi.tokenize(missing)):
        vocab[word] = [t.form.lower() for t in tokens if t.tag in CONTENT_TAGS and t.form]


def _fallback(word: str, known: set[str]) -> list[str]:
    for suffix in (*SUFFIXES, *SHORT_ENDINGS):
        if word.endswith(suffix) and len(word) > len(suffix) and word[: -len(suffix)] in known:
            return [word[: -len(suffix)]]
    found: list[str] = []
    i = 0
    while i < len(word):  # greedy: the longest known term starting here
        for j in range(len(word), i + 1, -1):
            if word[i:j] in known:
                found.append(word[i:j])
                i = j
                break
        else:
            i += 1
    if found:
        return found
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix):
            return [word[: -len(suffix)]]
    return [word]


def text_terms(text: str, vocab: dict[str, list[str]], known: set[str] | None = None) -> list[str]:
    """The terms of ``text``: analysed Hangul words (``vocab``), then identifiers and words."""
    out: list[str] = []
    for word in hangul_words(text):
        if word in vocab:
            out += vocab[word]
        elif known is not None:
            out += _fallback(word, known)
        else:
            out += _fallback(word, set())
    return out + identifier_terms(text)
