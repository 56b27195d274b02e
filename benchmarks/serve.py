"""``ltlagent serve``: the spec's share of a request, and tokens/s with and without the spec.

Two measurements, side by side in one run:

* **the spec's share of a request** at the Qwen3 vocabulary (151,669 tokens, quicktok-v1), on
  a cached spec (``chat_tools`` with a request's three tools, prepared once, as the server
  keeps it per toolset): read the request's messages into the trace (``read_conversation``),
  open the guide at the conversation's state (it re-reads the trace) and compute the model's
  first mask. Conversations of 1 to 20 turns (2 to 80 messages), each a fresh request, so the
  first mask of each new position is computed, not remembered: the first request at each
  length is timed cold (the spec's first request), the rest warm. Goal: p50 ≤ 20 ms.
* **a toolset never seen** (``tools = "request"``): the same, with the spec built from the
  request's tools and compiled first, the token index opened cold (the vocabulary's token
  trie is built once per process and kept).
* **tokens/s through the server** against the same engine without a spec: SmolLM2 in this
  process, greedy, the same prompts and as many new tokens as the server wrote. The server
  (HTTP on 127.0.0.1, JSON, the spec read and masked, the answer written back) runs each
  request; the plain engine runs prefill + the same number of decode steps with the KV
  cache and no masks. Goal: ≥ 0.9×.

Usage: ``python benchmarks/serve.py [--requests N] [--threads N] [--json OUT]``. Needs the
``bench`` extra (quicktok-v1), the ``openai`` package and the SmolLM2 model.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

from ltlagent.agents.chat import read_conversation, spec_with_tools  # noqa: E402
from ltlagent.compiler.compile import compile_spec  # noqa: E402
from ltlagent.compiler.spec import load_spec  # noqa: E402
from ltlagent.decoders.guide import SpecGuide  # noqa: E402
from ltlagent.decoders.index import build_token_index  # noqa: E402

TOOLS = [
    {"name": "get_weather", "description": "Current weather of a city.",
     "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"enum": ["C", "F"]}}, "required": ["city"]}},
    {"name": "read_secret", "description": "Read a named secret.", "parameters": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}},
    {"name": "send_email", "description": "Send an email.",
     "parameters": {"type": "object", "properties": {"to": {"type": "string"}, "subject": {"type": "string"}, "body": {"type": "string"}},
                    "required": ["to", "subject", "body"]}},
]
CITIES = ["Paris", "Lyon", "Oslo", "Lima", "Kyoto", "Accra", "Quito", "Perth", "Cork", "Bern"]


def conversation(turns: int, variant: int) -> list[dict]:
    """``turns`` user turns, each a weather call, its result and an answer; ends on a user message."""
    out: list[dict] = [{"role": "system", "content": "You are a helpful assistant."}]
    for t in range(turns):
        city = CITIES[(t + variant) % len(CITIES)]
        out.append({"role": "user", "content": f"Weather in {city}, please ({variant}.{t})?"})
        if t == turns - 1:
            break
        out.append({"role": "assistant", "content": None, "tool_calls": [
            {"id": f"c{t}", "type": "function", "function": {"name": "get_weather", "arguments": json.dumps({"city": city})}}]})
        out.append({"role": "tool", "tool_call_id": f"c{t}", "content": f"{10 + t} C, variant {variant}"})
        out.append({"role": "assistant", "content": f"It is {10 + t} C in {city}."})
    return out


def spec_share(samples: int) -> dict:
    sys.path.insert(0, os.path.dirname(__file__))
    from decode import quicktok_vocabulary

    vocab = quicktok_vocabulary("qwen3")
    template = load_spec("chat_tools")
    spec = spec_with_tools(template, TOOLS).build()
    compiled = compile_spec(spec)
    t0 = time.perf_counter()
    index = build_token_index(compiled, vocab)  # the trie of the vocabulary is built here, once per process
    trie_s = time.perf_counter() - t0
    names = [t.name for t in spec.tools]
    rows: list[dict] = []
    for n in range(samples):
        turns = 1 + n % 20
        msgs = conversation(turns, n)
        t0 = time.perf_counter()
        conv = read_conversation(compiled, spec.chat, msgs, names)
        t1 = time.perf_counter()
        guide = SpecGuide(index, max_step_tokens=256, prefix=conv.text)
        t2 = time.perf_counter()
        index.row(guide.mask_row(), guide.mask_mode())
        t3 = time.perf_counter()
        rows.append({"messages": len(msgs), "read_ms": 1000 * (t1 - t0), "guide_ms": 1000 * (t2 - t1), "mask_ms": 1000 * (t3 - t2),
                     "total_ms": 1000 * (t3 - t0)})
    totals = sorted(r["total_ms"] for r in rows)
    warm = sorted(r["total_ms"] for r in rows[20:]) or totals
    return {"vocabulary": len(vocab.tokens), "trie_seconds": round(trie_s, 2), "requests": len(rows),
            "p50_ms": round(statistics.median(totals), 2), "p90_ms": round(totals[int(0.9 * (len(totals) - 1))], 2),
            "max_ms": round(totals[-1], 2), "warm_p50_ms": round(statistics.median(warm), 2),
            "p50_read_ms": round(statistics.median(r["read_ms"] for r in rows), 2),
            "p50_guide_ms": round(statistics.median(r["guide_ms"] for r in rows), 2),
            "p50_mask_ms": round(statistics.median(r["mask_ms"] for r in rows), 2),
            "longest_messages": max(r["messages"] for r in rows), "rows": rows}


def new_toolsets(count: int) -> dict:
    """A request with a toolset the server has not seen: the spec built with its tools,
    compiled, its token index opened and the first mask computed, at 151k."""
    sys.path.insert(0, os.path.dirname(__file__))
    from decode import quicktok_vocabulary

    vocab = quicktok_vocabulary("qwen3")
    build_token_index(compile_spec(load_spec("chat_tools")), vocab)  # the vocabulary's trie: once per process, not per toolset
    template = load_spec("chat_tools")
    times = []
    for n in range(count):
        tools = [{"name": f"tool_{n}_{k}", "description": f"Tool {k} of set {n}.",
                  "parameters": {"type": "object", "properties": {f"arg{j}": {"type": ["string", "integer", "number", "boolean"][(n + j) % 4]}
                                                                  for j in range(1 + (n + k) % 4)}, "required": ["arg0"]}}
                 for k in range(1 + n % 6)] + TOOLS
        t0 = time.perf_counter()
        spec = spec_with_tools(template, tools).build()
        compiled = compile_spec(spec)
        index = build_token_index(compiled, vocab)
        conv = read_conversation(compiled, spec.chat, conversation(2, n), [t.name for t in spec.tools])
        guide = SpecGuide(index, max_step_tokens=256, prefix=conv.text)
        index.row(guide.mask_row(), guide.mask_mode())
        times.append(1000 * (time.perf_counter() - t0))
    times.sort()
    return {"toolsets": count, "p50_ms": round(statistics.median(times), 1), "max_ms": round(times[-1], 1)}


def throughput(requests: int, threads: int | None) -> dict:
    import openai
    import torch

    from ltlagent.agents.openai_server import ChatService, make_server
    from ltlagent.agents.runtime import chat_prompt
    from ltlagent.agents.chat import instructions
    from ltlagent.decoders.models import load_with_threads

    model, tokenizer = load_with_threads("smollm2", threads)
    spec = load_spec("chat_tools")
    service = ChatService(spec, model, tokenizer, model_name="smollm2", device="cpu")
    server = make_server(service, "127.0.0.1", 0, log=lambda line: None)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client = openai.OpenAI(base_url=f"http://127.0.0.1:{server.server_address[1]}/v1", api_key="unused", max_retries=0)
    tools = [{"type": "function", "function": t} for t in TOOLS]
    bodies = [conversation(1 + n % 4, n) for n in range(requests)]
    client.chat.completions.create(model="smollm2", messages=bodies[0], tools=tools, max_tokens=48)  # warm-up (the toolset's spec)
    served_tokens, served_s, plain_s = 0, 0.0, 0.0
    rows = []
    for msgs in bodies:
        t0 = time.perf_counter()
        r = client.chat.completions.create(model="smollm2", messages=msgs, tools=tools, max_tokens=48, temperature=0)
        s = time.perf_counter() - t0
        n = r.usage.completion_tokens
        # the same engine without a spec: the same prompt, prefill + n greedy decode steps, KV cache, no masks
        prep = service.prepared({"tools": tools})
        conv = read_conversation(prep.compiled, spec.chat, msgs, [t.name for t in prep.spec.tools])
        prompt = chat_prompt(tokenizer, instructions(prep.compiled, prep.tools, conv.system), conv.first_user) + conv.text
        ids = tokenizer.encode(prompt, add_special_tokens=False)
        t0 = time.perf_counter()
        with torch.inference_mode():
            out = model(input_ids=torch.tensor([ids]), use_cache=True)
            cache, token = out.cache, int(out.logits[0, -1].argmax())
            for _ in range(n - 1):
                out = model(input_ids=torch.tensor([[token]]), cache=cache, use_cache=True)
                cache, token = out.cache, int(out.logits[0, -1].argmax())
        p = time.perf_counter() - t0
        served_tokens += n
        served_s += s
        plain_s += p
        rows.append({"prompt_tokens": r.usage.prompt_tokens, "completion_tokens": n, "served_s": round(s, 4), "plain_s": round(p, 4),
                     "finish_reason": r.choices[0].finish_reason})
    server.shutdown()
    client.close()
    return {"requests": requests, "completion_tokens": served_tokens, "served_tokens_per_s": round(served_tokens / served_s, 1),
            "plain_tokens_per_s": round(served_tokens / plain_s, 1), "ratio": round(plain_s / served_s, 3), "threads": torch.get_num_threads(),
            "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=200, help="requests for the spec's share (default 200)")
    parser.add_argument("--toolsets", type=int, default=30, help="never-seen toolsets timed (default 30)")
    parser.add_argument("--requests", type=int, default=24, help="requests for tokens/s (default 24)")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--json", metavar="OUT")
    args = parser.parse_args()
    from ltlagent.evals import provenance

    share = spec_share(args.samples)
    print(f"spec's share of a request at {share['vocabulary']:,} tokens ({share['requests']} requests, 2 to {share['longest_messages']} messages): "
          f"p50 {share['p50_ms']} ms (read {share['p50_read_ms']}, guide {share['p50_guide_ms']}, first mask {share['p50_mask_ms']}), "
          f"p90 {share['p90_ms']} ms, max {share['max_ms']} ms; warm p50 {share['warm_p50_ms']} ms; the vocabulary's trie {share['trie_seconds']} s once")
    fresh = new_toolsets(args.toolsets)
    print(f"a request with a toolset never seen ({fresh['toolsets']} toolsets of 4 to 9 tools): spec built, compiled, indexed, first mask: "
          f"p50 {fresh['p50_ms']} ms, max {fresh['max_ms']} ms")
    tput = throughput(args.requests, args.threads)
    print(f"tokens/s, SmolLM2, {tput['threads']} thread(s), {tput['requests']} requests, {tput['completion_tokens']} tokens: "
          f"through the server {tput['served_tokens_per_s']}, the same engine without a spec {tput['plain_tokens_per_s']}: ratio {tput['ratio']}x")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"spec_share": share, "new_toolsets": fresh, "throughput": tput, **provenance(("ltlagent", "torch", "transformers", "outlines-core", "spottl", "openai"))},
                      f, indent=1)
        print(f"results written to {args.json}")


if __name__ == "__main__":
    main()
