"""Mutated specs through load + compile + check of their examples: every outcome must be a
compiled spec or a located SpecError, within a time bound — never an internal error or a hang.

    python benchmarks/fuzz_specs.py --cases 2000 --timeout 60

Cases run in a worker process that is killed and restarted when a case exceeds --timeout;
the report counts outcomes and gives the slowest cases and the worker's peak memory.
"""

from __future__ import annotations

import argparse
import json
import random
import selectors
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "src" / "ltlagent" / "specs").glob("*.toml"))

HOSTILE_REGEX = [r"(a+)+b", r"(?=x)y", r"(a)\1", r"[a-z]{1,10000}", r"((a{1,30}){1,30}){1,30}", r"\d+\s\w", r"[^\s\S]",
                 r"\bx", r"(?i)yes", r"a^b", r"(", r"[\x00]+", r"\n", r".*", r"(?s).+", r"[^\n]*\r", "é+\u2028", r"(x|y|)*z?"]
HOSTILE_TEXT = ["x" * 200_000, "a" * 60 + "!", "Thought: x\r\nFinal Answer: y\r\n", "\x1b[31m\x00\u202e", "\ufeffQuestion: q\n",
                "Question: q\n" * 5000, "\u2028\u0085\n\n", "Final Answer: [STOP]\r\n"]
ATOMS = ["question", "thought", "action", "final_answer", "observation", "a", "b"]


def random_formula(rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        n = rng.randint(50, 400)
        return "(" * n + rng.choice(ATOMS) + ")" * n
    if kind == 1:
        return f" {rng.choice(['&', '|', '->', 'U'])} ".join(rng.choice(ATOMS) for _ in range(rng.randint(100, 2000)))
    if kind == 2:
        return f"atleast({rng.randint(1, 64)}, atleast({rng.randint(1, 64)}, {rng.choice(ATOMS)}))"
    if kind == 3:
        return "X " * rng.randint(50, 500) + rng.choice(ATOMS)
    if kind == 4:
        return " & ".join(f"G({rng.choice(ATOMS)} -> F {rng.choice(ATOMS)})" for _ in range(rng.randint(5, 40)))
    return "".join(rng.choice("()!&|->XFGUWRM{} ab") for _ in range(rng.randint(1, 60)))


def mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(8)
        i = rng.randrange(len(lines))
        if op == 0 and len(lines) > 1:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif op == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 3 and lines[i]:
            k = rng.randrange(len(lines[i]))
            lines[i] = lines[i][:k] + rng.choice(list("[]{}\"'=\\()|*+?^$.,#\x00\r") + ["[[", "]]", '"""']) + lines[i][k + 1:]
        elif op == 4:
            ltlf = [k for k, x in enumerate(lines) if x.startswith("ltlf")]
            if ltlf:
                lines[rng.choice(ltlf)] = f'ltlf = "{random_formula(rng)}"'
        elif op == 5:
            rx = [k for k, x in enumerate(lines) if x.startswith(("regex", "matching", "not_matching"))]
            if rx:
                k = rng.choice(rx)
                lines[k] = lines[k].split("=")[0] + "= " + json.dumps(rng.choice(HOSTILE_REGEX))
        elif op == 6:
            lines.append(f"[[examples]]\ntext = {json.dumps(rng.choice(HOSTILE_TEXT))}")
        else:
            tags = [k for k, x in enumerate(lines) if x.startswith("tag")]
            if tags:
                lines[rng.choice(tags)] = "tag = " + json.dumps(rng.choice([" ", "\x00", "A", "Thought", "", "\t", "Q: "]))
    return "\n".join(lines)


WORKER = r"""
import json, resource, sys, time
from ltlagent.compiler.compile import compile_spec
from ltlagent.compiler.spec import parse_spec
from ltlagent.errors import LtlagentError
for line in sys.stdin:
    text = json.loads(line)
    t0 = time.perf_counter()
    try:
        spec = parse_spec(text, "fuzz.toml")
        c = compile_spec(spec)
        for ex in spec.examples:
            c.check_text(ex.text)
        outcome = "compiled with errors" if c.errors else "compiled"
        detail = ""
    except LtlagentError as exc:
        outcome, detail = ("spec error" if exc.line else "spec error without a line"), str(exc).split("\n")[0][:160]
    except BaseException as exc:
        outcome, detail = "INTERNAL ERROR", f"{type(exc).__name__}: {exc}"[:300]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps([outcome, detail, time.perf_counter() - t0, rss]), flush=True)
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=500)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dump", metavar="DIR", help="write the specs of internal errors, time-outs and unlocated errors to DIR")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    bases = [p.read_text() for p in SPECS]

    def start() -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-c", WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    worker = start()
    counts: dict[str, int] = {}
    slow: list[tuple[float, str, str]] = []
    internal: list[str] = []
    peak = 0
    t_all = time.perf_counter()
    for n in range(args.cases):
        text = mutate(rng.choice(bases), rng)
        assert worker.stdin and worker.stdout
        worker.stdin.write(json.dumps(text) + "\n")
        worker.stdin.flush()
        sel = selectors.DefaultSelector()
        sel.register(worker.stdout, selectors.EVENT_READ)
        if not sel.select(timeout=args.timeout):
            worker.kill()
            worker.wait()
            worker = start()
            outcome, detail, seconds, rss = "TIMEOUT", f"over {args.timeout:g} s", args.timeout, 0
        else:
            outcome, detail, seconds, rss = json.loads(worker.stdout.readline())
        sel.close()
        counts[outcome] = counts.get(outcome, 0) + 1
        peak = max(peak, rss)
        slow.append((seconds, outcome, detail))
        if args.dump and seconds >= max(s for s, _, _ in slow):
            Path(args.dump).mkdir(parents=True, exist_ok=True)
            (Path(args.dump) / "slowest.toml").write_text(text)
        if outcome in ("INTERNAL ERROR", "TIMEOUT", "spec error without a line"):
            internal.append(f"case {n}: {outcome}: {detail}")
            if args.dump:
                Path(args.dump).mkdir(parents=True, exist_ok=True)
                (Path(args.dump) / f"case{n}.toml").write_text(text)
        if (n + 1) % 100 == 0:
            print(f"  {n + 1}/{args.cases} cases, {time.perf_counter() - t_all:.0f} s", file=sys.stderr)
    worker.kill()
    print(f"{args.cases} mutated specs in {time.perf_counter() - t_all:.0f} s (seed {args.seed}):")
    for k, v in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"  {v:>6}  {k}")
    slow.sort(reverse=True)
    print(f"slowest: " + "; ".join(f"{s:.1f} s ({o}: {d[:80]})" for s, o, d in slow[:3]))
    print(f"worker peak memory: {peak} MB")
    for line in internal[:20]:
        print("  " + line)
    return 1 if any(k in counts for k in ("INTERNAL ERROR", "TIMEOUT")) else 0


if __name__ == "__main__":
    sys.exit(main())
