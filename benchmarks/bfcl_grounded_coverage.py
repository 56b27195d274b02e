"""How many of BFCL's accepted answers each grounding rule of ``--values grounded`` still admits.

``ltlagent eval bfcl --values grounded`` narrows a case's spec with the user's words alone:
string arguments are spans of them (or a format the parameter's description shows by example:
``bfcl_grammar.formats``), and an optional argument is written only with an enum member the user
names or a number the user wrote (``bfcl_grammar.optional_grounded``). A narrower spec helps a
small model only if it keeps the right answers. This script counts, per category, the cases
whose accepted answer (some choice among the values BFCL accepts for each argument, or leaving
out an optional one BFCL lets go) every argument regex still admits, under six specs: free
values, spans only, spans and formats, spans, formats and grounded options (an optional number
one the user wrote in digits), and all of those with grounded numbers (every number one the
user's words give, ``bfcl_grammar.numbers_in``), and those with the answer's functions callable
(each required number given its own place in the user's words, ``bfcl.numbers_given``: the
default spec, which refuses otherwise), and those whose calls also pass the place review of
``--places own`` (``bfcl.places_reused``: some choice among the accepted values of each call, up
to MAX_CHOICES of them, fills no two arguments from one place of the user's words), and those
that also accept, for each optional enum the user names once, the member named (the spec
writes it: ``bfcl_grammar.named_option``), and those whose dates are the ones the user's words
give (a date/time shape's value: ``bfcl_grammar.shape_literals``; before, any digits), and those
whose numbers with codes in their description take the code the user names
(``bfcl_grammar.named_code``; before, a number the user wrote), and those whose URL parameters
take a URL the user wrote, a function with a required one called only then
(``bfcl_grammar.user_urls``, ``bfcl.urls_given``). It also tallies what the answers want of the optional
date parameters the spec writes when the user's words give a date (``bfcl_grammar.dated_option``).
No model runs; the answers are used to measure the rules, never to build a spec.

    python benchmarks/bfcl_grounded_coverage.py [--json benchmarks/results/bfcl-grounded-coverage.json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

CATEGORIES = ("simple_python", "multiple", "parallel", "parallel_multiple", "live_simple", "live_multiple", "live_parallel", "live_parallel_multiple")
SPECS = ("free", "spans", "spans + formats", "spans + formats + options", "spans + formats + options + numbers",
         "spans + formats + options + numbers + callable", "spans + formats + options + numbers + callable + own places",
         "spans + formats + options + numbers + callable + own places + named options",
         "spans + formats + options + numbers + callable + own places + named options + dates",
         "spans + formats + options + numbers + callable + own places + named options + dates + codes",
         "spans + formats + options + numbers + callable + own places + named options + dates + codes + urls")
MAX_CHOICES = 5000  # the most choices of accepted values tried per call for the place review
WRITTEN = re.compile(r"(?<![0-9])([0-9]{1,3}(,[0-9]{3})+(?![0-9])|[0-9]+)(\.[0-9]+)?")


def admitted(case: Mapping[str, Any], spec: str) -> bool:
    """Whether some answer BFCL accepts for the case passes every argument regex of ``spec``."""
    from ltlagent.evals import bfcl as B
    from ltlagent.evals import bfcl_grammar as G

    if spec.endswith(" + urls"):  # and a URL parameter takes a URL the user wrote; a required one needs one
        said = B.user_words(case)
        return admitted(case, spec.removesuffix(" + urls")) and all(urls_accepted(call, case["function"], said) for call in case["ground_truth"])
    if spec.endswith(" + codes"):  # a number whose description gives codes takes the one the user names (an optional one: written)
        said, functions = B.user_words(case), {f["name"]: f["parameters"] for f in case["function"]}
        return _admitted(case, spec.removesuffix(" + codes"), dates=True) and all(named_options_accepted(call, functions, said, G.named_code)
                                                                                 for call in case["ground_truth"])
    real = G.named_code
    G.named_code = B.named_code = lambda schema, text: None  # before: as any number
    try:
        return _admitted(case, spec, dates=spec.endswith(" + dates"))
    finally:
        G.named_code = B.named_code = real


def _admitted(case: Mapping[str, Any], spec: str, dates: bool = False) -> bool:
    """``admitted``, with ``dates``: a date/time shape takes the user's dates and times (else any
    digits, as before)."""
    from ltlagent.evals import bfcl_grammar as G
    from ltlagent.evals.bfcl import numbers_given, user_words

    said = user_words(case)
    functions = {f["name"]: f["parameters"] for f in case["function"]}
    if spec.endswith(" + dates"):  # and a date/time shape takes the dates and times the user gives
        return _admitted(case, spec.removesuffix(" + dates"), dates=True)
    if spec.endswith("named options"):  # and an optional enum the user names once is written with that member
        return _admitted(case, spec.removesuffix(" + named options"), dates) and all(named_options_accepted(call, functions, said) for call in case["ground_truth"])
    if spec.endswith("own places"):  # and the answer's calls pass the review: no place fills two arguments
        return _admitted(case, spec.removesuffix(" + own places"), dates) and all(own_places(call, case["function"], said) for call in case["ground_truth"])
    if spec.endswith("callable"):  # and the spec calls the answer's functions: each required number its own place in the words
        return _admitted(case, spec.removesuffix(" + callable"), dates) and all(
            numbers_given(f, said) for f in case["function"] if any(f["name"] in call for call in case["ground_truth"]))
    real_formats, real_number, real_shapes, real_given, real_still = G.formats, G.grounded_number, G.shape_literals, G.shapes_given, G.starts_still
    G.formats = real_formats if "formats" in spec else (lambda description: (False, ()))
    G.grounded_number = real_number if "numbers" in spec else (lambda *_: None)  # any number
    G.starts_still = real_still if "numbers" in spec else (lambda *_: False)  # not 0 alone
    if not dates:  # any digit for each digit or placeholder of a shape, and the spans beside it
        G.shape_literals = lambda shapes, text=None: "(" + "|".join(q + G.shape_regex(x) + q for q in ('"', "'") for x in shapes) + ")"
        G.shapes_given = lambda shapes, text: False
    G.grounded_string.cache_clear()
    try:
        for call in case["ground_truth"]:
            name, accepted = next(iter(call.items()))
            params = functions.get(name)
            if params is None:
                return False
            required = set(params.get("required") or ())
            for param, options in accepted.items():
                schema = (params.get("properties") or {}).get(param, {})
                if param not in required and "" in options:
                    continue  # BFCL lets it go: leave it out
                grounded = None if spec == "free" else said
                code = G.named_code(schema, said) if grounded is not None else None  # None before the codes column
                if param not in required and code is not None:
                    regex = G.literal(code)
                elif param not in required and spec.endswith("options") and schema.get("type") in ("integer", "float", "number") and not schema.get("enum"):
                    regex = written(schema["type"], said)
                elif param not in required and "options" in spec:
                    regex = G.optional_grounded(schema, said, param)
                else:
                    regex = G.value_regex(schema, 1, grounded, param)
                if regex is None or not any(o != "" and re.fullmatch(regex, repr(G.as_listed(o, schema))) for o in options):
                    return False
        return True
    finally:
        G.formats, G.grounded_number, G.shape_literals, G.shapes_given, G.starts_still = real_formats, real_number, real_shapes, real_given, real_still
        G.grounded_string.cache_clear()


def urls_accepted(call: Mapping[str, Any], functions: list[Any], said: str) -> bool:
    """Whether the call's function is called (``bfcl.urls_given``) and BFCL accepts, for each of
    its URL parameters (``bfcl_grammar.url_param``), a URL the user wrote, or leaving an
    optional one out where the user wrote none (the spec writes none then)."""
    from ltlagent.evals.bfcl import urls_given
    from ltlagent.evals.bfcl_grammar import url_param, user_urls

    name, accepted = next(iter(call.items()))
    function = next((f for f in functions if f["name"] == name), None)
    if function is None or not urls_given(function, said):
        return False
    params = function.get("parameters") or {}
    for param, schema in (params.get("properties") or {}).items():
        if url_param(param, schema):
            options = accepted.get(param, [""])
            if not any(o in user_urls(said) for o in options) and not ("" in options and (param not in (params.get("required") or ()))):
                return False
    return True


def named_options_accepted(call: Mapping[str, Any], functions: Mapping[str, Any], said: str, named_option: Any = None) -> bool:
    """Whether BFCL accepts, for each optional enum of the call's function the user names once
    (``bfcl_grammar.named_option``, or another such rule: ``named_code``), the member named (for
    ``named_option``, each required enum's too), and
    for each optional flag the user names (``bfcl_grammar.named_flag``), ``True``, and for each
    optional number the user names (``named_number_regex``), a number the spec admits."""
    from ltlagent.evals import bfcl_grammar as G
    from ltlagent.evals.bfcl_grammar import named_flag

    if named_option is None:
        named_option = G.named_option

    name, accepted = next(iter(call.items()))
    params = functions.get(name) or {}
    required = set(params.get("required") or ())
    for param, schema in (params.get("properties") or {}).items():
        if param in required and schema.get("enum") and named_option is G.named_option:  # a required enum: the member named, too
            option = named_option(schema, said)
        else:
            option = None if param in required else named_option(schema, said)
        if option is not None and option not in accepted.get(param, [""]):
            return False
        if param not in required and named_flag(param, schema, said) and True not in accepted.get(param, [""]):
            return False
        regex = None if param in required else named_number_regex(schema, param, said)
        if regex is not None and not any(o != "" and re.fullmatch(regex, repr(o)) for o in accepted.get(param, [""])):
            return False
    return True


def named_number_regex(schema: Mapping[str, Any], param: str, said: str) -> str | None:
    """The values of an optional number the spec writes because the user names it
    (``bfcl_grammar.named_number``), where no code the description gives is named first
    (``named_code``); ``None`` where the rule does not write it."""
    from ltlagent.evals import bfcl_grammar as G

    if G.named_code(schema, said) is not None or not G.named_number(param, schema, said):
        return None
    return G.optional_grounded(schema, said, param)


def own_places(call: Mapping[str, Any], functions: list[Any], said: str) -> bool:
    """Whether some choice among the values BFCL accepts for a call's arguments (an empty choice
    leaves an optional one out) passes ``bfcl.places_reused``."""
    import itertools

    from ltlagent.evals.bfcl import places_reused

    name, accepted = next(iter(call.items()))
    params = list(accepted)
    choices = itertools.product(*[accepted[p] or [[]] for p in params])  # [] in BFCL's answers: the empty list
    for values in itertools.islice(choices, MAX_CHOICES):
        text = f"[{name}(" + ", ".join(f"{p}={v!r}" for p, v in zip(params, values) if v != "") + ")]"
        if places_reused(text, functions, said) is None:
            return True
    return False


def written(kind: str, text: str) -> str | None:
    """An optional number before grounded numbers: one the text writes in digits, as written."""
    numbers = {float(m.group(0).replace(",", "")) for m in WRITTEN.finditer(text)}
    forms = {repr(int(n)) if n == int(n) else repr(n) for n in numbers if kind != "integer" or n == int(n)}
    return "-?(" + "|".join(re.escape(f) for f in sorted(forms)) + ")" if forms else None


def answer_calls(bfcl: Any) -> Any:
    """Every call of BFCL's answers in CATEGORIES: (the user's words, the case's functions by
    name, the called function's name, the values BFCL accepts for each argument)."""
    from ltlagent.evals import bfcl as B

    for category in CATEGORIES:
        for case in B.load_cases(bfcl, category):
            said = B.user_words(case)
            functions = {f["name"]: f for f in case["function"]}
            for call in case["ground_truth"]:
                name, accepted = next(iter(call.items()))
                yield said, functions, name, accepted


