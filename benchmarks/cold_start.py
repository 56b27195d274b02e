"""Cold start: time to the first mask for specs the process has never seen, and first visits.

For every toolset of every single-turn BFCL category the installed bfcl-eval ships (live ones
included; each distinct function list once), the four AgentDojo suite specs and the shipped
specs, one run measures, at the Qwen3 vocabulary (151,669 tokens, quicktok-v1):

* **time to first mask**: parse + compile the spec, build its token index, open a guide and
  compute the mask of the model's first position (an environment step that comes first gets a
  short answer). Before each spec the process forgets every spec it saw (the term store, the
  piece-state walks, the regex caches): only the vocabulary's token trie, built once per
  tokenizer, is kept (its time is printed on its own).
* **first visits**: random walks of allowed tokens (the first ``--steps`` tokens of
  ``--walks`` walks per spec, on ``--visit-sample`` specs of each set): the time of each
  decode step's mask and move where the position is new (first visit) and where it was
  visited before (steady state).

Usage: ``python benchmarks/cold_start.py [--limit N] [--json OUT]`` (``--limit``: toolsets per
BFCL category, default all). Needs the ``bench`` extra and bfcl-eval (agentdojo optional).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from ltlagent.compiler import derivatives, regexes  # noqa: E402
from ltlagent.compiler.compile import compile_spec  # noqa: E402
from ltlagent.compiler.compiled import CompiledSpec  # noqa: E402
from ltlagent.compiler.builder import SpecBuilder  # noqa: E402
from ltlagent.decoders import pieces as pieces_module  # noqa: E402
from ltlagent.decoders import regex as regex_module  # noqa: E402
from ltlagent.decoders.guide import SpecGuide  # noqa: E402
from ltlagent.decoders.index import build_token_index  # noqa: E402
from ltlagent.decoders.trie import token_trie  # noqa: E402
from ltlagent.decoders.vocab import TokenVocabulary  # noqa: E402

BFCL_SINGLE_TURN = (
    "simple_python", "simple_java", "simple_javascript", "multiple", "parallel", "parallel_multiple", "irrelevance",
    "live_simple", "live_multiple", "live_parallel", "live_parallel_multiple", "live_irrelevance", "live_relevance",
)
SPECS = Path(__file__).resolve().parent.parent / "src" / "ltlagent" / "specs"
SHIPPED = ("aiot", "cot", "direct", "giot", "pass", "react", "reflexion", "rewoo", "tool_calling")


def qwen3() -> TokenVocabulary:
    from decode import quicktok_vocabulary

    return quicktok_vocabulary("qwen3")


def forget() -> None:
    """Forget every spec this process saw (the token trie stays: it is per tokenizer)."""
    derivatives._STORE.clear()  # and the walks kept with it
    pieces_module._term.cache_clear()
    regexes._parse.cache_clear()
    regexes._WRITTEN.clear()
    regexes.canonical.cache_clear()
    regexes.canonical_without.cache_clear()
    regexes._pattern_without.cache_clear()
    regexes._CLEAN.clear()
    regexes._term.cache_clear()
    regex_module._refine.cache_clear()
    regex_module._fsm.cache_clear()


def bfcl_sets(limit: int | None) -> dict[str, list[tuple[str, SpecBuilder]]]:
    from ltlagent.evals.bfcl import import_bfcl
    from ltlagent.evals.bfcl_grammar import bfcl_spec

    data = import_bfcl().data
    out: dict[str, list[tuple[str, SpecBuilder]]] = {}
    for cat in BFCL_SINGLE_TURN:
        path = data / f"BFCL_v4_{cat}.json"
        if not path.is_file():
            continue
        seen: set[str] = set()
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            key = json.dumps(case["function"], sort_keys=True)
            if key in seen:
                continue
            seen.add(key)
            rows.append((case["id"], bfcl_spec(case["function"], "bfcl")))
            if limit is not None and len(rows) >= limit:
                break
        out[f"BFCL {cat}"] = rows
    return out


def agentdojo_set() -> list[tuple[str, SpecBuilder]]:
    try:
        from ltlagent.evals import agentdojo as A

        ad = A.import_agentdojo()
    except Exception as exc:  # noqa: BLE001 - optional
        print(f"AgentDojo skipped: {exc}", file=sys.stderr)
        return []
    suites = ad.get_suites(A.BENCHMARK_VERSION)
    return [(name, A.suite_builder(suites[name], A.policy_path(name))) for name in A.SUITES]


def first_mask(builder: SpecBuilder, vocab: TokenVocabulary) -> tuple[float, float, float, SpecGuide]:
    """Seconds to read and compile a spec, to build its index and to its first mask, and the guide."""
    t0 = time.perf_counter()
    compiled = compile_spec(builder.build())
    t1 = time.perf_counter()
    build, mask, guide = index_and_first_mask(compiled, vocab)
    return t1 - t0, build, mask, guide


def index_and_first_mask(compiled: CompiledSpec, vocab: TokenVocabulary) -> tuple[float, float, SpecGuide]:
    """Seconds to build the token index and to compute the model's first mask (an environment
    step that comes first gets a short answer), and the guide."""
    t0 = time.perf_counter()
    index = build_token_index(compiled, vocab)
    t1 = time.perf_counter()
    guide = SpecGuide(index)
    if guide.waiting_for is not None:
        guide.feed_environment("What is the capital of France?")
    index.row(guide.mask_row(), guide.mask_mode())
    return t1 - t0, time.perf_counter() - t1, guide


def visits(guide: SpecGuide, rng: random.Random, steps: int, first: list[float], again: list[float]) -> None:
    index = guide.index
    for _ in range(steps):
        if guide.status != "running":
            break
        if guide.waiting_for is not None:
            guide.feed_environment("ok")
            continue
        state, mode = guide.mask_row(), guide.mask_mode()
        new = mode not in index._positions[state].rows
        t0 = time.perf_counter()
        row = index.row(state, mode)
        t1 = time.perf_counter()
        (first if new else again).append(t1 - t0)
        ids = index.allowed_ids(state, mode=mode)
        if not len(ids):
            break
        guide.advance(int(rng.choice(ids.tolist())))
        del row


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=None, help="toolsets per BFCL category (default: all)")
    ap.add_argument("--walks", type=int, default=3)
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--visit-sample", type=int, default=20, help="specs per set whose first visits are measured")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    t = time.perf_counter()
    vocab = qwen3()
    t_vocab = time.perf_counter() - t
    t = time.perf_counter()
    token_trie(vocab)
    t_trie = time.perf_counter() - t
    print(f"Qwen3 vocabulary: {vocab.size:,} tokens, read in {t_vocab:.2f} s; token trie (once per tokenizer) {t_trie:.2f} s")

    sets: dict[str, list[tuple[str, SpecBuilder]]] = {}
    sets.update(bfcl_sets(args.limit))
    sets["AgentDojo suites"] = agentdojo_set()
    sets["shipped specs"] = [(n, SpecBuilder.from_file(SPECS / f"{n}.toml")) for n in SHIPPED]

    results: dict[str, dict] = {}
    first_all: list[float] = []
    again_all: list[float] = []
    everything: list[float] = []
    header = f"{'set':<30}{'specs':>7}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>10}  slowest"
    print(header)
    for name, rows in sets.items():
        if not rows:
            continue
        times, worst = [], ("", 0.0)
        parts = {"compile": [], "index": [], "mask": []}
        rng = random.Random(0)
        sample = set(rng.sample(range(len(rows)), min(args.visit_sample, len(rows))))
        first: list[float] = []
        again: list[float] = []
        for k, (ident, text) in enumerate(rows):
            forget()
            gc.collect()
            c, i, m, guide = first_mask(text, vocab)
            total = c + i + m
            times.append(total)
            for key, v in zip(parts, (c, i, m), strict=True):
                parts[key].append(v)
            if total > worst[1]:
                worst = (ident, total)
            if k in sample:
                for w in range(args.walks):
                    guide.reset()
                    visits(guide, random.Random(w), args.steps, first, again)
        everything += times
        first_all += first
        again_all += again
        results[name] = {
            "specs": len(rows), "p50_ms": 1e3 * pct(times, 0.5), "p99_ms": 1e3 * pct(times, 0.99), "max_ms": 1e3 * max(times),
            "slowest": worst[0], "compile_p50_ms": 1e3 * pct(parts["compile"], 0.5), "index_p50_ms": 1e3 * pct(parts["index"], 0.5),
            "mask_p50_ms": 1e3 * pct(parts["mask"], 0.5), "first_visits": len(first),
            "first_visit_p50_us": 1e6 * pct(first, 0.5), "first_visit_p99_us": 1e6 * pct(first, 0.99),
            "first_visit_max_us": 1e6 * max(first) if first else float("nan"),
            "visited_p50_us": 1e6 * pct(again, 0.5),
        }
        r = results[name]
        print(f"{name:<30}{r['specs']:>7}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}{r['max_ms']:>10.1f}  {worst[0]}", flush=True)
    print(f"{'all':<30}{len(everything):>7}{1e3 * pct(everything, 0.5):>9.1f}{1e3 * pct(everything, 0.99):>9.1f}{1e3 * max(everything):>10.1f}")
    print()
    print("time to first mask, split (p50 ms): " + ", ".join(f"{n}: compile {r['compile_p50_ms']:.1f} / index {r['index_p50_ms']:.1f} / mask {r['mask_p50_ms']:.1f}" for n, r in results.items() if n.startswith(("BFCL simple_python", "BFCL live_multiple", "AgentDojo", "shipped"))))
    print(f"first visits (a position's first mask, {len(first_all):,} of them): p50 {1e6 * pct(first_all, 0.5):.0f} µs, p90 {1e6 * pct(first_all, 0.9):.0f} µs, "
          f"p99 {1e6 * pct(first_all, 0.99):.0f} µs, max {1e6 * max(first_all):.0f} µs")
    print(f"visited positions (a lookup, {len(again_all):,}): p50 {1e6 * pct(again_all, 0.5):.2f} µs, p99 {1e6 * pct(again_all, 0.99):.2f} µs")
    if args.json:
        import subprocess
        from importlib.metadata import version

        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False).stdout.strip()
        meta = {"commit": commit, "versions": {p: version(p) for p in ("numpy", "outlines-core", "spottl", "quicktok-v1")},
                "vocabulary": vocab.size, "trie_seconds": t_trie}
        summary = {"all": {"specs": len(everything), "p50_ms": 1e3 * pct(everything, 0.5), "p99_ms": 1e3 * pct(everything, 0.99), "max_ms": 1e3 * max(everything)},
                   "first_visits": {"count": len(first_all), "p50_us": 1e6 * pct(first_all, 0.5), "p90_us": 1e6 * pct(first_all, 0.9),
                                    "p99_us": 1e6 * pct(first_all, 0.99), "max_us": 1e6 * max(first_all)},
                   "visited": {"count": len(again_all), "p50_us": 1e6 * pct(again_all, 0.5), "p99_us": 1e6 * pct(again_all, 0.99)}}
        args.json.write_text(json.dumps({"meta": meta, "sets": results, **summary}, indent=1) + "\n")


if __name__ == "__main__":
    main()
