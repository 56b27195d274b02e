"""``ltlagent serve``: an OpenAI-compatible chat-completions server whose every answer keeps a spec.

Each request carries the whole conversation (and, for a spec whose ``[chat]`` takes them from
the request, the tools). :mod:`ltlagent.agents.chat` reads it into the spec's trace and the
automaton state; the model then writes the next assistant turn under the spec's masks, from
that state, and the turn goes back as OpenAI's ``content`` or ``tool_calls``. Nothing is kept
between requests but caches (a spec per toolset, its token index), so any replica answers any
turn. A history that already breaks the spec is refused (HTTP 400, the finding in the body).

Engines: ``transformers`` (in-process, the default; streams as it writes) or vLLM (``--engine
vllm`` in-process, or ``--server URL`` for a running ``vllm serve`` with ltlagent's logits
processor), which gets the spec file and the conversation's automaton state with the request.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ltlagent.agents.chat import Conversation, instructions, read_conversation, reply, request_tools, spec_with_tools, visible_text
from ltlagent.agents.runtime import chat_prompt
from ltlagent.compiler.compile import compile_spec
from ltlagent.compiler.compiled import CompiledSpec
from ltlagent.compiler.spec import Spec
from ltlagent.decoders.guide import ENVIRONMENT, FINISHED, RUNNING, SpecGuide
from ltlagent.decoders.index import TokenIndex, build_token_index
from ltlagent.errors import AgentError, ChatError, ClientGone, SpecError

MAX_BODY = 32 * 1024 * 1024  # bytes of one request
STREAM_CHUNK = 4  # tokens between streamed deltas
_TOOLSETS = 64  # specs kept per distinct toolset (a request's tools)


@dataclass
class Prepared:
    """A spec ready for requests: the spec (its ``[chat]`` table), compiled, its token index,
    the tools the prompt lists, and the file an engine reads it from."""

    spec: Spec
    compiled: CompiledSpec
    index: TokenIndex
    tools: list[dict[str, Any]] | None  # a request's tools, for the prompt (None: the spec's own)
    path: str


class ChatService:
    """Answers chat-completion request bodies (dicts) with response bodies; the HTTP layer is
    :func:`make_server`. ``engine`` is ``None`` for the in-process transformers model, or an
    engine of :mod:`ltlagent.agents.serving` (vLLM)."""

    def __init__(self, spec: Spec, model: Any, tokenizer: Any, *, model_name: str, device: str = "auto", engine: Any = None,
                 traces: str | Path | None = None, max_step_tokens: int = 256, default_max_tokens: int = 512,
                 work_dir: str | Path | None = None) -> None:
        if spec.chat is None:
            raise AgentError(f"spec {spec.name!r} ({spec.path}) has no [chat] table: the server cannot read conversations into it. "
                             "Add one (docs/spec-format.md, 'Chat'), e.g. as specs/chat_tools.toml does")
        self.spec = spec
        self.chat = spec.chat
        self.model = model
        self.tokenizer = tokenizer
        self.model_name = model_name
        self.device = device
        self.engine = engine
        self.max_step_tokens = max_step_tokens
        self.default_max_tokens = default_max_tokens
        self.traces = Path(traces) if traces else None
        self.work_dir = Path(work_dir) if work_dir else None
        self._lock = threading.Lock()  # one model: one generation at a time
        self._specs: OrderedDict[str, Prepared] = OrderedDict()
        self._specs_lock = threading.Lock()
        self.context = _context_length(model, tokenizer)
        if self.traces:
            self.traces.mkdir(parents=True, exist_ok=True)
        if self.chat.tools == "spec":
            self._base = self._prepare(spec, spec.path)

    # -- specs -----------------------------------------------------------------------------
    def _prepare(self, spec: Spec, path: str) -> Prepared:
        compiled = compile_spec(spec)
        if compiled.errors:
            first = compiled.errors[0]
            raise SpecError(f"spec {spec.name!r} has errors: {first.message}", path=spec.path, line=first.line or None)
        return Prepared(spec, compiled, build_token_index(compiled, self.tokenizer), None, path)

    def prepared(self, body: Mapping[str, Any]) -> Prepared:
        """The spec for this request: the fixed one, or (``tools = "request"``) the spec with the
        request's tools, built once per toolset (milliseconds: the token index is lazy)."""
        tools = request_tools(body)
        if self.chat.tools == "spec":
            declared = {t.name for t in self.spec.tools}
            foreign = [t["name"] for t in tools if t["name"] not in declared]
            if foreign:
                raise ChatError(f"tools: {', '.join(foreign)} {'is' if len(foreign) == 1 else 'are'} not among spec {self.spec.name!r}'s tools "
                                f"({', '.join(sorted(declared)) or 'none'}); this spec fixes its tools", param="tools", code="unknown_tool")
            return self._base
        key = hashlib.sha256(json.dumps(tools, sort_keys=True).encode()).hexdigest()[:20]
        with self._specs_lock:
            if key in self._specs:
                self._specs.move_to_end(key)
                return self._specs[key]
        try:
            builder = spec_with_tools(self.spec, tools)
            spec = builder.build()
        except SpecError as exc:
            raise ChatError(f"tools: the spec cannot take these tools: {exc.message}", param="tools", code="invalid_tools") from None
        path = self.spec.path
        if self.engine is not None or self.traces is not None:  # an engine and `ltlagent check` read the spec from a file
            folder = (self.work_dir or self.traces or Path(".")) / "specs"
            folder.mkdir(parents=True, exist_ok=True)
            text = builder.to_toml()
            file = folder / f"{spec.name}-{hashlib.sha256(text.encode()).hexdigest()[:16]}.toml"  # named by its text: never stale
            if not file.exists():
                file.write_text(text, encoding="utf-8")
            path = str(file.resolve())
        prep = self._prepare(spec, path)
        prep.tools = tools
        with self._specs_lock:
            self._specs[key] = prep
            while len(self._specs) > _TOOLSETS:
                self._specs.popitem(last=False)
        return prep

    # -- requests --------------------------------------------------------------------------
    def complete(self, body: Any, on_delta: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
        """One chat completion. With ``on_delta``, the assistant's text is passed on as it is
        written (``{"content": ...}``), then its tool calls; the return value is the whole
        response either way."""
        if not isinstance(body, Mapping):
            raise ChatError("the request body must be a JSON object", param=None)
        options = _options(body)
        prep = self.prepared(body)
        conv = read_conversation(prep.compiled, self.chat, body.get("messages"), [t.name for t in prep.spec.tools])
        head = chat_prompt(self.tokenizer, instructions(prep.compiled, prep.tools, conv.system), conv.first_user)
        prompt = head + conv.text
        prompt_tokens = len(self.tokenizer.encode(prompt, add_special_tokens=False))
        max_tokens = options["max_tokens"]
        if self.context is not None:
            room = self.context - prompt_tokens
            if room < 16 or (max_tokens is not None and max_tokens > room):
                raise ChatError(f"the conversation is too long for the model: {prompt_tokens} prompt tokens"
                                + (f" and max_tokens {max_tokens}" if max_tokens else "") + f" exceed its context of {self.context}",
                                param="messages", code="context_length_exceeded")
            max_tokens = max_tokens or min(self.default_max_tokens, room - 8)
        max_tokens = max_tokens or self.default_max_tokens
        started = time.perf_counter()
        if self.engine is None:
            steps, completion_tokens = self._generate(prep, conv, head, max_tokens, options, on_delta)
        else:
            steps, completion_tokens = self._generate_on_engine(prep, conv, prompt, max_tokens, options)
        answer = reply(self.chat, steps, conv.text)
        if on_delta is not None and answer.tool_calls:
            on_delta({"tool_calls": [dict(c, index=i) for i, c in enumerate(answer.tool_calls)]})
        self._write_trace(prep, conv, steps, time.perf_counter() - started, completion_tokens)
        return {
            "id": "chatcmpl-" + uuid.uuid4().hex[:24],
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model_name,
            "choices": [{"index": 0, "message": answer.message(), "finish_reason": answer.finish_reason, "logprobs": None}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens},
        }

    def _generate(self, prep: Prepared, conv: Conversation, head: str, max_tokens: int, options: Mapping[str, Any],
                  on_delta: Callable[[dict[str, Any]], None] | None) -> tuple[list[tuple[str, str]], int]:
        """The model's turn in this process: ``head`` (instructions, the first user message) and
        the trace read into the KV cache, then decoded under the masks from the conversation's
        state; with ``on_delta``, the visible text is passed on every few tokens."""
        import torch

        from ltlagent.decoders.hf import SpecDecoder

        with self._lock:
            dec = SpecDecoder(self.model, self.tokenizer, prep.index, device=self.device, max_step_tokens=self.max_step_tokens)
            dec.guide = SpecGuide(prep.index, max_step_tokens=self.max_step_tokens, prefix=conv.text)
            dec.start(head)
            dec.read(conv.text)
            guide = dec.guide
            before, mark = len(guide.events), guide.size()
            temperature = options["temperature"]
            sampler = torch.Generator(device=dec.device).manual_seed(options["seed"]) if temperature > 0 else None
            written, sent = 0, ""
            while guide.status == RUNNING:
                budget = max_tokens - written
                if budget <= 0:  # the token cap: the turn takes the shortest way to its end
                    dec.finish_turn()
                    budget = guide.distance() + 1
                turn = dec.generate(min(budget, STREAM_CHUNK) if on_delta else budget, temperature=temperature, generator=sampler)
                written += len(turn.tokens)
                if on_delta is not None:
                    shown = visible_text(prep.compiled, self.chat, _decoded(guide.text_since(mark)))
                    if shown.startswith(sent) and len(shown) > len(sent):
                        on_delta({"content": shown[len(sent):]})
                        sent = shown
            if guide.status not in (ENVIRONMENT, FINISHED):
                raise ChatError(f"the model's turn could not be finished under the spec: {guide.error}", status=500, code="guide_error")
            steps = [(e.step, e.text) for e in guide.events[before:]]
        if on_delta is not None:
            final = reply(self.chat, steps, conv.text).content or ""
            if final.startswith(sent) and len(final) > len(sent):
                on_delta({"content": final[len(sent):]})
        return steps, written

    def _generate_on_engine(self, prep: Prepared, conv: Conversation, prompt: str, max_tokens: int,
                            options: Mapping[str, Any]) -> tuple[list[tuple[str, str]], int]:
        from ltlagent.agents.serving import EngineRequest
        from ltlagent.decoders.engine_args import request_args

        guide = SpecGuide(prep.index, max_tokens=max_tokens, max_step_tokens=self.max_step_tokens, prefix=conv.text)
        before = len(guide.events)
        args = request_args(prep.path, resume=guide.checkpoint(), max_tokens=max_tokens, max_step_tokens=self.max_step_tokens)
        ids = self.engine.generate([EngineRequest(prompt, args, max_tokens + 64, options["temperature"], options["seed"])])[0]
        for t in ids:
            if guide.status != RUNNING or not guide.advance(t):
                break
        if guide.status not in (ENVIRONMENT, FINISHED):
            raise ChatError(f"the engine's turn does not finish under the spec: {guide.error or guide.status}", status=502, code="engine_error")
        return [(e.step, e.text) for e in guide.events[before:]], len(ids)

    def _write_trace(self, prep: Prepared, conv: Conversation, steps: list[tuple[str, str]], seconds: float, tokens: int) -> None:
        """With ``--traces``: a conversation the answer leaves finished (the automaton accepting)
        is written as a JSONL trace ``ltlagent check`` replays, one file per conversation."""
        if self.traces is None:
            return
        from ltlagent.traces import Trace, TraceStep

        everything = conv.steps + steps
        text = "".join(prep.compiled.step_info(s).tag + c + prep.compiled.step_info(s).terminator for s, c in everything)
        verdict = prep.compiled.check_text(text)
        if not verdict.ok:
            return  # waiting for a tool or the user: not answered yet
        sources = {s.name: s.source for s in prep.compiled.steps}
        trace = Trace(prep.compiled.name, prep.path, conv.first_user, ok=True, status="finished", model_tokens=tokens, seconds=seconds, text=text)
        trace.steps = [TraceStep(i, s, p.letter, str(sources[s]), c, 0, 0.0) for i, ((s, c), p) in enumerate(zip(everything, verdict.steps, strict=True))]
        (self.traces / f"{conv.key}.jsonl").write_text(trace.to_jsonl(), encoding="utf-8")

    def models(self) -> dict[str, Any]:
        return {"object": "list", "data": [{"id": self.model_name, "object": "model", "created": 0, "owned_by": "ltlagent"}]}


def _decoded(text: str) -> str:
    """A turn's text so far without a character a token split (shown once it is whole)."""
    return text[:-1] if text.endswith("\ufffd") else text


def _context_length(model: Any, tokenizer: Any) -> int | None:
    config = getattr(model, "config", None)
    for name in ("max_position_embeddings", "n_positions", "max_sequence_length"):
        value = getattr(config, name, None)
        if isinstance(value, int) and value > 0:
            return value
    value = getattr(tokenizer, "model_max_length", None)
    return value if isinstance(value, int) and 0 < value < 10**7 else None


def _options(body: Mapping[str, Any]) -> dict[str, Any]:
    """The sampling options this server reads; those it cannot honour are refused, not ignored."""
    n = body.get("n", 1)
    if n != 1:
        raise ChatError("n: this server writes one choice per request (n = 1)", param="n")
    choice = body.get("tool_choice", "auto")
    if choice not in ("auto", None):
        raise ChatError(f"tool_choice {json.dumps(choice)}: the spec decides when tools are called; send 'auto' or leave it out",
                        param="tool_choice")
    fmt = body.get("response_format")
    if fmt not in (None, {"type": "text"}):
        raise ChatError("response_format: the spec decides the format of answers (each step's own format)", param="response_format")
    max_tokens = body.get("max_completion_tokens", body.get("max_tokens"))
    if max_tokens is not None and (not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1):
        raise ChatError("max_tokens must be a positive integer", param="max_tokens")
    temperature = body.get("temperature", 0.0)
    if temperature is None:
        temperature = 0.0
    if not isinstance(temperature, (int, float)) or isinstance(temperature, bool) or not 0 <= temperature <= 2:
        raise ChatError("temperature must be a number from 0 to 2", param="temperature")
    top_p = body.get("top_p", 1)
    if top_p not in (1, 1.0, None):
        raise ChatError("top_p: this server samples from the whole masked distribution; leave top_p at 1", param="top_p")
    seed = body.get("seed", 0)
    if seed is None:
        seed = 0
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ChatError("seed must be an integer", param="seed")
    if body.get("stream") not in (None, True, False):
        raise ChatError("stream must be true or false", param="stream")
    return {"max_tokens": max_tokens, "temperature": float(temperature), "seed": seed}


# -- HTTP --------------------------------------------------------------------------------------


def make_server(service: ChatService, host: str = "127.0.0.1", port: int = 8000, *, log: Callable[[str], None] | None = None) -> ThreadingHTTPServer:
    """The HTTP server (``serve_forever()`` runs it): ``POST /v1/chat/completions`` (streaming
    over SSE or not), ``GET /v1/models``, ``GET /health``."""
    say = log or (lambda line: print(line, file=sys.stderr, flush=True))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "ltlagent"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            say(f"{self.address_string()} {format % args}")

        def _json(self, status: int, body: Mapping[str, Any]) -> None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, exc: ChatError) -> None:
            self._json(exc.status, exc.body())

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            path = self.path.split("?")[0].rstrip("/")
            if path == "/health":
                self._json(200, {"status": "ok", "spec": service.spec.name, "model": service.model_name})
            elif path in ("/v1/models", "/models"):
                self._json(200, service.models())
            else:
                self._error(ChatError(f"no such endpoint: GET {self.path}", status=404, code="not_found"))

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            path = self.path.split("?")[0].rstrip("/")
            if path not in ("/v1/chat/completions", "/chat/completions"):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(min(length, MAX_BODY))
                self._error(ChatError(f"no such endpoint: POST {self.path} (this server answers /v1/chat/completions)", status=404, code="not_found"))
                return
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > MAX_BODY:
                self._error(ChatError(f"the request body must have a Content-Length of at most {MAX_BODY} bytes", status=413, code="body_too_large"))
                self.close_connection = True
                return
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as exc:
                self._error(ChatError(f"the request body is not valid JSON: {exc}", code="invalid_json"))
                return
            stream = isinstance(body, Mapping) and body.get("stream") is True
            try:
                if stream:
                    self._stream(body)
                else:
                    self._json(200, service.complete(body))
            except ChatError as exc:
                say(f"refused ({exc.status} {exc.code}): {exc.message}")
                self._error(exc)
            except ClientGone:
                say("the client closed the connection mid-stream; generation stopped")
                self.close_connection = True
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
            except Exception as exc:  # noqa: BLE001 - one request's failure must not stop the server
                say(f"internal error: {type(exc).__name__}: {exc}")
                try:
                    self._error(ChatError(f"internal error ({type(exc).__name__}: {exc}); the server keeps serving", status=500, code="internal_error"))
                except OSError:
                    self.close_connection = True

        def _stream(self, body: Mapping[str, Any]) -> None:
            cid, created = "chatcmpl-" + uuid.uuid4().hex[:24], int(time.time())
            started = False

            def send(payload: Mapping[str, Any] | str) -> None:
                data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
                try:
                    self.wfile.write(f"data: {data}\n\n".encode())
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError, OSError):
                    raise ClientGone() from None

            def chunk(delta: Mapping[str, Any], finish: str | None = None) -> dict[str, Any]:
                return {"id": cid, "object": "chat.completion.chunk", "created": created, "model": service.model_name,
                        "choices": [{"index": 0, "delta": dict(delta), "finish_reason": finish, "logprobs": None}]}

            def begin() -> None:
                nonlocal started
                if not started:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Cache-Control", "no-cache")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.close_connection = True
                    started = True
                    send(chunk({"role": "assistant", "content": ""}))

            def on_delta(delta: dict[str, Any]) -> None:
                begin()
                send(chunk(delta))

            try:
                result = service.complete(body, on_delta=on_delta)
            except ChatError as exc:
                if not started:
                    raise
                send({"error": exc.body()["error"]})
                return
            begin()
            send(chunk({}, result["choices"][0]["finish_reason"]))
            options = body.get("stream_options") or {}
            if isinstance(options, Mapping) and options.get("include_usage"):
                send({"id": cid, "object": "chat.completion.chunk", "created": created, "model": service.model_name, "choices": [],
                      "usage": result["usage"]})
            send("[DONE]")

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