def written_option_answers(bfcl: Any, written: Any, admits: Any = lambda value, answers: value in answers) -> dict[str, int]:
    """Over every call of BFCL's answers in CATEGORIES, the optional arguments the spec writes
    (``written(param, schema, said)``: the value, or ``None`` where it writes none), by what the
    answer wants of them: that value and nothing else ("needs it": a model that leaves it out
    fails), the value or nothing ("either"), or another value or nothing else ("another").
    ``admits(value, answers)``: whether the value is one of the answers (for a regex: one of
    them matches it)."""
    counts = {"needs it": 0, "either": 0, "another": 0}
    for said, functions, name, accepted in answer_calls(bfcl):
        params = (functions.get(name) or {}).get("parameters") or {}
        for param, schema in (params.get("properties") or {}).items():
            value = None if param in (params.get("required") or ()) else written(param, schema, said)
            if value is not None:
                answers = accepted.get(param, [""])
                counts["another" if not admits(value, answers) else "either" if "" in answers else "needs it"] += 1
    return counts


def named_member_answers(bfcl: Any) -> dict[str, int]:
    """Over every call of BFCL's answers in CATEGORIES, the required enums whose members the
    user names one of (``bfcl_grammar.named_option``), by whether the answer accepts that member
    ("agree") or wants another ("disagree")."""
    from ltlagent.evals.bfcl_grammar import named_option

    counts = {"agree": 0, "disagree": 0}
    for said, functions, name, accepted in answer_calls(bfcl):
        params = (functions.get(name) or {}).get("parameters") or {}
        for param in params.get("required") or ():
            schema = (params.get("properties") or {}).get(param) or {}
            member = named_option(schema, said) if schema.get("enum") else None
            if member is not None:
                counts["agree" if member in accepted.get(param, []) else "disagree"] += 1
    return counts


