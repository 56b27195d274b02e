"""Train the offline demo model shipped in ``src/ltlagent/demo_model`` (no downloads).

    python scripts/train_demo_model.py [--seed 0] [--steps 3600] [--minutes 19] [--out DIR]

A byte-level BPE tokenizer (digits split one by one, so numbers copy digit by digit) and a
small Llama-architecture model (rotary positions: it learns to copy from the context much
sooner than GPT-2's learned positions) are trained on synthetic episodes of the ReAct, AIoT, GIoT and tool-calling specs
made with the demo tools (``ltlagent.agents.demo_data``). Each episode is the prompt
``ltlagent run`` builds for its spec, then the question, then the trace; it is tokenized piece
by piece as the runtime feeds it, and the loss covers only what the model writes (its steps,
the environment tags it stops at, and the end of text). A quarter of the episodes (``--sloppy``)
carry a habit their spec forbids (``demo_data.sloppy``: a skipped thought, a second answer, a
delete without asking, ...), as real transcripts do, so that without the spec's masks the
model sometimes breaks the protocol, the behaviour ``ltlagent demo`` contrasts. Each batch holds one spec, so the
prompt is run once without gradients and its keys and values are shared by the batch, which
halves the cost of a step. Settings, the final loss and the time
are written to ``training.json`` next to the weights. Reproducible from the seed and the step
count. The run fits ``--minutes`` (19 by default) on 2 CPU cores: every 40 steps the pace so far
is measured and, where ``--steps`` would not fit, the run is shortened, learning-rate schedule
included (it says so);
``training.json`` records the steps done, so ``--steps N --minutes 60`` repeats that run anywhere.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

from ltlagent import compile_spec, load_spec
from ltlagent.agents.demo_data import DEMO_SPECS, Episode, episode, sloppy
from ltlagent.agents.runtime import build_prompt

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "src" / "ltlagent" / "demo_model"
FIT_CHECK = 40  # the run length is fitted to --minutes every this many steps
MIX = {"react": 0.4, "tool_calling": 0.3, "aiot": 0.15, "giot": 0.15}


def prompts() -> dict[str, tuple[str, str]]:
    """Per spec: (the prompt ``ltlagent run`` builds with the demo tools, the input step's tag)."""
    out = {}
    for name in DEMO_SPECS:
        compiled = compile_spec(load_spec(name))
        first = next(s for s in compiled.steps if s.source == "input")
        out[name] = (build_prompt(compiled), first.tag)
    return out


def pieces(ep: Episode, table: dict[str, tuple[str, str]]) -> list[tuple[str, bool]]:
    prompt, tag = table[ep.spec]
    return [(prompt, False), (f"{tag}{ep.question}\n", False), *ep.pieces]


def encode(tokenizer: PreTrainedTokenizerFast, parts: list[tuple[str, bool]]) -> tuple[list[int], list[int]]:
    """Token ids and labels (-100 where the model does not write) of the pieces, one by one, as
    the runtime reads them: blank tokens that end a model piece (the space of ``Observation: ``)
    are read with the environment's piece that follows (``SpecDecoder._hold_tag_blanks``)."""
    ids: list[int] = []
    labels: list[int] = []
    held = ""
    for i, (text, learn) in enumerate(parts):
        t = tokenizer.encode(held + text, add_special_tokens=False)
        held = ""
        if learn and i + 1 < len(parts) and not parts[i + 1][1]:
            while t and not tokenizer.decode(t[-1:]).strip(" \t"):
                held = tokenizer.decode(t[-1:]) + held
                t = t[:-1]
        ids += t
        labels += t if learn else [-100] * len(t)
    ids.append(tokenizer.eos_token_id)
    labels.append(tokenizer.eos_token_id)
    return ids, labels


def learning_rate(step: int, total: int, peak: float) -> float:
    """Linear warm-up over the first tenth of the run, then cosine decay to nearly zero."""
    warm = max(1, total // 10)
    if step <= warm:
        return peak * step / warm
    return peak * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm))))


