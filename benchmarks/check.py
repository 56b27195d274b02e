"""Wall time of ``ltlagent check`` on a repository of 20 specs (a fresh process each run).

    python benchmarks/check.py [--runs N] [--specs N]

Copies the shipped specs (cycling, renamed) into a temporary directory and times the real
command, interpreter start-up and imports included. Budget (issue: check as a CI gate):
20 specs in under 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ltlagent.compiler.spec import shipped_spec_names, shipped_specs_dir

BUDGET_S = 2.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--specs", type=int, default=20)
    args = ap.parse_args()
    names = shipped_spec_names()
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.specs):
            src = shipped_specs_dir() / f"{names[i % len(names)]}.toml"
            text = src.read_text().replace('name = "', f'name = "copy{i}_', 1)
            (Path(tmp) / f"spec{i:02d}.toml").write_text(text)
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "ltlagent.cli", "check", tmp, "--coverage"], capture_output=True, text=True, check=False)
            times.append(time.perf_counter() - t0)
            if proc.returncode != 0:
                sys.exit(f"check failed:\n{proc.stdout}{proc.stderr}")
        tail = proc.stdout.strip().splitlines()[-1]
    med = statistics.median(times)
    print(tail)
    print(f"ltlagent check, {args.specs} specs, --coverage: median {med:.2f} s over {args.runs} runs (min {min(times):.2f}, max {max(times):.2f}); budget {BUDGET_S:.0f} s: {'ok' if med <= BUDGET_S else 'OVER'}")


if __name__ == "__main__":
    main()
