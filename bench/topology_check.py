"""Database steps of the topology run (``bench/topology.py``), answers as JSON.

``people N``: at least N people of a partner municipality of the demo network (the live
fan-out's readers and writers; the demo content has too few).
``overbooked``: after the mixed workload, the meetings with more confirmed places than
seats (there must be none).
"""

import json
import sys

from bench.common import setup_django

PEOPLE_MUNICIPALITY = "Randers"


def people(count):
    from django.contrib.auth import get_user_model

    from network.models import Municipality

    municipality = Municipality.objects.get(name=PEOPLE_MUNICIPALITY)
    model = get_user_model()
    for number in range(count):
        model.objects.get_or_create(
            email=f"bench-{number}@randers.example",
            defaults={
                "first_name": "Bench",
                "last_name": str(number),
                "municipality": municipality,
            },
        )
    return count


def overbooked():
    from django.db.models import Count, F, Q

    from meetings.models import Meeting, Registration

    return (
        Meeting.objects.filter(seats__isnull=False)
        .annotate(
            confirmed=Count(
                "registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)
            )
        )
        .filter(confirmed__gt=F("seats"))
        .count()
    )


def main():
    setup_django()
    if sys.argv[1:2] == ["people"]:
        print(json.dumps(people(int(sys.argv[2]))))
    else:
        print(json.dumps(overbooked()))


if __name__ == "__main__":
    main()
