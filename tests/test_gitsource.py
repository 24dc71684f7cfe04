"""Collecting changes from real git repositories."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import AUTHOR_EMAIL, commit_files, git
from tilgen.errors import ConfigError, ExitCode, NoChangesError, NotARepoError, TilgenError
from tilgen.git import collect as gitsource

TODAY = dt.date.today()
YESTERDAY = TODAY - dt.timedelta(days=1)
OTHER = "other@example.com"


def at(day: dt.date, hour: int, minute: int = 0) -> str:
    """A local wall-clock time on ``day`` as an ISO timestamp git accepts."""
    return dt.datetime.combine(day, dt.time(hour, minute)).astimezone().isoformat()


def by_path(cs) -> dict:
    return {f.path: f for f in cs.files}


@pytest.fixture
def r(repo: Path):
    handle = gitsource.open_repo(repo)
    yield handle
    handle.close()


# --- single commits and ranges -------------------------------------------------------------

def test_root_commit_is_compared_with_the_empty_tree(repo: Path, r) -> None:
    sha = commit_files(repo, {"main.py": "print('hi')\n", "README.md": "# x\n"}, "first")
    cs = gitsource.collect_commits(r, "HEAD")
    assert [c.sha for c in cs.commits] == [sha]
    assert cs.commits[0].subject == "first" and cs.commits[0].author == AUTHOR_EMAIL
    files = by_path(cs)
    assert files["main.py"].status == "added" and files["main.py"].added == 1
    assert files["main.py"].language == "Python" and files["README.md"].language == "Markdown"
    assert cs.repo_name == "project" and cs.repo_root == str(repo)
    assert cs.source.startswith(f"commit {sha[:12]}")


def test_commit_against_its_parent(repo: Path, r) -> None:
    commit_files(repo, {"a.go": "package a\n\nfunc A() {}\n"})
    sha = commit_files(repo, {"a.go": "package a\n\nfunc A() int { return 1 }\n"}, "ret")
    cs = gitsource.collect_commits(r, sha[:10])
    (f,) = cs.files
    assert (f.path, f.status, f.added, f.removed, f.language) == ("a.go", "modified", 1, 1, "Go")
    assert cs.date == TODAY


def test_range_is_the_net_diff_of_its_commits(repo: Path, r) -> None:
    base = commit_files(repo, {"a.rs": "fn a() {}\n"})
    commit_files(repo, {"a.rs": "fn a() { 1; }\n"}, "one")
    commit_files(repo, {"a.rs": "fn a() { 2; }\n", "b.rs": "fn b() {}\n"}, "two")
    cs = gitsource.collect_commits(r, f"{base[:8]}..HEAD")
    assert [c.subject for c in cs.commits] == ["two", "one"]
    files = by_path(cs)
    assert files["a.rs"].added == 1 and files["a.rs"].removed == 1
    assert files["b.rs"].status == "added"
    assert "2 commits" in cs.source
    assert [c.subject for c in gitsource.collect_commits(r, f"{base}..").commits] == [
        "two", "one"]


def test_symmetric_range_starts_at_the_merge_base(repo: Path, r) -> None:
    commit_files(repo, {"a.py": "a = 1\n"})
    git(repo, "checkout", "-q", "-b", "topic")
    commit_files(repo, {"t.py": "t = 1\n"}, "topic work")
    git(repo, "checkout", "-q", "main")
    commit_files(repo, {"m.py": "m = 1\n"}, "main work")
    cs = gitsource.collect_commits(r, "main...topic")
    assert [c.subject for c in cs.commits] == ["topic work"]
    assert list(by_path(cs)) == ["t.py"]


@pytest.mark.parametrize("spec", ["nope", "HEAD~5", "nope..HEAD", "-n", ""])
def test_unknown_revision_is_a_usage_error(repo: Path, r, spec: str) -> None:
    commit_files(repo, {"a.py": "a = 1\n"})
    with pytest.raises(TilgenError) as err:
        gitsource.collect_commits(r, spec)
    assert err.value.exit_code == ExitCode.USAGE
    assert "unknown revision" in err.value.message and "git log" in err.value.message


def test_empty_range_says_so(repo: Path, r) -> None:
    commit_files(repo, {"a.py": "a = 1\n"})
    commit_files(repo, {"a.py": "a = 2\n"})
    with pytest.raises(NoChangesError, match="swap the two ends"):
        gitsource.collect_commits(r, "HEAD..HEAD~1")


def test_merge_commit_is_compared_with_its_first_parent(repo: Path, r) -> None:
    commit_files(repo, {"base.py": "x = 1\n"})
    git(repo, "checkout", "-q", "-b", "feature")
    commit_files(repo, {"feature.py": "f = 1\n"}, "feature")
    git(repo, "checkout", "-q", "main")
    commit_files(repo, {"main.py": "m = 1\n"}, "main")
    git(repo, "merge", "-q", "--no-ff", "--no-edit", "feature")
    cs = gitsource.collect_commits(r, "HEAD")
    assert cs.commits[0].is_merge
    assert list(by_path(cs)) == ["feature.py"]


# --- what a diff can contain ----------------------------------------------------------------

def test_rename_deletion_and_mode_change(repo: Path, r) -> None:
    body = "".join(f"line {i}\n" for i in range(30))
    commit_files(repo, {"old name.py": body, "gone.py": "x = 1\n", "run.sh": "echo hi\n"})
    git(repo, "mv", "old name.py", "new name.py")
    (repo / "new name.py").write_text(body + "line 30\n")
    git(repo, "rm", "-q", "gone.py")
    os.chmod(repo / "run.sh", 0o755)
    git(repo, "add", "-A")
    commit_files(repo, {}, "shuffle")
    files = by_path(gitsource.collect_commits(r, "HEAD"))
    renamed = files["new name.py"]
    assert (renamed.status, renamed.old_path, renamed.added) == ("renamed", "old name.py", 1)
    assert renamed.similarity and renamed.similarity > 90
    assert files["gone.py"].status == "deleted" and files["gone.py"].removed == 1
    mode = files["run.sh"]
    assert (mode.old_mode, mode.new_mode, mode.mode_changed, mode.hunks) == (
        "100644", "100755", True, [])


def test_binary_files_are_named_without_content(repo: Path, r) -> None:
    commit_files(repo, {"logo.png": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256))})
    (f,) = gitsource.collect_commits(r, "HEAD").files
    assert (f.path, f.binary, f.hunks, f.language) == ("logo.png", True, [], None)
    assert "(binary)" in f.describe()


def test_submodule_pointer_change(repo: Path, r, tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    git(lib, "init", "-q")
    first = commit_files(lib, {"lib.c": "int x;\n"})
    commit_files(repo, {"a.py": "a = 1\n"})
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib), "vendor/lib")
    commit_files(repo, {}, "add lib")
    added = by_path(gitsource.collect_commits(r, "HEAD"))["vendor/lib"]
    assert added.submodule is not None and added.submodule[1] == first
    second = commit_files(lib, {"lib.c": "int y;\n"})
    git(repo / "vendor/lib", "-c", "protocol.file.allow=always", "pull", "-q", "origin", "main")
    git(repo, "add", "vendor/lib")
    commit_files(repo, {}, "bump lib")
    (f,) = gitsource.collect_commits(r, "HEAD").files
    assert f.submodule == (first, second) and f.hunks == [] and f.language is None


def test_non_utf8_content_and_crlf(repo: Path, r) -> None:
    commit_files(repo, {"latin.txt": "caf\xe9\n".encode("latin-1"), "win.py": b"a = 1\r\n"})
    commit_files(repo, {"latin.txt": "na\xefve\ncaf\xe9\n".encode("latin-1"),
                        "win.py": b"a = 1\r\nb = 2\r\n"})
    files = by_path(gitsource.collect_commits(r, "HEAD"))
    latin = files["latin.txt"]
    assert (latin.added, latin.removed) == (1, 0) and "\ufffd" in latin.hunks[0].lines[0]
    win = files["win.py"]
    assert (win.added, win.removed) == (1, 0)
    assert win.hunks[0].lines == [" a = 1", "+b = 2"]


@pytest.mark.parametrize("name", [
    "with space.py", 'say "hi".py', "new\nline.py", "한글 파일.py", "tab\there.py",
    "back\\slash.py", "-dash.py", "*.py", ":(glob)x.py",
])
def test_awkward_file_names(repo: Path, r, name: str) -> None:
    for content in ("x = 1\n", "x = 2\n"):
        (repo / name).write_text(content)
        git(repo, "add", "--", name, env={"GIT_LITERAL_PATHSPECS": "1"})
        commit_files(repo, {})
    (f,) = gitsource.collect_commits(r, "HEAD").files
    assert (f.path, f.status, f.added, f.removed, f.language) == (name, "modified", 1, 1, "Python")


def test_rename_of_awkward_names(repo: Path, r) -> None:
    commit_files(repo, {"a b.py": "x = 1\n" * 20})
    git(repo, "mv", "a b.py", "파일 \"c\".py")
    commit_files(repo, {}, "rename")
    (f,) = gitsource.collect_commits(r, "HEAD").files
    assert (f.status, f.old_path, f.path) == ("renamed", "a b.py", "파일 \"c\".py")


def test_symlink(repo: Path, r) -> None:
    commit_files(repo, {"target.py": "x = 1\n"})
    os.symlink("target.py", repo / "link.py")
    git(repo, "add", "link.py")
    commit_files(repo, {}, "link")
    (f,) = gitsource.collect_commits(r, "HEAD").files
    assert (f.path, f.status, f.new_mode, f.language) == ("link.py", "added", "120000", None)
    assert f.hunks[0].lines[0] == "+target.py"


def test_user_diff_config_does_not_change_the_format(repo: Path, r) -> None:
    for key, value in [("diff.noprefix", "true"), ("diff.mnemonicPrefix", "true"),
                       ("color.ui", "always"), ("diff.external", "false"),
                       ("diff.submodule", "log"), ("diff.relative", "true"),
                       ("log.showSignature", "true"), ("core.quotepath", "true")]:
        git(repo, "config", key, value)
    commit_files(repo, {"한.py": "x = 1\n"})
    commit_files(repo, {"한.py": "x = 2\n"})
    (f,) = gitsource.collect_commits(r, "HEAD").files
    assert (f.path, f.added, f.removed) == ("한.py", 1, 1)


def test_extensionless_script_is_named_by_its_shebang(repo: Path, r) -> None:
    body = "#!/usr/bin/env node\n" + "".join(f"console.log({i});\n" for i in range(20))
    commit_files(repo, {"bin/tool": body})
    commit_files(repo, {"bin/tool": body + "console.log('end');\n"})
    (f,) = gitsource.collect_commits(r, "HEAD").files
    assert f.hunks[0].header.startswith("@@ -19,") and f.language == "JavaScript"


# --- a day's work ---------------------------------------------------------------------------

def test_day_selects_own_commits_of_that_day(repo: Path, r) -> None:
    commit_files(repo, {"a.py": "a = 0\n"}, "yesterday", date=at(YESTERDAY, 10))
    commit_files(repo, {"a.py": "a = 1\n"}, "mine 1", date=at(TODAY, 0, 5))
    commit_files(repo, {"b.py": "b = 1\n"}, "theirs", date=at(TODAY, 11), email=OTHER)
    commit_files(repo, {"a.py": "a = 2\n", "c.py": "c = 1\n"}, "mine 2", date=at(TODAY, 23, 55))
    cs = gitsource.collect_day(r, day=TODAY, author=None)
    assert [c.subject for c in cs.commits] == ["mine 2", "mine 1"]
    files = by_path(cs)
    assert set(files) == {"a.py", "c.py"}  # b.py came from someone else
    assert (files["a.py"].removed, files["a.py"].hunks[0].lines) == (1, ["-a = 0", "+a = 2"])
    assert cs.date == TODAY and cs.source == f"today ({TODAY}) by {AUTHOR_EMAIL} on main"

    everyone = gitsource.collect_day(r, day=TODAY, author="all")
    assert [c.subject for c in everyone.commits] == ["mine 2", "theirs", "mine 1"]
    assert set(by_path(everyone)) == {"a.py", "b.py", "c.py"}
    theirs = gitsource.collect_day(r, day=TODAY, author=OTHER.upper())
    assert [c.subject for c in theirs.commits] == ["theirs"]

    before = gitsource.collect_day(r, day=YESTERDAY, author=None)
    assert [c.subject for c in before.commits] == ["yesterday"]
    assert before.source.startswith(f"yesterday ({YESTERDAY})")


def test_day_author_must_match_the_whole_address(repo: Path, r) -> None:
    commit_files(repo, {"a.py": "a = 1\n"}, "lookalike", email="x" + AUTHOR_EMAIL)
    with pytest.raises(NoChangesError) as err:
        gitsource.collect_day(r, day=TODAY, author=None)
    message = err.value.message
    assert str(TODAY) in message and AUTHOR_EMAIL in message and "main" in message
    assert "--date yesterday" in message and "--author all" in message


def test_day_uses_the_author_date_not_the_commit_date(repo: Path, r) -> None:
    commit_files(repo, {"a.py": "a = 1\n"}, "base", date=at(YESTERDAY, 8))
    git(repo, "commit", "-q", "--allow-empty", "-m", "rebased today",
        env={"GIT_AUTHOR_DATE": at(YESTERDAY, 9), "GIT_COMMITTER_DATE": at(TODAY, 9)})
    assert [c.subject for c in gitsource.collect_day(r, day=YESTERDAY, author=None).commits] == [
        "rebased today", "base"]
    with pytest.raises(NoChangesError):
        gitsource.collect_day(r, day=TODAY, author=None)


def test_day_is_the_local_calendar_day(repo: Path, r, monkeypatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Seoul")
    time.tzset()
    try:
        commit_files(repo, {"a.py": "1\n"}, "late", date="2024-03-10T23:30:00+09:00")
        commit_files(repo, {"a.py": "2\n"}, "early", date="2024-03-11T00:30:00+09:00")
        day = gitsource.collect_day(r, day=dt.date(2024, 3, 11), author=None)
        assert [c.subject for c in day.commits] == ["early"]
        assert str(dt.date(2024, 3, 11)) in day.source
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


@pytest.mark.parametrize("on_command_line", [True, False])
def test_day_restricts_the_diff_to_paths_named_literally(repo: Path, r, monkeypatch,
                                                         on_command_line: bool) -> None:
    if not on_command_line:  # too many paths for a command line: filtered after the diff
        monkeypatch.setattr(gitsource, "_PATHSPEC_BYTES", 0)
    commit_files(repo, {"*.txt": "star\n", "x.txt": "x\n"}, "base", date=at(YESTERDAY, 9))
    commit_files(repo, {"*.txt": "star 2\n"}, "mine", date=at(TODAY, 9))
    commit_files(repo, {"x.txt": "x 2\n"}, "theirs", date=at(TODAY, 10), email=OTHER)
    commit_files(repo, {"*.txt": "star 3\n"}, "mine again", date=at(TODAY, 11))
    cs = gitsource.collect_day(r, day=TODAY, author=AUTHOR_EMAIL)
    assert list(by_path(cs)) == ["*.txt"]


def test_day_with_only_a_merge(repo: Path, r) -> None:
    commit_files(repo, {"base.py": "x = 1\n"}, "base", date=at(YESTERDAY, 9))
    git(repo, "checkout", "-q", "-b", "feature")
    commit_files(repo, {"feature.py": "f = 1\n"}, "feature", date=at(YESTERDAY, 10), email=OTHER)
    git(repo, "checkout", "-q", "main")
    commit_files(repo, {"main.py": "m = 1\n"}, "main", date=at(YESTERDAY, 11))
    git(repo, "merge", "-q", "--no-ff", "--no-edit", "feature",
        env={"GIT_AUTHOR_DATE": at(TODAY, 9), "GIT_COMMITTER_DATE": at(TODAY, 9)})
    cs = gitsource.collect_day(r, day=TODAY, author=None)
    assert [c.is_merge for c in cs.commits] == [True]
    assert list(by_path(cs)) == ["feature.py"]


def test_day_with_merge_and_own_commits(repo: Path, r) -> None:
    commit_files(repo, {"base.py": "x = 1\n"}, "base", date=at(YESTERDAY, 9))
    git(repo, "checkout", "-q", "-b", "feature")
    commit_files(repo, {"feature.py": "f = 1\n"}, "feature", date=at(TODAY, 9))
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "--no-edit", "feature",
        env={"GIT_AUTHOR_DATE": at(TODAY, 10), "GIT_COMMITTER_DATE": at(TODAY, 10)})
    cs = gitsource.collect_day(r, day=TODAY, author=None)
    assert [(c.subject.split()[0], c.is_merge) for c in cs.commits] == [
        ("Merge", True), ("feature", False)]
    assert list(by_path(cs)) == ["feature.py"]


def test_day_on_detached_head(repo: Path, r) -> None:
    commit_files(repo, {"a.py": "a = 1\n"}, "one")
    commit_files(repo, {"a.py": "a = 2\n"}, "two")
    git(repo, "checkout", "-q", "--detach", "HEAD~1")
    cs = gitsource.collect_day(r, day=TODAY, author=None)
    assert [c.subject for c in cs.commits] == ["one"]
    assert "detached HEAD" in cs.source


def test_shallow_clone(repo: Path, tmp_path: Path) -> None:
    commit_files(repo, {"a.py": "a = 1\n"}, "old", date=at(YESTERDAY, 9))
    commit_files(repo, {"a.py": "a = 2\n", "b.py": "b = 1\n"}, "new", date=at(TODAY, 9))
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)],
                   check=True, capture_output=True)
    r = gitsource.open_repo(clone)
    try:
        cs = gitsource.collect_day(r, day=TODAY, author=None)
        assert [c.subject for c in cs.commits] == ["new"]
        assert by_path(cs)["a.py"].status == "added"  # the parent is not there to compare
        assert len(cs.omitted) == 1 and "shallow" in cs.omitted[0]
        assert gitsource.collect_commits(r, "HEAD").omitted == cs.omitted
        with pytest.raises(NoChangesError):
            gitsource.collect_day(r, day=YESTERDAY, author=None)
    finally:
        r.close()


def test_day_without_user_email(repo: Path, r, tmp_path: Path, monkeypatch) -> None:
    commit_files(repo, {"a.py": "a = 1\n"})
    empty = tmp_path / "empty-gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    git(repo, "config", "user.email", "temp@example.com")
    git(repo, "config", "--unset", "user.email")
    with pytest.raises(ConfigError) as err:
        gitsource.collect_day(r, day=TODAY, author=None)
    assert "--author all" in err.value.message and "git config user.email" in err.value.message
    assert len(gitsource.collect_day(r, day=TODAY, author="all").commits) == 1


# --- staged and working changes -------------------------------------------------------------

def test_staged_changes(repo: Path, r) -> None:
    commit_files(repo, {"a.py": "a = 1\n", "b.py": "b = 1\n"})
    (repo / "a.py").write_text("a = 2\n")
    (repo / "b.py").write_text("b = 2\n")
    git(repo, "add", "a.py")
    cs = gitsource.collect_staged(r)
    assert list(by_path(cs)) == ["a.py"] and cs.commits == [] and cs.date == TODAY
    git(repo, "reset", "-q")
    with pytest.raises(NoChangesError, match="git add"):
        gitsource.collect_staged(r)


def test_staged_in_a_repository_without_commits(repo: Path, r) -> None:
    (repo / "first.py").write_text("x = 1\n")
    git(repo, "add", "first.py")
    (f,) = gitsource.collect_staged(r).files
    assert (f.path, f.status, f.added) == ("first.py", "added", 1)


def test_working_changes_include_untracked_files(repo: Path, r) -> None:
    commit_files(repo, {"a.py": "a = 1\n", "b.py": "b = 1\n", ".gitignore": "*.log\n"})
    (repo / "a.py").write_text("a = 2\n")
    git(repo, "add", "a.py")
    (repo / "b.py").write_text("b = 2\n")
    (repo / "new dir").mkdir()
    (repo / "new dir" / "n.rs").write_bytes(b"fn main() {}\r\nfn x() {}")
    (repo / "blob.bin").write_bytes(b"\0\1\2")
    (repo / "debug.log").write_text("ignored\n")
    (repo / "script").write_text("#!/bin/sh\necho hi\n")
    (repo / "empty.txt").write_text("")
    files = by_path(gitsource.collect_working(r))
    assert set(files) == {"a.py", "b.py", "new dir/n.rs", "blob.bin", "script", "empty.txt"}
    new = files["new dir/n.rs"]
    assert (new.status, new.added, new.language) == ("added", 2, "Rust")
    assert new.hunks[0].header == "@@ -0,0 +1,2 @@"
    assert new.hunks[0].lines == ["+fn main() {}", "+fn x() {}", "\\ No newline at end of file"]
    assert files["blob.bin"].binary and files["blob.bin"].hunks == []
    assert files["script"].language == "Shell" and files["empty.txt"].hunks == []


def test_working_before_the_first_commit_and_when_clean(repo: Path, r) -> None:
    (repo / "x.py").write_text("x = 1\n")
    git(repo, "add", "x.py")
    (repo / "y.py").write_text("y = 1\n")
    assert set(by_path(gitsource.collect_working(r))) == {"x.py", "y.py"}
    commit_files(repo, {"y.py": "y = 1\n"})
    with pytest.raises(NoChangesError, match="no uncommitted changes"):
        gitsource.collect_working(r)


# --- patches --------------------------------------------------------------------------------

def test_patch_from_git_show(repo: Path) -> None:
    commit_files(repo, {"a.py": "a = 1\n"}, date="2024-05-06T10:00:00+00:00")
    commit_files(repo, {"a.py": "a = 2\n"}, "second", date="2024-05-07T10:00:00+00:00")
    cs = gitsource.collect_patch(git(repo, "show", "HEAD").encode(), name="-")
    assert [c.subject for c in cs.commits] == ["second"]
    assert cs.commits[0].author == AUTHOR_EMAIL
    assert cs.date == dt.datetime(2024, 5, 7, 10, tzinfo=dt.timezone.utc).astimezone().date()
    assert cs.files[0].language == "Python" and cs.source == "patch standard input"


def test_patch_without_commits_is_dated_today(tmp_path: Path) -> None:
    text = "--- a/x.go\n+++ b/x.go\n@@ -1 +1 @@\n-a\n+b\n"
    cs = gitsource.collect_patch(text, name=str(tmp_path / "fix.diff"))
    assert cs.date == TODAY and cs.repo_name == "fix" and cs.files[0].language == "Go"
    with pytest.raises(NoChangesError, match="no diff"):
        gitsource.collect_patch(b"hello\n", name="notes.txt")


# --- which repository -----------------------------------------------------------------------

def test_not_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(NotARepoError) as err:
        gitsource.open_repo(plain)
    assert "not a git repository" in err.value.message and "--repo" in err.value.message
    assert err.value.exit_code == ExitCode.NOT_A_REPO
    with pytest.raises(NotARepoError, match="does not exist"):
        gitsource.open_repo(tmp_path / "missing")


def test_bare_repository(tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    with pytest.raises(NotARepoError, match="bare repository"):
        gitsource.open_repo(bare)


def test_empty_repository(repo: Path, r) -> None:
    for collect in (lambda: gitsource.collect_day(r, day=TODAY, author=None),
                    lambda: gitsource.collect_commits(r, "HEAD")):
        with pytest.raises(NotARepoError, match="no commits yet"):
            collect()


def test_subdirectory_opens_the_work_tree_root(repo: Path) -> None:
    commit_files(repo, {"pkg/a.py": "a = 1\n"})
    r = gitsource.open_repo(repo / "pkg")
    try:
        assert gitsource.collect_commits(r, "HEAD").repo_root == str(repo)
    finally:
        r.close()


def test_hook_environment(repo: Path, tmp_path: Path, monkeypatch) -> None:
    commit_files(repo, {"a.py": "a = 1\n"}, "mine")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    git(elsewhere, "init", "-q")
    commit_files(elsewhere, {"z.py": "z = 1\n"}, "theirs")
    monkeypatch.setenv("GIT_DIR", str(elsewhere / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(elsewhere / ".git" / "index"))
    env = gitsource.no_git_env()
    assert "GIT_DIR" not in env and "GIT_INDEX_FILE" not in env
    assert env["GIT_CONFIG_GLOBAL"] == os.environ["GIT_CONFIG_GLOBAL"]
    clean = gitsource.open_repo(repo, clean_env=True)
    inherited = gitsource.open_repo(repo)
    try:
        assert [c.subject for c in gitsource.collect_commits(clean, "HEAD").commits] == ["mine"]
        # Without cleaning, git follows GIT_DIR as it would for any command in a hook.
        assert [c.subject for c in gitsource.collect_commits(inherited, "HEAD").commits] == [
            "theirs"]
    finally:
        clean.close()
        inherited.close()


def test_file_names_that_are_not_utf8(repo: Path, r) -> None:
    name = os.fsdecode(b"caf\xe9.py")  # latin-1 bytes on disk
    shown = "caf\ufffd.py"
    commit_files(repo, {"base.py": "0\n"}, "base", date=at(YESTERDAY, 9))
    (repo / name).write_text("x = 1\n")
    git(repo, "add", "-A")
    commit_files(repo, {}, "mine", date=at(TODAY, 9))
    commit_files(repo, {"theirs.py": "t\n"}, "theirs", date=at(TODAY, 10), email=OTHER)
    (repo / name).write_text("x = 2\n")
    git(repo, "add", "-A")
    commit_files(repo, {}, "mine again", date=at(TODAY, 11))
    cs = gitsource.collect_day(r, day=TODAY, author=None)  # paths handed back to git intact
    assert [(f.path, f.added) for f in cs.files] == [(shown, 1)]
    (repo / os.fsdecode(b"new-\xff.rs")).write_text("fn main() {}\n")
    untracked = by_path(gitsource.collect_working(r))["new-\ufffd.rs"]
    assert (untracked.added, untracked.language) == (1, "Rust")
