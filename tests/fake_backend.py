"""A backend plugin for logic tests: answers instantly with a valid note.

Select it with ``backend = "fake"``: the entry point in tests/plugins registers it (the
project root and tests/plugins on PYTHONPATH, as tests/cli.py sets). Each request is
appended to ``$TILGEN_FAKE_LOG`` when set, so tests can count generations across processes; ``$TILGEN_FAKE_DELAY`` seconds of sleep simulate a slow model
(touching ``$TILGEN_FAKE_STARTED`` first). ``$TILGEN_FAKE_ANSWERS`` may name a JSON file holding a list of
raw answers to return in turn (to drive retries and invalid output); an entry
``{"raw": "...", "finish_reason": "length"}`` returns that text as cut off at max_tokens.
"""

from __future__ import annotations

import json
import os
import re
import time
from typing import Any

from tilgen.backends.base import GenerationRequest, GenerationResult, TokenCallback, estimate_tokens


class FakeBackend:
    name = "fake"
    model_name = "fake-model"

    def __init__(self, settings: Any = None) -> None:
        self.requests: list[GenerationRequest] = []
        self.n_ctx = settings.embedded.n_ctx if settings is not None else 4096

    def context_length(self) -> int:
        return self.n_ctx

    def count_tokens(self, text: str) -> int:
        return estimate_tokens(text)

    def generate(self, request: GenerationRequest, on_token: TokenCallback | None = None) -> GenerationResult:
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
        queued = self._queued()
        finish = "stop"
        if isinstance(queued, dict) and "raw" in queued:
            queued, finish = queued["raw"], queued.get("finish_reason", "stop")
        text = (queued if isinstance(queued, str) else
                json.dumps(queued, ensure_ascii=False) if queued else self._answer(request))
        if on_token:
            on_token(text)
        return GenerationResult(text=text, finish_reason=finish, backend=self.name,
                                model=self.model_name, prompt_tokens=10, completion_tokens=10)

    def _queued(self) -> Any:
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

    def _answer(self, request: GenerationRequest) -> str:
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
