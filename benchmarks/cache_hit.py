"""A cache hit: ``tilgen today`` when nothing changed since the last note (target: <= 0.3 s).

A throw-away repository gets one commit; a first ``tilgen today`` (with the instant test
backend ``fake``, registered by tests/plugins) fills the cache, then the same command is timed
again and again: each run is a cache hit (the real CLI in a fresh process, note saved). The
in-process cost of ``tilgen.pipeline.generate_note`` on a hit is timed as well.

    python benchmarks/cache_hit.py
    python benchmarks/cache_hit.py -n 30 --check     # exit 1 above the target
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.3
FAKE = "fake"  # registered by tests/plugins (on PYTHONPATH below)


def git(repo: Path, *args: str, env: dict[str, str]) -> None:
    subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True)


def main() -> int:
    # An installed tilgen has its bytecode cached; measure that, not a recompile per run.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=15, help="timed cache hits")
    parser.add_argument("--check", action="store_true", help=f"exit 1 above {TARGET} s")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tilgen-cache-bench-") as tmp:
        base = Path(tmp)
        gitconfig = base / "gitconfig"
        gitconfig.write_text("[user]\n\tname = Dev\n\temail = dev@example.com\n"
                             "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("TILGEN_")}
        env.update(TILGEN_HOME=str(base / "home"), GIT_CONFIG_GLOBAL=str(gitconfig),
                   GIT_CONFIG_NOSYSTEM="1", NO_COLOR="1",
                   PYTHONPATH=os.pathsep.join(filter(None, [
                       str(ROOT), str(ROOT / "tests" / "plugins"), env.get("PYTHONPATH")])))
        repo = base / "project"
        repo.mkdir()
        git(repo, "init", "-q", env=env)
        (repo / "app.py").write_text("def greet(name: str) -> str:\n"
                                     "    return f'hello {name}'\n", encoding="utf-8")
        git(repo, "add", "app.py", env=env)
        git(repo, "commit", "-q", "--no-verify", "-m", "Add greet", env=env)

        cmd = [sys.executable, "-m", "tilgen", "today", "--backend", FAKE]
        first = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True)
        if first.returncode != 0:
            sys.stderr.write(first.stderr)
            return 2
        walls, hits = [], 0
        for _ in range(args.runs):
            start = time.perf_counter()
            proc = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True)
            walls.append(time.perf_counter() - start)
            hits += "reused it without calling a model" in proc.stderr
        python = statistics.median(_wall([sys.executable, "-c", "pass"], env) for _ in range(5))
        in_process = _in_process(repo, env, args.runs)

    cli = statistics.median(walls)
    out = {"benchmark": "cache_hit", "runs": args.runs, "target_s": TARGET,
           "cli_median_s": round(cli, 4), "cli_min_s": round(min(walls), 4),
           "cache_hits": hits, "python_startup_s": round(python, 4),
           "in_process_ms": in_process, "ok": cli <= TARGET and hits == args.runs}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"cache hit, median of {args.runs} runs:")
        print(f"  tilgen today (CLI, fresh process): {cli:.3f} s (min {min(walls):.3f} s; "
              f"target <= {TARGET} s); {hits}/{args.runs} were cache hits")
        print(f"  python -c pass for scale:          {python:.3f} s")
        print(f"  in process, first call: collect_day {in_process['collect_day_first']:.1f} ms + "
              f"generate_note {in_process['generate_note_first']:.1f} ms (cache hit)")
        print(f"  in process, later calls: collect_day {in_process['collect_day']:.1f} ms + "
              f"generate_note {in_process['generate_note']:.1f} ms (cache hit)")
    return 1 if args.check and not out["ok"] else 0


def _wall(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, capture_output=True)
    return time.perf_counter() - start


def _in_process(repo: Path, env: dict[str, str], runs: int) -> dict[str, float]:
    """Median ms of collect_day and of generate_note on a hit, with the same settings."""
    os.environ.update({k: env[k] for k in ("TILGEN_HOME", "GIT_CONFIG_GLOBAL",
                                           "GIT_CONFIG_NOSYSTEM")})
    sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "plugins")]
    import datetime as dt

    from tilgen.config.layers import load_settings
    from tilgen.git.collect import collect_day, open_repo
    from tilgen.pipeline import generate_note

    settings = load_settings(repo_root=repo, cli={"backend": FAKE}).settings
    git_repo = open_repo(repo)
    collect, generate = [], []
    for _ in range(runs):
        start = time.perf_counter()
        cs = collect_day(git_repo, day=dt.date.today())
        middle = time.perf_counter()
        result = generate_note(cs, settings)
        generate.append((time.perf_counter() - middle) * 1000)
        collect.append((middle - start) * 1000)
        if not result.from_cache:
            raise SystemExit("in-process run missed the cache: the cache key is not stable")
    # The first call pays one-time set-up (language tables, regexes): shown on its own.
    return {"collect_day_first": round(collect[0], 2), "generate_note_first": round(generate[0], 2),
            "collect_day": round(statistics.median(collect[1:] or collect), 2),
            "generate_note": round(statistics.median(generate[1:] or generate), 2)}


if __name__ == "__main__":
    sys.exit(main())
