"""A backend name is never imported as ``module:attribute``: not from a flag, a variable or a
config file. Only built-ins and installed entry points are backends."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.cli import assert_clean, tilgen
from tests.conftest import commit_files
from tilgen.backends import make_backend, names
from tilgen.config.settings import Settings
from tilgen.errors import ConfigError, ExitCode

HOSTILE = ["this:print", "builtins:print", "os:system", "subprocess:Popen",
           "tests.fake_backend:FakeBackend", "tilgen.backends.embedded:EmbeddedBackend", ":",
           "this", "../x", ""]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_module_path_is_not_a_backend(name: str) -> None:
    before = set(sys.modules)
    with pytest.raises(ConfigError) as err:
        make_backend(name, Settings())
    assert "choose one of: embedded, remote" in err.value.message
    assert "this" not in set(sys.modules) - before  # `import this` prints; nothing was imported
    assert not {m for m in set(sys.modules) - before if m.startswith("tests.fake")}


def test_installed_plugins_are_listed_by_name() -> None:
    assert names()[:2] == ["embedded", "remote"]
    assert "fake" in names()  # the test plugin's entry point (tests/plugins)


@pytest.mark.parametrize("how", ["flag", "env", "user file"])
def test_cli_refuses_a_module_path_before_anything_runs(repo: Path, isolated_home: Path,
                                                        how: str) -> None:
    commit_files(repo, {"a.py": "x = 1\n"})
    env: dict[str, str] = {}
    args = ["today"]
    if how == "flag":
        args += ["-b", "this:print"]
    elif how == "env":
        env["TILGEN_BACKEND"] = "os:system"
    else:
        (isolated_home / "config").mkdir()
        (isolated_home / "config" / "config.toml").write_text('backend = "builtins:print"\n')
    proc = tilgen(*args, cwd=repo, env=env)
    assert_clean(proc)
    assert proc.returncode == ExitCode.CONFIG, proc.stderr
    assert "unknown backend" in proc.stderr and "choose one of: embedded, remote" in proc.stderr
    assert "Beautiful is better" not in proc.stdout + proc.stderr  # `this` was never imported
    assert "Settings(" not in proc.stdout + proc.stderr and "backend=" not in proc.stdout
    assert not list(isolated_home.rglob("*.md"))
