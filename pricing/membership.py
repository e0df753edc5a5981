"""The price of a year's membership: a pure function of a school's facts and that year's
price settings, returning a quote that shows its working.

The rules (HEP's figures are only the default settings; see docs/0004-membership-pricing.md):

- Schools in Haringey and Enfield take full membership; schools elsewhere take associate
  membership, priced by its own schedule with the same rules.
- Further-education providers pay the year's fixed price, whatever their size; no cap or
  minimum applies to it.
- Every other phase (nursery, primary, secondary, all-through, special, alternative
  provision) pays FTE pupils × the rate per pupil, rounded to the penny, then:
  - capped at the general cap, or at the sixth-form cap for a secondary or all-through
    school with a sixth form (a sixth form in any other phase does not change the cap);
  - a school newly joining pays at least the new-joiner minimum (existing members do not).

Bad input raises a `MembershipQuoteError` (a DomainError with a stable code and the field
it is about); it never produces a price.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Protocol

from portal.errors import InvalidInput

from .money import ZERO, format_gbp, money
from .quotes import Adjustment

FULL = "full"
ASSOCIATE = "associate"

PER_PUPIL_PHASES = (
    "nursery",
    "primary",
    "secondary",
    "all-through",
    "special",
    "alternative-provision",
)
FIXED_PRICE_PHASES = ("further-education",)
PHASES = PER_PUPIL_PHASES + FIXED_PRICE_PHASES
# Phases whose sixth form brings the higher cap.
SIXTH_FORM_CAP_PHASES = ("secondary", "all-through")
LOCAL_AUTHORITIES = ("haringey", "enfield", "other")
FULL_MEMBERSHIP_AUTHORITIES = ("haringey", "enfield")

# No school has this many pupils: a figure above it is a typing mistake, not a quote.
MAX_PUPILS = Decimal("100000")


class MembershipQuoteError(InvalidInput):
    code = "membership_quote_invalid"
    default_message = "The membership fee could not be worked out from what was entered."

    def __init__(self, message: str | None = None, *, field: str | None = None, **details):
        super().__init__(message, **({"field": field} if field else {}), **details)
        self.field = field


class PupilCountMissing(MembershipQuoteError):
    code = "pupils_missing"
    default_message = "Enter the number of FTE pupils from the school's October census."


class PupilCountInvalid(MembershipQuoteError):
    code = "pupils_invalid"
    default_message = "Enter the number of FTE pupils as a number, like 420 or 420.5."


class PupilCountNegative(MembershipQuoteError):
    code = "pupils_negative"
    default_message = "The number of FTE pupils cannot be negative."


class PupilCountTooLarge(MembershipQuoteError):
    code = "pupils_too_large"
    default_message = f"The number of FTE pupils must be less than {MAX_PUPILS:,}."


class UnknownPhase(MembershipQuoteError):
    code = "unknown_phase"
    default_message = "Choose the school's phase: " + ", ".join(PHASES) + "."


class UnknownLocalAuthority(MembershipQuoteError):
    code = "unknown_local_authority"
    default_message = "Choose where the school is: haringey, enfield or other."


class NoPriceSettings(MembershipQuoteError):
    code = "no_price_settings"
    default_message = "Membership prices for that year have not been set yet."


class PriceSchedule(Protocol):
    """What the quote reads from a year's settings (memberships.models.PriceSettings)."""

    year: int
    membership_type: str
    rate_per_pupil: Decimal
    cap: Decimal
    cap_secondary_sixth_form: Decimal
    further_education_price: Decimal
    new_joiner_minimum: Decimal


@dataclass(frozen=True)
class SchoolFacts:
    """What the price depends on. `pupils` is the FTE count from the October census."""

    phase: str
    pupils: Decimal | int | str | None
    local_authority: str
    has_sixth_form: bool = False
    new_joiner: bool = False


@dataclass(frozen=True)
class MembershipQuote:
    membership_type: str  # full | associate
    year: int
    rule: str  # per_pupil | cap | cap_sixth_form | minimum | fixed: what decided the total
    lines: tuple[Adjustment, ...]  # the working; the amounts add up to the total
    total: Decimal

    @property
    def headline(self) -> str:
        """The reason shown beside the price, e.g. "Capped at £12,500.00"."""
        return self.lines[-1].label

    def working(self) -> list[dict]:
        return [line.as_dict() for line in self.lines]

    def as_dict(self) -> dict:
        return {
            "membership": self.membership_type,
            "year": self.year,
            "rule": self.rule,
            "total": f"{self.total:.2f}",
            "currency": "GBP",
            "lines": self.working(),
        }


def membership_type_for(local_authority: str | None) -> str:
    """Full membership in the partnership's area (Haringey, Enfield); associate elsewhere."""
    if local_authority not in LOCAL_AUTHORITIES:
        raise UnknownLocalAuthority(field="local_authority")
    return FULL if local_authority in FULL_MEMBERSHIP_AUTHORITIES else ASSOCIATE


