"""Seed a benchmark database: ``python -m bench.seed small|large [--scale F]``.

Run with ``DATABASE_URL`` pointing at the benchmark database (``python -m bench`` does
that). Both data sets start as the demo content (``load_demo_content``), so the key
pages are the same pages in both; the large one then adds, in bulk, people, meetings
and registrations, pages and forum topics and posts, attached to the demo initiative
and its spaces so that those pages have a lot to list.

Prints one line of JSON: the row counts.
"""

import argparse
import json
import random
import sys
from datetime import timedelta

from bench.common import setup_django

SIZES = {
    "people": 5_000,
    "meetings": 2_000,
    "registrations": 50_000,
    "pages": 500,
    "topics": 20_000,
    "posts": 200_000,
}
#: The posts of the one topic the topic page is measured on.
BIG_TOPIC_POSTS = 1_000
#: Extra spaces for the topics that are not in the demo network space.
EXTRA_SPACES = 17
BATCH = 2_000
WORDS = [
    "recovery",
    "rehabilitering",
    "borger",
    "bostøtte",
    "netværk",
    "kommune",
    "partnerskab",
    "socialpsykiatri",
    "implementering",
    "evaluering",
    "kortlægning",
    "medarbejder",
    "ledelse",
    "håb",
    "mestring",
    "fællesskab",
    "job",
    "uddannelse",
    "bolig",
    "sundhed",
    "pårørende",
    "peer",
    "dialog",
    "mål",
    "ressourcer",
    "inklusion",
]
#: The demo's reference-network space: the forum space page measured.
NETWORK_SPACE_SLUG = "referencenetvaerket"
TAGS = [f"emne-{n}" for n in range(50)]


def sentence(rng, words=12):
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def counts():
    from django.contrib.auth import get_user_model
    from wagtail.models import Page

    from knowledge.models import Post, Topic
    from meetings.models import Meeting, Registration
    from network.models import Municipality

    return {
        "municipalities": Municipality.objects.count(),
        "people": get_user_model().objects.count(),
        "meetings": Meeting.objects.count(),
        "registrations": Registration.objects.count(),
        "pages": Page.objects.filter(depth__gt=1).count(),
        "topics": Topic.objects.count(),
        "posts": Post.objects.count(),
    }


def seed_large(scale, stdout):
    from django.db import transaction

    rng = random.Random(2019)
    sizes = {name: max(1, int(size * scale)) for name, size in SIZES.items()}
    with transaction.atomic():
        people = seed_people(rng, sizes["people"])
        stdout.write(f"  {len(people)} people\n")
    seed_pages(rng, sizes["pages"])
    stdout.write(f"  {sizes['pages']} pages\n")
    with transaction.atomic():
        seed_meetings(rng, people, sizes["meetings"], sizes["registrations"])
        stdout.write(f"  {sizes['meetings']} meetings, {sizes['registrations']} registrations\n")
    with transaction.atomic():
        seed_progress(rng, people)
        seed_forum(
            rng, people, sizes["topics"], sizes["posts"], min(BIG_TOPIC_POSTS, sizes["posts"])
        )
        stdout.write(f"  {sizes['topics']} topics, {sizes['posts']} posts\n")
    with transaction.atomic():
        seed_reader(rng)
        stdout.write(f"  the reader's {READER_ROWS} places, followed topics and mentions\n")


#: Places at meetings, followed topics with unread posts, and unread mentions of the
#: reader of the logged-in pages, for Mit overblik to choose its few rows from.
READER_ROWS = 300


