"""A COUNTER_SUSHI API client (Release 5 and 5.1): harvest a report from a municipality's
configured endpoint and store it as usage, the same way an uploaded file is stored.

    GET {url}/reports/{pr|dr|tr|ir|...}?customer_id=&requestor_id=&api_key=&platform=
        &begin_date=YYYY-MM&end_date=YYYY-MM
    GET {url}/status

(Project-Counter/cop5: sushi-api/sushi.json for 5.0, api-specification/COUNTER_API.json for
5.1, whose paths sit under /r51/ – the endpoint's address includes that prefix.)

A server that cannot deliver answers with COUNTER exceptions instead of a report: usage not
ready (1011, 3031), none for the months (3030), not authorised (2000–2020), report not supported
(3000). Such an answer raises SushiError carrying the code and the server's message, so that the
leader sees why nothing was stored; exceptions inside a report header (warnings about a report
that was delivered) are stored with the import and shown there.

The network beyond this machine is reached in one place, `_get`; tests point an endpoint at a
local server.
"""

from __future__ import annotations

import datetime
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import counter, usage
from .models import SushiEndpoint, UsageImport

# Seconds to wait for the server: big title reports take a while to build.
TIMEOUT = 120
# Bytes read at most from an answer: a year's title report of a large platform is a few MB.
MAX_BYTES = 50 * 1024 * 1024
# The reports and standard views a harvest may ask for (cop5 §3.3).
REPORTS = (
    "PR",
    "PR_P1",
    "DR",
    "DR_D1",
    "DR_D2",
    "TR",
    "TR_B1",
    "TR_B2",
    "TR_B3",
    "TR_J1",
    "TR_J2",
    "TR_J3",
    "TR_J4",
    "IR",
    "IR_A1",
    "IR_M1",
)

# What a leader can do about the exceptions a harvest most often meets (cop5 appendix F).
NOT_READY = frozenset({1010, 1011, 3031})
NO_ACCESS = frozenset({2000, 2010, 2011, 2020})
NOT_SUPPORTED = frozenset({3000, 3010})
NO_USAGE = frozenset({3030, 3032})


def _advice(code: int | None) -> str:
    if code in NOT_READY:
        return _("The server has not finished the report yet: harvest again later.")
    if code in NO_ACCESS:
        return _(
            "The server did not accept the customer ID, requestor ID or API key: check them with "
            "the vendor."
        )
    if code in NOT_SUPPORTED:
        return _("The server does not offer this report: choose another one.")
    if code in NO_USAGE:
        return _("The server has no usage for these months.")
    return ""


class SushiError(Exception):
    """Why a harvest stored nothing, in words for the leader. `code` is the COUNTER exception
    code when the server sent one (None for network and format problems); `exceptions` are all
    the exceptions it sent, as {"code", "severity", "message", "data"}."""

    def __init__(self, message: str, *, code: int | None = None, exceptions=()):
        super().__init__(message)
        self.message = message
        self.code = code
        self.exceptions = list(exceptions)

    def __str__(self):
        return self.message


@dataclass
class Status:
    """The answer of /status: whether the service is up, and what it says about itself."""

    active: bool
    description: str = ""
    alerts: list[str] = field(default_factory=list)


# -- requests -------------------------------------------------------------------------------------


def report_url(endpoint: SushiEndpoint, report_id: str, first: datetime.date, last: datetime.date):
    params = {"customer_id": endpoint.customer_id}
    if endpoint.requestor_id:
        params["requestor_id"] = endpoint.requestor_id
    if endpoint.api_key:
        params["api_key"] = endpoint.api_key
    if endpoint.platform:
        params["platform"] = endpoint.platform
    params["begin_date"] = f"{first:%Y-%m}"
    params["end_date"] = f"{last:%Y-%m}"
    return f"{_base(endpoint)}/reports/{report_id.lower()}?{urllib.parse.urlencode(params)}"


def _base(endpoint: SushiEndpoint) -> str:
    return endpoint.url.rstrip("/")


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url


