"""The words a question shares with a tool's document: counted against the words the test itself
put on each side, never by parsing the text it built."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ltlagent.agents.relevance import COMMON_WORDS, document_words, shared_words

POOL = ["weather", "area", "triangle", "base", "height", "unit", "fahrenheit", "celsius", "city", "stock", "price",
        "the", "what", "get", "type", "string", "properties", "required", "integer", "is", "of", "in", "to"]
SCHEMA_WORDS = {"type", "string", "properties", "required", "integer", "dict", "enum", "items", "description"}
SEPARATORS = st.sampled_from([" ", ", ", "? ", "\n", " (", ") ", "; ", "-", "/"])
WORD_LISTS = st.lists(st.sampled_from(POOL), min_size=0, max_size=6)


def counted(word: str) -> bool:
    return len(word) >= 3 and word not in COMMON_WORDS


def sentence(draw, words: list[str]) -> str:
    out = ""
    for w in words:
        out += draw(st.sampled_from([w, w.capitalize(), w.upper() if len(w) > 1 else w])) + draw(SEPARATORS)
    return out


def identifier(draw, words: list[str]) -> str:
    if not words:
        return "f"
    style = draw(st.sampled_from(["snake", "camel", "dotted"]))
    if style == "camel":
        return words[0] + "".join(w.capitalize() for w in words[1:])
    return ("." if style == "dotted" else "_").join(words)


@st.composite
def tools(draw):
    """A function document and the words the test placed in it (name, description, parameter
    names, descriptions and enumerated values), with schema keywords that must not count."""
    placed: set[str] = set()
    name_words = draw(st.lists(st.sampled_from(POOL), min_size=1, max_size=3))
    described = draw(WORD_LISTS)
    props = {}
    for _ in range(draw(st.integers(0, 3))):
        pname, pdesc, penum = draw(st.sampled_from(POOL)), draw(WORD_LISTS), draw(st.lists(st.sampled_from(POOL), max_size=3))
        if pname in props:  # one parameter per name
            continue
        node = {"type": draw(st.sampled_from(["string", "integer", "dict"])), "description": sentence(draw, pdesc)}
        if penum:
            node["enum"] = penum
        if draw(st.booleans()):  # a nested schema: an array whose items describe themselves
            inner = draw(WORD_LISTS)
            node = {"type": "array", "items": {"type": "string", "description": sentence(draw, inner)}}
            pdesc, penum = inner, []
        props[pname] = node
        placed |= {pname, *pdesc, *penum}
    placed |= {*name_words, *described}
    function = {"name": identifier(draw, name_words), "description": sentence(draw, described),
                "parameters": {"type": "dict", "properties": props, "required": list(props)[:1]}}
    return function, {w for w in placed if counted(w)}


@settings(max_examples=300, deadline=None)
@given(data=st.data(), docs=st.lists(tools(), min_size=0, max_size=3), asked=st.lists(st.sampled_from(POOL), max_size=8))
def test_shared_words_counts_the_placed_words_one_document_has(data, docs, asked):
    question = sentence(data.draw, asked)
    want = max((len({w for w in asked if counted(w)} & placed) for _, placed in docs), default=0)
    assert shared_words(question, [f for f, _ in docs]) == want
    for function, placed in docs:
        assert document_words(function) == placed  # the schema's own keywords never count


def test_an_enumerated_value_and_a_split_name_are_words_of_the_document():
    weather = {"name": "get_current_weather", "description": "The current weather in a place.",
               "parameters": {"type": "dict", "properties": {"location": {"type": "string", "description": "City, State"},
                                                             "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}}}
    assert shared_words("What's the weather in Boston in Fahrenheit?", [weather]) == 2
    assert shared_words("What is the capital of France?", [weather]) == 0
    assert shared_words("weather", []) == 0
    assert shared_words("getCurrentWeather", [weather]) == 2  # "current", "weather": "get" is too common to count
