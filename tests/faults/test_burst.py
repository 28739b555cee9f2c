"""Bursts of writes on the production topology: two daphne processes, PostgreSQL, real HTTP.

Under daphne a request runs in one of the process's worker threads and the live
discussion's database work in channels' threads, each holding a database connection while
it works; without a bound, a burst could open connections until PostgreSQL refuses ("too
many clients") and the requests fail with nothing saved. Each process's connection pool
(config/settings.py) keeps it within ``DATABASE_POOL_SIZE``; a request waits for a
connection, and when none comes in time the person gets the 503 page (config/views.py)
with nothing half saved.

The tests count the two processes' connections in ``pg_stat_activity`` (the processes
connect with their own ``application_name``) for the whole burst, and the emails at a real
SMTP server (tests/smtp.py), once the processes' courier threads have emptied the outbox.
They need PostgreSQL: SQLite has no connections to run out of and takes one writer at a
time; the .ci/run pass on PostgreSQL runs them.
"""

import http.client
import re
import secrets
import threading
import time
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from urllib.parse import urlencode

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from post_office.models import STATUS, Email

from knowledge.models import Post, Space
from meetings.models import Registration
from network.models import Application, Membership
from tests.cms.factories import PoolPageFactory
from tests.knowledge.factories import SpaceFactory, TopicFactory
from tests.knowledge.live_server import daphne_process, shared_database
from tests.meetings.factories import MeetingFactory
from tests.network.factories import PersonFactory, member, municipal_person
from tests.smtp import smtp_server

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

POOL_SIZE = 6
PROCESSES = 2
APPLICATION_NAME = "partnerskab-burst"
CSRF = secrets.token_urlsafe(24)[:32].replace("-", "a").replace("_", "b")


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("connection bursts are a PostgreSQL matter; the PostgreSQL pass runs them")


class ConnectionWatch:
    """The most connections the daphne processes held at once, polled from pg_stat_activity."""

    def __init__(self, database_url):
        self.database_url = database_url.split("?")[0]
        self.highest = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self):
        with psycopg.connect(self.database_url, autocommit=True) as watcher:
            while not self._stop.is_set():
                (count,) = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                    [APPLICATION_NAME],
                ).fetchone()
                self.highest = max(self.highest, count)
                time.sleep(0.01)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)


@contextmanager
def topology(tmp_path, smtp, **environment):
    """Two daphne processes on the test database, each with its own pool; yields their
    addresses and the connection watch."""
    with shared_database(tmp_path) as database_url, ExitStack() as stack:
        env = {
            "DATABASE_POOL_SIZE": str(POOL_SIZE),
            "DATABASE_POOL_TIMEOUT": "30",
            "DJANGO_DEBUG": "false",
            "TRUSTED_PROXY_COUNT": "1",
            **smtp.environment(),
            **environment,
        }
        url = f"{database_url}?application_name={APPLICATION_NAME}"
        addresses = [
            stack.enter_context(daphne_process(url, tmp_path / f"daphne-{n}.log", env))
            for n in range(PROCESSES)
        ]
        watch = stack.enter_context(ConnectionWatch(database_url))
        yield addresses, watch
        outbox_drained()


def outbox_drained():
    """Wait until the processes' courier threads have delivered every queued email (they
    send after the commit, in the background), so that stopping them loses none."""
    deadline = time.monotonic() + 120
    while waiting_emails().exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not waiting_emails().exists(), list(waiting_emails().values("to", "status"))


def waiting_emails():
    return Email.objects.filter(status__in=[STATUS.queued, STATUS.requeued])


def session_of(person):
    client = Client()
    client.force_login(person)
    return client.cookies["sessionid"].value


class Answer:
    def __init__(self, status, headers, cookies, html):
        self.status, self.headers, self.cookies, self.html = status, headers, cookies, html
        self.location = headers.get("location", "")

    def __repr__(self):
        return f"<{self.status} {self.location}>"


def request(address, method, path, *, session=None, data=None, cookies=None, visitor=None):
    """One HTTP request to a daphne process, with the session and a known CSRF token."""
    host, port = address.rsplit(":", 1)
    jar = {"csrftoken": CSRF, **({"sessionid": session} if session else {}), **(cookies or {})}
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()), "Host": address}
    if visitor:
        headers["X-Forwarded-For"] = visitor
    body = None
    if data is not None:
        body = urlencode({**data, "csrfmiddlewaretoken": CSRF})
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    client = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        client.request(method, path, body=body, headers=headers)
        response = client.getresponse()
        html = response.read().decode("utf-8", "replace")
        set_cookies = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                set_cookies[key] = rest.split(";", 1)[0]
        headers = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, headers, set_cookies, html)
    finally:
        client.close()


