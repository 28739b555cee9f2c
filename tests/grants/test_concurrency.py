"""Sums that must hold however many people press the button at once (PostgreSQL).

Two directors approve two recommendations at the same moment whose amounts together are
more than the pool: the lock on the pool's row makes one wait for the other, and the
second sees the first's award. Eight payments race for an award that covers five: the
lock on the case, and the constraint behind it, let exactly five through. Each call runs
in its own thread with its own connection. SQLite serialises writers, so it cannot show
the race; the PostgreSQL pass of .ci/run runs these.
"""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from grants import services
from grants.models import Payment, Recommendation
from tests.grants.factories import award, closed_pool, submit
from tests.network.factories import agency_director, agency_editor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; the PostgreSQL pass runs these")


def at_once(calls):
    """Run each call in its own thread and connection, released together; the errors."""
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait(timeout=20)
            call()
        except Exception as error:  # collected and checked by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an approval hung"
    return errors


def test_two_directors_approving_at_once_never_award_more_than_the_pool():
    pool = closed_pool(amount=10_000_000)
    editor = agency_editor()
    recommendations = [
        services.recommend(
            submit(pool, name), outcome="partner", amount=6_000_000, reasons="Stærk.", by=editor
        )
        for name in ("Randers", "Herning")
    ]
    directors = [agency_director(), agency_director()]
    errors = at_once(
        [
            lambda r=recommendation, d=director: services.approve(r, d)
            for recommendation, director in zip(recommendations, directors, strict=True)
        ]
    )
    assert len(errors) == 1 and isinstance(errors[0], services.GrantCaseError), errors
    assert services.awarded_in_pool(pool) == Decimal("6000000")
    statuses = sorted(Recommendation.objects.values_list("status", flat=True))
    assert statuses == ["approved", "proposed"]


def test_payments_at_once_never_pay_more_than_the_award():
    case = award(closed_pool(), "Randers", amount=Decimal("500000"))
    editor = agency_editor()
    errors = at_once(
        [
            lambda n=n: services.record_payment(
                case,
                amount=Decimal("100000"),
                paid_on=date(2020, 2, 1),
                released_by=f"Rate {n}",
                by=editor,
            )
            for n in range(8)
        ]
    )
    assert len(errors) == 3 and all(isinstance(e, services.GrantCaseError) for e in errors)
    case.refresh_from_db()
    assert case.paid_amount == Decimal("500000") == case.awarded_amount
    assert Payment.objects.filter(case=case).count() == 5
