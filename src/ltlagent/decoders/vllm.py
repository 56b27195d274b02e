"""vLLM adapter: a v1 logits processor that constrains requests naming a spec.

The only module of ltlagent that imports vllm. Pass the class to the engine::

    LLM(model=..., logits_processors=[SpecLogitsProcessor])
    vllm serve MODEL --logits-processors ltlagent.decoders.vllm:SpecLogitsProcessor

A request is constrained when its ``SamplingParams.extra_args`` (``vllm_xargs`` in the OpenAI
API) hold ``ltlagent_spec`` — a shipped spec's name or a spec file's path — and optionally:

* ``ltlagent_state``, ``ltlagent_steps``, ``ltlagent_steered`` — where the model's turn starts:
  ``SpecGuide.checkpoint()`` of the client's guide, flattened (the OpenAI API's ``vllm_xargs``
  carry scalars only); default: the spec's start;
* ``ltlagent_max_tokens``, ``ltlagent_max_step_tokens``, ``ltlagent_max_steps`` — the guide's
  budgets for this turn.

Each constrained request gets a :class:`SpecGuide` that follows its output tokens; when the
model hands over to the environment or ends the trace, only EOS is allowed, so the request
stops there. Other requests are left untouched. Indexes are built once per process for each
spec (and the engine's tokenizer) and shared by all requests; a step masks the whole batch
with one ``masked_fill_`` over device rows kept per index position.
"""

from __future__ import annotations

import hashlib

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch
from vllm.v1.sample.logits_processor import BatchUpdate, LogitsProcessor, MoveDirectionality

from ltlagent.decoders.engine_args import BUDGET_ARGS, KNOWN_ARGS, RESUME_ARGS, SPEC_ARG, guide_options
from ltlagent.decoders.guide import RUNNING, SpecGuide
from ltlagent.decoders.hf import MaskTables
from ltlagent.decoders.index import TokenIndex

if TYPE_CHECKING:
    from vllm import SamplingParams
    from vllm.config import VllmConfig

_INDEXES: dict[tuple[str, str], TokenIndex] = {}
_LOCK = threading.Lock()


def spec_index(spec: str, tokenizer: Any) -> TokenIndex:
    """The token index of ``spec`` (shipped name or path) for ``tokenizer``, built once per
    process for each text of the file: an edited spec file is read again, never served stale."""
    from ltlagent.compiler.compile import compile_spec
    from ltlagent.compiler.spec import load_spec
    from ltlagent.decoders.index import build_token_index
    from ltlagent.decoders.vocab import TokenVocabulary
    from ltlagent.errors import SpecError

    vocab = tokenizer if isinstance(tokenizer, TokenVocabulary) else TokenVocabulary.from_hf(tokenizer)
    parsed = load_spec(spec)
    key = (hashlib.sha256(parsed.source.encode("utf-8", "surrogatepass")).hexdigest(), vocab.fingerprint())
    with _LOCK:
        if key not in _INDEXES:
            compiled = compile_spec(parsed)
            if compiled.errors:
                raise SpecError(f"spec {spec!r} has errors: " + "; ".join(d.message for d in compiled.errors))
            _INDEXES[key] = build_token_index(compiled, vocab)
        return _INDEXES[key]


@dataclass
class _Request:
    guide: SpecGuide
    output: list[int]  # vLLM's running list of the request's output tokens (a reference)
    seen: int = 0