def _get(url: str, *, timeout: float) -> object:
    """The decoded JSON the server answers with. An HTTP error whose body holds COUNTER
    exceptions (servers answer 400, 401 or 403 with them) is returned as that body, for the
    caller to report; every other failure raises SushiError."""
    request = urllib.request.Request(  # noqa: S310 - the address is checked to be http(s)
        url, headers={"Accept": "application/json", "User-Agent": "digikompas SUSHI client"}
    )
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise SushiError(_("The SUSHI server address must start with https:// or http://."))
    host = _host(url)
    try:
        # The scheme is checked above: http(s) only, never file:.
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  # nosec B310
            body = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        body = error.read(MAX_BYTES + 1)
        data = _json_or_none(body)
        if data is not None and _exceptions_only(data) is not None:
            return data
        raise SushiError(
            _("The SUSHI server at %(host)s answered with HTTP error %(status)s (%(reason)s).")
            % {"host": host, "status": error.code, "reason": error.reason}
        ) from None
    except TimeoutError:
        raise SushiError(
            _("The SUSHI server at %(host)s did not answer within %(seconds)s seconds.")
            % {"host": host, "seconds": timeout}
        ) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise SushiError(
                _("The SUSHI server at %(host)s did not answer within %(seconds)s seconds.")
                % {"host": host, "seconds": timeout}
            ) from None
        raise SushiError(
            _("Could not reach the SUSHI server at %(host)s: %(reason)s.")
            % {"host": host, "reason": error.reason}
        ) from None
    except OSError as error:
        raise SushiError(
            _("Could not reach the SUSHI server at %(host)s: %(reason)s.")
            % {"host": host, "reason": error}
        ) from None
    if len(body) > MAX_BYTES:
        raise SushiError(
            _("The answer of the SUSHI server at %(host)s is larger than %(mb)s MB.")
            % {"host": host, "mb": MAX_BYTES // (1024 * 1024)}
        )
    data = _json_or_none(body)
    if data is None:
        start = body[:60].decode("utf-8", "replace").strip()
        raise SushiError(
            _(
                "The SUSHI server at %(host)s did not answer with JSON; its answer begins "
                "“%(start)s”."
            )
            % {"host": host, "start": start}
        )
    return data


def _json_or_none(body: bytes):
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None


# -- COUNTER exceptions ---------------------------------------------------------------------------


def _exception(raw: dict) -> dict:
    """One COUNTER exception as the rest of the toolkit keeps them."""
    try:
        code = int(raw.get("Code"))
    except (TypeError, ValueError):
        code = 0
    data = raw.get("Data", "")
    return {
        "code": code,
        "severity": str(raw.get("Severity") or ""),
        "message": str(raw.get("Message") or ""),
        "data": data if isinstance(data, str) else json.dumps(data, ensure_ascii=False),
    }


def _exceptions_only(data) -> list[dict] | None:
    """The exceptions of an answer that is nothing but exceptions, or None for a report.
    R5.0 servers send one exception object, a list of them, or {"Exception": {...}}; R5.1
    servers one object without Severity."""
    if isinstance(data, dict) and "Exception" in data and "Report_Header" not in data:
        data = data["Exception"]
    if isinstance(data, dict) and "Code" in data and "Report_Header" not in data:
        return [_exception(data)]
    if isinstance(data, list) and data and all(isinstance(d, dict) and "Code" in d for d in data):
        return [_exception(d) for d in data]
    return None


def _error_for(exceptions: list[dict], *, host: str) -> SushiError:
    first = exceptions[0]
    described = "; ".join(
        f"{e['code']} {e['message']}".strip() + (f" ({e['data']})" if e["data"] else "")
        for e in exceptions
    )
    message = _(
        "The SUSHI server at %(host)s sent no report but COUNTER exception %(exceptions)s."
    ) % {"host": host, "exceptions": described}
    advice = _advice(first["code"])
    if advice:
        message = f"{message} {advice}"
    return SushiError(message, code=first["code"], exceptions=exceptions)


def _report_exceptions(data: dict) -> list[dict]:
    """The exceptions of a report: in its header, or beside it (R5.1 and some R5.0 servers)."""
    found = []
    for raw in (data["Report_Header"].get("Exceptions"), data.get("Exceptions")):
        if isinstance(raw, dict):
            raw = [raw]
        found += [_exception(e) for e in raw or [] if isinstance(e, dict)]
    return found


# -- harvesting -----------------------------------------------------------------------------------


def fetch(
    endpoint: SushiEndpoint,
    report_id: str,
    first: datetime.date,
    last: datetime.date,
    *,
    timeout: float = TIMEOUT,
) -> dict:
    """The report the server sends for the months, as decoded JSON; SushiError when it sends
    exceptions instead, an error, or something that is not a COUNTER report."""
    report_id = report_id.upper()
    if report_id not in REPORTS:
        raise SushiError(
            _("%(report)s is not a COUNTER Release 5 report or standard view.")
            % {"report": report_id}
        )
    if first > last:
        raise SushiError(_("The first month must not be after the last month."))
    url = report_url(endpoint, report_id, first, last)
    host = _host(url)
    data = _get(url, timeout=timeout)
    exceptions = _exceptions_only(data)
    if exceptions is not None:
        raise _error_for(exceptions, host=host)
    if not isinstance(data, dict) or not isinstance(data.get("Report_Header"), dict):
        raise SushiError(
            _("The SUSHI server at %(host)s answered with JSON that is not a COUNTER report.")
            % {"host": host}
        )
    header = data["Report_Header"]
    sent = str(header.get("Report_ID") or "").upper()
    if sent and sent != report_id:
        raise SushiError(
            _("The SUSHI server at %(host)s sent the report %(sent)s instead of %(asked)s.")
            % {"host": host, "sent": sent, "asked": report_id}
        )
    if not data.get("Report_Items"):
        # No usage at all: the server must say why in the header (3030 or 3031).
        exceptions = _report_exceptions(data)
        if exceptions:
            raise _error_for(exceptions, host=host)
        raise SushiError(
            _("The SUSHI server at %(host)s sent a report without usage and without saying why.")
            % {"host": host}
        )
    return data


def harvest(
    endpoint: SushiEndpoint,
    report_id: str = "PR",
    first: datetime.date | None = None,
    last: datetime.date | None = None,
    *,
    by=None,
    timeout: float = TIMEOUT,
) -> UsageImport:
    """Fetch the report for the months from first to last and store its usage for the
    endpoint's municipality and resource; the import is all-or-nothing and replaces figures of
    months imported before. SushiError says why nothing was stored."""
    if first is None or last is None:
        raise SushiError(_("Give the first and the last month to harvest."))
    first, last = first.replace(day=1), last.replace(day=1)
    data = fetch(endpoint, report_id, first, last, timeout=timeout)
    host = _host(endpoint.url)
    try:
        report = counter.parse_sushi(data)
    except counter.CounterError as error:
        raise SushiError(
            _("The report from the SUSHI server at %(host)s could not be read: %(problems)s")
            % {"host": host, "problems": " ".join(p.message for p in error.problems)}
        ) from None
    platforms = sorted({row.platform for row in report.rows if row.platform})
    if len(platforms) > 1:
        raise SushiError(
            _(
                "The SUSHI server at %(host)s sent the usage of %(count)s platforms "
                "(%(platforms)s). Give the platform on the endpoint, so that it sends the "
                "usage of %(resource)s alone."
            )
            % {
                "host": host,
                "count": len(platforms),
                "platforms": ", ".join(platforms),
                "resource": endpoint.resource.name,
            }
        )
    with transaction.atomic():
        try:
            imported = usage.store(
                report,
                municipality=endpoint.municipality,
                resource=endpoint.resource,
                by=by,
                file_name=f"{host} {report_id.upper()} {first:%Y-%m}–{last:%Y-%m}",
                source=UsageImport.Source.SUSHI,
            )
        except counter.CounterError as error:
            raise SushiError(
                _("The report from the SUSHI server at %(host)s was not stored: %(problems)s")
                % {"host": host, "problems": " ".join(p.message for p in error.problems)}
            ) from None
        SushiEndpoint.objects.filter(pk=endpoint.pk).update(last_harvested_at=timezone.now())
    return imported


def status(endpoint: SushiEndpoint, *, timeout: float = 30) -> Status:
    """Whether the SUSHI service is up (GET /status)."""
    params = {"customer_id": endpoint.customer_id}
    if endpoint.requestor_id:
        params["requestor_id"] = endpoint.requestor_id
    if endpoint.api_key:
        params["api_key"] = endpoint.api_key
    url = f"{_base(endpoint)}/status?{urllib.parse.urlencode(params)}"
    data = _get(url, timeout=timeout)
    exceptions = _exceptions_only(data)
    if exceptions is not None:
        raise _error_for(exceptions, host=_host(url))
    entry = data[0] if isinstance(data, list) and data else data
    if not isinstance(entry, dict) or "Service_Active" not in entry:
        raise SushiError(
            _("The SUSHI server at %(host)s answered /status with something else than a status.")
            % {"host": _host(url)}
        )
    alerts = [
        str(a.get("Alert") or a) if isinstance(a, dict) else str(a)
        for a in entry.get("Alerts") or []
    ]
    return Status(
        active=bool(entry["Service_Active"]),
        description=str(entry.get("Description") or ""),
        alerts=alerts,
    )
