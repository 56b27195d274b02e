"""Checking files: specs, their examples, transcripts and JSONL traces (``ltlagent check``).

Collects :class:`Finding` s from spec files (compile diagnostics, embedded examples),
transcript files that name their spec in front matter, and JSONL trace files (read by
:mod:`ltlagent.traces`), and which transitions the examples cover. ``check(paths)`` is the
API; rendering lives in :mod:`ltlagent.cli.report`. Imports neither torch nor transformers.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ltlagent.compiler.automaton import DEAD
from ltlagent.compiler.compile import compile_spec
from ltlagent.compiler.compiled import CompiledSpec, Verdict, example_findings
from ltlagent.compiler.findings import Finding
from ltlagent.compiler.spec import Spec, load_spec, resolve_spec_path
from ltlagent.errors import CheckUsageError, SpecError, TraceFormatError
from ltlagent.traces import read_jsonl

EXAMPLE_SUFFIXES = (".txt", ".md", ".prompt", ".transcript")
TRACE_SUFFIXES = (".jsonl",)
FRONT_MATTER_KEYS = ("spec", "name", "valid")
# TOML files of other tools, skipped in directories; every other .toml found is a spec to load.
NOT_SPECS = frozenset({"pyproject.toml", "Cargo.toml", "ruff.toml", ".ruff.toml", "uv.toml", "rust-toolchain.toml",
                       "netlify.toml", "taplo.toml", ".taplo.toml", "typos.toml", "_typos.toml", ".typos.toml",
                       "poetry.toml", "pdm.toml", "hatch.toml", "mypy.toml"})
EXIT_INTERNAL = 3


@dataclass
class Case:
    """One thing checked — a spec or an example — for reports that list passes too (JUnit)."""

    path: str
    kind: str  # "spec" | "example"
    name: str
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Coverage:
    """Which transitions of a spec's automaton its examples exercise."""

    spec: str
    path: str
    transitions: int
    covered: int
    letters_never_shown: tuple[str, ...]
    examples: int


@dataclass
class CheckResult:
    cases: list[Case] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    files: int = 0

    @property
    def findings(self) -> list[Finding]:
        return [f for c in self.cases for f in c.findings]

    @property
    def invalid(self) -> bool:
        return any(f.code in ("invalid-spec", "invalid-input") for f in self.findings)

    @property
    def internal(self) -> bool:
        return any(f.code == "internal-error" for f in self.findings)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def exit_code(self, strict: bool = False) -> int:
        """0 clean, 1 findings, 2 unusable input, 3 ltlagent itself failed (never a verdict)."""
        if self.internal:
            return EXIT_INTERNAL
        if self.invalid:
            return 2
        if self.count("error") or (strict and self.count("warning")):
            return 1
        return 0


# -- configuration ------------------------------------------------------------------


def configured_paths(cwd: Path) -> tuple[list[str], bool, Path | None]:
    """Paths (and ``strict``) from ``[tool.ltlagent]`` in the nearest ``pyproject.toml``."""
    for folder in (cwd, *cwd.parents):
        pyproject = folder / "pyproject.toml"
        if not pyproject.is_file():
            continue
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CheckUsageError(f"{pyproject}: cannot read [tool.ltlagent]: {exc}") from None
        conf = data.get("tool", {}).get("ltlagent")
        if conf is None:
            return [], False, None
        paths = conf.get("paths", [])
        strict = conf.get("strict", False)
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise CheckUsageError(f"{pyproject}: [tool.ltlagent] paths must be a list of strings")
        if not isinstance(strict, bool):
            raise CheckUsageError(f"{pyproject}: [tool.ltlagent] strict must be true or false")
        return [str((folder / p)) if not os.path.isabs(p) else p for p in paths], strict, pyproject
    return [], False, None


# -- collection -----------------------------------------------------------------------


