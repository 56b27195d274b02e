"""The vocabulary as a token trie in flat arrays, and walks of it from an automaton state.

Tokens are sorted by their bytes, so a trie node (a prefix) is a contiguous run of the sorted
tokens; its children are a contiguous run of the next level's nodes. A walk from a state of a
byte automaton goes down the trie level by level, all nodes of a level at once (numpy), and
stops under a node as soon as the automaton rejects its byte or completes: it visits only the
prefixes the automaton still accepts, never the whole vocabulary per state. The trie is built
once per vocabulary (kept per process); EOS is the end sentinel byte, and tokens that never
stand for text (special, empty, holding NUL) are left out.
"""

from __future__ import annotations

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

    def by_bytes(self) -> dict[bytes, list[int]]:
        """Token ids by their bytes (EOS as the end sentinel)."""
        if self._by_bytes is None:
            self._by_bytes = {self.data[k, : self.lens[k]].tobytes(): self.ids[self.id_ptr[k] : self.id_ptr[k + 1]].tolist() for k in range(len(self.lens))}
        return self._by_bytes

    def token_ids(self, strings: np.ndarray) -> np.ndarray:
        """The token ids of sorted-string indices."""
        if self.one_id:
            return self.ids[strings]
        counts = self.id_ptr[strings + 1] - self.id_ptr[strings]
        return self.ids[_runs(self.id_ptr[strings], counts)]

    def walk(self, terms: Terms, start: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every token read from term ``start``: the ids that stay inside the piece or end it
        exactly, and the ids that complete it and go on, with the offset where it completed."""
        nodes = self.first[0] + np.arange(self.count[0], dtype=np.int64)
        states = np.full(len(nodes), start, np.int64)
        inside: list[np.ndarray] = []
        cross_s: list[np.ndarray] = []
        cross_at: list[np.ndarray] = []
        while nodes.size:
            terms.ensure(states)
            table = terms.table
            nxt = table[states, self.byte[nodes]]
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
        if not self.one_id:
            cnt = self.id_ptr[cs + 1] - self.id_ptr[cs]
            ca = np.repeat(ca, cnt)
        return self.token_ids(ins), self.token_ids(cs), ca


def _runs(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``starts[k], starts[k] + 1, …`` (``counts[k]`` numbers) for every k, concatenated."""
    total = int(counts.sum())
    return np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)


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
