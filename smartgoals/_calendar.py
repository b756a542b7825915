"""Time: as-of moments, local days as integers, UTC offsets across DST, half-open day windows.

Days are *local epoch days*: the number of days from 1970-01-01 to a local calendar date, so that
windows are integer ranges and no engine's time-zone support is needed. Instants are integer
microseconds since the Unix epoch (UTC). `as_of` is a date (the end of that day in each goal's time
zone) or a timestamp (a naive one is wall time in the goal's time zone); `as_of_us`,
`as_of_end_day` and `as_of_days` are the only readers of it.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from smartgoals._errors import UsageError
from smartgoals._model import Calendar, Window, check_date

AsOf = date | datetime
US_PER_DAY = 86_400_000_000
EPOCH_DATE = date(1970, 1, 1)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def day_number(day: date) -> int:
    """The local epoch day of a calendar date."""
    return (day - EPOCH_DATE).days


def day_date(number: int) -> date:
    """The calendar date of a local epoch day."""
    return EPOCH_DATE + timedelta(days=number)


def to_us(moment: datetime) -> int:
    """Microseconds since the epoch of an aware datetime."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int) -> datetime:
    """The aware UTC datetime of epoch microseconds."""
    return EPOCH + timedelta(microseconds=us)


def parse_as_of(value: AsOf | str) -> AsOf:
    """Read an as-of moment: a date (``2026-11-22``) or an ISO 8601 timestamp.

    Raises:
        UsageError: anything else, an empty string included.
    """
    text = value.strip() if isinstance(value, str) else ""
    try:
        if isinstance(value, date):
            moment: AsOf = value
        elif len(text) == 10:
            moment = date.fromisoformat(text)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(
            f"as_of: expected a date such as 2026-11-22 or an ISO 8601 timestamp, got {value!r}"
        ) from exc
    try:
        check_date(moment.date() if isinstance(moment, datetime) else moment)
    except ValueError as exc:
        raise UsageError(f"as_of: {exc}") from exc
    return moment


def _local(as_of: datetime, tz: str) -> datetime:
    """A timestamp `as_of` in zone `tz` (a naive one is read as wall time in `tz`)."""
    zone = ZoneInfo(tz)
    return (as_of if as_of.tzinfo else as_of.replace(tzinfo=zone)).astimezone(zone)


def as_of_us(as_of: AsOf, tz: str) -> int:
    """The instant of `as_of` in epoch µs: a date means the end of that day in `tz`."""
    if isinstance(as_of, datetime):
        return to_us(_local(as_of, tz))
    return local_midnight_us(day_number(as_of) + 1, tz)


def as_of_end_day(as_of: AsOf, tz: str) -> int:
    """The exclusive end day of windows at `as_of` (the day after as_of's local date)."""
    day = _local(as_of, tz).date() if isinstance(as_of, datetime) else as_of
    return day_number(day) + 1


def as_of_days(as_of: AsOf, tz: str) -> float:
    """`as_of` as fractional local epoch days in `tz` (a date means the end of that day)."""
    if not isinstance(as_of, datetime):
        return float(day_number(as_of) + 1)
    local = _local(as_of, tz).replace(tzinfo=None)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return day_number(local.date()) + (local - midnight) / timedelta(days=1)


@lru_cache(maxsize=65_536)
def local_midnight_us(day: int, tz: str) -> int:
    """Epoch microseconds of 00:00 on local epoch day `day` in `tz`."""
    local = datetime.combine(day_date(day), datetime.min.time(), tzinfo=ZoneInfo(tz))
    return to_us(local)


@dataclass(frozen=True)
class Offsets:
    """A time zone's UTC offset as a step function of the UTC instant, over a span of time.

    ``offsets[i]`` applies from ``bounds[i - 1]`` (inclusive) to ``bounds[i]`` (exclusive).
    """

    tz: str
    bounds: tuple[int, ...]
    offsets: tuple[int, ...]

    def at(self, us: int) -> int:
        """The offset (microseconds) in force at epoch microseconds `us`."""
        return self.offsets[bisect_right(self.bounds, us)]

    def local_day(self, us: int) -> int:
        """The local epoch day containing instant `us`."""
        return (us + self.at(us)) // US_PER_DAY


@lru_cache(maxsize=64)
def offsets_between(tz: str, first_day: int, end_day: int) -> Offsets:
    """The offsets of `tz` from local day `first_day` up to `end_day`, found at hourly resolution.

    Transitions are located exactly by bisection to the second.
    """
    zone = ZoneInfo(tz)
    start = to_us(datetime.combine(day_date(first_day - 1), datetime.min.time(), tzinfo=UTC))
    stop = to_us(datetime.combine(day_date(end_day + 1), datetime.min.time(), tzinfo=UTC))

    def offset(us: int) -> int:
        delta = from_us(us).astimezone(zone).utcoffset() or timedelta(0)
        return int(delta.total_seconds()) * 1_000_000

    bounds: list[int] = []
    offsets = [offset(start)]
    step = 3_600_000_000
    us = start
    while us < stop:
        nxt = us + step
        if offset(nxt) != offsets[-1]:
            low, high = us, nxt  # NOTE: offset(low) is the old value, offset(high) the new one
            while high - low > 1_000_000:
                mid = (low + high) // 2
                low, high = (mid, high) if offset(mid) == offsets[-1] else (low, mid)
            bounds.append(high)
            offsets.append(offset(high))
        us = nxt
    return Offsets(tz, tuple(bounds), tuple(offsets))


