"""What a changed line means, where tilgen knows it better than a small model guesses it: a
Python test class's `test_x = None` turns the test it inherits off, a Go struct literal
that now names its fields no longer depends on their order, a Rust test calling a function
bounded by a trait checks the trait at compile time, a hunk of new quotes, trailing commas
and line breaks changes nothing else. Such a statement takes the place of the model's
sentence about the line (see :class:`tilgen.note.statements.Statement`).
"""

from __future__ import annotations

import re

from tilgen.note.declarations import declared_name

MAX_CODE = 100  # a longer line is no sentence's part: the snippet shows it


def code_span(text: str) -> str | None:
    """``text`` as a code span, or None when no span can hold it (a backtick, too long)."""
    text = " ".join(text.split())
    if not text or "`" in text or len(text) > MAX_CODE:
        return None
    return f"`{text}`"


_NONE_TEST = re.compile(r"(test\w*)\s*=\s*None")


def turned_off(lines: tuple[str, str] | None, scope: str, language: str | None) -> str | None:
    """A Python test class's `test_x = None` (a point's ``lines``, added in ``scope``), which
    turns off the test it inherits (told only that the line came in, the 1.5B wrote that a
    new test was added)."""
    added = lines[1] if lines and not lines[0] else ""
    off = _NONE_TEST.fullmatch(added.strip())
    where = declared_name(scope) if scope.startswith("class ") else ""
    if not (off and where and language == "Python"):
        return None
    return (f"`{where}`에서는 `{added.strip()}` 대입으로 물려받은 `{off.group(1)}` 테스트를 "
            "실행하지 않습니다.")


def keyed(literal: tuple[str, tuple[str, ...], tuple[str, ...]] | None) -> str | None:
    """A Go struct literal whose values now go by field name, not by order (see
    :func:`tilgen.note.pairs.keyed_literal`; told the fields, the 1.5B wrote that `VarP`
    takes the flag's name as a parameter)."""
    if not literal:
        return None
    kind, fields, dropped = literal
    named = ", ".join(f"`{f}:`" for f in fields[:3]) + (" …" if len(fields) > 3 else "")
    gone = [c for v in dropped if (c := code_span(v))]
    zero = f" 빠진 값({', '.join(gone)})의 필드는 이제 제로값입니다." if gone else ""
    return (f"`{kind}` 구조체 리터럴은 이제 값을 필드 순서대로 나열하지 않고 "
            f"필드 이름({named})으로 채웁니다.{zero}")


_BOUND_FN = re.compile(r"fn (\w+)<T: ([\w:]+)>\(\) \{\}")  # `fn assert_sync<T: Sync>() {}`


def bound_check(test: str, runs: str, checks: str) -> str | None:
    """A Rust test that declares an empty generic function bounded by a trait and calls it
    with a type (`fn assert_unwind_safe<T: UnwindSafe>() {}` then
    `assert_unwind_safe::<Error>();`): it passes by compiling, and checks that the type
    implements the trait (told it "runs" the one and "checks" the other, the 1.5B wrote
    that the test runs `assert_unwind_safe::<Error>()`)."""
    bound = _BOUND_FN.fullmatch(runs.strip())
    call = re.fullmatch(rf"{re.escape(bound.group(1))}::<([\w:]+)>\(\);?",
                        checks.strip()) if bound else None
    if not (bound and call and test):
        return None
    return (f"새 테스트 `{test}`는 `{call.group(1)}` 타입이 `{bound.group(2)}` 트레이트를 "
            f"구현하는지 컴파일 타임에 확인합니다. `{call.group(0).rstrip(';')}` 호출은 그 "
            "트레이트를 구현한 타입에만 컴파일됩니다.")


_KINDS = {"quotes": "따옴표", "escapes": "이스케이프", "comma": "끝 쉼표", "wrap": "줄 나눔"}


def reformatted(kinds: tuple[str, ...], line: str, scope: str,
                names: tuple[str, ...] = ()) -> str | None:
    """A hunk whose code means what it did, reformatted (see
    :func:`tilgen.note.pairs.reformatted`): what changed, and that nothing else did (a
    Black commit's quotes and trailing commas, told as "`secret_key`는 새로운 값으로
    대체되었습니다" by the 1.5B). ``line`` is the one line it changed, if one; ``names``, the
    code on the lines it changed."""
    if not kinds:
        return None
    where = declared_name(scope) if scope else ""
    shown = code_span(line) if line else None
    named = ", ".join(c for n in names[:2] if (c := code_span(n)))
    named = f"({named} …)" if named else ""
    subject = (f"{shown} 줄은" if shown else f"`{where}`의 코드{named}는"
               if where and "`" not in where else f"이 코드{named}는")
    then = (" 바깥 따옴표를 바꿔 안쪽 따옴표를 이스케이프하지 않아도 됩니다." if "escapes" in kinds
            else " 그 밖의 동작은 그대로입니다." if "hidden" in kinds else " 동작은 그대로입니다.")
    how = [_KINDS[k] for k in kinds if k in _KINDS]
    hidden = "가려진 값을 빼면 " if "hidden" in kinds else ""
    return f"{subject} {hidden}{', '.join(how)}만 바뀌었습니다.{then}" if how else None
