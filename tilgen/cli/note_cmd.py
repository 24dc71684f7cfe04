"""The commands that write notes: today, commit, staged, working, patch."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from tilgen.cli import output
from tilgen.cli.options import NoteFlags
from tilgen.git.source import ChangeSource


def run_note(source: ChangeSource, flags: NoteFlags) -> None:
    """Write, print and (unless told not to) save the note for ``source``."""
    from tilgen import pipeline
    from tilgen.cli.live import NoteStream

    if flags.show_prompt:  # exactly what would be sent (compacted and redacted), no model
        with output.spinner("reading changes"):
            prompt, redactions = pipeline.preview(source, flags.options)
        sys.stdout.write(prompt.text() + "\n")
        if redactions:
            output.status(f"{redactions} secret(s) redacted")
        return
    stream = NoteStream(enabled=not flags.json_out and not output.quiet())
    with ExitStack() as waiting:
        # A spinner until the pipeline's first word (a cache hit may bring none at all).
        waiting.enter_context(output.spinner("reading changes"))

        def first(callback: Callable[..., None]) -> Callable[..., None]:
            def call(*args: Any) -> None:
                waiting.close()
                callback(*args)
            return call

        try:
            result = pipeline.run(source, flags.options, on_token=first(stream.feed),
                                  on_status=first(stream.status),
                                  progress=first(stream.progress))
        finally:
            waiting.close()
            stream.close()
    if flags.json_out:
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n")
        return
    if not output.quiet():
        output.print_markdown(result.note.content)
    if result.fallback_from:
        output.status(f"written with the fallback backend {result.backend} "
                      f"({result.fallback_from} was unreachable)")
    if result.from_cache:
        output.status("nothing new since the last note: reused it without calling a model")
    if result.path:
        output.status(f"saved {result.path}")
