"""`--period` of `bcce cost analysis`: the days Cost Explorer is asked about.

Pure: the caller passes today's date. Cost Explorer's TimePeriod has an inclusive Start and an
exclusive End (both YYYY-MM-DD); a period here keeps the same convention, and includes today
(Cost Explorer reports the current day's spend as estimated).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bcce_tf.errors import UsageError

ALLOWED = "30d, 90d (any Nd from 1d to 365d), mtd, or YYYY-MM-DD:YYYY-MM-DD"
MAX_DAYS = 365
_DAYS = re.compile(r"^(\d{1,3})d$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Period:
    start: date  # inclusive
    end: date  # exclusive
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def time_period(self) -> dict[str, str]:
        """Cost Explorer's TimePeriod."""
        return {"Start": self.start.isoformat(), "End": self.end.isoformat()}


def _day(text: str, which: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--period: {which} date '{text}' is not a calendar date (YYYY-MM-DD)") from None


def parse_period(text: str, today: date) -> Period:
    """The period `text` names, counted back from (and including) `today`."""
    value = text.strip().lower()
    tomorrow = today + timedelta(days=1)
    if value == "mtd":
        return Period(today.replace(day=1), tomorrow, "month to date")
    days = _DAYS.match(value)
    if days:
        count = int(days.group(1))
        if not 1 <= count <= MAX_DAYS:
            raise UsageError(f"--period {text}: the number of days must be from 1 to {MAX_DAYS}")
        return Period(tomorrow - timedelta(days=count), tomorrow, f"last {count} days")
    span = _RANGE.match(value)
    if span:
        first, last = _day(span.group(1), "start"), _day(span.group(2), "end")
        if last < first:
            raise UsageError(f"--period {text}: the end date is before the start date")
        if last > today:
            raise UsageError(f"--period {text}: the end date is after today ({today.isoformat()}); Cost Explorer has no spend for the future")
        if (last - first).days + 1 > MAX_DAYS:
            raise UsageError(f"--period {text}: at most {MAX_DAYS} days")
        return Period(first, last + timedelta(days=1), f"{first.isoformat()} to {last.isoformat()}")
    raise UsageError(f"--period must be {ALLOWED}, not '{text}'")
