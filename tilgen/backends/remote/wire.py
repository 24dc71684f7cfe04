"""The OpenAI-compatible HTTP API, spoken with the standard library.

The remote backend needs four calls: GET /v1/models, a streamed POST /v1/chat/completions and
two JSON POSTs (/tokenize). The ``openai`` SDK answers them too, but importing it costs about
0.45 s of CPU on a laptop core (it builds some 2,000 pydantic models), which was most of a
remote note's client cost; ``http.client`` costs a few milliseconds. The surface kept here is
the SDK's (``client.chat.completions.create(**params)``, ``client.get/post(path,
cast_to=object)``), and so are the names of the exceptions, which
:mod:`tilgen.backends.remote.errors` reads.
"""

from __future__ import annotations

import http.client
import json
import ssl
import threading
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass


class APIError(Exception):
    def __init__(self, message: str, *, body: Any = None) -> None:
        super().__init__(message)
        self.message, self.body = message, body


class APIStatusError(APIError):
    """An HTTP error status; ``body`` is the parsed JSON error when there is one."""

    def __init__(self, message: str, *, status_code: int, body: Any, headers: Any) -> None:
        super().__init__(message, body=body)
        self.status_code = status_code
        self.response = SimpleNamespace(status_code=status_code, headers=headers)


class APIConnectionError(APIError):
    pass


class ConnectError(APIConnectionError):
    pass


class ConnectTimeout(APIConnectionError):
    pass


class APITimeoutError(APIConnectionError):
    """No byte within the read timeout."""


class RemoteProtocolError(APIConnectionError):
    """The connection dropped before the answer was complete."""


