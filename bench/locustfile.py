"""The mixed workload of the topology run (``bench/topology.py``), for locust, headless.

Four kinds of visitor, in the proportions of the ``weight`` attributes: anonymous readers
of the public pages (most of the traffic), logged-in readers of the progress overview,
the meeting list and a topic, people signing up for a meeting and cancelling again, and
people posting replies in a topic. The logged-in ones are the demo's municipal staff
(``BENCH_PEOPLE``, a JSON list of e-mail addresses, all with the demo password);
``BENCH_TARGETS`` (JSON) names the pages, the meeting and the topic.

Replies keep to the forum's rate limit (8 a minute per person): each writer waits at
least ten seconds between two, so a refusal is an error of the site, not of the load.
"""

import itertools
import json
import os
import re

from locust import HttpUser, between, task

TARGETS = json.loads(os.environ.get("BENCH_TARGETS", "{}"))
PEOPLE = itertools.cycle(json.loads(os.environ.get("BENCH_PEOPLE", "[]")))
REPLIES = itertools.count(1)
PASSWORD = "partnerskab"
CANCEL = re.compile(r'action="(/moeder/tilmeldinger/\d+/afmeld/)"')


class LoggedIn(HttpUser):
    abstract = True

    def on_start(self):
        self.client.get(TARGETS["login"], name="login page")
        self.client.post(
            TARGETS["login"],
            {
                "username": next(PEOPLE),
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            headers={"Referer": self.host + TARGETS["login"]},
            name="log in",
        )

    def post(self, url, data, name):
        data = {**data, "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")}
        return self.client.post(url, data, headers={"Referer": self.host + url}, name=name)


class AnonymousReader(HttpUser):
    weight = 10
    wait_time = between(0.5, 2)

    @task
    def read(self):
        for page in TARGETS["anonymous"]:
            self.client.get(page["url"], name=f"anonymous: {page['page']}")


class Reader(LoggedIn):
    weight = 4
    wait_time = between(0.5, 2)

    @task
    def read(self):
        for page in TARGETS["logged_in"]:
            self.client.get(page["url"], name=f"logged in: {page['page']}")


class SignUp(LoggedIn):
    weight = 1
    wait_time = between(1, 3)

    @task
    def sign_up_and_cancel(self):
        meeting = TARGETS["meeting"]
        self.post(meeting + "tilmeld/", {}, name="sign up")
        page = self.client.get(meeting, name="logged in: meeting page")
        cancel = CANCEL.search(page.text)
        if cancel:
            self.post(cancel.group(1), {"next": meeting}, name="cancel")


class Writer(LoggedIn):
    weight = 1
    wait_time = between(10, 15)

    @task
    def reply(self):
        self.post(
            TARGETS["topic"],
            {"text": f"Svar nummer {next(REPLIES)} fra belastningsprøven ({os.getpid()})."},
            name="reply",
        )
