"""Hypothesis strategies shared by the tests."""

from __future__ import annotations

from hypothesis import strategies as st

ATOMS = ("a", "b", "c")
UNARY = ("!", "X", "WX", "F", "G")
BINARY = ("&", "|", "->", "<->", "U", "R", "W", "M")


PAST_UNARY = ("Y", "Z", "O", "H")


def ltlf_formulas(atoms: tuple[str, ...] = ATOMS, max_depth: int = 4, past: bool = False) -> st.SearchStrategy[tuple]:
    """Random LTLf formulas (tuples as in ``ltlagent.compiler.ltlf``) up to ``max_depth``;
    with ``past``, past-time operators mixed with the future ones at any depth."""
    leaves = st.one_of(st.sampled_from([("ap", a) for a in atoms]), st.sampled_from([("true",), ("false",)]))
    unary = UNARY + (PAST_UNARY if past else ())
    binary = BINARY + (("S",) if past else ())

    def formulas(depth: int) -> st.SearchStrategy[tuple]:
        if depth == 0:
            return leaves
        sub = formulas(depth - 1)
        return st.one_of(
            leaves,
            st.tuples(st.sampled_from(unary), sub),
            st.tuples(st.sampled_from(binary), sub, sub),
        )

    return formulas(max_depth)


def traces(atoms: tuple[str, ...] = ATOMS, max_len: int = 6) -> st.SearchStrategy[list[frozenset[str]]]:
    """Non-empty finite traces: one set of true atoms per position."""
    return st.lists(st.frozensets(st.sampled_from(atoms)), min_size=1, max_size=max_len)