def named_option_answers(bfcl: Any) -> dict[str, int]:
    """``written_option_answers`` for the optional enums the user names once (``bfcl_grammar.named_option``)."""
    from ltlagent.evals.bfcl_grammar import named_option

    return written_option_answers(bfcl, lambda param, schema, said: named_option(schema, said))


def listed_member_answers(bfcl: Any) -> dict[str, int]:
    """Over every call of BFCL's answers in CATEGORIES, the lists of a catalogue whose members
    the user names (``bfcl_grammar.listed_members``; the spec writes such a list, required or
    optional, with some of those members, each once: ``members_listed``), by whether the answer
    accepts such a list ("agree") or wants another, or none ("disagree")."""
    from ltlagent.evals.bfcl_grammar import listed_members, members_listed

    counts = {"agree": 0, "disagree": 0}
    for said, functions, name, accepted in answer_calls(bfcl):
        props = ((functions.get(name) or {}).get("parameters") or {}).get("properties") or {}
        for param, schema in props.items():
            members = listed_members(schema, said)
            if members:
                regex = members_listed(members)
                ok = any(isinstance(a, list) and re.fullmatch(regex, repr(a)) for a in accepted.get(param, [""]))
                counts["agree" if ok else "disagree"] += 1
    return counts


def given_year_answers(bfcl: Any) -> dict[str, int]:
    """``written_option_answers`` for the optional parameters named for a year where the user's
    words give one (``bfcl_grammar.given_year``), and the optional catalogues the user counts
    (``bfcl_grammar.counted_member``) or gives a year of (``bfcl_grammar.year_members``)."""
    from ltlagent.evals.bfcl_grammar import counted_member, given_year, literal, year_members

    def written(param: str, schema: Mapping[str, Any], said: str) -> str | None:
        if schema.get("enum"):
            years = year_members(schema, said)
            member = years[0] if len(years) == 1 else counted_member(param, schema, said)
            return literal(member) if member is not None else None
        return given_year(param, schema, said)

    return written_option_answers(bfcl, written, admits=lambda regex, answers: any(o != "" and re.fullmatch(regex, repr(o)) for o in answers))


