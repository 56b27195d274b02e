"""Fast-forward: write the tokens a spec forces without sampling them one by one.

Where every continuation of a position starts with the same bytes (a step's tag, the rest of
a tool name once its prefix is unique, the keys and punctuation of a call), a decoder can put
those bytes into the model in **one** forward pass instead of one pass per token. The tokens
it writes are a *plan* (:meth:`FastForward.plan`), made once per index position and kept:

1. The forced bytes (:meth:`TokenIndex.forced_bytes`), cut to whole UTF-8 characters; no plan
   where the text so far ends inside a character (the forced bytes would begin with a
   continuation byte).
2. The tokenizer's own tokenisation of that text (``encode``), followed through the index:
   the plan is the longest prefix of it whose tokens spell the forced bytes and are moves of
   the index (a special token, or an encoder that adds a prefix space, ends it there).
3. Hold-back. What the model writes after the plan is its own choice, so the plan's last
   tokens must not be ones the canonical tokenisation of the finished text would merge with
   what follows: the plan is cut before the first token boundary where the index allows a
   token longer than the rest of the plan (such a token would cover the end of the plan and
   go on). Where the plan ends the model's turn (an environment step's tag is complete),
   nothing follows from the model and nothing is held back.

The plan is therefore a prefix of the tokenizer's tokenisation of the forced text, ends on a
character boundary, decodes to exactly the forced bytes it covers, and is allowed by the
masks token by token (the guide follows it like any other tokens).

A plan is cut at token boundaries inside the forced text only; a longer vocabulary token that
starts *inside* one of the plan's tokens and runs past its end is not looked for (byte-level
BPE's merges make that rare, and the model could not reach it without a non-canonical split).
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ltlagent.decoders.index import FREE, NO_STATE, TokenIndex

MAX_FORCED_BYTES = 256  # bytes of forced text one plan looks at (a plan is at most this long)


class FastForward:
    """Fast-forward plans for one index and one tokenizer (``encode``: text → token ids, the
    tokenizer's own tokenisation without special tokens added). Plans are kept per position,
    so asking again is one dictionary lookup."""

    def __init__(self, index: TokenIndex, encode: Callable[[str], Sequence[int]], *, limit: int = MAX_FORCED_BYTES) -> None:
        self.index = index
        self.encode = encode
        self.limit = limit
        self._plans: dict[int, tuple[int, ...]] = {}
        self._longest: dict[int, int] = {}
        self._lengths = np.array([len(t) if t else 0 for t in index.vocab.tokens], np.int64)

    @classmethod
    def for_tokenizer(cls, index: TokenIndex, tokenizer: Any) -> FastForward:
        """Plans with a Hugging Face tokenizer's ``encode`` (no special tokens added). Kept
        with the index, so every decoder (every episode) over it shares the plans made so far."""
        kept = vars(index).setdefault("_fast_forward", {})
        found = kept.get(id(tokenizer))
        if found is None or found[0] is not tokenizer:
            found = kept[id(tokenizer)] = (tokenizer, cls(index, lambda text: tokenizer.encode(text, add_special_tokens=False)))
        return found[1]

    def plan(self, state: int) -> tuple[int, ...]:
        """The tokens to write from position ``state`` without sampling (empty: sample)."""
        if state < 0:
            return ()
        found = self._plans.get(state)
        if found is None:
            found = self._plans[state] = self._make(state)
        return found

    # -- internals -----------------------------------------------------------------------
    def _make(self, state: int) -> tuple[int, ...]:
        forced = self.index.forced_bytes(state, self.limit)
        if not forced or 0x80 <= forced[0] < 0xC0:  # nothing forced, or the text so far ends inside a character
            return ()
        try:
            text = codecs.getincrementaldecoder("utf-8")().decode(forced)  # whole characters only
        except UnicodeDecodeError:
            return ()
        if not text:
            return ()
        data = text.encode("utf-8")
        vocab = self.index.vocab.tokens
        walked: list[tuple[int, int, int]] = []  # (token, position before it, offset of its first byte)
        pos, at, ends_turn = state, 0, False
        for token in self.encode(text):
            piece = vocab[token] if 0 <= token < len(vocab) else None
            if not piece or data[at : at + len(piece)] != piece:
                break
            move = self.index.move(pos, token)
            if move is None:
                break
            walked.append((int(token), pos, at))
            at += len(piece)
            if move.state == NO_STATE:  # the turn ends here (an environment tag is complete)
                ends_turn = True
                break
            pos = move.state
        if ends_turn:
            return tuple(t for t, _, _ in walked)
        for i, (_, before, offset) in enumerate(walked):
            if self._longest_allowed(before) > at - offset:  # a token could cover the rest and go on
                walked = walked[:i]
                break
        return tuple(t for t, _, _ in walked)

    def _longest_allowed(self, state: int) -> int:
        """Bytes of the longest token the index allows at ``state`` (free mask)."""
        n = self._longest.get(state)
        if n is None:
            ids = self.index.allowed_ids(state, mode=FREE)
            n = self._longest[state] = int(self._lengths[ids].max()) if len(ids) else 0
        return n
