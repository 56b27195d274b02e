"""A text-level oracle for the token masks: may the model's turn so far be continued into a
trace the checker accepts?

It reads text the way :meth:`CompiledSpec.check_text` does (tags, terminators, each letter's
``matches``) and decides whether a partial step can still be finished with
``compiler.regexes.satisfiable`` (a search over the product of the checker's own pattern
automata).
It imports nothing from ``ltlagent.decoders``: it shares no code with the masks it judges.

Scope: single-character terminators; for JSON tool calls a partial content is ``None``
(unknown) — callers skip those tokens.
"""

from __future__ import annotations

from ltlagent.compiler import regexes
from ltlagent.compiler.automaton import DEAD
from ltlagent.compiler.compiled import CompiledSpec
from ltlagent.compiler.letters import BRACKET_ARGUMENT, Letter

NUL = "\x00"  # the decoder's end-of-trace sentinel: content can never hold it


def content_viable(letter: Letter, partial: str) -> bool | None:
    """Whether ``partial`` (no terminator in it) can be continued into this letter's content."""
    term = letter.terminator
    if NUL in partial or term in partial:
        return False
    kind = letter.content.kind
    constraints = [(c.pattern, c.value != c.negated) for c in letter.constraints]
    if kind == "choices":
        return any(ch.startswith(partial) and letter.matches(ch) for ch in letter.content.choices)
    if kind == "tool_call" and letter.content.style == "json":
        return None
    if kind == "tool_call":  # name[argument]: the propositions read the argument
        head = f"{letter.tool}["
        if len(partial) < len(head):
            return head.startswith(partial)
        if not partial.startswith(head):
            return False
        arg = partial[len(head):]
        if arg.endswith("]"):
            return letter.matches(partial)
        return regexes.satisfiable([(BRACKET_ARGUMENT, True), *constraints], prefix=arg, banned=term + "]" + NUL)
    base = [(letter.content.pattern or "", True)] if kind == "regex" else []
    parts = base + constraints
    if not parts:
        return True
    return regexes.satisfiable(parts, prefix=partial, banned=term + NUL)


def turn_viable(c: CompiledSpec, q: int, text: str) -> bool | None:
    """Whether ``text``, written by the model from automaton state ``q`` on, can be continued
    into a turn the checker accepts (model steps, then an environment tag or the end)."""
    return _viable(c, q, text, 0)


def eos_allowed(c: CompiledSpec, q: int, text: str) -> bool:
    """Whether the trace may end right after ``text``: whole model steps ending in acceptance."""
    return any(c.is_accepting(q2) for q2 in _whole_steps(c, q, text, 0))


def _allowed_steps(c: CompiledSpec, q: int) -> list:
    return [s for s in c.steps if any(c.dfa.delta[q][x.index] != DEAD for x in c.letters if x.step == s.name)]


def _viable(c: CompiledSpec, q: int, text: str, pos: int) -> bool | None:
    rest = text[pos:]
    if not rest:
        return True
    unknown = False
    for s in _allowed_steps(c, q):
        if len(rest) <= len(s.tag) and s.tag.startswith(rest):
            return True  # a tag being written (an environment tag ends the turn exactly here)
        if s.source != "model" or not rest.startswith(s.tag):
            continue
        after = rest[len(s.tag):]
        end = after.find(s.terminator)
        letters = [x for x in c.letters if x.step == s.name and c.dfa.delta[q][x.index] != DEAD]
        if end == -1:
            for x in letters:
                v = content_viable(x, after)
                if v:
                    return True
                unknown |= v is None
            continue
        content = after[:end]
        for x in letters:
            if x.matches(content):
                v = _viable(c, c.dfa.delta[q][x.index], text, pos + len(s.tag) + end + len(s.terminator))
                if v:
                    return True
                unknown |= v is None
    return None if unknown else False


def _whole_steps(c: CompiledSpec, q: int, text: str, pos: int):
    if pos == len(text):
        yield q
        return
    rest = text[pos:]
    for s in _allowed_steps(c, q):
        if s.source != "model" or not rest.startswith(s.tag):
            continue
        after = rest[len(s.tag):]
        end = after.find(s.terminator)
        if end == -1:
            continue
        for x in c.letters:
            if x.step == s.name and c.dfa.delta[q][x.index] != DEAD and x.matches(after[:end]):
                yield from _whole_steps(c, c.dfa.delta[q][x.index], text, pos + len(s.tag) + end + len(s.terminator))
