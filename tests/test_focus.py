"""The points follow tilgen's plan: one per telling hunk, each opening with that hunk's names."""

from __future__ import annotations

import datetime as dt
import re

from tilgen.git.changes import ChangeSet, FileChange, Hunk
from tilgen.note import declarations, evidence, pairs, quotes
from tilgen.note.focus import plan, scope_name, sentence_pattern
from tilgen.note.prompt import build_prompt
from tilgen.note.quotes import comment_change
from tilgen.note.schema import points_schema

DAY = dt.date(2026, 12, 2)

WRAP = Hunk("@@ -10,3 +10,3 @@ func wrap(i, w int, s string) string {", [
    " \tif w <= 0 {",
    "-\t\treturn strings.Replace(s, \"\\n\", \"\\n\"+strings.Repeat(\" \", i), -1)",
    "+\t\treturn strings.ReplaceAll(s, \"\\n\", \"\\n\"+strings.Repeat(\" \", i))",
    " \t}",
])
WRAP_N = Hunk("@@ -40,3 +40,3 @@ func wrapN(i, slop int, s string) (string, string) {", [
    "-\t\treturn strings.Replace(s, \"\\n\", \"\", -1), \"\"",
    "+\t\treturn strings.ReplaceAll(s, \"\\n\", \"\"), \"\"",
])
FATAL = Hunk("@@ -70,4 +70,4 @@ func TestShorthandLookup(t *testing.T) {", [
    " \tflag := f.ShorthandLookup(\"a\")",
    " \tif flag == nil {",
    "-\t\tt.Errorf(\"f.ShorthandLookup(\\\"a\\\") returned nil\")",
    "+\t\tt.Fatal(\"f.ShorthandLookup(\\\"a\\\") returned nil\")",
    " \t}",
])
REALIGNED = Hunk("@@ -5,2 +5,2 @@ type FlagSet struct {", [
    "-\targs []string",
    "+\targs  []string",
])
COPY = Hunk("@@ -90,5 +90,3 @@ func (s *stringArrayValue) Append(val string) error {", [
    "-\tfor i, d := range val {",
    "-\t\tout[i] = d",
    "-\t}",
    "+\tcopy(out, val)",
])
GONE = Hunk("@@ -30,4 +30,0 @@ func (f *FlagSet) parseArgs(args []string) error {", [
    "-\tif f.noInterspersed {",
    "-\t\tf.stopAfterFirst(args)",
    "-\t}",
])
CHANGELOG = Hunk("@@ -1,1 +1,2 @@", ["+- Use ReplaceAll everywhere.", " Version 1.0"])


def _files():
    return [FileChange(path="flag.go", language="Go", hunks=[REALIGNED, WRAP, WRAP_N, COPY]),
            FileChange(path="flag_test.go", language="Go", hunks=[FATAL]),
            FileChange(path="CHANGES.md", language="Markdown", hunks=[CHANGELOG])]


def _hunks():
    return [(f, h) for f in _files() for h in f.hunks]


def test_the_plan_takes_each_swap_once_and_leaves_whitespace_and_prose_for_last():
    chosen = plan(_hunks())
    numbers = [c.hunk for c in chosen]
    assert 1 not in numbers  # the realigned field changed only in whitespace
    assert numbers[:2] == [2, 5]  # the two swaps, most telling first
    assert 3 not in numbers  # the same swap in wrapN is not a lesson of its own
    assert chosen[0].swap == ("strings.Replace", "strings.ReplaceAll")
    assert chosen[1].swap == ("t.Errorf", "t.Fatal")
    assert numbers[2] == 4 and "copy" in chosen[2].names
    assert len(chosen) <= 4


