"""The vocabulary as a token trie in flat arrays, and walks of it from an automaton state.

Tokens are sorted by their bytes, so a trie node (a prefix) is a contiguous run of the sorted
tokens; its children are a contiguous run of the next level's nodes. A walk from a state of a
byte automaton goes down the trie level by level, all nodes of a level at once (numpy), and
stops under a node as soon as the automaton rejects its byte or completes: it visits only the
prefixes the automaton still accepts, never the whole vocabulary per state. A state that takes
every character but a few ASCII ones (free text, a JSON string's inside) is read faster still:
two bit tests per token say which tokens hold only characters it takes, and only the others are
read, from their first excluded byte (:func:`char_step`). The trie is built
once per vocabulary (kept per process); EOS is the end sentinel byte, and tokens that never
stand for text (special, empty, holding NUL) are left out.
"""

from __future__ import annotations

import numpy as np

from ltlagent.compiler.derivatives import Terms
from ltlagent.decoders.regex import EOS_SENTINEL
from ltlagent.decoders.vocab import TokenVocabulary

_INSIDE, _EXACT, _CROSS = 1, 2, 3  # how a token leaves a piece state (0: not allowed)
_FEW = 256  # strings left under a walk's nodes that are read one by one rather than level by level


class TokenTrie:
    """Token prefixes as levels of nodes: ``lo``/``hi`` (the node's run of sorted strings),
    ``first``/``count`` (its children's ids), ``byte`` (the byte leading into it)."""

    def __init__(self, vocab: TokenVocabulary) -> None:
        eos = set(vocab.eos_ids)
        texts: dict[bytes, list[int]] = {}
        for i, t in enumerate(vocab.tokens):
            data = EOS_SENTINEL.encode() if i in eos else t
            if data and (b"\x00" not in data or i in eos):
                texts.setdefault(data, []).append(i)
        strings = sorted(texts)
        self.size = vocab.size
        self._by_bytes: dict[bytes, list[int]] | None = None
        self.words = (vocab.size + 31) // 32
        self._signatures: dict[tuple, tuple | bool] = {}
        n = len(strings)
        self.lens = np.fromiter((len(s) for s in strings), np.int64, n)
        ids = [texts[s] for s in strings]
        self.id_ptr = np.zeros(n + 1, np.int64)
        self.id_ptr[1:] = np.cumsum([len(x) for x in ids])
        self.ids = np.fromiter((i for x in ids for i in x), np.int64, int(self.id_ptr[-1]))
        self.one_id = bool(n == len(self.ids))
        self.first_id = self.ids[self.id_ptr[:-1]]  # the one id of most strings
        self.string_of = np.full(self.words * 32, n, np.int64)  # token id -> its string (n: none)
        self.string_of[self.ids] = np.repeat(np.arange(n), self.id_ptr[1:] - self.id_ptr[:-1])
        self.more_ids = (self.id_ptr[1:] - self.id_ptr[:-1]) > 1  # strings several ids share (the EOS ids, duplicates)
        width = int(self.lens.max()) if n else 0
        data = np.zeros((n, max(width, 1)), np.uint8)
        for k, s in enumerate(strings):
            data[k, : len(s)] = np.frombuffer(s, np.uint8)
        self.data = data
        # lcp[k]: bytes string k shares with string k-1
        lcp = np.zeros(n, np.int64)
        if n > 1:
            diff = data[1:] != data[:-1]
            first = np.where(diff.any(axis=1), diff.argmax(axis=1), width)
            lcp[1:] = np.minimum(first, np.minimum(self.lens[1:], self.lens[:-1]))
        los, his, depth = [np.array([0], np.int64)], [np.array([n], np.int64)], [0]
        k = 1
        while True:
            starts = np.flatnonzero((self.lens >= k) & (lcp < k))
            if not starts.size:
                break
            # a node at depth k runs until the next string that is shorter than k or differs in its first k bytes
            brk = np.flatnonzero((self.lens < k) | (lcp < k))
            nxt = np.searchsorted(brk, starts, side="right")
            ends = np.where(nxt < len(brk), brk[np.minimum(nxt, len(brk) - 1)], n)
            los.append(starts)
            his.append(ends)
            depth.append(k)
            k += 1
        self.level_start = np.cumsum([0] + [len(x) for x in los])
        self.lo = np.concatenate(los)
        self.hi = np.concatenate(his)
        self.depth = np.concatenate([np.full(len(x), d, np.int64) for x, d in zip(los, depth, strict=True)])
        total = len(self.lo)
        self.first = np.zeros(total, np.int64)
        self.count = np.zeros(total, np.int64)
        self.byte = np.zeros(total, np.int64)
        for lvl in range(1, len(los)):
            a, b = self.level_start[lvl], self.level_start[lvl + 1]
            pa, pb = self.level_start[lvl - 1], self.level_start[lvl]
            parent = pa + np.searchsorted(self.lo[pa:pb], self.lo[a:b], side="right") - 1
            self.byte[a:b] = data[self.lo[a:b], lvl - 1]
            np.add.at(self.count, parent, 1)
            self.first[pa:pb] = a + np.searchsorted(parent, np.arange(pa, pb), side="left")
        # the string that ends exactly at a node (sorted: it is the node's first), else -1
        self.exact = np.where(self.lens[np.minimum(self.lo, max(n - 1, 0))] == self.depth, self.lo, -1) if n else np.zeros(0, np.int64)
        self.exact[0] = -1
        # Per string: its ASCII bytes (bits of two words) and whether it is well-formed UTF-8 from a
        # character boundary, its last character possibly unfinished (what char_loop states keep inside).
        # ``later_bits``: the ASCII bytes after the first one (what a char_step state's next state reads).
        lo_bits = np.zeros(n, np.uint64)
        hi_bits = np.zeros(n, np.uint64)
        for j in range(1, width):
            col = data[:, j].astype(np.uint64)
            used = (self.lens > j) & (col < 128)
            lo_bits |= np.where(used & (col < 64), np.left_shift(np.uint64(1), col % np.uint64(64)), np.uint64(0))
            hi_bits |= np.where(used & (col >= 64), np.left_shift(np.uint64(1), col % np.uint64(64)), np.uint64(0))
        self.later_bits = (lo_bits, hi_bits)
        self.first_byte = data[:, 0].copy()
        self.utf8 = np.fromiter((_well_formed(s) for s in strings), bool, n)
        # Per trie node: the ASCII bytes below it (two words) and whether every string under it is
        # well-formed UTF-8, so a walk can take a whole subtree at once where its state loops.
        total = len(self.lo)
        below_lo = np.zeros(total, np.uint64)
        below_hi = np.zeros(total, np.uint64)
        for lvl in range(len(self.level_start) - 2, 0, -1):  # deepest first: a child's bits, and its own byte, go up
            a, b = self.level_start[lvl], self.level_start[lvl + 1]
            pa = self.level_start[lvl - 1]
            parent = pa + np.searchsorted(self.lo[pa:a], self.lo[a:b], side="right") - 1
            byte = self.byte[a:b].astype(np.uint64)
            own_lo = np.where(byte < 64, np.left_shift(np.uint64(1), byte % np.uint64(64)), np.uint64(0))
            own_hi = np.where((byte >= 64) & (byte < 128), np.left_shift(np.uint64(1), byte % np.uint64(64)), np.uint64(0))
            np.bitwise_or.at(below_lo, parent, below_lo[a:b] | own_lo)
            np.bitwise_or.at(below_hi, parent, below_hi[a:b] | own_hi)
        self.below_bits = (below_lo, below_hi)
        bad = np.concatenate([[0], np.cumsum(~self.utf8)])
        self.below_utf8 = bad[self.hi] == bad[self.lo]

    def by_bytes(self) -> dict[bytes, list[int]]:
        """Token ids by their bytes (EOS as the end sentinel)."""
        if self._by_bytes is None:
            self._by_bytes = {self.data[k, : self.lens[k]].tobytes(): self.ids[self.id_ptr[k] : self.id_ptr[k + 1]].tolist() for k in range(len(self.lens))}
        return self._by_bytes

    def token_ids(self, strings: np.ndarray) -> np.ndarray:
        """The token ids of sorted-string indices."""
        return self.token_ids_at(strings, np.zeros(len(strings), np.int64))[0]

    def token_ids_at(self, strings: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The token ids of sorted-string indices, each with its string's value of ``at``."""
        if self.one_id:
            return self.ids[strings], at
        several = self.more_ids[strings]
        if not several.any():
            return self.first_id[strings], at
        lo, hi = self.id_ptr[strings[several]] + 1, self.id_ptr[strings[several] + 1]
        extra = _runs(lo, hi - lo)
        return np.concatenate([self.first_id[strings], self.ids[extra]]), np.concatenate([at, np.repeat(at[several], hi - lo)])

    def walk(self, terms: Terms, start: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every token read from term ``start``: the packed mask (uint32 words, little-endian
        bits) of the tokens that stay inside the piece or end it exactly, and the ids that
        complete it and go on, with the offset where it completed."""
        step = char_step(terms, start)
        if step is not None:
            sig = self.signature(step[1], step[2])
            if sig is not None:
                return self.walk_step(terms, start, step[0], sig)
        ids, cross_ids, cross_at = self.walk_trie(terms, start)
        return pack_ids(ids, self.words), cross_ids, cross_at

    def signature(self, first: np.ndarray, loop: np.ndarray, min_share: float = 2 / 3) -> tuple | None:
        """What a :func:`char_step` state's walk needs that depends only on its ASCII bytes
        (kept: free text, string values and the like share a few): the packed mask of the strings
        that stay inside whatever the state (well-formed UTF-8, first byte in ``first`` or not
        ASCII, later ASCII bytes in ``loop``), and the others with where each must be read from.
        ``None`` when fewer than ``min_share`` of the strings are such (the trie shares the
        others' prefixes better)."""
        key = (first.tobytes(), loop.tobytes(), min_share)
        sig = self._signatures.get(key)
        if sig is None:
            bits = np.flatnonzero(loop).astype(np.uint64)
            lo = np.bitwise_or.reduce(np.left_shift(np.uint64(1), bits[bits < 64]), initial=np.uint64(0))
            hi = np.bitwise_or.reduce(np.left_shift(np.uint64(1), bits[bits >= 64] - np.uint64(64)), initial=np.uint64(0))
            opening = np.ones(256, bool)
            opening[:128] = first
            easy = self.utf8 & opening[self.first_byte] & ((self.later_bits[0] & ~lo) == 0) & ((self.later_bits[1] & ~hi) == 0)
            sig = False
            if easy.sum() >= min_share * len(easy):
                rest = np.flatnonzero(~easy)
                lens = self.lens[rest]
                data = self.data[rest, : int(lens.max()) if len(rest) else 1]
                keeps = np.ones((2, 256), bool)
                keeps[0, :128], keeps[1, :128] = first, loop
                keeps[:, 0] = False  # NUL never stays (it is the end sentinel): the padding after a string reads as its end
                ok = keeps[1][data]
                ok[:, 0] = keeps[0][data[:, 0]]
                first_bad = np.where(ok.all(axis=1), lens, ok.argmin(axis=1))
                begin = np.where(self.utf8[rest], first_bad, 0)  # before it, a well-formed string is still at the state or its step
                by_id = np.append(easy, False)[self.string_of]  # per token id (padded to whole words)
                sig = (np.packbits(by_id, bitorder="little").view(np.uint32), rest, data, lens, begin)
            if len(self._signatures) >= 64:
                self._signatures.clear()
            self._signatures[key] = sig
        return sig or None

    def walk_step(self, terms: Terms, start: int, after: int, sig: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`walk` from a :func:`char_step` state (``after``: where its first character
        leads): the signature's easy strings stay inside at once; the others are read byte by
        byte from their first ASCII byte the state does not take."""
        easy, rest, data, lens, begin = sig
        how, where = walk_rows(terms, np.where(begin > 0, after, start), data, lens, begin)
        out = easy.copy()
        ins = self.token_ids(rest[(how == _INSIDE) | (how == _EXACT)])
        np.bitwise_or.at(out, ins >> 5, np.left_shift(np.uint32(1), (ins & 31).astype(np.uint32)))
        cross = how == _CROSS
        return (out, *self.token_ids_at(rest[cross], where[cross]))

    def _looping(self, terms: Terms, nodes: np.ndarray, states: np.ndarray) -> np.ndarray:
        """Per (node, state): whether the state is a :func:`char_loop` state that every string
        under the node keeps (well-formed, ASCII bytes all looping)."""
        unknown = states[~terms.loop_known[states]]
        for t in np.unique(unknown).tolist():
            loop = char_loop(terms, t)
            if loop is not None:
                bits = np.flatnonzero(loop)
                terms.loop_words[t] = (sum(1 << int(b) for b in bits if b < 64), sum(1 << int(b - 64) for b in bits if b >= 64))
                terms.loop_has[t] = True
            terms.loop_known[t] = True
        has = terms.loop_has[states]
        if not has.any():
            return has
        words = terms.loop_words[states]
        return has & self.below_utf8[nodes] & ((self.below_bits[0][nodes] & ~words[:, 0]) == 0) & ((self.below_bits[1][nodes] & ~words[:, 1]) == 0)

    def _read_each(self, terms: Terms, nodes: np.ndarray, states: np.ndarray, inside: list, cross_s: list, cross_at: list) -> None:
        """The strings strictly under ``nodes`` (each node's state read so far), byte by byte."""
        rows: dict[int, list[int]] = {}
        ins, cs, ca = [], [], []
        for node, state in zip(nodes.tolist(), states.tolist(), strict=True):
            depth = int(self.depth[node])
            first = int(self.lo[node]) + (1 if self.exact[node] >= 0 else 0)
            for k in range(first, int(self.hi[node])):
                data = self.data[k, depth : self.lens[k]].tolist()
                s = state
                for i, b in enumerate(data):
                    row = rows.get(s)
                    if row is None:
                        row = rows[s] = terms.row(s).tolist()
                    s = row[b]
                    if s < 0:
                        break
                    if terms.final[s]:
                        if i == len(data) - 1:
                            ins.append(k)
                        else:
                            cs.append(k)
                            ca.append(depth + i + 1)
                        s = -1
                        break
                if s >= 0:
                    ins.append(k)
        inside.append(np.array(ins, np.int64))
        cross_s.append(np.array(cs, np.int64))
        cross_at.append(np.array(ca, np.int64))

    def walk_trie(self, terms: Terms, start: int, few: int = _FEW) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        nodes = self.first[0] + np.arange(self.count[0], dtype=np.int64)
        states = np.full(len(nodes), start, np.int64)
        inside: list[np.ndarray] = []
        cross_s: list[np.ndarray] = []
        cross_at: list[np.ndarray] = []
        while nodes.size:
            terms.ensure(states)
            nxt = terms.table[terms.slot[states], self.byte[nodes]]
            live = nxt >= 0
            nodes, states = nodes[live], nxt[live].astype(np.int64)
            if not nodes.size:
                break
            fin = terms.final[states]
            ex = self.exact[nodes]
            has = ex >= 0
            inside.append(ex[has])  # inside (not final) or exactly completed (final)
            done = nodes[fin]
            if done.size:  # completed here: every longer token under the node goes on past it
                lo = self.lo[done] + has[fin]
                hi = self.hi[done]
                keep = hi > lo
                lo, hi, d = lo[keep], hi[keep], self.depth[done][keep]
                if lo.size:
                    sizes = hi - lo
                    cross_s.append(_runs(lo, sizes))
                    cross_at.append(np.repeat(d, sizes))
            go = ~fin & (self.count[nodes] > 0)
            nodes, states = nodes[go], states[go]
            if not nodes.size:
                break
            whole = self._looping(terms, nodes, states)
            if whole.any():  # every string under these nodes stays inside: take them at once
                lo = self.lo[nodes[whole]] + (self.exact[nodes[whole]] >= 0)
                inside.append(_runs(lo, self.hi[nodes[whole]] - lo))
                nodes, states = nodes[~whole], states[~whole]
            under = int((self.hi[nodes] - self.lo[nodes]).sum())
            if under <= few:  # a few long strings left (runs of spaces, rules of dashes): read them one by one
                self._read_each(terms, nodes, states, inside, cross_s, cross_at)
                break
            cnt = self.count[nodes]
            states = np.repeat(states, cnt)
            nodes = _runs(self.first[nodes], cnt)
        ins = np.concatenate(inside) if inside else np.zeros(0, np.int64)
        cs = np.concatenate(cross_s) if cross_s else np.zeros(0, np.int64)
        ca = np.concatenate(cross_at) if cross_at else np.zeros(0, np.int64)
        return (self.token_ids(ins), *self.token_ids_at(cs, ca))


def pack_ids(ids: np.ndarray, words: int) -> np.ndarray:
    """Token ids as a packed mask: uint32 words, bit ``i % 32`` of word ``i // 32``."""
    bits = np.zeros(words * 32, dtype=np.uint8)
    bits[ids] = 1
    return np.packbits(bits, bitorder="little").view(np.uint32)


def _runs(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``starts[k], starts[k] + 1, …`` (``counts[k]`` numbers) for every k, concatenated."""
    total = int(counts.sum())
    return np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)


def _well_formed(data: bytes) -> bool:
    """Whether ``data`` is well-formed UTF-8, its last character possibly unfinished (by
    Unicode's table of well-formed sequences: no surrogates, overlong forms or bytes past U+10FFFF)."""
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.end != len(data):
            return False
        tail = data[exc.start :]  # an unfinished last character: a proper prefix of one shape
        return any(len(tail) < len(shape) and all(lo <= b <= hi for b, (lo, hi) in zip(tail, shape, strict=False)) for shape in _UTF8_SHAPES)


def walk_rows(terms: Terms, t: int | np.ndarray, data: np.ndarray, lens: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walk byte strings (rows of ``data``, ``lens`` long, from byte ``start`` on) from term
    ``t`` (one, or one per string), all at once. Returns per string how it leaves (0, _INSIDE, _EXACT, _CROSS) and, for
    _CROSS, the offset where the piece completed."""
    n = len(lens)
    how = np.zeros(n, np.int8)
    where = np.zeros(n, np.int64)
    st = np.broadcast_to(np.asarray(t, np.int64), (n,)).copy()
    pos = start.astype(np.int64, copy=True)
    act = np.flatnonzero(pos < lens)
    while act.size:
        terms.ensure(st[act])
        nxt = terms.table[terms.slot[st[act]], data[act, pos[act]]]
        pos[act] += 1
        live = nxt >= 0
        act, nxt = act[live], nxt[live]
        st[act] = nxt
        fin = terms.final[nxt]
        ended = pos[act] == lens[act]
        done = act[fin]
        how[done] = np.where(ended[fin], _EXACT, _CROSS)
        where[done] = pos[done]
        how[act[~fin & ended]] = _INSIDE
        act = act[~fin & ~ended]
    return how, where


_TRIES: dict[str, TokenTrie] = {}


def token_trie(vocab: TokenVocabulary) -> TokenTrie:
    """The vocabulary's trie, built once per process and vocabulary."""
    key = vocab.fingerprint()
    trie = _TRIES.get(key)
    if trie is None:
        if len(_TRIES) >= 4:
            _TRIES.clear()
        trie = _TRIES[key] = TokenTrie(vocab)
    return trie


# -- a shortcut for states that take any character but a few ASCII ones ---------------------------
# Every well-formed UTF-8 sequence of a non-ASCII character, as byte ranges (Unicode Table 3-7).
_UTF8_SHAPES = (
    ((0xC2, 0xDF), (0x80, 0xBF)),
    ((0xE0, 0xE0), (0xA0, 0xBF), (0x80, 0xBF)),
    ((0xE1, 0xEC), (0x80, 0xBF), (0x80, 0xBF)),
    ((0xED, 0xED), (0x80, 0x9F), (0x80, 0xBF)),
    ((0xEE, 0xEF), (0x80, 0xBF), (0x80, 0xBF)),
    ((0xF0, 0xF0), (0x90, 0xBF), (0x80, 0xBF), (0x80, 0xBF)),
    ((0xF1, 0xF3), (0x80, 0xBF), (0x80, 0xBF), (0x80, 0xBF)),
    ((0xF4, 0xF4), (0x80, 0x8F), (0x80, 0xBF), (0x80, 0xBF)),
)


def char_step(terms: Terms, t: int) -> tuple[int, np.ndarray, np.ndarray] | None:
    """``(u, first, loop)`` when every non-ASCII character leads from ``t`` to one state ``u``
    (no completion or dead end inside it) that :func:`char_loop` holds, ``first`` the ASCII
    bytes leading from ``t`` to ``u`` and ``loop`` ``u``'s; else ``None``. From such a state a
    token of well-formed UTF-8 (its last character possibly unfinished) whose first byte is in
    ``first`` or not ASCII, and whose later ASCII bytes are in ``loop``, stays inside the piece."""
    u = _one_step(terms, t)
    if u is None:
        return None
    loop = char_loop(terms, u)
    return None if loop is None else (u, terms.row(t)[:128] == u, loop)


def char_loop(terms: Terms, t: int) -> np.ndarray | None:
    """The ASCII bytes that lead from ``t`` back to ``t`` (a bool[128]), when every non-ASCII
    character does too with no completion or dead end inside it; else ``None``."""
    return terms.row(t)[:128] == t if _one_step(terms, t) == t else None


def _one_step(terms: Terms, t: int) -> int | None:
    """The state every non-ASCII character leads ``t`` to, with no completion or dead end
    inside a character, if there is one such state (and it is no completion)."""
    if terms.final[t]:
        return None
    to = None
    for shape in _UTF8_SHAPES:
        states = {t}
        for k, (lo, hi) in enumerate(shape):
            nxt: set[int] = set()
            for s in states:
                r = terms.row(s)[lo : hi + 1]
                if (r < 0).any():
                    return None
                nxt.update(np.unique(r).tolist())
            if k < len(shape) - 1 and any(terms.final[x] for x in nxt):
                return None
            states = nxt
        if len(states) != 1 or (to is not None and states != {to}):
            return None
        to = states.pop()
    return None if to is None or terms.final[to] else to
