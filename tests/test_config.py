"""Layered settings, their error messages, and the `tilgen config` commands."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tilgen import paths
from tilgen.cli.config_cmd import app as config_app
from tilgen.config import trust
from tilgen.config.edit import config_template, set_value, unset_value
from tilgen.config.keys import KEYS, value_of
from tilgen.config.layers import load_settings, read_layer, resolve_api_key
from tilgen.config.settings import Settings
from tilgen.errors import ConfigError, ExitCode

SECRET = "sk-test-0123456789abcdefWXYZ"


@pytest.fixture(autouse=True)
def outside_any_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests start outside every git work tree unless they chdir into one."""
    work = tmp_path / "elsewhere"
    work.mkdir()
    monkeypatch.chdir(work)
    for var in ("VISUAL", "EDITOR"):
        monkeypatch.delenv(var, raising=False)


def _root() -> typer.Typer:
    try:
        from tilgen.cli.main import app as main_app  # the real entry point once it mounts us

        return main_app
    except ImportError:
        root = typer.Typer()

        @root.callback()
        def _main() -> None:
            """tilgen"""

        root.add_typer(config_app, name="config")
        return root


def cli(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(_root(), ["config", *args], env=env)


def user_file(text: str) -> Path:
    path = paths.user_config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# -- precedence --------------------------------------------------------------------------------


def test_defaults_when_nothing_is_configured() -> None:
    resolved = load_settings(repo_root=None, env={})
    assert resolved.settings == Settings()
    assert set(resolved.sources) == set(KEYS)
    assert set(resolved.sources.values()) == {"default"}


def test_user_file_overrides_defaults() -> None:
    path = user_file('backend = "remote"\n[embedded]\nn_ctx = 4096\n')
    resolved = load_settings(repo_root=None, env={})
    assert resolved.settings.backend == "remote"
    assert resolved.settings.embedded.n_ctx == 4096
    assert resolved.sources["backend"] == f"user: {path}"
    assert resolved.sources["embedded.n_ctx"] == f"user: {path}"
    assert resolved.sources["language"] == "default"


def test_repo_file_overrides_user_file(repo: Path) -> None:
    user = user_file('backend = "remote"\nlanguage = "en"\n')
    (repo / ".tilgen.toml").write_text('backend = "embedded"\n[generation]\nseed = 7\n')
    trust.trust(repo / ".tilgen.toml")  # backend is user-only: the file must be trusted
    resolved = load_settings(repo_root=repo, env={})
    assert resolved.settings.backend == "embedded"
    assert resolved.sources["backend"] == f"repo: {repo / '.tilgen.toml'}"
    assert resolved.settings.generation.seed == 7
    assert resolved.settings.language == "en"
    assert resolved.sources["language"] == f"user: {user}"


def test_pyproject_tool_table_is_the_repo_layer(repo: Path) -> None:
    user_file('backend = "remote"\n')
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.tilgen]\nbackend = "embedded"\n\n'
        "[tool.tilgen.embedded]\nn_ctx = 2048\n"
    )
    trust.trust(repo / "pyproject.toml")
    resolved = load_settings(repo_root=repo, env={})
    assert resolved.settings.backend == "embedded"
    assert resolved.settings.embedded.n_ctx == 2048
    assert resolved.sources["embedded.n_ctx"] == f"repo: {repo / 'pyproject.toml'}"


def test_dot_tilgen_toml_wins_over_pyproject(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.tilgen]\nbackend = "remote"\nlanguage = "en"\n')
    (repo / ".tilgen.toml").write_text("[embedded]\nn_ctx = 1024\n")
    resolved = load_settings(repo_root=repo, env={})
    assert resolved.repo_file == repo / ".tilgen.toml"
    assert resolved.settings.backend == "embedded"  # pyproject is not read at all
    assert resolved.settings.language == "ko"


