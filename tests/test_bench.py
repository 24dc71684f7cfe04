"""tilgen bench through the real CLI, with the real 0.5B model, and its Markdown table."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.cli import assert_clean, tilgen
from tests.models import TEST_MODEL, test_model_path
from tilgen.tools.bench import markdown_table, spread


@pytest.fixture(scope="module")
def bench_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One real benchmark run, shared by the tests below (module scope: the home is set here)."""
    models = os.environ.get("TILGEN_TEST_MODELS_DIR") or str(
        Path.home() / ".cache" / "tilgen-test-models")
    with pytest.MonkeyPatch.context() as mp:
        for var in [v for v in os.environ if v.startswith("TILGEN_")]:
            mp.delenv(var)
        mp.setenv("TILGEN_HOME", str(tmp_path_factory.mktemp("bench-home")))
        mp.setenv("TILGEN_MODELS_DIR", models)
        test_model_path()
        proc = tilgen("bench", "--model", TEST_MODEL, "--runs", "1", "--max-tokens", "16",
                      "--json")
    assert_clean(proc)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.model
def test_bench_json_has_every_figure(bench_report: dict[str, Any]) -> None:
    assert bench_report["machine"]["cores"] >= 1
    assert "AVX" in bench_report["llama_cpp"]["system_info"]
    (result,) = bench_report["results"]
    assert (result["backend"], result["model"], result["runs"]) == ("embedded", TEST_MODEL, 1)
    assert result["cases"] == ["go-context-timeout"]
    assert 0 < result["load_s"] < 600
    m = result["metrics"]
    for name in ("ttft_s", "prompt_ms_per_token", "prompt_tps", "gen_tps", "total_s"):
        assert m[name]["n"] == 1 and m[name]["median"] > 0, name
        assert m[name]["min"] == m[name]["median"] == m[name]["max"], name
    # The real prompt (system rules + the Go patch) is several hundred tokens.
    assert 300 < m["prompt_tokens"]["median"] < 2000
    assert 2 <= m["completion_tokens"]["median"] <= 20
    assert m["total_s"]["median"] >= m["ttft_s"]["median"]
    assert m["prompt_tps"]["median"] == pytest.approx(1000 / m["prompt_ms_per_token"]["median"])
    # The 0.5B Q4_K_M weights are ~400 MB: the process peak must include them.
    assert result["memory"]["peak_rss_mb"] > 300
    assert result["gpu"] is None  # no GPU on a CPU-only build


@pytest.mark.model
def test_bench_runs_start_from_an_empty_prompt_cache(bench_report: dict[str, Any]) -> None:
    (result,) = bench_report["results"]
    (sample,) = result["samples"]
    assert sample["cached_prompt_tokens"] == 0
    assert sample["prompt_tokens_estimated"] is False


@pytest.mark.model
def test_bench_reports_prefix_reuse_between_two_notes(bench_report: dict[str, Any]) -> None:
    reuse = bench_report["results"][0]["prefix_reuse"]
    assert (reuse["after"], reuse["case"]) == ("go-context-timeout", "py-retry-backoff")
    # The static system prompt is shared; the changes are not.
    assert 200 < reuse["reused_tokens"] < reuse["prompt_tokens"]
    assert reuse["ttft_s"] > 0


@pytest.mark.model
def test_markdown_table_renders_the_real_report(bench_report: dict[str, Any]) -> None:
    table = markdown_table(bench_report["results"]).splitlines()
    assert len(table) == 3
    header, sep, row = table
    assert header.count("|") == sep.count("|") == row.count("|")
    assert row.startswith(f"| {TEST_MODEL} | embedded | 1 | ")
    assert "n/a |" in row  # the GPU column on this CPU-only machine


def test_markdown_table_shows_median_and_spread() -> None:
    result = {
        "model": "m", "backend": "remote", "runs": 3, "load_s": None,
        "metrics": {"ttft_s": spread([0.5, 0.25, 1.0]), "gen_tps": spread([10.0, 12.0, 11.0])},
        "memory": {"peak_rss_mb": 80.5}, "gpu": {"peak_used_mb": None,
                                                  "peak_server_kv_cache_pct": 3.2},
        "prefix_reuse": {"reused_tokens": 300, "prompt_tokens": 700},
    }
    row = markdown_table([result]).splitlines()[2]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[:4] == ["m", "remote", "3", "n/a"]
    assert cells[4] == "0.5 (0.25–1.0)"
    assert cells[7] == "11.0 (10.0–12.0)"
    assert cells[5] == cells[6] == cells[8] == "n/a"
    assert cells[9:] == ["80.5", "KV 3.2%", "300/700 tok"]


