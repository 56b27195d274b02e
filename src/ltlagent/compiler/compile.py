"""``compile_spec``: Spec → letters → automata → diagnostics → CompiledSpec."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from pathlib import Path
from collections.abc import Sequence

from ltlagent.compiler.automaton import DEAD, LetterDFA, intersect_all
from ltlagent.compiler.compiled import CompiledRule, CompiledSpec, StepInfo, ToolInfo, example_findings
from ltlagent.compiler.findings import Finding
from ltlagent.compiler.letters import Letter, build_letters
from ltlagent.compiler.ltl import translate_letters
from ltlagent.compiler.ltlf import Formula
from ltlagent.compiler import regexes
from ltlagent.compiler.spec import Rule, Source, Spec, Step
from ltlagent.errors import FormulaError, SpecError


def compile_spec(spec: Spec) -> CompiledSpec:
    """Compile a parsed spec: build the letters, translate every rule and their conjunction
    with Spot, prune states from which acceptance is unreachable, and diagnose the spec."""
    t0 = time.perf_counter()
    letters = build_letters(spec)
    valuations = [x.atoms for x in letters]
    rules = tuple(CompiledRule(r.name, r.ltlf, r.why, r.line, _translate_rule(spec, r, valuations)) for r in spec.rules)
    dfa = translate_letters(_conjunction([r.formula for r in spec.rules]), valuations)
    steps = tuple(StepInfo(s.name, s.source, s.tag, s.terminator, s.line) for s in spec.steps)
    compiled = CompiledSpec(
        name=spec.name,
        description=spec.description,
        path=spec.path,
        letters=letters,
        steps=steps,
        dfa=dfa,
        rules=rules,
        diagnostics=(),
        parameters=dict(spec.parameters),
        tools=tuple(ToolInfo(t.name, t.description, json.loads(json.dumps(t.parameters))) for t in spec.tools),
        examples=tuple(ex.text for ex in spec.examples if ex.valid),
    )
    diagnostics = tuple(diagnose(spec, compiled))
    ms = (time.perf_counter() - t0) * 1000
    return dataclasses.replace(compiled, diagnostics=diagnostics, compile_ms=ms)


def _translate_rule(spec: Spec, rule: Rule, valuations: list[frozenset[str]]) -> LetterDFA:
    """One rule's automaton; a formula Spot cannot translate is an error at the rule's line."""
    try:
        return translate_letters(rule.formula, valuations)
    except FormulaError as exc:
        raise SpecError(f"rule {rule.name!r}: {exc.message}", path=spec.path, line=rule.line or None, source=spec.source or None,
                        hint=exc.hint) from None


def ensure_compiled(spec: Spec | CompiledSpec | str | Path) -> CompiledSpec:
    """The compiled spec, from a path, a shipped spec's name, a :class:`Spec` or a compiled
    one: one way in for every API that takes a spec. A spec with errors is refused
    (:class:`SpecError` naming the first one), whichever way it came."""
    from ltlagent.compiler.spec import load_spec

    if isinstance(spec, CompiledSpec):
        compiled = spec
    else:
        compiled = compile_spec(spec if isinstance(spec, Spec) else load_spec(spec))
    if compiled.errors:
        first = compiled.errors[0]
        raise SpecError(f"spec {compiled.name!r} has errors: " + "; ".join(d.message for d in compiled.errors),
                        path=compiled.path, line=first.line or None, hint="Run: ltlagent compile " + compiled.path)
    return compiled


def _conjunction(formulas: Sequence[Formula]) -> Formula:
    out: Formula = ("true",)
    for f in formulas:
        out = f if out == ("true",) else ("&", out, f)
    return out


# -- diagnostics -------------------------------------------------------------------------


def diagnose(spec: Spec, c: CompiledSpec) -> list[Finding]:
    out: list[Finding] = []
    if c.dfa.is_empty():
        conflict = minimal_conflict(c)
        names = ", ".join(repr(r.name) for r in conflict)
        out.append(
            Finding(
                "error",
                "unsatisfiable",
                f"no trace satisfies the spec; these rules conflict: {names}",
                conflict[0].line if conflict else 0,
                rules=tuple((r.name, r.why) for r in conflict),
            )
        )
        return out
    out += _unused(spec, c)
    out += _redundant(c)
    out += _tags(spec, c)
    out += _realizability(c)
    out += _loose_argument_classes(spec)
    out += _narrow_environment(spec)
    out += _examples(spec, c)
    return out


def _narrow_environment(spec: Spec) -> list[Finding]:
    """An environment or input step with a format narrower than text: the runtime cannot make
    every tool answer fit it, so an answer that does not fit ends the run (status ``error``)."""
    return [Finding("warning", "narrow-environment-format",
                    f"the {s.source} step {s.name!r} only accepts {s.content.kind} content: a tool answer or input that does not fit "
                    "ends the run with status 'error' (the runtime cleans line breaks from text, but cannot make text fit a "
                    "regex or a choice). Give it a text format to accept every answer", s.line, step=s.name)
            for s in spec.steps if s.source != Source.MODEL and s.content.kind != "text"]


# Characters a negated class such as [^@\s] lets into an argument although a reader (or a
# downstream parser) takes them for a space or a line break.
SPACE_LIKE = {
    "\u0085": "NEXT LINE (U+0085)", "\u00a0": "NO-BREAK SPACE (U+00A0)", "\u1680": "OGHAM SPACE MARK (U+1680)",
    "\u2000": "EN QUAD (U+2000)", "\u2002": "EN SPACE (U+2002)", "\u2003": "EM SPACE (U+2003)", "\u2009": "THIN SPACE (U+2009)",
    "\u200a": "HAIR SPACE (U+200A)", "\u200b": "ZERO WIDTH SPACE (U+200B)", "\u2028": "LINE SEPARATOR (U+2028)",
    "\u2029": "PARAGRAPH SEPARATOR (U+2029)", "\u202f": "NARROW NO-BREAK SPACE (U+202F)", "\u205f": "MEDIUM MATHEMATICAL SPACE (U+205F)",
    "\u3000": "IDEOGRAPHIC SPACE (U+3000)", "\ufeff": "ZERO WIDTH NO-BREAK SPACE (U+FEFF)",
}
_NEGATED = re.compile(r"\[\^|\\[SWD]")


def _loose_argument_classes(spec: Spec) -> list[Finding]:
    """A tool argument's condition written with a negated class (``[^@\\s]``, ``\\S``) admits
    every non-ASCII character: name the space-like and line-separator ones it lets through."""
    out = []
    for p in spec.propositions:
        if p.tool is None or not _NEGATED.search(p.pattern):
            continue
        admitted = [name for ch, name in SPACE_LIKE.items() if regexes.satisfiable([(p.pattern, True), (".*" + regexes.regex_escape(ch) + ".*", True)])]
        if not admitted and not regexes.satisfiable([(p.pattern, True), (".*[^\\x00-\\x7f].*", True)]):
            continue
        what = f"{p.tool}'s argument {p.argument!r}" if p.argument else f"calls of {p.tool}"
        lets = f"; it lets through {', '.join(admitted)}" if admitted else ""
        out.append(Finding("warning", "loose-argument-class",
                           f"the condition {p.pattern!r} on {what} uses a negated class, which admits every non-ASCII character{lets}. "
                           "A mail or shell parser may read such text differently; list the allowed characters instead, "
                           "e.g. [A-Za-z0-9._%+-]+ for an address's local part", p.line))
    return out


def _examples(spec: Spec, c: CompiledSpec) -> list[Finding]:
    """Examples must be accepted (or rejected, when marked ``valid = false``)."""
    out = []
    for ex in spec.examples:
        base = ex.line - 1 if ex.line else None
        out += example_findings(c.check_text(ex.text), ex.name, ex.valid, to_line=lambda n, b=base: 0 if b is None else b + n)
    return out


def minimal_conflict(c: CompiledSpec) -> list[CompiledRule]:
    """A minimal set of rules whose conjunction is unsatisfiable (deletion-based)."""
    chosen = list(c.rules)
    for r in list(chosen):
        rest = [x for x in chosen if x is not r]
        if rest and intersect_all([x.dfa for x in rest]).is_empty():
            chosen = rest
    return chosen


def _unused(spec: Spec, c: CompiledSpec) -> list[Finding]:
    used = {a for row in c.dfa.delta for a, d in enumerate(row) if d != DEAD}
    out = []
    for s in spec.steps:
        if not any(x.index in used for x in c.letters if x.step == s.name):
            out.append(Finding("warning", "unreachable-step", f"step {s.name!r} can never occur in an accepted trace", s.line))
    for p in spec.propositions:
        if not any(p.name in x.atoms for x in c.letters):
            out.append(Finding("warning", "empty-proposition", f"proposition {p.name!r} can never hold on its step's content", p.line))
    return out


def _redundant(c: CompiledSpec) -> list[Finding]:
    """Rules that hold on every trace (vacuous), and rules the others imply (redundant)."""
    out = []
    n = len(c.letters)
    everything = LetterDFA(n, 0, frozenset({1}), ((1,) * n, (1,) * n))  # every non-empty trace
    vacuous = set()
    for i, r in enumerate(c.rules):
        if r.dfa.is_equivalent(everything):
            vacuous.add(i)
            out.append(Finding("warning", "vacuous-rule", f"rule {r.name!r} holds on every trace, so it constrains nothing", r.line, rules=((r.name, r.why),)))
    if len(c.rules) < 2:
        return out
    for i, r in enumerate(c.rules):
        if i in vacuous:
            continue
        others = [x.dfa for j, x in enumerate(c.rules) if j != i]
        if intersect_all(others).is_equivalent(c.dfa):
            out.append(Finding("warning", "redundant-rule", f"rule {r.name!r} is implied by the other rules", r.line, rules=((r.name, r.why),)))
    return out


def _tags(spec: Spec, c: CompiledSpec) -> list[Finding]:
    out = []
    for a in spec.steps:
        if a.tag == "" and _may_start_blank(a):  # the checker skips a blank line between steps
            out.append(Finding("error", "untagged-blank", f"the untagged step {a.name!r} may be empty or start with a space, tab or line break, "
                                  "and a line that starts blank is not read as a step", a.line))
        for b in spec.steps:
            if a is not b and b.tag.startswith(a.tag):
                rest = b.tag[len(a.tag):]
                if a.tag == "":  # an untagged step: any other tag starts a line before it
                    if _may_start_with(a, rest):
                        out.append(Finding("error", "ambiguous-tag", f"the untagged step {a.name!r} may begin with tag {b.tag!r} of step {b.name!r}: "
                                              "one text would be read as two different steps (exclude the tag from its pattern)", a.line))
                elif _may_start_with(a, rest):  # the checker reads the longer tag; the model may mean the shorter
                    out.append(Finding("error", "ambiguous-tag", f"tag {a.tag!r} of step {a.name!r} is a prefix of tag {b.tag!r} of step {b.name!r}, "
                                          f"and a {a.name} step may begin with {rest!r}: one text would be read as two different steps", b.line))
                else:
                    out.append(Finding("warning", "ambiguous-tag", f"tag {a.tag!r} of step {a.name!r} is a prefix of tag {b.tag!r} of step {b.name!r}", b.line))
        for b in spec.steps:
            if b.terminator in a.tag:
                out.append(Finding("error", "tag-contains-terminator", f"tag {a.tag!r} of step {a.name!r} contains the terminator {b.terminator!r} of step {b.name!r}", a.line))
                break
    warned: set[str] = set()
    for letter in c.letters:
        if "\n" in letter.terminator or letter.step in warned:
            continue  # single-line content: a tag can only start after the terminator
        for s in spec.steps:
            if s.tag and _may_contain(letter, "\n" + s.tag):
                warned.add(letter.step)
                out.append(Finding("warning", "tag-in-content", f"the content of step {letter.step!r} may contain a line starting with tag {s.tag!r}", spec.step(letter.step).line))
                break
    return out


def _may_start_with(step: Step, text: str) -> bool:
    """Whether the content of ``step`` may begin with ``text`` (exact for text, choices and
    regex steps; tool calls are assumed to)."""
    c = step.content
    if c.kind == "text":
        return step.terminator not in text
    if c.kind == "choices":
        return any(x.startswith(text) or text.startswith(x + step.terminator) for x in c.choices)
    if c.kind == "regex":
        return regexes.satisfiable([(c.pattern or "", True)], prefix=text, banned=step.terminator if len(step.terminator) == 1 else "")
    return True


def _may_start_blank(step: Step) -> bool:
    """Whether an untagged step's content may be empty or begin with a blank character
    (a tool call never does: it starts with a name or ``{``)."""
    c = step.content
    if c.kind == "tool_call":
        return False
    if c.kind == "regex" and regexes.fullmatch(c.pattern or "", ""):
        return True
    return any(_may_start_with(step, ch) for ch in " \t\r\n") or _may_start_with(step, step.terminator)


def _may_contain(letter: Letter, needle: str) -> bool:
    base = letter.base_regex()
    if base is None:
        # JSON calls are written on one line; free text up to a multi-character terminator may hold anything.
        return letter.content.kind == "text"
    try:
        import interegular

        lang = interegular.parse_pattern(base).to_fsm()
        pat = interegular.parse_pattern("(.|\n)*" + re.escape(needle) + "(.|\n)*").to_fsm()
        return not (lang & pat).empty()
    except Exception:  # noqa: BLE001 - outside interegular's regex subset: assume it may
        return True


def trap_states(c: CompiledSpec) -> set[int]:
    """States from which the environment can force the trace into a dead end.

    A game on the automaton: the model picks which step comes next (or stops in an
    accepting state) and the content of its own steps; for an environment or input step
    the environment picks the letter (the content). A state is a trap when, whatever the
    model does, some environment answer leaves no way to acceptance now or later.
    (Merely prolonging the trace, e.g. a tool that fails forever while the agent
    retries, is not a trap: the model still has a way to finish after every answer.)
    """
    dfa = c.dfa
    steps = _letters_by_step(c)
    bad: set[int] = set()
    changed = True
    while changed:
        changed = False
        for q in range(dfa.num_states):
            if q in bad or q in dfa.accepting:
                continue
            safe = False
            for letters in steps.values():
                targets = [dfa.delta[q][x.index] for x in letters]
                if all(t == DEAD for t in targets):
                    continue
                if letters[0].source == Source.MODEL:
                    safe = any(t != DEAD and t not in bad for t in targets)
                else:
                    safe = all(t != DEAD and t not in bad for t in targets)
                if safe:
                    break
            if not safe:
                bad.add(q)
                changed = True
    return bad


def _letters_by_step(c: CompiledSpec) -> dict[str, list[Letter]]:
    out: dict[str, list[Letter]] = {}
    for x in c.letters:
        out.setdefault(x.step, []).append(x)
    return out


def _realizability(c: CompiledSpec) -> list[Finding]:
    """Report the first reachable state (fewest steps from the start) where an environment
    step may begin and one of its answers leads into a dead end or a trap."""
    dfa = c.dfa
    bad = trap_states(c)
    steps = _letters_by_step(c)
    order = sorted(dfa.reachable(), key=lambda q: (len(dfa.shortest_path_to(q)), q))
    # First an answer that is a dead end at once (the root cause), then one into a trap.
    for traps in ({DEAD}, bad | {DEAD}):
        for q in order:
            for step, letters in steps.items():
                if letters[0].source == Source.MODEL:
                    continue
                targets = [dfa.delta[q][x.index] for x in letters]
                if all(t == DEAD for t in targets):
                    continue
                for x, t in zip(letters, targets):
                    if t in traps:
                        path = " → ".join(c.letters[a].name for a in dfa.shortest_path_to(q)) or "the start"
                        line = next(s.line for s in c.steps if s.name == step)
                        return [
                            Finding(
                                "error",
                                "environment-trap",
                                f"after {path}, if the environment answers {x.name} ({x.describe()}), "
                                "no continuation satisfies the spec",
                                line,
                            )
                        ]
    if dfa.initial in bad:  # pragma: no cover - a trap state is always entered by some answer above
        return [Finding("error", "environment-trap", "the environment can force every trace into a dead end", 0)]
    return []
