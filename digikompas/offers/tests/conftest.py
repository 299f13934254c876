import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the msgids), so the tests keep their meaning whatever
    the Danish catalogue says; commands speak the active language too."""
    with translation.override("en"):
        yield


# A round with enough responses to analyse (analysis/tests/conftest.py: competencies S.1 and S.2,
# librarians need level 2 in both), for the coverage of its gaps, its exports and the
# recommendations. Here rather than in each module, where ruff reads the fixture arguments as
# redefinitions of the imported names.
from digikompas.analysis.tests.conftest import (  # noqa: E402, F401
    _minimum_and_cache,
    dalum,
    report_round,
    report_survey,
)