def test_spread_ignores_missing_values() -> None:
    assert spread([None, 2, 1, 3]) == {"median": 2, "min": 1, "max": 3, "n": 3}
    assert spread([None]) == {"median": None, "min": None, "max": None, "n": 0}


def test_bench_rejects_a_folder_without_cases(tmp_path: Path) -> None:
    proc = tilgen("bench", "--corpus", str(tmp_path), "--runs", "1")
    assert_clean(proc)
    assert proc.returncode == 2
    assert "cases.jsonl" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_bench_rejects_zero_runs() -> None:
    proc = tilgen("bench", "--runs", "0")
    assert_clean(proc)
    assert proc.returncode == 2


@pytest.mark.server
def test_bench_remote_against_a_real_llama_cpp_server(llama_server: str) -> None:
    from tests.servers import LLAMA_SERVER_CTX, TEST_MODEL_ALIAS

    proc = tilgen("bench", "--backend", "remote", "--model", TEST_MODEL_ALIAS, "--runs", "1",
                  "--max-tokens", "8", "--json",
                  env={"TILGEN_REMOTE_BASE_URLS": llama_server,
                       "TILGEN_REMOTE_CONTEXT_LENGTH": str(LLAMA_SERVER_CTX)})
    assert_clean(proc)
    assert proc.returncode == 0, proc.stderr
    (result,) = json.loads(proc.stdout)["results"]
    assert (result["backend"], result["model"]) == ("remote", TEST_MODEL_ALIAS)
    assert result["load_s"] is None  # the server loaded its model, not this process
    m = result["metrics"]
    for name in ("ttft_s", "prompt_tps", "gen_tps", "total_s"):
        assert m[name]["median"] > 0, name
    (sample,) = result["samples"]
    # llama-cpp-python's server streams no usage: prompt tokens come from its tokenizer.
    assert sample["prompt_tokens_estimated"] is True and sample["prompt_tokens"] > 300
    assert result["gpu"] is None  # no /metrics on this server
    assert result["prefix_reuse"]["ttft_s"] > 0
    assert "| remote |" in markdown_table([result])


VLLM_METRICS = """\
# HELP vllm:gpu_cache_usage_perc GPU KV-cache usage. 1 means 100 percent usage.
# TYPE vllm:gpu_cache_usage_perc gauge
vllm:gpu_cache_usage_perc{engine="0",model_name="Qwen/Qwen2.5-Coder-1.5B-Instruct"} 0.125
vllm:num_requests_running{engine="0",model_name="Qwen/Qwen2.5-Coder-1.5B-Instruct"} 1.0
"""


def test_vllm_kv_cache_usage_is_read_from_the_metrics_page() -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from tilgen.tools.bench_probes import GpuSampler, vllm_cache_usage

    class Metrics(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            body = VLLM_METRICS.encode() if self.path == "/metrics" else b"no"
            self.send_response(200 if self.path == "/metrics" else 404)
            self.send_header("content-type", "text/plain; version=0.0.4")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Metrics)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        root = f"http://127.0.0.1:{server.server_address[1]}"
        assert vllm_cache_usage(root) == 12.5
        assert vllm_cache_usage(root + "/nothing-here") is None
        with GpuSampler(metrics_roots=[root], interval=0.05) as sampler:
            pass
        assert sampler.summary() == {"peak_used_mb": None, "peak_server_kv_cache_pct": 12.5}
    finally:
        server.shutdown()
        server.server_close()


def test_threads_default_to_every_core_for_the_prompt_and_half_for_generating(monkeypatch):
    from tilgen.backends.embedded import thread_counts

    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert thread_counts(None) == (4, 8)
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert thread_counts(None) == (1, 1)
    assert thread_counts(3) == (3, 3)  # an explicit setting is used for both
