"""How ltlagent reads a regular expression — one meaning for the checker and the decoder.

Spec patterns use Python's syntax (parsed by ``re``'s own parser) and are read as
**full matches** with **ASCII classes**: ``\\d`` is ``[0-9]``, ``\\w`` is ``[0-9A-Za-z_]``,
``\\s`` is ``[ \\t\\n\\r\\f\\v]``, ``.`` is any character but ``\\n`` (``(?s)``: any).
Everything that is not a regular language, or whose meaning differs between engines, is
rejected when the spec loads: look-around, back-references, ``\\b``, atomic groups and
possessive repeats, case-insensitive flags, and anchors anywhere but at the ends.

* :func:`parse` turns a pattern into a small tree (:data:`Node`) or raises
  :class:`RegexError` with the offset of the problem.
* :func:`canonical` writes the tree back in the subset every engine here reads alike
  (Python ``re``, greenery, interegular and outlines-core's Rust regex): explicit
  character classes with ``\\xNN`` escapes, ``(?:...)`` groups and ``{m,n}`` repeats.
  The decoder builds its automata from this text.
* :func:`fullmatch` decides a match by derivatives over the text's UTF-8 bytes
  (:mod:`ltlagent.compiler.derivatives`, the decoder's own reading): linear in the text,
  whatever the pattern (no backtracking, no repeat written out, so no pattern can make
  ``check`` hang).
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from ltlagent.compiler import derivatives
from ltlagent.errors import RegexError

try:  # Python 3.11+: the parser ``re`` itself uses
    import re._constants as _c
    import re._parser as _p
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

MAX_CHAR = 0x10FFFF
_MAX_NFA_POSITIONS = 50_000  # past this, satisfiable() answers True (not proven empty) rather than write repeats out
_SURROGATES = (0xD800, 0xDFFF)

# A node: ("set", ((lo, hi), ...)) one character of a set of ranges; ("cat", (nodes)) a
# sequence (empty: the empty string); ("alt", (nodes)); ("rep", node, lo, hi) with hi None
# for unbounded; ("none",) the empty language.
Node = tuple
EPSILON: Node = ("cat", ())
NOTHING: Node = ("none",)

_DIGIT = ((48, 57),)
_SPACE = ((9, 13), (32, 32))
_WORD = ((48, 57), (65, 90), (95, 95), (97, 122))
ALL = ((0, MAX_CHAR),)


# -- character sets as sorted, disjoint, non-adjacent ranges ----------------------------------
def _norm(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    out: list[list[int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return tuple((a, b) for a, b in out)


def _complement(ranges: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    out, nxt = [], 0
    for lo, hi in ranges:
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = hi + 1
    if nxt <= MAX_CHAR:
        out.append((nxt, MAX_CHAR))
    return tuple(out)


_CATEGORIES = {
    _c.CATEGORY_DIGIT: _DIGIT,
    _c.CATEGORY_NOT_DIGIT: _complement(_DIGIT),
    _c.CATEGORY_SPACE: _SPACE,
    _c.CATEGORY_NOT_SPACE: _complement(_SPACE),
    _c.CATEGORY_WORD: _WORD,
    _c.CATEGORY_NOT_WORD: _complement(_WORD),
}


# -- parsing ----------------------------------------------------------------------------------
_MARKERS = {  # text that locates a rejected construct, for the error's column
    "look-around": ("(?=", "(?!", "(?<=", "(?<!"),
    "back-reference": ("(?P=", "\\1", "\\2", "\\3", "\\4", "\\5", "\\6", "\\7", "\\8", "\\9", "(?("),
    "word boundary": ("\\b", "\\B"),
    "atomic group": ("(?>",),
    "possessive repeat": ("*+", "++", "?+", "}+"),
    "case-insensitive flag": ("(?i", "(?ai", "(?ui", "(?-"),
}
_HINTS = {
    "look-around": "Look-around is not a regular-language feature the decoder can enforce token by token; "
    "say the same with classes and alternatives, or with a separate proposition.",
    "back-reference": "A back-reference makes the language non-regular; spell out the alternatives.",
    "word boundary": "Write the boundary as a class, e.g. '[^A-Za-z0-9_]' next to the word.",
    "atomic group": "Use a plain group '(?:...)': the language is then the same for every engine.",
    "possessive repeat": "Use a plain repeat ('*', '+', '?').",
    "case-insensitive flag": "Write both cases out, e.g. '[Tt]rue'.",
    "anchor": "Patterns always match the whole text: drop '^' and '$', or put them only at the very start and end.",
}


def _unsupported(kind: str, pattern: str) -> RegexError:
    pos = min((i for i in (pattern.find(m) for m in _MARKERS.get(kind, ())) if i >= 0), default=0)
    return RegexError(f"{kind} is not supported in spec patterns", pos, _HINTS.get(kind, ""))


def parse(pattern: str, *, search: bool = False) -> Node:
    """The tree of ``pattern`` read as a full match (``search``: as ``re.search``, the way
    JSON Schema reads ``pattern``). Raises :class:`RegexError`. Kept per pattern, and a
    pattern this module wrote (:func:`canonical`, :func:`canonical_without`) is not read again."""
    if not search:
        node = _WRITTEN.get(pattern)
        if node is not None:
            return node
    return _parse(pattern, search)


_WRITTEN: dict[str, Node] = {}  # patterns written from a tree → the tree (the same language)


def _remember(node: Node) -> str:
    text = write(node)
    if len(_WRITTEN) > 4096:
        _WRITTEN.clear()
    _WRITTEN[text] = node
    return text


@functools.lru_cache(maxsize=1024)
def _parse(pattern: str, search: bool) -> Node:
    try:
        tree = _p.parse(pattern)
    except re.error as exc:
        raise RegexError(exc.msg, exc.pos or 0, "Write a Python regular expression; in TOML, use '...' literal strings so backslashes stay as written.") from None
    except RecursionError:
        raise RegexError("the pattern is nested too deeply", 0) from None
    if tree.state.flags & _c.SRE_FLAG_IGNORECASE:
        raise _unsupported("case-insensitive flag", pattern)
    dotall = bool(tree.state.flags & _c.SRE_FLAG_DOTALL)
    try:
        node = _Reader(pattern, search).seq(list(tree), dotall, True, True)
    except RecursionError:
        raise RegexError("the pattern is nested too deeply", 0) from None
    return node


def _any_text() -> Node:
    return ("rep", ("set", ALL), 0, None)


_STARTS = ((_c.AT, _c.AT_BEGINNING), (_c.AT, _c.AT_BEGINNING_STRING))
_ENDS = ((_c.AT, _c.AT_END), (_c.AT, _c.AT_END_STRING))


class _Reader:
    """``re``'s parse tree → :data:`Node`. ``start``/``end`` say whether a sequence begins at
    the start / ends at the end of the whole pattern: only there may anchors stand (they mean
    nothing more in a full match), and in a search an unanchored edge matches any text."""

    def __init__(self, pattern: str, search: bool) -> None:
        self.pattern, self.search = pattern, search

    def seq(self, items: list, dotall: bool, start: bool, end: bool) -> Node:
        n = len(items)
        parts = [self.item(op, av, dotall, start and i == 0, end and i == n - 1) for i, (op, av) in enumerate(items)]
        if self.search and start and not (n and self._delegates(items[0], _STARTS)):
            parts.insert(0, _any_text())
        if self.search and end and not (n and self._delegates(items[-1], _ENDS)):
            parts.append(_any_text())
        return _cat(parts)

    @staticmethod
    def _delegates(item: tuple, anchors: tuple) -> bool:
        """Whether ``item`` settles the pattern's edge itself: an anchor, or a group or
        alternation whose parts do."""
        return item in anchors or item[0] in (_c.BRANCH, _c.SUBPATTERN)

    def item(self, op, av, dotall: bool, start: bool, end: bool) -> Node:
        pattern = self.pattern
        if op is _c.LITERAL:
            return ("set", ((av, av),))
        if op is _c.NOT_LITERAL:
            return _set(_complement(((av, av),)))
        if op is _c.ANY:
            return ("set", ALL if dotall else _complement(((10, 10),)))
        if op is _c.IN:
            return _set(_class(av, pattern))
        if op is _c.BRANCH:
            return _alt([self.seq(list(b), dotall, start, end) for b in av[1]])
        if op is _c.SUBPATTERN:
            _group, add, remove, sub = av
            if add & _c.SRE_FLAG_IGNORECASE:
                raise _unsupported("case-insensitive flag", pattern)
            inner_dotall = (dotall or bool(add & _c.SRE_FLAG_DOTALL)) and not remove & _c.SRE_FLAG_DOTALL
            return self.seq(list(sub), inner_dotall, start, end)
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):  # lazy and greedy repeats match the same texts
            lo, hi, sub = av
            return _rep(self.seq(list(sub), dotall, False, False), lo, None if hi == _c.MAXREPEAT else hi)
        if op is _c.AT:
            if av in (_c.AT_BOUNDARY, _c.AT_NON_BOUNDARY):
                raise _unsupported("word boundary", pattern)
            if (op, av) in _STARTS and start or (op, av) in _ENDS and end:
                return EPSILON
            raise RegexError("an anchor ('^', '$', '\\A', '\\Z') may only stand at the very start or end of a pattern", max(pattern.find("^"), pattern.find("$"), 0), _HINTS["anchor"])
        if op in (_c.ASSERT, _c.ASSERT_NOT):
            raise _unsupported("look-around", pattern)
        if op in (_c.GROUPREF, _c.GROUPREF_EXISTS):
            raise _unsupported("back-reference", pattern)
        if op is _c.ATOMIC_GROUP:
            raise _unsupported("atomic group", pattern)
        if op is _c.POSSESSIVE_REPEAT:
            raise _unsupported("possessive repeat", pattern)
        raise RegexError(f"{str(op).lower()} is not supported in spec patterns", 0)  # pragma: no cover


def _class(items, pattern: str) -> tuple[tuple[int, int], ...]:
    negate = False
    ranges: list[tuple[int, int]] = []
    for op, av in items:
        if op is _c.NEGATE:
            negate = True
        elif op is _c.LITERAL:
            ranges.append((av, av))
        elif op is _c.RANGE:
            ranges.append(av)
        elif op is _c.CATEGORY:
            ranges.extend(_CATEGORIES[av])
        else:  # pragma: no cover - only with flags rejected above
            raise RegexError(f"{str(op).lower()} in a character class is not supported", 0)
    s = _norm(ranges)
    return _complement(s) if negate else s


# -- smart constructors: keep NOTHING and EPSILON out of the tree -----------------------------
def _set(ranges: tuple[tuple[int, int], ...]) -> Node:
    return ("set", ranges) if ranges else NOTHING


def _cat(parts: list[Node]) -> Node:
    flat: list[Node] = []
    for p in parts:
        if p == NOTHING:
            return NOTHING
        flat.extend(p[1] if p[0] == "cat" else (p,))
    return flat[0] if len(flat) == 1 else ("cat", tuple(flat))


def _alt(parts: list[Node]) -> Node:
    options: list[Node] = []
    for p in parts:
        for q in p[1] if p[0] == "alt" else (p,):
            if q != NOTHING and q not in options:
                options.append(q)
    if not options:
        return NOTHING
    empty = EPSILON in options
    options = [q for q in options if q != EPSILON]
    if not options:
        return EPSILON
    node = options[0] if len(options) == 1 else ("alt", tuple(options))
    return _rep(node, 0, 1) if empty else node


def _rep(node: Node, lo: int, hi: int | None) -> Node:
    if hi == 0 or node == EPSILON:
        return EPSILON
    if node == NOTHING:
        return EPSILON if lo == 0 else NOTHING
    if lo == hi == 1:
        return node
    return ("rep", node, lo, hi)


def literal(text: str) -> Node:
    """The tree of exactly ``text``."""
    return _cat([("set", ((ord(c), ord(c)),)) for c in text])


def concat(parts: list[Node]) -> Node:
    """The concatenation of trees."""
    return _cat(parts)


_CLEAN: dict[tuple[int, str], Node] = {}  # (id of a tree, char) → the tree, known to hold no text with that char


def has_text_without(pattern: str, chars: str) -> bool:
    """Whether some text of ``pattern`` holds none of ``chars``."""
    return _pattern_without(pattern, chars) != NOTHING


@functools.lru_cache(maxsize=1024)
def _pattern_without(pattern: str, chars: str) -> Node:
    return without_chars(parse(pattern), chars)


def without_chars(node: Node, chars: str) -> Node:
    """``node``'s language less every text containing one of ``chars`` (exact: they leave every set)."""
    if all(_CLEAN.get((id(node), c)) is node for c in chars):
        return node
    out = _without_chars(node, chars)
    if len(_CLEAN) > 8192:
        _CLEAN.clear()
    for c in chars:  # the result holds none of them: cutting it again is a no-op
        _CLEAN[(id(out), c)] = out  # the value keeps ``out`` alive, so its id names it
    return out


