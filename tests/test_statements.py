"""tilgen's own sentence for a planned point: in the place of a point the model could not
write, and after one that leaves out what a new test checks or what a removal removed."""

from __future__ import annotations

import datetime as dt
import json

from tilgen.git.changes import FileChange, Hunk
from tilgen.note.focus import Focus, plan
from tilgen.note.render import render_points
from tilgen.note.schema import PointsAnswer
from tilgen.note.statements import statement

DAY = dt.date(2026, 12, 2)

TEST = Hunk("@@ -20,0 +21,9 @@ func TestShorthandLookup(t *testing.T) {", [
    "+func TestNoInterspersed(t *testing.T) {",
    "+\tf := NewFlagSet(\"test\", ContinueOnError)",
    "+\tf.NoInterspersed()",
    "+\terr := f.Parse([]string{\"--true\", \"break\", \"--false\"})",
    "+\targs := f.Args()",
    "+\tif len(args) != 2 || args[0] != \"break\" {",
    "+\t\tt.Fatal(\"expected interspersed options/non-options to fail\")",
    "+\t}",
    "+}",
])
SWAP = Hunk("@@ -10,3 +10,3 @@ func wrap(i, w int, s string) string {", [
    " \tif w <= 0 {",
    "-\t\treturn strings.Replace(s, \"\\n\", \"\\n\"+strings.Repeat(\" \", i), -1)",
    "+\t\treturn strings.ReplaceAll(s, \"\\n\", \"\\n\"+strings.Repeat(\" \", i))",
    " \t}",
])
REMOVED = Hunk("@@ -40,6 +40,0 @@ export class Help {", [
    "-export function stripColor(str) {",
    "-  const sgrPattern = /\\x1b\\[\\d*(;\\d*)*m/g;",
    "-  return str.replace(sgrPattern, '');",
    "-}",
])


def _point(hunk: Hunk, path: str = "flag_test.go", language: str = "Go") -> Focus:
    return plan([(FileChange(path=path, language=language, hunks=[hunk]), hunk)])[0]


def test_a_new_test_is_stated_by_what_it_runs_and_checks():
    focus = _point(TEST)
    said = statement(focus)
    assert said.text == ("새 테스트 `TestNoInterspersed`는 `args := f.Args()` 실행 뒤 "
                         "`if len(args) != 2 || args[0] != \"break\" {` 검사로 결과를 확인합니다.")
    # after the model's own sentence on the test, the test is not named twice
    assert said.following("`TestNoInterspersed`는 새 테스트를 추가합니다.").startswith(
        "이 테스트는 `args := f.Args()` 실행 뒤")
    # a quote the model dropped inside the check is no loss
    assert said.following("`TestNoInterspersed`는 `if len(args) != 2 || args[0] != break {`"
                          "를 확인합니다.") == ""


def test_a_swap_and_a_removal_are_stated_in_their_direction():
    swap = statement(_point(SWAP, "flag.go"))
    before = 'return strings.Replace(s, "\\n", "\\n"+strings.Repeat(" ", i), -1)'
    # the snippet shows the line as it is; an aside says what it was (the `-1`)
    assert swap.text == ("`strings.Replace` 코드를 `strings.ReplaceAll` 코드로 "
                         f"바꿨습니다(바뀌기 전: `{before}`).")
    assert swap.aside and swap.following("`strings.Replace`를 `strings.ReplaceAll`로 바꿨습니다.") == (
        f"(바뀌기 전: `{before}`)")
    assert swap.following(f"`{before}` 줄을 바꿨습니다.") == ""
    # a line that differs by the swapped name alone says nothing more than the sentence
    same = Hunk("@@ -4,1 +4,1 @@ class Signer(object):", [
        "-        mac = hmac.new(self.secret_key, digestmod=self.digest_mod)",
        "+        mac = hmac.new(self.secret_key, digestmod=self.digest_method)",
    ])
    assert statement(_point(same, "signer.py", "Python")).following(
        "`self.digest_mod`를 `self.digest_method`로 바꾸었습니다.") == ""
    removal = statement(_point(REMOVED, "lib/help.js", "JavaScript"))
    assert removal.text == "`export function stripColor(str) {` 코드를 제거했습니다."
    assert removal.following("`stripColor`를 제거했습니다.") == removal.text
    assert removal.following("`export function stripColor(str) {`를 제거했습니다.") == ""


