"""The prompt says which lines a hunk removed and added; points that teach nothing true go."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from tilgen.errors import InvalidNoteError
from tilgen.git.changes import ChangeSet, FileChange, Hunk
from tilgen.note import evidence, pairs, reject
from tilgen.note.prompt import build_prompt, system_prompt
from tilgen.note.render import code_snippet, render_points
from tilgen.note.schema import KO_SENTENCE, PointsAnswer, points_schema, validate_note

DAY = dt.date(2026, 12, 2)

SETTER = Hunk("@@ -1047,12 +1047,14 @@ func NewFlagSet(name string) *FlagSet {", [
    " \tf := &FlagSet{",
    "+\t\tinterspersed:  true,",
    " \t}",
    "-func (f *FlagSet) NoInterspersed() {",
    "-\tf.noInterspersed = true",
    "+// Whether to support interspersed option/non-option arguments.",
    "+func (f *FlagSet) SetInterspersed(interspersed bool) {",
    "+\tf.interspersed = interspersed",
    " }",
])
REMOVAL = Hunk("@@ -10,4 +10,0 @@ macro_rules! bail {", [
    "-    (\"pattern does not contain `{}`\") => {",
    "-        return Err(Error::msg(\"pattern\"))",
    "-    };",
])


def test_a_hunk_is_introduced_by_its_scope_and_the_names_it_adds_and_removes():
    line = evidence.describe(SETTER)
    assert "in `func NewFlagSet(name string) *FlagSet {`" in line
    assert "2 lines removed, 4 added" in line
    new = line.split("new names: ")[1].split(";")[0]
    swapped = line.split("swapped: ")[1].split(";")[0]
    assert "`interspersed`" in new
    assert "`NoInterspersed` became `SetInterspersed`" in swapped
    assert "`f.noInterspersed` became `f.interspersed`" in swapped
    assert "NoInterspersed" not in new and "support" not in line  # comments name nothing


def test_a_hunk_that_only_removes_code_says_so():
    line = evidence.describe(REMOVAL)
    assert "3 lines REMOVED, nothing added: this code no longer exists" in line
    assert "new names" not in line


def test_the_prompt_labels_hunks_and_keeps_the_system_message_static():
    f = FileChange(path="flag.go", language="Go", hunks=[SETTER, REMOVAL])
    cs = ChangeSet(source="patch", repo_name="pflag", date=DAY, files=[f])
    prompt = build_prompt(cs, languages=["Go"])
    assert "[#1] flag.go: in `func NewFlagSet" in prompt.user
    assert "[#2] flag.go: in `macro_rules! bail {`; 3 lines REMOVED" in prompt.user
    assert "@@ -1047" not in prompt.user  # line numbers are not evidence of anything
    assert "-\tf.noInterspersed = true" in prompt.user  # the markers stay on every line
    assert prompt.system == system_prompt()
    assert '"-" are OLD code that the change DELETED' in prompt.system


def test_each_point_is_reasoned_in_english_before_its_korean_sentence():
    items = points_schema(2)["properties"]["points"]["items"]
    assert list(items["properties"]) == ["hunk", "en", "text"]
    assert "en" not in points_schema(2, language="en")["properties"]["points"]["items"]["properties"]
    answer = PointsAnswer.model_validate(json.loads(
        '{"topic": "세터", "keywords": ["세터"], "points": [{"hunk": 1, "en": "A setter now '
        'toggles it.", "text": "`SetInterspersed`는 켜고 끌 수 있습니다."}]}'))
    assert answer.points[0].en.startswith("A setter")


@pytest.mark.parametrize("sentence", [
    "`bail!` 매크로는 `{}`를 포맷 인자로 읽습니다.",
    "`#[cfg(doc)]` 속성이 없어졌습니다.",
    "`Box<dyn StdError + Send>`로 변환됩니다.",
])
def test_a_korean_point_may_quote_code_with_punctuation_and_spaces(sentence):
    assert re.match(KO_SENTENCE, sentence)


def test_a_korean_point_cannot_spell_hangul_inside_backticks():
    assert not re.match(KO_SENTENCE, "`허드` 훅을 씁니다.")


def test_a_point_with_an_invented_number_or_about_the_commit_has_a_problem():
    f = FileChange(path="flag.go", language="Go", hunks=[SETTER])
    proof = reject.Proof.of([f], ["PR/28 made it private"])
    assert reject.problem("204번 커밋에서 바뀌었습니다.", proof) == "the number 204 is not in the changes"
    assert "commit" in reject.problem("오늘 커밋을 제작하였습니다.", proof)
    # the words that made it meta are named, so that the retry knows what to leave out
    # (javapoet 35c59c5a, told only "about the project", the 1.5B wrote the same again)
    said = "`emitLastEnumValue`를 `private`로 바꾸어 프로젝트의 라이브러리에 대한 인터페이스를 개선했습니다."
    assert reject.problem(said, proof) == ("'프로젝트의' is about the commit, the date or the "
                                           "project, not the code")
    assert reject.problem("`SetInterspersed`는 불리언 인자로 섞어 쓰기를 켜고 끕니다.", proof) is None


def test_a_point_whose_reason_is_the_trouble_keeps_what_changed():
    # javapoet 35c59c5a: both points correct up to their verb, then about the project; the
    # whole note was lost twice over
    proof = reject.Proof.of([FileChange(path="JavaWriter.java", language="Java",
                                        hunks=[SETTER])], ["PR/28 made it private"])
    said = [("`emitLastEnumValue`를 `private`로 바꾸어 프로젝트의 라이브러리에 대한 "
             "인터페이스를 개선했습니다.", 1),
            ("`a.emitEnumValue`를 `a.emitEnumValues`로 바꾸어 204번 문서를 따릅니다.", 2)]
    assert reject.keep(said, proof) == [("`emitLastEnumValue`를 `private`로 바꾸었습니다.", 1),
                                        ("`a.emitEnumValue`를 `a.emitEnumValues`로 바꾸었습니다.", 2)]
    # a point whose opening is the trouble, or that has no such opening, is not repaired
    assert reject.without_reason("오늘 커밋에서 `x`를 바꿨습니다.") is None
    with pytest.raises(InvalidNoteError, match="every point was rejected"):
        reject.keep([("이 프로젝트에서 `x`는 좋습니다.", 1)], proof)


def test_a_point_caught_in_a_decoding_loop_keeps_only_its_opening():
    proof = reject.Proof.of([FileChange(path="flag.go", language="Go", hunks=[SETTER])])
    loop = "`parseArgs`), `interspersed`), " * 4
    assert reject.problem(f"`f.args`는 {loop}입니다.", proof) == "it repeats itself"
    said = [(f"`NoInterspersed`를 `SetInterspersed`로 바꿔 {loop}입니다.", 1)]
    assert reject.keep(said, proof) == [("`NoInterspersed`를 `SetInterspersed`로 바꿨습니다.", 1)]
    # names said twice, as a sentence about a swap does, are no loop
    assert reject.problem("`f.args`를 `f.rest`로 바꿔 `f.args` 대신 `f.rest`를 읽습니다.", proof) is None


def test_a_point_copying_the_plans_english_is_caught():
    proof = reject.Proof.of([FileChange(path="flag.go", language="Go", hunks=[SETTER])])
    copied = ("`getErrHasColors: () => { return stripColor(str).length;`` became ``getErrHasColors: "
              "() => { return stripVTC`(` (번역) : `stripVTControlCharacters`를 씁니다.")
    assert reject.problem(copied, proof) == ("it copies the plan's English instead of saying it "
                                             "in Korean")
    assert reject.problem("`stripColor`를 `stripVTControlCharacters`로 바꿨습니다.", proof) is None


def test_a_point_listing_code_instead_of_a_sentence_is_caught():
    proof = reject.Proof.of([FileChange(path="flag.go", language="Go", hunks=[SETTER])])
    listed = "`noInterspersed`는 " + ", ".join(f"`-{c}`" for c in "ofnstuvwxyzABC") + "를 다룹니다."
    assert reject.problem(listed, proof) == "it lists code instead of saying what changed"
    said = "`a`, `b`, `c`, `d`, `e`, `f`, `g`, `h`를 `SetInterspersed`로 묶었습니다."  # 9 spans
    assert reject.problem(said, proof) is None


def test_a_vague_point_goes_when_a_specific_one_remains():
    proof = reject.Proof.of([FileChange(path="flag.go", language="Go", hunks=[SETTER])])
    vague = ("타입스크립트의 특징과 문법은 다양한 기술에서 활용됩니다.", 0)
    specific = ("`SetInterspersed`는 섞어 쓰기를 켜고 끕니다.", 1)
    assert reject.keep([vague, specific], proof) == [specific]
    assert reject.keep([vague], proof) == [vague]  # better a vague note than none


def _answer(*texts: str) -> PointsAnswer:
    return PointsAnswer.model_validate({"topic": "세터", "keywords": ["세터"],
                                        "points": [{"text": t, "hunk": 1} for t in texts]})


def test_points_that_teach_nothing_true_are_dropped_while_others_remain():
    f = FileChange(path="flag.go", language="Go")
    good = "`SetInterspersed`는 섞어 쓰기를 켜고 끌 수 있게 합니다."
    note = render_points(_answer("204번 커밋에서 세터가 추가되었습니다.", good,
                                 "12월 2일에 프로젝트를 수정했습니다."),
                         date=DAY, hunks=[(f, SETTER)])
    content = validate_note(note, date=DAY).content
    assert good in content and "204" not in content and "12월" not in content


def test_an_answer_with_only_such_points_is_rejected_with_the_reason():
    f = FileChange(path="flag.go", language="Go")
    with pytest.raises(InvalidNoteError, match="the number 204 is not in the changes"):
        render_points(_answer("204번 커밋에서 세터가 추가되었습니다."), date=DAY, hunks=[(f, SETTER)])


def test_a_snippet_skips_imports_and_comments_and_marks_removed_code():
    h = Hunk("@@ -1,3 +1,6 @@", ["+import java.util.Arrays;", "+", "+// Delegates to the list.",
                                 "+public final TypeName annotated(AnnotationSpec... a) {",
                                 "+  return annotated(Arrays.asList(a));", "+}", " }"])
    assert code_snippet(h) == (["public final TypeName annotated(AnnotationSpec... a) {",
                                "  return annotated(Arrays.asList(a));", "}"], False)
    assert code_snippet(REMOVAL)[1] is True
    assert code_snippet(REMOVAL)[0][0].startswith("-")
    f = FileChange(path="macros.rs", language="Rust")
    note = render_points(_answer("`bail!`의 예외 처리가 삭제되었습니다."), date=DAY, hunks=[(f, REMOVAL)])
    assert "```diff\n-" in note["content"]


def test_comments_with_no_code_near_them_are_no_snippet():
    # a Rust doc example's lines are comments; the point's sentence says what they say
    h = Hunk("@@ -1 +1 @@", ["-/// # const IGNORE: &str = stringify! {", "+/// # use thiserror::Error;"])
    assert code_snippet(h) == ([], False)
    # the comment above a declaration the hunk's context no longer reaches
    h = Hunk("@@ -74,5 +74,5 @@ class Signer(object):", [
        "     #: The digest method to use for the signer.  This defaults to",
        "-    #: SHA-512 but can be changed to any other function in the hashlib",
        "+    #: SHA1 but can be changed to any other function in the hashlib",
        "     #: module.", "     #:", "     #: .. versionadded:: 0.14"])
    assert code_snippet(h) == ([], False)
    f = FileChange(path="itsdangerous/signer.py", language="Python")
    note = render_points(_answer("`Signer`의 주석이 `SHA-512`에서 `SHA1`로 바뀌었습니다."),
                         date=DAY, hunks=[(f, h)])
    assert "```" not in note["content"] and "`SHA1`" in note["content"]


def test_code_commented_out_shows_as_removed():
    h = Hunk("@@ -1 +1 @@", ["-    check(flags)", "+    # check(flags)"])
    assert code_snippet(h) == (["-check(flags)"], True)


def test_a_changed_comment_is_shown_with_the_code_it_documents():
    h = Hunk("@@ -38,5 +38,5 @@ class HMACAlgorithm(SigningAlgorithm):", [
        "     #: The digest method to use with the MAC algorithm. This defaults to",
        "-    #: SHA-512, but can be changed to any other function in the hashlib",
        "+    #: SHA1, but can be changed to any other function in the hashlib",
        "     #: module.",
        "     default_digest_method = staticmethod(hashlib.sha1)",
    ])
    assert code_snippet(h) == (["#: SHA1, but can be changed to any other function in the hashlib",
                                "#: module.",
                                "default_digest_method = staticmethod(hashlib.sha1)"], False)
    from tilgen.note.checks import boilerplate
    assert not boilerplate("\n".join(code_snippet(h)[0]))


def test_go_import_specs_are_boilerplate():
    h = Hunk("@@ -1,3 +1,3 @@", ["-\t\"fmt\"", "+\t\"strings\"", "+\t_ \"net/http/pprof\"", " )"])
    assert code_snippet(h) == ([], False)


def test_a_long_run_shows_the_lines_that_name_what_changed():
    fields = [f"\tfield{i:02d}   int" for i in range(12)]
    h = Hunk("@@ -1,13 +1,13 @@ type FlagSet struct {",
             [f"-{ln}" for ln in fields] + ["-\tnoInterspersed bool"]
             + [f"+{ln.replace('   ', '  ')}" for ln in fields] + ["+\tinterspersed  bool"])
    lines, removed = code_snippet(h)
    assert not removed and len(lines) == 8 and lines[-1].strip() == "interspersed  bool"


def test_commit_message_bodies_are_evidence_without_their_trailers():
    from tilgen.git.changes import CommitInfo
    from tilgen.git.collect import collect_patch

    patch = ("commit 1234567890abcdef1234567890abcdef12345678\nAuthor: A <a@b.c>\n"
             "Date:   Wed Dec 2 10:00:00 2026 +0000\n\n    Use a setter\n    \n"
             "    NoInterspersed could only turn mixing off.\n    \n    Signed-off-by: A <a@b.c>\n\n"
             "diff --git a/f.go b/f.go\n--- a/f.go\n+++ b/f.go\n@@ -1 +1 @@\n-a\n+b\n")
    cs = collect_patch(patch.encode(), name="p", repo_name="r")
    assert cs.commits[0].subject == "Use a setter"
    assert cs.commits[0].body.startswith("NoInterspersed could only turn mixing off.")
    cs.date = DAY
    user = build_prompt(cs, languages=["Go"]).user
    assert "- 1234567890ab Use a setter\n  NoInterspersed could only turn mixing off." in user
    assert "Signed-off-by" not in user
    assert CommitInfo(sha="x", subject="s").body == ""


def test_removed_code_shown_as_a_diff_counts_as_grounded():
    from tilgen.note.quality import score

    f = FileChange(path="macros.rs", language="Rust", hunks=[REMOVAL])
    note = render_points(_answer("`bail!`의 `Error::msg` 예외 처리가 삭제되었습니다."), date=DAY,
                         hunks=[(f, REMOVAL)])
    s = score(note, date=DAY.isoformat(), files=[f])
    assert s.snippet_lines == 3 and s.grounded_lines == 3


REPLACE = Hunk("@@ -20,7 +20,7 @@ func wrapN(i, slop int, s string) (string, string) {", [
    " \tif i < len(s) {",
    "-\t\ts = strings.Replace(s, \"\\n\", \" \", -1)",
    "+\t\ts = strings.ReplaceAll(s, \"\\n\", \" \")",
    " \t}",
    "-\tlog.Printf(\"unrelated line about %d\", i)",
    "+\treturn wrap(slop, s), \"\"",
])


def test_a_name_swapped_in_an_edited_line_is_stated_old_to_new():
    assert ("NoInterspersed", "SetInterspersed") in pairs.replacements(SETTER)
    assert pairs.replacements(REPLACE) == [("strings.Replace", "strings.ReplaceAll")]
    line = evidence.describe(REPLACE)
    assert "swapped: `strings.Replace` became `strings.ReplaceAll`" in line
    # the swapped names are not listed again as merely new or gone
    assert "new names: `strings.ReplaceAll`" not in line
    # a removed line and an unrelated added one are no replacement
    assert not any("log.Printf" in old for old, _new in pairs.replacements(REPLACE))


def test_a_removal_or_an_addition_alone_swaps_nothing():
    assert pairs.replacements(REMOVAL) == []
    added = Hunk("@@ -0,0 +1,2 @@", ["+def retry(call):", "+    return call()"])
    assert pairs.replacements(added) == []


def test_lines_changed_only_in_whitespace_read_as_context():
    struct = Hunk("@@ -5,4 +5,4 @@ type FlagSet struct {", [
        "-\tname           string",
        "-\tparsed         bool",
        "-\tnoInterspersed bool // do not allow",
        "+\tname         string",
        "+\tparsed       bool",
        "+\tinterspersed bool // do not allow",
        " }",
    ])
    assert evidence.body(struct).splitlines() == [
        " \tname         string", " \tparsed       bool",
        "-\tnoInterspersed bool // do not allow", "+\tinterspersed bool // do not allow", " }"]
    assert "1 line removed, 1 added" in evidence.describe(struct)
    assert evidence.realigned(SETTER.lines) == SETTER.lines  # real changes stay as they are


def test_a_korean_point_must_name_some_code():
    assert not re.match(KO_SENTENCE, "코드가 더 좋아졌습니다.")
    assert not re.match(KO_SENTENCE, "`a` -> `b`로 바뀌었습니다.")  # no arrows in Korean
    assert re.match(KO_SENTENCE, "이제 `SetInterspersed`가 섞어 쓰기를 켜고 끕니다.")
    # a number ends within six digits: the 1.5B wrote a 1 and zeros to its token limit
    assert re.match(KO_SENTENCE, "`retries`를 3회에서 100000회로 늘렸습니다.")
    assert not re.match(KO_SENTENCE, "`envValue`는 " + "1" + "0" * 110 + "입니다.")
    assert not re.match(KO_SENTENCE, "`a`를 1234567개로 바꿨습니다.")
    assert not re.match(KO_SENTENCE, "`a`는 100000 , 300000 , 500000입니다.")
    assert re.match(KO_SENTENCE, "`retries`는 3회(기본값)에서 `max`의 50%로 바뀝니다.")
    schema = points_schema(2, "ko", 4)
    assert schema["properties"]["points"]["items"]["properties"]["text"]["pattern"] == KO_SENTENCE


def test_code_moved_to_another_file_is_said_to_have_moved():
    gone = Hunk("@@ -40,3 +40,0 @@", ["-pub struct Error {", "-    inner: ManuallyDrop<Box<ErrorImpl>>,", "-}"])
    came = Hunk("@@ -1,0 +1,3 @@", ["+pub struct Error {", "+    inner: ManuallyDrop<Box<ErrorImpl>>,", "+}"])
    moved = evidence.moves([("src/error.rs", [gone]), ("src/lib.rs", [came])])
    # what moved is the declaration, not the types its fields mention
    assert moved[(0, 0)] == "moved to src/lib.rs: `Error`"
    assert moved[(1, 0)].startswith("moved from src/error.rs: ")
    line = evidence.describe(gone, moved[(0, 0)])
    assert "3 lines REMOVED, nothing added; " in line and "no longer exists" not in line
    assert evidence.moves([("a.rs", [gone]), ("a.rs", [REMOVAL])]) == {}


def test_an_import_line_in_the_hunk_header_is_no_scope():
    hunk = Hunk("@@ -1,3 +1,4 @@ import childProcess from 'node:child_process';",
                ["+import { stripVTControlCharacters } from 'node:util';", " const x = 1;"])
    assert evidence.scope(hunk) == ""
    assert not evidence.describe(hunk).startswith("in ")
    assert evidence.scope(SETTER) == "func NewFlagSet(name string) *FlagSet {"


@pytest.mark.parametrize("echo", [
    "18 - 16: `type FlagSet struct {`에서 `noInterspersed`를 `interspersed`로 변경했습니다.",
    "파이썬의 코드 변경은 다음과 같습니다: 5 줄 추가, 없음, 새로운 이름: `Fixed`입니다.",
    "코드가 추가되었습니다: 13 줄이 추가되었습니다.",
])
def test_a_point_reading_back_the_prompts_hunk_line_is_meta(echo):
    from tilgen.note import checks

    assert checks.is_meta(echo)
    assert not checks.is_meta("`retry`는 실패한 호출을 3번까지 다시 시도합니다.")


def test_a_file_of_prose_lists_no_names():
    changelog = FileChange(path="CHANGES.rst", language="reStructuredText", hunks=[Hunk(
        "@@ -1,0 +1,2 @@", ["+- Fixed a name error when overriding the digest method.",
                            "+  (`#12`)"])])
    cs = ChangeSet(source="patch", repo_name="x", date=DAY, files=[changelog])
    line = build_prompt(cs, languages=[]).user.split("[#1] CHANGES.rst: ")[1].splitlines()[0]
    assert line == "2 lines added, nothing removed"


def test_the_code_span_comes_early_so_that_a_sentence_can_always_end():
    assert re.match(KO_SENTENCE, "이 변경에서 `add`는 타입 힌트를 받습니다.")
    assert not re.match(KO_SENTENCE, "코드 변경에서 한 줄을 삭제하고 `add`에 타입을 더했습니다.")


def test_a_reason_whose_negation_was_lost_in_korean_keeps_only_its_opening():
    # pflag 2e481152: "to allow non-interspersed … arguments" became "… 허용합니다"
    f = FileChange(path="flag.go", language="Go")
    answer = PointsAnswer.model_validate({"topic": "세터", "keywords": ["세터"], "points": [
        {"hunk": 1, "en": "Added `NoInterspersed` to allow non-interspersed arguments.",
         "text": "`NoInterspersed` 함수를 추가하여 `interspersed` 인자를 허용합니다."},
        {"hunk": 1, "en": "Interspersed arguments are not allowed after `NoInterspersed`.",
         "text": "`NoInterspersed` 함수를 추가하여 섞인 인자를 허용하지 않습니다."}]})
    note = render_points(answer, date=DAY, hunks=[(f, SETTER)])
    assert "- `NoInterspersed` 함수를 추가했습니다." in note["content"]
    assert "허용하지 않습니다" in note["content"]  # the Korean kept the negation: whole
    assert "인자를 허용합니다" not in note["content"]


def test_an_always_the_author_did_not_say_is_cut_from_the_reason():
    # pflag d6bb2cc8: `t.Fatal` stops the test where the flag is nil; it does not always fail
    f = FileChange(path="flag_test.go", language="Go", hunks=[SETTER])
    said = [("`t.Errorf`를 `t.Fatal`로 바꾸어 테스트 함수에서 항상 실패하도록 합니다.", 1)]
    assert reject.keep(said, reject.Proof.of([f], ["fix staticcheck linting"])) == [
        ("`t.Errorf`를 `t.Fatal`로 바꾸었습니다.", 1)]
    assert "claims more" in reject.problem(said[0][0], reject.Proof.of([f], ["lint"]))
    # the author's own "always" makes it theirs to claim
    assert reject.keep(said, reject.Proof.of([f], ["Always fail fast on a nil flag"])) == said