def test_a_point_about_a_swap_must_open_with_the_old_name():
    swap = plan(_hunks())[0]
    pattern = sentence_pattern(swap)
    assert re.match(pattern, "`strings.Replace`를 `strings.ReplaceAll`로 바꿔 의도를 드러냅니다.")
    assert re.match(pattern, "`strings.Replace(s, o, n, -1)`를 `strings.ReplaceAll(s, o, n)`으로 "
                             "바꿔 `-1` 없이 모두 치환합니다.")
    assert not re.match(pattern, "`strings.Replace`를 `strings.ReplaceAll`로 바꾸었습니다.")  # and?
    assert not re.match(pattern, "`strings.Replace`를 `字符串替换`로 바꿔 치환합니다.")  # ASCII code
    assert not re.match(pattern, "새로운 필드 `strings.Replace`를 추가합니다.")  # backwards
    assert not re.match(pattern, "`strings.Replace`를 추가합니다.")
    assert not re.match(pattern, "`strings.ReplaceAll`이 `strings.Replace`를 대신합니다.")
    assert not re.match(pattern, "문자열 치환 함수를 바꿨습니다.")  # names nothing
    assert not re.match(pattern, "16:59 - `strings.Replace`를 `strings.ReplaceAll`로 바꿨습니다.")


def test_a_point_without_a_swap_opens_with_one_of_its_hunks_names():
    copy = plan(_hunks())[2]
    pattern = sentence_pattern(copy)
    assert re.match(pattern, "`copy(out, val)`는 원소를 하나씩 대입하던 루프를 대신합니다.")
    assert not re.match(pattern, "`duration_slicego:copy`는 원소를 옮깁니다.")  # no made-up qualifier
    assert not re.match(pattern, "`strings.Replace`를 바꿨습니다.")  # another hunk's name


def test_the_schema_fixes_one_point_per_plan_line_with_its_hunk():
    cs = ChangeSet(source="patch", repo_name="pflag", date=DAY,
                   files=_files())
    prompt = build_prompt(cs, languages=["Go"])
    assert prompt.focus == plan(prompt.hunks)
    assert "Plan: write exactly 3 points, in this order:" in prompt.user
    assert "1. hunk [#2] in `func wrap(i, w int, s string) string {`: " \
           "`strings.Replace` became `strings.ReplaceAll`" in prompt.user
    points = points_schema(len(prompt.hunks), "ko", 4, prompt.focus)["properties"]["points"]
    assert points["items"] is False and points["minItems"] == points["maxItems"] == 3
    assert [p["properties"]["hunk"] for p in points["prefixItems"]] == [
        {"const": 2}, {"const": 5}, {"const": 4}]
    # a cut answer asks again for fewer points: the first ones of the plan
    assert len(points_schema(6, "ko", 2, prompt.focus)["properties"]["points"]["prefixItems"]) == 2


def test_names_reach_the_grammar_without_escapes_llama_cpp_cannot_read():
    # llama.cpp's pattern converter refuses "\." (its grammar then fails to load): signs in a
    # name become character classes; the escapes left are the ones llama.cpp's grammar reads
    # inside a class.
    swap = plan(_hunks())[0]
    escapes = {m for p in _patterns(points_schema(6, "ko", 4, [swap]))
               for m in re.findall(r"\\(.)", p)}
    assert escapes <= {"n", '"', "\\", "[", "]"}, escapes
    assert "strings[.]Replace" in sentence_pattern(swap)


