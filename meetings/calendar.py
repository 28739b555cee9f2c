"""Meetings as iCalendar (RFC 5545), made with the icalendar library.

Times carry the Europe/Copenhagen time zone with its VTIMEZONE, so calendars show the
meeting at the Danish wall-clock time on both sides of a daylight-saving change. The
SEQUENCE rises with every change of time or place, so calendars update the event.
DTSTAMP and LAST-MODIFIED are the meeting's last change, not the moment of the request:
an unchanged calendar is then the same bytes, and a calendar app polling a feed with its
ETag gets 304 (``meetings.views``).
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
PRODID = "-//Socialstyrelsen//Partnerskabsplatformen//DA"


def uid(meeting):
    return f"meeting-{meeting.pk}@partnerskabsplatformen"


def meeting_event(meeting):
    event = Event()
    event.add("uid", uid(meeting))
    event.add("summary", meeting.title)
    event.add("dtstart", meeting.starts_at.astimezone(COPENHAGEN))
    event.add("dtend", meeting.ends_at.astimezone(COPENHAGEN))
    changed = meeting.updated_at or timezone.now()
    event.add("dtstamp", changed)
    event.add("last-modified", changed)
    event.add("sequence", meeting.sequence)
    place = ", ".join(part for part in (meeting.address, meeting.city) if part)
    if place or meeting.online_url:
        event.add("location", place or meeting.online_url)
    description = meeting.description
    if meeting.online_url:
        description = f"{description}\n\n{meeting.online_url}".strip()
    if description:
        event.add("description", description)
    event.add(
        "url", settings.WAGTAILADMIN_BASE_URL + reverse("meetings:meeting", args=[meeting.pk])
    )
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    return event


def meeting_calendar(meetings, name=None):
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting))
    calendar.add_missing_timezones()
    return calendar
