"""Structured output over HTTP: the ``response_format`` each request mode sends, and which
mode each server accepted (remembered for a week, see ``state``)."""

from __future__ import annotations

import json
from typing import Any

from tilgen.backends.base import GenerationRequest
from tilgen.backends.remote import state

# Structured-output requests, most to least precise. vLLM takes the first; llama-cpp-python's
# server rejects it (HTTP 500) but honours the second; the last two only ask for JSON.
MODES = ("json_schema", "json_object_schema", "json_object", "none")
# The probe asks for {"ok": true} in words but sends a schema that demands another key: a
# server that silently drops the schema (vLLM does with json_object + schema) answers what
# was asked, one that enforces it cannot.
PROBE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"checked": {"type": "boolean"}},
    "required": ["checked"],
    "additionalProperties": False,
}
SCHEMA_MODES = ("json_schema", "json_object_schema")


def params(request: GenerationRequest, mode: str, *, model: str) -> dict[str, Any]:
    """The chat-completion arguments of ``request``, streamed, in structured-output ``mode``."""
    out: dict[str, Any] = {
        "model": model, "messages": request.messages,
        "max_tokens": request.max_tokens, "temperature": request.temperature,
        "top_p": request.top_p, "stream": True, "stream_options": {"include_usage": True},
    }
    if request.seed is not None:
        out["seed"] = request.seed
    if request.repeat_penalty != 1.0:
        out["extra_body"] = {"repetition_penalty": request.repeat_penalty}  # vLLM's name
    schema = request.json_schema
    if mode == "json_schema":
        out["response_format"] = {"type": "json_schema", "json_schema": {
            "name": request.schema_name, "schema": schema, "strict": True}}
    elif mode == "json_object_schema":
        out["response_format"] = {"type": "json_object", "schema": schema}
    elif mode == "json_object":
        out["response_format"] = {"type": "json_object"}
    return out


class ModeMemory:
    """The mode each server accepted, in this process and on disk."""

    def __init__(self, model: str) -> None:
        self.model = model
        self._modes: dict[str, str] = {}

    def modes_for(self, url: str, request: GenerationRequest) -> list[str]:
        """The modes to try on ``url``, from the one it accepted last time down."""
        if request.json_schema is None:
            return ["none"]
        known = self._modes.get(url) or state.load_mode(url, self.model)
        return list(MODES[MODES.index(known):] if known in MODES else MODES)

    def remember(self, url: str, mode: str) -> None:
        if self._modes.get(url) != mode:
            self._modes[url] = mode
            state.save_mode(url, self.model, mode)


def probe_request() -> GenerationRequest:
    """A tiny request whose answer shows whether a mode really holds to the schema."""
    return GenerationRequest(
        messages=[{"role": "system", "content": "You answer with JSON only."},
                  {"role": "user", "content": 'Reply with exactly {"ok": true}'}],
        json_schema=PROBE_SCHEMA, schema_name="probe", max_tokens=16, temperature=0.0,
        top_p=1.0, repeat_penalty=1.0, seed=0)


def honoured(mode: str, text: str) -> bool:
    """Whether an answer in ``mode`` shows the mode held: a schema mode's answer follows the
    probe schema, a JSON mode's answer is a JSON object."""
    try:
        data = json.loads(text)
    except ValueError:
        return False
    if mode in SCHEMA_MODES:
        return (isinstance(data, dict) and set(data) == {"checked"}
                and isinstance(data["checked"], bool))
    return isinstance(data, dict)
