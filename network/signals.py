"""What the network app tells the apps above it, which it may not import (DESIGN.md).

``application_submitted(application, person, now)`` is sent inside the transaction that
submits; the grant case (grants/) opens the case and files the receipt in it.
"""

from django.dispatch import Signal

application_submitted = Signal()
