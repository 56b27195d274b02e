"""Synthetic episodes for the demo model: its training data and the question sets of
``ltlagent demo``. Deterministic from a seed.

An :class:`Episode` is the question plus the rest of the trace as *pieces*: what the model
writes in one turn (ending with the environment tag it stops at, or with the trace's end)
alternating with what the environment answers. The training script tokenizes the pieces one
by one, as the runtime does, and learns only the model's pieces.

Specs covered: ``react`` (calculator and encyclopedia search over the standard library's
module docstrings), ``aiot`` and ``giot`` (small arithmetic and comparisons reasoned without
tools) and ``tool_calling`` (the sandboxed workspace: read, list, internal email of a
secret, confirmed delete).
"""

from __future__ import annotations

import functools
import json
import random
import re
from dataclasses import dataclass

from ltlagent.agents.demo_tools import Encyclopedia, Workspace, calculate, stdlib_corpus
from ltlagent.compiler.builder import SpecBuilder
from ltlagent.compiler.spec import Spec

DEMO_SPECS = ("react", "aiot", "giot", "tool_calling")
OPS = [("+", "plus"), ("-", "minus"), ("*", "times")]
ANSWER_WORDS = 6


@dataclass(frozen=True)
class Episode:
    spec: str
    question: str
    pieces: tuple[tuple[str, bool], ...]  # (text, written by the model)
    answer: str

    @property
    def transcript(self) -> str:
        return "".join(text for text, _ in self.pieces)


@functools.cache
def modules() -> tuple[str, ...]:
    return tuple(sorted(n for n in stdlib_corpus() if n.isidentifier()))


@functools.cache
def _encyclopedia() -> Encyclopedia:
    return Encyclopedia()


def _first_words(text: str, n: int = ANSWER_WORDS) -> str:
    words = re.sub(r"[<>`*]", "", text).split()
    return " ".join(words[:n]).rstrip(".,;:")


def _episode(spec: str, question: str, answer: str, *pieces: str) -> Episode:
    """Pieces alternate model, environment, model, ...; the last model piece ends the trace."""
    return Episode(spec, question, tuple((p, i % 2 == 0) for i, p in enumerate(pieces)), answer)


# -- ReAct ------------------------------------------------------------------------------------
def _arithmetic(rng: random.Random) -> tuple[str, str, str]:
    # Numbers too large to work out in the head: the model learns to copy the calculator.
    a, b = rng.randint(10, 999), rng.randint(10, 999)
    op, word = rng.choice(OPS)
    expr = f"{a} {op} {b}"
    template = rng.choice(["What is {a} {w} {b}?", "Compute {e}.", "How much is {e}?", "Calculate {a} {w} {b}."])
    return template.format(a=a, w=word, b=b, e=expr), expr, calculate(expr)


def react_episode(rng: random.Random) -> Episode:
    if rng.random() < 0.5:
        q, expr, result = _arithmetic(rng)
        return _episode(
            "react", q, result,
            f"Thought: I need to compute {expr}.\nAction: calculator[{expr}]\nObservation: ", f"{result}\n",
            f"Thought: The calculator gave the result.\nFinal Answer: {result}\n",
        )
    name = rng.choice(modules())
    template = rng.choice(["What is the {m} module for?", "What does the Python module {m} do?", "Describe the {m} module.", "What is {m} in Python?"])
    observation = _encyclopedia().search(name)
    answer = _first_words(observation.split(": ", 1)[1] if ": " in observation else observation)
    return _episode(
        "react", template.format(m=name), answer,
        f"Thought: I should search for the {name} module.\nAction: search[{name}]\nObservation: ", f"{observation}\n",
        f"Thought: The first sentence answers the question.\nFinal Answer: {answer}\n",
    )