class SpecLogitsProcessor(LogitsProcessor):
    """Constrain the requests whose extra arguments name a spec (see the module doc)."""

    @classmethod
    def validate_params(cls, sampling_params: SamplingParams) -> None:
        args = sampling_params.extra_args or {}
        if SPEC_ARG not in args:
            return
        unknown = sorted(k for k in args if k.startswith("ltlagent_") and k not in KNOWN_ARGS)
        if unknown:
            raise ValueError(f"unknown ltlagent arguments {unknown}; known: {sorted(KNOWN_ARGS)}")
        if not isinstance(args[SPEC_ARG], str) or not args[SPEC_ARG]:
            raise ValueError(f"{SPEC_ARG} must be a shipped spec's name or a spec file's path")
        for key in [*BUDGET_ARGS, *RESUME_ARGS]:
            if key in args and (not isinstance(args[key], int) or isinstance(args[key], bool) or args[key] < 0):
                raise ValueError(f"{key} must be a non-negative integer, not {args[key]!r}")
        if any(k in args for k in RESUME_ARGS) and not {"ltlagent_state", "ltlagent_steps"} <= set(args):
            raise ValueError("ltlagent_state and ltlagent_steps go together (SpecGuide.checkpoint() of the client's guide)")

    def __init__(self, vllm_config: VllmConfig, device: torch.device, is_pin_memory: bool) -> None:
        self.device = device
        self.tokenizer_name = vllm_config.model_config.tokenizer
        self._vocab: Any = None  # the engine's tokenizer as a TokenVocabulary, read on the first constrained request
        self.requests: dict[int, _Request] = {}
        self._tables: dict[int, MaskTables] = {}

    def is_argmax_invariant(self) -> bool:
        return False  # it changes which token is the most likely

    def update_state(self, batch_update: BatchUpdate | None) -> None:
        if batch_update is not None:
            for index in batch_update.removed:
                self.requests.pop(index, None)
            for index, params, _prompt, output in batch_update.added:
                args = (params.extra_args or {}) if params is not None else {}
                if SPEC_ARG in args:
                    self.requests[index] = self._start(args, output)
                else:
                    self.requests.pop(index, None)
            for a, b, direction in batch_update.moved:
                ra, rb = self.requests.pop(a, None), self.requests.pop(b, None)
                if ra is not None:
                    self.requests[b] = ra
                if direction == MoveDirectionality.SWAP and rb is not None:
                    self.requests[a] = rb
        for req in self.requests.values():  # the tokens sampled since the last step
            while req.seen < len(req.output):
                if req.guide.status == RUNNING:
                    req.guide.advance(req.output[req.seen])
                req.seen += 1

    def apply(self, logits: torch.Tensor) -> torch.Tensor:
        if not self.requests:
            return logits
        by_index: dict[int, list[int]] = {}
        for i, req in self.requests.items():
            if i < logits.shape[0]:
                by_index.setdefault(id(req.guide.index), []).append(i)
        for rows in by_index.values():
            rows.sort()
            guides = [self.requests[i].guide for i in rows]
            blocked = self._table(guides[0], logits.shape[-1]).blocked_rows(guides)[:, : logits.shape[-1]]
            if len(rows) == logits.shape[0]:  # every request of the batch: mask in place, no gather
                logits.masked_fill_(blocked, float("-inf"))
            else:
                index = torch.tensor(rows, device=logits.device)
                logits[index] = logits[index].masked_fill(blocked, float("-inf"))
        return logits

    # -- internals -----------------------------------------------------------------------
    def _start(self, args: dict[str, Any], output: list[int]) -> _Request:
        if self._vocab is None:  # once per engine: reading a tokenizer's vocabulary takes a tenth of a second
            from transformers import AutoTokenizer

            from ltlagent.decoders.vocab import TokenVocabulary

            self._vocab = TokenVocabulary.from_hf(AutoTokenizer.from_pretrained(self.tokenizer_name))
        index = spec_index(args[SPEC_ARG], self._vocab)
        guide = SpecGuide(index, **guide_options(args))
        return _Request(guide, output)

    def _table(self, guide: SpecGuide, width: int) -> MaskTables:
        key = id(guide.index)
        if key not in self._tables:
            self._tables[key] = MaskTables(guide.index, width, self.device)
        return self._tables[key]


class VllmEngine:
    """An in-process ``vllm.LLM`` with the processor, for ``agents.serving.run_episodes``:
    ``generate(requests)`` takes objects with ``prompt``, ``args``, ``max_tokens``,
    ``temperature`` and ``seed`` and returns each request's output token ids. Build it under
    ``if __name__ == "__main__":`` (vLLM spawns its engine process)."""

    def __init__(self, model: str, *, max_model_len: int = 4096, kv_cache_gib: int = 2, **llm_options: Any) -> None:
        import os

        os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", str(kv_cache_gib))
        from vllm import LLM

        self.model = model
        self.llm = LLM(model=model, logits_processors=[SpecLogitsProcessor], enable_prefix_caching=True, max_model_len=max_model_len, **llm_options)

    def generate(self, requests: list[Any]) -> list[list[int]]:
        from vllm import SamplingParams

        params = [
            SamplingParams(max_tokens=r.max_tokens, temperature=r.temperature, seed=r.seed if r.temperature > 0 else None, extra_args=r.args or None)
            for r in requests
        ]
        outputs = self.llm.generate([r.prompt for r in requests], params, use_tqdm=False)
        return [list(o.outputs[0].token_ids) for o in outputs]
