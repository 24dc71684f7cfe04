"""The dotted setting keys (``backend``, ``embedded.n_ctx``...), their types, and parsing.

Shared by :mod:`tilgen.config.layers` (reading layers) and :mod:`tilgen.config.edit` (writing files),
so a value is judged the same way wherever it comes from.
"""

from __future__ import annotations

import difflib
import re
import types
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from tilgen.errors import ConfigError
from tilgen.config.settings import Settings


def _collect() -> tuple[dict[str, FieldInfo], tuple[str, ...]]:
    fields: dict[str, FieldInfo] = {}
    sections: list[str] = []
    for name, info in Settings.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            sections.append(name)
            for sub, sub_info in ann.model_fields.items():
                fields[f"{name}.{sub}"] = sub_info
        else:
            fields[name] = info
    return fields, tuple(sections)


FIELDS, SECTIONS = _collect()
KEYS: tuple[str, ...] = tuple(FIELDS)


def env_name(key: str) -> str:
    """``embedded.n_ctx`` -> ``TILGEN_EMBEDDED_N_CTX``."""
    return "TILGEN_" + key.replace(".", "_").upper()


ENV_KEYS: dict[str, str] = {env_name(key): key for key in KEYS}

# Names that hold credentials. Only string values count, so `max_token = 100` is a typo, not
# a leaked secret.
_SECRET_NAME = re.compile(
    r"(^|_)(api_?key|key|token|access_?key|secret|password|passwd|credentials?)s?$", re.I
)
_PLAIN = re.compile(r"-?\d+(\.\d*)?|true|false|none|null", re.I)


def looks_secret(key: str, value: Any) -> bool:
    if key in FIELDS or not isinstance(value, str) or _PLAIN.fullmatch(value.strip()):
        return False
    return bool(_SECRET_NAME.search(key.rsplit(".", 1)[-1]))


def secret_message(key: str, origin: str) -> str:
    default_env = FIELDS["remote.api_key_env"].get_default()
    return (
        f"{origin}: key '{key}' looks like a secret, and secrets do not belong in config files; "
        f"remove it and put the value in the environment variable named by remote.api_key_env "
        f"(default {default_env}) or the OS keyring"
    )


def suggest(name: str) -> str | None:
    """The known key closest to ``name``, if any is close enough to be a typo."""
    tail = name.rsplit(".", 1)[-1]
    same_tail = [key for key in KEYS if key.rsplit(".", 1)[-1] == tail]
    if len(same_tail) == 1 and same_tail[0] != name:
        return same_tail[0]  # `n_ctx` at the top level instead of under [embedded]
    match = difflib.get_close_matches(name, KEYS + SECTIONS, n=1, cutoff=0.6)
    if match:
        return match[0]
    tails: dict[str, str] = {}
    for key in KEYS:
        tails.setdefault(key.rsplit(".", 1)[-1], key)
    match = difflib.get_close_matches(tail, list(tails), n=1, cutoff=0.75)
    return tails[match[0]] if match else None


def unknown_key_message(key: str) -> str:
    hint = suggest(key)
    did_you_mean = f"; did you mean '{hint}'?" if hint else ";"
    return f"unknown key '{key}'{did_you_mean} (valid keys: tilgen config show)"


def _unwrap_optional(ann: Any) -> tuple[Any, bool]:
    if get_origin(ann) in (Union, types.UnionType):
        args = [arg for arg in get_args(ann) if arg is not type(None)]
        if len(args) == 1:
            return args[0], True
    return ann, False


def describe(key: str) -> str:
    """What ``key`` accepts, e.g. ``an integer ≥ 512 and ≤ 131072``."""
    info = FIELDS[key]
    ann, optional = _unwrap_optional(info.annotation)
    if get_origin(ann) is Literal:
        text = "one of " + ", ".join(repr(choice) for choice in get_args(ann))
    elif ann is bool:
        text = "true or false"
    elif ann in (int, float):
        text = "an integer" if ann is int else "a number"
        bounds = []
        for item in info.metadata:
            for attr, sign in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
                if getattr(item, attr, None) is not None:
                    bounds.append(f"{sign} {getattr(item, attr)}")
        if bounds:
            text += " " + " and ".join(bounds)
    elif get_origin(ann) is list:
        text = "a list of strings"
    else:
        text = "a string"
    return text + (" (or none to unset)" if optional else "")


def show(value: Any) -> str:
    """A value as it appears in an error message."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = repr(value)
    else:
        text = repr(value) if isinstance(value, (list, dict)) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def to_text(value: Any) -> str:
    """A value as `tilgen config get` prints it: plain, script-friendly."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


def default_of(key: str) -> Any:
    return FIELDS[key].get_default(call_default_factory=True)


def value_of(settings: Settings, key: str) -> Any:
    obj: Any = settings
    for part in key.split("."):
        obj = getattr(obj, part)
    return obj


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """``{"embedded.n_ctx": 1}`` -> ``{"embedded": {"n_ctx": 1}}``."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        section, _, field = key.rpartition(".")
        (out.setdefault(section, {}) if section else out)[field] = value
    return out


def validate(key: str, value: Any, *, origin: str, shown: Any = None) -> Any:
    """Check ``value`` for ``key`` with the settings model; return it as the model keeps it."""
    try:
        model = Settings.model_validate(nest({key: value}))
    except ValidationError as exc:
        own = [e["ctx"]["error"] for e in exc.errors() if e["type"] == "value_error"]
        if own:  # a rule of the model's own (note_filename): its message says more
            raise ConfigError(f"{origin}: key '{key}': {own[0]}") from None
        got = show(value if shown is None else shown)
        raise ConfigError(f"{origin}: key '{key}': expected {describe(key)}, got {got}") from None
    return value_of(model, key)


_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def parse_raw(key: str, raw: str, *, origin: str) -> Any:
    """Turn text from the environment or `config set` into a validated value for ``key``."""
    ann, optional = _unwrap_optional(FIELDS[key].annotation)
    text = raw.strip()
    if optional and text.lower() in ("none", "null"):
        return None
    value: Any = raw
    try:
        if ann is bool:
            if text.lower() not in _TRUE | _FALSE:
                raise ValueError(raw)
            value = text.lower() in _TRUE
        elif ann is int:
            value = int(text)
        elif ann is float:
            value = float(text)
        elif get_origin(ann) is list:
            value = _parse_list(text)
        elif get_origin(ann) is Literal:
            value = text
    except ValueError:
        got = show(raw)
        raise ConfigError(f"{origin}: key '{key}': expected {describe(key)}, got {got}") from None
    return validate(key, value, origin=origin, shown=raw)


def _parse_list(text: str) -> list[Any]:
    if not text.startswith("["):
        return [part.strip() for part in text.split(",") if part.strip()]
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        value = tomlkit.parse(f"value = {text}\n").unwrap()["value"]
    except TOMLKitError:
        raise ValueError(text) from None
    if not isinstance(value, list):
        raise ValueError(text)
    return value
