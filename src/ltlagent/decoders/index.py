"""``build_token_index``: a compiled spec × a tokenizer → per-state token masks.

For every automaton state where the model starts writing, the segment language
(``decoders.regex.segment_regex``) is compiled against the vocabulary with outlines-core.
Every index state gets a **packed bitmask** (uint32 words) computed once, so a decode step
is a table lookup and a masked fill. EOS ids are mapped to the segment's end-of-trace
sentinel, so EOS is allowed exactly where the spec accepts. For the budgets, each state
also gets the fewest steps left to finish the trace from it (steps ended inside the segment
plus the steps after it), a *steer* mask (tokens that keep that number: the model still
chooses its words, but takes the shortest way in steps) and a *forced* mask (tokens on a
shortest way in tokens along it), with the distance in tokens.

Indexes are cached on disk (``$XDG_CACHE_HOME/ltlagent``) by spec × vocabulary fingerprint,
as ``.npz`` files of plain arrays and outlines-core's own binary form: loading one runs no
code (no pickle), and an entry is used only if the fingerprints and segment starts recorded
inside it are this spec's and this vocabulary's.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import os
import io
import sys
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ltlagent.compiler.automaton import DEAD
from ltlagent.compiler.compiled import CompiledSpec
from ltlagent.compiler.spec import Source
from ltlagent.decoders.regex import EOS_SENTINEL, DecoderError, segment_regex, segment_starts
from ltlagent.decoders.vocab import TokenVocabulary

CACHE_VERSION = 6
RUNNING, SEGMENT_END = 0, 1  # a segment ends after EOS (trace over) or an environment tag
NO_STATE = -1
FREE, STEER, FORCED = 0, 1, 2  # which mask table a guide reads (see SpecGuide.mask_mode)


@dataclass
class Segment:
    """One outlines-core index: what the model may write from automaton state ``start``."""

    start: int
    regex: str
    index: Any  # outlines_core.Index
    offset: int  # global id of local state 0
    local: dict[int, int]  # outlines state id -> local number

    @property
    def initial(self) -> int:
        return self.offset + self.local[self.index.get_initial_state()]


@dataclass
class TokenIndex:
    """Immutable token constraints for one spec and one vocabulary (see module doc)."""

    compiled: CompiledSpec
    vocab: TokenVocabulary
    segments: dict[int, Segment]
    masks: np.ndarray  # uint32 [states, words]: allowed tokens, packed little-endian by bit
    steer: np.ndarray  # uint32 [states, words]: allowed tokens that keep the fewest steps left
    forced: np.ndarray  # uint32 [states, words]: steer tokens on a shortest way (in tokens) to the segment's end
    dist: np.ndarray  # int64 [states]: fewest tokens to the segment's best end (see _forced_distances)
    worst: np.ndarray  # int64 [states]: the largest ``dist`` any allowed token leads to
    kind: np.ndarray  # int8 [states]: RUNNING, or SEGMENT_END (after EOS, or after an environment tag)
    segment_of: np.ndarray  # int32 [states]: the automaton state the segment started from
    orig: np.ndarray  # int64 [states]: outlines-core's id of the state
    steps_lookahead: np.ndarray  # int64 [automaton states]: max over the next two letters of letters taken + fewest left
    build_seconds: float = 0.0
    from_cache: bool = False

    @property
    def vocab_size(self) -> int:
        return self.vocab.size

    @property
    def eos_ids(self) -> tuple[int, ...]:
        return self.vocab.eos_ids

    @property
    def num_states(self) -> int:
        return int(self.masks.shape[0])

    def initial_state(self, automaton_state: int) -> int:
        """The index state where the model starts writing from ``automaton_state``."""
        seg = self.segments.get(automaton_state)
        return NO_STATE if seg is None else seg.initial

    def next_state(self, state: int, token_id: int) -> int:
        """The state after ``token_id``, or ``NO_STATE`` if the token is not allowed."""
        if state < 0 or self.kind[state] != RUNNING:
            return NO_STATE
        seg = self.segments[int(self.segment_of[state])]
        nxt = seg.index.get_next_state(int(self.orig[state]), int(token_id))
        return NO_STATE if nxt is None else seg.offset + seg.local[nxt]

    def table(self, mode: int = FREE) -> np.ndarray:
        """The packed table for a mask mode: ``FREE`` (masks), ``STEER`` or ``FORCED``."""
        return (self.masks, self.steer, self.forced)[mode]

    def allowed_ids(self, state: int, *, mode: int = FREE) -> np.ndarray:
        """Allowed token ids at ``state`` (unpacked; for tests and tools, not the hot path)."""
        row = self.table(mode)[state]
        bits = np.unpackbits(row.view(np.uint8), bitorder="little")[: self.vocab_size]
        return np.flatnonzero(bits)

    def bool_table(self, mode: int = FREE) -> np.ndarray:
        """A table unpacked to booleans ``[states, vocab_size]`` (what ``decoders.hf`` puts on the device)."""
        packed = self.table(mode)
        bits = np.unpackbits(packed.view(np.uint8), axis=1, bitorder="little")[:, : self.vocab_size]
        return bits.astype(bool)


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


_ARRAYS = ("masks", "steer", "forced", "dist", "worst", "kind", "segment_of", "orig", "steps_lookahead")


def _save_index(path: Path, index: TokenIndex, key: tuple[str, str]) -> None:
    distinct = list({id(s): s for s in index.segments.values()}.values())
    meta = {
        "version": CACHE_VERSION,
        "spec": key[0],
        "vocabulary": key[1],
        "segments": [
            {"regex": s.regex, "offset": s.offset, "starts": sorted(q for q, t in index.segments.items() if t is s)} for s in distinct
        ],
    }
    arrays: dict[str, np.ndarray] = {name: getattr(index, name) for name in _ARRAYS}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    for n, s in enumerate(distinct):
        arrays[f"index{n}"] = np.frombuffer(s.index.__reduce__()[1][0], dtype=np.uint8)
        arrays[f"local{n}"] = np.array(sorted(s.local.items()), dtype=np.int64).reshape(-1, 2)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    _write_atomically(path, buf.getvalue())


def _load_index(path: Path, compiled: CompiledSpec, vocab: TokenVocabulary, key: tuple[str, str]) -> TokenIndex | None:
    """The cached index at ``path`` if it is intact and belongs to this spec × vocabulary
    (``None``: rebuild). Plain arrays only (``allow_pickle=False``)."""
    from outlines_core import Index

    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            if (meta["version"], meta["spec"], meta["vocabulary"]) != (CACHE_VERSION, *key):
                return None
            fields = {name: data[name] for name in _ARRAYS}
            segments: dict[int, Segment] = {}
            for n, s in enumerate(meta["segments"]):
                local = {int(a): int(b) for a, b in data[f"local{n}"]}
                seg = Segment(start=s["starts"][0], regex=s["regex"], index=Index.from_binary(bytes(data[f"index{n}"])), offset=s["offset"], local=local)
                segments.update({int(q): seg for q in s["starts"]})
    except Exception:  # noqa: BLE001 - a truncated, stale or foreign entry is rebuilt
        return None
    words = (vocab.size + 31) // 32
    states = fields["masks"].shape[0]
    expected = {q for q in segment_starts(compiled) if _model_speaks(compiled, q)}
    if (
        set(segments) - expected
        or any(fields[n].shape != (states, words) for n in ("masks", "steer", "forced"))
        or fields["steps_lookahead"].shape[0] != compiled.dfa.num_states
    ):
        return None
    return TokenIndex(compiled=compiled, vocab=vocab, segments=segments, from_cache=True, **fields)


def _outlines_vocabulary(vocab: TokenVocabulary) -> Any:
    """outlines-core's Vocabulary for ``vocab``, built once per tokenizer (memory and disk)."""
    key = vocab.fingerprint()
    if key in _VOCABULARIES:
        return _VOCABULARIES[key]
    from outlines_core import Vocabulary

    path = cache_dir() / f"vocabulary-v{CACHE_VERSION}-{key}.bin"
    header = f"ltlagent vocabulary {key}\n".encode()  # a file planted for another vocabulary is not used
    if path.is_file():
        try:
            data = path.read_bytes()
            if data.startswith(header):
                _VOCABULARIES[key] = Vocabulary.from_binary(data[len(header):])
                return _VOCABULARIES[key]
        except Exception:  # noqa: BLE001 - rebuilt below
            pass
    data = _make_outlines_vocabulary(vocab).__reduce__()[1][0]
    # Measured: an outlines-core Vocabulary rebuilt from its binary form makes Index builds ~4x
    # faster than the freshly built one (0.18 s vs 0.75 s for ReAct at 151k tokens).
    _VOCABULARIES[key] = Vocabulary.from_binary(data)
    _write_atomically(path, header + data)
    return _VOCABULARIES[key]


