"""Search over 1,000 saved notes (target: an answer in under 0.3 s).

The 50 notes of the search-quality corpus (tests/search_corpus.py) are saved 20 times over,
in 20 repositories and on 20 different days each (1,000 notes). The index is built once
(cold: every note read and analysed by Kiwi), then each of the 20 corpus queries is timed:

- ``query``: in one process, a fresh ``SearchIndex`` read from its on-disk cache, checked
  against the notes on disk (one stat per note) and searched, as ``tilgen search`` does;
- ``warm``: the same index searched again in the same process (no disk);
- ``cli``: ``tilgen search QUERY`` in a fresh process (Python, typer and numpy start-up
  included).

    python benchmarks/search_speed.py
    python benchmarks/search_speed.py --notes 1000 --cli-runs 5 --json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET = 0.3


def write_notes(root: Path, count: int) -> None:
    from tests.search_corpus import NOTES
    from tilgen.note.store import front_matter

    for i in range(count):
        ident, repo, date, topic, keywords, points = NOTES[i % len(NOTES)]
        copy = i // len(NOTES)
        day = (dt.date.fromisoformat(date) + dt.timedelta(days=copy * 7)).isoformat()
        meta = {"title": f"{day} TIL - {topic}", "keywords": keywords, "date": day,
                "repo": f"{repo}-{copy}"}
        path = root / f"{repo}-{copy}" / f"{day}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = f"# {day} TIL\n\n" + "\n".join(f"- {p}" for p in points[::1 - 2 * (copy % 2)])
        path.write_text(front_matter(meta) + body + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--cli-runs", type=int, default=5, help="queries timed through the CLI")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="tilgen-search-"))
    os.environ["TILGEN_HOME"] = str(home)
    root = home / "notes"
    write_notes(root, args.notes)

    from tests.search_corpus import QUERIES
    from tilgen.log.search import SearchIndex

    start = time.perf_counter()
    index = SearchIndex(root)
    index.refresh()
    index.search("워밍업")
    build = time.perf_counter() - start

    query, warm = [], []
    for text, _ in QUERIES:
        t0 = time.perf_counter()
        fresh = SearchIndex(root)
        fresh.refresh()
        fresh.search(text, limit=10)
        t1 = time.perf_counter()
        fresh.search(text, limit=10)
        query.append(t1 - t0)
        warm.append(time.perf_counter() - t1)

    cli = []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for text, _ in QUERIES[: args.cli_runs]:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tilgen", "search", text, "--notes-dir", str(root)],
                       env=env, capture_output=True, check=True)
        cli.append(time.perf_counter() - t0)

    def stats(xs: list[float]) -> dict[str, float]:
        return {"median": statistics.median(xs), "max": max(xs), "min": min(xs)}

    out = {"notes": args.notes, "build_s": build, "query_s": stats(query), "warm_s": stats(warm),
           "cli_s": stats(cli), "cache_bytes": index.cache_file.stat().st_size,
           "target_s": TARGET, "load_avg": os.getloadavg()[0]}
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(f"{args.notes} notes; index built (cold, Kiwi) in {build:.2f} s, "
              f"cache {out['cache_bytes'] / 1e6:.1f} MB")
        for name in ("query_s", "warm_s", "cli_s"):
            s = out[name]
            print(f"{name[:-2]:>6}: median {s['median'] * 1000:.0f} ms "
                  f"(min {s['min'] * 1000:.0f}, max {s['max'] * 1000:.0f})")
        print(f"target: a query under {TARGET} s -> "
              f"{'met' if out['query_s']['median'] < TARGET else 'missed'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
