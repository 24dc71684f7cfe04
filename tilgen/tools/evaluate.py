"""``tilgen eval``: run a corpus of patches through a backend and measure the notes."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tilgen import paths
from tilgen.atomic import write_atomic
from tilgen.config.settings import Settings
from tilgen.errors import TilgenError
from tilgen.note.prompt import PROMPT_VERSION
from tilgen.tools.eval_scores import case_table, markdown_table, score_note, summarize
from tilgen.tools.facts import load_facts

__all__ = ["case_table", "markdown_table", "rescore", "run_eval", "summarize"]


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
    facts: int = 0  # facts the corpus lists for the case (fact recall counts invalid notes too)
    answer: str | None = None  # the model's own answer, English reasons included


def load_cases(corpus: Path) -> list[dict[str, Any]]:
    index = corpus / "cases.jsonl"
    if not index.is_file():
        raise TilgenError(f"{corpus} has no cases.jsonl; pass a corpus directory like "
                          f"{builtin_corpus()}", exit_code=2)
    cases = [json.loads(line) for line in index.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    for case in cases:
        if not (corpus / f"{case['id']}.diff").is_file():
            raise TilgenError(f"{corpus}: case {case['id']} has no {case['id']}.diff", exit_code=2)
    return cases


def read_case(case: dict[str, Any], corpus: Path, settings: Settings) -> tuple[Any, list[str], str]:
    """The case's changes as the model sees them, their languages, and the commit messages."""
    from tilgen.git.collect import collect_patch
    from tilgen.note.checks import message_text
    from tilgen.pipeline import prepare

    raw = (corpus / f"{case['id']}.diff").read_bytes()
    cs = collect_patch(raw, name=case["id"], repo_name=case.get("repo", case["id"]).split("/")[-1])
    cs, languages, _ = prepare(cs, settings)
    return cs, languages, message_text(raw.decode("utf-8", "replace"))


def run_case(case: dict[str, Any], corpus: Path, settings: Settings, backend: Any,
             day: dt.date, facts: dict[str, Any] | None = None) -> CaseResult:
    from tilgen.errors import InvalidNoteError
    from tilgen.pipeline import _generate_with

    cs, languages, messages = read_case(case, corpus, settings)
    cs.date = day
    start = time.perf_counter()
    res = CaseResult(id=case["id"], language=case.get("language", ""), ok=False,
                     facts=len((facts or {}).get("facts", [])))
    try:
        result = _generate_with(backend, cs, settings, languages, None, lambda _m: None)
    except InvalidNoteError as exc:
        res.error, res.seconds = exc.message, time.perf_counter() - start
        res.answer = exc.answer
        res.json_valid = "not valid JSON" not in exc.message and "no JSON" not in exc.message
        return res
    gen = result.generation
    res.ok, res.json_valid, res.attempts = True, True, result.attempts
    res.seconds = time.perf_counter() - start
    if gen:
        res.finish_reason, res.prompt_tokens, res.completion_tokens = (
            gen.finish_reason, gen.prompt_tokens, gen.completion_tokens)
        res.prompt_tps, res.gen_tps = gen.prompt_tps, gen.generation_tps
        res.answer = gen.text
    res.note = result.note.model_dump()
    res.scores = score_note(res.note, date=day.isoformat(), files=cs.files, messages=messages,
                            facts=facts)
    return res


def run_eval(corpus: Path, settings: Settings, *, limit: int | None = None,
             only: list[str] | None = None,
             on_case: Callable[[CaseResult], None] | None = None) -> dict[str, Any]:
    from tilgen.backends import make_backend

    cases = load_cases(corpus)
    if only:
        unknown = sorted(set(only) - {c["id"] for c in cases})
        if unknown:
            raise TilgenError(f"{corpus} has no case {', '.join(unknown)}; its cases are listed "
                              "in its cases.jsonl", exit_code=2)
        cases = [c for c in cases if c["id"] in only]
    cases = cases[:limit]
    facts = load_facts(corpus)
    backend = make_backend(settings.backend, settings)
    day = dt.date.today()
    report: dict[str, Any] = {
        "corpus": str(corpus),
        "model": backend.model_name,
        "backend": backend.name,
        "note_format": settings.note_format,
        "prompt_version": PROMPT_VERSION,
        "machine": machine(),
        "date": dt.datetime.now().isoformat(timespec="seconds"),
    }
    results: list[CaseResult] = []
    for case in cases:
        r = run_case(case, corpus, settings, backend, day, facts.get(case["id"]))
        results.append(r)
        if on_case:
            on_case(r)
        # Saved after every case: a run cut short keeps its notes for --rescore.
        report |= {"complete": len(results) == len(cases), "summary": summarize(results),
                   "cases": [c.__dict__ for c in results]}
        save_report(report)
    if not results:
        report |= {"complete": True, "summary": summarize(results), "cases": []}
        save_report(report)
    return report


def rescore(report_path: Path, settings: Settings, corpus: Path | None = None) -> dict[str, Any]:
    """A saved report's notes scored again with today's measures, without a model: the
    generation figures (seconds, tokens, attempts) are kept, every score is taken anew.
    ``report_path`` may also hold one case result a line (JSON Lines), with ``corpus`` given."""
    try:
        text = report_path.read_text(encoding="utf-8")
        try:
            report = json.loads(text)
        except ValueError:
            report = {"cases": [json.loads(ln) for ln in text.splitlines() if ln.strip()]}
        saved_cases = report["cases"]
        report.setdefault("model", saved_cases[0].get("model", "?") if saved_cases else "?")
        report.setdefault("backend", "?")
        report.setdefault("note_format", "points")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise TilgenError(f"{report_path} is not a saved eval report ({exc}); pass a file "
                          "written by tilgen eval --json or saved under its state directory",
                          exit_code=2) from exc
    corpus = corpus or Path(report.get("corpus", ""))
    by_id = {c["id"]: c for c in load_cases(corpus)}
    facts = load_facts(corpus)
    day = str(report.get("date", ""))[:10] or dt.date.today().isoformat()
    results = []
    for saved in saved_cases:
        if saved["id"] not in by_id:
            raise TilgenError(f"case {saved['id']} of {report_path} is not in {corpus}; pass "
                              "the corpus the report was made from", exit_code=2)
        known = {k: v for k, v in saved.items() if k in CaseResult.__dataclass_fields__}
        r = CaseResult(**known)
        entry = facts.get(r.id)
        r.facts = len((entry or {}).get("facts", []))
        if r.ok and r.note:
            cs, _, messages = read_case(by_id[r.id], corpus, settings)
            dated = re.match(r"\d{4}-\d{2}-\d{2}", str(r.note.get("title", "")))
            r.scores = score_note(r.note, date=dated.group() if dated else day, files=cs.files,
                                  messages=messages, facts=entry)
        results.append(r)
    return {**report, "corpus": str(corpus), "rescored": dt.datetime.now().isoformat(
        timespec="seconds"), "summary": summarize(results), "cases": [r.__dict__ for r in results]}


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
    """Write the report under the state directory; a report saved before keeps its file."""
    out = paths.state_dir() / "eval"
    try:
        out.mkdir(parents=True, exist_ok=True)
        path = Path(report["saved"]) if report.get("saved") else out / (
            f"{dt.datetime.now():%Y%m%d-%H%M%S}-{report['model']}-{report['note_format']}.json"
            .replace("/", "_"))
        write_atomic(path, json.dumps(report, ensure_ascii=False, indent=1), durable=False)
        report["saved"] = str(path)
        return path
    except OSError:
        return None
