"""Finding tools: ``--tools MODULE:OBJECT``, or the demo tools a shipped spec calls."""

from __future__ import annotations

import importlib
import os
import sys

from ltlagent.agents.demo_tools import react_tools, workspace_tools
from ltlagent.agents.tools import Tool
from ltlagent.errors import ToolError


def load_tools(ref: str | None, needed: set[str]) -> list[Tool]:
    """The tools ``--tools MODULE:OBJECT`` names (``MODULE`` may be a ``.py`` file in the
    current folder), or the demo tools that provide ``needed``; :class:`ToolError` otherwise."""
    if ref is None:
        for candidate in (react_tools(), workspace_tools()):
            names = {t.name for t in candidate}
            if needed <= names:
                return [t for t in candidate if t.name in needed]
        if not needed:
            return []
        raise ToolError(f"the spec calls {', '.join(sorted(needed))}; no demo tools provide them — pass --tools module:object")
    module_name, _, attr = ref.partition(":")
    if not attr or not module_name:
        raise ToolError(f"--tools {ref}: expected MODULE:OBJECT, e.g. mytools:TOOLS")
    if module_name.endswith(".py"):
        module_name = module_name[:-3]
    sys.path.insert(0, os.getcwd())  # a module in the current folder, as `python -m` would find it
    try:
        module = importlib.import_module(module_name)
    except BaseException as exc:  # noqa: BLE001 - any import failure (SystemExit included) is the user's module
        raise ToolError(f"--tools {ref}: cannot import {module_name}: {type(exc).__name__}: {exc}") from None
    finally:
        sys.path.remove(os.getcwd())
    if not hasattr(module, attr):
        raise ToolError(f"--tools {ref}: module {module_name} has no {attr!r}")
    obj = getattr(module, attr)
    expected = "a list of Tool objects, or a function returning one (decorate functions with ltlagent.agents.tool)"
    if isinstance(obj, type) or (callable(obj) and not isinstance(obj, Tool) and getattr(obj, "__module__", None) != module.__name__):
        raise ToolError(f"--tools {ref}: {attr} is not defined in {module_name}; expected {expected}")
    try:
        tools = obj() if callable(obj) and not isinstance(obj, Tool) else obj
        tools = list(tools.values()) if isinstance(tools, dict) else list(tools)
    except BaseException as exc:  # noqa: BLE001 - the user's function failed
        raise ToolError(f"--tools {ref}: {type(exc).__name__}: {exc}; expected {expected}") from None
    if not all(isinstance(t, Tool) for t in tools):
        raise ToolError(f"--tools {ref}: expected {expected}")
    return tools