def test_code_no_span_can_hold_is_not_stated():
    long = Focus(1, ("x",), lines=("", "x = " + "y + " * 40 + "1"))
    ticked = Focus(1, ("greet",), lines=("", "const s = `hi ${name}`;"))
    comment = Focus(1, ("defines",), shows="The pflag package also defines some new functions")
    assert statement(long).text is None
    assert statement(ticked).text is None
    assert statement(comment).text is None  # a doc comment's words are not code


def _render(points: list[dict], focus: list[Focus], hunks: list[Hunk]) -> list[str]:
    f = FileChange(path="flag_test.go", language="Go", hunks=hunks)
    answer = PointsAnswer.model_validate({"topic": "테스트", "keywords": ["테스트"],
                                          "points": points})
    note = render_points(answer, date=DAY, hunks=[(f, h) for h in hunks],
                         stated=[statement(x) for x in focus])
    return [ln[2:] for ln in note["content"].splitlines() if ln.startswith("- ")]


def test_a_point_the_answer_lacks_is_stated_in_the_plans_order():
    swap, test = _point(SWAP, "flag.go"), _point(TEST)
    swap, test = Focus(1, swap.names, swap.swap), Focus(2, test.names, shows=test.shows,
                                                            checks=test.checks)
    bullets = _render([{"hunk": 2, "text": "`TestNoInterspersed`는 `args := f.Args()` 뒤 "
                        "`if len(args) != 2 || args[0] != \"break\" {`를 확인합니다."}],
                      [swap, test], [SWAP, TEST])
    assert bullets == ["`strings.Replace` 코드를 `strings.ReplaceAll` 코드로 바꿨습니다.",
                       "`TestNoInterspersed`는 `args := f.Args()` 뒤 "
                       "`if len(args) != 2 || args[0] != \"break\" {`를 확인합니다."]


def test_a_point_leaving_out_the_tests_check_is_followed_by_it():
    test = _point(TEST)
    test = Focus(1, test.names, shows=test.shows, checks=test.checks)
    bullets = _render([{"hunk": 1, "text": "`TestNoInterspersed`는 새로운 테스트를 추가합니다."}],
                      [test], [TEST])
    assert bullets == ["`TestNoInterspersed`는 새로운 테스트를 추가합니다. 이 테스트는 "
                       "`args := f.Args()` 실행 뒤 `if len(args) != 2 || args[0] != \"break\" {` "
                       "검사로 결과를 확인합니다."]


CONVERT = Hunk("@@ -0,0 +1,9 @@", [
    "+#[test]",
    "+fn test_convert() {",
    "+    let has_dropped = Flag::new();",
    "+    let error = Error::new(DetectDrop::new(&has_dropped));",
    "+    let box_dyn = Box::<dyn StdError + Send + Sync>::from(error);",
    "+    assert_eq!(\"oh no!\", box_dyn.to_string());",
    "+    drop(box_dyn);",
    "+    assert!(has_dropped.get());",
    "+}",
])


def test_a_tests_second_check_is_said_where_the_sentence_leaves_it_out():
    said = statement(_point(CONVERT, "tests/test_convert.rs", "Rust"))
    assert said.text == (
        "새 테스트 `test_convert`는 `let box_dyn = Box::<dyn StdError + Send + Sync>::from(error);`"
        " 실행 뒤 `assert_eq!(\"oh no!\", box_dyn.to_string());` 검사, `drop(box_dyn);` 실행 뒤 "
        "`assert!(has_dropped.get());` 검사로 결과를 확인합니다.")
    first = "`test_convert`는 `assert_eq!(\"oh no!\", box_dyn.to_string());`를 검사합니다."
    assert said.following(first) == ("이 테스트는 `drop(box_dyn);` 실행 뒤 "
                                      "`assert!(has_dropped.get());` 검사로 결과를 확인합니다.")
    assert said.following(first + " `assert!(has_dropped.get())`도 확인합니다.") == ""


