"""How much of a note's prompt is reused from the previous one (the static system prompt).

One process, the embedded 0.5B model: the note prompt for patch A (built-in case
``go-context-timeout``), then its retry prompt (A + the rejected answer + a correction), then
the prompt for patch B (``py-retry-backoff``), without resetting; finally B again from an
empty cache. llama-cpp-python keeps the KV cache of the longest common token prefix, so B
only evaluates what follows the shared system prompt and header. Reported: B's prompt
tokens, the reused prefix (token comparison with the cache) and the tokens llama.cpp
actually evaluated (its own counters), and time to first token warm versus cold.

The same sequence then runs against a real ``python -m llama_cpp.server`` on loopback
(skip with ``--no-server``), reading ``usage.prompt_tokens_details.cached_tokens`` when the
server returns it, and timings otherwise.

    python benchmarks/prefix_reuse.py
    python benchmarks/prefix_reuse.py --max-tokens 64 --no-server
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

CASE_A, CASE_B = "go-context-timeout", "py-retry-backoff"
ALIAS = "qwen2.5-coder-0.5b-bench"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--max-tokens", type=int, default=32,
                        help="answer budget per request (reuse concerns the prompt)")
    parser.add_argument("--no-server", action="store_true", help="skip the llama.cpp server")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tilgen-prefix-bench-") as home:
        os.environ["TILGEN_HOME"] = home  # remote output-mode memory stays out of the user's
        out: dict[str, Any] = {"benchmark": "prefix_reuse", "max_tokens": args.max_tokens}
        out["embedded"] = embedded(args)
        if not args.no_server:
            out["server"] = server(args)
    if args.json:
        print(json.dumps(out))
        return 0
    for name in ("embedded", "server"):
        if name in out:
            show(name, out[name])
    return 0


def jobs(settings: Any, backend: Any) -> dict[str, Any]:
    from tilgen.tools.bench import workload
    from tilgen.tools.evaluate import builtin_corpus

    return {job.id: job for job in workload(settings, backend, builtin_corpus())}


def sequence(backend: Any, settings: Any, max_tokens: int, reset: Any) -> dict[str, Any]:
    """A, A's retry, B (all warm), then B from an empty cache."""
    from tilgen.tools.bench import request_for

    by_id = jobs(settings, backend)
    a, b = by_id[CASE_A], by_id[CASE_B]
    steps: dict[str, Any] = {}

    def step(name: str, request: Any) -> Any:
        from tilgen.backends.run import generate

        result = generate(backend, request)
        steps[name] = {
            "prompt_tokens": result.prompt_tokens, "reused_tokens": result.cached_prompt_tokens,
            "evaluated_tokens": result.extra.get("prompt_eval_tokens"),
            "ttft_s": round(result.first_token_seconds or 0.0, 3)}
        return result

    reset(None)
    first = step("A", request_for(a, settings, max_tokens))
    retry = request_for(a, settings, max_tokens)
    retry.messages += [{"role": "assistant", "content": first.text},
                       {"role": "user", "content": "That answer was rejected: it was cut off. "
                        "Answer again with corrected JSON only."}]
    step("A retry", retry)
    step("B after A", request_for(b, settings, max_tokens))
    reset(b)
    step("B cold", request_for(b, settings, max_tokens, nonce=reset.nonce))
    return steps


def embedded(args: argparse.Namespace) -> dict[str, Any]:
    from tilgen.backends import make_backend
    from tilgen.config.settings import Settings

    settings = Settings()
    settings.embedded.model = args.model
    backend = make_backend("embedded", settings)
    backend.prepare()

    def reset(_job: Any) -> None:
        backend.reset()

    reset.nonce = None  # type: ignore[attr-defined]
    return {"model": backend.model_name, "steps": sequence(backend, settings, args.max_tokens,
                                                            reset)}


def server(args: argparse.Namespace) -> dict[str, Any]:
    from tilgen import paths
    from tilgen.backends import make_backend
    from tilgen.backends.modelstore import cached_path, get_spec
    from tilgen.config.settings import Settings

    model = cached_path(get_spec(args.model)) if not args.model.endswith(".gguf") \
        else Path(args.model)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = paths.state_dir() / "llama-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ}
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # the same OpenMP default tilgen applies
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias",
           ALIAS, "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096",
           "--n_threads", str(os.cpu_count() or 2), "--verbose", "False"]
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        wait_ready(base, proc, log)
        settings = Settings()
        settings.backend = "remote"
        settings.remote.base_urls = [base]
        settings.remote.model = ALIAS
        settings.remote.context_length = 4096
        backend = make_backend("remote", settings)
        counter = iter(range(1000))

        def reset(_job: Any) -> None:  # a server cannot be reset: make B's first line unique
            reset.nonce = f"cold {next(counter)}"  # type: ignore[attr-defined]

        reset.nonce = None  # type: ignore[attr-defined]
        steps = sequence(backend, settings, args.max_tokens, reset)
        return {"model": ALIAS, "url": base, "steps": steps,
                "cached_tokens_reported": any(s["reused_tokens"] is not None
                                              for s in steps.values())}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"llama_cpp.server exited: {log.read_text(errors='replace')[-800:]}")
        try:
            with urllib.request.urlopen(base + "/models", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("llama_cpp.server did not start within 180 s")


def show(name: str, data: dict[str, Any]) -> None:
    steps = data["steps"]
    print(f"prefix reuse, {name} ({data['model']}):")
    for step, s in steps.items():
        reused = "n/a" if s["reused_tokens"] is None else s["reused_tokens"]
        evaluated = "" if s["evaluated_tokens"] is None else f", evaluated {s['evaluated_tokens']}"
        prompt = "?" if s["prompt_tokens"] is None else s["prompt_tokens"]
        print(f"  {step:10} prompt {prompt} tokens, reused {reused}{evaluated}; "
              f"time to first token {s['ttft_s']:.2f} s")
    warm, cold = steps["B after A"], steps["B cold"]
    if warm["reused_tokens"] and warm["prompt_tokens"]:
        share = warm["reused_tokens"] / warm["prompt_tokens"]
        print(f"  -> B reused {warm['reused_tokens']} of {warm['prompt_tokens']} prompt tokens "
              f"({share:.0%})")
    if cold["ttft_s"]:
        print(f"  -> B's time to first token: {warm['ttft_s']:.2f} s after A vs "
              f"{cold['ttft_s']:.2f} s cold ({warm['ttft_s'] / cold['ttft_s']:.2f}x)")


if __name__ == "__main__":
    sys.exit(main())
