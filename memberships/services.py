"""Every write about memberships: ordering (joining or renewing), staff recording one by hand,
census corrections, the daily status refresh and the lapse reminders."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import audit_record
from accounts.policy import Action, can
from billing.selectors import invoicing_body_default
from billing.services import order_placed
from orders.numbers import order_number_next
from portal.errors import Conflict, InvalidInput, NotAllowed
from pricing.membership import (
    MembershipQuoteError,
    membership_quote_for_school,
    membership_type_for,
    pupils_from,
)
from pricing.money import format_gbp, money

from .models import (
    Membership,
    MembershipStatus,
    MembershipType,
    PaymentDue,
    ReminderSchedule,
    ReminderSent,
)
from .years import (
    census_year_for,
    lapse_date,
    membership_year_for,
    next_financial_year_start,
    year_label,
    year_start,
)

logger = logging.getLogger(__name__)

MAX_CENSUS_PUPILS = Decimal("100000")


class MembershipExists(Conflict):
    code = "membership_exists"
    default_message = "The school already holds a membership for that year."


class YearNotOrderable(InvalidInput):
    code = "year_not_orderable"
    default_message = "Membership can be ordered for this year or next year only."


def payment_due_date_for(school, payment_due: str, *, today: dt.date) -> dt.date:
    """When the invoice is payable: today, or the first day of the school's next financial year."""
    if payment_due == PaymentDue.NOW:
        return today
    if payment_due == PaymentDue.FINANCIAL_YEAR_START:
        return next_financial_year_start(school.financial_year_start, after=today)
    raise InvalidInput(
        "Choose when payment falls due: now, or at the start of the school's next financial year.",
        code="payment_due_invalid",
        field="payment_due",
    )


def _place_order(*, membership: Membership, working: list[dict], reason: str, actor, now: dt.datetime):
    """The order (on account, placed) with one membership line carrying the price snapshot."""
    from orders.models import LineKind, Order, OrderLine, OrderStatus, PaymentMethod

    school = membership.school
    order = Order.objects.create(
        number=order_number_next(),  # one numbering scheme for every order
        status=OrderStatus.PLACED,
        payment_method=PaymentMethod.ACCOUNT,
        school=school,
        buyer=actor if getattr(actor, "pk", None) else None,
        buyer_name=getattr(actor, "full_name", "") or school.name,
        buyer_email=getattr(actor, "email", "") or school.billing_email or "",
        billing_name=school.name,
        billing_address=school.billing_address,
        subtotal=membership.price,
        discount_total=Decimal("0.00"),
        total=membership.price,
        idempotency_key=f"membership:{membership.pk}",
        placed_at=now,
    )
    OrderLine.objects.create(
        order=order,
        kind=LineKind.MEMBERSHIP,
        membership=membership,
        description=f"{membership.get_membership_type_display()} {membership.year_label}: {school.name}",
        quantity=1,
        unit_price=membership.price,
        discount=Decimal("0.00"),
        total=membership.price,
        price_reason=reason,
        price_working=working,
        invoicing_body=invoicing_body_default(),
    )
    membership.order = order
    membership.save(update_fields=["order"])
    transaction.on_commit(lambda: order_placed(order))  # invoiced like every account order
    return order


def _create_membership(
    *,
    school,
    year: int,
    payment_due: str,
    actor,
    today: dt.date,
    create_order: bool,
    recorded_by_staff: bool,
    price: Decimal | None = None,
) -> Membership:
    """Lock the school, check it holds no membership for the year, price it and save it."""
    from schools.models import School

    with transaction.atomic():
        # One order at a time per school: a double submit waits here, then finds the first.
        school = School.objects.select_for_update().get(pk=school.pk)
        if (
            Membership.objects.filter(school=school, year=year)
            .exclude(status=MembershipStatus.CANCELLED)
            .exists()
        ):
            raise MembershipExists(
                f"{school.name} already holds a membership for {year_label(year)}. "
                "You can see it on the dashboard under Memberships."
            )
        try:
            quote = membership_quote_for_school(school, year=year).quote
        except MembershipQuoteError:
            if price is None:
                raise
            quote = None  # staff set the price: no census figure or settings needed
        working = quote.working() if quote else []
        reason = quote.headline if quote else ""
        if price is not None and (quote is None or money(price) != quote.total):
            working.append(
                {
                    "code": "staff_price",
                    "label": "Price set by partnership staff",
                    "amount": f"{money(price):.2f}",
                }
            )
            reason = "Price set by partnership staff"
        # A school ordering mid-year is a member from that day; staff record whole years.
        starts_on = year_start(year) if recorded_by_staff else max(year_start(year), today)
        membership = Membership(
            school=school,
            year=year,
            membership_type=MembershipType(
                quote.membership_type if quote else membership_type_for(school.local_authority)
            ),
            price=money(price) if price is not None else quote.total,
            quote_working=working,
            payment_due=payment_due,
            payment_due_date=payment_due_date_for(school, payment_due, today=today),
            starts_on=starts_on,
            ordered_by=actor if getattr(actor, "pk", None) else None,
            recorded_by_staff=recorded_by_staff,
        )
        membership.status = membership.status_on(today)
        try:
            with transaction.atomic():
                membership.save()
        except IntegrityError:  # the database constraint, should the lock be bypassed
            raise MembershipExists(f"{school.name} already holds a membership for {year_label(year)}.")
        if create_order:
            _place_order(
                membership=membership, working=working, reason=reason, actor=actor, now=timezone.now()
            )
        audit_record(
            "membership.recorded" if recorded_by_staff else "membership.ordered",
            actor=actor,
            school=school,
            target=membership,
            detail={
                "year": year_label(year),
                "price": membership.price,
                "status": membership.status,
                "payment_due": payment_due,
                "order": membership.order.number if membership.order_id else None,
            },
        )
    return membership


