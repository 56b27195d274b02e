"""Agents on an inference engine: many episodes at once, each turn one engine request.

``run_episodes`` runs the same agents as :func:`agents.runtime.run`, but the model's turns are
requests to an engine that applies the spec's masks itself (vLLM with
``ltlagent.decoders.vllm.SpecLogitsProcessor``): in-process (``VllmEngine``) or a
``vllm serve`` reached over HTTP (:class:`ServerEngine`). A request stops at an environment
tag or the end of the trace; the runtime runs the tools and the episode goes on as a new
request whose prompt extends the old one (the engine's prefix cache keeps the KV cache) and
whose extra arguments carry the client guide's checkpoint, so the engine's guide resumes where
this one is. All episodes' turns of a round go to the engine together.

The client keeps its own :class:`SpecGuide` over the same index and follows the token ids the
engine returns: the trace's step events come from it, never from re-reading text.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from ltlagent.agents.runtime import (
    RunConfig,
    Trace,
    TraceStep,
    environment_answer,
    record_steps,
    resolve_spec,
    build_prompt,
    checked_registry,
    chat_prompt,
    clean_environment_text,
)
from ltlagent.agents.tools import Tool
from ltlagent.compiler.compiled import CompiledSpec
from ltlagent.compiler.spec import Source, Spec, shipped_spec_names
from ltlagent.decoders.engine_args import request_args
from ltlagent.decoders.guide import ENVIRONMENT, FINISHED, RUNNING, SpecGuide
from ltlagent.decoders.index import TokenIndex, build_token_index
from ltlagent.errors import AgentError



@dataclass(frozen=True)
class EngineRequest:
    prompt: str
    args: dict[str, Any]  # the processor's extra arguments (vLLM: SamplingParams.extra_args / vllm_xargs)
    max_tokens: int
    temperature: float = 0.0
    seed: int = 0


class Engine(Protocol):
    def generate(self, requests: list[EngineRequest]) -> list[list[int]]:
        """Each request's generated token ids, in order."""
        ...


def turn_args(spec: str, resume: Mapping[str, Any] | None, cfg: RunConfig) -> dict[str, Any]:
    """The processor's arguments for one model turn of an episode."""
    return request_args(spec, resume=resume, max_tokens=cfg.max_new_tokens, max_step_tokens=cfg.max_step_tokens, max_steps=cfg.max_steps)


@dataclass
class _Episode:
    input: str
    guide: SpecGuide
    prompt: str
    trace: Trace
    first_input: bool = True
    recorded: int = 0
    stopped: str | None = None
    started: float = field(default_factory=time.perf_counter)


def run_episodes(
    spec: Spec | str | Path,
    engine: Engine,
    tokenizer: Any,
    tools: Iterable[Tool] | Mapping[str, Tool] | None,
    inputs: Sequence[str],
    *,
    config: RunConfig | None = None,
    index: TokenIndex | None = None,
    environment: Mapping[str, Callable[[str], str]] | None = None,
    on_input: Callable[[str, str], str] | None = None,
    on_step: Callable[[int, TraceStep], None] | None = None,
    **settings: Any,
) -> list[Trace]:
    """Run one episode per input, all at once on ``engine``; returns their traces in order.
    ``spec`` must be a shipped spec's name or a path the engine can read too."""
    cfg = replace(config or RunConfig(), **settings)
    compiled = resolve_spec(spec)
    ref = spec.path if isinstance(spec, (Spec, CompiledSpec)) else str(spec)
    if Path(ref).is_file():
        ref = str(Path(ref).resolve())
    if Path(ref).suffix != ".toml" and ref not in shipped_spec_names():
        raise AgentError(f"spec {compiled.name!r} has no spec file ({ref}) for the engine to read: write it with "
                         "SpecBuilder.to_toml() and pass that file's path")
    registry = checked_registry(compiled, tools)
    index = index or build_token_index(compiled, tokenizer)
    instructions = build_prompt(compiled, cfg.instructions)
    episodes = [
        _Episode(text, SpecGuide(index, max_steps=cfg.max_steps), chat_prompt(tokenizer, instructions, text), Trace(compiled.name, compiled.path, text))
        for text in inputs
    ]
    cap = 2 * cfg.max_steps if cfg.max_steps is not None else None
    # A turn ends within max_new_tokens, or the shortest way to its end if that is longer (bytes bound tokens).
    request_cap = cfg.max_new_tokens + 4 * max(64, cfg.max_step_tokens or 0)
    while True:
        for n, ep in enumerate(episodes):
            _environment_turns(ep, compiled, registry, environment, on_input, cap, tokenizer, (lambda step, n=n: on_step(n, step)) if on_step else None)
        running = [ep for ep in episodes if ep.guide.status == RUNNING and ep.stopped is None]
        if not running:
            break
        requests = [
            EngineRequest(ep.prompt + ep.guide.text, turn_args(ref, ep.guide.checkpoint(), cfg), request_cap, cfg.temperature, cfg.seed + k)
            for k, ep in enumerate(running)
        ]
        t0 = time.perf_counter()
        outputs = engine.generate(requests)
        seconds = (time.perf_counter() - t0) / max(1, len(running))
        for ep, ids in zip(running, outputs, strict=True):
            used = 0
            for token in ids:
                if ep.guide.status != RUNNING:
                    break
                ep.guide.advance(token)
                used += 1
            ep.trace.model_tokens += used
            n = episodes.index(ep)
            ep.recorded = record_steps(ep.trace, ep.guide.events, ep.recorded, (lambda step, n=n: on_step(n, step)) if on_step else None, tokens=used, seconds=seconds)
            if ep.guide.status == RUNNING:
                ep.stopped = f"the engine ended a turn after {len(ids)} tokens, before the spec's masks ended it"
    return [_finish(ep, compiled) for ep in episodes]


