"""ltlagent: formal-spec constrained decoding for LLM agents.

Write an agent's behaviour as a spec (a file, or :class:`SpecBuilder` in Python): steps with
formats and LTLf rules. Compile it to an exact automaton, check transcripts and traces against
it, and run agents whose every trace satisfies it. Everything a user needs is importable from
here (``docs/api.md``); heavy dependencies (Spot, torch, transformers) load only when a
function that needs them is called, so ``import ltlagent`` imports none of them.

    import ltlagent
    spec = ltlagent.compile_spec(ltlagent.load_spec("react"))
    spec.check_text("Question: 2+2?\\nThought: easy.\\nFinal Answer: 4\\n").ok   # True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ltlagent.errors import AgentError, FormulaError, LtlagentError, SpecError

__version__ = "0.1.0"

_LAZY = {
    # specs: load, build, compile, check
    "Spec": "ltlagent.compiler.spec",
    "load_spec": "ltlagent.compiler.spec",
    "parse_spec": "ltlagent.compiler.spec",
    "SpecBuilder": "ltlagent.compiler.builder",
    "compile_spec": "ltlagent.compiler.compile",
    "ensure_compiled": "ltlagent.compiler.compile",
    "CompiledSpec": "ltlagent.compiler.compiled",
    "Verdict": "ltlagent.compiler.compiled",
    "Finding": "ltlagent.compiler.findings",
    "Automaton": "ltlagent.compiler.automaton",
    "translate_ltlf": "ltlagent.compiler.ltl",
    "check": "ltlagent.checking",
    "CheckResult": "ltlagent.checking",
    # traces
    "Trace": "ltlagent.traces",
    "TraceStep": "ltlagent.traces",
    "TraceFormatError": "ltlagent.errors",
    "read_traces": "ltlagent.traces",
    # tools and agents
    "tool": "ltlagent.agents.tools",
    "Tool": "ltlagent.agents.tools",
    "run": "ltlagent.agents.runtime",
    "RunConfig": "ltlagent.agents.runtime",
    # an OpenAI-compatible server (`ltlagent serve`)
    "ChatService": "ltlagent.agents.openai_server",
    "make_server": "ltlagent.agents.openai_server",
    # models and decoding (torch loads when these are called)
    "load_model": "ltlagent.decoders.models",
    "set_threads": "ltlagent.decoders.models",
    "logits_processor": "ltlagent.decoders.hf",
    "SpecLogitsProcessor": "ltlagent.decoders.hf",
    "SpecDecoder": "ltlagent.decoders.hf",
    "build_token_index": "ltlagent.decoders.index",
    "SpecGuide": "ltlagent.decoders.guide",
}

__all__ = ["AgentError", "FormulaError", "LtlagentError", "SpecError", *sorted(_LAZY)]

if TYPE_CHECKING:
    from ltlagent.agents.openai_server import ChatService, make_server
    from ltlagent.agents.runtime import RunConfig, run
    from ltlagent.agents.tools import Tool, tool
    from ltlagent.checking import CheckResult, check
    from ltlagent.compiler.automaton import Automaton
    from ltlagent.compiler.builder import SpecBuilder
    from ltlagent.compiler.compile import compile_spec, ensure_compiled
    from ltlagent.compiler.compiled import CompiledSpec, Verdict
    from ltlagent.compiler.findings import Finding
    from ltlagent.compiler.ltl import translate_ltlf
    from ltlagent.compiler.spec import Spec, load_spec, parse_spec
    from ltlagent.decoders.guide import SpecGuide
    from ltlagent.decoders.hf import SpecDecoder, SpecLogitsProcessor, logits_processor
    from ltlagent.decoders.index import build_token_index
    from ltlagent.decoders.models import load_model, set_threads
    from ltlagent.errors import TraceFormatError
    from ltlagent.traces import Trace, TraceStep, read_traces


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module 'ltlagent' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