def test_a_sentence_with_a_garbled_word_keeps_its_opening_or_gives_way_to_tilgens():
    from tilgen.note import korean

    swap = _point(SWAP, "flag.go")
    swap = Focus(1, swap.names, swap.swap)
    test = _point(TEST)
    test = Focus(2, test.names, shows=test.shows, checks=test.checks)
    f = FileChange(path="flag_test.go", language="Go", hunks=[SWAP, TEST])
    answer = PointsAnswer.model_validate({"topic": "테스트", "keywords": ["테스트"], "points": [
        {"hunk": 1, "text": "`strings.Replace`를 `strings.ReplaceAll`로 바꾸어 랜더러가 "
                            "간결해졌습니다."},
        {"hunk": 2, "text": "`TestNoInterspersed`는 인터스프레스된 옵션을 검사합니다."}]})
    note = render_points(answer, date=DAY, hunks=[(f, SWAP), (f, TEST)],
                         stated=[statement(swap), statement(test)], garbled=korean.garbled)
    bullets = [ln[2:] for ln in note["content"].splitlines() if ln.startswith("- ")]
    assert bullets == ["`strings.Replace`를 `strings.ReplaceAll`로 바꾸었습니다.",
                       statement(test).text]
    # a clean sentence stays as it was written
    assert korean.garbled("`strings.Replace`를 `strings.ReplaceAll`로 바꾸어 간결해졌습니다.") == []


def test_a_reason_naming_another_points_code_is_cut_to_its_opening():
    # javapoet 35c59c5a: the test moved to `emitEnumValues` because `emitLastEnumValue`
    # went private; the 1.5B told it the other way round
    private = Focus(1, ("emitLastEnumValue",), modifier=("emitLastEnumValue", "public", "private"))
    test = Focus(2, ("javaWriter.emitEnumValue", "javaWriter.emitEnumValues"),
                 swap=("javaWriter.emitEnumValue", "javaWriter.emitEnumValues"))
    linked = ("`javaWriter.emitEnumValue`를 `javaWriter.emitEnumValues`로 바꾸어 "
              "`emitLastEnumValue`가 이제 프라이빗이 되었습니다.")
    own = "`emitLastEnumValue`를 `private`로 바꾸어 `emitLastEnumValue`를 감춥니다."
    bullets = _render([{"hunk": 1, "text": own}, {"hunk": 2, "text": linked}], [private, test],
                      [Hunk("@@ -1 +1 @@", ["-a", "+b"])] * 2)
    assert bullets == [own, "`javaWriter.emitEnumValue`를 `javaWriter.emitEnumValues`로 바꾸었습니다."]
    # what a removed function's calls use now is its own point's, not another's
    removed = Focus(1, ("stripColor",), removed=True, successor="stripVTControlCharacters")
    swap = Focus(2, ("stripColor", "stripVTControlCharacters"),
                 swap=("stripColor", "stripVTControlCharacters"))
    told = "`stripColor`를 제거하여 `node:util`의 `stripVTControlCharacters`로 대체합니다."
    assert _render([{"hunk": 1, "text": told}], [removed, swap],
                   [Hunk("@@ -1 +1 @@", ["-a", "+b"])] * 2)[0] == told


