"""Mit overblik: where a login lands, what it shows to whom, and in how many queries."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from cms.models import SiteSettings
from grants.models import DueItem, Recommendation
from grants.services import add_event
from knowledge.models import Notification, PostReport, Space, Subscription
from meetings.models import Meeting, Registration
from network.models import Application, Membership, Municipality, Role
from network.overview import LIMIT, Section
from tests.grants.factories import award, closed_pool, submit
from tests.knowledge.factories import SpaceFactory, TopicFactory, numbered_post
from tests.meetings.factories import ActionItemFactory, MeetingFactory, RegistrationFactory
from tests.network.factories import (
    ApplicationFactory,
    InitiativeFactory,
    PersonFactory,
    agency_director,
    agency_editor,
    agency_moderator,
    member,
    municipal_person,
)

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("network:overview")
LOGIN = reverse("network:login")
MAX_QUERIES = 15


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE = False
    SiteSettings.load()


def overview_html(client, person):
    client.force_login(person)
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    return response.content.decode()


# --- Where a login lands ---------------------------------------------------------------------


def test_the_overview_needs_a_login(client):
    response = client.get(OVERVIEW)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={OVERVIEW}"


def password_login(client, person, next_url=None):
    data = {"username": person.email, "password": "korrekt-hest-batteri-42"}
    if next_url is not None:
        data["next"] = next_url
    return client.post(LOGIN, data)


@pytest.fixture
def person():
    person = municipal_person("Randers")
    person.set_password("korrekt-hest-batteri-42")
    person.save()
    return person


@pytest.mark.parametrize("next_url", [None, "", "/", "/?utm=x", "https://andetsted.example/"])
def test_a_login_without_a_page_to_return_to_lands_on_the_overview(client, person, next_url):
    response = password_login(client, person, next_url)
    assert response.status_code == 302 and response["Location"] == OVERVIEW


def test_a_login_started_from_a_protected_page_returns_to_it(client, person):
    response = password_login(client, person, reverse("meetings:my_registrations"))
    assert response["Location"] == reverse("meetings:my_registrations")


def test_the_front_page_login_link_lands_on_the_overview(client, person):
    """The login form keeps the ``next`` of the link it was opened by; from "/" the
    person still lands on the overview."""
    form = client.get(LOGIN + "?next=/").content.decode()
    assert 'name="next" value="/"' in form
    assert password_login(client, person, "/")["Location"] == OVERVIEW


def test_accepting_an_invitation_lands_on_the_overview(client):
    from network import services

    _invitation, token = services.invite(
        "ny@randers.example",
        invited_by=agency_editor(),
        municipality=municipal_person("Randers").municipality,
        is_agency_staff=False,
        roles=[Role.PROJECT_LEADER],
    )
    response = client.post(
        reverse("network:accept_invitation", args=[token]),
        {
            "first_name": "Ny",
            "last_name": "Person",
            "password1": "korrekt-hest-batteri-42",
            "password2": "korrekt-hest-batteri-42",
        },
    )
    assert response.status_code == 302 and response["Location"] == OVERVIEW


# --- What it shows ---------------------------------------------------------------------------


@pytest.fixture
def network():
    initiative = InitiativeFactory()
    member(initiative, "Randers", Membership.Status.PARTNER)
    member(initiative, "Odense", Membership.Status.REFERENCE)
    return initiative


def test_a_member_sees_their_next_meetings_not_past_or_cancelled_sign_ups(client, network):
    anna = municipal_person("Randers", first_name="Anna")
    coming = RegistrationFactory(person=anna, meeting__title="Styregruppemøde i maj")
    RegistrationFactory(
        person=anna,
        status=Registration.Status.WAITING,
        meeting__title="Kick-off med venteliste",
    )
    RegistrationFactory(person=anna, meeting__title="Et møde der var", meeting__past=True)
    RegistrationFactory(
        person=anna, status=Registration.Status.CANCELLED, meeting__title="Afmeldt møde"
    )
    RegistrationFactory(meeting__title="En andens møde")

    html = overview_html(client, anna)

    assert "Mit overblik" in html and "Velkommen, Anna" in html
    assert coming.meeting.title in html and "Bekræftet" in html
    assert "Kick-off med venteliste" in html and "Venteliste, nummer 1" in html
    for hidden in ("Et møde der var", "Afmeldt møde", "En andens møde"):
        assert hidden not in html


def test_a_meeting_whose_audience_the_person_left_is_not_shown(client, network):
    anna = municipal_person("Randers")
    other = InitiativeFactory()
    RegistrationFactory(
        person=anna,
        meeting__title="Kun for partnere i et andet initiativ",
        meeting__audience=Meeting.Audience.PARTNERS,
        meeting__initiative=other,
    )
    assert "Kun for partnere i et andet initiativ" not in overview_html(client, anna)


def test_a_member_sees_the_municipality_s_open_action_items_only(client, network):
    meeting = MeetingFactory(
        past=True, audience=Meeting.Audience.NETWORK, initiative=network, title="Styregruppe"
    )
    ActionItemFactory(meeting=meeting, text="Send implementeringsplanen")
    ActionItemFactory(meeting=meeting, text="Allerede gjort", done_on=timezone.localdate())
    odense = member(network, "Aarhus", Membership.Status.PARTNER).municipality
    ActionItemFactory(meeting=meeting, text="Aarhus' opgave", owner=odense)

    html = overview_html(client, municipal_person("Randers"))

    assert "Send implementeringsplanen" in html
    assert "Allerede gjort" not in html and "Aarhus' opgave" not in html


def test_unread_mentions_and_topics_in_spaces_the_person_may_read(client, network):
    anna = municipal_person("Randers", first_name="Anna")
    writer = municipal_person("Odense", first_name="Ole", last_name="Hansen")
    space = SpaceFactory(initiative=network, visibility=Space.Visibility.NETWORK)
    topic = TopicFactory(space=space, title="Recovery i bostøtten", author=writer)
    first = numbered_post(topic, writer)
    Subscription.objects.create(person=anna, topic=topic, last_read_sequence=first.sequence)
    mention = numbered_post(topic, writer, "Hvad siger @anna?")
    numbered_post(topic, writer)
    Notification.objects.create(person=anna, kind=Notification.Kind.MENTION, post=mention)
    read_topic = TopicFactory(space=space, title="Læst til bunds", author=writer)
    Subscription.objects.create(
        person=anna, topic=read_topic, last_read_sequence=numbered_post(read_topic, writer).sequence
    )
    secret = TopicFactory(
        space=SpaceFactory(visibility=Space.Visibility.PARTNERS), title="Hemmeligt emne"
    )
    secret_post = numbered_post(secret, writer)
    Subscription.objects.create(person=anna, topic=secret, last_read_sequence=0)
    Notification.objects.create(person=anna, kind=Notification.Kind.MENTION, post=secret_post)

    html = overview_html(client, anna)

    assert "Recovery i bostøtten" in html and "2 nye" in html
    assert "Ole Hansen nævnte dig" in html
    assert "Læst til bunds" not in html and "Hemmeligt emne" not in html


def test_a_municipality_sees_what_it_must_hand_in_and_what_is_new_on_its_cases(client):
    pool = closed_pool()
    case = award(pool, "Randers")
    leader = case.application.created_by
    add_event(case, "message", "Ny besked fra Socialstyrelsen.", by=agency_editor())
    item = case.due_items.order_by("due_on").first()

    html = overview_html(client, leader)

    assert "Rapporter og regnskaber, jeres kommune skal aflevere" in html
    assert reverse("grants:report", args=[case.pk, item.pk]) in html
    assert "Ny besked fra Socialstyrelsen." in html
    # Another municipality's person sees none of it.
    other = overview_html(client, municipal_person("Odense"))
    assert reverse("grants:report", args=[case.pk, item.pk]) not in other
    assert "Ny besked fra Socialstyrelsen." not in other


def test_a_member_without_a_role_sees_no_agency_queue(client, network):
    pool = closed_pool()
    submit(pool, "Aarhus")
    reported = numbered_post(TopicFactory(title="Anmeldt emne"), PersonFactory())
    PostReport.objects.create(post=reported, reason="Personfølsomt")

    html = overview_html(client, municipal_person("Randers"))

    for queue in ("Ansøgninger til vurdering", "afventer din godkendelse", "Anmeldte indlæg"):
        assert queue not in html
    assert pool.title not in html and "Anmeldt emne" not in html


def test_an_editor_sees_applications_to_assess_and_reports_to_review(client):
    pool = closed_pool()
    submit(pool, "Aarhus")
    submit(pool, "Vejle")
    case = award(pool, "Randers")
    item = case.due_items.filter(kind=DueItem.Kind.STATUS_REPORT).first()
    DueItem.objects.filter(pk=item.pk).update(status=DueItem.Status.SUBMITTED)

    html = overview_html(client, agency_editor())

    assert "Ansøgninger til vurdering" in html
    assert reverse("network:assessment_list", args=[pool.pk]) in html and "2 ansøgninger" in html
    assert "Rapporter og regnskaber til gennemsyn" in html
    assert reverse("grants:overview", args=[pool.pk]) in html and "1 rapport eller regnskab" in html
    assert "afventer din godkendelse" not in html


def test_a_director_sees_the_recommendations_awaiting_approval(client):
    from grants import services

    pool = closed_pool()
    editor = agency_editor()
    for name in ("Aarhus", "Vejle"):
        services.recommend(
            submit(pool, name), outcome="reference", reasons="God ansøgning.", by=editor
        )
    assert Recommendation.objects.filter(status="proposed").count() == 2

    html = overview_html(client, agency_director())

    assert "Indstillinger, der afventer din godkendelse" in html
    assert reverse("grants:decision_list", args=[pool.pk]) in html and "2 indstillinger" in html
    assert "Ansøgninger til vurdering" not in html


def test_a_moderator_sees_the_unhandled_reported_posts(client):
    post = numbered_post(TopicFactory(title="Anmeldt emne"), PersonFactory())
    PostReport.objects.create(post=post, reason="Personfølsomt")
    handled = numbered_post(TopicFactory(title="Behandlet emne"), PersonFactory())
    PostReport.objects.create(post=handled, reason="Spam", handled_at=timezone.now())

    html = overview_html(client, agency_moderator())

    assert "Indlæg anmeldt til moderatorerne" in html
    assert "Anmeldt emne" in html and "Behandlet emne" not in html
    assert reverse("knowledge_admin:reports") in html
    assert "Ansøgninger til vurdering" not in html


def test_shortcuts_follow_the_roles(client, network):
    member_html = overview_html(client, municipal_person("Randers"))
    assert reverse("network:progress_overview", args=[network.slug]) in member_html
    assert reverse("network:invite") not in member_html
    assert reverse("knowledge_admin:reports") not in member_html
    editor_html = overview_html(client, agency_editor())
    assert reverse("network:invite") in editor_html
    assert reverse("grants:my_cases") in editor_html
    assert "Redaktionens sider" in editor_html
    # The director has no access to the editors' pages: no shortcut that would refuse them.
    director_html = overview_html(client, agency_director())
    assert reverse("grants:my_cases") in director_html
    assert reverse("network:invite") not in director_html
    assert "Redaktionens sider" not in director_html


def test_a_draft_application_to_an_open_pool_is_something_to_do(client):
    person = municipal_person("Randers")
    application = ApplicationFactory(
        municipality=person.municipality,
        created_by=person,
        pool__deadline=timezone.now() + timedelta(days=10),
    )
    assert application.status == Application.Status.DRAFT
    html = overview_html(client, person)
    assert reverse("network:application", args=[application.pk]) in html


# --- At most 15 queries, whatever the amount of data ------------------------------------------


def count_queries(client, django_assert_max_num_queries):
    cache.clear()
    with django_assert_max_num_queries(MAX_QUERIES) as captured:
        response = client.get(OVERVIEW)
    assert response.status_code == 200
    return len(captured)


def assert_bounded(client, person, add_rows, django_assert_max_num_queries):
    """At most 15 queries, before and after adding many rows, and no more after. A first
    request comes before the counting: Wagtail makes agency staff's user profile once,
    on their first page with the editors' bar."""
    InitiativeFactory()  # pool pages in the main menu, as on any site in use
    client.force_login(person)
    client.get(OVERVIEW)
    before = count_queries(client, django_assert_max_num_queries)
    add_rows()
    after = count_queries(client, django_assert_max_num_queries)
    assert after <= before, f"{before} queries, then {after}"


