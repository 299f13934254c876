"""Background work of the leadership toolkit: harvesting usage from SUSHI servers.

A harvest takes ids and ISO months, not objects. Running it twice does no harm: storing usage
replaces the months it covers, it never adds to them.
"""

from __future__ import annotations

import datetime
import logging

from django.tasks import task

from . import sushi
from .models import SushiEndpoint

logger = logging.getLogger(__name__)


def month(value: str) -> datetime.date:
    """ "2024-03" or "2024-03-01" as the first day of the month."""
    return datetime.date.fromisoformat(f"{value[:7]}-01")


@task
def harvest_usage(
    endpoint_id: int, report_id: str, first: str, last: str, person_id: int | None = None
) -> dict:
    """Harvest one report from a SUSHI endpoint and store its usage.

    Returns {"import_id", "records", "replaced", "exceptions"} when usage was stored, or
    {"error", "code", "exceptions"} when the server sent exceptions instead of a report or could
    not be used: that is an answer for the leader, not a failure of the task."""
    from digikompas.orgs.models import Person

    endpoint = SushiEndpoint.objects.select_related("resource", "municipality").get(pk=endpoint_id)
    by = Person.objects.filter(pk=person_id).first() if person_id else None
    try:
        imported = sushi.harvest(endpoint, report_id, month(first), month(last), by=by)
    except sushi.SushiError as error:
        logger.info("SUSHI harvest of endpoint %s stored nothing: %s", endpoint_id, error)
        return {"error": error.message, "code": error.code, "exceptions": error.exceptions}
    return {
        "import_id": imported.pk,
        "records": imported.records,
        "replaced": imported.replaced,
        "exceptions": imported.exceptions,
    }
