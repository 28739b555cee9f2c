"""The progress overview's timeline and latest notes, kept until progress changes; and
the generation of everyone's cached roles (``network.access.roles_of``), replaced by every
granted or revoked role.

The timeline (a chart and a table of every partner's project parts and milestones) and
the latest status notes are the parts of the overview that grow with the data. They are
cached under a generation that every saved or deleted part status, milestone, status
note, membership, municipality or initiative replaces (signals, so that changes made in
the admin count too), and so does a person's changed name (a note shows its author);
the status table is built on every request. With Redis as the cache, all daphne
processes share the generation.
"""

from django.db.models.signals import post_delete, post_save

from cms.cache import generation, replace_generation, watch

PROGRESS_KEY = "network:progress:generation"
#: Every person's roles as read by network.access.roles_of.
ROLES_KEY = "network:roles:generation"
#: The initiatives, as filters and menus list them.
INITIATIVES_KEY = "network:initiatives:generation"


def roles_generation():
    return generation(ROLES_KEY)


def progress_generation():
    return generation(PROGRESS_KEY)


def invalidate_progress(**kwargs):
    replace_generation(PROGRESS_KEY)


#: What a status note shows of its author (``User.__str__``).
AUTHOR_FIELDS = frozenset({"first_name", "last_name", "email"})


def invalidate_progress_for_person(update_fields=None, **kwargs):
    """A person saved: only a change to their name can show (a login saves last_login)."""
    if update_fields is None or AUTHOR_FIELDS & set(update_fields):
        invalidate_progress()


def connect():
    from network.models import (
        Initiative,
        Membership,
        Milestone,
        Municipality,
        PartProgress,
        RoleAssignment,
        StatusNote,
        User,
    )

    watch((RoleAssignment,), ROLES_KEY, "network-roles")
    watch((Initiative,), INITIATIVES_KEY, "network-initiatives")

    for model in (PartProgress, Milestone, StatusNote, Membership, Municipality, Initiative):
        for signal in (post_save, post_delete):
            signal.connect(
                invalidate_progress,
                sender=model,
                dispatch_uid=f"network-progress-{model.__name__}-{signal is post_save}",
            )
    post_save.connect(
        invalidate_progress_for_person, sender=User, dispatch_uid="network-progress-person"
    )
    post_delete.connect(
        invalidate_progress, sender=User, dispatch_uid="network-progress-person-deleted"
    )
