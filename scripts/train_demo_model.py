"""Train the offline demo model shipped in ``src/ltlagent/demo_model`` (no downloads).

    python scripts/train_demo_model.py [--seed 0] [--episodes 6000] [--steps 1200] [--out DIR]

A byte-level BPE tokenizer and a small GPT-2 are trained on synthetic ReAct episodes made
with the demo tools (calculator, standard-library encyclopedia), each preceded by the prompt
``ltlagent run`` builds for the ReAct spec. Settings and the final loss are written to
``training.json`` next to the weights. Reproducible from the seed; minutes on 2 CPU cores.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

from ltlagent import compile_spec, load_spec
from ltlagent.agents.demo_data import modules, react_episode
from ltlagent.agents.demo_tools import react_tools
from ltlagent.agents.runtime import build_prompt

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "src" / "ltlagent" / "demo_model"


def corpus(episodes: int, seed: int) -> list[str]:
    compiled = compile_spec(load_spec("react"))
    prompt = build_prompt(None, compiled, {t.name: t for t in react_tools()})
    rng = random.Random(seed)
    names = modules()
    texts = []
    for _ in range(episodes):
        q, transcript, _ = react_episode(rng, names)
        texts.append(prompt + f"Question: {q}\n" + transcript)
    return texts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--episodes", type=int, default=6000)
    ap.add_argument("--steps", type=int, default=1200)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--vocab", type=int, default=1500)
    ap.add_argument("--width", type=int, default=192)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    t0 = time.time()
    texts = corpus(args.episodes, args.seed)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=args.vocab, special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(texts, trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>", pad_token="<|endoftext|>")
    eos = tokenizer.eos_token_id
    data = [tokenizer.encode(t, add_special_tokens=False) + [eos] for t in texts]
    longest = max(len(d) for d in data)
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=max(512, longest + 256), n_embd=args.width, n_layer=args.layers, n_head=4,
                        bos_token_id=eos, eos_token_id=eos, pad_token_id=eos)
    model = GPT2LMHeadModel(config)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.steps, pct_start=0.1)
    rng = random.Random(args.seed)
    model.train()
    loss_value = float("nan")
    for step in range(1, args.steps + 1):
        batch = [data[rng.randrange(len(data))] for _ in range(args.batch)]
        width = max(len(b) for b in batch)
        ids = torch.full((len(batch), width), eos)
        labels = torch.full((len(batch), width), -100)
        for i, b in enumerate(batch):
            ids[i, : len(b)] = torch.tensor(b)
            labels[i, : len(b)] = torch.tensor(b)
        loss = model(input_ids=ids, labels=labels).loss
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        loss_value = loss.item()
        if step % 100 == 0 or step == 1:
            print(f"step {step}/{args.steps} loss {loss_value:.3f} ({time.time() - t0:.0f} s)", flush=True)
    model.eval()
    args.out.mkdir(parents=True, exist_ok=True)
    model.half().save_pretrained(args.out, safe_serialization=True)
    tokenizer.save_pretrained(args.out)
    settings = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    settings.update(final_loss=round(loss_value, 4), seconds=round(time.time() - t0, 1), params=sum(p.numel() for p in model.parameters()))
    (args.out / "training.json").write_text(json.dumps(settings, indent=1) + "\n")
    print(f"saved to {args.out} in {time.time() - t0:.0f} s; final loss {loss_value:.3f}")


if __name__ == "__main__":
    main()
