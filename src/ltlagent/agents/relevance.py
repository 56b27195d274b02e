"""Does a toolset fit the question? The model's own answer, read before it writes.

A small model decides "call a tool or answer in words" at its first token, and it decides by
the wording of the two forms, not by the question. This module asks the model another way:
how much more likely is the user's question once the tools are described?

    gain = log p(question | conversation with the tools) - log p(question | the same without them)

in nats, summed over the question's tokens, both read by the model as it reads any prompt. A
question the tools were made for (``"area of a triangle with base 10"`` beside
``calculate_triangle_area(base, height)``) is more likely with their documents in front of it;
an unrelated one is not. It needs nothing but the conversation and the tool documents, so it
works for any toolset: a caller builds a spec that must call when the gain clears a margin,
and one that must answer in words otherwise (``ltlagent eval bfcl --answer gated``).

Two forward passes over the prompt, no decoding. The margin is the caller's; BFCL's was chosen
on a development split disjoint from the cases it reports (``benchmarks/bfcl_relevance_gate.py``).

A second witness needs no model: ``shared_words``, how many of the question's words one tool's
document also uses ("What is the *weather* in Boston in *fahrenheit*?" beside
``get_current_weather(location, unit: celsius | fahrenheit)``: 2). A small model's gain misses
short questions whose tools it reads poorly, and the shared words catch many of them; BFCL's
gate adds the two, a nat per shared word (``evals.bfcl.WORD_NATS``).

A third reads what a tool's name says it does: ``other_operation`` finds a question that asks
for another operation of the same kind ("*delete* all txt files" beside ``list_files``, "*multiply*
8.5 and 3.2" beside ``calculate_sum``), which no fit of words or gain tells apart; BFCL's calls
name only the tools it leaves (``evals.bfcl.doable_functions``). A fourth, ``asks_what_it_is``,
finds a question that asks only what a tool's own subject is ("What is mandate?" beside
``user.mandates``), which calling the tool does not answer. A fifth, ``unnamed_quantity``, finds
a tool whose name says the one quantity it computes (a pressure, a duration, a payment) beside a
question that asks for a value and never names that quantity ("How much *gas* is generated ..."
beside ``calc_gas_pressure``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

# Words too common in questions and in tool documents alike to say that one fits the other.
COMMON_WORDS = frozenset("""
    about all and any are can could does find for from get give has have how into its many much our
    please should some tell that the their there this use using was were what when where which who whose
    will with would you your
""".split())
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")  # letters; snake_case, camelCase and ALLCAPS split


def render_prompt(tokenizer: Any, messages: Sequence[Mapping[str, str]]) -> str:
    """The text a chat model reads before it answers: its chat template, or (a model without
    one) the messages as ``Role: content`` lines and ``Assistant: ``."""
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.apply_chat_template([dict(m) for m in messages], tokenize=False, add_generation_prompt=True)
    return "".join(f"{m['role'].capitalize()}: {m['content']}\n" for m in messages) + "Assistant: "


def text_logprob(model: Any, tokenizer: Any, prompt: str, text: str) -> tuple[float, int]:
    """log p of ``text``'s tokens (its last occurrence in ``prompt``) as the model reads ``prompt``,
    and how many tokens that is: the tokens that start and end inside the text (a token that
    spans its edge belongs to the context). ``ValueError`` if ``text`` is not in ``prompt``."""
    picked = _picked(model, tokenizer, prompt, text)
    return (float(picked.sum()), len(picked)) if picked is not None else (0.0, 0)


def token_logprobs(model: Any, tokenizer: Any, prompt: str, text: str) -> list[float]:
    """log p of each of ``text``'s tokens, as ``text_logprob`` reads them (in order)."""
    picked = _picked(model, tokenizer, prompt, text)
    return [] if picked is None else [float(x) for x in picked]


def placed_logprobs(model: Any, tokenizer: Any, prompt: str, text: str) -> list[tuple[int, int, float]]:
    """``token_logprobs`` with where each token lies in ``text``: (start, end, log p), the
    offsets counted in ``text``'s characters."""
    inside: list[tuple[int, int]] = []
    picked = _picked(model, tokenizer, prompt, text, inside)
    start = prompt.rfind(text)
    return [] if picked is None else [(a - start, b - start, float(x)) for (a, b), x in zip(inside, picked)]


