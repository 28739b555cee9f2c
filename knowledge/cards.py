"""Topic cards in the forum's lists (a space, a tag, search), and the posts of a topic
page, each cached until it changes.

A card shows a topic's title, kind, author, counts, date, tags and, for the reader, how
many posts are new to them. Rendering twenty of them was most of a space page's time,
and the time grew with every topic on the page. A card's cache key is made of
everything it shows, so a new post, a renamed author or a different unread count gives a
new key: nothing has to remember to clear it (``cms.cache.attach_rendered``). Tags are
the exception (they are fetched only for the cards that are rendered), so every change to
a tag or to a topic's tags replaces the tags' generation, which is part of the key.

A post on the topic page is kept the same way, under a key of everything it shows,
including the actions the reader may take on it (``knowledge.views.topic_detail``).
"""

from django.db.models import prefetch_related_objects
from django.db.models.signals import m2m_changed, post_delete, post_save

from cms.cache import attach_rendered, generation, replace_generation, watch

TAGS_KEY = "knowledge:tags:generation"
#: The generation of what the forum's pages show (spaces, topics, posts): part of the key
#: of every page in the anonymous visitors' page cache (``config.page_cache``), replaced by
#: every saved or deleted space, topic, post or post revision and by the services that
#: change topics with an update (locking, moving).
PAGES_KEY = "knowledge:pages:generation"


def invalidate_pages():
    replace_generation(PAGES_KEY)


def _shown(topic, heading_level, show_space, tags_generation):
    author = topic.author
    return (
        topic.pk,
        topic.title,
        topic.kind,
        topic.locked,
        topic.post_count,
        topic.last_post_at,
        topic.project_part,
        topic.concept_element,
        (author.get_full_name(), author.email) if author else None,
        topic.municipality.name if topic.municipality else None,
        topic.space.title if show_space else None,
        getattr(topic, "unread_count", 0),
        [(post.pk, post.sequence, post.html) for post in getattr(topic, "hits", [])],
        heading_level,
        tags_generation,
    )


def attach_cards(topics, *, heading_level, show_space=False):
    """Give each topic (with space, author and municipality fetched) its card as
    ``topic.card``, from the cache or freshly rendered."""
    tags_generation = generation(TAGS_KEY)
    attach_rendered(
        topics,
        template="knowledge/_topic_card.html",
        context=lambda topic: {
            "topic": topic,
            "heading_level": heading_level,
            "show_space": show_space,
        },
        shown=lambda topic: _shown(topic, heading_level, show_space, tags_generation),
        before_render=lambda missing: prefetch_related_objects(missing, "tags"),
    )


def _shown_post(post):
    author, quoted = post.author, post.quoted
    return (
        post.pk,
        post.sequence,
        post.html,
        post.created_at,
        post.edited_at,
        post.hidden_at,
        post.deleted_at,
        (
            author.pk,
            author.get_full_name(),
            author.email,
            author.municipality.name if author.municipality else None,
        )
        if author
        else None,
        (quoted.sequence, quoted.is_visible, quoted.html) if quoted else None,
        post.can_quote,
        post.can_edit,
        post.can_delete,
        post.can_report,
    )


def attach_post_fragments(posts):
    """Give each post of a topic page (with author, municipality and quoted post fetched,
    and its ``can_*`` actions set) its fragment as ``post.fragment``."""
    attach_rendered(
        posts,
        template="knowledge/_post.html",
        context=lambda post: {"post": post},
        shown=_shown_post,
        attribute="fragment",
    )


def _tags_changed(**kwargs):
    replace_generation(TAGS_KEY)


def connect():
    from taggit.models import Tag, TaggedItem

    from knowledge.models import Post, PostRevision, Space, Topic

    watch((Space, Topic, Post, PostRevision), PAGES_KEY, "knowledge-pages")
    m2m_changed.connect(_tags_changed, sender=Topic.tags.through, dispatch_uid="cards-topic-tags")
    for model in (Tag, TaggedItem):
        for signal in (post_save, post_delete):
            signal.connect(
                _tags_changed,
                sender=model,
                dispatch_uid=f"cards-{model.__name__}-{signal is post_save}",
            )