def test_a_revert_is_said_first_with_the_change_it_undoes():
    from tilgen.compose import _to_note
    from tilgen.config.settings import Settings
    from tilgen.git.changes import ChangeSet, CommitInfo
    from tilgen.note import schema
    from tilgen.note.checks import is_meta
    from tilgen.note.prompt import build_prompt

    check = Hunk("@@ -676,5 +673,0 @@ Command.prototype.parseOptions = function(argv) {", [
        "-  if (len === 0) {", "-    this.optionMissingArgument(option);", "-  }"])
    f = FileChange(path="index.js", language="JavaScript", hunks=[check])

    def bullets(subject: str, text: str) -> list[str]:
        cs = ChangeSet(source="commit ce35c35e", repo_name="commander.js", date=DAY, files=[f],
                       commits=[CommitInfo(sha="ce35c35e", subject=subject)])
        answer = json.dumps({"topic": "옵션 검사", "keywords": ["옵션", "검사"], "points": [
            {"hunk": 1, "en": "Removed the check.", "text": text}]}, ensure_ascii=False)
        note = _to_note(answer, cs, build_prompt(cs, languages=["JavaScript"]), Settings())
        return schema.bullets(note.content)

    revert = 'Revert "For a required option, throw an error when the flag is not given."'
    long = ("`optionMissingArgument` 호출을 제거했으므로 필수 값을 갖는 옵션을 명령줄에서 아예 "
            "주지 않아도 이제 에러가 나지 않고, 플래그를 줄 때만 값이 있어야 합니다.")
    said = bullets(revert, long)
    assert said == ['앞서 들어간 "For a required option, throw an error when the flag is not '
                    'given." 변경을 되돌렸습니다(revert). 그 변경이 더한 코드는 더 이상 없고, '
                    "고친 코드는 그 전으로 돌아갔습니다.", long]
    assert not is_meta(said[0])
    # a short note stays mostly Korean: the revert is said without the English subject
    short = "`optionMissingArgument` 호출을 제거했습니다."
    assert bullets(revert, short) == ["앞서 들어간 변경을 되돌렸습니다(revert). 그 변경이 더한 "
                                      "코드는 더 이상 없고, 고친 코드는 그 전으로 돌아갔습니다.",
                                      short]
    assert bullets("Check required options", short) == [short]  # no revert, none said


def test_the_title_names_the_plans_most_telling_point():
    swap, test = _point(SWAP, "flag.go"), _point(TEST)
    assert statement(swap).title == "`strings.Replace` 대신 `strings.ReplaceAll`"
    assert statement(test).title == "새 테스트 `TestNoInterspersed`"
    assert statement(_point(REMOVED, "lib/help.js", "JavaScript")).title == "`stripColor` 제거"
    # a line of code is no title
    assert statement(Focus(1, ("x",), swap=("a = b(c)", "a = d(c)"))).title is None
    f = FileChange(path="flag.go", language="Go", hunks=[SWAP])
    answer = PointsAnswer.model_validate({"topic": "Go code refactoring",
                                          "keywords": ["코드 리팩토링", "구조 변경"], "points": [
        {"hunk": 1, "text": "`strings.Replace`를 `strings.ReplaceAll`로 바꿨습니다."}]})
    titled = render_points(answer, date=DAY, hunks=[(f, SWAP)], stated=[statement(swap)])
    assert titled["title"] == "2026-12-02 TIL - `strings.Replace` 대신 `strings.ReplaceAll`"
    # without a plan, the model's keywords name it, as before
    assert render_points(answer, date=DAY, hunks=[(f, SWAP)])["title"] == (
        "2026-12-02 TIL - 코드 리팩토링과 구조 변경")
    # a topic the model wrote in Korean is its own title
    korean = PointsAnswer.model_validate({**answer.model_dump(), "topic": "문자열 치환 정리"})
    assert render_points(korean, date=DAY, hunks=[(f, SWAP)], stated=[statement(swap)])[
        "title"] == "2026-12-02 TIL - 문자열 치환 정리"


