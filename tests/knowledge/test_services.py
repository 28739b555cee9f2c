"""The posting services: rate limit and duplicate window, gapless sequence numbers,
notifications for mentions and followers (muting and visibility respected), and edits
that keep their history."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from config.limits import LimitReached
from knowledge import services, text
from knowledge.models import Notification, Post, PostRevision, Space, Subscription, Topic
from network.models import Membership
from tests.knowledge.factories import SpaceFactory
from tests.network.factories import InitiativeFactory, member, municipal_person

pytestmark = pytest.mark.django_db

NOW = datetime(2021, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
Kind = Notification.Kind


@pytest.fixture
def initiative():
    initiative = InitiativeFactory()
    member(initiative, "Randers", Membership.Status.PARTNER)
    member(initiative, "Herning", Membership.Status.PARTNER)
    member(initiative, "Aarhus", Membership.Status.REFERENCE)
    return initiative


@pytest.fixture
def network_space(initiative):
    return SpaceFactory(visibility=Space.Visibility.NETWORK, initiative=initiative)


@pytest.fixture
def partners_space(initiative):
    return SpaceFactory(visibility=Space.Visibility.PARTNERS, initiative=initiative)


@pytest.fixture
def anders():
    return municipal_person("Randers", first_name="Anders", last_name="Kjær")


@pytest.fixture
def jesper():
    return municipal_person("Herning", first_name="Jesper", last_name="Skov")


@pytest.fixture
def sofie():
    return municipal_person("Aarhus", first_name="Sofie", last_name="Dahl")


@pytest.fixture
def topic(network_space, anders):
    return services.start_topic(
        network_space, anders, title="Recovery i bostøtten", source="Første indlæg.", now=NOW
    )


def kinds(person):
    return sorted(Notification.objects.filter(person=person).values_list("kind", flat=True))


# --- Rate limit and duplicates ---------------------------------------------------------------


def test_the_ninth_post_in_a_minute_is_refused_with_a_clear_message(topic, sofie):
    for number in range(8):
        services.post_reply(topic, sofie, f"Svar {number}", now=NOW + timedelta(seconds=number))
    with translation.override("da"), pytest.raises(LimitReached) as refusal:
        services.post_reply(topic, sofie, "Svar 9", now=NOW + timedelta(seconds=30))
    assert str(refusal.value) == (
        "Du har nået grænsen på 8 indlæg på 1 minut. Intet blev gemt. "
        "Du kan prøve igen om 30 sekunder, kl. 10.01."
    )
    assert Post.objects.filter(author=sofie).count() == 8
    # A minute after the first, there is room again.
    post = services.post_reply(topic, sofie, "Svar 9", now=NOW + timedelta(seconds=61))
    assert post.sequence == 10


def test_the_rate_limit_is_per_person(topic, sofie, jesper):
    for number in range(8):
        services.post_reply(topic, sofie, f"Svar {number}", now=NOW + timedelta(seconds=number))
    assert services.post_reply(topic, jesper, "Mit svar", now=NOW + timedelta(seconds=9))


def test_the_same_text_twice_is_refused_within_the_window(topic, sofie):
    services.post_reply(topic, sofie, "Tak for det!", now=NOW)
    with translation.override("da"), pytest.raises(services.PostingRefused) as refusal:
        services.post_reply(topic, sofie, "  Tak for det!  ", now=NOW + timedelta(seconds=90))
    assert str(refusal.value) == "Du har lige skrevet den samme tekst i dette emne."
    assert services.post_reply(topic, sofie, "Tak for det!", now=NOW + timedelta(minutes=3))


def test_the_same_topic_twice_is_refused_within_the_window(network_space, sofie):
    services.start_topic(network_space, sofie, title="Opstart", source="Hvordan?", now=NOW)
    with translation.override("da"), pytest.raises(services.PostingRefused) as refusal:
        services.start_topic(
            network_space, sofie, title="Opstart", source="Hvordan?", now=NOW + timedelta(seconds=1)
        )
    assert str(refusal.value) == "Du har lige startet et emne med denne titel i dette rum."
    assert Topic.objects.filter(title="Opstart").count() == 1
    later = NOW + timedelta(minutes=3)
    assert services.start_topic(network_space, sofie, title="Opstart", source="Igen", now=later)


def test_the_same_text_in_another_topic_is_fine(topic, network_space, sofie, anders):
    other = services.start_topic(
        network_space, anders, title="Andet emne", source="Hej.", now=NOW + timedelta(minutes=5)
    )
    services.post_reply(topic, sofie, "Tak for det!", now=NOW)
    assert services.post_reply(other, sofie, "Tak for det!", now=NOW + timedelta(seconds=5))


# --- Sequence numbers ------------------------------------------------------------------------


def test_sequence_numbers_are_unique_and_gapless(topic, anders, sofie, jesper):
    people = [anders, sofie, jesper]
    moment = NOW
    for number in range(30):
        moment += timedelta(seconds=20)
        post = services.post_reply(topic, people[number % 3], f"Indlæg {number}", now=moment)
        if number % 7 == 0:
            services.delete_post(post, post.author)
    refused = 0
    for _attempt in range(3):  # refusals (locked topic) must not use up a number
        services.lock_topic(topic, municipal_person("Randers", is_superuser=True))
        try:
            services.post_reply(topic, sofie, "Låst?", now=moment + timedelta(minutes=5))
        except services.PostingRefused:
            refused += 1
        services.lock_topic(topic, municipal_person("Randers", is_superuser=True), locked=False)
    services.post_reply(topic, sofie, "Sidste", now=moment + timedelta(minutes=6))
    sequences = list(topic.posts.order_by("sequence").values_list("sequence", flat=True))
    assert refused == 3
    assert sequences == list(range(1, 33))
    topic.refresh_from_db()
    assert topic.last_sequence == 32 and topic.post_count == 32


def test_posts_after_returns_exactly_the_missed_posts(topic, sofie):
    for number in range(5):
        services.post_reply(topic, sofie, f"Svar {number}", now=NOW + timedelta(seconds=number))
    assert [post.sequence for post in services.posts_after(topic, 3)] == [4, 5, 6]


# --- Notifications ---------------------------------------------------------------------------


def test_a_mention_notifies_the_person_named(topic, anders, sofie, jesper):
    post = services.post_reply(
        topic, sofie, f"Godt spørgsmål, @{text.mention_handle(jesper)}: hvad gør I i Herning?"
    )
    assert Notification.objects.filter(person=jesper, post=post, kind=Kind.MENTION).exists()
    # The topic's author follows it and gets a reply notification; the writer nothing.
    assert kinds(anders) == [Kind.REPLY]
    assert kinds(sofie) == []


def test_mentions_only_notify_people_who_can_read_the_topic(partners_space, anders, sofie, jesper):
    topic = services.start_topic(
        partners_space,
        anders,
        title="Kun for partnerne",
        source="Hvad siger @jesper.skov og @sofie.dahl?",
        now=NOW,
    )
    assert kinds(jesper) == [Kind.MENTION]
    assert kinds(sofie) == []  # a reference municipality cannot read a partners' space
    topic.refresh_from_db()
    assert topic.post_count == 1


def test_a_mention_in_a_muted_topic_notifies_nobody(topic, sofie, jesper):
    services.set_subscription(topic, jesper, Subscription.Mode.MUTED)
    services.post_reply(topic, sofie, f"Hvad siger du, @{text.mention_handle(jesper)}?", now=NOW)
    assert kinds(jesper) == []
    services.set_subscription(topic, jesper, Subscription.Mode.NONE)
    later = NOW + timedelta(seconds=5)
    services.post_reply(topic, sofie, f"@{text.mention_handle(jesper)}, igen?", now=later)
    assert kinds(jesper) == [Kind.MENTION]


def test_mention_handles_with_danish_letters_and_spaces(network_space, sofie):
    """A capital Æ, Ø or Å must match too (SQLite's iexact only folds ASCII)."""
    double = municipal_person("Randers", first_name="Anne Marie", last_name="Ærø")
    oeland = municipal_person("Randers", first_name="Åse", last_name="Østergaard")
    namesake = municipal_person("Randers", first_name="Anne Marie", last_name="Holm")
    hyphen = municipal_person("Randers", first_name="Eva-Lis", last_name="Ørum")
    assert text.mention_handle(double) == "anne-marie.ærø"
    services.start_topic(
        network_space,
        sofie,
        title="Navne",
        source="Tak, @anne-marie.ærø. Og @åse.østergaard og @eva-lis.ørum!",
        now=NOW,
    )
    assert kinds(double) == [Kind.MENTION]
    assert kinds(oeland) == [Kind.MENTION]
    assert kinds(hyphen) == [Kind.MENTION]
    assert kinds(namesake) == []


def test_a_reply_follows_the_topic(topic, sofie):
    services.post_reply(topic, sofie, "Jeg svarer.", now=NOW)
    subscription = Subscription.objects.get(topic=topic, person=sofie)
    assert subscription.mode == Subscription.Mode.FOLLOWING
    assert subscription.last_read_sequence == 2


def test_followers_are_notified_and_muted_topics_are_not(topic, anders, sofie, jesper):
    services.post_reply(topic, sofie, "Jeg svarer og følger nu emnet.", now=NOW)
    services.set_subscription(topic, jesper, Subscription.Mode.FOLLOWING)
    services.set_subscription(topic, anders, Subscription.Mode.MUTED)
    post = services.post_reply(topic, jesper, "Vi har samme erfaring.", now=NOW)
    assert Notification.objects.filter(post=post, kind=Kind.REPLY).count() == 1
    assert Notification.objects.get(post=post, kind=Kind.REPLY).person == sofie

    # Posting in a muted topic keeps it muted.
    services.post_reply(topic, anders, "Et svar fra forfatteren.", now=NOW)
    assert Subscription.objects.get(topic=topic, person=anders).mode == Subscription.Mode.MUTED
    later = services.post_reply(topic, sofie, "Og et svar mere.", now=NOW + timedelta(seconds=5))
    assert not Notification.objects.filter(post=later, person=anders).exists()
    assert Notification.objects.filter(post=later, person=jesper, kind=Kind.REPLY).exists()


def test_a_follower_who_may_no_longer_read_the_space_is_not_notified(
    initiative, partners_space, anders, jesper
):
    """Herning followed a partner space's topic, then became a reference municipality:
    its staff hear nothing more from it (neither a notification nor an email)."""
    topic = services.start_topic(
        partners_space, anders, title="Kun for partnere", source="Første indlæg.", now=NOW
    )
    services.set_subscription(topic, jesper, Subscription.Mode.FOLLOWING)
    Membership.objects.filter(initiative=initiative, municipality=jesper.municipality).update(
        status=Membership.Status.REFERENCE
    )
    post = services.post_reply(topic, anders, "Noget kun partnerne må læse.", now=NOW)
    assert not Notification.objects.filter(post=post).exists()


def test_no_notifications_for_people_without_a_subscription(topic, jesper):
    services.post_reply(topic, municipal_person("Aarhus"), "Et svar.", now=NOW)
    assert kinds(jesper) == []


# --- Editing ---------------------------------------------------------------------------------


def test_an_edit_keeps_the_earlier_wordings(topic, sofie):
    post = services.post_reply(topic, sofie, "Første udgave.", now=NOW)
    services.edit_post(post, sofie, "Anden **udgave**.", now=NOW + timedelta(minutes=5))
    services.edit_post(post, sofie, "Tredje udgave.", now=NOW + timedelta(minutes=9))
    post.refresh_from_db()
    assert post.source == "Tredje udgave."
    assert post.edited_at == NOW + timedelta(minutes=9)
    revisions = list(PostRevision.objects.filter(post=post))
    assert [revision.source for revision in revisions] == ["Anden **udgave**.", "Første udgave."]
    assert revisions[0].html == "<p>Anden <strong>udgave</strong>.</p>"
    assert [revision.written_at for revision in revisions] == [
        NOW + timedelta(minutes=5),
        NOW,
    ]
    assert post.sequence == 2  # the number stays


def test_only_the_author_edits(topic, sofie, anders):
    post = services.post_reply(topic, sofie, "Mit indlæg.", now=NOW)
    with pytest.raises(PermissionDenied):
        services.edit_post(post, anders, "Overskrevet.")
    assert not PostRevision.objects.exists()


def test_a_hidden_post_cannot_be_edited(topic, sofie):
    post = services.post_reply(topic, sofie, "Mit indlæg.", now=NOW)
    Post.objects.filter(pk=post.pk).update(hidden_at=NOW)
    post.refresh_from_db()
    with pytest.raises(services.PostingRefused):
        services.edit_post(post, sofie, "Nyt.")


def test_a_reference_member_cannot_post_in_a_partners_space(partners_space, sofie):
    with pytest.raises(PermissionDenied):
        services.start_topic(partners_space, sofie, title="Må jeg?", source="Hej.")
    assert not Topic.objects.exists()


def test_notifications_are_emailed_only_to_those_who_asked(
    topic, anders, jesper, sofie, mailoutbox, django_capture_on_commit_callbacks
):
    services.set_email_notifications(jesper, True)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_reply(topic, anders, "Hej @jesper.skov og @sofie.dahl, se her.", now=NOW)
    assert [message.to for message in mailoutbox] == [[jesper.email]]
    assert topic.title in mailoutbox[0].subject
    assert kinds(sofie) == ["mention"]


def test_the_notifications_page_turns_emails_on_and_off(client, sofie):
    from knowledge.models import NotificationPreference

    client.force_login(sofie)
    client.post("/forum/notifikationer/", {"email": "on"})
    assert NotificationPreference.objects.get(person=sofie).email
    client.post("/forum/notifikationer/", {"email": "off"})
    assert not NotificationPreference.objects.get(person=sofie).email


# --- Folding: a burst from one author is one notification and one email ---------------------


@pytest.fixture
def raised_limits(settings):
    """These tests are about notifications, not limits: room for a burst."""
    settings.WRITE_LIMITS = {
        **settings.WRITE_LIMITS,
        "posts": "100/m",
        "experience_reports": "100/m",
        "topics": "100/m",
    }


def test_twenty_experience_reports_and_replies_from_one_person_email_each_subscriber_once(
    raised_limits,
    network_space,
    topic,
    anders,
    jesper,
    sofie,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    """Anders follows his topic, Jesper is mentioned in every reply; Sofie writes 20
    experience reports and 20 replies within four minutes. (An experience report notifies
    nobody by itself: there are no subscriptions to a space, and its sections' mentions
    are not notified; the replies are what would fill the inboxes.)"""
    services.set_email_notifications(anders, True)
    services.set_email_notifications(jesper, True)
    report = {name: f"Afsnit {name}" for name in services.REPORT_FIELDS}
    for number in range(20):
        moment = NOW + timedelta(seconds=12 * number)
        with django_capture_on_commit_callbacks(execute=True):
            services.start_topic(
                network_space,
                sofie,
                title=f"Erfaring {number}",
                source="",
                kind=Topic.Kind.EXPERIENCE,
                report=report,
                now=moment,
            )
            services.post_reply(
                topic, sofie, f"Svar {number}, @jesper.skov", now=moment + timedelta(seconds=6)
            )
    assert Topic.objects.filter(author=sofie, kind=Topic.Kind.EXPERIENCE).count() == 20
    recipients = sorted(address for message in mailoutbox for address in message.to)
    assert recipients == sorted([anders.email, jesper.email])
    for person in (anders, jesper):
        (notification,) = Notification.objects.filter(person=person)
        assert notification.more == 19
        assert notification.post.source == "Svar 0, @jesper.skov"


def test_after_the_fold_window_a_new_notification_is_made_and_emailed(
    topic, anders, sofie, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.NOTIFICATION_FOLD_MINUTES = 15
    services.set_email_notifications(anders, True)
    with django_capture_on_commit_callbacks(execute=True):
        services.post_reply(topic, sofie, "Først", now=NOW)
        services.post_reply(topic, sofie, "Lidt efter", now=NOW + timedelta(minutes=14))
        services.post_reply(topic, sofie, "Meget senere", now=NOW + timedelta(minutes=16))
    assert [m.to for m in mailoutbox] == [[anders.email], [anders.email]]
    assert sorted(Notification.objects.filter(person=anders).values_list("more", flat=True)) == [
        0,
        1,
    ]


def test_a_read_notification_is_not_folded_into_and_other_authors_are_apart(
    topic, anders, jesper, sofie
):
    services.post_reply(topic, sofie, "Først", now=NOW)
    Notification.objects.filter(person=anders).update(read_at=NOW)
    services.post_reply(topic, sofie, "Igen", now=NOW + timedelta(minutes=1))
    services.post_reply(topic, jesper, "Også mig", now=NOW + timedelta(minutes=2))
    services.post_reply(topic, sofie, "En gang til", now=NOW + timedelta(minutes=3))
    unread = Notification.objects.filter(person=anders, read_at__isnull=True)
    assert sorted(unread.values_list("post__source", "more")) == [("Igen", 1), ("Også mig", 0)]


def test_the_notifications_page_says_how_many_more(client, topic, anders, sofie):
    for number in range(3):
        services.post_reply(topic, sofie, f"Svar {number}", now=NOW + timedelta(seconds=number))
    client.force_login(anders)
    page = client.get(reverse("knowledge:notifications")).content.decode()
    assert "og 2 indlæg mere fra samme person" in page
