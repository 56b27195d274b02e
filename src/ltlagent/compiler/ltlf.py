"""LTLf formulas: parse our syntax into a small immutable AST, print it for Spot.

Syntax (lowest precedence first; ``->`` and the binary temporal operators are
right-associative)::

    f <-> g     f -> g
    f | g
    f & g
    f U g   f R g   f W g   f M g   f S g (since)
    !f   X f (strong next)   WX f (weak next)   F f   G f
    Y f (yesterday)   Z f (weak yesterday)   O f (once)   H f (historically)
    true   false   atom   ( f )
    atleast(n, f)   atmost(n, f)   exactly(n, f)      (counting sugar, see below)

Atoms match ``[a-z_][a-z0-9_.]*``. ``n`` is a non-negative integer or ``{param}``, a
spec parameter. The counting sugar is exact LTLf: ``atleast(n, f)`` holds when ``f``
holds at ``n`` or more positions from now on, ``atmost(n, f) = !atleast(n+1, f)`` and
``exactly(n, f) = atleast(n, f) & atmost(n, f)``.

Past-time operators look back from the current position (finite-trace semantics): ``Y f``
holds where there is a previous position and ``f`` held there (false at the first position),
``Z f`` likewise but true at the first position, ``O f`` where ``f`` held at some position up
to and including this one, ``H f`` where it held at all of them, and ``f S g`` where ``g``
held at some position up to this one and ``f`` at every position after it up to this one.

A formula is a tuple: ``("true",)``, ``("false",)``, ``("ap", name)``, ``(op, f)``
for the unary ``! X WX F G Y Z O H``, ``(op, f, g)`` for the binary ``& | -> <-> U R W M S``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TypeAlias

from ltlagent.errors import FormulaError

Formula: TypeAlias = tuple  # ("ap", "a") | ("!", f) | ("&", f, g) | ...

UNARY = ("!", "X", "WX", "F", "G", "Y", "Z", "O", "H")
BINARY = ("&", "|", "->", "<->", "U", "R", "W", "M", "S")
PAST = ("Y", "Z", "O", "H", "S")
TEMPORAL_BINARY = ("U", "R", "W", "M", "S")
COUNTING = ("atleast", "atmost", "exactly")
KEYWORDS = ("true", "false", *COUNTING)

ATOM_RE = re.compile(r"[a-z_][a-z0-9_.]*")
_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<op><->|->|WX|[!&|()XFGURWMYZOHS,])
  | (?P<atom>[a-z_][a-z0-9_.]*)
  | (?P<num>[0-9]+)
  | (?P<param>\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\})
    """,
    re.VERBOSE,
)
_MAX_COUNT = 64
_CAPITALISED = re.compile(r"(?<![A-Za-z0-9_.])[A-Z](?=[A-Za-z0-9_.]*[a-z])[A-Za-z0-9_.]{2,}")  # a word, not operators glued to an atom


# Common mistakes, matched where tokenising stops, with what to write instead.
COMMON_MISTAKES: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"&&"), "'&&' is not an operator", "Write a single & for 'and'."),
    (re.compile(r"\|\|"), "'||' is not an operator", "Write a single | for 'or'."),
    (re.compile(r"=>"), "'=>' is not an operator", "Write -> for 'implies'."),
    (re.compile(r"==|="), "'=' is not an operator", "Write <-> for 'if and only if'."),
    (re.compile(r"~|¬"), "use ! for negation", "Write !f for 'not f'."),
    (re.compile(r"X\[!\]"), "X[!] is Spot's syntax", "Our X is already the strong next; write X f (or WX f for the weak next)."),
    (re.compile(r"\[|\]"), "brackets are not LTLf syntax here", "Use parentheses; for counting write atleast(n, f), atmost(n, f) or exactly(n, f)."),
)
_OPERATOR_HINT = "Atoms are lowercase ([a-z_][a-z0-9_.]*); operators are ! & | -> <-> X WX F G U R W M, and the past-time Y Z O H S."


def _tokens(text: str) -> Iterator[tuple[str, str, int]]:
    pos = 0
    while pos < len(text):
        capitalised = _CAPITALISED.match(text, pos)  # "Observation" is not O(bservation)
        if text.startswith(("&&", "||", "X[!]"), pos) or capitalised:
            m = None
        else:
            m = _TOKEN_RE.match(text, pos)
        if m is None:
            for pattern, message, hint in COMMON_MISTAKES:
                if pattern.match(text, pos):
                    raise FormulaError(message, column=pos + 1, hint=hint)
            word = re.match(r"[A-Za-z_][A-Za-z0-9_.]*", text[pos:])
            if word and word.group() != word.group().lower():
                lower = word.group().lower()
                raise FormulaError(
                    f"unexpected {word.group()!r}: atoms are lowercase",
                    column=pos + 1,
                    hint=f"Write {lower!r} (step and proposition names are lowercase; X F G U R W M WX and Y Z O H S are operators).",
                )
            raise FormulaError(f"unexpected character {text[pos]!r} in formula", column=pos + 1, hint=_OPERATOR_HINT)
        kind = m.lastgroup
        assert kind is not None
        if kind != "ws":
            yield kind, m.group(), pos
        pos = m.end()
    yield "end", "", pos


