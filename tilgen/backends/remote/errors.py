"""Reading failures of an OpenAI-compatible server: what went wrong, and whether to retry.

Failures are recognised by class name: :mod:`tilgen.backends.remote.wire` raises
exceptions named like the ``openai`` SDK's (APIStatusError, APIConnectionError,
APITimeoutError, ...), the SDK's HTTP library (httpx, httpx2) names its own the same way, and
nothing has to be imported to tell them apart.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from typing import Any

from tilgen.errors import BackendError, BackendUnavailable, ContextOverflow, TilgenError

# Phrases servers use when the prompt does not fit: vLLM ("This model's maximum context
# length is …", "… is longer than the maximum model length of …"), llama.cpp ("the request
# exceeds the available context size"), llama-cpp-python ("exceed context window").
OVERFLOW_HINTS = (
    "context length", "context_length", "maximum context", "maximum model length",
    "context window", "context size", "too long", "max_tokens is too large",
    "please reduce the length",
)
MAX_RETRY_AFTER = 60.0  # a server asking for a longer wait is treated as a failure
FORMAT_HINTS = ("response_format", "json_schema", "schema", "json_object")
# Chat templates that take only alternating user/assistant turns (Gemma 1 and 2) raise these;
# vLLM answers HTTP 400 with the template's text.
ROLE_HINTS = ("system role not supported", "roles must alternate")


def status_of(exc: BaseException) -> int | None:
    return getattr(exc, "status_code", None)


def server_message(exc: BaseException, *, limit: int = 240) -> str:
    """The server's own error text, on one line and short."""
    body = getattr(exc, "body", None)
    text: Any = None
    if isinstance(body, dict):
        err = body.get("error", body)
        text = err.get("message") if isinstance(err, dict) else err
        text = text or body.get("detail") or body.get("message")
    if not text:
        text = getattr(exc, "message", None) or str(exc)
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def is_overflow(exc: BaseException) -> bool:
    status = status_of(exc)
    if status is not None and status not in (400, 413, 422):
        return False
    message = server_message(exc, limit=2000).lower()
    return any(hint in message for hint in OVERFLOW_HINTS)


def is_format_rejection(exc: BaseException) -> bool:
    """A server refusing the ``response_format`` we sent (llama-cpp-python answers 500)."""
    if status_of(exc) not in (400, 422, 500, 501):
        return False
    message = server_message(exc, limit=2000).lower()
    return any(hint in message for hint in FORMAT_HINTS) and not is_overflow(exc)


def is_role_rejection(exc: BaseException) -> bool:
    """A chat template refusing a system message or two turns of one role in a row."""
    if status_of(exc) not in (400, 422, 500):
        return False
    message = server_message(exc, limit=2000).lower()
    return any(hint in message for hint in ROLE_HINTS)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _class_names(exc: BaseException) -> set[str]:
    return {cls.__name__ for item in _chain(exc) for cls in type(item).__mro__}


def kind(exc: BaseException) -> str:
    """One of: status, connect, read_timeout, dropped, api, other."""
    names = _class_names(exc)
    if "APIStatusError" in {cls.__name__ for cls in type(exc).__mro__}:
        return "status"
    if names & {"ConnectTimeout", "ConnectError", "ConnectionRefusedError"}:
        return "connect"
    if names & {"APITimeoutError", "TimeoutException"}:
        return "read_timeout"
    if names & {"APIConnectionError", "TransportError", "NetworkError", "RemoteProtocolError"}:
        return "dropped"
    if "APIError" in names:
        return "api"  # an error event inside a stream
    return "other"


def transient(exc: BaseException) -> bool:
    """Worth another try on the same server: 429, 5xx, and failed or dropped connections
    (a pooled connection the server closed fails once with "disconnected")."""
    k = kind(exc)
    if k in ("connect", "dropped"):
        return True
    if k != "status":
        return False
    status = status_of(exc) or 0
    if is_format_rejection(exc) or is_overflow(exc):
        return False
    return status == 429 or status >= 500


def connect_reason(exc: BaseException, *, connect_timeout: float) -> str:
    names = _class_names(exc)
    text = " ".join(str(item) for item in _chain(exc)).lower()
    if "ConnectionRefusedError" in names or "refused" in text:
        return "connection refused"
    if "ConnectTimeout" in names or "timed out" in text:
        return f"no answer within {connect_timeout:g}s (remote.connect_timeout)"
    if "gaierror" in names or "name or service not known" in text or "nodename" in text:
        return "host name not found"
    return "connection failed"


def retry_after(exc: BaseException) -> float | None:
    """Seconds the server asked us to wait (``Retry-After``/``retry-after-ms``), if any."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    value = headers.get("retry-after-ms")
    if value:
        try:
            return max(float(value) / 1000.0, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def scrub(text: str, secret: str | None) -> str:
    """Never let a key the server echoed back reach a message."""
    return text.replace(secret, "****") if secret and len(secret) >= 4 else text


def to_error(exc: BaseException, url: str, *, settings: Any, has_key: bool,
             served: Callable[[], list[str]]) -> TilgenError:
    """One clear line for a failure of ``url``, naming the fix; never the key itself."""
    s = settings
    kind_, status = kind(exc), status_of(exc)
    if kind_ in ("connect", "dropped") and status is None:
        reason = connect_reason(exc, connect_timeout=s.connect_timeout)
        if kind_ == "dropped":
            reason = "the connection dropped before the answer was complete"
        return BackendUnavailable(
            f"cannot reach {url}: {reason}; start the server or set remote.base_urls "
            "(tilgen config set remote.base_urls http://HOST:8000/v1)")
    if kind_ == "read_timeout":
        return BackendUnavailable(
            f"{url} sent nothing for {s.timeout:g}s; the server is busy or the prompt is "
            f"long: raise remote.timeout (tilgen config set remote.timeout {s.timeout * 2:g})")
    message = server_message(exc)
    if is_overflow(exc):
        return ContextOverflow(
            f"the prompt does not fit the context of {url}: {message}; shorten the changes "
            "or set remote.context_length to the server's context")
    if status in (401, 403):
        var = s.api_key_env
        if not has_key:
            return BackendError(f"{url} requires an API key (HTTP {status}); set the "
                                f"environment variable {var} (named by remote.api_key_env)")
        return BackendError(f"{url} rejected the API key (HTTP {status}); put the right key "
                            f"in the environment variable {var} (named by remote.api_key_env)")
    if status == 404:
        names = served()
        if names and s.model not in names:
            return BackendError(
                f"model {s.model!r} is not served by {url}; served: "
                f"{', '.join(names)}; use one (tilgen config set remote.model {names[0]})")
        return BackendError(f"{url} answered 404 ({message}); check remote.base_urls "
                            "(it usually ends in /v1) and remote.model")
    retries = getattr(exc, "tilgen_retries", s.retries)
    tries = f"after {retries} {'retry' if retries == 1 else 'retries'}"
    wait = retry_after(exc)
    if wait is not None and wait > MAX_RETRY_AFTER:
        tries += (f" (it asked to wait {wait:.0f}s, longer than tilgen waits: "
                  f"{MAX_RETRY_AFTER:.0f}s)")
    if status == 429:
        return BackendError(f"rate limited by {url} (HTTP 429) {tries}; "
                            "try again later or add replicas to remote.base_urls")
    if status is not None and status >= 500:
        return BackendUnavailable(f"{url} failed with HTTP {status} {tries}: {message}; "
                                  "check the server's log")
    if status is not None:
        return BackendError(f"{url} rejected the request (HTTP {status}): {message}")
    return BackendError(f"{url} failed mid-answer: {message}; try again")