def membership_order(
    *, school, year: int, payment_due: str, actor, today: dt.date | None = None
) -> Membership:
    """A school user joins or renews: membership for `year` (this year if the school is not a
    member yet, or next year) with an order on account (placed; one membership line with the
    price and its working, invoiced by the default body). Payment falls due now or at the start
    of the school's next financial year, as they choose."""
    day = today or timezone.localdate()
    if not can(actor, Action.ORDER_MEMBERSHIP, school):
        raise NotAllowed(
            "Only the key user, headteacher, business manager or MAT Head Office can order membership."
        )
    current = membership_year_for(day)
    if year not in (current, current + 1):
        raise YearNotOrderable(
            f"Membership can be ordered for {year_label(current)} or {year_label(current + 1)} only.",
            field="year",
        )
    membership = _create_membership(
        school=school,
        year=year,
        payment_due=payment_due,
        actor=actor,
        today=day,
        create_order=True,
        recorded_by_staff=False,
    )
    _send_order_confirmation(membership, actor)
    return membership


def membership_record(
    *,
    school,
    year: int,
    actor,
    payment_due: str = PaymentDue.NOW,
    price: Decimal | None = None,
    create_order: bool = False,
    today: dt.date | None = None,
) -> Membership:
    """Partnership staff record a membership by hand (e.g. agreed by phone or paid outside the
    portal), for any year; the price is the quote unless staff give one. With `create_order`
    an order is placed as if the school had ordered it, so it is invoiced."""
    if not (getattr(actor, "is_staff", False) and actor.is_active):
        raise NotAllowed("Only partnership staff can record a membership by hand.")
    if price is not None and money(price) < 0:
        raise InvalidInput("The price cannot be negative.", field="price")
    return _create_membership(
        school=school,
        year=year,
        payment_due=payment_due,
        actor=actor,
        today=today or timezone.localdate(),
        create_order=create_order,
        recorded_by_staff=True,
        price=price,
    )


def _send_order_confirmation(membership: Membership, actor) -> None:
    from notifications.services import email_send

    email = getattr(actor, "email", "")
    if not email:
        return
    email_send(
        template="membership_ordered",
        to=[email],
        context={
            "membership": membership,
            "school": membership.school,
            "order": membership.order,
            "actor": actor,
            "price": format_gbp(membership.price),
            "dashboard_path": reverse("memberships:dashboard"),
        },
    )


def census_figure_record(*, school, fte_pupils, note: str, actor, today: dt.date | None = None):
    """A school user (or staff) corrects the school's latest October census figure. History is
    kept: a new row, with who recorded it and why; staff see it under the school in the back office."""
    from schools.models import CensusFigure

    if not (can(actor, Action.UPDATE_CENSUS, school) or getattr(actor, "is_staff", False)):
        raise NotAllowed("You cannot change this school's census figure.")
    try:
        pupils = pupils_from(fte_pupils)
    except InvalidInput as error:
        raise InvalidInput(error.message, code=error.code, field="fte_pupils")
    if pupils is None:
        raise InvalidInput(
            "Enter the FTE pupil count from the October census.", code="pupils_missing", field="fte_pupils"
        )
    if pupils < 0:
        raise InvalidInput(
            "The FTE pupil count cannot be negative.", code="pupils_negative", field="fte_pupils"
        )
    if pupils >= MAX_CENSUS_PUPILS:
        raise InvalidInput(
            f"The FTE pupil count must be less than {MAX_CENSUS_PUPILS:,}.",
            code="pupils_too_large",
            field="fte_pupils",
        )
    if pupils != pupils.quantize(Decimal("0.1")):
        raise InvalidInput(
            "Give the FTE pupil count to at most one decimal place, as the census does.",
            code="pupils_invalid",
            field="fte_pupils",
        )
    note = (note or "").strip()
    if not note:
        raise InvalidInput(
            "Say where the figure comes from or why it changed, e.g. “October census return”.",
            code="note_missing",
            field="note",
        )
    if len(note) > 300:
        raise InvalidInput("Keep the note to 300 characters or fewer.", code="note_too_long", field="note")
    day = today or timezone.localdate()
    with transaction.atomic():
        figure = CensusFigure.objects.create(
            school=school,
            census_year=census_year_for(day),
            fte_pupils=pupils.quantize(Decimal("0.1")),
            note=note,
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            "census.recorded",
            actor=actor,
            school=school,
            target=figure,
            detail={"census_year": figure.census_year, "fte_pupils": figure.fte_pupils},
        )
    return figure