MANY = 20


def municipality_names(count):
    return list(Municipality.objects.order_by("code").values_list("name", flat=True)[:count])


def test_queries_for_a_member(client, network, django_assert_max_num_queries):
    anna = municipal_person("Randers")
    space = SpaceFactory(initiative=network)
    writer = municipal_person("Odense")

    def add():
        for _ in range(MANY):
            meeting = MeetingFactory(audience=Meeting.Audience.NETWORK, initiative=network)
            RegistrationFactory(person=anna, meeting=meeting)
            RegistrationFactory(meeting=meeting, status=Registration.Status.WAITING)
            RegistrationFactory(person=anna, status=Registration.Status.WAITING)
            ActionItemFactory(meeting=meeting)
            topic = TopicFactory(space=space, author=writer)
            post = numbered_post(topic, writer)
            numbered_post(topic, writer)
            Subscription.objects.create(person=anna, topic=topic, last_read_sequence=1)
            Notification.objects.create(person=anna, kind="mention", post=post)

    assert_bounded(client, anna, add, django_assert_max_num_queries)


def test_queries_for_a_municipal_person_with_grant_cases(client, django_assert_max_num_queries):
    pools = [closed_pool(), closed_pool()]
    case = award(pools[0], "Randers")
    leader = case.application.created_by

    def add():
        award(pools[1], "Randers")
        for number in range(MANY):
            add_event(case, "message", f"Besked {number}", by=agency_editor())
        ApplicationFactory.create_batch(
            3,
            municipality=leader.municipality,
            pool__deadline=timezone.now() + timedelta(days=5),
        )

    assert_bounded(client, leader, add, django_assert_max_num_queries)


