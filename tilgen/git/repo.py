"""Run git for one repository: find it, clean its environment, read a few facts.

Commands run as subprocesses with bytes output (file contents need not be UTF-8); gitpython
finds the repository and reads HEAD in-process, which costs no git process.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from tilgen.errors import NotARepoError, TilgenError
from tilgen.git.diffnames import decode

if TYPE_CHECKING:
    import git

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # in sha1 repositories
# What `git rev-parse --local-env-vars` lists, and the quarantine of receive hooks: set while
# hooks run, they tie git to one repository (and one index).
LOCAL_ENV = (
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT",
    "GIT_OBJECT_DIRECTORY", "GIT_DIR", "GIT_WORK_TREE", "GIT_IMPLICIT_WORK_TREE", "GIT_GRAFT_FILE",
    "GIT_INDEX_FILE", "GIT_NO_REPLACE_OBJECTS", "GIT_REPLACE_REF_BASE", "GIT_PREFIX",
    "GIT_INTERNAL_SUPER_PREFIX", "GIT_SHALLOW_FILE", "GIT_COMMON_DIR", "GIT_QUARANTINE_PATH",
)
# The one environment policy for a git that must look afresh (the hook's job, its installer):
# the above, and what git exports for one hook run that would make another git behave as
# inside this commit (editor, dates, pathspec modes). The post-commit script unsets the same.
HOOK_ENV = (
    *LOCAL_ENV, "GIT_NAMESPACE", "GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "GIT_REFLOG_ACTION",
    "GIT_CEILING_DIRECTORIES", "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_LITERAL_PATHSPECS",
    "GIT_GLOB_PATHSPECS", "GIT_NOGLOB_PATHSPECS", "GIT_ICASE_PATHSPECS", "GIT_AUTHOR_DATE",
    "GIT_COMMITTER_DATE",
)
_ENV_ATTR = "tilgen_git_env"


def no_git_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """A copy of ``base`` (default: this process's environment) without the variables that
    tie git to one repository or one hook run (:data:`HOOK_ENV`), so git can look afresh."""
    env = dict(os.environ if base is None else base)
    for name in list(env):
        if name in HOOK_ENV or name.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_")):
            del env[name]
    return env


def scrub_git_env() -> None:
    """Apply :func:`no_git_env` to this process (the hook's job reads the repository afresh)."""
    for name in set(os.environ) - set(no_git_env()):
        del os.environ[name]


def run(args: tuple[str, ...] | list[str], *, cwd: Path | None, env: dict[str, str] | None,
        stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Every git process tilgen starts: ``git -c core.quotepath=off ARGS``, bytes out."""
    try:
        return subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=cwd, input=stdin,
                              capture_output=True, env=env)
    except FileNotFoundError as exc:
        raise TilgenError("git is not installed or not on PATH: install git") from exc


def git_command(*args: str, cwd: Path | None = None, check: bool = True) -> str:
    """Run git afresh (:func:`no_git_env`) where no repository is open yet; stripped text out."""
    proc = run(args, cwd=cwd, env=no_git_env())
    if check and proc.returncode != 0:
        fail(cwd, args, proc)
    return decode(proc.stdout).strip()


def open_repo(path: str | Path, *, clean_env: bool = False) -> git.Repo:
    """The repository whose work tree contains ``path``.

    With ``clean_env`` the git commands run for this repository ignore inherited ``GIT_*``
    variables (see :func:`no_git_env`).
    """
    try:
        import git
    except ImportError as exc:  # gitpython refuses to import without a git executable
        raise TilgenError("git is not installed or not on PATH: install git") from exc
    where = Path(path).expanduser()
    hint = "run tilgen inside a git work tree or pass --repo"
    if not where.exists():
        raise NotARepoError(f"{where} does not exist: {hint}")
    try:
        repo = git.Repo(where, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise NotARepoError(f"{where} is not a git repository: {hint}") from exc
    if repo.bare or repo.working_tree_dir is None:
        repo.close()
        raise NotARepoError(
            f"{where} is a bare repository: run tilgen in a clone or a `git worktree add` of it"
        )
    setattr(repo, _ENV_ATTR, no_git_env() if clean_env else None)
    return repo


def repo_root(repo: git.Repo) -> Path:
    return Path(str(repo.working_tree_dir))


def run_git(repo: git.Repo, *args: str, stdin: bytes | None = None, check: bool = True,
            ) -> subprocess.CompletedProcess[bytes]:
    """Run git in the work tree root; output stays bytes (file contents need not be UTF-8)."""
    proc = run(args, cwd=repo_root(repo), env=getattr(repo, _ENV_ATTR, None), stdin=stdin)
    if check and proc.returncode != 0:
        fail(repo_root(repo), args, proc)
    return proc


def fail(where: Path | None, args: tuple[str, ...], proc: subprocess.CompletedProcess[bytes],
         ) -> NoReturn:
    """Raise the error for a failed git command, with git's own first line of complaint."""
    message = decode(proc.stderr).strip().splitlines() or [f"exit status {proc.returncode}"]
    place = where or Path.cwd()
    if "dubious ownership" in message[0]:
        raise NotARepoError(
            f"git refuses {place} (owned by another user): "
            f"run git config --global --add safe.directory {place}"
        )
    verb = next((a for a in args if not a.startswith("-")), "")
    raise TilgenError(f"git {verb} failed in {place}: {message[0]}")


def has_commits(repo: git.Repo) -> bool:
    return run_git(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}",
                   check=False).returncode == 0


def require_commits(repo: git.Repo) -> None:
    if not has_commits(repo):
        raise NotARepoError(
            f"{repo_root(repo).name} has no commits yet: commit first, or write about "
            "uncommitted work with tilgen staged or tilgen working"
        )


def first_commit_check(repo: git.Repo, proc: subprocess.CompletedProcess[bytes]) -> None:
    """After a git command that needs HEAD failed: say so if there is no commit yet.

    Checked only after a failure, so a normal run spends no git process on it.
    """
    if proc.returncode != 0:
        require_commits(repo)


def empty_tree(repo: git.Repo) -> str:
    """The empty tree's id: asked of git, as sha256 repositories have another one."""
    out = run_git(repo, "hash-object", "-t", "tree", "--stdin", stdin=b"", check=False)
    return decode(out.stdout).strip() or EMPTY_TREE


def shallow_commits(repo: git.Repo) -> set[str]:
    """The commits whose parents a shallow clone does not have."""
    path = Path(repo.common_dir) / "shallow"
    try:
        return set(path.read_text(encoding="ascii", errors="replace").split())
    except OSError:
        return set()


def branch_label(repo: git.Repo) -> str:
    """The branch name, read in-process: one git process fewer on every run."""
    try:
        return repo.head.ref.name
    except (TypeError, ValueError, OSError):  # detached HEAD, or refs gitpython cannot read
        head = decode(run_git(repo, "rev-parse", "--short", "HEAD").stdout).strip()
        return f"detached HEAD {head}"


def user_email(repo: git.Repo) -> str | None:
    out = run_git(repo, "config", "--get", "user.email", check=False).stdout
    return decode(out).strip() or None


def blob_first_lines(repo: git.Repo, specs: list[str]) -> list[str | None]:
    """The first line of each blob (``rev:path``, ``:path`` for the index); None if absent."""
    out = run_git(repo, "cat-file", "--batch", stdin="".join(f"{s}\n" for s in specs).encode(),
                  check=False).stdout
    result: list[str | None] = []
    pos = 0
    for _ in specs:
        header_end = out.find(b"\n", pos)
        if header_end < 0:
            break
        header = out[pos:header_end].split()
        pos = header_end + 1
        if len(header) != 3 or not header[2].isdigit():
            result.append(None)  # "<spec> missing"
            continue
        size = int(header[2])
        body = out[pos : pos + min(size, 200)]
        result.append(decode(body.split(b"\n", 1)[0]) if header[1] == b"blob" else None)
        pos += size + 1
    return result + [None] * (len(specs) - len(result))
