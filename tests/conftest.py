import os

import pytest

from hypothesis import HealthCheck, settings

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(autouse=True)
def _private_index_cache(tmp_path_factory, monkeypatch):
    """Token indexes and converted models go to a per-session temporary cache, never the user's
    (one cache for the whole session, so the real model is converted at most once)."""
    monkeypatch.setenv("LTLAGENT_CACHE", str(tmp_path_factory.getbasetemp() / "ltlagent-cache"))
