"""A weekly digest written by the real 0.5B model from five saved daily notes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from tests.cli import assert_clean, tilgen
from tests.models import TEST_MODEL, test_model_path
from tilgen.log.digest import period_of, validate_digest
from tilgen.log.notes import read_note
from tilgen.note.store import front_matter

WEEK = [
    ("2026-11-23", "지수 백오프 재시도", ["재시도", "백오프"],
     ["`tenacity`의 `wait_exponential`로 실패한 요청을 점점 긴 간격으로 다시 보냅니다.",
      "재시도 횟수를 `stop_after_attempt(3)`으로 제한하여 장애가 길어질 때 부하를 줄입니다."]),
    ("2026-11-24", "데이터베이스 연결 풀", ["연결 풀", "데이터베이스"],
     ["`create_engine`의 `pool_size`로 동시에 열리는 연결 수를 제한합니다.",
      "`pool_pre_ping=True`는 끊어진 연결을 쿼리 전에 확인하여 오류를 막습니다."]),
    ("2026-11-25", "요청 시간 제한", ["시간 제한", "요청"],
     ["`httpx.Timeout`으로 연결과 읽기 시간 제한을 따로 정합니다.",
      "시간 제한이 없는 요청은 느린 서버 때문에 작업자를 오래 붙잡습니다."]),
    ("2026-11-26", "캐시 무효화 전략", ["캐시", "무효화"],
     ["쓰기 뒤에 캐시 키를 지우는 방식은 오래된 값이 남는 시간을 줄입니다.",
      "`functools.lru_cache`는 프로세스 안에서만 유효하므로 여러 워커 사이에는 `Redis`를 씁니다."]),
    ("2026-11-27", "구조화된 로그", ["로그", "관측성"],
     ["`structlog`는 로그를 키와 값의 JSON으로 남겨 검색과 집계를 쉽게 합니다.",
      "요청마다 `request_id`를 묶어 두면 한 요청의 로그를 끝까지 따라갈 수 있습니다."]),
]


def save_week(root: Path) -> list[Path]:
    paths = []
    for date, topic, keywords, points in WEEK:
        path = root / "api" / f"{date}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {"title": f"{date} TIL - {topic}", "keywords": keywords, "date": date,
                "repo": "api"}
        path.write_text(front_matter(meta) + f"# {date} TIL\n\n"
                        + "\n".join(f"- {p}" for p in points) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


@pytest.mark.model
@pytest.mark.slow
def test_a_week_of_five_notes_gives_a_valid_weekly_digest(isolated_home, tmp_path):
    test_model_path()
    root = tmp_path / "notes"
    daily = save_week(root)
    proc = tilgen("digest", "--date", "2026-11-25", "--model", TEST_MODEL, "--notes-dir",
                  str(root), timeout=900)
    assert_clean(proc)
    assert proc.returncode == 0, proc.stderr
    path = root / "all" / "2026-W48.md"
    saved = read_note(path, root)
    period = period_of(dt.date(2026, 11, 25), "week")
    days = [d[5:] for d, *_ in WEEK]
    note = validate_digest({"title": saved.title, "keywords": saved.keywords,
                            "content": saved.content}, period, days)
    assert note.title.startswith("2026-W48 주간 TIL - ")
    lessons = saved.lessons()[: len(saved.lessons()) - len(daily)]
    assert 3 <= len(lessons) <= 7
    for lesson in lessons:
        named = re.search(r"\((\d\d-\d\d(?:, \d\d-\d\d)*)\)\.$", lesson).group(1).split(", ")
        assert set(named) <= set(days), lesson
    for p in daily:  # every daily note is linked
        assert f"](../api/{p.name})" in saved.content
    assert saved.meta["days"] == [d for d, *_ in WEEK] and saved.meta["kind"] == "weekly"
    assert "2026-W48 주간 TIL" in (root / "README.md").read_text(encoding="utf-8")
