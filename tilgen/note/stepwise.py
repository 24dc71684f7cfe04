"""The answers of a note written point by point (see :func:`tilgen.compose.write_note`): its
topic and keywords in one, each planned point in one of its own."""

from __future__ import annotations

from typing import Any

from tilgen.note.schema import Planned, title_properties

# The English reason of a point written alone: printable ASCII as in one answer (the 0.5B
# wrote Chinese otherwise), but shorter: alone, the 1.5B ran every one to its 200 characters.
EN_SHORT = r"^[ !#-\[\]-~]{8,140}$"


def title_schema(language: str = "ko") -> dict[str, Any]:
    """The note's topic and keywords alone (the first answer of a note written point by
    point)."""
    properties = title_properties(language)
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}


def point_schema(focus: Planned, language: str = "ko") -> dict[str, Any]:
    """One planned point alone: its English reason (Korean notes) and its sentence."""
    properties: dict[str, Any] = {
        **({"en": {"type": "string", "pattern": EN_SHORT}} if language == "ko" else {}),
        "text": {"type": "string", "pattern": focus.sentence(language)},
    }
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}