def _without_chars(node: Node, chars: str) -> Node:
    keep = _complement(_norm([(ord(c), ord(c)) for c in chars]))
    sets: dict[tuple[tuple[int, int], ...], Node] = {}
    done: dict[int, Node] = {}  # shared subtrees are cut once

    def cut(n: Node) -> Node:
        got = done.get(id(n))
        if got is not None:
            return got
        kind = n[0]
        if kind == "set":
            out = sets.get(n[1])
            if out is None:
                rs = n[1]
                if all(any(a <= lo and hi <= b for a, b in keep) for lo, hi in rs):
                    out = n
                else:
                    out = _set(_norm([(max(lo, a), min(hi, b)) for lo, hi in rs for a, b in keep if max(lo, a) <= min(hi, b)]))
                sets[n[1]] = out
        elif kind == "cat":
            out = _cat([cut(x) for x in n[1]])
        elif kind == "alt":
            out = _alt([cut(x) for x in n[1]])
        elif kind == "rep":
            out = _rep(cut(n[1]), n[2], n[3])
        else:
            out = n
        done[id(n)] = out
        return out

    return cut(node)


@functools.lru_cache(maxsize=1024)
def canonical_without(pattern: str, chars: str) -> str | None:
    """:func:`canonical` of the texts of ``pattern`` that hold none of ``chars`` (``None``: there are none)."""
    node = _pattern_without(pattern, chars)
    return None if node == NOTHING else _remember(node)


