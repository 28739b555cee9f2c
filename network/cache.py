"""The progress overview's timeline and latest notes, kept until progress changes.

The timeline (a chart and a table of every partner's project parts and milestones) and
the latest status notes are the parts of the overview that grow with the data. They are
cached under a generation that every saved or deleted part status, milestone, status
note, membership, municipality or initiative replaces (signals, so that changes made in
the admin count too); the status table is built on every request. A changed name of a
note's author shows with the next change of progress (or after a day). With Redis as
the cache, all daphne processes share the generation.
"""

from django.db.models.signals import post_delete, post_save

from cms.cache import generation, replace_generation

PROGRESS_KEY = "network:progress:generation"


def progress_generation():
    return generation(PROGRESS_KEY)


def invalidate_progress(**kwargs):
    replace_generation(PROGRESS_KEY)


def connect():
    from network.models import (
        Initiative,
        Membership,
        Milestone,
        Municipality,
        PartProgress,
        StatusNote,
    )

    for model in (PartProgress, Milestone, StatusNote, Membership, Municipality, Initiative):
        for signal in (post_save, post_delete):
            signal.connect(
                invalidate_progress,
                sender=model,
                dispatch_uid=f"network-progress-{model.__name__}-{signal is post_save}",
            )
