"""``build_token_index``: a compiled spec × a tokenizer → token masks that know where they are.

Each thing the model may write is one **piece**: a model letter (``tag + content +
terminator``, :func:`decoders.regex.letter_regex`), an environment step's tag (the model
hands over to the environment), or the end-of-trace sentinel (EOS). Every piece becomes a
byte automaton (outlines-core compiles the regex over a 256-token byte vocabulary, so the
masks read text exactly as outlines-core reads it), and every piece state is walked once
against the whole vocabulary (vectorised): a packed mask of the tokens that stay inside the
piece or end it exactly, and the list of tokens that end it and go on into the next step.

At run time the index composes pieces: a **position** is an automaton state plus the pieces
still possible for the step being written (with their states). Its mask is the union of its
pieces' masks plus the crossing tokens whose rest is a valid start from the next automaton
state. Positions, their masks and token moves are made on first use and kept, so a decode
step is a dictionary lookup; a move says which steps the token ended (step, letter,
automaton state, where in the token) — nobody re-reads text to know where decoding is.

Budgets: each position knows the fewest steps left to finish the trace (``cost``); the
*steer* mask keeps only pieces on such a way; the *forced* mask allows only the tokens that
spell the start of one shortest way (in bytes) to the end of the turn, whose length is
``dist``; ``worst`` bounds ``dist`` after any allowed token.

Indexes are cached on disk (``$XDG_CACHE_HOME/ltlagent``) by spec × vocabulary fingerprint as
``.npz`` files of plain arrays: loading one runs no code (no pickle), and an entry is used only
if the fingerprints recorded inside it are this spec's and this vocabulary's.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ltlagent.compiler.compiled import CompiledSpec
from ltlagent.compiler.letters import regex_escape
from ltlagent.compiler.spec import Source
from ltlagent.decoders.budgets import NEVER as _NEVER
from ltlagent.decoders.budgets import budget_tables
from ltlagent.decoders.regex import EOS_SENTINEL, letter_regex
from ltlagent.decoders.vocab import TokenVocabulary
from ltlagent.errors import DecoderError

CACHE_VERSION = 8
NO_STATE = -1
FREE, STEER, FORCED = 0, 1, 2  # which mask a guide reads (see SpecGuide.mask_mode)
LETTER, TAG, END = 0, 1, 2  # piece kinds: a model letter, an environment step's tag, the end of the trace
_INSIDE, _EXACT, _CROSS = 1, 2, 3  # how a token leaves a piece state (0: not allowed)


@dataclass
class Piece:
    """One thing the model may write, as a byte automaton (state 0 is the start)."""

    kind: int
    name: str  # the letter's name, the environment step's name, or "end"
    step: str
    letter: int  # the letter's index (LETTER), else -1
    regex: str
    table: np.ndarray  # int32 [states, 256]: next state per byte, -1 when not allowed
    final: np.ndarray  # bool [states]: the piece is complete (no byte leads on)
    offset: int = 0  # global number of state 0
    left: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # fewest bytes to complete
    most: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # max of ``left`` over states reachable from here
    rows: list[list[int]] = field(default_factory=list)  # ``table`` as lists (the per-token walk)
    best: list[int] = field(default_factory=list)  # a byte on a shortest way to completion (-1 at finals)

    def prepare(self, cached: dict[str, np.ndarray] | None = None) -> None:
        """Derive ``rows``, and ``left``/``most``/``best`` (from ``cached`` when the disk cache has them)."""
        n = self.table.shape[0]
        self.rows = self.table.tolist()
        if cached is not None:
            self.left, self.most, self.best = cached["left"], cached["most"], cached["best"].tolist()
            return
        left = np.full(n, _NEVER, np.int64)
        best = [-1] * n
        left[self.final] = 0
        back: dict[int, list[tuple[int, int]]] = {}
        for s, row in enumerate(self.rows):
            for b, d in enumerate(row):
                if d >= 0:
                    back.setdefault(d, []).append((s, b))
        todo = deque(np.flatnonzero(self.final).tolist())
        while todo:  # breadth first backwards: fewest bytes
            d = todo.popleft()
            for s, b in back.get(d, ()):
                if left[s] == _NEVER:
                    left[s], best[s] = left[d] + 1, b
                    todo.append(s)
        most = left.copy()
        changed = True
        while changed:  # max over reachable states (finals excluded: nothing follows them)
            changed = False
            for s in range(n):
                if self.final[s]:
                    continue
                m = max([most[s]] + [most[d] for d in set(self.rows[s]) if d >= 0 and not self.final[d]])
                if m != most[s]:
                    most[s], changed = m, True
        self.left, self.most, self.best = left, most, best


class Move(NamedTuple):
    """Where one token leads: the next position (``NO_STATE`` once the model's turn is over),
    the steps it ended (``(letter index, automaton state after, end offset in the token)``),
    the environment step it handed over to, whether it ended the trace, and the automaton
    state after it."""

    state: int
    ended: tuple[tuple[int, int, int], ...]
    handover: str | None
    finished: bool
    automaton_state: int


@dataclass
class _Position:
    id: int
    q: int
    cands: tuple[int, ...]  # global piece states, longest tag first
    rows: dict[int, np.ndarray] = field(default_factory=dict)
    cost: int = _NEVER
    dist: int = _NEVER
    worst: int = -1
    shortest: bytes = b""


class _VocabBytes:
    """The vocabulary as a byte matrix for vectorised walks: EOS is the sentinel byte, tokens
    that never stand for text (special, empty, holding NUL) have length 0 and are never allowed."""

    def __init__(self, vocab: TokenVocabulary) -> None:
        eos = set(vocab.eos_ids)
        toks = [EOS_SENTINEL.encode() if i in eos else (t if t and b"\x00" not in t else b"") for i, t in enumerate(vocab.tokens)]
        self.lens = np.fromiter((len(t) for t in toks), dtype=np.int64, count=len(toks))
        width = int(self.lens.max()) if len(toks) else 1
        flat = np.frombuffer(b"".join(t.ljust(width, b"\x00") for t in toks), dtype=np.uint8)
        self.data = flat.reshape(len(toks), width)
        usable = np.flatnonzero(self.lens > 0)
        first = self.data[usable, 0]
        order = np.argsort(first, kind="stable")
        self.by_first = usable[order]
        self.first_start = np.searchsorted(first[order], np.arange(257))
        # Longest first, so the tokens still being read at byte i are a prefix: ``wide`` walks
        # read one contiguous row of ``by_len_bytes`` per byte, no compaction.
        self.by_len = usable[np.argsort(-self.lens[usable], kind="stable")]
        lens_desc = self.lens[self.by_len]
        self.longer = np.array([int((lens_desc > i).sum()) for i in range(width)], np.int64)
        self.by_len_bytes = np.ascontiguousarray(self.data[self.by_len].T)

    def starting_with(self, first_bytes: np.ndarray) -> np.ndarray:
        parts = [self.by_first[self.first_start[b] : self.first_start[b + 1]] for b in first_bytes.tolist()]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)


_VOCAB_BYTES: dict[str, _VocabBytes] = {}


def _vocab_bytes(vocab: TokenVocabulary) -> _VocabBytes:
    key = vocab.fingerprint()
    if key not in _VOCAB_BYTES:
        _VOCAB_BYTES.clear()  # one tokenizer at a time is the common case; keep memory flat
        _VOCAB_BYTES[key] = _VocabBytes(vocab)
    return _VOCAB_BYTES[key]


def _walk(piece: Piece, state: int, data: np.ndarray, lens: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walk byte strings (rows of ``data``, ``lens`` long, from byte ``start`` on) through
    ``piece`` from ``state``, all at once. Returns per string how it leaves (0, _INSIDE,
    _EXACT, _CROSS) and, for _CROSS, the offset where the piece completed."""
    n = len(lens)
    how = np.zeros(n, np.int8)
    where = np.zeros(n, np.int64)
    st = np.full(n, state, np.int64)
    pos = start.astype(np.int64, copy=True)
    act = np.flatnonzero(pos < lens)
    table, final = piece.table, piece.final
    while act.size:
        nxt = table[st[act], data[act, pos[act]]]
        pos[act] += 1
        live = nxt >= 0
        act, nxt = act[live], nxt[live]
        st[act] = nxt
        fin = final[nxt]
        ended = pos[act] == lens[act]
        done = act[fin]
        how[done] = np.where(ended[fin], _EXACT, _CROSS)
        where[done] = pos[done]
        how[act[~fin & ended]] = _INSIDE
        act = act[~fin & ~ended]
    return how, where


def _walk_wide(piece: Piece, state: int, vb: _VocabBytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_walk` of the whole vocabulary from a state where most tokens may start: the
    piece's table is extended with a dead row and a chain of "completed j bytes ago" rows, so
    each byte is one gather over a contiguous prefix of the tokens (longest first).
    Returns (token ids, how, where)."""
    n, width = piece.table.shape[0], vb.by_len_bytes.shape[0]
    dead, done = n, n + 1  # done + j: the piece completed j bytes before the token's last byte read so far
    ext = np.full((done + width + 1, 256), dead, np.int32)
    ext[:n] = np.where(piece.table >= 0, piece.table, dead)
    ext[:n][piece.final] = done
    ext[done : done + width] = (np.arange(done + 1, done + width + 1, dtype=np.int32))[:, None]
    ext[done + width] = done + width
    flat = ext.ravel()
    st = np.full(len(vb.by_len), state, np.int32)
    for i in range(width):
        k = int(vb.longer[i])
        if not k:
            break
        head = st[:k]
        st[:k] = flat[head * 256 + vb.by_len_bytes[i, :k]]
    lens = vb.lens[vb.by_len]
    how = np.zeros(len(st), np.int8)
    inside = st < n
    fin = np.zeros(len(st), bool)
    fin[inside] = piece.final[st[inside]]
    how[inside & ~fin] = _INSIDE
    how[fin] = _EXACT
    crossed = (st >= done) & (st < done + width)
    how[crossed] = _CROSS
    where = np.where(crossed, lens - 1 - (st - done), 0)
    return vb.by_len, how, where


@dataclass
class TokenIndex:
    """Token constraints for one spec and one vocabulary (see the module doc). Positions and
    moves are made on first use and kept; everything else is fixed after the build."""

    compiled: CompiledSpec
    vocab: TokenVocabulary
    pieces: list[Piece]
    inner: np.ndarray  # uint32 [piece states, words]: tokens that stay in the piece or end it exactly
    cross_ptr: np.ndarray  # int64 [piece states + 1]: CSR rows into cross_ids / cross_at
    cross_ids: np.ndarray  # int64: tokens that complete the piece and go on
    cross_at: np.ndarray  # int64: where in the token the piece completed
    build_seconds: float = 0.0
    from_cache: bool = False

    def __post_init__(self) -> None:
        c = self.compiled
        self.words = self.inner.shape[1]
        self.piece_of = np.concatenate([np.full(p.table.shape[0], n, np.int64) for n, p in enumerate(self.pieces)]) if self.pieces else np.zeros(0, np.int64)
        self._letter_piece = {p.letter: p for p in self.pieces if p.kind == LETTER}
        self._tag_piece = {p.step: p for p in self.pieces if p.kind == TAG}
        self._end = next((p for p in self.pieces if p.kind == END), None)
        self._positions: list[_Position] = []
        self._by_key: dict[tuple[int, tuple[int, ...]], int] = {}
        self._moves: dict[tuple[int, int], Move | None] = {}
        self._starts: dict[int, tuple[int, ...]] = {}
        self._cross: dict[tuple[int, int, int], np.ndarray] = {}
        self._eos = frozenset(self.vocab.eos_ids)
        self._by_bytes: dict[bytes, list[int]] | None = None
        self.budgets = budget_tables(
            c, {p.letter: int(p.left[0]) for p in self._letter_piece.values()}, {p.step: int(p.left[0]) for p in self._tag_piece.values()}
        )

    # -- public ------------------------------------------------------------------------
    @property
    def vocab_size(self) -> int:
        return self.vocab.size

    @property
    def eos_ids(self) -> tuple[int, ...]:
        return self.vocab.eos_ids

    @property
    def num_states(self) -> int:
        """Piece states indexed against the vocabulary (what the build cost grows with)."""
        return int(self.inner.shape[0])

    @property
    def num_positions(self) -> int:
        """Positions made so far (they grow on first use)."""
        return len(self._positions)

    def initial_state(self, automaton_state: int) -> int:
        """The position where the model starts a turn at ``automaton_state`` (``NO_STATE``
        when the model does not write there: the environment speaks first)."""
        if not _model_speaks(self.compiled, automaton_state):
            return NO_STATE
        return self._start(automaton_state)

    def automaton_state(self, state: int) -> int:
        return self._positions[state].q

    def step_of(self, state: int) -> str | None:
        """The step being written at ``state`` once its tag decides it (``None`` between
        steps or while tags still share a prefix)."""
        pos = self._positions[state]
        names = {self.pieces[int(self.piece_of[g])].step for g in pos.cands}
        return names.pop() if len(names) == 1 and not self._at_start(pos) else None

    def move(self, state: int, token_id: int) -> Move | None:
        """Where ``token_id`` leads from ``state`` (``None``: not allowed). Kept after the first time."""
        key = (state, int(token_id))
        if key not in self._moves:
            self._moves[key] = self._move(state, int(token_id))
        return self._moves[key]

    def next_state(self, state: int, token_id: int) -> int:
        """The position after ``token_id`` (``NO_STATE`` if it is not allowed or ends the turn)."""
        m = self.move(state, token_id) if state >= 0 else None
        return NO_STATE if m is None else m.state

    def row(self, state: int, mode: int = FREE) -> np.ndarray:
        """The packed mask (uint32 words, little-endian bits) of a position in a mask mode."""
        pos = self._positions[state]
        out = pos.rows.get(mode)
        if out is None:
            out = pos.rows[mode] = self._row(pos, mode)
        return out

    def allowed_ids(self, state: int, *, mode: int = FREE) -> np.ndarray:
        """Allowed token ids at ``state`` (unpacked; for tests and tools, not the hot path)."""
        bits = np.unpackbits(self.row(state, mode).view(np.uint8), bitorder="little")[: self.vocab_size]
        return np.flatnonzero(bits)

    def bool_row(self, state: int, mode: int = FREE) -> np.ndarray:
        """A position's mask unpacked to booleans (what ``decoders.hf`` puts on the device)."""
        return np.unpackbits(self.row(state, mode).view(np.uint8), bitorder="little")[: self.vocab_size].astype(bool)

    def dist(self, state: int) -> int:
        """Bytes (at least as many as tokens) of the shortest way, in fewest steps, to the end of the turn."""
        return self._positions[state].dist

    def worst(self, state: int) -> int:
        """An upper bound of :meth:`dist` after any allowed token."""
        pos = self._positions[state]
        if pos.worst < 0:
            pos.worst = self._worst(pos)
        return pos.worst

    def cost(self, state: int) -> int:
        """Fewest steps left to finish the trace (the current step included)."""
        return self._positions[state].cost

    def forced_bytes(self, state: int, limit: int = 256) -> bytes:
        """The bytes every continuation from position ``state`` starts with: the pieces still
        possible allow exactly one next byte, again and again (steps that complete go on into
        the next step's pieces). Stops where two bytes are possible, where the turn may end (an
        environment tag complete, or EOS allowed), or at ``limit`` bytes. (For fast-forwarding
        forced text; the token masks do not use it.)"""
        pos = self._positions[state]
        cands = [(pos.q, g) for g in pos.cands]
        out = bytearray()
        while len(out) < limit:
            ready: list[tuple[int, int]] = []
            while cands:  # a completed letter goes on into the next step's pieces
                q, g = cands.pop()
                p = self.pieces[int(self.piece_of[g])]
                if not p.final[g - p.offset]:
                    ready.append((q, g))
                elif p.kind == LETTER:
                    q2 = self.compiled.next_state(q, p.letter)
                    cands += [(q2, h) for h in self._starts_of(q2)]
                else:
                    return bytes(out)  # an environment tag is complete: the turn ends here
            nexts: dict[int, list[tuple[int, int]]] = {}
            for q, g in ready:
                p = self.pieces[int(self.piece_of[g])]
                for b, d in enumerate(p.rows[g - p.offset]):
                    if d >= 0:
                        nexts.setdefault(b, []).append((q, p.offset + d))
            if len(nexts) != 1 or 0 in nexts:  # a choice, or EOS (the end sentinel) is possible
                return bytes(out)
            (b, cands), = nexts.items()
            out.append(b)
        return bytes(out)

    # -- positions -----------------------------------------------------------------------
    def _start(self, q: int) -> int:
        if q not in self._starts:
            c = self.compiled
            cands: list[Piece] = []
            for x in c.allowed_letters(q):
                if x.source == Source.MODEL and x.index in self._letter_piece:
                    cands.append(self._letter_piece[x.index])
            cands += [self._tag_piece[s.name] for s in c.enabled_steps(q, environment=True) if s.name in self._tag_piece]
            if c.is_accepting(q) and self._end is not None:
                cands.append(self._end)
            cands.sort(key=lambda p: (-len(self._tag(p)), p.offset))
            self._starts[q] = tuple(p.offset for p in cands)
        return self._intern(q, self._starts[q])

    def _tag(self, p: Piece) -> str:
        return self.compiled.step_info(p.step).tag if p.step else ""

    def _at_start(self, pos: _Position) -> bool:
        return pos.cands == self._starts.get(pos.q)

    def _intern(self, q: int, cands: tuple[int, ...]) -> int:
        key = (q, cands)
        n = self._by_key.get(key)
        if n is None:
            n = self._by_key[key] = len(self._positions)
            pos = _Position(n, q, cands)
            self._positions.append(pos)  # before the shortest way is looked up: that makes positions too
            pos.cost = min(self._piece_cost(q, g) for g in cands)
            best = min((g for g in cands if self._piece_cost(q, g) == pos.cost), key=lambda g: (self._piece_bytes(q, g), g))
            pos.shortest = self._shortest(q, best)
            pos.dist = len(pos.shortest)
        return n

    def _piece_cost(self, q: int, g: int) -> int:
        p = self.pieces[int(self.piece_of[g])]
        if p.kind == END:
            return 0
        if p.kind == TAG:
            return self.budgets.tag_cost[(q, p.step)]
        return self.budgets.letter_cost(self.compiled, q, p.letter)

    def _piece_bytes(self, q: int, g: int) -> int:
        p = self.pieces[int(self.piece_of[g])]
        rest = self.budgets.turn_bytes[self.compiled.next_state(q, p.letter)] if p.kind == LETTER else 0
        return int(p.left[g - p.offset]) + rest

    def _shortest(self, q: int, g: int) -> bytes:
        """The bytes of the shortest way (in fewest steps) from piece state ``g`` at ``q`` to the turn's end."""
        out = bytearray()
        while True:
            p = self.pieces[int(self.piece_of[g])]
            s = g - p.offset
            while not p.final[s]:
                out.append(p.best[s])
                s = p.rows[s][p.best[s]]
            if p.kind != LETTER:
                return bytes(out)
            q = self.compiled.next_state(q, p.letter)
            cands = self._starts_of(q)
            g = min((h for h in cands if self._piece_cost(q, h) == self.budgets.cost[q]), key=lambda h: (self._piece_bytes(q, h), h))

    def _starts_of(self, q: int) -> tuple[int, ...]:
        self._start(q)
        return self._starts[q]

    # -- masks -------------------------------------------------------------------------
    def _row(self, pos: _Position, mode: int) -> np.ndarray:
        if mode == FORCED:
            return self._forced_row(pos)
        out = np.zeros(self.words, np.uint32)
        for g in self._cands(pos, mode):
            out |= self.inner[g]
            p = self.pieces[int(self.piece_of[g])]
            if p.kind == LETTER and self.cross_ptr[g + 1] > self.cross_ptr[g]:
                out |= self._crossing(g, self.compiled.next_state(pos.q, p.letter), mode)
        return out

    def _cands(self, pos: _Position, mode: int) -> tuple[int, ...]:
        if mode == FREE:
            return pos.cands
        return tuple(g for g in pos.cands if self._piece_cost(pos.q, g) == pos.cost)

    def _crossing(self, g: int, q_next: int, mode: int) -> np.ndarray:
        """Packed mask of the tokens that complete piece state ``g`` and go on validly from ``q_next``."""
        key = (g, q_next, mode)
        if key not in self._cross:
            lo, hi = int(self.cross_ptr[g]), int(self.cross_ptr[g + 1])
            ids, at = self.cross_ids[lo:hi], self.cross_at[lo:hi]
            ok = self._alive_from(self._start(q_next), ids, at, mode)
            self._cross[key] = _pack(ids[ok], self.words)
        return self._cross[key]

    def _alive_from(self, state: int, ids: np.ndarray, start: np.ndarray, mode: int) -> np.ndarray:
        """Which tokens' rests (from byte ``start``) are valid from position ``state``."""
        raw = [self._token_bytes(int(t)) for t in ids]
        width = max((len(x) for x in raw), default=1)
        data = np.frombuffer(b"".join(x.ljust(width, b"\x00") for x in raw), np.uint8).reshape(len(raw), width)
        return self._alive_rows(state, data, np.array([len(x) for x in raw], np.int64), start, mode)

    def _alive_rows(self, state: int, data: np.ndarray, lens: np.ndarray, start: np.ndarray, mode: int) -> np.ndarray:
        pos = self._positions[state]
        ok = np.zeros(len(lens), bool)
        for g in self._cands(pos, mode):
            p = self.pieces[int(self.piece_of[g])]
            how, where = _walk(p, g - p.offset, data, lens, start)
            ok |= (how == _INSIDE) | (how == _EXACT)
            cross = np.flatnonzero(how == _CROSS)
            if p.kind == LETTER and cross.size:
                q = self.compiled.next_state(pos.q, p.letter)
                ok[cross] |= self._alive_rows(self._start(q), data[cross], lens[cross], where[cross], mode)
        return ok

    def _token_bytes(self, token: int) -> bytes:
        """A token's bytes as the pieces read them: EOS is the end sentinel; tokens that never
        stand for text (special, empty, holding NUL) are empty."""
        if token in self._eos:
            return EOS_SENTINEL.encode()
        data = self.vocab.tokens[token]
        return data if data and b"\x00" not in data else b""

    def _forced_row(self, pos: _Position) -> np.ndarray:
        """The token that spells the longest start of the position's shortest way to the turn's
        end (fewest tokens along it, greedily; every EOS id where that way is the end)."""
        if self._by_bytes is None:
            self._by_bytes = {}
            for t in range(self.vocab.size):
                if data := self._token_bytes(t):
                    self._by_bytes.setdefault(data, []).append(t)
        by_bytes = self._by_bytes
        ids = next((by_bytes[pos.shortest[:k]] for k in range(len(pos.shortest), 0, -1) if pos.shortest[:k] in by_bytes), [])
        if not ids:  # the vocabulary cannot spell it token by token: keep the steer mask
            return self.row(pos.id, STEER)
        return _pack(np.array(ids, np.int64), self.words)

    def _worst(self, pos: _Position) -> int:
        bound = 0
        for g in pos.cands:
            p = self.pieces[int(self.piece_of[g])]
            rest = self.budgets.turn_bytes[self.compiled.next_state(pos.q, p.letter)] if p.kind == LETTER else 0
            bound = max(bound, int(p.most[g - p.offset]) + rest)
            if p.kind == LETTER and self.cross_ptr[g + 1] > self.cross_ptr[g]:
                bound = max(bound, self._any_start_bound())
        return bound

    def _any_start_bound(self) -> int:
        if not hasattr(self, "_start_bound"):
            c = self.compiled
            bound = 0
            for q in range(c.dfa.num_states):
                if self.budgets.cost[q] >= _NEVER:
                    continue
                for g in self._starts_of(q):
                    p = self.pieces[int(self.piece_of[g])]
                    rest = self.budgets.turn_bytes[c.next_state(q, p.letter)] if p.kind == LETTER else 0
                    bound = max(bound, int(p.most[0]) + min(rest, _NEVER))
            self._start_bound = bound
        return self._start_bound

    # -- moves -------------------------------------------------------------------------
    def _move(self, state: int, token: int) -> Move | None:
        data = self._token_bytes(token)
        if not data:
            return None
        pos = self._positions[state]
        return self._follow(pos.q, pos.cands, data, 0, ())

    def _follow(self, q: int, cands: tuple[int, ...], data: bytes, i0: int, ended: tuple) -> Move | None:  # type: ignore[type-arg]
        """Follow ``data[i0:]`` from the pieces ``cands`` at ``q``. A piece that completes wins
        over pieces still going (longest tag first, as ``check_text`` reads tags)."""
        inside: list[int] = []
        n = len(data)
        for g in cands:
            p = self.pieces[int(self.piece_of[g])]
            rows, final = p.rows, p.final
            s, i = g - p.offset, i0
            while i < n:
                s = rows[s][data[i]]
                i += 1
                if s < 0 or final[s]:
                    break
            if s < 0:
                continue
            if not final[s]:
                inside.append(p.offset + s)
                continue
            if p.kind != LETTER:  # the turn ends here: nothing may follow in the same token
                if i == n:
                    return Move(NO_STATE, ended, p.step if p.kind == TAG else None, p.kind == END, q)
                continue
            q2 = self.compiled.next_state(q, p.letter)
            done = ended + ((p.letter, q2, i),)
            if i == n:
                return Move(self._start(q2), done, None, False, q2)
            m = self._follow(q2, self._starts_of(q2), data, i, done)
            if m is not None:
                return m
        if not inside:
            return None
        return Move(self._intern(q, tuple(inside)), ended, None, False, q)


def cache_dir() -> Path:
    base = os.environ.get("LTLAGENT_CACHE") or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "ltlagent")
    return Path(base)


def spec_fingerprint(compiled: CompiledSpec) -> str:
    d = asdict(compiled)
    key = {k: d[k] for k in ("letters", "steps", "dfa")}
    return hashlib.sha256(json.dumps(key, sort_keys=True, default=sorted).encode()).hexdigest()[:24]


def build_token_index(
    compiled: CompiledSpec,
    tokenizer: Any,
    *,
    eos_ids: list[int] | None = None,
    use_cache: bool = True,
    progress: bool = False,
) -> TokenIndex:
    """Compile ``compiled`` against ``tokenizer`` (a Hugging Face tokenizer or a
    :class:`TokenVocabulary`); load it from the disk cache when it was built before."""
    vocab = tokenizer if isinstance(tokenizer, TokenVocabulary) else TokenVocabulary.from_hf(tokenizer, eos_ids)
    t0 = time.perf_counter()
    key = (spec_fingerprint(compiled), vocab.fingerprint())
    path = cache_dir() / f"index-v{CACHE_VERSION}-{key[0]}-{key[1]}.npz"
    if use_cache and path.is_file():
        loaded = _load_index(path, compiled, vocab, key)
        if loaded is not None:
            loaded.build_seconds = time.perf_counter() - t0
            return loaded
    index = _build(compiled, vocab, progress)
    index.build_seconds = time.perf_counter() - t0
    if use_cache:
        _save_index(path, index, key)
    return index


_PIECE_FIELDS = ("kind", "name", "step", "letter", "regex")


def _save_index(path: Path, index: TokenIndex, key: tuple[str, str]) -> None:
    meta = {
        "version": CACHE_VERSION,
        "spec": key[0],
        "vocabulary": key[1],
        "pieces": [{k: getattr(p, k) for k in _PIECE_FIELDS} for p in index.pieces],
    }
    arrays: dict[str, np.ndarray] = {"inner": index.inner, "cross_ptr": index.cross_ptr, "cross_ids": index.cross_ids, "cross_at": index.cross_at}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    for n, p in enumerate(index.pieces):
        arrays[f"table{n}"] = p.table
        arrays[f"final{n}"] = p.final
        arrays[f"left{n}"], arrays[f"most{n}"], arrays[f"best{n}"] = p.left, p.most, np.array(p.best, np.int64)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    _write_atomically(path, buf.getvalue())


def _load_index(path: Path, compiled: CompiledSpec, vocab: TokenVocabulary, key: tuple[str, str]) -> TokenIndex | None:
    """The cached index at ``path`` if it is intact and belongs to this spec × vocabulary
    (``None``: rebuild). Plain arrays only (``allow_pickle=False``)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            if (meta["version"], meta["spec"], meta["vocabulary"]) != (CACHE_VERSION, *key):
                return None
            pieces = [Piece(**{k: m[k] for k in _PIECE_FIELDS}, table=data[f"table{n}"], final=data[f"final{n}"]) for n, m in enumerate(meta["pieces"])]
            derived = [{k: data[f"{k}{n}"] for k in ("left", "most", "best")} for n in range(len(pieces))]
            arrays = {k: data[k] for k in ("inner", "cross_ptr", "cross_ids", "cross_at")}
        model = {x.index: x.name for x in compiled.letters if x.source == Source.MODEL}
        environment = [s.name for s in compiled.steps if s.source != Source.MODEL]
        if (
            any(p.kind == LETTER and model.get(p.letter) != p.name for p in pieces)
            or [p.name for p in pieces if p.kind == TAG] != environment
            or [p.kind for p in pieces if p.kind == END] != [END]
        ):
            return None
        _number(pieces)
        total = sum(p.table.shape[0] for p in pieces)
        words = (vocab.size + 31) // 32
        if arrays["inner"].shape != (total, words) or arrays["cross_ptr"].shape != (total + 1,) or any(
            p.table.ndim != 2 or p.table.shape[1] != 256 or any(x.shape != (p.table.shape[0],) for x in (p.final, *d.values()))
            for p, d in zip(pieces, derived, strict=True)
        ):
            return None
        for p, d in zip(pieces, derived, strict=True):
            p.prepare(d)
        return TokenIndex(compiled=compiled, vocab=vocab, pieces=pieces, from_cache=True, **arrays)
    except Exception:  # noqa: BLE001 - a truncated, stale or foreign entry is rebuilt
        return None


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _piece_specs(compiled: CompiledSpec) -> list[tuple[int, str, str, int, str]]:
    """``(kind, name, step, letter, regex)`` of every piece, in a fixed order."""
    out: list[tuple[int, str, str, int, str]] = []
    for x in compiled.letters:
        if x.source == Source.MODEL:
            r = letter_regex(x)
            if r is not None:
                out.append((LETTER, x.name, x.step, x.index, r))
    for s in compiled.steps:
        if s.source != Source.MODEL:
            out.append((TAG, s.name, s.name, -1, regex_escape(s.tag)))
    out.append((END, "end", "", -1, regex_escape(EOS_SENTINEL)))
    return out


_BYTE_VOCABULARY: list[Any] = []


def _byte_automaton(regex: str, name: str, spec: str) -> tuple[np.ndarray, np.ndarray]:
    """The regex's byte automaton as outlines-core reads it: state 0 initial, only states
    from which the piece can still complete."""
    from outlines_core import Index, Vocabulary

    if not _BYTE_VOCABULARY:
        _BYTE_VOCABULARY.append(Vocabulary(256, {bytes([b]): [b] for b in range(256)}))
    try:
        index = Index(regex, _BYTE_VOCABULARY[0])
    except Exception as exc:  # outlines-core reports regex and size problems as plain exceptions
        raise DecoderError(f"outlines-core could not index {name} of spec {spec!r}: {exc}") from None
    moves: dict[int, dict[int, int]] = index.get_transitions()
    finals = set(index.get_final_states())
    states = sorted(set(moves) | finals | {index.get_initial_state()}, key=lambda s: (s != index.get_initial_state(), s))
    num = {s: i for i, s in enumerate(states)}
    table = np.full((len(states), 256), -1, np.int32)
    for s, m in moves.items():
        for b, d in m.items():
            if b < 256 and d in num:
                table[num[s], b] = num[d]
    final = np.array([s in finals for s in states], bool)
    table[final] = -1  # a piece ends at its first completion (the first terminator, as check_text reads it)
    live = final.copy()
    while True:  # states from which a completion is reachable
        grown = live | np.concatenate([[False], live])[table + 1].any(axis=1)
        if (grown == live).all():
            break
        live = grown
    table[~live[np.maximum(table, 0)] & (table >= 0)] = -1
    return table, final


def _equivalent_states(pieces: list[Piece]) -> np.ndarray:
    """A class per piece state, equal for states with the same future (Moore's partition
    refinement over all pieces at once): their vocabulary walks are the same, so each class is
    walked once."""
    table = np.concatenate([np.where(p.table >= 0, p.table + p.offset, -1) for p in pieces])
    cls = np.concatenate([p.final for p in pieces]).astype(np.int64)
    count = len(set(cls.tolist()))
    while True:
        succ = np.where(table >= 0, cls[np.maximum(table, 0)], -1)
        rows = np.column_stack([cls, succ]).astype(np.int64)
        names: dict[bytes, int] = {}
        new = np.fromiter((names.setdefault(r.tobytes(), len(names)) for r in rows), np.int64, len(rows))
        if len(names) == count:
            return new
        cls, count = new, len(names)


def _number(pieces: list[Piece]) -> None:
    offset = 0
    for p in pieces:
        p.offset = offset
        offset += p.table.shape[0]


def _build(compiled: CompiledSpec, vocab: TokenVocabulary, progress: bool) -> TokenIndex:
    t0 = time.perf_counter()
    pieces = []
    for kind, name, step, letter, regex in _piece_specs(compiled):
        table, final = _byte_automaton(regex, f"the {name} step" if kind != LETTER else f"letter {name}", compiled.name)
        pieces.append(Piece(kind, name, step, letter, regex, table, final))
    _number(pieces)
    for p in pieces:
        p.prepare()
    if progress:
        print(f"  {len(pieces)} pieces, {sum(p.table.shape[0] for p in pieces)} states, automata in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    vb = _vocab_bytes(vocab)
    words = (vocab.size + 31) // 32
    inner: list[np.ndarray] = []
    cross_ptr = [0]
    cross_ids: list[np.ndarray] = []
    cross_at: list[np.ndarray] = []
    same = _equivalent_states(pieces)
    done: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for p in pieces:
        for s in range(p.table.shape[0]):
            seen = done.get(int(same[p.offset + s]))
            if seen is not None:  # an equivalent state was walked: same tokens, same ways out
                inner.append(seen[0])
                cross_ids.append(seen[1] if p.kind == LETTER else seen[1][:0])
                cross_at.append(seen[2] if p.kind == LETTER else seen[2][:0])
                cross_ptr.append(cross_ptr[-1] + len(cross_ids[-1]))
                continue
            first = np.flatnonzero(p.table[s] >= 0) if not p.final[s] else np.zeros(0, np.int64)
            share = (vb.first_start[first + 1] - vb.first_start[first]).sum() / max(1, len(vb.by_len))
            if share > 0.2:
                ids, how, where = _walk_wide(p, s, vb)
            else:
                ids = vb.starting_with(first)
                how, where = _walk(p, s, vb.data[ids], vb.lens[ids], np.zeros(len(ids), np.int64))
            inner.append(_pack(ids[(how == _INSIDE) | (how == _EXACT)], words))
            cross = how == _CROSS
            done[int(same[p.offset + s])] = (inner[-1], ids[cross], where[cross])
            cross = cross if p.kind == LETTER else np.zeros(len(ids), bool)
            cross_ids.append(ids[cross])
            cross_at.append(where[cross])
            cross_ptr.append(cross_ptr[-1] + int(cross.sum()))
    if progress:
        print(f"  vocabulary walked in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    return TokenIndex(
        compiled=compiled,
        vocab=vocab,
        pieces=pieces,
        inner=np.stack(inner) if inner else np.zeros((0, words), np.uint32),
        cross_ptr=np.array(cross_ptr, np.int64),
        cross_ids=np.concatenate(cross_ids) if cross_ids else np.zeros(0, np.int64),
        cross_at=np.concatenate(cross_at) if cross_at else np.zeros(0, np.int64),
    )


def _model_speaks(compiled: CompiledSpec, q: int) -> bool:
    """Whether the model writes when a turn starts at ``q``: a step of its own, or — where the
    trace may end here but the environment could go on — the choice between ending (EOS)
    and the environment's tag. Without that choice a spec whose environment may talk
    forever would never let the run end."""
    allowed = compiled.allowed_letters(q)
    return any(x.source == Source.MODEL for x in allowed) or (q in compiled.dfa.accepting and bool(allowed))


def _pack(ids: np.ndarray, words: int) -> np.ndarray:
    bits = np.zeros(words * 32, dtype=np.uint8)
    bits[ids] = 1
    return np.packbits(bits, bitorder="little").view(np.uint32)