JSON_ESCAPED = '"\\' + "".join(chr(c) for c in range(0x20))  # what a JSON string cannot hold unescaped


def finite_language(pattern: str, limit: int = 256) -> frozenset[str] | None:
    """The texts ``pattern`` matches when they are at most ``limit`` (an enum's or a const's
    alternation of literals); ``None`` when there are more, or infinitely many."""

    def words(node: Node) -> frozenset[str] | None:
        kind = node[0]
        if kind == "none":
            return frozenset()
        if kind == "set":
            if sum(hi - lo + 1 for lo, hi in node[1]) > limit:
                return None
            return frozenset(chr(c) for lo, hi in node[1] for c in range(lo, hi + 1))
        if kind == "alt":
            out: set[str] = set()
            for x in node[1]:
                part = words(x)
                if part is None or len(out | part) > limit:
                    return None
                out |= part
            return frozenset(out)
        if kind == "cat":
            acc = frozenset({""})
            for x in node[1]:
                part = words(x)
                if part is None or len(acc) * len(part) > limit:
                    return None
                acc = frozenset(a + b for a in acc for b in part)
            return acc
        if kind == "rep" and node[3] is not None:
            one = words(node[1])
            if one is None:
                return None
            power, reps = frozenset({""}), set()
            for k in range(node[3] + 1):
                if k >= node[2]:
                    reps |= power
                if len(reps) > limit or (k < node[3] and len(power) * len(one) > limit):
                    return None
                power = frozenset(a + b for a in power for b in one)
            return frozenset(reps)
        return None

    return words(parse(pattern))


