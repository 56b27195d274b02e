"""``Finding``: the one report type of ltlagent.

The compiler's diagnostics about a spec, ``check_text``'s violations of a transcript and
``ltlagent check``'s findings in files are all findings: a severity, a code, a message, where
(file, 1-based line and column; 0 when unknown) and, for findings about steps and rules, the
step, the rules broken with their why, the letters allowed there and the shortest way to
finish.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable


TRANSCRIPT_CODES = ("format", "rule", "unfinished", "unknown-text")  # what check_text reports


@dataclass(frozen=True)
class Finding:
    """One problem found. ``code`` names its kind: ``check_text`` uses ``format``, ``rule``,
    ``unfinished`` and ``unknown-text`` (with ``step_index``, 0-based, ``None`` at the end of
    the trace); the compiler and ``ltlagent check`` use the codes listed in docs/ci.md."""

    severity: str  # "error" | "warning"
    code: str
    message: str
    line: int = 0
    column: int = 0
    path: str = ""
    step: str | None = None
    step_index: int | None = None
    rules: tuple[tuple[str, str], ...] = ()  # (rule name, why)
    allowed: tuple[str, ...] = ()  # letters allowed at this point
    completion: tuple[str, ...] | None = None  # shortest way to finish (letters)
    spec: str | None = None  # the spec's name (ltlagent check)
    example: str | None = None  # the example's name (ltlagent check)

    @property
    def kind(self) -> str:
        """The code (``check_text``'s name for it)."""
        return self.code

    @property
    def at(self) -> str:
        """``"step N"`` (1-based) or ``"end of trace"`` for a finding about a transcript."""
        return f"step {self.step_index + 1}" if self.step_index is not None else "end of trace"

    def render(self, path: str | None = None) -> str:
        """One line (a transcript's findings add their detail lines below it)."""
        path = path or self.path or "<text>"
        if self.code in TRANSCRIPT_CODES:
            where = f"{path}:{self.line}:{self.column}" if self.line else path
            lines = explain(self.rules, self.allowed, self.completion)
            return "\n".join([f"{where}: {self.at}: {self.message}", *("  " + x for x in lines)])
        where = f"{path}:{self.line}" if self.line else path
        return f"{where}: {self.severity}[{self.code}]: {self.message}"


def explain(
    rules: tuple[tuple[str, str], ...], allowed: tuple[str, ...], completion: tuple[str, ...] | None
) -> list[str]:
    """The detail lines of a finding: each broken rule with its why, what was allowed, how to finish."""
    out = [f"rule {name!r}" + (f": {why}" if why else "") for name, why in rules]
    if allowed:
        out.append("allowed here: " + ", ".join(allowed))
    if completion is not None:
        out.append("shortest way to finish: " + (" → ".join(completion) or "(nothing)"))
    return out