def seed_reader(rng):
    import hashlib

    from django.db.models import F

    from bench.pages import READER
    from knowledge.models import Notification, Post, Subscription, Topic
    from meetings import access as meeting_access
    from meetings.models import Meeting, Registration
    from network.models import User

    reader = User.objects.get(email=READER)
    free = meeting_access.visible_meetings(reader, Meeting.objects.all()).exclude(
        registrations__person=reader
    )
    ids = sorted(free.values_list("pk", flat=True))
    meetings = Meeting.objects.filter(pk__in=rng.sample(ids, min(READER_ROWS, len(ids))))
    Registration.objects.bulk_create(
        [
            Registration(
                meeting=meeting,
                person=reader,
                name=reader.get_full_name(),
                email=reader.email,
                municipality_id=reader.municipality_id,
                status=rng.choice(["confirmed", "confirmed", "waiting"]),
                token_hash=hashlib.sha256(f"reader-{meeting.pk}".encode()).hexdigest(),
                created_at=meeting.starts_at,
            )
            for meeting in meetings
        ],
        batch_size=BATCH,
    )
    ids = sorted(Topic.objects.filter(last_sequence__gt=2).values_list("pk", flat=True))
    topics = list(Topic.objects.filter(pk__in=rng.sample(ids, min(READER_ROWS, len(ids)))))
    Subscription.objects.bulk_create(
        [
            Subscription(person=reader, topic=topic, mode="following", last_read_sequence=1)
            for topic in topics
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    Subscription.objects.filter(person=reader, topic__in=topics).update(last_read_sequence=1)
    posts = Post.objects.filter(topic__in=topics, sequence=F("topic__last_sequence"))
    Notification.objects.bulk_create(
        [Notification(person=reader, kind="mention", post=post) for post in posts],
        batch_size=BATCH,
        ignore_conflicts=True,
    )


def seed_people(rng, total):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from network.models import Municipality, Role, RoleAssignment

    person = get_user_model()
    municipalities = list(Municipality.objects.order_by("code"))
    password = make_password("partnerskab")
    first_names = ["Anne", "Bo", "Camilla", "Dorthe", "Emil", "Frida", "Gustav", "Hanne", "Ib"]
    last_names = ["Hansen", "Jensen", "Nielsen", "Pedersen", "Larsen", "Sørensen", "Møller"]
    people = [
        person(
            email=f"bench{number}@{municipalities[number % len(municipalities)].slug}.example",
            first_name=rng.choice(first_names),
            last_name=rng.choice(last_names),
            municipality=municipalities[number % len(municipalities)],
            password=password,
            job_title="Medarbejder",
        )
        for number in range(total)
    ]
    people = person.objects.bulk_create(people, batch_size=BATCH)
    roles = [Role.PROJECT_LEADER, Role.IMPLEMENTATION_GROUP, Role.STEERING_GROUP]
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(person=p, role=rng.choice(roles)) for p in people[::3]], batch_size=BATCH
    )
    return people


def seed_pages(rng, total):
    """News, pools and standard pages through Wagtail's tree API (so paths and search
    index are right); a fifth are pools, a fifth standard pages, the rest news."""
    from django.utils import timezone

    from cms.models import HomePage, NewsIndexPage, NewsPage, PoolIndexPage, PoolPage, StandardPage

    home = HomePage.objects.get()
    news_index = NewsIndexPage.objects.get()
    pool_index = PoolIndexPage.objects.get()
    now = timezone.now()
    for number in range(total):
        kind = number % 5
        title = f"{sentence(rng, 4)[:-1]} {number}"
        if kind == 0:
            page = PoolPage(
                title=f"Pulje: {title}",
                slug=f"bench-pulje-{number}",
                intro=sentence(rng, 20),
                deadline=now + timedelta(days=rng.randint(-900, 120)),
                purpose=f"<p>{sentence(rng, 40)}</p>",
                target_group=f"<p>{sentence(rng, 20)}</p>",
                who_can_apply="<p>Alle kommuner kan søge.</p>",
                amount=rng.randint(1, 50) * 1_000_000,
            )
            pool_index.add_child(instance=page)
        elif kind == 1:
            page = StandardPage(
                title=title,
                slug=f"bench-side-{number}",
                intro=sentence(rng, 30),
                show_in_menus=False,
            )
            home.add_child(instance=page)
        else:
            page = NewsPage(
                title=title,
                slug=f"bench-nyhed-{number}",
                date=(now - timedelta(days=rng.randint(0, 2000))).date(),
                intro=sentence(rng, 25),
                body=[("paragraph", f"<p>{sentence(rng, 80)}</p>")],
            )
            news_index.add_child(instance=page)
        page.last_published_at = page.first_published_at = now - timedelta(days=number)
        page.save(update_fields=["last_published_at", "first_published_at"])