def without_words(chars: tuple[tuple[int, int], ...], excluded: frozenset[str]) -> str | None:
    """A regex of every text over the character set ``chars`` (sorted, disjoint ranges) except
    the words in ``excluded``: the words' trie, where each node also takes any other character
    and then any text, and ends a text unless it ends an excluded word (linear in the words'
    length, where a complement in an automaton library grows with the alphabet)."""
    trie: dict = {}
    for word in excluded:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[None] = True
    rest = _rep(_set(chars), 0, None)

    def comp(node: dict) -> Node:
        inside = [ch for ch in node if ch is not None and any(lo <= ord(ch) <= hi for lo, hi in chars)]
        other = _norm_minus(chars, sorted(ord(ch) for ch in inside))
        options = [] if None in node else [EPSILON]
        options += [_cat([_set(((ord(ch), ord(ch)),)), comp(node[ch])]) for ch in sorted(inside)]
        if other:
            options.append(_cat([_set(tuple(other)), rest]))
        return _alt(options)

    out = comp(trie)
    return None if out == NOTHING else write(out)


def _norm_minus(ranges: tuple[tuple[int, int], ...], points: list[int]) -> list[tuple[int, int]]:
    """``ranges`` less the code points ``points``."""
    out = []
    for lo, hi in ranges:
        start = lo
        for c in points:
            if start <= c <= hi:
                if start < c:
                    out.append((start, c - 1))
                start = c + 1
        if start <= hi:
            out.append((start, hi))
    return out


