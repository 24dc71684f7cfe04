"""What a reader checks, measured on small hand-made notes: facts covered, invented numbers,
vacuous and meta bullets, boilerplate snippets, garbled Korean words, wrong languages."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tilgen.errors import TilgenError
from tilgen.git.changes import FileChange, Hunk
from tilgen.note.checks import boilerplate, check, is_meta, message_text, note_units
from tilgen.tools.facts import fact_scores, load_facts

DAY = "2026-11-22"
MESSAGES = "Retry HTTP calls with exponential backoff\n\nCloses the flaky upload path."
FILES = [FileChange(path="client/http.py", language="Python", hunks=[Hunk(
    "@@ -1,6 +1,9 @@ class Client:", [
        " import time",
        "+import random",
        " def fetch(url, attempts=5):",
        "-    return get(url)",
        "+    for attempt in range(attempts):",
        "+        delay = min(2 ** attempt, 30) + random.random()",
        "+        time.sleep(delay)",
    ])])]
FACTS = {"id": "retry", "lang_ok": ["Python"], "facts": [
    {"fact": "fetch가 실패하면 지수 백오프로 다시 시도한다.",
     "any_of": [["fetch"], ["attempt", "재시도", "다시 시도", "backoff", "백오프"]]},
    {"fact": "대기 시간은 30초를 넘지 않는다.", "any_of": [["min(", "30"], ["delay", "대기"]]},
]}

GOOD = f"""# {DAY} TIL

- `fetch`는 실패하면 `attempt`마다 대기 시간을 두 배로 늘려 다시 시도합니다.

```python
for attempt in range(attempts):
    delay = min(2 ** attempt, 30) + random.random()
```

- `delay`는 `min`으로 30초에서 멈춰, 재시도 간격이 끝없이 커지지 않습니다.
"""
VAGUE = f"""# {DAY} TIL

- 오늘 프로젝트에서 커밋을 추가하였습니다.
- 코드의 품질과 가독성이 향상되었습니다.
- 12월 2일에 204번 문서를 참고했습니다.

