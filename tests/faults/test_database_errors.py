"""The database fails part-way through a write: a clear error page, and nothing half saved.

For each multi-step write a step is let do its work and then fails as a database that
went away would (``OperationalError``), and the request goes through the normal view.
The answer is our own error page (status 500), every row is as it was, no email leaves
and nothing is broadcast. Each test then repeats the request without the fault, to show
that the same setup does save, email and broadcast.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grants import services as grants
from grants.models import CaseDocument
from knowledge import services as forum
from knowledge.models import Notification, Post, Space, Subscription
from meetings import services as meetings
from meetings.models import Registration
from network import services as network
from network.models import Application, Membership, MembershipEvent, PartProgress
from tests.knowledge.factories import SpaceFactory, TopicFactory, numbered_post
from tests.meetings.factories import MeetingFactory, RegistrationFactory
from tests.network.factories import (
    ApplicationFactory,
    InitiativeFactory,
    agency_director,
    agency_editor,
    agency_moderator,
    member,
    municipal_person,
    municipality,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status


def fail_after(monkeypatch, target, name):
    """Let ``target.name`` do its work, then fail as a lost database connection would."""
    original = getattr(target, name)

    def failing(*args, **kwargs):
        original(*args, **kwargs)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(target, name, failing)


@pytest.fixture
def browser():
    """A client that answers an unexpected error with the error page, as the server does."""
    return Client(raise_request_exception=False)


@pytest.fixture
def broadcasts(monkeypatch):
    sent = []
    monkeypatch.setattr(
        forum, "broadcast_post", lambda post, event, **options: sent.append((post, event))
    )
    return sent


def assert_error_page(response):
    assert response.status_code == 500
    html = response.content.decode()
    assert "error-page--500" in html
    assert "<h1>" in html


def test_a_reply_that_fails_after_numbering_leaves_the_topic_as_it_was(
    browser, monkeypatch, mailoutbox, broadcasts, django_capture_on_commit_callbacks
):
    space = SpaceFactory(visibility=Space.Visibility.NETWORK)
    member(space.initiative, "Aarhus", Membership.Status.PARTNER)
    follower = municipal_person("Aarhus")
    writer = municipal_person("Aarhus")
    topic = TopicFactory(space=space, author=follower)
    numbered_post(topic, follower, "Det første indlæg.")
    Subscription.objects.create(person=follower, topic=topic, mode=Subscription.Mode.FOLLOWING)
    forum.set_email_notifications(follower, True)
    before = (topic.post_count, topic.last_sequence, topic.last_post_at)
    url = reverse("knowledge:topic", args=[topic.pk])
    browser.force_login(writer)
    # The post is numbered and saved, the follower notified, the broadcast and the
    # email queued for the commit; then the database fails.
    fail_after(monkeypatch, forum, "_create_post")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = browser.post(url, {"text": "Et svar der går tabt.", "quoted": ""})

    assert_error_page(response)
    topic.refresh_from_db()
    assert (topic.post_count, topic.last_sequence, topic.last_post_at) == before
    assert list(Post.objects.filter(topic=topic).values_list("sequence", flat=True)) == [1]
    assert not Notification.objects.exists()
    assert not Subscription.objects.filter(person=writer).exists()
    assert (callbacks, mailoutbox, broadcasts) == ([], [], [])

    monkeypatch.undo()
    monkeypatch.setattr(
        forum, "broadcast_post", lambda post, event, **options: broadcasts.append(event)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(url, {"text": "Et svar der går tabt.", "quoted": ""})
    assert response.status_code == 302
    assert Post.objects.filter(topic=topic).count() == 2
    assert [message.to for message in mailoutbox] == [[follower.email]]
    assert broadcasts == ["post.created"]


def test_a_decision_that_fails_after_the_membership_leaves_the_application_undecided(
    browser, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    initiative = InitiativeFactory(pool__deadline=timezone.now() - timedelta(days=1))
    leader = municipal_person("Randers", email="projektleder@randers.example")
    application = ApplicationFactory(
        pool=initiative.pool,
        municipality=municipality("Randers"),
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now() - timedelta(days=2),
        project_leader_email=leader.email,
    )
    recommendation = grants.recommend(
        application, outcome="partner", amount=1_000_000, reasons="Stærk", by=agency_editor()
    )
    url = reverse("grants:decision_list", args=[initiative.pool.pk])
    browser.force_login(agency_director())
    approval = {"action": "approve", "recommendation": recommendation.pk}
    # The application is marked decided, the membership, its history event and the five
    # project parts are saved; then the database fails.
    fail_after(monkeypatch, network, "set_membership_status")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = browser.post(url, approval)

    assert_error_page(response)
    application.refresh_from_db()
    assert (application.status, application.decision, application.decided_at) == (
        Application.Status.SUBMITTED,
        "",
        None,
    )
    assert not Membership.objects.filter(initiative=initiative).exists()
    assert not MembershipEvent.objects.exists()
    assert not PartProgress.objects.exists()
    recommendation.refresh_from_db()
    assert recommendation.status == "proposed"
    assert not CaseDocument.objects.exists()
    assert (callbacks, mailoutbox) == ([], [])

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(url, approval)
    assert response.status_code == 302
    membership = Membership.objects.get(initiative=initiative)
    assert membership.status == Membership.Status.PARTNER
    assert PartProgress.objects.filter(membership=membership).count() == 5
    assert [message.to for message in mailoutbox] == [[leader.email]]


def test_a_sign_up_that_fails_after_its_row_is_not_kept(
    browser, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(seats=10)
    person = municipal_person("Vejle")
    url = reverse("meetings:register", args=[meeting.pk])
    browser.force_login(person)
    fail_after(monkeypatch, Registration.objects, "create")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = browser.post(url)

    assert_error_page(response)
    assert not Registration.objects.exists()
    assert (callbacks, mailoutbox) == ([], [])

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert browser.post(url).status_code == 302
    assert Registration.objects.get().status == Status.CONFIRMED
    assert [message.to for message in mailoutbox] == [[person.email]]


def test_a_cancellation_that_fails_after_promoting_keeps_both_places(
    browser, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(seats=1)
    leaving = RegistrationFactory(meeting=meeting, person=municipal_person("Vejle"))
    waiting = RegistrationFactory(
        meeting=meeting, person=municipal_person("Odense"), status=Status.WAITING
    )
    url = reverse("meetings:cancel", args=[leaving.pk])
    browser.force_login(leaving.person)
    # The place is cancelled, the first on the waiting list moved up and emailed on
    # commit; then the database fails.
    fail_after(monkeypatch, meetings, "promote_waiting")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = browser.post(url)

    assert_error_page(response)
    leaving.refresh_from_db()
    waiting.refresh_from_db()
    assert (leaving.status, leaving.cancelled_at, waiting.status) == (
        Status.CONFIRMED,
        None,
        Status.WAITING,
    )
    assert (callbacks, mailoutbox) == ([], [])

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert browser.post(url).status_code == 302
    leaving.refresh_from_db()
    waiting.refresh_from_db()
    assert (leaving.status, waiting.status) == (Status.CANCELLED, Status.CONFIRMED)
    assert [message.to for message in mailoutbox] == [[waiting.email]]


def test_hiding_a_reported_post_that_fails_half_way_hides_nothing(
    browser, monkeypatch, broadcasts, django_capture_on_commit_callbacks
):
    space = SpaceFactory(visibility=Space.Visibility.NETWORK)
    member(space.initiative, "Aarhus", Membership.Status.PARTNER)
    author = municipal_person("Aarhus")
    topic = TopicFactory(space=space, author=author)
    post = numbered_post(topic, author, "Et indlæg der bliver anmeldt.")
    report = forum.report_post(post, municipal_person("Aarhus"), "Nævner en borger ved navn.")
    url = reverse("knowledge_admin:hide_reported", args=[report.pk])
    moderator = agency_moderator()
    moderator.user_permissions.add(Permission.objects.get(codename="access_admin"))
    browser.force_login(moderator)
    # The post is hidden and its reports marked handled; then the database fails.
    fail_after(monkeypatch, forum, "mark_reports_handled")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = browser.post(url)

    assert_error_page(response)
    post.refresh_from_db()
    report.refresh_from_db()
    assert (post.hidden_at, post.hidden_by, report.handled_at) == (None, None, None)
    assert (callbacks, broadcasts) == ([], [])