def string_array_text(item: str | None) -> str:
    """The JSON text (``json.dumps`` layout: ``["a", "b"]``) of the arrays of strings whose
    every item fully matches ``item``. Items that hold a character JSON escapes never match
    (their text is not the item's value); ``None`` (no item matches): only ``[]``."""
    inner = canonical_without(item, JSON_ESCAPED) if item is not None else None
    if inner is None:
        return r"\[\]"
    one = f'"(?:{inner})"'
    return rf"\[(?:{one}(?:, {one})*)?\]"


def positions(node: Node) -> int:
    """Character positions in ``node`` once bounded repeats are written out."""
    kind = node[0]
    if kind == "set":
        return 1
    if kind in ("cat", "alt"):
        return sum(positions(x) for x in node[1])
    if kind == "rep":
        return positions(node[1]) * max(node[2], node[3] or 1, 1)
    return 0


# -- writing back ---------------------------------------------------------------------------------
def _char(c: int) -> str:
    if c < 0x80:
        ch = chr(c)
        return ch if ch.isalnum() or ch in " _" else f"\\x{c:02x}"
    return chr(c)


def _write_set(ranges: tuple[tuple[int, int], ...]) -> str:
    if len(ranges) == 1 and ranges[0][0] == ranges[0][1]:
        return _char(ranges[0][0])

    def body(rs: tuple[tuple[int, int], ...]) -> str:
        out = []
        for lo, hi in rs:
            # Rust regex cannot spell surrogates; text can never hold them either.
            for a, b in ((lo, min(hi, _SURROGATES[0] - 1)), (max(lo, _SURROGATES[1] + 1), hi)):
                if a <= b:
                    out.append(_char(a) if a == b else f"{_char(a)}-{_char(b)}")
        return "".join(out)

    negated = _complement(ranges)
    if negated and (len(negated) < len(ranges) or ranges[-1][1] == MAX_CHAR):
        return f"[^{body(negated)}]"
    return f"[{body(ranges)}]"


def charset(ranges, *, negated: bool = False) -> str:
    """A class for the characters in ``ranges`` (``negated``: all others), written alike for
    every engine; it must hold some character that is not a surrogate."""
    s = _norm([tuple(r) for r in ranges])
    s = _complement(s) if negated else s
    if all(_SURROGATES[0] <= lo and hi <= _SURROGATES[1] for lo, hi in s):  # also true when empty
        raise ValueError("an empty character class")
    return _write_set(s)