def test_pyproject_without_tool_table_is_ignored_even_if_broken(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[project\nname = \n")
    resolved = load_settings(repo_root=repo, env={})
    assert resolved.repo_file is None


def test_environment_overrides_files(repo: Path) -> None:
    (repo / ".tilgen.toml").write_text(
        'backend = "embedded"\n[remote]\nbase_urls = ["http://x/v1"]\n'
    )
    env = {
        "TILGEN_BACKEND": "remote",
        "TILGEN_REMOTE_BASE_URLS": "http://a:8000/v1, http://b:8000/v1",
        "TILGEN_GENERATION_MAX_TOKENS": "2048",
        "TILGEN_REDACT": "false",
        "TILGEN_HOME": "/nowhere",  # tilgen's own variables are not settings
        "TILGEN_RAISE": "1",
        "TILGEN_SOMETHING_ELSE": "x",
        "TILGEN_NOTES_DIR": "",  # empty means unset
    }
    resolved = load_settings(repo_root=repo, env=env)
    settings = resolved.settings
    assert settings.backend == "remote"
    assert settings.remote.base_urls == ["http://a:8000/v1", "http://b:8000/v1"]
    assert settings.generation.max_tokens == 2048
    assert settings.redact is False
    assert settings.notes_dir is None
    assert resolved.sources["backend"] == "env: TILGEN_BACKEND"
    assert resolved.sources["remote.base_urls"] == "env: TILGEN_REMOTE_BASE_URLS"
    assert resolved.sources["notes_dir"] == "default"


def test_cli_overrides_environment() -> None:
    env = {"TILGEN_BACKEND": "remote", "TILGEN_EMBEDDED_N_CTX": "4096"}
    cli = {"backend": "embedded", "embedded.n_ctx": None, "generation.temperature": 0.5}
    resolved = load_settings(repo_root=None, env=env, cli=cli)
    assert resolved.settings.backend == "embedded"
    assert resolved.sources["backend"] == "cli: --backend"
    assert resolved.settings.embedded.n_ctx == 4096  # None flags are ignored
    assert resolved.sources["embedded.n_ctx"] == "env: TILGEN_EMBEDDED_N_CTX"
    assert resolved.sources["generation.temperature"] == "cli: --temperature"


def test_invalid_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(repo_root=None, env={"TILGEN_EMBEDDED_N_CTX": "big"})
    assert info.value.message == (
        "environment variable TILGEN_EMBEDDED_N_CTX: key 'embedded.n_ctx': "
        "expected an integer ≥ 512 and ≤ 131072, got 'big'"
    )


def test_invalid_cli_value_names_the_flag() -> None:
    with pytest.raises(ConfigError, match=r"option --max-tokens: key 'generation.max_tokens'"):
        load_settings(repo_root=None, env={}, cli={"generation.max_tokens": 1})


# -- errors ------------------------------------------------------------------------------------

BAD_FILES = [
    ('backend = "remote"\n\n[embedded\nn_ctx = 1\n',
     r"config\.toml: invalid TOML at line 3, column \d+: .*\(fix or delete the file\)$"),
    ('backnd = "remote"\n',
     r"config\.toml: unknown key 'backnd'; did you mean 'backend'\? "
     r"\(valid keys: tilgen config show\)$"),
    ("[embeded]\nn_ctx = 4096\n", r"unknown key 'embeded'; did you mean 'embedded'\?"),
    ("n_ctx = 4096\n", r"unknown key 'n_ctx'; did you mean 'embedded\.n_ctx'"),
    ('[embedded]\nn_ctx = "big"\n',
     r"config\.toml: key 'embedded\.n_ctx': expected an integer ≥ 512 and ≤ 131072, got 'big'$"),
    ('language = "fr"\n', r"key 'language': expected one of 'ko', 'en', got 'fr'$"),
    ("[remote]\nbase_urls = 3\n", r"key 'remote\.base_urls': expected a list of strings, got 3$"),
    ('embedded = "big"\n', r"key 'embedded' must be a table"),
    (f'[remote]\napi_key = "{SECRET}"\n',
     r"config\.toml: key 'remote\.api_key' looks like a secret.*remote\.api_key_env"),
]


@pytest.mark.parametrize(("text", "pattern"), BAD_FILES)
def test_bad_user_file_is_one_line_naming_file_and_key(text: str, pattern: str) -> None:
    path = user_file(text)
    with pytest.raises(ConfigError) as info:
        load_settings(repo_root=None, env={})
    message = info.value.message
    assert "\n" not in message
    assert message.startswith(str(path))
    assert re.search(pattern, message), message
    assert SECRET not in message

    result = cli("show")
    assert result.exit_code == ExitCode.CONFIG
    assert result.stdout == ""
    assert result.stderr == f"tilgen: error: {message}\n"


def test_bad_pyproject_table_names_the_table(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.tilgen]\nbackend = "remote"\ntoken = "abc123"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(repo_root=repo, env={})
    assert info.value.message.startswith(f"{repo / 'pyproject.toml'} [tool.tilgen]: key 'token'")


def test_broken_pyproject_with_a_tool_table_is_an_error(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.tilgen]\nbackend = "remote\n')
    with pytest.raises(ConfigError) as info:
        load_settings(repo_root=repo, env={})
    assert info.value.message.startswith(f"{repo / 'pyproject.toml'}: invalid TOML at line 2")
    assert info.value.message.endswith("(fix the file)")


def test_typo_with_a_number_is_not_mistaken_for_a_secret() -> None:
    user_file("[generation]\nmax_token = 100\n")
    with pytest.raises(ConfigError, match="did you mean 'generation.max_tokens'"):
        load_settings(repo_root=None, env={})


# -- set / unset -------------------------------------------------------------------------------

COMMENTED = """\
# my tilgen settings
backend = "embedded"  # offline by default

# the local model
[embedded]
n_ctx = 4096  # small machine
# n_threads = 4

[generation]
max_tokens = 512
"""


def test_set_changes_only_that_key() -> None:
    path = user_file(COMMENTED)
    result = cli("set", "embedded.n_ctx", "2048")
    assert result.exit_code == 0, result.output
    assert path.read_text() == COMMENTED.replace("n_ctx = 4096", "n_ctx = 2048")
    assert cli("get", "embedded.n_ctx").stdout == "2048\n"


def test_set_adds_keys_and_tables_without_touching_the_rest() -> None:
    path = user_file(COMMENTED)
    set_value(path, "generation.seed", "3")
    set_value(path, "remote.base_urls", '["http://a/v1", "http://b/v1"]')
    text = path.read_text()
    assert text.startswith(COMMENTED.replace("max_tokens = 512\n", "max_tokens = 512\nseed = 3\n"))
    assert text.endswith('[remote]\nbase_urls = ["http://a/v1", "http://b/v1"]\n')
    assert read_layer(path)["remote.base_urls"] == ["http://a/v1", "http://b/v1"]


def test_set_keeps_crlf_line_endings() -> None:
    path = paths.user_config_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(b'backend = "remote"\r\n[embedded]\r\nn_ctx = 4096\r\n')
    set_value(path, "embedded.n_batch", "64")
    expected = b'backend = "remote"\r\n[embedded]\r\nn_ctx = 4096\r\nn_batch = 64\r\n'
    assert path.read_bytes() == expected


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("redact", "false", False),
        ("cache", "TRUE", True),
        ("embedded.n_gpu_layers", "-1", -1),
        ("generation.temperature", "0.7", 0.7),
        ("ignore", "*.lock, dist/", ["*.lock", "dist/"]),
        ("ignore", '["a b", "c,d"]', ["a b", "c,d"]),
        ("language", "en", "en"),
    ],
)
def test_set_parses_text_to_the_field_type(key: str, raw: str, expected: object) -> None:
    result = cli("set", key, raw)
    assert result.exit_code == 0, result.output
    flat = read_layer(paths.user_config_file())
    assert flat == {key: expected}


