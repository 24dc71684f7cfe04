"""Secret redaction: planted fake secrets never survive, ordinary code stays readable."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import commit_files, git
from tests.secrets_corpus import FILES, ORDINARY, S, planted_secrets
from tilgen.git.changes import ChangeSet
from tilgen.secrets.redact import Finding, RedactionReport, redact_changeset, redact_text

PEM_HEAD = "-----" + "BEGIN RSA PRIVATE " + "KEY-----"
PEM_TAIL = "-----" + "END RSA PRIVATE " + "KEY-----"


def collect(repo: Path, spec: str = "HEAD") -> ChangeSet:
    """The change set of a commit, read the way tilgen reads it."""
    try:
        from tilgen.git.collect import collect_commits, open_repo
    except ImportError:  # pragma: no cover - the parser alone gives the same hunks
        import datetime as dt

        from tilgen.git.patch import parse_patch

        commits, files = parse_patch(git(repo, "show", "--no-color", spec))
        return ChangeSet(source=spec, repo_name=repo.name, date=dt.date.today(), files=files,
                         commits=commits)
    return collect_commits(open_repo(repo), spec)


def all_text(cs: ChangeSet) -> str:
    """Everything of a change set that a prompt could contain."""
    parts = [c.subject for c in cs.commits]
    for f in cs.files:
        for h in f.hunks:
            parts.append(h.header)
            parts.extend(h.lines)
    return "\n".join(parts)


def survivors(secret: str, text: str) -> list[str]:
    """Pieces of ``secret`` (the whole, or any 12-character window) still in ``text``."""
    if len(secret) < 12:
        return [secret] if secret in text else []
    windows = {secret[i:i + 12] for i in range(len(secret) - 11)}
    return sorted(w for w in windows if "\n" not in w and w in text)


def lines_of(cs: ChangeSet, path: str) -> list[str]:
    f = next(f for f in cs.files if f.path == path)
    return [line for h in f.hunks for line in h.lines]


@pytest.fixture
def corpus_commit(repo: Path) -> tuple[ChangeSet, RedactionReport]:
    commit_files(repo, {"README.md": "# Example API\n"}, "start")
    files = {name: content for name, (content, _) in FILES.items()}
    files.update(ORDINARY)
    commit_files(repo, files, "Add deployment configuration")
    cs = collect(repo)
    return cs, redact_changeset(cs)


def test_no_planted_secret_survives_a_commit(corpus_commit) -> None:
    cs, report = corpus_commit
    text = all_text(cs)
    planted = planted_secrets()
    missed = [(kind, name, survivors(value, text)[:2]) for kind, name, _, value in planted
              if survivors(value, text)]
    print(f"recall: {len(planted) - len(missed)}/{len(planted)} planted secrets redacted")
    assert len(planted) >= 40 and len({kind for kind, *_ in planted}) >= 12
    assert missed == []
    assert report.total >= len(planted)
    assert len(report.counts) >= 12
    assert "secret(s) redacted" in report.summary()


def test_names_around_secrets_stay_readable(corpus_commit) -> None:
    cs, _ = corpus_commit
    settings_py = lines_of(cs, "app/settings.py")
    assert '+AWS_ACCESS_KEY_ID = "[REDACTED:aws-access-key]"' in settings_py
    assert '+AWS_SECRET_ACCESS_KEY = "[REDACTED:aws-secret-key]"' in settings_py
    assert '+        "PASSWORD": "[REDACTED:password]",' in settings_py
    assert '+AWS_STORAGE_BUCKET_NAME = "example-static"' in settings_py
    env = lines_of(cs, ".env")
    assert "+REDIS_URL=redis://:[REDACTED:url-credentials]@cache.internal:6379/0" in env
    assert "+STRIPE_SECRET_KEY=[REDACTED:stripe-key]" in env
    assert "+curl -u deploy:[REDACTED:basic-auth] https://ci.example.com/api/trigger" in \
        lines_of(cs, "scripts/notify.sh")
    assert "+  password: [REDACTED:password]" in lines_of(cs, "config/database.yml")
    k8s = lines_of(cs, "k8s/deployment.yaml")
    assert '+              value: "[REDACTED:password]"' in k8s
    assert "+              value: info" in k8s
    assert '+const GOOGLE_MAPS_KEY = "[REDACTED:google-api-key]";' in \
        lines_of(cs, "web/src/api/client.js")


def test_ordinary_code_comes_through_unchanged(corpus_commit) -> None:
    cs, _ = corpus_commit
    for name, content in ORDINARY.items():
        assert lines_of(cs, name) == ["+" + line for line in content.splitlines()], name
    # Templates and references are not secrets either.
    workflow = lines_of(cs, ".github/workflows/release.yml")
    assert "+      DB_PASSWORD: ${{ secrets.DB_PASSWORD }}" in workflow
    client = lines_of(cs, "web/src/api/client.js")
    assert any("Bearer ${localStorage.getItem(\"token\")}" in line for line in client)


def test_false_positives_in_code_are_rare() -> None:
    code = "\n".join([
        'password_field = form.get("password")',
        'token = request.headers.get("X-Token")',
        "# Regression introduced in 3f786850e387550fdab836ed7e6dc881de23001b; reverted.",
        'user_id = uuid.UUID("123e4567-e89b-12d3-a456-426614174000")',
        'NULL_TREE_SHA = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"',
        'secret_type = "Hex High Entropy String"',
        'exports = ["Text2TextGenerationInput", "DefaultAsyncHttpx2Client"]',
        'headers = {"Authorization": f"Bearer {api_key}"}',
        "def check_password(raw_password: str) -> bool:",
        'url = f"postgresql://{user}:{password}@{host}/app"',
        "PORT = 8080",
        # a test's argument named for itself (itsdangerous's tests): neither is a secret
        '    serializer = serializer_factory(',
        '        secret_key="secret_key",',
    ])
    redacted, findings = redact_text(code, path="app/auth.py")
    assert findings == []
    assert redacted == code


def test_pem_block_every_line_between_markers_is_redacted(repo: Path) -> None:
    body = S["rsa_body"].splitlines()
    commit_files(repo, {"deploy/id_rsa": f"{PEM_HEAD}\n{S['rsa_body']}\n{PEM_TAIL}\n"}, "key")
    cs = collect(repo)
    redact_changeset(cs)
    lines = lines_of(cs, "deploy/id_rsa")
    assert lines[0] == "+" + PEM_HEAD and lines[-1] == "+" + PEM_TAIL
    assert lines[1:-1] == ["+[REDACTED:private-key]"] * len(body)


def test_pem_hunk_that_starts_inside_a_key(repo: Path) -> None:
    """A one-line change deep inside a key: the hunk shows neither BEGIN nor END."""
    body = S["rsa_body"].splitlines()
    commit_files(repo, {"id_rsa": "\n".join([PEM_HEAD, *body, PEM_TAIL, ""])}, "key")
    changed = body.copy()
    changed[10] = changed[10][::-1]
    commit_files(repo, {"id_rsa": "\n".join([PEM_HEAD, *changed, PEM_TAIL, ""])}, "edit key")
    cs = collect(repo)
    hunk_lines = lines_of(cs, "id_rsa")
    assert not any(PEM_HEAD in line or PEM_TAIL in line for line in hunk_lines)
    redact_changeset(cs)
    text = all_text(cs)
    assert survivors(body[10], text) == [] and survivors(changed[10], text) == []
    assert all(re.fullmatch(r"\[REDACTED:[a-z-]+\]", line[1:]) for line in lines_of(cs, "id_rsa"))


def test_rotated_key_and_removed_secrets_are_redacted_on_both_sides(repo: Path) -> None:
    old_key = "\n".join([PEM_HEAD, *S["openssh_body"].splitlines(), PEM_TAIL, ""])
    commit_files(repo, {"id_rsa": old_key, "app.py": f'API_TOKEN = "{S["ghp"]}"\n'}, "add")
    new_key = "\n".join([PEM_HEAD, *S["rsa_body"].splitlines(), PEM_TAIL, ""])
    commit_files(repo, {"id_rsa": new_key, "app.py": 'API_TOKEN = os.environ["API_TOKEN"]\n'},
                 "Rotate the deploy key and read the token from the environment")
    cs = collect(repo)
    redact_changeset(cs)
    text = all_text(cs)
    for secret in (S["openssh_body"], S["rsa_body"], S["ghp"]):
        assert survivors(secret, text) == []
    assert '-API_TOKEN = "[REDACTED:github-token]"' in lines_of(cs, "app.py")
    assert '+API_TOKEN = os.environ["API_TOKEN"]' in lines_of(cs, "app.py")


def test_env_files_redact_sensitive_and_random_values_only() -> None:
    env = "\n".join([
        "# comment mentioning a password",
        "NODE_ENV=production",
        "PORT=8080",
        "DEBUG=false",
        "EMPTY_SECRET=",
        "API_URL=https://api.example.com",
        "DB_PASS=hunter2hunter2",
        "export AUTH_PROVIDER=github",
        "BUILD_ID=" + S["jwt_secret"],
        "PRIVATE_SIGNING_MATERIAL='" + S["session_secret"] + "'",
        "TOKEN_FROM_VAULT=${VAULT_TOKEN}",
    ])
    for path in (".env", "deploy/.env.local", "prod.env", ".envrc"):
        redacted, _ = redact_text(env, path=path)
        lines = redacted.splitlines()
        assert lines[:6] == env.splitlines()[:6], path
        assert lines[6:] == [
            "DB_PASS=[REDACTED:password]",
            "export AUTH_PROVIDER=[REDACTED:env-value]",
            "BUILD_ID=[REDACTED:env-value]",
            "PRIVATE_SIGNING_MATERIAL='[REDACTED:env-value]'",
            "TOKEN_FROM_VAULT=${VAULT_TOKEN}",
        ], path


def test_commit_subjects_are_redacted(repo: Path) -> None:
    commit_files(repo, {"a.txt": "a\n"}, "Remove leaked key " + S["aws_id"] + " from settings")
    cs = collect(repo)
    report = redact_changeset(cs)
    assert cs.commits[0].subject == "Remove leaked key [REDACTED:aws-access-key] from settings"
    assert report.places == {f"commit {cs.commits[0].short}": 1}


def test_hunk_header_context_is_redacted_but_ranges_stay(repo: Path) -> None:
    body = [f"    step_{i} = {i}" for i in range(12)]
    before = "\n".join([f'API_TOKEN = "{S["ghp"]}"', *body, ""])
    commit_files(repo, {"job.txt": before}, "add")
    body[9] = "    step_9 = 90"
    commit_files(repo, {"job.txt": "\n".join([f'API_TOKEN = "{S["ghp"]}"', *body, ""])}, "edit")
    cs = collect(repo)
    (hunk,) = cs.files[0].hunks
    assert S["ghp"] in hunk.header
    ranges = hunk.header.split("@@")[1]
    redact_changeset(cs)
    assert hunk.header.startswith(f"@@{ranges}@@")
    assert hunk.header.endswith('API_TOKEN = "[REDACTED:github-token]"')


def test_findings_name_the_line_and_columns() -> None:
    text = "first line\nclient = make(key='" + S["aws_id"] + "')\n"
    redacted, findings = redact_text(text)
    start = text.splitlines()[1].index(S["aws_id"])
    assert findings == [Finding("aws-access-key", 1, start, start + 20)]
    assert redacted == "first line\nclient = make(key='[REDACTED:aws-access-key]')\n"


def test_redaction_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("redaction tried to open a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for name, (content, _) in FILES.items():
        redact_text(content, path=name)


def test_report_summary() -> None:
    report = RedactionReport()
    assert report.summary() == "no secrets found" and report.total == 0
    report.add("a.py", [Finding("password", 0, 0, 3), Finding("jwt", 1, 0, 3),
                        Finding("password", 2, 0, 3)])
    assert report.total == 3
    assert report.summary() == "3 secret(s) redacted (2 password, 1 jwt)"


@pytest.mark.parametrize("name", sorted(FILES))
def test_redaction_is_idempotent_on_the_corpus(name: str) -> None:
    once, _ = redact_text(FILES[name][0], path=name)
    twice, found = redact_text(once, path=name)
    assert twice == once and found == []


_FRAGMENTS = st.sampled_from([
    *S.values(), "password = ", "api_key: ", "TOKEN=", '"', "'", "\n", " ", "=", ":", "@",
    "://", "https://user:", PEM_HEAD, PEM_TAIL, "[REDACTED:jwt]", "[REDACTED:", "]", "\\n",
    "Authorization: Bearer ", "-u admin:", "export ", "- name: DB_PASSWORD\n  value: ", "#",
])
_PATHS = st.sampled_from([None, ".env", "app.py", "ci.yml", "id_rsa", ".netrc", "main.go",
                          "run.sh", "README"])


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=300), path=_PATHS)
def test_redact_text_on_arbitrary_text(text: str, path: str | None) -> None:
    once, _ = redact_text(text, path=path)
    assert redact_text(once, path=path)[0] == once
    assert once.count("\n") == text.count("\n")


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(st.one_of(_FRAGMENTS, st.text(max_size=12)), max_size=30), path=_PATHS)
def test_redact_text_on_secret_shaped_text(parts: list[str], path: str | None) -> None:
    text = "".join(parts)
    once, _ = redact_text(text, path=path)
    assert redact_text(once, path=path)[0] == once
    assert once.count("\n") == text.count("\n")
