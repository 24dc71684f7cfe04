"""Read a JSON answer while it is still being written.

:class:`PartialJSON` takes the answer piece by piece (as tokens stream) and keeps the value
read so far: finished strings, numbers and containers, plus the string being written, cut
where the text stops. It never raises on a cut or odd answer; what it cannot read it skips.
:func:`draft` picks out, by field name, what a reader wants to see of a note in progress.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_SCALARS = {"true": True, "false": False, "null": None}


class PartialJSON:
    """An incremental reader of one JSON object; ``value`` is what has been read so far."""

    def __init__(self) -> None:
        self.value: Any = None
        self.done = False
        self._stack: list[list[Any]] = []  # [container, key awaiting its value (dicts)]
        self._in_string = False
        self._is_key = False
        self._escape = ""  # "" | "\\" | "\\uXXX…" while an escape is being read
        self._buf: list[str] = []
        self._scalar: list[str] = []
        self._growing: list[Any] | None = None  # a list whose last string is unfinished

    def feed(self, piece: str) -> None:
        for ch in piece:
            if self.done:
                return
            if self._in_string:
                self._string_char(ch)
            else:
                self._char(ch)
        if self._in_string and not self._is_key:
            self._place("".join(self._buf), final=False)

    # -- strings ----------------------------------------------------------------------------
    def _string_char(self, ch: str) -> None:
        if self._escape:
            self._escape += ch
            if self._escape.startswith("\\u"):
                if len(self._escape) == 6:
                    try:
                        self._buf.append(chr(int(self._escape[2:], 16)))
                    except ValueError:
                        pass
                    self._escape = ""
            elif ch == "u":
                pass
            else:
                self._buf.append(_ESCAPES.get(ch, ch))
                self._escape = ""
        elif ch == "\\":
            self._escape = "\\"
        elif ch == '"':
            self._in_string = False
            text = "".join(self._buf)
            self._buf = []
            if self._is_key:
                self._stack[-1][1] = text
            else:
                self._place(text, final=True)
        else:
            self._buf.append(ch)

    # -- structure --------------------------------------------------------------------------
    def _char(self, ch: str) -> None:
        if self._scalar and (ch in ",}] \t\r\n"):
            self._end_scalar()
        if ch == '"':
            if not self._stack:
                return  # text before the object
            top = self._stack[-1]
            self._in_string, self._buf = True, []
            self._is_key = isinstance(top[0], dict) and top[1] is None
        elif ch in "{[":
            container: Any = {} if ch == "{" else []
            if self._stack:
                self._place(container, final=True)
            elif ch == "{":
                self.value = container
            else:
                return  # only an object is a note
            self._stack.append([container, None])
        elif ch in "}]":
            if self._stack:
                self._stack.pop()
                if not self._stack:
                    self.done = True
        elif ch in ",: \t\r\n":
            return
        elif self._stack:
            self._scalar.append(ch)

    def _end_scalar(self) -> None:
        word, self._scalar = "".join(self._scalar), []
        if word in _SCALARS:
            self._place(_SCALARS[word], final=True)
            return
        try:
            self._place(float(word) if any(c in word for c in ".eE") else int(word), final=True)
        except ValueError:
            pass

    def _place(self, value: Any, *, final: bool) -> None:
        """Put ``value`` in the open container; an unfinished string is placed again as it grows."""
        if not self._stack:
            return
        top = self._stack[-1]
        container = top[0]
        if isinstance(container, dict):
            if top[1] is None:
                return
            container[top[1]] = value
            if final:
                top[1] = None
        else:
            growing = self._growing
            if growing is not None and growing is container:
                growing[-1] = value
            else:
                container.append(value)
            self._growing = None if final else container


@dataclass
class Draft:
    """What a reader sees of a note being written; ``known`` is False for an unknown shape."""

    title: str = ""
    keywords: list[str] = field(default_factory=list)
    points: list[str] = field(default_factory=list)
    known: bool = False


def draft(value: Any) -> Draft:
    """The title, keywords and points (or Markdown bullets) of a partial answer, by field name.

    Knows the points answer (``topic``, ``keywords``, ``points`` of ``{"text": …}`` or of
    strings) and the direct one (``title``, ``keywords``, Markdown ``content``); anything else
    gives ``known=False`` and the caller shows a plain counter.
    """
    out = Draft()
    if not isinstance(value, dict):
        return out
    title = value.get("topic", value.get("title"))
    if isinstance(title, str):
        out.title, out.known = title, True
    keywords = value.get("keywords")
    if isinstance(keywords, list):
        out.keywords = [k for k in keywords if isinstance(k, str) and k]
        out.known = True
    points = value.get("points")
    if isinstance(points, list):
        out.known = True
        for item in points:
            text = item.get("text") if isinstance(item, dict) else item
            if isinstance(text, str) and text.strip():
                out.points.append(text.strip())
    content = value.get("content")
    if isinstance(content, str):
        out.known = True
        for line in content.splitlines():
            line = line.strip()
            if line.startswith(("- ", "* ")) and line[2:].strip():
                out.points.append(line[2:].strip())
    return out
