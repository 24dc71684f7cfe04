"""Pick, install and check the llama-cpp-python wheel for a virtual environment.

Run by scripts/install.sh; standard library only, so any Python can run it. Candidates, in
order: a wheel built earlier on this machine (cached per version and CMAKE_ARGS), a prebuilt
wheel kept earlier, a prebuilt CPU wheel from llama-cpp-python's own wheel index, and last a
build from source. A wheel is kept only after a real decode in a subprocess: prebuilt and
native builds can crash at the first decode on CPUs that a virtual machine partly hides
(AMX), so a crash or a non-zero exit rejects it and the next candidate is tried. The last
line printed says which path was taken and why.

    python scripts/engine.py --python .venv/bin/python --version 0.3.36 --cache DIR \
        [--prebuilt-index URL|off] [--build-cmd CMD] [--deps-cmd CMD] [--model GGUF]
    python scripts/engine.py decode MODEL     # the check itself (run with the venv's python)
"""

from __future__ import annotations

import argparse
import glob
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

PREBUILT_INDEX = "https://abetlen.github.io/llama-cpp-python/whl/cpu"
CHECK_MODEL = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"  # the smallest model tilgen knows


def decode(model: str) -> None:
    """Load ``model`` and generate a few tokens: what crashes a bad build, done early."""
    from llama_cpp import Llama

    llm = Llama(model_path=model, n_ctx=256, n_batch=64, verbose=False)
    out = llm.create_completion("def add(a, b):", max_tokens=4, temperature=0.0)
    if not out["choices"][0]["text"]:
        sys.exit("the engine decoded no token")