def pupils_from(value) -> Decimal | None:
    """A pupil count as a Decimal (None when missing). Text must be a plain number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise PupilCountInvalid(field="pupils")
    try:
        pupils = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise PupilCountInvalid(field="pupils")
    if not pupils.is_finite():
        raise PupilCountInvalid(field="pupils")
    return pupils


def pupils_checked(value, *, required: bool) -> Decimal | None:
    """A pupil count the quote accepts (or None when missing and not `required`); else an error."""
    pupils = pupils_from(value)
    if pupils is None:
        if required:
            raise PupilCountMissing(field="pupils")
        return None
    if pupils < 0:
        raise PupilCountNegative(field="pupils")
    if pupils >= MAX_PUPILS:
        raise PupilCountTooLarge(field="pupils")
    if pupils != pupils.quantize(Decimal("0.1")):
        raise PupilCountInvalid(
            "Give the number of FTE pupils to at most one decimal place, as the census does.",
            field="pupils",
        )
    return pupils


def _pupils_label(pupils: Decimal) -> str:
    return f"{pupils.normalize():,f}"


def schedule_for(facts: SchoolFacts, schedules: Sequence[PriceSchedule], *, year: int) -> PriceSchedule:
    """The settings that price `facts` in `year`, from the settings loaded for that year."""
    membership_type = membership_type_for(facts.local_authority)
    for schedule in schedules:
        if schedule.year == year and schedule.membership_type == membership_type:
            return schedule
    kind = "associate membership" if membership_type == ASSOCIATE else "membership"
    raise NoPriceSettings(
        f"Prices for {kind} in {year}/{str(year + 1)[-2:]} have not been set yet. "
        "Please contact the partnership.",
        year=year,
    )


def membership_quote(facts: SchoolFacts, schedule: PriceSchedule | None) -> MembershipQuote:
    """Price one year's membership for a school. Pure: no database, no clock."""
    membership_type = membership_type_for(facts.local_authority)
    if facts.phase not in PHASES:
        raise UnknownPhase(field="phase")
    if schedule is None:
        raise NoPriceSettings()
    if schedule.membership_type != membership_type:
        raise NoPriceSettings(
            f"These are the {schedule.membership_type} membership prices; "
            f"this school takes {membership_type} membership."
        )
    year = schedule.year

    if facts.phase in FIXED_PRICE_PHASES:
        pupils_checked(facts.pupils, required=False)  # a count, if given, must still be sensible
        price = money(schedule.further_education_price)
        line = Adjustment("fixed", f"Further-education provider: fixed price {format_gbp(price)}", price)
        return MembershipQuote(membership_type, year, "fixed", (line,), price)

    pupils = pupils_checked(facts.pupils, required=True)
    rate = money(schedule.rate_per_pupil)
    subtotal = money(pupils * rate)
    lines = [Adjustment("per_pupil", f"{_pupils_label(pupils)} FTE pupils × {format_gbp(rate)}", subtotal)]
    total, rule = subtotal, "per_pupil"

    sixth_form_cap = facts.has_sixth_form and facts.phase in SIXTH_FORM_CAP_PHASES
    cap = money(schedule.cap_secondary_sixth_form if sixth_form_cap else schedule.cap)
    if total > cap:
        label = (
            f"Capped at {format_gbp(cap)} (the cap for a school with a sixth form)"
            if sixth_form_cap
            else f"Capped at {format_gbp(cap)} (the cap)"
        )
        lines.append(Adjustment("cap", label, money(cap - total)))
        total, rule = cap, "cap_sixth_form" if sixth_form_cap else "cap"

    minimum = money(schedule.new_joiner_minimum)
    if facts.new_joiner and total < minimum:
        lines.append(
            Adjustment(
                "minimum",
                f"Raised to {format_gbp(minimum)}, the minimum for a school newly joining",
                money(minimum - total),
            )
        )
        total, rule = minimum, "minimum"

    return MembershipQuote(membership_type, year, rule, tuple(lines), max(total, ZERO))


def membership_quote_for_year(facts: SchoolFacts, *, year: int) -> MembershipQuote:
    """Load `year`'s settings (one query) and price `facts` with them."""
    from memberships.models import PriceSettings

    membership_type_for(facts.local_authority)  # a clear error before touching the database
    if facts.phase not in PHASES:
        raise UnknownPhase(field="phase")
    schedules = list(PriceSettings.objects.filter(year=year))
    return membership_quote(facts, schedule_for(facts, schedules, year=year))


class NoCensusFigure(MembershipQuoteError):
    code = "no_census_figure"
    default_message = "We have no October census figure for this school yet: add it first."


@dataclass(frozen=True)
class SchoolQuote:
    """A school's quote for a year, with the facts it was worked out from."""

    quote: MembershipQuote
    facts: SchoolFacts
    census_figure: object | None  # schools.CensusFigure the pupils came from (None for FE without one)


def membership_quote_for_school(school, *, year: int) -> SchoolQuote:
    """Load what a school's price depends on (its latest census figure, whether it is newly
    joining, the year's settings: a fixed number of queries), then price it."""
    from memberships.selectors import is_new_joiner
    from schools.selectors import school_latest_census

    figure = school_latest_census(school)
    if figure is None and school.phase not in FIXED_PRICE_PHASES:
        raise NoCensusFigure(
            f"We have no October census figure for {school.name} yet. "
            "Add the school's FTE pupil count first.",
            field="pupils",
        )
    facts = SchoolFacts(
        phase=school.phase,
        pupils=figure.fte_pupils if figure is not None else None,
        local_authority=school.local_authority,
        has_sixth_form=school.has_sixth_form,
        new_joiner=is_new_joiner(school, year=year),
    )
    return SchoolQuote(quote=membership_quote_for_year(facts, year=year), facts=facts, census_figure=figure)
