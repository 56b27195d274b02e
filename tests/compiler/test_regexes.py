"""One reading of spec patterns: ``compiler.regexes`` against Python's ``re`` (ASCII classes),
greenery, interegular and outlines-core on random patterns and hostile text."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ltlagent.compiler import regexes

# Characters where the engines used to disagree: Unicode digits and spaces, \r, NUL, a line separator.
ALPHABET = "ab1_ -.\t\n\r\x00\u00a0\u0663\u2028é"
ATOMS = [r"a", r"b", r"1", r"\.", r"-", r"é", r"\d", r"\w", r"\s", r"\D", r"\W", r"\S", r".", r"[ab]", r"[^a\d]",
         r"[\s1]", r"[^\S\n]", r"[a-c]", r"\n", r"\r", r"\x00", r"\u00a0", r"[\u0660-\u0669]"]


def patterns() -> st.SearchStrategy[str]:
    return st.recursive(
        st.sampled_from(ATOMS),
        lambda inner: st.one_of(
            st.tuples(inner, inner).map("".join),
            st.tuples(inner, inner).map(lambda t: f"(?:{t[0]}|{t[1]})"),
            st.tuples(inner, st.sampled_from(["*", "+", "?", "{2}", "{0,2}", "{1,3}", "*?"])).map(lambda t: f"(?:{t[0]}){t[1]}"),
        ),
        max_leaves=6,
    )


texts = st.text(alphabet=ALPHABET, max_size=8)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patterns(), st.lists(texts, min_size=1, max_size=8))
def test_full_match_is_python_re_with_ascii_classes(pattern, samples):
    canon = regexes.canonical(pattern)
    for s in samples:
        expected = re.fullmatch(pattern, s, re.ASCII) is not None
        assert regexes.fullmatch(pattern, s) == expected, (pattern, s)
        assert (re.fullmatch(canon, s) is not None) == expected, (pattern, canon, s)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patterns(), st.lists(texts, min_size=1, max_size=6))
def test_greenery_and_interegular_read_the_canonical_form_alike(pattern, samples):
    import greenery
    import interegular

    canon = regexes.canonical(pattern)
    g = greenery.parse(canon).to_fsm()
    i = interegular.parse_pattern(canon).to_fsm()
    for s in samples:
        expected = regexes.fullmatch(pattern, s)
        assert g.accepts(s) == expected, (pattern, canon, s)
        assert i.accepts(s) == expected, (pattern, canon, s)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patterns(), st.lists(texts, min_size=1, max_size=6))
def test_outlines_core_reads_the_canonical_form_alike(pattern, samples):
    from outlines_core import Index, Vocabulary

    # Content is always followed by its terminator ("#" here): outlines-core's DFA matches
    # leftmost-first, so a bare "a|a1" would stop after "a"; the decoder never ends a regex bare.
    chars = sorted(set(ALPHABET) - {"\x00"}) + ["#"]
    vocab = Vocabulary(len(chars), {c: [i] for i, c in enumerate(chars)})
    # Content never holds NUL (the decoder's end-of-trace mark): the decoder indexes the
    # pattern's texts without it, as here.
    body = regexes.canonical_without(pattern, "\x00")
    index = None
    if body is not None:
        try:
            index = Index(f"(?:{body})#", vocab)
        except Exception as exc:  # noqa: BLE001 - no text of the language over these characters
            assert "incompatible" in str(exc) or "empty" in str(exc).lower(), exc
    for s in samples:
        if "\x00" in s:
            continue
        ok = index is not None
        state = index.get_initial_state() if ok else None
        for ch in s + "#":
            if not ok:
                break
            state = index.get_next_state(state, chars.index(ch))
            ok = state is not None
        ok = ok and index.is_final_state(state)
        assert ok == regexes.fullmatch(pattern, s), (pattern, regexes.canonical(pattern), s)


@pytest.mark.parametrize(
    "pattern, kind",
    [
        (r"(?=a)a", "look-around"),
        (r"a(?!b)", "look-around"),
        (r"(?<=a)b", "look-around"),
        (r"(a)\1", "back-reference"),
        (r"\bword\b", "word boundary"),
        (r"(?i)yes", "case-insensitive"),
        (r"(?i:yes)", "case-insensitive"),
        (r"(?>a)", "atomic group"),
        (r"a++", "possessive repeat"),
        (r"a^b", "anchor"),
        (r"[^\s\S]", "matches no text"),
        (r"(", "missing )"),
    ],
)
def test_patterns_that_cannot_be_read_exactly_are_rejected(pattern, kind):
    with pytest.raises(regexes.RegexError) as err:
        regexes.check(pattern)
    assert kind in err.value.message


def test_anchors_at_the_ends_are_allowed_and_mean_nothing_more():
    assert regexes.fullmatch(r"^a+$", "aa") and not regexes.fullmatch(r"^a+$", "aa\n")
    assert regexes.fullmatch(r"^a|b$", "b")
    assert regexes.search(r"\d", "x1y") and not regexes.search(r"^\d", "x1")


def test_nested_repeats_match_in_linear_time():
    # Python's backtracking re takes 2**n steps on this; the DFA reads each character once.
    assert not regexes.fullmatch(r"(a+)+b", "a" * 40)
    assert not regexes.fullmatch(r"(a|aa)*c", "a" * 5000)
    assert regexes.fullmatch(r"(?:x*)*y", "x" * 100_000 + "y")


def test_classes_of_surrogates_only_are_never_written():
    # Found by the mask oracle: greenery split a class into the surrogate block alone, written "[]".
    from ltlagent.decoders.regex import _without_nul, fsm_to_regex

    assert _without_nul(((0xD800, 0xDFFF),), False) == []
    with pytest.raises(ValueError):
        regexes.charset([(0xD800, 0xDFFF)])
    import greenery

    out = fsm_to_regex(greenery.parse(regexes.canonical(r"(?:\w|\W)\D")).to_fsm().reduce())
    assert "[]" not in out and re.fullmatch(out, "a!")


@settings(max_examples=200, deadline=None)
@given(patterns(), st.booleans(), st.booleans(), st.lists(texts, min_size=1, max_size=6))
def test_search_is_python_re_search_with_ascii_classes(pattern, head, tail, samples):
    """JSON Schema's ``pattern`` is a search; anchors at the edges (also per alternative) anchor it."""
    p = ("^" if head else "") + pattern + ("$" if tail else "")
    alternatives = f"{p}|^b"
    for s in samples:
        s = s.replace("\n", " ")  # Python's "$" also matches before a final "\n"; ours is the end of the text
        assert regexes.search(p, s) == (re.search(p, s, re.ASCII) is not None), (p, s)
        assert regexes.search(alternatives, s) == (re.search(alternatives, s, re.ASCII) is not None), (alternatives, s)


