"""``python -m bench.topology_check``: after the mixed workload, the meetings with more
confirmed places than seats (there must be none), as JSON."""

import json

from bench.common import setup_django


def main():
    setup_django()
    from django.db.models import Count, F, Q

    from meetings.models import Meeting, Registration

    overbooked = (
        Meeting.objects.filter(seats__isnull=False)
        .annotate(
            confirmed=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)
            )
        )
        .filter(confirmed__gt=F("seats"))
    )
    print(json.dumps(overbooked.count()))


if __name__ == "__main__":
    main()
