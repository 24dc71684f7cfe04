"""The house rules, read from the code: imports run downhill, modules stay small, the core
needs no terminal and heavy libraries load only where they are used."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.cli import ROOT

PACKAGE = ROOT / "tilgen"
DATA_TABLES = {"tilgen/secrets/patterns.py"}  # a table of secret formats, not logic
HEAVY = ("llama_cpp", "openai", "kiwipiepy", "vllm", "huggingface_hub", "detect_secrets")


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    """Every module ``path`` imports, lazily inside functions too (unless told not to)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def unit(module: str) -> str:
    """A stage package (tilgen.git, tilgen.note …) or a top-level module (tilgen.pipeline)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if (PACKAGE / parts[1]).is_dir() else module


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle in ``graph``, if there is one."""
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt]
            if nxt not in state and (found := visit(nxt, [*trail, nxt])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def graphs() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    mods = modules()
    by_module: dict[str, set[str]] = {}
    by_unit: dict[str, set[str]] = {}
    for name, path in mods.items():
        if name == "tilgen":  # the package's own lazy `generate_note` façade
            continue
        targets = {m for m in imports(path) if m in mods and m not in ("tilgen", name)}
        by_module[name] = targets
        by_unit.setdefault(unit(name), set()).update(
            unit(t) for t in targets if unit(t) != unit(name))
    return by_module, by_unit


def test_no_import_circles_between_modules_or_stages() -> None:
    by_module, by_unit = graphs()
    assert cycle(by_module) is None
    assert cycle(by_unit) is None
    # the stages a note passes through never reach up to what drives them
    for stage in ("tilgen.git", "tilgen.secrets", "tilgen.fit", "tilgen.note", "tilgen.config"):
        assert not by_unit.get(stage, set()) & {"tilgen.pipeline", "tilgen.cli", "tilgen.hook",
                                               "tilgen.tools", "tilgen.api"}, stage


def test_the_cycle_finder_finds_one() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_over_300_lines_except_data_tables() -> None:
    long = {str(p.relative_to(ROOT)): n for p in modules().values()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 300}
    assert set(long) <= DATA_TABLES, long


def test_the_core_needs_no_terminal_and_loads_heavy_libraries_lazily() -> None:
    for name, path in modules().items():
        if not name.startswith("tilgen.cli"):
            assert not {m for m in imports(path) if m.split(".")[0] in ("typer", "rich")}, name
        assert not {m for m in imports(path, top_level_only=True)
                    if m.split(".")[0] in HEAVY}, name
