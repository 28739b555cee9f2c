"""Where the grant cases' files live: outside MEDIA_ROOT, with no public URL.

Receipts, decision letters, message attachments and auditors' statements are private
to a case's parties. They are kept under ``PRIVATE_MEDIA_ROOT`` (by default
``private/`` next to ``media/``), a folder no web server or proxy is pointed at, and
are only ever sent by ``grants.views.document``, which checks access first.
The storage has no URL on purpose: a template that tried ``file.url`` would fail
rather than link to a public address.
"""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """The file system under settings.PRIVATE_MEDIA_ROOT, read at each use (tests move it)."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    def url(self, name):
        raise ValueError("Private grant-case files have no URL; link the view that checks access.")


private_storage = PrivateStorage()


def get_private_storage():
    """The storage of the grant cases' file fields (a callable, so migrations name it)."""
    return private_storage
