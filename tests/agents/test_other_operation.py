"""A question that asks for another operation than the tool's: checked against what the test itself
put in the tool's name and description and in the question (which operation, said where), never
by reading the text it built."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ltlagent.agents.relevance import arithmetic_undone, asks_own_arithmetic, asks_own_command, asks_what_it_is, other_operation, unnamed_quantity

# The words the test writes for each operation in a tool's name and description.
NAMES = {
    "create": ["create", "creates", "insert", "sign up"], "delete": ["delete", "remove", "erase", "deleting"],
    "update": ["update", "edit", "modify", "rename"], "close": ["close", "closes", "closing"], "log out": ["log out", "logout", "sign out"],
    "log in": ["login", "log in", "sign in", "authenticate"],
    "read": ["get", "list", "find", "search", "show", "fetch", "retrieve", "view", "open", "read"],
    "add": ["add", "sum", "plus"], "multiply": ["multiply", "product", "times", "mult"],
    "subtract": ["subtract", "minus", "difference"], "divide": ["divide", "quotient", "division"],
    "differentiate": ["derivative", "differentiate"], "integrate": ["integral", "integrate", "area under"],
    "mean": ["mean", "average"], "median": ["median"], "variance": ["variance"], "standard deviation": ["standard deviation", "std"],
    "p-value": ["p-value", "p value"], "distance": ["distance"], "duration": ["duration"], "speed": ["speed", "velocity"],
    "acceleration": ["acceleration"], "height": ["height"], "mass": ["mass", "weight"], "temperature": ["temperature"],
    "pressure": ["pressure"], "area": ["area"], "volume": ["volume"], "force": ["force"], "energy": ["energy"], "density": ["density"], "date": ["date"],
    "boiling point": ["boiling point"], "freezing point": ["freezing point"], "melting point": ["melting point"],
    "revenue": ["revenue"], "profit": ["profit", "profits"], "loss": ["loss"], "cost": ["cost"], "interest": ["interest"],
    "payment": ["payment", "payments"], "rate of return": ["rate of return", "roi", "return on investment"], "rank": ["rank", "ranking"], "score": ["score"],
}
# Each family with where a question asks for one of its operations: after a verb's place, as what a
# question asks for ("what is the ..."), or by the words alone (ARITHMETIC_ASKS, calculus).
FAMILIES = [({"create", "delete", "update", "close", "log out", "log in", "read"}, "verb"), ({"add", "multiply", "subtract", "divide"}, "words"),
            ({"differentiate", "integrate"}, "words"), ({"mean", "median", "variance", "standard deviation", "p-value"}, "head"),
            ({"distance", "duration", "speed", "acceleration", "height", "mass", "temperature", "pressure", "area", "volume", "force",
              "energy", "density", "date", "boiling point", "freezing point", "melting point"}, "head"),
            ({"revenue", "profit", "loss", "cost", "interest", "payment", "rate of return"}, "head"), ({"rank", "score"}, "head")]
ARITHMETIC = FAMILIES[1][0]
# How a question says an arithmetic operation: asking for it (the numbers follow), or only naming it.
ARITHMETIC_ASKS = {"add": ["add", "plus", "sum of"], "multiply": ["multiply", "product of", "3 times 4"],
                   "subtract": ["subtract", "minus", "difference between"], "divide": ["divide", "quotient of"]}
ARITHMETIC_NAMES = {"add": ["sum", "the sum"], "multiply": ["product", "times"], "subtract": ["difference"], "divide": ["quotient"]}
NEVER_ASKED = {"read", "log in"}  # "find" or "get" asks for anything at all
NOUNS = ["file", "user", "record", "value", "project", "numbers", "report"]
BEFORE_VERB = ["", "Please ", "Could you ", "I want to ", "We must ", "and then ", "can you just "]
HEAD = ["What is the ", "what's the ", "Calculate the ", "determine the final ", "How much ", "Compute "]  # no operation's words


def family(op: str) -> set[str]:
    return next(f for f, _ in FAMILIES if op in f)


def asked_by(op: str) -> str:
    return next(where for f, where in FAMILIES if op in f)


@st.composite
def tools(draw):
    """A tool whose name says one operation or none, a description that may say others, and
    whether its required parameters are all numbers; with the operations placed."""
    op = draw(st.sampled_from([None, *NAMES]))
    noun = draw(st.sampled_from(NOUNS))
    said = [] if op is None else draw(st.sampled_from(NAMES[op])).split()  # "log in": log_in, logIn
    words = said + [noun] if draw(st.booleans()) else [noun] + said
    style = draw(st.sampled_from(["snake", "camel", "dotted", "Pascal"]))
    if style == "camel":
        name = words[0] + "".join(w.capitalize() for w in words[1:])
    elif style == "Pascal":
        name = "".join(w.capitalize() for w in words)
    else:
        name = ("." if style == "dotted" else "_").join(words)
    described = draw(st.sets(st.sampled_from(list(NAMES)), max_size=2))
    function, numeric = _tool(draw, name, described, f"the {noun}")
    return function, op, described, numeric


def _tool(draw, name: str, described: set[str], thing: str) -> tuple[dict, bool]:
    """A tool named ``name`` whose description says each of the ``described`` operations of
    ``thing``, and whether its required parameters are all numbers or lists of numbers (drawn:
    a number, a list of numbers, a string or a list of strings beside an integer)."""
    description = " ".join(f"It can {draw(st.sampled_from(NAMES[d]))} {thing}." for d in sorted(described))
    first = draw(st.sampled_from([{"type": "number"}, {"type": "array", "items": {"type": "float"}}, {"type": "string"},
                                  {"type": "array", "items": {"type": "string"}}]))
    numeric = first.get("items", first)["type"] in ("number", "float")
    function = {"name": name, "description": description, "parameters": {"type": "dict", "required": ["a", "b"], "properties": {
        "a": first, "b": {"type": "integer"}}}}
    return function, numeric


@st.composite
def questions(draw, near: str | None = None):
    """Clauses that each say one operation where a verb would stand, where a question's object
    would ("what is the ..."), or after a noun ("the file update"), and the question they make;
    often ``near`` or another operation of its family. Each clause with whether it asks for its
    operation, by the test's own account."""
    ops = st.sampled_from(list(NAMES))
    if near is not None:
        ops = st.one_of(ops, st.just(near), st.sampled_from(sorted(family(near))))
    texts, placed = [], []
    for _ in range(draw(st.integers(1, 3))):
        op, place = draw(ops), draw(st.sampled_from(["verb", "head", "noun"]))
        noun = draw(st.sampled_from(NOUNS))
        if op in ARITHMETIC:
            asks = draw(st.booleans())
            word = draw(st.sampled_from((ARITHMETIC_ASKS if asks else ARITHMETIC_NAMES)[op]))
        else:
            word = draw(st.sampled_from(NAMES[op]))
            asks = op not in NEVER_ASKED and asked_by(op) in ("words", place)
        prefix = {"verb": draw(st.sampled_from(BEFORE_VERB)), "head": draw(st.sampled_from(HEAD)), "noun": f"the {noun} "}[place]
        texts.append(f"{prefix}{word} the {noun}")
        placed.append((op, asks, word))
    joints = [draw(st.sampled_from([". ", ", ", "\n", "? "])) for _ in texts]
    return "".join(t + j for t, j in zip(texts, joints)), placed


