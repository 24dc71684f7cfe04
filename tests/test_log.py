"""The learning log through the real CLI: index, search, edit, digest rules, many repositories
and layouts. Notes are written by the plugin backend here; tests/test_log_model.py uses the
real model."""

from __future__ import annotations

import json
import re
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.cli import FAKE, assert_clean, tilgen
from tests.conftest import commit_files, git
from tests.search_corpus import NOTES, QUERIES, mean_reciprocal_rank, write_corpus
from tilgen.errors import ExitCode
from tilgen.log.notes import read_note, scan
from tilgen.note.schema import validate_note


def notes_dir(home: Path) -> Path:
    return home / "data" / "notes"


def day_commit(repo: Path, day: str, name: str = "calc.py", body: str = "") -> None:
    text = body or f"def f_{day.replace('-', '_')}(a, b):\n    return a + b\n"
    commit_files(repo, {name: text}, f"work on {day}", date=f"{day}T10:00:00")


def script(tmp_path: Path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text("#!/usr/bin/env python3\nimport sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
                    "text = p.read_text(encoding='utf-8')\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


@pytest.fixture
def three_days(repo: Path, isolated_home: Path) -> Path:
    for day in ("2026-11-24", "2026-11-25", "2026-11-26"):
        day_commit(repo, day)
        proc = tilgen("today", "--date", day, "-b", FAKE, cwd=repo)
        assert proc.returncode == 0, proc.stderr
    return repo


def test_index_lists_every_note_newest_first_by_month(three_days, isolated_home):
    day_commit(three_days, "2026-12-01")
    assert tilgen("today", "--date", "2026-12-01", "-b", FAKE, cwd=three_days).returncode == 0
    readme = (notes_dir(isolated_home) / "README.md").read_text(encoding="utf-8")
    saved = scan(notes_dir(isolated_home))
    assert len(saved) == 4
    for note in saved:
        assert f"[{note.title}]({note.rel})" in readme and ", ".join(
            f"`{k}`" for k in note.keywords) in readme
    assert readme.index("## 2026-12") < readme.index("## 2026-11")
    days = [line.split(" · ")[0][2:] for line in readme.splitlines() if line.startswith("- ")]
    assert days == ["2026-12-01", "2026-11-26", "2026-11-25", "2026-11-24"]
    # `tilgen index` writes the same file; index = false stops the rewrite after a save
    (notes_dir(isolated_home) / "README.md").unlink()
    assert tilgen("index").returncode == 0
    assert (notes_dir(isolated_home) / "README.md").read_text(encoding="utf-8") == readme
    day_commit(three_days, "2026-12-02")
    assert tilgen("today", "--date", "2026-12-02", "-b", FAKE, cwd=three_days,
                  env={"TILGEN_INDEX": "false"}).returncode == 0
    assert "2026-12-02" not in (notes_dir(isolated_home) / "README.md").read_text(encoding="utf-8")


def test_a_new_note_lists_its_related_past_notes(three_days, isolated_home):
    meta = read_note(notes_dir(isolated_home) / "project" / "2026-11-26.md",
                     notes_dir(isolated_home)).meta
    assert meta["related"] == ["2026-11-24.md", "2026-11-25.md"] or sorted(meta["related"]) == [
        "2026-11-24.md", "2026-11-25.md"]
    text = (notes_dir(isolated_home) / "project" / "2026-11-26.md").read_text(encoding="utf-8")
    assert "## 관련 노트\n\n- [2026-11-2" in text
    first = read_note(notes_dir(isolated_home) / "project" / "2026-11-24.md",
                      notes_dir(isolated_home))
    assert "related" not in first.meta  # no past note then
    # the note itself is still a valid note once the related list is left out
    saved = read_note(notes_dir(isolated_home) / "project" / "2026-11-26.md",
                      notes_dir(isolated_home))
    validate_note({"title": saved.title, "keywords": saved.keywords, "content": saved.content},
                  date=__import__("datetime").date(2026, 11, 26))


def test_search_quality_on_fifty_notes(tmp_path):
    from tilgen.log.search import SearchIndex

    assert len(NOTES) >= 50 and len(QUERIES) >= 20
    root = tmp_path / "notes"
    paths = write_corpus(root)
    index = SearchIndex(root)
    index.refresh()
    mrr, ranks = mean_reciprocal_rank(lambda q, k: [h.path for h in index.search(q, limit=k)],
                                      paths)
    assert mrr >= 0.8, ranks


def test_search_cli_shows_date_title_and_line_and_updates_its_index(tmp_path):
    root = tmp_path / "notes"
    write_corpus(root)
    proc = tilgen("search", "반쯤", "쓰인", "파일", "--notes-dir", str(root))
    assert proc.returncode == 0, proc.stderr
    first, line = proc.stdout.splitlines()[:2]
    assert first.startswith("2026-10-19  2026-10-19 TIL - 원자적 파일 쓰기  (api)")
    assert "os.replace" in line
    hits = json.loads(tilgen("search", "캐시", "--json", "--repo", "web", "--notes-dir",
                             str(root)).stdout)
    assert hits and {h["repo"] for h in hits} == {"web"}
    assert hits[0]["title"].endswith("React Query 캐시 시간")
    assert len(json.loads(tilgen("search", "캐시", "--json", "-n", "1", "--notes-dir",
                                 str(root)).stdout)) == 1
    # a note added later is found; one removed is gone
    new = root / "cli" / "2026-10-20.md"
    new.write_text('---\ntitle: "2026-10-20 TIL - 웹소켓 재연결"\nkeywords: ["웹소켓"]\n'
                   'date: "2026-10-20"\nrepo: "cli"\n---\n\n# 2026-10-20 TIL\n\n'
                   "- 웹소켓이 끊기면 `reconnect`로 다시 연결합니다.\n", encoding="utf-8")
    hits = json.loads(tilgen("search", "reconnect", "--json", "--notes-dir", str(root)).stdout)
    assert [h["path"] for h in hits] == [str(new)]
    new.unlink()
    gone = tilgen("search", "reconnect", "--notes-dir", str(root))
    assert gone.returncode == ExitCode.NO_CHANGES and "no note matches" in gone.stderr
    assert_clean(gone)


def test_edit_before_saving_keeps_the_edit_and_the_front_matter(day_repo_today, tmp_path,
                                                                isolated_home):
    editor = script(tmp_path, "ed.py", "p.write_text(text.replace('- 이 변경은', '- 손본 문장은'),"
                    " encoding='utf-8')\n")
    proc = tilgen("today", "-b", FAKE, "--edit", cwd=day_repo_today, env={"EDITOR": editor})
    assert proc.returncode == 0, proc.stderr
    [path] = [p for p in notes_dir(isolated_home).rglob("*/*.md")]
    text = path.read_text(encoding="utf-8")
    assert "- 손본 문장은 함수의 동작을" in text and '"backend": ' not in text
    assert 'backend: "fake"' in text and text.startswith('---\ntitle: "')


def test_an_edit_that_breaks_the_heading_gets_a_second_chance(day_repo_today, tmp_path,
                                                              isolated_home):
    # first edit breaks the heading; the second sees the problem written on top and fixes it
    editor = script(tmp_path, "ed.py", """
if '<!-- tilgen:' in text:
    assert 'heading' in text, text
    p.write_text(text.replace('# TIL of the day', '# ' + DAY + ' TIL'), encoding='utf-8')
else:
    p.write_text(text.replace('# ' + DAY + ' TIL', '# TIL of the day'), encoding='utf-8')
""".replace("DAY", repr(__import__("datetime").date.today().isoformat())))
    proc = tilgen("today", "-b", FAKE, "--edit", cwd=day_repo_today, env={"VISUAL": editor})
    assert proc.returncode == 0, proc.stderr
    assert "breaks a rule" in proc.stderr and "opening it again" in proc.stderr
    [path] = list(notes_dir(isolated_home).rglob("*/*.md"))
    assert "<!-- tilgen" not in path.read_text(encoding="utf-8")


def test_an_edit_broken_twice_saves_nothing(day_repo_today, tmp_path, isolated_home):
    editor = script(tmp_path, "ed.py", "import re\np.write_text(re.sub(r'# \\d{4}-\\d\\d-\\d\\d "
                    "TIL', '# notes', text), encoding='utf-8')\n")
    proc = tilgen("today", "-b", FAKE, "--edit", cwd=day_repo_today, env={"EDITOR": editor})
    assert proc.returncode == ExitCode.INVALID_NOTE, proc.stderr
    assert "still breaks a rule" in proc.stderr and "nothing was saved" in proc.stderr
    assert_clean(proc)
    assert not list(notes_dir(isolated_home).rglob("*/*.md"))


def test_tilgen_edit_reopens_a_saved_note(three_days, tmp_path, isolated_home):
    path = notes_dir(isolated_home) / "project" / "2026-11-26.md"
    before = path.read_text(encoding="utf-8")
    fix = script(tmp_path, "fix.py", "p.write_text(text.replace('변경 사항 정리', '덧셈 함수 정리'),"
                 " encoding='utf-8')\n")
    proc = tilgen("edit", "2026-11-26", "--repo", "project", env={"EDITOR": fix})
    assert proc.returncode == 0, proc.stderr
    after = path.read_text(encoding="utf-8")
    assert 'title: "2026-11-26 TIL - 덧셈 함수 정리"' in after
    assert after.split("---")[1].count("\n") == before.split("---")[1].count("\n")  # kept
    assert "## 관련 노트" in after
    assert "덧셈 함수 정리" in (notes_dir(isolated_home) / "README.md").read_text(encoding="utf-8")
    broken = script(tmp_path, "broken.py", "p.write_text(text.replace('다.', '다'), "
                    "encoding='utf-8')\n")
    proc = tilgen("edit", "2026-11-26", env={"EDITOR": broken})
    assert proc.returncode == ExitCode.INVALID_NOTE and "period" in proc.stderr
    assert path.read_text(encoding="utf-8") == after
    missing = tilgen("edit", "2026-01-01", env={"EDITOR": fix})
    assert missing.returncode == ExitCode.NO_CHANGES and "no saved note" in missing.stderr
    no_editor = tilgen("edit", "2026-11-26", env={"EDITOR": "", "VISUAL": ""})
    assert no_editor.returncode == ExitCode.USAGE and "$EDITOR" in no_editor.stderr


@pytest.fixture
def day_repo_today(repo: Path) -> Path:
    commit_files(repo, {"calc.py": "def add(a, b):\n    return a + b\n"}, "Add add()")
    return repo


def test_a_digest_of_one_note_or_none_says_so(repo, isolated_home):
    day_commit(repo, "2026-11-24")
    assert tilgen("today", "--date", "2026-11-24", "-b", FAKE, cwd=repo).returncode == 0
    one = tilgen("digest", "--date", "2026-11-27", "-b", FAKE)
    assert one.returncode == ExitCode.NO_CHANGES, one.stderr
    assert "2026-W48" in one.stderr and "only one daily note" in one.stderr
    none = tilgen("digest", "--month", "--date", "2026-10-03", "-b", FAKE)
    assert none.returncode == ExitCode.NO_CHANGES and "no daily note" in none.stderr
    assert not [p for p in notes_dir(isolated_home).rglob("*/*.md") if "W48" in p.name]


def test_a_digest_names_its_days_and_links_its_notes(three_days, isolated_home):
    proc = tilgen("digest", "--date", "2026-11-25", "-b", FAKE, "--repo", "project")
    assert proc.returncode == 0, proc.stderr
    path = notes_dir(isolated_home) / "project" / "2026-W48.md"
    saved = read_note(path, notes_dir(isolated_home))
    assert saved.meta["kind"] == "weekly" and saved.title.startswith("2026-W48 주간 TIL - ")
    lessons = [b for b in saved.lessons() if not b.startswith("[")]
    assert len(lessons) == 4 and lessons[0].startswith("노트 11-24의 변경은 함수의 동작을 정리합니다 (")
    assert all(re.search(r" \((11-2[456](, )?)+\)\.$", b) for b in lessons), lessons
    assert "(2026-11-24.md)" in saved.content and "(2026-11-26.md)" in saved.content
    again = tilgen("digest", "--date", "2026-11-25", "-b", FAKE, "--repo", "project")
    assert "reused the digest" in again.stderr
    month = tilgen("digest", "--month", "--date", "2026-11-02", "-b", FAKE, "--json")
    assert json.loads(month.stdout)["title"].startswith("2026-11 월간 TIL - ")


def test_today_all_writes_every_repository_but_the_broken_one(tmp_path, isolated_home):
    root = tmp_path / "src"
    for name in ("alpha", "broken", "gamma"):
        (root / name).mkdir(parents=True)
        git(root / name, "init", "-q")
        commit_files(root / name, {f"{name}.py": f"def {name}():\n    return 1\n"}, f"{name}")
    shutil.rmtree(root / "broken" / ".git" / "objects")
    (root / "broken" / ".git" / "objects").mkdir()
    config = isolated_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f"repos = {json.dumps([str(root / n) for n in ('alpha', 'broken', 'gamma')])}\n")
    proc = tilgen("today", "--all", "-b", FAKE)
    assert proc.returncode == ExitCode.ERROR, proc.stderr
    assert_clean(proc)
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("alpha: written ") and lines[2].startswith("gamma: written ")
    assert lines[1].startswith("broken: error")
    assert {p.parent.name for p in notes_dir(isolated_home).rglob("*/*.md")} == {"alpha", "gamma"}
    again = tilgen("today", "--repos", str(root), "-b", FAKE)
    assert "alpha: cached" in again.stdout and "gamma: cached" in again.stdout
    commit_files(root / "alpha", {"x.py": "y = 2\n"}, "old", date="2020-01-01T10:00:00")
    quiet = tilgen("today", "--all", "--date", "2020-01-02", "-b", FAKE)
    assert "alpha: nothing today" in quiet.stdout


def test_repos_is_not_read_from_a_repository_file(repo, isolated_home):
    commit_files(repo, {"a.py": "x = 1\n"}, "a")
    (repo / ".tilgen.toml").write_text('repos = ["/etc"]\n')
    proc = tilgen("today", "--all", "-b", FAKE, cwd=repo)
    assert proc.returncode == ExitCode.CONFIG and "no repositories" in proc.stderr


@pytest.mark.parametrize("layout", ["jekyll", "hugo", "obsidian"])
def test_layouts_name_files_and_front_matter_as_their_tools_expect(three_days, isolated_home,
                                                                   layout):
    day_commit(three_days, "2026-11-27")
    env = {"TILGEN_NOTES_LAYOUT": layout}
    assert tilgen("today", "--date", "2026-11-27", "-b", FAKE, cwd=three_days, env=env
                  ).returncode == 0
    day_commit(three_days, "2026-11-28")
    assert tilgen("today", "--date", "2026-11-28", "-b", FAKE, cwd=three_days, env=env
                  ).returncode == 0
    root = notes_dir(isolated_home)
    where = {"jekyll": root / "_posts" / "2026-11-28-project.md",
             "hugo": root / "content" / "posts" / "project" / "2026-11-28.md",
             "obsidian": root / "project" / "2026-11-28.md"}[layout]
    saved = read_note(where, root)
    assert saved is not None and saved.meta["date"] == "2026-11-28"
    if layout == "obsidian":
        assert saved.meta["tags"] == ["코드_변경", "테스트"]
        assert all(r.startswith("[[project/2026-11-2") for r in saved.meta["related"])
        assert "- [[project/2026-11-27|2026-11-27 TIL - " in saved.body
    else:
        assert saved.meta["tags"] == ["코드 변경", "테스트"]
    if layout == "jekyll":
        assert saved.meta["layout"] == "post"
        assert "(2026-11-27-project.md)" in saved.body


def test_a_hugo_site_builds_from_the_notes(three_days, isolated_home, tmp_path):
    hugo = shutil.which("hugo")
    if not hugo:
        pytest.skip("hugo is not installed")
    env = {"TILGEN_NOTES_LAYOUT": "hugo"}
    for day in ("2026-11-27", "2026-11-28"):
        day_commit(three_days, day)
        assert tilgen("today", "--date", day, "-b", FAKE, cwd=three_days, env=env).returncode == 0
    assert tilgen("digest", "--date", day, "-b", FAKE, env=env).returncode == 0
    site = notes_dir(isolated_home)
    (site / "hugo.toml").write_text('baseURL = "http://example.org/"\ntitle = "TIL"\n'
                                    '[taxonomies]\n  tag = "tags"\n')
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (layouts / "single.html").write_text("<h1>{{ .Title }}</h1>{{ .Date.Format \"2006-01-02\" }}"
                                         "{{ range .Params.tags }}<i>{{ . }}</i>{{ end }}"
                                         "{{ .Content }}")
    (layouts / "list.html").write_text("{{ range .Pages }}{{ .Title }}\n{{ end }}")
    built = subprocess.run([hugo, "--source", str(site), "--destination", str(tmp_path / "public")],
                           capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr + built.stdout
    page = (tmp_path / "public" / "posts" / "project" / "2026-11-28" / "index.html").read_text()
    assert "<h1>2026-11-28 TIL - 변경 사항 정리</h1>2026-11-28" in page and "<i>테스트</i>" in page
    assert "<li>" in page or "<ul>" in page  # the bullets became HTML
    weekly = tmp_path / "public" / "posts" / "all" / "2026-w48" / "index.html"
    assert "2026-W48 주간 TIL" in weekly.read_text()
    assert (tmp_path / "public" / "tags" / "테스트").exists() or any(
        "tags" in str(p) for p in (tmp_path / "public").rglob("index.html"))