def _patterns(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from ([value] if key == "pattern" else _patterns(value))
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


def test_scope_names_are_the_function_or_type_a_hunk_header_names():
    assert scope_name("func (f *FlagSet) parseArgs(args []string) error {") == "parseArgs"
    assert scope_name("type FlagSet struct {") == "FlagSet"
    assert scope_name("public final class ClassName extends TypeName {") == "ClassName"
    assert scope_name("impl Display for DetectDrop {") == "Display"
    assert scope_name("def sign(self, value):") == "sign"
    assert scope_name("if (x) {") == ""


def test_a_point_about_code_that_is_only_removed_says_it_is_gone():
    f = FileChange(path="flag.go", language="Go", hunks=[GONE])
    [gone] = [c for c in plan([(f, GONE)]) if c.removed]
    assert "REMOVED `f.noInterspersed`" in gone.plan_line() or "REMOVED `" in gone.plan_line()
    pattern = sentence_pattern(gone)
    assert re.match(pattern, "`f.stopAfterFirst`를 제거해 첫 인자에서 멈추지 않습니다.")
    assert not re.match(pattern, "새 함수 `f.stopAfterFirst`를 추가했습니다.")
    assert not re.match(pattern, "`f.stopAfterFirst`를 추가했습니다.")


def test_a_declaration_whose_modifiers_changed_is_a_point_of_its_own():
    private = Hunk("@@ -60,3 +60,3 @@ public class JavaWriter implements Closeable {", [
        "-  public JavaWriter emitLastEnumValue(String name) throws IOException {",
        "+  private JavaWriter emitLastEnumValue(String name) throws IOException {",
        "     return this;",
    ])
    f = FileChange(path="JavaWriter.java", language="Java", hunks=[private])
    assert declarations.modifier_changes(private) == [("emitLastEnumValue", "public", "private")]
    assert declarations.said(private) == ["`emitLastEnumValue` is now `private` (was `public`)"]
    [point] = plan([(f, private)])
    assert point.modifier and "is now `private`" in point.plan_line()
    pattern = sentence_pattern(point)
    assert re.match(pattern, "`emitLastEnumValue`를 `private`로 바꿔 밖에서 부를 수 없게 했습니다.")
    assert not re.match(pattern, "`JavaWriter`는 `emitLastEnumValue`를 숨깁니다.")
    # the direction is the change's: the 1.5B wrote this of a method made private
    assert not re.match(pattern, "`emitLastEnumValue`는 `public`가 되었으므로 `private`로 변경되었습니다.")
    assert not re.match(pattern, "`emitLastEnumValue`를 `public`로 바꿔 공개합니다.")
    rust = Hunk("@@ -1,2 +1,2 @@", [" #[repr(C)]", "-struct ErrorImpl<E> {",
                                     "+pub(crate) struct ErrorImpl<E> {"])
    assert declarations.modifier_changes(rust) == [("ErrorImpl", "", "pub(crate)")]


def test_a_removed_override_is_named_by_its_method():
    gone = Hunk("@@ -20,6 +20,3 @@ public final class ArrayTypeName extends TypeName {", [
        "-  @Override public ArrayTypeName annotated(AnnotationSpec... annotations) {",
        "-    return annotated(Arrays.asList(annotations));",
        "-  }",
        "   @Override public ArrayTypeName annotated(List<AnnotationSpec> annotations) {",
    ])
    f = FileChange(path="ArrayTypeName.java", language="Java", hunks=[gone])
    [point] = plan([(f, gone)])
    assert point.removed and point.names[0] == "annotated"
    assert declarations.declared(["process.on('exit', function (code) {"]) == []  # a call


def test_a_swap_may_also_be_told_as_the_new_name_used_instead_of_the_old():
    pattern = sentence_pattern(plan(_hunks())[0])
    assert re.match(pattern, "`strings.Replace` 대신 `strings.ReplaceAll`를 사용해 의도를 드러냅니다.")
    assert not re.match(pattern, "`strings.ReplaceAll` 대신 `strings.Replace`를 사용해 치환합니다.")


def test_nothing_comes_before_a_points_name():
    pattern = sentence_pattern(plan(_hunks())[2])
    assert not re.match(pattern, "명령어 인터페이스 개선`copy(out, val)`는 루프를 대신합니다.")


def test_a_small_change_is_planned_with_its_code():
    copy = plan(_hunks())[2]
    assert copy.lines == ("for i, d := range val { out[i] = d }", "copy(out, val)")
    assert "`for i, d := range val { out[i] = d }` became `copy(out, val)`" in copy.plan_line()


ALIAS = Hunk("@@ -5,6 +5,8 @@ Command.prototype.description = function(str) {", [
    " Command.prototype.alias = function(alias) {",
    "-  if (0 == arguments.length) return this._alias;",
    "+  var command = this.commands[this.commands.length - 1];",
    "+  if (0 == arguments.length) return command._alias;",
    "   return this;",
])
PARSE = Hunk("@@ -40,2 +40,4 @@ Command.prototype.parse = function(argv) {", [
    "   var name = result.args[0];",
    "+  var aliasCommand = this.commands.filter(function(c) { return c.alias() === name; })[0];",
    "+  if (aliasCommand !== undefined) return this.executeSubCommand(argv, args);",
])


def test_a_hunk_is_placed_in_the_function_it_changes_and_named_by_the_commit_message():
    index = FileChange(path="index.js", language="JavaScript", hunks=[ALIAS, PARSE])
    hunks = [(index, h) for h in index.hunks]
    # git names the function before: the change is in `alias`, a declaration in the hunk
    assert scope_name("Command.prototype.parse = function(argv) {") == "parse"
    chosen = plan(hunks, mentioned=frozenset({"alias", "sub", "command"}))
    assert [c.hunk for c in chosen] == [1, 2]  # two functions of one file, two points
    assert chosen[0].scope == "Command.prototype.alias = function(alias)"
    assert chosen[0].swap == ("this._alias", "command._alias")
    # the names the commit message uses come first
    assert plan(hunks)[1].names[0] == "aliasCommand"
    said = plan(hunks, mentioned=frozenset({"execute", "sub", "command"}))
    assert said[1].names[0] == "this.executeSubCommand"


def test_a_hunk_that_changes_only_a_comment_is_planned_as_that_comment():
    doc = Hunk("@@ -38,7 +38,7 @@ class HMACAlgorithm(SigningAlgorithm):", [
        '     """Provides signature generation using HMACs."""',
        "     #: The digest method to use with the MAC algorithm. This defaults to",
        "-    #: SHA-512, but can be changed to any other function in the hashlib",
        "+    #: SHA1, but can be changed to any other function in the hashlib",
        "     #: module.",
        "     default_digest_method = staticmethod(hashlib.sha1)",
    ])
    f = FileChange(path="signer.py", language="Python", hunks=[doc])
    assert comment_change(doc) == ("default_digest_method", "SHA-512", "SHA1")
    [point] = plan([(f, doc)])
    assert point.names[0] == "default_digest_method"
    assert "only the comment on `default_digest_method` changed" in point.plan_line()
    assert "`SHA-512` became `SHA1`" in point.plan_line()
    pattern = sentence_pattern(point)
    assert re.match(pattern, "`default_digest_method`의 주석을 코드에 맞게 `SHA1`로 고쳤습니다.")
    # what the 1.5B wrote when told only "about `HMACAlgorithm`": the code never changed
    assert not re.match(pattern, "`default_digest_method` 속성을 `hashlib.sha1`로 변경했습니다.")
    code = Hunk("@@ -1,2 +1,2 @@", ["-x = 1  # one", "+x = 2  # two"])
    assert comment_change(code) is None
    example = Hunk("@@ -1,3 +1,3 @@", ["-/// # use std::fmt::{self, Display};",
                                       "+/// # use thiserror::Error;", " ///", " macro_rules! bail {"])
    assert comment_change(example) is None or len(comment_change(example)[1].split()) <= 6


def test_a_type_declared_in_another_file_moved_there_even_where_its_import_went():
    gone = Hunk("@@ -60,4 +60,0 @@", ["-pub struct Chain<'a> {", "-    next: Option<&'a str>,",
                                        "-}", "-"])
    lib = Hunk("@@ -5,1 +5,3 @@ mod kind;", ["-pub use crate::error::{Chain, Error};",
                                              "+pub struct Chain<'a> {", "+    next: Option<&'a str>,",
                                              "+}"])
    moved = evidence.moves([("src/error.rs", [gone]), ("src/lib.rs", [lib])])
    assert moved[(0, 0)].startswith("moved to src/lib.rs: `Chain`")
    error = FileChange(path="src/error.rs", language="Rust", hunks=[gone])
    root = FileChange(path="src/lib.rs", language="Rust", hunks=[lib])
    points = plan([(error, gone), (root, lib)])
    assert not any(p.removed for p in points)  # never "`Chain`를 삭제해"
    # from where to where, in that order, in the plan and in the sentence
    assert points[0].move == ("src/error.rs", "src/lib.rs")
    assert points[0].plan_line() == "hunk [#1]: `Chain` moved from src/error.rs to src/lib.rs"
    pattern = sentence_pattern(points[0])
    assert re.match(pattern, "`Chain`를 `src/error.rs`에서 `src/lib.rs`로 옮겨 "
                             "`anyhow::Chain`으로 보이게 했습니다.")
    # what the 1.5B wrote when told "moved from src/error.rs": the other way round
    assert not re.match(pattern, "`Chain`는 `src/error.rs`로 이동되었습니다.")
    assert not re.match(pattern, "`Chain`를 `src/lib.rs`에서 `src/error.rs`로 옮겨 두었습니다.")


def test_a_type_its_removed_lines_declared_moved_though_its_impl_stayed():
    # anyhow 27fcdd42: `pub struct Error` went to lib.rs, error.rs keeps `impl Error`
    gone = Hunk("@@ -10,4 +10,0 @@ use crate::Error;", [
        "-/// The `Error` type, a wrapper around a dynamic error type.",
        "-pub struct Error {", "-    inner: ManuallyDrop<Box<ErrorImpl<()>>>,", "-}"])
    kept = Hunk("@@ -30,2 +26,2 @@ impl Error {", ["-struct ErrorImpl<E> {",
                                                   "+pub(crate) struct ErrorImpl<E> {"])
    lib = Hunk("@@ -5,0 +5,3 @@ mod kind;", ["+pub struct Error {",
                                              "+    inner: ManuallyDrop<Box<ErrorImpl<()>>>,",
                                              "+}"])
    moved = evidence.moves([("src/error.rs", [gone, kept]), ("src/lib.rs", [lib])])
    assert moved[(0, 0)].startswith("moved to src/lib.rs: `Error`")
    assert moved[(1, 0)].startswith("moved from src/error.rs: `Error`")
    assert (0, 1) not in moved  # a modifier changed where it is: no move


def test_a_macros_metavariables_are_no_names():
    arm = Hunk("@@ -1,3 +1,0 @@", ["-    ($err:expr $(,)?) => {",
                                   "-        return Err($crate::__anyhow!($err))", "-    };"])
    assert not [w for w in evidence.name_changes(arm)[1] if w.startswith("$err")]


def test_a_test_the_hunk_adds_opens_its_point():
    added = Hunk("@@ -10,2 +10,8 @@ class SerializerTestCase(unittest.TestCase):", [
        "     secret_key = 'predictable-key'",
        "+    def test_signer_kwargs(self):",
        "+        secret_key = 'predictable-key'",
        "+        value = u'hello'",
        "+        s = self.make_serializer(secret_key, signer_kwargs=dict(key_derivation='hmac'))",
    ])
    f = FileChange(path="tests.py", language="Python", hunks=[added])
    [point] = plan([(f, added)])
    assert point.names[0] == "test_signer_kwargs"


def test_the_code_in_a_commit_subject_is_marked_as_code():
    from tilgen.note.prompt import code_words

    macro = Hunk("@@ -40,3 +40,2 @@", [" #[macro_export]", " macro_rules! bail {",
                                       "-    (\"pattern does not contain `{}`\") => {"])
    f = FileChange(path="src/macros.rs", language="Rust", hunks=[macro])
    assert (code_words("Remove log4rs workaround from bail macro", [(f, macro)])
            == "Remove `log4rs` workaround from `bail` macro")
    assert (code_words("Test derive(Error) in docs using thiserror", [])
            == "Test `derive(Error)` in docs using thiserror")
    assert code_words("Fixed a bug in the digest_method.", []) == "Fixed a bug in the `digest_method`."
    assert code_words("Add test for simple if/else statement.", []) == (
        "Add test for simple if/else statement.")  # prose stays prose
    assert code_words("Use `node:util` instead", []) == "Use `node:util` instead"


def test_a_modifier_that_changed_is_planned_though_the_name_was_said_already():
    # anyhow 27fcdd42: the struct holding `ErrorImpl` moved, and `ErrorImpl` became
    # `pub(crate)`; the second is a lesson of its own
    added = Hunk("@@ -5,0 +5,3 @@ mod kind;", ["+pub struct Error {",
                                                "+    inner: ManuallyDrop<Box<ErrorImpl<()>>>,",
                                                "+}"])
    widened = Hunk("@@ -30,2 +30,2 @@ impl Error {", ["-struct ErrorImpl<E> {",
                                                     "+pub(crate) struct ErrorImpl<E> {"])
    lib = FileChange(path="src/lib.rs", language="Rust", hunks=[added])
    error = FileChange(path="src/error.rs", language="Rust", hunks=[widened])
    points = plan([(lib, added), (error, widened)])
    [modifier] = [p for p in points if p.modifier]
    assert "`ErrorImpl` is now `pub(crate)`" in modifier.plan_line()


def _override(cls: str) -> Hunk:
    return Hunk(f"@@ -40,7 +40,3 @@ public final class {cls} extends TypeName {{", [
        f"   @Override public {cls} annotated(List<AnnotationSpec> annotations) {{",
        f"     return new {cls}(annotations);", "   }", "-",
        f"-  @Override public {cls} annotated(AnnotationSpec... annotations) {{",
        "-    return annotated(Arrays.asList(annotations));", "-  }"])


def test_one_removal_made_in_several_files_is_one_point_quoting_what_went():
    # javapoet 408388c3: each subclass lost its varargs override; the List one stays
    files = [FileChange(path=f"{c}.java", language="Java", hunks=[_override(c)])
             for c in ("ArrayTypeName", "ClassName", "WildcardTypeName")]
    points = plan([(f, f.hunks[0]) for f in files])
    removed = [p for p in points if p.removed]
    assert len(removed) == 1 and removed[0].also == 2
    line = removed[0].plan_line()
    assert "REMOVED `@Override public ArrayTypeName annotated(AnnotationSpec... annotations) {`" in line
    # the name is not gone: another `annotated` stays, and the plan says so
    assert "one definition of `annotated`; another stays" in line and "no longer exists" not in line
    assert "the same removal in 2 more files" in line


def test_a_removed_definition_whose_name_is_declared_nowhere_else_no_longer_exists():
    gone = Hunk("@@ -1,4 +1,0 @@ export class Help {", [
        "-export function stripColor(str) {", "-  const sgrPattern = /x/g;",
        "-  return str.replace(sgrPattern, '');", "-}"])
    kept = Hunk("@@ -9,1 +5,1 @@ export class Help {", ["-    return stripColor(str).length;",
                                                        "+    return strip(str).length;"])
    help_js = FileChange(path="help.js", language="JavaScript", hunks=[kept, gone])
    [removed] = [p for p in plan([(help_js, kept), (help_js, gone)]) if p.removed]
    # and the name its calls use now (told only that it went, the 1.5B wrote that the
    # hand-written function is used)
    assert ("REMOVED `export function stripColor(str) {` (no longer exists; `strip` is used in "
            "its place)") in removed.plan_line()


def test_a_swap_quotes_what_else_its_hunk_adds_and_an_added_line_what_it_replaced():
    # pflag 7c5bc8fc: the setter's hunk also makes `interspersed: true` the default
    setter = Hunk("@@ -1,8 +1,10 @@ func NewFlagSet(name string, errorHandling ErrorHandling) *FlagSet {", [
        " \tf := &FlagSet{", " \t\tname:          name,", "+\t\tinterspersed:  true,", " \t}",
        "-func (f *FlagSet) NoInterspersed() {", "-\tf.noInterspersed = true",
        "+// Whether to support interspersed option/non-option arguments.",
        "+func (f *FlagSet) SetInterspersed(interspersed bool) {",
        "+\tf.interspersed = interspersed", " }"])
    flag_go = FileChange(path="flag.go", language="Go", hunks=[setter])
    [point] = [p for p in plan([(flag_go, setter)]) if p.swap]
    assert point.plan_line().endswith("; it also adds `interspersed: true,`")
    # pflag d6bb2cc8: `copy(out, val)` took the place of a loop
    loop = Hunk("@@ -1,12 +1,6 @@ func (s *stringArrayValue) Replace(val []string) error {", [
        " \tout := make([]string, len(val))", "-\tfor i, d := range val {",
        "-\t\tout[i] = d", "-\t}", "+\tcopy(out, val)", " \t*s.value = out", " }",
        " func (s *stringArrayValue) GetSlice() []string {",
        " \tout := make([]string, len(*s.value))", "-\tfor i, d := range *s.value {",
        "-\t\tout[i] = d", "-\t}", "+\tcopy(out, *s.value)", " \treturn out"])
    [point] = plan([(FileChange(path="s.go", language="Go", hunks=[loop]), loop)])
    assert point.names[0] == "copy"  # not `Replace`, the function it is in
    assert ": about `copy`" in point.plan_line()
    assert "in `copy(out, val)`, in place of the removed `for i, d := range val {`" in point.plan_line()


def test_a_version_number_raised_is_no_point_when_code_changed():
    bump = Hunk("@@ -3,1 +3,1 @@ setup(", ["-    version='0.16',", "+    version='0.17',"])
    setup = FileChange(path="setup.py", language="Python", hunks=[bump])
    files = [FileChange(path="flag.go", language="Go", hunks=[WRAP]),
             FileChange(path="flag_test.go", language="Go", hunks=[FATAL]), setup]
    points = plan([(f, h) for f in files for h in f.hunks])
    assert [p.hunk for p in points] == [1, 2]  # hunk 3, the release, is left out


def test_a_point_about_names_quotes_the_added_line_that_names_most_of_them():
    # commander 81577a65: the line that says the alias goes to the last command
    alias = Hunk("@@ -10,2 +10,8 @@ Command.prototype.alias = function(alias) {", [
        "-  if (0 == arguments.length) return this._alias;", "+  var command = undefined;",
        "+  if(this.commands.length == 0) {", "+    command = this;", "+  } else {",
        "+    command = this.commands[this.commands.length - 1]", "+  }",
        "+  if (0 == arguments.length) return command._alias;", "+  command._alias = alias;"])
    index = FileChange(path="index.js", language="JavaScript", hunks=[alias])
    [point] = plan([(index, alias)])
    assert "in `command = this.commands[this.commands.length - 1]`" in point.plan_line()


def test_a_revert_is_planned_as_the_undoing_of_the_commit_it_names():
    # commander ce35c35e: told only 'Why, in the author's words: "Revert "For a required
    # option, …""', the removed check read as a simplification, not the undoing of a feature
    from tilgen.git.changes import CommitInfo
    from tilgen.note.prompt import plan_lines

    check = Hunk("@@ -676,5 +673,0 @@ Command.prototype.parseOptions = function(argv) {", [
        "-  if (len === 0) {", "-    this.optionMissingArgument(option);", "-  }"])
    f = FileChange(path="index.js", language="JavaScript", hunks=[check])
    subject = 'Revert "For a required option, throw an error when the flag is not given."'
    cs = ChangeSet(source="commit ce35c35e", repo_name="commander.js", date=DAY, files=[f],
                   commits=[CommitInfo(sha="ce35c35e", subject=subject)])
    user = build_prompt(cs, languages=["JavaScript"]).user
    assert ('This commit reverts (undoes) an earlier commit, "For a required option, throw an '
            'error when the flag is not given.": the lines it removes are what that commit '
            "had added") in user
    assert "Why, in the author's words" not in user
    assert plan_lines(plan([(f, check)]), ["Check required options"])[-2] == (
        "Why, in the author's words: \"Check required options\"")


def test_a_changed_signature_is_planned_as_the_declaration_before_and_after():
    # javapoet 40cd658c: the removed lines declared requireSubsetOf and requireExactlyOneOf,
    # the added ones requireExactlyOneOf only; paired line by line, the plan said
    # "`requireSubsetOf` became `requireExactlyOneOf`", a rename that never happened
    util = Hunk("@@ -95,12 +95,6 @@ final class Util {", [
        "-  public static void requireSubsetOf(Set<Modifier> set, Set<Modifier> modifiers) {",
        "-    checkState(containsSubset, \"%s should contain a subset of %s\", modifiers, set);",
        "-  }",
        "-",
        "-  public static void requireExactlyOneOf(Set<Modifier> set, Set<Modifier> modifiers) {",
        "-    checkState(containsOne, \"%s must contain one of %s\", modifiers, set);",
        "+  public static void requireExactlyOneOf(Set<Modifier> modifiers, Modifier... mutuallyExclusive) {",
        "+    checkArgument(count == 1, \"%s must contain one of %s\", modifiers, mutuallyExclusive);",
        "   }",
    ])
    assert ("requireSubsetOf", "requireExactlyOneOf") not in pairs.replacements(util)
    f = FileChange(path="Util.java", language="Java", hunks=[util])
    (focus,) = plan([(f, util)])
    assert focus.swap is None and focus.names[0] == "requireExactlyOneOf"
    assert focus.plan_line() == (
        "hunk [#1] in `final class Util {`: `requireExactlyOneOf(Set<Modifier> set, "
        "Set<Modifier> modifiers)` became `requireExactlyOneOf(Set<Modifier> modifiers, "
        "Modifier... mutuallyExclusive)` (`requireExactlyOneOf`, `checkState`)")
    # a body that changed on the declaration's line is quoted whole
    arrow = Hunk("@@ -3,1 +3,1 @@", ["-  strip: (str) => stripColor(str),",
                                     "+  strip: (str) => stripVTControlCharacters(str),"])
    assert quotes.signature_change(arrow) == (
        "strip", "strip: (str) => stripColor(str),",
        "strip: (str) => stripVTControlCharacters(str),")


def test_a_removed_line_sharing_no_name_with_the_added_one_is_not_what_it_replaced():
    from tilgen.note.quotes import first_removed
    alias = Hunk("@@ -1,4 +1,6 @@ Command.prototype.alias = function(alias) {", [
        "-  if (0 == arguments.length) return this._alias;",
        "+  var command = this;", "+  if (this.commands.length !== 0) {",
        "+    command = this.commands[this.commands.length - 1]", "+  }"])
    assert first_removed(alias, "command = this.commands[this.commands.length - 1]") == ""
    loop = Hunk("@@ -1,3 +1,1 @@", ["-\tfor i, d := range val {", "-\t\tout[i] = d", "-\t}",
                                     "+\tcopy(out, val)"])
    assert first_removed(loop, "copy(out, val)") == "for i, d := range val {"


def test_a_change_after_the_function_the_hunk_header_names_is_not_in_it():
    # pflag 7c5bc8fc: git named `func Parse() {`, whose `}` closes above the new function
    h = Hunk("@@ -1,8 +1,8 @@ func Parse() {", [
        " \tcommandLine.Parse(os.Args[1:])", " }", " ",
        "-func NoInterspersed() {", "-\tcommandLine.NoInterspersed()",
        "+func SetInterspersed(interspersed bool) {", "+\tcommandLine.SetInterspersed(interspersed)",
        " }"])
    assert declarations.scope(h) == ""
    # inside a class, a method's `}` above the change closes the method, not the class
    m = Hunk("@@ -1,6 +1,6 @@ public class JavaWriter {", [
        "   }", "", "-  public void emitLastEnumValue() {", "+  private void emitLastEnumValue() {"])
    assert declarations.scope(m) == "public class JavaWriter {"