@settings(max_examples=1500, deadline=None)
@given(data=st.data(), tool=tools())
def test_another_operation_is_found_where_the_test_placed_one(data, tool):
    function, op, described, numeric = tool
    text, placed = data.draw(questions(op))
    own = {op} if op is not None and (op not in ARITHMETIC or numeric) else set()
    documented = described | ({op} if op is not None else set())
    said = {o for o, _, _ in placed}
    asked = {o for o, asks, _ in placed if asks}
    other = {o for o in asked if o not in documented and own & family(o) and not own & family(o) & said}
    words = {w for o, asks, w in placed if o in other and asks}
    found = other_operation(text, function)
    assert (found is not None) == bool(other), (text, function)
    assert found is None or any(found.lower() in w for w in words), (found, words)


@settings(max_examples=1500, deadline=None)
@given(data=st.data(), tool=tools())
def test_the_arithmetic_a_tool_does_is_found_asked_where_the_test_asked_it_alone(data, tool):
    """Oracle: the operation the test put in the tool's name (arithmetic, the required
    parameters all numbers) and the arithmetic clauses it wrote asking (not only naming) one;
    the question fits where it asks for that one and no other."""
    function, op, _, numeric = tool
    text, placed = data.draw(questions(op))
    own = {op} & ARITHMETIC if numeric else set()
    asked = {o for o, asks, _ in placed if asks and o in ARITHMETIC}
    found = asks_own_arithmetic(text, function)
    assert (found is not None) == bool(own and asked and asked <= own), (text, function)
    assert found is None or any(found.lower() in w for o, asks, w in placed if asks and o in own), (found, placed)


