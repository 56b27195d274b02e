"""How a BFCL spec's answer form decides between a call and no call, on a development split.

``ltlagent eval bfcl`` builds each case's spec from its function list: a list of calls (tag
``[``), or one line in words (an untagged step). Which words? A small model prefers prose at
the first token whatever the question, so "any line" turns every answer into prose. This script
measures, for several forms of the words, the choice greedy decoding makes at the first token
under the real masks (call: the chosen token opens ``[``), on the *last* cases of six
categories, which ``ltlagent eval bfcl --limit N`` (the first N) never reaches for N up to the
category's size less the split. It reports, per form, the share of relevant cases (call
categories) that open a call and of irrelevant cases that do not.

    python benchmarks/bfcl_answer_forms.py [--model smollm2] [--json benchmarks/results/bfcl-answer-forms.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

SPLIT = {"simple_python": 40, "multiple": 30, "live_simple": 30, "live_multiple": 30, "irrelevance": 40, "live_irrelevance": 40}
FORMS = {"any line": None, "Unfortunately": "Unfortunately", "No": "No", "Sorry": "Sorry", "There": "There", "This": "This", "I cannot": "I cannot"}


def main() -> None:
    import torch

    from ltlagent import build_token_index, compile_spec
    from ltlagent.decoders.models import load_with_threads
    from ltlagent.decoders.vocab import TokenVocabulary
    from ltlagent.evals import bfcl as B
    from ltlagent.evals import provenance
    from ltlagent.compiler.regexes import regex_escape
    from ltlagent.evals.bfcl_grammar import WORDS, bfcl_spec

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="smollm2")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    model, tok = load_with_threads(args.model, args.threads)
    vocab = TokenVocabulary.from_hf(tok)
    bfcl = B.import_bfcl()
    rows: list[dict] = []
    for category, n in SPLIT.items():
        path = bfcl.data / f"BFCL_v4_{category}.json"
        cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()][-n:]
        for case in cases:
            prompt = tok.apply_chat_template(B.prompt_messages(bfcl, case), tokenize=False, add_generation_prompt=True)
            ids = tok(prompt, return_tensors="pt", add_special_tokens=False).input_ids
            with torch.inference_mode():
                logits = model(ids).logits[0, -1].float().numpy()
            row = {"id": case["id"], "category": category, "relevant": "irrelevance" not in category}
            for name, opener in FORMS.items():
                words = WORDS if opener is None else regex_escape(opener) + r"[^\n]*"
                compiled = compile_spec(bfcl_spec(case["function"], "dev", words=words).build())
                index = build_token_index(compiled, vocab)
                allowed = index.allowed_ids(index.initial_state(compiled.dfa.initial))
                best = int(allowed[np.argmax(logits[allowed])])
                row[name] = (vocab.tokens[best] or b"").startswith(b"[")
            rows.append(row)
        print(f"{category}: {n} cases", flush=True)
    print(f"\n{'words form':<16}" + "".join(f"{c:>18}" for c in SPLIT) + f"{'relevant→call':>15}{'irrelevant→none':>17}{'balanced':>10}")
    summary = {}
    for name in FORMS:
        per = {c: sum(r[name] for r in rows if r["category"] == c) for c in SPLIT}
        rel = [r[name] for r in rows if r["relevant"]]
        irr = [not r[name] for r in rows if not r["relevant"]]
        summary[name] = {"calls": per, "relevant_call": sum(rel) / len(rel), "irrelevant_no_call": sum(irr) / len(irr)}
        s = summary[name]
        print(f"{name:<16}" + "".join(f"{per[c]:>15}/{SPLIT[c]:<2}" for c in SPLIT)
              + f"{100 * s['relevant_call']:>14.0f}%{100 * s['irrelevant_no_call']:>16.0f}%{50 * (s['relevant_call'] + s['irrelevant_no_call']):>9.0f}%")
    if args.json:
        meta = {"model": args.model, **provenance(("ltlagent", "torch", "transformers", "bfcl-eval", "outlines-core"))}
        args.json.write_text(json.dumps({"meta": meta, "split": SPLIT, "summary": summary, "cases": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
