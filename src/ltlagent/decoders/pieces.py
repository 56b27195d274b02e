"""The pieces of a compiled spec: every thing the model may write, as a byte term.

A **piece** is a model letter (``tag + content + terminator``, :func:`decoders.regex.letter_node`:
content refined by its propositions, JSON calls through ``outlines_core.json_schema``), an
environment step's tag (the model hands over), or the end sentinel ``\\x00`` to which every EOS
id is mapped. Each piece is one term of the process's :class:`~ltlagent.compiler.derivatives.Terms`
store: building the pieces only parses their regexes (linear in their size); no automaton is
determinised and no vocabulary is read here. A piece's states are the term's derivatives,
built as decoding reaches them (``decoders.index``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ltlagent.compiler import regexes
from ltlagent.compiler.compiled import CompiledSpec
from ltlagent.compiler.derivatives import EMPTY, Terms
from ltlagent.compiler.letters import Letter
from ltlagent.compiler.spec import Source
from ltlagent.decoders.regex import EOS_SENTINEL, content_regex, letter_node
from ltlagent.errors import DecoderError, RegexError

LETTER, TAG, END = 0, 1, 2  # piece kinds: a model letter, an environment step's tag, the end of the trace


@dataclass(frozen=True)
class Piece:
    """One thing the model may write; ``start`` is its term (its automaton's initial state)."""

    kind: int
    name: str  # the letter's name, the environment step's name, or "end"
    step: str
    letter: int  # the letter's index (LETTER), else -1
    start: int


def build_pieces(compiled: CompiledSpec, terms: Terms) -> list[Piece]:
    """The pieces of ``compiled``, in a fixed order (model letters, environment tags, the end)."""
    out: list[Piece] = []
    for x in compiled.letters:
        if x.source == Source.MODEL:
            t = _letter_term(x, terms, compiled.name)
            if t != EMPTY:
                out.append(Piece(LETTER, x.name, x.step, x.index, t))
    for s in compiled.steps:
        if s.source != Source.MODEL:
            out.append(Piece(TAG, s.name, s.name, -1, terms.literal(s.tag.encode("utf-8"))))
    out.append(Piece(END, "end", "", -1, terms.literal(EOS_SENTINEL.encode())))
    return out


def _letter_term(letter: Letter, terms: Terms, spec: str) -> int:
    try:
        refinements: dict[str, tuple[str, tuple[tuple[str, bool], ...]]] = {}
        content = content_regex(letter, refinements)
        if content is None:
            return EMPTY
        return _term(letter.tag, content, letter.terminator, tuple(sorted(refinements.items())), terms)
    except (RegexError, ValueError) as exc:
        raise DecoderError(f"cannot build exact token constraints for letter {letter.name} of spec {spec!r}: {exc}") from None


@functools.lru_cache(maxsize=4096)
def _term(tag: str, content: str, terminator: str, refinements: tuple, terms: Terms) -> int:
    """A letter's term, kept per text: one tool's letters recur across requests and specs.
    ``refinements``: placeholder character → (base, constraints), an intersection built here."""
    subst = {ord(ch): _refinement(base, constraints, terms) for ch, (base, constraints) in refinements}
    node = letter_node(tag, content, terminator)
    return EMPTY if node == regexes.NOTHING else terms.from_node(node, subst)


def _refinement(base: str, constraints: tuple[tuple[str, bool], ...], terms: Terms) -> int:
    """``base`` (less NUL) intersected with each pattern (``True``) or its complement (``False``), full matches."""
    parts = [terms.from_node(regexes.without_chars(regexes.parse(base), EOS_SENTINEL))]
    for pattern, must_match in constraints:
        t = terms.from_node(regexes.parse(pattern))
        parts.append(t if must_match else terms.neg(t))
    return terms.conj(parts)
