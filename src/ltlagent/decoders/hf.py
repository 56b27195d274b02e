"""Hugging Face / torch adapter: the only module of ``ltlagent.decoders`` that imports torch
or transformers.

* :class:`SpecLogitsProcessor` — a ``transformers.LogitsProcessor`` for ``model.generate``;
  batched (one :class:`SpecGuide` per row). A row that reaches an environment tag or the end
  may only emit EOS, so ``generate`` stops there; read each row's guide afterwards.
* :class:`SpecDecoder` — our own loop: keeps the KV cache, stops at environment tags, takes
  the environment's text (``feed_environment``) and continues without re-encoding the prefix.
  Text the spec forces is fast-forwarded (``decoders.fast_forward``): its tokens go into the
  model in one forward pass instead of one pass per token.

Masks are the index's rows, moved to the model's device as *blocked* boolean rows the first
time a position is reached: a decode step is one dictionary lookup and one ``masked_fill_``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from transformers import LogitsProcessor

from ltlagent.decoders.fast_forward import FastForward
from ltlagent.decoders.guide import ENVIRONMENT, FINISHED, RUNNING, SpecGuide
from ltlagent.decoders.index import TokenIndex
from ltlagent.errors import GuideError, ModelError


def resolve_device(device: str | torch.device | None) -> torch.device:
    """``"auto"`` (or ``None``): CUDA when present, else the CPU."""
    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ModelError(f"device {device!r} is not a torch device ({exc}); use auto, cpu, cuda, cuda:N or mps") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ModelError(f"device {device!r}: torch finds no CUDA device here (torch {torch.__version__}); use --device auto or cpu")
    if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
        raise ModelError(f"device {device!r}: there are {torch.cuda.device_count()} CUDA devices (cuda:0 to cuda:{torch.cuda.device_count() - 1})")
    if dev.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ModelError(f"device {device!r}: torch finds no MPS device here; use --device auto or cpu")
    return dev


class MaskTables:
    """The index's masks on a device, as one table of blocked-token rows of width
    ``vocab_width``: a position's row is unpacked and moved to the device the first time it is
    used, then kept (row 0 is "only EOS", for guides that are done). A batch's mask is one
    ``index_select`` of the table."""

    def __init__(self, index: TokenIndex, vocab_width: int, device: torch.device) -> None:
        self.index = index
        self.device = device
        self.width = vocab_width
        self._slots: dict[tuple[int, int], int] = {}
        self._table = torch.ones((16, vocab_width), dtype=torch.bool, device=device)
        self._table[0, [i for i in index.eos_ids if i < vocab_width]] = False
        self._used = 1
        self._rows = [self._table[0]]  # row views, so one guide's row is a list lookup, not a tensor index op

    @property
    def only_eos(self) -> torch.Tensor:
        return self._rows[0]

    def slot(self, guide: SpecGuide) -> int:
        """The table row of a guide's mask (made the first time its position and mode are used)."""
        state = guide.mask_row()
        if state < 0:
            return 0
        key = (state, guide.mask_mode())
        n = self._slots.get(key)
        if n is None:
            if self._used == self._table.shape[0]:
                self._table = torch.cat([self._table, torch.ones_like(self._table)])
                self._rows = list(self._table[: self._used].unbind(0))
            allowed = torch.from_numpy(self.index.bool_row(*key))
            cols = min(self.width, allowed.shape[0])
            row = torch.ones(self.width, dtype=torch.bool)
            row[:cols] = ~allowed[:cols]
            self._table[self._used] = row.to(self.device)
            self._rows.append(self._table[self._used])
            n = self._slots[key] = self._used
            self._used += 1
        return n

    def blocked_row(self, guide: SpecGuide) -> torch.Tensor:
        """The blocked-token row (on the device) for one guide: a dictionary lookup after the first time."""
        n = self.slot(guide)  # first: slot() may grow the table and renew the views
        return self._rows[n]

    def blocked_rows(self, guides: list[SpecGuide]) -> torch.Tensor:
        """The blocked-token rows of several guides ([len(guides), width]): one gather on the device."""
        slots = [self.slot(g) for g in guides]  # first: slot() may grow the table
        return self._table.index_select(0, torch.tensor(slots, device=self.device))

    def apply(self, scores: torch.Tensor, guides: list[SpecGuide]) -> torch.Tensor:
        """Mask ``scores`` ([batch, vocab]) in place for each row's guide."""
        if len(guides) == 1:
            row = self.blocked_row(guides[0])
            if scores.shape[-1] != self.width:
                row = row[: scores.shape[-1]]
            return scores.masked_fill_(row, float("-inf"))
        return scores.masked_fill_(self.blocked_rows(guides)[:, : scores.shape[-1]], float("-inf"))


