"""The load generator: C respondents, each a thread with its own keep-alive connection, who
answer the questionnaire the way a browser does without following the redirects: GET the first
page (for the CSRF cookie and token), POST every page's answers, POST submit.

Kept cheap, since it shares the two cores with the server: http.client, no HTML parsing beyond
one regular expression for the CSRF token. A request that fails with a connection error or a
5xx answer is sent again, unchanged, after a short pause (as a browser's user presses reload):
the product's saves replace and its submit is idempotent, so a retry is always safe.
"""

from __future__ import annotations

import http.client
import queue
import random
import re
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field

from .data import Plan, answers_for, form_data

_CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_CSRF_COOKIE = re.compile(r"csrftoken=([^;]+)")
# A request failing for longer than this is given up (the respondent with it), and so is one
# still failing this long after the end of the phase.
RETRY_FOR = 30.0
GRACE = 10.0
TIMEOUT = 30.0

GET, SAVE, SUBMIT = "get", "save", "submit"


@dataclass
class Attempt:
    kind: str
    started: float  # time.monotonic()
    seconds: float
    status: int  # 0: no HTTP answer (connection refused, reset, timed out)


@dataclass
class Outcome:
    """What the respondents saw. `sent` maps a token to the answers of every page it saved;
    `acknowledged` holds the tokens whose submit was answered with the done page."""

    attempts: list[Attempt] = field(default_factory=list)
    sent: dict[str, dict[str, object]] = field(default_factory=dict)
    submitted: set[str] = field(default_factory=set)  # submit sent at least once
    acknowledged: set[str] = field(default_factory=set)
    given_up: int = 0
    unexpected: Counter = field(default_factory=Counter)  # (kind, status) of wrong answers
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wrong(self, kind: str, status: int) -> None:
        with self.lock:
            self.unexpected[(kind, status)] += 1


class GiveUp(Exception):
    pass


class Respondent:
    def __init__(self, host: str, port: int, outcome: Outcome, deadline: float):
        self.host, self.port = host, port
        self.outcome = outcome
        self.deadline = deadline
        self.connection: http.client.HTTPConnection | None = None
        # Behind the proxy that ends TLS: the app sees HTTPS (and redirects plain HTTP).
        self.origin = f"https://{host}:{port}"
        self.headers = {"X-Forwarded-Proto": "https"}

    def _connect(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        return self.connection

    def _drop(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(self, kind: str, method: str, path: str, body: str | None, headers: dict):
        """Send until an answer below 500 arrives; returns (status, headers, body)."""
        first = time.monotonic()
        pause = 0.05
        while True:
            started = time.monotonic()
            try:
                connection = self._connect()
                connection.request(method, path, body=body, headers={**self.headers, **headers})
                response = connection.getresponse()
                data = response.read()
                status = response.status
                if response.will_close:
                    self._drop()
            except (TimeoutError, OSError, http.client.HTTPException):
                self._drop()
                status, data, response = 0, b"", None
            self.outcome.attempts.append(Attempt(kind, started, time.monotonic() - started, status))
            if 0 < status < 500:
                return status, response.headers, data
            now = time.monotonic()
            if now - first > RETRY_FOR or now > self.deadline + GRACE:
                raise GiveUp
            time.sleep(pause)
            pause = min(pause * 2, 1.0)

    def answer(self, token: str, plan: Plan, rng: random.Random) -> None:
        base = f"/surveys/a/{token}/"
        status, headers, data = self.request(GET, "GET", f"{base}1/", None, {})
        match = _CSRF_INPUT.search(data)
        cookie = _CSRF_COOKIE.search(headers.get("Set-Cookie", "") or "")
        if status != 200 or not match or not cookie:
            self.outcome.wrong(GET, status)
            raise GiveUp
        csrf = match.group(1).decode()
        post_headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie.group(1)}",
            "Origin": self.origin,
        }
        pages = answers_for(plan, rng)
        sent: dict[str, object] = {}
        for number, answers in enumerate(pages, start=1):
            if time.monotonic() > self.deadline:
                return
            body = urllib.parse.urlencode(
                [*form_data(answers), ("action", "next"), ("csrfmiddlewaretoken", csrf)]
            )
            status, _h, _d = self.request(SAVE, "POST", f"{base}{number}/", body, post_headers)
            if status != 303:
                self.outcome.wrong(SAVE, status)
                raise GiveUp
            sent.update(answers)
            self.outcome.sent[token] = dict(sent)
        if time.monotonic() > self.deadline:
            return
        body = urllib.parse.urlencode([("csrfmiddlewaretoken", csrf)])
        self.outcome.submitted.add(token)
        status, headers, _d = self.request(SUBMIT, "POST", f"{base}submit/", body, post_headers)
        if status != 303 or not (headers.get("Location") or "").endswith(f"{base}done/"):
            self.outcome.wrong(SUBMIT, status)
            raise GiveUp
        self.outcome.acknowledged.add(token)


def run(
    *,
    host: str,
    port: int,
    plan: Plan,
    tokens: queue.SimpleQueue,
    concurrency: int,
    seconds: float,
    seed: int,
    outcome: Outcome | None = None,
) -> Outcome:
    """Answer with `concurrency` respondents for `seconds` (or until the tokens run out)."""
    outcome = outcome or Outcome()
    deadline = time.monotonic() + seconds

    def respondent(number: int) -> None:
        rng = random.Random(seed * 1000 + number)  # noqa: S311 - made-up answers
        me = Respondent(host, port, outcome, deadline)
        while time.monotonic() < deadline:
            try:
                token = tokens.get_nowait()
            except queue.Empty:
                break
            try:
                me.answer(token, plan, rng)
            except GiveUp:
                with outcome.lock:
                    outcome.given_up += 1
        me._drop()

    threads = [
        threading.Thread(target=respondent, args=(n,), daemon=True) for n in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome
