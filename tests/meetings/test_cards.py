"""Meeting cards in the meeting list are cached, and every change they show shows at once."""

from datetime import timedelta

import pytest
from django.urls import reverse

from meetings import services
from tests.meetings.factories import MeetingFactory
from tests.network.factories import municipal_person

pytestmark = pytest.mark.django_db


def listed(client):
    response = client.get(reverse("meetings:list"))
    assert response.status_code == 200
    text = response.content.decode()
    return text[text.index('<ul class="card-list') :].split("</ul>", 1)[0]


def test_a_card_comes_from_the_cache_until_the_meeting_changes(client):
    meeting = MeetingFactory(title="Informationsmøde i Odense", seats=2)
    first = listed(client)
    assert "Informationsmøde i Odense" in first
    assert listed(client) == first
    meeting.title = "Informationsmøde i Vejle"
    meeting.city = "Vejle"
    meeting.starts_at += timedelta(days=1)
    meeting.ends_at += timedelta(days=1)
    meeting.save()
    changed = listed(client)
    assert "Informationsmøde i Vejle" in changed and "Odense" not in changed


def test_seats_left_and_the_readers_own_sign_up_show_at_once(client):
    meeting = MeetingFactory(seats=1)
    person = municipal_person("Randers")
    client.force_login(person)
    assert "<dd>1</dd>" in listed(client)
    services.register(meeting, person)
    card = listed(client)
    assert "Fuldt – venteliste" in card and "Dig: Bekræftet" in card
    client.force_login(municipal_person("Odense"))
    assert "Dig:" not in listed(client)


def test_a_cancelled_meeting_shows_at_once(client):
    meeting = MeetingFactory()
    listed(client)
    meeting.cancelled_at = meeting.starts_at - timedelta(days=3)
    meeting.save()
    assert "Aflyst" in listed(client)
