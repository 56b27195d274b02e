"""The vocabulary as a token trie in flat arrays, and walks of it from an automaton state.

Tokens are sorted by their bytes, so a trie node (a prefix) is a contiguous run of the sorted
tokens; its children are a contiguous run of the next level's nodes. A walk from a state of a
byte automaton goes down the trie level by level, all nodes of a level at once (numpy), and
stops under a node as soon as the automaton rejects its byte or completes: it visits only the
prefixes the automaton still accepts, never the whole vocabulary per state. A state that takes
every character but a few ASCII ones (free text, a JSON string's inside) is read faster still:
two bit tests per token say which tokens hold only characters it takes, and only the others are
read, from their first excluded byte (:func:`char_loop`). The trie is built
once per vocabulary (kept per process); EOS is the end sentinel byte, and tokens that never
stand for text (special, empty, holding NUL) are left out.
"""

from __future__ import annotations

import codecs

import numpy as np

from ltlagent.compiler.derivatives import Terms
from ltlagent.decoders.regex import EOS_SENTINEL
from ltlagent.decoders.vocab import TokenVocabulary

_INSIDE, _EXACT, _CROSS = 1, 2, 3  # how a token leaves a piece state (0: not allowed)


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
        n = len(strings)
        self.lens = np.fromiter((len(s) for s in strings), np.int64, n)
        ids = [texts[s] for s in strings]
        self.id_ptr = np.zeros(n + 1, np.int64)
        self.id_ptr[1:] = np.cumsum([len(x) for x in ids])
        self.ids = np.fromiter((i for x in ids for i in x), np.int64, int(self.id_ptr[-1]))
        self.one_id = bool(n == len(self.ids))
        self.first_id = self.ids[self.id_ptr[:-1]]  # the one id of most strings
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
        lo_bits = np.zeros(n, np.uint64)
        hi_bits = np.zeros(n, np.uint64)
        for j in range(width):
            col = data[:, j].astype(np.uint64)
            used = (self.lens > j) & (col < 128)
            lo_bits |= np.where(used & (col < 64), np.left_shift(np.uint64(1), col % np.uint64(64)), np.uint64(0))
            hi_bits |= np.where(used & (col >= 64), np.left_shift(np.uint64(1), col % np.uint64(64)), np.uint64(0))
        self.ascii_bits = (lo_bits, hi_bits)
        self.utf8 = np.fromiter((_well_formed(s) for s in strings), bool, n)

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
        """Every token read from term ``start``: the ids that stay inside the piece or end it
        exactly, and the ids that complete it and go on, with the offset where it completed."""
        loop = char_loop(terms, start)
        if loop is not None:
            easy = self.easy(loop)
            if 3 * int(easy.sum()) >= 2 * len(easy):  # else most strings need reading anyway: the trie shares their prefixes
                return self.walk_loop(terms, start, easy, loop)
        return self.walk_trie(terms, start)

    def easy(self, loop: np.ndarray) -> np.ndarray:
        """Per string: whether it is made of the ASCII bytes ``loop`` allows and well-formed UTF-8."""
        bits = np.flatnonzero(loop).astype(np.uint64)
        lo = np.bitwise_or.reduce(np.left_shift(np.uint64(1), bits[bits < 64]), initial=np.uint64(0))
        hi = np.bitwise_or.reduce(np.left_shift(np.uint64(1), bits[bits >= 64] - np.uint64(64)), initial=np.uint64(0))
        return self.utf8 & ((self.ascii_bits[0] & ~lo) == 0) & ((self.ascii_bits[1] & ~hi) == 0)

    def walk_loop(self, terms: Terms, start: int, easy: np.ndarray, loop: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`walk` from a :func:`char_loop` state: the ``easy`` strings stay inside at once;
        the others are read byte by byte from their first ASCII byte outside ``loop`` (before it,
        a well-formed string is still at ``start``)."""
        rest = np.flatnonzero(~easy)
        data, lens = self.data[rest], self.lens[rest]
        keeps = np.ones(256, bool)
        keeps[:128] = loop
        ok = keeps[data] | (np.arange(data.shape[1]) >= lens[:, None])
        first_bad = np.where(ok.all(axis=1), lens, ok.argmin(axis=1))
        begin = np.where(self.utf8[rest], first_bad, 0)
        how, where = walk_rows(terms, start, data, lens, begin)
        inside = np.concatenate([np.flatnonzero(easy), rest[(how == _INSIDE) | (how == _EXACT)]])
        cross = how == _CROSS
        return (self.token_ids(inside), *self.token_ids_at(rest[cross], where[cross]))

    def walk_trie(self, terms: Terms, start: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
            cnt = self.count[nodes]
            states = np.repeat(states, cnt)
            nodes = _runs(self.first[nodes], cnt)
        ins = np.concatenate(inside) if inside else np.zeros(0, np.int64)
        cs = np.concatenate(cross_s) if cross_s else np.zeros(0, np.int64)
        ca = np.concatenate(cross_at) if cross_at else np.zeros(0, np.int64)
        return (self.token_ids(ins), *self.token_ids_at(cs, ca))


def _runs(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``starts[k], starts[k] + 1, …`` (``counts[k]`` numbers) for every k, concatenated."""
    total = int(counts.sum())
    return np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)


def _well_formed(data: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def walk_rows(terms: Terms, t: int, data: np.ndarray, lens: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walk byte strings (rows of ``data``, ``lens`` long, from byte ``start`` on) from term
    ``t``, all at once. Returns per string how it leaves (0, _INSIDE, _EXACT, _CROSS) and, for
    _CROSS, the offset where the piece completed."""
    n = len(lens)
    how = np.zeros(n, np.int8)
    where = np.zeros(n, np.int64)
    st = np.full(n, t, np.int64)
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


def char_loop(terms: Terms, t: int) -> np.ndarray | None:
    """The ASCII bytes that lead from ``t`` back to ``t`` (a bool[128]), when every non-ASCII
    character does too with no completion or dead end inside it; else ``None``. From such a
    state a token made of those ASCII bytes and well-formed UTF-8 (its last character possibly
    unfinished) stays inside the piece, whatever else it holds."""
    if terms.final[t]:
        return None
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
        if states != {t}:
            return None
    return terms.row(t)[:128] == t
