"""Caching what editors publish: the menu, the footer and pages' published content.

Everything cached from the page tree is keyed by one generation value, which every
publish, unpublish, move or deletion of a page and every save of a snippet, the site
settings or a site replaces (``connect()``, called from ``CmsConfig.ready``). A change
therefore shows on the next request, and nothing has to know which fragments it touched.
With Redis as the cache (``REDIS_URL``) all daphne processes share the generation; the
local-memory cache of the embedded default is one process's own.
"""

import hashlib
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

GENERATION_KEY = "cms:generation"
#: Cached fragments expire after a day even if nothing is published.
TIMEOUT = 24 * 60 * 60


def generation(key=GENERATION_KEY):
    """The current generation under ``key`` (by default, that of published content); part
    of every cache key of what it covers."""
    value = cache.get(key)
    if value is None:
        cache.add(key, time.time_ns(), timeout=None)
        value = cache.get(key)
    return value


def replace_generation(key):
    """Start a new generation under ``key``: everything cached under the old one is stale.

    Once now and once more when the change commits: a request that cached the old state
    between the change and its commit would otherwise keep it.
    """
    cache.set(key, time.time_ns(), timeout=None)
    transaction.on_commit(lambda: cache.set(key, time.time_ns(), timeout=None))


def generations(keys):
    """The current generations under ``keys``, read together (one round trip to Redis)."""
    values = cache.get_many(keys)
    for key in keys:
        if values.get(key) is None:
            values[key] = generation(key)
    return tuple(values[key] for key in keys)


def invalidate(**kwargs):
    """Start a new generation of published content."""
    replace_generation(GENERATION_KEY)


def watch(models, key, dispatch_uid):
    """Start a new generation under ``key`` whenever one of ``models`` is saved or deleted
    (the admin's changes and the services' alike)."""

    def changed(**kwargs):
        replace_generation(key)

    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(
                changed,
                sender=model,
                weak=False,
                dispatch_uid=f"{dispatch_uid}-{model._meta.label}-{signal is post_save}",
            )


def _page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page):
        invalidate()


def _settings_saved(sender, instance, created, **kwargs):
    # The first read of the settings creates them empty, as they were shown already.
    if not created:
        invalidate()


def connect():
    from cms.models import ContactPerson, SiteSettings

    page_published.connect(invalidate, dispatch_uid="cms-cache-published")
    page_unpublished.connect(invalidate, dispatch_uid="cms-cache-unpublished")
    post_page_move.connect(invalidate, dispatch_uid="cms-cache-moved")
    post_delete.connect(_page_deleted, dispatch_uid="cms-cache-page-deleted")
    post_save.connect(_settings_saved, sender=SiteSettings, dispatch_uid="cms-cache-settings")
    post_save.connect(invalidate, sender=ContactPerson, dispatch_uid="cms-cache-contact")
    post_save.connect(invalidate, sender=Site, dispatch_uid="cms-cache-site")
    # A page made private (or public again) leaves the menu and the anonymous page cache.
    post_save.connect(invalidate, sender=PageViewRestriction, dispatch_uid="cms-cache-privacy")
    for model in (ContactPerson, SiteSettings, Site, PageViewRestriction):
        post_delete.connect(
            invalidate, sender=model, dispatch_uid=f"cms-cache-{model.__name__}-gone"
        )


def attach_rendered(items, *, template, context, shown, attribute="card", before_render=None):
    """Give each item its HTML fragment from ``template`` as ``item.<attribute>``, from the
    cache or freshly rendered.

    A list page renders the same card for an item again and again; here a card is kept
    under a key made of everything it shows (``shown(item)``: a tuple of plain values,
    and the language), so any change gives a new key and nothing has to clear the old
    one. The page's cards are fetched from the cache at once; the missing ones are
    rendered (after ``before_render(missing)``, which may fetch what only rendering
    needs) and stored together.
    """
    items = list(items)
    language = get_language()
    keys = [
        f"{template}:" + hashlib.sha256(repr((shown(item), language)).encode()).hexdigest()
        for item in items
    ]
    html = cache.get_many(keys)
    missing = [(key, item) for key, item in zip(keys, items, strict=True) if key not in html]
    if missing and before_render is not None:
        before_render([item for _key, item in missing])
    fresh = {key: render_to_string(template, context(item)) for key, item in missing}
    cache.set_many(fresh, TIMEOUT)
    html.update(fresh)
    for key, item in zip(keys, items, strict=True):
        setattr(item, attribute, mark_safe(html[key]))  # our template escaped what it shows
