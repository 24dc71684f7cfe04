"""Lexical search over saved notes: BM25 (bm25s) on Korean-aware terms, index cached on disk.

The cache (one JSON file per notes directory under ``paths.cache_dir()/search``) keeps each
note's terms with its modification time and size, and every Hangul word's analysis; a
search re-reads only notes that changed, were added or were removed since the last one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tilgen import paths
from tilgen.atomic import write_atomic
from tilgen.log.notes import SavedNote, note_files, read_note
from tilgen.log.terms import analyse, hangul_words, identifier_terms, text_terms

INDEX_VERSION = 2
TITLE_WEIGHT = 2  # title and keywords count twice: they name the lesson


@dataclass
class Hit:
    rel: str
    path: Path
    date: str
    repo: str
    title: str
    keywords: list[str]
    kind: str
    score: float
    line: str

    def to_json(self) -> dict[str, Any]:
        return {"date": self.date, "repo": self.repo, "title": self.title, "path": str(self.path),
                "keywords": self.keywords, "kind": self.kind, "score": round(self.score, 4),
                "line": self.line}


def _searchable(note: SavedNote) -> str:
    head = " ".join([note.title, *note.keywords])
    return "\n".join([head] * TITLE_WEIGHT + [note.content])


class SearchIndex:
    """The notes under ``root`` and their terms; :meth:`refresh` brings it up to date."""

    def __init__(self, root: Path, *, cache_file: Path | None = None) -> None:
        self.root = root
        key = hashlib.sha256(str(root.expanduser().resolve()).encode()).hexdigest()[:16]
        self.cache_file = cache_file or paths.cache_dir() / "search" / f"{key}.json"
        self.docs: dict[str, dict[str, Any]] = {}
        self.vocab: dict[str, list[str]] = {}
        self._bm25: Any = None
        self._order: list[str] = []
        self._known: set[str] | None = None
        self._load()

    def _load(self) -> None:
        try:
            data = json.loads(self.cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if data.get("version") == INDEX_VERSION:
            self.docs, self.vocab = data.get("docs", {}), data.get("vocab", {})

    def _save(self) -> None:
        data = {"version": INDEX_VERSION, "root": str(self.root), "docs": self.docs,
                "vocab": self.vocab}
        try:
            write_atomic(self.cache_file, json.dumps(data, ensure_ascii=False), durable=False)
        except OSError:
            pass  # an unwritable cache only costs the next search its speed

    def refresh(self) -> int:
        """Re-read the notes that changed; the number of notes added, changed or removed."""
        seen: dict[str, tuple[Path, int, int]] = {}
        for path in note_files(self.root):
            try:
                st = path.stat()
            except OSError:
                continue
            seen[path.relative_to(self.root).as_posix()] = (path, st.st_mtime_ns, st.st_size)
        changed = [rel for rel, (_, mtime, size) in seen.items()
                   if (d := self.docs.get(rel)) is None or d["mtime"] != mtime or d["size"] != size]
        gone = [rel for rel in self.docs if rel not in seen]
        for rel in gone:
            del self.docs[rel]
        notes = {rel: read_note(seen[rel][0], self.root) for rel in changed}
        analyse((w for n in notes.values() if n for w in hangul_words(_searchable(n))), self.vocab)
        for rel, note in notes.items():
            _, mtime, size = seen[rel]
            entry: dict[str, Any] = {"mtime": mtime, "size": size, "note": False}
            if note is not None:
                entry.update(note=True, date=note.date, repo=note.repo, title=note.title,
                             keywords=note.keywords, kind=note.kind,
                             terms=" ".join(text_terms(_searchable(note), self.vocab)))
            self.docs[rel] = entry
        if changed or gone:
            self._save()
            self._bm25, self._known = None, None
        return len(changed) + len(gone)

    def _model(self) -> Any:
        if self._bm25 is None:
            import bm25s

            self._order = [rel for rel, d in sorted(self.docs.items()) if d.get("note")]
            self._bm25 = bm25s.BM25()
            if self._order:
                corpus = [self.docs[rel]["terms"].split() or ["\0"] for rel in self._order]
                self._bm25.index(corpus, show_progress=False)
        return self._bm25

    def known_terms(self) -> set[str]:
        if self._known is None:
            self._known = {t for d in self.docs.values() for t in d.get("terms", "").split()}
        return self._known

    def query_terms(self, text: str) -> list[str]:
        """A query's terms, from the analyses the notes taught the index (Kiwi stays unloaded)."""
        return text_terms(text, self.vocab, self.known_terms())

    def search(self, query: str, *, repo: str | None = None, limit: int = 10,
               exclude: set[str] | None = None, daily_only: bool = False,
               before: str | None = None) -> list[Hit]:
        terms = self.query_terms(query)
        model = self._model()
        if not terms or not self._order:
            return []
        vocab = getattr(model, "vocab_dict", None) or {}
        usable = [t for t in terms if t in vocab] if vocab else terms
        if not usable:
            return []
        scores = model.get_scores(usable)
        ranked = sorted(range(len(self._order)), key=lambda i: -scores[i])
        hits: list[Hit] = []
        wanted = set(terms)
        for i in ranked:
            if scores[i] <= 0 or len(hits) >= limit:
                break
            rel = self._order[i]
            d = self.docs[rel]
            if (repo and d["repo"] != repo) or (exclude and rel in exclude) \
                    or (daily_only and d["kind"] != "daily") or (before and d["date"] > before):
                continue
            path = self.root / rel
            hits.append(Hit(rel=rel, path=path, date=d["date"], repo=d["repo"], title=d["title"],
                            keywords=d["keywords"], kind=d["kind"], score=float(scores[i]),
                            line=self._best_line(path, wanted)))
        return hits

    def _best_line(self, path: Path, wanted: set[str]) -> str:
        note = read_note(path, self.root)
        if note is None:
            return ""
        best, best_score = "", 0
        in_fence = False
        for line in note.content.splitlines():
            if line.strip().startswith("```"):
                in_fence = not in_fence
                continue
            if in_fence or not line.strip() or line.startswith("# "):
                continue
            found = set(text_terms(line, self.vocab, self.known_terms())) & wanted
            if len(found) > best_score:
                best, best_score = line.strip().removeprefix("- "), len(found)
        return best or (note.lessons()[:1] or [""])[0]


def note_terms(title: str, keywords: list[str], content: str) -> str:
    """The text a new note is compared with when its related notes are chosen."""
    return "\n".join([" ".join([title, *keywords])] * TITLE_WEIGHT + [content])


__all__ = ["Hit", "SearchIndex", "note_terms", "identifier_terms"]
