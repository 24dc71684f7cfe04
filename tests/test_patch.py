"""The unified-diff parser, on hand-written, generated and real git output."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import commit_files, git
from tilgen.git.diffnames import unquote_path
from tilgen.git.patch import parse_patch

SHOW = """\
commit 0dc3332a7d7474d3d3c3acb28bb52884239224f9
Merge: 1111111 2222222
Author: Jane Doe <jane@example.com>
Date:   Tue Oct 8 11:29:13 2019 -0700

    Add a test

    More words.

diff --git a/src/lib.rs b/src/lib.rs
index 20be593..3b18e51 100644
--- a/src/lib.rs
+++ b/src/lib.rs
@@ -1,3 +1,3 @@ fn main() {
 mod drop;
-use a;
+use b;
 fn x() {}
"""


def test_git_show_header_and_hunk() -> None:
    commits, files = parse_patch(SHOW)
    (c,) = commits
    assert (c.sha[:7], c.subject, c.author, c.is_merge) == ("0dc3332", "Add a test",
                                                             "jane@example.com", True)
    assert c.date == dt.datetime(2019, 10, 8, 11, 29, 13,
                                 tzinfo=dt.timezone(dt.timedelta(hours=-7)))
    (f,) = files
    assert (f.path, f.status, f.added, f.removed) == ("src/lib.rs", "modified", 1, 1)
    assert (f.old_mode, f.new_mode) == ("100644", "100644") and not f.mode_changed


def test_crlf_patch_text() -> None:
    _, files = parse_patch(SHOW.replace("\n", "\r\n").encode())
    assert files[0].hunks[0].lines == [" mod drop;", "-use a;", "+use b;", " fn x() {}"]


def test_extended_headers() -> None:
    text = """\
diff --git a/old.py b/new.py
similarity index 90%
rename from old.py
rename to new.py
diff --git a/c.py b/d.py
similarity index 100%
copy from c.py
copy to d.py
diff --git a/run.sh b/run.sh
old mode 100644
new mode 100755
diff --git a/gone.txt b/gone.txt
deleted file mode 100644
index 1111111..0000000
--- a/gone.txt
+++ /dev/null
@@ -1,2 +0,0 @@
-a
-b
diff --git a/img.png b/img.png
new file mode 100644
index 0000000..2222222
Binary files /dev/null and b/img.png differ
diff --git a/sub b/sub
index 1234567..89abcde 160000
--- a/sub
+++ b/sub
@@ -1 +1 @@
-Subproject commit 1234567000000000000000000000000000000000
+Subproject commit 89abcde000000000000000000000000000000000
diff --git a/link b/link
index 3333333..4444444 120000
--- a/link
+++ b/link
@@ -1 +1 @@
-a
\\ No newline at end of file
+b
\\ No newline at end of file
"""
    _, files = parse_patch(text)
    got = {f.path: f for f in files}
    assert (got["new.py"].status, got["new.py"].old_path, got["new.py"].similarity) == (
        "renamed", "old.py", 90)
    assert (got["d.py"].status, got["d.py"].old_path) == ("copied", "c.py")
    assert got["run.sh"].mode_changed and got["run.sh"].hunks == []
    assert (got["gone.txt"].status, got["gone.txt"].removed) == ("deleted", 2)
    assert got["img.png"].binary and got["img.png"].status == "added"
    assert got["sub"].submodule == ("1234567" + "0" * 33, "89abcde" + "0" * 33)
    assert got["sub"].hunks == []
    link = got["link"]
    assert link.new_mode == "120000" and (link.added, link.removed) == (1, 1)
    assert link.hunks[0].lines[-1] == "\\ No newline at end of file"


def test_quoted_names() -> None:
    text = (
        'diff --git "a/new\\nline \\"q\\".py" "b/new\\nline \\"q\\".py"\n'
        "new file mode 100644\n--- /dev/null\n"
        '+++ "b/new\\nline \\"q\\".py"\t\n@@ -0,0 +1 @@\n+x\n'
        'diff --git "a/\\355\\225\\234.py" "b/\\355\\225\\234.py"\n'
        "--- \"a/\\355\\225\\234.py\"\n+++ \"b/\\355\\225\\234.py\"\n@@ -1 +1 @@\n-a\n+b\n"
        "diff --git a/with space.py b/with space.py\n--- a/with space.py\t\n"
        "+++ b/with space.py\t\n@@ -1 +1 @@\n-a\n+b\n"
    )
    _, files = parse_patch(text)
    assert [f.path for f in files] == ['new\nline "q".py', "한.py", "with space.py"]
    assert [f.status for f in files] == ["added", "modified", "modified"]
    assert unquote_path('"a\\tb"') == "a\tb" and unquote_path('"\\101"') == "A"
    assert unquote_path('"x\ud800"').startswith("x")  # a lone surrogate does not raise


def test_combined_diff_of_a_merge() -> None:
    text = """\
diff --cc f
index 3e99f1c,cd3b0e3..6f4febe
--- a/f
+++ b/f
@@@ -1,3 -1,3 +1,4 @@@
  1
- main
 -side
++resolved
  3
++extra
diff --git a/g b/g
--- a/g
+++ b/g
@@ -1 +1 @@
-x
+y
"""
    _, files = parse_patch(text)
    assert [(f.path, f.added, f.removed) for f in files] == [("f", 2, 2), ("g", 1, 1)]
    assert files[0].hunks[0].lines == [" 1", "-main", "-side", "+resolved", " 3", "+extra"]


def test_plain_diff_u_of_two_trees() -> None:
    text = (
        "diff -ru old/app.py new/app.py\n"
        "--- old/app.py\t2024-01-01 10:00:00.000000000 +0000\n"
        "+++ new/app.py\t2024-01-02 10:00:00.000000000 +0000\n"
        "@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
        "--- old/gone.py\t2024-01-01 10:00:00.000000000 +0000\n"
        "+++ /dev/null\t1970-01-01 00:00:00.000000000 +0000\n"
        "@@ -1 +0,0 @@\n-x\n"
    )
    _, files = parse_patch(text)
    assert [(f.path, f.status, f.old_path) for f in files] == [
        ("app.py", "modified", None), ("old/gone.py", "deleted", None)]


def test_format_patch_mail() -> None:
    text = """\
From 1e76cdca320a321bb53bd64d6502310477051bb6 Mon Sep 17 00:00:00 2001
From: A Dev <a@b.c>
Date: Sun, 22 Nov 2026 20:33:10 +0900
Subject: [PATCH 2/3] Fix the parser when the subject
 is folded

---
 crlf.txt | 1 +
 1 file changed, 1 insertion(+)

diff --git a/crlf.txt b/crlf.txt
index c30dea8..19a9090 100644
--- a/crlf.txt
+++ b/crlf.txt
@@ -1,2 +1,3 @@
 a
 b
+g
--\x20
2.39.5
"""
    commits, files = parse_patch(text)
    (c,) = commits
    assert (c.subject, c.author) == ("Fix the parser when the subject is folded", "a@b.c")
    assert c.date == dt.datetime(2026, 11, 22, 20, 33, 10,
                                 tzinfo=dt.timezone(dt.timedelta(hours=9)))
    assert [(f.path, f.added, f.removed) for f in files] == [("crlf.txt", 1, 0)]


def test_git_log_p_with_several_commits(repo: Path) -> None:
    commit_files(repo, {"a.py": "a = 1\n"}, "first")
    commit_files(repo, {"a.py": "a = 2\n", "b.py": "b\n"}, "second\n\nbody line")
    commit_files(repo, {}, "empty")
    commits, files = parse_patch(git(repo, "log", "-p", "--format=fuller"))
    assert [c.subject for c in commits] == ["empty", "second", "first"]
    assert [(f.path, f.status) for f in files] == [
        ("a.py", "modified"), ("b.py", "added"), ("a.py", "added")]


def test_absurd_hunk_counts_do_not_raise() -> None:
    _, files = parse_patch("--- a/x\n+++ b/x\n@@ -1," + "9" * 5000 + " +1 @@\n-a\n+b\n")
    assert files[0].path == "x"


# --- properties -------------------------------------------------------------------------------

_DIFFISH = st.sampled_from([
    "diff --git a/x b/y", "diff --cc z", "--- a/x", "+++ b/x", "--- /dev/null", "+++ /dev/null",
    "@@ -1,2 +1 @@", "@@@ -1 -1 +1 @@@", "@@ -0,0 +1 @@", "+", "-", " ", "\\ No newline",
    "commit 0123456789abcdef", "Merge: a b", "Author: x", "Date: x", "    msg", "",
    "rename from \"a\\", "rename to b", "index 1..2 160000", "new file mode", "Binary files",
    "From 0123456789012345678901234567890123456789 Mon Sep 17 00:00:00 2001", "Subject: x",
    "+Subproject commit", '"\\377\\', "similarity index 99999999999%",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_DIFFISH, st.text(max_size=30)), max_size=40))
def test_any_text_parses(lines: list[str]) -> None:
    text = "\n".join(lines)
    commits, files = parse_patch(text)
    for f in files:
        assert f.status in ("added", "deleted", "modified", "renamed", "copied")
        for h in f.hunks:
            # Every line keeps a one-column prefix, and a hunk never takes more lines of the
            # result than its header declares (the counts end a hunk, not the next header).
            assert h.header in lines
            assert all(line[:1] in (" ", "+", "-", "\\") for line in h.lines), h.lines
            declared = re.findall(r"\+\d+(?:,(\d+))?", h.header)[-1]
            result = sum(1 for line in h.lines if line[:1] in (" ", "+"))
            assert result <= (int(declared) if declared else 1)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_parse(data: bytes) -> None:
    parse_patch(data)


_LINES = st.lists(st.sampled_from(["a", "b", "c", "", "  x", "-y", "+z", "@@", "é", "\\"]),
                  max_size=25)


@settings(max_examples=200, deadline=None)
@given(_LINES, _LINES)
def test_counts_match_difflib(old: list[str], new: list[str]) -> None:
    old_text = [line + "\n" for line in old]
    new_text = [line + "\n" for line in new]
    patch = "".join(difflib.unified_diff(old_text, new_text, "a/f.txt", "b/f.txt"))
    _, files = parse_patch(patch)
    removed = added = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        if op != "equal":
            removed += i2 - i1
            added += j2 - j1
    if not added and not removed:
        assert files == []
        return
    (f,) = files
    assert (f.added, f.removed) == (added, removed)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_LINES, _LINES, st.booleans(), st.booleans())
def test_counts_match_git(tmp_path: Path, old: list[str], new: list[str], crlf: bool,
                          final_eol: bool) -> None:
    repo = tmp_path / "prop"  # one repository for every example: each adds a commit
    if not repo.exists():
        repo.mkdir()
        git(repo, "init", "-q")
    eol = "\r\n" if crlf else "\n"
    path = repo / "f.txt"
    path.write_bytes(eol.join(old).encode() + (eol.encode() if old and final_eol else b""))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", "old")
    path.write_bytes(eol.join(new).encode() + (eol.encode() if new and final_eol else b""))
    out = subprocess.run(["git", "-C", str(repo), "diff", "--numstat", "--no-color"],
                         capture_output=True, check=True).stdout.decode()
    patch = subprocess.run(["git", "-C", str(repo), "diff", "--no-color"],
                           capture_output=True, check=True).stdout
    _, files = parse_patch(patch)
    if not out.strip():
        assert files == []
        return
    added, removed, _name = out.split("\t")
    (f,) = files
    assert (f.path, f.added, f.removed) == ("f.txt", int(added), int(removed))
