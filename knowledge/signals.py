"""Close live connections whose access may be gone.

When something that decides a person's access changes — a role removed, the person
deactivated or moved to another municipality, a logout, a municipality's membership
of an initiative changed or ended — the person's open topic connections are asked to
check their access again (``services.broadcast_access_check``), after the commit, so
they see the new state. The consumers decide, through ``knowledge.access``.

The forum's "email me" also follows a person's choice for forum notices on their page and
their one-click unsubscribe (``network.notices.delivery_changed``).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_delete, post_init, post_save

from knowledge import services
from network import notices
from network.models import Membership, RoleAssignment


def _check_person(person_id):
    if person_id is not None:
        transaction.on_commit(lambda: services.broadcast_access_check(person_id=person_id))


def _check_municipality(municipality_id):
    people = list(
        get_user_model()
        .objects.filter(municipality_id=municipality_id)
        .values_list("pk", flat=True)
    )

    def send():
        for person_id in people:
            services.broadcast_access_check(person_id=person_id)

    transaction.on_commit(send)


def role_removed(sender, instance, **kwargs):
    _check_person(instance.person_id)


def remember_person_state(sender, instance, **kwargs):
    # Read from __dict__ so that a deferred field is never loaded here.
    fields = instance.__dict__
    instance._knowledge_access_state = (fields.get("is_active"), fields.get("municipality_id"))


def person_saved(sender, instance, created, **kwargs):
    before = getattr(instance, "_knowledge_access_state", None)
    now = (instance.is_active, instance.municipality_id)
    if not created and (not instance.is_active or before != now):
        _check_person(instance.pk)
    instance._knowledge_access_state = now


def logged_out(sender, request=None, user=None, **kwargs):
    if user is not None:
        _check_person(user.pk)


def membership_changed(sender, instance, **kwargs):
    _check_municipality(instance.municipality_id)


def connect():
    """Called from ``KnowledgeConfig.ready``."""
    person = get_user_model()
    post_delete.connect(role_removed, sender=RoleAssignment, dispatch_uid="knowledge-role")
    post_init.connect(remember_person_state, sender=person, dispatch_uid="knowledge-person-init")
    post_save.connect(person_saved, sender=person, dispatch_uid="knowledge-person")
    user_logged_out.connect(logged_out, dispatch_uid="knowledge-logout")
    post_save.connect(membership_changed, sender=Membership, dispatch_uid="knowledge-member")
    post_delete.connect(membership_changed, sender=Membership, dispatch_uid="knowledge-member-del")
    notices.delivery_changed.connect(
        services.follow_notice_choice, dispatch_uid="knowledge-notice-choice"
    )
