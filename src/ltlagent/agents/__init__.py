"""Agent runtimes that run compiled specs with a model and tools (see DESIGN §4).

``run`` (in :mod:`ltlagent.agents.runtime`) needs torch; ``tool`` and the demo tools do not.
"""

from ltlagent.agents.tools import Tool, call_tool, tool

__all__ = ["Tool", "call_tool", "tool"]
