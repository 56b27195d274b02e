"""Prefill tokens and wall time of a 10-tool-call ReAct episode: the KV-preserving loop
(``SpecDecoder``: prompt once, then only environment text) versus re-prompting from scratch
every turn, with the same model in the same run.

    python benchmarks/agent_loop.py [--calls 10] [--width 256] [--layers 4]

The episode's model turns are scripted (teacher-forced token by token through the model and
the spec's guide), so both loops do identical generation work and differ only in prefill.
Budget (DESIGN §6): ≥ 5× less prefill than re-prompting.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import torch
from transformers import GPT2Config, GPT2LMHeadModel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ltlagent import compile_spec, load_spec  # noqa: E402
from ltlagent.agents.runtime import build_prompt  # noqa: E402
from ltlagent.decoders.hf import SpecDecoder  # noqa: E402
from ltlagent.decoders.index import build_token_index  # noqa: E402
from tests.decoders.tokenizers_fixture import byte_level_tokenizer  # noqa: E402


def episode(calls: int) -> tuple[str, list[tuple[str, str]]]:
    question = "Which standard library modules handle JSON, CSV and compression, and how many are there?"
    turns = []
    for i in range(calls):
        turns.append((f"Thought: I should look up item {i + 1} of the list.\nAction: search[module {i + 1}]\nObservation: ",
                      f"Module {i + 1} is documented in the standard library reference with several sentences of text."))
    turns.append((f"Thought: I have all {calls} results.\nFinal Answer: {calls} modules\n", ""))
    return question, turns


@torch.inference_mode()
def kv_loop(model, tok, index, prompt, question, turns) -> tuple[int, float]:
    dec = SpecDecoder(model, tok, index, device="cpu")
    t0 = time.perf_counter()
    dec.start(prompt)
    dec.feed_environment(question)
    for model_text, env in turns:
        for token in tok.encode(model_text, add_special_tokens=False):
            assert dec.guide.advance(token), dec.guide.error
            dec.write(token)
        if env:
            dec.feed_environment(env)
    return dec.prefill_tokens, time.perf_counter() - t0


@torch.inference_mode()
def reprompt_loop(model, tok, prompt, question, turns) -> tuple[int, float]:
    history = f"Question: {question}\n"
    prefill = 0
    t0 = time.perf_counter()
    for model_text, env in turns:
        ids = tok.encode(prompt + history, add_special_tokens=False)
        out = model(input_ids=torch.tensor([ids]), use_cache=True)  # from scratch every turn
        cache = out.cache
        prefill += len(ids)
        for token in tok.encode(model_text, add_special_tokens=False):
            out = model(input_ids=torch.tensor([[token]]), cache=cache, use_cache=True)
            cache = out.cache
        history += model_text + (env + "\n" if env else "")
    return prefill, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=10)
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--layers", type=int, default=4)
    args = ap.parse_args()
    os.environ.setdefault("LTLAGENT_CACHE", tempfile.mkdtemp())
    tok = byte_level_tokenizer()
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=len(tok), n_positions=8192, n_embd=args.width, n_layer=args.layers, n_head=4)).eval()
    spec = load_spec("react")
    compiled = compile_spec(spec)
    index = build_token_index(compiled, tok)
    from ltlagent.agents.demo_tools import react_tools

    prompt = build_prompt(compiled)
    question, turns = episode(args.calls)
    kv_loop(model, tok, index, prompt, question, turns)  # warm up
    kv_prefill, kv_time = kv_loop(model, tok, index, prompt, question, turns)
    re_prefill, re_time = reprompt_loop(model, tok, prompt, question, turns)
    params = sum(p.numel() for p in model.parameters()) / 1e6
    print(f"ReAct episode with {args.calls} tool calls, GPT-2 {params:.1f}M params, CPU, prompt {len(tok.encode(prompt))} tokens")
    print(f"{'loop':<28}{'prefill tokens':>16}{'wall s':>10}")
    print(f"{'KV cache kept (ltlagent)':<28}{kv_prefill:>16}{kv_time:>10.2f}")
    print(f"{'re-prompt every turn':<28}{re_prefill:>16}{re_time:>10.2f}")
    print(f"prefill ratio {re_prefill / kv_prefill:.1f}x less with the KV loop (budget >= 5x); wall-time ratio {re_time / kv_time:.2f}x")


if __name__ == "__main__":
    main()