def _picked(model: Any, tokenizer: Any, prompt: str, text: str, places: list[tuple[int, int]] | None = None) -> Any:
    """The log-probabilities of ``text``'s tokens as a tensor (``None``: no token inside the
    text); ``places`` (if given) receives each token's offsets in ``prompt``."""
    import torch

    start = prompt.rfind(text)
    if start < 0 or not text:
        raise ValueError("the text is not in the prompt")
    end = start + len(text)
    enc = tokenizer(prompt, add_special_tokens=False, return_offsets_mapping=True)
    ids = enc["input_ids"]
    inside = [i for i, (a, b) in enumerate(enc["offset_mapping"]) if i > 0 and start <= a < b <= end]
    if not inside:
        return None
    if places is not None:
        places.extend(tuple(enc["offset_mapping"][i]) for i in inside)
    device = getattr(model, "device", "cpu")
    with torch.inference_mode():
        logits = model(torch.tensor([ids[: inside[-1] + 1]], device=device)).logits[0].float()
    logprobs = torch.log_softmax(logits[[i - 1 for i in inside]], dim=-1)
    return logprobs[torch.arange(len(inside)), torch.tensor([ids[i] for i in inside])]


def question_logprob(model: Any, tokenizer: Any, messages: Sequence[Mapping[str, str]], question: str | None = None) -> float:
    """log p(question | the conversation before it), as the model reads the rendered prompt;
    ``question``: the text to score (default: the last user message)."""
    return text_logprob(model, tokenizer, render_prompt(tokenizer, messages), _last_user(messages) if question is None else question)[0]


def _last_user(messages: Sequence[Mapping[str, str]]) -> str:
    users = [m["content"] for m in messages if m.get("role") == "user"]
    if not users:
        raise ValueError("the conversation has no user message")
    return users[-1]


def question_gain(model: Any, tokenizer: Any, with_tools: Sequence[Mapping[str, str]],
                  without_tools: Sequence[Mapping[str, str]], question: str | None = None) -> float:
    """How much the tools raise the question's log-probability, in nats (see the module's
    docstring). ``with_tools`` and ``without_tools``: the same conversation, the tools described
    in the first only; ``question``: the text to score (default: the last user message)."""
    question = _last_user(with_tools) if question is None else question
    return question_logprob(model, tokenizer, with_tools, question) - question_logprob(model, tokenizer, without_tools, question)


def words(text: str) -> set[str]:
    """The words of ``text`` that can witness a fit: runs of letters (``get_current_weather`` and
    ``getCurrentWeather`` are three words), lowercased, three letters or more, not ``COMMON_WORDS``."""
    return {w for w in (m.lower() for m in _WORD.findall(text)) if len(w) >= 3 and w not in COMMON_WORDS}


def document_words(function: Mapping[str, Any]) -> set[str]:
    """The words of a tool's document (an OpenAI/BFCL function: ``name``, ``description``,
    ``parameters``): its name and description, and each parameter's name, description and
    enumerated values, nested ones included; never the schema's own keywords (``type``, ...)."""
    texts = [str(function.get("name", "")).replace(".", " "), str(function.get("description", ""))]

    def schema(node: Any) -> None:
        if not isinstance(node, Mapping):
            return
        texts.append(str(node.get("description", "")))
        texts.extend(str(v) for v in node.get("enum") or () if isinstance(v, str))
        for name, sub in (node.get("properties") or {}).items():
            texts.append(str(name))
            schema(sub)
        schema(node.get("items"))

    schema(function.get("parameters"))
    return words(" ".join(texts))


def shared_words(question: str, functions: Sequence[Mapping[str, Any]]) -> int:
    """The most of the question's words (``words``) that one tool's document also uses (0 with no tools)."""
    asked = words(question)
    return max((len(asked & document_words(f)) for f in functions), default=0)


