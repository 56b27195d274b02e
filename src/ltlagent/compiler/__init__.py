"""The compiler: spec file → :class:`Spec` → automaton → :class:`CompiledSpec`.

This package never imports torch or transformers; only :mod:`ltlagent.compiler.ltl`
imports Spot, and a compiled spec runs without Spot installed.
"""
