"""Build a spec in Python: :class:`SpecBuilder` collects the same tables a spec file holds and
reads them with the same loader, so a mistake gets the same error, located at the Python call
that wrote it (``file.py:line``) instead of a TOML line.

    b = SpecBuilder("search_first", "Search at least once, then answer once.")
    b.step("question", source="input", tag="Question: ")
    b.step("action", tag="Action: ", tool_call="bracket")
    ...
    spec = b.build()

A builder may start from a spec file (:meth:`SpecBuilder.from_toml`): its tables keep their
file lines and the calls add to them. :meth:`to_toml` writes the spec as a file
(``ltlagent check`` and the vLLM engines read files).
"""

from __future__ import annotations

import inspect
import json
import math
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ltlagent.compiler.spec import Spec, _file_text, _Loader, _toml_error
from ltlagent.compiler.toml_locate import Position, locate
from ltlagent.errors import SpecError

_HERE = str(Path(__file__).resolve())


def _caller() -> Position:
    """The position of the first call outside this module (the user's ``b.step(...)`` line)."""
    frame = sys._getframe(1)
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()) == _HERE:
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return Position(1, 1, 1, "<python>")
    info = inspect.getframeinfo(frame, context=0)
    column = (info.positions.col_offset or 0) + 1 if info.positions is not None else 1
    return Position(info.lineno, column, column, frame.f_code.co_filename)


