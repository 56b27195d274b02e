"""Budget tables: how far each automaton state is from the end, in steps and in bytes.

The guide's three budgets read these (DESIGN §5):

* ``max_steps`` — :attr:`BudgetTables.lookahead`: the most steps the next two letters plus
  the fewest steps after them can take. Once that could overrun the budget, the guide
  *steers*: only pieces on a way with the fewest steps (:attr:`cost`) stay allowed.
* ``max_tokens`` / ``max_step_tokens`` — :attr:`turn_bytes`: the fewest bytes of the rest of
  the model's turn along such a way. A forced turn spells one of those ways, greedily in
  the longest tokens, so it ends within that many tokens.

An environment tag ends the model's turn; it costs one step plus the most steps the trace
still needs after any answer the environment may give (the environment is not steered).
Tokenizer-free: the token index (``decoders.index``) gives the byte lengths of its pieces.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ltlagent.compiler.automaton import DEAD
from ltlagent.compiler.compiled import CompiledSpec
from ltlagent.compiler.spec import Source

NEVER = 1 << 30  # no way to the end


@dataclass(frozen=True)
class BudgetTables:
    steps_left: tuple[int, ...]  # per automaton state: fewest letters to acceptance, whoever writes them
    lookahead: np.ndarray  # int64 per state: max over the next two letters of letters taken + fewest left after
    cost: tuple[int, ...]  # per state: fewest steps to finish when the model writes next (environment at its worst)
    turn_bytes: tuple[int, ...]  # per state: fewest bytes of the model's turn along a way of ``cost`` steps
    tag_cost: Mapping[tuple[int, str], int]  # (state, environment step): one step + the most left after any answer

    def letter_cost(self, compiled: CompiledSpec, q: int, letter: int) -> int:
        """Steps to finish when the model writes ``letter`` at ``q``: this step and the fewest after it."""
        return 1 + self.cost[compiled.next_state(q, letter)]


def budget_tables(compiled: CompiledSpec, letter_bytes: Mapping[int, int], tag_bytes: Mapping[str, int], end_bytes: int = 1) -> BudgetTables:
    """The tables for ``compiled``, where the model can write the letters of ``letter_bytes``
    (letter index → fewest bytes of ``tag + content + terminator``), the environment tags of
    ``tag_bytes`` (step → bytes), and end the trace with ``end_bytes`` (the EOS token)."""
    dfa = compiled.dfa
    n = dfa.num_states
    left = tuple(NEVER if (p := dfa.shortest_accepted(q)) is None else len(p) for q in range(n))
    environment = {s.name: [x for x in compiled.letters if x.step == s.name] for s in compiled.steps if s.source != Source.MODEL}
    tag_cost: dict[tuple[int, str], int] = {}
    for q in range(n):
        for step, letters in environment.items():
            after = [left[d] for x in letters if (d := compiled.next_state(q, x)) != DEAD]
            if after and step in tag_bytes:
                tag_cost[(q, step)] = 1 + max(after)
    cost, tbytes = [NEVER] * n, [NEVER] * n
    changed = True
    while changed:  # Bellman-Ford on a small automaton, (steps, bytes) compared lexicographically
        changed = False
        for q in range(n):
            options = [(0, end_bytes)] if q in dfa.accepting else []
            options += [(k, tag_bytes[step]) for (q2, step), k in tag_cost.items() if q2 == q]
            for a, size in letter_bytes.items():
                d = compiled.next_state(q, a)
                if d != DEAD and cost[d] < NEVER:
                    options.append((1 + cost[d], size + tbytes[d]))
            if options and min(options) < (cost[q], tbytes[q]):
                cost[q], tbytes[q] = min(options)
                changed = True
    return BudgetTables(left, _lookahead(compiled, left), tuple(cost), tuple(tbytes), tag_cost)


def _lookahead(compiled: CompiledSpec, left: tuple[int, ...]) -> np.ndarray:
    """Per state: the most steps the next two letters plus the fewest steps after them can
    take (one token may end a step and begin the next, so a check at a step boundary can
    come one letter late)."""
    dfa = compiled.dfa
    out = []
    for q in range(dfa.num_states):
        worst = left[q]
        for d1 in {compiled.next_state(q, x) for x in compiled.allowed_letters(q)}:
            worst = max(worst, 1 + left[d1])
            for d2 in {compiled.next_state(d1, x) for x in compiled.allowed_letters(d1)}:
                worst = max(worst, 2 + left[d2])
        out.append(worst)
    return np.array(out, dtype=np.int64)
