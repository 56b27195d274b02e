"""The meaning check: a sentence encoder's similarity of the user's words and a tool's document."""

from __future__ import annotations

import importlib.util

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ltlagent.agents import meaning
from ltlagent.errors import ModelError

needs_encoder = pytest.mark.skipif(importlib.util.find_spec(meaning.PACKAGE) is None, reason=f"needs the sentence encoder: {meaning.INSTALL}")
WORDS = st.lists(st.sampled_from("the weather in Paris book a flight to Rome my account balance is low please send an email".split()),
                 min_size=1, max_size=12).map(" ".join)


def test_a_tool_document_reads_its_name_as_words_then_its_description():
    assert meaning.function_text({"name": "get_current_weather", "description": "The weather now."}) == "get current weather: The weather now."
    assert meaning.function_text({"name": "uber.ride"}) == "uber ride: "
    assert meaning.function_text({"name": "Events_3_FindEvents", "description": "Find events."}) == "Events 3 FindEvents: Find events."


def test_a_missing_encoder_is_named_with_what_to_do(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(ModelError) as caught:
        meaning.encoder_folder()
    assert meaning.INSTALL in str(caught.value) and "--meaning off" in str(caught.value)


@needs_encoder
@settings(max_examples=25, deadline=None)
@given(WORDS, WORDS)
def test_a_text_means_the_same_alone_and_beside_a_longer_one(text, other):
    """The mean runs over a text's own tokens: the padding a longer text in the same batch adds
    changes nothing, and every vector has length 1."""
    alone = meaning.encode([text])[0]
    beside = meaning.encode([text, f"{other} {text} {other} and more words after it"])
    assert abs(float(alone.norm()) - 1.0) < 1e-5 and abs(float(beside[1].norm()) - 1.0) < 1e-5
    assert float((alone - beside[0]).abs().max()) < 1e-5


@needs_encoder
def test_a_tool_about_what_the_user_asks_is_above_the_floor_and_one_about_another_subject_below():
    """Hand-written pairs, not taken from BFCL: a document on the question's subject is at least
    ``MEANING_FLOOR`` from it, and one on an unrelated subject is under it."""
    from ltlagent.evals.bfcl import MEANING_FLOOR

    weather = {"name": "get_current_weather", "description": "Get the current weather in a given city."}
    flights = {"name": "book_flight", "description": "Book a plane ticket between two airports on a given date."}
    email = {"name": "send_email", "description": "Send an email message to a recipient."}
    recipes = {"name": "find_recipe", "description": "Find cooking recipes that use the given ingredients."}
    asked = {"Is it going to rain in Oslo today?": weather, "I need a ticket from Boston to Denver next Friday.": flights,
             "Write to anna@example.com that the meeting moved to 3pm.": email, "What can I cook with eggs, spinach and cheese?": recipes}
    for question, tool in asked.items():
        near = meaning.similarities(question, [weather, flights, email, recipes])
        assert near[tool["name"]] >= MEANING_FLOOR, (question, near)
    far = meaning.similarities("Add a comment to the IP address 10.0.0.7 in the malware scanner.", [weather, recipes])
    assert all(s < MEANING_FLOOR for s in far.values()), far
    assert meaning.similarities("anything", []) == {}


@needs_encoder
def test_a_catalogue_the_user_names_no_member_of_takes_the_member_they_mean():
    """Hand-written requests, not taken from BFCL: a required enum none of whose members the user
    names is narrowed to the member the request means (``evals.bfcl.nearest_members`` with the
    encoder). The encoder is no oracle: "Please cancel the reminder I set for tomorrow" reads
    ``update`` over ``remove`` by 0.001, so it is not among these."""
    from ltlagent.evals.bfcl import nearest_members

    for words, parameter, members, meant in (("I'd like to watch something funny tonight.", "genre", ["Horror", "Comedy", "Documentary"], "Comedy"),
                                             ("Book me a table somewhere that serves sushi.", "cuisine", ["Mexican", "Japanese", "Italian"], "Japanese"),
                                             ("Play something by a string quartet.", "genre", ["Rock", "Classical", "Hip Hop"], "Classical"),
                                             ("How hot will it be in Denver, in American units?", "unit", ["metric", "imperial"], "imperial")):
        function = {"name": "f", "parameters": {"type": "dict", "required": [parameter], "properties": {parameter: {"type": "string", "enum": members}}}}
        narrowed = nearest_members([function], words, lambda texts: meaning.text_similarities(words, texts))
        assert narrowed[0]["parameters"]["properties"][parameter]["enum"] == [meant], words


@needs_encoder
@settings(max_examples=15, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=5), WORDS)
def test_a_reader_gives_each_text_its_similarity_to_a_phrase(texts, phrase):
    """``reader``, against ``text_similarities`` (one encoding per call): the same numbers, in
    order, whether the texts are read once for many phrases or afresh, in one batch or in
    several."""
    for batch in (meaning.READ_BATCH, 2):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(meaning, "READ_BATCH", batch)
            similar = meaning.reader(texts)
            for _ in range(2):
                read, alone = similar(phrase), meaning.text_similarities(phrase, texts)
                assert len(read) == len(alone) and all(abs(a - b) < 1e-5 for a, b in zip(read, alone)), (read, alone)
    assert meaning.reader([])(phrase) == []