class Record(SimpleNamespace):
    """A JSON object read by attribute; a field the server left out reads as None, as the
    SDK's models do (a chunk's delta may be ``{}``)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return None


def _namespace(data: dict[str, Any]) -> Record:
    return Record(**data)


class Stream:
    """Server-sent chat-completion chunks as attribute objects; ``close()`` frees the socket."""

    def __init__(self, response: http.client.HTTPResponse, done: Any) -> None:
        self._response, self._done = response, done
        self._finished = False

    def __iter__(self) -> Iterator[Any]:
        try:
            while True:
                line = self._response.readline()
                if not line:
                    if self._response.length:  # a body cut short of its Content-Length
                        raise RemoteProtocolError("the connection dropped mid-answer")
                    return
                if not line.startswith(b"data:"):
                    continue
                data = line[5:].strip()
                if data == b"[DONE]":
                    self._finished = True
                    return
                chunk = json.loads(data, object_hook=_namespace)
                error = getattr(chunk, "error", None)
                if error is not None:
                    message = getattr(error, "message", None) or str(error)
                    raise APIError(message, body={"error": {"message": message}})
                yield chunk
        except TimeoutError as exc:
            raise APITimeoutError("no answer within the read timeout") from exc
        except (http.client.HTTPException, OSError) as exc:
            raise RemoteProtocolError(f"the connection dropped: {exc}") from exc

    def close(self) -> None:
        if self._finished:  # read the end of the body so the connection can serve again
            try:
                self._response.read()
            except (http.client.HTTPException, OSError):
                pass
        self._done(self._response)


class Client:
    """One server (a base URL ending in /v1). Idle connections are kept for the next call;
    any number of threads may share a client."""

    def __init__(self, base_url: str, *, api_key: str, timeout: float,
                 connect_timeout: float) -> None:
        parts = urlsplit(base_url.rstrip("/"))
        self.base_url = base_url.rstrip("/")
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (443 if self._https else 80)
        self._prefix = parts.path
        self._headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json",
                         "User-Agent": "tilgen"}
        self._timeout, self._connect_timeout = timeout, connect_timeout
        # HTTP(S)_PROXY and NO_PROXY, as the SDK's HTTP library honours them.
        self._proxy = _proxy(parts.scheme, self._host)
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self.chat = SimpleNamespace(completions=SimpleNamespace(create=self._create))

    # -- the SDK's surface -------------------------------------------------------------
    def get(self, path: str, *, cast_to: Any = object) -> Any:
        return self._json("GET", path, None)

    def post(self, path: str, *, body: Any = None, cast_to: Any = object) -> Any:
        return self._json("POST", path, body)

    def _create(self, *, extra_body: dict[str, Any] | None = None, **params: Any) -> Any:
        body = {**params, **(extra_body or {})}
        response = self._send("POST", "/chat/completions", body)
        if not body.get("stream"):
            return json.loads(self._read(response), object_hook=_namespace)
        return Stream(response, self._release)

    # -- plumbing ----------------------------------------------------------------------
    def _url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            split = urlsplit(path)
            path = split.path + (f"?{split.query}" if split.query else "")
        else:
            path = self._prefix + path
        if self._proxy and not self._https:  # a plain-HTTP proxy takes the whole URL
            return f"http://{self._host}:{self._port}{path}"
        return path

    def _connection(self) -> http.client.HTTPConnection:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        host, port = self._proxy or (self._host, self._port)
        if self._https:
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                host, port, timeout=self._connect_timeout, context=ssl.create_default_context())
            if self._proxy:  # through a CONNECT tunnel
                conn.set_tunnel(self._host, self._port)
            return conn
        return http.client.HTTPConnection(host, port, timeout=self._connect_timeout)

    def _release(self, response: http.client.HTTPResponse) -> None:
        conn = getattr(response, "_tilgen_conn", None)
        if conn is None:
            return
        response._tilgen_conn = None  # type: ignore[attr-defined]
        if response.isclosed() and not response.will_close:
            with self._lock:
                self._idle.append(conn)
        else:
            conn.close()

    def _send(self, method: str, path: str, body: Any) -> http.client.HTTPResponse:
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = dict(self._headers)
        if data is not None:
            headers["Content-Type"] = "application/json"
        for reused in (True, False):
            conn = self._connection() if reused else self._fresh()
            fresh = conn.sock is None
            try:
                if fresh:
                    self._connect(conn)
                conn.request(method, self._url(path), body=data, headers=headers)
                response = conn.getresponse()
            except (TimeoutError, APIConnectionError) as exc:
                conn.close()
                if isinstance(exc, APIConnectionError):
                    raise
                raise APITimeoutError("no answer within the read timeout") from exc
            except (http.client.HTTPException, OSError) as exc:
                conn.close()
                if not fresh:  # a kept connection the server had closed: once more, anew
                    continue
                raise RemoteProtocolError(f"the connection dropped: {exc}") from exc
            break
        response._tilgen_conn = conn  # type: ignore[attr-defined]
        if response.status >= 400:
            text = self._read(response)
            raise _status_error(response, text)
        return response

    def _fresh(self) -> http.client.HTTPConnection:
        with self._lock:
            stale, self._idle = self._idle, []
        for conn in stale:
            conn.close()
        return self._connection()

    def _connect(self, conn: http.client.HTTPConnection) -> None:
        try:
            conn.connect()
        except TimeoutError as exc:
            raise ConnectTimeout(f"no connection within {self._connect_timeout:g}s") from exc
        except OSError as exc:
            raise ConnectError(f"connection failed: {exc}") from exc
        conn.sock.settimeout(self._timeout)

    def _read(self, response: http.client.HTTPResponse) -> bytes:
        try:
            return response.read()
        except TimeoutError as exc:
            raise APITimeoutError("no answer within the read timeout") from exc
        except (http.client.HTTPException, OSError) as exc:
            raise RemoteProtocolError(f"the connection dropped: {exc}") from exc
        finally:
            self._release(response)

    def _json(self, method: str, path: str, body: Any) -> Any:
        text = self._read(self._send(method, path, body))
        return json.loads(text)  # not JSON: ValueError, as the SDK raises


def _proxy(scheme: str, host: str) -> tuple[str, int] | None:
    """(host, port) of the proxy for ``scheme``://``host``, or None."""
    url = getproxies().get(scheme)
    if not url or proxy_bypass(host):
        return None
    parts = urlsplit(url if "://" in url else f"http://{url}")
    return (parts.hostname or "localhost", parts.port or 80) if parts.hostname else None


def _status_error(response: http.client.HTTPResponse, text: bytes) -> APIStatusError:
    try:
        body: Any = json.loads(text)
    except ValueError:
        body = text.decode("utf-8", "replace")
    err = body.get("error", body) if isinstance(body, dict) else body
    message = err.get("message") if isinstance(err, dict) else None
    message = message or (body.get("detail") if isinstance(body, dict) else None) or str(err)
    return APIStatusError(f"Error code: {response.status} - {message}",
                          status_code=response.status, body=body, headers=response.headers)
