"""`tilgen serve` (the vLLM command) and `tilgen doctor` without a model server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli import assert_clean, tilgen
from tests.servers import FaultServer, error_reply, free_port, stream_reply
from tilgen.config.settings import Settings
from tilgen.errors import ConfigError, TilgenError
from tilgen.tools.doctor import check_embedded, check_remote
from tilgen.tools.serve import format_command, run, served_names, vllm_command

SECRET = "sk-serve-secret-abcdef0123456789"


def test_vllm_command_uses_documented_flags_and_an_env_reference() -> None:
    argv = vllm_command(Settings(), lora_modules=["til-ko=/adapters/til-ko"], max_lora_rank=32)
    assert argv == [
        "vllm", "serve", "Qwen/Qwen2.5-Coder-1.5B-Instruct",
        "--served-model-name", "Qwen/Qwen2.5-Coder-1.5B-Instruct",
        "--max-model-len", "8192", "--gpu-memory-utilization", "0.9",
        "--enable-prompt-tokens-details", "--api-key", "$TILGEN_API_KEY",
        "--enable-lora", "--lora-modules", "til-ko=/adapters/til-ko", "--max-lora-rank", "32",
    ]
    assert served_names(argv) == ["Qwen/Qwen2.5-Coder-1.5B-Instruct", "til-ko"]
    text = format_command(argv)
    assert '--api-key "$TILGEN_API_KEY" \\\n' in text
    assert text.startswith("vllm serve Qwen/Qwen2.5-Coder-1.5B-Instruct \\\n  --served-model-name")


def test_vllm_command_options() -> None:
    argv = vllm_command(Settings(), model="Qwen/Qwen2.5-Coder-7B-Instruct",
                        served_model_name="coder", max_model_len=16384,
                        gpu_memory_utilization=0.8, api_key_env="", tensor_parallel_size=2,
                        port=9000)
    assert "--api-key" not in argv and "--enable-lora" not in argv
    assert argv[argv.index("--tensor-parallel-size") + 1] == "2"
    assert argv[argv.index("--served-model-name") + 1] == "coder"
    assert argv[argv.index("--port") + 1] == "9000"
    with pytest.raises(ConfigError, match="NAME=PATH"):
        vllm_command(Settings(), lora_modules=["no-path"])
    with pytest.raises(ConfigError, match="Hugging Face model id"):
        vllm_command(Settings(), model="til-ko")


@pytest.mark.parametrize(("asked", "printed"), [
    (8, "8"), (16, None), (12, None), (1, "1"), (17, "32"), (48, "64"), (300, "320"),
    (512, "512")])
def test_max_lora_rank_is_one_vllm_accepts(asked: int, printed: str | None) -> None:
    # vLLM refuses to start on any rank outside {1, 8, 16, 32, 64, 128, 256, 320, 512};
    # 16 is its default and is left out.
    argv = vllm_command(Settings(), lora_modules=["a=/x"], max_lora_rank=asked)
    got = argv[argv.index("--max-lora-rank") + 1] if "--max-lora-rank" in argv else None
    assert got == printed
    with pytest.raises(ConfigError, match="512"):
        vllm_command(Settings(), lora_modules=["a=/x"], max_lora_rank=600)


def test_the_rank_of_a_local_adapter_is_read_from_its_config(tmp_path: Path) -> None:
    adapter = tmp_path / "til-ko"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text(json.dumps({"r": 24, "peft_type": "LORA"}))
    argv = vllm_command(Settings(), lora_modules=[f"til-ko={adapter}"])
    assert argv[argv.index("--max-lora-rank") + 1] == "32"
    argv = vllm_command(Settings(), lora_modules=[f"til-ko={adapter}"], max_lora_rank=64)
    assert argv[argv.index("--max-lora-rank") + 1] == "64"


def test_run_without_vllm_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(TilgenError, match="pip install vllm"):
        run(vllm_command(Settings()))


def test_serve_cli_prints_the_reference_never_the_key(tmp_path: Path) -> None:
    proc = tilgen("serve", "--lora", "til-ko=/adapters/til-ko", cwd=tmp_path,
                  env={"TILGEN_API_KEY": SECRET, "TILGEN_REMOTE_MODEL": "til-ko"})
    assert_clean(proc)
    assert proc.returncode == 0, proc.stderr
    assert '--api-key "$TILGEN_API_KEY"' in proc.stdout
    assert "--lora-modules til-ko=/adapters/til-ko" in proc.stdout
    assert SECRET not in proc.stdout + proc.stderr
    bad = tilgen("serve", "--lora", "oops", cwd=tmp_path)
    assert bad.returncode == 6 and "NAME=PATH" in bad.stderr
    assert_clean(bad)


def test_doctor_reports_a_missing_model_and_an_unreachable_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TILGEN_MODELS_DIR", str(tmp_path / "models"))
    embedded = {c.name: c for c in check_embedded(Settings())}
    assert embedded["model file"].status == "warn" and "tilgen model pull" in embedded[
        "model file"].detail
    assert embedded["llama-cpp-python"].status in ("ok", "warn")

    url = f"http://127.0.0.1:{free_port()}/v1"
    proc = tilgen("doctor", "--backend", "remote", "--json", cwd=tmp_path, env={
        "TILGEN_REMOTE_BASE_URLS": url, "TILGEN_API_KEY": SECRET})
    assert_clean(proc)
    assert proc.returncode == 1
    assert SECRET not in proc.stdout + proc.stderr
    checks = {(c["target"], c["name"]): c for c in json.loads(proc.stdout)}
    assert checks[("remote", "api key")]["detail"] == "set (env: TILGEN_API_KEY)"
    reach = checks[(url, "reachable")]
    assert reach["status"] == "fail" and "connection refused" in reach["detail"]


def test_doctor_finds_the_structured_output_mode(fault_server: FaultServer) -> None:
    fault_server.chat(stream_reply('{"checked": true}'))
    settings = Settings.model_validate({"backend": "remote", "remote": {
        "base_urls": [fault_server.url], "model": "test-model"}})
    checks = {c.name: c for c in check_remote(settings)}
    assert checks["reachable"].status == "ok" and checks["model"].status == "ok"
    assert checks["tokenizer"].status == "warn"  # the fault server has no tokenize endpoint
    assert checks["structured output"].data["mode"] == "json_schema"
    assert checks["context"].data["source"].startswith("default")


def test_doctor_does_not_trust_a_schema_the_server_drops(fault_server: FaultServer) -> None:
    # vLLM accepts {"type": "json_object", "schema": ...} and ignores the schema: the answer
    # is then what the words asked for, not what the schema demands.
    fault_server.chat(error_reply(400, "response_format json_schema is not supported"),
                      stream_reply('{"ok": true}'), stream_reply('{"ok": true}'))
    settings = Settings.model_validate({"backend": "remote", "remote": {
        "base_urls": [fault_server.url], "model": "test-model"}})
    structured = {c.name: c for c in check_remote(settings)}["structured output"]
    assert structured.status == "warn", structured
    assert structured.data["mode"] == "json_object"
    assert "not held to the schema" in structured.detail
    sent = [c.json["response_format"] for c in fault_server.calls("/v1/chat/completions")]
    assert [r["type"] for r in sent] == ["json_schema", "json_object", "json_object"]
    assert "schema" in sent[1] and "schema" not in sent[2]