class SpecLogitsProcessor(LogitsProcessor):
    """Constrain ``model.generate`` to a spec: pass it in ``logits_processor=[...]``.

    ``prefix`` is the trace text the prompt already ends with (whole steps, e.g.
    ``"Question: ...\n"``). One processor serves any number of ``generate`` calls: a call that
    does not continue the previous one (a new prompt, another batch size) starts fresh guides,
    one per row. ``max_tokens`` bounds a turn, ``max_step_tokens`` a step and ``max_steps`` the
    trace (the guide steers to the end near it). Rows that reach an environment tag or the end
    may only emit EOS. The masks need nothing more; to read where each row stopped, call
    ``sync(output_ids)`` (it feeds the last sampled token) and read ``guides[i].text``,
    ``.status`` and ``.waiting_for``.
    """

    def __init__(
        self,
        index: TokenIndex,
        *,
        max_tokens: int | None = None,
        max_step_tokens: int | None = None,
        max_steps: int | None = None,
        prefix: str = "",
        device: str | torch.device | None = None,
    ) -> None:
        self.index = index
        self.max_tokens = max_tokens
        self.max_step_tokens = max_step_tokens
        self.max_steps = max_steps
        self.prefix = prefix
        self.device = None if device is None else resolve_device(device)
        self.guides: list[SpecGuide] = []
        self._tables: MaskTables | None = None
        self._seen = 0
        self._prompt: torch.Tensor | None = None
        self._last: torch.Tensor | None = None

    def reset(self) -> None:
        """Forget the rows of the last ``generate`` call (done by itself when a new call starts)."""
        self.guides, self._seen, self._prompt, self._last = [], 0, None, None

    def _continues(self, input_ids: torch.Tensor) -> bool:
        """Whether ``input_ids`` extend the rows this processor last saw (same prompt, same last
        token seen, longer): the same ``generate`` call going on."""
        p = self._prompt
        return (p is not None and input_ids.shape[0] == p.shape[0] and input_ids.shape[1] > self._seen
                and bool(torch.equal(input_ids[:, : p.shape[1]], p))
                and bool(torch.equal(input_ids[:, self._seen - 1], self._last)))

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        if self._tables is None or self._tables.device != scores.device:
            self._tables = MaskTables(self.index, scores.shape[-1], scores.device)
        if not self.guides or not self._continues(input_ids):
            self.guides = [
                SpecGuide(self.index, max_tokens=self.max_tokens, max_step_tokens=self.max_step_tokens, max_steps=self.max_steps, prefix=self.prefix)
                for _ in range(input_ids.shape[0])
            ]
            self._prompt = input_ids.clone()
        else:
            self._advance(input_ids[:, self._seen :])
        self._seen = input_ids.shape[1]
        self._last = input_ids[:, -1].clone()
        return self._tables.apply(scores, self.guides)

    def sync(self, sequences: torch.Tensor) -> list[SpecGuide]:
        """Feed the guides the tokens ``generate`` sampled after its last call to the
        processor (the final token of each row); returns the guides."""
        if self.guides and sequences.shape[1] > self._seen:
            self._advance(sequences[:, self._seen :])
            self._seen = sequences.shape[1]
            self._last = sequences[:, -1].clone()
        return self.guides

    def _advance(self, new_tokens: torch.Tensor) -> None:
        rows = new_tokens.tolist()  # the sampled tokens are on the host for generate anyway
        for guide, tokens in zip(self.guides, rows, strict=True):
            for token in tokens:
                if guide.status == RUNNING:
                    guide.advance(token)


def sample(logits: torch.Tensor, temperature: float = 0.0, generator: torch.Generator | None = None) -> int:
    """One token from ``logits`` ([1, vocab]): the most likely at temperature 0, else a draw."""
    if temperature > 0:
        return int(torch.multinomial(torch.softmax(logits / temperature, dim=-1), 1, generator=generator).item())
    return int(torch.argmax(logits, dim=-1).item())


