"""The per-person write limits (config/limits.py): sizes, windows, the message, who is exempt."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from config import limits
from knowledge import services as forum
from knowledge.models import Post, Space
from network import services as network
from network.models import Membership, Role, StatusNote
from tests.knowledge.factories import SpaceFactory, TopicFactory
from tests.network.factories import (
    InitiativeFactory,
    agency_editor,
    agency_moderator,
    member,
    municipal_person,
)

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))


@pytest.mark.parametrize(
    ("size", "count", "seconds"),
    [("8/m", 8, 60), ("10/h", 10, 3600), ("5/10m", 5, 600), (" 3 / s ", 3, 1), ("1/d", 1, 86400)],
)
def test_sizes_are_count_per_period(size, count, seconds):
    assert limits.parse("posts", size) == limits.Limit("posts", count, seconds)


@pytest.mark.parametrize("size", ["8", "8/w", "m/8", "-1/m", "8 per minute"])
def test_a_size_that_is_not_count_per_period_is_refused(size):
    with pytest.raises(ValueError, match="count/period"):
        limits.parse("posts", size)


def test_every_kind_has_a_size_that_parses(settings):
    assert set(settings.WRITE_LIMITS) == set(limits.KINDS)
    for kind in settings.WRITE_LIMITS:
        assert limits.limit(kind).count > 0


def test_the_window_opens_with_the_first_write_and_says_when_it_ends(settings):
    settings.WRITE_LIMITS = {**settings.WRITE_LIMITS, "posts": "3/m"}
    for seconds in (0, 10, 20):
        limits.hit("posts", "anne", NOW + timedelta(seconds=seconds))
    with pytest.raises(limits.LimitReached) as refused:
        limits.hit("posts", "anne", NOW + timedelta(seconds=45))
    assert refused.value.retry_after == 15
    with translation.override("da"):
        assert str(refused.value) == (
            "Du har nået grænsen på 3 indlæg på 1 minut. Intet blev gemt. "
            "Du kan prøve igen om 15 sekunder, kl. 10.01."
        )
    # Refused attempts do not move the end of the window.
    with pytest.raises(limits.LimitReached) as again:
        limits.hit("posts", "anne", NOW + timedelta(seconds=59))
    assert again.value.retry_after == 1
    for seconds in (60, 61, 62):
        limits.hit("posts", "anne", NOW + timedelta(seconds=seconds))
    with pytest.raises(limits.LimitReached):
        limits.hit("posts", "anne", NOW + timedelta(seconds=63))


def test_people_and_kinds_are_counted_apart(settings):
    settings.WRITE_LIMITS = {**settings.WRITE_LIMITS, "posts": "1/m", "edits": "1/m"}
    limits.hit("posts", "anne", NOW)
    limits.hit("posts", "bo", NOW)
    limits.hit("edits", "anne", NOW)
    with pytest.raises(limits.LimitReached):
        limits.hit("edits", "anne", NOW)


def test_a_long_wait_is_told_in_minutes_and_hours(settings):
    settings.WRITE_LIMITS = {**settings.WRITE_LIMITS, "post_reports": "1/h", "invitations": "1/d"}
    limits.hit("post_reports", "anne", NOW)
    limits.hit("invitations", "anne", NOW)
    with translation.override("da"):
        with pytest.raises(limits.LimitReached) as reports:
            limits.hit("post_reports", "anne", NOW + timedelta(minutes=20))
        assert "på 1 time." in str(reports.value)
        assert "om 40 minutter, kl. 11.00." in str(reports.value)
        with pytest.raises(limits.LimitReached) as invitations:
            limits.hit("invitations", "anne", NOW + timedelta(hours=1))
        assert "på 24 timer." in str(invitations.value)
        assert "om 23 timer" in str(invitations.value)


def test_without_a_reachable_cache_writes_are_let_through(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    settings.WRITE_LIMITS = {**settings.WRITE_LIMITS, "posts": "1/m"}
    for _ in range(5):
        limits.hit("posts", "anne", NOW)


@pytest.mark.django_db
def test_moderators_post_in_bursts_and_editors_write_progress_in_bursts(settings):
    space = SpaceFactory(visibility=Space.Visibility.NETWORK)
    topic = TopicFactory(space=space)
    moderator = agency_moderator()
    posts = limits.limit("posts").count + 2
    for number in range(posts):
        forum.post_reply(topic, moderator, f"Til alle, nummer {number}")
    assert Post.objects.filter(author=moderator).count() == posts

    initiative = InitiativeFactory()
    membership = member(initiative, "Randers", Membership.Status.PARTNER)
    editor = agency_editor()
    notes = limits.limit("status_notes").count + 2
    for number in range(notes):
        network.add_status_note(membership, 1, f"Fra styregruppen {number}", by=editor)
    assert StatusNote.objects.filter(membership=membership).count() == notes

    leader = municipal_person("Randers", Role.PROJECT_LEADER)
    for number in range(limits.limit("status_notes").count):
        network.add_status_note(membership, 1, f"Status {number}", by=leader)
    with pytest.raises(limits.LimitReached):
        network.add_status_note(membership, 1, "En for meget", by=leader)