# Operations a tool's name can say it does, in families whose members exclude one another: a
# tool that reads records does not create, delete, update or close them, one that sums does not
# multiply, one that integrates does not differentiate, one that computes a p-value does not
# compute a mean, one that computes a height does not compute an acceleration (nor a boiling
# point a freezing point, nor a date a distance), one that predicts revenue does not predict a
# loss (nor a payment an interest), one that gives a player's score does not give a rank. Each
# is a pattern of the words that say it.
OPERATIONS: dict[str, str] = {
    "create": r"creat\w*|insert\w*|sign(?:s|ed|ing)? ?up",
    "delete": r"delet\w*|remov\w*|eras\w*",
    "update": r"updat\w*|edit\w*|modif\w*|renam\w*",
    "log out": r"(?:log(?:s|ged|ging)?|sign(?:s|ed|ing)?) ?(?:\w+ )?out",
    "log in": r"log(?:s|ged|ging)? ?in|sign(?:s|ed|ing)? ?in|authenticat\w*",
    "close": r"clos(?:e|es|ing)(?!\s+(?:to|by)\b)",  # not "close to the beach"
    "read": r"get|gets|list\w*|find\w*|search\w*|show\w*|fetch\w*|retriev\w*|view\w*|open\w*|read\w*|lookup|look up",
    "add": r"add|adds|added|adding|addition|sum|sums|summ(?:ed|ing|ation)|plus",
    "multiply": r"multipl\w*|mult|product|times",
    "subtract": r"subtract\w*|minus|difference",
    "divide": r"divid\w*|division|quotient",
    "differentiate": r"derivativ\w*|differentiat\w*",
    "integrate": r"integra\w*|area under",
    "mean": r"mean|average",
    "median": r"median",
    "variance": r"variance",
    "standard deviation": r"standard deviation|std",
    "p-value": r"p-?value|p value",
    "distance": r"distances?",
    "duration": r"durations?",
    "speed": r"speeds?|velocit(?:y|ies)",
    "acceleration": r"accelerations?",
    "height": r"heights?",
    "mass": r"mass|masses|weights?",
    "temperature": r"temperatures?",
    "pressure": r"pressures?",
    "area": r"areas?(?!\s+under)",
    "volume": r"volumes?",
    "force": r"forces?",
    "energy": r"energ(?:y|ies)",
    "density": r"densit(?:y|ies)",
    "date": r"dates?",
    "boiling point": r"boiling points?",
    "freezing point": r"freezing points?",
    "melting point": r"melting points?",
    "revenue": r"revenues?",
    "profit": r"profits?",
    "loss": r"loss|losses",
    "cost": r"costs?",
    "interest": r"interests?",
    "payment": r"payments?",
    "rate of return": r"rates? of return|returns? (?:on|of) investments?|roi",
    "rank": r"ranks?|ranking",
    "score": r"scores?",
}
# Each family with where a question asks for one of its operations: "verb" — where a verb says it
# (``_BEFORE_VERB``: "could you update", "I want to delete"; "a weather update" asks none), never
# "read" or "log in" ("find", "get" and "check" ask for anything at all); "anywhere" — wherever
# the question says it ("the product of 3 and 4"); "head" — where it is what the question asks
# for (``_HEAD``: "what is the acceleration", "calculate the standard deviation"), not a value
# the question gives ("with a sample mean of 98.2", "thrown at a velocity of 5 m/s").
OPERATION_FAMILIES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("create", "delete", "update", "close", "log out", "log in", "read"), "verb"),
    (("add", "multiply", "subtract", "divide"), "anywhere"),
    (("differentiate", "integrate"), "anywhere"),
    (("mean", "median", "variance", "standard deviation", "p-value"), "head"),
    (("distance", "duration", "speed", "acceleration", "height", "mass", "temperature", "pressure", "area", "volume", "force",
      "energy", "density", "date", "boiling point", "freezing point", "melting point"), "head"),
    (("revenue", "profit", "loss", "cost", "interest", "payment", "rate of return"), "head"),
    (("rank", "score"), "head"),
)
NEVER_ASKED = frozenset(("read", "log in"))
ARITHMETIC = frozenset(OPERATION_FAMILIES[1][0])  # a tool's own only where its required parameters are all numbers
_ASKED_BY = {op: where for ops, where in OPERATION_FAMILIES for op in ops}
# Where a question asks for an arithmetic operation its noun takes the numbers ("the sum of",
# "394 times 213"): "the product" or "a difference" alone may be something else.
ASKED_AS: dict[str, str] = {
    "add": r"add|adds|added|adding|addition|plus|sums? of|summ(?:ed|ing|ation)",
    "multiply": r"multipl\w*|products? of|(?<=\d )times(?= \d)",
    "subtract": r"subtract\w*|minus|differences? (?:of|between)",
    "divide": r"divid\w*|division|quotients? of",
}
_BEFORE_VERB = re.compile(r"(?:^|[.!?,;:\n]\s*|\b(?:you|to|please|and|then|i|we|can|could|would|should|must|will|me|just|now|'d|'ll)\s+)$",
                          re.IGNORECASE)