def _environment_turns(ep: _Episode, compiled, registry, handlers, on_input, cap, tokenizer, on_step) -> None:  # type: ignore[no-untyped-def]
    """Answer the environment until the model's turn (or the end)."""
    while ep.guide.status == ENVIRONMENT and ep.stopped is None:
        if cap is not None and ep.guide.steps_done > cap:
            ep.stopped = f"stopped after {ep.guide.steps_done} steps: the environment kept the run going past twice --max-steps"
            return
        step = compiled.step_info(ep.guide.waiting_for or "")
        t0 = time.perf_counter()
        if step.source == Source.INPUT and ep.first_input:
            content, ep.first_input = ep.input, False
        elif step.source == Source.INPUT:
            content = (on_input or (lambda s, t: "no"))(step.name, ep.guide.text)
        else:
            content = environment_answer(compiled, registry, ep.guide, step.name, handlers, ep.trace)
        fed = ep.guide.feed_environment(clean_environment_text(content, step.terminator))
        tokens = len(tokenizer.encode(fed, add_special_tokens=False))
        ep.trace.prefill_tokens += tokens
        ep.recorded = record_steps(ep.trace, ep.guide.events, ep.recorded, on_step, tokens=tokens, seconds=time.perf_counter() - t0)


def _finish(ep: _Episode, compiled) -> Trace:  # type: ignore[no-untyped-def]
    verdict = compiled.check_text(ep.guide.text)
    t = ep.trace
    t.text = ep.guide.text
    t.ok = verdict.ok and ep.guide.status == FINISHED
    t.violations = [v.render() for v in verdict.violations] + ([ep.guide.error] if ep.guide.error else []) + ([ep.stopped] if ep.stopped else [])
    t.status = ep.guide.status
    t.budget_forced = ep.guide.budget_forced
    t.seconds = time.perf_counter() - ep.started
    return t


class ServerEngine:
    """A ``vllm serve`` started with ``--logits-processors ltlagent.decoders.vllm:SpecLogitsProcessor``,
    reached through its OpenAI-compatible completions API (``vllm_xargs``, ``return_token_ids``).
    Requests of a round are sent concurrently."""

    def __init__(self, url: str, model: str | None = None, *, timeout: float = 600.0, concurrency: int = 64) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.concurrency = concurrency
        self.model = model or self._served_model()

    def _post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - the user's own server
                return json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:300]
            raise AgentError(f"the server at {self.url} refused the request ({exc.code}): {detail}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise AgentError(f"cannot reach the server at {self.url}: {exc}. Start it with docs/serving.md's command") from None

    def _served_model(self) -> str:
        models = self._post("/v1/models").get("data") or []
        if not models:
            raise AgentError(f"the server at {self.url} serves no model")
        return str(models[0]["id"])

    def generate(self, requests: list[EngineRequest]) -> list[list[int]]:
        def one(r: EngineRequest) -> list[int]:
            body = {"model": self.model, "prompt": r.prompt, "max_tokens": r.max_tokens, "temperature": r.temperature,
                    "vllm_xargs": r.args, "return_token_ids": True}
            if r.temperature > 0:
                body["seed"] = r.seed
            choice = self._post("/v1/completions", body)["choices"][0]
            if choice.get("token_ids") is None:
                raise AgentError(f"the server at {self.url} returned no token ids: it needs a vLLM with return_token_ids")
            return [int(t) for t in choice["token_ids"]]

        with ThreadPoolExecutor(max_workers=max(1, min(self.concurrency, len(requests)))) as pool:
            return list(pool.map(one, requests))