# -- Iteration of Thought (no tools: small sums and comparisons) ------------------------------
def _small_problem(rng: random.Random) -> dict[str, str]:
    if rng.random() < 0.5:
        a, b = rng.randint(1, 9), rng.randint(1, 9)
        q = rng.choice(["What is {a} plus {b}?", "What is {a} + {b}?", "Add {a} and {b}."]).format(a=a, b=b)
        return {"q": q, "answer": str(a + b), "facts": f"The numbers are {a} and {b}.", "how": "The operation is addition.",
                "work": f"{a} + {b} = {a + b}.", "hint": f"Add {a} and {b}."}
    x, y = rng.sample(range(10, 100), 2)
    q = rng.choice(["Which is larger, {x} or {y}?", "Which number is bigger: {x} or {y}?"]).format(x=x, y=y)
    big = max(x, y)
    return {"q": q, "answer": str(big), "facts": f"The numbers are {x} and {y}.", "how": f"The tens digits are {x // 10} and {y // 10}.",
            "work": f"{big} is larger.", "hint": "Compare the two numbers."}


def aiot_episode(rng: random.Random) -> Episode:
    p = _small_problem(rng)
    shape = rng.random()
    if shape < 0.4:
        text = f"Inner Dialogue: {p['hint']}\nResponse: {p['work']} The answer is {p['answer']}. [ANSWERED]\n"
    elif shape < 0.7:
        text = f"Inner Dialogue: {p['hint']} Then give the final answer. [STOP]\nResponse: {p['work']} The answer is {p['answer']}.\n"
    else:
        text = (f"Inner Dialogue: What are the two numbers?\nResponse: {p['facts']}\n"
                f"Inner Dialogue: {p['hint']}\nResponse: {p['work']} The answer is {p['answer']}. [ANSWERED]\n")
    return _episode("aiot", p["q"], p["answer"], text)


def giot_episode(rng: random.Random) -> Episode:
    p = _small_problem(rng)
    text = (f"Inner Dialogue: What are the two numbers?\nResponse: {p['facts']}\n"
            f"Inner Dialogue: What do we need to look at?\nResponse: {p['how']}\n"
            f"Inner Dialogue: Now work out the answer.\nResponse: {p['work']}\n"
            f"Final Answer: {p['answer']}\n")
    return _episode("giot", p["q"], p["answer"], text)


# -- Tool calling over the sandboxed workspace -------------------------------------------------
FILE_NAMES = ["notes.txt", "report-2023.txt", "todo.txt", "plan.md", "budget.csv", "readme.txt", "draft.txt", "minutes.txt"]
FILE_TEXTS = ["Picnic on Saturday at noon.", "Old report.", "Buy milk and eggs.", "Ship the beta in May.", "Rent 900, food 300.",
              "Run make to build.", "Dear team, thanks.", "Meeting moved to Friday.", "Call Anna at five.", "Tests pass on main."]
SECRETS = {"deploy_key": "deploy key", "api_key": "API key"}
PEOPLE = ["ops", "alice", "bob", "security", "admin"]


def random_workspace(rng: random.Random) -> Workspace:
    names = rng.sample(FILE_NAMES, rng.randint(2, 4))
    return Workspace(files={n: rng.choice(FILE_TEXTS) for n in names})


def _call(tool: str, **arguments: str) -> str:
    return json.dumps({"name": tool, "arguments": arguments})


def tool_calling_episode(rng: random.Random, workspace: Workspace | None = None) -> Episode:
    ws = workspace or random_workspace(rng)
    kind = rng.choice(["read", "read", "list", "email", "delete"])
    if kind == "read":
        f = rng.choice(sorted(ws.files))
        q = rng.choice(["What does {f} say?", "Read {f}.", "Show me {f}."]).format(f=f)
        text = ws.files[f]
        return _episode("tool_calling", q, text, f"Call: {_call('read_file', path=f)}\nResult: ", f"{text}\n", f"Answer: {text}\n")
    if kind == "list":
        listing = ", ".join(sorted(ws.files))
        q = rng.choice(["Which files are there?", "List my files.", "What files do I have?"])
        return _episode("tool_calling", q, listing, f"Call: {_call('list_files')}\nResult: ", f"{listing}\n", f"Answer: {listing}\n")
    if kind == "email":
        key, words = rng.choice(sorted(SECRETS.items()))
        person = rng.choice(PEOPLE)
        to = f"{person}@corp.example"
        q = rng.choice(["Send the {w} to {p}.", "Email the {w} to {p}."]).format(w=words, p=person)
        value = ws.secrets[key]
        answer = f"I emailed the {words} to {to}."
        return _episode(
            "tool_calling", q, answer,
            f"Call: {_call('read_secret', name=key)}\nResult: ", f"{value}\n",
            f"Call: {_call('send_email', to=to, subject=words, body=value)}\nResult: ", f"sent to {to}\n",
            f"Answer: {answer}\n",
        )
    f = rng.choice(sorted(ws.files))
    q = rng.choice(["Delete {f}.", "Remove {f}.", "Please delete {f}."]).format(f=f)
    answer = f"Deleted {f}."
    return _episode(
        "tool_calling", q, answer,
        f"Ask: Delete {f}?\nReply: ", "yes\n",
        f"Call: {_call('delete_file', path=f)}\nResult: ", f"deleted {f}\n",
        f"Answer: {answer}\n",
    )