@st.composite
def arithmetic_tools(draw):
    """A tool as ``tools`` draws it, or one whose name says an arithmetic operation or none and
    whose description may say others (arithmetic most often), with the operations placed."""
    if draw(st.booleans()):
        return draw(tools())
    op = draw(st.sampled_from([None, *sorted(ARITHMETIC)]))
    name = "_".join(([draw(st.sampled_from(NAMES[op]))] if op is not None else []) + ["numbers"])
    described = draw(st.sets(st.sampled_from([*sorted(ARITHMETIC), "mean", "read"]), max_size=2))
    function, numeric = _tool(draw, name, described, "them")
    return function, op, described, numeric


@settings(max_examples=1000, deadline=None)
@given(data=st.data(), toolset=st.lists(arithmetic_tools(), min_size=1, max_size=3))
def test_arithmetic_no_tool_does_is_found_beside_a_tool_of_other_arithmetic(data, toolset):
    """Oracle: the operations the test put in the tools' names and descriptions, which tools
    are of arithmetic (an arithmetic name, numbers required), and the arithmetic clauses it
    wrote asking for one; found where one is asked that no tool says, beside such a tool."""
    ops = [op for _, op, _, _ in toolset if op is not None] + [d for _, _, described, _ in toolset for d in sorted(described)]
    text, placed = data.draw(questions(data.draw(st.sampled_from(ops)) if ops else None))  # often an operation a tool says
    documented = set().union(*[described | ({op} if op is not None else set()) for _, op, described, _ in toolset])
    arithmetic = any(op in ARITHMETIC and numeric for _, op, _, numeric in toolset)
    undone = {o for o, asks, _ in placed if asks and o in ARITHMETIC and o not in documented}
    found = arithmetic_undone(text, [f for f, *_ in toolset])
    assert (found is not None) == (arithmetic and bool(undone)), (text, toolset)
    assert found is None or any(found.lower() in w for o, asks, w in placed if o in undone and asks), (found, placed)


def test_a_question_that_asks_just_the_tools_arithmetic_is_found():
    def tool(name, required=("a", "b"), kind="number"):
        return {"name": name, "parameters": {"type": "dict", "required": list(required), "properties": {p: {"type": kind} for p in required}}}

    assert asks_own_arithmetic("What is the multiplication of 3 and 2", tool("multiply")) == "multiplication"  # live_simple_47-20-0
    assert asks_own_arithmetic("Could you tell me what I get if I add 5.0 to 3.0?", tool("sum")) == "add"  # live_simple_68-32-0
    assert asks_own_arithmetic("How much is 394 times 213?", tool("CalcProduct", kind="integer")) == "times"  # live_multiple_193-87-0
    assert asks_own_arithmetic("Add 4 and 5 then multiply them", tool("mult")) is None  # an addition asked too
    assert asks_own_arithmetic("What is the product of 3 and 2?", tool("multiply", kind="string")) is None  # a string tool's arithmetic is none
    assert asks_own_arithmetic("What is the total price of the product?", tool("calculate_product")) is None  # named, not asked
    assert asks_own_arithmetic("Multiply 3 by 4", tool("calculate_sum")) is None  # another operation
    numbers_list = {"name": "sum_numbers", "parameters": {"type": "dict", "required": ["numbers_list"], "properties": {
        "numbers_list": {"type": "array", "items": {"type": "float"}}}}}
    assert asks_own_arithmetic("What is the sum of 133 and 34?", numbers_list) == "sum of"  # live_simple_116-72-0: a list of numbers
    # live_irrelevance_337-80-0: an addition asked beside a multiplication only; a toolset that adds too; no arithmetic tool
    added = "I need to find out the result when 4 and 5 are added together and then the sum is multiplied by 7."
    assert arithmetic_undone(added, [tool("mult")]) == "added"
    assert arithmetic_undone(added, [tool("mult"), tool("add")]) is None
    assert arithmetic_undone(added, [dict(tool("mult"), description="Multiplies two numbers, or adds them.")]) is None
    assert arithmetic_undone(added, [tool("get_weather", kind="string")]) is None
    assert arithmetic_undone(added, [tool("mult", kind="string")]) is None


