"""Run chosen cases of an eval corpus one at a time, keeping each note as soon as it is made.

On a busy machine a whole-corpus ``tilgen eval`` with the 1.5B model can take hours and
reports only at the end; this writes one JSON line per case (what ``tilgen eval`` keeps per
case, the note included), skips cases already in the file, and with ``--report`` turns the
lines into a report that ``tilgen eval --rescore REPORT --markdown`` scores.

    python benchmarks/eval_subset.py notes.jsonl --model qwen2.5-coder-1.5b \
        --corpus ../shared/corpus --cases spf13__pflag-7c5bc8fc,dtolnay__anyhow-4c198e3d
    python benchmarks/eval_subset.py notes.jsonl --report report.json --corpus ../shared/corpus
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

DAY = dt.date(2026, 12, 2)  # a fixed date: notes of different runs compare line by line


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="JSON lines file, appended to")
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--model", help="model name or .gguf path (default: the configured one)")
    ap.add_argument("--backend", help="embedded | remote (default: the configured one)")
    ap.add_argument("--cases", default="", help="comma-separated case ids (default: all)")
    ap.add_argument("--report", type=Path, help="write a report of the lines instead of running")
    args = ap.parse_args()

    from tilgen.note.prompt import PROMPT_VERSION
    from tilgen.tools.evaluate import load_cases, run_case

    if args.report:
        cases = [json.loads(ln) for ln in args.out.read_text(encoding="utf-8").splitlines() if ln]
        args.report.write_text(json.dumps({
            "corpus": str(args.corpus), "model": args.model or "", "backend": args.backend or "",
            "note_format": "points", "prompt_version": PROMPT_VERSION,
            "date": f"{DAY.isoformat()}T00:00:00", "cases": cases}, ensure_ascii=False))
        return 0

    from tilgen.backends import make_backend
    from tilgen.options import NoteOptions

    settings = NoteOptions(backend=args.backend, model=args.model).resolve(None)
    backend = make_backend(settings.backend, settings)
    wanted = [c for c in args.cases.split(",") if c]
    done = set()
    if args.out.exists():
        lines = args.out.read_text(encoding="utf-8").splitlines()
        done = {json.loads(ln)["id"] for ln in lines if ln}
    for case in load_cases(args.corpus):
        if (wanted and case["id"] not in wanted) or case["id"] in done:
            continue
        r = run_case(case, args.corpus, settings, backend, DAY)
        with args.out.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(r.__dict__, ensure_ascii=False) + "\n")
        print(f"{case['id']} {'ok' if r.ok else 'BAD'} {r.seconds:.0f}s {r.error or ''}",
              file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