def test_new_prose_is_said_to_be_there_and_the_plans_words_read_back_are_not_kept():
    # itsdangerous d2250ed8: "텍스트는 이제 `'Mark top-level names as exported sotype` 확인을
    # 위해 …" read the plan's "the text now says" back, garbled; the snippet shows the words
    changelog = Hunk("@@ -1,0 +2,4 @@", ["+Version 2.0.0", "+-------------", "+",
                                        "+-   Mark top-level names as exported so type "
                                        "checking understands imports in user projects."])
    code = Hunk("@@ -5 +5 @@ def loads(payload):", ["-    return json.loads(payload)",
                                                      "+    return _json.loads(payload)"])
    doc = FileChange(path="CHANGES.rst", language="reStructuredText", hunks=[changelog])
    src = FileChange(path="src/itsdangerous/_json.py", language="Python", hunks=[code])
    points = plan([(doc, changelog), (src, code)])
    prose = next(p for p in points if not p.names)
    assert statement(prose, doc).text == "`CHANGES.rst`에 새 글이 들어갔습니다."
    script = FileChange(path="examples/pm", language=None, hunks=[changelog])
    assert statement(prose, script).text is None  # a script without a suffix is no document
    answer = PointsAnswer.model_validate({"topic": "JSON", "keywords": ["타입 검사"], "points": [
        {"hunk": p.hunk, "text": "텍스트는 이제 `'Mark top-level names as exported sotype` "
                                  "확인을 위해 설정합니다." if p is prose else
         "`json.loads`를 `_json.loads`로 바꿨습니다."} for p in points]})
    hunks = [(doc, changelog), (src, code)]
    note = render_points(answer, date=DAY, hunks=hunks,
                         stated=[statement(p, hunks[p.hunk - 1][0]) for p in points])
    assert "텍스트는 이제" not in note["content"]
    assert "- `CHANGES.rst`에 새 글이 들어갔습니다." in note["content"]
    assert "Mark top-level names as exported" in note["content"]  # in its snippet


def test_a_code_span_the_grammar_cut_is_completed_or_its_reason_dropped():
    # itsdangerous d3fef96c: the grammar's 40 characters cut "`mac = hmac.new(self.secret_key,
    # digestmo`", and the line before and after the change both go on from there
    from tilgen.note.reject import Proof, completed

    key = Hunk("@@ -80,2 +80,2 @@ def derive_key(self):", [
        "-            mac = hmac.new(self.secret_key, digestmod=self.digest_mod)",
        "+            mac = hmac.new(self.secret_key, digestmod=self.digest_method)"])
    gone = Hunk("@@ -1,3 +0,0 @@", ["-console.error = function () {", "-};", "-"])
    proof = Proof.of([FileChange(path="src/itsdangerous/signer.py", language="Python",
                                 hunks=[key]),
                      FileChange(path="test/test.options.args.required.no.given.js",
                                 language="JavaScript", hunks=[gone])])
    cut = "`test/test.options.args.required.no.given`"
    assert completed(f"`console.error`를 제거하여 {cut}의 출력을 막습니다.", proof) == (
        "`console.error`를 제거하여 `test/test.options.args.required.no.given.js`의 출력을 "
        "막습니다.")
    told = ("`self.digest_mod`를 `self.digest_method`로 바꾸어 `mac = hmac.new(self.secret_key, "
            "digestmo`는 `hmac.new(self.secret_key, digestmod=self`가 됩니다.")
    assert completed(told, proof) == "`self.digest_mod`를 `self.digest_method`로 바꾸었습니다."
    # forty characters that end where their line does were not cut
    line = "javaWriter.emitImports(ArrayList.class);"
    test = Hunk("@@ -1,0 +1,1 @@", [f"+    {line}"])
    whole = f"`{line}`를 호출합니다."
    assert len(line) == 40 and completed(whole, Proof.of([FileChange(
        path="JavaWriterTest.java", language="Java", hunks=[test])])) == whole


def test_a_list_of_names_copied_from_the_plan_in_front_of_a_sentence_goes():
    from tilgen.note.reject import unlisted

    assert unlisted("`command._alias`, `command` - 명령어의 마지막 명령에 `_alias` 속성을 "
                    "설정합니다.") == "명령어의 마지막 명령에 `_alias` 속성을 설정합니다."
    assert unlisted("`Shortcut string // one-letter abbreviated flag` (`Shortcut`, `Flag`) - "
                    "`Shortcut` 필드를 추가합니다.") == "`Shortcut` 필드를 추가합니다."
    assert unlisted("`a`, `TestB` (1) 추가: `a`를 끕니다.") == "`a`를 끕니다."
    # one name and the sentence about it: where it happens stays
    kept = "`TestNoInterspersed(t *testing.T)`: `f.NoInterspersed()`를 바꾸었습니다."
    assert unlisted(kept) == kept
    # nothing names code after the list: the point stays as written
    assert unlisted("`a`, `b` - 두 이름을 바꿨습니다.") == "`a`, `b` - 두 이름을 바꿨습니다."


