"""Renderings of an ``ltlagent check`` result: text, json, junit, github.

The JSON report is stable and documented by ``ltlagent/check-report.schema.json``.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Sequence
from typing import IO, Any
from xml.etree import ElementTree as ET

from ltlagent.checking import CheckResult, Finding
from ltlagent.compiler.findings import explain
from ltlagent.errors import get_context, printable

FORMATS = ("text", "json", "junit", "github")
REPORT_VERSION = 1


SLOW_PREPARATION = 0.1  # seconds: a spec's preparation (compile + token index) past this is reported


def preparation_note(seconds: float, what: str = "spec") -> str | None:
    """A line saying how long preparing ``what`` took, when it took over 100 ms (else ``None``)."""
    return f"{what} prepared in {seconds:.2f} s (compile + token index)" if seconds > SLOW_PREPARATION else None


@functools.lru_cache(maxsize=64)
def _source(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError):
        return None


def details(f: Finding) -> list[str]:
    """The lines after a finding's headline: step, rules with why, allowed letters, completion."""
    return ([f"step: {f.step}"] if f.step else []) + explain(f.rules, f.allowed, f.completion)


def _where(f: Finding) -> str:
    where = f.path
    if f.line:
        where += f":{f.line}"
        if f.column:
            where += f":{f.column}"
    return where


def summary_line(result: CheckResult, strict: bool) -> str:
    specs = sum(1 for c in result.cases if c.kind == "spec")
    examples = sum(1 for c in result.cases if c.kind == "example")
    errors, warnings = result.count("error"), result.count("warning")
    verdict = "clean" if result.exit_code(strict) == 0 else "failed"
    return (
        f"ltlagent check: {verdict}: {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        f" ({result.files} file{'s' * (result.files != 1)}, {specs} spec{'s' * (specs != 1)}, {examples} example{'s' * (examples != 1)})"
        + (" [strict: warnings fail]" if strict else "")
    )


def render_text(result: CheckResult, out: IO[str], *, strict: bool = False, color: bool = False) -> None:
    def paint(text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if color else text

    for f in result.findings:
        sev = paint(f.severity, "1;31" if f.severity == "error" else "1;33")
        # Everything that came from a file is made printable: a transcript cannot drive the terminal.
        out.write(f"{paint(printable(_where(f)), '1')}: {sev}[{f.code}]: {printable(f.message)}\n")
        context = get_context(_source(f.path), f.line, f.column or None) if f.line else ""
        if context:
            out.write(context + "\n")
        for line in details(f):
            out.write(f"  {printable(line)}\n")
    for cov in result.coverage:
        pct = 100 * cov.covered / cov.transitions if cov.transitions else 100.0
        out.write(printable(f"coverage {cov.spec} ({cov.path}): {cov.covered}/{cov.transitions} transitions ({pct:.0f}%) by {cov.examples} example(s)"))
        out.write(f"; never shown: {', '.join(cov.letters_never_shown)}\n" if cov.letters_never_shown else "; every letter shown\n")
    out.write(paint(summary_line(result, strict), "1;32" if result.exit_code(strict) == 0 else "1;31") + "\n")


def to_json(result: CheckResult, *, strict: bool = False) -> dict:
    specs = sum(1 for c in result.cases if c.kind == "spec")
    report: dict = {
        "version": REPORT_VERSION,
        "summary": {
            "files": result.files,
            "specs": specs,
            "examples": len(result.cases) - specs,
            "errors": result.count("error"),
            "warnings": result.count("warning"),
            "strict": strict,
            "exit_code": result.exit_code(strict),
        },
        "findings": [
            {
                "path": f.path,
                "line": f.line,
                "column": f.column,
                "severity": f.severity,
                "code": f.code,
                "message": f.message,
                "spec": f.spec,
                "example": f.example,
                "step": f.step,
                "rules": [{"name": n, "why": w} for n, w in f.rules],
                "allowed": list(f.allowed),
                "completion": None if f.completion is None else list(f.completion),
            }
            for f in result.findings
        ],
    }
    if result.coverage:
        report["coverage"] = [
            {
                "spec": c.spec,
                "path": c.path,
                "transitions": c.transitions,
                "covered": c.covered,
                "letters_never_shown": list(c.letters_never_shown),
                "examples": c.examples,
            }
            for c in result.coverage
        ]
    return report


def render_json(result: CheckResult, out: IO[str], *, strict: bool = False) -> None:
    json.dump(to_json(result, strict=strict), out, indent=2, ensure_ascii=False)
    out.write("\n")


def render_junit(result: CheckResult, out: IO[str], *, strict: bool = False) -> None:
    """JUnit XML: one testcase per spec and per example; errors (and warnings under
    ``--strict``) are failures, other warnings go to the case's system-out."""
    suite = ET.Element("testsuite", name="ltlagent check")
    failures = 0
    for case in result.cases:
        # XML 1.0 cannot hold control characters at all: every value is made printable.
        tc = ET.SubElement(suite, "testcase", classname=printable(case.path), name=printable(f"{case.kind} {case.name}"))
        notes = []
        for f in case.findings:
            body = printable("\n".join([f"{_where(f)}: {f.message}", *details(f)]), newlines=True)
            if f.severity == "error" or strict:
                failures += 1
                ET.SubElement(tc, "failure", message=printable(f.message), type=f.code).text = body
            else:
                notes.append(f"warning[{f.code}] {body}")
        if notes:
            ET.SubElement(tc, "system-out").text = "\n".join(notes)
    suite.set("tests", str(len(result.cases)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    root = ET.Element("testsuites", name="ltlagent", tests=str(len(result.cases)), failures=str(failures))
    root.append(suite)
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(result: CheckResult, out: IO[str], *, strict: bool = False) -> None:
    """GitHub Actions workflow commands: ``::error file=…,line=…,col=…,title=…::message``."""
    for f in result.findings:
        level = "error" if f.severity == "error" or strict else "warning"
        props = [f"file={_escape_property(printable(f.path))}"]
        if f.line:
            props.append(f"line={f.line}")
            if f.column:
                props.append(f"col={f.column}")
        props.append(f"title={_escape_property('ltlagent ' + f.code)}")
        message = printable("\n".join([f.message, *details(f)]), newlines=True)
        out.write(f"::{level} {','.join(props)}::{_escape_data(message)}\n")
    out.write(summary_line(result, strict) + "\n")


def use_color(stream: IO[str], choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def render(result: CheckResult, fmt: str, out: IO[str], *, strict: bool = False, color: str = "auto") -> None:
    if fmt == "text":
        render_text(result, out, strict=strict, color=use_color(out, color))
    elif fmt == "json":
        render_json(result, out, strict=strict)
    elif fmt == "junit":
        render_junit(result, out, strict=strict)
    else:
        render_github(result, out, strict=strict)


def passes(traces: Sequence[Any], fast_forward: bool) -> str:
    """Forward passes of the model's tokens, and what fast-forward saved."""
    done = sum(t.forward_passes for t in traces)
    if not any(t.constrained for t in traces):
        return f"{done} forward passes"
    if not fast_forward:
        return f"{done} forward passes (fast-forward off)"
    forced, saved = sum(t.fast_forward_tokens for t in traces), sum(t.passes_saved for t in traces)
    return f"{done} forward passes; fast-forward wrote {forced} forced tokens in {forced - saved} passes, saving {saved}"