_VOCABULARIES: dict[str, Any] = {}


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _make_outlines_vocabulary(vocab: TokenVocabulary) -> Any:
    from outlines_core import Vocabulary

    table: dict[bytes, list[int]] = {}
    for token_id, data in enumerate(vocab.tokens):
        if data is None or not data or b"\x00" in data:
            continue  # special tokens never match content; NUL is the end-of-trace sentinel
        table.setdefault(data, []).append(token_id)
    table[EOS_SENTINEL.encode()] = list(vocab.eos_ids)
    return Vocabulary(vocab.size, table)  # a dummy EOS id past the end: ours is the sentinel


def _build(compiled: CompiledSpec, vocab: TokenVocabulary, progress: bool) -> TokenIndex:
    from outlines_core import Index

    ovocab = _outlines_vocabulary(vocab)
    words = (vocab.size + 31) // 32
    segments: dict[int, Segment] = {}
    by_regex: dict[str, Segment] = {}
    rows: list[np.ndarray] = []
    steer_rows: list[np.ndarray] = []
    forced_rows: list[np.ndarray] = []
    dists: list[int] = []
    worst: list[int] = []
    kinds: list[int] = []
    segment_of: list[int] = []
    orig: list[int] = []
    starts = [q for q in segment_starts(compiled) if _model_speaks(compiled, q)]
    letters_left = _letters_left(compiled)
    step_ends = _step_ends(compiled, vocab)
    regexes = {q: segment_regex(compiled, q) for q in starts}
    distinct = list(dict.fromkeys(r for r in regexes.values() if r is not None))

    def make(regex: str) -> Any:
        try:
            return Index(regex, ovocab)  # outlines-core releases the GIL: segments build in parallel
        except Exception as exc:  # outlines-core reports regex and size problems as plain exceptions
            return DecoderError(f"outlines-core could not index a segment of spec {compiled.name!r}: {exc}")

    t_all = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, min(len(distinct), os.cpu_count() or 1))) as pool:
        built = dict(zip(distinct, pool.map(make, distinct), strict=True))
    if progress:
        print(f"  {len(distinct)} segment indexes built by outlines-core in {time.perf_counter() - t_all:.2f} s", file=sys.stderr)
    for n, q in enumerate(starts, start=1):
        regex = regexes[q]
        if regex is None:
            continue
        if regex in by_regex:
            segments[q] = by_regex[regex]
            continue
        t0 = time.perf_counter()
        index = built[regex]
        if isinstance(index, DecoderError):
            raise index
        transitions: dict[int, dict[int, int]] = index.get_transitions()
        states = sorted(set(transitions) | set(index.get_final_states()) | {index.get_initial_state()})
        local = {s: i for i, s in enumerate(states)}
        seg = Segment(start=q, regex=regex, index=index, offset=len(dists), local=local)
        segments[q] = by_regex[regex] = seg
        finals = set(index.get_final_states())
        size = vocab.size
        arrays: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # state -> (tokens, next states), EOS dummy dropped
        for s, moves in transitions.items():
            toks = np.fromiter(moves.keys(), dtype=np.int64, count=len(moves))
            nxt = np.fromiter(moves.values(), dtype=np.int64, count=len(moves))
            keep = toks < size
            arrays[s] = (toks[keep], nxt[keep])
        del transitions
        exit_cost = _exit_costs(compiled, q, index, arrays, finals, vocab, letters_left)
        cost, dist = _forced_distances(states, arrays, finals, exit_cost, step_ends)
        lut = np.full(max(states) + 1, -1, dtype=np.int64)
        lut[states] = np.arange(len(states))
        dist_of = np.array([dist[x] for x in states], dtype=np.int64)
        cost_of = np.array([cost[x] for x in states], dtype=np.int64)
        final_of = np.array([x in finals for x in states], dtype=bool)
        empty = np.zeros(0, dtype=np.int64)
        for s in states:
            toks, nxt_orig = arrays.get(s, (empty, empty))
            nxt = lut[nxt_orig]
            rows.append(_pack(toks, words))
            ends = final_of[nxt]
            keeps = ~ends & (step_ends[toks] + cost_of[nxt] == cost[s])
            for i in np.flatnonzero(ends):
                keeps[i] = step_ends[toks[i]] + exit_cost.get((s, int(toks[i])), _NEVER) == cost[s]
            steer_rows.append(_pack(toks[keeps], words))
            best = keeps & (ends | (dist_of[nxt] == dist[s] - 1))
            if dist[s] != 1:
                best &= ~ends
            forced_rows.append(_pack(toks[best], words))
            dists.append(dist[s])
            inner = dist_of[nxt[~ends]]
            worst.append(int(inner.max()) if inner.size else 0)
            kinds.append(SEGMENT_END if index.is_final_state(s) else RUNNING)
            segment_of.append(q)
            orig.append(s)
        if progress:
            print(f"  segment {n}/{len(starts)} (automaton state {q}): {len(states)} index states in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    if not rows:
        raise DecoderError(f"spec {compiled.name!r} has no state where the model writes")
    return TokenIndex(
        compiled=compiled,
        vocab=vocab,
        segments=segments,
        masks=np.stack(rows),
        steer=np.stack(steer_rows),
        forced=np.stack(forced_rows),
        dist=np.array(dists, dtype=np.int64),
        worst=np.array(worst, dtype=np.int64),
        kind=np.array(kinds, dtype=np.int8),
        segment_of=np.array(segment_of, dtype=np.int32),
        orig=np.array(orig, dtype=np.int64),
        steps_lookahead=_steps_lookahead(compiled, letters_left),
    )


def _model_speaks(compiled: CompiledSpec, q: int) -> bool:
    """Whether the model writes from ``q``: a step of its own, or — where the trace may end
    here but the environment could go on — the choice between ending (EOS) and the
    environment's tag. Without that choice a spec whose environment may talk forever would
    never let the run end."""
    allowed = compiled.allowed_letters(q)
    return any(x.source == Source.MODEL for x in allowed) or (q in compiled.dfa.accepting and bool(allowed))


def _pack(ids: np.ndarray, words: int) -> np.ndarray:
    bits = np.zeros(words * 32, dtype=np.uint8)
    bits[ids] = 1
    return np.packbits(bits, bitorder="little").view(np.uint32)


_NEVER = 1 << 30


def _letters_left(compiled: CompiledSpec) -> list[int]:
    """Fewest steps from each automaton state to acceptance."""
    out = []
    for q in range(compiled.dfa.num_states):
        path = compiled.dfa.shortest_accepted(q)
        out.append(_NEVER if path is None else len(path))
    return out


def _steps_lookahead(compiled: CompiledSpec, letters_left: list[int]) -> np.ndarray:
    """Per automaton state: the most steps the next two letters plus the fewest steps after
    them can take (the step budget's lookahead; one token may end a step and begin the next)."""
    dfa = compiled.dfa
    out = []
    for q in range(dfa.num_states):
        worst = letters_left[q]
        for d1 in {d for d in dfa.delta[q] if d != DEAD}:
            worst = max(worst, 1 + letters_left[d1])
            for d2 in {d for d in dfa.delta[d1] if d != DEAD}:
                worst = max(worst, 2 + letters_left[d2])
        out.append(worst)
    return np.array(out, dtype=np.int64)


def _exit_costs(compiled, q0, index, arrays, finals, vocab, letters_left) -> dict[tuple[int, int], int]:  # type: ignore[no-untyped-def]
    """For each token that ends the segment, how many steps the trace still needs after it:
    0 for EOS; for an environment tag, 1 + the most steps left after any answer to it.
    Read from a representative text of the state before the token (exact unless the index
    merged states with different pasts, which only affects which way budget forcing picks)."""
    parent: dict[int, tuple[int, int] | None] = {index.get_initial_state(): None}
    order = deque([index.get_initial_state()])
    while order:
        s = order.popleft()
        if s not in arrays:
            continue
        toks, nxt = arrays[s]
        targets, first = np.unique(nxt, return_index=True)
        for d, t in zip(targets.tolist(), toks[first].tolist(), strict=True):
            if d not in parent:
                parent[d] = (s, t)
                order.append(d)

    def text(s: int) -> bytes:
        out = []
        while parent.get(s) is not None:
            s, t = parent[s]  # type: ignore[misc]
            out.append(vocab.tokens[t] or b"")
        return b"".join(reversed(out))

    env_steps = sorted((x for x in compiled.steps if x.source != Source.MODEL), key=lambda x: -len(x.tag))
    eos = set(vocab.eos_ids)
    costs: dict[tuple[int, int], int] = {}
    final_list = np.array(sorted(finals), dtype=np.int64)
    for s, (toks, nxt) in arrays.items():
        into = np.isin(nxt, final_list)
        if not into.any():
            continue
        for t in toks[into].tolist():
            if t in eos:
                costs[(s, t)] = 0
                continue
            written = (text(s) + (vocab.tokens[t] or b"")).decode("utf-8", errors="replace")
            step = next((x for x in env_steps if written.endswith(x.tag)), None)
            state = DEAD if step is None else compiled.run_text(written[: len(written) - len(step.tag)], q0)
            if state == DEAD:
                costs[(s, t)] = _NEVER - 1
                continue
            after = [compiled.dfa.delta[state][x.index] for x in compiled.letters if x.step == step.name]
            live = [letters_left[a] for a in after if a != DEAD]
            costs[(s, t)] = 1 + max(live) if live else _NEVER - 1
    return costs


def _step_ends(compiled: CompiledSpec, vocab: TokenVocabulary) -> np.ndarray:
    """Per token: how many step terminators its text holds (the steps it ends)."""
    terminators = sorted({s.terminator.encode("utf-8") for s in compiled.steps if s.terminator})
    out = np.zeros(vocab.size, dtype=np.int64)
    for t, data in enumerate(vocab.tokens):
        if data:
            out[t] = sum(data.count(x) for x in terminators)
    return out


def _forced_distances(states, arrays, finals, exit_cost, step_ends) -> tuple[dict[int, int], dict[int, int]]:  # type: ignore[no-untyped-def]
    """Per state: the fewest steps left to finish the trace (steps ended by the tokens still
    to come in this segment, plus the exit's cost), and the fewest tokens to an exit along
    a way that keeps that number."""
    back: dict[int, dict[int, int]] = {}  # next state -> {state: fewest step ends on a token between them}
    for s, (toks, nxt) in arrays.items():
        if s in finals or not len(toks):
            continue
        order = np.argsort(nxt, kind="stable")
        targets, first = np.unique(nxt[order], return_index=True)
        least = np.minimum.reduceat(step_ends[toks[order]], first)
        for d, w in zip(targets.tolist(), least.tolist(), strict=True):
            back.setdefault(d, {})[s] = w
    cost = {s: _NEVER for s in states}
    heap: list[tuple[int, int]] = []
    for (s, t), c in exit_cost.items():
        c = c + int(step_ends[t])
        if c < cost[s]:
            cost[s] = c
            heapq.heappush(heap, (c, s))
    while heap:  # Dijkstra backwards from the exits; edge weights are the steps a token ends
        c, d = heapq.heappop(heap)
        if c != cost[d]:
            continue
        for p, w in back.get(d, {}).items():
            if p not in finals and c + w < cost[p]:
                cost[p] = c + w
                heapq.heappush(heap, (c + w, p))
    dist = {s: _NEVER for s in states}
    for f in finals:
        dist[f] = 0
    todo = deque()
    for (s, t), c in exit_cost.items():
        if c + int(step_ends[t]) == cost[s] and dist[s] > 1:
            dist[s] = 1
            todo.append(s)
    while todo:
        d = todo.popleft()
        for s, w in back.get(d, {}).items():
            if d in finals or w + cost[d] != cost[s] or dist[s] <= dist[d] + 1:
                continue
            dist[s] = dist[d] + 1
            todo.append(s)
    return cost, dist
