"""Template helpers for network data, usable from any app's templates.

``cms`` templates may load these to show network data on a page (the dependency points
from network to cms in Python; templates only name tags), and every answer about who
may see what comes from ``network.access``.
"""

from django import template

from cms.cache import TIMEOUT
from network import access
from network.cache import progress_generation

register = template.Library()


@register.simple_tag
def progress_cache():
    """The key part and the timeout for ``{% cache %}`` fragments of progress, which are
    kept until progress changes (network/cache.py)."""
    return {"generation": progress_generation(), "timeout": TIMEOUT}


@register.simple_tag(takes_context=True)
def can_view_progress(context, initiative):
    """Whether the visitor may see the initiative's progress overview."""
    request = context.get("request")
    return bool(request) and access.can_view_progress(request.user, initiative)
