import pytest


@pytest.fixture(autouse=True)
def _private_index_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("LTLAGENT_CACHE", str(tmp_path_factory.getbasetemp() / "ltlagent-cache"))