def at_once(calls):
    """Run every call in its own thread, released together; the answers in call order."""
    barrier = threading.Barrier(len(calls))
    answers = [None] * len(calls)

    def run(index, call):
        barrier.wait(timeout=60)
        try:
            answers[index] = call()
        except Exception as error:  # reported by the assertions
            answers[index] = error

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return answers


def follow(address, answer, session=None):
    """The page the answer redirects to, with the cookies it set (its message)."""
    cookies = {k: v for k, v in answer.cookies.items() if k != "sessionid"}
    return request(address, "GET", answer.location, session=session, cookies=cookies)


def assert_within_pool(watch):
    assert 0 < watch.highest <= PROCESSES * POOL_SIZE, watch.highest


CONFIRMED = "Du er tilmeldt, og din plads er bekræftet."
WAITING = re.compile(r"Mødet er fuldt, så du står på ventelisten som nummer (\d+)\.")


def test_200_members_sign_up_at_once_for_20_seats(tmp_path):
    people = PersonFactory.create_batch(200)
    meeting = MeetingFactory(seats=20, starts_at=timezone.now() + timedelta(days=7))
    sessions = [session_of(person) for person in people]
    path = reverse("meetings:register", args=[meeting.pk])
    meeting_url = reverse("meetings:meeting", args=[meeting.pk])

    with smtp_server() as smtp, topology(tmp_path, smtp) as (addresses, watch):
        answers = at_once(
            [
                lambda n=n: request(addresses[n % 2], "POST", path, session=sessions[n], data={})
                for n in range(len(people))
            ]
        )
        assert [a.status for a in answers] == [302] * len(people), answers
        assert {a.location for a in answers} == {meeting_url}
        pages = [follow(addresses[n % 2], answers[n], sessions[n]).html for n in range(len(people))]
    assert_within_pool(watch)

    registrations = Registration.objects.filter(meeting=meeting)
    assert registrations.count() == 200
    confirmed = registrations.filter(status=Registration.Status.CONFIRMED)
    assert confirmed.count() == 20
    waiting = list(
        registrations.filter(status=Registration.Status.WAITING).order_by("created_at", "pk")
    )
    assert len(waiting) == 180
    position = {registration.person_id: n for n, registration in enumerate(waiting, start=1)}
    for person, page in zip(people, pages, strict=True):
        if person.pk in position:
            told = WAITING.search(page)
            assert told and int(told.group(1)) == position[person.pk], person.email
        else:
            assert CONFIRMED in page, person.email
    assert sorted(smtp.recipients()) == sorted(person.email for person in people)


def test_a_burst_of_guest_sign_ups_saves_and_emails_every_one(tmp_path):
    meeting = MeetingFactory(seats=30, starts_at=timezone.now() + timedelta(days=7))
    path = reverse("meetings:register_guest", args=[meeting.pk])
    guests = [f"gaest{n}@example.org" for n in range(80)]

    with smtp_server() as smtp, topology(tmp_path, smtp) as (addresses, watch):
        answers = at_once(
            [
                lambda n=n: request(
                    addresses[n % 2],
                    "POST",
                    path,
                    data={"name": f"Gæst {n}", "email": guests[n], "organisation": "Borger"},
                    visitor=f"10.0.{n // 200}.{n % 200 + 1}",
                )
                for n in range(len(guests))
            ]
        )
    assert [a.status for a in answers] == [302] * len(guests), answers
    assert {a.location for a in answers} == {f"{path}?sendt=1"}
    assert_within_pool(watch)
    assert sorted(
        Registration.objects.filter(meeting=meeting).values_list("email", flat=True)
    ) == sorted(guests)
    assert sorted(smtp.recipients()) == sorted(guests)


