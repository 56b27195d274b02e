"""``ltlagent check`` on long transcripts: time grows linearly with the text.

    python benchmarks/check_transcript.py [--sizes 1,10,50]

Writes a valid transcript of about N MB (a question, then thought/action/observation rounds
whose contents the spec's patterns and propositions read, then an answer) and times the real
command on it, interpreter start-up included; prints seconds and seconds per MB side by side.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPEC = """\
name = "long"
description = "Rounds of thought, action and observation, then one answer."

[[steps]]
name = "question"
source = "input"
tag = "Question: "

[[steps]]
name = "thought"
tag = "Thought: "
regex = '[^\\n]*[^\\n\\r \\t][^\\n]*'

[[steps]]
name = "action"
tag = "Action: "
regex = 'search\\[[^\\]\\n]+\\]'

[[steps]]
name = "observation"
source = "environment"
tag = "Observation: "

[[steps]]
name = "final_answer"
tag = "Final Answer: "

[[propositions]]
name = "mentions_a_number"
step = "observation"
matching = '.*\\d.*'

[[rules]]
name = "shape"
ltlf = "question & X thought & G(thought -> X(action | final_answer)) & G(action -> X observation) & G(observation -> X thought)"

[[rules]]
name = "ends_with_an_answer"
ltlf = "F(final_answer & !X true)"
"""

ROUND = ("Thought: I should look up item {n} before answering, as the question asks about it.\n"
         "Action: search[item {n}]\n"
         "Observation: Item {n} was listed {n} times in the catalogue, alongside a long description of its uses.\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,10,50", help="transcript sizes in MB (default 1,10,50)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "long.toml"
        spec.write_text(SPEC)
        print(f"{'MB':>6}{'steps':>10}{'seconds':>10}{'s/MB':>8}  exit")
        for size in (float(x) for x in args.sizes.split(",")):
            parts = ["---\nspec: long.toml\n---\nQuestion: What is the catalogue about?\n"]
            n, total = 0, 0
            while total < size * 1e6:
                parts.append(ROUND.format(n=n))
                total += len(parts[-1])
                n += 1
            parts.append("Thought: That is enough.\nFinal Answer: A catalogue of items.\n")
            path = Path(tmp) / "t.transcript"
            path.write_text("".join(parts))
            mb = path.stat().st_size / 1e6
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "ltlagent.cli", "check", str(path)], capture_output=True, text=True, check=False)
            seconds = time.perf_counter() - t0
            print(f"{mb:>6.1f}{3 * n + 3:>10,}{seconds:>10.1f}{seconds / mb:>8.2f}  {proc.returncode}" + ("" if proc.returncode == 0 else "  " + proc.stdout[-300:]))


if __name__ == "__main__":
    main()
