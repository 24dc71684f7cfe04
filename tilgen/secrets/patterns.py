"""What secrets look like: provider token formats, names that hold secrets, value checks.

Pure functions and compiled patterns only; :mod:`tilgen.secrets.scan` decides where they apply.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

# (kind, pattern, gate), most specific first. The secret is the group "v" when the pattern
# has one (the rest is context that stays readable), else the whole match. A leading \b is
# checked by hand: it would stop the regex engine from jumping to the literal prefix, which
# is what keeps these scans fast. A gate lists lowercase words one of which must be in the
# text for the pattern to be tried at all.
_TOKEN_SOURCES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("private-key", r"\bPuTTY-User-Key-File-\d: [^\n]*", ()),
    ("aws-access-key",
     r"\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16}\b", ()),
    ("github-token", r"\bgh[pousr]_[A-Za-z0-9]{30,255}", ()),
    ("github-token", r"\bgithub_pat_[A-Za-z0-9_]{22,255}", ()),
    ("gitlab-token", r"\bgl(?:pat|dt|rt|ptt|cbt|soat|ft|imt|agent)-[A-Za-z0-9_-]{20,}", ()),
    ("slack-token", r"\bxox[abposrce]-[A-Za-z0-9-]{10,}", ()),
    ("slack-token", r"\bxapp-\d-[A-Za-z0-9-]{10,}", ()),
    ("slack-webhook",
     r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<v>[A-Za-z0-9_/-]{16,})", ()),
    ("discord-webhook",
     r"discord(?:app)?\.com/api/webhooks/(?P<v>\d{5,}/[A-Za-z0-9_-]{20,})", ()),
    ("stripe-key", r"\b[sr]k_(?:live|test)_[A-Za-z0-9]{10,}", ()),
    ("stripe-key", r"\bwhsec_[A-Za-z0-9+/=]{20,}", ()),
    ("google-api-key", r"\bAIza[0-9A-Za-z_-]{35}", ()),
    ("google-oauth", r"\bGOCSPX-[A-Za-z0-9_-]{20,}", ()),
    ("google-oauth", r"\bya29\.[0-9A-Za-z_-]{20,}", ()),
    ("anthropic-key", r"\bsk-ant-[A-Za-z0-9_-]{20,}", ()),
    ("openai-key", r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}", ()),
    ("huggingface-token", r"\bhf_[A-Za-z0-9]{30,}", ()),
    ("npm-token", r"\bnpm_[A-Za-z0-9]{36}", ()),
    ("pypi-token", r"\bpypi-AgE[A-Za-z0-9_-]{50,}", ()),
    ("sendgrid-key", r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}", ()),
    ("twilio-key", r"\bSK[0-9a-fA-F]{32}\b", ()),
    ("twilio-key", r"\bAC[0-9a-fA-F]{32}\b", ()),
    ("mailgun-key", r"\bkey-[0-9a-f]{32}\b", ()),
    ("mailchimp-key", r"\b[0-9a-f]{32}-us\d{1,2}\b", ("-us",)),
    ("shopify-token", r"\bshp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}", ()),
    ("digitalocean-token", r"\bdo[por]_v1_[a-f0-9]{64}", ()),
    ("vault-token", r"\bhv[sb]\.[A-Za-z0-9_-]{24,}", ()),
    ("databricks-token", r"\bdapi[a-f0-9]{32}", ()),
    ("telegram-token", r"\b\d{8,10}:AA[A-Za-z0-9_-]{33}", (":aa",)),
    ("jwt", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*", ()),
    ("azure-storage-key",
     r"(?i)\b(?:AccountKey|SharedAccessKey|SharedAccessSignature)=(?P<v>[^;\s'\"`]{8,})",
     ("accountkey=", "sharedaccess")),
    ("url-credentials",
     r"(?i)[?&](?:sig|signature|X-Amz-Signature|X-Amz-Security-Token|X-Goog-Signature)"
     r"=(?P<v>[^&\s#'\"`<>]{16,})", ("sig=", "signature=", "security-token=")),
    ("auth-header",
     r"(?i)\b(?:proxy-)?authorization[\"'`]?[ \t]*[:=][ \t]*[\"'`]?"
     r"(?:(?:bearer|basic|token|digest|bot|apikey|api-key|sso-key|negotiate)[ \t]+)?"
     r"(?!(?:bearer|basic|token|digest|negotiate)\b)(?P<v>[A-Za-z0-9._~+/=:-]{8,})",
     ("authorization",)),
    ("auth-header", r"(?i)\bbearer[ \t]+(?=[A-Za-z0-9._~+/-]*\d)(?P<v>[A-Za-z0-9._~+/-]{16,}=*)",
     ("bearer",)),
    ("basic-auth",
     r"(?m)(?:^|[\s'\"])(?:-u|--user)[ \t=]+[\"']?[^\s:'\"]{1,64}:(?P<v>[^\s'\"]{3,})",
     ("-u", "--user")),
    ("url-credentials",
     r"://[^\s:/?#@'\"`<>]{0,128}:(?P<v>[^\s/?'\"`<>]{1,256})@(?=[A-Za-z0-9\[])", ()),
    ("url-credentials",
     r"://(?=[A-Za-z0-9_~%.-]*\d)(?P<v>[A-Za-z0-9_~%.-]{16,})@(?=[A-Za-z0-9\[])", ()),
)


@dataclass(frozen=True)
class TokenRule:
    kind: str
    regex: re.Pattern[str]
    bounded: bool  # the match may not continue a word on its left
    gate: tuple[str, ...]

    def matches(self, text: str, lowered: str) -> Iterator[tuple[int, int]]:
        """(start, end) of each secret value."""
        if self.gate and not any(word in lowered for word in self.gate):
            return
        for m in self.regex.finditer(text):
            if self.bounded and m.start() and text[m.start() - 1] in WORD_CHARS:
                continue
            yield m.span("v") if "v" in self.regex.groupindex else m.span()


def _rule(kind: str, source: str, gate: tuple[str, ...]) -> TokenRule:
    m = re.match(r"\(\?[a-z]+\)", source)
    flags = m.group() if m else ""
    body = source[len(flags):]
    bounded = body.startswith(r"\b")
    return TokenRule(kind, re.compile((flags or "") + body[2 * bounded:]), bounded, gate)


WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
TOKEN_RULES = tuple(_rule(*source) for source in _TOKEN_SOURCES)
GLUE = WORD_CHARS | {"-"}

PEM_BEGIN = re.compile(r"-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")
PEM_END = re.compile(r"-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")
PEM_BODY = re.compile(r"[ \t]*[\"'`]?[A-Za-z0-9+/=]{8,}(?:\\n)?[\"'`]?[ \t]*[,+]?[ \t]*")

# Words that put a line in the running for a key = value secret; cheap to search for.
HINT_RE = re.compile(r"pass|pwd|secret|token|key|auth|cred|dsn|contrase")  # on lowercased text
# The names detect-secrets' keyword plugin looks for: without one it cannot report anything.
DS_KEYWORD_RE = re.compile(r"key|pass|pwd|secret|contrase")
DS_QUOTED_RE = re.compile(r"[\"'][A-Za-z0-9+/=_-]{12,}[\"']")
KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
LONG_TOKEN_RE = re.compile(r"[A-Za-z0-9+/_-]{20,}={0,3}")
ENV_SENSITIVE = re.compile(
    r"(?i)KEY|SECRET|TOKEN|PASS|PWD|AUTH|CREDENTIAL|PRIVATE|DSN|DATABASE_URL|CONN|SALT|SIGNATURE"
)

_SPLIT = re.compile(r"[_.\-]+|(?<=[a-z0-9])(?=[A-Z])")
_PASSWORD_WORDS = ("password", "passwd", "pwd", "pass", "passphrase", "passcode", "contrasena",
                   "contraseña")
_STRONG_WORDS = frozenset({
    "secret", "secrets", "token", "tokens", "apikey", "credential", "credentials", "creds",
    "privatekey", "secretkey", "accesskey", "clientsecret", "authtoken", "accesstoken",
})
_KEY_PREFIXES = frozenset({
    "api", "access", "secret", "private", "client", "signing", "sign", "encryption", "encrypt",
    "master", "account", "storage", "app", "consumer", "shared", "hmac", "license", "service",
    "deploy", "ssh", "auth", "session", "admin", "root", "webhook", "jwt", "aes", "crypto",
})
_SAFE_LAST = frozenset({
    "id", "ids", "name", "names", "type", "types", "field", "fields", "length", "len", "size",
    "count", "file", "filename", "files", "path", "paths", "dir", "prefix", "suffix", "header",
    "headers", "param", "params", "label", "env", "var", "policy", "expiry", "expires",
    "expiration", "ttl", "timeout", "url", "uri", "urls", "endpoint", "format", "hint", "regex",
    "pattern", "input", "error", "errors", "message", "msg", "column", "col", "attr",
    "attribute", "flag", "enabled", "required", "min", "max", "rule", "rules", "strength",
    "provider", "method", "mode", "scheme", "backend", "host", "server", "domain", "port",
    "user", "username", "login", "email", "location", "ref", "source", "store", "manager",
    "validator", "reset", "confirm", "confirmation", "placeholder", "help", "class", "cls",
    "kind", "version", "index", "idx", "limit", "window", "interval", "delay", "rotation",
    "fn", "func", "callback", "handler", "check", "cache", "schema", "form", "view", "widget",
    "mock", "fixture", "dialog", "modal", "button", "icon", "visible", "hidden", "changed",
    "updated", "created", "at", "sha", "sha1", "sha256", "hash", "digest", "checksum", "commit",
    "rev", "revision", "etag", "integrity",
})
# git's empty tree and empty blob: well-known constants that look like any other hash.
_PUBLIC_VALUES = frozenset({"4b825dc642cb6eb9a060e54bf8d69288fbee4904",
                            "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"})
_NOT_SECRET_NAMES = frozenset({"PWD", "OLDPWD"})  # the shell's working directories
_HARMLESS_WORDS = frozenset({
    "true", "false", "yes", "no", "on", "off", "none", "null", "nil", "undefined", "empty",
    "required", "optional", "string", "str", "bytes", "int", "bool", "boolean", "env",
    "environ", "default", "redacted", "hidden", "masked", "todo", "tbd", "n/a", "self",
    "this",
})
_TEMPLATE_RE = re.compile(
    r"^(?:\$|%\(|%\{|\{\{|\{%|<%|#\{|@@)|\$\{|\{\{|^<[^<>]+>$|\{[A-Za-z_][\w.\[\]'\"]*\}"
    r"|^\{\}$|^%[sdr]$"
)
_EXPRESSION_RE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_MASKED_RE = re.compile(r"(.)\1+|[*xX•.#_-]+")
_NUMBER_RE = re.compile(r"[+-]?\d+(?:\.\d+)?[smhdkKMG]?")
_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
HAS_DIGIT = re.compile(r"\d")
_WORDISH = re.compile(r"[A-Z][a-z]{2,}|(?<![A-Za-z])[a-z]{3,}")
_HEX_RE = re.compile(r"[0-9a-f]+|[0-9A-F]+")
_ALNUM_RUN = re.compile(r"[A-Za-z0-9]+")
DIGEST_PREFIX = re.compile(r"(?i)^(?:sha|md)\d{1,3}[-_:]")

_ENV_NAMES = (".env", ".envrc")
_CONFIG_EXTS = frozenset({
    ".yml", ".yaml", ".ini", ".cfg", ".conf", ".cnf", ".properties", ".toml", ".env", ".json",
    ".txt", ".md", ".rst", ".tfvars", ".service", ".xml", ".plist", ".netrc", ".npmrc",
    ".pypirc", ".pgpass",
})
_CONFIG_NAMES = frozenset({
    ".netrc", "_netrc", ".npmrc", ".pypirc", ".pgpass", ".gitconfig", ".git-credentials",
    ".htpasswd", ".yarnrc", ".dockercfg", ".s3cfg", ".boto", "credentials", "config",
})
_SHELL_EXTS = frozenset({".sh", ".bash", ".zsh", ".fish", ".ps1", ".bat", ".cmd", ".mk"})
_SHELL_NAMES = frozenset({"dockerfile", "makefile", "containerfile", "procfile", "justfile"})


def file_kind(path: str | None) -> str:
    """'env', 'config', 'shell', 'code' or 'text' (unknown): decides how values are read."""
    if not path:
        return "text"
    name = PurePosixPath(path).name.lower()
    suffix = PurePosixPath(name).suffix
    if name in _ENV_NAMES or name.endswith(_ENV_NAMES) or name.startswith(".env."):
        return "env"
    if name in _CONFIG_NAMES or suffix in _CONFIG_EXTS:
        return "config"
    if suffix in _SHELL_EXTS or name in _SHELL_NAMES or name.startswith("dockerfile"):
        return "shell"
    return "code" if suffix else "text"


def is_safe_name(name: str) -> bool:
    """Names that say what kind of thing a value is, not that it is secret: ``secret_type``."""
    parts = [p.lower() for p in _SPLIT.split(name.strip("-_.$@")) if p]
    return bool(parts) and parts[-1] in _SAFE_LAST


def classify_key(key: str) -> tuple[str, str] | None:
    """('strong' | 'weak', kind) when a name holds a secret, else None.

    Strong names (``db_password``, ``client_secret``) are redacted whatever their value;
    weak ones (``auth``, ``stripe_key``) only when the value looks random.
    """
    parts = [p.lower() for p in _SPLIT.split(key.strip("-_.$@")) if p]
    if not parts or parts[-1] in _SAFE_LAST or key in _NOT_SECRET_NAMES:
        return None
    last = parts[-1]
    if any(p in _PASSWORD_WORDS or p.endswith(_PASSWORD_WORDS[:2]) for p in parts):
        return "strong", "password"
    if "aws" in parts and ("secret" in parts or last.endswith("secret")):
        return "strong", "aws-secret-key"
    if "private" in parts and last == "key" or last == "privatekey":
        return "strong", "private-key"
    if any(p in _STRONG_WORDS or p.endswith(("secret", "token", "apikey")) for p in parts):
        return "strong", "generic-api-key"
    if last == "key":
        prefix = parts[-2] if len(parts) > 1 else ""
        return ("strong" if prefix in _KEY_PREFIXES else "weak"), "generic-api-key"
    if "auth" in parts or last in ("authorization", "dsn", "signature", "salt"):
        return "weak", "generic-api-key"
    return None


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in Counter(text).values())


def _class_switches(text: str) -> float:
    """How often neighbouring characters change class (upper/lower/digit/other), per char.

    Random strings switch constantly; identifiers like ``getUserV2Config`` rarely do.
    """
    def cls(c: str) -> int:
        return 0 if c.isupper() else 1 if c.islower() else 2 if c.isdigit() else 3

    classes = [cls(c) for c in text]
    return sum(a != b for a, b in zip(classes, classes[1:], strict=False)) / max(len(text) - 1, 1)


def _word_share(token: str) -> float:
    """The share of characters in word-like runs (``Generation``, ``get``)."""
    return sum(len(w) for w in _WORDISH.findall(token)) / max(len(token), 1)


def could_be_entropic(token: str) -> bool:
    """Whether detect-secrets' entropy limits (4.5 base64, 3.0 hex) could flag ``token``."""
    if HAS_DIGIT.search(token):
        return True
    return len(token) >= 23 and not token.islower() and not token.isupper()


