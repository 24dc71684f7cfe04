"""The remote backend against a real llama.cpp server and a fault-injection server."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest

from tests.cli import assert_clean, tilgen
from tests.servers import (
    LLAMA_SERVER_CTX,
    TEST_MODEL_ALIAS,
    FaultServer,
    Reply,
    error_reply,
    free_port,
    stream_reply,
)
from tilgen.backends.base import Backend, GenerationRequest
from tilgen.backends.remote import state as remote_state
from tilgen.backends.remote.backend import RemoteBackend
from tilgen.backends.run import generate
from tilgen.config.settings import RemoteSettings
from tilgen.errors import BackendError, BackendUnavailable, ContextOverflow, ExitCode
from tilgen.fit.budget import estimate_tokens

SECRET = "sk-team-secret-0123456789abcdef"
SUM_SCHEMA = {
    "type": "object",
    "properties": {"sum": {"type": "integer"}},
    "required": ["sum"],
}
CHAT = "/v1/chat/completions"


def make(urls: str | list[str], *, api_key: str | None = None, **kw: object) -> RemoteBackend:
    settings = RemoteSettings(
        base_urls=[urls] if isinstance(urls, str) else urls,
        model=str(kw.pop("model", "test-model")), retries=int(kw.pop("retries", 2)),  # type: ignore[arg-type]
        timeout=float(kw.pop("timeout", 20)), connect_timeout=2.0, **kw,  # type: ignore[arg-type]
    )
    return RemoteBackend(settings, api_key=api_key)


def ask(content: str = "What is 2+3? Answer as JSON with the key sum.", *,
        schema: dict | None = None, max_tokens: int = 24) -> GenerationRequest:
    return GenerationRequest(messages=[{"role": "user", "content": content}], json_schema=schema,
                             max_tokens=max_tokens, temperature=0.0, seed=0)


# -- the real llama.cpp server -------------------------------------------------------------
@pytest.mark.server
def test_streams_structured_answer_from_real_server(llama_server: str) -> None:
    backend = make(llama_server, model=TEST_MODEL_ALIAS)
    assert isinstance(backend, Backend)
    pieces: list[str] = []
    result = generate(backend, ask(schema=SUM_SCHEMA), pieces.append)

    assert len(pieces) > 1 and "".join(pieces) == result.text
    assert json.loads(result.text) == {"sum": 5}
    assert result.finish_reason == "stop"
    assert result.backend == "remote" and result.model == TEST_MODEL_ALIAS
    assert result.first_token_seconds is not None
    assert 0 < result.first_token_seconds <= result.total_seconds
    # llama-cpp-python's server rejects json_schema; the schema is still enforced this way.
    assert result.extra["structured_output"] == "json_object_schema"
    assert remote_state.load_mode(llama_server, TEST_MODEL_ALIAS) == "json_object_schema"


@pytest.mark.server
def test_counts_tokens_with_the_server_tokenizer(llama_server: str) -> None:
    backend = make(llama_server, model=TEST_MODEL_ALIAS)
    assert backend.count_tokens("hello world") == 2  # estimate_tokens would say 4
    assert backend.tokenizer == "llama-cpp-python"
    text = "def add(a, b):\n    return a + b\n" * 20
    assert 0 < backend.count_tokens(text) < estimate_tokens(text)
    assert backend.count_tokens("") == 0


@pytest.mark.server
def test_context_length_when_the_server_does_not_report_it(llama_server: str) -> None:
    assert make(llama_server, model=TEST_MODEL_ALIAS).context_length() == 4096
    backend = make(llama_server, model=TEST_MODEL_ALIAS, context_length=LLAMA_SERVER_CTX)
    assert backend.context_length() == LLAMA_SERVER_CTX
    assert backend.context_source == "remote.context_length"


@pytest.mark.server
def test_prompt_beyond_the_server_context_is_an_overflow(llama_server: str) -> None:
    backend = make(llama_server, model=TEST_MODEL_ALIAS, context_length=LLAMA_SERVER_CTX,
                   timeout=60)
    with pytest.raises(ContextOverflow) as info:
        generate(backend, ask("word " * 6000, max_tokens=16))
    assert "empty answer" in info.value.message and "context" in info.value.message


@pytest.mark.server
def test_doctor_against_the_real_server(llama_server: str, tmp_path: Path) -> None:
    proc = tilgen("doctor", "--backend", "remote", "--json", cwd=tmp_path, env={
        "TILGEN_REMOTE_BASE_URLS": llama_server, "TILGEN_REMOTE_MODEL": TEST_MODEL_ALIAS})
    assert_clean(proc)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    checks = {(c["target"], c["name"]): c for c in json.loads(proc.stdout)}
    assert checks[("remote", "api key")]["status"] == "warn"
    assert checks[(llama_server, "reachable")]["status"] == "ok"
    assert checks[(llama_server, "model")]["status"] == "ok"
    assert checks[(llama_server, "tokenizer")]["data"]["tokenizer"] == "llama-cpp-python"
    assert checks[(llama_server, "context")]["status"] == "warn"
    structured = checks[(llama_server, "structured output")]
    assert structured["status"] == "ok"
    assert structured["data"]["mode"] == "json_object_schema"


# -- failures, through the fault server ---------------------------------------------------
def test_rejected_key_names_the_variable_never_the_value(
    fault_server: FaultServer, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    fault_server.default("POST", CHAT, error_reply(401, f"Incorrect API key provided: {SECRET}"))
    with pytest.raises(BackendError) as info:
        generate(make(fault_server.url, api_key=SECRET), ask())
    assert not isinstance(info.value, BackendUnavailable)
    assert info.value.exit_code == ExitCode.BACKEND
    assert "TILGEN_API_KEY" in info.value.message and "rejected the API key" in info.value.message
    assert len(fault_server.calls(CHAT)) == 1  # 401 is never retried
    out = capsys.readouterr()
    assert SECRET not in info.value.message + caplog.text + out.out + out.err
    assert SECRET[-12:] not in info.value.message + caplog.text


def test_missing_key_says_which_variable_to_set(fault_server: FaultServer) -> None:
    fault_server.default("POST", CHAT, error_reply(401, "Unauthorized"))
    with pytest.raises(BackendError, match="requires an API key.*TEAM_KEY"):
        generate(make(fault_server.url, api_key_env="TEAM_KEY"), ask())
    assert fault_server.calls(CHAT)[0].headers["authorization"] == "Bearer EMPTY"


def test_server_echoing_the_key_is_scrubbed(fault_server: FaultServer) -> None:
    fault_server.chat(error_reply(400, f"bad header Bearer {SECRET}"))
    with pytest.raises(BackendError) as info:
        generate(make(fault_server.url, api_key=SECRET), ask())
    assert SECRET not in info.value.message and "****" in info.value.message


def test_unknown_model_lists_the_served_ones(fault_server: FaultServer) -> None:
    fault_server.models = ["Qwen/Qwen2.5-Coder-1.5B-Instruct", "til-ko"]
    fault_server.chat(error_reply(404, "The model `nope` does not exist."))
    with pytest.raises(BackendError) as info:
        generate(make(fault_server.url, model="nope"), ask())
    message = info.value.message
    assert "'nope' is not served" in message and "til-ko" in message
    assert "tilgen config set remote.model Qwen/Qwen2.5-Coder-1.5B-Instruct" in message
    assert len(fault_server.calls(CHAT)) == 1


def test_rate_limit_waits_as_told_then_succeeds(fault_server: FaultServer) -> None:
    fault_server.chat(error_reply(429, "slow down", {"Retry-After": "1"}),
                      stream_reply('{"sum"', ": 5}"))
    result = generate(make(fault_server.url), ask())
    assert result.text == '{"sum": 5}'
    first, second = fault_server.calls(CHAT)
    assert second.at - first.at >= 0.95


def test_rate_limit_that_persists_is_a_clear_error(fault_server: FaultServer) -> None:
    fault_server.default("POST", CHAT, error_reply(429, "busy", {"Retry-After": "0"}))
    with pytest.raises(BackendError, match="rate limited .* after 2 retries") as info:
        generate(make(fault_server.url), ask())
    assert not isinstance(info.value, BackendUnavailable)
    assert len(fault_server.calls(CHAT)) == 3
    assert fault_server.url not in remote_state.dead_replicas()  # busy is not dead


def test_persistent_server_error_is_unavailable(fault_server: FaultServer) -> None:
    fault_server.default("POST", CHAT, error_reply(503, "engine is restarting"))
    with pytest.raises(BackendUnavailable, match="HTTP 503 after 2 retries: engine is restarting"):
        generate(make(fault_server.url), ask())
    assert len(fault_server.calls(CHAT)) == 3
    assert fault_server.url in remote_state.dead_replicas()


def test_bad_request_is_not_retried(fault_server: FaultServer) -> None:
    fault_server.default("POST", CHAT, error_reply(400, "temperature must be non-negative"))
    with pytest.raises(BackendError, match="HTTP 400.*temperature") as info:
        generate(make(fault_server.url), ask())
    assert not isinstance(info.value, (BackendUnavailable, ContextOverflow))
    assert len(fault_server.calls(CHAT)) == 1


def test_context_rejection_is_an_overflow(fault_server: FaultServer) -> None:
    fault_server.default("POST", CHAT, error_reply(
        400, "This model's maximum context length is 8192 tokens. However, you requested 9000 "
        "tokens (8000 in the messages, 1000 in the completion)."))
    with pytest.raises(ContextOverflow, match="does not fit"):
        generate(make(fault_server.url), ask())
    assert len(fault_server.calls(CHAT)) == 1


def test_silent_server_hits_the_read_timeout(fault_server: FaultServer) -> None:
    fault_server.chat(stream_reply("{", "}", delay_first=5))
    start = time.monotonic()
    with pytest.raises(BackendUnavailable, match="remote.timeout"):
        generate(make(fault_server.url, timeout=1), ask())
    assert time.monotonic() - start < 4
    assert len(fault_server.calls(CHAT)) == 1


def test_stream_stalling_midway_is_unavailable(fault_server: FaultServer) -> None:
    fault_server.chat(stream_reply('{"sum"', ": 5}", delay_each=5))
    pieces: list[str] = []
    with pytest.raises(BackendUnavailable, match="sent nothing for 1s"):
        generate(make(fault_server.url, timeout=1), ask(), pieces.append)
    assert pieces == ['{"sum"']


def test_empty_stream_is_an_error_not_an_empty_note(fault_server: FaultServer) -> None:
    fault_server.default("POST", CHAT, stream_reply())
    backend = make(fault_server.url)
    with pytest.raises(BackendError, match="empty answer") as info:
        generate(backend, ask())
    assert not isinstance(info.value, ContextOverflow)  # a small prompt cannot overflow
    with pytest.raises(ContextOverflow, match="empty answer"):
        generate(backend, ask("word " * 3000))


def test_connection_refused(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(BackendUnavailable) as info:
        generate(make(url, retries=1), ask())
    assert info.value.exit_code == ExitCode.BACKEND
    assert info.value.message.startswith(f"cannot reach {url}: connection refused;")
    assert "tilgen config set remote.base_urls" in info.value.message


def test_failover_to_a_live_replica_and_remember_the_dead_one(fault_server: FaultServer) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"
    fault_server.default("POST", CHAT, stream_reply('{"sum": 5}'))
    # The start replica rotates per call: two calls make sure the dead one was tried first once.
    for _ in range(2):
        assert generate(make([dead, fault_server.url], retries=0), ask()).text == '{"sum": 5}'
    assert dead in remote_state.dead_replicas()
    assert make([dead, fault_server.url]).ordered_urls() == [fault_server.url, dead]


def test_dead_replica_is_skipped_by_the_next_run(fault_server: FaultServer) -> None:
    broken = FaultServer()
    try:
        broken.default("POST", CHAT, error_reply(502, "bad gateway"))
        fault_server.default("POST", CHAT, stream_reply('{"sum": 5}'))
        for _ in range(2):
            generate(make([broken.url, fault_server.url], retries=0), ask())
        tried = len(broken.calls(CHAT))
        assert tried >= 1 and broken.url in remote_state.dead_replicas()
        for _ in range(3):
            generate(make([broken.url, fault_server.url], retries=0), ask())
        assert len(broken.calls(CHAT)) == tried
    finally:
        broken.close()


def test_structured_output_steps_down_and_remembers(fault_server: FaultServer) -> None:
    rejected = ("1 validation error: body.response_format.type: Input should be 'text' or "
                "'json_object' (input: json_schema)")
    fault_server.chat(error_reply(500, rejected), stream_reply('{"sum": 5}'))
    backend = make(fault_server.url)
    result = generate(backend, ask(schema=SUM_SCHEMA))
    assert result.extra["structured_output"] == "json_object_schema"
    first, second = (c.json["response_format"] for c in fault_server.calls(CHAT))
    assert first == {"type": "json_schema", "json_schema": {
        "name": "til_note", "schema": SUM_SCHEMA, "strict": True}}
    assert second == {"type": "json_object", "schema": SUM_SCHEMA}

    fault_server.chat(stream_reply('{"sum": 5}'))
    generate(make(fault_server.url), ask(schema=SUM_SCHEMA))  # a new run starts where it works
    assert fault_server.calls(CHAT)[-1].json["response_format"]["type"] == "json_object"
    assert len(fault_server.calls(CHAT)) == 3


def test_structured_output_falls_back_to_plain_json(fault_server: FaultServer) -> None:
    fault_server.chat(error_reply(400, "response_format json_schema is not supported"),
                      error_reply(400, "unknown field 'schema' in response_format"),
                      stream_reply('{"sum": 5}'))
    result = generate(make(fault_server.url), ask(schema=SUM_SCHEMA))
    assert result.extra["structured_output"] == "json_object"
    assert fault_server.calls(CHAT)[-1].json["response_format"] == {"type": "json_object"}


def test_request_carries_streaming_usage_and_sampling(fault_server: FaultServer) -> None:
    usage = {"prompt_tokens": 120, "completion_tokens": 4, "total_tokens": 124,
             "prompt_tokens_details": {"cached_tokens": 96}}
    fault_server.chat(stream_reply('{"sum"', ": 5", "}", usage=usage, finish_reason="length"))
    result = generate(make(fault_server.url), ask(max_tokens=40))
    assert (result.prompt_tokens, result.completion_tokens, result.cached_prompt_tokens) == (
        120, 4, 96)
    assert result.finish_reason == "length" and result.extra["usage_reported"] is True
    body = fault_server.calls(CHAT)[0].json
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["max_tokens"] == 40 and body["model"] == "test-model" and body["seed"] == 0
    assert body["repetition_penalty"] == 1.1 and "response_format" not in body
    assert body["top_p"] == 0.9 and body["top_k"] == 40 and body["min_p"] == 0.05


def test_every_sampling_parameter_is_sent_even_at_its_neutral_value(
        fault_server: FaultServer) -> None:
    # Left out, vLLM takes the model's generation_config.json (Qwen2.5 sets top_k, top_p
    # and repetition_penalty there): the same settings would sample differently on vLLM.
    fault_server.chat(stream_reply('{"sum": 5}'))
    request = ask()
    request.repeat_penalty, request.top_k, request.min_p, request.top_p = 1.0, 0, 0.0, 1.0
    generate(make(fault_server.url), request)
    body = fault_server.calls(CHAT)[0].json
    assert (body["repetition_penalty"], body["repeat_penalty"]) == (1.0, 1.0)
    assert (body["top_k"], body["min_p"], body["top_p"], body["temperature"]) == (0, 0.0, 1.0, 0.0)


def test_vllm_context_and_tokenizer_endpoints(fault_server: FaultServer) -> None:
    fault_server.default("GET", "/v1/models", Reply(body={"object": "list", "data": [
        {"id": "Qwen/Qwen2.5-Coder-1.5B-Instruct", "max_model_len": 32768},
        {"id": "til-ko", "parent": "Qwen/Qwen2.5-Coder-1.5B-Instruct", "max_model_len": None}]}))
    fault_server.default("POST", "/tokenize", Reply(body={
        "count": 7, "tokens": [1, 2, 3, 4, 5, 6, 7], "max_model_len": 32768}))
    backend = make(fault_server.url, model="til-ko")
    assert backend.context_length() == 32768  # a LoRA adapter: its base model's length
    assert backend.context_source.startswith("server")
    assert backend.count_tokens("def f(): pass") == 7
    calls = fault_server.calls("/tokenize")
    assert calls[-1].json == {"model": "til-ko", "prompt": "def f(): pass"}
    assert backend.count_tokens("def f(): pass") == 7
    assert len(fault_server.calls("/tokenize")) == len(calls)  # counted once per text
    assert not fault_server.calls("/v1/tokenize")


GEMMA_SYSTEM = ("System role not supported")  # Gemma 1/2 templates' raise_exception text
GEMMA_ALTERNATE = "Conversation roles must alternate user/assistant/user/assistant/..."


@pytest.mark.parametrize("message", [GEMMA_SYSTEM, GEMMA_ALTERNATE])
def test_a_template_refusing_the_system_role_gets_it_folded_and_remembered(
        fault_server: FaultServer, message: str) -> None:
    # vLLM answers 400 with the chat template's exception; llama.cpp cannot show it.
    fault_server.chat(error_reply(400, message), stream_reply('{"sum": 5}'),
                      stream_reply('{"sum": 5}'))
    request = GenerationRequest(messages=[
        {"role": "system", "content": "You answer with JSON."},
        {"role": "user", "content": "2+3?"},
        {"role": "assistant", "content": "{}"},
        {"role": "user", "content": "Rejected."}, {"role": "user", "content": "Again."}],
        json_schema=SUM_SCHEMA, max_tokens=24, temperature=0.0)
    result = generate(make(fault_server.url), request)
    assert json.loads(result.text) == {"sum": 5}
    first, second = (c.json["messages"] for c in fault_server.calls(CHAT))
    assert first == request.messages
    assert second == [{"role": "user", "content": "You answer with JSON.\n\n2+3?"},
                      {"role": "assistant", "content": "{}"},
                      {"role": "user", "content": "Rejected.\n\nAgain."}]
    # The same mode is kept (the refusal was the template's, not the response format's) ...
    assert fault_server.calls(CHAT)[1].json["response_format"]["type"] == "json_schema"
    # ... and the next run folds from the start.
    generate(make(fault_server.url), request)
    assert len(fault_server.calls(CHAT)) == 3
    assert fault_server.calls(CHAT)[2].json["messages"] == second


def test_a_template_refusal_of_another_kind_is_not_retried(fault_server: FaultServer) -> None:
    fault_server.chat(error_reply(400, "Unknown role 'tool'"))
    with pytest.raises(BackendError, match="HTTP 400"):
        generate(make(fault_server.url), ask())
    assert len(fault_server.calls(CHAT)) == 1


def test_a_stream_cut_off_midway_is_sent_again_to_another_replica(
        fault_server: FaultServer) -> None:
    # A replica that crashes mid-answer: nobody has seen its tokens, so another one answers.
    crashed = FaultServer()
    try:
        crashed.chat(stream_reply('{"su', 'm": ', drop_after=1))
        fault_server.chat(stream_reply('{"sum": 5}'))
        backend = make([crashed.url, fault_server.url], retries=0)
        order = [crashed.url, fault_server.url]
        backend.transport.ordered_urls = lambda: order  # type: ignore[method-assign]
        result = generate(backend, ask(schema=SUM_SCHEMA))
        assert json.loads(result.text) == {"sum": 5}
        assert result.extra["base_url"] == fault_server.url
        assert crashed.url in remote_state.dead_replicas()
    finally:
        crashed.close()


def test_a_stream_already_shown_is_not_started_again_elsewhere(
        fault_server: FaultServer) -> None:
    crashed = FaultServer()
    try:
        crashed.chat(stream_reply('{"su', 'm": ', drop_after=1))
        backend = make([crashed.url, fault_server.url], retries=0)
        order = [crashed.url, fault_server.url]
        backend.transport.ordered_urls = lambda: order  # type: ignore[method-assign]
        shown: list[str] = []
        with pytest.raises(BackendUnavailable, match="dropped"):
            generate(backend, ask(schema=SUM_SCHEMA), shown.append)
        assert shown == ['{"su'] and not fault_server.calls(CHAT)
    finally:
        crashed.close()


def test_requests_go_through_the_proxy_in_the_environment(
        fault_server: FaultServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # As the SDK's HTTP library did: HTTP_PROXY is honoured, NO_PROXY bypasses it.
    target = "http://team-server.invalid:8000"
    fault_server.script("GET", f"{target}/v1/models",
                        Reply(body={"object": "list", "data": [{"id": "test-model"}]}))
    fault_server.script("POST", f"{target}/v1/chat/completions", stream_reply('{"sum": 5}'))
    monkeypatch.setenv("HTTP_PROXY", fault_server.root)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    backend = make(target + "/v1", retries=0)
    assert [m["id"] for m in backend.served_models()] == ["test-model"]
    assert json.loads(generate(backend, ask()).text) == {"sum": 5}
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    direct = FaultServer()
    try:
        direct.chat(stream_reply('{"sum": 5}'))
        generate(make(direct.url, retries=0), ask())
        assert direct.calls(CHAT)
    finally:
        direct.close()