```python
import time
import random
```
"""


def note(content: str) -> dict:
    return {"title": f"{DAY} TIL - 재시도", "keywords": ["재시도"], "content": content}


def test_a_good_note_covers_its_facts_and_passes_every_check():
    facts = fact_scores(note(GOOD), FACTS)
    assert (facts["facts_strict"], facts["facts_loose"], facts["facts"]) == (2, 2, 2)
    c = check(GOOD, files=FILES, messages=MESSAGES)
    assert (c.bullets, c.invented_numbers, c.vacuous_bullets, c.meta_bullets) == (2, [], 0, 0)
    assert (c.snippets, c.boilerplate_snippets) == (1, 0)
    assert facts["wrong_languages"] == []


def test_a_vague_note_scores_low_on_every_check():
    facts = fact_scores(note(VAGUE), FACTS)
    assert (facts["facts_strict"], facts["facts_loose"], facts["facts_missed"]) == (0, 0, [0, 1])
    c = check(VAGUE, files=FILES, messages=MESSAGES)
    assert c.bullets == 3 and c.vacuous_bullets == 3
    assert c.invented_numbers == ["12", "204"]  # the date and a made-up document number
    assert c.meta_bullets == 2  # "오늘 프로젝트에서 커밋", "12월 2일에"; the quality claim is vague only
    assert c.boilerplate_snippets == 1


def test_strict_recall_needs_one_bullet_loose_recall_takes_the_whole_note():
    split = f"# {DAY} TIL\n\n- `fetch`를 바꿉니다.\n- 실패하면 백오프합니다.\n"
    facts = fact_scores(note(split), FACTS)
    assert (facts["facts_strict"], facts["facts_loose"]) == (0, 1)
    in_code = f"# {DAY} TIL\n\n- 바꿉니다.\n\n```python\nfetch(url)  # backoff\n```\n"
    assert fact_scores(note(in_code), FACTS)["facts_loose"] == 0  # fenced code is not searched
    assert fact_scores(None, FACTS)["facts_strict"] == 0 and fact_scores(note(GOOD), None) == {}


def test_a_list_item_continued_on_the_next_line_is_one_bullet():
    content = f"# {DAY} TIL\n\n- `fetch`는 실패하면\n  다시 시도합니다.\n- 둘째.\n\n```go\nx\n```\n"
    assert note_units(content) == ["`fetch`는 실패하면 다시 시도합니다.", "둘째."]


def test_numbers_in_the_patch_the_messages_or_code_are_not_invented():
    content = (f"# {DAY} TIL\n\n- `min(2 ** attempt, 30)`처럼 30초까지 5번 기다립니다.\n"
               "- 1,000번이 아니라 2번만 시도합니다.\n")
    assert check(content, files=FILES, messages=MESSAGES).invented_numbers == ["1000"]
    # the hash and the date of `git show`'s header are no evidence
    header = "commit 204a9f0c1b\nAuthor: A <a@b.c>\nDate:   2025-09-01\n\n    Fix 17 races\n"
    assert message_text(header + "\ndiff --git a/x b/x\n").strip() == "Fix 17 races"
    told = f"# {DAY} TIL\n\n- 204번 커밋에서 17개의 경쟁 조건과 2025년 문제를 고쳤습니다.\n"
    assert check(told, files=FILES, messages=message_text(header)).invented_numbers == ["204", "2025"]


@pytest.mark.parametrize("bullet", [
    "오늘 `fetch`를 고쳤습니다.", "이 커밋은 `fetch`의 재시도를 추가합니다.",
    "프로젝트에서 `delay`를 사용합니다.", "12월 2일에 `fetch` 코드를 작성했습니다.",
    "변경 사항을 추가하여 `fetch`를 개선했습니다.", "`http.py` 파일을 수정했습니다.",
    "풀 리퀘스트에서 `fetch`가 바뀌었습니다.",
])
def test_meta_bullets_are_caught(bullet: str):
    assert is_meta(bullet)


@pytest.mark.parametrize("bullet", [
    "`fetch`는 실패하면 다시 시도합니다.", "`delay`는 30초를 넘지 않습니다.",
    "`NewFlagSet`은 `interspersed`를 `true`로 초기화하므로 기본 동작이 유지됩니다.",
    "`Error::context`로 오류에 설명을 덧붙입니다.", "인자가 없으면 도움말을 출력합니다.",
    "`init`은 기본 설정 파일을 작성합니다.", "`Accordion`의 `Header`에 `aria-expanded`를 답니다.",
])
def test_bullets_about_the_code_are_not_meta(bullet: str):
    assert not is_meta(bullet)


def test_commit_words_are_not_meta_when_the_change_is_about_commits():
    assert is_meta("커밋 전에 검사합니다.")
    assert not is_meta("커밋 전에 검사합니다.", "def pre_commit_hook(): ...")
    assert is_meta("저장소의 루트에서 찾습니다.")
    assert not is_meta("저장소의 루트에서 찾습니다.", "root = find_repo_root(path)")


@pytest.mark.parametrize("block", [
    "import (\n\t\"fmt\"\n\t\"strings\"\n)", "package pflag\n\nimport \"time\"",
    "use std::fmt;\nuse anyhow::{Context, Result};", "from typing import Any\nimport os\n# setup",
    "const x = require('x');\n// helper", "import java.util.List;\n", "use std::{\n    fmt,\n    io,\n};",
    "#include <stdio.h>\n/* a */",
])
def test_snippets_of_imports_and_comments_are_boilerplate(block: str):
    assert boilerplate(block)


@pytest.mark.parametrize("block", [
    "delay = min(2 ** attempt, 30)", "import os\nos.remove(path)",
    "func (f *FlagSet) SetInterspersed(interspersed bool) {", "return Ok(())",
])
def test_snippets_with_code_are_not_boilerplate(block: str):
    assert not boilerplate(block)


def test_language_names_not_in_lang_ok_are_wrong():
    content = f"# {DAY} TIL\n\n- 파이썬의 `fetch`는 자바스크립트의 `fetch`와 다릅니다.\n"
    assert fact_scores(note(content), FACTS)["wrong_languages"] == ["JavaScript"]


def test_garbled_korean_words_are_caught_and_real_ones_are_not():
    pytest.importorskip("kiwipiepy")
    from tilgen.note.korean import korean_scores

    garbled = f"# {DAY} TIL\n\n- 허드를 호출하여 히브러리의 `fetch`를 파싱합니다.\n"
    scores = korean_scores(garbled)
    assert scores["unknown_ko"] == ["허드를", "히브러리의"] and scores["hangul_words"] == 5
    assert korean_scores(GOOD)["unknown_ko"] == []


def test_facts_load_from_the_corpus_and_a_bad_line_names_the_file(tmp_path: Path):
    (tmp_path / "facts.jsonl").write_text(json.dumps(FACTS) + "\n\n", encoding="utf-8")
    assert load_facts(tmp_path)["retry"]["lang_ok"] == ["Python"]
    assert load_facts(tmp_path / "none") == {}
    (tmp_path / "facts.jsonl").write_text('{"id": "x", "facts": [{"any_of": "fetch"}]}\n')
    with pytest.raises(TilgenError, match="facts.jsonl:1: not a facts entry"):
        load_facts(tmp_path)


def test_the_garbled_word_rule_keeps_its_measured_precision_and_recall():
    """The labelled words of tests/data/korean_words.tsv (docs/QUALITY.md has the figures)."""
    pytest.importorskip("kiwipiepy")
    sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
    from korean_words import confusion, labelled

    c = confusion(labelled(), with_loanwords=True, fragments=True)
    tp, fp, fn = len(c["tp"]), len(c["fp"]), len(c["fn"])
    assert tp / (tp + fp) >= 0.95 and tp / (tp + fn) >= 0.9, c
