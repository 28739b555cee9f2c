"""Factories for forum spaces, topics and posts.

Posts get their per-topic sequence number the way the site numbers them: ``PostFactory``
posts through ``services.post_reply`` (permission, guards, numbering, broadcast on
commit). Use ``PostFactory.build_numbered`` (alias ``numbered_post``) to write a post
straight to the database with the next sequence number, bypassing permission, rate limit
and broadcast — for fixtures that need many posts or a post by someone who could not post.
"""

import factory
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from knowledge import services, text
from knowledge.models import Post, Space, Topic
from tests.network.factories import InitiativeFactory, PersonFactory


class SpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Space

    title = factory.Sequence(lambda n: f"Rum {n}")
    slug = factory.Sequence(lambda n: f"rum-{n}")
    description = "Et rum til erfaringsudveksling."
    visibility = Space.Visibility.NETWORK
    initiative = factory.LazyAttribute(
        lambda space: None if space.visibility == Space.Visibility.PUBLIC else InitiativeFactory()
    )


class TopicFactory(factory.django.DjangoModelFactory):
    """A topic without posts (``last_sequence`` 0); add posts with PostFactory."""

    class Meta:
        model = Topic
        skip_postgeneration_save = True

    space = factory.SubFactory(SpaceFactory)
    title = factory.Sequence(lambda n: f"Emne {n}")
    author = factory.SubFactory(PersonFactory)
    municipality = factory.LazyAttribute(lambda topic: topic.author.municipality)

    @factory.post_generation
    def tags(self, create, tags, **kwargs):
        if create and tags:
            self.tags.set(list(tags))


def numbered_post(topic, author, source="Et indlæg.", **fields):
    """Save a post directly with the topic's next sequence number (no checks, no broadcast)."""
    now = fields.pop("created_at", None) or timezone.now()
    with transaction.atomic():
        Topic.objects.select_for_update().filter(pk=topic.pk).update(
            last_sequence=F("last_sequence") + 1,
            post_count=F("post_count") + 1,
            last_post_at=now,
        )
        sequence = Topic.objects.values_list("last_sequence", flat=True).get(pk=topic.pk)
        post = Post.objects.create(
            topic=topic,
            sequence=sequence,
            author=author,
            source=source,
            html=text.render(source),
            created_at=now,
            **fields,
        )
    topic.refresh_from_db()
    return post


class PostFactory(factory.django.DjangoModelFactory):
    """A post made through ``services.post_reply`` (the author must be allowed to post).

    ``PostFactory(topic=t, author=p, source="…", quoted=q)``; pass ``direct=True`` to
    skip the service (see ``numbered_post``).
    """

    class Meta:
        model = Post

    topic = factory.SubFactory(TopicFactory)
    author = factory.SubFactory(PersonFactory)
    source = factory.Sequence(lambda n: f"Indlæg nummer {n} i tråden.")

    @classmethod
    def _create(cls, model_class, topic, author, source, direct=False, quoted=None, **fields):
        if direct:
            return numbered_post(topic, author, source, quoted=quoted, **fields)
        post = services.post_reply(topic, author, source, quoted=quoted, **fields)
        topic.refresh_from_db()
        return post

    build_numbered = staticmethod(numbered_post)
