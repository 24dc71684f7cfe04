"""Build the chat messages sent to a model.

The system message is static (byte-identical for every note of a given language and mode),
and the changes come last, so llama.cpp and vLLM can reuse the cached prompt prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tilgen.git.changes import ChangeSet, FileChange, Hunk, reverted_subject
from tilgen.note import declarations, evidence
from tilgen.note.focus import Focus, plan
from tilgen.note.ranking import message_words

PROMPT_VERSION = "til-2026.12-18"

RULES_KO = """\
You write a "Today I Learned" (TIL) note in Korean from a developer's code changes.

How to read the changes:
- Each hunk [#N] is a unified diff, introduced by one line saying where it is and what it
  removed and added. Lines starting with "-" are OLD code that the change DELETED; lines
  starting with "+" are NEW code that it ADDED; other lines are unchanged context.
- "names gone" no longer exist after the change: never present them, or removed lines, as new.
  "swapped" lists each name the change replaced and the name that took its place. Describe the code as it is AFTER the change,
  compared with what it was before.

Rules:
- Every point teaches one concrete fact of THESE changes: name the functions, types, fields or
  options involved in backticks, say what they do now, and why it matters (the bug fixed, the
  behaviour kept, the benefit to callers or readers).
- Prefer the hunks with replacements, new names or names gone. A point about a replacement
  names both the old and the new name; a point about removed code says it was removed.
- Only state what the diff shows. No numbers that are not in the code (no commit, PR, issue or
  line numbers), no dates, nothing about the commit, its author or the project, no general
  remarks about the language.
- Write in formal Korean (합니다/입니다 style). Code identifiers stay in English inside
  backticks: never translate or spell an identifier in Hangul.
- Mention accessibility, scalability or maintainability issues only where the diff shows them.
- For transient styled props such as `$isExpanded` or `$isDisabled`, explain their role and
  recommend how to manage that state.
- No personal expressions: never write "I think", "I learned", "저는", "제가".
"""

POINTS_FORMAT_KO = """\
Answer with one JSON object of this shape:
{"topic": "...", "keywords": ["...", "..."], "points": [{"hunk": 1, "en": "...", "text": "..."}]}
- topic: a short Korean phrase (at most 30 characters) naming the main lesson of THESE
  changes, not only the language name (no date, no period).
- keywords: 1 to 3 Korean keywords of one or two words each, about these changes.
- points: one per line of the plan given after the changes, in that order. "hunk" is the
  number N of the hunk [#N] the plan line names. "en" is your own English sentence (not the
  plan line): what that hunk's code does now compared with before, then why ("so that", "because", "to avoid" …:
  the bug fixed, the behaviour kept, what callers gain; the author's words given after the
  plan, where they explain this hunk), identifiers verbatim. "text" says
  the same, the reason too, as ONE formal Korean sentence ending with "다.", beginning with
  the name the plan line gives, code identifiers from the changes in backticks.
"""

DIRECT_FORMAT_KO = """\
Answer with one JSON object with exactly these keys:
- "title": "YYYY-MM-DD TIL - " followed by a short Korean topic, using the date given below.
- "keywords": 1 to 3 Korean keywords of one or two words each.
- "content": Markdown. The first line is "# YYYY-MM-DD TIL". Then a bullet list ("- ") in formal
  Korean where every bullet ends with a period. Put the relevant code snippet, copied exactly
  from the changes, in a fenced code block right after the bullet it supports.
