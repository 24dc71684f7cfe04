"""Chat messages in the shape a server's chat template takes."""

from __future__ import annotations


def fold_messages(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """The same conversation as alternating user/assistant turns, starting with the user:
    the system message leads the first user message, and turns of one role in a row merge."""
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    turns: list[dict[str, str]] = []
    for m in messages:
        if m["role"] == "system":
            continue
        if turns and turns[-1]["role"] == m["role"]:
            turns[-1] = {**turns[-1], "content": turns[-1]["content"] + "\n\n" + m["content"]}
        else:
            turns.append(dict(m))
    if system:
        if turns and turns[0]["role"] == "user":
            turns[0] = {**turns[0], "content": system + "\n\n" + turns[0]["content"]}
        else:
            turns.insert(0, {"role": "user", "content": system})
    return turns
