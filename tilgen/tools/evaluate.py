"""``tilgen eval``: run a corpus of patches through a backend and measure the notes."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tilgen import paths
from tilgen.errors import TilgenError
from tilgen.note.prompt import PROMPT_VERSION
from tilgen.config.settings import Settings


def builtin_corpus() -> Path:
    return Path(__file__).parent.parent / "data" / "corpus"


@dataclass
class CaseResult:
    id: str
    language: str
    ok: bool
    error: str | None = None
    json_valid: bool = False
    attempts: int = 0
    finish_reason: str | None = None
    seconds: float = 0.0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    prompt_tps: float | None = None
    gen_tps: float | None = None
    scores: dict[str, Any] = field(default_factory=dict)
    note: dict[str, Any] | None = None


def load_cases(corpus: Path) -> list[dict[str, Any]]:
    index = corpus / "cases.jsonl"
    if not index.is_file():
        raise TilgenError(f"{corpus} has no cases.jsonl; pass a corpus directory like "
                          f"{builtin_corpus()}", exit_code=2)
    cases = [json.loads(line) for line in index.read_text(encoding="utf-8").splitlines() if line.strip()]
    for case in cases:
        if not (corpus / f"{case['id']}.diff").is_file():
            raise TilgenError(f"{corpus}: case {case['id']} has no {case['id']}.diff", exit_code=2)
    return cases


def run_case(case: dict[str, Any], corpus: Path, settings: Settings, backend: Any,
             day: dt.date) -> CaseResult:
    from tilgen.errors import InvalidNoteError
    from tilgen.git.collect import collect_patch
    from tilgen.pipeline import _generate_with, prepare
    from tilgen.note.quality import score

    cs = collect_patch((corpus / f"{case['id']}.diff").read_bytes(), name=case["id"],
                       repo_name=case.get("repo", case["id"]).split("/")[-1])
    cs.date = day
    cs, languages, _ = prepare(cs, settings)
    start = time.perf_counter()
    res = CaseResult(id=case["id"], language=case.get("language", ""), ok=False)
    try:
        result = _generate_with(backend, cs, settings, languages, None, lambda _m: None)
    except InvalidNoteError as exc:
        res.error, res.seconds = exc.message, time.perf_counter() - start
        res.json_valid = "not valid JSON" not in exc.message and "no JSON" not in exc.message
        return res
    gen = result.generation
    res.ok, res.json_valid, res.attempts = True, True, result.attempts
    res.seconds = time.perf_counter() - start
    if gen:
        res.finish_reason, res.prompt_tokens, res.completion_tokens = (
            gen.finish_reason, gen.prompt_tokens, gen.completion_tokens)
        res.prompt_tps, res.gen_tps = gen.prompt_tps, gen.generation_tps
    res.note = result.note.model_dump()
    res.scores = score(res.note, date=day.isoformat(), files=cs.files).to_dict()
    return res


def run_eval(corpus: Path, settings: Settings, *, limit: int | None = None,
             on_case: Callable[[CaseResult], None] | None = None) -> dict[str, Any]:
    from tilgen.backends import make_backend

    cases = load_cases(corpus)[:limit]
    backend = make_backend(settings.backend, settings)
    day = dt.date.today()
    results = []
    for case in cases:
        r = run_case(case, corpus, settings, backend, day)
        results.append(r)
        if on_case:
            on_case(r)
    report = {
        "corpus": str(corpus),
        "model": backend.model_name,
        "backend": backend.name,
        "note_format": settings.note_format,
        "prompt_version": PROMPT_VERSION,
        "machine": machine(),
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "summary": summarize(results),
        "cases": [r.__dict__ for r in results],
    }
    save_report(report)
    return report


def summarize(results: list[CaseResult]) -> dict[str, Any]:
    ok = [r for r in results if r.ok]
    sc = [r.scores for r in ok]
    lines = sum(s["snippet_lines"] for s in sc)
    names = sum(s["names"] for s in sc)

    def med(values: list[float | None]) -> float | None:
        vals = [v for v in values if v is not None]
        return round(statistics.median(vals), 2) if vals else None

    return {
        "cases": len(results),
        "json_valid": sum(r.json_valid for r in results),
        "schema_valid": len(ok),
        "retried": sum(1 for r in ok if r.attempts > 1),
        "format_ok": sum(1 for s in sc if s["format_ok"]),
        "korean_min": min((s["korean_share"] for s in sc), default=None),
        "korean_median": med([s["korean_share"] for s in sc]),
        "korean_ge_0_8": sum(1 for s in sc if s["korean_share"] >= 0.8),
        "grounded_lines": round(sum(s["grounded_lines"] for s in sc) / lines, 3) if lines else None,
        "grounded_names": round(sum(s["grounded_names"] for s in sc) / names, 3) if names else None,
        "repetition": sum(1 for s in sc if s["repeated"]),
        "length_median": med([s["chars"] for s in sc]),
        "finish_length": sum(1 for r in results if r.finish_reason == "length"),
        "seconds_median": med([r.seconds for r in results]),
        "prompt_tps_median": med([r.prompt_tps for r in ok]),
        "gen_tps_median": med([r.gen_tps for r in ok]),
    }


COLUMNS = [
    ("schema_valid", "schema-valid"), ("json_valid", "valid JSON"), ("retried", "retried"),
    ("format_ok", "format rules"),
    ("korean_min", "Korean min"), ("korean_median", "Korean med"),
    ("grounded_lines", "grounded snippet lines"), ("grounded_names", "grounded names"),
    ("repetition", "repetition"), ("length_median", "length (chars)"),
    ("finish_length", "cut off"), ("seconds_median", "s/note"),
    ("prompt_tps_median", "prompt tok/s"), ("gen_tps_median", "gen tok/s"),
]


def markdown_table(reports: list[dict[str, Any]]) -> str:
    head = "| model | backend | format | " + " | ".join(label for _, label in COLUMNS) + " |"
    sep = "|" + "---|" * (len(COLUMNS) + 3)
    rows = []
    for rep in reports:
        s = rep["summary"]
        cells = []
        for key, _ in COLUMNS:
            value = s.get(key)
            if key in ("schema_valid", "json_valid", "format_ok"):
                value = f"{value}/{s['cases']}"
            cells.append("—" if value is None else str(value))
        rows.append(f"| {rep['model']} | {rep['backend']} | {rep['note_format']} | "
                    + " | ".join(cells) + " |")
    return "\n".join([head, sep, *rows])


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "system": platform.platform()}


def save_report(report: dict[str, Any]) -> Path | None:
    out = paths.state_dir() / "eval"
    try:
        out.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = out / f"{stamp}-{report['model']}-{report['note_format']}.json".replace("/", "_")
        path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        report["saved"] = str(path)
        return path
    except OSError:
        return None
