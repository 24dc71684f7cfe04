"""How much the post-commit hook adds to `git commit` (target: at most 1.1x).

Throw-away repositories take turns making ``git commit --allow-empty`` commits (the order
alternates so drift hits each equally) and the medians are compared: one without hooks, one
with tilgen's hook, and one with a do-nothing ``exit 0`` hook, the floor any hook costs.
tilgen's background jobs really start (with the test backend when ``tests`` is importable).
By default each round waits until the previous round's jobs have ended, as with commits a
person makes; ``--burst`` does not wait (only ``--pace`` seconds), so jobs overlap commits.

    python benchmarks/hook_overhead.py              # 120 commits each, local hook
    python benchmarks/hook_overhead.py -n 200 --global
    python benchmarks/hook_overhead.py --burst --pace 0.2
    python benchmarks/hook_overhead.py --check      # exit 1 above the target
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.1


def main() -> int:
    # An installed tilgen has its bytecode cached; measure that, not a recompile per run.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--commits", type=int, default=120, help="commits per repository")
    parser.add_argument("--pace", type=float, default=0.1, help="seconds between rounds")
    parser.add_argument("--burst", action="store_true",
                        help="do not wait for the background jobs between rounds")
    parser.add_argument("--global", dest="global_", action="store_true",
                        help="install with --global (tilgen's own core.hooksPath)")
    parser.add_argument("--check", action="store_true", help=f"exit 1 above {TARGET}x")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tilgen-hook-bench-") as tmp:
        base = Path(tmp)
        _isolate(base)
        from tilgen.hook import install as hooks

        plain, hooked, floor = base / "plain", base / "hooked", base / "floor"
        for repo in (plain, hooked, floor):
            subprocess.run(["git", "init", "-q", str(repo)], check=True)
        (base / "floor-hooks").mkdir()
        noop = base / "floor-hooks" / "post-commit"
        noop.write_text("#!/bin/sh\nexit 0\n")
        noop.chmod(0o755)
        _git(floor, "config", "core.hooksPath", str(noop.parent))
        if args.global_:
            hooks.install(None, global_=True)
            (base / "no-hooks").mkdir()
            _git(plain, "config", "core.hooksPath", str(base / "no-hooks"))
        else:
            hooks.install(hooked)
        repos = (plain, hooked, floor)
        for repo in repos:  # warm up caches and the first-commit path
            for _ in range(3):
                _commit(repo)
        times: dict[Path, list[float]] = {repo: [] for repo in repos}
        for i in range(args.commits):
            for repo in (repos if i % 2 else repos[::-1]):
                times[repo].append(_commit(repo))
            time.sleep(args.pace)
            if not args.burst:
                _wait_for_jobs(base)
        _wait_for_jobs(base)

    without, with_hook = statistics.median(times[plain]), statistics.median(times[hooked])
    noop_hook = statistics.median(times[floor])
    ratio = with_hook / without
    mode = "global" if args.global_ else "local"
    print(f"git commit --allow-empty, {args.commits} commits each, interleaved ({mode} hook, "
          f"{'jobs overlapping' if args.burst else 'jobs done between rounds'})")
    for label, repo in (("no hook", plain), ("tilgen hook", hooked), ("exit-0 hook", floor)):
        ms = [t * 1e3 for t in times[repo]]
        print(f"  {label + ':':<13} median {statistics.median(ms):7.2f} ms   "
              f"p90 {statistics.quantiles(ms, n=10)[-1]:7.2f} ms")
    print(f"  tilgen hook adds {(with_hook - without) * 1e3:+.2f} ms: ratio {ratio:.3f} "
          f"(target <= {TARGET}); a do-nothing hook alone: {noop_hook / without:.3f}")
    return 1 if args.check and ratio > TARGET else 0


def _isolate(base: Path) -> None:
    """Nothing here touches the user's tilgen home or git configuration."""
    gitconfig = base / "gitconfig"
    gitconfig.write_text("[user]\n\tname = Bench\n\temail = bench@example.com\n"
                         "[commit]\n\tgpgsign = false\n[init]\n\tdefaultBranch = main\n")
    os.environ.update(
        TILGEN_HOME=str(base / "home"), GIT_CONFIG_GLOBAL=str(gitconfig), GIT_CONFIG_NOSYSTEM="1",
        TILGEN_HOOK_DELAY="0",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), str(ROOT / "tests" / "plugins"),
                                                 os.environ.get("PYTHONPATH")])),
    )
    if (ROOT / "tests" / "fake_backend.py").exists():
        os.environ["TILGEN_BACKEND"] = "fake"  # registered by tests/plugins
    sys.path.insert(0, str(ROOT))


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def _commit(repo: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "--allow-empty", "-m", "bench"],
                   check=True, capture_output=True)
    return time.perf_counter() - start


def _wait_for_jobs(base: Path, timeout: float = 120.0) -> None:
    """Wait until no background job for these repositories runs."""
    try:
        import psutil
    except ImportError:
        time.sleep(3)
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = [p for p in psutil.process_iter(["cmdline"])
                if "hook-run" in " ".join(p.info["cmdline"] or []) and str(base) in
                " ".join(p.info["cmdline"] or [])]
        if not busy:
            return
        time.sleep(0.2)


if __name__ == "__main__":
    raise SystemExit(main())
