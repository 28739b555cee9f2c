"""Topic cards in the forum's lists (a space, a tag, search), each cached until it changes.

A card shows a topic's title, kind, author, counts, date, tags and, for the reader, how
many posts are new to them. Rendering twenty of them was most of a space page's time,
and the time grew with every topic on the page. A card's cache key is made of
everything it shows, so a new post, a renamed author or a different unread count gives a
new key: nothing has to remember to clear it. Tags are the exception (they are not
fetched before the card is needed), so every change to a tag or to a topic's tags
replaces the tags' generation, which is part of the key.

The cards of a page are fetched from the cache at once; the missing ones get their tags
in one query and are rendered and stored together.
"""

import hashlib

from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from cms.cache import TIMEOUT, generation, replace_generation

TEMPLATE = "knowledge/_topic_card.html"
TAGS_KEY = "knowledge:tags:generation"


def _key(topic, heading_level, show_space, tags_generation):
    author = topic.author
    shown = (
        topic.pk,
        topic.title,
        topic.kind,
        topic.locked,
        topic.post_count,
        topic.last_post_at.isoformat(),
        topic.project_part,
        topic.concept_element,
        (author.get_full_name(), author.email) if author else None,
        topic.municipality.name if topic.municipality else None,
        topic.space.title if show_space else None,
        getattr(topic, "unread_count", 0),
        [(post.pk, post.sequence, post.html) for post in getattr(topic, "hits", [])],
        heading_level,
        tags_generation,
        get_language(),
    )
    return "knowledge:card:" + hashlib.sha256(repr(shown).encode()).hexdigest()


def attach_cards(topics, *, heading_level, show_space=False):
    """Give each topic (with space, author and municipality fetched) its card as
    ``topic.card``, from the cache or freshly rendered."""
    topics = list(topics)
    tags_generation = generation(TAGS_KEY)
    keys = [_key(topic, heading_level, show_space, tags_generation) for topic in topics]
    cards = cache.get_many(keys)
    missing = [(key, topic) for key, topic in zip(keys, topics, strict=True) if key not in cards]
    prefetch_related_objects([topic for _key, topic in missing], "tags")
    fresh = {
        key: render_to_string(
            TEMPLATE, {"topic": topic, "heading_level": heading_level, "show_space": show_space}
        )
        for key, topic in missing
    }
    cache.set_many(fresh, TIMEOUT)
    cards.update(fresh)
    for key, topic in zip(keys, topics, strict=True):
        topic.card = mark_safe(cards[key])  # rendered by our template, escaped there


def _tags_changed(**kwargs):
    replace_generation(TAGS_KEY)


def connect():
    from taggit.models import Tag, TaggedItem

    from knowledge.models import Topic

    m2m_changed.connect(_tags_changed, sender=Topic.tags.through, dispatch_uid="cards-topic-tags")
    for model in (Tag, TaggedItem):
        for signal in (post_save, post_delete):
            signal.connect(
                _tags_changed,
                sender=model,
                dispatch_uid=f"cards-{model.__name__}-{signal is post_save}",
            )
