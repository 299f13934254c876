import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the msgids), so the tests keep their meaning whatever
    the Danish catalogue says; pages read with log_in_client are in English too."""
    with translation.override("en"):
        yield