class Checker:
    def __init__(self, spec_override: str | None = None, coverage: bool = False) -> None:
        self.spec_override = spec_override
        self.want_coverage = coverage
        self.result = CheckResult()
        self._compiled: dict[str, CompiledSpec | None] = {}
        self._specs: dict[str, Spec] = {}
        self._spec_error: dict[str, SpecError] = {}
        self._traces: dict[str, list[list[int]]] = {}
        self._example_counts: dict[str, int] = {}

    # files --------------------------------------------------------------------------
    def run(self, paths: Sequence[str]) -> CheckResult:
        for path in self._expand(paths):
            self.result.files += 1
            suffix = path.suffix.lower()
            try:
                if suffix == ".toml":
                    self.check_spec_file(path)
                elif suffix in TRACE_SUFFIXES:
                    self.check_trace_file(path)
                else:
                    self.check_example_file(path)
            except Exception as exc:  # noqa: BLE001 - a bug here must never read as a verdict
                self._internal(path, exc)
        if self.want_coverage:
            self._coverage()
        return self.result

    def _internal(self, path: Path, exc: BaseException) -> None:
        what = "too deeply nested" if isinstance(exc, RecursionError) else f"{type(exc).__name__}: {exc}"
        self.result.cases.append(Case(str(path), "spec", path.name, [Finding("error", "internal-error", f"ltlagent failed on this file ({what}); this is a bug in ltlagent, not a verdict on the file — please report it with the file", 0, 0, str(path))]))

    def _expand(self, paths: Sequence[str]) -> Iterable[Path]:
        seen: set[Path] = set()
        for raw in paths:
            p = Path(raw)
            if p.is_dir():
                found = 0
                for child in sorted(p.rglob("*")):
                    if child.is_file() and self._wanted_in_directory(child) and child.resolve() not in seen:
                        seen.add(child.resolve())
                        found += 1
                        yield child
                if not found:
                    self.result.cases.append(Case(raw, "spec", raw, [Finding("error", "invalid-input", "nothing to check here: no spec (.toml), JSONL trace or transcript with front matter (--spec names the spec for others)", 0, 0, raw)]))
            elif p.is_file():
                if p.resolve() not in seen:
                    seen.add(p.resolve())
                    yield p
            else:
                self.result.cases.append(
                    Case(raw, "spec", raw, [Finding("error", "invalid-input", "no such file or directory", 0, 0, raw)])
                )

    def _wanted_in_directory(self, path: Path) -> bool:
        if any(part.startswith(".") for part in path.parts if part not in (".", "..")):
            return False
        suffix = path.suffix.lower()
        if suffix == ".toml":
            return path.name not in NOT_SPECS
        if suffix in TRACE_SUFFIXES:
            return True
        if suffix in EXAMPLE_SUFFIXES:
            text, problem = _read(path)
            return problem is not None or _front_matter(text)[0] is not None or self.spec_override is not None
        return False

    # specs ----------------------------------------------------------------------------
    def compiled(self, path: Path) -> CompiledSpec | None:
        key = str(path.resolve())
        if key not in self._compiled:
            try:
                self._specs[key] = load_spec(path)
                self._compiled[key] = compile_spec(self._specs[key])
            except SpecError as err:
                self._compiled[key] = None
                self._spec_error[key] = err
        return self._compiled[key]

    def check_spec_file(self, path: Path) -> None:
        compiled = self.compiled(path)
        case = Case(str(path), "spec", path.stem)
        self.result.cases.append(case)
        if compiled is None:
            err = self._spec_error[str(path.resolve())]
            message = err.message + (f" — {err.hint}" if err.hint else "")
            case.findings.append(Finding("error", "invalid-spec", message, err.line or 0, err.column or 0, str(path)))
            return
        case.name = compiled.name
        for d in compiled.diagnostics:
            if d.code.startswith("example-"):
                continue  # reported below, one case per example
            case.findings.append(_from_diagnostic(str(path), compiled.name, d))
        for ex in self._specs[str(path.resolve())].examples:
            ex_case = Case(str(path), "example", f"{compiled.name}: {ex.name}")
            self.result.cases.append(ex_case)
            verdict = compiled.check_text(ex.text)
            self._record(compiled, verdict, ex.valid)
            base = ex.line - 1 if ex.line else 0
            ex_case.findings += example_findings(verdict, ex.name, ex.valid, to_line=lambda line: base + line, path=str(path), spec=compiled.name)

    # examples -------------------------------------------------------------------------
    def check_example_file(self, path: Path) -> None:
        text, problem = _read(path)
        case = Case(str(path), "example", path.name)
        self.result.cases.append(case)
        if problem is not None:
            case.findings.append(Finding("error", "invalid-input", problem, 0, 0, str(path)))
            return
        text = text.replace("\r\n", "\n")  # a transcript saved with CRLF line endings reads as LF, as Python's text files do
        meta, body, offset, problem = _front_matter(text)
        if problem:
            case.findings.append(Finding("error", "invalid-input", problem[1], problem[0], 1, str(path)))
            return
        meta = meta or {}
        spec_ref = self.spec_override or meta.get("spec")
        if not spec_ref:
            case.findings.append(
                Finding("error", "invalid-input", "the example names no spec: start it with front matter (---, spec: PATH, ---) or pass --spec", 1, 1, str(path))
            )
            return
        compiled = self._spec_for(path, str(spec_ref), case)
        if compiled is None:
            return
        valid = meta.get("valid", "true").lower() != "false"
        name = meta.get("name") or path.name
        case.name = f"{compiled.name}: {name}"
        verdict = compiled.check_text(body)
        self._record(compiled, verdict, valid)
        case.findings += example_findings(verdict, name, valid, to_line=lambda line: offset + line, path=str(path), spec=compiled.name)

    def check_trace_file(self, path: Path) -> None:
        text, problem = _read(path)
        if problem is not None:
            self.result.cases.append(Case(str(path), "example", path.name, [Finding("error", "invalid-input", problem, 0, 0, str(path))]))
            return
        try:
            records = read_jsonl(text)
        except TraceFormatError as exc:
            self.result.cases.append(Case(str(path), "example", path.name, [Finding("error", exc.code, exc.message, exc.line, exc.column, str(path))]))
            return
        traces = [(r.header, r.steps, r.line) for r in records]
        for n, (head, trace_steps, first_line) in enumerate(traces, start=1):
            name = str(head.get("name") or head.get("id") or (f"{path.name}#{n}" if len(traces) > 1 else path.name))
            case = Case(str(path), "example", name)
            self.result.cases.append(case)
            spec_ref = self.spec_override or head.get("spec")
            if not isinstance(spec_ref, str) or not spec_ref:
                case.findings.append(Finding("error", "invalid-input", 'the trace names no spec: add a header line {"spec": "PATH"} or pass --spec', first_line, 1, str(path)))
                continue
            compiled = self._spec_for(path, spec_ref, case, line=first_line)
            if compiled is None:
                continue
            case.name = f"{compiled.name}: {name}"
            tags = {s.name: s for s in compiled.steps}
            unknown = next(((ln, o["step"]) for ln, o in trace_steps if o["step"] not in tags), None)
            if unknown:
                case.findings.append(
                    Finding("error", "unknown-step", f"step {unknown[1]!r} is not a step of spec {compiled.name!r} (steps: {', '.join(tags)})", unknown[0], 1, str(path), spec=compiled.name, example=name)
                )
                continue
            # A step's text holding its terminator would read as more steps than the line says.
            spill = next(((ln, o) for ln, o in trace_steps if tags[o["step"]].terminator in o["text"]), None)
            if spill:
                term = tags[spill[1]["step"]].terminator
                case.findings.append(
                    Finding("error", "example-format", f"the {spill[1]['step']} step's text contains its terminator {term!r}, so it is not one step", spill[0], 1, str(path), step=spill[1]["step"], spec=compiled.name, example=name)
                )
                continue
            # Render the steps as a transcript, remembering which JSONL line each transcript line came from.
            chunks: list[str] = []
            jsonl_line: list[int] = []
            for ln, o in trace_steps:
                info = tags[o["step"]]
                chunk = info.tag + o["text"] + info.terminator
                chunks.append(chunk)
                jsonl_line += [ln] * max(1, chunk.count("\n"))
            valid = head.get("valid", True) is not False
            verdict = compiled.check_text("".join(chunks))
            self._record(compiled, verdict, valid)

            def to_line(k: int, table: list[int] = jsonl_line, first: int = first_line) -> int:
                return table[min(k, len(table)) - 1] if table else first

            for f in example_findings(verdict, name, valid, to_line=to_line, path=str(path), spec=compiled.name):
                case.findings.append(replace(f, column=1))

    # helpers ----------------------------------------------------------------------------
    def _spec_for(self, example: Path, ref: str, case: Case, line: int = 1) -> CompiledSpec | None:
        candidates = [example.parent / ref, Path(ref)]
        target = next((c for c in candidates if c.is_file()), None)
        if target is None:
            try:
                target = resolve_spec_path(ref)
            except SpecError as err:
                case.findings.append(Finding("error", "invalid-input", f"spec {ref!r} not found. {err.hint or ''}".strip(), line, 1, str(example)))
                return None
        compiled = self.compiled(target)
        if compiled is None:
            err = self._spec_error[str(target.resolve())]
            case.findings.append(Finding("error", "invalid-spec", f"its spec {str(target)!r} does not load: {err}".split("\n")[0], line, 1, str(example)))
        return compiled

    def _record(self, compiled: CompiledSpec, verdict: Verdict, valid: bool) -> None:
        """Remember the letters an example shows, for --coverage (negative examples do not count)."""
        if not valid:
            return
        key = compiled.path
        letters = {x.name: x.index for x in compiled.letters}
        self._traces.setdefault(key, []).append([letters[s.letter] for s in verdict.steps if s.letter is not None])
        self._example_counts[key] = self._example_counts.get(key, 0) + 1

    def _coverage(self) -> None:
        for key, compiled in self._compiled.items():
            if compiled is None:
                continue
            dfa = compiled.dfa
            covered: set[tuple[int, int]] = set()
            shown: set[int] = set()
            for word in self._traces.get(compiled.path, []):
                q = dfa.initial
                for a in word:
                    nxt = compiled.next_state(q, a)
                    if nxt == DEAD:
                        break
                    covered.add((q, a))
                    shown.add(a)
                    q = nxt
            used = {a for row in dfa.delta for a, d in enumerate(row) if d != DEAD}
            never = tuple(compiled.letters[a].name for a in sorted(used - shown))
            self.result.coverage.append(
                Coverage(compiled.name, compiled.path, dfa.num_edges, len(covered), never, self._example_counts.get(compiled.path, 0))
            )
            case = next((c for c in self.result.cases if c.kind == "spec" and Path(c.path).resolve() == Path(key)), None)
            if case is None:
                continue
            for step in compiled.steps:
                missing = [x.name for x in compiled.letters if x.step == step.name and x.name in never]
                if missing:
                    case.findings.append(
                        Finding("warning", "uncovered-letter", f"no example shows {', '.join(missing)}", step.line, 1, case.path, step=step.name, spec=compiled.name)
                    )