@pytest.mark.parametrize(
    ("key", "raw", "pattern"),
    [
        ("embedded.n_ctx", "big", r"key 'embedded\.n_ctx': expected an integer ≥ 512.*got 'big'"),
        ("embedded.n_ctx", "100", r"expected an integer ≥ 512 and ≤ 131072, got '100'"),
        ("redact", "maybe", r"key 'redact': expected true or false, got 'maybe'"),
        ("note_format", "prose", r"expected one of 'points', 'direct', got 'prose'"),
        ("backnd", "remote", r"unknown key 'backnd'; did you mean 'backend'\?"),
        ("remote.api_key", SECRET, r"key 'remote\.api_key' looks like a secret"),
        ("ignore", "[1, ", r"key 'ignore': expected a list of strings"),
    ],
)
def test_set_rejects_bad_input_and_leaves_the_file_alone(key: str, raw: str, pattern: str) -> None:
    path = user_file(COMMENTED)
    before = path.read_bytes()
    result = cli("set", key, raw)
    assert result.exit_code == ExitCode.CONFIG
    assert re.search(pattern, result.stderr), result.stderr
    assert result.stderr.count("\n") == 1
    assert SECRET not in result.stderr
    assert path.read_bytes() == before
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_set_none_unsets_an_optional_key_and_unset_drops_empty_tables() -> None:
    path = user_file('backend = "remote"\n')
    set_value(path, "embedded.n_threads", "4")
    assert read_layer(path) == {"backend": "remote", "embedded.n_threads": 4}
    assert cli("set", "embedded.n_threads", "none").exit_code == 0
    assert path.read_text() == 'backend = "remote"\n'
    assert unset_value(path, "backend") is True
    assert unset_value(path, "backend") is False
    assert path.read_text() == ""


