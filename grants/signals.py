"""The grant case listens to the network app, which may not import it (DESIGN.md)."""

from grants import services
from network.signals import application_submitted


def _file_receipt(sender, application, person, now, **kwargs):
    services.file_receipt(application, person, now)


def connect():
    application_submitted.connect(_file_receipt, dispatch_uid="grants-receipt")