@needs_encoder
def test_a_flag_the_user_means_is_written_true_and_one_they_turn_down_is_not():
    """Hand-written requests, not taken from BFCL: an optional flag whose name the words do not
    say but mean is marked to be written true (``evals.bfcl.meant_flags`` with the encoder); one
    the words mean only under a negation, or not at all, is not."""
    from ltlagent.evals.bfcl import flag_spans, meant_flags
    from ltlagent.evals.bfcl_grammar import MEANT_FLAG

    def marked(words, flag, schema):
        function = {"name": "f", "parameters": {"type": "dict", "required": ["city"], "properties": {"city": {"type": "string"}, flag: schema}}}
        spans = [span for span, _ in flag_spans(words)]
        return bool(meant_flags([function], words, meaning.reader(spans))[0]["parameters"]["properties"][flag].get(MEANT_FLAG))

    catalogue = {"type": "string", "enum": ["True", "False", "dontcare"]}
    boolean = {"type": "boolean"}
    assert marked("Show me museums in Rome that are suitable for children.", "good_for_kids", catalogue)
    assert marked("Find me a hotel in Lyon where breakfast comes with the room.", "breakfast_included", boolean)
    assert marked("Book a table in Rome where we can sit outside.", "has_seating_outdoors", catalogue)
    assert marked("Send 20 dollars to Ana, and keep it private.", "private_visibility", boolean)
    assert not marked("Find a hair salon in Fremont; it shouldn't be unisex.", "is_unisex", boolean)
    assert not marked("Find a rental in Austin, no need for a garage.", "has_garage", boolean)
    assert not marked("What is the weather in Oslo tomorrow?", "good_for_kids", catalogue)


@needs_encoder
def test_a_catalogue_member_the_user_means_is_taken_and_one_about_the_function_is_not():
    """Hand-written requests, not taken from BFCL: an optional enum none of whose members the
    words name takes the member they mean (``evals.bfcl.meant_members`` with the encoder); a
    member with a word of the function's name, and a request that means none, take none."""
    from ltlagent.evals.bfcl import flag_spans, meant_members
    from ltlagent.evals.bfcl_grammar import MEANT_MEMBER

    def taken(words, function_name, members):
        function = {"name": function_name, "parameters": {"type": "dict", "required": [], "properties": {"kind": {"type": "string", "enum": members}}}}
        spans = [span for span, _ in flag_spans(words)]
        return meant_members([function], words, meaning.reader(spans))[0]["parameters"]["properties"]["kind"].get(MEANT_MEMBER)

    assert taken("Suggest an educational game for my nephew.", "find_games", ["education", "sports", "party"]) == "education"
    assert taken("Find tourist attractions in Lisbon.", "find_attractions", ["Tourist Attraction", "Museum", "Park"]) is None
    assert taken("What is the weather in Oslo tomorrow?", "find_games", ["education", "sports", "party"]) is None
