"""Template helpers for the public site."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from wagtail.models import Site

register = template.Library()


@register.filter
def dkk(amount):
    """An amount in Danish kroner with thousand separators: 13.000.000 kr."""
    if amount is None:
        return ""
    return _("%(amount)s kr.") % {"amount": number_format(amount, 0, force_grouping=True)}


@register.simple_tag(takes_context=True)
def main_menu(context):
    """The header navigation: the home page's children marked for menus.

    Each item says whether it is the current page ("page") or one of its
    ancestors ("true"), the values of aria-current.
    """
    site = Site.find_for_request(context["request"])
    if site is None:
        return []
    current = context.get("page")
    items = []
    for menu_page in site.root_page.get_children().live().in_menu().public():
        state = None
        if current is not None and current.url_path.startswith(menu_page.url_path):
            state = "page" if current.pk == menu_page.pk else "true"
        items.append({"page": menu_page, "current": state})
    return items