def quoted_after_name_answers(bfcl: Any) -> dict[str, int]:
    """``written_option_answers`` for the optional strings whose name of one word the user writes
    right before a quoted passage (``bfcl_grammar.quoted_after_name``: the spec writes one of those passages)."""
    from ltlagent.evals.bfcl_grammar import quoted_after_name

    return written_option_answers(bfcl, lambda param, schema, said: quoted_after_name(param, schema, said),
                                  admits=lambda regex, answers: any(isinstance(o, str) and o != "" and re.fullmatch(regex, repr(o)) for o in answers))


def named_flag_answers(bfcl: Any) -> dict[str, int]:
    """``written_option_answers`` for the optional flags the user names (``bfcl_grammar.named_flag``, written true: ``True``,
    or a catalogue's "True")."""
    from ltlagent.evals.bfcl_grammar import named_flag

    return written_option_answers(bfcl, lambda param, schema, said: (True if schema.get("type") == "boolean" else "True")
                                  if named_flag(param, schema, said) else None)


def named_number_answers(bfcl: Any) -> dict[str, int]:
    """``written_option_answers`` for the optional numbers the user names (``named_number_regex``:
    a number the spec admits)."""
    return written_option_answers(bfcl, lambda param, schema, said: named_number_regex(schema, param, said),
                                  admits=lambda regex, answers: any(o != "" and re.fullmatch(regex, repr(o)) for o in answers))


