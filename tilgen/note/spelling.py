"""Identifiers a small model spelled in Hangul, given back their own letters.

Told to keep code names in backticks, the 1.5B still writes "인터스퍼드 기능" for the
`interspersed` field and "셋인터스퍼스드" for `SetInterspersed`: no Korean reader knows the
word, and the name it stands for is lost. Such a word sounds like one of the change's own
identifiers, so it is found by sound: both are reduced to their consonants as Korean
loanwords write them (`interspersed` → n t s p s t, 인터스퍼드 → n t s p t; vowels, a
post-vocalic r and h dropped, b/p/f/v one sound, d/t another …) and compared. A close match
with an identifier of the change replaces the word (its particle kept): "`interspersed`
기능". Only words of three syllables or more are read, and never a word Korean developers
write as it is (tilgen/data/ko_dev_words.txt), so "파싱" and "클래스" stay.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable

from tilgen.git.changes import Hunk

# Korean initial consonants (ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ) and finals
# (none, ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ) as the sounds English
# letters become in loanwords.
_INITIAL = "KKNTTRMPPSS.JJJKTPH"
_FINAL = ".KKKNNNTRRMRRRRRMPPTTNTTKTP."
_WORD = re.compile(r"[가-힣]+")
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
# Particles and the copula a loanword takes: "인터스퍼드를", "셋인터스퍼스드의", "…입니다"
_PARTICLE = re.compile(r"(을|를|은|는|이|가|의|에|에서|에게|으로|로|와|과|도|만|이다|입니다|"
                       r"이며|이고|라는|이라는|처럼|보다|까지|부터)$")
# Korean verbs and adverbs are no loanword: "유지됩니다", "간결하게", "초기화하므로"
_VERBAL = re.compile(r"(다|게|는|여|할|한|며|고|서|므로|니까|지만|도록|면)$")
MIN_SYLLABLES = 3
MIN_SOUNDS = 5  # fewer consonants than this sound like too many Korean words
MIN_LETTERS = 6
RATIO = 0.85


def hangul_sounds(word: str) -> str:
    """The consonant sounds of a Hangul word (h dropped): 인터스퍼드 → NTSPT."""
    out = []
    for ch in word:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            out += [_INITIAL[code // 588], _FINAL[code % 28]]
    return "".join(c for c in out if c not in ".H")


_DIGRAPHS = [("tch", "J"), ("ch", "J"), ("sh", "S"), ("th", "S"), ("ph", "P"), ("ck", "K"),
             ("ng", "N"), ("qu", "K"), ("x", "KS"), ("wh", "")]
_LETTER = {**dict.fromkeys("bpfv", "P"), **dict.fromkeys("dt", "T"), **dict.fromkeys("kqg", "K"),
           **dict.fromkeys("sz", "S"), "j": "J", "l": "R", "r": "R", "m": "M", "n": "N"}
_VOWELS = set("aeiouyw")


def english_sounds(word: str) -> str:
    """The consonant sounds of an English word as Korean writes them: interspersed →
    NTSPST (an r after a vowel and before a consonant is not written: 서버, 인터페이스)."""
    w = word.lower()
    out: list[str] = []
    i = 0
    while i < len(w):
        for graph, sound in _DIGRAPHS:
            if w.startswith(graph, i):
                out.append(sound)
                i += len(graph)
                break
        else:
            ch = w[i]
            nxt = w[i + 1] if i + 1 < len(w) else ""
            prev = w[i - 1] if i else ""
            if ch == "c":
                out.append("S" if nxt in ("e", "i", "y") else "K")
            elif ch == "g" and nxt in ("e", "i") and i + 2 >= len(w) - 1:
                out.append("J")  # message → 메시지, page → 페이지
            elif ch == "r" and prev in _VOWELS and nxt not in _VOWELS:
                pass
            elif ch in _LETTER and not (prev == ch):
                out.append(_LETTER[ch])
            i += 1
    return "".join(out)


def _parts(name: str) -> list[str]:
    """An identifier, then its words: `SetInterspersed` → SetInterspersed, Set, Interspersed."""
    words = [w for w in re.split(r"[^A-Za-z]+|(?<=[a-z])(?=[A-Z])", name) if w]
    return [name, *words] if len(words) > 1 else [name]


# Loanwords Korean developers write in Hangul that sound like identifiers (`instance`,
# `INTERFACE`): a reader knows these, so they are never respelled.
KNOWN = frozenset("""
컴파일러 인스턴스 인터페이스 라이브러리 디렉터리 디렉토리 매개변수 프로퍼티 파라미터 이터레이터
시그니처 메서드 메소드 클래스 패키지 슬라이스 핸들러 익셉션 프로세스 템플릿 스트림 포인터
트랜잭션 프레임워크 컴포넌트 프로토콜 스레드 데이터베이스 네임스페이스 타임스탬프 타임아웃
플랫폼 리소스 레지스트리 어댑터 리포지토리 레퍼런스 인코딩 디코딩 스크립트 서브커맨드 커맨드
렌더링 인덱스 컨테이너 리스너 이벤트 바이너리 유틸리티 팩토리 싱글턴 오버라이드 오버로드
스트링 딕셔너리 제너릭 어서션 애노테이션 시퀀스 이스케이프 디스패치 인스턴스화 초기화
구조체 열거형 정규식 문자열 직렬화 역직렬화 프로그램 프로젝트 애플리케이션 서버 클라이언트
테스트케이스 유닛테스트 자바스크립트 타입스크립트 파이썬 콘솔 터미널 프롬프트
""".split())


@functools.lru_cache(maxsize=1)
def _kept() -> frozenset[str]:
    from tilgen.note.korean import loanwords

    return KNOWN | frozenset(loanwords())


def _spellings(names: Iterable[str]) -> list[tuple[str, str, bool]]:
    """(sounds, spelling, is the whole identifier) of each name and of its words."""
    out: dict[str, tuple[str, str, bool]] = {}
    last = [re.split(r"[.:]", n)[-1] for n in names if re.fullmatch(r"[A-Za-z_$][\w$.:]*", n)]
    for name in last:  # whole identifiers first: `interspersed`, not Interspersed
        if len(name) >= MIN_LETTERS:
            out.setdefault(name.lower(), (english_sounds(name), name, True))
    for name in last:
        for part in _parts(name)[1:]:
            if len(part) >= MIN_LETTERS:
                out.setdefault(part.lower(), (english_sounds(part), part, False))
    return list(out.values())


def identifier_for(word: str, names: Iterable[str]) -> str | None:
    """The identifier (in backticks) or English word a Hangul word spells, or None."""
    stem = _PARTICLE.sub("", word)
    if (len(stem) < MIN_SYLLABLES or stem in _kept() or word in _kept()
            or _VERBAL.search(stem)):
        return None
    heard = hangul_sounds(stem)
    if len(heard) < MIN_SOUNDS:
        return None
    best: tuple[float, str, bool] | None = None
    for sounds, spelling, whole in _spellings(names):
        if abs(len(sounds) - len(heard)) > 1 or sounds[:1] != heard[:1]:
            continue
        ratio = difflib.SequenceMatcher(None, heard, sounds, autojunk=False).ratio()
        if ratio >= RATIO and (best is None or ratio > best[0]):
            best = (ratio, spelling, whole)
    if best is None:
        return None
    _ratio, spelling, whole = best
    return f"`{spelling}`" if whole else spelling


def names_of(hunks: Iterable[Hunk]) -> frozenset[str]:
    """The identifiers of the hunks' lines and headers, the names a Hangul word may spell."""
    out: set[str] = set()
    for hunk in hunks:
        for line in [hunk.header, *hunk.lines]:
            out |= set(_IDENT.findall(line))
    return frozenset(out)


def respell(text: str, names: Iterable[str]) -> str:
    """``text`` with each Hangul word that spells one of ``names`` (or a word of one)
    written as that name, its particle kept; text inside backticks is left alone."""
    names = list(names)
    pieces = re.split(r"(`[^`]*`)", text)
    for i, piece in enumerate(pieces):
        if piece.startswith("`"):
            continue

        def swap(m: re.Match[str]) -> str:
            word = m.group(0)
            found = identifier_for(word, names)
            if found is None:
                return word
            stem = _PARTICLE.sub("", word)
            return found + word[len(stem):]

        pieces[i] = _WORD.sub(swap, piece)
    return "".join(pieces)
