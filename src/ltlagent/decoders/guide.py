"""``SpecGuide``: the per-generation cursor over a :class:`TokenIndex`.

The guide follows the model token by token (``advance``), says which tokens are allowed
(``mask_row`` — a position of the index, whose mask ``index.row(position, mask_mode())``
holds), stops when the model writes an environment step's tag (``waiting_for``), takes the
environment's text (``feed_environment``) and goes on. Every finished step becomes one
:class:`StepEvent` (``events``: the trace so far, step by step), taken from the index's
moves: the guide never re-reads the text to know where it is.

Nothing here raises on the model's choice: a token the index does not allow puts the guide
in the ``error`` status with a message; exceptions are for API misuse only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ltlagent.compiler.automaton import DEAD
from ltlagent.compiler.compiled import ParsedStep
from ltlagent.compiler.spec import Source
from ltlagent.decoders.index import FORCED, FREE, NO_STATE, STEER, TokenIndex
from ltlagent.errors import GuideError


class Status(StrEnum):
    """Where a generation stands."""

    RUNNING = "running"  # the model writes
    ENVIRONMENT = "environment"  # waiting for the environment's step (``waiting_for``)
    FINISHED = "finished"  # the trace is complete (EOS where the spec accepts)
    ERROR = "error"  # a token or an environment answer was not allowed (``error``)


RUNNING, ENVIRONMENT, FINISHED, ERROR = Status.RUNNING, Status.ENVIRONMENT, Status.FINISHED, Status.ERROR


@dataclass(frozen=True)
class StepEvent:
    """One finished step of the trace, as the guide followed it."""

    index: int  # 0-based number of the step in the trace
    line: int  # 1-based line of the trace where the step starts
    step: str
    letter: str  # the letter its content is (which propositions hold)
    source: Source
    text: str  # the content, without tag and terminator
    automaton_state: int  # the spec automaton's state after the step

    def parsed(self) -> ParsedStep:
        return ParsedStep(self.index, self.line, self.step, self.text, self.letter)


class SpecGuide:
    """Follow one generation.

    ``max_tokens`` is a token budget per model turn (the text between two environment
    steps): once a free choice could leave too little for the shortest way to the turn's end,
    ``mask_mode`` switches to the forced mask, so the turn ends within the budget with a valid
    trace (or within the shortest way, in bytes, if that is longer).
    ``max_step_tokens`` bounds one step the same way: once a step has used it, only tokens
    on the shortest way to the turn's end are allowed until the step is finished.
    ``max_steps`` bounds the whole trace: once the next two steps could leave too few to
    finish, the guide *steers* (``budget_forced``): the model still writes its own words, but
    only tokens on a way with the fewest steps to the end are allowed, so the trace takes the
    shortest way in steps (e.g. a ReAct run answers instead of calling another tool).
    ``prefix`` is trace text already written (whole steps), e.g. the question in a prompt.
    """

    def __init__(
        self,
        index: TokenIndex,
        *,
        max_tokens: int | None = None,
        max_step_tokens: int | None = None,
        max_steps: int | None = None,
        prefix: str = "",
        resume: Mapping[str, Any] | None = None,
    ) -> None:
        self.index = index
        self.resume = dict(resume) if resume else None
        self.compiled = index.compiled
        self.max_tokens = max_tokens
        self.max_step_tokens = max_step_tokens
        self.max_steps = max_steps
        self.prefix = prefix
        self._eos = frozenset(index.eos_ids)
        self.reset()

    # -- state -----------------------------------------------------------------------
    def reset(self) -> None:
        self.status = RUNNING
        self.error: str | None = None
        self.state = NO_STATE
        self.automaton_state = self.compiled.dfa.initial
        self.waiting_for: str | None = None
        self._tag_written = False
        self._text = bytearray()
        self._step_start = 0  # where the step being written starts in ``_text``
        self._lines = (0, 1)  # (offset, line number there): lines are counted once, forwards
        self.events: list[StepEvent] = []
        self._steps_done_before = 0
        self.turn_tokens = 0
        self.step_tokens = 0
        self.budget_forced = False
        self._steps_forced = False
        self._finishing = False
        self.tokens: list[int] = []
        if self.prefix:
            self._read_prefix(self.prefix)
        if self.resume:
            self._resume(self.resume)
        self._enter(self.automaton_state)

    @property
    def is_finished(self) -> bool:
        return self.status == FINISHED

    @property
    def is_error(self) -> bool:
        return self.status == ERROR

    @property
    def steps_done(self) -> int:
        """Steps finished in the trace (those before a ``resume`` included)."""
        return self._steps_done_before + len(self.events)

    @property
    def text(self) -> str:
        """The whole trace so far (model and environment text)."""
        return self._text.decode("utf-8", errors="replace")

    @property
    def text_bytes(self) -> bytes:
        """The trace so far as bytes (tokens may split a UTF-8 character)."""
        return bytes(self._text)

    def size(self) -> int:
        """Bytes of trace so far (a mark for :meth:`text_since`)."""
        return len(self._text)

    def text_since(self, mark: int) -> str:
        """The trace text written after :meth:`size` returned ``mark`` (no copy of the rest)."""
        return bytes(self._text[mark:]).decode("utf-8", errors="replace")

    @property
    def turn_bytes(self) -> bytes:
        """What the model wrote in this turn (it started at automaton state ``turn_state``)."""
        return bytes(self._text[self._turn_start :])

    @property
    def steps(self) -> tuple[ParsedStep, ...]:
        """The finished steps so far, as ``check_text`` reports them."""
        return tuple(e.parsed() for e in self.events)

    def mask_mode(self) -> int:
        """Which mask of the index holds the allowed tokens now: ``FORCED`` when a free
        choice could overrun a token budget; ``STEER`` once the step budget is tight;
        ``FREE`` otherwise."""
        if self.state < 0:
            return FREE
        if self._finishing or (self.max_step_tokens is not None and self.step_tokens >= self.max_step_tokens):
            return FORCED
        if self.max_tokens is not None and self.turn_tokens + 1 + self.index.worst(self.state) > self.max_tokens:
            return FORCED
        return STEER if self._steps_forced else FREE

    def finish_turn(self) -> None:
        """Take the shortest way to the end of this turn from now on (the forced mask)."""
        self._finishing = True

    def is_forced(self) -> bool:
        """Whether only the tokens on the shortest way to the end of this turn are allowed."""
        return self.mask_mode() == FORCED

    def mask_row(self) -> int:
        """The index position whose mask holds this guide's allowed tokens (-1: none)."""
        return self.state if self.status == RUNNING else NO_STATE

    def allowed(self) -> list[int]:
        """Allowed token ids (a list, for tests and simple loops; decoders use ``mask_row``)."""
        if self.status != RUNNING:
            return []
        return self.index.allowed_ids(self.state, mode=self.mask_mode()).tolist()

    def distance(self) -> int:
        """Bytes (at least as many as tokens) of the shortest way to the end of this turn."""
        return self.index.dist(self.state) if self.status == RUNNING else 0

    # -- transitions ---------------------------------------------------------------------
    def advance(self, token_id: int) -> bool:
        """Follow one token. Returns ``False`` (and records why) if it was not allowed."""
        if self.status != RUNNING:
            return self._fail(f"token {token_id} arrived while the guide is {self.status}")
        move = self.index.move(self.state, token_id)
        if move is None:
            return self._fail(f"token {token_id} is not allowed in index position {self.state}")
        self.tokens.append(int(token_id))
        self.turn_tokens += 1
        if move.finished:
            self.status, self.state = FINISHED, NO_STATE
            return True
        base = len(self._text)
        self._text += self.index.vocab.tokens[token_id] or b""
        self.step_tokens += 1
        for letter, q, at in move.ended:
            self._finish_step(self.compiled.letters[letter].step, self.compiled.letters[letter].name, q, base + at)
            self.step_tokens = 0  # a step ended inside this token
            self._force_if_needed(q)
        self.automaton_state = move.automaton_state
        if move.handover is not None:
            self.status, self.waiting_for, self._tag_written, self.state = ENVIRONMENT, move.handover, True, NO_STATE
        else:
            self.state = move.state
        return True

    def feed_environment(self, content: str) -> str:
        """Give the environment's answer for the step the guide waits for. Returns the text
        to append to the model's input (the tag too, if the model did not write it)."""
        if self.status != ENVIRONMENT or self.waiting_for is None:
            raise GuideError(f"feed_environment() while the guide is {self.status}; call it when waiting_for is set")
        step = self.compiled.step_info(self.waiting_for)
        text = ("" if self._tag_written else step.tag) + content + step.terminator
        self._text += text.encode("utf-8")
        letter = self.compiled.letter_for(step.name, content)
        if letter is None:
            self._fail(f"the {step.name} text {content!r} matches none of the step's formats")
            return text
        nxt = self.compiled.next_state(self.automaton_state, letter)
        if nxt == DEAD:
            self._fail(f"after the {step.name} answer {letter.name}, no continuation satisfies the spec")
            return text
        self._finish_step(step.name, letter.name, nxt, len(self._text))
        self._enter(nxt)
        return text

    def checkpoint(self) -> dict[str, Any]:
        """Where the next model turn starts, as plain data (JSON): a guide made with
        ``resume=`` this goes on from here — e.g. in another process, for the next request of an
        episode served by an inference engine. Take it when the guide waits for the model
        (after ``feed_environment``)."""
        if self.status != RUNNING or self.turn_tokens:
            raise GuideError(f"checkpoint() at the start of a model turn only (the guide is {self.status}, {self.turn_tokens} tokens into its turn)")
        return {"state": self.automaton_state, "steps": self.steps_done, "steered": self._steps_forced}

    # -- internals -----------------------------------------------------------------------
    def _resume(self, saved: Mapping[str, Any]) -> None:
        try:
            q, steps, steered = int(saved["state"]), int(saved["steps"]), bool(saved.get("steered", False))
        except (KeyError, TypeError, ValueError):
            raise GuideError(f"resume={dict(saved)!r}: expected {{'state': int, 'steps': int, 'steered': bool}} from SpecGuide.checkpoint()") from None
        if not 0 <= q < self.compiled.dfa.num_states or steps < 0:
            raise GuideError(f"resume: automaton state {q} or step count {steps} is not one of spec {self.compiled.name!r}")
        self.automaton_state = q
        self._steps_done_before = steps
        self._steps_forced = self.budget_forced = steered

    def _finish_step(self, step_name: str, letter: str, q: int, end: int) -> None:
        """Record the step that ends at byte ``end`` of the trace."""
        step = self.compiled.step_info(step_name)
        start = self._step_start
        offset, line = self._lines
        line += self._text.count(b"\n", offset, start)
        self._lines = (start, line)
        raw = bytes(self._text[start + len(step.tag.encode()) : end - len(step.terminator.encode())])
        self.events.append(StepEvent(self.steps_done, line, step.name, letter, Source(step.source), raw.decode("utf-8", errors="replace"), q))
        self._step_start = end

    def _read_prefix(self, prefix: str) -> None:
        """Take the whole steps of ``prefix`` (read once, as ``check_text`` reads text)."""
        pieces, problem = self.compiled.split(prefix)
        q = self.compiled.dfa.initial
        bad = problem is not None
        for line, name, content, start in pieces:
            step = self.compiled.step_info(name)
            letter = self.compiled.letter_for(name, content)
            whole = prefix.startswith(step.terminator, start + len(content))
            nxt = DEAD if letter is None or not whole else self.compiled.next_state(q, letter)
            if nxt == DEAD:
                bad = True
                break
            assert letter is not None
            self.events.append(StepEvent(len(self.events), line, name, letter.name, Source(step.source), content, nxt))
            q = nxt
        if bad:
            raise GuideError(
                f"the trace prefix {prefix[:60]!r} is not the start of a valid trace; it must be whole steps, "
                "each ending with its terminator"
            )
        self._text = bytearray(prefix.encode("utf-8"))
        self._step_start = len(self._text)
        self._lines = (len(self._text), 1 + prefix.count("\n"))
        self.automaton_state = q

    def _enter(self, q: int) -> None:
        self.automaton_state = q
        self.waiting_for = None
        self._tag_written = False
        self.turn_tokens = 0
        self.step_tokens = 0
        self._finishing = False
        self.turn_state, self._turn_start = q, len(self._text)
        state = self.index.initial_state(q)
        if state != NO_STATE:
            self.status, self.state = RUNNING, state
            self._force_if_needed(q)
            return
        self.state = NO_STATE
        waiting = self.compiled.enabled_steps(q, environment=True)
        if len(waiting) == 1:
            self.status, self.waiting_for = ENVIRONMENT, waiting[0].name
        elif not waiting and self.compiled.is_accepting(q):
            self.status = FINISHED
        else:
            self._fail(f"automaton state {q}: the model cannot write and {len(waiting)} environment steps could follow")

    def _force_if_needed(self, q: int) -> None:
        """Steer to the fewest steps once the next two steps could leave too few to finish.

        Two steps of lookahead, because one token may end a step and already begin the next
        (``"\\nAction"``), so the check at a step boundary can come one letter late."""
        if self.max_steps is not None and self.steps_done + int(self.index.budgets.lookahead[q]) > self.max_steps:
            self._steps_forced = self.budget_forced = True

    def _fail(self, message: str) -> bool:
        self.status, self.error = ERROR, message
        return False
