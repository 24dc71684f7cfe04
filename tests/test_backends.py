"""The backend contract: a toy backend added from this file alone, the registry, the runner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.cli import assert_clean, tilgen
from tests.conftest import commit_files
from tilgen.backends import make_backend, names, reload
from tilgen.backends.base import Backend, Chunk, GenerationRequest
from tilgen.backends.run import generate
from tilgen.config.settings import Settings
from tilgen.errors import ConfigError, ExitCode

ANSWER = {
    "topic": "덧셈 함수의 타입 힌트",
    "keywords": ["타입 힌트", "함수"],
    "points": [{"text": "타입 힌트는 함수가 받는 값과 돌려주는 값을 분명하게 보여줍니다.",
                "hunk": 0}],
}


class ToyBackend:
    """A whole backend: it streams one fixed answer, word by word."""

    name = "toy"
    model_name = "toy-1"
    identity: ClassVar[dict[str, Any]] = {"model": "toy-1"}
    requests: ClassVar[list[GenerationRequest]] = []

    @classmethod
    def from_settings(cls, settings: Settings, **_: Any) -> ToyBackend:
        return cls()

    @classmethod
    def cache_identity(cls, settings: Settings) -> dict[str, Any]:
        return dict(cls.identity)

    @classmethod
    def model_settings(cls, model: str) -> dict[str, Any]:
        return {}

    def context_length(self) -> int:
        return 4096

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def prepare(self) -> float:
        return 0.0

    def stream(self, request: GenerationRequest) -> Iterator[str | Chunk]:
        self.requests.append(request)
        for word in json.dumps(ANSWER, ensure_ascii=False).split(" "):
            yield word + " "
        yield Chunk(finish_reason="stop", extra={"toy": True})


def register(where: Path, **entry_points: str) -> Path:
    """A distribution's metadata declaring ``entry_points`` in the tilgen.backends group."""
    info = where / "toy_backends-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-backends\nVersion: 1.0\n")
    lines = "".join(f"{name} = {value}\n" for name, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[tilgen.backends]\n{lines}")
    return where


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The toy backend installed as a plugin would be: its metadata on sys.path."""
    site = register(tmp_path / "site", toy=f"{__name__}:ToyBackend",
                    broken="tests.no_such_module:Backend")
    monkeypatch.syspath_prepend(str(site))
    reload()
    ToyBackend.requests.clear()
    yield site
    reload()


@pytest.fixture
def day_repo(repo: Path) -> Path:
    commit_files(repo, {"calc.py": "def add(a, b):\n    return a + b\n"}, "Add add()")
    commit_files(repo, {"calc.py": "def add(a: int, b: int) -> int:\n    return a + b\n"},
                 "Type add()")
    return repo


def test_a_toy_backend_from_an_entry_point_writes_a_note(toy, day_repo, isolated_home):
    from tilgen import generate_note

    result = generate_note(day_repo, commit="HEAD", settings={"backend": "toy"})
    assert result.backend == "toy" and result.model == "toy-1"
    assert result.path is not None and result.path.is_file()
    assert "타입 힌트는 함수가" in result.path.read_text(encoding="utf-8")
    [request] = ToyBackend.requests
    assert "a: int, b: int" in request.messages[-1]["content"]
    gen = result.generation
    assert gen is not None and gen.finish_reason == "stop" and gen.extra == {"toy": True}
    # The runner counted what the toy did not report, with the toy's own tokenizer.
    assert gen.completion_tokens == len(gen.text.split())
    assert gen.first_token_seconds is not None and gen.first_token_seconds <= gen.total_seconds


def test_the_cli_writes_a_note_with_a_plugin_backend(toy, day_repo, isolated_home):
    env = {"PYTHONPATH": str(toy)}  # tests/cli.py adds the project's own paths
    proc = tilgen("today", "--backend", "toy", cwd=day_repo, env=env)
    assert proc.returncode == 0, proc.stderr
    [path] = (isolated_home / "data" / "notes").rglob("*/*.md")  # not the index
    text = path.read_text(encoding="utf-8")
    assert 'backend: "toy"' in text and 'model: "toy-1"' in text
    assert "타입 힌트는 함수가" in text


def test_model_of_a_backend_without_one_is_refused_not_given_to_another(toy, day_repo):
    env = {"PYTHONPATH": str(toy)}  # tests/cli.py adds the project's own paths
    proc = tilgen("today", "--backend", "toy", "--model", "big.gguf", cwd=day_repo, env=env)
    assert_clean(proc)
    assert proc.returncode == ExitCode.CONFIG
    assert "backend 'toy' has no model to choose; drop --model" in proc.stderr
    assert "embedded" not in proc.stderr


def test_the_cache_key_follows_the_backends_own_identity(toy, day_repo, monkeypatch):
    from tilgen.git.collect import collect_commits, open_repo
    from tilgen.pipeline import cache_key

    cs = collect_commits(open_repo(day_repo), "HEAD")
    settings = Settings(backend="toy")
    first = cache_key(cs, settings, "toy", ["python"])
    # Settings of other backends are not the toy's: they leave its notes alone.
    assert cache_key(cs, Settings(backend="toy", embedded={"n_ctx": 1024}), "toy",
                     ["python"]) == first
    monkeypatch.setattr(ToyBackend, "identity", {"model": "toy-2"})
    assert cache_key(cs, settings, "toy", ["python"]) != first


def test_unknown_backend_lists_the_installed_ones(toy):
    with pytest.raises(ConfigError) as info:
        make_backend("nope", Settings())
    assert info.value.message.startswith(
        "unknown backend 'nope'; choose one of: embedded, remote, ")
    assert {"embedded", "remote", "toy", "broken"} <= set(names())
    for name in ("embedded", "remote", "toy"):
        assert name in info.value.message


def test_a_plugin_that_cannot_load_is_a_config_error(toy):
    with pytest.raises(ConfigError, match=r"backend 'broken' \(tests.no_such_module:Backend\) "
                                          "cannot be loaded: No module named"):
        make_backend("broken", Settings())


def test_built_in_backends_register_like_plugins():
    from importlib import metadata

    [embedded] = metadata.entry_points(group="tilgen.backends", name="embedded")
    [remote] = metadata.entry_points(group="tilgen.backends", name="remote")
    assert embedded.dist is not None and embedded.dist.name == "tilgen"
    assert remote.value == "tilgen.backends.remote.backend:RemoteBackend"
    backend = make_backend("remote", Settings())
    assert isinstance(backend, Backend) and backend.name == "remote"


def test_the_runner_joins_streams_and_passes_each_piece_on(toy):
    pieces: list[str] = []
    result = generate(ToyBackend(), GenerationRequest(messages=[]), pieces.append)
    assert len(pieces) > 3 and "".join(pieces) == result.text
    assert json.loads(result.text) == ANSWER
    assert result.backend == "toy" and result.load_seconds == 0.0


def test_the_fake_backend_answers_from_its_queue_in_process(fake_backend, day_repo):
    from tilgen import generate_note

    fake_backend.enqueue("not json", ANSWER)
    result = generate_note(day_repo, commit="HEAD", save=False, settings={"backend": "fake"})
    assert result.attempts == 2 and result.note.keywords[:2] == ["타입 힌트", "함수"]
    first, second = fake_backend.requests
    # told why, in its own turn, without its rejected answer (which small models copy)
    assert "An earlier answer was rejected: " in second.messages[-1]["content"]
    assert len(second.messages) == len(first.messages)
    assert all(m["role"] != "assistant" for m in second.messages)
    assert second.temperature > first.temperature
    assert not fake_backend.queue


def test_doctor_checks_a_plugin_backend_by_its_name(toy):
    from tilgen.tools.doctor import run_checks

    [ok] = run_checks(Settings(), backends=["toy"])
    assert (ok.target, ok.name, ok.status) == ("toy", "backend", "ok")
    [broken] = run_checks(Settings(), backends=["broken"])
    assert broken.status == "fail" and "cannot be loaded" in broken.detail
    proc = tilgen("doctor", "--backend", "nope", env={"PYTHONPATH": str(toy)})
    assert_clean(proc)
    assert proc.returncode == ExitCode.CONFIG
    assert "unknown --backend 'nope'; use embedded, remote, " in proc.stderr
    assert "toy" in proc.stderr and "or all" in proc.stderr


def test_the_runner_closes_a_stream_whose_reader_stops(toy):
    closed: list[bool] = []

    class Halting(ToyBackend):
        def stream(self, request: GenerationRequest) -> Iterator[str | Chunk]:
            try:
                yield from super().stream(request)
            finally:
                closed.append(True)

    def stop(piece: str) -> None:
        raise KeyboardInterrupt  # Ctrl-C while the answer is shown

    with pytest.raises(KeyboardInterrupt):
        generate(Halting(), GenerationRequest(messages=[]), stop)
    assert closed == [True]


def test_after_two_rejected_answers_the_advice_fits_the_model_and_the_failure():
    from tilgen.backends.attempts import next_step

    assert "--model qwen2.5-coder-1.5b" in next_step("qwen2.5-coder-0.5b", cut=False)
    # already the default: never "try a larger model (--model <the same one>)"
    assert "qwen2.5-coder-1.5b" not in next_step("qwen2.5-coder-1.5b", cut=False)
    assert "generation.max_tokens" in next_step("qwen2.5-coder-1.5b", cut=True)