class Engine:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.python = args.python
        self.build_dir = Path(args.cache)
        self.prebuilt_dir = self.build_dir.parent / f"{args.version}-prebuilt"
        self.deps_done = False
        self.notes: list[str] = []  # why earlier candidates were passed over

    def run(self) -> str:
        mode = self.args.mode
        if mode in ("auto", "cached") and (wheel := self._cached(self.build_dir)):
            if self._accept(wheel, "cached build"):
                return f"engine: cached build {wheel.name} passed the decode check"
        if mode in ("auto", "prebuilt"):
            wheel = self._cached(self.prebuilt_dir) or self._download_prebuilt()
            if wheel and self._accept(wheel, "prebuilt wheel"):
                return (f"engine: prebuilt CPU wheel {wheel.name} passed the decode check "
                        "(no compile)" + self._why())
        wheel = self._build()
        if self._accept(wheel, "source build"):
            return f"engine: built from source ({wheel.name})" + self._why()
        raise SystemExit("engine: even the source build failed the decode check"
                         + self._why() + "; see the output above")

    def _why(self) -> str:
        return ": " + "; ".join(self.notes) if self.notes else ""

    def _cached(self, folder: Path) -> Path | None:
        wheels = sorted(glob.glob(str(folder / f"llama_cpp_python-{self.args.version}-*.whl")))
        return Path(wheels[0]) if wheels else None

    # -- candidates -------------------------------------------------------------------------
    def _download_prebuilt(self) -> Path | None:
        index = self.args.prebuilt_index
        if index in ("", "off", "none"):
            self.notes.append("prebuilt index turned off")
            return None
        if (self.prebuilt_dir / "rejected").exists():
            self.notes.append("a prebuilt wheel failed the decode check here before "
                              f"(remove {self.prebuilt_dir}/rejected to try again)")
            return None
        self.prebuilt_dir.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        problem = _reachable(f"{index.rstrip('/')}/llama-cpp-python/", self.args.timeout)
        if problem:
            self.notes.append(f"prebuilt index unreachable ({index}: {problem}, "
                              f"{time.monotonic() - started:.1f} s)")
            return None
        # Only that index: pip's configured indexes and find-links would offer other builds.
        env = {k: v for k, v in os.environ.items()
               if k not in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS")}
        env["PIP_CONFIG_FILE"] = os.devnull
        proc = subprocess.run(
            [self.python, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:",
             "--disable-pip-version-check", "--index-url", index,
             "--timeout", str(self.args.timeout), "--retries", "1",
             "-d", str(self.prebuilt_dir), f"llama-cpp-python=={self.args.version}"],
            env=env, capture_output=True, text=True)
        wheel = self._cached(self.prebuilt_dir)
        if proc.returncode != 0 or wheel is None:
            last = ((proc.stderr + proc.stdout).strip().splitlines() or ["no message"])[-1]
            self.notes.append(f"no prebuilt {self.args.version} wheel for this Python and "
                              f"platform ({last[:100]})")
            return None
        return wheel

    def _build(self) -> Path:
        self.build_dir.mkdir(parents=True, exist_ok=True)
        for old in self.build_dir.glob("llama_cpp_python-*.whl"):
            old.unlink()
        command = self.args.build_cmd or shlex.join(
            # --no-cache-dir: pip's wheel cache is keyed by the source archive, not by
            # CMAKE_ARGS, so without it a build with other flags returns the earlier one.
            [self.python, "-m", "pip", "wheel", "-q", "--no-cache-dir", "--no-deps",
             "--no-binary", "llama-cpp-python", f"llama-cpp-python=={self.args.version}",
             "-w", str(self.build_dir)])
        print(f"building llama-cpp-python {self.args.version} "
              f"(CMAKE_ARGS={os.environ.get('CMAKE_ARGS', '')}); this takes a few minutes, once",
              flush=True)
        subprocess.run(command, shell=True, check=True,
                       env={**os.environ, "WHEEL_DIR": str(self.build_dir)})
        wheel = self._cached(self.build_dir)
        if wheel is None:
            raise SystemExit(f"engine: the build left no wheel in {self.build_dir}")
        return wheel

    # -- the check --------------------------------------------------------------------------
    def _accept(self, wheel: Path, kind: str) -> bool:
        pip = [self.python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        # --force-reinstall: an installed build of the same version but other flags goes.
        subprocess.run(pip + ["--force-reinstall", "--no-deps", str(wheel)], check=True)
        if not self.deps_done:
            self.deps_done = True
            if self.args.deps_cmd:
                subprocess.run(self.args.deps_cmd, shell=True, check=True)
        problem = self._decode()
        if problem is None:
            return True
        self.notes.append(f"the {kind} {problem}")
        if kind == "prebuilt wheel":
            (wheel.parent / "rejected").write_text(f"{wheel.name}: {problem}\n")
        wheel.unlink(missing_ok=True)
        return False

    def _decode(self) -> str | None:
        model = self._model()
        try:
            proc = subprocess.run([self.python, __file__, "decode", model], capture_output=True,
                                  text=True, timeout=self.args.check_timeout)
        except subprocess.TimeoutExpired:
            return f"did not finish a decode in {self.args.check_timeout} s"
        if proc.returncode == 0:
            return None
        if proc.returncode < 0:
            return f"crashed at the first decode ({signal.Signals(-proc.returncode).name})"
        last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        return f"failed the decode check (exit {proc.returncode}: {last[:120]})"

    def _model(self) -> str:
        if self.args.model:
            return self.args.model
        home = os.environ.get("TILGEN_HOME")
        folders = [os.environ.get("TILGEN_TEST_MODELS_DIR"), os.environ.get("TILGEN_MODELS_DIR"),
                   str(Path(home) / "cache" / "models") if home else None,
                   str(Path.home() / ".cache" / "tilgen-test-models"),
                   str(Path.home() / ".cache" / "tilgen" / "models")]
        for folder in filter(None, folders):
            if (Path(folder) / CHECK_MODEL).is_file():
                return str(Path(folder) / CHECK_MODEL)
        print("fetching the 0.5B model for the engine check (and for `--model "
              "qwen2.5-coder-0.5b`)", flush=True)
        env = dict(os.environ)
        if not env.get("TILGEN_MODELS_DIR") and env.get("TILGEN_TEST_MODELS_DIR"):
            env["TILGEN_MODELS_DIR"] = env["TILGEN_TEST_MODELS_DIR"]  # where the tests look
        subprocess.run([self.python, "-m", "tilgen", "-q", "model", "pull", "qwen2.5-coder-0.5b"],
                       check=True, env=env)
        out = subprocess.run([self.python, "-c", "from tilgen.backends import modelstore as m;"
                              "print(m.cached_path(m.get_spec('qwen2.5-coder-0.5b')))"],
                             check=True, capture_output=True, text=True, env=env)
        return out.stdout.strip()


def _reachable(url: str, timeout: float) -> str | None:
    """None when ``url`` answers; else why not, within ``timeout`` seconds."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=timeout):  # noqa: S310 - the wheel index
            return None
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        return str(getattr(exc, "reason", None) or exc)


def main(argv: list[str]) -> int:
    if argv[:1] == ["decode"]:
        decode(argv[1])
        return 0
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--python", required=True, help="the virtual environment's python")
    p.add_argument("--version", required=True)
    p.add_argument("--cache", required=True, help="wheel cache for this version and CMAKE_ARGS")
    p.add_argument("--prebuilt-index",
                   default=os.environ.get("TILGEN_PREBUILT_INDEX", PREBUILT_INDEX))
    p.add_argument("--timeout", type=float,
                   default=float(os.environ.get("TILGEN_PREBUILT_TIMEOUT", "3")))
    p.add_argument("--mode", choices=["auto", "cached", "prebuilt", "build"],
                   default=os.environ.get("TILGEN_ENGINE", "auto"))
    p.add_argument("--build-cmd", default=os.environ.get("TILGEN_ENGINE_BUILD", ""),
                   help="shell command that leaves a wheel in $WHEEL_DIR")
    p.add_argument("--deps-cmd", default="", help="run once after the first wheel is installed")
    p.add_argument("--model", default=os.environ.get("TILGEN_ENGINE_CHECK_MODEL", ""))
    p.add_argument("--check-timeout", type=float, default=300.0)
    args = p.parse_args(argv)
    try:
        print(Engine(args).run(), flush=True)
    except subprocess.CalledProcessError as exc:
        print(f"engine: {exc.cmd if isinstance(exc.cmd, str) else shlex.join(exc.cmd)} "
              f"failed (exit {exc.returncode})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
