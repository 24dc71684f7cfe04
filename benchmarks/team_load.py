"""Team load: N developers writing notes at once through one remote server, or replicas.

Three ways to send the same work, each with N concurrent users (default 1 and 10), all in
one run against the same server(s):

- ``api``: tilgen's Python API (``tilgen.api.generate_note``), one thread per user;
- ``cli``: ``tilgen patch FILE --json --no-save``, one process per user;
- ``raw``: the same requests tilgen sends (messages, schema, sampling), straight through the
  ``openai`` SDK, one thread and one client per user; the answer is only checked for JSON.

Per way and N: notes per minute, p50/p95 latency, client CPU per note (this process's CPU
for the threads, the children's for the processes; a warm-up note first, and bytecode kept:
PYTHONDONTWRITEBYTECODE is dropped for the children) and failures.

``--replicas`` adds the failover run: N API users against two servers, one of which is stopped
a moment into the run (``--stop-after`` seconds, default a third of the baseline's wall time);
every note must still be valid, retried on the other server, and the latency cost is shown
against the same load with both servers up.

Servers: ``--url`` (repeatable) for running ones, or ``--start-llama 1|2`` to start
llama-cpp-python's server on 127.0.0.1 with the 0.5B test model. ``--stop-cmd`` stops the
second ``--url`` server (e.g. ``kill 1234``); a started one is killed.

    python benchmarks/team_load.py --start-llama 1 --users 1,4 --max-tokens 200
    python benchmarks/team_load.py --start-llama 2 --replicas --users 4 --ways api
    python benchmarks/team_load.py --url http://127.0.0.1:8000/v1 --model qwen2.5-coder-0.5b \\
        --users 1,10,100 --json team_load.json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@dataclass
class Batch:
    way: str
    users: int
    wall_s: float = 0.0
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    cpu_s: float = 0.0
    note: str = ""

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies)
        ok = len(lat)
        return {
            "way": self.way, "users": self.users, "valid": ok, "failed": len(self.failures),
            "wall_s": round(self.wall_s, 2),
            "notes_per_min": round(ok / self.wall_s * 60, 1) if self.wall_s else 0.0,
            "p50_s": round(statistics.median(lat), 2) if lat else None,
            "p95_s": round(lat[min(ok - 1, int(0.95 * ok))], 2) if lat else None,
            "cpu_per_note_s": round(self.cpu_s / max(self.users, 1), 3),
            "failures": self.failures[:5], "note": self.note,
        }


def cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


# -- servers ------------------------------------------------------------------------------
def start_llama(count: int, workdir: Path) -> tuple[list[str], list[subprocess.Popen[bytes]]]:
    from tests.servers import LLAMA_SERVER_CTX, TEST_MODEL_ALIAS, free_port, llama_model_file

    urls, procs = [], []
    for i in range(count):
        port = free_port()
        log = open(workdir / f"llama-{i}.log", "wb")  # noqa: SIM115 - lives with the server
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(llama_model_file()),
             "--model_alias", TEST_MODEL_ALIAS, "--host", "127.0.0.1", "--port", str(port),
             "--n_ctx", str(LLAMA_SERVER_CTX * 2), "--n_threads", "2", "--verbose", "False",
             # By default a new request cuts the running answer short (ends it with [DONE]).
             "--interrupt_requests", "False"],
            stdout=log, stderr=subprocess.STDOUT))
        urls.append(f"http://127.0.0.1:{port}/v1")
    import urllib.request

    for url, proc in zip(urls, procs, strict=True):
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(url + "/models", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"llama_cpp.server for {url} did not start") from None
                time.sleep(0.5)
    return urls, procs


# -- the work -----------------------------------------------------------------------------
def patches() -> list[tuple[str, bytes]]:
    from tilgen.tools.evaluate import builtin_corpus, load_cases

    corpus = builtin_corpus()
    return [(c["id"], (corpus / f"{c['id']}.diff").read_bytes()) for c in load_cases(corpus)]


def overrides(urls: list[str], args: argparse.Namespace) -> dict[str, Any]:
    return {"backend": "remote", "remote.base_urls": urls, "remote.model": args.model,
            "cache": False, "generation.max_tokens": args.max_tokens,
            "remote.timeout": 600.0}


def api_note(patch: bytes, settings: dict[str, Any]) -> None:
    from tilgen.api import generate_note

    generate_note(patch=patch, save=False, settings=settings)


def cli_env(urls: list[str], args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"TILGEN_BACKEND": "remote", "TILGEN_REMOTE_BASE_URLS": ",".join(urls),
                "TILGEN_REMOTE_MODEL": args.model, "TILGEN_CACHE": "false",
                "TILGEN_REMOTE_TIMEOUT": "600",
                "PYTHONPATH": os.pathsep.join(
                    filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))})
    return env


def cli_note(path: Path, env: dict[str, str], args: argparse.Namespace) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tilgen", "patch", str(path), "--json", "--no-save",
         "--max-tokens", str(args.max_tokens)],
        env=env, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"exit {proc.returncode}: {proc.stderr.strip()[-200:]}")


def raw_requests(urls: list[str], args: argparse.Namespace,
                 work: list[tuple[str, bytes]]) -> list[dict[str, Any]]:
    """The create() arguments tilgen sends for each patch (built once, outside the timing)."""
    from tilgen.backends.base import GenerationRequest
    from tilgen.backends.remote.backend import RemoteBackend
    from tilgen.backends.remote.modes import params
    from tilgen.config.layers import load_settings
    from tilgen.git.collect import collect_patch
    from tilgen.note.schema import points_schema
    from tilgen.pipeline import fit_prompt, prepare

    settings = load_settings(repo_root=None, cli=overrides(urls, args)).settings
    backend = RemoteBackend(settings.remote)
    gen = settings.generation
    out = []
    for name, patch in work:
        cs, languages, _ = prepare(collect_patch(patch, name=name), settings)
        fitted, prompt = fit_prompt(cs, backend, settings, languages)
        request = GenerationRequest(
            messages=prompt.messages(), json_schema=points_schema(len(prompt.hunks),
                                                                  settings.language),
            max_tokens=gen.max_tokens, temperature=gen.temperature, top_p=gen.top_p,
            top_k=gen.top_k, min_p=gen.min_p, repeat_penalty=gen.repeat_penalty, seed=gen.seed)
        mode = backend.modes.modes_for(urls[0], request)[0]
        out.append(params(request, mode, model=backend.model_name))  # the very same request
    return out


def raw_note(client: Any, params: dict[str, Any]) -> None:
    stream = client.chat.completions.create(**params)
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    json.loads(text)


def run_batch(way: str, users: int, urls: list[str], args: argparse.Namespace,
              work: list[tuple[str, bytes]], tmp: Path, *,
              stop: Any = None, stop_after: float | None = None) -> Batch:
    batch = Batch(way, users)
    settings = overrides(urls, args)
    env = cli_env(urls, args)
    files = []
    for name, patch in work:
        files.append(tmp / f"{name}.diff")
        files[-1].write_bytes(patch)
    params = raw_requests(urls, args, work) if way == "raw" else []
    clients: list[Any] = []
    if way == "raw":
        import openai

        clients = [openai.OpenAI(base_url=urls[i % len(urls)], api_key="EMPTY", max_retries=0,
                                 timeout=600.0) for i in range(users)]
    lock = threading.Lock()
    gate = threading.Barrier(users + 1)

    def user(i: int) -> None:
        gate.wait()
        start = time.perf_counter()
        try:
            if way == "api":
                api_note(work[i % len(work)][1], settings)
            elif way == "cli":
                cli_note(files[i % len(files)], env, args)
            else:
                raw_note(clients[i], params[i % len(params)])
        except Exception as exc:  # noqa: BLE001 - every failure is counted, not raised
            with lock:
                batch.failures.append(f"{type(exc).__name__}: {str(exc)[:160]}")
            return
        with lock:
            batch.latencies.append(time.perf_counter() - start)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    who = resource.RUSAGE_CHILDREN if way == "cli" else resource.RUSAGE_SELF
    cpu0 = cpu(who)
    gate.wait()
    start = time.perf_counter()
    stopper = None
    if stop is not None:
        stopper = threading.Timer(stop_after or 0.0, stop)
        stopper.start()
    for t in threads:
        t.join()
    batch.wall_s = time.perf_counter() - start
    batch.cpu_s = cpu(who) - cpu0
    if stopper is not None:
        stopper.cancel()
    return batch


def table(rows: list[dict[str, Any]]) -> str:
    head = ("way", "users", "valid", "failed", "wall_s", "notes_per_min", "p50_s", "p95_s",
            "cpu_per_note_s")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(r[h]) for h in head) + " |" for r in rows]
    return "\n".join(lines)


def report(row: dict[str, Any]) -> None:
    print(table([row]).splitlines()[-1], file=sys.stderr, flush=True)
    for failure in row["failures"]:
        print(f"    failed: {failure}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", default=[], help="a running server's /v1 URL")
    parser.add_argument("--start-llama", type=int, default=0, help="start 1 or 2 llama.cpp servers")
    parser.add_argument("--model", default=None, help="served model name")
    parser.add_argument("--users", default="1,10", help="comma-separated user counts")
    parser.add_argument("--ways", default="api,cli,raw", help="any of api,cli,raw")
    parser.add_argument("--max-tokens", type=int, default=1024)
    parser.add_argument("--replicas", action="store_true", help="add the failover run")
    parser.add_argument("--stop-after", type=float, default=None, help="seconds into the run")
    parser.add_argument("--stop-cmd", default=None, help="shell command stopping the 2nd --url")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="team-load-"))
    os.environ["TILGEN_HOME"] = str(tmp / "home")  # no user config, a fresh mode cache
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    procs: list[subprocess.Popen[bytes]] = []
    urls = list(args.url)
    if args.start_llama:
        from tests.servers import TEST_MODEL_ALIAS

        started, procs = start_llama(args.start_llama, tmp)
        urls += started
        args.model = args.model or TEST_MODEL_ALIAS
    if not urls or not args.model:
        parser.error("give --url and --model, or --start-llama")
    if args.replicas and len(urls) < 2:
        parser.error("--replicas needs two servers (two --url or --start-llama 2)")
    work = patches()
    counts = [int(n) for n in args.users.split(",")]
    ways = args.ways.split(",")
    rows: list[dict[str, Any]] = []
    try:
        # Warm-up: imports, bytecode, the mode cache, the servers' prompt caches, and each
        # server's first concurrent batch (vLLM stalled 12-20 s on it once, whoever sent it).
        run_batch("api", 1, urls[:1], args, work, tmp)
        for url in urls[:2] if args.replicas else urls[:1]:
            run_batch("raw", min(10, max(int(n) for n in args.users.split(","))), [url], args,
                      work, tmp)
        if "cli" in ways:
            run_batch("cli", 1, urls[:1], args, work, tmp)
        for n in counts:
            for way in ways:
                batch = run_batch(way, n, urls[:1], args, work, tmp)
                rows.append(batch.summary())
                report(rows[-1])
        if args.replicas:
            n = max(counts)
            both = run_batch("api", n, urls[:2], args, work, tmp)
            both.note = "two replicas, both up"
            rows.append(both.summary())
            report(rows[-1])
            after = args.stop_after if args.stop_after is not None else both.wall_s / 3

            def stop() -> None:
                if args.stop_cmd:
                    subprocess.run(args.stop_cmd, shell=True, check=False)
                elif len(procs) >= 2:
                    procs[1].kill()

            failover = run_batch("api", n, urls[:2], args, work, tmp, stop=stop,
                                 stop_after=after)
            failover.note = f"second replica stopped {after:.1f} s into the run"
            rows.append(failover.summary())
            report(rows[-1])
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
    ratios = {}
    for n in counts:
        by = {r["way"]: r for r in rows if r["users"] == n and not r["note"]}
        if "api" in by and "raw" in by and by["raw"]["wall_s"]:
            ratios[f"api_vs_raw_wall_{n}"] = round(by["api"]["wall_s"] / by["raw"]["wall_s"], 2)
    out = {"benchmark": "team_load", "urls": len(urls), "model": args.model,
           "max_tokens": args.max_tokens, "rows": rows, **ratios}
    print(table(rows))
    for key, value in ratios.items():
        print(f"{key}: {value}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