def percent_answers(bfcl: Any) -> dict[str, int]:
    """Over every call of BFCL's answers in CATEGORIES, the float arguments whose accepted values
    hold a number the user writes as a percentage, as written or as its fraction ("5%": 5 or
    0.05), by whether they accept the reading ``bfcl_grammar.percent_reading`` gives them
    ("agree") or only the other ("disagree")."""
    from ltlagent.evals.bfcl_grammar import PERCENT, number_places, percent_reading

    counts = {"agree": 0, "disagree": 0}
    for said, functions, name, accepted in answer_calls(bfcl):
        percents = [values[:2] for _, end, values in number_places(said) if PERCENT.match(said, end) and len(values) > 1]
        props = ((functions.get(name) or {}).get("parameters") or {}).get("properties") or {}
        for param, answers in accepted.items():
            reading = percent_reading(props.get(param) or {})
            for whole, fraction in percents if reading != "both" else ():
                wanted = [v for v in (whole, fraction) if any(isinstance(a, (int, float)) and not isinstance(a, bool) and a == v for a in answers)]
                if wanted:
                    counts["agree" if (fraction if reading == "fraction" else whole) in wanted else "disagree"] += 1
    return counts


def dated_option_answers(bfcl: Any) -> dict[str, int]:
    """Over every call of BFCL's answers in CATEGORIES, the optional date parameters the spec
    writes because the user's words give a date (``bfcl_grammar.dated_option``), by what the
    answer wants of them: a date in a format the description shows ("needs it"), a date in
    another format ("another format"), or a date or nothing ("either"); and of "needs it", how
    many the spec's value admits: a date the user gives in that format ("the user's date",
    ``bfcl_grammar.shape_literals``)."""
    from ltlagent.evals.bfcl_grammar import dated_option, dated_shapes

    return _shaped_option_answers(bfcl, dated_option, dated_shapes, "the user's date")


def timed_option_answers(bfcl: Any) -> dict[str, int]:
    """``dated_option_answers`` for the optional time parameters the spec writes because the
    user's words give a time of day (``bfcl_grammar.timed_option``): a time in a format the
    description shows ("needs it"), in another format, or a time or nothing ("either"); and of
    "needs it", how many the spec's value admits ("the user's time")."""
    from ltlagent.evals.bfcl_grammar import timed_option, timed_shapes

    return _shaped_option_answers(bfcl, timed_option, timed_shapes, "the user's time")


def labelled_option_answers(bfcl: Any) -> dict[str, int]:
    """Over every call of BFCL's answers in CATEGORIES, the strings the user writes the
    parameter's name of several words before a value for ("directed by Herbert Ross",
    ``bfcl_grammar.labelled_string``): the optional ones, which the spec writes, by what the
    answer wants of them: a value ("needs it") or a value or nothing ("either"); of "needs it",
    how many the spec's value admits ("the words after the name"); and the required ones
    ("required") and how many of those the spec's value admits ("required, the words after the
    name")."""
    from ltlagent.evals.bfcl_grammar import labelled_string

    counts = {"needs it": 0, "either": 0, "the words after the name": 0, "required": 0, "required, the words after the name": 0}
    for said, functions, name, accepted in answer_calls(bfcl):
        params = (functions.get(name) or {}).get("parameters") or {}
        props, required = params.get("properties") or {}, set(params.get("required") or ())
        for param, schema in props.items():
            regex = labelled_string(param, schema, said, props)
            if regex is None:
                continue
            answers = accepted.get(param, [""])
            admitted = any(isinstance(a, str) and re.fullmatch(regex, repr(a)) for a in answers)
            if param in required:
                counts["required"] += 1
                counts["required, the words after the name"] += admitted
                continue
            counts["either" if "" in answers else "needs it"] += 1
            counts["the words after the name"] += "" not in answers and admitted
    return counts


