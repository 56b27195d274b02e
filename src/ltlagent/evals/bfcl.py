"""``ltlagent eval bfcl``: the Berkeley Function Calling Leaderboard (v4), single-turn
categories, scored by BFCL's own AST checker.

Everything that decides the score is BFCL's, read from the installed ``bfcl-eval`` wheel:
the questions and function documents (``bfcl_eval/data/``), the answers
(``data/possible_answer/``), the system prompt for prompt-based models
(``system_prompt_pre_processing_chat_model``: function docs as JSON, calls written as
``[func(arg=value)]``), the output decoder (``default_decode_ast_prompting``) and the checker
(``ast_checker``), composed as BFCL's ``_evaluate_single_ast_entry`` /
``_evaluate_single_relevance_entry`` compose them. Both runs go through the same
``model.generate`` call with greedy decoding; the constrained run adds one logits processor
whose spec (``bfcl_grammar``) admits only calls to the case's functions with well-typed
arguments, or ``[]``.

``bfcl-eval`` declares every vendor SDK as a dependency and pins numpy 1.26.4, and its checker
imports ``bfcl_eval.constants.model_config``, which imports those SDKs. ltlagent installs the
wheel with ``--no-deps`` (plus the few small packages the checker and decoder import: the
``bfcl`` extra) and, before importing the checker, registers a stand-in for that one module:
its only use in the checker is ``MODEL_CONFIG_MAPPING[model].underscore_to_dot``, which is
false for prompt-based models.
"""

from __future__ import annotations

import ast
import bisect
import importlib.util
import itertools
import json
import math
import re
import sys
import time
import types
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ltlagent.compiler.derivatives import settle_limit
from ltlagent.errors import BfclError, DecoderError, expect_one_of
from ltlagent.evals import per_mode
from ltlagent.evals.bfcl_grammar import (ANSWER_FORMS, clauses_negated, DATE_FORMS, FUNCTION_WORDS, MEANT_FLAG, MEANT_MEMBER, MOST_ITEMS, UNMEANT_FLAG, NEGATION, NEGATION_REACH, OWN_WORDS, PIECE, QUOTED_EXAMPLE, QUOTED_PASSAGE, REFUSAL, REGION, bfcl_spec, called_words, codes, counted_number,
                                         dated_shapes, date_phrases, days_named, formats, grounded_number, is_flag, member_places, name_parts, named_code, named_flag, named_members, number_mentions, starts_still,
                                         number_places, own_words, place_examples, sentence_ends, shape_literals, shape_readings, time_parameter, timed_shapes, TIME_FORMS, undated, url_param,
                                         user_dates, user_times, user_urls, WRITTEN_PLACE)

CATEGORIES = ("simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance",
              "live_simple", "live_multiple", "live_parallel", "live_parallel_multiple", "live_irrelevance", "live_relevance",
              "simple_java", "simple_javascript")


def language(category: str) -> str:
    """The language a category's calls are written in (BFCL's ``is_java`` / ``is_js``)."""
    return {"simple_java": "java", "simple_javascript": "javascript"}.get(category, "python")


def category_of(case: Mapping[str, Any]) -> str:
    """A case's category, from its id (``live_simple_51-23-0`` → ``live_simple``)."""
    return str(case["id"]).rsplit("_", 1)[0]


MODES = ("unconstrained", "constrained", "constrained-no-ff")  # the last: the same masks, every token sampled (no fast-forward)
INSTALL = "python -m pip install --no-deps bfcl-eval && python -m pip install -e '.[bfcl]'"
# --answer gated: calls when the evidence that the functions fit the question is over GATE_NATS,
# else the refusal. The evidence: how much the function documents raise the question's
# log-probability (nats), plus WORD_NATS for each word of the question one function's document
# also uses (``relevance.shared_words``). The margin is the best balance of "relevant → call" and
# "irrelevant → no call" on BFCL's development split, with the words or without them
# (benchmarks/bfcl_relevance_gate.py); a nat per word, the unit of the gain, was not fitted.
GATE_NATS = 3.5
WORD_NATS = 1.0
# --gate-gain: the gain the evidence counts, with several functions. "best" — the more of the
# gain from all the documents and the best one's alone (each read in BFCL's prompt with that
# function only, as ``--functions picked`` reads them): the documents of functions beside the
# one that fits dilute what it explains. Read over 98 cases of several functions that the gate
# turned away (a random half each of the relevant and irrelevant ones), the best one alone passed
# 15 of 48 relevant cases and 3 of 50 irrelevant ones (benchmarks/bfcl_gate_gain.py). "all" —
# the documents together only, as before. One function: the same.
GATE_GAINS = ("best", "all")
# --meaning (``--answer gated``): "minilm" — a picked function whose document's meaning is less
# than MEANING_FLOOR of cosine similarity from the user's words (``agents.meaning``: the sentence
# encoder all-MiniLM-L6-v2) is about something else, and is not called (none left: the refusal).
# The floor is where two texts on unrelated subjects lie (the similarities run from -1 to 1):
# over every answer stored in benchmarks/results/ it turned 12 calls in live_irrelevance into the
# refusal and no right answer in any category (0.12: a right live_simple answer too; 0.15: 3).
# The same similarity helps pick one function of several (MEANING_NATS), and a required enum the
# user names no member of takes the member the words mean (``nearest_members``). "off" — none of
# the three.
MEANINGS = ("minilm", "off")
MEANING_FLOOR = 0.1
# --meaning minilm, --functions picked: the one function of several the calls name is the one whose
# own gain plus MEANING_NATS times its similarity is the most (``pick_functions``): a tenth of
# similarity is worth a nat. Read offline over the stored live_multiple answers that call one
# function, the gain alone named a function BFCL's answer does not call in 75; the encoder's best
# is BFCL's in 57 of those, and not in 54 answers the gain picked right: neither alone, the sum.
MEANING_NATS = 10.0
# --doubt-nats (``--answer gated``, ``--values grounded``): the model reads its finished answer
# back, as one more forward pass over the prompt and the answer, and an answer a token of whose
# string arguments it gives less than e^-DOUBT_NATS of probability is answered with the refusal
# (``doubted``): the masks made it write words it did not mean ("Could you tell me the name of
# my spouse?" beside ``get_spouse_name(spouse_of)``: ``spouse_of="tell"`` at -13.7 nats).
# Read offline over every call stored in benchmarks/results/ (999 right answers, 844 wrong ones,
# 84 irrelevance calls), 8 nats (1 in 3,000) turns 16 irrelevance calls into the refusal and 2
# right answers; each half of the cases alone (by id) gives 9 and 7 against 1 and 1. Decoded
# again, the 76 answers it touches gave the same (bfcl-smollm2-doubt.json). "inf": never.
DOUBT_NATS = 8.0
# Two weaker witnesses together (``--meaning minilm`` too): a string argument's token under
# -HALF_DOUBT_NATS (1 in 150) in a call of a function whose document is under FAR_MEANING of
# similarity from the user's words (``agents.meaning``; unrelated texts lie under 0.1, a
# neighbour's subject about 0.3) is refused as well. Both read over the same stored calls: the
# pair turns 6 irrelevance calls into the refusal and no right answer (each half by id: 4 and 2
# against 0 and 0); either alone at those marks would turn away dozens of right answers.
HALF_DOUBT_NATS = 5.0
FAR_MEANING = 0.3
# --meaning minilm, grounded values: an optional flag (``bfcl_grammar.is_flag``) whose name the
# user's words do not say (``bfcl_grammar.named_flag``) is written true where they mean it: some
# stretch of one to FLAG_SPAN words is at least FLAG_MEANING of similarity from the flag's name in
# words, with no word of ``bfcl_grammar.NEGATION`` in it or within NEGATION_REACH words before it
# ("suitable for children" for ``good_for_kids``, "privately" for ``private_visibility``:
# ``meant_flags``). Read offline over every stored answer, each call given the flags so meant and
# scored by BFCL's checker: at 0.7, 31 answers right that were wrong and none wrong that was
# right; at 0.65 one turned wrong ("be public" for ``private_visibility``, 0.65), at 0.6 two; at
# 0.75, 19 right; at 0.8, 12.
FLAG_MEANING = 0.7
FLAG_SPAN = 4
# ... and one that no stretch of theirs comes near (under FLAG_UNMEANT of similarity) is not
# written at all (``bfcl_grammar.UNMEANT_FLAG``): the model wrote such flags true unasked
# ("include_metadata=True" for "Generate a digital image", "has_vegetarian_options=True" for
# "cheap Izakaya"). Of BFCL's answers' optional flags the words do not name, 443 lie under 0.45
# and 424 of those may be left out (19 want true); over the stored answers, leaving the ones the
# calls wrote out turns 15 answers right and none wrong (at 0.4: 10 and 12 of 364 wanting true;
# at 0.5: 17 and 25 of 495; at 0.3: 7 and 2 of 205).
FLAG_UNMEANT = 0.45
# ... and an optional catalogue (an enum of two or more members, each with a letter; no flag) none
# of whose members the words name (``bfcl_grammar.named_members``) takes the member a stretch of
# theirs not turned down is at least MEMBER_MEANING similar to, the most similar of those
# (``meant_members``: "scientific fiction" gives ``genre="Sci-fi"``, "educational activity"
# ``activity_type="education"``). A member that says what the function is about is no choice
# the words make (a word of it one of ``bfcl_grammar.called_words``: "attractions" beside
# ``Travel_1_FindAttractions`` does not mean ``category="Tourist Attraction"``). Read offline as
# the flags were: 0.8 turned 4 answers right and none wrong; 0.75 5 right and 2 wrong ("pricey"
# for "expensive" where BFCL wants none), 0.7 5 and 5.
MEMBER_MEANING = 0.8
# --values: "grounded" — every string argument (outside an enum) is a span of the user's words
# (``bfcl_grammar.spans``), so the model copies values from the question rather than inventing
# them; every number is one the user's words give (``bfcl_grammar.numbers_in``: as written, a
# percentage as a fraction, "5 million", "$1.2M", a number word), and a function is called only
# if they give each of its required numbers its own number of its kind (``numbers_given``; none
# left: the refusal);
# "free" — any string, any number, any function. Java/JavaScript values are source text: there
# "grounded" makes every string literal's body a span of the user's words (``source_string``)
# and every number one they write (``source_number``), and nothing else (types and gate as before).
VALUES = ("grounded", "free")
# --answer gated, several functions and the gate passed (--functions picked): each function's own
# gain (BFCL's prompt with that function alone). The calls name the best one only, unless all the
# documents together raise the question's log-probability more than the best one alone by over
# SEVERAL_NATS (the question asks for several things): then they call each function whose own gain
# is over OWN_NATS once, in the documents' order (more calls come as under PLACES below). Chosen
# on the development split (the last 30 multiple, 30 live_multiple and 20 parallel_multiple
# cases; benchmarks/bfcl_values_dev.py --gains-only): the best function is a right one in 30 of 30, 26 of 30 and 20 of 20; the picked
# set is exactly the answer's functions in 30, 26 and 13.
SEVERAL_NATS = 5.0
OWN_NATS = 1.0
FUNCTIONS = ("picked", "all")
# --places (``--values grounded``): "own" — each place in the user's words fills one argument of a
# call at most (``places_reused``): a call that gives the words "Lions" to ``species``,
# ``dominant_trait`` and ``recessive_trait`` alike, or one 5 to ``initial_velocity`` and
# ``gravity``, shows that the user did not say what the function needs, and the answer is the
# refusal instead. Where the place went to optional arguments besides (at most) one required one
# (``play_song(song_id="wjeiruhuq_roar", device_id="wjeiruhuq_roar")``), the model filled an
# option the user did not give: the answer is decoded again without those options
# (``without_reused``), and is the refusal only if that one repeats a place too. Where one number
# went to two required arguments (``num_trials=100, num_success=100`` for "60 heads if I flip a
# coin 100 times"), the later one is grounded in the words less that number and the answer decoded
# again (``apart``), the refusal only if no other number is left for it or the new answer repeats
# a place too. "shared" — no such review, and no calls added for numbers left (below).
PLACES = ("own", "shared")
# --calls-more (``--places own``): how the answer with one call more is decoded. "again" — the whole
# list again, at least one call longer (the model may write its earlier calls otherwise); "kept" —
# the answer's calls as written, then the new calls (``bfcl_spec(kept=call_texts(answer))``; the
# earlier calls are forced tokens, fast-forwarded).
CALLS_MORE = ("again", "kept")
# --places own, calls of one or more, or one call of each picked function: while the user's words
# hold numbers no call has used, enough for the required numbers of another call of a function the
# answer calls, the answer is decoded again with one call more (the calls after the first, or after
# one of each, may name any of the case's functions, not only the picked ones; the spec holds
# each call of the answer at most once, ``bfcl_spec(distinct=call_texts(answer))``, so the new
# call is not the model's favourite call written again), and keeps it only
# if it takes up some of those numbers, repeats no call and passes the review: "the BMI of a person 6 feet tall and 80 kg, and of one 5.6 feet and 60
# kg" is two calls. Names joined to a quoted one (``names_left``), numbers listed with a written
# one (``numbers_joined_left``: "for 10, 20 and 30 years") and the items of a list one of which a
# call writes (``items_left``: "gold, silver, platinum, and palladium") left over ask for another call too,
# and so does any number left in digits where the words ask for more than one answer (MORE_CALLS:
# "then repeat with a change in time of 10 seconds", "the same for", "another with", "both"), and
# any name no call quotes where the words ask for another answer about another name
# (``names_unused``, ANOTHER_NAME: "the Treaty of Paris ... Also, ... Magna Carta"), any passage
# the user quotes that no call holds where a call holds another (``quoted_left``), and any
# function no call names whose name has a word the user uses and no called function's document
# does (``functions_named_left``: "Then get the fibonacci series"), which the calls after the
# first may then name.
MAX_CALLS = 8
# The states the grown spec's "none of the calls twice" (``bfcl_spec(distinct=...)``, an
# intersection with the calls' language) may take before the call more is asked without it:
# beside long grounded calls its automaton reached 100,000 states, and a few minutes to explore.
DISTINCT_STATES = 5_000
MORE_CALLS = re.compile(r"(?i)\b(also|same|another|second|each|both|as well|repeat|then|all)\b")
MODEL_NAME = "ltlagent"  # the name the checker is given (it only looks up underscore_to_dot)

# Python types of BFCL's parameter types (the checker's PYTHON_TYPE_MAPPING), for the
# schema-validity rate; float also takes an int, which the checker converts.
PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "any": (str,), "integer": (int,), "float": (float, int), "number": (float, int),
    "boolean": (bool,), "array": (list,), "tuple": (list,), "dict": (dict,), "object": (dict,),
}


@dataclass(frozen=True)
class Bfcl:
    """The pieces of the installed ``bfcl-eval`` that ltlagent calls."""

    data: Path
    ast_checker: Callable[..., dict[str, Any]]
    decode: Callable[..., list[dict[str, Any]]]  # (text, ReturnFormat)
    system_prompt: Callable[[list[dict[str, str]], list[dict[str, Any]], str], list[dict[str, str]]]
    is_call_format: Callable[[Any], bool]
    is_empty: Callable[[Any], bool]
    languages: Mapping[str, Any]  # "python", "java", "javascript" -> bfcl_eval.constants.enums.Language
    return_formats: Mapping[str, Any]  # the same -> ReturnFormat
    language_hint: Callable[[list[dict[str, Any]], str], list[dict[str, Any]]]  # (functions, category) -> the functions as BFCL shows them


def import_bfcl() -> Bfcl:
    """Import BFCL's checker, decoder and prompt builder without its vendor SDKs."""
    if importlib.util.find_spec("bfcl_eval") is None:
        raise BfclError(f"BFCL is not installed; install its data and checker with: {INSTALL}")
    name = "bfcl_eval.constants.model_config"
    if name not in sys.modules:
        stand_in = types.ModuleType(name)
        stand_in.__doc__ = "ltlagent's stand-in: prompt-based models keep dots in function names."
        stand_in.MODEL_CONFIG_MAPPING = _NoUnderscoreToDot()  # type: ignore[attr-defined]
        sys.modules[name] = stand_in
    try:
        from bfcl_eval.constants.enums import Language, ReturnFormat
        from bfcl_eval.eval_checker.ast_eval.ast_checker import ast_checker
        from bfcl_eval.model_handler.utils import default_decode_ast_prompting, system_prompt_pre_processing_chat_model
        from bfcl_eval.utils import _func_doc_language_specific_pre_processing, is_empty_output, is_function_calling_format_output
    except ImportError as exc:
        raise BfclError(f"BFCL's checker cannot be imported ({exc}); install what it needs with: {INSTALL}") from None
    spec = importlib.util.find_spec("bfcl_eval")
    assert spec is not None and spec.submodule_search_locations
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    names = ("python", "java", "javascript")
    return Bfcl(data, ast_checker, default_decode_ast_prompting, system_prompt_pre_processing_chat_model,
                is_function_calling_format_output, is_empty_output, {n: Language(n) for n in names}, {n: ReturnFormat(n) for n in names},
                _func_doc_language_specific_pre_processing)


