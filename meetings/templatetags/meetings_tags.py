"""Meetings' data on other apps' pages, filtered by the meeting's own access rules.

The network app shows a municipality's action items on its page but may not import the
meetings app (dependencies point one way); its template asks here instead, and gets only
the items of meetings the visitor may open (``meetings.access.visible_meetings``), so a
partner-only meeting's title and tasks never show to someone outside its audience.
"""

from django import template

from meetings import access
from meetings.models import ActionItem, Meeting

register = template.Library()


@register.simple_tag
def visible_action_items(municipality, person):
    """The municipality's action items from meetings the person may see, by due date."""
    meetings = access.visible_meetings(person, Meeting.objects.all())
    return list(
        ActionItem.objects.filter(owner=municipality, meeting__in=meetings).select_related(
            "meeting"
        )
    )
