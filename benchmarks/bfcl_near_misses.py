"""The irrelevance cases the gate lets through: can any signal tell them from right calls?

At the defaults, ``ltlagent eval bfcl`` writes a call for some irrelevance cases: the question
asks about a neighbour of what the function does (the freezing point beside
``calculate_boiling_point``, a derivative beside ``compute_definite_integral``, the external rate
of return beside ``calculate_internal_rate_of_return``). Their gain is as high as that of many
relevant questions. This script takes the stored answers of a run (``--runs``, later files
overriding earlier ones), the *near misses* (a call written in irrelevance or live_irrelevance)
and the *right calls* (a call BFCL's checker accepts in simple_python, multiple and
live_simple, the categories a stricter gate would cost), and measures, for each signal, the
area under the ROC curve (P(a right call scores above a near miss), ties half; 0.5 is chance):

* ``gain``: the question's gain from the function documents (nats, the gate's own signal);
* ``mean token gain``: the same per question token;
* ``least token gain``: the question token the documents make least likely (a contradicting
  word, "freezing" beside "boiling", should fall);
* ``name words``: the share of the called function's name words (``relevance.words``, less verbs
  such as get/calculate) that the question uses, by their first five letters;
* ``description gain``: the other way round, how much more likely the called function's
  description is once the question is asked (``log p(description | question) - log p(description
  | "Hello.")``, summed over its tokens): "Calculate the boiling point" after a question about
  the freezing point;
* ``words covered``: minus the question's words (of three letters or more, less common ones)
  that neither the called function's document nor the call uses, by their first five letters
  ("derivative" beside ``compute_definite_integral(function='2x')``);
* ``yes/no``: the model asked as a judge, ``log p("Yes") - log p("No")`` as its answer to "A
  tool: NAME: DESCRIPTION / A question: QUESTION / Does the tool answer exactly this question?
  Answer Yes or No." (``YES_NO``);
* ``call likelihood``: how likely the model finds the answer the masks let it write, without
  them: the mean log-probability of the answer's tokens after BFCL's prompt (a call the spec
  pushed into words the model would not choose, ``star_name="planet"``, should score low).

and what refusing on the name rule (no name word used) would win and lose. Seven forward passes
per case (``--model``, default SmolLM2).

    python benchmarks/bfcl_near_misses.py --runs R1.json,R2.json,... [--json benchmarks/results/bfcl-near-misses.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

SIGNALS = ("gain", "mean token gain", "least token gain", "name words", "description gain", "words covered", "yes/no", "call likelihood")
YES_NO = "A tool: {name}: {description}\nA question: {question}\nDoes the tool answer exactly this question? Answer Yes or No."
CALL_CATEGORIES = ("simple_python", "multiple", "live_simple")
IRRELEVANT = ("irrelevance", "live_irrelevance")
VERBS = frozenset("get calculate calc compute find fetch retrieve determine identify predict perform run make create set check "
                  "search list update add show display lookup query info information data details detail function new".split())


def auc(pos: list[float], neg: list[float]) -> float:
    return sum((p > q) + 0.5 * (p == q) for p in pos for q in neg) / (len(pos) * len(neg))


def name_share(name: str, question: str) -> float:
    """The share of ``name``'s words (``relevance.words``, less ``VERBS``) the question uses, by their first five letters."""
    from ltlagent.agents.relevance import words

    named = [w for w in words(name.replace(".", " ")) if w not in VERBS]
    asked = {w.lower()[:5] for w in re.findall(r"[A-Za-z]+", question)}
    return sum(w[:5] in asked for w in named) / len(named) if named else 1.0


QUESTION_WORDS = frozenset("""
    what is are the a an of in on at to for by with and or i me my we us you it this that be do does can could would should will
    please find get tell give show calculate compute determine identify want need like know let lets using use from as about how
    many much which who whom whose when where why there their its also some any all just so if into than then them they he she
    his her was were been has have had not no yes one two three four five six seven eight nine ten help""".split())


def words_uncovered(question: str, function: dict, output: str) -> int:
    """How many of the question's words (three letters or more, not in ``QUESTION_WORDS``) neither
    the called function's document (its JSON) nor the call's text uses, by their first five letters."""
    said = {w.lower() for w in re.findall(r"[A-Za-z]+", question)}
    covered = {w.lower()[:5] for w in re.findall(r"[A-Za-z]+", json.dumps(function) + " " + output)}
    return sum(len(w) > 2 and w not in QUESTION_WORDS and w[:5] not in covered for w in said)


def description_gain(model, tokenizer, question: str, description: str) -> float:
    """log p(the description | the question asked) - log p(it | "Hello."), as the assistant's words."""
    from ltlagent.agents.relevance import render_prompt, text_logprob

    text = " " + description
    got = [text_logprob(model, tokenizer, render_prompt(tokenizer, [{"role": "user", "content": user},
                                                                    {"role": "assistant", "content": "The tool for this:" + text}]), text)
           for user in (question, "Hello.")]
    if got[0][1] != got[1][1]:
        raise SystemExit("the description is tokenized differently after the two questions")
    return got[0][0] - got[1][0]


