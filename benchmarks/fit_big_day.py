"""Compact and fit a synthetic 2,000+ line day into a 4,096-token context.

Run: python benchmarks/fit_big_day.py
Set TILGEN_BENCH_MODEL=/path/to/model.gguf to also count with llama.cpp's tokenizer.
Prints what was kept and omitted, how many real token counts were needed, and the time.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tilgen.fit.budget import estimate_tokens  # noqa: E402
from tilgen.fit.compact import compact, fit  # noqa: E402
from tilgen.git.changes import ChangeSet  # noqa: E402
from tilgen.git.patch import parse_patch  # noqa: E402
from tilgen.note.prompt import changes_text  # noqa: E402

CONTEXT, OUTPUT, MARGIN = 4096, 1024, 256
BUDGET = CONTEXT - OUTPUT - MARGIN


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
           "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.com",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    out = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                         env=env)
    return out.stdout.decode("utf-8", "replace")


def commit(repo: Path, files: dict[str, str | bytes], message: str) -> None:
    for name, content in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", message)


def py_module(name: str, n: int) -> str:
    return "".join(
        f"def {name}_{i}(items, *, limit={i}):\n"
        f"    \"\"\"Return the first {i} {name} items, newest first.\"\"\"\n"
        f"    return sorted(items, key=lambda x: x.created, reverse=True)[:limit]\n\n"
        for i in range(n))


def build_day(repo: Path) -> ChangeSet:
    git(repo, "init", "-q", "-b", "main")
    commit(repo, {"src/store.py": py_module("legacy", 20), "README.md": "# app\n"}, "start")
    start = git(repo, "rev-parse", "HEAD").strip()
    commit(repo, {
        "src/store.py": py_module("store", 90),
        "src/cache.py": py_module("cache", 60),
        "src/api/routes.py": py_module("route", 40),
        "package-lock.json": "{\n" + "".join(f'  "dep-{i}": "^1.{i}.0",\n'
                                             for i in range(700)) + "}\n",
        "dist/app.min.js": "".join(f"var a{i}=function(){{return {i}}};" for i in range(300)),
        "assets/logo.png": b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)) * 4,
        "vendor/lib/util.go": "package lib\n" * 50,
    }, "Add a cache in front of the store")
    commit(repo, {
        "tests/test_store.py": "".join(f"def test_store_{i}():\n    assert store_{i}([]) == []\n\n"
                                       for i in range(120)),
        "docs/caching.md": "".join(f"## Rule {i}\n\nEntries expire after {i} minutes.\n\n"
                                   for i in range(60)),
    }, "Test the store and document caching")
    commit(repo, {"config/app.yaml": "".join(f"cache_{i}: {i * 10}\n" for i in range(120))},
           "Configure cache sizes")
    log = git(repo, "log", "-p", "-M", "--reverse", f"{start}..HEAD")
    commits, files = parse_patch(log)
    return ChangeSet(source="today", repo_name="bench", date=dt.date.today(), files=files,
                     commits=commits, repo_root=str(repo))


def llama_counter() -> Callable[[str], int] | None:
    model = os.environ.get("TILGEN_BENCH_MODEL")
    if not model:
        return None
    from llama_cpp import Llama  # optional: only with a model to count with

    llm = Llama(model_path=model, vocab_only=True, verbose=False)
    return lambda text: len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))


def run(day: ChangeSet, name: str, count: Callable[[str], int]) -> None:
    calls: list[float] = []

    def counted(text: str) -> int:
        t = time.perf_counter()
        n = count(text)
        calls.append(time.perf_counter() - t)
        return n

    t0 = time.perf_counter()
    small = compact(day)
    t1 = time.perf_counter()
    fitted = fit(small, budget_tokens=BUDGET, count_tokens=counted, render=changes_text)
    t2 = time.perf_counter()
    tokens = count(changes_text(fitted))
    print(f"\n== {name}: budget {BUDGET} tokens (context {CONTEXT} - output {OUTPUT} "
          f"- margin {MARGIN})")
    print(f"input: {len(day.files)} files, {day.added + day.removed:,} changed lines, "
          f"{count(changes_text(day)):,} tokens unfitted")
    print(f"compact: {(t1 - t0) * 1000:.1f} ms -> {len(small.files)} files, "
          f"{small.added + small.removed:,} lines")
    print(f"fit: {(t2 - t1) * 1000:.1f} ms, {len(calls)} token counts "
          f"({sum(calls) * 1000:.1f} ms counting) -> {tokens} tokens "
          f"({tokens / BUDGET:.0%} of budget)")
    print("kept:")
    for f in fitted.files:
        full = next(g for g in small.files if g.path == f.path)
        shown = sum(1 for h in f.hunks for line in h.lines if line[:1] in " +-")
        total = sum(len(h.lines) for h in full.hunks)
        print(f"  {f.path:28} {shown:5} of {total:5} diff lines" + (
            f"  [{f.note}]" if f.note else ""))
    print(f"commits kept: {len(fitted.commits)} of {len(day.commits)}")
    print("omitted:")
    for line in fitted.omitted:
        print(f"  {line}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        day = build_day(Path(tmp))
        run(day, "estimate_tokens", estimate_tokens)
        counter = llama_counter()
        if counter is not None:
            run(day, "llama.cpp tokenizer", counter)
        else:
            print("\n(set TILGEN_BENCH_MODEL to a GGUF file to also count with llama.cpp)")


if __name__ == "__main__":
    main()
