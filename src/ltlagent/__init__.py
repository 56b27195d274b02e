"""ltlagent: formal-spec constrained decoding for LLM agents.

Write an agent's behaviour as a spec file (steps with formats, LTLf rules), compile it to
an exact automaton, and check transcripts against it. Heavy dependencies (Spot, torch,
transformers) load only when a function that needs them is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ltlagent.errors import FormulaError, LtlagentError, SpecError

__version__ = "0.1.0"

__all__ = [
    "Automaton",
    "CompiledSpec",
    "FormulaError",
    "LtlagentError",
    "Spec",
    "SpecError",
    "Verdict",
    "Finding",
    "compile_spec",
    "load_spec",
    "parse_spec",
    "translate_ltlf",
]

_LAZY = {
    "Automaton": "ltlagent.compiler.automaton",
    "CompiledSpec": "ltlagent.compiler.compiled",
    "Verdict": "ltlagent.compiler.compiled",
    "Finding": "ltlagent.compiler.findings",
    "Spec": "ltlagent.compiler.spec",
    "load_spec": "ltlagent.compiler.spec",
    "parse_spec": "ltlagent.compiler.spec",
    "compile_spec": "ltlagent.compiler.compile",
    "translate_ltlf": "ltlagent.compiler.ltl",
}

if TYPE_CHECKING:
    from ltlagent.compiler.automaton import Automaton
    from ltlagent.compiler.compile import compile_spec
    from ltlagent.compiler.compiled import CompiledSpec, Verdict
    from ltlagent.compiler.findings import Finding
    from ltlagent.compiler.ltl import translate_ltlf
    from ltlagent.compiler.spec import Spec, load_spec, parse_spec


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ltlagent' has no attribute {name!r}")