_HEAD = re.compile(r"\b(?:what(?:'s|\s+is|\s+are|\s+was|\s+were|\s+will\s+be)|calculate|compute|find|determine|estimate|give\s+me|tell\s+me"
                   r"|how\s+much|how\s+many)(?:\s+(?:the|a|an|its|their|his|her|my|our|final|total|new|maximum|max|minimum|min|resulting"
                   r"|expected|approximate))*\s+$", re.IGNORECASE)
_OPERATION = {op: re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE) for op, pattern in OPERATIONS.items()}
_ASKED_AS = {op: re.compile(rf"\b(?:{ASKED_AS.get(op, pattern)})\b", re.IGNORECASE) for op, pattern in OPERATIONS.items()}
_ARITHMETIC_TYPES = frozenset(("integer", "number", "float"))


def operations(text: str, asked: bool = False) -> dict[str, str]:
    """The operations ``text`` says (``OPERATIONS``), each with the first words that say it;
    ``asked``: only where the text asks for it (``OPERATION_FAMILIES``, ``ASKED_AS``), never ``NEVER_ASKED``."""
    found: dict[str, str] = {}
    for op, pattern in (_ASKED_AS if asked else _OPERATION).items():
        if asked and op in NEVER_ASKED:
            continue
        where = _ASKED_BY[op] if asked else "anywhere"
        for match in pattern.finditer(text):
            before = text[:match.start()]
            if where == "anywhere" or (_BEFORE_VERB if where == "verb" else _HEAD).search(before):
                found[op] = match.group(0)
                break
    return found


def _own_operations(function: Mapping[str, Any]) -> set[str]:
    """The operations a tool's name says it does (``OPERATIONS``), an arithmetic one only where
    its required parameters are all numbers or lists of numbers."""
    name = " ".join(_WORD.findall(str(function.get("name", ""))))  # calculate_sum, calculateSum: "calculate sum"
    own = set(operations(name))
    params = function.get("parameters") or {}
    schemas = [(params.get("properties") or {}).get(p) or {} for p in params.get("required") or ()]
    kinds = [(s.get("items") or {}).get("type") if s.get("type") == "array" and isinstance(s.get("items"), Mapping) else s.get("type")
             for s in schemas]  # a list of numbers counts as numbers: sum_numbers(numbers_list)
    if not kinds or not all(kind in _ARITHMETIC_TYPES for kind in kinds):
        own -= ARITHMETIC
    return own


def _described_operations(function: Mapping[str, Any]) -> set[str]:
    """The operations a tool's name or description says (``OPERATIONS``), whatever its parameters."""
    return set(operations(" ".join(_WORD.findall(str(function.get("name", "")))) + " " + str(function.get("description", ""))))


