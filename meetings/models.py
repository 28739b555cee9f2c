"""Meetings, registrations, waiting lists, calendars and minutes."""
