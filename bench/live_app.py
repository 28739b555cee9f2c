"""The site's ASGI application as the live benchmark serves it: unchanged, except that it
notes when each new post is saved.

A new post goes to the open tabs from ``services.broadcast_post``, which runs right after
the post's transaction commits (``transaction.on_commit``). Wrapped here, it first writes
``topic sequence time`` (wall clock, seconds) as a line to the file ``BENCH_SAVED_LOG``
names, so ``bench/live.py`` can time a post's way from being saved to each open tab.
"""

import os
import time

from config.asgi import application
from knowledge import services

__all__ = ["application"]

_saved_log = open(os.environ["BENCH_SAVED_LOG"], "a", buffering=1)  # noqa: SIM115 (lives as long as the server)
_broadcast_post = services.broadcast_post


def broadcast_post(post, event, **options):
    if event == "post.created":
        _saved_log.write(f"{post.topic_id} {post.sequence} {time.time()}\n")
    return _broadcast_post(post, event, **options)


services.broadcast_post = broadcast_post