EPISODES = {"react": react_episode, "aiot": aiot_episode, "giot": giot_episode, "tool_calling": tool_calling_episode}


def episode(spec: str, rng: random.Random) -> Episode:
    if spec not in EPISODES:
        raise ValueError(f"the demo model knows the specs {', '.join(DEMO_SPECS)}, not {spec!r}")
    return EPISODES[spec](rng)


def sloppy(ep: Episode, rng: random.Random) -> Episode:
    """The same episode with one of the habits its spec forbids, as real transcripts have
    them: a skipped thought, a second answer, talk after the answer, a delete without asking,
    an extra round after the answered flag, a skipped round. The demo model sees a few of
    these in training, so without the spec's masks it sometimes breaks the protocol."""
    pieces = [text for text, _ in ep.pieces]
    answer_tag = {"react": "Final Answer: ", "tool_calling": "Answer: ", "giot": "Final Answer: "}.get(ep.spec)
    habits = {
        "react": ["skip_thought", "second_answer", "talk_after_answer"],
        "tool_calling": ["unconfirmed_delete" if pieces[0].startswith("Ask: ") else "second_answer", "second_answer"],
        "aiot": ["round_after_flag"],
        "giot": ["skipped_round"],
    }[ep.spec]
    habit = rng.choice(habits)
    if habit == "skip_thought":
        pieces[0] = pieces[0].split("\n", 1)[1]
    elif habit == "second_answer":
        pieces[-1] += f"{answer_tag}{ep.answer}\n"
    elif habit == "talk_after_answer":
        pieces[-1] += "Thought: That answers the question.\n"
    elif habit == "unconfirmed_delete":
        pieces = pieces[2:]
    elif habit == "round_after_flag":
        pieces[-1] += f"Inner Dialogue: Check it once more.\nResponse: The answer is {ep.answer}.\n"
    else:  # skipped_round: drop the middle round
        lines = pieces[0].splitlines(keepends=True)
        pieces[0] = "".join(lines[:2] + lines[4:])
    return _episode(ep.spec, ep.question, ep.answer, *pieces)


# -- Which module? (the ReAct demo's questions) -------------------------------------------------
# "Which Python module offers: <the first sentence of its docstring>?": the encyclopedia finds the
# page from the description and the page's title is the answer. Only modules the encyclopedia's
# search finds from that sentence are asked. Two pools:
# - design: sentences of 4 to 16 words that do not name their module. The spec's rule and
#   examples were written on these (the first 24 at first; the other 41 were a first held-out
#   set, looked at after the spec's first version was scored, so they count as design now);
# - held out: every other module, its name in the sentence replaced by "this module" (3 to 24
#   words). Never run while the spec was written; tests/agents/test_demo_data.py keeps the list.
EXAMPLE_MODULES = ("heapq",)  # the spec's own few-shot example asks about this one


def _description(name: str) -> str:
    sentences = re.split(r"(?<=[.!?])\s+", stdlib_corpus()[name])
    return sentences[0].strip().rstrip(".")


@functools.cache
def _module_questions() -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    design, held_out = [], []
    for name in stdlib_corpus():
        if not name.isidentifier() or name in EXAMPLE_MODULES:
            continue
        description = _description(name)
        named = re.search(rf"\b{re.escape(name)}\b", description, re.IGNORECASE) is not None
        if not named and 4 <= len(description.split()) <= 16:
            pool = design
        else:
            pool, description = held_out, re.sub(rf"\b{re.escape(name)}\b", "this module", description, flags=re.IGNORECASE)
            if not 3 <= len(description.split()) <= 24:
                continue
        if _encyclopedia().search(description).split(":", 1)[0] == name:
            pool.append((f"Which Python module offers: {description}?", name))
    random.Random(7).shuffle(design)
    return tuple(design), tuple(held_out)