def asks_own_arithmetic(question: str, function: Mapping[str, Any]) -> str | None:
    """The words of ``question`` that ask for the arithmetic operation the tool's name says it
    does (``ARITHMETIC``, a tool whose required parameters are all numbers or lists of them), where the question
    asks for no other arithmetic operation, or None: "What is the multiplication of 3 and 2"
    beside ``multiply(a, b)``, "add 5.0 to 3.0" beside ``sum``, "394 times 213" beside
    ``CalcProduct``, "the sum of 133 and 34" beside ``sum_numbers(numbers_list)``. Such a question asks for just what the tool does, whatever the model's gain
    says; "Add 4 and 5 then multiply them" beside ``mult`` asks for an addition too."""
    asked = {op: said for op, said in operations(question, asked=True).items() if op in ARITHMETIC}
    own = _own_operations(function) & ARITHMETIC
    if not asked or not set(asked) <= own:
        return None
    return next(iter(asked.values()))


# Words that ask for a command to be run: "using the echo command", "using taskkill command",
# "using the exact command shutdown /s /t 0", "the command called start calc".
ASKS_COMMAND = re.compile(r"(?i)\busing (?:the )?(?:exact )?(?:command\b|(?:[\w.%/:-]+ ){1,3}command\b)|\bcommand called\b")
# A tool that runs commands: its name or description says a command, and executing or running.
RUNS_COMMANDS = (re.compile(r"(?i)\bcommands?\b"), re.compile(r"(?i)\b(?:execut\w*|run|runs|running)\b"))


def asks_own_command(question: str, function: Mapping[str, Any]) -> str | None:
    """The words of ``question`` that ask for a command to be run (``ASKS_COMMAND``: "close
    firefox using taskkill command", "using the command echo %time%") beside a tool that runs
    commands (``RUNS_COMMANDS``: ``cmd_controller.execute``, "Executes a given command using
    os.system() on Windows"), or None. Such a question asks for just what the tool does,
    whatever the model's gain says; "u have the full control of command prompt ... what is the
    weather" asks to use no command."""
    found = ASKS_COMMAND.search(question)
    told = " ".join(_WORD.findall(str(function.get("name", "")))) + " " + str(function.get("description", ""))
    if found is None or not all(regex.search(told) for regex in RUNS_COMMANDS):
        return None
    return found.group(0)


def arithmetic_undone(question: str, functions: Sequence[Mapping[str, Any]]) -> str | None:
    """The words of ``question`` that ask for an arithmetic operation (``ARITHMETIC``) none of
    ``functions`` says it does, in its name or description, where one of them is a tool of
    another arithmetic operation (its name says it, ``_own_operations``), or None. "4 and 5
    are added together and then the sum is multiplied by 7" beside ``mult`` alone: the tools
    can multiply, not add, and the product they can give is not the one asked for."""
    if not any(_own_operations(f) & ARITHMETIC for f in functions):
        return None
    said = set().union(*map(_described_operations, functions))
    return next((words for op, words in operations(question, asked=True).items() if op in ARITHMETIC and op not in said), None)


def other_operation(question: str, function: Mapping[str, Any]) -> str | None:
    """The words of ``question`` that ask for an operation the tool does not do, or None. A tool's
    own operations are those its name says (``OPERATIONS``; an arithmetic one only for a tool whose
    required parameters are all numbers). The question asks for another where it asks
    (``operations(asked=True)``) for an operation of the same family that neither the tool's name
    nor its description says, and says none of the tool's own anywhere: "delete all txt files"
    beside ``list_files``, "could you log me out?" beside ``login``, "multiply 8.5 and 3.2" beside
    ``calculate_sum(number1, number2)``, "what is the acceleration" beside
    ``calculate_maximum_height``. "Find the sum ... and the product ..." beside
    ``product_of_primes`` asks for its own as well."""
    own = _own_operations(function)
    described = _described_operations(function)
    asked, said = operations(question, asked=True), set(operations(question))
    for ops, _ in OPERATION_FAMILIES:
        theirs = own.intersection(ops)
        if not theirs or theirs.intersection(said):
            continue
        for op in ops:
            if op in asked and op not in described:
                return asked[op]
    return None


# A question that asks only what something is: "what is", "what's" or "what are", then a bare or
# indefinite noun phrase ("mandate", "a holy book", "cronuts"), nothing after it. "What is the
# version?" asks for a value, not a definition: no phrase opening on "the" (or another
# determiner or a possessive) is read.
_DEFINITION = re.compile(r"^\W*what(?:'s|\s+is|\s+are)\s+(?:(?:a|an)\s+)?(?!(?:the|this|that|these|those|my|your|our|its|their|his|her)\b)"
                         r"([a-z][a-z -]*[a-z])\s*[?.!]*\s*$", re.IGNORECASE)


