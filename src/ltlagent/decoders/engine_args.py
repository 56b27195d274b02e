"""The request arguments that ask an inference engine's ltlagent logits processor to constrain a
request (vLLM: ``SamplingParams.extra_args``, ``vllm_xargs`` in the OpenAI API). Scalars only:
the OpenAI API carries nothing else. No engine is imported here: clients and the processor share it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SPEC_ARG = "ltlagent_spec"  # a shipped spec's name or a spec file's path
RESUME_ARGS = {"ltlagent_state": "state", "ltlagent_steps": "steps", "ltlagent_steered": "steered"}  # SpecGuide.checkpoint()
BUDGET_ARGS = {"ltlagent_max_tokens": "max_tokens", "ltlagent_max_step_tokens": "max_step_tokens", "ltlagent_max_steps": "max_steps"}
KNOWN_ARGS = frozenset({SPEC_ARG, *RESUME_ARGS, *BUDGET_ARGS})


def request_args(spec: str, *, resume: Mapping[str, Any] | None = None, max_tokens: int | None = None,
                 max_step_tokens: int | None = None, max_steps: int | None = None) -> dict[str, Any]:
    """The arguments that constrain one request; ``resume`` is the client guide's ``checkpoint()``."""
    out: dict[str, Any] = {SPEC_ARG: spec}
    if resume is not None:
        out |= {key: int(resume[name]) for key, name in RESUME_ARGS.items()}
    budgets = {"ltlagent_max_tokens": max_tokens, "ltlagent_max_step_tokens": max_step_tokens, "ltlagent_max_steps": max_steps}
    return out | {key: int(value) for key, value in budgets.items() if value is not None}


def guide_options(args: Mapping[str, Any]) -> dict[str, Any]:
    """``SpecGuide`` keyword arguments (``resume`` and budgets) from a request's arguments."""
    resume = {name: args[key] for key, name in RESUME_ARGS.items() if key in args}
    return {"resume": resume or None, **{name: args[key] for key, name in BUDGET_ARGS.items() if key in args}}
