"""How long secret redaction takes on a 5,000-line diff (target: well under a second).

The diff edits tilgen's own sources (many hunks, real code) and adds a config file with a
few fake secrets every 500 lines, so every stage of the redactor has work to do.

    python benchmarks/redact_speed.py            # 5,000 lines, 5 warm runs
    python benchmarks/redact_speed.py -n 20000
    python benchmarks/redact_speed.py --check    # exit 1 when a warm run takes 1 s or more

"Cold" includes importing detect-secrets (once per process); "warm" is the median after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tilgen.git.changes import ChangeSet  # noqa: E402
from tilgen.git.patch import parse_patch  # noqa: E402
from tilgen.secrets.redact import redact_changeset  # noqa: E402

TARGET_SECONDS = 1.0


def _fake_config(rng: random.Random) -> str:
    alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

    def r(n: int) -> str:
        return "".join(rng.choice(alnum) for _ in range(n))

    return (f'AWS_ACCESS_KEY_ID = "{"AK" + "IA" + r(16).upper()}"\n'
            f'DB_PASSWORD = "{r(14)}"\n'
            f'GITHUB_TOKEN = "{"gh" + "p_" + r(36)}"\n'
            f'DATABASE_URL = "postgres://app:{r(12)}@db.internal/app"\n')


def build_diff(lines: int) -> str:
    """A unified diff of at least ``lines`` hunk lines."""
    rng = random.Random(7)
    sources = sorted((ROOT / "tilgen").rglob("*.py"))
    with tempfile.TemporaryDirectory() as tmp:
        old, new = Path(tmp, "a"), Path(tmp, "b")
        total, round_ = 0, 0
        while total < lines:
            for src in sources:
                text = src.read_text(encoding="utf-8").splitlines()
                edited = [line + "  # tuned" if i % 7 == 3 else line for i, line in enumerate(text)]
                name = f"r{round_}/{src.relative_to(ROOT)}"
                for base, body in ((old, text), (new, edited)):
                    (base / name).parent.mkdir(parents=True, exist_ok=True)
                    (base / name).write_text("\n".join(body) + "\n", encoding="utf-8")
                total += len(text)
                if total // 500 > (total - len(text)) // 500:
                    (new / f"r{round_}" / f"{src.stem}_secrets.py").write_text(_fake_config(rng))
                if total >= lines:
                    break
            round_ += 1
        out = subprocess.run(["git", "diff", "--no-index", "--no-color", "a", "b"], cwd=tmp,
                             capture_output=True, text=True, check=False)
    return out.stdout


def one_run(diff: str) -> tuple[float, int, int]:
    _, files = parse_patch(diff)
    cs = ChangeSet(source="bench", repo_name="bench", date=dt.date.today(), files=files)
    count = sum(len(h.lines) for f in files for h in f.hunks)
    started = time.perf_counter()
    report = redact_changeset(cs)
    return time.perf_counter() - started, count, report.total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--lines", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="exit 1 above the target")
    args = parser.parse_args()
    diff = build_diff(args.lines)
    cold, count, found = one_run(diff)
    warm = [one_run(diff)[0] for _ in range(args.runs)]
    median = statistics.median(warm)
    print(f"{count} diff lines, {found} secrets redacted")
    print(f"cold {cold * 1000:.0f} ms (includes importing detect-secrets)")
    print(f"warm median {median * 1000:.0f} ms over {args.runs} runs "
          f"({count / median:,.0f} lines/s)")
    return 1 if args.check and median >= TARGET_SECONDS else 0


if __name__ == "__main__":
    sys.exit(main())