def _from_diagnostic(path: str, spec: str, d: Finding) -> Finding:
    """A compile finding located in its spec file."""
    return replace(d, path=path, spec=spec, column=d.column or (1 if d.line else 0))


def _read(path: Path) -> tuple[str, str | None]:
    """``(text, problem)``: the file exactly as written (line endings kept, a leading BOM
    dropped), or why it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return "", f"cannot read the file: {exc.strerror or exc}"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return "", f"the file is not UTF-8 text (byte {exc.start + 1}: {exc.reason})"


def _front_matter(text: str) -> tuple[dict[str, str] | None, str, int, tuple[int, str] | None]:
    """``(meta, body, lines before the body, problem)`` for a file opening with ``---``."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, text, 0, None
    meta: dict[str, str] = {}
    for i, line in enumerate(lines[1:], start=2):
        if line.strip() == "---":
            return meta, "\n".join(lines[i:]), i, None
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or key not in FRONT_MATTER_KEYS:
            return None, text, 0, (i, f"bad front matter line {line.strip()!r}: expected 'key: value' with key one of {', '.join(FRONT_MATTER_KEYS)}")
        meta[key] = value.split(" #", 1)[0].strip().strip("\"'")
    return None, text, 0, (1, "the front matter opened with '---' is never closed with '---'")


def check(paths: Sequence[str], *, spec: str | None = None, coverage: bool = False) -> CheckResult:
    """Check spec files, directories and example files; see ``ltlagent check --help``."""
    return Checker(spec, coverage).run(paths)