def membership_statuses_refresh(*, today: dt.date | None = None) -> dict[str, int]:
    """Bring the stored statuses up to date: pending → active once started, and active or
    pending → lapsed after the lapse date. Idempotent; run daily."""
    day = today or timezone.localdate()
    current = membership_year_for(day)
    changes = {
        MembershipStatus.LAPSED: Membership.objects.filter(year__lt=current).filter(
            status__in=[MembershipStatus.ACTIVE, MembershipStatus.PENDING]
        ),
        MembershipStatus.ACTIVE: Membership.objects.filter(
            year=current, status=MembershipStatus.PENDING, starts_on__lte=day
        ),
    }
    counts = {}
    with transaction.atomic():
        for new_status, due in changes.items():
            # Only the rows that change are updated and audited (a second run records nothing).
            rows = list(due.select_for_update(of=("self",)).select_related("school").order_by("pk"))
            counts[new_status] = Membership.objects.filter(pk__in=[m.pk for m in rows]).update(
                status=new_status
            )
            for membership in rows:
                audit_record(
                    "membership.status_changed",
                    actor=None,
                    school=membership.school,
                    target=membership,
                    detail={"from": membership.status, "to": new_status},
                )
    return {"activated": counts[MembershipStatus.ACTIVE], "lapsed": counts[MembershipStatus.LAPSED]}


# --- Reminders ------------------------------------------------------------------------------


def reminder_due(days_left: int, schedule: list[int]) -> int | None:
    """Which reminder is due with `days_left` days to the lapse date: the nearest one not
    later than today (the smallest scheduled day count at or above `days_left`). A run missed on
    the day itself sends it the next run; once a later reminder is due, an earlier one is not sent."""
    if days_left < 0:
        return None
    due = [days for days in schedule if days >= days_left]
    return min(due) if due else None


def _reminder_recipients(school) -> list[str]:
    """The key user and the headteacher(s); the school's billing address when it has neither."""
    from accounts.models import Role, User

    users = User.objects.filter(
        school=school, is_active=True, role__in=[Role.KEY_USER, Role.HEADTEACHER]
    ).order_by("role", "email")
    addresses = list(dict.fromkeys(u.email for u in users if u.email))
    if not addresses and school.billing_email:
        addresses = [school.billing_email]
    return addresses


def membership_reminders_send(*, today: dt.date | None = None) -> int:
    """Email each member school that has not renewed, on the scheduled days before its lapse
    date, with the date and a link to renew. Each reminder is recorded under a unique
    constraint first, so it is never sent twice, even if two runs overlap. Returns how many
    schools were reminded."""
    from notifications.services import email_send

    day = today or timezone.localdate()
    schedule = list(ReminderSchedule.objects.filter(is_active=True).values_list("days_before", flat=True))
    year = membership_year_for(day)
    lapses_on = lapse_date(year)
    days = reminder_due((lapses_on - day).days, schedule)
    if days is None:
        return 0
    renewed = (
        Membership.objects.filter(year=year + 1)
        .exclude(status=MembershipStatus.CANCELLED)
        .values("school_id")
    )
    memberships = (
        Membership.objects.filter(year=year, starts_on__lte=day)
        .exclude(status=MembershipStatus.CANCELLED)
        .exclude(school_id__in=renewed)
        .exclude(reminders_sent__days_before=days)
        .select_related("school")
        .order_by("school__name")
    )
    renew_path = reverse("memberships:order") + f"?year={year + 1}"
    sent = 0
    for membership in memberships:
        recipients = _reminder_recipients(membership.school)
        if not recipients:
            logger.warning("No one to remind about the membership of %s", membership.school)
            continue
        try:
            with transaction.atomic():
                ReminderSent.objects.create(
                    membership=membership,
                    days_before=days,
                    lapse_date=lapses_on,
                    recipients="\n".join(recipients),
                )
                email_send(
                    template="membership_reminder",
                    to=recipients,
                    context={
                        "school": membership.school,
                        "membership": membership,
                        "lapse_date": lapses_on,
                        "days_left": (lapses_on - day).days,
                        "next_year_label": year_label(year + 1),
                        "renew_path": renew_path,
                    },
                )
        except IntegrityError:
            continue  # another run recorded (and sent) this reminder first
        sent += 1
    return sent
