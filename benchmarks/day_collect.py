"""How long collecting a day's commits takes on a long history, against ``git log -p``.

Builds a synthetic repository (default 30,000 commits, one every 30 minutes, two authors
interleaved, 2,000 files) with ``git fast-import``, then times ``collect_day`` for today,
yesterday and a day 300 days back, against ``git log -p --since --until --author`` printing
the same commits. Target: at most 1.5x ``git log -p`` for today and yesterday.
``--repo`` measures an existing history instead (a clone of a large public project), for
the busiest days of ``--author`` (default: its most frequent committer).

    python benchmarks/day_collect.py
    python benchmarks/day_collect.py -n 100000 --runs 7
    python benchmarks/day_collect.py --repo ~/src/linux --days 3
    python benchmarks/day_collect.py --check    # exit 1 when a gated day misses
    python benchmarks/day_collect.py --json     # the figures as one JSON line

Both wall time (best of ``runs``) and CPU time (mean, this process plus its git children)
are shown; the check uses CPU time, which other load on the machine disturbs much less.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tilgen.git import collect as gitsource  # noqa: E402

TARGET_RATIO = 1.5
ME, OTHER = "dev@example.com", "other@example.com"


def build(path: Path, commits: int) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    rng = random.Random(1)
    now = int(time.time())
    files: dict[str, list[str]] = {}
    chunks: list[bytes] = []
    for i in range(commits):
        stamp = now - (commits - i) * 1800
        email = ME if i % 3 else OTHER
        msg = f"change {i}\n".encode()
        chunks.append(b"commit refs/heads/main\n")
        chunks.append(f"author X <{email}> {stamp} +0000\n"
                      f"committer X <{email}> {stamp} +0000\n".encode())
        chunks.append(b"data %d\n%s" % (len(msg), msg))
        for _ in range(rng.randint(1, 3)):
            name = f"src/m{rng.randint(0, 1999)}/f.py"
            body = files.setdefault(name, [f"x{k} = {k}\n" for k in range(200)])
            body[rng.randrange(len(body))] = f"y = {i}\n"
            data = "".join(body).encode()
            chunks.append(f"M 100644 inline {name}\n".encode())
            chunks.append(b"data %d\n%s" % (len(data), data))
        chunks.append(b"\n")
    subprocess.run(["git", "-C", str(path), "fast-import", "--quiet"], input=b"".join(chunks),
                   check=True)
    subprocess.run(["git", "-C", str(path), "reset", "-q", "--hard"], check=True)
    subprocess.run(["git", "-C", str(path), "gc", "-q"], check=True)


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(runs: int, fn) -> tuple[float, float]:
    """(best wall time, mean CPU time) of ``runs`` calls."""
    walls = []
    cpu = _cpu()
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - start)
    return min(walls), (_cpu() - cpu) / runs


def busiest_days(path: Path, author: str | None, count: int) -> tuple[str, list[dt.date]]:
    """(author, the ``count`` local days with most of their commits) of an existing history."""
    log = subprocess.run(["git", "-C", str(path), "log", "--format=%ae %ad", "--date=short",
                          "HEAD"], capture_output=True, text=True, check=True).stdout.split()
    pairs = list(zip(log[::2], log[1::2], strict=False))
    if author is None:
        author = collections.Counter(a for a, _ in pairs).most_common(1)[0][0]
    days = collections.Counter(d for a, d in pairs if a == author).most_common(count)
    return author, [dt.date.fromisoformat(d) for d, _ in days]


def compare(path: Path, repo, day: dt.date, author: str, runs: int) -> dict:
    start = dt.datetime.combine(day, dt.time.min).astimezone()
    end = start + dt.timedelta(days=1)
    cs = gitsource.collect_day(repo, day=day, author=author)
    ours, ours_cpu = measure(runs, lambda: gitsource.collect_day(repo, day=day, author=author))
    theirs, theirs_cpu = measure(runs, lambda: subprocess.run(
        ["git", "log", "-p", f"--since={start.isoformat()}", f"--until={end.isoformat()}",
         f"--author={author}", "HEAD"], cwd=path, capture_output=True, check=True))
    return {"day": day.isoformat(), "commits": len(cs.commits), "files": len(cs.files),
            "tilgen_wall_ms": ours * 1000, "git_wall_ms": theirs * 1000,
            "tilgen_cpu_ms": ours_cpu * 1000, "git_cpu_ms": theirs_cpu * 1000,
            "ratio": ours_cpu / theirs_cpu if theirs_cpu else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--commits", type=int, default=30_000,
                        help="commits of the synthetic history")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repo", type=Path, help="measure this existing repository instead")
    parser.add_argument("--author", help="with --repo: whose days (default: top committer)")
    parser.add_argument("--days", type=int, default=3, help="with --repo: busiest days to time")
    parser.add_argument("--check", action="store_true", help="exit 1 when a gated day misses")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.repo:
            path = args.repo.expanduser().resolve()
            author, days = busiest_days(path, args.author, args.days)
            source = f"{path} ({author})"
            plan = [(day, True) for day in days]
        else:
            path, author = Path(tmp, "repo"), ME
            build(path, args.commits)
            source = f"synthetic, {args.commits} commits"
            today = dt.date.today()
            oldest = min(300, args.commits * 1800 // 86400 - 1)  # a quiet day far back
            plan = [(today - dt.timedelta(days=back), back <= 1) for back in (0, 1, oldest)]
        repo = gitsource.open_repo(path)
        rows = []
        for day, gated in plan:
            row = compare(path, repo, day, author, args.runs) | {"gated": gated}
            rows.append(row)
            if not args.json:
                print(f"{row['day']}: {row['commits']:>3} commits, {row['files']:>3} files | "
                      f"wall: tilgen {row['tilgen_wall_ms']:6.1f} ms, git log -p "
                      f"{row['git_wall_ms']:6.1f} ms | cpu: tilgen {row['tilgen_cpu_ms']:6.1f} "
                      f"ms, git log -p {row['git_cpu_ms']:6.1f} ms, ratio {row['ratio']:4.2f}"
                      f"{'' if gated else ' (not gated)'}")
        repo.close()
    missed = any(r["gated"] and r["ratio"] is not None and r["ratio"] > TARGET_RATIO for r in rows)
    if args.json:
        print(json.dumps({"source": source, "target_ratio": TARGET_RATIO, "rows": rows,
                          "max_gated_ratio": max((r["ratio"] or 0) for r in rows if r["gated"])}))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
