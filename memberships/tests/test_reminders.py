"""Lapse reminders, with a frozen clock: on the right days, once, only to schools that have not renewed."""

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from accounts.tests.factories import UserFactory
from memberships.models import MembershipStatus, ReminderSchedule, ReminderSent
from memberships.services import membership_order, reminder_due
from memberships.tasks import send_membership_reminders
from schools.tests.factories import CensusFigureFactory, SchoolFactory

from .factories import MembershipFactory, PriceSettingsFactory

LONDON = ZoneInfo("Europe/London")
LAPSE = dt.date(2027, 8, 31)


def at(day: dt.date):
    """Freeze the clock at 7am London time (when beat runs the job) on `day`."""
    return time_machine.travel(dt.datetime.combine(day, dt.time(7, 0), tzinfo=LONDON), tick=False)


def member_school(name: str, *, users=("key_user", "headteacher", "teacher", "business_manager")):
    school = SchoolFactory(name=name, billing_email=f"finance@{name.lower().replace(' ', '')}.example")
    MembershipFactory(school=school, year=2026)
    for role in users:
        UserFactory(school=school, role=role, email=f"{role}@{name.lower().replace(' ', '')}.example")
    return school


def run_job(day, django_capture_on_commit_callbacks):
    with at(day), django_capture_on_commit_callbacks(execute=True):
        return send_membership_reminders.delay().get()


def days_mailed(outbox, address):
    return sorted({m.sent_at.astimezone(LONDON).date() for m in outbox.to(address)})


@pytest.mark.django_db
def test_reminders_go_out_60_30_and_7_days_before_the_lapse_date_once(
    outbox, django_capture_on_commit_callbacks
):
    member_school("Alpha")
    renewed = member_school("Bravo")
    MembershipFactory(school=renewed, year=2027, status=MembershipStatus.PENDING)
    cancelled = member_school("Charlie")
    cancelled.memberships.update(status=MembershipStatus.CANCELLED)
    UserFactory(role="key_user", email="key_user@nonmember.example")  # a school that is not a member

    day = dt.date(2027, 6, 1)
    while day <= dt.date(2027, 9, 5):
        run_job(day, django_capture_on_commit_callbacks)
        day += dt.timedelta(days=1)

    expected = [LAPSE - dt.timedelta(days=n) for n in (60, 30, 7)]
    assert expected == [dt.date(2027, 7, 2), dt.date(2027, 8, 1), dt.date(2027, 8, 24)]
    assert days_mailed(outbox, "key_user@alpha.example") == expected
    assert days_mailed(outbox, "headteacher@alpha.example") == expected
    assert len(outbox.to("key_user@alpha.example")) == 3  # once each
    for address in (
        "teacher@alpha.example",
        "business_manager@alpha.example",
        "key_user@bravo.example",
        "headteacher@bravo.example",
        "key_user@charlie.example",
        "key_user@nonmember.example",
    ):
        assert outbox.to(address) == [], address
    first = outbox.to("key_user@alpha.example")[0]
    assert "31 August 2027" in first.subject
    assert "31 August 2027" in first.body and "(60 days from today)" in first.body
    assert "/membership/order/?year=2027" in first.body
    assert sorted(first.recipients) == ["headteacher@alpha.example", "key_user@alpha.example"]
    assert ReminderSent.objects.filter(membership__school__name="Alpha").count() == 3


@pytest.mark.django_db
def test_running_twice_on_the_same_day_sends_nothing_more(outbox, django_capture_on_commit_callbacks):
    member_school("Alpha")
    assert run_job(dt.date(2027, 7, 2), django_capture_on_commit_callbacks) == 1
    assert run_job(dt.date(2027, 7, 2), django_capture_on_commit_callbacks) == 0
    assert run_job(dt.date(2027, 7, 3), django_capture_on_commit_callbacks) == 0
    assert len(outbox.to("key_user@alpha.example")) == 1


@pytest.mark.django_db
def test_a_school_that_renews_between_reminders_hears_no_more(outbox, django_capture_on_commit_callbacks):
    PriceSettingsFactory(year=2027)
    school = member_school("Alpha")
    CensusFigureFactory(school=school, census_year=2026)
    run_job(dt.date(2027, 7, 2), django_capture_on_commit_callbacks)
    with at(dt.date(2027, 7, 10)):
        membership_order(school=school, year=2027, payment_due="now", actor=school.users.get(role="key_user"))
    for day in (dt.date(2027, 8, 1), dt.date(2027, 8, 24)):
        run_job(day, django_capture_on_commit_callbacks)
    reminders = [m for m in outbox.to("key_user@alpha.example") if "ends on" in m.subject]
    assert len(reminders) == 1


@pytest.mark.django_db
def test_a_missed_run_catches_up_with_the_reminder_due(outbox, django_capture_on_commit_callbacks):
    member_school("Alpha")
    run_job(dt.date(2027, 7, 4), django_capture_on_commit_callbacks)  # the 60-day run was missed
    assert days_mailed(outbox, "key_user@alpha.example") == [dt.date(2027, 7, 4)]
    # Down from 60 to 29 days before: only the 30-day reminder, not the 60-day one as well.
    member_school("Bravo")
    run_job(dt.date(2027, 8, 2), django_capture_on_commit_callbacks)
    assert len(outbox.to("key_user@bravo.example")) == 1
    assert ReminderSent.objects.get(membership__school__name="Bravo").days_before == 30


@pytest.mark.django_db
def test_staff_change_the_schedule(outbox, django_capture_on_commit_callbacks):
    member_school("Alpha")
    ReminderSchedule.objects.filter(days_before=7).update(is_active=False)
    ReminderSchedule.objects.create(days_before=14)
    for day in (dt.date(2027, 8, 17), dt.date(2027, 8, 24)):
        run_job(day, django_capture_on_commit_callbacks)
    assert days_mailed(outbox, "key_user@alpha.example") == [dt.date(2027, 8, 17)]


@pytest.mark.django_db
def test_a_school_without_key_user_or_head_is_reminded_at_its_billing_address(
    outbox, django_capture_on_commit_callbacks
):
    member_school("Delta", users=("teacher",))
    run_job(dt.date(2027, 7, 2), django_capture_on_commit_callbacks)
    assert len(outbox.to("finance@delta.example")) == 1
    assert outbox.to("teacher@delta.example") == []


@pytest.mark.django_db
def test_the_management_command_runs_it_without_beat(outbox, django_capture_on_commit_callbacks):
    member_school("Alpha")
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_membership_reminders", "--date", "2027-07-02", stdout=out)
    assert "Reminded 1 school" in out.getvalue()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_membership_reminders", "--date", "2027-07-02", stdout=out)
    assert len(outbox.to("key_user@alpha.example")) == 1


@pytest.mark.parametrize(
    "days_left,expected",
    [(61, None), (60, 60), (59, 60), (31, 60), (30, 30), (8, 30), (7, 7), (1, 7), (0, 7), (-1, None)],
)
def test_which_reminder_is_due(days_left, expected):
    assert reminder_due(days_left, [60, 30, 7]) == expected
