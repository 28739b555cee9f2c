"""Curating the forum's tags so they do not multiply: counts, rename and merge.

Tags are django-taggit's shared ``Tag`` rows, tied to topics through ``TaggedItem``
(a generic relation). Topics store tags lower-case (``services.start_topic``), so a
rename is lower-cased the same way. Only moderators reach these functions, through the
"Forum" menu of the Wagtail admin (``knowledge/wagtail_hooks.py``).
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _
from taggit.models import Tag, TaggedItem

from knowledge.models import Topic


def topic_content_type():
    return ContentType.objects.get_for_model(Topic)


def tags_with_counts():
    """Every tag with ``topic_count``, the number of topics carrying it, in one query."""
    return Tag.objects.annotate(
        topic_count=Count(
            "taggit_taggeditem_items",
            filter=Q(taggit_taggeditem_items__content_type=topic_content_type()),
        )
    ).order_by("name")


def normalise(name):
    return " ".join((name or "").split()).lower()[:100]


def _unique_slug(tag, name):
    """The slug taggit would give the name, numbered like taggit's if it is taken."""
    slug, number = tag.slugify(name), 1
    while Tag.objects.filter(slug=slug).exclude(pk=tag.pk).exists():
        slug = tag.slugify(name, number)
        number += 1
    return slug


def rename_tag(tag, name):
    """Give the tag a new name (and slug); a name another tag has is refused: merge instead."""
    name = normalise(name)
    if not name:
        raise ValidationError({"name": _("Give the tag a name.")})
    if Tag.objects.filter(name__iexact=name).exclude(pk=tag.pk).exists():
        raise ValidationError(
            {"name": _("Another tag is already called “%(name)s”: merge the two instead.")
             % {"name": name}}
        )  # fmt: skip
    tag.name = name
    tag.slug = _unique_slug(tag, name)
    tag.save(update_fields=["name", "slug"])
    return tag


def merge_tags(source, target):
    """Move every topic of ``source`` to ``target`` and delete ``source``.

    A topic that already carries both keeps ``target`` once. Returns how many topics
    carried ``source``.
    """
    if source.pk == target.pk:
        raise ValidationError({"target": _("Choose another tag to merge into.")})
    with transaction.atomic():
        items = TaggedItem.objects.filter(tag=source)
        count = items.filter(content_type=topic_content_type()).count()
        on_both = TaggedItem.objects.filter(
            tag=target,
            content_type_id=OuterRef("content_type_id"),
            object_id=OuterRef("object_id"),
        )
        items.filter(Exists(on_both)).delete()
        items.update(tag=target)
        source.delete()
    return count