"""

_KOREAN_STYLE = ("- Write in formal Korean (합니다/입니다 style). Code identifiers stay in English "
                 "inside\n  backticks: never translate or spell an identifier in Hangul.\n")
RULES_EN = RULES_KO.replace("in Korean", "in English").replace(
    _KOREAN_STYLE, "- Write in formal, impersonal English. Put code identifiers inside backticks.\n")
POINTS_FORMAT_EN = """\
Answer with one JSON object:
{"topic": "short topic", "keywords": ["keyword", "two words"], "points": [{"text": "One sentence.", "hunk": 1}]}
- topic: a short phrase naming the main lesson (not only the language name).
- points: one per line of the plan given after the changes, in that order, each ONE formal
  English sentence ending with a period, beginning with the name the plan line gives; "hunk"
  is the number of the hunk [#N] the plan line names.
"""
DIRECT_FORMAT_EN = DIRECT_FORMAT_KO.replace("Korean", "English")


@dataclass
class Prompt:
    system: str
    user: str
    hunks: list[tuple[FileChange, Hunk]]  # index i -> hunk [#i+1]
    version: str = PROMPT_VERSION
    focus: list[Focus] = field(default_factory=list)  # the points to write (points mode)
    korean: bool = True

    def messages(self) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]

    def title_messages(self) -> list[dict[str, str]]:
        """The same changes, asking for the note's topic and keywords alone."""
        return self._ending('Write only the note\'s topic and keywords now, as one JSON object '
                            '{"topic": "...", "keywords": ["..."]}.')

    def point_messages(self, k: int) -> list[dict[str, str]]:
        """The same changes, asking for the ``k``-th planned point alone (0-based)."""
        line = self.focus[k].plan_line()
        fields = '{"en": "...", "text": "..."}' if self.korean else '{"text": "..."}'
        return self._ending(f"Write only point {k + 1} of the plan now ({line}), as one JSON "
                            f"object {fields}.")

    def _ending(self, request: str) -> list[dict[str, str]]:
        # the changes and plan are a prefix every request shares (cached by llama.cpp, vLLM)
        head = self.user.rsplit("\n", 1)[0]
        tail = " (Korean prose, formal style.)" if self.korean else ""
        return [{"role": "system", "content": self.system},
                {"role": "user", "content": f"{head}\n{request}{tail}"}]

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
        for c in cs.commits:
            out.append(f"- {c.short} {c.subject}" + (" (merge)" if c.is_merge else ""))
            out += [f"  {line}" for line in message_body(c.body)]
    out.append("Files:")
    for f in cs.files:
        counts = f" (+{f.added} -{f.removed})" if f.hunks else ""
        out.append(f"- {f.describe()}{counts}" + (f" [{f.note}]" if f.note else ""))
    if cs.omitted:
        out.append("Omitted from this prompt:")
        out += [f"- {item}" for item in cs.omitted]
    out.append("Changes:")
    hunks: list[tuple[FileChange, Hunk]] = []
    moved = evidence.moves([(f.path, f.hunks) for f in cs.files])
    for fi, f in enumerate(cs.files):
        for hi, h in enumerate(f.hunks):
            hunks.append((f, h))
            code = f.language not in evidence.PROSE_LANGUAGES
            line = evidence.describe(h, moved.get((fi, hi), ""), code=code,
                                     modifiers=declarations.said(h) if code else [],
                                     where=declarations.scope(h))
            out.append(f"[#{len(hunks)}] {f.path}: {line}")
            out.append(evidence.body(h))
    return "\n".join(out), hunks


_TRAILER = re.compile(r"^[A-Z][\w-]+(-by|-to)?: |^\(cherry picked from ", re.I)
BODY_LINES, BODY_CHARS = 8, 600


def message_body(body: str) -> list[str]:
    """A commit message's body, as evidence of why: trailers (Signed-off-by …) and blank
    lines left out, at most BODY_LINES lines and BODY_CHARS characters."""
    lines = [ln.rstrip() for ln in body.splitlines() if ln.strip() and not _TRAILER.match(ln.strip())]
    out, size = [], 0
    for line in lines[:BODY_LINES]:
        if size + len(line) > BODY_CHARS:
            break
        out.append(line)
        size += len(line)
    return out


def changes_text(cs: ChangeSet) -> str:
    """Renderer used when fitting a change set into a token budget."""
    return render_changes(cs)[0]


def build_prompt(
    cs: ChangeSet, *, languages: list[str], language: str = "ko", mode: str = "points"
) -> Prompt:
    changes, hunks = render_changes(cs)
    said = "\n".join(f"{c.subject}\n{c.body}" for c in cs.commits)
    chosen = plan(hunks, mentioned=message_words(said)) if mode == "points" else []
    head = [
        f"Date: {cs.date.isoformat()}",
        f"Repository: {cs.repo_name}",
        f"Source: {cs.source}",
        language_line(languages),
        "",
        changes,
        "",
        *plan_lines(chosen, [code_words(c.subject, hunks) for c in cs.commits
                             if not c.is_merge]),
        "Write the JSON answer now."
        + (" (Korean prose, formal style.)" if language == "ko" else ""),
    ]
    return Prompt(system=system_prompt(language=language, mode=mode), user="\n".join(head),
                  hunks=hunks, focus=chosen, korean=language == "ko")


# A word of a commit subject that is code by its shape: `log4rs`, `digest_method`,
# `NoInterspersed`, `f.Parse`, `bail!`, `parse()`
_CODE_SHAPED = re.compile(r"^(?=.*[A-Za-z])(\w*\d\w*|\w+_\w+|[a-z]+[A-Z]\w*|[A-Z]\w*[a-z]\w*[A-Z]\w*"
                          r"|\w+[.:]\w[\w.:]*|\w+!|\w+\([\w, ]*\))$")


def code_words(subject: str, hunks: list[tuple[FileChange, Hunk]]) -> str:
    """A commit subject with its code in backticks: the words shaped like code and the
    names the changed code declares ("Remove `log4rs` workaround from `bail` macro"). Left
    bare, the 1.5B spelled "log4rs workaround" as "로그4스워크"."""
    declared = {declarations.declared_name(ln[1:]) for _f, h in hunks for ln in h.lines
                if declarations.opens(ln[1:])}
    declared = {d for d in declared if len(d) > 2}

    def mark(m: re.Match[str]) -> str:
        word = m.group(0)
        core = word.rstrip(".,;:")
        if core.startswith("`") or not core:
            return word
        if _CODE_SHAPED.match(core) or core in declared:
            return f"`{core}`{word[len(core):]}"
        return word

    if "`" in subject:  # the author marked the code already
        return subject
    return re.sub(r"\S+", mark, subject)


def plan_lines(chosen: list[Focus], subjects: list[str] | None = None) -> list[str]:
    """The plan the points follow, one line each, and a blank line; nothing without one.
    The commit subjects come after it, as the author's own words for why: left at the top
    of the prompt, they were not used ("fix staticcheck linting", "Remove log4rs
    workaround" were the reasons the notes missed)."""
    if not chosen:
        return []
    count = "1 point" if len(chosen) == 1 else f"{len(chosen)} points"
    why = [f'This commit reverts (undoes) an earlier commit, "{m}": the lines it '
           "removes are what that commit had added" if (m := reverted_subject(s))
           else f'Why, in the author\'s words: "{s}"' for s in (subjects or [])[:3] if s.strip()]
    return ([f"Plan: write exactly {count}, in this order:"]
            + [f"{i}. {c.plan_line()}" for i, c in enumerate(chosen, start=1)] + why + [""])