def test_a_tool_is_not_called_for_an_operation_its_name_rules_out():
    def tool(name, description="", required=("path",), kind="string"):
        return {"name": name, "description": description,
                "parameters": {"type": "dict", "required": list(required), "properties": {p: {"type": kind} for p in required}}}

    assert other_operation("delete all txt files", tool("list_files")) == "delete"
    assert other_operation("Could you log me out? My username is JohnDoe.", tool("user_authentication.login")) == "log me out"
    assert other_operation("Could you update my credentials?", tool("user_authentication.login")) == "update"
    assert other_operation("create project in /Volumes/DataArchive", tool("open_project")) == "create"
    assert other_operation("create project in /Volumes/DataArchive", tool("close_project")) == "create"
    assert other_operation("Close the project DA-12345.", tool("open_project")) == "Close"
    assert other_operation("a hotel in Paris that is cheap and close to the station", tool("hotel.delete_booking")) is None
    assert other_operation("multiply 8.5 and 3.2", tool("calculate_sum", required=("a", "b"), kind="number")) == "multiply"
    assert other_operation("Compute the derivative of 2x at 1.", tool("compute_definite_integral")) == "derivative"
    # what the description says the tool does too, or what the question asks of it besides
    assert other_operation("create a new project in /Foo", tool("open_project", "Open a project, creating it if missing.")) is None
    assert other_operation("Find the sum of 3 and 5, and the product of 2 and 4.",
                           tool("product_of_primes", required=("n",), kind="integer")) is None
    # a noun, not a verb; a participle; a tool whose name says no operation; a string tool's "product"
    assert other_operation("I need a weather update for Chicago.", tool("Weather_1_GetWeather")) is None
    assert other_operation("The value of the sculpture also created by Rodin.", tool("get_sculpture_value")) is None
    assert other_operation("Delete the mandate.", tool("user.mandates")) is None
    assert other_operation("Delete the file I saw in the file list.", tool("list_files")) is None  # its own, said anywhere
    assert other_operation("add these shoes to my cart", tool("get_product_details")) is None
    # a quantity or statistic asked for, not one given
    assert other_operation("What is the acceleration of a ball thrown up at 5 m/s?", tool("calculate_maximum_height")) == "acceleration"
    assert other_operation("How high does a ball thrown at a velocity of 5 m/s go?", tool("calculate_maximum_height")) is None
    assert other_operation("Calculate the standard deviation with a sample mean of 98.2", tool("calculate_p_value")) == "standard deviation"
    assert other_operation("Is it significant, given a sample mean of 98.2?", tool("calculate_p_value")) is None
    assert other_operation("What is the freezing point of water at 10 kPa?", tool("calculate_boiling_point")) == "freezing point"
    assert other_operation("What is the loss projection for XYZ?", tool("finance.predict_revenue")) == "loss"
    assert other_operation("What is the revenue, given a loss of 5 last year?", tool("finance.predict_revenue")) is None
    assert other_operation("Find the distance in kilometers from San Francisco to Los Angeles.", tool("get_date")) == "distance"
    assert other_operation("What's the rank for player A in the game Halo?", tool("get_player_score")) == "rank"
    assert other_operation("What was the score of the game on that date?", tool("get_player_score")) is None
    # an arithmetic noun that takes no numbers
    assert other_operation("What is the total price of the product?", tool("calculate_sum", required=("a",), kind="number")) is None
    assert other_operation("How much is 394 times 213?", tool("sum", required=("a", "b"), kind="integer")) == "times"


# asks_what_it_is: words the test puts in a tool's name (each 4 letters or more, no final "s") and
# words it never does; a question asks only what something is where it reads "what is" and a
# bare or indefinite phrase, nothing after it, by the test's own account.
NAME_WORDS = ["mandate", "book", "holy", "version", "project", "weather", "cronut", "recipe", "search", "fetch"]
OTHER_WORDS = ["boston", "java", "war", "imjin", "today", "water", "price"]
DETERMINERS = {"": True, "a ": True, "an ": True, "the ": False, "my ": False, "your ": False, "this ": False}


