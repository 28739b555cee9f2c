"""The generation of what the meetings' public pages show.

A meeting's page and the lists show its seats left and its documents; pool pages list
their information meetings. Every saved or deleted meeting, sign-up, document or action
item replaces the generation (signals, so that the admin's changes count too), which is
part of the key of every page in the anonymous visitors' page cache
(``config.page_cache``): the next anonymous request shows the change.
"""

from cms.cache import replace_generation, watch

PAGES_KEY = "meetings:pages:generation"


def invalidate_pages():
    replace_generation(PAGES_KEY)


def connect():
    from meetings.models import ActionItem, Meeting, MeetingDocument, Registration

    watch((Meeting, Registration, MeetingDocument, ActionItem), PAGES_KEY, "meetings-pages")
