"""Tools: Python callables with a name, a description and a JSON Schema for their arguments.

``@tool`` derives the schema from type hints (or takes one). ``call_tool`` turns anything a
tool does — return a value, raise, hang, return megabytes or bytes — into observation text,
never a crash.
"""

from __future__ import annotations

import inspect
import json
import re
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
        return truncate(f"ERROR: {type(exc).__name__}: {describe_exception(exc)}", t.max_chars), False
    try:
        return truncate(to_text(box["value"]), t.max_chars), True
    except Exception as exc:  # noqa: BLE001 - a result whose str() raises
        return f"ERROR: tool {t.name} returned a value that cannot be shown ({type(exc).__name__})", False


def describe_exception(exc: BaseException) -> str:
    """``str(exc)``, or a note saying it could not be shown (an exception whose ``__str__``
    raises or returns no string must not end the run)."""
    try:
        text = str(exc)
    except BaseException as inner:  # noqa: BLE001 - the tool's exception class is the user's code
        return f"<the exception's message could not be shown: {type(inner).__name__}>"
    return valid_text(text)


def schema_mismatches(t: Tool, spec_parameters: Mapping[str, Any]) -> list[str]:
    """How the spec's JSON Schema for a tool disagrees with the Python function: the schema is
    what the masks enforce (and what ``check`` and policies read), so every call it admits
    must be one the function accepts. A property the function has no parameter for, a
    required parameter the schema may leave out, or a type the function's annotation does not
    take, is a mismatch."""
    out: list[str] = []
    try:
        sig = inspect.signature(t.fn)
    except (TypeError, ValueError):
        return out
    params = {p.name: p for p in sig.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    open_kwargs = any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values())
    props = spec_parameters.get("properties") or {}
    required = set(spec_parameters.get("required") or ())
    if t.argument is not None and len(props) <= 1 and len(params) == 1:
        return out  # a bracket call's one argument goes to the function's one parameter
    for name in props:
        if name not in params and not open_kwargs:
            out.append(f"the spec's argument {name!r} is not a parameter of {t.fn.__name__}()")
    for name, p in params.items():
        if p.default is p.empty and p.kind != p.POSITIONAL_ONLY and name not in required:
            out.append(f"{t.fn.__name__}() needs {name!r}, which the spec's schema does not require")
    derived = t.parameters.get("properties") or {}
    for name, schema in props.items():
        mine = derived.get(name)
        if not isinstance(schema, Mapping) or not isinstance(mine, Mapping):
            continue
        theirs, ours = schema.get("type"), mine.get("type")
        if isinstance(theirs, str) and isinstance(ours, str) and theirs != ours and not (theirs == "integer" and ours == "number"):
            out.append(f"argument {name!r} is {theirs!r} in the spec but {ours!r} in {t.fn.__name__}()'s annotation")
        if "enum" in mine:
            allowed = schema["enum"] if "enum" in schema else [schema["const"]] if "const" in schema else None
            if allowed is None:
                out.append(f"argument {name!r} may be any {theirs or 'value'} in the spec, but {t.fn.__name__}()'s Literal allows only "
                           f"{', '.join(map(repr, mine['enum']))}")
            elif not {json.dumps(v) for v in allowed} <= {json.dumps(v) for v in mine["enum"]}:
                extra = sorted({json.dumps(v) for v in allowed} - {json.dumps(v) for v in mine["enum"]})
                out.append(f"argument {name!r} may be {', '.join(extra)} in the spec, which {t.fn.__name__}()'s Literal does not allow")
    return out
