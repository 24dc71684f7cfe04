"""Client CPU of one remote note: `tilgen patch` as a process, against a server that costs
nothing (target: at most 0.5 s of user + system CPU on a warm install).

The server is a stand-in for vLLM on 127.0.0.1 (tests/servers.py): /v1/models with
max_model_len, /tokenize, and a valid points answer streamed in one chunk per token, so the
client does all of its real work (imports, settings, git-free patch parsing, redaction, prompt
fitting, the HTTP stream, validation, rendering) and the server none. Each run is a fresh
process, as a hook or a terminal would start it; the first run writes bytecode and is not
counted (PYTHONDONTWRITEBYTECODE is dropped for the children). ``--url`` measures against a
real server instead (then the figure includes nothing of the server either: only the child's
CPU is counted).

    python benchmarks/client_cpu.py
    python benchmarks/client_cpu.py --runs 10 --json
    python benchmarks/client_cpu.py --url http://127.0.0.1:8000/v1 --model qwen2.5-coder-0.5b
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET = 0.5
ANSWER = {"topic": "컨텍스트 시간 제한", "keywords": ["시간 제한", "컨텍스트"],
          "points": [{"text": "요청마다 `context.WithTimeout` 으로 시간 제한을 둡니다.", "hunk": 0},
                     {"text": "`defer cancel()` 로 타이머 자원을 바로 돌려줍니다.", "hunk": 1},
                     {"text": "시간이 지나면 `ctx.Err()` 가 오류를 알려 줍니다.", "hunk": 0}]}


def fake_vllm(model: str):  # noqa: ANN201 - a tests.servers.FaultServer
    from tests.servers import FaultServer, Reply, stream_reply

    server = FaultServer(models=[model])
    server.default("GET", "/v1/models", Reply(body={"object": "list", "data": [
        {"id": model, "object": "model", "max_model_len": 8192}]}))
    server.default("POST", "/tokenize", Reply(body={"count": 40, "max_model_len": 8192}))
    text = json.dumps(ANSWER, ensure_ascii=False)
    pieces = [text[i:i + 3] for i in range(0, len(text), 3)]  # ~one chunk per token
    server.default("POST", "/v1/chat/completions", stream_reply(
        *pieces, usage={"prompt_tokens": 900, "completion_tokens": len(pieces),
                        "total_tokens": 900 + len(pieces)}))
    return server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--url", default=None, help="a real server's /v1 URL")
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from tilgen.tools.evaluate import builtin_corpus

    server = None if args.url else fake_vllm(args.model)
    url = args.url or server.url
    home = Path(tempfile.mkdtemp(prefix="client-cpu-"))
    env = {k: v for k, v in os.environ.items()
           if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith("TILGEN_")}
    env.update({"TILGEN_HOME": str(home), "TILGEN_BACKEND": "remote",
                "TILGEN_REMOTE_BASE_URLS": url, "TILGEN_REMOTE_MODEL": args.model,
                "TILGEN_CACHE": "false",
                "PYTHONPATH": os.pathsep.join(
                    filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))})
    patch = builtin_corpus() / "go-context-timeout.diff"
    cmd = [sys.executable, "-m", "tilgen", "patch", str(patch), "--json", "--no-save"]
    samples = []
    try:
        for i in range(args.runs + 1):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if proc.returncode != 0:
                raise SystemExit(f"tilgen patch failed ({proc.returncode}): {proc.stderr[-300:]}")
            user, sys_ = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
            if i:  # run 0 writes bytecode
                samples.append({"user_s": user, "sys_s": sys_, "cpu_s": user + sys_,
                                "wall_s": wall})
    finally:
        if server is not None:
            server.close()
    med = {k: round(statistics.median(s[k] for s in samples), 3) for k in samples[0]}
    out = {"benchmark": "client_cpu", "server": "real" if args.url else "stand-in",
           "runs": args.runs, **med, "target_s": TARGET, "ok": med["cpu_s"] <= TARGET}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"client CPU per remote note (median of {args.runs}): {med['cpu_s']:.3f} s "
              f"({med['user_s']:.3f} user + {med['sys_s']:.3f} system), wall {med['wall_s']:.2f} s;"
              f" target <= {TARGET} s: {'ok' if out['ok'] else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