def counted_number_answers(bfcl: Any) -> dict[str, int]:
    """Over every call of BFCL's answers in CATEGORIES, the number parameters the user counts
    with their name ("2 adults", ``bfcl_grammar.counted_number``), which the spec gives one of
    those numbers: how many the answer gives a value ("written": required, or optional without
    nothing among its values), of those how many a number counted is one of ("the number
    counted"), and how many optional ones may take nothing too ("either")."""
    from ltlagent.evals.bfcl_grammar import counted_number, grounded_number

    counts = {"written": 0, "the number counted": 0, "either": 0}
    for said, functions, name, accepted in answer_calls(bfcl):
        params = (functions.get(name) or {}).get("parameters") or {}
        for param, schema in (params.get("properties") or {}).items():
            counted = counted_number(param, schema, said)
            if counted is None or param not in accepted:
                continue
            answers = accepted[param]
            if "" in answers:
                counts["either"] += 1
                continue
            counts["written"] += 1
            counts["the number counted"] += any(isinstance(a, (int, float)) and not isinstance(a, bool)
                                                and re.fullmatch(grounded_number(schema["type"], counted) or "(?!)", repr(a)) for a in answers)
    return counts


def other_operation_answers(bfcl: Any) -> dict[str, int]:
    """Over every call of BFCL's answers in CATEGORIES, how many call a function the question asks
    another operation of (``relevance.other_operation``), how many one whose own subject the
    question asks only what it is (``relevance.asks_what_it_is``), and how many one whose name says
    a quantity the question never names (``relevance.unnamed_quantity``), which the spec never calls."""
    from ltlagent.agents.relevance import asks_what_it_is, other_operation, unnamed_quantity

    counts = {"calls": 0, "the function ruled out": 0, "asked what it is": 0, "a quantity never named": 0}
    for said, functions, name, _ in answer_calls(bfcl):
        counts["calls"] += 1
        counts["the function ruled out"] += name in functions and other_operation(said, functions[name]) is not None
        counts["asked what it is"] += name in functions and asks_what_it_is(said, functions[name]) is not None
        counts["a quantity never named"] += name in functions and unnamed_quantity(said, functions[name]) is not None
    return counts


def unnamed_answers(bfcl: Any) -> dict[str, int]:
    """Over every call of BFCL's answers in CATEGORIES, how many call a function with a required
    code the user's words name none of (``bfcl.codes_given``), a required time they give none
    of (``bfcl.times_given``) or a required person's name where they ask who the person is
    (``bfcl.person_given``), which the spec never calls; and how many call one with such a code
    or time at all."""
    from ltlagent.evals import bfcl as B
    from ltlagent.evals.bfcl_grammar import codes, timed_shapes

    counts = {"with a required code": 0, "the code not named": 0, "with a required time": 0, "no time given": 0,
              "a person asked for a required person's name": 0}
    for said, functions, name, _ in answer_calls(bfcl):
        function = functions.get(name) or {}
        params = function.get("parameters") or {}
        required = [(params.get("properties") or {}).get(p) or {} for p in params.get("required") or ()]
        if any(s.get("type") in ("integer", "float", "number") and not s.get("enum") and codes(s.get("description", "")) for s in required):
            counts["with a required code"] += 1
            counts["the code not named"] += not B.codes_given(function, said)
        if any(timed_shapes(s) for s in required):
            counts["with a required time"] += 1
            counts["no time given"] += not B.times_given(function, said)
        counts["a person asked for a required person's name"] += not B.person_given(function, said)
    return counts


def _shaped_option_answers(bfcl: Any, option: Any, shapes_of: Any, given_key: str) -> dict[str, int]:
    """The tally of ``dated_option_answers`` for the parameter ``option(function, said)`` picks,
    in the shapes ``shapes_of(schema)`` gives."""
    from ltlagent.evals.bfcl_grammar import shape_literals

    counts = {"needs it": 0, "another format": 0, "either": 0, given_key: 0}
    for said, functions, name, accepted in answer_calls(bfcl):
        param = option(functions[name], said) if name in functions else None
        if param is None:
            continue
        answers = accepted.get(param, [""])
        shapes = shapes_of(functions[name]["parameters"]["properties"][param])
        shown = any(isinstance(a, str) and re.fullmatch(shape_literals(shapes), repr(a)) for a in answers)
        given = any(isinstance(a, str) and re.fullmatch(shape_literals(shapes, said), repr(a)) for a in answers)
        counts["either" if "" in answers else "needs it" if shown else "another format"] += 1
        counts[given_key] += given and "" not in answers
    return counts