@dataclass(frozen=True)
class Turn:
    """What one call of :meth:`SpecDecoder.generate` produced."""

    text: str
    tokens: tuple[int, ...]
    status: str  # "environment" (waiting for ``waiting_for``), "finished", "running" (token limit), "error"
    waiting_for: str | None
    error: str | None = None
    forward_passes: int = 0  # model calls this turn (a fast-forward puts several tokens in one)
    fast_forward_tokens: int = 0  # tokens written by fast-forward, not sampled


class SpecDecoder:
    """Decode a spec with a causal LM, keeping the KV cache across environment steps.

    ::

        dec = SpecDecoder(model, tokenizer, index)
        dec.start("You are a ReAct agent.\\n")
        dec.feed_environment("What is 2 + 2?")        # the question (an input step)
        turn = dec.generate()                          # model writes until "Observation: " or the end
        while turn.status == "environment":
            dec.feed_environment(run_tool(...))
            turn = dec.generate()
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        index: TokenIndex,
        *,
        device: str | torch.device | None = "auto",
        max_tokens: int | None = None,
        max_step_tokens: int | None = None,
        max_steps: int | None = None,
        fast_forward: bool | FastForward = True,
    ) -> None:
        self.device = resolve_device(device)
        self.model = model.to(self.device).eval()
        self.tokenizer = tokenizer
        self.index = index
        self.max_tokens = max_tokens
        self.guide = SpecGuide(index, max_tokens=max_tokens, max_step_tokens=max_step_tokens, max_steps=max_steps)
        if fast_forward is True:
            fast_forward = FastForward.for_tokenizer(index, tokenizer)
        self.fast_forward: FastForward | None = fast_forward or None
        self._tables: MaskTables | None = None
        self._cache: Any = None
        self._logits: torch.Tensor | None = None
        self.prefill_tokens = 0  # tokens run through the model as input (not generated)
        self.forward_passes = 0  # model calls for generated tokens (prefill not counted)
        self.fast_forward_tokens = 0  # generated tokens that fast-forward wrote
        self.passes_saved = 0  # forward passes fast-forward saved (its tokens less its passes)
        self._held = ""  # blanks ending an environment tag, read with the environment's text (see hold)
        self.held_tokens = 0  # generated tokens read with the environment's text instead (_hold_tag_blanks)

    def start(self, prompt: str = "") -> None:
        """Reset and read ``prompt`` (instructions, few-shot examples) into the cache."""
        self.guide.reset()
        self._cache = None
        self._logits = None
        self.prefill_tokens = 0
        self.forward_passes = 0
        self.fast_forward_tokens = 0
        self.passes_saved = 0
        self._held = ""
        self.held_tokens = 0
        if prompt:
            self._feed(self.tokenizer.encode(prompt, add_special_tokens=False))

    @torch.inference_mode()
    def _feed(self, ids: list[int]) -> None:
        if not ids:
            return
        self._forward(ids)
        self.prefill_tokens += len(ids)

    def feed_environment(self, content: str) -> str:
        """Give the environment's answer (or the user's input) for the awaited step; the text
        (tag if needed, content, terminator) is appended to the cache. Returns that text."""
        text = self.guide.feed_environment(content)
        self.read(text)
        return text

    @torch.inference_mode()
    def generate(self, max_new_tokens: int = 256, *, temperature: float = 0.0, generator: torch.Generator | None = None) -> Turn:
        """Let the model write until an environment tag, the end of the trace, or ``max_new_tokens``.
        Where the spec forces the next tokens, they are fast-forwarded (one forward pass)."""
        if self._tables is None:
            self._tables = MaskTables(self.index, self.logits().shape[-1], self.device)
        tokens: list[int] = []
        start, passes, forwarded = self.guide.size(), self.forward_passes, self.fast_forward_tokens
        while self.guide.status == RUNNING and len(tokens) < max_new_tokens:
            plan = self.fast_forward.plan(self.guide.state)[: max_new_tokens - len(tokens)] if self.fast_forward else ()
            if plan:
                for token in plan:
                    if not self.guide.advance(token):
                        raise GuideError(f"fast-forward: {self.guide.error}")  # a plan is made of the index's moves
                tokens += plan
                self.fast_forward_tokens += len(plan)
                if self.guide.status in (RUNNING, ENVIRONMENT):
                    head = self._hold_tag_blanks(list(plan)) if self.guide.status == ENVIRONMENT else list(plan)
                    if head:
                        self._write(head)
                        self.passes_saved += len(head) - 1
                continue
            token = sample(self._tables.apply(self.logits().clone(), [self.guide]), temperature, generator)
            self.guide.advance(token)
            tokens.append(token)
            if self.guide.status == RUNNING or (self.guide.status == ENVIRONMENT and self._hold_tag_blanks([token])):
                self.write(token)
        return Turn(self.guide.text_since(start), tuple(tokens), self.guide.status, self.guide.waiting_for, self.guide.error,
                    self.forward_passes - passes, self.fast_forward_tokens - forwarded)

    def finish_turn(self) -> None:
        """From now on this turn takes the shortest way to its end (e.g. after a token limit)."""
        self.guide.finish_turn()

    def logits(self) -> torch.Tensor:
        """The model's next-token logits ([1, vocab]) after everything read so far."""
        if self._logits is None:
            bos = self.tokenizer.bos_token_id if self.tokenizer.bos_token_id is not None else self.index.eos_ids[0]
            self._feed([bos])
        assert self._logits is not None
        return self._logits

    def write(self, token: int) -> None:
        """Put one generated token into the cache (the guide is not consulted: ``generate`` does that)."""
        self._write([token])

    @torch.inference_mode()
    def _write(self, ids: list[int]) -> None:
        """Generated tokens into the cache: one forward pass."""
        self._forward(ids)
        self.forward_passes += 1

    def read(self, text: str) -> None:
        """Read text into the cache as input (counted in ``prefill_tokens``), after any held blanks."""
        text, self._held = self._held + text, ""
        self._feed(self.tokenizer.encode(text, add_special_tokens=False))

    def hold(self, text: str) -> None:
        """Keep ``text`` out of the cache until the next :meth:`read`, which reads it first."""
        self._held += text

    def _hold_tag_blanks(self, ids: list[int]) -> list[int]:
        """The turn ended on an environment tag: its last tokens that are only blanks (the space
        of ``Observation: ``) are held and read with the environment's answer, so ``Observation:``
        followed by `` poplib`` reaches the model as the tokenizer splits that text, as after a
        stop sequence, not as a lone space then ``poplib``. The rest of ``ids`` is returned."""
        tokens = self.index.vocab.tokens
        cut = len(ids)
        while cut and tokens[ids[cut - 1]] and not tokens[ids[cut - 1]].strip(b" \t"):
            cut -= 1
        self.hold("".join((tokens[i] or b"").decode("utf-8") for i in ids[cut:]))
        self.held_tokens += len(ids) - cut
        return ids[:cut]

    def _forward(self, ids: list[int]) -> None:
        """Run ``ids`` through the model on top of the cache (transformers 5: ``cache=``)."""
        x = torch.tensor([ids], device=self.device)
        out = self.model(input_ids=x, cache=self._cache, use_cache=True)
        self._cache = out.cache
        self._logits = out.logits[:, -1, :].float()

    @property
    def is_finished(self) -> bool:
        return self.guide.status == FINISHED


def logits_processor(
    spec: Any,
    tokenizer: Any,
    *,
    max_tokens: int | None = None,
    max_step_tokens: int | None = None,
    max_steps: int | None = None,
    prefix: str = "",
    index: TokenIndex | None = None,
) -> SpecLogitsProcessor:
    """A :class:`SpecLogitsProcessor` for ``spec`` (a path, a shipped spec's name, a ``Spec``
    or a ``CompiledSpec``) and a Hugging Face ``tokenizer``: pass it to ``model.generate(...,
    logits_processor=[proc])``, as often as you like."""
    from ltlagent.compiler.compile import ensure_compiled
    from ltlagent.decoders.index import build_token_index

    index = index or build_token_index(ensure_compiled(spec), tokenizer)
    return SpecLogitsProcessor(index, max_tokens=max_tokens, max_step_tokens=max_step_tokens, max_steps=max_steps, prefix=prefix)
