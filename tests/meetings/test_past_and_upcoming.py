"""Min side and Mine tilmeldinger show upcoming and past meetings apart; a past meeting
says what happened (attended, cancelled, did not attend), never "confirmed"."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Registration
from meetings.views import PAST_PAGE_SIZE
from network.views.accounts import MY_PAGE_MEETINGS
from tests.meetings.factories import MeetingFactory, RegistrationFactory
from tests.network.factories import municipal_person

pytestmark = pytest.mark.django_db

MY_REGISTRATIONS = reverse("meetings:my_registrations")
MY_PAGE = reverse("network:my_page")


def section(html, heading_id):
    """The HTML of the section headed by the element with ``heading_id``."""
    start = html.index(f'id="{heading_id}"')
    end = html.find("</section>", start)
    return html[start:end]


@pytest.fixture
def history():
    """A person's places: one coming, and past ones with every outcome."""
    person = municipal_person("Randers")
    coming = RegistrationFactory(person=person, meeting__title="Kommende styregruppemøde")
    RegistrationFactory(person=person, meeting__title="Mødte op", meeting__past=True, attended=True)
    RegistrationFactory(
        person=person, meeting__title="Kom ikke", meeting__past=True, attended=False
    )
    RegistrationFactory(
        person=person,
        meeting__title="Meldte fra",
        meeting__past=True,
        status=Registration.Status.CANCELLED,
        cancelled_at=timezone.now(),
    )
    RegistrationFactory(person=person, meeting__title="Ingen optælling", meeting__past=True)
    return person, coming


def test_the_outcome_of_a_past_place():
    cases = [
        ({"status": "confirmed", "attended": True}, "attended"),
        ({"status": "confirmed", "attended": False}, "no_show"),
        ({"status": "confirmed", "attended": None}, "not_recorded"),
        ({"status": "cancelled", "attended": None}, "cancelled"),
        ({"status": "waiting", "attended": None}, "no_place"),
        ({"status": "unconfirmed", "attended": None}, "unconfirmed"),
    ]
    meeting = MeetingFactory.build(past=True)
    for fields, outcome in cases:
        assert Registration(meeting=meeting, **fields).outcome() == outcome
    meeting.cancelled_at = timezone.now()
    assert Registration(meeting=meeting, status="confirmed").outcome() == "meeting_cancelled"


def test_my_registrations_shows_past_meetings_apart_with_what_happened(client, history):
    person, _coming = history
    client.force_login(person)
    html = client.get(MY_REGISTRATIONS).content.decode()

    upcoming = section(html, "upcoming-heading")
    past = section(html, "past-heading")
    assert "Kommende styregruppemøde" in upcoming and "Bekræftet" in upcoming
    assert "Mødte op" not in upcoming
    for title, said in [
        ("Mødte op", "Deltog"),
        ("Kom ikke", "Udeblev"),
        ("Meldte fra", "Afmeldt"),
        ("Ingen optælling", "fremmøde ikke registreret"),
    ]:
        row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{title}(?:(?!</tr>).)*</tr>", past, re.S)
        assert row and said in row.group(0), title
    assert "Bekræftet" not in past
    assert "Kommende styregruppemøde" not in past


def test_my_page_shows_upcoming_and_past_meetings_apart(client, history):
    person, _coming = history
    client.force_login(person)
    html = client.get(MY_PAGE).content.decode()

    meetings = section(html, "my-meetings-heading")
    upcoming = meetings[: meetings.index('id="past-meetings-heading"')]
    past = meetings[meetings.index('id="past-meetings-heading"') :]
    assert "Kommende styregruppemøde" in upcoming and "Mødte op" not in upcoming
    assert "Deltog" in past and "Udeblev" in past and "Afmeldt" in past
    assert "Bekræftet" not in past
    assert reverse("network:overview") in html


def test_the_past_list_is_paged_and_its_queries_bounded(client, django_assert_max_num_queries):
    person = municipal_person("Randers")
    client.force_login(person)

    def count():
        with django_assert_max_num_queries(15) as captured:
            assert client.get(MY_REGISTRATIONS).status_code == 200
        return len(captured)

    RegistrationFactory(person=person, meeting__past=True, attended=True)
    RegistrationFactory(person=person)
    before = count()
    for _ in range(PAST_PAGE_SIZE + 4):
        RegistrationFactory(person=person, meeting__past=True, attended=True)
        RegistrationFactory(person=person)
    assert count() <= before

    first = client.get(MY_REGISTRATIONS).content.decode()
    assert section(first, "past-heading").count("Deltog") == PAST_PAGE_SIZE
    assert "side=2" in first
    second = client.get(MY_REGISTRATIONS + "?side=2").content.decode()
    assert section(second, "past-heading").count("Deltog") == 5


def test_my_page_lists_a_bounded_number_of_meetings_in_bounded_queries(
    client, django_assert_max_num_queries
):
    person = municipal_person("Randers")
    client.force_login(person)

    def count():
        with django_assert_max_num_queries(15) as captured:
            assert client.get(MY_PAGE).status_code == 200
        return len(captured)

    RegistrationFactory(person=person, meeting__past=True, attended=False)
    RegistrationFactory(person=person)
    before = count()
    for _ in range(3 * MY_PAGE_MEETINGS):
        RegistrationFactory(person=person, meeting__past=True, attended=False)
        RegistrationFactory(person=person)
    assert count() <= before
    html = client.get(MY_PAGE).content.decode()
    meetings = section(html, "my-meetings-heading")
    assert meetings.count("Udeblev") == MY_PAGE_MEETINGS
