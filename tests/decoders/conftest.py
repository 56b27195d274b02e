import pytest


@pytest.fixture(autouse=True)
def _private_index_cache(tmp_path_factory, monkeypatch):
    """Token indexes go to a per-session temporary cache, never the user's."""
    monkeypatch.setenv("LTLAGENT_CACHE", str(tmp_path_factory.getbasetemp() / "ltlagent-cache"))