def yes_no(model, tokenizer, function: dict, question: str) -> float:
    """log p("Yes") - log p("No") as the model's answer to ``YES_NO`` about the called function."""
    from ltlagent.agents.relevance import render_prompt, text_logprob

    asked = YES_NO.format(name=function["name"], description=function.get("description", ""), question=question)
    prompt = render_prompt(tokenizer, [{"role": "user", "content": asked}])
    return text_logprob(model, tokenizer, prompt + "Yes", "Yes")[0] - text_logprob(model, tokenizer, prompt + "No", "No")[0]


def call_likelihood(model, tokenizer, messages: list, output: str) -> float:
    """The mean log-probability of the answer's tokens after BFCL's prompt, no masks."""
    from ltlagent.agents.relevance import render_prompt, token_logprobs

    got = token_logprobs(model, tokenizer, render_prompt(tokenizer, messages) + output, output)
    return sum(got) / len(got) if got else 0.0


def token_gains(model, tokenizer, with_tools: list, without_tools: list, question: str) -> list[float]:
    """Per question token: log p with the tool documents minus log p without them."""
    from ltlagent.agents.relevance import render_prompt, token_logprobs

    a, b = (token_logprobs(model, tokenizer, render_prompt(tokenizer, m), question) for m in (with_tools, without_tools))
    if len(a) != len(b) or not a:
        raise SystemExit("the question is tokenized differently with and without the tools")
    return [x - y for x, y in zip(a, b)]


def main() -> None:
    from ltlagent.decoders.models import load_with_threads
    from ltlagent.evals import bfcl as B
    from ltlagent.evals import provenance

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", required=True, help="results files of `ltlagent eval bfcl -o`, comma-separated, later ones overriding earlier ones")
    ap.add_argument("--model", default="smollm2")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    answers: dict[str, dict] = {}
    for path in args.runs.split(","):
        try:
            rows = json.loads(Path(path).read_text(encoding="utf-8"))["cases"]
        except (OSError, ValueError, KeyError) as exc:
            sys.exit(f"--runs: {path}: not a results file of `ltlagent eval bfcl -o` ({exc})")
        answers.update({r["id"]: r for r in rows if r["mode"] == "constrained"})
    chosen = {i: r for i, r in answers.items() if r["calls"] and (
        (r["category"] in IRRELEVANT) or (r["category"] in CALL_CATEGORIES and r["valid"]))}
    if not any(r["category"] in IRRELEVANT for r in chosen.values()):
        sys.exit("--runs: no irrelevance answer with a call: nothing to tell apart")
    bfcl = B.import_bfcl()
    model, tok = load_with_threads(args.model, 1)
    cases = {c["id"]: c for cat in {r["category"] for r in chosen.values()} for c in B.load_cases(bfcl, cat)}
    out = []
    for n, (i, r) in enumerate(sorted(chosen.items()), 1):
        case = cases[i]
        question = [m["content"] for m in case["question"][0] if m["role"] == "user"][-1]
        gains = token_gains(model, tok, B.prompt_messages(bfcl, case), bfcl.system_prompt([dict(m) for m in case["question"][0]], [], i), question)
        called = list(dict.fromkeys(re.findall(r"([A-Za-z_][\w.]*)\(", r["output"])))
        function = next((f for f in case["function"] if f["name"] in called), case["function"][0])
        out.append({"id": i, "category": r["category"], "near_miss": r["category"] in IRRELEVANT, "gain": round(sum(gains), 3),
                    "mean token gain": round(sum(gains) / len(gains), 4), "least token gain": round(min(gains), 3),
                    "name words": round(max((name_share(f, B.user_words(case)) for f in called), default=1.0), 3),
                    "description gain": round(description_gain(model, tok, question[-1500:], function.get("description", "")), 3),
                    "words covered": -words_uncovered(question, function, r["output"]),
                    "yes/no": round(yes_no(model, tok, function, B.user_words(case)[-1500:]), 3),
                    "call likelihood": round(call_likelihood(model, tok, B.prompt_messages(bfcl, case), r["output"]), 4)})
        print(f"{n}/{len(chosen)} {i}", file=sys.stderr, flush=True)
    right = [r for r in out if not r["near_miss"]]
    near = [r for r in out if r["near_miss"]]
    signals = {k: round(auc([r[k] for r in right], [r[k] for r in near]), 3) for k in SIGNALS}
    rule = {"near misses refused": sum(r["name words"] == 0 for r in near),
            "right calls refused": {c: sum(r["name words"] == 0 for r in right if r["category"] == c) for c in CALL_CATEGORIES}}
    print(f"{len(near)} near misses, {len(right)} right calls ({', '.join(CALL_CATEGORIES)})")
    print("| signal | AUC (right call above near miss) |\n|---|---|")
    for k, v in signals.items():
        print(f"| {k} | {v} |")
    print(f"refusing where the question uses no word of the called function's name: {rule['near misses refused']} of {len(near)} "
          f"near misses refused, right calls refused: {rule['right calls refused']}")
    if args.json:
        meta = {"runs": args.runs, "model": args.model, **provenance(("ltlagent", "torch", "transformers", "bfcl-eval"))}
        args.json.write_text(json.dumps({**meta, "auc": signals, "name_rule": rule, "cases": out}, indent=1) + "\n", encoding="utf-8")
        print(f"written to {args.json}")


if __name__ == "__main__":
    main()
