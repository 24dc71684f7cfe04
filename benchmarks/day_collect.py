"""How long collecting a day's commits takes on a long history, against ``git log -p``.

Builds a synthetic repository (default 30,000 commits, one every 30 minutes, two authors
interleaved, 2,000 files) with ``git fast-import``, then times ``collect_day`` for today,
yesterday and a day 300 days back, against ``git log -p --since --until --author`` printing
the same commits. Target: at most 1.5x ``git log -p`` for today and yesterday.

    python benchmarks/day_collect.py
    python benchmarks/day_collect.py -n 100000 --runs 7
    python benchmarks/day_collect.py --check    # exit 1 when today or yesterday misses

Both wall time (best of ``runs``) and CPU time (mean, this process plus its git children)
are shown; the check uses CPU time, which other load on the machine disturbs much less.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tilgen import gitsource  # noqa: E402

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--commits", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "repo")
        build(path, args.commits)
        repo = gitsource.open_repo(path)
        missed = False
        for back in (0, 1, 300):
            day = dt.date.today() - dt.timedelta(days=back)
            start = dt.datetime.combine(day, dt.time.min).astimezone()
            end = start + dt.timedelta(days=1)
            cs = gitsource.collect_day(repo, day=day, author=ME)
            ours, ours_cpu = measure(
                args.runs, lambda d=day: gitsource.collect_day(repo, day=d, author=ME))
            theirs, theirs_cpu = measure(args.runs, lambda s=start, e=end: subprocess.run(
                ["git", "log", "-p", f"--since={s.isoformat()}", f"--until={e.isoformat()}",
                 f"--author={ME}", "HEAD"], cwd=path, capture_output=True, check=True))
            ratio = ours_cpu / theirs_cpu
            gated = back <= 1
            missed |= gated and ratio > TARGET_RATIO
            print(f"{day} ({back:>3} days back): {len(cs.commits):>3} commits, "
                  f"{len(cs.files):>3} files | wall: tilgen {ours * 1000:6.1f} ms, "
                  f"git log -p {theirs * 1000:6.1f} ms | cpu: tilgen {ours_cpu * 1000:6.1f} ms, "
                  f"git log -p {theirs_cpu * 1000:6.1f} ms, ratio {ratio:4.2f}"
                  f"{'' if gated else ' (not gated)'}")
        repo.close()
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
