"""``ltlagent serve``: the OpenAI-compatible server (``agents.openai_server``) from the command line."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from ltlagent.errors import RunError


def serve_command(args: argparse.Namespace) -> int:
    from ltlagent.agents.openai_server import ChatService, make_server
    from ltlagent.compiler.spec import load_spec
    from ltlagent.decoders.models import describe

    if not 0 <= args.port <= 65535:
        raise RunError(f"--port {args.port}: give a port from 0 to 65535")
    if args.max_step_tokens < 1 or args.max_tokens < 1:
        raise RunError("--max-step-tokens and --max-tokens must be at least 1")
    if args.engine == "vllm" and args.server:
        raise RunError("--engine vllm runs a model in this process; --server uses a running one: pass one of them")
    t0 = time.perf_counter()
    spec = load_spec(args.spec)
    if spec.chat is None:
        raise RunError(f"{spec.path}: spec {spec.name!r} has no [chat] table, so conversations cannot be read into it; add one "
                       "(docs/spec-format.md, 'Chat') or serve specs/chat_tools.toml")
    model, tokenizer, engine = _load(args)
    service = ChatService(spec, model, tokenizer, model_name=args.model, device=args.device, engine=engine, traces=args.traces,
                          max_step_tokens=args.max_step_tokens, default_max_tokens=args.max_tokens)
    try:
        server = make_server(service, args.host, args.port)
    except OSError as exc:
        raise RunError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    host, port = server.server_address[:2]
    tools = "each request's tools" if spec.chat.tools == "request" else f"its {len(spec.tools)} tools"
    print(f"ltlagent serve: spec {spec.name!r} ({tools}) on {describe(args.model)}, ready in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    print(f"  OpenAI base URL: http://{host}:{port}/v1   (Ctrl-C stops)", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("ltlagent serve: stopped", file=sys.stderr)
    finally:
        server.server_close()
    return 0


def _load(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    """The model and tokenizer (transformers), or the tokenizer and a vLLM engine."""
    if args.engine == "transformers" and not args.server:
        from ltlagent.decoders.models import load_with_threads

        model, tokenizer = load_with_threads(args.model, args.threads)
        return model, tokenizer, None
    from transformers import AutoTokenizer

    from ltlagent.agents.serving import ServerEngine
    from ltlagent.decoders.models import resolve_model

    folder = resolve_model(args.model)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    if args.server:
        return None, tokenizer, ServerEngine(args.server)
    try:
        from ltlagent.decoders.vllm import VllmEngine
    except ImportError as exc:
        raise RunError(f"--engine vllm needs vLLM in this environment ({exc}); docs/serving.md says how to install it") from None
    return None, tokenizer, VllmEngine(folder)