def period_start(day: int, kind: str) -> int:
    """The first day of the calendar week, month, quarter or year containing local day `day`."""
    d = day_date(day)
    if kind == "week":
        return day - d.weekday()
    if kind == "month":
        return day_number(d.replace(day=1))
    if kind == "quarter":
        return day_number(d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1))
    return day_number(d.replace(month=1, day=1))


def window_days(window: Window, end: int, start: int | None) -> tuple[int, int]:
    """The half-open day range ``[first, end)`` a window covers when it ends at day `end`.

    A calendar window is the current period up to `end` (``end - 1`` is the last day included);
    ``to-date`` runs from the goal's start (or one year back without one).
    """
    if window.kind == "rolling":
        return end - window.days, end
    if window.kind == "to-date":
        return (start if start is not None else end - 365), end
    return period_start(end - 1, window.kind), end


def previous_window(window: Window, start: int) -> tuple[int, int]:
    """The window that ends where a goal starts, for measuring its baseline."""
    if window.kind == "rolling":
        return start - window.days, start
    months = {"week": 0, "month": 1, "quarter": 3, "year": 12}.get(window.kind)
    if window.kind == "week":
        return start - 7, start
    if months:
        return day_number(day_date(start) - relativedelta(months=months)), start
    return start - 28, start


@dataclass(frozen=True)
class BusinessClock:
    """Cumulative business time of a calendar, on the wall clock of its time zone.

    ``at(us)`` is the business time (µs) from the calendar's reference Monday to the instant ``us``;
    the business time between two instants is the difference. With ``d`` the local day, ``r`` its
    weekday (Monday 0) and ``s`` the local time of day:

        B = full weeks × week_total + prefix[r] − Σ(open time of holidays before d)
            + (0 on holidays, else Σ clip(s − open_i, 0, close_i − open_i) over the day's hours)

    Opening hours are wall-clock hours: on a DST day the hour that is skipped or repeated counts as
    the wall clock shows it (calendars are rarely open at 2 a.m.).
    """

    tz: str
    monday: int
    hours: tuple[tuple[tuple[int, int], ...], ...]
    holidays: tuple[int, ...]
    offsets: Offsets

    @property
    def day_lengths(self) -> tuple[int, ...]:
        """Open time (µs) of each weekday, Monday first."""
        return tuple(sum(end - start for start, end in spans) for spans in self.hours)

    def prefix(self, weekday: int) -> int:
        """Open time of the week's days before `weekday`."""
        return sum(self.day_lengths[:weekday])

    def at(self, us: int) -> int:
        """Business time (µs) from the reference Monday up to instant `us`."""
        local = us + self.offsets.at(us)
        day = local // US_PER_DAY
        into_day = local - day * US_PER_DAY
        weeks, weekday = divmod(day - self.monday, 7)
        total = weeks * sum(self.day_lengths) + self.prefix(weekday)
        total -= sum(self.day_lengths[(h - self.monday) % 7] for h in self.holidays if h < day)
        if day not in self.holidays:
            total += sum(
                min(max(into_day - start, 0), end - start) for start, end in self.hours[weekday]
            )
        return total

    def elapsed(self, start_us: int, end_us: int) -> int:
        """Business time (µs) between two instants."""
        return self.at(end_us) - self.at(start_us)


@dataclass(frozen=True)
class Clocks:
    """The business clocks of the declared calendars, built for the days a run reads."""

    calendars: dict[str, BusinessClock]

    @classmethod
    def of(cls, calendars: dict[str, Calendar], first_day: int, last_day: int) -> Clocks:
        """The clocks of `calendars` from local day `first_day` up to `last_day`."""
        return cls({n: business_clock(c, first_day, last_day) for n, c in calendars.items()})

    def get(self, name: str | None) -> BusinessClock | None:
        """The clock of calendar `name` (None: the wall clock)."""
        return None if name is None else self.calendars[name]


def business_clock(calendar: Calendar, first_day: int, last_day: int) -> BusinessClock:
    """The business clock of `calendar` for local days `first_day` up to `last_day`."""
    import holidays

    def us(moment: time) -> int:
        return (moment.hour * 3600 + moment.minute * 60 + moment.second) * 1_000_000

    hours = tuple(tuple((us(a), us(b)) for a, b in calendar.hours.get(wd, ())) for wd in range(7))
    closed = {day_number(d) for d in calendar.closed}
    if calendar.holidays is not None:
        years = range(day_date(first_day).year, day_date(last_day).year + 1)
        public = holidays.country_holidays(
            calendar.holidays.country, subdiv=calendar.holidays.subdiv, years=years
        )
        closed |= {day_number(d) for d in public}
    monday = first_day - day_date(first_day).weekday()
    days = tuple(sorted(d for d in closed if monday <= d <= last_day))
    return BusinessClock(
        calendar.timezone,
        monday,
        hours,
        days,
        offsets_between(calendar.timezone, first_day, last_day),
    )


__all__ = [
    "EPOCH",
    "AsOf",
    "as_of_days",
    "as_of_end_day",
    "as_of_us",
    "parse_as_of",
    "BusinessClock",
    "Clocks",
    "business_clock",
    "US_PER_DAY",
    "Offsets",
    "day_date",
    "day_number",
    "from_us",
    "local_midnight_us",
    "offsets_between",
    "period_start",
    "previous_window",
    "to_us",
    "window_days",
]
