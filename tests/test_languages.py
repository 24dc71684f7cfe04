"""Language detection per file and per change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tilgen.git.changes import FileChange, Hunk
from tilgen.git.languages import language_for, main_languages, shebang_language
from tilgen.git.patch import parse_patch

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.mark.parametrize(("path", "language"), [
    ("cmd/main.go", "Go"), ("src/lib.rs", "Rust"), ("index.js", "JavaScript"),
    ("lib/x.mjs", "JavaScript"), ("typings/index.d.ts", "TypeScript"), ("App.tsx", "TypeScript"),
    ("Button.jsx", "JavaScript"), ("Foo.java", "Java"), ("setup.py", "Python"),
    ("stubs/x.pyi", "Python"), ("a.c", "C"), ("a.cpp", "C++"), ("a.cs", "C#"),
    ("script.pl", "Perl"), ("analysis.R", "R"), ("q.sql", "SQL"), ("run.sh", "Shell"),
    ("Dockerfile", "Dockerfile"), ("Makefile", "Makefile"), ("CMakeLists.txt", "CMake"),
    ("notes.txt", "Text"), ("README.md", "Markdown"), ("CHANGES.rst", "reStructuredText"),
    ("config.yml", "YAML"), ("pyproject.toml", "TOML"), ("package.json", "JSON"),
    ("data.csv", "CSV"), ("go.mod", "Go Module"), ("한글 이름.py", "Python"),
    ("LICENSE", None), ("image.png", None), ("", None),
])
def test_language_for(path: str, language: str | None) -> None:
    assert language_for(path) == language


def test_names_that_share_a_suffix_do_not_share_a_cache_entry() -> None:
    # "meson_options.txt" has its own pygments pattern; other .txt files are plain text.
    assert language_for("notes.txt") == "Text"
    assert language_for("meson_options.txt") == "Meson"
    assert language_for("x/Makefile.am") == "Makefile" and language_for("x.am") != "Makefile"


@pytest.mark.parametrize(("line", "language"), [
    ("#!/usr/bin/env python3", "Python"), ("#!/usr/bin/python3.11", "Python"),
    ("#!/usr/bin/env -S node --harmony", "JavaScript"), ("#!/bin/bash -e", "Shell"),
    ("#!/usr/bin/env ruby", "Ruby"), ("print('no shebang')", None),
])
def test_shebang(line: str, language: str | None) -> None:
    assert shebang_language(line) == language


def test_extensionless_file_uses_its_first_line() -> None:
    assert language_for("bin/tool", first_line="#!/usr/bin/env node") == "JavaScript"
    assert language_for("tool.py", first_line="#!/bin/sh") == "Python"  # the name wins


def change(path: str, added: int, *, binary: bool = False, language: str | None = None,
           mode: str | None = None) -> FileChange:
    hunk = Hunk(header=f"@@ -0,0 +1,{added} @@", lines=["+x"] * added)
    return FileChange(path=path, hunks=[hunk] if added else [], binary=binary,
                      language=language, new_mode=mode)


def test_main_languages_weighs_changed_lines() -> None:
    files = [change("a.py", 10), change("b.py", 5), change("c.go", 12), change("d.rs", 1)]
    assert main_languages(files) == ["Python", "Go"]
    assert main_languages(files, top=1) == ["Python"]


def test_main_languages_ignores_lockfiles_binaries_and_unknowns() -> None:
    files = [change("package-lock.json", 5000), change("Cargo.lock", 900),
             change("blob.js", 0, binary=True), change("LICENSE", 300), change("app.ts", 3)]
    assert main_languages(files) == ["TypeScript"]


def test_markup_counts_only_without_code() -> None:
    files = [change("README.md", 400), change("lib.rs", 2)]
    assert main_languages(files) == ["Rust"]
    assert main_languages([change("README.md", 4), change("conf.yaml", 9)]) == ["YAML",
                                                                               "Markdown"]
    assert main_languages([]) == []


def test_symlinks_have_no_language() -> None:
    assert main_languages([change("link.py", 1, mode="120000")]) == []


def test_builtin_corpus_language_is_the_top_language() -> None:
    from tilgen.tools.evaluate import builtin_corpus, load_cases

    corpus = builtin_corpus()
    for case in load_cases(corpus):
        _, files = parse_patch((corpus / f"{case['id']}.diff").read_bytes())
        assert main_languages(files, top=1) == [case["language"]], case["id"]


def test_corpus_language_is_the_top_language() -> None:
    cases_file = CORPUS / "cases.jsonl"
    if not cases_file.exists():
        pytest.skip(f"evaluation corpus not found at {CORPUS}")
    cases = [json.loads(line) for line in cases_file.read_text().splitlines() if line.strip()]
    agree = []
    for case in cases:
        _, files = parse_patch((CORPUS / f"{case['id']}.diff").read_bytes())
        agree.append(main_languages(files, top=1) == [case["language"]])
    assert len(cases) == 30 and sum(agree) >= 28
