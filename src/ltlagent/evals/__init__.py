"""Evaluations on external suites (``ltlagent eval``): the suite's own data, prompts and scorer;
ltlagent only adds the spec's masks."""
