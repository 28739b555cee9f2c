"""A pool's status is computed from its deadline to the minute, in Copenhagen time."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from cms.models import PoolPage

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def at(*args):
    return datetime(*args, tzinfo=COPENHAGEN)


# 17 September 2019 is summer time (UTC+2); 28 October 2019 is the day after the
# change to winter time (UTC+1); 30 March 2020 is the day after the change back.
DEADLINES = [at(2019, 9, 17, 12, 0), at(2019, 10, 28, 12, 0), at(2020, 3, 30, 12, 0)]


@pytest.mark.parametrize("deadline", DEADLINES)
def test_open_until_the_deadline_minute_then_closed(deadline):
    pool = PoolPage(deadline=deadline)
    year, month, day = deadline.year, deadline.month, deadline.day
    assert pool.status(now=at(year, month, day, 11, 59)) == PoolPage.CLOSING_SOON
    assert pool.status(now=at(year, month, day, 12, 0)) == PoolPage.CLOSED
    assert pool.status(now=at(year, month, day, 12, 1)) == PoolPage.CLOSED
    assert pool.is_open(now=at(year, month, day, 11, 59, 59))
    assert not pool.is_open(now=at(year, month, day, 12, 0))


def test_the_deadline_is_copenhagen_wall_clock_time_in_summer_and_winter():
    summer = PoolPage(deadline=at(2019, 9, 17, 12, 0))
    winter = PoolPage(deadline=at(2019, 10, 28, 12, 0))
    utc = ZoneInfo("UTC")
    assert summer.status(now=datetime(2019, 9, 17, 9, 59, tzinfo=utc)) == PoolPage.CLOSING_SOON
    assert summer.status(now=datetime(2019, 9, 17, 10, 0, tzinfo=utc)) == PoolPage.CLOSED
    assert winter.status(now=datetime(2019, 10, 28, 10, 59, tzinfo=utc)) == PoolPage.CLOSING_SOON
    assert winter.status(now=datetime(2019, 10, 28, 11, 0, tzinfo=utc)) == PoolPage.CLOSED


def test_closing_soon_is_the_last_seven_days():
    pool = PoolPage(deadline=at(2019, 9, 17, 12, 0))
    assert pool.status(now=at(2019, 9, 10, 11, 59)) == PoolPage.OPEN
    assert pool.status(now=at(2019, 9, 10, 12, 0)) == PoolPage.CLOSING_SOON


def test_closing_soon_window_is_seven_real_days_across_the_change_to_winter_time():
    pool = PoolPage(deadline=at(2019, 10, 28, 12, 0))
    # 21 October 12:00 summer time is 7 days and 1 hour before 28 October 12:00 winter time.
    assert pool.status(now=at(2019, 10, 21, 12, 0)) == PoolPage.OPEN
    assert pool.status(now=at(2019, 10, 21, 13, 0)) == PoolPage.CLOSING_SOON


def test_time_left_in_danish_words():
    pool = PoolPage(deadline=at(2019, 9, 17, 12, 0))
    with translation.override("da"):
        assert pool.time_left(now=at(2019, 9, 14, 8, 0)) == "3\xa0dage, 4\xa0timer"
        assert pool.time_left(now=at(2019, 9, 17, 11, 15)) == "45\xa0minutter"
        assert pool.time_left(now=at(2019, 9, 17, 12, 0)) == ""
