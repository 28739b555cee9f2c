"""Seats under load: 50 people sign up at the same moment for 10 seats.

On PostgreSQL every sign-up runs in its own thread with its own database connection, all
released at once by a barrier, so they really race for the row lock that guards the
seats; then five confirmed people cancel at once, and the five earliest on the waiting
list move up. SQLite has no row locks (it serialises writers) and its in-memory test
database does not take 50 writing threads, so there the same scenario runs one sign-up
and one cancellation after the other: the counting and the order are checked, the race
is not.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from meetings import services
from meetings.models import Registration
from tests.meetings.factories import MeetingFactory
from tests.network.factories import PersonFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

Status = Registration.Status
PEOPLE = 50
SEATS = 10
CANCELLATIONS = 5
TIME_LIMIT = 60  # seconds, for the whole test


def concurrently(function, arguments):
    """Call function(argument) for each argument, each in its own thread and connection,
    started together; return the exceptions raised."""
    barrier = threading.Barrier(len(arguments))
    errors = []

    def run(argument):
        try:
            barrier.wait(timeout=20)
            function(argument)
        except Exception as error:  # collected and reported by the test
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIME_LIMIT)
    assert not any(thread.is_alive() for thread in threads), "a sign-up hung"
    return errors


def in_turn(function, arguments):
    errors = []
    for argument in arguments:
        try:
            function(argument)
        except Exception as error:
            errors.append(error)
    return errors


def test_50_sign_ups_for_10_seats_then_cancellations_promote_in_order():
    started = time.monotonic()
    run = concurrently if connection.vendor == "postgresql" else in_turn
    meeting = MeetingFactory(seats=SEATS, starts_at=timezone.now() + timedelta(days=7))
    people = PersonFactory.create_batch(PEOPLE)

    errors = run(lambda person: services.register(meeting, person), people)

    assert errors == []
    registrations = Registration.objects.filter(meeting=meeting)
    assert registrations.count() == PEOPLE
    assert registrations.filter(status=Status.CONFIRMED).count() == SEATS
    assert registrations.filter(status=Status.WAITING).count() == PEOPLE - SEATS
    assert sorted(registrations.values_list("person_id", flat=True)) == sorted(
        person.pk for person in people
    )  # nobody lost, nobody twice

    waiting = list(registrations.filter(status=Status.WAITING).order_by("created_at", "pk"))
    leaving = list(registrations.filter(status=Status.CONFIRMED)[:CANCELLATIONS])

    errors = run(services.cancel, leaving)

    assert errors == []
    assert registrations.filter(status=Status.CONFIRMED).count() == SEATS
    assert registrations.filter(status=Status.CANCELLED).count() == CANCELLATIONS
    promoted = set(registrations.filter(status=Status.CONFIRMED).values_list("pk", flat=True))
    assert {r.pk for r in waiting[:CANCELLATIONS]} <= promoted  # the earliest waiting first
    assert not {r.pk for r in waiting[CANCELLATIONS:]} & promoted
    still_waiting = registrations.filter(status=Status.WAITING).order_by("created_at", "pk")
    assert list(still_waiting) == waiting[CANCELLATIONS:]
    assert time.monotonic() - started < TIME_LIMIT
