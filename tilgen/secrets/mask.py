"""Credentials written into URLs (``https://user:password@host``) and API keys, masked for
every message, log line, state file and table that could show them."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

# scheme://user:password@ anywhere in a text; the user name stays, the password goes.
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s/@:]*):([^\s/]*)@")


def mask_secret(value: str) -> str:
    return "****" + value[-4:] if len(value) >= 16 else "****"


def mask_url(url: str) -> str:
    """Hide a password written into a URL (``https://user:pw@host`` -> ``user:****@host``)."""
    try:
        parts = urlsplit(url)
        password, port = parts.password, parts.port
    except ValueError:
        return mask_urls_in(url)
    if password is None:
        return mask_urls_in(url)
    netloc = f"{parts.username or ''}:****@{parts.hostname or ''}"
    if port:
        netloc += f":{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def mask_urls_in(text: str) -> str:
    """``text`` with the password of every URL in it masked."""
    return _URL_PASSWORD.sub(r"\1:****@", text) if "@" in text else text
