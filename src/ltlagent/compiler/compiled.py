"""The compiled spec: a letter automaton plus each letter's format. Tokenizer-free,
picklable, Spot-free — decoders and agents consume it; ``check_text`` validates transcripts.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from collections.abc import Callable
from typing import Any, NamedTuple

from ltlagent.compiler.automaton import DEAD, LetterDFA, intersect_all
from ltlagent.compiler.findings import Finding
from ltlagent.compiler.letters import Constraint, Letter
from ltlagent.compiler.spec import Content, Source

FORMAT_VERSION = 2
BLANK = " \t\r"  # what a blank line between steps may hold (ASCII only, as the decoder reads text)


@dataclass(frozen=True)
class CompiledRule:
    name: str
    ltlf: str
    why: str
    line: int
    dfa: LetterDFA


@dataclass(frozen=True)
class StepInfo:
    name: str
    source: str
    tag: str
    terminator: str
    line: int


@dataclass(frozen=True)
class ToolInfo:
    """A tool as the spec declares it: what the prompt lists and what calls are checked against."""

    name: str
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ParsedStep:
    """One step of a transcript as :meth:`CompiledSpec.check_text` read it."""

    index: int
    line: int
    step: str
    text: str
    letter: str | None


class SplitStep(NamedTuple):
    """One step as :meth:`CompiledSpec.split` cut it out of a text."""

    line: int  # 1-based line where the tag starts
    step: str
    content: str  # without tag and terminator
    offset: int  # where the content starts in the text


@dataclass(frozen=True)
class Verdict:
    ok: bool
    steps: tuple[ParsedStep, ...]
    violations: tuple[Finding, ...]
    state: int

    def __bool__(self) -> bool:
        return self.ok


@dataclass(frozen=True)
class CompiledSpec:
    """A spec compiled to a deterministic automaton over letters.

    ``dfa`` is trimmed (every state can still reach acceptance: a missing transition is a
    violation) and minimal. ``letters[i]`` knows its step, source, tag, terminator and
    content language. ``rules`` keep one automaton each, for blame.
    """

    name: str
    description: str
    path: str
    letters: tuple[Letter, ...]
    steps: tuple[StepInfo, ...]
    dfa: LetterDFA
    rules: tuple[CompiledRule, ...]
    diagnostics: tuple[Finding, ...]
    parameters: dict[str, int] = field(default_factory=dict)
    compile_ms: float = 0.0
    tools: tuple[ToolInfo, ...] = ()
    examples: tuple[str, ...] = ()  # the texts of the spec's valid examples, for the prompt

    # -- queries -----------------------------------------------------------------
    def letter(self, name: str) -> Letter:
        for x in self.letters:
            if x.name == name:
                return x
        raise KeyError(name)

    def letter_for(self, step: str, content: str) -> Letter | None:
        """The letter a step's content is (letters of a step partition its contents), or ``None``
        when the content has none of the step's formats."""
        return next((x for x in self.letters if x.step == step and x.matches(content)), None)

    def next_state(self, state: int, letter: Letter | int) -> int:
        """The automaton state after ``letter`` (a letter or its index; ``DEAD`` when it is not allowed)."""
        return DEAD if state == DEAD else self.dfa.delta[state][letter if isinstance(letter, int) else letter.index]

    def steps_by_tag(self) -> tuple[StepInfo, ...]:
        """The steps, longest tag first: the order in which a tag at a line start is read."""
        return tuple(sorted(self.steps, key=lambda s: -len(s.tag)))

    def allowed_letters(self, state: int) -> tuple[Letter, ...]:
        """Letters with a transition from ``state`` (all of them keep acceptance reachable)."""
        if state == DEAD:
            return ()
        return tuple(x for x in self.letters if self.dfa.delta[state][x.index] != DEAD)

    def is_accepting(self, state: int) -> bool:
        return state in self.dfa.accepting

    def enabled_steps(self, state: int, *, environment: bool | None = None) -> tuple[StepInfo, ...]:
        """Steps with an allowed letter at ``state`` (``environment=True``: only steps the
        environment or the input writes; ``False``: only the model's)."""
        names = {x.step for x in self.allowed_letters(state)}
        return tuple(s for s in self.steps if s.name in names and (environment is None or (s.source != Source.MODEL) == environment))

    def step_info(self, name: str) -> StepInfo:
        for s in self.steps:
            if s.name == name:
                return s
        raise KeyError(name)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    # -- transcripts -----------------------------------------------------------------
    def split(self, text: str) -> tuple[list[SplitStep], Finding | None]:
        """Split ``text`` into ``(line, step, content, offset)`` by tags; or a violation for text that is no step.

        This is how every part of ltlagent reads a trace: the text exactly as written (a
        ``\r`` is a character like any other, so ``[STOP]\r`` is not ``[STOP]``), a step
        starting where a tag starts a line, lines of only spaces, tabs and ``\r`` between
        steps ignored. Linear in the length of ``text``.
        """
        tags = self.steps_by_tag()
        out: list[SplitStep] = []
        pos = 0
        line, counted = 1, 0  # ``line`` is the line number at offset ``counted``
        while pos < len(text):
            line += text.count("\n", counted, pos)
            counted = pos
            eol = text.find("\n", pos)
            blank = text[pos:eol if eol != -1 else len(text)]
            if not blank.strip(BLANK):  # blank lines between steps are ignored
                pos = len(text) if eol == -1 else eol + 1
                continue
            step = next((s for s in tags if text.startswith(s.tag, pos)), None)
            if step is None:
                shown = blank if len(blank) <= 40 else blank[:37] + "..."
                tags_list = ", ".join(repr(s.tag) for s in self.steps)
                return out, Finding("error", "unknown-text", f"{shown!r} does not start with a step tag (tags: {tags_list})", line, 1, step_index=len(out))
            start = pos + len(step.tag)
            end = text.find(step.terminator, start)
            if end == -1:
                content, pos = text[start:].rstrip("\n"), len(text)
            else:
                content, pos = text[start:end], end + len(step.terminator)
            out.append(SplitStep(line, step.name, content, start))
        return out, None

    def check_text(self, text: str) -> Verdict:
        """Check a transcript: split by tags, decide each step's letter, run the automaton.

        The verdict is ``ok`` only if every step has a valid format, no rule is broken and
        the trace ends in an accepting state. Checking stops at the first violation.
        """
        pieces, problem = self.split(text)
        parsed: list[ParsedStep] = []
        state = self.dfa.initial
        rule_states = [r.dfa.initial for r in self.rules]
        letters_so_far: list[int] = []
        for i, (line, step, content, start) in enumerate(pieces):
            letter = self.letter_for(step, content)
            parsed.append(ParsedStep(i, line, step, content, letter.name if letter else None))
            allowed = tuple(x.name for x in self.allowed_letters(state))
            if letter is None:
                formats = "; or ".join(sorted({x.describe() for x in self.letters if x.step == step})) or "nothing (the step has no possible content)"
                column = start - text.rfind("\n", 0, start)
                crlf = " (the line ends with \\r: Windows line endings are part of the text; save the file with \\n line endings)" if content.endswith("\r") else ""
                v = Finding("error", "format", f"the {step} step's content {content!r} is not {formats}{crlf}", line, column, step=step, step_index=i, allowed=allowed)
                return Verdict(False, tuple(parsed), (v,), DEAD)
            nxt = self.next_state(state, letter)
            new_rule_states = [r.dfa.delta[q][letter.index] if q != DEAD else DEAD for r, q in zip(self.rules, rule_states)]
            if nxt == DEAD:
                blamed = self._blame(letters_so_far + [letter.index], rule_states, new_rule_states)
                v = Finding("error", "rule", f"{letter.name} is not allowed here", line, 1, step=step, step_index=i, rules=tuple((r.name, r.why) for r in blamed), allowed=allowed)
                return Verdict(False, tuple(parsed), (v,), DEAD)
            state, rule_states = nxt, new_rule_states
            letters_so_far.append(letter.index)
        if problem is not None:
            return Verdict(False, tuple(parsed), (problem,), state)
        if not pieces:
            v = Finding("error", "unfinished", "the transcript has no steps", 1, 1, completion=self._completion(state))
            return Verdict(False, (), (v,), state)
        if state not in self.dfa.accepting:
            blamed = tuple((r.name, r.why) for r, q in zip(self.rules, rule_states) if q not in r.dfa.accepting)
            line = pieces[-1][0]
            v = Finding("error", "unfinished", "the trace ends before the spec allows it to", line, 1, rules=blamed,
                        allowed=tuple(x.name for x in self.allowed_letters(state)), completion=self._completion(state))
            return Verdict(False, tuple(parsed), (v,), state)
        return Verdict(True, tuple(parsed), (), state)

    def run_text(self, text: str, state: int | None = None) -> int:
        """The automaton state after reading the whole steps in ``text`` from ``state``
        (default: the initial state); ``DEAD`` if a step is malformed or not allowed."""
        pieces, problem = self.split(text)
        q = self.dfa.initial if state is None else state
        if problem is not None:
            return DEAD
        for _, step, content, _ in pieces:
            letter = self.letter_for(step, content)
            if letter is None or q == DEAD:
                return DEAD
            q = self.next_state(q, letter)
        return q

    def _completion(self, state: int) -> tuple[str, ...] | None:
        path = self.dfa.shortest_accepted(state)
        return None if path is None else tuple(self.letters[a].name for a in path)

    def _blame(self, prefix: list[int], before: list[int], after: list[int]) -> tuple[CompiledRule, ...]:
        """The rules that forbid the last letter of ``prefix``: those whose own automaton dies
        there, or else a minimal set of rules that together leave no continuation."""
        direct = tuple(r for r, q0, q1 in zip(self.rules, before, after) if q0 != DEAD and q1 == DEAD)
        if direct:
            return direct
        chosen = list(self.rules)
        for r in list(chosen):
            rest = [x for x in chosen if x is not r]
            if rest and intersect_all([x.dfa for x in rest]).run(prefix) == DEAD:
                chosen = rest
        return tuple(chosen)

    # -- serialisation -----------------------------------------------------------------
    def to_json(self) -> str:
        d = asdict(self)
        d["format_version"] = FORMAT_VERSION
        return json.dumps(d, default=_jsonable, indent=1)

    @classmethod
    def from_json(cls, text: str) -> CompiledSpec:
        d = json.loads(text)
        if d.pop("format_version", None) != FORMAT_VERSION:
            raise ValueError("not a compiled spec of this ltlagent version; compile the spec again")

        def dfa(x: dict[str, Any]) -> LetterDFA:
            return LetterDFA(x["num_letters"], x["initial"], frozenset(x["accepting"]), tuple(tuple(r) for r in x["delta"]))

        letters = tuple(
            Letter(
                **{
                    **x,
                    "content": Content(**{**x["content"], "choices": tuple(x["content"]["choices"])}),
                    "constraints": tuple(Constraint(**c) for c in x["constraints"]),
                    "atoms": frozenset(x["atoms"]),
                }
            )
            for x in d["letters"]
        )
        return cls(
            name=d["name"],
            description=d["description"],
            path=d["path"],
            letters=letters,
            steps=tuple(StepInfo(**s) for s in d["steps"]),
            dfa=dfa(d["dfa"]),
            rules=tuple(CompiledRule(**{**r, "dfa": dfa(r["dfa"])}) for r in d["rules"]),
            diagnostics=tuple(
                Finding(
                    **{
                        **x,
                        "rules": tuple(tuple(r) for r in x["rules"]),
                        "allowed": tuple(x["allowed"]),
                        "completion": None if x["completion"] is None else tuple(x["completion"]),
                    }
                )
                for x in d["diagnostics"]
            ),
            parameters=d["parameters"],
            compile_ms=d["compile_ms"],
            tools=tuple(ToolInfo(**t) for t in d.get("tools", ())),
            examples=tuple(d.get("examples", ())),
        )


def _jsonable(x: Any) -> Any:
    if isinstance(x, (frozenset, set)):
        return sorted(x)
    raise TypeError(f"cannot serialise {type(x).__name__}")


def example_findings(
    verdict: Verdict, name: str, valid: bool, *, to_line: Callable[[int], int] | None = None, path: str = "", spec: str | None = None
) -> list[Finding]:
    """What an example's verdict means: every violation of an example marked valid
    (``example-<code>``), or ``example-accepted`` for one marked ``valid = false`` that the
    spec accepts. ``to_line`` maps a line of the example's text to a line of its file."""
    line = to_line or (lambda n: n)
    if verdict.ok == valid:
        return []
    if not valid:
        return [Finding("error", "example-accepted", f"example {name!r} is marked valid = false but satisfies the spec", line(1), 1, path,
                        spec=spec, example=name)]
    out = []
    for v in verdict.violations:
        step = verdict.steps[v.step_index].step if v.step_index is not None and v.step_index < len(verdict.steps) else None
        out.append(Finding("error", f"example-{v.code}", f"example {name!r}, {v.at}: {v.message}", line(v.line), v.column, path, step,
                           rules=v.rules, allowed=v.allowed, completion=v.completion, spec=spec, example=name))
    return out