MAX_NESTING = 100  # parentheses, unary operators and right-nested binary operators while parsing
MAX_DEPTH = 300  # of the formula tree, once atleast/atmost/exactly are expanded
MAX_SIZE = 4000  # operators and atoms of the expanded formula tree


class _Parser:
    def __init__(self, text: str, params: Mapping[str, int]) -> None:
        self.text = text
        self.params = params
        self.toks = list(_tokens(text))
        self.i = 0
        self.depth = 0
        self.weights: dict[int, int] = {}  # id of a counting formula -> the product of its nested counts

    def nest(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.fail(
                f"the formula is nested more than {MAX_NESTING} levels deep",
                pos,
                "Split it into several rules (all rules must hold), or drop redundant parentheses.",
            )

    def peek(self) -> tuple[str, str, int]:
        return self.toks[self.i]

    def take(self) -> tuple[str, str, int]:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def fail(self, message: str, pos: int, hint: str | None = None) -> FormulaError:
        return FormulaError(message, column=pos + 1, hint=hint)

    def expect(self, value: str) -> None:
        kind, got, pos = self.take()
        if got != value:
            shown = repr(got) if kind != "end" else "the end of the formula"
            raise self.fail(f"expected {value!r} but found {shown}", pos)

    def parse(self) -> Formula:
        f = self.equiv()
        kind, got, pos = self.peek()
        if kind != "end":
            raise self.fail(
                f"unexpected {got!r} after a complete formula",
                pos,
                "Join formulas with an operator (& | -> <-> U R W M S).",
            )
        return f

    def equiv(self) -> Formula:
        left = self.implies()
        while self.peek()[1] == "<->":
            self.take()
            left = ("<->", left, self.implies())
        return left

    def implies(self) -> Formula:
        left = self.disj()
        if self.peek()[1] == "->":
            self.nest(self.take()[2])
            right = self.implies()
            self.depth -= 1
            return ("->", left, right)
        return left

    def disj(self) -> Formula:
        parts = [self.conj()]
        while self.peek()[1] == "|":
            self.take()
            parts.append(self.conj())
        return balanced("|", parts)

    def conj(self) -> Formula:
        parts = [self.temporal()]
        while self.peek()[1] == "&":
            self.take()
            parts.append(self.temporal())
        return balanced("&", parts)

    def temporal(self) -> Formula:
        left = self.unary()
        if self.peek()[1] in TEMPORAL_BINARY:
            op, pos = self.take()[1:]
            self.nest(pos)
            right = self.temporal()
            self.depth -= 1
            return (op, left, right)
        return left

    def unary(self) -> Formula:
        kind, got, pos = self.take()
        if got in UNARY:
            self.nest(pos)
            f = (got, self.unary())
            self.depth -= 1
            return f
        if got == "(":
            self.nest(pos)
            f = self.equiv()
            self.expect(")")
            self.depth -= 1
            return f
        if kind == "atom":
            if got in COUNTING and self.peek()[1] == "(":
                return self.counting(got, pos)
            if got == "true":
                return ("true",)
            if got == "false":
                return ("false",)
            if got in COUNTING:
                raise self.fail(f"{got!r} is a reserved word; write {got}(n, formula)", pos)
            return ("ap", got)
        if kind == "end":
            raise self.fail("the formula ends where an operand was expected", pos)
        raise self.fail(f"expected an atom, 'true', 'false', '(' or a unary operator but found {got!r}", pos)

    def counting(self, name: str, pos: int) -> Formula:
        self.expect("(")
        n = self.count()
        self.expect(",")
        f = self.equiv()
        self.expect(")")
        inner = self._nested_weight(f)
        if n * inner > _MAX_COUNT:
            raise self.fail(
                f"nested counting multiplies: {name}({n}, ...) around a count of {inner} counts {n * inner} positions; at most {_MAX_COUNT}",
                pos,
                "Automata for nested counts grow with the product of the counts; count less, or count one thing.",
            )
        if name == "atleast":
            out = atleast(n, f)
        elif name == "atmost":
            out = ("!", atleast(n + 1, f))
        else:
            out = ("&", atleast(n, f), ("!", atleast(n + 1, f)))
        self.weights[id(out)] = max(n, 1) * inner
        return out

    def _nested_weight(self, f: Formula) -> int:
        best, todo, seen = 1, [f], set()
        while todo:
            g = todo.pop()
            if id(g) in seen:
                continue
            seen.add(id(g))
            best = max(best, self.weights.get(id(g), 1))
            todo.extend(x for x in g[1:] if isinstance(x, tuple))
        return best

    def count(self) -> int:
        kind, got, pos = self.take()
        if kind == "num":
            n = int(got)
        elif kind == "param":
            key = got.strip("{} \t")
            if key not in self.params:
                known = ", ".join(sorted(self.params)) or "none declared"
                raise self.fail(
                    f"unknown parameter {key!r}",
                    pos,
                    f"Declare it under [parameters] (known: {known}).",
                )
            n = self.params[key]
        else:
            raise self.fail(f"expected a count (a number or {{param}}) but found {got!r}", pos)
        if not 0 <= n <= _MAX_COUNT:
            raise self.fail(f"count {n} is out of range 0..{_MAX_COUNT}", pos)
        return n


def balanced(op: str, parts: list[Formula]) -> Formula:
    """``parts`` joined by an associative ``op`` as a balanced tree (a long chain stays shallow)."""
    while len(parts) > 1:
        parts = [(op, parts[i], parts[i + 1]) if i + 1 < len(parts) else parts[i] for i in range(0, len(parts), 2)]
    return parts[0]


def measure(f: Formula) -> tuple[int, int]:
    """``(depth, size)`` of the formula tree, shared subformulas counted each time (iterative)."""
    depth = size = 0
    todo = [(f, 1)]
    while todo:
        g, d = todo.pop()
        size += 1
        depth = max(depth, d)
        if size > 10 * MAX_SIZE:
            break
        todo.extend((sub, d + 1) for sub in g[1:] if isinstance(sub, tuple))
    return depth, size


def atleast(n: int, f: Formula) -> Formula:
    """``f`` holds at ``n`` or more positions from now on (exact LTLf)."""
    if n <= 0:
        return ("true",)
    out: Formula = ("F", f)
    for _ in range(n - 1):
        out = ("F", ("&", f, ("X", out)))
    return out


def parse_ltlf(text: str, params: Mapping[str, int] | None = None) -> Formula:
    """Parse ``text`` into a formula; raise :class:`FormulaError` (with a column) on bad input."""
    try:
        if not text.strip():
            raise FormulaError("the formula is empty", column=1)
        f = _Parser(text, params or {}).parse()
        depth, size = measure(f)
        if depth > MAX_DEPTH or size > MAX_SIZE:
            raise FormulaError(
                f"the formula is too large to compile: {'at least ' if size > 10 * MAX_SIZE else ''}{size:,} operators and atoms, "
                f"{depth} levels deep, once atleast/atmost/exactly are written out (at most {MAX_SIZE:,} and {MAX_DEPTH})",
                column=1,
                hint="atleast(n, f) repeats f about n times, so nested counts multiply; count less, or split the rule.",
            )
        return f
    except FormulaError as exc:
        if "\n" in text:
            raise
        raise FormulaError(exc.message, path="<formula>", line=1, column=exc.column, source=text, hint=exc.hint) from None


def atoms(f: Formula) -> frozenset[str]:
    """The atom names in ``f``."""
    if f[0] == "ap":
        return frozenset([f[1]])
    out: frozenset[str] = frozenset()
    for sub in f[1:]:
        out |= atoms(sub)
    return out


def substitute(f: Formula, mapping: Mapping[str, Formula]) -> Formula:
    """Replace each atom by its formula in ``mapping`` (atoms not in it stay)."""
    if f[0] == "ap":
        return mapping.get(f[1], f)
    if f[0] in ("true", "false"):
        return f
    return (f[0], *(substitute(sub, mapping) for sub in f[1:]))


def to_text(f: Formula) -> str:
    """Our syntax, fully parenthesised (parses back to ``f``)."""
    op = f[0]
    if op in ("true", "false"):
        return op
    if op == "ap":
        return f[1]
    if op in UNARY:
        return f"{op}({to_text(f[1])})" if op != "!" else f"!({to_text(f[1])})"
    return f"({to_text(f[1])} {op} {to_text(f[2])})"


def has_past(f: Formula) -> bool:
    """Whether ``f`` uses a past-time operator."""
    return f[0] in PAST or any(has_past(sub) for sub in f[1:] if isinstance(sub, tuple))


def to_spot(f: Formula) -> str:
    """Spot's LTLf syntax for ``spot.from_ltlf``: our strong ``X`` is Spot's ``X[!]``. Past-time
    operators must have been eliminated first (``compiler.ltl`` does that)."""
    op = f[0]
    if op in PAST:
        raise ValueError(f"past-time operator {op} reached Spot; eliminate it first")
    if op in ("true", "false"):
        return "1" if op == "true" else "0"
    if op == "ap":
        return '"' + f[1] + '"'
    if op == "X":
        return f"X[!]({to_spot(f[1])})"
    if op == "WX":
        return f"X({to_spot(f[1])})"
    if op in UNARY:
        return f"{op}({to_spot(f[1])})"
    return f"({to_spot(f[1])}) {op} ({to_spot(f[2])})"
