"""The scheduled clean-up of expired rounds (privacy.retention), as a background task."""

from django.tasks import task

from . import retention


@task
def apply_retention() -> int:
    """Remove the personal data of every round whose retention period has ended; returns how
    many rounds were cleaned. Running it twice, or on two workers, cleans each round once."""
    return len(retention.apply_retention())
