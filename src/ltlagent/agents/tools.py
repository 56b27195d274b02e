"""Tools: Python callables with a name, a description and a JSON Schema for their arguments.

``@tool`` derives the schema from type hints (or takes one). ``call_tool`` turns anything a
tool does — return a value, raise, hang, return megabytes or bytes — into observation text,
never a crash.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import re
import sys
import threading
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ltlagent.errors import ToolError

MAX_OBSERVATION_CHARS = 2000
_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: Mapping[str, Any]
    fn: Callable[..., Any] = field(repr=False, compare=False)
    timeout: float = 30.0
    max_chars: int = MAX_OBSERVATION_CHARS  # a longer result is cut here, saying how much was left out

    @property
    def argument(self) -> str | None:
        """The single parameter a bracket call ``name[argument]`` fills."""
        props = self.parameters.get("properties") or {}
        return next(iter(props)) if len(props) == 1 else None


def _schema_for(annotation: Any) -> dict[str, Any]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(options) == 1:
            return _schema_for(options[0])
    if annotation in _JSON_TYPES:
        return {"type": _JSON_TYPES[annotation]}
    if origin in (list, tuple, Iterable):
        args = typing.get_args(annotation)
        return {"type": "array", "items": _schema_for(args[0]) if args else {}}
    if origin is typing.Literal:
        return {"enum": list(typing.get_args(annotation))}
    if annotation is inspect.Parameter.empty:
        return {"type": "string"}
    raise ToolError(f"cannot derive a JSON Schema for the annotation {annotation!r}; pass parameters={{...}} to @tool")


def tool(
    fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    timeout: float = 30.0,
) -> Any:
    """Make a :class:`Tool` from a function: ``@tool`` or ``@tool(name=..., parameters=...)``."""

    def wrap(f: Callable[..., Any]) -> Tool:
        tool_name = name or f.__name__
        if not tool_name.isidentifier() or tool_name != tool_name.lower():
            raise ToolError(f"tool name {tool_name!r} must be a lowercase identifier")
        schema = parameters
        if schema is None:
            hints = typing.get_type_hints(f)
            props: dict[str, Any] = {}
            required = []
            for p in inspect.signature(f).parameters.values():
                props[p.name] = _schema_for(hints.get(p.name, inspect.Parameter.empty))
                if p.default is inspect.Parameter.empty:
                    required.append(p.name)
            schema = {"type": "object", "properties": props, "required": required, "additionalProperties": False}
        doc = description if description is not None else inspect.getdoc(f) or ""
        return Tool(tool_name, doc.strip().split("\n\n")[0], schema, f, timeout)

    return wrap(fn) if fn is not None else wrap


def as_registry(tools: Iterable[Tool] | Mapping[str, Tool] | None) -> dict[str, Tool]:
    if tools is None:
        return {}
    if isinstance(tools, Mapping):
        return dict(tools)
    out: dict[str, Tool] = {}
    for t in tools:
        if not isinstance(t, Tool):
            raise ToolError(f"{t!r} is not a Tool; decorate the function with @ltlagent.agents.tool")
        out[t.name] = t
    return out


def to_text(value: Any) -> str:
    """Observation text for any tool result."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        return valid_text(value)
    try:
        return valid_text(json.dumps(value, ensure_ascii=False, default=str))
    except (TypeError, ValueError):
        return valid_text(repr(value))


def valid_text(text: str) -> str:
    """``text`` as valid Unicode: lone surrogates (from a tool, or a non-UTF-8 command line
    read with ``surrogateescape``) become U+FFFD, so the text can be encoded, tokenized and written."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)


def truncate(text: str, limit: int = MAX_OBSERVATION_CHARS) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f" …[truncated {len(text) - limit} characters]"


def call_tool(t: Tool, arguments: Mapping[str, Any]) -> tuple[str, bool]:
    """Run a tool; returns ``(text, ok)``. Exceptions (``SystemExit`` and
    ``KeyboardInterrupt`` raised by the tool included), time-outs and odd results become
    text. The tool runs in a daemon thread: one that never returns is abandoned after its
    ``timeout`` and cannot keep the process alive once the run has its verdict."""
    box: dict[str, Any] = {}
    done = threading.Event()

    def work() -> None:
        try:
            box["value"] = t.fn(**arguments)
        except BaseException as exc:  # noqa: BLE001 - nothing a tool raises may end the run
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=work, name=f"ltlagent-tool-{t.name}", daemon=True).start()
    if not done.wait(timeout=t.timeout):  # Ctrl-C interrupts this wait at once
        return f"ERROR: tool {t.name} timed out after {t.timeout:g} s", False
    if "error" in box:
        exc = box["error"]
        return truncate(f"ERROR: {type(exc).__name__}: {exc}", t.max_chars), False
    try:
        return truncate(to_text(box["value"]), t.max_chars), True
    except Exception as exc:  # noqa: BLE001 - a result whose str() raises
        return f"ERROR: tool {t.name} returned a value that cannot be shown ({type(exc).__name__})", False


def load_tools(ref: str | None, needed: set[str]) -> list[Tool]:
    """The tools ``--tools MODULE:OBJECT`` names (``MODULE`` may be a ``.py`` file in the
    current folder), or the demo tools that provide ``needed``; :class:`ToolError` otherwise."""
    from ltlagent.agents.demo_tools import react_tools, workspace_tools  # demo_tools imports this module

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