def write(node: Node) -> str:
    """A pattern for ``node`` that Python ``re``, greenery, interegular and Rust read alike."""
    kind = node[0]
    if kind == "set":
        return _write_set(node[1])
    if kind == "cat":
        return "".join(write(x) if x[0] != "alt" else f"(?:{write(x)})" for x in node[1])
    if kind == "alt":
        return "|".join(write(x) for x in node[1])
    if kind == "rep":
        inner = write(node[1])
        if not (node[1][0] == "set"):
            inner = f"(?:{inner})"
        lo, hi = node[2], node[3]
        q = {(0, None): "*", (1, None): "+", (0, 1): "?"}.get((lo, hi))
        if q is None:
            q = f"{{{lo}}}" if lo == hi else f"{{{lo},}}" if hi is None else f"{{{lo},{hi}}}"
        return inner + q
    raise RegexError("the pattern matches no text at all", 0)


@functools.lru_cache(maxsize=1024)
def canonical(pattern: str) -> str:
    """``pattern`` in the subset every engine reads alike (see the module doc)."""
    node = parse(pattern)
    if node == NOTHING:
        raise RegexError("the pattern matches no text at all", 0, "A class like [^\\s\\S] matches no character; check the pattern.")
    return _remember(node)


def check(pattern: str, *, search: bool = False) -> None:
    """Raise :class:`RegexError` unless ``pattern`` can be read exactly and matches some text."""
    if parse(pattern, search=search) == NOTHING:
        raise RegexError("the pattern matches no text at all", 0, "A class like [^\\s\\S] matches no character; check the pattern.")


# -- matching: a DFA built lazily from the tree -----------------------------------------------------
@dataclass
class _Nfa:
    edges: list[list[tuple[tuple[tuple[int, int], ...], int]]]  # state -> [(ranges, target)]
    eps: list[list[int]]
    start: int
    final: int


def _build(node: Node) -> _Nfa:
    edges: list[list] = []
    eps: list[list[int]] = []

    def new() -> int:
        edges.append([])
        eps.append([])
        return len(edges) - 1

    def frag(n: Node, a: int, b: int) -> None:  # connect a -> b through n
        kind = n[0]
        if kind == "set":
            edges[a].append((n[1], b))
        elif kind == "cat":
            cur = a
            for i, x in enumerate(n[1]):
                nxt = b if i == len(n[1]) - 1 else new()
                frag(x, cur, nxt)
                cur = nxt
            if not n[1]:
                eps[a].append(b)
        elif kind == "alt":
            for x in n[1]:
                frag(x, a, b)
        elif kind == "rep":
            body, lo, hi = n[1], n[2], n[3]
            cur = a
            for _ in range(lo):
                nxt = new()
                frag(body, cur, nxt)
                cur = nxt
            if hi is None:
                loop = new()
                eps[cur].append(loop)
                frag(body, loop, loop)
                eps[loop].append(b)
            else:
                for _ in range(hi - lo):
                    eps[cur].append(b)
                    nxt = new()
                    frag(body, cur, nxt)
                    cur = nxt
                eps[cur].append(b)
        # "none": no path

    start, final = new(), new()
    frag(node, start, final)
    return _Nfa(edges, eps, start, final)


class Matcher:
    """One pattern's NFA over characters, stepped as sets of states (for :func:`satisfiable`,
    which searches a product of patterns one character class at a time)."""

    def __init__(self, node: Node) -> None:
        self.nfa = _build(node)
        self.start = self._closure({self.nfa.start})

    def _closure(self, states: set[int]) -> frozenset[int]:
        todo, seen = list(states), set(states)
        while todo:
            for t in self.nfa.eps[todo.pop()]:
                if t not in seen:
                    seen.add(t)
                    todo.append(t)
        return frozenset(seen)

    def _move(self, states: frozenset[int], ch: str) -> frozenset[int]:
        c = ord(ch)
        nxt = set()
        for q in states:
            for ranges, t in self.nfa.edges[q]:
                i = bisect.bisect_right(ranges, (c, MAX_CHAR + 1)) - 1
                if i >= 0 and ranges[i][0] <= c <= ranges[i][1]:
                    nxt.add(t)
        return self._closure(nxt)


@functools.lru_cache(maxsize=1024)
def matcher(pattern: str, search: bool = False) -> Matcher:
    return Matcher(parse(pattern, search=search))


@functools.lru_cache(maxsize=4096)
def _term(pattern: str, search: bool, terms: derivatives.Terms) -> int:
    return terms.from_node(parse(pattern, search=search))