class _NoUnderscoreToDot(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> Any:
        return types.SimpleNamespace(underscore_to_dot=False)


def load_cases(bfcl: Bfcl, category: str, limit: int | None = None) -> list[dict[str, Any]]:
    """The first ``limit`` cases of a category, each with its ``ground_truth`` (if any)."""
    if category not in CATEGORIES:
        raise BfclError(expect_one_of("category", category, CATEGORIES))
    path = bfcl.data / f"BFCL_v4_{category}.json"
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    answers_path = bfcl.data / "possible_answer" / path.name
    if answers_path.is_file():
        answers = {a["id"]: a["ground_truth"] for a in map(json.loads, answers_path.read_text(encoding="utf-8").splitlines()) if a}
        for case in cases:
            case["ground_truth"] = answers[case["id"]]
    return cases[:limit] if limit is not None else cases


def user_words(case: Mapping[str, Any]) -> str:
    """What the user wrote in a case's conversation (its user messages, one per line): the text a
    grounded string argument quotes."""
    return "\n".join(str(m["content"]) for m in case["question"][0] if m.get("role") == "user")


def doable_functions(case: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The case's functions that do what the user asks, as far as their names say: each but those
    whose name says an operation of which the user asks for another (``relevance.other_operation``:
    ``list_files`` for "delete all txt files") and those whose own subject the user asks only
    what it is (``relevance.asks_what_it_is``: ``user.mandates`` for "What is mandate?") and those
    whose name says a quantity the user's question never names (``relevance.unnamed_quantity``:
    ``calc_gas_pressure`` for "How much gas is generated"); none where the user asks for
    arithmetic no function does beside one that does other arithmetic (``relevance.arithmetic_undone``:
    "4 and 5 are added together and then the sum is multiplied by 7" beside ``mult``). The calls
    of an answer name these only."""
    from ltlagent.agents.relevance import arithmetic_undone, asks_what_it_is, other_operation, unnamed_quantity

    words = user_words(case)
    if arithmetic_undone(words, case["function"]) is not None:
        return []
    return [dict(f) for f in case["function"]
            if other_operation(words, f) is None and asks_what_it_is(words, f) is None and unnamed_quantity(words, f) is None]


def numbers_given(function: Mapping[str, Any], words: str) -> bool:
    """Whether a function can be called with what the user wrote (``--values grounded``): each
    required number (``integer``, ``float``) needs its own place in the user's words that gives a
    number of its kind (``bfcl_grammar.number_mentions``: digits, a percentage, a number word), an
    ``integer`` a whole one. "Two numbers" cannot fill three: ``solar_panel(square_footage,
    average_sunlight_hours)`` is not called for "a 2000 sq ft home". A required parameter with an
    ``enum`` takes its values from the catalogue, not from the user, and needs none; nor does one
    whose description gives codes the words name one of (``bfcl_grammar.named_code``: "ironing"
    for "'2' represents ironing service"), nor an initial speed the words say is none
    (``bfcl_grammar.starts_still``: "from rest"). A number inside a date or a time ("on
    14/03/2024 15:00") counts only where a required number is about time
    (``bfcl_grammar.time_parameter``, ``undated``)."""
    needed = required_numbers(function, words)
    integers = sum(kind == "integer" for kind in needed)
    numbers = integers + sum(kind in ("float", "number") for kind in needed)
    if not numbers:
        return True
    timely = any(time_parameter(name, schema) for name, schema in _required(function) if schema.get("type") in NUMBER_KINDS)
    mentions = number_mentions(words if timely else undated(words))  # a date's or a time's numbers only for a time
    whole = sum(any(isinstance(n, int) for n in values) for values in mentions)
    return integers <= whole and numbers <= len(mentions)  # Hall's condition: integers take whole ones, the rest any


@dataclass(frozen=True)
class Reuse:
    """A call that gives one place of the user's words to several arguments (``places_reused``)."""

    function: str
    value: Any
    arguments: tuple[str, ...]  # the arguments the value went to, in the call's order
    given: int  # how many places the user's words give it
    later: str = ""  # the argument whose value found no place of its own: the one that took the place again

    def __str__(self) -> str:
        return (f"{self.function} gives {self.value!r} to {', '.join(self.arguments)}; "
                f"the user's words give it {self.given} time{'s' if self.given != 1 else ''}")


def as_in(functions: Sequence[Mapping[str, Any]], kept: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``functions`` with each that ``kept`` holds by name replaced by ``kept``'s version (one
    ``without_reused`` or ``apart`` made): the calls more of an answer leave out the arguments its
    calls left out."""
    by_name = {f["name"]: f for f in kept}
    return [dict(by_name.get(f["name"], f)) for f in functions]


def without_reused(functions: Sequence[Mapping[str, Any]], reuse: Reuse) -> list[dict[str, Any]] | None:
    """The functions again, with the optional arguments that repeated a place left out of the
    reused function (``--places own``): the required argument that took it keeps it, or, with
    none required among them, an enum's (an option the user named), else the first one written.
    ``None`` when two required arguments took the place (the user did not say what the function
    needs), or no optional one did (a place used twice inside one argument). Where the place
    went to two properties of one dict argument ("body.cool", "body.target"), they are the
    arguments, the dict's own ``required`` saying which are required, and the optional one is
    left out of the dict; with another argument beside, the dict is that argument."""
    out = []
    for function in functions:
        if function["name"] != reuse.function:
            out.append(dict(function))
            continue
        params = function.get("parameters") or {}
        props = params.get("properties") or {}
        outer = {a.split(".")[0] for a in reuse.arguments}
        if len(outer) == 1 and "." in reuse.arguments[0]:  # the values of one dict argument: its properties are the arguments
            (name,) = outer
            inner = without_reused([{"name": function["name"], "parameters": props[name]}],
                                   Reuse(reuse.function, reuse.value, tuple(a.split(".", 1)[1] for a in reuse.arguments), reuse.given))
            if inner is None:
                return None
            out.append(dict(function, parameters=dict(params, properties={**props, name: inner[0]["parameters"]})))
            continue
        required = set(params.get("required") or ())
        arguments = list(dict.fromkeys(a.split(".")[0] for a in reuse.arguments))  # a dict's value with another argument: the dict
        taken = [a for a in arguments if a in required]
        optional = [a for a in arguments if a not in required]
        kept = next((a for a in optional if (props.get(a) or {}).get("enum")), optional[0] if optional else None)
        drop = optional if taken else [a for a in optional if a != kept]
        if len(taken) > 1 or not drop:
            return None
        out.append(dict(function, parameters=dict(params, properties={k: v for k, v in props.items() if k not in drop})))
    return out


def places_reused(output: str, functions: Sequence[Mapping[str, Any]], words: str) -> Reuse | None:
    """Why a Python answer's calls use one place of the user's ``words`` for two arguments, or
    ``None`` when each call's values have places of their own. A place is a stretch of the words,
    and the values that take one: a string the words hold as a span (piece to piece,
    ``bfcl_grammar.PIECE``), at any of its occurrences; a number the words give
    (``number_places``, either sign), at any of its mentions; an enum member with a letter, where
    the words name it (``member_places``). Two places that overlap are one: "Reformation" lies in
    "Protestant Reformation", the 4 of ``timeout=4`` in "JBL Flip 4". Booleans, ``None``, codes
    the words name and values the words do not hold (a date in ISO form) take none; a place with
    a region the user did not write ("Portland, OR" where the description shows 'City, State')
    takes the place of its span, so ``from_city`` and ``to_city`` are not both "Portland". The
    values of a dict argument whose schema lists its properties are arguments of their own,
    named "dict.property" (``without_reused`` can then leave one out of the dict). A call fits
    when its values can each be given a place, no two overlapping (``_placed``); the calls of
    one answer may share places ("the weather in Boston today and tomorrow"). A date (and time)
    a string writes in the format its description shows, or as an ISO date, stands on the date
    the words give (``_date_places``): another argument's value read from inside it has no place
    of its own (``identifier="2024"`` beside "November 1, 2024", ``number_of_adults=10`` beside
    "March 10th"), though two dates may share it (a start and an end on one day) unless they are
    one date written twice where the words give another that no date takes ("from March 9th to
    March 10th": ``start_date`` and ``end_date`` both "2023-03-09"). An answer that does not
    parse as calls gets ``None``."""
    calls = _calls(output)
    if calls is None:
        return None
    known = {f["name"]: f for f in functions}
    starts, ends = _piece_bounds(words)
    numbers = number_places(words)
    for name, args in calls:
        props = ((known.get(name) or {}).get("parameters") or {}).get("properties") or {}
        leaves: list[tuple[str, Any, list[tuple[int, int]]]] = []  # (argument, value, its places)
        dated = {arg: _date_places(value, props.get(arg) or {}, words) for arg, value in args.items()
                 if isinstance(value, str) and value and not _span_places(value, words, starts, ends)}
        for arg, value in args.items():
            schema = props.get(arg) or {}
            inner = schema.get("properties") if isinstance(value, dict) else None
            for sub, item in value.items() if inner else [("", value)]:  # a dict's values: each its own argument, "body.mode"
                for leaf, places in _place_leaves(item, (inner.get(sub) or {}) if inner else schema, words, starts, ends, numbers):
                    leaves.append((f"{arg}.{sub}" if sub else arg, leaf, places))
        for arg, value, places in leaves:  # a date or time a value writes is no place of another value's
            inside = [other for other, spans in dated.items() if other != arg and any(_overlap(x, y) for x in places for y in spans)]
            if inside and all(any(_overlap(x, y) for other in inside for y in dated[other]) for x in places):
                return Reuse(name, value, (*inside, arg), len(places), arg)
        unused = [m.span() for form in DATE_FORMS for m in form.finditer(words)
                  if not any(_overlap(m.span(), y) for spans in dated.values() for y in spans)] if any(dated.values()) else []
        if unused:  # one date written twice where the words give another: the later one is that other's
            first: dict[str, str] = {}
            for arg, value in args.items():
                if not dated.get(arg):
                    continue
                if value in first:
                    return Reuse(name, value, (first[value], arg), len(dated[arg]), arg)
                first[value] = arg
        if not _placed([places for _, _, places in leaves]):
            i = next(i for i in range(len(leaves)) if not _placed([p for _, _, p in leaves[: i + 1]]))
            _, value, places = leaves[i]  # the first value left without a place; with it, every one whose places overlap its
            overlapping = [a for k, (a, _, p) in enumerate(leaves) if k == i or any(_overlap(x, y) for x in places for y in p)]
            return Reuse(name, value, tuple(dict.fromkeys(overlapping)), len(places), leaves[i][0])
    return None


NUMBER_KINDS = ("integer", "float", "number")


def apart(functions: Sequence[Mapping[str, Any]], reuse: Reuse, words: str,
          meaning: Callable[[str, Sequence[str]], Sequence[float]] | None = None) -> list[dict[str, Any]] | None:
    """The functions again, with the required argument that took a place again (``reuse.later``)
    kept off that place:

    * a number (or a list of numbers) is grounded in the user's words less every place of the
      number repeated (``bfcl_grammar.OWN_WORDS``; each blanked to a full stop, where no number
      is read): "60 heads if I flip a coin 100 times" with ``num_trials=100, num_success=100``
      has ``num_success`` take a number of "60 heads if I flip a coin . times";
    * a string, where the value repeated is a passage the user quotes, takes another passage
      the user quotes, whole (an ``enum`` of them): "the sequence 'AGTCG...' against the
      reference 'AGTCC...'";
    * any other string is grounded in the words less every place of the value repeated:
      "Manchester United ... in Premier League" with ``team_name=league='Manchester United'``
      has ``league`` take a span of "Give me the schedule of . for the next 6 games in Premier
      League." The answer decoded so still passes the review and the model's reading back
      (``doubted``) before it stands; one end of a pair (``paired``) is decoded so only where the
      words give both ends (``BOTH_ENDS``): "Who played in La Liga?" beside ``team1``,
      ``team2`` names one end, and stays the refusal. With ``meaning`` (a value's similarity
      to texts: ``agents.meaning.text_similarities``), the argument decoded again is the one
      of the required plain strings that took the value whose name and description
      (``parameter_text``) mean it least, not the later one: "Find the current world rank of a
      Tennis player, Serena Williams." written ``sport=player_name='Serena Williams'`` has
      ``sport`` decoded again, not ``player_name``. Read over BFCL's answers, the argument a
      required string of the user's words belongs to means it more than another required
      string of its call does in 1,396 of 1,677 such pairs (the ends of a pair aside).

    ``None`` when that argument is not required, or neither, or nothing else is left for it (the
    user gave one value for two arguments). A date written twice: the later argument takes
    another date the words give (grounded in the words less the date repeated), or, where the
    others are all earlier, the argument named for the start (``START_WORDS``: "from July 10 to
    July 20" written ``from_date=to_date='07-20-2022'`` gives ``from_date`` July 10). Of the
    arguments that took a number again, an
    initial speed the words say is none (``bfcl_grammar.starts_still``: "dropped from 100 m")
    is the one kept off it: it takes 0."""
    if isinstance(reuse.value, bool) or not isinstance(reuse.value, (int, float, str)):
        return None
    out = []
    for function in functions:
        params = function.get("parameters") or {}
        props = params.get("properties") or {}
        if function["name"] != reuse.function:
            out.append(dict(function))
            continue
        later = reuse.later
        if not isinstance(reuse.value, str):  # an initial speed the words say is none takes 0 rather than the place again
            later = next((a for a in reuse.arguments if a in (params.get("required") or ()) and starts_still(a, words)), later)
        schema = props.get(later) or {}
        if later not in (params.get("required") or ()) or schema.get("enum"):
            return None
        dates = _date_places(reuse.value, schema, words) if isinstance(reuse.value, str) else []
        if dates:  # a date written twice: the later argument takes another date the words give, the start an earlier one
            less = _less(words, dates)
            others = user_dates(less)
            if not others:
                return None
            written = [d for a, b in dates for d in user_dates(words[a:b])]
            starts = [a for a in reuse.arguments if a in (params.get("required") or ()) and own_words(a) & START_WORDS]
            if written and starts and all(_earlier(o, written[0]) for o in others):
                later = starts[0]
                schema = props.get(later) or {}
            kept = {**schema, OWN_WORDS: less}
        elif isinstance(reuse.value, str):
            end = any(paired(other, later) for other in reuse.arguments)
            plain = [a for a in reuse.arguments if a in (params.get("required") or ()) and (props.get(a) or {}).get("type") == "string"
                     and not (props.get(a) or {}).get("enum")]
            if meaning is not None and not end and len(plain) > 1:  # the one that means the value least takes another place
                near = meaning(reuse.value, [parameter_text(a, props[a]) for a in plain])
                later = min(zip(near, plain), key=lambda pair: pair[0])[1]
                schema = props[later]
            if schema.get("type") != "string":
                return None
            both = end and BOTH_ENDS.search(words) is not None
            quoted = [m.group(2) for m in QUOTED_PASSAGE.finditer(words)]
            others = list(dict.fromkeys(q for q in quoted if q != reuse.value))
            if not both and reuse.value in quoted and others:  # another passage the user quotes, whole
                kept = {**schema, "enum": others}
            elif end and not both:  # one end of a pair the words give no other end of
                return None
            else:  # the other end of a pair, or any other string: the words less every place of the value repeated
                starts, ends = _piece_bounds(words)
                places = [place for _, spans in _place_leaves(reuse.value, schema, words, starts, ends, []) for place in spans]
                less = _less(words, places)
                if not places or not re.search(r"[^\W_]", less.replace(".", " ")):
                    return None
                kept = {**schema, OWN_WORDS: less}
        else:
            kind = schema.get("type") if schema.get("type") in NUMBER_KINDS else (schema.get("items") or {}).get("type") if schema.get("type") in ("array", "tuple") else None
            less = _less(words, [(start, end) for start, end, values in number_places(words) if abs(reuse.value) in values])
            if kind not in NUMBER_KINDS or (grounded_number(kind, less) is None and not starts_still(later, less)):
                return None
            kept = {**schema, OWN_WORDS: less}
        out.append(dict(function, parameters=dict(params, properties={**props, later: kept})))
    return out


def _members(schema: Mapping[str, Any]) -> set[str]:
    """The members of a parameter's ``enum``, or of its items' (an array's), without case."""
    items = schema.get("items") if isinstance(schema.get("items"), Mapping) else {}
    return {str(m).lower() for s in (schema, items) for m in s.get("enum") or ()}


def _named_places(value: str, words: str) -> list[tuple[int, int]]:
    """Where the user's ``words`` name ``value`` as a word or phrase of their own, any case."""
    return [m.span() for m in re.finditer(rf"(?<!\w){re.escape(value)}(?!\w)", words, re.IGNORECASE)]


def options_misplaced(output: str, functions: Sequence[Mapping[str, Any]], words: str) -> list[tuple[str, str, str]] | None:
    """The arguments of a Python answer's calls that write an option of another parameter of
    their function: a plain string argument (no ``enum`` of its own, nor its items) whose value
    is, but for case, a member of another parameter's ``enum`` (or of its items'), one the user's
    ``words`` name as a word of their own. "stage 7 in easy mode and stage 3 in hard mode"
    written ``mode="easy", level="hard"``: "hard" is a ``mode``; "Electropop music from around
    2014" written ``artist="2014", year="2014"``: 2014 is a ``year``. In BFCL's accepted answers
    of the eight call categories no string argument, at any accepted value, is one. Each as
    (function, argument, value), once; ``None`` when the answer does not parse as calls."""
    calls = _calls(output)
    if calls is None:
        return None
    known = {f["name"]: f for f in functions}
    found: list[tuple[str, str, str]] = []
    for name, args in calls:
        props = ((known.get(name) or {}).get("parameters") or {}).get("properties") or {}
        for arg, value in args.items():
            schema = props.get(arg) or {}
            if schema.get("type") != "string" or _members(schema) or not isinstance(value, str) or not value.strip():
                continue
            others = any(other != arg and value.lower() in _members(s) for other, s in props.items() if isinstance(s, Mapping))
            if others and _named_places(value, words) and (name, arg, value) not in found:
                found.append((name, arg, value))
    return found


def off_options(functions: Sequence[Mapping[str, Any]], misplaced: Sequence[tuple[str, str, str]], words: str) -> list[dict[str, Any]] | None:
    """The functions again, each argument ``options_misplaced`` found kept off the option it
    wrote: an optional one left out (``level`` of "in hard mode"), a required one grounded in the
    words less every place that names the option (``bfcl_grammar.OWN_WORDS``;
    ``destination_airport`` of "to Atlanta ... with American Airlines" takes a span of "to
    Atlanta ... with ."). ``None`` when nothing is found, or a required one has no letter left."""
    if not misplaced:
        return None
    out = [dict(f) for f in functions]
    for name, arg, value in misplaced:
        for i, function in enumerate(out):
            params = function.get("parameters") or {}
            props = params.get("properties") or {}
            if function["name"] != name or arg not in props:
                continue
            if arg not in (params.get("required") or ()):
                kept = {k: v for k, v in props.items() if k != arg}
            else:
                own = props[arg].get(OWN_WORDS, words)
                less = _less(own, _named_places(value, own))
                if not re.search(r"[^\W_]", less.replace(".", " ")):
                    return None
                kept = {**props, arg: {**props[arg], OWN_WORDS: less}}
            out[i] = dict(function, parameters=dict(params, properties=kept))
    return out


def _changed(functions: Sequence[Mapping[str, Any]], split: Sequence[Mapping[str, Any]], name: str) -> str | None:
    """The argument of function ``name`` whose schema ``apart`` changed in ``split``, or None."""
    def props(fs: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
        return next(((f.get("parameters") or {}).get("properties") or {} for f in fs if f["name"] == name), {})

    before, after = props(functions), props(split)
    return next((a for a in after if after[a] != before.get(a)), None)


def parameter_text(name: str, schema: Mapping[str, Any]) -> str:
    """What a parameter is about, for ``apart``'s reading of meaning: its name in words
    (``brain_region``, ``courtLocation``: "brain region", "court Location"), a colon, its description."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).replace("_", " ").replace(".", " ")
    return f"{words}: {schema.get('description', '')}"


def _less(words: str, places: Sequence[tuple[int, int]]) -> str:
    """``words`` with each place blanked to a full stop (``apart``: no span or number is read across one)."""
    for start, end in sorted(places, reverse=True):
        words = words[:start] + " . " + words[end:]
    return words


# The words that tell the two ends or sides of one thing apart in a pair of parameters' names
# (``paired``): ``origin_airport`` and ``destination_airport``, ``from_city`` and ``to_city``,
# ``_from`` and ``to``, ``city_1`` and ``city_2``, ``species1`` and ``species2``.
PAIR_WORDS = frozenset("origin destination from to start end source target departure arrival home away sender receiver first second 1 2".split())
# Words that give both ends of a pair: "from Atlanta, GA to Boston, MA", "to Portland, OR,
# departing from JFK", "between a human and a chimpanzee". A pair decoded again needs them: "Who
# played in La Liga?" beside ``team1``, ``team2`` gives one place for two, and no other.
BOTH_ENDS = re.compile(r"(?is)\bfrom\b.*\bto\b|\bto\b.*\bfrom\b|\bbetween\b.*\band\b")


def paired(name: str, other: str) -> bool:
    """Whether two parameter names are a pair (``PAIR_WORDS``): the same words besides those, and
    different words of those, one at least each. Where a call gives the two one place of the
    user's words, ``apart`` decodes the later one again without it: a flight from an airport to
    the same airport, a time difference between Tokyo and Tokyo, answer nothing."""
    def split(n: str) -> tuple[frozenset[str], frozenset[str]]:
        parts = {w.lower() for part in name_parts(n) for w in re.split(r"(?<=[A-Za-z])(?=[0-9])", part)}
        return frozenset(parts - PAIR_WORDS), frozenset(parts & PAIR_WORDS)

    (rest, ends), (other_rest, other_ends) = split(name), split(other)
    return name != other and rest == other_rest and bool(ends) and bool(other_ends) and ends != other_ends


# The words of a parameter's name that make it the start of a span of days (``apart``):
# ``start_date``, ``from_date``, ``check_in``, ``departure_date``, ``pickup_date``.
START_WORDS = frozenset("start from begin in departure depart pickup".split())


def lettered_choices(members: Sequence[Any]) -> bool:
    """Whether an ``enum``'s members are a choice in words: two or more, each a string with a
    letter (not codes like "1", "2"). The catalogues ``nearest_members``, ``meant_members`` and
    ``lists_given`` read."""
    return len(members) >= 2 and all(isinstance(m, str) and any(c.isalpha() for c in m) for m in members)


def nearest_members(functions: Sequence[Mapping[str, Any]], words: str,
                    similar: Callable[[Sequence[str]], Sequence[float]]) -> list[dict[str, Any]]:
    """The functions again, each required enum the user's ``words`` name none of the members of
    (``bfcl_grammar.named_members``; every member a string with a letter) narrowed to the member
    they mean: the one whose ``agents.meaning.member_text`` is the most similar to them
    (``similar(texts)``: each text's similarity, in order; the first of equals). "Can you help me
    explore comic movies" gives ``genre`` Comedy of World, Fantasy, Comedy, ...; "I need you to
    find me a Family Therapist" ``type`` "Family Counselor". A catalogue of one member, or one the
    user names a member of, stays as it is (``named_option`` reads it)."""
    from ltlagent.agents.meaning import member_text

    out = []
    for function in functions:
        params = function.get("parameters") or {}
        props = dict(params.get("properties") or {})
        for name in params.get("required") or ():
            members = (props.get(name) or {}).get("enum") or []
            if not lettered_choices(members) or named_members(props[name], words):
                continue
            near = list(similar([member_text(name, m) for m in members]))
            props[name] = {**props[name], "enum": [members[near.index(max(near))]]}
        out.append(dict(function, parameters=dict(params, properties=props)) if params else dict(function))
    return out


SPAN_WORD = re.compile(r"[A-Za-z][\w'-]*")


def flag_spans(words: str, longest: int = FLAG_SPAN) -> list[tuple[str, bool]]:
    """The stretches of one to ``longest`` words of the user's ``words`` a flag or a catalogue's
    member may be meant by (``meant_flags``, ``meant_members``), in order, each as written and whether a word of ``NEGATION`` lies in it or
    within NEGATION_REACH words before it ("it shouldn't be unisex", "No need for a garage"), or earlier in its clause
    (``bfcl_grammar.negated_in_clause``: "I'm not concerned about having a garage or in-unit laundry")."""
    found = list(SPAN_WORD.finditer(words))
    said = [m.group(0).lower() for m in found]
    clause = clauses_negated(words, [m.start() for m in found])
    return [(words[found[i].start():found[i + n - 1].end()],
             any(NEGATION.fullmatch(w) for w in said[max(0, i - NEGATION_REACH):i + n]) or clause[i])
            for i in range(len(found)) for n in range(1, longest + 1) if i + n <= len(found)]


def meant_flags(functions: Sequence[Mapping[str, Any]], words: str, similar: Callable[[str], Sequence[float]],
                floor: float = FLAG_MEANING, unmeant: float = FLAG_UNMEANT) -> list[dict[str, Any]]:
    """The functions again, each optional flag (``bfcl_grammar.is_flag``) the user's ``words`` do
    not name (``bfcl_grammar.named_flag``) but mean marked so (``bfcl_grammar.MEANT_FLAG``: the call
    writes it true): a stretch of theirs not negated (``flag_spans``) is at least ``floor`` similar
    to the flag's name in words (``similar(phrase)``: each stretch's similarity to it, in order).
    "attractions in Paris that are suitable for children" gives ``good_for_kids="True"``; "it
    shouldn't be unisex" no ``is_unisex``. One no stretch comes within ``unmeant`` of is
    marked not to be written (``bfcl_grammar.UNMEANT_FLAG``): "Generate a digital image" leaves
    ``include_metadata`` out."""
    spans = flag_spans(words)

    def mark(function: Mapping[str, Any], name: str, schema: Mapping[str, Any]) -> dict[str, Any] | None:
        if not is_flag(schema) or named_flag(name, schema, words):
            return None
        near = _nearest(spans, similar, " ".join(name_parts(name)).lower())
        return {**schema, MEANT_FLAG: True} if near >= floor else {**schema, UNMEANT_FLAG: True} if near < unmeant else None

    return _optionals_marked(functions, mark)


def meant_members(functions: Sequence[Mapping[str, Any]], words: str, similar: Callable[[str], Sequence[float]],
                  floor: float = MEMBER_MEANING) -> list[dict[str, Any]]:
    """The functions again, each optional catalogue (two or more members, each a string with a
    letter; no flag, ``bfcl_grammar.is_flag``) the user's ``words`` name no member of
    (``bfcl_grammar.named_members``) marked with the member they mean (``bfcl_grammar.MEANT_MEMBER``:
    the call writes it): the member, of those with no word of the function's name
    (``bfcl_grammar.called_words``, without a plural "s"), that a stretch of theirs not turned
    down (``flag_spans``) is the most similar to, at least ``floor`` (``similar(phrase)``: each
    stretch's similarity to the member, lower case, in order; the first of equals)."""
    spans = flag_spans(words)

    def mark(function: Mapping[str, Any], name: str, schema: Mapping[str, Any]) -> dict[str, Any] | None:
        members = schema.get("enum") or []
        if not lettered_choices(members) or is_flag(schema) or named_members(schema, words):
            return None
        called = called_words(str(function.get("name", "")))
        best, meant = floor, None
        for member in members:
            said = set(re.findall(r"[a-z]+", member.lower()))
            if said & called or {w[:-1] for w in said if w.endswith("s")} & called:
                continue
            near = _nearest(spans, similar, member.lower())
            if near >= best and (meant is None or near > best):
                best, meant = near, member
        return None if meant is None else {**schema, MEANT_MEMBER: meant}

    return _optionals_marked(functions, mark)


def lists_given(function: Mapping[str, Any], words: str, similar: Callable[[str], Sequence[float]],
                floor: float = MEMBER_MEANING) -> bool:
    """Whether the user's ``words`` name (``bfcl_grammar.named_members``) or mean (a stretch not
    turned down, ``flag_spans``, at least ``floor`` similar to it; ``similar`` as for
    ``meant_members``) a member of each of a function's required lists of a catalogue's members
    (an ``array`` whose items are two or more strings with a letter, in an ``enum``). Such a list
    is the user's choice; the catalogue cannot make it for them: ``hotel_search.find_hotels(amenities=[...])``,
    whose members are Breakfast, Fitness Centre, Free Wi-Fi and Parking, is not called for "a
    yoga retreat that includes vegetarian meals and spa services". A function it is not is not called."""
    spans = None
    for _, schema in _required(function):
        items = schema.get("items") or {}
        members = (items.get("enum") or []) if schema.get("type") == "array" and isinstance(items, Mapping) else []
        if not lettered_choices(members) or named_members(items, words):
            continue
        spans = flag_spans(words) if spans is None else spans
        if not any(_nearest(spans, similar, member.lower()) >= floor for member in members):
            return False
    return True


def _nearest(spans: Sequence[tuple[str, bool]], similar: Callable[[str], Sequence[float]], phrase: str) -> float:
    """The most similarity to ``phrase`` of a stretch (``flag_spans``) not turned down; -1 with none."""
    return max((s for (_, negated), s in zip(spans, similar(phrase)) if not negated), default=-1.0)


def _optionals_marked(functions: Sequence[Mapping[str, Any]],
                      mark: Callable[[Mapping[str, Any], str, Mapping[str, Any]], dict[str, Any] | None],
                      also_required: bool = False) -> list[dict[str, Any]]:
    """The functions again, each optional parameter's schema (each required one's too, under
    ``also_required``) replaced by ``mark(function, name, schema)`` where that is not ``None``;
    the functions given are not changed."""
    out = []
    for function in functions:
        params = function.get("parameters") or {}
        props = dict(params.get("properties") or {})
        required = set(params.get("required") or ()) if not also_required else set()
        for name, schema in list(props.items()):
            marked = mark(function, name, schema) if name not in required and isinstance(schema, Mapping) else None
            if marked is not None:
                props[name] = marked
        out.append(dict(function, parameters=dict(params, properties=props)) if params else dict(function))
    return out


def _earlier(date: tuple[int | None, int, int], other: tuple[int | None, int, int]) -> bool:
    """Whether one date the words give, (year, month, day), comes before another: by month and
    day where either has no year."""
    if date[0] is None or other[0] is None:
        return date[1:] < other[1:]
    return date < other


def _place_leaves(value: Any, schema: Mapping[str, Any], words: str, starts: set[int], ends: set[int],
                  numbers: Sequence[tuple[int, int, tuple[int | float, ...]]]) -> list[tuple[Any, list[tuple[int, int]]]]:
    """The values inside one argument that take places in the user's words, each with its places
    (start and end in the words); a code the words name takes none: it is not written there."""
    if isinstance(value, bool) or value is None or named_code(schema, words) is not None:
        return []
    if schema.get("enum"):
        named = isinstance(value, str) and any(c.isalpha() for c in value)
        places = member_places(schema, value, words) if named else []
        return [(value, places)] if places else []
    if isinstance(value, list):
        items = schema.get("items") or {}
        return [leaf for v in value for leaf in _place_leaves(v, items, words, starts, ends, numbers)]
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        return [leaf for k, v in value.items() for leaf in _place_leaves(v, props.get(k) or {}, words, starts, ends, numbers)]
    places: list[tuple[int, int]] = []
    if isinstance(value, str) and value:
        places = _span_places(value, words, starts, ends)
        head = _region_head(value, schema) if not places else None
        if head is not None:  # "Portland, OR": the place of the span the user wrote, "Portland"
            places = _span_places(head, words, starts, ends)
    elif isinstance(value, (int, float)):
        places = [(start, end) for start, end, values in numbers if abs(value) in values]
    return [(value, places)] if places else []


REGION_AT_END = re.compile(f"(?:{REGION})$")


def _region_head(value: str, schema: Mapping[str, Any]) -> str | None:
    """What precedes a region at the end of a string value ("Portland" of "Portland, OR"), where
    the parameter's description shows a place format ('City, State'); else ``None``."""
    region = REGION_AT_END.search(value) if formats(str(schema.get("description", "")))[0] else None
    return value[:region.start()] if region is not None and region.start() > 0 else None


# A word that names something (``places_unnamed``): written with a capital, where no sentence
# opens, and neither "I" nor a function word; or written in capitals ("NYC").
NAME_WORD = re.compile(r"[A-Za-z][\w'-]*")
SENTENCE_OPENS = frozenset(".!?:;\n\"'")


def _names_something(words: str, start: int, end: int) -> bool:
    """Whether ``words[start:end]`` holds a word that names something (NAME_WORD's comment)."""
    for m in NAME_WORD.finditer(words, start, end):
        word, before = m.group(), words[:m.start()].rstrip()
        if len(word) >= 2 and word.isupper():
            return True
        if word[0].isupper() and word != "I" and word.lower() not in FUNCTION_WORDS and before and before[-1] not in SENTENCE_OPENS:
            return True
    return False


# People named by their relation to the user: no place ("Mom, CA" for "send to Mom an Email").
RELATIONS = frozenset("""mom mum mommy mummy mother dad daddy father grandma grandmother grandpa grandfather sister brother
    aunt uncle wife husband son daughter""".split())


def names_no_place(span: str) -> bool:
    """Whether a span of the user's words that a region follows is no place whatever its capitals:
    a date ("March 13th", ``bfcl_grammar.DATE_FORMS``) or a person named by relation
    (``RELATIONS``: "Mom")."""
    return span.lower() in RELATIONS or any(form.fullmatch(span) for form in DATE_FORMS)


def places_unnamed(output: str, functions: Sequence[Mapping[str, Any]], words: str) -> str | None:
    """The first value of a Python answer's calls that adds a region the user did not write
    (``bfcl_grammar.REGION``, where the parameter's description shows the format 'City, State')
    to a span of their words that names nothing: no word written with a capital where no sentence
    opens other than "I" and the function words, and none in capitals; or to a date or a person
    named by relation (``names_no_place``). "I, Australia", "a unisex salon, California", "to
    find a train, I Am Trains", "March 13th, XXX" and "Mom, CA" are no places; "Boston, MA" and
    "NYC, NY" are. Of BFCL's accepted answers, every one of the 33 such values the words can give names
    something as BFCL writes it; BFCL compares strings without case, so "berkeley, CA" for a user
    who writes "berkeley" is turned away though it would pass. ``None`` when every value is a
    place or no place, or the answer is no calls."""
    calls = _calls(output)
    known = {f["name"]: f for f in functions}
    starts, ends = _piece_bounds(words)

    def unnamed(value: Any, schema: Mapping[str, Any]) -> str | None:
        if isinstance(value, list):
            return next((u for v in value if (u := unnamed(v, schema.get("items") or {})) is not None), None)
        if isinstance(value, dict):
            props = schema.get("properties") or {}
            return next((u for k, v in value.items() if (u := unnamed(v, props.get(k) or {})) is not None), None)
        head = _region_head(value, schema) if isinstance(value, str) and not schema.get("enum") else None
        if head is None or _span_places(value, words, starts, ends):
            return None
        places = _span_places(head, words, starts, ends)
        return value if places and (names_no_place(head) or not any(_names_something(words, a, b) for a, b in places)) else None

    for name, args in calls or []:
        props = ((known.get(name) or {}).get("parameters") or {}).get("properties") or {}
        found = next((u for arg, v in args.items() if (u := unnamed(v, props.get(arg) or {})) is not None), None)
        if found is not None:
            return found
    return None


def places_repeated(output: str, functions: Sequence[Mapping[str, Any]], words: str) -> list[tuple[str, str, str]] | None:
    """The place arguments of a Python answer's calls (top-level strings whose parameter's
    description shows the format 'City, State') that give a span of the user's words a region
    repeating it, where the words write that span after a comma, as a region of a place of their
    own: "India, India" for "in Hyderabad, India", "Australia, Australia" for "to Sydney,
    Australia". Each as (function, parameter, value); ``None`` where the answer is no calls. A
    place the user writes so ("New York, New York") is theirs, and one whose words write no
    comma before it is left alone."""
    calls = _calls(output)
    if calls is None:
        return None
    known = {f["name"]: f for f in functions}
    found = []
    for name, args in calls:
        props = ((known.get(name) or {}).get("parameters") or {}).get("properties") or {}
        for arg, value in args.items():
            head = _region_head(value, props.get(arg) or {}) if isinstance(value, str) and not (props.get(arg) or {}).get("enum") else None
            region = value[len(head):].lstrip(", ") if head is not None else ""
            if (head and head.lower() == region.lower() and value.lower() not in words.lower()
                    and re.search(r",\s*" + re.escape(region) + r"(?![\w])", words, re.IGNORECASE)):
                found.append((name, arg, value))
    return found


def places_written(functions: Sequence[Mapping[str, Any]], repeated: Sequence[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """``functions`` with each place parameter of ``repeated`` (``places_repeated``) held to the
    places the user's words write whole, with a comma inside ("Hyderabad, India";
    ``bfcl_grammar.WRITTEN_PLACE``): no region is added to a span of them."""
    held = {(name, arg) for name, arg, _ in repeated}
    return _optionals_marked(functions, lambda f, name, schema: {**schema, WRITTEN_PLACE: True} if (f["name"], name) in held else None,
                             also_required=True)


def empty_required(output: str, functions: Sequence[Mapping[str, Any]]) -> str | None:
    """Which required argument a Python answer's calls give an empty list, dict or string
    ("get_response gives intents nothing"), or ``None``. A call that needs items the user never
    gave is no call: ``get_response(url=..., intents=[])`` for "the following intents" that never
    follow. Of BFCL's accepted answers one required argument is empty (a chess board in
    parallel_multiple_52); the model wrote 27 such calls, none right (docs/benchmarks.md)."""
    known = {f["name"]: f for f in functions}
    for name, args in _calls(output) or []:
        required = ((known.get(name) or {}).get("parameters") or {}).get("required") or ()
        empty = next((arg for arg, value in args.items() if arg in required and isinstance(value, (list, dict, str)) and not value), None)
        if empty is not None:
            return f"{name} gives {empty} nothing"
    return None


def _piece_bounds(words: str) -> tuple[set[int], set[int]]:
    """Where the pieces of the user's words (``bfcl_grammar.PIECE``) start, and where they end."""
    pieces = [(m.start(), m.end()) for m in PIECE.finditer(words)]
    return {a for a, _ in pieces}, {b for _, b in pieces}


ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date_places(value: str, schema: Mapping[str, Any], words: str) -> list[tuple[int, int]]:
    """Where the user's words give the date and time a string value writes in a format its
    description shows (``formats``), or as an ISO date: each date the words write
    (``DATE_FORMS``) that the format, given it alone, writes as ``value`` (``shape_literals``),
    and with a format that holds a time, each time they write so (``TIME_FORMS``):
    "2024-11-01T16:00:00" stands on "November 1, 2024" and on "4:00 PM", so no other argument
    may take "2024" from them; the words between stay free ("20/3/2024, Bang Kruai District,
    time 9:00")."""
    shapes = tuple(shape for shape in formats(schema.get("description", ""))[1] if shape_readings(shape))
    if not shapes and ISO_DATE.fullmatch(value):
        shapes = ("YYYY-MM-DD",)
    if not shapes or not any(c.isdigit() for c in value):
        return []
    fields = {kind for shape in shapes for reading in shape_readings(shape) for kind, _ in reading}

    def given(forms: Sequence[re.Pattern[str]], read: Any) -> list[tuple[int, int]]:
        return sorted({m.span() for form in forms for m in form.finditer(words)
                       if read(m.group(0)) and re.fullmatch(shape_literals(shapes, m.group(0)), repr(value))})

    return (given(DATE_FORMS, user_dates) if "M" in fields else []) + (given(TIME_FORMS, user_times) if "H" in fields else [])


def _span_places(value: str, words: str, starts: set[int], ends: set[int]) -> list[tuple[int, int]]:
    """Where the user's words hold ``value`` as a span, piece to piece (start, end)."""
    return [(at, at + len(value)) for at in _occurrences(value, words) if at in starts and at + len(value) in ends]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


PLACING_STEPS = 100_000  # the most choices ``_placed`` tries before it lets a call pass


def _placed(options: Sequence[Sequence[tuple[int, int]]]) -> bool:
    """Whether each value can take one of its places, no two taken places overlapping
    (``options``: each value's places); depth-first, the values with fewest places first. A call
    whose choices run past PLACING_STEPS passes: the review turns answers away only on proof."""
    order = sorted(options, key=len)
    taken: list[tuple[int, int]] = []
    steps = 0

    def place(k: int) -> bool:
        nonlocal steps
        if k == len(order):
            return True
        for where in order[k]:
            steps += 1
            if steps > PLACING_STEPS:
                return True
            if not any(_overlap(where, other) for other in taken):
                taken.append(where)
                if place(k + 1):
                    return True
                taken.pop()
        return False

    return place(0)


def _required(function: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """A function's required parameters, each with its schema (``{}`` where it has none)."""
    params = function.get("parameters") or {}
    props = params.get("properties") or {}
    return [(name, props.get(name) or {}) for name in params.get("required") or ()]


def given(function: Mapping[str, Any], words: str) -> bool:
    """Whether the user's words give what a function's required parameters need (``--values
    grounded``): its numbers (``numbers_given``), URLs (``urls_given``), a day for a date
    (``dates_given``), a time of day (``times_given``), a code named (``codes_given``), and no
    person asked for in its person's name (``person_given``). A function they do not is not called."""
    return (numbers_given(function, words) and urls_given(function, words) and dates_given(function, words)
            and times_given(function, words) and codes_given(function, words) and person_given(function, words))


def codes_given(function: Mapping[str, Any], words: str) -> bool:
    """Whether the user's words name a code for each of a function's required numbers whose
    description gives codes for names (``bfcl_grammar.codes``, outside an enum): such a number is
    a code, not a quantity the words give, and another number of theirs is no value for it
    (``getDataForProfessional(province_id=25)`` for "between 25 and 35 years old", where the
    description gives 1 for Bangkok, 2 for Chiang Mai, ...). ``bfcl_grammar.named_code``."""
    return not any(schema.get("type") in ("integer", "float", "number") and not schema.get("enum") and codes(schema.get("description", ""))
                   and named_code(schema, words) is None for _, schema in _required(function))


def dates_given(function: Mapping[str, Any], words: str) -> bool:
    """Whether the user's words say anything of a day (``bfcl_grammar.days_named``) where a
    function has a required ``string`` parameter whose description shows a date format with a
    year (``bfcl_grammar.dated_shapes``): ``Trains_1_FindTrains(date_of_journey=...)`` is not
    called for "I want to find a train", where any date would be made up. One whose description
    shows a time format without a date too (``bfcl_grammar.timed_shapes``: "'YYYY-MM-DD HH:MM:SS',
    'HH:MM:SS', 'HH:MM'") takes a time alone, which ``times_given`` asks for: ``set_alarm`` is
    called for "set an alarm for 11 PM"."""
    return not any(dated_shapes(schema) and not timed_shapes(schema) for _, schema in _required(function)) or days_named(words)


def times_given(function: Mapping[str, Any], words: str) -> bool:
    """Whether the user's words give a time of day (``bfcl_grammar.user_times``) where a function
    has a required ``string`` parameter whose description shows a time format without a date
    (``bfcl_grammar.timed_shapes``): ``RentalCars_3_ReserveCar(pickup_time=...)`` is not called
    for "I need a car from Monday next week", where any time would be made up."""
    return not any(timed_shapes(schema) for _, schema in _required(function)) or bool(user_times(words))


# A question that asks who did something or who is the one that did ("Who won the NBA MVP in
# 2020?", "Who was the winner of ...?"), not who a named person is ("Who is Lebron James?").
ASKS_WHO = re.compile(r"(?i)^\W*who(?:(?:'s|\s+(?:is|was|are|were|will\s+be))\s+(?:the|a|an)\b|\s+(?!is\b|was\b|are\b|were\b|will\b|'s\b)[a-z]+)")
# The words that make a parameter's name or description one of a person: a string named ``name``
# or ``..._name`` (or one of these words) whose name or description says one of these words.
PERSON_WORDS = re.compile(r"(?i)\b(?:player|person|people|artist|author|composer|celebrity|athlete|actor|actress|director|singer|musician"
                          r"|scientist|inventor|president|king|queen|winner|discoverer)s?\b")


def person_given(function: Mapping[str, Any], words: str) -> bool:
    """Whether a function can be called where the user's words ask who someone is (``ASKS_WHO``):
    not if it has a required string parameter for that person's name (``PERSON_WORDS``), which
    the question asks for rather than gives: ``sports_stats.get_player_stats(player_name=...)``
    is not called for "Who won the NBA Most Valuable Player in 2020?" (the model wrote
    ``player_name="NBA"``). Other questions, and other functions, as before."""
    if not ASKS_WHO.search(words):
        return True
    for name, schema in _required(function):
        said = " ".join(name_parts(name)).lower()
        if (schema.get("type") == "string" and not schema.get("enum") and (said == "name" or said.endswith(" name") or PERSON_WORDS.fullmatch(said))
                and PERSON_WORDS.search(said + " " + str(schema.get("description", "")))):
            return False
    return True


def urls_given(function: Mapping[str, Any], words: str) -> bool:
    """Whether the user's words write a URL (``bfcl_grammar.user_urls``) where a function has a
    required URL parameter (``bfcl_grammar.url_param``): ``requests.get(url=...)`` is not called
    for "the address for latitude 37.4224764 using the Geocoding API"."""
    return not any(url_param(name, schema) for name, schema in _required(function)) or bool(user_urls(words))


def required_numbers(function: Mapping[str, Any], words: str | None = None) -> list[str]:
    """The types (``integer``, ``float``, ``number``) of a function's required number parameters
    outside an enum (and, given the user's ``words``, without a code they name:
    ``bfcl_grammar.named_code``): the numbers a call of it needs from the user's words."""
    kinds = [schema.get("type") for name, schema in _required(function)
             if not schema.get("enum") and (words is None or (named_code(schema, words) is None and not starts_still(name, words)))]
    return [kind for kind in kinds if kind in ("integer", "float", "number")]


def _call_nodes(source: str) -> list[ast.Call] | None:
    """The calls of a Python answer's list as parsed (``source`` stripped), or ``None`` when it
    is not a list of calls."""
    try:
        tree = ast.parse(source, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # not Python (a null byte, nesting past the parser's)
        return None
    if not isinstance(tree, ast.List) or not all(isinstance(c, ast.Call) for c in tree.elts):
        return None
    return [c for c in tree.elts if isinstance(c, ast.Call)]


def _calls(output: str) -> list[tuple[str, dict[str, Any]]] | None:
    """A Python answer's calls as (function name, arguments), or ``None`` when it does not parse
    as a list of calls with literal keyword arguments."""
    nodes = _call_nodes(output.strip())
    if nodes is None:
        return None
    calls = []
    for call in nodes:
        try:
            calls.append((ast.unparse(call.func), {str(k.arg): ast.literal_eval(k.value) for k in call.keywords}))
        except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):  # not a literal: no values to place
            return None
    return calls


def call_texts(output: str) -> list[str] | None:
    """Each call of a Python answer as written in it (``[f(a=1), g(b="x")]`` -> ``f(a=1)``,
    ``g(b="x")``), or ``None`` when it is not a list of calls."""
    source = output.strip()
    nodes = _call_nodes(source)
    return None if nodes is None else [str(ast.get_source_segment(source, call)) for call in nodes]


def string_values(output: str) -> list[tuple[str, int, int]] | None:
    """Each string literal a Python answer's calls give as a keyword argument's value or inside
    one (a list's item, a dict's value; not a dict's key, which the schema names), as (argument,
    start, end): its place in ``output``, quotes included, in the order written. ``None`` when
    it is not a list of calls."""
    source = output.strip()
    nodes = _call_nodes(source)
    if nodes is None:
        return None
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, column: int) -> int:  # ast's columns count UTF-8 bytes
        return len(output) - len(output.lstrip()) + starts[line - 1] + len(lines[line - 1].encode()[:column].decode(errors="ignore"))

    found = []
    for call in nodes:
        for k in call.keywords:
            keys = {id(key) for node in ast.walk(k.value) if isinstance(node, ast.Dict) for key in node.keys}
            found += [(str(k.arg), offset(node.lineno, node.col_offset), offset(node.end_lineno or node.lineno, node.end_col_offset or 0))
                      for node in ast.walk(k.value) if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in keys]
    return sorted(found, key=lambda place: place[1])


def value_tokens(output: str, placed: Sequence[tuple[int, int, float]]) -> list[tuple[str, str, float]]:
    """The tokens of a Python answer's string arguments (``string_values``) as (argument, value
    as written, log p). ``placed``: the answer's tokens as (start, end, log p)
    (``relevance.placed_logprobs``); a token counts for a value when it lies inside the value's
    quotes or on them."""
    return [(name, output[start:end], logprob) for name, start, end in string_values(output) or []
            for a, b, logprob in placed if start <= a < b <= end]


def doubted(output: str, placed: Sequence[tuple[int, int, float]], doubt_nats: float = DOUBT_NATS) -> tuple[str, str, float] | None:
    """The string argument of a Python answer that holds its least likely token, where that
    token's log-probability is under ``-doubt_nats``: (argument, value as written, log p)
    (``value_tokens``); else ``None``."""
    worst = min(value_tokens(output, placed), key=lambda t: t[2], default=None)
    return worst if worst is not None and worst[2] < -doubt_nats else None


def numbers_left(output: str, words: str) -> int | None:
    """How many places of the user's ``words`` that give a number (``number_places``) no call of
    a Python answer has used: a place is used when a call writes one of its numbers (either
    sign, at any depth) or quotes words that hold it (``"192.168.0.10"``, ``"C6H12O6"``).
    ``None`` when the answer does not parse as calls."""
    places = _number_places_left(output, words)
    return None if places is None else len(places)


def digits_left(output: str, words: str) -> int | None:
    """``numbers_left`` counting only the places written with a digit ("10 seconds", not "three
    circles": a number word more often counts the calls than fills one) and not as an exponent
    ("m/s^2", "x^3": part of a unit or a formula). ``None`` when the answer does not parse as calls."""
    places = _digit_places_left(output, words)
    return None if places is None else len(places)


def _digit_places_left(output: str, words: str) -> list[tuple[int, int]] | None:
    """The places of ``digits_left``; ``None`` when the answer does not parse as calls."""
    places = _number_places_left(output, words)
    return None if places is None else [(start, end) for start, end in places
                                        if any(c.isdigit() for c in words[start:end]) and words[start - 1:start] != "^"]


def on_numbers_left(functions: Sequence[Mapping[str, Any]], output: str, words: str) -> list[dict[str, Any]] | None:
    """The ``functions`` for a call more that takes a number the user's ``words`` give in digits
    and no call of ``output`` has used (``digits_left``): for each required number parameter
    (``integer``, ``float``, ``number``) a copy of its function whose value for it is one of
    those numbers (grounded in the words with every other number's place blanked,
    ``bfcl_grammar.OWN_WORDS``), the others as they were. A list of calls of these copies takes
    at least one number left: "a short term capital gains of $15000, long term gains of $25000
    in the state of California and $20000 short term, $50000 long term in Florida" answered for
    California has left 20000 and 50000, and its call more may not write 15000 and 25000 again.
    A parameter with words of its own already (``apart``) or one the user counts
    (``bfcl_grammar.counted_number``: "2 adults") is left as it was, and no copy is made where none
    of those numbers is of its kind. ``None`` when the answer does not parse as calls, no digit
    is left, or no function has such a parameter."""
    if not _digit_places_left(output, words):
        return None
    less = _numbers_only_at(words, _digit_places_left(output, words) or [])  # the places written in digits no call used
    out = []
    for function in functions:
        params = function.get("parameters") or {}
        props = params.get("properties") or {}
        for name in params.get("required") or ():
            schema = props.get(name) or {}
            kind = schema.get("type")
            if (kind not in NUMBER_KINDS or schema.get("enum") or OWN_WORDS in schema or counted_number(name, schema, words) is not None
                    or grounded_number(kind, less) is None):
                continue
            out.append(dict(function, parameters=dict(params, properties={**props, name: {**schema, OWN_WORDS: less}})))
    return out or None


def _number_places_left(output: str, words: str) -> list[tuple[int, int]] | None:
    """The places (start, end) of ``numbers_left``; ``None`` when the answer does not parse as calls."""
    calls = _calls(output)
    if calls is None:
        return None
    numbers: set[float] = set()
    covered: list[tuple[int, int]] = []
    for _, args in calls:
        for value in _leaves(list(args.values())):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                numbers.add(abs(value))
            elif isinstance(value, str) and value:
                covered += [(at, at + len(value)) for at in _occurrences(value, words)]
    return [(start, end) for start, end, values in number_places(words)
            if not any(v in numbers for v in values) and not any(a <= start and end <= b for a, b in covered)]


# A name the user's words join to a quoted one: "Boston and San Francisco", "Boston, MA and also
# for San Francisco", "Paris or Bordeaux" (a state or country code may come between).
JOINED = re.compile(r"(?:, [A-Z]{2,3}\b)?,? (?:and|or) (?:also )?(?:(?:in|for|at|of) )?([A-Z][\w.'-]*(?: [A-Z][\w.'-]*)*)")


def names_left(output: str, words: str) -> list[str] | None:
    """The names the user's ``words`` join to a name a call of a Python answer quotes ("the
    weather in Boston and San Francisco", ``JOINED``; a name with a region added, "Boston, MA", as
    the words hold it, "Boston") whose first word no call quotes, a possessive's "'s" aside
    ("in Berlin and Madrid's music stores": "Madrid"): what the answer has left out.
    ``None`` when the answer does not parse as calls."""
    calls = _calls(output)
    if calls is None:
        return None
    quoted = [v for _, args in calls for v in _leaves(list(args.values())) if isinstance(v, str) and v]
    left: list[str] = []
    for value in dict.fromkeys(part for v in quoted if v[0].isupper() for part in (v, v.split(", ")[0])):  # "Boston, MA": also "Boston"
        for at in _occurrences(value, words):
            joined = JOINED.match(words, at + len(value))
            name = re.sub(r"'s$", "", joined.group(1)) if joined else ""  # "Madrid's music stores": "Madrid"
            first = name.split()[0].rstrip(".") if joined else ""  # "Salem." of "in Boston and Salem.": "Salem"
            if joined and not any(first in q for q in quoted) and name not in left:
                left.append(name)
    return left


# A name in the user's words: a run of capitalised words ("Magna Carta", "San Diego", "Apple's").
NAME = re.compile(r"(?<![\w'])[A-Z][\w&-]*(?:'s)?(?: [A-Z][\w&-]*(?:'s)?)*")
# Capitalised words that name no one: months, weekdays, words that open a clause.
NOT_NAMES = frozenset("January February March April May June July August September October November December Monday Tuesday "
                      "Wednesday Thursday Friday Saturday Sunday Also Then And Or But I I'm I'd I've Can Could Please What Who "
                      "How".split())
# Words that ask for another answer about another name: "What was the Treaty of Paris about? Also, what
# was the importance of Magna Carta", "another one in San Diego" (MORE_CALLS less "all": "all
# Patent lawsuit cases" asks for one answer).
ANOTHER_NAME = re.compile(r"(?i)\b(also|same|another|second|each|both|as well|repeat|then)\b")
# Words that join a name to what comes before it: "and", then only articles and prepositions
# ("and between Los Angeles", "and the Louvre Museum", "and in New York").
AND_BEFORE = re.compile(r"(?i)\band\s+(?:(?:the|a|an|between|in|for|at|from|to|of|on|near|with|by)\s+)*$")


def names_unused(output: str, words: str, functions: Sequence[Mapping[str, Any]], joined: bool = False,
                 examples: bool = True) -> list[str] | None:
    """The names (``NAME``) of the user's ``words`` that a Python answer's calls leave out, each
    time the words hold one: not a sentence's first word, not in parentheses (another name of
    something written: "C6H12O6 (Glucose)"), and with its words that name no one (``NOT_NAMES``,
    single letters, codes of three capitals or fewer: "CA", "ID") taken out; left out when its
    first word is in no string a call writes and in no function's document
    (``relevance.document_words``: "Celsius" from an ``enum``). ``joined``: only names the words
    join on with "and" (``AND_BEFORE``: "between New York and Washington DC, and between Los
    Angeles and San Francisco"). ``examples=False``: the places a parameter's description shows
    by example (``bfcl_grammar.place_examples``: "The city and state, e.g. Los Angeles, CA") are
    not the document's words; the user who names Los Angeles names a value, as anyone would.
    ``None`` when the answer does not parse as calls."""
    from ltlagent.agents.relevance import document_words

    calls = _calls(output)
    if calls is None:
        return None
    written = " ".join(v for _, args in calls for v in _leaves(list(args.values())) if isinstance(v, str)).lower()
    documented = set().union(*(document_words(f if examples else without_place_examples(f)) for f in functions))
    left = []
    for found in NAME.finditer(words):
        before = words[:found.start()]
        if before.count("(") > before.count(")") or (joined and not AND_BEFORE.search(before)):  # in parentheses, or not joined on
            continue
        parts = found.group().split()
        if not before.rstrip() or before.rstrip()[-1] in '.?!:"\n':  # a sentence's first word is capitalised whatever it is
            parts = parts[1:]
        parts = [p for p in parts if p not in NOT_NAMES and len(p) > 1 and not (p.isupper() and len(p) <= 3)]
        first = parts[0].removesuffix("'s").lower() if parts else ""
        if first and first not in written and first not in documented:
            left.append(" ".join(parts))
    return left


def without_place_examples(function: Mapping[str, Any]) -> dict[str, Any]:
    """``function`` with the places its parameters' descriptions show by example
    (``bfcl_grammar.place_examples``) taken out of those descriptions, nested ones included."""
    def strip(node: Any) -> Any:
        if isinstance(node, Mapping):
            out = {k: strip(v) for k, v in node.items()}
            if isinstance(out.get("description"), str):
                for example in place_examples(out["description"]):
                    out["description"] = out["description"].replace(example, " ")
            return out
        return [strip(v) for v in node] if isinstance(node, list) else node

    return dict(function, parameters=strip(function.get("parameters") or {}))


# An optional argument the answer leaves out while the user names its value ("a Family movie
# directed by Herbert Ross that features Betsy Widhalm" answered without ``cast``): a name no
# call writes (``names_unused``), and a called function with an optional string parameter the
# call leaves out (``open_parameters``). The answer is decoded again with one of those names as a
# whole string value (``bfcl_spec(uses=...)``) and kept where it writes every argument it wrote,
# one more, and leaves fewer names. A parameter named for a date, time, address, key or
# identifier is not open (a name is none of those), nor one with an ``enum`` or a format. Not a
# name for an argument (``names_for_arguments``): a month or weekday, even abbreviated ("Jan
# 28"); a called function's own name ("store BoardGameGeek" for ``BoardGameGeek.recommend``) or
# one longer ("PostgreSQL" for ``add_postgres_server``); a name after a comma that follows a
# value the answer writes ("New Delhi, India"); a name whose initials a value writes ("New York"
# beside "Central Park, NY"); a name that describes the next word, a word of
# the functions' documents that names no open parameter ("Comic genre", "Cartoon movies"; not
# "the Salam album" for ``album``); a verb before its object ("Find his contact", "Find a
# selection"); a code in the plural ("IDs").
CLOSED_PARAMETER_WORDS = frozenset("date time day days url uri link key token password path id ids".split())
OBJECT_WORDS = frozenset("a an the his her their my your our its some something any all this that these those me us him them".split())
MONTH_OR_DAY = re.compile(r"(?i)(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*|(mon|tues?|wed(nes)?|thu(rs)?|fri|sat(ur)?|sun)(day)?")


def open_parameters(output: str, functions: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """The (function, parameter) pairs of a Python answer's calls that could take a name the call
    leaves out: optional string parameters the call does not write, without an ``enum`` or a
    format its description shows (``formats``), none of whose words is in
    CLOSED_PARAMETER_WORDS; none when the answer does not parse as calls."""
    known = {f["name"]: f for f in functions}
    out = []
    for name, args in _calls(output) or []:
        params = (known.get(name) or {}).get("parameters") or {}
        required = set(params.get("required") or ())
        for param, schema in (params.get("properties") or {}).items():
            if (param in required or param in args or schema.get("type") != "string" or schema.get("enum")
                    or any(formats(str(schema.get("description", ""))))
                    or {w.lower() for w in name_parts(param)} & CLOSED_PARAMETER_WORDS):
                continue
            out.append((name, param))
    return out


def names_for_arguments(output: str, words: str, functions: Sequence[Mapping[str, Any]]) -> list[str] | None:
    """The names of the user's ``words`` an argument of the answer's calls could take: the ones
    ``names_unused`` finds, less months and weekdays, the called functions' own names, a name
    after a comma that follows a value the answer writes, a name of several words whose
    initials a value writes ("New York" beside "Central Park, NY"), a name before a word of
    the called functions' documents that names no ``open_parameters``, a name before an object
    (OBJECT_WORDS), a plural code, a function word ("Dear John, The project") and names
    holding a quote or backslash; ``None`` when the answer does not parse as calls."""
    from ltlagent.agents.relevance import document_words

    calls = _calls(output)
    left = names_unused(output, words, functions)
    if calls is None or left is None:
        return None
    called = [f for f in functions if any(f["name"] == name for name, _ in calls)]
    pieces = {p.lower() for f in called for p in re.split(r"[._]", f["name"]) if p}
    pieces |= {w.lower() for f in called for w in name_parts(f["name"])}
    documented = set().union(*(document_words(f) for f in called)) if called else set()
    opened = {w.lower() for _, param in open_parameters(output, functions) for w in name_parts(param)}
    written = [v for _, args in calls for v in _leaves(list(args.values())) if isinstance(v, str) and v]
    out = []
    for name in left:
        first = name.split()[0].removesuffix("'s").lower()
        initials = "".join(w[0] for w in name.split()) if len(name.split()) > 1 else ""
        if (any(MONTH_OR_DAY.fullmatch(w) for w in name.split()) or re.fullmatch(r"[A-Z]{2,}s", name) or set(name) & {"'", '"', "\\"} or name.lower() in FUNCTION_WORDS
                or (initials and any(re.search(rf"(?<!\w){re.escape(initials)}(?!\w)", v) for v in written))
                or any(first == p or (len(p) >= 4 and first.startswith(p)) for p in pieces)):
            continue
        places = [m.start() for m in re.finditer(r"(?<![\w'])" + re.escape(name) + r"(?![\w'])", words)]
        after = [re.match(r" ([a-z]+)\b", words[at + len(name):]) for at in places]
        nexts = {m.group(1) for m in after if m}
        if (any(any(words[:at].rstrip().removesuffix(",").rstrip().endswith(v) for v in written) and words[:at].rstrip().endswith(",") for at in places)
                or nexts & OBJECT_WORDS or any(w in documented and w not in opened for w in nexts)):
            continue
        out.append(name)
    return out


LABEL_BEFORE, LABEL_AFTER = 3, 2  # the words either side of a number that can say what it is ("a maximum cost of $50")


def _same_word(a: str, b: str) -> bool:
    """Whether two lower-case words are one word: the same less an ending ("rated" and "rating",
    "decimal" and "decimals"), or one the other's beginning where the shorter has five letters or
    more ("significan" and "significance"); "star" is not "start"."""
    a, b = _stem(a), _stem(b)
    short, long = sorted((a, b), key=len)
    return a == b or (len(short) >= 5 and long.startswith(short))


def _stem(word: str) -> str:
    """``word`` less an ending "ing", "ed", "es" or "s" that leaves three letters or more."""
    for ending in ("ing", "ed", "es", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[:-len(ending)]
    return word


def _marker_or_mantissa(words: str, start: int, end: int) -> bool:
    """Whether the number at ``words[start:end]`` numbers a step ("1. clone the repo", "2.1
    create") or is the mantissa or the exponent of one written in scientific notation ("8.854 x
    10^-12"): no value an argument takes as written."""
    line = words.rfind("\n", 0, start) + 1
    return ((not words[line:start].strip() and re.match(r"[.)]?\s", words[end:]) is not None)
            or re.match(r"\s*(?:x|×|\*)\s*10\s*\^", words[end:]) is not None or re.search(r"\^[-+−]?$", words[:start]) is not None)


def numbers_for_arguments(output: str, words: str, functions: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, tuple[tuple[int, int], ...]]] | None:
    """The optional number parameters of the answer's calls (``integer``, ``float``, ``number``;
    no ``enum``) that a call leaves out and a number of the user's ``words`` no call uses
    (``digits_left``; not part of a date or a time, ``undated``, nor a step's number or
    scientific notation, ``_marker_or_mantissa``) is labelled for. A number's label is the
    LABEL_BEFORE words before it and the LABEL_AFTER after it (``relevance.words``: no common
    word). A parameter's own words are those of its name and those its description uses that
    the function's name and description do not: a word of the function's own ("flight",
    "provider") says what the whole call is about, not one number of it. The label says the
    parameter where one of its own words (``_same_word``) stands nearer the number than any word
    of a number parameter the call writes or requires: "a maximum cost of $50" beside
    ``max_cost``, "a significance level of 0.05" beside ``alpha`` ("The significance level"),
    "rated 3.8" beside ``rating``, but not "fuel efficiency of 25 MPG" beside
    ``efficiency_reduction`` where the call writes ``fuel_efficiency``. As (function, parameter,
    the places of the numbers labelled for it), each pair once; ``None`` when the answer does not
    parse as calls."""
    calls, left = _calls(output), _digit_places_left(output, words)
    if calls is None or left is None:
        return None
    blanked = undated(words)
    left = [(start, end) for start, end in left if blanked[start:end].strip() and not _marker_or_mantissa(words, start, end)]
    known = {f["name"]: f for f in functions}
    labels = _number_labels(words, left)
    out: list[tuple[str, str]] = []
    for name, args in calls:
        function = known.get(name) or {}
        required = set((function.get("parameters") or {}).get("required") or ())
        scores = _label_scores(function, labels)
        for param, score in scores.items():
            if param in required or param in args or any(out_name == name and out_param == param for out_name, out_param, _ in out):
                continue
            # the one parameter the label says best: its word nearest the number, then the most words of its name, then of its
            # own ("rating 2.0" beside ``province_id``, "1 represents Bangkok", in "Bangkok with rating 2.0"; "Round to 3
            # decimals" after "600 at-bats"; "fuel efficiency of 25" is ``fuel_efficiency``'s, not ``efficiency_reduction``'s)
            places = tuple(left[i] for i, mine in enumerate(score)
                           if mine[0] < math.inf and all(mine < other[i] for p, other in scores.items() if p != param))
            if places:
                out.append((name, param, places))
    return out


def _number_labels(words: str, places: Sequence[tuple[int, int]], fences: Sequence[tuple[int, int]] = ()) -> list[list[tuple[int, str]]]:
    """Each number place's label (``numbers_for_arguments``): the words either side of it,
    nearest first, with how far they stand (1 = next to it); with ``fences`` (the places of the
    other numbers), none past the nearest of them on either side."""
    from ltlagent.agents.relevance import words as doc_words

    labels = []
    for start, end in places:
        lo = max((b for a, b in fences if b <= start), default=0)
        hi = min((a for a, b in fences if a >= end), default=len(words))
        labels.append([(i + 1, w.lower()) for i, w in enumerate(reversed(re.findall(r"[A-Za-z]+", words[lo:start])[-LABEL_BEFORE:])) if doc_words(w)]
                      + [(i + 1, w.lower()) for i, w in enumerate(re.findall(r"[A-Za-z]+", words[end:hi])[:LABEL_AFTER]) if doc_words(w)])
    return labels


def _label_scores(function: Mapping[str, Any], labels: Sequence[Sequence[tuple[int, str]]]) -> dict[str, list[tuple[float, int, int]]]:
    """How near, and how much, each label says each number parameter of ``function`` (no
    ``enum``), lower first (``numbers_for_arguments``): its own word nearest the number, then
    the most words of its name, then of its own words."""
    from ltlagent.agents.relevance import words as doc_words

    params = function.get("parameters") or {}
    topic = doc_words(str(function.get("name", "")).replace(".", " ") + " " + str(function.get("description", "")))
    scores: dict[str, list[tuple[float, int, int]]] = {}
    for param, schema in (params.get("properties") or {}).items():
        if not isinstance(schema, Mapping) or schema.get("type") not in NUMBER_KINDS or schema.get("enum"):
            continue
        named = doc_words(" ".join(name_parts(param)))
        own = named | {w for w in doc_words(str(schema.get("description", ""))) if not any(_same_word(w, t) for t in topic)}
        scores[param] = [(min((far for far, w in label if any(_same_word(w, b) for b in own)), default=math.inf),
                          -sum(any(_same_word(w, b) for b in named) for _, w in label), -sum(any(_same_word(w, b) for b in own) for _, w in label))
                         for label in labels]
    return scores


def numbers_swapped(output: str, words: str, functions: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, tuple[tuple[int, int], ...]]] | None:
    """The number arguments of the answer's calls that took each other's numbers: two number
    arguments of one call (``integer``, ``float``, ``number``; no ``enum``), each writing a number
    the user's ``words`` give at one place, where the label of each one's number
    (``numbers_for_arguments``' reading, up to the numbers either side: "short gains of $15000
    and long gains of $25000" labels 15000 short, not long) says the other parameter, of the
    call's number arguments, best. "Pre heat the oven for 36 minutes at 201 degrees" written ``duration=201,
    temperature=36``. BFCL's accepted answers are never read so; with two of an accepted call's
    numbers swapped, 363 of 1,293 such pairs are. As (function, parameter, the places of the numbers
    labelled for it), the places of every call of the function together, and only where each
    call of it swapped some; ``None`` when the answer does not parse as calls."""
    calls = _calls(output)
    if calls is None:
        return None
    known = {f["name"]: f for f in functions}
    places = number_places(words)
    fences = [(start, end) for start, end, _ in places]
    wanted: dict[tuple[str, str], list[tuple[int, int]]] = {}
    unswapped: set[str] = set()  # functions with a call that swapped nothing: grounding them again would bind that call too
    for name, args in calls:
        function = known.get(name) or {}
        props = (function.get("parameters") or {}).get("properties") or {}
        where: dict[str, tuple[int, int]] = {}
        for param, value in args.items():
            schema = props.get(param) or {}
            if (not isinstance(schema, Mapping) or schema.get("type") not in NUMBER_KINDS or schema.get("enum")
                    or isinstance(value, bool) or not isinstance(value, (int, float))):
                continue
            at = [(start, end) for start, end, values in places if value in values or abs(value) in values]
            if len(at) == 1:
                where[param] = at[0]
        best: dict[str, str] = {}
        if len(where) > 1 and len(set(where.values())) == len(where):
            written = list(where)
            scores = _label_scores(function, _number_labels(words, [where[p] for p in written], fences))
            for i, param in enumerate(written):
                mine = {q: scores[q][i] for q in written if q in scores}
                top = min(mine.values(), default=(math.inf, 0, 0))
                winners = [q for q, score in mine.items() if score == top]
                if top[0] < math.inf and len(winners) == 1:
                    best[param] = winners[0]
        swaps = [(param, other) for param, other in best.items() if other != param and best.get(other) == param]
        if not swaps:
            unswapped.add(name)
        for param, other in swaps:  # each takes the other's number
            if where[other] not in wanted.setdefault((name, param), []):
                wanted[(name, param)].append(where[other])
    return [(name, param, tuple(found)) for (name, param), found in wanted.items() if name not in unswapped]


def with_required(functions: Sequence[Mapping[str, Any]], parameters: Sequence[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """``functions`` with each of ``parameters`` ((function, parameter, words)) required, its value
    grounded in those words alone (``bfcl_grammar.OWN_WORDS``): a list of calls of these
    functions writes each, from its own words."""
    out = []
    for function in functions:
        named = {param: words for name, param, words in parameters if name == function["name"]}
        if not named:
            out.append(dict(function))
            continue
        params = function.get("parameters") or {}
        props = dict(params.get("properties") or {})
        for param, words in named.items():
            props[param] = {**props[param], OWN_WORDS: words}
        required = list(params.get("required") or ())
        out.append(dict(function, parameters=dict(params, properties=props, required=required + [p for p in named if p not in required])))
    return out


def numbers_required(parameters: Sequence[tuple[str, str, Sequence[tuple[int, int]]]], words: str) -> list[tuple[str, str, str]]:
    """``with_required``'s parameters for ``numbers_for_arguments``' (function, parameter,
    places): each grounded in the user's ``words`` with every number place but its own blanked."""
    return [(name, param, _numbers_only_at(words, places)) for name, param, places in parameters]


MONTHS = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b")


def when_for_arguments(output: str, words: str, functions: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, tuple[str, ...]]] | None:
    """The optional string parameters a call leaves out that are named for a month or a date (a
    word "month" or "date" in the name, not "range"; no ``enum``, and for a date no date format
    its description shows, which ``bfcl_grammar.dated_option`` writes), with the months (a
    month's name, capitalised: "in December") or dates (``user_dates``' forms, as written: "at
    January 1, 2022") the user's ``words`` give that no string of the answer's calls holds:
    ``month`` beside "in December", ``date`` beside "the rate at January 1, 2022". As
    (function, parameter, phrases), each pair once; ``None`` when the answer does not parse as
    calls."""
    calls = _calls(output)
    if calls is None:
        return None
    known = {f["name"]: f for f in functions}
    written = [v for _, args in calls for v in _leaves(list(args.values())) if isinstance(v, str) and v]
    months = tuple(dict.fromkeys(m.group(0) for m in MONTHS.finditer(words) if not any(m.group(0) in v for v in written)))
    dates = tuple(d for d in date_phrases(words) if not any(d in v for v in written))
    out: list[tuple[str, str, tuple[str, ...]]] = []
    for name, args in calls:
        params = (known.get(name) or {}).get("parameters") or {}
        required = set(params.get("required") or ())
        for param, schema in (params.get("properties") or {}).items():
            if param in required or param in args or schema.get("type") != "string" or schema.get("enum") or any(n == name and p == param for n, p, _ in out):
                continue
            parts = {w.lower() for w in name_parts(param)}
            phrases = (months if "month" in parts else ()) + (dates if "date" in parts and "range" not in parts and not dated_shapes(schema) else ())
            if phrases:
                out.append((name, param, phrases))
    return out


def _numbers_only_at(words: str, kept: Sequence[tuple[int, int]]) -> str:
    """The user's ``words`` with every number place but ``kept`` blanked (``_less``)."""
    return _less(words, [(start, end) for start, end, _ in number_places(words) if (start, end) not in kept])


def takes_names(function: Mapping[str, Any]) -> bool:
    """Whether a call of ``function`` can write a name: it has a string parameter (or a list of
    strings) without an ``enum``, at any depth."""
    def strings(schema: Any) -> bool:
        if not isinstance(schema, Mapping):
            return False
        if schema.get("type") in ("string", "any") and not schema.get("enum"):
            return True
        return strings(schema.get("items")) or any(strings(sub) for sub in (schema.get("properties") or {}).values())
    return strings(function.get("parameters"))


# Numbers the user's words list together: "for 10, 20 and 30 years", "1,5 and 10 years", "in 1980
# and 2016" (a comma, "and" or "or" between two places that give numbers, nothing else), or with
# one unit after each: "for the next 10 years and 20 years" (UNIT_LIST_JOINT, the same word after both).
NUMBER_LIST_JOINT = re.compile(r"\s*(,\s*(and|or)\s+|,\s*|\s+(and|or)\s+)")
UNIT_LIST_JOINT = re.compile(r"\s+([A-Za-z]+)(,\s*(and|or)\s+|,\s*|\s+(and|or)\s+)")
NUMBER_TEXT = re.compile(r"[+-]?\d+(\.\d+)?")  # a string value that is a number: "28473"


def numbers_joined_left(output: str, words: str) -> list[str] | None:
    """The numbers the user's ``words`` list together with a number a call of a Python answer
    writes (``NUMBER_LIST_JOINT`` between each two of the list's places, ``number_places``, or
    ``UNIT_LIST_JOINT`` with the same unit after both), that no call writes, as the words hold
    them: "the present value for 10, 20 and 30 years" answered by one call with ``years=10`` has
    left "20" and "30". A string value that is a number (``case_number="28473"``) writes it.
    ``None`` when the answer does not parse as calls."""
    calls = _calls(output)
    if calls is None:
        return None
    leaves = _leaves([v for _, args in calls for v in args.values()])
    written = {abs(v) for v in leaves if isinstance(v, (int, float)) and not isinstance(v, bool)}
    written |= {abs(float(v)) for v in leaves if isinstance(v, str) and NUMBER_TEXT.fullmatch(v.strip())}
    return [words[start:end] for listed in number_lists(words) if any(written.intersection(v) for _, _, v in listed)
            for start, end, values in listed if not written.intersection(values)]


def number_lists(words: str) -> list[list[tuple[int, int, tuple[int | float, ...]]]]:
    """The user's ``words``' number places (``number_places``) in runs the words list together:
    ``NUMBER_LIST_JOINT`` between each two, or ``UNIT_LIST_JOINT`` with the same unit after
    both ("10, 20 and 30 years", "5 m and 10 m"); a number alone is a run of one."""
    lists: list[list[tuple[int, int, tuple[int | float, ...]]]] = []
    for place in number_places(words):
        between = words[lists[-1][-1][1]:place[0]] if lists else ""
        unit = UNIT_LIST_JOINT.fullmatch(between)
        if lists and (NUMBER_LIST_JOINT.fullmatch(between) or (unit and re.match(rf"\s+{unit[1]}\b", words[place[1]:]))):
            lists[-1].append(place)
        else:
            lists.append([place])
    return lists


RESPECTIVELY = re.compile(r"(?i)\brespectively\b")


def pairs_left(output: str, words: str) -> list[tuple[str, tuple[tuple[str, Any], ...]]] | None:
    """The combinations of listed values that the calls of a Python answer leave out, where the
    user's ``words`` list two or more parameters' values apart: for a function the answer calls
    more than once, each parameter whose calls write two or more different values, all of them
    in one list of the words (``_joined_values``: strings joined by commas, "and" or "or";
    numbers in one of ``number_lists``), a list no other such parameter's values are in. Two such
    parameters or more ask for a call of every combination: "the winning percentage of Lakers
    and Bulls in NBA seasons 2018 and 2020" is four calls, and one answered with Lakers in 2018
    and Bulls in 2020 has left Lakers in 2020 and Bulls in 2018. Each combination left is the
    function's name and its (parameter, value) pairs, in the order of the parameters' names.
    None where the words say "respectively" (they pair the lists), and ``None`` when the answer
    does not parse as calls."""
    calls = _calls(output)
    if calls is None:
        return None
    if RESPECTIVELY.search(words):
        return []
    lists = number_lists(words)
    by_function: dict[str, list[Mapping[str, Any]]] = {}
    for name, args in calls:
        by_function.setdefault(name, []).append(args)
    left: list[tuple[str, tuple[tuple[str, Any], ...]]] = []
    for name, written in by_function.items():
        if len(written) < 2:
            continue
        listed: dict[str, tuple[Any, list[Any]]] = {}  # parameter -> (the list its values are in, its values)
        for parameter in sorted(set().union(*written)):
            values = [args.get(parameter) for args in written]
            distinct = list(dict.fromkeys(json.dumps(v) for v in values if v is not None))
            if len(distinct) < 2 or any(v is None for v in values):
                continue
            which = _joined_values([json.loads(v) for v in distinct], words, lists)
            if which is not None:
                listed[parameter] = (which, [json.loads(v) for v in distinct])
        if len({which for which, _ in listed.values()}) < len(listed):  # two parameters' values in one list: pairs, no grid
            listed = {p: found for p, found in listed.items() if [w for w, _ in listed.values()].count(found[0]) == 1}
        if len(listed) < 2:
            continue
        parameters = list(listed)
        have = {tuple(json.dumps(args[p]) for p in parameters) for args in written}
        for combination in itertools.product(*(listed[p][1] for p in parameters)):
            if tuple(json.dumps(v) for v in combination) not in have:
                left.append((name, tuple(zip(parameters, combination))))
    return left


def on_pairs_left(functions: Sequence[Mapping[str, Any]], pairs: Sequence[tuple[str, tuple[tuple[str, Any], ...]]]) -> list[dict[str, Any]] | None:
    """The functions for a call more that writes one of the combinations ``pairs_left`` found:
    for each, a copy of its function with each of the combination's parameters taking its value
    only (an ``enum`` of one), the others as they were. ``None`` where no combination's function
    is among ``functions``."""
    known = {f["name"]: f for f in functions}
    out = []
    for name, combination in pairs:
        function = known.get(name)
        if function is None:
            continue
        params = function.get("parameters") or {}
        props = dict(params.get("properties") or {})
        for parameter, value in combination:
            props[parameter] = {**(props.get(parameter) or {}), "enum": [value]}
        out.append(dict(function, parameters=dict(params, properties=props)))
    return out or None


def repeated_lists(output: str, words: str) -> dict[str, dict[str, int]] | None:
    """Where a Python answer's call gives a list argument (of scalars) that writes an item of the
    user's ``words`` more times than the words do, the number of items before it, by function and
    parameter (the least over that function's calls): for "make a bass melody with C4, E4, F4,
    G4", ``melody_generator(note_sequence=["C4", "E4", "F4", "G4", "C4", "E4", ...])`` is
    ``{"melody_generator": {"note_sequence": 4}}``. A small model that starts to write a list
    over again seldom stops; none of BFCL's 390 accepted lists of scalars does this (a list of
    data that holds 5 twice, "3, 4, 5, 2, 8, 5", has it twice in the words). A string counts
    where the words write it in any case, a number where they give it (``number_places``); an
    item the words do not give is not counted. ``None`` when the answer does not parse as calls."""
    calls = _calls(output)
    if calls is None:
        return None
    found: dict[str, dict[str, int]] = {}
    given = [values for _, _, values in number_places(words)]
    for name, args in calls:
        for parameter, value in args.items():
            if not isinstance(value, list) or any(isinstance(v, (list, dict)) for v in value):
                continue
            written: Counter[str] = Counter()
            for at, item in enumerate(value):
                written[repr(item)] += 1
                if isinstance(item, bool):
                    continue
                times = (len(_occurrences(item.lower(), words.lower())) if isinstance(item, str) and item
                         else sum(item in values for values in given) if isinstance(item, (int, float)) else 0)
                if 0 < times < written[repr(item)]:
                    found.setdefault(name, {})[parameter] = min(at, found.get(name, {}).get(parameter, at))
                    break
    return found


def numbers_shared(output: str, functions: Sequence[Mapping[str, Any]], words: str) -> list[tuple[int, str]] | None:
    """The optional number arguments of a Python answer's calls, as (call index, parameter), that
    take a number the user's ``words`` give once (``number_places``) which another call takes in
    a required argument: one place of the words is one argument's, across calls as inside one
    (``places_reused``), and the required one keeps it. "The first object is accelerated at 5
    m/s^2 ... The second object is accelerated at 10 m/s^2" answered with
    ``final_velocity(acceleration=5, distance=100, initial_velocity=10)`` beside a call with
    ``acceleration=10``. None of BFCL's accepted answers in the parallel categories gives an
    optional argument such a number. ``None`` when the answer does not parse as calls."""
    calls = _calls(output)
    if calls is None:
        return None
    known = {f["name"]: f for f in functions}

    def required(name: str) -> set[str]:
        return set(((known.get(name) or {}).get("parameters") or {}).get("required") or ())

    def number(value: Any) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    given = [values for _, _, values in number_places(words)]
    return [(i, parameter) for i, (name, args) in enumerate(calls) for parameter, value in args.items()
            if parameter not in required(name) and number(value) and sum(value in values for values in given) == 1
            and any(other in required(then) and number(taken) and taken == value
                    for j, (then, taken_args) in enumerate(calls) if j != i for other, taken in taken_args.items())]


def calls_once(output: str, words: str) -> list[str] | None:
    """The answer's calls as written, each once, in order, where it writes one call more than once
    and the user's ``words`` give no number of times it is written ("two from a normal
    distribution with a mean of 5": ``number_places``, or "twice"): the same call twice asks the
    same thing twice ("order five 'burgers' and six 'chicken wings'" answered with one order
    written twice). ``None`` where nothing is written twice so, or the answer does not parse as
    calls."""
    texts = call_texts(output)
    if not texts:
        return None
    counted = {value for _, _, values in number_places(words) for value in values}
    counted |= {2} if re.search(r"(?i)\btwice\b", words) else set()
    repeated = [text for text, times in Counter(texts).items() if times > 1 and times not in counted]
    return list(dict.fromkeys(texts)) if repeated else None


def _sentence_ends_at(words: str) -> list[int]:
    """Where the sentences of the user's ``words`` end, in order: after each mark that ends one
    (``bfcl_grammar.sentence_ends``: ".", "?" or "!" before a capital), each full stop after a
    number's unit of one letter ("a distance of 600 m. Also ...", which ``sentence_ends`` reads as
    an abbreviation's) and each line break."""
    pieces = [(m.start(), m.end()) for m in PIECE.finditer(words)]
    ends = {b for (_, b), end in zip(pieces, sentence_ends(words, pieces)) if end}
    ends |= {m.end() for m in re.finditer(r"[0-9] ?[a-z]\.(?=[ \t]+[A-Z])", words)}
    return sorted(ends | {m.end() for m in re.finditer("\n", words)})


def calls_mixed(output: str, words: str) -> list[str] | None:
    """The answer's calls as written, less each call that mixes the numbers of sentences other
    calls take apart: its number arguments come from two or more sentences of the user's
    ``words`` (``_sentence_ends_at``; a number given at several places of them is read as from
    none, ``number_places``), and each of them, parameter and value, is written by another call
    of the same function whose numbers all come from one sentence. "On the first day ... 120
    kilometers in 5 hours. On the second day ... 150 kilometers in 6 hours." answered with
    ``(120, 6)``, ``(150, 6)`` and ``(120, 5)``: the first asks what neither day does, and the
    other two ask all the days do. Numbers glued by colons ("3:15, 8:20 and 11:50") are a
    sentence of their own: ``hours=11, minutes=20`` beside ``(8, 20)`` and ``(11, 50)``.
    None of BFCL's accepted answers holds such a call: a call that mixes sentences on purpose
    ("do the same but for a sample size of 150 instead") writes a number no other call does.
    ``None`` where no call mixes so, or the answer does not parse as calls."""
    texts, calls = call_texts(output), _calls(output)
    if not texts or calls is None or len(texts) != len(calls):
        return None
    places, ends = number_places(words), _sentence_ends_at(words)
    groups = [m.span() for m in re.finditer(r"[0-9]+(?::[0-9]+)+", words)]

    def numbers(args: Mapping[str, Any]) -> dict[str, int | float]:
        return {p: v for p, v in args.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}

    def sentences(args: Mapping[str, Any]) -> set[int] | None:  # the sentences its numbers come from; None: one not at one place
        found = set()
        for value in numbers(args).values():
            held = [start for start, _, values in places if abs(value) in values]
            if not held:
                return None
            if len(held) > 1:  # given at several places: from none
                continue
            glued = [k for k, (a, b) in enumerate(groups) if a <= held[0] < b]
            found.add(("group", glued[0]) if glued else bisect.bisect_right(ends, held[0]))
        return found

    read = [sentences(args) for _, args in calls]
    pure = [j for j, found in enumerate(read) if found is not None and len(found) == 1]
    mixed = [i for i, (name, args) in enumerate(calls) if read[i] is not None and len(read[i] or ()) > 1
             and all(any(calls[j][0] == name and p in calls[j][1] and not isinstance(calls[j][1][p], bool) and calls[j][1][p] == v for j in pure)
                     for p, v in numbers(args).items())]
    return [text for i, text in enumerate(texts) if i not in mixed] if mixed else None


def _word_places(value: str, words: str) -> list[int]:
    """Where ``value`` stands in the user's ``words`` as whole words, case aside, in order."""
    return [m.start() for m in re.finditer(rf"(?<!\w){re.escape(value)}(?!\w)", words, re.IGNORECASE)] if value.strip() else []


def _stretches(calls: Sequence[Mapping[str, Any]], words: str) -> list[tuple[int, int]] | None:
    """The stretch of the user's ``words`` each of several calls of one function is asked in,
    read off the first parameter (in the first call's order) that every call writes as a string
    of its own, each at one place of the words: a call's stretch runs from its value to the
    next call's value (the last's to the end; one value inside another, "New York" in "New York
    City", gives the first an empty stretch). ``None`` where no parameter places them so."""
    for parameter in calls[0]:
        values = [args.get(parameter) for args in calls]
        if not all(isinstance(v, str) for v in values) or len({str(v).lower() for v in values}) < len(values):
            continue
        at = [_word_places(str(v), words) for v in values]
        if not all(len(places) == 1 for places in at):
            continue
        starts = sorted(places[0] for places in at)
        ends = starts[1:] + [len(words)]
        return [(places[0], ends[starts.index(places[0])]) for places in at]
    return None


def items_elsewhere(output: str, words: str) -> list[str] | None:
    """The answer's calls as written, each list of strings less the items the user's ``words``
    give only where they ask another call of the same function. Where a function is called two or
    more times, each call's own value of one parameter places it in the words (``_stretches``:
    "parks in New York, USA that have a Tennis Court and a Picnic Area, then ... in Los Angeles,
    USA that have a Playground and Running Track"), and every call's stretch names an item of a
    list parameter the calls write, a call's list keeps the items its own stretch names, or the
    words name only before the first stretch (asked of all), or nowhere; it drops an item that
    another call's stretch names and its own does not, and where its stretch names each item it
    keeps, they go in the order the stretch names them ("in Chicago, IL that have a Cafe and a
    Reading Room"). Where that would leave a list empty, the function's lists stay as written. A
    stretch naming no item ("in New York ... which include Vegan, Gluten-free and Dairy-free
    options, and then do the same for Los Angeles") leaves every list as written. ``None`` where
    no item is dropped, or the answer does not parse as calls."""
    source = output.strip()
    nodes, calls = _call_nodes(source), _calls(output)
    if not nodes or calls is None or len(nodes) != len(calls):
        return None
    held: dict[tuple[int, str], list[int]] = {}  # (call, parameter) -> the indices of the items kept, in order
    for name in dict.fromkeys(n for n, _ in calls):
        mine = [i for i, (n, _) in enumerate(calls) if n == name]
        stretches = _stretches([calls[i][1] for i in mine], words) if len(mine) > 1 else None
        if stretches is None:
            continue
        lists = dict.fromkeys(p for i in mine for p, v in calls[i][1].items()
                              if isinstance(v, list) and v and all(isinstance(item, str) for item in v))
        for parameter in lists:
            items = {str(item).lower() for i in mine for item in calls[i][1].get(parameter) or () if isinstance(item, str)}
            said = {item: _word_places(item, words) for item in items}
            if not all(any(a <= at < b for item in items for at in said[item]) for a, b in stretches):
                continue
            kept: dict[tuple[int, str], list[int]] = {}
            for i, (a, b) in zip(mine, stretches):
                value = calls[i][1].get(parameter)
                if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                    continue
                own = [min((at for at in said[item.lower()] if a <= at < b), default=None) for item in value]
                keep = [k for k, item in enumerate(value)
                        if own[k] is not None or not any(c <= at < d for at in said[item.lower()] for j, (c, d) in zip(mine, stretches) if j != i)]
                if not keep:
                    break
                if len(keep) < len(value):
                    kept[(i, parameter)] = sorted(keep, key=lambda k: own[k]) if all(own[k] is not None for k in keep) else keep
            else:
                held |= kept
    if not held:
        return None

    def written(i: int, keyword: ast.keyword) -> str:
        order = held.get((i, str(keyword.arg)))
        if order is None or not isinstance(keyword.value, ast.List):
            return str(ast.get_source_segment(source, keyword))
        return f"{keyword.arg}=[{', '.join(str(ast.get_source_segment(source, keyword.value.elts[k])) for k in order)}]"

    return [ast.unparse(call.func) + "(" + ", ".join(written(i, k) for k in call.keywords) + ")" for i, call in enumerate(nodes)]


def call_texts_without(output: str, arguments: Sequence[tuple[int, str]]) -> list[str] | None:
    """Each call of a Python answer as written (``call_texts``), less the keyword ``arguments``
    named as (call index, parameter); ``None`` when it is not a list of calls."""
    source = output.strip()
    nodes = _call_nodes(source)
    if nodes is None:
        return None
    drop = set(arguments)
    return [ast.unparse(call.func) + "(" + ", ".join(str(ast.get_source_segment(source, k)) for k in call.keywords if (i, k.arg) not in drop) + ")"
            for i, call in enumerate(nodes)]


def lists_bounded(functions: Sequence[Mapping[str, Any]], bounds: Mapping[str, Mapping[str, int]]) -> list[dict[str, Any]]:
    """``functions`` with each list parameter that ``bounds`` names (by function and parameter:
    ``repeated_lists``) held to that many items (``bfcl_grammar.MOST_ITEMS``); the others as they were."""
    out = []
    for function in functions:
        most = bounds.get(function["name"]) or {}
        params = function.get("parameters") or {}
        props = params.get("properties") or {}
        if not any(p in props for p in most):
            out.append(dict(function))
            continue
        props = {p: ({**schema, MOST_ITEMS: most[p]} if p in most else schema) for p, schema in props.items()}
        out.append(dict(function, parameters=dict(params, properties=props)))
    return out


def _joined_values(values: Sequence[Any], words: str, lists: Sequence[Sequence[tuple[int, int, tuple[int | float, ...]]]]) -> Any:
    """The list of the user's ``words`` that holds every one of ``values`` (two or more), as a
    hashable key, or None: numbers (not booleans) each in a place of one of ``lists``
    (``number_lists``); strings each written at word bounds, the places of all of them one run
    with ``LIST_JOINT`` between each two, or items of up to MAX_ITEM_WORDS words between joints
    ("Lakers and Bulls", "Lakers, Bulls and Celtics" for Lakers and Celtics, "'Civil' and
    'Criminal'" with the quotes)."""
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        for k, listed in enumerate(lists):
            if len(listed) > 1 and all(any(abs(v) in found for _, _, found in listed) for v in values):
                return ("numbers", k)
        return None
    if not all(isinstance(v, str) and v for v in values):
        return None
    found: list[tuple[int, int, int]] = []  # (start, end, which value)
    for i, value in enumerate(values):
        for at in _occurrences(value, words):
            start, end = at, at + len(value)
            if words[start - 1:start] in ("'", '"') and words[end:end + 1] == words[start - 1:start]:
                start, end = start - 1, end + 1  # a quoted item, quotes and all
            if not words[start - 1:start].isalnum() and not words[end:end + 1].isalnum():
                found.append((start, end, i))
    found.sort()
    joint = re.compile(LIST_JOINT + rf"(?:{LISTED_ITEM}{LIST_JOINT})*")  # other items of the list may come between
    for k, (start, end, i) in enumerate(found):  # a run from each place: the next place after a joint, each value once
        seen, at = {i}, end
        for start2, end2, j in found[k + 1:]:
            if start2 < at:
                continue
            if j in seen or not joint.fullmatch(words[at:start2]):
                break
            seen.add(j)
            at = end2
        if len(seen) == len(values):
            return ("strings", start)
    return None


# A list in the user's words: items joined by commas, the last by "and" or "or" ("gold, silver,
# platinum, and palladium", "navy, purple and maroon", "'Open', 'Close', 'High', and 'Low'").
LIST_JOINT = r"(,\s*(?:and|or)\s+|,\s*|\s+(?:and|or)\s+)"
ITEM_WORD = r"(?:[\w&-]|\.(?=\w))*"  # a word's letters after its first: a dot only inside ("D.C", not "Washington.")
ITEM_END = r"(?=$|[,.;:?!)\n]|\s+(?:and|or)\s)"  # at a stop, a comma, "and" or "or"
MAX_ITEM_WORDS = 3
LISTED_ITEM = r"['\"]?[\w&-]+(?: [\w&-]+){0,%d}['\"]?" % (MAX_ITEM_WORDS - 1)  # an item of a list between two written ones
# Words that make a stretch no item: function words, and words that open a clause or count calls.
NOT_ITEMS = FUNCTION_WORDS | frozenset("then also so please can could would what how which who when where why i each both all".split())


def items_left(output: str, words: str) -> list[str] | None:
    """The items of a list in the user's ``words`` (``LIST_JOINT``: commas, the last item after
    "and" or "or") one of whose items a call of a Python answer writes, that no call writes:
    "the price per ounce of gold, silver, platinum, and palladium" answered by one call with
    ``metal="gold"`` has left "silver", "platinum" and "palladium". An item is a stretch of as
    many words as the written one, starting with a letter of its case, that ends at a stop, a
    comma, "and" or "or" ("gold and silver for me" lists nothing: "silver for" could be half
    an item, or no item); quoted where that one is quoted (then anything up to the closing
    quote). Where the written one lists nothing so, the words around it may frame every item
    alike (``AFFIX_WORDS`` before it, after it, or both; an article for any article): "a
    gasoline vehicle, a diesel vehicle, and an electric vehicle" beside ``"gasoline"``, "USD to
    AUD and USD to CAD" beside ``"AUD"``. A stretch with a function word (``NOT_ITEMS``) is
    no item, nor is a code of three capitals or fewer ("CA") beside a written value that is not
    one; commas without "and" or "or" make no list ("Seattle, Washington"). ``None`` when the
    answer does not parse as calls."""
    listed = _items_listed(output, words)
    return None if listed is None else list(dict.fromkeys(item for _, item in listed))


def _items_listed(output: str, words: str) -> list[tuple[str, str]] | None:
    """``items_left``'s items, each with the written value it is listed beside: (value, item),
    an item once. ``None`` when the answer does not parse as calls."""
    calls = _calls(output)
    if calls is None:
        return None
    written = [v for _, args in calls for v in _leaves(list(args.values())) if isinstance(v, str) and v]
    lowered = [v.lower() for v in written]
    left: list[tuple[str, str]] = []
    for value in dict.fromkeys(written):
        n = len(value.split())
        if n > MAX_ITEM_WORDS or not value[0].isalpha() or re.search(LIST_JOINT, value):
            continue
        core = ("[A-Z]" if value[0].isupper() else "[a-z]") + ITEM_WORD + rf"(?: [A-Za-z]{ITEM_WORD}){{{n - 1}}}"
        for at in _occurrences(value, words):
            before, after = words[at - 1:at], words[at + len(value):at + len(value) + 1]
            if before.isalnum() or after.isalnum():
                continue  # inside a word
            quote = before if before in ("'", '"') and after == before else ""
            if quote:
                framings = [(re.compile(f"{quote}([^\\n{quote}]{{1,40}}){quote}"), at - 1, at + len(value) + 1)]
            else:
                alone = re.match(ITEM_END, words[at + len(value):]) is not None  # the written one ends as an item ends
                framings = [(re.compile(f"({core}){ITEM_END}"), at, at + len(value))] * alone + _affixed(words, at, at + len(value), core)
            items: list[str] = []
            for shape, start, end in framings:
                items = _listed(words, start, end, shape, quoted=bool(quote))
                if items:
                    break
            for it in items:
                if any(it == item for _, item in left) or any(it.lower() in v for v in lowered):
                    continue
                if quote or not (any(p.lower() in NOT_ITEMS for p in it.split()) or (_code(it) and not _code(value))):
                    left.append((value, it))
    return left


def on_items_left(functions: Sequence[Mapping[str, Any]], output: str, words: str) -> list[dict[str, Any]] | None:
    """The ``functions`` for a call more that writes an item ``items_left`` found: for each item
    and each call of ``output`` whose parameter writes, as a plain string, the value the item is
    listed beside, a copy of that call's function whose parameter takes the item only (an
    ``enum`` of one), the others as they were. "The RGB and HEX values for navy, purple and
    maroon" answered for purple and maroon has left navy, and its call more may not write maroon
    again. ``None`` when the answer does not parse as calls or no such call's function is among
    ``functions``."""
    calls, listed = _calls(output), _items_listed(output, words)
    if calls is None or not listed:
        return None
    known = {f["name"]: f for f in functions}
    out: list[dict[str, Any]] = []
    for value, item in listed:
        for name, args in calls:
            function = known.get(name)
            if function is None:
                continue
            params = function.get("parameters") or {}
            props = params.get("properties") or {}
            for parameter, written in args.items():
                if written != value or parameter not in props:
                    continue
                copy = dict(function, parameters=dict(params, properties={**props, parameter: {**props[parameter], "enum": [item]}}))
                if copy not in out:
                    out.append(copy)
    return out or None


def _code(text: str) -> bool:
    """Whether ``text`` is a code of three capitals or fewer ("CA", "USD"): no item beside a
    written value that is not one ("Boston, MA and Denver")."""
    return text.isupper() and len(text) <= 3 and " " not in text


AFFIX_WORDS = 2  # the most words around a written item that may frame every item of its list
ARTICLE = re.compile(r"(?i)a|an|the")


def _affixed(words: str, start: int, end: int, core: str) -> list[tuple[re.Pattern[str], int, int]]:
    """The shapes of an item framed as the written one at ``words[start:end]`` is: each with up
    to ``AFFIX_WORDS`` of the words before it and after it (not none of either), an article
    standing for any article, and the bounds of the framed item. Words after it end the item
    where they are (a stop need not follow: "an electric vehicle if they drive")."""
    out = []
    for k_before in range(AFFIX_WORDS + 1):
        for k_after in range(AFFIX_WORDS + 1):
            head = re.search(r"(?<![\w'-])" + r"(?:[\w'-]+ )" * k_before + "$", words[:start]) if k_before else None
            tail = re.match(r"(?: [\w'-]+)" * k_after, words[end:]) if k_after else None
            if not (k_before or k_after) or (k_before and head is None) or (k_after and tail is None):
                continue
            if {"and", "or"} & set((head.group() if head else "").split() + (tail.group() if tail else "").split()):
                continue  # a joint is no frame
            before = "".join(("(?:a|an|the)" if ARTICLE.fullmatch(w) else re.escape(w)) + " " for w in head.group().split()) if head else ""
            after = "".join(" " + re.escape(w) for w in tail.group().split()) if tail else ""
            ends = r"(?![\w'-])" if after else ITEM_END  # the words after it end the item
            out.append((re.compile(f"{before}({core}){after}{ends}"), start - (len(head.group()) if head else 0),
                        end + (len(tail.group()) if tail else 0)))
    return out


def _listed(words: str, start: int, end: int, shape: re.Pattern[str], quoted: bool) -> list[str]:
    """The other items of the list whose item is ``words[start:end]``, each as ``shape``'s first
    group reads it: after it (", B", ", and C": an "and" or "or" ends the list) and before it
    ("A, B, and"); none where commas alone join them (an apposition, no list)."""
    joint = re.compile(LIST_JOINT)
    items, listed, at = [], False, end
    while (j := joint.match(words, at)) and (found := shape.match(words, j.end())):
        items.append(found.group(1))
        at = found.end()
        if j.group(1).strip(", \t\n"):  # "and" / "or": the last item
            listed = True
            break
    at = start
    while j := re.search(LIST_JOINT + "$", words[:at]):
        last = at == start
        if not last and j.group(1).strip(", \t\n"):
            break  # an "and" before an earlier item: another list
        found = next((m for m in reversed(list(shape.finditer(words, 0, j.start()))) if m.end() == j.start()
                      and (quoted or not words[m.start() - 1:m.start()].isalnum())), None)
        if found is None:
            break
        listed = listed or (last and bool(j.group(1).strip(", \t\n")))
        items.append(found.group(1))
        at = found.start()
    return items if listed else []


def quoted_left(output: str, words: str, functions: Sequence[Mapping[str, Any]]) -> list[str] | None:
    """The passages the user's ``words`` quote (``QUOTED_PASSAGE``) that no string a call of a
    Python answer writes holds, where a call holds another one: "for 'Queens Hotel' in Berlin
    ... and for 'Royal Hotel' in Paris" answered with ``hotel_name='Queens Hotel'`` has left
    "Royal Hotel". A passage a function's document holds (a function or parameter name, "name")
    is never left. ``None`` when the answer does not parse as calls."""
    calls = _calls(output)
    if calls is None:
        return None
    strings = [v for _, args in calls for v in _leaves(list(args.values())) if isinstance(v, str)]
    passages = list(dict.fromkeys(m.group(2) for m in QUOTED_PASSAGE.finditer(words)))
    if not any(p in s for p in passages for s in strings):
        return []
    documents = json.dumps(list(functions)).lower()
    return [p for p in passages if not any(p in s for s in strings) and p.lower() not in documents]


# The options a parameter lists (``options_left``): its enum's members, the one-word items of a
# list its description writes ("(Watercolor, Oil, Acrylic)", "e.g., Rock, Pop, HipHop etc."), and
# the passages it quotes where it quotes two or more ("'Celsius' or 'Fahrenheit'").
OPTION_ITEM = r"[A-Za-z][\w-]*"
OPTION_LIST = re.compile(rf"(?<![\w-]){OPTION_ITEM}(?:, {OPTION_ITEM})+(?:,? (?:and|or) {OPTION_ITEM})?(?![\w-])")
OPTION_JOINT = re.compile(r",? (?:and|or) |, ")


def option_lists(schema: Mapping[str, Any]) -> list[list[str]]:
    """The lists of options a parameter's schema gives (``OPTION_LIST``'s comment); an array's
    items' schema counts as its own."""
    items = schema.get("items") if isinstance(schema.get("items"), Mapping) else {}
    lists = [[str(m) for m in s["enum"]] for s in (schema, items) if s.get("enum")]
    for description in (str(schema.get("description") or ""), str(items.get("description") or "")):
        lists += [OPTION_JOINT.split(m.group()) for m in OPTION_LIST.finditer(description)]
        quoted = [a or b for a, b in QUOTED_EXAMPLE.findall(description)]
        if len(quoted) >= 2:
            lists.append(quoted)
    return lists


def options_left(output: str, words: str, functions: Sequence[Mapping[str, Any]]) -> list[str] | None:
    """The options the user's ``words`` name (a whole word or phrase, any case, three letters or
    more) that sit in one list with a string a call of a Python answer writes for the parameter
    (``option_lists``), that no call writes: "the most played Pop song and also ... the most played
    Rock song" answered with one call of ``genre="Rock"`` (the genre's description: "e.g., Rock,
    Pop, HipHop etc.") has left "Pop". ``None`` when the answer does not parse as calls."""
    calls = _calls(output)
    if calls is None:
        return None
    known = {f["name"]: f for f in functions}
    written = {str(v).lower() for _, args in calls for v in _leaves(list(args.values())) if isinstance(v, str)}
    left: list[str] = []
    for name, args in calls:
        props = ((known.get(name) or {}).get("parameters") or {}).get("properties") or {}
        for arg, value in args.items():
            values = {str(v).lower() for v in _leaves([value]) if isinstance(v, str)}
            for options in option_lists(props.get(arg) or {}):
                if not values & {o.lower() for o in options}:
                    continue
                left += [o for o in options if len(o) > 2 and o.lower() not in written and o.lower() not in map(str.lower, left)
                         and re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", words, re.IGNORECASE)]
    return left


def options_joined(output: str, words: str, functions: Sequence[Mapping[str, Any]]) -> list[str] | None:
    """The options left (``options_left``) that the user's ``words`` join to a string a call
    writes, with "and", "or", "&", a comma or a slash, either way round, the written one perhaps
    in the plural: "any music or theater events" answered with ``event_type="Music"`` has left
    "Theater" without a word that asks for another answer. ``None`` when the answer does not
    parse as calls."""
    calls, left = _calls(output), options_left(output, words, functions)
    if calls is None or left is None:
        return None
    written = {str(v) for _, args in calls for v in _leaves(list(args.values())) if isinstance(v, str) and len(str(v)) > 2}
    join = r"s?(?:,? (?:and|or|&) |, | ?/ ?)"

    def joined(a: str, b: str) -> bool:
        return re.search(rf"(?<![\w-]){re.escape(a)}{join}{re.escape(b)}(?![\w-])", words, re.IGNORECASE) is not None

    return [o for o in left if any(joined(w, o) or joined(o, w) for w in written)]


def functions_listing(options: Sequence[str], functions: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``functions`` with a parameter whose list (``option_lists``) holds one of ``options``,
    any case, in the given order."""
    wanted = {o.lower() for o in options}
    return [f for f in functions if any(wanted & {x.lower() for found in option_lists(schema) for x in found}
                                        for schema in ((f.get("parameters") or {}).get("properties") or {}).values())]


def _left_over(output: str, words: str) -> list[str] | None:
    """What an answer's calls leave of the user's words for another call: ``names_left`` and
    ``numbers_joined_left``; ``None`` when the answer does not parse as calls."""
    names, numbers = names_left(output, words), numbers_joined_left(output, words)
    return None if names is None or numbers is None else names + numbers


# Words that ask to go back to where a trip started: "finally from Miami back to New York",
# "back to my home from the Golden Gate Bridge", "I want to return home".
WAY_BACK = re.compile(r"(?i)\b(?:back|return)\s+(?:to|home)\b")
START_ENDS = frozenset("origin from start source departure sender".split())  # the words of a pair's first end (``paired``)


def way_back_left(output: str, words: str, functions: Sequence[Mapping[str, Any]]) -> bool | None:
    """Whether the user's ``words`` ask to go back (``WAY_BACK``) and no call of a Python answer
    goes there: the first call of a function with a pair of ends (``paired``, the first end
    named by a word of ``START_ENDS``: ``start_location`` and ``end_location``, ``source`` and
    ``destination``) starts at a place no call of that function ends at. A function with a
    parameter for the way back (a name with "return" or "back": ``return_date``) goes back
    itself, a round trip: none is left. ``None`` when the answer does not parse as calls."""
    calls = _calls(output)
    if calls is None:
        return None
    if WAY_BACK.search(words) is None:
        return False
    known = {f["name"]: f for f in functions}
    for name, args in calls:
        props = ((known.get(name) or {}).get("parameters") or {}).get("properties") or {}
        if any(re.search(r"(?i)return|back", p) for p in props):
            continue
        for start in props:
            end = next((e for e in props if paired(start, e)), None)
            home = args.get(start)
            if end is None or not {w.lower() for w in name_parts(start)} & START_ENDS or not isinstance(home, str):
                continue
            return not any(n == name and isinstance(a.get(end), str) and a[end].lower() == home.lower() for n, a in calls)
    return False


def functions_named_left(output: str, words: str, functions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]] | None:
    """The functions no call of ``output`` names whose name has a word (``relevance.words``)
    that the user's ``words`` use and that no called function's document uses, in the singular or
    the plural ("movie" beside ``Media_3_FindMovies``'s "movies"), and that says no reading of
    records (``relevance.OPERATIONS["read"]``: "search up some music events" asks for events, not
    ``Hotels_2_SearchHouse``): "Find all prime numbers between 50 and 150. Then get the fibonacci
    series upto 150." answered with a call of ``find_prime_numbers`` leaves
    ``get_fibonacci_sequence``. Only those the words give every required number and URL of
    (``numbers_given``, ``urls_given``). ``None`` when the answer does not parse as calls."""
    from ltlagent.agents.relevance import OPERATIONS, document_words
    from ltlagent.agents.relevance import words as words_of

    calls = _calls(output)
    if calls is None:
        return None
    known = {f["name"]: f for f in functions}
    called = {name for name, _ in calls}
    used = set().union(*(document_words(known[name]) if name in known else words_of(name) for name in called))
    used |= {w + "s" for w in used} | {w[:-1] for w in used if w.endswith("s")}
    asked = {w for w in words_of(words) if not re.fullmatch(OPERATIONS["read"], w)}
    return [dict(f) for f in functions if f["name"] not in called and (words_of(f["name"]) - used) & asked
            and numbers_given(f, words) and urls_given(f, words)]


def _occurrences(value: str, words: str) -> list[int]:
    """Where ``value`` starts in ``words``, every occurrence (overlapping ones too), in order."""
    found, at = [], words.find(value)
    while at >= 0:
        found.append(at)
        at = words.find(value, at + 1)
    return found


def _leaves(value: Any) -> list[Any]:
    """The scalars inside a value (lists and dicts opened, at any depth)."""
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    return [value]


def prompt_messages(bfcl: Bfcl, case: Mapping[str, Any]) -> list[dict[str, str]]:
    """BFCL's chat messages for a prompt-based model: its system prompt, then the question.
    Java and JavaScript cases show their functions as BFCL's generation does: every parameter a
    string "in string representation" of its type (``_func_doc_language_specific_pre_processing``).
    The Python categories show the documents as stored (BFCL's generation also appends one sentence,
    "Note that the provided function is in Python 3 syntax.", to each description; every Python
    figure in docs/benchmarks.md was made without it)."""
    messages = [dict(m) for m in case["question"][0]]
    functions = [json.loads(json.dumps(f)) for f in case["function"]]  # BFCL's hint edits them in place
    if language(category_of(case)) != "python":
        functions = bfcl.language_hint(functions, category_of(case))
    return bfcl.system_prompt(messages, functions, case["id"])


def score(bfcl: Bfcl, case: Mapping[str, Any], category: str, output: str) -> dict[str, Any]:
    """BFCL's verdict on ``output`` plus the call statistics ltlagent reports."""
    functions = list(case["function"])
    lang = language(category)
    try:
        decoded = bfcl.decode(output, bfcl.return_formats[lang])
        decode_error = None
    except Exception as exc:  # noqa: BLE001 - BFCL treats any decode failure as "no call"
        decoded, decode_error = None, f"{type(exc).__name__}: {exc}"
    has_call = decoded is not None and not bfcl.is_empty(decoded)
    if "irrelevance" in category:  # _evaluate_single_relevance_entry
        valid = not has_call
        error = None if valid else "irrelevance_error:decoder_success"
    elif category == "live_relevance":  # the same, the other way round: any call counts, its values are not checked
        valid = has_call
        error = None if valid else "relevance_error:decoder_failed"
    elif decoded is None:  # _evaluate_single_ast_entry
        valid, error = False, "ast_decoder:decoder_failed"
    elif not bfcl.is_call_format(decoded):
        valid, error = False, "ast_decoder:decoder_wrong_output_format"
    else:
        verdict = bfcl.ast_checker(functions, decoded, case["ground_truth"], bfcl.languages[lang], category, MODEL_NAME)
        valid = bool(verdict["valid"])
        error = None if valid else verdict.get("error_type")  # the checker names a type on success too
    calls = decoded if decoded is not None and bfcl.is_call_format(decoded) else []
    known = {f["name"]: f for f in functions}
    return {
        "valid": valid,
        "error_type": error,
        "decode_error": decode_error,
        "calls": len(calls),
        "unknown_function": any(next(iter(c)) not in known for c in calls),
        "schema_valid": bool(calls) and all(call_is_schema_valid(c, known, types=lang == "python") for c in calls),
    }


def call_is_schema_valid(call: Mapping[str, Any], known: Mapping[str, Mapping[str, Any]], types: bool = True) -> bool:
    """A decoded call names a given function, has its required arguments, no unknown ones,
    and (``types``) every value has the declared type (one level, as BFCL's type check). Java
    and JavaScript calls decode to source text, which BFCL's checker converts: no types."""
    name, args = next(iter(call.items()))
    if name not in known or not isinstance(args, dict):
        return False
    params = known[name].get("parameters") or {}
    props = params.get("properties") or {}
    if any(r not in args for r in params.get("required") or ()) or any(a not in props for a in args):
        return False
    for key, value in args.items() if types else ():
        if value is None and key not in (params.get("required") or ()):
            continue
        expected = PYTHON_TYPES.get(props[key].get("type", "any"), (object,))
        if isinstance(value, bool) and bool not in expected:
            return False
        if not isinstance(value, expected):
            return False
        if "enum" in props[key] and props[key]["enum"] and value not in props[key]["enum"]:
            return False
    return True


def pick_functions(functions: Sequence[Mapping[str, Any]], gain: float, own: Mapping[str, float],
                   several_nats: float = SEVERAL_NATS, own_nats: float = OWN_NATS, meaning: Mapping[str, float] | None = None,
                   meaning_nats: float = MEANING_NATS) -> tuple[list[dict[str, Any]], bool]:
    """The functions a question's calls may name, and whether each must be called, from the
    question's gain with all ``functions`` documented (``gain``) and with each alone (``own``,
    by name): the best one alone, or (all the documents together raise the question's
    log-probability more than the best one alone by over ``several_nats``) each one whose own gain
    is over ``own_nats``, when that is more than one. All of them, none required, without ``own``.
    With ``meaning`` (each function's similarity to the question, ``agents.meaning``), the best
    one alone is the one whose own gain plus ``meaning_nats`` times its similarity is the most."""
    if not own:
        return [dict(f) for f in functions], False
    best = max(own, key=own.__getitem__)
    if gain - own[best] > several_nats:
        several = [dict(f) for f in functions if own[f["name"]] > own_nats]
        if len(several) > 1:
            return several, True
    if meaning is not None:
        best = max(own, key=lambda name: own[name] + meaning_nats * meaning[name])
    return [dict(f) for f in functions if f["name"] == best], False


@dataclass
class Answerer:
    """Greedy answers of one model to BFCL prompts, unconstrained or under a case's spec."""

    model: Any
    tokenizer: Any
    max_new_tokens: int = 256
    answer_form: str = "gated"  # what the spec allows besides calls (bfcl_grammar.ANSWER_FORMS)
    gate_nats: float = GATE_NATS  # "gated": the question's gain from the function documents needed for calls
    bfcl: Bfcl | None = None  # "gated": BFCL's prompt builder, for the prompt without functions
    values: str = "grounded"  # string arguments: "grounded" (spans of the user's messages) or "free" (VALUES)
    functions: str = "picked"  # "gated", several functions: calls name the picked ones (see SEVERAL_NATS), or any ("all")
    word_nats: float = WORD_NATS  # "gated": the evidence each word the question shares with a function's document adds
    places: str = "own"  # "gated", grounded values: a call that fills two arguments from one place is refused (PLACES)
    calls_more: str = "again"  # "gated", places "own": the answer with one call more decoded whole again, or after its calls kept (CALLS_MORE)
    meaning: str = "minilm"  # "gated": picked functions whose documents mean something else are not called (MEANINGS)
    meaning_floor: float = MEANING_FLOOR  # ... the least cosine similarity of a called function's document and the user's words
    meaning_nats: float = MEANING_NATS  # ... and, picking one function of several, the nats a unit of similarity adds to its own gain
    doubt_nats: float = DOUBT_NATS  # "gated", grounded values: an answer with a string argument's token under -doubt_nats is refused
    gate_gain: str = "best"  # "gated", several functions: the gain the gate counts, the best function's alone too or all together (GATE_GAINS)

    def __post_init__(self) -> None:
        from ltlagent.decoders.vocab import TokenVocabulary

        from ltlagent.decoders.trie import token_trie

        self.vocab = TokenVocabulary.from_hf(self.tokenizer)
        token_trie(self.vocab)  # once per tokenizer, before any case's preparation is timed
        self.prepare_seconds = 0.0  # the last constrained answer's spec preparation (compile + token index)
        self.forward_passes = 0  # the last constrained answer's model calls after the prompt
        self.gain: float | None = None  # the last gated answer's question gain (nats)
        self.shared_words = 0  # ... and the most of its question's words one function's document uses
        self.asked_operation: str | None = None  # ... and the words that ask for the arithmetic a function's name says, or a command (``fits``)
        self.gate_seconds = 0.0  # ... and the time its two forward passes took
        self._gated_case: str | None = None  # the case self.gain belongs to
        self.function_gains: dict[str, float] = {}  # the last gated case's gain per function (several functions: ``_gains``)
        self.spec_form = ""  # what the last constrained answer's spec allowed: "refusal", or "calls (...) of f, g"
        self.similarities: dict[str, float] = {}  # the last gated case's meaning similarities (--meaning), of the functions it may call
        self.member_similarities: dict[str, float] = {}  # ... and of the catalogue members it read (``nearest_members``), by member text
        self._spans_read: tuple[str, Callable[[str], list[float]]] | None = None  # the words whose stretches ``meant_flags`` and ``meant_members`` read, and their reader
        self.least_value_logprob: float | None = None  # the last doubt-read answer's least likely token of a string argument
        self._before_more: list[tuple[str, int, str]] = []  # the last reviewed answer before each call more it took: text, tokens, spec_form
        if self.values not in VALUES:
            raise BfclError(expect_one_of("values", self.values, VALUES))
        if self.functions not in FUNCTIONS:
            raise BfclError(expect_one_of("functions", self.functions, FUNCTIONS))
        if self.places not in PLACES:
            raise BfclError(expect_one_of("places", self.places, PLACES))
        if self.calls_more not in CALLS_MORE:
            raise BfclError(expect_one_of("calls more", self.calls_more, CALLS_MORE))
        if self.gate_gain not in GATE_GAINS:
            raise BfclError(expect_one_of("gate gain", self.gate_gain, GATE_GAINS))
        if self.meaning not in MEANINGS:
            raise BfclError(expect_one_of("meaning", self.meaning, MEANINGS))
        if not -1.0 <= self.meaning_floor <= 1.0:
            raise BfclError(f"meaning floor {self.meaning_floor}: give a cosine similarity, from -1 to 1")
        if self.meaning_nats < 0:
            raise BfclError(f"meaning nats {self.meaning_nats}: give 0 or more (0: the gain alone picks)")
        if not self.doubt_nats > 0:
            raise BfclError(f"doubt nats {self.doubt_nats}: give more than 0 (inf: never doubt)")
        if self.answer_form == "gated" and self.bfcl is None:
            self.bfcl = import_bfcl()

    def answer(self, case: Mapping[str, Any], messages: Sequence[Mapping[str, str]], mode: str) -> tuple[str, int]:
        """The model's answer text and the number of tokens it wrote. ``mode``: ``unconstrained``
        (transformers' ``generate``), ``constrained`` (``SpecDecoder`` under the case's spec, forced
        tokens fast-forwarded) or ``constrained-no-ff`` (the same, every token sampled)."""
        import torch

        from ltlagent.agents.relevance import render_prompt

        prompt = render_prompt(self.tokenizer, messages)
        if mode != "unconstrained":
            return self._constrained(case, prompt, fast_forward=mode == "constrained")
        from transformers import GenerationConfig

        ids = self.tokenizer(prompt, return_tensors="pt", add_special_tokens=False).input_ids.to(self.model.device)
        config = GenerationConfig(max_new_tokens=self.max_new_tokens, do_sample=False, eos_token_id=list(self.vocab.eos_ids),
                                  pad_token_id=self.vocab.eos_ids[0])
        with torch.inference_mode():
            out = self.model.generate(ids, attention_mask=torch.ones_like(ids), generation_config=config)
        new = out[0, ids.shape[1]:].tolist()
        written = [t for t in new if t not in self.vocab.eos_ids]
        return self.tokenizer.decode(written, skip_special_tokens=False), len(new)

    def question_gain(self, case: Mapping[str, Any]) -> float:
        """How much the case's function documents raise its question's log-probability (nats):
        BFCL's prompt with the functions against the same prompt with none."""
        return self._gains(case, per_function=False)[0]

    def _gains(self, case: Mapping[str, Any], per_function: bool) -> tuple[float, dict[str, float]]:
        """The question's gain from all the case's functions and, where there are several, from
        each function alone (BFCL's prompt with that one): under ``per_function`` when the gate
        passes on the gain from all, and under ``gate_gain="best"`` when it does not (the gate
        then counts the best one's too, ``fits``)."""
        from ltlagent.agents.relevance import question_logprob

        assert self.bfcl is not None
        bfcl = self.bfcl

        def logprob(functions: list[Any]) -> float:  # BFCL's prompt builder edits the messages it is given: a fresh copy each time
            return question_logprob(self.model, self.tokenizer, bfcl.system_prompt([dict(m) for m in case["question"][0]], functions, case["id"]))

        base = logprob([])
        gain = question_logprob(self.model, self.tokenizer, prompt_messages(bfcl, case)) - base
        functions = case["function"]
        wanted = per_function if self.fits(gain, case) else self.gate_gain == "best"
        if len(functions) < 2 or not wanted:
            return gain, {}
        return gain, {f["name"]: logprob([f]) - base for f in functions}

    def fits(self, gain: float, case: Mapping[str, Any], own: Mapping[str, float] | None = None) -> bool:
        """Whether the gate lets a case with this question gain call: the gain (under
        ``gate_gain="best"``, or the best of ``own``, each function's gain alone, where that is
        more) plus ``word_nats`` per shared word (``relevance.shared_words``, kept in
        ``shared_words``) is over ``gate_nats``; or the question asks for just the arithmetic a
        function's name says it does (``relevance.asks_own_arithmetic``: "What is the
        multiplication of 3 and 2" beside ``multiply``), or for a command to be run beside a
        function that runs commands (``relevance.asks_own_command``: "close firefox using
        taskkill command" beside ``cmd_controller.execute``), kept in ``asked_operation``, which a
        small model's gain misses on short questions."""
        from ltlagent.agents.relevance import asks_own_arithmetic, asks_own_command, shared_words

        words = user_words(case)
        self.shared_words = shared_words(words, case["function"])
        self.asked_operation = next((said for f in case["function"] for asks in (asks_own_arithmetic, asks_own_command)
                                     if (said := asks(words, f)) is not None), None)
        if own and self.gate_gain == "best":
            gain = max(gain, *own.values())
        return gain + self.word_nats * self.shared_words > self.gate_nats or self.asked_operation is not None

    def picked_functions(self, case: Mapping[str, Any]) -> tuple[list[dict[str, Any]], bool]:
        """The functions the last gated case's calls may name, and whether each must be called
        (``pick_functions``, among the ``doable_functions``); all of those, none required, under
        ``--functions all``."""
        functions = doable_functions(case)
        if self.functions != "picked" or self.gain is None:
            return functions, False
        names = {f["name"] for f in functions}
        own = {name: g for name, g in self.function_gains.items() if name in names}
        if self.meaning == "off" or len(own) < 2:
            return pick_functions(functions, self.gain, own)
        self._read_meaning(case, [f for f in functions if f["name"] in own])
        return pick_functions(functions, self.gain, own, meaning=self.similarities, meaning_nats=self.meaning_nats)

    def plan(self, case: Mapping[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The functions a case's spec calls and the ``bfcl_spec`` arguments of its answer form
        (``"calls": "none"``: the refusal), with the gate's gains computed once per case (kept in
        ``gain``, ``function_gains``, ``gate_seconds``); ``spec_form`` says it in words."""
        if self.answer_form == "gated" and self._gated_case != case["id"]:  # once per case, whatever the constrained modes
            t0 = time.perf_counter()
            self.gain, self.function_gains = self._gains(case, per_function=self.functions == "picked")
            self.gate_seconds = time.perf_counter() - t0
            self._gated_case = case["id"]
            self.similarities, self.member_similarities = {}, {}
        functions, form = self._form(case, self._grounded(case))
        self.spec_form = "refusal" if form.get("calls") == "none" else f"calls ({form.get('calls', 'any')}) of " + ", ".join(f["name"] for f in functions)
        return functions, form

    def _grounded(self, case: Mapping[str, Any]) -> str | None:
        """The text a case's string arguments quote (``--values grounded``) for the Python rules,
        else None (Java and JavaScript literals quote it too: ``_decode``, ``source_string``)."""
        return user_words(case) if self.values == "grounded" and language(category_of(case)) == "python" else None

    def meaningful(self, case: Mapping[str, Any], functions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The ``functions`` whose documents are at least ``meaning_floor`` of cosine similarity
        from the user's words (``agents.meaning.similarities``, kept in ``similarities``)."""
        self._read_meaning(case, functions)
        return [f for f in functions if self.similarities[f["name"]] >= self.meaning_floor]

    def _member_similarities(self, words: str) -> Callable[[Sequence[str]], list[float]]:
        """``nearest_members``' reading: texts' similarities to ``words``, the case's user words
        (it runs under ``--answer gated`` only, whose ``plan`` starts each case afresh), each text
        read once per case."""
        from ltlagent.agents.meaning import text_similarities

        def similar(texts: Sequence[str]) -> list[float]:
            unread = [t for t in dict.fromkeys(texts) if t not in self.member_similarities]
            self.member_similarities.update(zip(unread, text_similarities(words, unread)))
            return [self.member_similarities[t] for t in texts]

        return similar

    def _value_meaning(self) -> Callable[[str, Sequence[str]], list[float]] | None:
        """``apart``'s reading of which argument means a value (``--meaning minilm``), else None."""
        if self.meaning == "off":
            return None
        from ltlagent.agents.meaning import text_similarities

        return text_similarities

    def _span_reader(self, words: str) -> Callable[[str], list[float]]:
        """``meant_flags``' and ``meant_members``' reading: each of the stretches of ``words``
        (``flag_spans``)'s similarity to a phrase, the stretches encoded once per case, and only if
        some flag or catalogue is read."""
        from ltlagent.agents.meaning import reader

        if self._spans_read is None or self._spans_read[0] != words:
            self._spans_read = (words, reader([span for span, _ in flag_spans(words)]))
        return self._spans_read[1]

    def _read_meaning(self, case: Mapping[str, Any], functions: Sequence[Mapping[str, Any]]) -> None:
        """Each of ``functions``' similarity to the user's words, into ``similarities`` (read once per case)."""
        from ltlagent.agents.meaning import similarities

        unread = [f for f in functions if f["name"] not in self.similarities]
        self.similarities.update(similarities(user_words(case), unread))

    def _form(self, case: Mapping[str, Any], grounded: str | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The functions a case's spec calls and the ``bfcl_spec`` arguments of its answer form."""
        if self.answer_form != "gated":
            return list(case["function"]), {"words": ANSWER_FORMS[self.answer_form]}
        refusal = list(case["function"]), {"calls": "none", "words": REFUSAL}
        assert self.gain is not None
        if not self.fits(self.gain, case, self.function_gains):
            return refusal
        functions, each = self.picked_functions(case)
        if not functions:  # every function does another operation than the one the user asks for
            return refusal
        if grounded is not None:  # what the required parameters need must come from the user's words
            functions = [f for f in functions if given(f, grounded)]
            if functions and self.meaning != "off":  # a list of a catalogue's members the user names or means (read only where one is)
                functions = [f for f in functions if lists_given(f, grounded, lambda phrase: self._span_reader(grounded)(phrase))]
            if not functions:
                return refusal
        if self.meaning != "off":  # functions whose documents are about something else than the user's words
            functions = self.meaningful(case, functions)
            if not functions:
                return refusal
        return functions, {"calls": "each" if each and len(functions) > 1 else "one or more", "words": None}

    def _constrained(self, case: Mapping[str, Any], prompt: str, fast_forward: bool) -> tuple[str, int]:
        """The answer under the case's spec (``_reviewed``); under ``--answer gated`` with grounded
        values, read back by the model (one forward pass), and answered with the refusal where
        it doubts a string argument (``doubted``, ``doubt_nats``). Where the review took calls
        more, a doubted answer falls back to the answer before its last call more, read back in
        turn (parallel_multiple_191: a call more's ``from_unit="Tree"`` costs that call more, not
        the ``local_nursery.find`` call before it); the refusal only where none stands."""
        text, tokens = self._reviewed(case, prompt, fast_forward)
        self.least_value_logprob = None
        if self.answer_form != "gated" or self._grounded(case) is None or self.doubt_nats == math.inf:
            return text, tokens
        doubts = []
        while True:
            doubt = self._doubt(case, prompt, text)
            if doubt is None:
                if doubts:
                    self.spec_form += " (a call more doubted, the answer before it: " + "; ".join(doubts) + ")"
                return text, tokens
            if not self._before_more:
                break
            doubts.append(doubt)
            text, tokens, self.spec_form = self._before_more.pop()
        text, tokens = self._counted(self._decode(case, list(case["function"]), {"calls": "none", "words": REFUSAL}, prompt, fast_forward))
        self.spec_form = f"refusal ({doubt})"
        return text, tokens

    def _doubt(self, case: Mapping[str, Any], prompt: str, text: str) -> str | None:
        """What the model doubts of an answer it reads back (``doubted``; half a doubt beside a
        function far from the user's words, ``FAR_MEANING``), in words; None where it doubts
        nothing or the answer writes no string. Keeps ``least_value_logprob``."""
        if not string_values(text):
            return None
        from ltlagent.agents.relevance import placed_logprobs

        placed = placed_logprobs(self.model, self.tokenizer, prompt + text, text)
        self.least_value_logprob = min((logprob for _, _, logprob in value_tokens(text, placed)), default=None)
        doubt, far = doubted(text, placed, self.doubt_nats), None
        half = doubted(text, placed, HALF_DOUBT_NATS) if doubt is None and self.meaning != "off" else None
        if half is not None:  # half a doubt, beside a function about little of the user's words
            called = {name for name, _ in _calls(text) or []}
            self._read_meaning(case, [f for f in case["function"] if f["name"] in called])
            far = min((self.similarities[name] for name in called if name in self.similarities), default=None)
            doubt = half if far is not None and far < FAR_MEANING else None
        if doubt is None:
            return None
        name, value, logprob = doubt
        beside = f", in a call of a function {far:.2f} similar to the user's words" if far is not None else ""
        return f"the model doubts {name}={value}: a token at {logprob:.1f} nats{beside}"

    def _reviewed(self, case: Mapping[str, Any], prompt: str, fast_forward: bool) -> tuple[str, int]:
        """The answer under the case's spec (``plan``). Under ``places="own"``, a list of calls
        that fills two arguments of one call from one place of the user's words
        (``places_reused``) is set aside: where optional arguments repeated the place, the answer
        is decoded again without them (``without_reused``), where a required number or string
        argument repeated a place, again with that argument grounded in the words less it (``apart``),
        and kept if it passes the review; otherwise it is decoded again under the refusal, as is
        one that adds a region to a span of the user's words that names nothing
        (``places_unnamed``) or gives a required argument nothing (``empty_required``). A plain
        string argument that writes an option of another parameter the user names
        (``options_misplaced``: ``level="hard"`` beside ``mode``'s "hard") has the answer decoded
        again with it kept off that option (``off_options``: left out where optional), kept where
        it fills no place twice and writes no such option; the options are read from the functions
        as planned, so one that a review above left out for repeating the place counts, and comes
        back. And
        while the words hold numbers no call used, enough for another call (``numbers_left``),
        or names, listed numbers, quoted passages, a list's items or functions named left over
        (``names_left``, ``numbers_joined_left``, ``names_unused`` where ANOTHER_NAME asks, ``quoted_left``, ``items_left``,
        ``functions_named_left``), a way back the words ask for (``way_back_left``), or combinations
        of listed values (``pairs_left``), the answer is decoded again with one call more (see
        MAX_CALLS; with a function named left, the later calls name it or a function the answer
        calls, and where it repeats none of them, its calls as written, then calls of the functions
        named left; none of the answer's calls twice, in any of its number forms; every call without the arguments the answer's
        calls left out, ``as_in``; where a call fills two arguments from one place, decoded again
        without the optional one, ``without_reused``, or where two required ones of a function the
        answer calls took it, with the later calls' argument that means it least grounded in the
        words less it, ``apart``): kept where it leaves fewer numbers, names or functions, takes up an item (a
        new call that writes one item of another list leaves that list's other items, which
        were not left before), goes the way back or writes a combination left. Where it does none
        of these, and the words ask for more (``MORE_CALLS``) and give a number in digits no call
        used, one try more keeps the answer's calls as written and decodes a new one that takes
        such a number (``on_numbers_left``), kept on the same terms; where combinations are left,
        that try more writes one of them instead (``on_pairs_left``). A call more that writes a list item more times
        than the words give it is decoded again with the list held to the items before (``_decode_more``), and one of a
        function the answer does not call yet that fills an optional argument from another's place, again without it.
        Last, an optional number argument that takes a number the words give once which another call takes in a
        required argument gives it up: the calls kept as written without it (``numbers_shared``); a call
        written more than once, as many times as the words never count, is kept once (``calls_once``); a call that
        mixes the numbers of sentences other calls take apart is left out (``calls_mixed``); and a list that writes
        items the words ask of another call of its function is held to its own (``items_elsewhere``).
        ``spec_form`` says what was done; the preparation times and
        forward passes count every decode."""
        functions, form = self.plan(case)
        planned = functions  # the functions as planned, before a review leaves an argument out
        text, tokens, self.prepare_seconds, self.forward_passes = self._decode(case, functions, form, prompt, fast_forward)
        self._before_more = []
        grounded = self._grounded(case)
        if self.places != "own" or grounded is None or form.get("calls") == "none":
            return text, tokens
        reused = places_reused(text, functions, grounded)
        kept = without_reused(functions, reused) if reused is not None else None
        if kept is not None:  # decoded again without the optional arguments that repeated the place
            again, again_tokens = self._counted(self._decode(case, kept, form, prompt, fast_forward))
            if places_reused(again, kept, grounded) is None:
                text, tokens, functions = again, again_tokens, kept
                self.spec_form += f" (again, the optional arguments that repeated a place left out: {reused})"
                reused = None
        split = apart(functions, reused, grounded, self._value_meaning()) if reused is not None and kept is None else None
        if split is not None:  # decoded again, the required argument that took a place again grounded in the words less it
            again, again_tokens = self._counted(self._decode(case, split, form, prompt, fast_forward))
            if places_reused(again, functions, grounded) is None:
                freed = _changed(functions, split, reused.function) or reused.later
                text, tokens, functions = again, again_tokens, split  # a call more is decoded under the same grounding
                self.spec_form += f" (again, {freed} without the place it repeated: {reused})"
                reused = None
        # read against the functions as planned: where the place went to an option parameter and a required one, the
        # option parameter, left out above, was its own (live_multiple_462-145-13: "with American Airlines" is an airline)
        misplaced = options_misplaced(text, planned, grounded) if reused is None else None
        off = off_options(planned, misplaced, grounded) if misplaced else None
        if off is not None:  # decoded again, each argument that wrote another's option kept off it
            again, again_tokens = self._counted(self._decode(case, off, form, prompt, fast_forward))
            if places_reused(again, off, grounded) is None and options_misplaced(again, off, grounded) == []:
                text, tokens, functions = again, again_tokens, off  # a call more leaves them off too (``as_in``)
                self.spec_form += " (again, kept off another argument's option: " + ", ".join(f"{n}'s {a}={v!r}" for n, a, v in misplaced or ()) + ")"
        repeated = places_repeated(text, functions, grounded) if reused is None else None
        if repeated:  # a place given a region that repeats it ("India, India"): again, held to the places the user writes whole
            written = places_written(functions, repeated)
            again, again_tokens = self._counted(self._decode(case, written, form, prompt, fast_forward))
            if places_reused(again, written, grounded) is None and places_repeated(again, written, grounded) == []:
                text, tokens, functions = again, again_tokens, written  # a call more holds them too (``as_in``)
                self.spec_form += " (again, a place held to those the user writes: " + ", ".join(f"{n}'s {a}={v!r}" for n, a, v in repeated) + ")"
        unnamed = places_unnamed(text, functions, grounded) if reused is None else None
        why = str(reused) if reused is not None else f"a place that names nothing: {unnamed!r}" if unnamed is not None else empty_required(text, functions)
        if why is not None:
            text, tokens = self._counted(self._decode(case, functions, {"calls": "none", "words": REFUSAL}, prompt, fast_forward))
            self.spec_form = f"refusal ({why})"
            return text, tokens
        if form.get("calls") not in ("one or more", "each"):
            return text, tokens
        text, tokens = self._name_argument(case, functions, form, prompt, fast_forward, text, tokens, grounded)
        text, tokens = self._number_argument(case, functions, form, prompt, fast_forward, text, tokens, grounded)
        calls, every = _calls(text) or [], doable_functions(case)
        asks_more = MORE_CALLS.search(grounded) is not None
        names_taken = any(map(takes_names, every))
        another_name = ANOTHER_NAME.search(grounded) is not None and names_taken
        options_for_more = options_left if another_name else options_joined  # without a word that asks: only options joined to a value

        def names_for_more(output: str) -> list[str] | None:
            # names left unused where the words ask for another answer; without such a word, only names joined on with "and"
            left, unused = _left_over(output, grounded), names_unused(output, grounded, every, joined=not another_name, examples=False) if names_taken else []
            quoted, options = quoted_left(output, grounded, every), options_for_more(output, grounded, every)
            if left is None or unused is None or quoted is None or options is None:
                return None
            return list(dict.fromkeys(left + unused + quoted + options))  # a name both left over and unused is one name left

        numbers, names, items = numbers_left(text, grounded) or 0, names_for_more(text) or [], items_left(text, grounded) or []
        named, back = functions_named_left(text, grounded, every) or [], way_back_left(text, grounded, every) or False
        pairs = pairs_left(text, grounded) or []
        left_out = ""
        while 0 < len(calls) < MAX_CALLS and (self._numbers_for_another_call(calls, every, numbers) or names or items or named or back or pairs
                                              or (asks_more and (digits_left(text, grounded) or 0) > 0)):
            # with a function named left: the later calls name it or one the answer calls (where the answer repeats no
            # call, below, its calls as written and then the functions named left only); with only options left, a
            # function that lists one (live_parallel_multiple_18-16-0: "music or theater events" is another
            # Events_3_FindEvents, not Events_3_BuyEventTickets); else any of the case's functions
            options = options_for_more(text, grounded, every) or []
            only_options = bool(options) and len(options) == len(names) and not items and not self._numbers_for_another_call(calls, every, numbers)
            then = ([f for f in every if any(f["name"] == name for name, _ in calls)] + named if named
                    else (functions_listing(options, every) if only_options else []) or every)
            then = as_in(then, functions)  # the later calls leave out what the answer's calls left out
            grow = dict(form, min_calls=len(calls) + 1, then=then, distinct=call_texts(text) or [])  # none of its calls twice
            if only_options:  # one call more for each option left, no more (live_parallel_multiple_18-16-0 wrote Music again third)
                grow["max_calls"] = len(calls) + len(options)
            repeats = len(set(grow["distinct"])) < len(grow["distinct"])
            if named and not repeats:
                # a function named left: the answer's calls as written, then calls of the functions named left; decoded whole
                # again, the model's favourite call more is one of its own calls with a value changed (parallel_multiple_8)
                grow["kept"], grow["then"] = grow["distinct"], as_in(named, functions)
                grow.pop("max_calls", None)  # the calls after kept ones unbounded here, as before max_calls could bound them
            elif self.calls_more == "kept":  # its calls as written, then the new ones
                if repeats:
                    break  # kept as written, a call the answer repeats would break "none twice": no list is left
                grow["kept"] = grow["distinct"]
                grow.pop("max_calls", None)
            more, more_tokens = self._counted(self._decode_more(case, functions, grow, prompt, fast_forward, text, grounded))
            reused_more = places_reused(more, every, grounded)
            # only a function of the answer's own has options to leave out here; another one's would decode the same again
            own = reused_more is not None and any(f["name"] == reused_more.function for f in functions)
            kept_more = without_reused(functions, reused_more) if own else None
            bounds = self._list_bounds  # a list the call more wrote over again stays held to its items in the decodes again below
            if kept_more is not None:  # the call more filled two arguments from one place: again without the optional one
                grow = dict(grow, then=as_in(grow["then"], kept_more))
                again, again_tokens = self._counted(self._decode_grown(case, lists_bounded(kept_more, bounds),
                                                                       dict(grow, then=lists_bounded(grow["then"], bounds)), prompt, fast_forward))
                if places_reused(again, every, grounded) is None:
                    more, more_tokens, functions, left_out = again, again_tokens, kept_more, f" (the optional arguments that repeated a place left out: {reused_more})"
            elif (reused_more is not None and not any(name == reused_more.function for name, _ in calls)
                  and (then_kept := without_reused(grow["then"], reused_more)) is not None and then_kept != grow["then"]):
                # the same, where the call more is of a function the answer does not call yet (a function named left: the
                # answer's own functions have no such argument): again, that function's calls without the optional one
                again, again_tokens = self._counted(self._decode_grown(case, lists_bounded(functions, bounds),
                                                                       dict(grow, then=lists_bounded(then_kept, bounds)), prompt, fast_forward))
                if places_reused(again, every, grounded) is None:
                    grow = dict(grow, then=then_kept)
                    more, more_tokens, left_out = again, again_tokens, f" (a new function's optional arguments that repeated a place left out: {reused_more})"
            elif (reused_more is not None and any(name == reused_more.function for name, _ in calls)
                  and any(f["name"] == reused_more.function for f in grow["then"])):
                # a call more of a function the answer calls gave one place to two required arguments: again, the later calls
                # with the one that means it least grounded in the words less it (``apart``; parallel_6: city="California",
                # state="California"); a function the answer does not call yet finds none of its values in the words
                # (live_multiple_178-75-0: OpenWeatherMap.get_current_weather(location=api_key='Ji Sung Park...'))
                split_more = apart(grow["then"], reused_more, grounded, self._value_meaning())
                if split_more is not None:
                    again, again_tokens = self._counted(self._decode_grown(case, lists_bounded(functions, bounds),
                                                                           dict(grow, then=lists_bounded(split_more, bounds)), prompt, fast_forward))
                    if places_reused(again, every, grounded) is None:
                        freed = _changed(grow["then"], split_more, reused_more.function) or reused_more.later
                        more, more_tokens, left_out = again, again_tokens, f" (a call more's {freed} without the place it repeated: {reused_more})"
            def assessed(more: str) -> tuple[Any, ...] | None:
                # what a call more leaves, where it takes up some of the numbers, names or functions left, repeats no call,
                # fills no two arguments from one place, names a place and gives every required argument something
                numbers_then, names_then, items_then, grown = numbers_left(more, grounded), names_for_more(more), items_left(more, grounded), _calls(more) or []
                named_then, back_then, pairs_then = functions_named_left(more, grounded, every), way_back_left(more, grounded, every), pairs_left(more, grounded)
                took = (numbers_then is not None and names_then is not None and items_then is not None and named_then is not None
                        and pairs_then is not None
                        and (numbers_then < numbers or len(names_then) < len(names) or any(item not in items_then for item in items)
                             or len(named_then) < len(named) or (back and back_then is False) or len(pairs_then) < len(pairs)))
                if (not took or places_reused(more, every, grounded) is not None or places_unnamed(more, every, grounded) is not None
                        or empty_required(more, every) is not None or any(call in grown[:i] for i, call in enumerate(grown))):
                    return None
                return numbers_then, names_then, items_then, grown, named_then, back_then, pairs_then

            left = assessed(more)
            on_pairs = on_pairs_left(grow["then"], pairs) if left is None and pairs and not repeats else None
            on_left = on_numbers_left(grow["then"], text, grounded) if left is None and on_pairs is None and asks_more and not repeats else None
            on_items = (on_items_left(grow["then"], text, grounded) if left is None and on_pairs is None and on_left is None and items
                        and not repeats else None)
            if on_items is not None:
                # again, the answer's calls as written, then one call more for each item left, each writing one of them where
                # the call before it wrote the item it is listed beside (parallel_37: "navy, purple and maroon" answered for
                # purple and maroon wrote maroon again, quoted otherwise)
                more, more_tokens = self._counted(self._decode_more(case, functions, dict(grow, kept=call_texts(text) or [], then=on_items,
                                                                                          max_calls=len(calls) + len(items)),
                                                                    prompt, fast_forward, text, grounded))
                left = assessed(more)
                left_out = " (the later ones on items left)"
            elif on_pairs is not None or on_left is not None:
                # again, the answer's calls as written, then a call more that writes a combination left or takes a number left in digits
                more, more_tokens = self._counted(self._decode_more(case, functions, dict(grow, kept=call_texts(text) or [], then=on_pairs or on_left, max_calls=None),
                                                                    prompt, fast_forward, text, grounded))
                left = assessed(more)
                left_out = " (the last on a combination left)" if on_pairs is not None else " (the last on a number left)"
            if left is None:
                break
            numbers_then, names_then, items_then, grown, named_then, back_then, pairs_then = left
            self._before_more.append((text, tokens, self.spec_form))
            text, tokens, calls, numbers, names, items, named = more, more_tokens, grown, numbers_then or 0, names_then or [], items_then or [], named_then or []
            back, pairs = bool(back_then), pairs_then or []
            self.spec_form = (f"calls ({len(calls)}, each new one on numbers or names the others left) of " + ", ".join(dict.fromkeys(name for name, _ in calls))
                              + left_out + self._lists_note)
        shared = numbers_shared(text, every, grounded)
        if shared:  # an optional argument took a number the words give once that another call's required one takes: it gives it up
            kept_texts = call_texts_without(text, shared) or []
            text, tokens = self._written(case, functions, kept_texts, prompt, fast_forward)
            self.spec_form += " (the calls as written, less the optional arguments that took another call's number: " + ", ".join(
                f"call {i + 1}'s {parameter}" for i, parameter in shared) + ")"
        once = calls_once(text, grounded)
        if once:  # a call written twice that the words do not count: once
            text, tokens = self._written(case, functions, once, prompt, fast_forward)
            self.spec_form += " (the calls as written, each once)"
        apart_only = calls_mixed(text, grounded)
        if apart_only:  # a call that mixes the numbers of sentences other calls take apart: left out
            text, tokens = self._written(case, functions, apart_only, prompt, fast_forward)
            self.spec_form += " (the calls as written, less those that mix the numbers of sentences other calls take apart)"
        own_items = items_elsewhere(text, grounded)
        if own_items:  # a list that writes items the words ask of another call of its function: held to its own
            text, tokens = self._written(case, functions, own_items, prompt, fast_forward)
            self.spec_form += " (the calls as written, each list less the items the words ask of another call)"
        return text, tokens

    def _written(self, case: Mapping[str, Any], functions: list[dict[str, Any]], kept: list[str], prompt: str,
                 fast_forward: bool) -> tuple[str, int]:
        """The answer that writes the calls ``kept``, as given and no others (a decode all of whose
        tokens are forced), counted (``_counted``)."""
        return self._counted(self._decode(case, functions, {"calls": "one or more", "words": None, "kept": kept,
                                                            "min_calls": len(kept), "max_calls": len(kept)}, prompt, fast_forward))

    def _counted(self, decoded: tuple[str, int, float, int]) -> tuple[str, int]:
        """A further decode's text and tokens, its preparation seconds and forward passes added to the answer's."""
        text, tokens, prepare, passes = decoded
        self.prepare_seconds += prepare
        self.forward_passes += passes
        return text, tokens

    def _decode_more(self, case: Mapping[str, Any], functions: list[dict[str, Any]], grow: dict[str, Any], prompt: str,
                     fast_forward: bool, text: str, grounded: str) -> tuple[str, int, float, int]:
        """``_decode_grown`` of a call more; where it writes a list item more times than the user's
        words do and ``text``, the answer before it, does not (``repeated_lists``: "C4", "E4",
        "F4", "G4", "C4", ...), decoded again with each such list held to the items before that
        one (``lists_bounded``), preparation and forward passes of both counted. Says so in
        ``_lists_note``."""
        more, tokens, prepare, passes = self._decode_grown(case, functions, grow, prompt, fast_forward)
        self._lists_note, self._list_bounds = "", {}
        before = repeated_lists(text, grounded) or {}
        repeated = {name: most for name, lists in (repeated_lists(more, grounded) or {}).items()
                    if (most := {p: k for p, k in lists.items() if p not in before.get(name, {})})}
        if not repeated:
            return more, tokens, prepare, passes
        again = self._decode_grown(case, lists_bounded(functions, repeated), dict(grow, then=lists_bounded(grow.get("then") or functions, repeated)),
                                   prompt, fast_forward)
        self._list_bounds = repeated
        self._lists_note = " (a list written over again held to the items before the repeat: " + ", ".join(
            f"{name}.{p} to {k}" for name, lists in repeated.items() for p, k in lists.items()) + ")"
        return again[0], again[1], prepare + again[2], passes + again[3]

    def _decode_grown(self, case: Mapping[str, Any], functions: list[dict[str, Any]], grow: dict[str, Any], prompt: str,
                      fast_forward: bool) -> tuple[str, int, float, int]:
        """``_decode`` of an answer with a call more (``grow``): "none of its calls twice" beside
        long calls can be past the exact masks' state limit (DISTINCT_STATES), and is then left
        out of ``grow``."""
        try:
            with settle_limit(DISTINCT_STATES):
                return self._decode(case, functions, grow, prompt, fast_forward)
        except DecoderError:
            grow.pop("distinct", None)
            return self._decode(case, functions, grow, prompt, fast_forward)

    def _name_argument(self, case: Mapping[str, Any], functions: list[dict[str, Any]], form: Mapping[str, Any], prompt: str,
                       fast_forward: bool, text: str, tokens: int, grounded: str) -> tuple[str, int]:
        """The answer with an optional argument more that writes a name the user gives and no call
        writes (``names_for_arguments``), where a called function has such a parameter left
        (``open_parameters``): decoded again with one of those names as a value and no more calls
        (``bfcl_spec(uses=..., max_calls=...)``; left free, the model closes the call and writes
        the name in a call more), and kept on the terms of ``_argument_more``, fewer names left
        (``names_unused``); otherwise ``text`` as it is. Then, where a call leaves out an optional
        parameter named for a month or a date the user gives (``when_for_arguments``), decoded
        again with it required and grounded in those months or dates alone (``with_required``),
        kept on the same terms, fewer such parameters left."""
        left = names_for_arguments(text, grounded, functions)
        if left and open_parameters(text, functions):
            text, tokens = self._argument_more(case, functions, dict(form, uses=left), prompt, fast_forward, text, tokens, grounded,
                                               lambda answer: len(names_unused(answer, grounded, functions) or []),
                                               "a name left written as an argument: " + ", ".join(left))
        when = when_for_arguments(text, grounded, functions)
        if when:  # each such parameter required, grounded in its months or dates alone
            text, tokens = self._argument_more(case, functions, form, prompt, fast_forward, text, tokens, grounded,
                                               lambda answer: len(when_for_arguments(answer, grounded, functions) or []),
                                               "a month or date left written as an argument: " + ", ".join(f"{param} ({', '.join(phrases)})" for _, param, phrases in when),
                                               decoded=with_required(functions, [(name, param, " . ".join(phrases)) for name, param, phrases in when]))
        return text, tokens

    def _number_argument(self, case: Mapping[str, Any], functions: list[dict[str, Any]], form: Mapping[str, Any], prompt: str,
                         fast_forward: bool, text: str, tokens: int, grounded: str) -> tuple[str, int]:
        """The answer with the optional number arguments more that a number the user gives and no
        call writes is labelled for (``numbers_for_arguments``: "a maximum cost of $50" beside
        ``max_cost``): decoded again with those arguments required, each taking a number labelled
        for it (``with_required``, ``numbers_required``), and kept on the terms of ``_argument_more``, fewer
        numbers left (``digits_left``); otherwise ``text`` as it is. Then, where two number
        arguments took each other's numbers (``numbers_swapped``), decoded again with each
        grounded in the numbers labelled for it, and kept on the same terms, no argument more
        needed, none swapped."""
        wanted = numbers_for_arguments(text, grounded, functions)
        if wanted:
            text, tokens = self._argument_more(case, functions, form, prompt, fast_forward, text, tokens, grounded,
                                               lambda answer: digits_left(answer, grounded) or 0,
                                               "a number left written as an argument: " + ", ".join(dict.fromkeys(param for _, param, _ in wanted)),
                                               decoded=with_required(functions, numbers_required(wanted, grounded)))
        swapped = numbers_swapped(text, grounded, functions)
        if swapped:  # each number argument grounded in the numbers labelled for it
            text, tokens = self._argument_more(case, functions, form, prompt, fast_forward, text, tokens, grounded,
                                               lambda answer: len(numbers_swapped(answer, grounded, functions) or []),
                                               "numbers swapped written where their labels say: " + ", ".join(param for _, param, _ in swapped),
                                               decoded=with_required(functions, numbers_required(swapped, grounded)), more=False)
        return text, tokens

    def _argument_more(self, case: Mapping[str, Any], functions: list[dict[str, Any]], form: Mapping[str, Any], prompt: str,
                       fast_forward: bool, text: str, tokens: int, grounded: str, left: Callable[[str], int], why: str,
                       decoded: list[dict[str, Any]] | None = None, more: bool = True) -> tuple[str, int]:
        """The answer decoded again under ``form`` and ``decoded`` (copies of ``functions``; by
        default ``functions`` themselves) with no more calls than ``text`` holds, kept where its
        calls are the same functions, each writing every argument it wrote and (``more``) at least one more,
        it leaves less (``left(answer)``, a count, falls) and it passes the review of
        ``functions`` (places, required arguments); ``why`` then joins ``spec_form``. Otherwise
        ``text`` as it is."""
        calls = _calls(text) or []
        if not calls:
            return text, tokens
        try:
            with settle_limit(DISTINCT_STATES):
                again, again_tokens = self._counted(self._decode(case, decoded or functions, dict(form, max_calls=len(calls)), prompt, fast_forward))
        except (DecoderError, BfclError):  # past the exact masks' state limit, or no list can write what it must
            return text, tokens
        after = _calls(again) or []
        grew = len(after) == len(calls) and all(name == then and (set(args) < set(args_then) if more else set(args) <= set(args_then))
                                                for (name, args), (then, args_then) in zip(calls, after))
        if (not grew or left(again) >= left(text) or places_reused(again, functions, grounded) is not None
                or places_unnamed(again, functions, grounded) is not None or empty_required(again, functions) is not None):
            return text, tokens
        self.spec_form += f" (again, {why})"
        return again, again_tokens

    @staticmethod
    def _numbers_for_another_call(calls: Sequence[tuple[str, Mapping[str, Any]]], functions: Sequence[Mapping[str, Any]], left: int) -> bool:
        """Whether ``left`` numbers no call has used (``numbers_left``) are enough for the required
        numbers of another call of one of the functions the answer calls."""
        known = {f["name"]: f for f in functions}
        needs = [n for n in (len(required_numbers(known[name])) for name, _ in calls if name in known) if n]
        return bool(needs) and left >= min(needs)

    def _decode(self, case: Mapping[str, Any], functions: list[dict[str, Any]], form: Mapping[str, Any], prompt: str,
                fast_forward: bool) -> tuple[str, int, float, int]:
        """One greedy answer under the spec of ``functions`` and ``form``: its text, tokens,
        preparation seconds (compile + token index) and forward passes."""
        from ltlagent.compiler.compile import compile_spec
        from ltlagent.decoders.guide import SpecGuide
        from ltlagent.decoders.hf import SpecDecoder
        from ltlagent.decoders.index import build_token_index

        t0 = time.perf_counter()
        lang = language(category_of(case))
        grounded = self._grounded(case)
        if grounded is not None and self.answer_form == "gated" and self.meaning != "off" and form.get("calls") != "none":  # a catalogue's member the user means
            functions = nearest_members(functions, grounded, self._member_similarities(grounded))
            functions = meant_flags(functions, grounded, self._span_reader(grounded))
            functions = meant_members(functions, grounded, self._span_reader(grounded))
        if lang != "python" and self.values == "grounded":  # Java/JavaScript: literals quote the user's words and numbers
            grounded = user_words(case)
        compiled = compile_spec(bfcl_spec(functions, "bfcl_" + case["id"], language=lang, grounded=grounded, **form).build())
        if compiled.errors:
            raise BfclError(f"{case['id']}: the case's spec does not compile: {compiled.errors[0].message}")
        index = build_token_index(compiled, self.vocab)
        prepare = time.perf_counter() - t0
        several = form.get("min_calls", 1) > 1 or (form.get("calls") == "each" and len(functions) > 1)
        budget = answer_budget(self.max_new_tokens, SpecGuide(index).distance(), several)
        # one token less than the budget, so the steered end (and its EOS) always fits
        decoder = SpecDecoder(self.model, self.tokenizer, index, device=self.model.device, max_tokens=budget - 1, fast_forward=fast_forward)
        decoder.start(prompt)
        turn = decoder.generate(budget)
        return turn.text, len(turn.tokens), prepare, turn.forward_passes


def answer_budget(cap: int, shortest: int, several: bool) -> int:
    """The tokens a constrained answer may take: ``cap``, or, for an answer asked to hold several
    calls (one call more, or a call of each of several functions) whose spec's shortest answer
    (``shortest`` bytes, at least as many tokens) is over half the cap, that shortest answer
    plus half the cap. The guide takes the shortest way to the end as soon as a free token could
    overrun its budget (``SpecGuide.mask_mode``), and it counts that way in bytes: under the cap
    alone, three calls of a 80-byte call are written in their shortest form from the first
    token (``location="I"``)."""
    return max(cap, shortest + cap // 2) if several else cap


def summarize(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    n = len(rows)
    with_calls = [r for r in rows if r["calls"]]
    return {
        "cases": n,
        "accuracy": sum(r["valid"] for r in rows) / n if n else 0.0,
        "schema_valid_calls": sum(r["schema_valid"] for r in with_calls) / len(with_calls) if with_calls else None,
        "answers_with_calls": len(with_calls),
        "unknown_function_calls": sum(r["unknown_function"] for r in rows),
        "seconds_per_case": sum(r["seconds"] for r in rows) / n if n else 0.0,
        "tokens_per_case": sum(r["tokens"] for r in rows) / n if n else 0.0,
    }


def plan_cases(bfcl: Bfcl, categories: Sequence[str], limit: int | None = None,
               ids: Sequence[str] | None = None) -> list[tuple[str, list[dict[str, Any]]]]:
    """Each category with its first ``limit`` cases, or (``ids``) only those of them named; a
    ``BfclError`` names any id that is not among them."""
    plan = [(c, load_cases(bfcl, c, limit)) for c in categories]
    if ids is None:
        return plan
    wanted = set(ids)
    unknown = wanted - {case["id"] for _, cases in plan for case in cases}
    if unknown:
        raise BfclError(f"no case {', '.join(sorted(unknown))} in the first {limit if limit is not None else 'all'} of "
                        f"{', '.join(categories)}: give ids as BFCL spells them (simple_python_4, live_simple_51-23-0), "
                        "in the categories --categories names")
    return [(c, [case for case in cases if case["id"] in wanted]) for c, cases in plan]


def evaluate(
    model: Any,
    tokenizer: Any,
    *,
    categories: Sequence[str] = CATEGORIES,
    limit: int | None = None,
    modes: Sequence[str] = ("unconstrained", "constrained"),
    max_new_tokens: int = 256,
    answer_form: str = "gated",
    gate_nats: float = GATE_NATS,
    values: str = "grounded",
    functions: str = "picked",
    word_nats: float = WORD_NATS,
    places: str = "own",
    calls_more: str = "again",
    meaning: str = "minilm",
    meaning_floor: float = MEANING_FLOOR,
    meaning_nats: float = MEANING_NATS,
    doubt_nats: float = DOUBT_NATS,
    gate_gain: str = "best",
    ids: Sequence[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    bfcl: Bfcl | None = None,
    done: Sequence[Mapping[str, Any]] = (),
    checkpoint: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Run and score the categories (``ids``: only those cases, each of which must be among the
    first ``limit`` of its category); returns per-case and per-category results (JSON-ready).
    Ctrl-C stops early: the results then cover the cases finished so far (``interrupted``).
    ``done``: the case rows of an earlier run with the same settings; they are kept, and the
    answers they hold (a case in a mode) are not asked again. ``checkpoint``: called with the
    results so far (``interrupted`` until the last answer) after every answer."""
    bfcl = bfcl or import_bfcl()
    if answer_form not in ANSWER_FORMS:
        raise BfclError(expect_one_of("answer form", answer_form, tuple(ANSWER_FORMS)))
    answerer = Answerer(model, tokenizer, max_new_tokens, answer_form, gate_nats, bfcl, values, functions, word_nats, places, calls_more,
                        meaning, meaning_floor, meaning_nats, doubt_nats, gate_gain)
    results: dict[str, Any] = {"categories": {}, "cases": [dict(r) for r in done], "interrupted": False, "answer_form": answer_form,
                               "values": values}
    answered = {(r["id"], r["mode"]) for r in done}
    if answer_form == "gated":
        results["gate_nats"] = gate_nats
        results["word_nats"] = word_nats
        results["functions"] = functions
        results["places"] = places
        if calls_more != "again":  # recorded where it is not the default, so earlier results files stay comparable
            results["calls_more"] = calls_more
        if gate_gain == "best":  # recorded where the best function's own gain counts: earlier files, made before it, counted all together
            results["gate_gain"] = gate_gain
        results["meaning"] = meaning
        if meaning != "off":
            results["meaning_floor"] = meaning_floor
            results["meaning_nats"] = meaning_nats
        if values == "grounded" and doubt_nats != math.inf:  # recorded where it doubts (JSON has no infinity), as earlier files, made before the doubt, did not
            results["doubt_nats"] = doubt_nats
    plan = plan_cases(bfcl, categories, limit, ids)
    if ids is not None:
        results["ids"] = sorted(set(ids) | {r["id"] for r in done})
    todo = [(category, case, [m for m in modes if (case["id"], m) not in answered]) for category, cases in plan for case in cases]
    total = sum(len(left) for _, _, left in todo)
    groups = list(dict.fromkeys([*categories, *(c for c in CATEGORIES if c in {r["category"] for r in done})]))
    all_modes = list(dict.fromkeys([*modes, *(m for m in MODES if m in {r["mode"] for r in done})]))

    def summarized(interrupted: bool) -> dict[str, Any]:
        return {**results, "interrupted": interrupted, "categories": per_mode(results["cases"], "category", groups, all_modes, summarize)}

    written = 0
    try:
        for category, case, left in todo:
            if not left:
                continue
            messages = prompt_messages(bfcl, case)
            for mode in left:
                t0 = time.perf_counter()
                text, tokens = answerer.answer(case, messages, mode)
                row = {"id": case["id"], "category": category, "mode": mode, "output": text, "tokens": tokens,
                       "seconds": round(time.perf_counter() - t0, 3)}
                if mode != "unconstrained":
                    row["prepare_seconds"] = round(answerer.prepare_seconds, 4)
                    row["forward_passes"] = answerer.forward_passes
                    if answerer.gain is not None:
                        row["gain_nats"] = round(answerer.gain, 3)
                        row["shared_words"] = answerer.shared_words
                        if answerer.asked_operation is not None:
                            row["asked_operation"] = answerer.asked_operation
                        row["gate_seconds"] = round(answerer.gate_seconds, 3)
                    row["spec"] = answerer.spec_form
                    if answerer.least_value_logprob is not None:
                        row["least_value_logprob"] = round(answerer.least_value_logprob, 3)
                    if answerer.similarities:
                        row["similarities"] = {k: round(v, 3) for k, v in answerer.similarities.items()}
                    if answerer.function_gains:
                        row["function_gains"] = {k: round(v, 3) for k, v in answerer.function_gains.items()}
                row.update(score(bfcl, case, category, text))
                results["cases"].append(row)
                written += 1
                if checkpoint is not None:
                    checkpoint(summarized(interrupted=written < total))
                if progress is not None:
                    progress(f"{category} {mode}", written, total)
    except KeyboardInterrupt:
        results["interrupted"] = True
    return summarized(results["interrupted"])


def table(results: Mapping[str, Any]) -> str:
    """The per-category comparison as a Markdown table (one column group per mode run)."""
    modes = [m for m in MODES if any(m in per for per in results["categories"].values())]

    def pct(x: float | None) -> str:
        return "–" if x is None else f"{100 * x:.0f}%"

    arrow = " → ".join
    lines = [f"| category | cases | accuracy ({arrow(modes)}) | schema-valid calls | calls to unknown functions | s/case |", "|---|---|---|---|---|---|"]
    for category, per in results["categories"].items():
        rows = [per[m] for m in modes if m in per]
        lines.append(f"| {category} | {rows[0]['cases']} | {arrow(pct(r['accuracy']) for r in rows)} | "
                     f"{arrow(pct(r['schema_valid_calls']) for r in rows)} | {arrow(str(r['unknown_function_calls']) for r in rows)} | "
                     f"{arrow(format(r['seconds_per_case'], '.1f') for r in rows)} |")
    return "\n".join(lines)