WORDS = st.lists(st.text(alphabet='ab"é\n', min_size=0, max_size=3), min_size=1, max_size=4, unique=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(WORDS, st.booleans()), min_size=1, max_size=3), st.lists(st.text(alphabet='ab"é\nc', max_size=4), max_size=12))
def test_refining_by_words_reads_as_the_automaton_path_and_as_written(constraints, samples):
    """refine() over a character set's texts with enum-like patterns (the direct path: kept
    words, or a trie for every text but the excluded ones) against the membership they mean
    and against greenery's product construction, on the words themselves and random texts."""
    from ltlagent.compiler.letters import regex_escape
    from ltlagent.decoders import regex as dr

    base = f"{dr.JSON_STRING_CHAR}*"
    cons = tuple(("|".join(regex_escape(w) for w in words) if words != [""] else "(?:)", must) for words, must in constraints)
    fast = dr._refine_words(base, cons)
    fsm = dr._fsm(base)
    for pattern, must in cons:
        part = dr._fsm(pattern)
        fsm = fsm & (part if must else part.everythingbut())
    slow = dr.fsm_to_regex(fsm.reduce())
    kept = [set(words) for words, must in constraints if must]
    assert fast is not False or "" in set.intersection(*kept)  # the direct path leaves out only an empty kept word
    for text in {*samples, *(w for words, _ in constraints for w in words)}:
        meant = regexes.fullmatch(base, text) and all((text in words) == must for words, must in constraints)
        assert (slow is not None and regexes.fullmatch(slow, text)) == meant, (cons, text)
        if fast is not False:
            assert (fast is not None and regexes.fullmatch(fast, text)) == meant, (cons, fast, text)