def _bytes_match(pattern: str, text: str, search: bool) -> bool:
    terms = derivatives.store()
    return terms.fullmatch(_term(pattern, search, terms), text.encode("utf-8", "surrogatepass"))


def fullmatch(pattern: str, text: str) -> bool:
    """Whether ``pattern`` (read as this module says) matches all of ``text``."""
    return _bytes_match(pattern, text, False)


def search(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches somewhere in ``text`` (JSON Schema's ``pattern``)."""
    return _bytes_match(pattern, text, True)


def satisfiable(parts: list[tuple[str, bool]], prefix: str = "", banned: str = "", *, limit: int = 50_000) -> bool:
    """Whether some text starting with ``prefix`` and holding none of ``banned`` fully matches
    every pattern paired with ``True`` and none paired with ``False``. A search over the
    product of the patterns' automata, one character per class of the alphabet they
    distinguish; past ``limit`` product states it answers ``True`` (not proven empty)."""
    if any(positions(parse(p)) > _MAX_NFA_POSITIONS for p, _ in parts):
        return True  # too many positions to write out: not proven empty
    matchers = [(matcher(p), must) for p, must in parts]
    cuts = {0}
    for m, _ in matchers:
        for edges in m.nfa.edges:
            for ranges, _t in edges:
                for lo, hi in ranges:
                    cuts.update((lo, hi + 1))
    for ch in banned:
        cuts.update((ord(ch), ord(ch) + 1))
    reps = sorted({chr(c) for c in cuts if c <= MAX_CHAR and not _SURROGATES[0] <= c <= _SURROGATES[1]} | {chr(_SURROGATES[1] + 1)})
    reps = [ch for ch in reps if ch not in banned]
    if any(ch in banned for ch in prefix):
        return False
    start = tuple(_run_set(m, m.start, prefix) for m, _ in matchers)
    seen = {start}
    todo = [start]
    while todo:
        cur = todo.pop()
        if all((m.nfa.final in s) == must for (m, must), s in zip(matchers, cur)):
            return True
        for ch in reps:
            nxt = tuple(m._move(s, ch) for (m, _), s in zip(matchers, cur))
            if any(must and not s for (_, must), s in zip(matchers, nxt)) or nxt in seen:
                continue  # a pattern that must match can no longer
            if len(seen) >= limit:
                return True
            seen.add(nxt)
            todo.append(nxt)
    return False


def _run_set(m: Matcher, states: frozenset[int], text: str) -> frozenset[int]:
    for ch in text:
        states = m._move(states, ch)
    return states


def integer_range(low: int | None, high: int | None) -> str:
    """A regex (full match) of the decimal integers from ``low`` to ``high`` (``None``: no
    bound) as JSON writes them: no leading zeros, no ``-0``. The range must not be empty."""
    parts: list[str] = []
    if low is None or low < 0:  # the negatives -k, for k from max(1, -high) to -low
        top = None if low is None else -low
        bottom = 1 if high is None or high >= 0 else -high
        if top is None or bottom <= top:
            parts += ["-" + _grouped(p) for p in _naturals(bottom, top)]
    if high is None or high >= 0:
        parts += _naturals(max(low, 0) if low is not None else 0, high)
    if not parts:
        raise ValueError(f"empty integer range {low}..{high}")
    return "|".join(parts)


def number_bound(bound: "int | float | str", *, above: bool) -> str:
    """A regex (full match) of the JSON number texts written without an exponent whose value
    is at least ``bound`` (``above``) or at most it: ``-?(0|[1-9][0-9]*)(\\.[0-9]+)?``,
    compared by value (``-0.0`` is zero; ``100.50`` is ``100.5``). A text with an exponent
    (``1e3``) never matches: a bound is read on the digits as written."""
    from decimal import Decimal

    b = Decimal(str(bound))
    if not b.is_finite():
        raise ValueError(f"a number bound must be finite, not {bound!r}")
    any_fraction = r"(?:\.[0-9]+)?"
    if above:
        if b > 0:  # no negatives; the non-negatives of magnitude >= b
            return _magnitude(b, at_least=True)
        # every non-negative, and the negatives of magnitude <= -b
        return f"(?:0|[1-9][0-9]*){any_fraction}|-(?:{_magnitude(-b, at_least=False)})"
    if b >= 0:
        return f"-(?:0|[1-9][0-9]*){any_fraction}|{_magnitude(b, at_least=False)}"
    return f"-(?:{_magnitude(-b, at_least=True)})"


def _magnitude(b: "Decimal", *, at_least: bool) -> str:
    """Unsigned decimal texts ``I(.F)?`` whose value is at least (or at most) ``b`` (>= 0)."""
    whole, _, frac = format(b, "f").partition(".")
    whole, frac = str(int(whole)), frac.rstrip("0")
    any_fraction = r"(?:\.[0-9]+)?"
    if at_least:
        parts = [f"(?:{'|'.join(_naturals(int(whole) + 1, None))}){any_fraction}"]
        parts.append(whole + (rf"\.(?:{_fraction_at_least(frac)})" if frac else any_fraction))
    else:
        parts = [f"(?:{'|'.join(_naturals(0, int(whole) - 1))}){any_fraction}"] if int(whole) > 0 else []
        parts.append(whole + rf"(?:\.(?:{_fraction_at_most(frac)}))?")
    return "|".join(parts)


def _fraction_at_most(digits: str) -> str:
    """Digit strings ``g`` (possibly empty) with ``0.g <= 0.digits``."""
    if not digits:
        return "0*"
    d, rest = digits[0], digits[1:]
    lower = f"[0-{int(d) - 1}][0-9]*|" if d != "0" else ""
    return f"{lower}{d}(?:{_fraction_at_most(rest)})|"


def _fraction_at_least(digits: str) -> str:
    """Non-empty digit strings ``g`` with ``0.g >= 0.digits`` (``digits`` not all zeros, or empty)."""
    if not digits:
        return "[0-9]+"
    d, rest = digits[0], digits[1:]
    higher = f"[{int(d) + 1}-9][0-9]*|" if d != "9" else ""
    tail = f"(?:{_fraction_at_least(rest)})" if rest else "[0-9]*"
    return f"{higher}{d}{tail}"


def _grouped(r: str) -> str:
    return f"(?:{r})" if "|" in r else r


def _naturals(low: int, high: int | None) -> list[str]:
    """Alternatives for the naturals from ``low`` to ``high`` (``None``: unbounded)."""
    parts: list[str] = []
    if low == 0:
        parts.append("0")
        low = 1
    if high is not None and high < low:
        return parts
    digits = len(str(low))
    while True:
        top = 10**digits - 1
        if high is not None and high <= top:
            parts.append(_same_length(str(low), str(high)))
            return parts
        if high is None and low == 10 ** (digits - 1):
            parts.append(f"[1-9][0-9]{{{digits - 1},}}" if digits > 1 else "[1-9][0-9]*")
            return parts
        parts.append(_same_length(str(low), str(top)))
        low, digits = top + 1, digits + 1


def _same_length(a: str, b: str) -> str:
    """The digit strings of one length from ``a`` to ``b`` (``a <= b``)."""
    if a == b:
        return a
    if len(a) == 1:
        return f"[{a}-{b}]"
    if a[0] == b[0]:
        return a[0] + _grouped(_same_length(a[1:], b[1:]))
    rest = len(a) - 1
    parts = [a[0] + _grouped(_same_length(a[1:], "9" * rest))]
    if int(a[0]) + 1 <= int(b[0]) - 1:
        parts.append(f"[{int(a[0]) + 1}-{int(b[0]) - 1}]" + "[0-9]" * rest)
    parts.append(b[0] + _grouped(_same_length("0" * rest, b[1:])))
    return "|".join(parts)


_REGEX_META = set(".^$*+?{}[]\\|()")


def regex_escape(text: str) -> str:
    """Escape ``text`` as a regex literal understood alike by Python's ``re``, greenery,
    interegular and Rust's regex (outlines-core): control characters as ``\\n``, ``\\xNN``."""
    out = []
    for ch in text:
        if ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        elif ch in _REGEX_META:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)