def looks_sorted(token: str) -> bool:
    """Option letters and alphabets ("46abcefl...") are sorted; random strings are not."""
    pairs = max(len(token) - 1, 1)
    return sum(a <= b for a, b in zip(token, token[1:], strict=False)) / pairs >= 0.8


def random_token(token: str) -> bool:
    """A 20+ character token (base64/hex alphabet) that looks generated, not written."""
    core = token.rstrip("=")
    if len(core) < 20 or DIGEST_PREFIX.match(core) or _UUID_RE.search(core) or looks_sorted(core):
        return False
    if _HEX_RE.fullmatch(core):
        # Commit ids and md5 sums are everywhere in ordinary text; longer hex is key material.
        return len(core) > 40 and entropy(core) >= 3.0
    if not HAS_DIGIT.search(core) or core.isdigit():
        return False
    if max((len(r) for r in _ALNUM_RUN.findall(core)), default=0) < 12:
        return False
    if not core.islower() and not core.isupper() and _word_share(core) >= 0.7:
        return False  # CamelCase names with a digit: Text2TextGenerationInput
    return entropy(core) >= 3.5 and _class_switches(core) >= 0.3


def is_template(value: str) -> bool:
    """``${X}``, ``{{ secrets.X }}``, ``<your-key>``, ``%(pw)s``: a reference, not a secret."""
    return bool(_TEMPLATE_RE.search(value.strip()))


