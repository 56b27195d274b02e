"""Agent runtimes that run compiled specs with a model and tools (see DESIGN §4)."""
