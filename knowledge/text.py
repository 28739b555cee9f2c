"""What people write: Markdown to safe HTML, the personal-data guard, mentions.

``sanitise`` is the one place that decides which HTML survives; replace the sanitiser
there and everything (posts, experience reports, edits) follows.
"""

import re
from calendar import monthrange

import bleach
import markdown
from bleach.linkifier import Linker

ALLOWED_TAGS = ["p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote", "code"]
ALLOWED_ATTRIBUTES = {"a": ["href", "title"]}
ALLOWED_PROTOCOLS = ["http", "https", "mailto"]


def _safe_link(attrs, new=False):
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


_linker = Linker(callbacks=[_safe_link], skip_tags=["code"])


def sanitise(html: str) -> str:
    """Keep paragraphs, emphasis, lists, quotes and http(s)/mailto links; drop the rest.

    No scripts, styles, event handlers, images or javascript:/data: URLs survive; every
    link gets rel="nofollow noopener".
    """
    cleaned = bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    return _linker.linkify(cleaned)


def render(source: str) -> str:
    """A post's Markdown (or plain text) as sanitised HTML."""
    return sanitise(markdown.markdown(source, extensions=["nl2br", "sane_lists"]))


# Six digits forming a date (ddmmyy), an optional hyphen or space, four digits. The
# modulus-11 check is deliberately not used: numbers failing it are issued since 2007.
_CPR_PATTERN = re.compile(r"(?<![\d])(\d{2})(\d{2})(\d{2})[-\s]?(\d{4})(?![\d])")


def _is_date(day: int, month: int, year_in_century: int) -> bool:
    if not 1 <= month <= 12 or day < 1:
        return False
    # The century is not in the number: accept the day if it exists in 19yy or 20yy.
    return any(day <= monthrange(century + year_in_century, month)[1] for century in (1900, 2000))


def contains_cpr(*texts: str) -> bool:
    """Whether any of the texts holds what looks like a Danish CPR number."""
    for text in texts:
        for match in _CPR_PATTERN.finditer(text or ""):
            day, month, year = (int(part) for part in match.groups()[:3])
            if _is_date(day, month, year):
                return True
    return False


MENTION_PATTERN = re.compile(r"(?<![\w@])@([\w.-]+\.[\w-]+)", re.UNICODE)


def mention_handle(person) -> str:
    """How a person is mentioned: @fornavn.efternavn, spaces as hyphens, lower case."""
    first = "-".join(person.first_name.lower().split())
    last = "-".join(person.last_name.lower().split())
    return f"{first}.{last}"


def mentioned_handles(source: str) -> set[str]:
    return {handle.lower().rstrip(".") for handle in MENTION_PATTERN.findall(source)}
