"""Every measure of one note, their totals over a corpus run, and the tables that show them."""

from __future__ import annotations

import statistics
from typing import Any

from tilgen.git.changes import FileChange
from tilgen.note.checks import check
from tilgen.note.korean import korean_scores
from tilgen.note.quality import score
from tilgen.tools.facts import fact_scores


def score_note(note: dict[str, Any], *, date: str, files: list[FileChange], messages: str,
               facts: dict[str, Any] | None) -> dict[str, Any]:
    """Format, grounding, reader checks, unknown Korean words and fact coverage of a note."""
    out = score(note, date=date, files=files).to_dict()
    out |= check(note.get("content", ""), files=files, messages=messages).to_dict()
    out |= korean_scores(note.get("content", ""))
    out |= fact_scores(note, facts)
    return out


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 3) if den else None


def summarize(results: list[Any]) -> dict[str, Any]:
    """Totals of a run; ``results`` are CaseResult-like (``ok``, ``scores`` …)."""
    ok = [r for r in results if r.ok]
    sc = [r.scores for r in ok]
    lines = sum(s["snippet_lines"] for s in sc)
    names = sum(s["names"] for s in sc)

    def med(values: list[float | None]) -> float | None:
        vals = [v for v in values if v is not None]
        return round(statistics.median(vals), 2) if vals else None

    def total(key: str) -> int:
        return sum(len(v) if isinstance(v, list) else v
                   for s in sc if (v := s.get(key)) is not None)

    # Fact recall is over every case that has facts: an invalid note covers none.
    facts = sum(r.facts for r in results if getattr(r, "facts", 0))
    ko_words = [s.get("hangul_words") for s in sc]
    ko_known = sc and all(w is not None for w in ko_words)
    bullets = total("bullets")
    return {
        "cases": len(results),
        "json_valid": sum(r.json_valid for r in results),
        "schema_valid": len(ok),
        "retried": sum(1 for r in ok if r.attempts > 1),
        "format_ok": sum(1 for s in sc if s["format_ok"]),
        "korean_min": min((s["korean_share"] for s in sc), default=None),
        "korean_median": med([s["korean_share"] for s in sc]),
        "korean_ge_0_8": sum(1 for s in sc if s["korean_share"] >= 0.8),
        "grounded_lines": _ratio(sum(s["grounded_lines"] for s in sc), lines),
        "grounded_names": _ratio(sum(s["grounded_names"] for s in sc), names),
        "repetition": sum(1 for s in sc if s["repeated"]),
        "facts": facts,
        "fact_recall_strict": _ratio(total("facts_strict"), facts),
        "fact_recall_loose": _ratio(total("facts_loose"), facts),
        "wrong_language": total("wrong_languages"),
        "invented_numbers": total("invented_numbers"),
        "notes_with_invented_numbers": sum(1 for s in sc if s.get("invented_numbers")),
        "bullets": bullets,
        "vacuous_bullets": total("vacuous_bullets"),
        "vacuous_share": _ratio(total("vacuous_bullets"), bullets),
        "meta_bullets": total("meta_bullets"),
        "snippets": total("snippets"),
        "boilerplate_snippets": total("boilerplate_snippets"),
        "hangul_words": total("hangul_words") if ko_known else None,
        "unknown_ko": total("unknown_ko") if ko_known else None,
        "unknown_ko_share": _ratio(total("unknown_ko"), total("hangul_words")) if ko_known else None,
        "length_median": med([s["chars"] for s in sc]),
        "finish_length": sum(1 for r in results if r.finish_reason == "length"),
        "seconds_median": med([r.seconds for r in results]),
        "prompt_tps_median": med([r.prompt_tps for r in ok]),
        "gen_tps_median": med([r.gen_tps for r in ok]),
    }


COLUMNS = [
    ("schema_valid", "schema-valid"), ("json_valid", "valid JSON"), ("retried", "retried"),
    ("format_ok", "format rules"),
    ("fact_recall_strict", "fact recall"), ("fact_recall_loose", "fact recall (loose)"),
    ("invented_numbers", "invented numbers"), ("meta_bullets", "meta bullets"),
    ("vacuous_share", "vacuous bullets"), ("boilerplate_snippets", "boilerplate snippets"),
    ("unknown_ko_share", "unknown Korean words"), ("wrong_language", "wrong language"),
    ("korean_min", "Korean min"), ("korean_median", "Korean med"),
    ("grounded_lines", "grounded snippet lines"), ("grounded_names", "grounded names"),
    ("repetition", "repetition"), ("length_median", "length (chars)"),
    ("finish_length", "cut off"), ("seconds_median", "s/note"),
    ("prompt_tps_median", "prompt tok/s"), ("gen_tps_median", "gen tok/s"),
]

CASE_COLUMNS = [
    ("facts", "facts strict/loose"), ("invented_numbers", "invented numbers"),
    ("meta_bullets", "meta"), ("vacuous_bullets", "vacuous"),
    ("boilerplate_snippets", "boilerplate snippets"), ("unknown_ko", "unknown Korean words"),
    ("wrong_languages", "wrong language"),
]


def _cell(value: Any) -> str:
    return "—" if value is None else str(value)


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
            elif key == "meta_bullets" and value is not None:
                value = f"{value} of {s['bullets']}"
            elif key == "boilerplate_snippets" and value is not None:
                value = f"{value} of {s['snippets']}"
            cells.append(_cell(value))
        rows.append(f"| {rep['model']} | {rep['backend']} | {rep['note_format']} | "
                    + " | ".join(cells) + " |")
    return "\n".join([head, sep, *rows])


def case_table(report: dict[str, Any]) -> str:
    """One row per case: what a reader checks, with the offending words themselves."""
    head = "| case | ok | bullets | " + " | ".join(label for _, label in CASE_COLUMNS) + " |"
    rows = [head, "|" + "---|" * (len(CASE_COLUMNS) + 3)]
    for case in report["cases"]:
        s = case.get("scores") or {}
        cells = []
        for key, _ in CASE_COLUMNS:
            if key == "facts":
                value = (f"{s.get('facts_strict', 0)}/{s.get('facts_loose', 0)} of {case['facts']}"
                         if case.get("facts") else None)
            else:
                value = s.get(key)
                if isinstance(value, list):
                    value = ", ".join(value) if value else 0
            cells.append(_cell(value))
        rows.append(f"| {case['id']} | {'yes' if case['ok'] else 'no'} | "
                    f"{_cell(s.get('bullets'))} | " + " | ".join(cells) + " |")
    return "\n".join(rows)