def currency_pair_answers(bfcl: Any) -> dict[str, int]:
    """Over every call of BFCL's answers in CATEGORIES to a function with two required currency
    parameters whose user names two or more currencies (``bfcl_grammar.currency_pair``): how
    many there are, how many some pair of codes the spec allows matches ("kept"), and how many
    of those the spec allows one way round only ("one way")."""
    from ltlagent.evals.bfcl_grammar import currency_pair

    counts = {"answers": 0, "kept": 0, "one way": 0}
    for said, functions, name, accepted in answer_calls(bfcl):
        pair = currency_pair(functions[name], said) if name in functions else None
        if pair is None:
            continue
        (first, second), ways = pair
        kept = [(a, b) for a, b in ways if a in accepted.get(first, ()) and b in accepted.get(second, ())]
        counts["answers"] += 1
        counts["kept"] += bool(kept)
        counts["one way"] += bool(kept) and not any((b, a) in ways for a, b in kept)
    return counts


def main() -> None:
    from ltlagent.evals import bfcl as B
    from ltlagent.evals import provenance

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    bfcl = B.import_bfcl()
    rows, summary = [], {}
    print(f"{'category':<24}{'cases':>6}" + "".join(f"{s:>{max(len(s), 11) + 2}}" for s in SPECS))
    for category in CATEGORIES:
        cases = B.load_cases(bfcl, category)
        counts = dict.fromkeys(SPECS, 0)
        for case in cases:
            row = {"id": case["id"], "category": category, **{s: admitted(case, s) for s in SPECS}}
            rows.append(row)
            for s in SPECS:
                counts[s] += row[s]
        summary[category] = {"cases": len(cases), **counts}
        print(f"{category:<24}{len(cases):>6}" + "".join(f"{f'{counts[s]} ({counts[s] / len(cases):.0%})':>{max(len(s), 11) + 2}}" for s in SPECS), flush=True)
    tallies = {}
    for key, tally, what in (
            ("named_options", named_option_answers, "optional enums the user names once (the spec writes the member named)"),
            ("dated_options", dated_option_answers, "optional dates the user gives (the spec writes one in a format the description shows)"),
            ("timed_options", timed_option_answers, "optional times the user gives (the spec writes one in a format the description shows)"),
            ("labelled_options", labelled_option_answers,
             "strings the user writes the name of before a value (the spec gives them the words after the name)"),
            ("counted_numbers", counted_number_answers, "numbers the user counts with the parameter's name (the spec gives that number)"),
            ("named_members", named_member_answers, "required enums the user names one member of (the spec writes it)"),
            ("named_flags", named_flag_answers, "optional booleans the user names (the spec writes True)"),
            ("listed_members", listed_member_answers, "lists of a catalogue the user names members of (the spec writes some of those members)"),
            ("quoted_after_names", quoted_after_name_answers,
             "optional strings whose one-word name the user writes right before a quoted passage (the spec writes the passage)"),
            ("given_years", given_year_answers,
             "optional years the user gives one of, and catalogues of counts the user counts (the spec writes the year or member)"),
            ("named_numbers", named_number_answers, "optional numbers the user names (the spec writes one their words give)"),
            ("percents", percent_answers, "float arguments given a percentage (the spec reads its fraction unless the description says percent)"),
            ("other_operation", other_operation_answers,
             "calls of a function whose name says another operation than the one the question asks for, whose subject the question asks what it is, or whose quantity it never names (the spec never calls it)"),
            ("unnamed", unnamed_answers,
             "calls of a function with a required code, time or person (the spec calls it only where the user names a code, gives a time, does not ask who)"),
            ("currency_pairs", currency_pair_answers,
             "two required currency arguments, two or more currencies named (the spec gives the codes the way the words do)")):
        tallies[key] = tally(bfcl)
        print(f"{what}, in BFCL's answers: " + ", ".join(f"{k} {v}" for k, v in tallies[key].items()))
    if args.json:
        meta = provenance(("ltlagent", "bfcl-eval"))
        args.json.write_text(json.dumps({"meta": meta, "specs": SPECS, "summary": summary, **tallies, "cases": rows}, indent=1) + "\n")
        print(f"written to {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
