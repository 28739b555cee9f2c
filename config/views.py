"""The site's answer to an unexpected error, with one case of its own: a busy database.

When every connection of the process's pool is in use for longer than
``DATABASE_POOL_TIMEOUT`` (or PostgreSQL refuses a new connection), the request could not
begin its work, so nothing of it was saved. The person is told so and asked to try again
in a moment (503 with Retry-After), instead of the "something went wrong" page.
"""

import logging
import sys

from django.http import HttpResponse
from django.template import loader
from django.views import defaults
from psycopg_pool import PoolTimeout

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10
#: PostgreSQL's words when it has no connection left for a new client.
REFUSED_FOR_LOAD = ("too many clients", "remaining connection slots are reserved")


def database_was_busy(error) -> bool:
    """Whether the error, or one it came from, says no connection could be had in time."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, PoolTimeout) or any(words in str(error) for words in REFUSED_FOR_LOAD):
            return True
        error = error.__cause__ or error.__context__
    return False


def server_error(request, template_name="500.html"):
    """handler500: Django calls it while handling the error, so sys.exc_info() holds it."""
    if database_was_busy(sys.exc_info()[1]):
        logger.warning("No database connection in time for %s; answered 503", request.path)
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request, template_name)
