"""Many people at once against real daphne processes: nothing accepted is lost or doubled.

Twenty-four logged-in people from eight municipalities, released together by a barrier,
each post a reply to one topic and sign up for one meeting with five seats, through two
daphne processes on the test database; a third of them send each form twice at the same
moment, one copy to each process, as a double click behind a load balancer would. Each
request either is accepted (a redirect to the new post, a success message on the meeting
page) and then stored exactly once, or gets a clear answer (a form error, a refusal
message or the error page) and is then not stored. The topic's counters match its rows,
the seats are not oversold, and the waiting list is in the order people were told.
"""

import re
import threading
import time
from collections import Counter
from contextlib import ExitStack

import pytest
from django.urls import reverse

from knowledge.models import Post, Space
from meetings.models import Registration
from network.models import Membership
from tests.faults.client import Visitor
from tests.knowledge.factories import SpaceFactory, TopicFactory
from tests.knowledge.live_server import daphne_process, shared_database
from tests.meetings.factories import MeetingFactory
from tests.network.factories import member, municipal_person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

Status = Registration.Status
MUNICIPALITIES = ["Aarhus", "Odense", "Randers", "Herning", "Roskilde", "Rudersdal", "Vejle"]
PEOPLE = 24
DOUBLE_CLICKERS = 8
SEATS = 5
TIME_LIMIT = 90  # seconds, for the requests of the whole crowd
PRODUCTION_PAGES = {"DJANGO_DEBUG": "false"}  # our error page, not the debug page

POSTED = re.compile(r"/forum/emner/(\d+)/(?:\?side=\d+)?#indlaeg-(\d+)$")
ALERT = re.compile(r'<p class="alert alert--(success|error)">([^<]*)</p>')


def at_once(jobs):
    """Run each job in its own thread, released together; return their results in order."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        barrier.wait(timeout=30)
        try:
            results[index] = job()
        except Exception as error:  # reported by the test as an unanswered request
            results[index] = error

    threads = [threading.Thread(target=run, args=item) for item in enumerate(jobs)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + TIME_LIMIT
    for thread in threads:
        thread.join(timeout=max(deadline - time.monotonic(), 0))
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    return results


def is_error_page(answer):
    return answer.status == 500 and "error-page--500" in answer.html


def reply_outcome(answer, topic):
    """'accepted' with the post's number, or 'refused' when the person was told why."""
    if answer.status == 302 and (match := POSTED.search(answer.location)):
        assert int(match[1]) == topic.pk
        return "accepted", int(match[2])
    if answer.status == 200 and 'data-module="error-summary"' in answer.html:
        return "refused", None
    if is_error_page(answer):
        return "refused", None
    raise AssertionError(f"an unclear answer to a reply: {answer.status} {answer.html[:500]}")


def signup_outcome(visitor, answer, meeting_url):
    """'accepted' with the message, or 'refused': the message the meeting page shows."""
    if is_error_page(answer):
        return "refused", None
    assert (answer.status, answer.location) == (302, meeting_url), answer.html[:500]
    page = visitor.get(meeting_url, cookies=answer.cookies)
    assert page.status == 200
    alerts = ALERT.findall(page.html)
    assert len(alerts) == 1, f"the sign-up's answer is not on the meeting page: {alerts}"
    level, message = alerts[0]
    return ("accepted" if level == "success" else "refused"), message


