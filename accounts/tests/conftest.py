import pytest


@pytest.fixture(autouse=True)
def _clear_cache():
    """The throttles count in the cache; each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs what was scheduled for after the commit (emails) at the end
    of the block, as a real commit would, inside the test's own transaction."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