@st.composite
def definition_questions(draw):
    """A tool's name and a question; whether the question asks only what the tool's subject is,
    from what the test placed: each word of the phrase one the name holds (the name's plural's
    "s" may go; a singular name word takes none), a determiner that leaves it a definition, no
    tail."""
    bases = draw(st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=3, unique=True))
    forms = [b + "s" if draw(st.booleans()) else b for b in bases]
    style = draw(st.sampled_from(["snake", "camel", "dotted"]))
    name = {"snake": "_".join(forms), "dotted": ".".join(forms),
            "camel": forms[0] + "".join(f.capitalize() for f in forms[1:])}[style]
    words, fits = [], True
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            i = draw(st.integers(0, len(bases) - 1))
            plural = draw(st.booleans())
            words.append(bases[i] + ("s" if plural else ""))
            fits &= not plural or forms[i].endswith("s")  # "mandates" only beside a plural name
        else:
            words.append(draw(st.sampled_from(OTHER_WORDS)))
            fits = False
    lead = draw(st.sampled_from(["What is ", "what is ", "What's ", "What are ", "WHAT IS "]))
    determiner = draw(st.sampled_from(sorted(DETERMINERS)))
    tail = draw(st.sampled_from(["", " in boston", " for today", ", for today", " for 12", " (today)"]))
    end = draw(st.sampled_from(["?", "", ".", " ?"]))
    words = [w.capitalize() if draw(st.booleans()) else w for w in words]
    question = f"{lead}{determiner}{' '.join(words)}{tail}{end}"
    return {"name": name}, question, fits and DETERMINERS[determiner] and not tail


@settings(max_examples=1500, deadline=None)
@given(case=definition_questions())
def test_a_question_asking_what_the_tools_subject_is_is_found(case):
    function, question, expected = case
    assert (asks_what_it_is(question, function) is not None) == expected, (question, function)


def test_a_definition_question_is_not_a_call():
    assert asks_what_it_is("What is mandate?", {"name": "user.mandates"}) == "mandate"
    assert asks_what_it_is("What is a holy book?", {"name": "search_holy_books"}) == "holy book"
    assert asks_what_it_is("What is the version?", {"name": "version_api.VersionApi.get_version"}) is None
    assert asks_what_it_is("what is Imjin war", {"name": "HNA_WQA.search"}) is None
    assert asks_what_it_is("What is mandate for user 12?", {"name": "user.mandates"}) is None
    assert asks_what_it_is("What is my info?", {"name": "get_my_info"}) is None  # a value, the name's own "my" aside


# unnamed_quantity: the quantities a tool's name can say it computes (every operation asked for
# as a question's object, but a date), the words the test writes for each in a name, and the
# other ways the test's questions name one: the question that asks for it, the verb that says it.
QUANTITIES = sorted(op for ops, where in FAMILIES if where == "head" for op in ops if op != "date")
NAMED_AS = {"distance": ["how far"], "duration": ["how long", "takes"], "speed": ["how fast"], "height": ["how tall"],
            "mass": ["weigh"], "temperature": ["how hot"], "payment": ["pay"], "cost": ["price"]}
ASKS = ["What is the ", "what's the ", "Calculate the ", "How much ", "determine the ", "How many "]
NOT_ASKING = ["Find the ", "Show me the ", "I need the ", "Give the ", "Report the "]


@st.composite
def quantity_tools(draw):
    """A tool's name that says a quantity (or none) where it counts, and may say another in a
    dotted namespace or after "by", which do not; with the quantity it computes."""
    op = draw(st.sampled_from([None, *QUANTITIES]))
    verb = draw(st.sampled_from(["calculate", "get", "calc", "estimate"]))
    words = [verb] + ([] if op is None else draw(st.sampled_from(NAMES[op])).split()) + [draw(st.sampled_from(["", "value", "total"]))]
    if draw(st.booleans()):
        words += ["by", *draw(st.sampled_from(NAMES[draw(st.sampled_from(QUANTITIES))])).split()]
    words = [w for w in words if w]
    camel = draw(st.booleans())
    name = words[0] + "".join(w.capitalize() for w in words[1:]) if camel else "_".join(words)
    if draw(st.booleans()):
        name = "_".join(draw(st.sampled_from(NAMES[draw(st.sampled_from(QUANTITIES))])).split()) + "." + name
    return {"name": name}, op


