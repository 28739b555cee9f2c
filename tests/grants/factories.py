"""Grant cases for the tests: a pool after its deadline, submitted applications, awards."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from grants import services
from network import services as network
from network.models import Application, Role
from network.services import BudgetLineData
from tests.network.factories import (
    InitiativeFactory,
    agency_director,
    agency_editor,
    municipal_person,
)


def closed_pool(amount=13_000_000, **kwargs):
    """A pool whose deadline passed yesterday, with its initiative (2020–2022)."""
    kwargs.setdefault("pool__deadline", timezone.now() - timedelta(days=1))
    initiative = InitiativeFactory(pool__amount=amount, **kwargs)
    return initiative.pool


def submit(pool, name, *, person=None, months=3, now=None):
    """The municipality applies, its project leader writing, and submits a day before the
    deadline (also when the deadline has passed by now: the draft is made directly)."""
    person = person or municipal_person(name, Role.PROJECT_LEADER)
    before = pool.deadline - timedelta(days=1)
    application, _created = Application.objects.get_or_create(
        pool=pool, municipality=person.municipality, defaults={"created_by": person}
    )
    network.save_draft(
        application,
        person,
        fields={
            "project_leader_name": person.get_full_name(),
            "project_leader_email": person.email,
            "centre_chief_name": "Bo Centerchef",
            "centre_chief_approved": True,
        },
        answers={c.pk: f"{name}s svar på {c.title}" for c in pool.award_criteria.all()},
        budget_lines=[
            BudgetLineData(
                date(2020, 1 + index, 1), f"Projektleder, måned {index + 1}", Decimal("40000")
            )
            for index in range(months)
        ],
    )
    return network.submit_application(application, person, now=now or before)


def after_deadline(pool, days=1):
    """A moment after the deadline (and never in the future, so pages agree)."""
    return min(pool.deadline + timedelta(days=days), timezone.now())


def award(pool, name, amount=Decimal("3000000"), *, editor=None, director=None):
    """Submitted, recommended as partner and approved: the case with its award."""
    application = submit(pool, name)
    editor = editor or agency_editor()
    recommendation = services.recommend(
        application,
        outcome="partner",
        amount=amount,
        reasons="Stærk ansøgning.",
        by=editor,
        now=after_deadline(pool),
    )
    services.approve(recommendation, director or agency_director(), now=after_deadline(pool, 2))
    return services.case_for(application)


def today():
    return timezone.localdate()