def train_tokenizer(texts: list[str], vocab: int) -> PreTrainedTokenizerFast:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab, special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(texts, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>", pad_token="<|endoftext|>")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--steps", type=int, default=3600)
    ap.add_argument("--minutes", type=float, default=19.0, help="time budget: where --steps would not fit at the pace measured so far, the run is shortened, learning-rate schedule included (default 19)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--vocab", type=int, default=1200)
    ap.add_argument("--width", type=int, default=192)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--sloppy", type=float, default=0.25, help="share of episodes with a habit the spec forbids (default 0.25)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    t0 = time.time()
    rng = random.Random(args.seed)
    specs, weights = list(MIX), list(MIX.values())
    table = prompts()
    sample = [pieces(episode(s, rng), table) for s in rng.choices(specs, weights, k=4000)]
    tokenizer = train_tokenizer(["".join(t for t, _ in p) for p in sample], args.vocab)
    eos = tokenizer.eos_token_id
    longest = max(len(encode(tokenizer, p)[0]) for p in sample)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=args.width, intermediate_size=int(args.width * 8 / 3) // 8 * 8,
                         num_hidden_layers=args.layers, num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=max(1024, longest + 512),
                         tie_word_embeddings=True, bos_token_id=eos, eos_token_id=eos, pad_token_id=eos)
    model = LlamaForCausalLM(config)
    prompt_ids = {name: tokenizer.encode(prompt, add_special_tokens=False) for name, (prompt, _) in table.items()}
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    total = args.steps
    t_train = time.time()
    model.train()
    loss_value = float("nan")
    step = 0
    told = False
    while step < total:
        step += 1
        for group in opt.param_groups:
            group["lr"] = learning_rate(step, total, args.lr)
        spec = rng.choices(specs, weights)[0]  # one spec per batch: one shared prompt, similar lengths
        n = len(prompt_ids[spec])
        eps = [episode(spec, rng) for _ in range(args.batch)]
        eps = [sloppy(e, rng) if rng.random() < args.sloppy else e for e in eps]
        batch = [encode(tokenizer, pieces(e, table)) for e in eps]
        width = max(len(ids) for ids, _ in batch) - n
        ids = torch.full((len(batch), width), eos)
        labels = torch.full((len(batch), width), -100)
        for i, (b, lab) in enumerate(batch):
            assert b[:n] == prompt_ids[spec]  # the prompt is its own piece, so it tokenizes alone
            ids[i, : len(b) - n] = torch.tensor(b[n:])
            labels[i, : len(lab) - n] = torch.tensor(lab[n:])
        with torch.no_grad():  # the prompt once, without gradients; the batch shares its keys and values
            cache = model(input_ids=torch.tensor([prompt_ids[spec]]), use_cache=True).cache
        for layer in cache.layers:
            layer.keys, layer.values = layer.keys.expand(len(batch), -1, -1, -1), layer.values.expand(len(batch), -1, -1, -1)
        loss = model(input_ids=ids, cache=cache, labels=labels).loss
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        loss_value = loss.item()
        if step % FIT_CHECK == 0:  # machines differ twofold: shorten the run (schedule included) to fit the budget
            per_step = (time.time() - t_train) / step
            fits = int((args.minutes * 60 - (t_train - t0) - 30) / per_step)
            if fits != total:  # the first steps are slow and machines are shared: refit both ways, never past --steps
                total = max(min(fits, args.steps), step + 1)
                if total < args.steps * 0.98 and not told:
                    told = True
                    print(f"{per_step:.2f} s a step: {args.steps} steps would take {args.steps * per_step / 60:.0f} min; "
                          f"training about {total} steps to stay within {args.minutes:g} min (pass --minutes to change)", flush=True)
        if step % 100 == 0 or step == 1:
            print(f"step {step}/{total} loss {loss_value:.3f} ({time.time() - t0:.0f} s)", flush=True)
    model.eval()
    args.out.mkdir(parents=True, exist_ok=True)
    model.half().save_pretrained(args.out, safe_serialization=True)
    tokenizer.save_pretrained(args.out)
    settings = {k: v for k, v in vars(args).items() if k != "out"}
    settings.update(mix=MIX, steps_done=step, final_loss=round(loss_value, 4), seconds=round(time.time() - t0, 1),
                    params=sum(p.numel() for p in model.parameters()), torch=torch.__version__)
    (args.out / "training.json").write_text(json.dumps(settings, indent=1) + "\n")
    print(f"saved to {args.out} in {time.time() - t0:.0f} s; final loss {loss_value:.3f}")


if __name__ == "__main__":
    main()