def _plain(value: Any, where: Position) -> Any:
    """A value as TOML would give it: tuples become lists, mappings dicts; anything TOML cannot
    hold is refused at the call that passed it."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v, where) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, where) for v in value]
    if isinstance(value, (str, bool, int)) or (isinstance(value, float) and math.isfinite(value)):
        return value
    raise SpecError(f"a spec value must be a string, number, boolean, list or mapping, not {type(value).__name__}",
                    path=where.file or "<python>", line=where.line, column=where.column,
                    source=_source(where.file), hint="Pass JSON-like values, as a spec file would hold them.")


def _source(file: str | None) -> str | None:
    return _file_text(file) if file else None


class SpecBuilder:
    """The tables of a spec, added by method calls; :meth:`build` reads them as ``load_spec``
    reads a file. Each method takes the keys of its table (``docs/spec-format.md``) and returns
    the builder, so calls chain."""

    def __init__(self, name: str | None = None, description: str | None = None, *, parameters: Mapping[str, int] | None = None) -> None:
        here = _caller()
        self._data: dict[str, Any] = {}
        self._positions: dict[tuple[object, ...], Position] = {}
        self._text = ""
        self._path = here.file or "<python>"
        self._base: str | None = None  # the file this builder started from, kept verbatim by to_toml
        for key, value in (("name", name), ("description", description), ("parameters", parameters)):
            if value is not None:
                self._set(key, value, here)

    @classmethod
    def from_toml(cls, text: str, path: str = "<string>") -> SpecBuilder:
        """Start from a spec file's text; its tables keep their lines in ``path``."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise _toml_error(exc, text, path) from None
        b = cls.__new__(cls)
        b._data, b._positions, b._text, b._path, b._base = data, locate(text), text, path, text
        return b

    @classmethod
    def from_file(cls, path: str | Path) -> SpecBuilder:
        """Start from a spec file (a path, or a shipped spec's name as ``load_spec`` takes)."""
        from ltlagent.compiler.spec import load_spec

        spec = load_spec(path)  # the file is read, and must be a valid spec, before anything is added
        return cls.from_toml(spec.source, spec.path)

    # -- the tables --------------------------------------------------------------------
    def step(self, name: str, *, tag: str | None = None, source: str | None = None, text: bool | None = None, regex: str | None = None,
             choices: list[str] | tuple[str, ...] | None = None, tool_call: str | None = None, terminator: str | None = None,
             description: str | None = None, **more: Any) -> SpecBuilder:
        """A ``[[steps]]`` table: ``tag``, ``source`` (``"model"``, ``"environment"``, ``"input"``),
        one format (``text``, ``regex``, ``choices`` or ``tool_call``), ``terminator``."""
        return self._add("steps", dict(name=name, tag=tag, source=source, text=text, regex=regex, choices=choices, tool_call=tool_call,
                                       terminator=terminator, description=description, **more))

    def tool(self, tool: Any, description: str | None = None, parameters: Mapping[str, Any] | None = None, **more: Any) -> SpecBuilder:
        """A ``[[tools]]`` table: a name with ``description`` and ``parameters`` (a JSON Schema),
        or a :func:`ltlagent.tool` object, whose name, description and derived schema are used:
        the tool is declared once, in Python."""
        if not isinstance(tool, str) and hasattr(tool, "parameters") and hasattr(tool, "name"):
            return self._add("tools", dict(name=tool.name, description=description if description is not None else tool.description,
                                           parameters=parameters if parameters is not None else tool.parameters, **more))
        return self._add("tools", dict(name=tool, description=description, parameters=parameters, **more))

    def proposition(self, name: str, *, step: str | None = None, tool: str | None = None, argument: str | None = None,
                    matching: str | None = None, not_matching: str | None = None, description: str | None = None, **more: Any) -> SpecBuilder:
        """A ``[[propositions]]`` table: true on a step (or a tool's call, or one argument) whose
        content fully matches ``matching`` (or, present, does not match ``not_matching``)."""
        return self._add("propositions", dict(name=name, step=step, tool=tool, argument=argument, matching=matching,
                                              not_matching=not_matching, description=description, **more))

    def policy(self, tool: str, effect: str, *, arguments: Mapping[str, Any] | None = None, when: str | None = None,
               why: str | None = None, **more: Any) -> SpecBuilder:
        """A ``[[policies]]`` row: ``effect`` (``"allow"``/``"deny"``) calls of ``tool`` whose
        ``arguments`` meet their conditions, ``when`` an LTLf formula holds."""
        return self._add("policies", dict(tool=tool, effect=effect, arguments=arguments, when=when, why=why, **more))

    def rule(self, name: str, ltlf: str, why: str | None = None, **more: Any) -> SpecBuilder:
        """A ``[[rules]]`` table: an LTLf formula over step names, ``call.<tool>`` and propositions."""
        return self._add("rules", dict(name=name, ltlf=ltlf, why=why, **more))

    def example(self, name: str, text: str, valid: bool | None = None, **more: Any) -> SpecBuilder:
        """An ``[[examples]]`` table: a transcript that must satisfy the spec (``valid=False``: must not)."""
        return self._add("examples", dict(name=name, text=text, valid=valid, **more))

    def replace(self, key: str, tables: list[Mapping[str, Any]]) -> SpecBuilder:
        """Every table of one kind (``"tools"``, ``"examples"``, ...) replaced by ``tables``, e.g.
        the tools of an OpenAI request for a spec whose ``[chat]`` takes them from the request.
        ``to_toml`` then writes every table (the file's comments are not kept)."""
        here = _caller()
        if key not in ("steps", "tools", "propositions", "policies", "rules", "examples"):
            raise SpecError(f"replace({key!r}): only arrays of tables are replaced", path=here.file or "<python>", line=here.line, source=_source(here.file))
        self._data[key] = [{k: _plain(v, here) for k, v in t.items() if v is not None} for t in tables]
        self._positions = {k: v for k, v in self._positions.items() if k[:1] != (key,)}
        self._positions[(key,)] = here
        self._positions.update({(key, i): here for i in range(len(tables))})
        self._base = None
        return self

    def parameter(self, name: str, value: int) -> SpecBuilder:
        """One entry of ``[parameters]`` (a bound such as ``max_calls``)."""
        here = _caller()
        params = self._data.setdefault("parameters", {})
        if not isinstance(params, dict):
            raise SpecError("'parameters' must be a table", path=here.file or "<python>", line=here.line, source=_source(here.file))
        params[name] = _plain(value, here)
        self._positions[("parameters", name)] = here
        self._positions.setdefault(("parameters",), here)
        return self

    # -- results -------------------------------------------------------------------------
    def build(self) -> Spec:
        """The :class:`Spec`, validated as ``load_spec`` validates a file; a :class:`SpecError`
        names the call (or the file line) of the first problem."""
        try:
            return _Loader(self._text, self._path, self._data, self._positions).load()
        except RecursionError:
            raise SpecError("the spec nests values too deeply to read", path=self._path, hint="Flatten the deepest value.") from None

    def to_toml(self) -> str:
        """The spec as a spec file: the file this builder started from, verbatim (comments
        kept), then every table added in Python."""
        added = self._data if self._base is None else {k: v[self._base_count(k):] for k, v in self._data.items() if isinstance(v, list)}
        lines: list[str] = [self._base.rstrip("\n") + "\n"] if self._base is not None else []
        if self._base is None:
            for key in ("name", "description"):
                if key in added:
                    lines.append(f"{key} = {_toml_value(added[key])}")
            if "parameters" in added:
                lines.append("\n[parameters]")
                lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in added["parameters"].items()]
        elif self._added_params:
            raise SpecError("to_toml cannot add parameters to a file's [parameters] table", path=self._path, hint="Write them in the file.")
        for key in ("steps", "tools", "propositions", "policies", "rules", "examples"):
            for table in added.get(key) or []:
                lines.append(f"\n[[{key}]]")
                lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items()]
        if self._base is None and isinstance(self._data.get("chat"), dict):
            lines.append("\n[chat]")
            lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in self._data["chat"].items()]
        return "\n".join(lines).lstrip("\n") + "\n"

    # -- inside ------------------------------------------------------------------------------
    @property
    def _added_params(self) -> bool:
        return any(k[0] == "parameters" and v.file is not None for k, v in self._positions.items())

    def _base_count(self, key: str) -> int:
        if self._base is None:
            return 0
        base = tomllib.loads(self._base).get(key)
        return len(base) if isinstance(base, list) else 0

    def _set(self, key: str, value: Any, here: Position) -> None:
        if self._base is not None:
            raise SpecError(f"{key!r} is set by the file this builder started from", path=here.file or "<python>", line=here.line,
                            source=_source(here.file), hint="Change it in the file.")
        self._data[key] = _plain(value, here)
        self._positions[(key,)] = here

    def _add(self, key: str, fields: Mapping[str, Any]) -> SpecBuilder:
        here = _caller()
        tables = self._data.setdefault(key, [])
        if not isinstance(tables, list):
            raise SpecError(f"{key!r} must be an array of tables", path=self._path, line=1, source=self._text or None)
        self._positions.setdefault((key,), here)
        self._positions[(key, len(tables))] = here
        tables.append({k: _plain(v, here) for k, v in fields.items() if v is not None})
        return self


def _toml_key(key: str) -> str:
    return key if key and key.replace("_", "a").replace("-", "a").isalnum() and key.isascii() else _toml_string(key)


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")  # a JSON string is a TOML basic string; TOML escapes DEL too


def _toml_value(value: Any) -> str:
    """A JSON-like value as a TOML inline value (a JSON string is a TOML basic string)."""
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }" if value else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _toml_string(value)
    return json.dumps(value)
