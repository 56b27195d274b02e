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
from collections.abc import Iterable


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
    lines = source.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1].expandtabs(1)
    gutter = f"{line:>5} | "
    out = gutter + text
    if column is not None:
        out += "\n" + " " * (len(gutter) - 2) + "| " + " " * max(column - 1, 0) + "^"
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