def is_expression(value: str) -> bool:
    """Code on the right of ``=``: a call, an index, an attribute chain."""
    v = value.strip()
    return any(c in v for c in "([{") or bool(_EXPRESSION_RE.fullmatch(v))


def is_harmless(value: str, *, kind: str, key: str = "") -> bool:
    """Values that carry no secret: empty, booleans, numbers, templates, masks, placeholders."""
    v = value.strip().strip("\"'`")
    if len(v) < 3 or v.lower() in _HARMLESS_WORDS or v.lower() == key.lower() or \
            v in _PUBLIC_VALUES:
        return True
    if "[REDACTED:" in v and not re.sub(r"\[REDACTED:[a-z0-9-]+\]", "", v).strip(" \t\"'`,;:"):
        return True
    if is_template(v) or _MASKED_RE.fullmatch(v):
        return True
    return kind != "password" and bool(_NUMBER_RE.fullmatch(v))


def looks_random(value: str) -> bool:
    """A value under a weak name is redacted only if it looks machine-made."""
    core = "".join(value.split())
    if len(core) < 8 or is_template(core):
        return False
    if random_token(core):
        return True
    classes = sum(bool(re.search(p, core)) for p in ("[a-z]", "[A-Z]", "[0-9]", "[^A-Za-z0-9]"))
    return classes >= 3 and entropy(core) >= 3.0 and _class_switches(core) >= 0.25
