"""Run the real CLI in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# tests/plugins holds an installed-package record whose entry point registers the fake
# backend under the name "fake", as a third-party plugin registers itself.
PLUGINS = ROOT / "tests" / "plugins"
FAKE = "fake"


def tilgen(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
           input: bytes | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **(env or {})}
    full["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), str(PLUGINS), full.get("PYTHONPATH")]))
    full.pop("TILGEN_RAISE", None)  # the real CLI: errors become one line
    proc = subprocess.run(
        [sys.executable, "-m", "tilgen", *args], cwd=cwd, env=full, input=input,
        capture_output=True, timeout=timeout,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


def assert_clean(proc: subprocess.CompletedProcess[str]) -> None:
    """No traceback, whatever happened."""
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr


def one_line(proc: subprocess.CompletedProcess[str], code: int) -> str:
    """The single error line of a failed run with exit ``code`` (never 3)."""
    assert_clean(proc)
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("tilgen: error:")]
    assert len(errors) == 1, proc.stderr
    assert "unexpected error" not in errors[0]
    return errors[0]
