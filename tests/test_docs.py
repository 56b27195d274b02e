"""Every Python block in README.md and docs/*.md runs as written, top to bottom per file.

A file's blocks run in one fresh interpreter, in a scratch folder, sharing one namespace (a
block may use what an earlier block of the same file defined). A failure names the file and
the line of the block.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.M | re.S)

RUNNER = r"""
import json, sys
blocks = json.load(open(sys.argv[1]))
namespace = {"__name__": "__main__"}
for path, line, code in blocks:
    try:
        exec(compile("\n" * (line - 1) + code, path, "exec"), namespace)
    except BaseException:
        print(f"the block at {path}:{line} failed", file=sys.stderr)
        raise
"""


def python_blocks(path: Path) -> list[tuple[str, int, str]]:
    text = path.read_text(encoding="utf-8")
    return [(str(path), text[: m.start()].count("\n") + 2, m.group(1)) for m in _BLOCK.finditer(text)]


def test_the_docs_have_python_blocks_to_run():
    counts = {p.name: len(python_blocks(p)) for p in DOCS}
    assert counts["README.md"] >= 1 and counts["api.md"] >= 8, counts


@pytest.mark.parametrize("path", [p for p in DOCS if python_blocks(p)], ids=lambda p: p.name)
def test_python_blocks_run_as_written(path, tmp_path):
    import json

    pytest.importorskip("torch", reason="the docs' blocks run a model")
    blocks = python_blocks(path)
    (tmp_path / "blocks.json").write_text(json.dumps(blocks))
    (tmp_path / "runner.py").write_text(RUNNER)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "LTLAGENT_THREADS": "1"}
    proc = subprocess.run([sys.executable, "runner.py", "blocks.json"], cwd=tmp_path, capture_output=True, text=True, env=env,
                          timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-4000:]
