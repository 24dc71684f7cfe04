"""A backend plugin for logic tests: answers instantly, with queued answers or a valid note.

Registered as ``fake`` by the metadata in ``tests/plugins`` (on sys.path in the tests'
process and, through PYTHONPATH, in the CLI's; see tests/cli.py).

In-process, queue answers with :meth:`FakeBackend.enqueue` (llm's ``MockModel.enqueue``):
each generation takes the next one, and records its request in ``FakeBackend.requests``.
Across processes, ``$TILGEN_FAKE_ANSWERS`` may name a JSON file holding a list of answers
returned in turn; ``$TILGEN_FAKE_LOG`` collects each request's messages, one JSON line per
generation; ``$TILGEN_FAKE_DELAY`` seconds of sleep simulate a slow model (touching
``$TILGEN_FAKE_STARTED`` first). An answer is raw text, a JSON value, or
``{"raw": "...", "finish_reason": "length"}`` for text cut off at max_tokens.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from typing import Any, ClassVar

from tilgen.backends.base import Chunk, GenerationRequest
from tilgen.config.settings import Settings
from tilgen.fit.budget import estimate_tokens


class FakeBackend:
    name = "fake"
    model_name = "fake-model"
    queue: ClassVar[list[Any]] = []
    requests: ClassVar[list[GenerationRequest]] = []

    def __init__(self, settings: Settings | None = None) -> None:
        # The context of the embedded settings, so tests can make the changes not fit.
        self.n_ctx = settings.embedded.n_ctx if settings is not None else 4096

    # -- the plugin contract -------------------------------------------------------------
    @classmethod
    def from_settings(cls, settings: Settings, **_: Any) -> FakeBackend:
        return cls(settings)

    @classmethod
    def cache_identity(cls, settings: Settings) -> dict[str, Any]:
        return {"model": cls.model_name, "n_ctx": settings.embedded.n_ctx}

    @classmethod
    def model_settings(cls, model: str) -> dict[str, Any]:
        return {}  # one model only

    # -- queueing, in-process ------------------------------------------------------------
    @classmethod
    def enqueue(cls, *answers: Any, finish_reason: str | None = None) -> None:
        """Answers for the next generations: text, a JSON value, or an exception to raise.
        ``finish_reason="length"`` marks each as cut off at max_tokens."""
        for answer in answers:
            if finish_reason is not None and not isinstance(answer, BaseException):
                text = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
                answer = {"raw": text, "finish_reason": finish_reason}
            cls.queue.append(answer)

    @classmethod
    def clear(cls) -> None:
        cls.queue.clear()
        cls.requests.clear()

    # -- the backend ---------------------------------------------------------------------
    def context_length(self) -> int:
        return self.n_ctx

    def count_tokens(self, text: str) -> int:
        return estimate_tokens(text)

    def prepare(self) -> float:
        return 0.0

    def stream(self, request: GenerationRequest) -> Iterator[str | Chunk]:
        self.requests.append(request)
        log = os.environ.get("TILGEN_FAKE_LOG")
        if log:
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(json.dumps({"messages": request.messages}, ensure_ascii=False) + "\n")
        delay = float(os.environ.get("TILGEN_FAKE_DELAY", "0") or 0)
        if delay:
            started = os.environ.get("TILGEN_FAKE_STARTED")
            if started:
                open(started, "w").close()
            time.sleep(delay)
        queued = self.queue.pop(0) if self.queue else _from_file()
        if isinstance(queued, BaseException):
            raise queued
        finish = "stop"
        if isinstance(queued, dict) and "raw" in queued:
            queued, finish = queued["raw"], queued.get("finish_reason", "stop")
        text = (queued if isinstance(queued, str) else
                json.dumps(queued, ensure_ascii=False) if queued else _answer(request))
        middle = len(text) // 2  # two pieces: the runner joins what backends stream
        yield text[:middle]
        yield text[middle:]
        yield Chunk(finish_reason=finish, prompt_tokens=10, completion_tokens=10)


def _from_file() -> Any:
    path = os.environ.get("TILGEN_FAKE_ANSWERS")
    if not path or not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as fh:
        answers = json.load(fh)
    if not answers:
        return None
    first, rest = answers[0], answers[1:]
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(rest, fh)
    return first


def _answer(request: GenerationRequest) -> str:
    user = request.messages[-1]["content"] if request.messages else ""
    joined = "\n".join(m["content"] for m in request.messages)
    m = re.search(r"Date: (\d{4}-\d{2}-\d{2})", joined)
    date = m.group(1) if m else "2000-01-01"
    props = (request.json_schema or {}).get("properties", {})
    if "lessons" in props:  # a digest: one lesson per day, then one joining all of them
        days = props["lessons"]["items"]["properties"]["days"]["items"]["enum"]
        lessons = [{"text": f"노트 {d}의 변경은 함수의 동작을 정리합니다.", "days": [d]}
                   for d in days]
        lessons.append({"text": "여러 날의 변경은 같은 구조를 따릅니다.", "days": days})
        return json.dumps({"topic": "한 주의 변경 정리", "keywords": ["주간 정리"],
                           "lessons": lessons[:7]}, ensure_ascii=False)
    if "text" in props and "points" not in props:  # one point of a note written point by point
        return json.dumps({"en": "The function now states its behaviour clearly.",
                           "text": "이 변경은 함수의 동작을 명확하게 정리합니다."},
                          ensure_ascii=False)
    if "points" in props or "points" in user:
        return json.dumps({
            "topic": "변경 사항 정리",
            "keywords": ["코드 변경", "테스트"],
            "points": [
                {"text": "이 변경은 함수의 동작을 명확하게 정리합니다.", "hunk": 1},
                {"text": "테스트 코드는 변경된 동작을 검증하여 유지보수성을 높입니다.", "hunk": 0},
            ],
        }, ensure_ascii=False)
    return json.dumps({
        "title": f"{date} TIL - 변경 사항 정리",
        "keywords": ["코드 변경"],
        "content": f"# {date} TIL\n\n- 이 변경은 함수의 동작을 명확하게 정리합니다.\n",
    }, ensure_ascii=False)
