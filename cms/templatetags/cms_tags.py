"""Template helpers for the public site."""

import functools

from django import template
from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.db.models.functions import Length, Substr
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from wagtail.models import PageViewRestriction, Site

from cms.cache import TIMEOUT
from cms.cache import generation as cache_generation

register = template.Library()


@register.filter
def dkk(amount):
    """An amount in Danish kroner with thousand separators: 13.000.000 kr."""
    if amount is None:
        return ""
    return _("%(amount)s kr.") % {"amount": number_format(amount, 0, force_grouping=True)}


def restricted():
    """Pages with a view restriction on them or on an ancestor, in the query itself: Wagtail's
    ``public()`` reads every restriction first, a query of its own."""
    return Exists(
        PageViewRestriction.objects.filter(
            page__path=Substr(OuterRef("path"), 1, Length("page__path"))
        )
    )


@register.simple_tag(takes_context=True)
def main_menu(context):
    """The header navigation: the home page's children marked for menus.

    Each item has the page's url and title, and says whether it is the current page
    ("page") or one of its ancestors ("true"), the values of aria-current. The pages are
    cached until something is published (cms/cache.py), under the host name the request
    names: which site a host name means changes only with a saved site, which starts a
    new generation too, so the site is looked up (a query) only to build the menu.
    """
    request = context["request"]
    key = f"cms:menu:{request.get_host()}:{cache_generation()}"
    menu = cache.get(key)
    if menu is None:
        site = Site.find_for_request(request)
        menu = (
            []
            if site is None
            else [
                {
                    "pk": page.pk,
                    "url": page.get_url(request),
                    "title": page.title,
                    "path": page.url_path,
                }
                for page in site.root_page.get_children().live().in_menu().exclude(restricted())
            ]
        )
        cache.set(key, menu, TIMEOUT)
    current = context.get("page")
    items = []
    for item in menu:
        state = None
        if current is not None and current.url_path.startswith(item["path"]):
            state = "page" if current.pk == item["pk"] else "true"
        items.append({**item, "current": state})
    return items


@register.simple_tag(takes_context=True)
def published_content_cache(context):
    """The key part and the timeout for ``{% cache %}`` fragments of published content.

    The key part is the generation of published content (cms/cache.py). A preview shows
    unpublished content, so its fragments are not kept (timeout 0).
    """
    if getattr(context.get("request"), "is_preview", False):
        return {"generation": "preview", "timeout": 0}
    return {"generation": cache_generation(), "timeout": TIMEOUT}


@register.simple_tag
def page_numbers(page_obj):
    """The page numbers a list links to, None for a gap: all of them up to ten pages, else
    the first two, the last two and three either side of the current page, so a list's
    navigation stays the same size however long the list grows."""
    numbers = page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=3, on_ends=2)
    return [None if number == Paginator.ELLIPSIS else number for number in numbers]


ICONS = settings.BASE_DIR / "static" / "dkfds" / "img" / "svg-icons"


@functools.cache
def _icon_svg(name):
    svg = (ICONS / f"{name}.svg").read_text()
    return svg.replace("<svg ", '<svg class="icon-svg" focusable="false" aria-hidden="true" ', 1)


@register.simple_tag(takes_context=True)
def rendered(context, template_name):
    """``template_name`` rendered with the page's context, for a part a page shows twice
    (the header's account links and menu, in the bar and in the phone's drawer): one
    rendering instead of one per ``{% include %}``."""
    return mark_safe(context.template.engine.get_template(template_name).render(context))


@register.simple_tag
def icon(name):
    """One of the design system's icons, inline (DKFDS's icon markup, read once per process).

    Inline rather than the package's 53 KB sprite: a page carries only the few it shows.
    """
    return mark_safe(_icon_svg(name))


BADGE_VARIANTS = {
    "badge-success": {
        "confirmed",
        "attended",
        "partner",
        "done",
        "awarded",
        "accepted",
        "approved",
    },
    "badge-info": {
        "waiting",
        "in_progress",
        "reference",
        "applicant",
        "submitted",
        "proposed",
        "due",
    },
    "badge-warning": {"draft", "not_started", "expired", "returned"},
    "badge-error": {"cancelled", "rejected", "left", "refused", "no_show"},
}


@register.filter
def badge_variant(status):
    """DKFDS's badge colour for a status (a registration, membership, application, progress
    part, grant case or due item); the text beside it always says the status in words."""
    return next((variant for variant, names in BADGE_VARIANTS.items() if status in names), "")