@settings(max_examples=1500, deadline=None)
@given(data=st.data(), tool=quantity_tools())
def test_a_quantity_is_unnamed_where_the_test_left_it_out_of_a_question_that_asks(data, tool):
    function, op = tool
    clauses, asks, named = [], False, False
    for _ in range(data.draw(st.integers(1, 3))):
        ask = data.draw(st.booleans())
        asks |= ask
        lead = data.draw(st.sampled_from(ASKS if ask else NOT_ASKING))
        said = data.draw(st.sampled_from([None, *QUANTITIES]))
        if said is None:
            clauses.append(lead + data.draw(st.sampled_from(NOUNS)))
        else:
            named |= said == op
            clauses.append(lead + data.draw(st.sampled_from(NAMES[said] + NAMED_AS.get(said, []))))
    question = ". ".join(clauses) + "?"
    found = unnamed_quantity(question, function)
    assert (found is not None) == (op is not None and asks and not named), (question, function)
    assert found is None or found == op


def test_a_tool_that_computes_a_quantity_is_not_called_for_a_question_that_never_names_it():
    def tool(name):
        return {"name": name}
    gas = "How much gas is generated from heating a 2 m³ closed chamber with air at a temperature of 25°C to 100°C?"
    assert unnamed_quantity(gas, tool("thermodynamics.calc_gas_pressure")) == "pressure"
    assert unnamed_quantity("Calculate the compounded interest for a principal amount of $10000.", tool("calculate_mortgage_payment")) == "payment"
    assert unnamed_quantity("What is the quickest way to get to Tokyo from London by plane?", tool("get_flight_duration")) == "duration"
    # named by its word, by the question that asks for it, by its verb
    assert unnamed_quantity("What is the pressure of the gas at 100°C?", tool("calc_gas_pressure")) is None
    assert unnamed_quantity("How long does a flight from London to Tokyo take?", tool("get_flight_duration")) is None
    assert unnamed_quantity("How much will I weigh on Mars if my weight on Earth is 70 kg?", tool("calculate.weight_in_space")) is None
    assert unnamed_quantity("Calculate the return of investment of a deposit of $1000.", tool("calculate_roi")) is None
    # no value asked for; a quantity in a namespace or after "by"; a date, which questions give
    assert unnamed_quantity("Find a flight from London to Tokyo.", tool("get_flight_duration")) is None
    assert unnamed_quantity("What are the top players?", tool("sports_ranking.get_top_player")) is None
    assert unnamed_quantity("What homes are there in Austin?", tool("Homes_2_FindHomeByArea")) is None
    assert unnamed_quantity("What is the wind speed on December 13, 2019?", tool("weather.get_by_coordinates_date")) is None
    assert unnamed_quantity("What is the wind speed on December 13, 2019?", tool("weather.forecast_date")) is None


# Stretches of a request, each with whether it asks for a command to be run, by the test's account.
COMMAND_ASKS = [("using the echo command", True), ("using taskkill command", True), ("using the command netsh wlan disconnect", True),
                ("using the exact command shutdown /s /t 0", True), ("using the date or echo command", True),
                ("with the command called start calc", True), ("using the start microsoft.windows.camera: command", True),
                ("you have full control of the command prompt", False), ("the command line is slow", False),
                ("using a browser", False), ("using the command of the army", True), ("commanding officer", False)]
COMMAND_TOOLS = [({"name": "cmd_controller.execute", "description": "Executes a given command using os.system() on Windows."}, True),
                 ({"name": "run_shell", "description": "Runs shell commands."}, True),
                 ({"name": "ControlAppliance.execute", "description": "Controls an appliance."}, False),
                 ({"name": "get_weather", "description": "Gets the weather."}, False),
                 ({"name": "send_command", "description": "Sends a command to the robot."}, False)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(COMMAND_ASKS), min_size=1, max_size=3), st.sampled_from(COMMAND_TOOLS))
def test_a_command_asked_is_found_beside_a_tool_that_runs_commands(stretches, tool):
    """Oracle: the stretches the test wrote, each marked as asking for a command to be run or
    not, and the tools marked as running commands (a command and executing or running in their
    name or description) or not; found exactly where both hold, and the words found ask."""
    function, runs = tool
    question = "Please, " + ", and ".join(text for text, _ in stretches) + "."
    asked = [text for text, asks in stretches if asks]
    found = asks_own_command(question, dict(function, parameters={"type": "dict", "required": ["command"],
                                                                   "properties": {"command": {"type": "string"}}}))
    assert (found is not None) == (runs and bool(asked)), (question, function)
    assert found is None or any(found in text for text in asked), (found, asked)
