"""The network's rules, called directly: applying, deciding, inviting, roles, progress."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from network import access, services
from network.models import (
    Application,
    Membership,
    PartProgress,
    Role,
    StatusNote,
    User,
)
from network.services import ApplicationError, BudgetLineData
from tests.network.factories import (
    InitiativeFactory,
    agency_director,
    agency_editor,
    member,
    municipal_person,
)

pytestmark = pytest.mark.django_db
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


@pytest.fixture
def initiative():
    return InitiativeFactory(pool__deadline=timezone.now() + timedelta(days=10))


@pytest.fixture
def pool(initiative):
    return initiative.pool


def complete_draft(application, person):
    criteria = list(application.pool.award_criteria.all())
    return services.save_draft(
        application,
        person,
        fields={
            "project_leader_name": "Anne Projektleder",
            "project_leader_email": "anne@randers.example",
            "centre_chief_name": "Bo Centerchef",
            "centre_chief_approved": True,
        },
        answers={criterion.pk: f"Svar på {criterion.title}" for criterion in criteria},
        budget_lines=[
            BudgetLineData(date(2020, 1, 1), "Projektleder, 20 timer om ugen", Decimal("38000")),
            BudgetLineData(
                date(2020, 2, 1), "Kompetenceudvikling af 12 medarbejdere", Decimal("9500")
            ),
        ],
    )


def test_colleagues_share_one_application_per_municipality_and_pool(pool):
    first = services.start_application(pool, municipal_person("Randers"))
    second = services.start_application(pool, municipal_person("Randers"))
    other = services.start_application(pool, municipal_person("Herning"))
    assert first == second
    assert other != first
    assert Application.objects.count() == 2


def test_agency_staff_cannot_apply(pool):
    with pytest.raises(PermissionDenied):
        services.start_application(pool, agency_editor())


def test_draft_saves_and_submits_before_the_deadline(pool):
    person = municipal_person("Randers", Role.PROJECT_LEADER)
    application = complete_draft(services.start_application(pool, person), person)
    assert application.budget_total() == Decimal("47500")
    services.submit_application(application, person)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.submitted_by == person
    membership = Membership.objects.get(municipality=person.municipality)
    assert membership.status == Membership.Status.APPLICANT
    assert [event.status for event in membership.events.all()] == ["applicant"]


def test_submission_at_the_deadline_minute_is_refused_and_the_draft_kept(pool):
    pool.deadline = datetime(2019, 9, 17, 12, 0, tzinfo=COPENHAGEN)
    pool.save()
    person = municipal_person("Randers")
    application = complete_draft(
        Application.objects.create(pool=pool, municipality=person.municipality), person
    )
    services.submit_application(
        application, person, now=datetime(2019, 9, 17, 11, 59, 59, tzinfo=COPENHAGEN)
    )
    late = Application.objects.create(
        pool=pool, municipality=municipal_person("Herning").municipality
    )
    late_person = municipal_person("Herning")
    complete_draft(late, late_person)
    with pytest.raises(ApplicationError, match=r"17\. september 2019 kl\. 12\.00"):
        services.submit_application(
            late, late_person, now=datetime(2019, 9, 17, 12, 0, tzinfo=COPENHAGEN)
        )
    late.refresh_from_db()
    assert late.status == Application.Status.DRAFT
    assert late.answers.count() == pool.award_criteria.count()
    assert late.budget_lines.count() == 2


@pytest.mark.parametrize("lump_sum", ["Løn", "Overhead", "diverse", "Løn til medarbejdere"])
def test_lump_sums_are_refused_and_nothing_is_saved(pool, lump_sum):
    person = municipal_person("Randers")
    application = services.start_application(pool, person)
    with pytest.raises(ValidationError) as refused:
        services.save_draft(
            application,
            person,
            fields={"project_leader_name": "Skal ikke gemmes"},
            budget_lines=[BudgetLineData(date(2020, 3, 1), lump_sum, Decimal("100000"))],
        )
    assert "budget_lines-1" in refused.value.message_dict
    application.refresh_from_db()
    assert application.project_leader_name == ""
    assert not application.budget_lines.exists()


def test_budget_months_must_lie_in_the_project_period(pool):
    pool.project_period_start, pool.project_period_end = date(2020, 1, 1), date(2022, 9, 30)
    person = municipal_person("Randers")
    application = services.start_application(pool, person)
    with pytest.raises(ValidationError):
        services.save_draft(
            application,
            person,
            budget_lines=[BudgetLineData(date(2023, 1, 1), "Evaluering", Decimal("5000"))],
        )


def test_incomplete_application_lists_what_is_missing(pool):
    person = municipal_person("Randers")
    application = services.start_application(pool, person)
    with pytest.raises(ValidationError) as refused:
        services.submit_application(application, person)
    assert len(refused.value.messages) == pool.award_criteria.count() + 3


def test_another_municipality_cannot_touch_the_application(pool):
    application = services.start_application(pool, municipal_person("Randers"))
    with pytest.raises(PermissionDenied):
        services.save_draft(application, municipal_person("Herning"), answers={})


def test_the_directors_decision_after_the_deadline_creates_memberships(pool):
    person = municipal_person("Randers")
    application = complete_draft(services.start_application(pool, person), person)
    services.submit_application(application, person)
    editor, director = agency_editor(), agency_director()
    for criterion in pool.award_criteria.all():
        services.assess(application, criterion, score=4, note="Stærk", assessor=editor)
    with pytest.raises(ApplicationError):
        services.decide(application, "partner", decided_by=director)
    after = pool.deadline + timedelta(minutes=1)
    # "Den endelige afgørelse foretages af styrelsens direktør": not the caseworker.
    for someone in (person, editor):
        with pytest.raises(PermissionDenied):
            services.decide(application, "partner", decided_by=someone, now=after)
    services.decide(
        application, "partner", note="Langt i omlægningen", decided_by=director, now=after
    )
    application.refresh_from_db()
    assert (application.decision, application.decided_by) == ("partner", director)
    membership = Membership.objects.get(municipality=person.municipality)
    assert membership.status == Membership.Status.PARTNER
    assert [e.status for e in membership.events.all()] == ["applicant", "partner"]
    assert membership.progress.count() == 5


def test_applicants_not_chosen_are_offered_the_reference_network(pool):
    person = municipal_person("Herning")
    application = complete_draft(services.start_application(pool, person), person)
    services.submit_application(application, person)
    services.decide(
        application,
        "reference",
        decided_by=agency_director(),
        now=pool.deadline + timedelta(days=90),
    )
    membership = Membership.objects.get(municipality=person.municipality)
    assert membership.status == Membership.Status.REFERENCE
    assert access.is_network_member(person, membership.initiative)
    assert not access.is_partner_member(person, membership.initiative)


def test_invitation_is_single_use_and_expires(mailoutbox, django_capture_on_commit_callbacks):
    editor = agency_editor()
    randers = municipal_person("Randers").municipality
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, token = services.invite(
            "Ny.Leder@Randers.example",
            invited_by=editor,
            municipality=randers,
            roles=[Role.PROJECT_LEADER],
        )
    assert token in mailoutbox[0].body
    person = services.accept_invitation(
        token, password="korrekt-hest-batteri-42", first_name="Ny", last_name="Leder"
    )
    assert person.email == "ny.leder@randers.example"
    assert person.municipality == randers
    assert access.roles_of(person) == {Role.PROJECT_LEADER}
    with pytest.raises(ApplicationError):
        services.accept_invitation(
            token, password="korrekt-hest-batteri-42", first_name="Igen", last_name="Igen"
        )

    invitation, expired_token = services.invite(
        "sen@randers.example", invited_by=editor, municipality=randers
    )
    invitation.expires_at = timezone.now() - timedelta(seconds=1)
    invitation.save()
    with pytest.raises(ApplicationError):
        services.accept_invitation(
            expired_token, password="korrekt-hest-batteri-42", first_name="Sen", last_name="Sen"
        )
    assert not User.objects.filter(email="sen@randers.example").exists()


def test_weak_password_creates_nobody():
    _invitation, token = services.invite(
        "svag@randers.example",
        invited_by=agency_editor(),
        municipality=municipal_person("Randers").municipality,
    )
    with pytest.raises(ValidationError):
        services.accept_invitation(token, password="123", first_name="S", last_name="V")
    assert not User.objects.filter(email="svag@randers.example").exists()
    assert services.find_invitation(token) is not None


def test_only_editors_invite():
    with pytest.raises(PermissionDenied):
        services.invite(
            "x@randers.example",
            invited_by=municipal_person("Randers", Role.PROJECT_LEADER),
            municipality=municipal_person("Randers").municipality,
        )


def test_the_editor_role_follows_into_the_wagtail_group():
    staff = User.objects.create_user("ny@socialstyrelsen.example", "x", is_agency_staff=True)
    services.grant_role(staff, Role.AGENCY_EDITOR)
    assert staff.groups.filter(name=services.EDITORS_GROUP).exists()
    assert access.is_agency_editor(staff)
    services.revoke_role(staff, Role.AGENCY_EDITOR)
    assert not staff.groups.filter(name=services.EDITORS_GROUP).exists()
    assert not access.is_agency_editor(User.objects.get(pk=staff.pk))


def test_roles_must_fit_where_the_person_works():
    with pytest.raises(ValidationError):
        services.grant_role(municipal_person("Randers"), Role.AGENCY_EDITOR)
    staff = User.objects.create_user("a@socialstyrelsen.example", "x", is_agency_staff=True)
    with pytest.raises(ValidationError):
        services.grant_role(staff, Role.PROJECT_LEADER)


def test_partners_own_project_leader_and_editors_report_progress(initiative):
    randers = member(initiative, "Randers", Membership.Status.PARTNER)
    member(initiative, "Herning", Membership.Status.PARTNER)
    member(initiative, "Aarhus", Membership.Status.REFERENCE)
    leader = municipal_person("Randers", Role.PROJECT_LEADER)
    services.set_part_status(
        randers, 1, PartProgress.Status.IN_PROGRESS, by=leader, on=date(2020, 2, 1)
    )
    services.set_part_status(randers, 1, PartProgress.Status.DONE, by=leader, on=date(2020, 6, 1))
    progress = PartProgress.objects.get(membership=randers, part=1)
    assert (progress.started_on, progress.finished_on) == (date(2020, 2, 1), date(2020, 6, 1))
    services.add_status_note(randers, 1, "Kortlægningen er afsluttet.", by=agency_editor())
    for outsider in (
        municipal_person("Herning", Role.PROJECT_LEADER),
        municipal_person("Aarhus", Role.PROJECT_LEADER),
        municipal_person("Randers", Role.IMPLEMENTATION_GROUP),
    ):
        with pytest.raises(PermissionDenied):
            services.add_status_note(randers, 1, "Ikke min kommune", by=outsider)
    assert StatusNote.objects.count() == 1


def test_empty_status_note_is_refused(initiative):
    randers = member(initiative, "Randers", Membership.Status.PARTNER)
    with pytest.raises(ValidationError):
        services.add_status_note(randers, 2, "   ", by=agency_editor())


def test_editor_group_is_what_the_migrations_made():
    assert Group.objects.filter(name=services.EDITORS_GROUP).exists()


@pytest.mark.parametrize(
    ("description", "lump_sum"),
    [
        ("Diverse udgifter", True),
        ("Løn og overhead", True),
        ("Overhead 7 %", True),
        ("Øvrige udgifter", True),
        ("Løn til projektleder, 30 timer om ugen", False),
        ("Kursus i recovery for 15 medarbejdere", False),
        ("Husleje til mødelokale", False),
    ],
)
def test_lump_sum_means_nothing_but_generic_words(description, lump_sum):
    assert services.is_lump_sum(description) is lump_sum


def test_a_decision_is_final(pool):
    person = municipal_person("Randers")
    application = complete_draft(services.start_application(pool, person), person)
    services.submit_application(application, person)
    director = agency_director()
    after = pool.deadline + timedelta(days=1)
    services.decide(application, "partner", decided_by=director, now=after)
    with pytest.raises(ApplicationError):
        services.decide(application, "rejected", decided_by=director, now=after)
    membership = Membership.objects.get(municipality=person.municipality)
    assert [e.status for e in membership.events.all()] == ["applicant", "partner"]


def test_the_moderator_role_lets_its_holder_into_the_admin():
    staff = User.objects.create_user("m@socialstyrelsen.example", "x", is_agency_staff=True)
    services.grant_role(staff, Role.AGENCY_MODERATOR)
    assert User.objects.get(pk=staff.pk).has_perm("wagtailadmin.access_admin")
    services.revoke_role(staff, Role.AGENCY_MODERATOR)
    assert not User.objects.get(pk=staff.pk).has_perm("wagtailadmin.access_admin")