def test_a_sentence_that_says_nothing_but_that_code_changed_gives_way_to_tilgens():
    from tilgen.note import korean

    assert korean.says_nothing("`cmd.should.equal('exec1');` (코드 변경)입니다.")
    assert korean.says_nothing("`Modifier`와 `Set`를 제거하고 `Set<Modifier>`를 추가하는 부분을 "
                               "변경했습니다.")
    assert not korean.says_nothing("`envValue`와 `cmdValue`를 초기화하여 명령 줄 인자를 파싱하기 "
                                   "전에 추가합니다.")
    assert not korean.says_nothing("`strings.Replace`를 `strings.ReplaceAll`로 바꾸었습니다.")
    swap = _point(SWAP, "flag.go")
    swap = Focus(1, swap.names, swap.swap)
    f = FileChange(path="flag.go", language="Go", hunks=[SWAP])

    def bullets(text: str) -> list[str]:
        answer = PointsAnswer.model_validate({"topic": "문자열", "keywords": ["문자열"],
                                              "points": [{"hunk": 1, "text": text}]})
        note = render_points(answer, date=DAY, hunks=[(f, SWAP)], stated=[statement(swap)],
                             garbled=korean.garbled, says_nothing=korean.says_nothing)
        return [ln[2:] for ln in note["content"].splitlines() if ln.startswith("- ")]

    assert bullets("`strings.Replace` 부분을 변경했습니다.") == [statement(swap).text]
    kept = "`strings.Replace`를 `strings.ReplaceAll`로 바꾸어 간결해졌습니다."
    assert bullets(kept) == [kept]


LOOP = Hunk("@@ -90,5 +90,3 @@ func (s *stringArrayValue) Replace(val []string) error {", [
    " \tout := make([]string, len(val))",
    "-\tfor i, d := range val {",
    "-\t\tout[i] = d",
    "-\t}",
    "+\tcopy(out, val)",
    " \ts.value = &out",
])
PRIVATE = Hunk("@@ -300,3 +300,3 @@ public class JavaWriter implements Closeable {", [
    "   /** Emit the last enum value followed by a semicolon. */",
    "-  public JavaWriter emitLastEnumValue(String name) throws IOException {",
    "+  private JavaWriter emitLastEnumValue(String name) throws IOException {",
    "     indent();",
])
CALLS = Hunk("@@ -40,4 +40,3 @@ public final class JavaWriterTest {", [
    "     javaWriter.beginType(\"com.squareup.Foo\", \"enum\", EnumSet.of(PUBLIC));",
    "-    javaWriter.emitEnumValue(\"BAR\");",
    "-    javaWriter.emitLastEnumValue(\"BAZ\");",
    "+    javaWriter.emitEnumValues(Arrays.asList(\"BAR\", \"BAZ\"));",
    "     javaWriter.endType();",
])


def test_a_loop_replaced_is_called_a_loop():
    assert statement(_point(LOOP, "flag.go")).text == (
        "`for i, d := range val { out[i] = d }` 루프를 `copy(out, val)` 코드로 바꿨습니다.")
    # where the plan says it came in place of the loop's first line (pflag d6bb2cc8)
    instead = Focus(1, ("copy",), shows="copy(out, val)", instead="for i, d := range val {")
    assert statement(instead).text == (
        "`for i, d := range val {` 루프가 있던 자리에 `copy(out, val)` 코드가 들어갔습니다.")


