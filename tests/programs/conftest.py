import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _spanish_by_default():
    """A request to /en/ leaves English active in the thread; each test starts in Spanish."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (tasks, mail) at the end of the block, like a real commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
