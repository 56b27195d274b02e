"""``SpecGuide``: the per-generation cursor over a :class:`TokenIndex`.

The guide follows the model token by token (``advance``), says which tokens are allowed
(``mask_row`` — a row number into the index's precomputed tables), stops when the model
writes an environment step's tag (``waiting_for``), takes the environment's text
(``feed_environment``) and goes on. Nothing here raises on the model's choice: a token the
index does not allow puts the guide in the ``error`` status with a message; exceptions are
for API misuse only.
"""

from __future__ import annotations

from ltlagent.compiler.automaton import DEAD
from ltlagent.compiler.compiled import ParsedStep
from ltlagent.compiler.spec import Source
from ltlagent.decoders.index import FORCED, FREE, NO_STATE, SEGMENT_END, STEER, TokenIndex
from ltlagent.errors import GuideError

RUNNING, ENVIRONMENT, FINISHED, ERROR = "running", "environment", "finished", "error"


class SpecGuide:
    """Follow one generation.

    ``max_tokens`` is a token budget per model turn (the text between two environment
    steps): once only the shortest way to the turn's end still fits, ``mask_mode`` switches
    to the forced table, so the turn ends within the budget with a valid trace.
    ``max_step_tokens`` bounds one step the same way: once a step has used it, only tokens
    on the best way to the turn's end are allowed until the step's terminator is written.
    ``max_steps`` bounds the whole trace: once the next two steps could leave too few to
    finish, the guide *steers* (``budget_forced``): the model still writes its own words, but
    only tokens that keep the fewest steps to the end are allowed, so the trace takes the
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
    ) -> None:
        self.index = index
        self.compiled = index.compiled
        self.max_tokens = max_tokens
        self.max_step_tokens = max_step_tokens
        self.max_steps = max_steps
        self.prefix = prefix
        self._terminators = tuple({s.terminator.encode("utf-8") for s in index.compiled.steps if s.source == Source.MODEL})
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
        self._turn = bytearray()
        self.turn_tokens = 0
        self.step_tokens = 0
        self.steps_done = 0
        self.budget_forced = False
        self._steps_forced = False
        self.tokens: list[int] = []
        start = self.compiled.dfa.initial
        if self.prefix:
            start = self.compiled.run_text(self.prefix)
            if start == DEAD:
                raise GuideError(
                    f"the trace prefix {self.prefix[:60]!r} is not the start of a valid trace; it must be whole steps, "
                    "each ending with its terminator"
                )
            self._text += self.prefix.encode("utf-8")
            self.steps_done = len(self.compiled.split(self.prefix)[0])
        self._enter(start)

    @property
    def is_finished(self) -> bool:
        return self.status == FINISHED

    @property
    def is_error(self) -> bool:
        return self.status == ERROR

    @property
    def text(self) -> str:
        """The whole trace so far (model and environment text)."""
        return self._text.decode("utf-8", errors="replace")

    @property
    def text_bytes(self) -> bytes:
        """The trace so far as bytes (tokens may split a UTF-8 character)."""
        return bytes(self._text)

    @property
    def steps(self) -> tuple[ParsedStep, ...]:
        """The steps parsed so far (complete ones, and the one being written)."""
        return self.compiled.check_text(self.text).steps

    def mask_mode(self) -> int:
        """Which table of the index holds the allowed tokens now: ``FORCED`` when a free
        choice could overrun a token budget (only tokens on the best way to the end of this
        turn: a turn takes at most ``max_tokens``, or the length of the shortest way to its
        end if that is longer); ``STEER`` once the step budget is tight; ``FREE`` otherwise."""
        if self.state < 0:
            return FREE
        if self.max_step_tokens is not None and self.step_tokens >= self.max_step_tokens:
            return FORCED
        if self.max_tokens is not None and self.turn_tokens + 1 + int(self.index.worst[self.state]) > self.max_tokens:
            return FORCED
        return STEER if self._steps_forced else FREE

    def is_forced(self) -> bool:
        """Whether only the tokens on the best way to the end of this turn are allowed."""
        return self.mask_mode() == FORCED

    def mask_row(self) -> int:
        """The row of the index's tables that holds this guide's allowed tokens (-1: none;
        the table is ``index.table(mask_mode())``)."""
        return self.state if self.status == RUNNING else NO_STATE

    def allowed(self) -> list[int]:
        """Allowed token ids (a list, for tests and simple loops; decoders use ``mask_row``)."""
        if self.status != RUNNING:
            return []
        return self.index.allowed_ids(self.state, mode=self.mask_mode()).tolist()

    # -- transitions ---------------------------------------------------------------------
    def advance(self, token_id: int) -> bool:
        """Follow one token. Returns ``False`` (and records why) if it was not allowed."""
        if self.status != RUNNING:
            return self._fail(f"token {token_id} arrived while the guide is {self.status}")
        nxt = self.index.next_state(self.state, token_id)
        if nxt == NO_STATE:
            return self._fail(f"token {token_id} is not allowed in index state {self.state}")
        self.tokens.append(int(token_id))
        self.turn_tokens += 1
        self.state = nxt
        if token_id in self._eos:
            self.status = FINISHED
            return True
        data = self.index.vocab.tokens[token_id] or b""
        self._text += data
        self._turn += data
        self.step_tokens += 1
        if any(t in self._turn[-(len(data) + len(t) - 1) :] for t in self._terminators):
            self.step_tokens = 0  # a step ended inside this token
            if self.max_steps is not None:
                self._check_step_budget()
        if self.index.kind[nxt] == SEGMENT_END:
            self._at_environment_tag()
        return True

    def feed_environment(self, content: str) -> str:
        """Give the environment's answer for the step the guide waits for. Returns the text
        to append to the model's input (the tag too, if the model did not write it)."""
        if self.status != ENVIRONMENT or self.waiting_for is None:
            raise GuideError(f"feed_environment() while the guide is {self.status}; call it when waiting_for is set")
        step = next(s for s in self.compiled.steps if s.name == self.waiting_for)
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
        self.steps_done += 1
        self._enter(nxt)
        return text

    # -- internals -----------------------------------------------------------------------
    def _enter(self, q: int) -> None:
        self.automaton_state = q
        self.waiting_for = None
        self._tag_written = False
        self._turn = bytearray()
        self.turn_tokens = 0
        self.step_tokens = 0
        state = self.index.initial_state(q)
        if state != NO_STATE:
            self.status, self.state = RUNNING, state
            if self.max_steps is not None:
                self._force_if_needed(q, self.steps_done)
            return
        self.state = NO_STATE
        waiting = [s.name for s in self.compiled.steps if s.source != Source.MODEL and any(
            self.compiled.dfa.delta[q][x.index] != DEAD for x in self.compiled.letters if x.step == s.name
        )]
        if len(waiting) == 1:
            self.status, self.waiting_for = ENVIRONMENT, waiting[0]
        elif not waiting and q in self.compiled.dfa.accepting:
            self.status = FINISHED
        else:
            self._fail(f"automaton state {q}: the model cannot write and {len(waiting)} environment steps could follow")

    def _at_environment_tag(self) -> None:
        turn = self._turn.decode("utf-8", errors="replace")
        tags = sorted((s for s in self.compiled.steps if s.source != Source.MODEL), key=lambda s: -len(s.tag))
        step = next((s for s in tags if turn.endswith(s.tag)), None)
        if step is None:  # cannot happen for an index built from this spec
            self._fail("the turn ended without an environment tag")
            return
        written = turn[: len(turn) - len(step.tag)]
        q = self.compiled.run_text(written, self.automaton_state)
        self.steps_done += len(self.compiled.split(written)[0])
        if q == DEAD:
            self._fail("the turn's steps do not parse")  # cannot happen for an index built from this spec
            return
        self.automaton_state = q
        self.status, self.waiting_for, self._tag_written = ENVIRONMENT, step.name, True
        self.state = NO_STATE

    def _check_step_budget(self) -> None:
        """At a step boundary inside a turn: the automaton state so far decides whether the
        steps left still allow a free choice."""
        turn = self._turn.decode("utf-8", errors="replace")
        pieces, _ = self.compiled.split(turn)
        q = self.compiled.run_text(turn, self.automaton_state)
        if q != DEAD:
            self._force_if_needed(q, self.steps_done + len(pieces))

    def _force_if_needed(self, q: int, done: int) -> None:
        """Steer to the fewest steps once the next two steps could leave too few to finish.

        Two steps of lookahead, because one token may end a step and already begin the next
        (``"\\nAction"``), so the check at a step boundary can come one letter late."""
        if self.max_steps is not None and done + int(self.index.steps_lookahead[q]) > self.max_steps:
            self._steps_forced = self.budget_forced = True

    def _fail(self, message: str) -> bool:
        self.status, self.error = ERROR, message
        return False
