"""The note as it forms, on a real pseudo-terminal with the real 0.5B model."""

from __future__ import annotations

import os
import re
import sys
import time

import pytest

from tests.cli import ROOT
from tests.conftest import commit_files
from tests.models import TEST_MODEL, test_model_path
from tilgen.cli.live import BULLET

pexpect = pytest.importorskip("pexpect")
ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07]*\x07|[()][0-9A-B]|[=>78])")


def terminal_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "TILGEN_RAISE", "NO_COLOR")}
    env.update(TERM="xterm-256color", COLUMNS="100", LINES="40",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    return env


def run_on_terminal(args: list[str], cwd: object,
                    codes: tuple[int, ...] = (0,)) -> list[tuple[float, str]]:
    """Everything the command draws, piece by piece, with the time each piece came; the
    command must end with one of ``codes``."""
    child = pexpect.spawn(sys.executable, ["-m", "tilgen", *args], cwd=str(cwd),
                          env=terminal_env(), encoding="utf-8", codec_errors="replace",
                          dimensions=(40, 100), timeout=600)
    pieces: list[tuple[float, str]] = []
    while True:
        try:
            pieces.append((time.monotonic(), child.read_nonblocking(4096, timeout=600)))
        except pexpect.EOF:
            break
    child.close()
    assert child.exitstatus in codes, "".join(p for _, p in pieces)[-2000:]
    pieces.append((time.monotonic(), f"\nexit {child.exitstatus}\n"))
    return pieces


@pytest.mark.model
def test_points_appear_as_readable_bullets_while_the_model_writes(repo):
    test_model_path()
    commit_files(repo, {"retry.py": "import time\n\n\ndef retry(call, attempts=3):\n"
                        "    for n in range(attempts):\n        try:\n            return call()\n"
                        "        except OSError:\n            time.sleep(2 ** n)\n"
                        "    return call()\n"}, "Retry with exponential backoff")
    # The 0.5B model's points may all be rejected (exit 8): the view is what is tested here.
    pieces = run_on_terminal(["today", "--model", TEST_MODEL, "--no-save"], repo, codes=(0, 8))
    screen = ANSI.sub("", "".join(p for _, p in pieces))
    # a point's Korean sentence as a bullet of the live view, before generation ended: the
    # token counter still rose after it was first drawn
    drawn = ""
    first_bullet = None
    counts_after: list[int] = []
    for _, piece in pieces:
        drawn += ANSI.sub("", piece)
        if first_bullet is None and re.search(re.escape(BULLET) + r"[^\n]*[가-힣]", drawn):
            first_bullet = len(drawn)
            continue
        if first_bullet is not None:
            counts_after += [int(n) for n in re.findall(r"writing… (\d+) tokens",
                                                        drawn[first_bullet:])]
    assert first_bullet is not None, screen[-3000:]
    before = [int(n) for n in re.findall(r"writing… (\d+) tokens", drawn[:first_bullet])]
    assert counts_after and max(counts_after) > max(before), screen[-3000:]
    # never the raw answer: no JSON braces or field names on screen
    assert "{" not in screen and '"points"' not in screen and '"text"' not in screen
    # then the final note, rendered, or the one line saying why there is none
    if screen.rstrip().endswith("exit 0"):
        assert re.search(r"\d{4}-\d{2}-\d{2} TIL", screen[first_bullet:])
    else:
        assert re.search(r"tilgen: error: the model's note was invalid.*nothing was saved",
                         screen[first_bullet:]), screen[-2000:]


def test_piped_output_is_the_note_alone(repo):
    from tests.cli import FAKE, tilgen

    commit_files(repo, {"a.py": "x = 1\n"}, "first")
    proc = tilgen("today", "-b", FAKE, "--no-save", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert "writing…" not in proc.stderr and BULLET not in proc.stderr + proc.stdout
    assert proc.stdout.startswith("# ") and "{" not in proc.stdout


@pytest.mark.parametrize(("answer", "shown"), [
    ('{"topic": "재시도", "keywords": ["재시도"], "points": [{"text": "지수 백오프는 대기를 늘',
     "재시도  재시도\n  · 지수 백오프는 대기를 늘▍\nwriting… 3 tokens"),
    ('{"summary": "something else", "items": ["a"', "writing… 3 tokens"),  # unknown: a counter
])
def test_the_view_shows_the_draft_or_only_a_counter(answer, shown):
    from tilgen.cli.live import NoteStream

    stream = NoteStream(enabled=False)
    stream._parser.feed(answer)
    stream.tokens = 3
    assert stream.view().plain == shown