def test_unset_can_remove_a_misspelled_or_secret_key() -> None:
    path = user_file(f'backnd = "remote"\n[remote]\napi_key = "{SECRET}"\n')
    assert cli("unset", "backnd").exit_code == 0
    assert cli("unset", "remote.api_key").exit_code == 0
    assert path.read_text() == ""
    result = cli("unset", "backnd")
    assert result.exit_code == ExitCode.CONFIG
    assert "did you mean 'backend'" in result.stderr


def test_set_repo_writes_dot_tilgen_toml_at_the_root(repo: Path, monkeypatch) -> None:
    (repo / "src").mkdir()
    monkeypatch.chdir(repo / "src")
    result = cli("set", "--repo", "language", "en")
    assert result.exit_code == 0, result.output
    assert (repo / ".tilgen.toml").read_text() == 'language = "en"\n'
    assert not paths.user_config_file().exists()
    shown = json.loads(cli("show", "--json").stdout)
    assert shown["language"] == {"value": "en", "source": f"repo: {repo / '.tilgen.toml'}"}


def test_set_repo_edits_pyproject_tool_table_in_place(repo: Path, monkeypatch) -> None:
    head = '[project]\nname = "x"\n\n[tool.tilgen]\nbackend = "remote"  # team server\n\n'
    tail = "[tool.ruff]\nline-length = 100\n"
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(head + tail)
    monkeypatch.chdir(repo)
    assert cli("set", "--repo", "backend", "embedded").exit_code == 0
    assert cli("set", "--repo", "generation.seed", "5").exit_code == 0
    assert not (repo / ".tilgen.toml").exists()
    assert pyproject.read_text() == (
        head.replace('"remote"', '"embedded"') + "[tool.tilgen.generation]\nseed = 5\n\n" + tail
    )
    assert read_layer(pyproject) == {"backend": "embedded", "generation.seed": 5}
    assert cli("unset", "--repo", "generation.seed").exit_code == 0
    assert pyproject.read_text() == head.replace('"remote"', '"embedded"') + tail


def test_set_repo_outside_a_repository_fails() -> None:
    result = cli("set", "--repo", "backend", "remote")
    assert result.exit_code == ExitCode.NOT_A_REPO
    assert "drop --repo" in result.stderr


def test_set_warns_when_a_higher_layer_wins() -> None:
    result = cli("set", "backend", "remote", env={"TILGEN_BACKEND": "embedded"})
    assert result.exit_code == 0
    assert "note: env: TILGEN_BACKEND overrides this value" in result.stderr


# -- show / get / path / edit ------------------------------------------------------------------


def test_show_json_lists_every_value_with_its_source() -> None:
    path = user_file('[generation]\nmax_tokens = 2048\n')
    result = cli("show", "--json", env={"TILGEN_LANGUAGE": "en"})
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == set(KEYS) | {"remote.api_key"}
    assert data["generation.max_tokens"] == {"value": 2048, "source": f"user: {path}"}
    assert data["language"] == {"value": "en", "source": "env: TILGEN_LANGUAGE"}
    assert data["notes_dir"] == {"value": None, "source": "default"}
    assert data["remote.api_key"] == {"value": None, "source": "not set"}


def test_show_piped_is_plain_aligned_text_with_every_source() -> None:
    path = user_file('[generation]\nmax_tokens = 2048\n')
    result = cli("show", env={"TILGEN_LANGUAGE": "en"})
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()}
    assert rows["language"] == ["language", "en", "env:", "TILGEN_LANGUAGE"]
    assert rows["generation.max_tokens"][1:] == ["2048", "user:", str(path)]
    assert rows["notes_dir"][1:] == ["(unset)", "default"]
    assert set(KEYS) <= set(rows)
    assert not any(ch in result.stdout for ch in "┃│━")


def test_api_key_is_resolved_from_the_named_variable_and_masked() -> None:
    user_file('[remote]\napi_key_env = "TEAM_LLM_KEY"\n'
              'base_urls = ["https://bot:hunter2@llm.example/v1"]\n')
    env = {"TEAM_LLM_KEY": SECRET, "TILGEN_API_KEY": "not-this-one"}
    settings = load_settings(repo_root=None, env={}).settings
    assert resolve_api_key(settings, env=env) == (SECRET, "env: TEAM_LLM_KEY")

    for args in (["show"], ["show", "--json"]):
        result = cli(*args, env=env)
        assert result.exit_code == 0, result.output
        assert SECRET not in result.stdout and "hunter2" not in result.stdout
    data = json.loads(result.stdout)
    assert data["remote.api_key"] == {"value": "****WXYZ", "source": "env: TEAM_LLM_KEY"}
    assert data["remote.base_urls"]["value"] == ["https://bot:****@llm.example/v1"]