def seed_meetings(rng, people, total, registrations):
    import hashlib

    from django.utils import timezone

    from cms.models import PoolPage
    from meetings.models import Meeting, Registration
    from network.demo import INITIATIVE_SLUG
    from network.models import Initiative

    initiative = Initiative.objects.get(slug=INITIATIVE_SLUG)
    pools = list(PoolPage.objects.all())
    now = timezone.now()
    audiences = [Meeting.Audience.PUBLIC, Meeting.Audience.NETWORK, Meeting.Audience.PARTNERS]
    kinds = list(Meeting.Kind.values)
    meetings = []
    for number in range(total):
        starts = now + timedelta(days=rng.randint(-700, 700), hours=rng.randint(0, 8))
        audience = audiences[number % 3]
        meetings.append(
            Meeting(
                kind=Meeting.Kind.INFORMATION if audience == "public" else rng.choice(kinds),
                title=f"Møde {number}: {sentence(rng, 4)[:-1]}",
                description=sentence(rng, 30),
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                address="Edisonsvej 18",
                city=rng.choice(["Odense", "Aarhus", "København", "Randers"]),
                initiative=None if audience == "public" else initiative,
                pool=rng.choice(pools) if audience == "public" else None,
                seats=rng.choice([None, 40, 80, 200]),
                audience=audience,
            )
        )
    meetings = Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    statuses = [Registration.Status.CONFIRMED] * 8 + [
        Registration.Status.WAITING,
        Registration.Status.CANCELLED,
    ]
    rows = []
    per_meeting = max(1, registrations // len(meetings))
    for meeting_number, meeting in enumerate(meetings):
        attendees = rng.sample(people, min(per_meeting, len(people)))
        for person_number, attendee in enumerate(attendees):
            token = f"{meeting_number}-{person_number}".encode()
            rows.append(
                Registration(
                    meeting=meeting,
                    person=attendee,
                    name=f"{attendee.first_name} {attendee.last_name}",
                    email=attendee.email,
                    municipality_id=attendee.municipality_id,
                    status=rng.choice(statuses),
                    token_hash=hashlib.sha256(token).hexdigest(),
                    created_at=meeting.starts_at - timedelta(days=30, minutes=person_number),
                )
            )
    Registration.objects.bulk_create(rows, batch_size=BATCH)


def seed_progress(rng, people):
    """Years of status notes and milestones for the demo partners (the overview lists
    the latest notes, so it must not grow with them)."""
    from django.utils import timezone

    from cms.models import ProjectPart
    from network.models import Membership, Milestone, StatusNote

    today = timezone.localdate()
    partners = list(Membership.objects.filter(status=Membership.Status.PARTNER))
    notes, milestones = [], []
    for membership in partners:
        for number in range(500):
            notes.append(
                StatusNote(
                    membership=membership,
                    part=rng.choice(ProjectPart.values),
                    text=sentence(rng, 30),
                    written_on=today - timedelta(days=number),
                    author=rng.choice(people),
                )
            )
        for number in range(25):
            milestones.append(
                Milestone(
                    membership=membership,
                    part=rng.choice(ProjectPart.values),
                    title=f"Milepæl {number}",
                    due_on=today + timedelta(days=rng.randint(-400, 400)),
                )
            )
    StatusNote.objects.bulk_create(notes, batch_size=BATCH)
    Milestone.objects.bulk_create(milestones, batch_size=BATCH)


def seed_forum(rng, people, total_topics, total_posts, big_topic_posts):
    """Topics with numbered posts and their stored counters; a fourth of the topics in
    the demo network space, one of them with ``big_topic_posts`` posts."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone
    from taggit.models import Tag, TaggedItem

    from knowledge import text
    from knowledge.models import Post, Space, Subscription, Topic
    from network.demo import INITIATIVE_SLUG
    from network.models import Initiative

    initiative = Initiative.objects.get(slug=INITIATIVE_SLUG)
    network_space = Space.objects.get(slug=NETWORK_SPACE_SLUG)
    spaces = [network_space]
    for number in range(EXTRA_SPACES):
        spaces.append(
            Space.objects.create(
                title=f"Rum {number}",
                slug=f"bench-rum-{number}",
                visibility=Space.Visibility.NETWORK,
                initiative=initiative,
                position=10 + number,
            )
        )
    now = timezone.now()
    topics = []
    for number in range(total_topics):
        space = network_space if number % 4 == 0 else spaces[1 + number % EXTRA_SPACES]
        author = rng.choice(people)
        created = now - timedelta(minutes=3 * (total_topics - number) + 60)
        topics.append(
            Topic(
                space=space,
                title=f"{sentence(rng, 6)[:-1]} ({number})",
                author=author,
                municipality_id=author.municipality_id,
                created_at=created,
                last_post_at=created,
            )
        )
    topics = Topic.objects.bulk_create(topics, batch_size=BATCH)
    # The big topic is the network space's newest, so it heads the space's first page.
    big_topic = topics[-4 if len(topics) >= 4 else 0]
    rest = max(0, total_posts - big_topic_posts)
    per_topic = {topic.pk: 0 for topic in topics}
    per_topic[big_topic.pk] = big_topic_posts
    others = [topic for topic in topics if topic.pk != big_topic.pk] or [big_topic]
    for number in range(rest):
        per_topic[others[number % len(others)].pk] += 1
    rendered = [text.render(sentence(rng, 25)) for _ in range(50)]
    batch = []
    for topic in topics:
        for sequence in range(1, per_topic[topic.pk] + 1):
            author = rng.choice(people)
            source_number = rng.randrange(len(rendered))
            batch.append(
                Post(
                    topic=topic,
                    sequence=sequence,
                    author=author,
                    source=f"Indlæg {sequence}",
                    html=rendered[source_number],
                    created_at=topic.created_at + timedelta(seconds=sequence),
                )
            )
            if len(batch) >= 10_000:
                Post.objects.bulk_create(batch, batch_size=BATCH)
                batch = []
        topic.post_count = topic.last_sequence = per_topic[topic.pk]
        topic.last_post_at = topic.created_at + timedelta(seconds=per_topic[topic.pk])
    Post.objects.bulk_create(batch, batch_size=BATCH)
    Topic.objects.bulk_update(
        topics, ["post_count", "last_sequence", "last_post_at"], batch_size=BATCH
    )
    tags = [Tag.objects.get_or_create(name=name, slug=name)[0] for name in TAGS]
    topic_type = ContentType.objects.get_for_model(Topic)
    TaggedItem.objects.bulk_create(
        [
            TaggedItem(tag=tag, content_type=topic_type, object_id=topic.pk)
            for topic in topics[::5]
            for tag in rng.sample(tags, 2)
        ],
        batch_size=BATCH,
    )
    readers = people[:200]
    Subscription.objects.bulk_create(
        [
            Subscription(person=reader, topic=topic, last_read_sequence=topic.last_sequence // 2)
            for reader in readers
            for topic in rng.sample(topics, min(50, len(topics)))
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dataset", choices=["small", "large"])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the large sizes")
    parser.add_argument(
        "--reset", action="store_true", help="PostgreSQL: drop everything in the public schema"
    )
    args = parser.parse_args(argv)

    setup_django()
    from django.core.management import call_command
    from django.db import connection

    if args.reset and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo_content", stdout=sys.stderr)
    if args.dataset == "large":
        seed_large(args.scale, sys.stderr)
    print(json.dumps(counts()))


if __name__ == "__main__":
    main()
