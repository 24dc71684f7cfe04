"""detect-secrets' plugins as one more finder, run only on the lines a prefilter picks.

Imported lazily: loading detect-secrets (and the HTTP client it pulls in) costs a few
hundred milliseconds, paid only when some line could hold a secret.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from tilgen.secrets import patterns as sp
from tilgen.secrets.scan import Spans

_SKIP = frozenset({"Private Key", "Public IP (ipv4)"})  # PEM blocks are ours; IPs aren't secret
_KINDS = {
    "AWS Access Key": "aws-access-key", "Azure Storage Account access key": "azure-storage-key",
    "Basic Auth Credentials": "url-credentials", "GitHub Token": "github-token",
    "GitLab Token": "gitlab-token", "Base64 High Entropy String": "high-entropy",
    "Hex High Entropy String": "high-entropy", "JSON Web Token": "jwt",
    "Slack Token": "slack-token", "Stripe Access Key": "stripe-key",
    "Twilio API Key": "twilio-key", "SendGrid API Key": "sendgrid-key", "NPM tokens": "npm-token",
    "OpenAI Token": "openai-key", "PyPI Token": "pypi-token",
}


@lru_cache(maxsize=1)
def _detectors() -> dict[str, tuple[Any, ...]]:
    """detect-secrets' plugins, grouped by the prefilter that picks their lines."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.settings import get_settings

    # Verification calls the provider with the secret: never from a redactor.
    get_settings().disable_filters(
        "detect_secrets.filters.common.is_ignored_due_to_verification_policies")
    groups: dict[str, list[Any]] = {"keyword": [], "entropy": [], "other": []}
    mapping: dict[str, Any] = get_mapping_from_secret_type_to_class()
    for name, cls in sorted(mapping.items()):
        if name in _SKIP:
            continue
        group = ("keyword" if name == "Secret Keyword" else
                 "entropy" if "High Entropy" in name else "other")
        groups[group].append(cls())
    return {group: tuple(plugins) for group, plugins in groups.items()}


def _name_before(line: str, value: str) -> str:
    """The name the value is given to: in `secret_key="secret_key"` the second one is the
    value, so the name is looked for before the last occurrence."""
    head = line[: max(line.rfind(value), 0)]
    names = re.findall(r"[A-Za-z_][A-Za-z0-9_.-]*", head)
    return names[-1] if names else ""


def _ds_kind(secret_type: str, line: str, value: str) -> str:
    if secret_type == "Secret Keyword":
        cls = sp.classify_key(_name_before(line, value))
        return cls[1] if cls else "generic-api-key"
    return _KINDS.get(secret_type) or re.sub(r"[^a-z0-9]+", "-", secret_type.lower()).strip("-")


def _locate(line: str, value: str) -> list[tuple[int, int]]:
    """Where ``value`` stands on its own in ``line`` (not inside a longer word)."""
    hits = [m.start() for m in re.finditer(re.escape(value), line)]
    alone = [i for i in hits
             if (i == 0 or not line[i - 1].isalnum()) and
             (i + len(value) >= len(line) or not line[i + len(value)].isalnum())]
    chosen = alone or hits[-1:]
    return [(i, i + len(value)) for i in chosen]


def detect_secrets(lines: list[str], starts: list[int], spans: Spans, path: str | None, *,
                    candidates: dict[str, set[int]]) -> None:
    """Run each plugin group on its candidate lines and claim what it finds."""
    from detect_secrets.filters import heuristic as h

    name = path or "text"
    for group, plugins in _detectors().items():
        for n in sorted(candidates[group]):
            line = lines[n]
            for plugin in plugins:
                try:
                    found = plugin.analyze_line(filename=name, line=line, line_number=n + 1)
                except Exception:  # a third-party detector must never stop redaction
                    continue
                for secret in found:
                    value = (secret.secret_value or "").strip()
                    if not value or _dismissed(group, value, line, plugin, h):
                        continue
                    kind = _ds_kind(secret.type, line, value)
                    for s, e in _locate(line, value):
                        spans.add(starts[n] + s, starts[n] + e, kind)


def _dismissed(group: str, value: str, line: str, plugin: Any, h: Any) -> bool:
    """detect-secrets' own false-positive filters, plus a few of ours."""
    if (sp.is_harmless(value, kind="generic-api-key", key=_name_before(line, value))
            or h.is_sequential_string(value)
            or h.is_templated_secret(value)):
        return True
    if group == "keyword" and h.is_indirect_reference(line):
        return True
    if group in ("keyword", "entropy") and (
            h.is_potential_uuid(value) or sp.is_safe_name(_name_before(line, value))):
        return True  # `secret_type = "..."`, `commit_sha = "..."`
    return group == "entropy" and bool(
        h.is_likely_id_string(value, line, plugin) or sp.DIGEST_PREFIX.match(value)
        or sp.looks_sorted(value))