def test_a_declaration_made_private_says_what_its_calls_became():
    files = [FileChange(path="JavaWriter.java", language="Java", hunks=[PRIVATE]),
             FileChange(path="JavaWriterTest.java", language="Java", hunks=[CALLS])]
    chosen = plan([(f, h) for f in files for h in f.hunks])
    hidden = next(c for c in chosen if c.modifier)
    said = statement(hidden)
    assert said.text == ("`emitLastEnumValue` 선언은 이제 `private`입니다(이전에는 `public`). "
                         "`emitLastEnumValue` 호출은 이제 `javaWriter.emitEnumValues` 호출로 "
                         "바뀌었습니다.")
    assert said.following("`emitLastEnumValue`를 `private`로 바꾸었습니다.") == (
        "`emitLastEnumValue` 호출은 이제 `javaWriter.emitEnumValues` 호출로 바뀌었습니다.")
    # made private with no call changed elsewhere: nothing more to say
    alone = plan([(files[0], PRIVATE)])[0]
    assert statement(alone).following("`emitLastEnumValue`를 `private`로 바꾸었습니다.") == ""


def _stated(hunk: Hunk, path: str, language: str):
    """tilgen's statement of the one point planned for ``hunk`` in a file of ``language``."""
    f = FileChange(path=path, language=language, hunks=[hunk])
    return statement(plan([(f, hunk)])[0], f)


def test_a_python_test_set_to_none_is_said_to_be_turned_off():
    # itsdangerous 85618914: told only that the line came in, the 1.5B wrote that a new
    # test was added; the subclass turns the test it inherits off
    off = Hunk("@@ -300,0 +301,2 @@ class TestJWSSerializer(TestSerializer):", [
        "+    test_iter_unsigners = None",
        "+",
    ])
    said = _stated(off, "tests/test_itsdangerous.py", "Python")
    assert said.decisive and said.text == (
        "`TestJWSSerializer`에서는 `test_iter_unsigners = None` 대입으로 물려받은 "
        "`test_iter_unsigners` 테스트를 실행하지 않습니다.")
    answer = PointsAnswer.model_validate({"topic": "테스트", "keywords": ["테스트"], "points": [
        {"hunk": 1, "text": "`test_iter_unsigners` 메서드의 동작을 확인하는 새로운 테스트를 추가했습니다."}]})
    f = FileChange(path="tests/test_itsdangerous.py", language="Python", hunks=[off])
    note = render_points(answer, date=DAY, hunks=[(f, off)], stated=[said])
    assert "새로운 테스트" not in note["content"] and said.text in note["content"]
    # the same line outside a class, or in another language, is no such thing
    assert not _stated(off, "a.rb", "Ruby").decisive


def test_a_go_literal_that_now_names_its_fields_is_stated():
    keyed = Hunk("@@ -359,7 +359,13 @@ func (f *FlagSet) Var(value Value, name string, usage string) {", [
        " func (f *FlagSet) VarP(value Value, name, shorthand, usage string) {",
        "-\tflag := &Flag{name, shorthand, usage, value, value.String(), false, make(map[string][]string)}",
        "+\tflag := &Flag{",
        "+\t\tName:      name,",
        "+\t\tShorthand: shorthand,",
        "+\t\tUsage:     usage,",
        "+\t\tValue:     value,",
        "+\t\tDefValue:  value.String(),",
        "+\t}",
        " \tf.AddFlag(flag)",
    ])
    said = _stated(keyed, "flag.go", "Go")
    assert said.decisive and said.text == (
        "`Flag` 구조체 리터럴은 이제 값을 필드 순서대로 나열하지 않고 필드 이름(`Name:`, "
        "`Shorthand:`, `Usage:` …)으로 채웁니다. 빠진 값(`false`, `make(map[string][]string)`)의 "
        "필드는 이제 제로값입니다.")
    # Rust's `Flag { name, usage }` is keyed already (field init shorthand): not for Rust
    assert not _stated(keyed, "flag.rs", "Rust").decisive


