"""The opening each point's Korean (or English) sentence must have, as a pattern for the
grammar: the names of its hunk in backticks, and for a swap, a move, a removal or a changed
modifier the direction of the change, so that the sentence cannot say it the wrong way round
(see :func:`tilgen.note.focus.plan`, which decides what each point is about)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from tilgen.note.schema import CODE_CHAR, CODE_SPAN, EN_SENTENCE, KO_PROSE, KO_SENTENCE

# The verbs an opening ends with, by kind of change, in the order the grammar offers them,
# and the form of each that ends a sentence there (a point cut after its opening, see
# tilgen.note.reject.without_reason).
SWAP_VERBS = ("바꿔", "바꾸어", "대체해", "대체하여", "교체해", "교체하여", "변경해", "변경하여",
              "옮겨")
INSTEAD_VERBS = ("사용해", "사용하여", "호출해", "호출하여", "써서")
MODIFIER_VERBS = ("바꿔", "바꾸어", "변경해", "변경하여", "선언해", "선언하여")
MOVE_VERBS = ("옮겨", "옮겨져", "이동해", "이동하여", "이동되어", "옮겨서")
REMOVE_VERBS = ("제거해", "삭제해", "없애", "지워", "제거하여", "삭제하여")
FINITE = {"바꿔": "바꿨습니다", "바꾸어": "바꾸었습니다", "대체해": "대체했습니다",
          "대체하여": "대체했습니다", "교체해": "교체했습니다", "교체하여": "교체했습니다",
          "변경해": "변경했습니다", "변경하여": "변경했습니다", "옮겨": "옮겼습니다",
          "옮겨서": "옮겼습니다", "옮겨져": "옮겨졌습니다", "이동해": "이동했습니다",
          "이동하여": "이동했습니다", "이동되어": "이동되었습니다", "제거해": "제거했습니다",
          "제거하여": "제거했습니다", "삭제해": "삭제했습니다", "삭제하여": "삭제했습니다",
          "없애": "없앴습니다", "지워": "지웠습니다", "선언해": "선언했습니다",
          "선언하여": "선언했습니다", "사용해": "사용합니다", "사용하여": "사용합니다",
          "호출해": "호출합니다", "호출하여": "호출합니다", "써서": "씁니다",
          "추가해": "추가했습니다", "추가하여": "추가했습니다"}


REST = 160


def _either(verbs: Sequence[str]) -> str:
    return "(" + "|".join(verbs) + ")"


class Focus(Protocol):
    """What a point is about (:class:`tilgen.note.focus.Focus`), as far as its opening goes."""

    @property
    def names(self) -> tuple[str, ...]: ...
    @property
    def swap(self) -> tuple[str, str] | None: ...
    @property
    def removed(self) -> bool: ...
    @property
    def move(self) -> tuple[str, str] | None: ...
    @property
    def modifier(self) -> tuple[str, str, str] | None: ...
    @property
    def comment(self) -> tuple[str, str, str] | None: ...


def named_span(names: Sequence[str]) -> str:
    """A backticked span opening with one of ``names`` (a call may follow: `x(y)`); no
    qualifier before it, which the 0.5B model filled with made-up words."""
    # A character class for each sign: llama.cpp's pattern converter knows no "\." escape.
    alternatives = "|".join("".join(c if c.isalnum() or c in "_:" else f"[{c}]" for c in n)
                            for n in names)
    # after the name, what follows it (a call, a field) but no longer name: `Replace` is not
    # `ReplaceAll`
    tail = rf"([ !#-/:-@\[\]^{{-~]{CODE_CHAR}{{0,39}})?"
    return rf"`({alternatives}){tail}`"


def sentence_pattern(focus: Focus, language: str = "ko") -> str:
    """The pattern of a point about ``focus``: it opens with one of its names. A Korean
    point about a swap opens "`old`를 `new`로 …": the model writes the verb and the reason,
    the direction is the change's (told only to open with the old name, the 0.5B model wrote
    "새로운 필드 `NoInterspersed`를 추가합니다", the removed name as the new one)."""
    if not focus.names:
        return KO_SENTENCE if language == "ko" else EN_SENTENCE
    if language != "ko":
        first = named_span([focus.swap[0]] if focus.swap else focus.names)
        return rf"^[A-Za-z ]{{0,40}}{first}[^\n\"\\]{{0,200}}[.]$"
    # Only the opening is fixed: a sentence that must name something later could never end
    # once the model had moved on (the 0.5B model looped to its token limit).
    # At most REST pieces after it: no Korean bullet of the 30 corpus notes had more than 114
    # characters, and one that loops ran the answer to its token limit.
    rest = rf"({KO_PROSE}|{CODE_SPAN}){{0,{REST}}}다[.]$"
    if focus.swap:
        # and the verb goes on to say what the swap does: left to end there, the sentence
        # was "`A`를 `B`로 바꾸었습니다." and nothing more
        # "`A`를 `B`로 바꿔 …" or "`A` 대신 `B`를 사용해 …": either way A is the old one
        old, new = named_span([focus.swap[0]]), named_span([focus.swap[1]])
        return (rf"^({old}(을|를) {new}(으로|로) "
                rf"{_either(SWAP_VERBS)}"
                rf"|{old} 대신 {new}(을|를) {_either(INSTEAD_VERBS)}) {rest}")
    if focus.modifier:  # the declaration first, then what it now is, in that direction:
        # left to say it, the 1.5B wrote "`emitLastEnumValue`는 `public`가 되었으므로
        # `private`로 변경되었습니다" of a method that went from public to private
        name, _before, after = focus.modifier
        if after:
            return (rf"^{named_span([name])}(을|를) {named_span([after])}(으로|로) "
                    rf"{_either(MODIFIER_VERBS)} {rest}")
        return rf"^{named_span([name])}(은|는|을|를|이|가|의) {rest}"
    if focus.comment:  # a comment's words changed, not the code: say it is the comment
        # (told "about `HMACAlgorithm`", the 1.5B wrote that `default_digest_method` was
        # changed to `hashlib.sha1`, which it had been all along)
        return (rf"^{named_span(focus.names)}(의|에 대한) (문서 주석|주석|설명)(을|를|이|은|에서) "
                rf"{rest}")
    if focus.move:  # from where to where, in that order: told "moved from src/error.rs",
        # the 1.5B wrote that the block moved to `src/error.rs`
        source, target = (named_span([p]) for p in focus.move)
        return (rf"^{named_span(focus.names)}(을|를|은|는|이|가) {source}에서 {target}(으로|로) "
                rf"{_either(MOVE_VERBS)} {rest}")
    if focus.removed:  # and code that is gone is said to be gone, never taught as new
        return rf"^{named_span(focus.names)}(을|를) {_either(REMOVE_VERBS)} {rest}"
    # nothing before the name: given room, the 1.5B model put the note's topic there
    return rf"^{named_span(focus.names)}{rest}"