def test_api_key_falls_back_to_the_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    # The OS keyring is a system service; a stand-in module records the lookups.
    asked: list[tuple[str, str]] = []

    def get_password(service: str, user: str) -> str | None:
        asked.append((service, user))
        return SECRET if user == "default" else None

    monkeypatch.setitem(sys.modules, "keyring", types.SimpleNamespace(get_password=get_password))
    settings = load_settings(repo_root=None, env={}).settings
    assert resolve_api_key(settings, env={}) == (SECRET, "keyring: tilgen/default")
    assert asked == [("tilgen", "http://localhost:8000/v1"), ("tilgen", "default")]


def test_get_prints_plain_values_and_suggests_keys() -> None:
    user_file('ignore = ["*.lock", "dist/"]\n')
    assert cli("get", "ignore").stdout == "*.lock,dist/\n"
    assert cli("get", "redact").stdout == "true\n"
    assert cli("get", "notes_dir").stdout == "\n"
    result = cli("get", "generation.max_token")
    assert result.exit_code == ExitCode.CONFIG
    assert result.stderr == (
        "tilgen: error: unknown key 'generation.max_token'; did you mean "
        "'generation.max_tokens'? (valid keys: tilgen config show)\n"
    )


def test_path_lists_config_files_and_directories(repo: Path, monkeypatch) -> None:
    (repo / ".tilgen.toml").write_text('notes_dir = "/srv/notes"\n')
    trust.trust(repo / ".tilgen.toml")
    monkeypatch.chdir(repo)
    lines = cli("path").stdout.splitlines()
    assert f"user config: {paths.user_config_file()} (missing)" in lines
    assert f"repo config: {repo / '.tilgen.toml'}" in lines
    assert "notes:       /srv/notes" in lines
    for label, folder in (("cache", paths.cache_dir()), ("models", paths.models_dir())):
        assert f"{label + ':':<13}{folder}" in lines


def _editor(tmp_path: Path, line: str) -> str:
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\n"
        f"with open(sys.argv[1], 'a', encoding='utf-8') as fh:\n    fh.write({line!r})\n"
    )
    return f"{sys.executable} {script}"


def test_edit_creates_the_template_and_validates(tmp_path: Path) -> None:
    result = cli("edit", env={"EDITOR": _editor(tmp_path, "")})
    assert result.exit_code == 0, result.output
    assert paths.user_config_file().read_text() == config_template(scope="user")
    assert "valid (0 settings)" in result.stdout

    result = cli("edit", env={"VISUAL": _editor(tmp_path, "backend = \n")})
    assert result.exit_code == ExitCode.CONFIG
    assert result.stderr.startswith(f"tilgen: error: {paths.user_config_file()}: invalid TOML")
    paths.user_config_file().write_text('backend = "remote"\n')
    result = cli("edit", env={"EDITOR": _editor(tmp_path, "backnd = 1\n")})
    assert result.exit_code == ExitCode.CONFIG
    assert "unknown key 'backnd'; did you mean 'backend'?" in result.stderr


def test_edit_reports_a_missing_editor() -> None:
    result = cli("edit", env={"EDITOR": "no-such-editor-xyz --wait"})
    assert result.exit_code == ExitCode.ERROR
    assert "editor 'no-such-editor-xyz' not found" in result.stderr


def test_template_uncommented_gives_the_defaults(tmp_path: Path) -> None:
    template = config_template(scope="user")
    path = tmp_path / "config.toml"
    path.write_text(template)
    assert read_layer(path) == {}
    lines = [
        line[2:] if re.match(r"# \w+ = ", line) and " = ..." not in line else line
        for line in template.splitlines()
    ]
    path.write_text("\n".join(lines) + "\n")
    flat = read_layer(path)
    assert len(flat) > 20
    defaults = Settings()
    for key, value in flat.items():
        assert value == value_of(defaults, key), key


def test_every_command_help_has_examples() -> None:
    for command in ("show", "get", "set", "unset", "path", "edit"):
        result = cli(command, "--help")
        assert result.exit_code == 0
        assert "Examples" in result.stdout, command


def test_show_does_not_import_backends() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from tilgen.cli.config_cmd import app\n"
        "result = CliRunner().invoke(app, ['show'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in ('llama_cpp', 'openai') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=str(Path(__file__).resolve().parents[1]), env={**os.environ},
    )
    assert out.stdout.strip() == "[]"
