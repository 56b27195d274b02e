"""Token vocabularies as bytes: byte-level BPE (``Ġ``), SentencePiece (``▁`` and
``<0xNN>`` byte fallback), added tokens; special tokens kept apart so they never match content.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ltlagent.errors import LtlagentError


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2's byte ↔ printable-character table used by byte-level BPE vocabularies."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs), strict=True))


_BYTE_DECODER = {c: b for b, c in _bytes_to_unicode().items()}


@dataclass(frozen=True)
class TokenVocabulary:
    """What the token index needs from a tokenizer.

    ``tokens[i]`` is token ``i``'s bytes, or ``None`` for tokens that never stand for text
    (special tokens, unused ids). ``eos_ids`` end a generation (several are allowed).
    """

    tokens: tuple[bytes | None, ...]
    eos_ids: tuple[int, ...]
    name: str = "tokenizer"

    @property
    def size(self) -> int:
        return len(self.tokens)

    def fingerprint(self) -> str:
        """A stable hash of the tokens and EOS ids (the key of what is kept per vocabulary)."""
        cached = self.__dict__.get("_fingerprint")
        if cached is None:
            h = hashlib.sha256(json.dumps(sorted(self.eos_ids)).encode())
            h.update(repr(self.tokens).encode("ascii"))  # bytes reprs are unambiguous and fast to build
            cached = h.hexdigest()[:24]
            object.__setattr__(self, "_fingerprint", cached)
        return cached

    @classmethod
    def from_hf(cls, tokenizer: Any, eos_ids: Sequence[int] | None = None) -> TokenVocabulary:
        """Read a Hugging Face (fast) tokenizer's vocabulary as bytes."""
        vocab: dict[str, int] = tokenizer.get_vocab()
        size = max(len(tokenizer), max(vocab.values()) + 1)
        special = set(getattr(tokenizer, "all_special_ids", []) or [])
        for token_id, added in (getattr(tokenizer, "added_tokens_decoder", {}) or {}).items():
            if getattr(added, "special", False):
                special.add(token_id)
        kind = _decoder_kind(tokenizer)
        tokens: list[bytes | None] = [None] * size
        added_text = {i: a.content for i, a in (getattr(tokenizer, "added_tokens_decoder", {}) or {}).items() if not getattr(a, "special", False)}
        for text, token_id in vocab.items():
            if token_id in special:
                continue
            if token_id in added_text:
                tokens[token_id] = added_text[token_id].encode("utf-8")
            else:
                tokens[token_id] = _token_bytes(text, kind)
        ids = list(eos_ids) if eos_ids is not None else end_of_turn_ids(tokenizer)
        if not ids:
            raise LtlagentError("the tokenizer has no EOS token; pass eos_ids=[...]")
        for i in ids:
            if not 0 <= i < size:
                raise LtlagentError(f"EOS id {i} is outside the vocabulary (size {size})")
            tokens[i] = None
        return cls(tuple(tokens), tuple(sorted(set(ids))), getattr(tokenizer, "name_or_path", "") or "tokenizer")


# Special tokens that chat templates use to close the assistant's turn (ChatML, Llama 3, Gemma, Phi-3).
END_OF_TURN_TOKENS = ("<|im_end|>", "<|eot_id|>", "<|end_of_turn|>", "<end_of_turn>", "<|end|>")


def end_of_turn_ids(tokenizer: Any) -> list[int]:
    """The ids that end a generation: the tokenizer's EOS and, for a chat model, the special
    token its chat template closes the assistant's turn with (``<|im_end|>``, ``<|eot_id|>``, ...)."""
    ids = []
    if getattr(tokenizer, "eos_token_id", None) is not None:
        ids.append(int(tokenizer.eos_token_id))
    template = getattr(tokenizer, "chat_template", None)
    if isinstance(template, str):
        vocab = tokenizer.get_vocab()
        ids += [int(vocab[t]) for t in END_OF_TURN_TOKENS if t in template and t in vocab]
    return sorted(set(ids))


def _decoder_kind(tokenizer: Any) -> str:
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:
        conf = json.loads(backend.to_str())
        text = json.dumps(conf.get("decoder") or {})
        if "ByteLevel" in text:
            return "bytelevel"
        if "ByteFallback" in text or "Metaspace" in text or "\u2581" in text:
            return "sentencepiece"
        if (conf.get("pre_tokenizer") or {}).get("type") == "ByteLevel":
            return "bytelevel"
    return "bytelevel" if any("Ġ" in t for t in list(tokenizer.get_vocab())[:5000]) else "sentencepiece"


def _token_bytes(text: str, kind: str) -> bytes:
    if kind == "bytelevel":
        if all(c in _BYTE_DECODER for c in text):
            return bytes(_BYTE_DECODER[c] for c in text)
        return text.encode("utf-8")
    if len(text) == 6 and text.startswith("<0x") and text.endswith(">"):
        try:
            return bytes([int(text[3:5], 16)])
        except ValueError:
            pass
    return text.replace("\u2581", " ").encode("utf-8")
