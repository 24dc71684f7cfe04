"""How well the unknown-Korean-words measure separates garbled from real words.

Reads the hand-labelled words of tests/data/korean_words.tsv ("garbled": identifiers forced
into Hangul, misspellings, syllable junk; "real": words of real notes and developer prose),
flags each with tilgen.note.korean's rule, with and without tilgen's list of developer
loanwords, and prints precision and recall of "garbled" (a flagged word is a positive).

    python benchmarks/korean_words.py            # table
    python benchmarks/korean_words.py --misses   # which words each rule gets wrong
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tilgen.note.korean import unknown_words  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "korean_words.tsv"


def labelled(path: Path = DATA) -> list[tuple[str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, text, source = (line.split("\t") + ["", ""])[:3]
            rows.append((label, text, source))
    return rows


def confusion(rows: list[tuple[str, str, str]], **rule: bool) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"tp": [], "fp": [], "fn": [], "tn": []}
    for label, text, _ in rows:
        found = unknown_words(text, **rule)
        if found is None:
            raise SystemExit("kiwipiepy is not installed: pip install 'tilgen[quality]'")
        flagged = bool(found[0])
        key = ("tp" if flagged else "fn") if label == "garbled" else ("fp" if flagged else "tn")
        out[key].append(text)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--misses", action="store_true", help="List the words each rule gets wrong.")
    args = ap.parse_args()
    rows = labelled()
    garbled = sum(1 for r in rows if r[0] == "garbled")
    print(f"{garbled} garbled, {len(rows) - garbled} real words\n")
    print("| rule | precision | recall | false positives | missed |")
    print("|---|---|---|---|---|")
    rules = [
        ("Kiwi oov", {"with_loanwords": False, "fragments": False}),
        ("Kiwi oov, tilgen's loanwords known", {"with_loanwords": True, "fragments": False}),
        ("… or 2+ one-syllable nouns (tilgen)", {"with_loanwords": True, "fragments": True}),
    ]
    for name, rule in rules:
        c = confusion(rows, **rule)
        tp, fp, fn = len(c["tp"]), len(c["fp"]), len(c["fn"])
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        print(f"| {name} | {precision:.2f} | {recall:.2f} | {fp} | {fn} |")
        if args.misses:
            print(f"|  false positives: {', '.join(c['fp'])} | missed: {', '.join(c['fn'])} |||")


if __name__ == "__main__":
    main()