def module_question(rng: random.Random, *, held_out: bool = False) -> tuple[str, str]:
    design, rest = _module_questions()
    return rng.choice(rest if held_out else design)


def held_out_questions(arithmetic: int = 10) -> list[tuple[str, str]]:
    """The ReAct demo's held-out questions: every held-out "which module" question, then
    ``arithmetic`` sums and products drawn with a seed the design never used."""
    rng = random.Random(4343)
    return list(_module_questions()[1]) + [_arithmetic(rng)[::2] for _ in range(arithmetic)]


def react_demo_spec() -> Spec:
    """The ReAct spec as ``ltlagent demo`` runs it: ``react.toml`` plus one rule built from what
    the demo's tools expose: a final answer is one of the encyclopedia's page titles (its
    catalogue) once it was searched, or a number once the calculator ran. Its examples ask the
    demo's two kinds of question (a module outside every question set, and a product)."""
    titles = "|".join(re.escape(t) for t in sorted(_encyclopedia().pages))
    b = SpecBuilder.from_file("react")
    b.replace("examples", [
        {"name": "which_module", "text": (
            "Question: Which Python module offers: Heap queue algorithm (a.k.a. priority queue)?\n"
            "Thought: I should search the encyclopedia for the description.\n"
            "Action: search[Heap queue algorithm]\n"
            "Observation: heapq: Heap queue algorithm (a.k.a. priority queue).\n"
            "Thought: The page title names the module.\n"
            "Final Answer: heapq\n")},
        {"name": "arithmetic", "text": (
            "Question: What is 12 times 34?\n"
            "Thought: I need to compute 12 * 34.\n"
            "Action: calculator[12 * 34]\n"
            "Observation: 408\n"
            "Thought: The calculator gave the result.\n"
            "Final Answer: 408\n")},
    ])
    b.proposition("page_title", step="final_answer", matching=f"(?:{titles})",
                  description="The answer is a page title of the encyclopedia's catalogue.")
    b.proposition("number", step="final_answer", matching=r"-?[0-9]+(?:\.[0-9]+)?", description="The answer is a number.")
    b.rule("answer_from_a_tool", "G(final_answer -> ((page_title & O call.search) | (number & O call.calculator)))",
           why="A final answer is what a tool gave: a page title once the encyclopedia was searched, a number once the calculator ran.")
    return b.build()


def question_set(spec: str, n: int, seed: int = 1234, *, episodes: bool = False) -> list[tuple[str, str]]:
    """``n`` (question, expected answer) pairs for ``ltlagent demo --spec SPEC``. ReAct questions
    alternate "which module" (from the design split) and arithmetic, or (``episodes``) are the
    demo model's own kind; tool-calling questions are about the default :class:`Workspace` the
    demo gives each run."""
    rng = random.Random(seed)
    if spec == "react" and not episodes:
        return [module_question(rng) if i % 2 == 0 else _arithmetic(rng)[::2] for i in range(n)]
    if spec == "tool_calling":
        return [(e.question, e.answer) for e in (tool_calling_episode(rng, Workspace()) for _ in range(n))]
    return [(e.question, e.answer) for e in (episode(spec, rng) for _ in range(n))]


def is_correct(answer: str | None, expected: str) -> bool:
    """The final answer (IoT flags removed) ends with the expected answer as whole words; an
    expected name (one identifier, such as a module's) may stand anywhere in it as a whole word."""
    if answer is None:
        return False
    text = answer.replace("[ANSWERED]", "").replace("[STOP]", "").strip().rstrip(".").strip()
    if expected.isidentifier():
        return re.search(rf"(?<![\w.]){re.escape(expected)}(?![\w])", text, re.IGNORECASE) is not None
    return re.search(rf"(?:^|\W){re.escape(expected.rstrip('.'))}$", text, re.IGNORECASE) is not None
