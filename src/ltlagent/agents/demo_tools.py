"""Offline demo tools: a safe calculator, search/lookup over the Python standard library's
module docstrings (a real local corpus), and a sandboxed file store, vault and mailbox for
the privilege-policy demo. ``react_tools()`` and ``workspace_tools()`` give ready registries."""

from __future__ import annotations

import ast
import functools
import operator
import re
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

from ltlagent.agents.tools import Tool, tool

_OPS = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
    ast.USub: operator.neg, ast.UAdd: operator.pos,
}


def calculate(expression: str) -> str:
    """Evaluate arithmetic (+ - * / // % **, parentheses, numbers) without eval."""
    def ev(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            left, right = ev(node.left), ev(node.right)
            if isinstance(node.op, ast.Pow) and abs(right) > 64:
                raise ValueError("exponent too large")
            return _OPS[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](ev(node.operand))
        raise ValueError(f"unsupported expression element: {type(node).__name__}")

    value = ev(ast.parse(expression.replace(",", "").replace("×", "*").replace("÷", "/"), mode="eval"))
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


_DOCSTRING = re.compile(r"\A(?:\s*#[^\n]*\n|\s*\n)*\s*([rRbBuU]?(\"\"\"|\'\'\')(?:.|\n)*?\2)")


@functools.lru_cache(maxsize=1)
def stdlib_corpus() -> dict[str, str]:
    """Module name → docstring, read from the standard library's sources with ``ast`` (no imports)."""
    root = Path(sysconfig.get_paths()["stdlib"])
    out: dict[str, str] = {}
    for path in sorted(root.glob("*.py")) + sorted(root.glob("*/__init__.py")):
        name = path.parent.name if path.name == "__init__.py" else path.stem
        if name.startswith("_") or name in out:
            continue
        head = _DOCSTRING.match(path.read_text(encoding="utf-8", errors="replace")[:20000])
        if head is None:
            continue
        try:
            doc = ast.literal_eval(head.group(1))
        except (SyntaxError, ValueError):
            continue
        if doc:
            out[name] = " ".join(doc.split())
    return out


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


@dataclass
class Encyclopedia:
    """Search and lookup over a corpus (title → text), remembering the last page found."""

    pages: dict[str, str] = field(default_factory=stdlib_corpus)
    last: str | None = None
    _lookup_pos: int = 0

    def search(self, query: str) -> str:
        words = set(re.findall(r"\w+", query.lower()))
        if not words:
            return "No results: the query is empty."
        def score(item: tuple[str, str]) -> tuple[int, int]:
            title, text = item
            return (len(words & set(re.findall(r"\w+", title.lower()))), len(words & set(re.findall(r"\w+", text.lower()[:400]))))
        title, text = max(self.pages.items(), key=score)
        if score((title, text)) == (0, 0):
            similar = sorted(self.pages)[:5]
            return f"Could not find {query!r}. Similar: {', '.join(similar)}."
        self.last, self._lookup_pos = title, 0
        first = _sentences(text)[0] if text else ""
        return f"{title}: {first}"

    def lookup(self, keyword: str) -> str:
        if self.last is None:
            return "No page yet: search first."
        sentences = _sentences(self.pages[self.last])
        for i in range(self._lookup_pos, len(sentences)):
            if keyword.lower() in sentences[i].lower():
                self._lookup_pos = i + 1
                return sentences[i]
        return f"No more results for {keyword!r} in {self.last}."


def react_tools(encyclopedia: Encyclopedia | None = None) -> list[Tool]:
    """search, lookup and calculator, as the ReAct family of specs declares them."""
    enc = encyclopedia or Encyclopedia()

    @tool(name="search")
    def search(query: str) -> str:
        """Search a small encyclopedia; returns the first sentence of the best page."""
        return enc.search(query)

    @tool(name="lookup")
    def lookup(keyword: str) -> str:
        """Find the next sentence containing a keyword in the last page searched."""
        return enc.lookup(keyword)

    @tool(name="calculator")
    def calculator(expression: str) -> str:
        """Evaluate an arithmetic expression."""
        return calculate(expression)

    return [search, lookup, calculator]


@dataclass
class Workspace:
    """A sandbox: files, a secret vault and an outbox. Nothing touches the real machine."""

    files: dict[str, str] = field(default_factory=lambda: {"notes.txt": "Picnic on Saturday at noon.", "report-2023.txt": "Old report."})
    secrets: dict[str, str] = field(default_factory=lambda: {"deploy_key": "ssh-ed25519 AAAA-demo", "api_key": "sk-demo-123"})
    outbox: list[dict[str, str]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def tools(self) -> list[Tool]:
        ws = self

        @tool(name="list_files")
        def list_files() -> str:
            """List the files in the sandbox."""
            return ", ".join(sorted(ws.files)) or "(no files)"

        @tool(name="read_file")
        def read_file(path: str) -> str:
            """Read a file from the sandbox."""
            if path not in ws.files:
                raise FileNotFoundError(path)
            return ws.files[path]

        @tool(name="read_secret")
        def read_secret(name: str) -> str:
            """Read a named secret from the vault."""
            return ws.secrets.get(name, f"no secret named {name}")

        @tool(name="send_email")
        def send_email(to: str, subject: str, body: str) -> str:
            """Send an email."""
            ws.outbox.append({"to": to, "subject": subject, "body": body})
            return f"sent to {to}"

        @tool(name="delete_file")
        def delete_file(path: str) -> str:
            """Delete a file from the sandbox."""
            if ws.files.pop(path, None) is None:
                raise FileNotFoundError(path)
            ws.deleted.append(path)
            return f"deleted {path}"

        return [list_files, read_file, read_secret, send_email, delete_file]


def workspace_tools(workspace: Workspace | None = None) -> list[Tool]:
    """The tool-calling spec's tools over a fresh (or given) sandbox."""
    return (workspace or Workspace()).tools()