def test_queries_for_an_agency_editor(client, django_assert_max_num_queries):
    editor = agency_editor()
    pool = closed_pool()

    def add():
        names = municipality_names(16)
        for number in range(8):
            case = award(closed_pool(), names[number], editor=editor)
            case.due_items.update(status=DueItem.Status.SUBMITTED)
            submit(pool, names[8 + number])
            post = numbered_post(TopicFactory(), PersonFactory())
            PostReport.objects.create(post=post, reason="Spam")

    assert_bounded(client, editor, add, django_assert_max_num_queries)


def test_queries_for_the_director(client, django_assert_max_num_queries):
    from grants import services

    director = agency_director()
    editor = agency_editor()

    def add():
        names = municipality_names(16)
        for number in range(8):
            pool = closed_pool()
            for name in names[2 * number : 2 * number + 2]:
                services.recommend(
                    submit(pool, name), outcome="reference", reasons="God.", by=editor
                )

    assert_bounded(client, director, add, django_assert_max_num_queries)


def test_queries_for_a_moderator(client, django_assert_max_num_queries):
    moderator = agency_moderator()

    def add():
        for _ in range(MANY):
            post = numbered_post(TopicFactory(), PersonFactory())
            PostReport.objects.create(post=post, reason="Spam")
            RegistrationFactory(person=moderator)

    assert_bounded(client, moderator, add, django_assert_max_num_queries)


def test_a_section_shows_five_rows_and_says_when_there_are_more():
    full = Section(key="k", title="t", template="x.html", rows=range(LIMIT + 1))
    assert full.rows == list(range(LIMIT)) and full.has_more
    exact = Section(key="k", title="t", template="x.html", rows=range(LIMIT))
    assert exact.rows == list(range(LIMIT)) and not exact.has_more
