"""The real test model (Qwen2.5-Coder-0.5B-Instruct Q4_K_M), fetched once through tilgen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TEST_MODEL = "qwen2.5-coder-0.5b"


def test_model_path() -> Path:
    """Path of the 0.5B GGUF, pulled with tilgen's own model store when missing."""
    pytest.importorskip("llama_cpp") if not os.environ.get("CI") else None
    from tilgen.backends.modelstore import get_spec, is_cached, pull

    spec = get_spec(TEST_MODEL)
    if not is_cached(spec):
        pull(spec)
    from tilgen.backends.modelstore import cached_path

    return cached_path(spec)


test_model_path.__test__ = False  # type: ignore[attr-defined]