def test_a_burst_of_replies_saves_every_one_in_order(tmp_path):
    space = SpaceFactory(visibility=Space.Visibility.NETWORK)
    member(space.initiative, "Aarhus", Membership.Status.PARTNER)
    writers = [municipal_person("Aarhus") for _ in range(80)]
    topic = TopicFactory(space=space, author=writers[0])
    sessions = [session_of(person) for person in writers]
    path = reverse("knowledge:topic", args=[topic.pk])

    with smtp_server() as smtp, topology(tmp_path, smtp) as (addresses, watch):
        answers = at_once(
            [
                lambda n=n: request(
                    addresses[n % 2], "POST", path, session=sessions[n], data={"text": f"Svar {n}"}
                )
                for n in range(len(writers))
            ]
        )
    assert [a.status for a in answers] == [302] * len(writers), answers
    assert all(a.location.startswith(path) for a in answers)
    assert_within_pool(watch)
    posts = Post.objects.filter(topic=topic)
    assert sorted(posts.values_list("source", flat=True)) == sorted(
        f"Svar {n}" for n in range(len(writers))
    )
    assert sorted(posts.values_list("sequence", flat=True)) == list(range(1, len(writers) + 1))


def test_a_burst_of_application_saves_saves_every_one(tmp_path):
    pool = PoolPageFactory()
    names = ["Aarhus", "Odense", "Aalborg", "Esbjerg", "Randers", "Kolding", "Horsens", "Vejle"]
    applicants = [municipal_person(name) for name in names]
    applications = [
        Application.objects.create(pool=pool, municipality=person.municipality, created_by=person)
        for person in applicants
    ]
    sessions = [session_of(person) for person in applicants]
    saves = [
        (
            n % PROCESSES,
            reverse("network:application", args=[applications[n % len(applicants)].pk]),
            sessions[n % len(applicants)],
            {
                "project_leader_name": f"Projektleder {n}",
                "budget-TOTAL_FORMS": "0",
                "budget-INITIAL_FORMS": "0",
            },
        )
        for n in range(60)
    ]

    with smtp_server() as smtp, topology(tmp_path, smtp) as (addresses, watch):
        answers = at_once(
            [
                lambda s=save: request(addresses[s[0]], "POST", s[1], session=s[2], data=s[3])
                for save in saves
            ]
        )
    assert [a.status for a in answers] == [302] * len(saves), answers
    assert [a.location for a in answers] == [save[1] for save in saves]
    assert_within_pool(watch)
    for application in applications:
        application.refresh_from_db()
        assert application.project_leader_name.startswith("Projektleder ")


def test_a_request_that_gets_no_connection_in_time_is_told_to_try_again(tmp_path):
    """One connection per process, held by a sign-up waiting for a lock: the next request
    gets the Danish 503 page, saves nothing, and the waiting sign-up still goes through."""
    meeting = MeetingFactory(seats=10, starts_at=timezone.now() + timedelta(days=7))
    first, second = PersonFactory.create_batch(2)
    path = reverse("meetings:register", args=[meeting.pk])
    with (
        smtp_server() as smtp,
        shared_database(tmp_path) as database_url,
        daphne_process(
            f"{database_url}?application_name={APPLICATION_NAME}",
            tmp_path / "daphne.log",
            {
                "DATABASE_POOL_SIZE": "1",
                "DATABASE_POOL_MIN_SIZE": "1",
                "DATABASE_POOL_TIMEOUT": "1",
                "DJANGO_DEBUG": "false",
                **smtp.environment(),
            },
        ) as address,
        psycopg.connect(database_url) as holder,
    ):
        sessions = session_of(first), session_of(second)
        holder.execute("SELECT id FROM meetings_meeting WHERE id = %s FOR UPDATE", [meeting.pk])
        waiting = {}
        blocked = threading.Thread(
            target=lambda: waiting.update(
                answer=request(address, "POST", path, session=sessions[0], data={})
            )
        )
        blocked.start()
        time.sleep(1.5)  # the first sign-up holds the process's one connection
        busy = request(address, "POST", path, session=sessions[1], data={})
        assert not Registration.objects.filter(person=second).exists()
        holder.rollback()
        blocked.join(timeout=30)
        outbox_drained()

    assert busy.status == 503
    assert busy.headers["retry-after"] == "10"
    assert "Der er travlt på platformen lige nu" in busy.html
    assert "error-page--503" in busy.html
    assert waiting["answer"].status == 302
    assert Registration.objects.filter(meeting=meeting).count() == 1
    assert Registration.objects.get(meeting=meeting).person == first
    assert smtp.recipients() == [first.email]
