"""Build the chat messages sent to a model.

The system message is static (byte-identical for every note of a given language and mode),
and the changes come last, so llama.cpp and vLLM can reuse the cached prompt prefix.
"""

from __future__ import annotations

from dataclasses import dataclass

from tilgen.git.changes import ChangeSet, FileChange, Hunk

PROMPT_VERSION = "til-2026.12-1"

RULES_KO = """\
You write a "Today I Learned" (TIL) note in Korean from a developer's code changes.

Rules:
- Write in formal Korean (합니다/입니다 style). Code identifiers stay in English inside backticks.
- Explain what the changes teach: the technique, API or idea behind them, and why it matters.
- Mention potential accessibility, scalability or maintainability issues where they apply.
- For transient styled props such as `$isExpanded` or `$isDisabled`, explain their role and
  recommend how to manage that state.
- Lines added in new files (hunks starting with `@@ -0,0 +`) are new code: analyse them with care.
- No personal expressions: never write "I think", "I learned", "저는", "제가".
- Only describe what the changes show; never invent files, functions or behaviour.
"""

POINTS_FORMAT_KO = """\
Answer with one JSON object of this shape:
{"topic": "...", "keywords": ["...", "..."], "points": [{"text": "...", "hunk": 1}, {"text": "...", "hunk": 2}]}
- topic: a short Korean phrase (at most 30 characters) naming the main lesson of THESE
  changes, not only the language name (no date, no period).
- keywords: 1 to 3 Korean keywords of one or two words each, about these changes.
- points: 2 to 5 distinct lessons taken from the changes below. Each "text" is ONE formal
  Korean sentence ending with "다." (for example "...을 사용하여 ...을 개선합니다."); put code
  identifiers from the changes in backticks. Each "hunk" is the number N of the hunk [#N]
  whose code best supports the point (0 if none). Prefer points about different hunks.
"""

DIRECT_FORMAT_KO = """\
Answer with one JSON object with exactly these keys:
- "title": "YYYY-MM-DD TIL - " followed by a short Korean topic, using the date given below.
- "keywords": 1 to 3 Korean keywords of one or two words each.
- "content": Markdown. The first line is "# YYYY-MM-DD TIL". Then a bullet list ("- ") in formal
  Korean where every bullet ends with a period. Put the relevant code snippet, copied exactly
  from the changes, in a fenced code block right after the bullet it supports.
"""

RULES_EN = RULES_KO.replace("in Korean", "in English").replace(
    "- Write in formal Korean (합니다/입니다 style). Code identifiers stay in English inside "
    "backticks.\n",
    "- Write in formal, impersonal English. Put code identifiers inside backticks.\n",
)
POINTS_FORMAT_EN = """\
Answer with one JSON object:
{"topic": "short topic", "keywords": ["keyword", "two words"], "points": [{"text": "One sentence.", "hunk": 1}]}
- topic: a short phrase naming the main lesson (not only the language name).
- points: 2 to 5 distinct lessons, each ONE formal English sentence ending with a period; "hunk"
  is the number of the hunk [#N] that supports it (0 if none).
"""
DIRECT_FORMAT_EN = DIRECT_FORMAT_KO.replace("Korean", "English")


@dataclass
class Prompt:
    system: str
    user: str
    hunks: list[tuple[FileChange, Hunk]]  # index i -> hunk [#i+1]
    version: str = PROMPT_VERSION

    def messages(self) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]

    def text(self) -> str:
        return f"[system]\n{self.system}\n[user]\n{self.user}"


def system_prompt(*, language: str = "ko", mode: str = "points") -> str:
    if language == "ko":
        return RULES_KO + "\n" + (POINTS_FORMAT_KO if mode == "points" else DIRECT_FORMAT_KO)
    return RULES_EN + "\n" + (POINTS_FORMAT_EN if mode == "points" else DIRECT_FORMAT_EN)


def language_line(languages: list[str]) -> str:
    if not languages:
        return "The changes are mostly configuration or text files."
    names = " and ".join(f"**{lang}**" for lang in languages)
    return (
        f"The programming language used in the code diff is {names}; "
        "use its terminology and idioms."
    )


def render_changes(cs: ChangeSet) -> tuple[str, list[tuple[FileChange, Hunk]]]:
    """The changes section: commit subjects, files, then numbered hunks."""
    out: list[str] = []
    if cs.commits:
        out.append("Commits:")
        out += [f"- {c.short} {c.subject}" + (" (merge)" if c.is_merge else "") for c in cs.commits]
    out.append("Files:")
    for f in cs.files:
        counts = f" (+{f.added} -{f.removed})" if f.hunks else ""
        out.append(f"- {f.describe()}{counts}" + (f" [{f.note}]" if f.note else ""))
    if cs.omitted:
        out.append("Omitted from this prompt:")
        out += [f"- {item}" for item in cs.omitted]
    out.append("Changes:")
    hunks: list[tuple[FileChange, Hunk]] = []
    for f in cs.files:
        for h in f.hunks:
            hunks.append((f, h))
            out.append(f"[#{len(hunks)}] {f.path}")
            out.append(h.text())
    return "\n".join(out), hunks


def changes_text(cs: ChangeSet) -> str:
    """Renderer used when fitting a change set into a token budget."""
    return render_changes(cs)[0]


def build_prompt(
    cs: ChangeSet, *, languages: list[str], language: str = "ko", mode: str = "points"
) -> Prompt:
    changes, hunks = render_changes(cs)
    head = [
        f"Date: {cs.date.isoformat()}",
        f"Repository: {cs.repo_name}",
        f"Source: {cs.source}",
        language_line(languages),
        "",
        changes,
        "",
        "Write the JSON answer now."
        + (" (Korean prose, formal style.)" if language == "ko" else ""),
    ]
    return Prompt(system=system_prompt(language=language, mode=mode), user="\n".join(head),
                  hunks=hunks)
