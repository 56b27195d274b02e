"""Errors raised by ltlagent.

Every error the user can cause derives from :class:`LtlagentError`, which is also a
:class:`ValueError`. Errors about a file carry its location and render like a compiler
message::

    specs/react.toml:12:9: unknown atom 'thoght' in rule 'thought_then_act'
       12 | ltlf = "G(thoght -> X action)"
          |         ^
    expected one of the step names or propositions: action, thought, ... Did you mean 'thought'?
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any


class LtlagentError(ValueError):
    """Base class of every error ltlagent raises for bad input."""


class SpecError(LtlagentError):
    """A spec file (or a formula) is malformed.

    ``str(err)`` gives ``path:line:column: message``, the offending line with a caret
    under the column, then ``hint`` (what was expected, what to do).
    """

    def __init__(
        self,
        message: str,
        *,
        path: str = "<string>",
        line: int | None = None,
        column: int | None = None,
        source: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.source = source
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        parts = [f"{where}: {self.message}"]
        context = get_context(self.source, self.line, self.column)
        if context:
            parts.append(context)
        if self.hint:
            parts.append(self.hint)
        return "\n".join(parts)


class FormulaError(SpecError):
    """An LTLf formula does not parse; ``column`` is the 1-based offset in the formula."""


def get_context(source: str | None, line: int | None, column: int | None) -> str:
    """The ``line`` of ``source`` with a caret under ``column`` (empty if unknown)."""
    if source is None or line is None:
        return ""
    lines = source.split("\n")
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1].rstrip("\r").replace("\t", " ")
    col = max((column or 1) - 1, 0)
    start = max(0, min(col - CONTEXT_WIDTH // 2, len(text) - CONTEXT_WIDTH))  # a window around the column
    shown = text[start : start + CONTEXT_WIDTH]
    lead = "…" if start else ""
    shown = lead + printable(shown) + ("…" if start + CONTEXT_WIDTH < len(text) else "")
    gutter = f"{line:>5} | "
    out = gutter + shown
    if column is not None:
        caret = len(lead) + len(printable(text[start:col]))
        out += "\n" + " " * (len(gutter) - 2) + "| " + " " * caret + "^"
    return out


CONTEXT_WIDTH = 160
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, *, newlines: bool = False) -> str:
    """``text`` safe for a terminal or an XML report: control characters (ESC, NUL, C1,
    bidi overrides; and ``\\n``/``\\t`` unless ``newlines``) written as ``\\xNN`` escapes."""
    out = _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)
    if not newlines:
        out = out.replace("\n", "\\n").replace("\t", "\\t")
    return out


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` for the closest choice, or the empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def expect_one_of(what: str, got: object, choices: Iterable[str]) -> str:
    """The sentence used for every enumerated choice, e.g. a bad ``source``."""
    options = sorted(choices)
    listed = ", ".join(repr(c) for c in options)
    hint = did_you_mean(got, options) if isinstance(got, str) else ""
    return f"Got {what}={got!r}; expected one of {listed}.{hint}"


class AgentError(LtlagentError):
    """The agent cannot run (spec with errors, missing tool, ...)."""


class ToolError(LtlagentError):
    """A tool is declared the wrong way (bad name, schema that cannot be derived, ...)."""


class CheckUsageError(LtlagentError):
    """Bad arguments or configuration for ``ltlagent check`` (exit status 2)."""


class RunError(LtlagentError):
    """The run cannot start (model, tools, spec or inputs); exit status 2."""


class GuideError(LtlagentError):
    """The guide was used the wrong way (e.g. environment text fed while the model is writing)."""


class DecoderError(LtlagentError):
    """A spec cannot be turned into token constraints (e.g. regex syntax outside the supported subset)."""


class ModelError(LtlagentError):
    """A model cannot be found or loaded; the message says what to do."""


class BfclError(LtlagentError):
    """BFCL cannot be run (package missing, bad category, ...)."""


class AgentDojoError(LtlagentError):
    """AgentDojo cannot be run (package missing, no policy file for a suite, a policy with errors, ...)."""


class RegexError(ValueError):
    """A pattern ltlagent cannot read exactly; ``pos`` is the 0-based offset of the problem."""

    def __init__(self, message: str, pos: int = 0, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.pos, self.hint = message, pos, hint


class TraceFormatError(LtlagentError):
    """A trace file that cannot be read: ``line`` (1-based) and ``column`` say where."""

    def __init__(self, message: str, line: int = 0, column: int = 1, code: str = "invalid-input") -> None:
        self.message, self.line, self.column, self.code = message, line, column, code
        super().__init__(f"line {line}: {message}" if line else message)


class ChatError(LtlagentError):
    """A request the server refuses: HTTP ``status`` with OpenAI's error shape (``type``,
    ``code``, ``param``); ``finding`` holds the spec's verdict where the history breaks it."""

    def __init__(self, message: str, *, status: int = 400, code: str = "invalid_request", param: str | None = None,
                 finding: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.param = param
        self.finding = dict(finding) if finding else None

    def body(self) -> dict[str, Any]:
        kind = "invalid_request_error" if self.status < 500 else "server_error"
        error: dict[str, Any] = {"message": self.message, "type": kind, "param": self.param, "code": self.code}
        if self.finding:
            error["finding"] = self.finding
        return {"error": error}


class ClientGone(Exception):  # noqa: N818 - a signal, not an error of the input
    """``ltlagent serve``: the client closed the connection mid-stream; its answer stops, the server goes on."""