def test_many_people_post_and_sign_up_at_once(tmp_path):
    started = time.monotonic()
    with shared_database(tmp_path) as database_url:
        space = SpaceFactory(visibility=Space.Visibility.NETWORK)
        for index, name in enumerate(MUNICIPALITIES):
            status = Membership.Status.PARTNER if index % 2 else Membership.Status.REFERENCE
            member(space.initiative, name, status)
        people = [
            municipal_person(MUNICIPALITIES[index % len(MUNICIPALITIES)]) for index in range(PEOPLE)
        ]
        topic = TopicFactory(space=space, author=people[0])
        meeting = MeetingFactory(seats=SEATS)
        topic_url = reverse("knowledge:topic", args=[topic.pk])
        meeting_url = reverse("meetings:meeting", args=[meeting.pk])
        signup_url = reverse("meetings:register", args=[meeting.pk])

        with ExitStack() as stack:
            servers = [
                stack.enter_context(
                    daphne_process(database_url, tmp_path / f"daphne-{n}.log", PRODUCTION_PAGES)
                )
                for n in range(2)
            ]
            visitors = [Visitor(servers[0], person) for person in people]
            jobs, labels = [], []
            for index, visitor in enumerate(visitors):
                clicks = 2 if index < DOUBLE_CLICKERS else 1
                text = f"Svar nummer {index} fra {MUNICIPALITIES[index % len(MUNICIPALITIES)]}."
                for click in range(clicks):
                    server = servers[(index + click) % 2]
                    jobs.append(
                        lambda v=visitor, s=server, t=text: v.request(
                            "POST", topic_url, {"text": t, "quoted": ""}, address=s
                        )
                    )
                    labels.append(("reply", index))
                    jobs.append(
                        lambda v=visitor, s=server: v.request("POST", signup_url, {}, address=s)
                    )
                    labels.append(("signup", index))
            answers = at_once(jobs)
            unanswered = [answer for answer in answers if isinstance(answer, Exception)]
            assert unanswered == []

            replies, signups = Counter(), Counter()
            numbers, told = [], {}
            for (kind, index), answer in zip(labels, answers, strict=True):
                if kind == "reply":
                    outcome, sequence = reply_outcome(answer, topic)
                    if outcome == "accepted":
                        replies[index] += 1
                        numbers.append((index, sequence))
                else:
                    outcome, message = signup_outcome(visitors[index], answer, meeting_url)
                    if outcome == "accepted":
                        signups[index] += 1
                        told[index] = message

        # (Still inside shared_database: only there does this process read what daphne wrote.)
        # Every accepted reply is stored once, under the number the person was sent to.
        posts = Post.objects.filter(topic=topic)
        stored = Counter(people.index(post.author) for post in posts.select_related("author"))
        assert stored == replies, "a reply was lost, doubled or saved while refused"
        assert max(replies.values()) == 1, "a double click posted twice"
        for index, sequence in numbers:
            assert posts.get(sequence=sequence).author == people[index]
        assert len(replies) >= PEOPLE - DOUBLE_CLICKERS  # most got through, not just a few

        # The topic's counters match its rows, and the numbers have no gaps.
        topic.refresh_from_db()
        sequences = sorted(posts.values_list("sequence", flat=True))
        assert sequences == list(range(1, len(sequences) + 1))
        assert (topic.post_count, topic.last_sequence) == (len(sequences), len(sequences))
        assert topic.last_post_at == posts.latest("sequence").created_at

        # Every accepted sign-up is stored once; the seats are not oversold.
        registrations = Registration.objects.filter(meeting=meeting)
        stored = Counter(people.index(registration.person) for registration in registrations)
        assert stored == signups, "a sign-up was lost, doubled or saved while refused"
        assert max(signups.values()) == 1
        confirmed = registrations.filter(status=Status.CONFIRMED)
        assert confirmed.count() == min(SEATS, len(signups))
        waiting = registrations.filter(status=Status.WAITING)
        assert waiting.count() == len(signups) - confirmed.count()

        # The waiting list is in the order people got their place, as each was told.
        in_order = list(registrations.order_by("created_at", "pk"))
        assert {r.status for r in in_order[:SEATS]} == {Status.CONFIRMED}
        waiting = [r for r in in_order if r.status == Status.WAITING]
        for position, registration in enumerate(waiting, start=1):
            message = told[people.index(registration.person)]
            assert re.findall(r"\d+", message) == [str(position)], message
        assert time.monotonic() - started < TIME_LIMIT + 30