def asks_what_it_is(question: str, function: Mapping[str, Any]) -> str | None:
    """The noun phrase of a question that asks only what it is (``_DEFINITION``: "What is
    mandate?", "What is a holy book?") where each of its words is a word of the tool's name (a
    plural's "s" aside: ``user.mandates``, ``search_holy_books``), or None. Such a question asks
    what the tool's own subject is; calling the tool (fetching mandates, searching holy books)
    does not answer it. "What is the version?" beside ``get_version`` asks for a value, and
    "what is Imjin war" beside a search names words the tool's name does not."""
    match = _DEFINITION.match(question)
    if match is None:
        return None
    named = {w.lower() for w in _WORD.findall(str(function.get("name", "")))}
    named |= {w[:-1] for w in named if len(w) > 3 and w.endswith("s")}
    said = [w.lower() for w in re.findall(r"[A-Za-z]+", match.group(1))]
    return match.group(1) if said and all(w in named for w in said) else None


# The quantities a tool's name can say it computes: the operations asked for as what a question
# asks for ("head" families in ``OPERATION_FAMILIES``), but a date, which far more questions give
# than ask for ("the weather on December 13, 2019" beside ``get_by_coordinates_date``). Besides
# its own words (``OPERATIONS``) a question names one by the question that asks for it or the
# verb that says it ("how far", "how long will it take", "how much would I weigh", "to pay").
QUANTITIES = tuple(op for ops, where in OPERATION_FAMILIES if where == "head" for op in ops if op != "date")
NAMED_AS: dict[str, str] = {
    "distance": r"how far|far|miles?|km|kilomet\w*",
    "duration": r"how long|long|time|times|takes?|taking|took",
    "speed": r"how fast|how quickly|fast|quickly",
    "height": r"how high|how tall|high|tall",
    "mass": r"how heavy|heavy|weigh|weighs|weighed|weighing",
    "temperature": r"how hot|how cold|how warm|hot|cold|warm|degrees?",
    "payment": r"pay|pays|paid|paying|installments?",
    "cost": r"costs?|costing|price\w*|spend\w*|spent",
}
_NAMED = {op: re.compile(rf"\b(?:{OPERATIONS[op]}{'|' + NAMED_AS[op] if op in NAMED_AS else ''})\b", re.IGNORECASE) for op in QUANTITIES}
# A question asks for a value where it asks what something is, or to work one out.
_ASKS_VALUE = re.compile(r"\b(?:what(?:'s|\s+is|\s+are|\s+was|\s+were|\s+will\s+be)|calculate|compute|determine|estimate"
                         r"|how\s+much|how\s+many)\b", re.IGNORECASE)


def unnamed_quantity(question: str, function: Mapping[str, Any]) -> str | None:
    """The quantity a tool's name says it computes (``QUANTITIES``: "pressure" for
    ``thermodynamics.calc_gas_pressure``, read after the name's last dot, since
    ``sports_ranking.get_top_player`` ranks nothing, and before a "by", since
    ``FindHomeByArea`` takes an area and computes none) where ``question`` asks for a value
    (``_ASKS_VALUE``) and names none of the tool's quantities (``_NAMED``: their words, the
    question that asks for one, the verb that says it), or None. "How much gas is generated ..."
    beside ``calc_gas_pressure``, "Calculate the compounded interest ..." beside
    ``calculate_mortgage_payment``: the tool answers a question the user did not ask."""
    name = " ".join(_WORD.findall(str(function.get("name", "")).rsplit(".", 1)[-1]))
    name = re.split(r"\b[Bb]y\b", name)[0]  # Homes_2_FindHomeByArea finds homes by an area; it computes none
    own = [op for op in QUANTITIES if _OPERATION[op].search(name)]
    if not own or not _ASKS_VALUE.search(question) or any(_NAMED[op].search(question) for op in own):
        return None
    return own[0]