def test_a_rust_test_that_passes_by_compiling_says_what_it_checks():
    # anyhow a85e414b: told it "runs" the bounded function and "checks" the call, the 1.5B
    # wrote that the test runs `assert_unwind_safe::<Error>()`
    bounded = Hunk("@@ -13,3 +14,9 @@ fn test_sync() {", [
        "+",
        "+#[test]",
        "+fn test_unwind_safe() {",
        "+    fn assert_unwind_safe<T: UnwindSafe>() {}",
        "+    assert_unwind_safe::<Error>();",
        "+}",
    ])
    said = _stated(bounded, "tests/test_autotrait.rs", "Rust")
    assert said.decisive and said.text == (
        "새 테스트 `test_unwind_safe`는 `Error` 타입이 `UnwindSafe` 트레이트를 구현하는지 "
        "컴파일 타임에 확인합니다. `assert_unwind_safe::<Error>()` 호출은 그 트레이트를 구현한 "
        "타입에만 컴파일됩니다.")
    # a test that calls a function it did not bound checks at run time: said as before
    runs = Hunk("@@ -1,0 +1,4 @@", [
        "+#[test]",
        "+fn test_len() {",
        "+    let v = make();",
        "+    assert_eq!(v.len(), 2);",
        "+}",
    ])
    assert not _stated(runs, "tests/test_len.rs", "Rust").decisive


def test_a_hunk_that_only_reformats_is_said_to_change_nothing_else():
    # itsdangerous e569397e ("Stylecheck"): the 1.5B wrote "`secret_key`는 새로운 값으로
    # 대체되었습니다"; Black changed quotes, trailing commas and line breaks
    black = Hunk("@@ -147,6 +147,6 @@ class TestSerializer(object):", [
        "     def test_digests(self):",
        "         sha1_value = Serializer(",
        "-            secret_key='dev key',",
        "-            signer_kwargs={'digest_method': hashlib.sha1}",
        "+            secret_key=\"dev key\", signer_kwargs={\"digest_method\": hashlib.sha1},",
        "         ).dumps([42])",
        "-        assert sha1_value == '[42].-9cNi0CxsSB3hZPNCe9a2eEs1ZM'",
        "+        assert sha1_value == (",
        "+            \"[42].-9cNi0CxsS\"",
        "+            \"B3hZPNCe9a2eEs1ZM\"",
        "+        )",
    ])
    said = _stated(black, "tests/test_serializer.py", "Python")
    assert said.decisive and said.text == (
        "`test_digests`의 코드(`secret_key`, `signer_kwargs` …)는 따옴표, 끝 쉼표, 줄 나눔만 "
        "바뀌었습니다. 동작은 그대로입니다.")
    # a raw string that no longer escapes its quotes (itsdangerous c880f85c)
    raw = Hunk("@@ -7,1 +7,1 @@ with io.open(\"README.rst\", \"rt\", encoding=\"utf8\") as f:", [
        "-    version = re.search(r\"__version__ = \\\"(.*?)\\\"\", f.read()).group(1)",
        "+    version = re.search(r'__version__ = \"(.*?)\"', f.read()).group(1)",
    ])
    said = _stated(raw, "setup.py", "Python")
    assert said.text == ("`version = re.search(r'__version__ = \"(.*?)\"', f.read()).group(1)` 줄은 "
                         "따옴표, 이스케이프만 바뀌었습니다. 바깥 따옴표를 바꿔 안쪽 따옴표를 "
                         "이스케이프하지 않아도 됩니다.")
    # `("a",)` is a tuple, `("a")` the string: a comma that makes a tuple is code
    tuple_ = Hunk("@@ -1,1 +1,1 @@ def names():", ["-    return (\"a\",)", "+    return (\"a\")"])
    assert not _stated(tuple_, "names.py", "Python").decisive
    # one value changed among the reformatting: no such statement
    changed = Hunk(black.header, [ln.replace("9cNi0CxsS", "9cNi0CxsT") if ln.startswith("+")
                                  else ln for ln in black.lines])
    assert not _stated(changed, "tests/test_serializer.py", "Python").decisive
