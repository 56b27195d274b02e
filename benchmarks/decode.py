"""Token-level decoding benchmarks, side by side in one run.

    python benchmarks/decode.py [--quick] [--device auto|cpu|cuda] [--model-size tiny|0.6b]

1. Token index build and first mask per shipped spec, nothing of it seen before, for the Qwen3
   (151,669) and Llama-3 (128,256) vocabularies shipped by the quicktok-v1 wheel (no downloads).
2. Per-token mask computation (state → mask row ready to apply) p50/p99 over long random
   walks, next to outlines-core's Guide (``get_tokens`` list and ``write_mask_into``, the
   work outlines' RegexLogitsProcessor does per token) on the same segment regex; the mask
   application (one ``masked_fill_`` on the logits) reported separately.
3. Constrained vs unconstrained tokens/s with the same model in the same run: a tiny GPT-2
   and a random-initialised Qwen3-0.6B-shaped model (151,936 logits).
Budgets (DESIGN §6): first mask of a never-seen spec p50 ≤ 20 ms (151k); mask p50 ≤ 2 µs,
p99 ≤ 50 µs; constrained ≥ 0.97× unconstrained tokens/s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time

import numpy as np

from ltlagent import compile_spec, load_spec
from ltlagent.compiler.spec import shipped_spec_names
from ltlagent.decoders.guide import SpecGuide
from ltlagent.decoders.index import build_token_index
from ltlagent.decoders.regex import segment_regex
from ltlagent.decoders.vocab import TokenVocabulary

EOS = {"qwen3": ["<|endoftext|>", "<|im_end|>"], "llama3": ["<|end_of_text|>", "<|eot_id|>"]}


def quicktok_vocabulary(name: str) -> TokenVocabulary:
    import quicktok

    enc = quicktok.get_encoding(name)
    specials = {enc.encode_single_token(s) for s in enc.special_tokens_set}
    tokens: list[bytes | None] = []
    for i in range(enc.n_vocab):
        try:
            tokens.append(None if i in specials else enc.decode_single_token_bytes(i))
        except Exception:  # noqa: BLE001 - unused ids
            tokens.append(None)
    eos = [enc.encode_single_token(s) for s in EOS[name]]
    return TokenVocabulary(tuple(tokens), tuple(eos), name)


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def bench_index(vocabs: dict[str, TokenVocabulary], specs: list[str]) -> None:
    from cold_start import forget, index_and_first_mask

    from ltlagent.decoders.trie import token_trie

    for name, vocab in vocabs.items():
        t0 = time.perf_counter()
        token_trie(vocab)
        print(f"vocabulary {name}: {vocab.size} tokens, token trie built once per tokenizer in {time.perf_counter() - t0:.3f} s")
    print("\n## Token index (ms), nothing of the spec seen before: build / build + first mask (piece states walked)")
    print(f"{'spec':<14}" + "".join(f"{v + ' build':>14}{v + ' 1st mask':>16}{'walked':>8}" for v in vocabs))
    for name in specs:
        c = compile_spec(load_spec(name))
        line = f"{name:<14}"
        for vocab in vocabs.values():
            forget()
            build, mask, guide = index_and_first_mask(c, vocab)
            line += f"{1e3 * build:>14.1f}{1e3 * (build + mask):>16.1f}{guide.index.num_states:>8}"
        print(line, flush=True)


def bench_masks(vocab: TokenVocabulary, steps: int) -> None:
    import torch
    from outlines_core import Guide, Index, Vocabulary

    from ltlagent.decoders.hf import MaskTables

    c = compile_spec(load_spec("react"))
    index = build_token_index(c, vocab)
    tables = MaskTables(index, vocab.size, torch.device("cpu"))
    rng = random.Random(0)
    ours, apply_times, advance_times = [], [], []
    logits = torch.randn(vocab.size)
    allowed_cache: dict[tuple[int, bool], list[int]] = {}  # the walk's token choice is not what we time
    guide = SpecGuide(index, prefix="Question: q\n", max_tokens=64)
    n = 0
    while n < steps:
        if guide.status != "running":
            guide = SpecGuide(index, prefix="Question: q\n", max_tokens=64)
        t0 = time.perf_counter_ns()
        row = tables.blocked_row(guide)
        t1 = time.perf_counter_ns()
        logits.masked_fill_(row, float("-inf"))
        t2 = time.perf_counter_ns()
        ours.append((t1 - t0) / 1000)
        apply_times.append((t2 - t1) / 1000)
        key = (guide.state, guide.mask_mode())
        if key not in allowed_cache:
            allowed_cache[key] = guide.allowed()
        token = rng.choice(allowed_cache[key])
        t3 = time.perf_counter_ns()
        guide.advance(token)
        advance_times.append((time.perf_counter_ns() - t3) / 1000)
        if guide.status == "environment":
            guide.feed_environment("ok")
        n += 1
    # outlines-core on the same segment regex (the model's turn after the question)
    regex = segment_regex(c, c.run_text("Question: q\n"))
    table: dict[bytes, list[int]] = {}
    for i, data in enumerate(vocab.tokens):
        if data:
            table.setdefault(data, []).append(i)
    ovocab = Vocabulary(vocab.eos_ids[0], {k: v for k, v in table.items() if vocab.eos_ids[0] not in v})
    oindex = Index(regex.replace("\\x00", ""), ovocab)
    lists, writes = [], []
    mask = torch.zeros((vocab.size + 31) // 32, dtype=torch.int32)
    g = Guide(oindex)
    for _ in range(min(steps, 3000)):
        if g.is_finished():
            g = Guide(oindex)
        t0 = time.perf_counter_ns()
        toks = g.get_tokens()
        t1 = time.perf_counter_ns()
        g.write_mask_into(mask.data_ptr(), mask.numel(), 4)
        t2 = time.perf_counter_ns()
        lists.append((t1 - t0) / 1000)
        writes.append((t2 - t1) / 1000)
        choices = [t for t in toks if t != vocab.eos_ids[0]] or toks
        g.advance(rng.choice(choices))
    print(f"\n## Per-token mask, ReAct, {vocab.name} ({vocab.size} tokens), {steps} random-walk steps (µs)")
    print(f"{'what':<58}{'p50':>9}{'p99':>9}")
    print(f"{'ltlagent: state -> mask row ready (lookup)':<58}{pct(ours, 50):>9.2f}{pct(ours, 99):>9.2f}")
    print(f"{'ltlagent: apply (masked_fill_ on fp32 logits, CPU)':<58}{pct(apply_times, 50):>9.2f}{pct(apply_times, 99):>9.2f}")
    print(f"{'ltlagent: advance(token)':<58}{pct(advance_times, 50):>9.2f}{pct(advance_times, 99):>9.2f}")
    print(f"{'outlines-core Guide.get_tokens() (list of allowed ids)':<58}{pct(lists, 50):>9.2f}{pct(lists, 99):>9.2f}")
    print(f"{'outlines-core Guide.write_mask_into (bitmask)':<58}{pct(writes, 50):>9.2f}{pct(writes, 99):>9.2f}")
    print(f"ratio outlines-core write_mask_into / ltlagent lookup (p50): {pct(writes, 50) / max(pct(ours, 50), 1e-9):.0f}x")


def bench_throughput(vocab: TokenVocabulary, device: str, sizes: list[str], tokens: int, rounds: int) -> None:
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    from ltlagent.decoders.hf import MaskTables, resolve_device

    dev = resolve_device(device)
    c = compile_spec(load_spec("react"))
    index = build_token_index(c, vocab)
    print(f"\n## Constrained vs unconstrained decoding, same model, same run ({dev.type}, greedy, KV cache, {tokens} tokens x {rounds} rounds)")
    print(f"{'model':<28}{'params':>10}{'unconstrained tok/s':>22}{'constrained tok/s':>20}{'ratio':>8}")
    for size in sizes:
        torch.manual_seed(0)
        if size == "smollm2":  # the real model, with its own tokenizer; each constrained run starts from a spec never seen
            from cold_start import forget

            from ltlagent.decoders.models import load_model

            model, tokenizer = load_model("smollm2")
            vocab = TokenVocabulary.from_hf(tokenizer)
            index = build_token_index(c, vocab)
        elif size == "tiny":
            model = GPT2LMHeadModel(GPT2Config(vocab_size=vocab.size, n_positions=4096, n_embd=128, n_layer=2, n_head=2))
        else:
            from transformers import Qwen3Config, Qwen3ForCausalLM

            config = Qwen3Config(
                vocab_size=151936, hidden_size=1024, intermediate_size=3072, num_hidden_layers=28, num_attention_heads=16,
                num_key_value_heads=8, head_dim=128, tie_word_embeddings=True, max_position_embeddings=4096,
            )
            model = Qwen3ForCausalLM(config)
        model = model.to(dev).eval()
        params = sum(p.numel() for p in model.parameters())
        tables = MaskTables(index, model.config.vocab_size, dev)

        cold = size == "smollm2"

        @torch.inference_mode()
        def run(constrained: bool) -> float:
            nonlocal index, tables
            if dev.type == "cuda":
                torch.cuda.synchronize()
            t0 = time.perf_counter()
            if constrained and cold:  # first visits included: the index and every mask row are made inside the timed run
                forget()
                index = build_token_index(c, vocab)
                tables = MaskTables(index, model.config.vocab_size, dev)
            guide = SpecGuide(index, prefix="Question: q\n", max_tokens=tokens)
            cache = None
            ids = torch.tensor([[vocab.eos_ids[0]]], device=dev)
            produced = 0
            while produced < tokens:
                out = model(input_ids=ids, cache=cache, use_cache=True)
                cache = out.cache
                logits = out.logits[:, -1, :]
                if constrained:
                    if guide.status != "running":
                        guide = SpecGuide(index, prefix="Question: q\n", max_tokens=tokens)
                    logits.masked_fill_(tables.blocked_row(guide), float("-inf"))
                token = int(torch.argmax(logits, dim=-1).item())
                if constrained:
                    guide.advance(token)
                    if guide.status == "environment":
                        guide.feed_environment("ok")
                ids = torch.tensor([[token]], device=dev)
                produced += 1
            if dev.type == "cuda":
                torch.cuda.synchronize()
            return produced / (time.perf_counter() - t0)

        run(False), run(True)  # warm up (the model; a cold run still builds its index and masks anew)
        free, constrained = [], []
        for _ in range(rounds):  # alternate so drift hits both alike
            free.append(run(False))
            constrained.append(run(True))
        f, k = statistics.median(free), statistics.median(constrained)
        print(f"{size:<28}{params / 1e6:>9.1f}M{f:>22.1f}{k:>20.1f}{k / f:>8.3f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="ReAct only, fewer steps, tiny model only")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--model-size", action="append", choices=["tiny", "0.6b", "smollm2"],
                    help="models for the throughput run (default: tiny and 0.6b; smollm2: the real model, its index rebuilt cold for every constrained run)")
    ap.add_argument("--tokens", type=int, default=16, help="tokens per timed run (runs alternate constrained/unconstrained)")
    ap.add_argument("--rounds", type=int, default=9, help="alternating runs per side; the median is reported")
    ap.add_argument("--only", choices=["index", "masks", "throughput"], help="run one part")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        os.environ["LTLAGENT_CACHE"] = cache  # cold means cold
        vocabs = {name: quicktok_vocabulary(name) for name in ("qwen3", "llama3")}
        specs = ["react"] if args.quick else shipped_spec_names()
        if args.only in (None, "index"):
            bench_index(vocabs, specs)
        if args.only in (None, "masks"):
            bench_masks(vocabs["qwen3"], 2000 if args.quick else 20000)
        sizes = args.model_size or (["tiny"] if args.quick else ["tiny", "0.6b"])
        if args.only in (None, "throughput"):
            bench_throughput(vocabs["qwen3"], args.device, sizes, args.tokens, args.rounds)


if __name__ == "__main__":
    main()
