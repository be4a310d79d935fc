import pytest


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (tasks, mail) at the end of the block, like a real commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
