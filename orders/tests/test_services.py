"""Placing orders: prices from pricing, capacity and package places under locks, entitlements
for packages bought, emails, idempotency, and nothing half-placed."""

from decimal import Decimal

import pytest
from django.test import TestCase
from django.utils import timezone

from accounts.tests.factories import StaffFactory, UserFactory
from basket.models import BasketLine
from basket.tests.factories import add_event, add_product, basket_for, key
from catalogue.models import Entitlement
from catalogue.tests.factories import EntitlementFactory, ProductFactory, make_member
from events.models import Event
from events.tests.factories import CategoryFactory, EventFactory
from orders.models import Booking, Order, OrderStatus
from orders.services import (
    booking_cancel,
    order_payment_failed,
    order_payment_succeeded,
    order_place,
)
from portal.errors import Conflict, DomainError, InvalidInput, NotAllowed
from schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    school = SchoolFactory(name="Noel Park Primary School")
    make_member(school)
    return school


@pytest.fixture
def manager(school):
    return UserFactory(
        school=school, role="business_manager", full_name="Bola Sanusi", email="bola@noelpark.example"
    )


def place(basket, user, school=None, **kwargs):
    """order_place, then what it schedules on commit (emails, invoicing)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return order_place(
            basket=basket,
            actor=user,
            school=school if school is not None else user.school,
            idempotency_key=kwargs.pop("idempotency_key", key()),
            **kwargs,
        )


def test_order_on_account_books_delegates_and_takes_places(manager, school, outbox):
    event = EventFactory(title="Phonics for Reception", capacity=10, member_price=Decimal("45.00"))
    basket = basket_for(manager)
    add_event(
        basket, event, [("Ada Lovelace", "ada@noelpark.example"), ("Alan Turing", "alan@noelpark.example")]
    )

    order = place(basket, manager, purchase_order_number="PO-123")

    assert order.status == OrderStatus.PLACED
    assert order.number.startswith("HEP-")
    assert order.total == Decimal("90.00")
    assert order.purchase_order_number == "PO-123"
    assert order.billing_name == school.name
    [line] = order.lines.all()
    assert (line.unit_price, line.quantity, line.total, line.price_reason) == (
        Decimal("45.00"),
        2,
        Decimal("90.00"),
        "Member price",
    )
    assert line.price_working[0]["label"] == "Member price: 2 × £45.00"
    assert line.invoicing_body == event.invoicing_body
    assert sorted(b.delegate_email for b in line.bookings.all()) == [
        "ada@noelpark.example",
        "alan@noelpark.example",
    ]
    assert set(Booking.objects.values_list("status", flat=True)) == {"booked"}
    event.refresh_from_db()
    assert event.places_taken == 2
    assert not BasketLine.objects.filter(basket=basket).exists()

    mails = outbox.to("bola@noelpark.example")
    [confirmation] = [m for m in mails if "confirmed" in m.subject]
    [invoice] = [m for m in mails if m.subject.startswith("Invoice")]  # billing invoices it on placing
    assert order.number in confirmation.subject and order.number in invoice.subject
    assert "Ada Lovelace" in confirmation.body and "£90.00" in confirmation.body
    assert "PO-123" in confirmation.body and "How to cancel" in confirmation.body
    [ticket] = outbox.to("ada@noelpark.example")
    assert "Phonics for Reception" in ticket.subject
    assert ticket.attachments[0]["mimetype"] == "text/calendar"
    assert ticket.attachments[0]["filename"].endswith(".ics")
    assert outbox.to("alan@noelpark.example")


def test_ticket_has_a_calendar_file_with_venue_or_joining_link(manager, outbox):
    from email import message_from_bytes
    from pathlib import Path

    from events.models import EventSession

    event = EventFactory(title="Online safeguarding update", with_session=False, is_online=True)
    EventSession.objects.create(
        event=event, starts_at=event.starts_at, ends_at=event.ends_at, online_url="https://meet.example/abc"
    )
    add_event(basket_for(manager), event, [("Ada", "ada@noelpark.example")])
    place(basket_for(manager), manager)
    [ticket] = outbox.to("ada@noelpark.example")
    assert "https://meet.example/abc" in ticket.body
    message = message_from_bytes(Path(ticket.eml_path).read_bytes())
    ics = [p.get_payload(decode=True) for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert b"BEGIN:VEVENT" in ics[0] and b"Online safeguarding update" in ics[0]
    assert b"meet.example/abc" in ics[0]


def test_user_text_is_escaped_in_html_emails(manager, outbox):
    event = EventFactory()
    add_event(basket_for(manager), event, [("<b>Eve</b>", "eve@noelpark.example")])
    place(basket_for(manager), manager)
    [ticket] = outbox.to("eve@noelpark.example")
    assert "<b>Eve</b>" not in ticket.html_body and "&lt;b&gt;Eve&lt;/b&gt;" in ticket.html_body
    assert "<b>Eve</b>" in ticket.body  # plain text is not HTML-escaped


def test_order_numbers_follow_each_other(manager):
    numbers = []
    for _ in range(3):
        add_event(basket_for(manager), EventFactory())
        numbers.append(place(basket_for(manager), manager).number)
    values = [int(n.split("-")[1]) for n in numbers]
    assert values == [values[0], values[0] + 1, values[0] + 2]


def test_submitting_twice_creates_one_order(manager):
    event = EventFactory(capacity=5)
    add_event(basket_for(manager), event, 2)
    token = key()
    first = place(basket_for(manager), manager, idempotency_key=token)
    second = place(basket_for(manager), manager, idempotency_key=token)
    assert first.pk == second.pk
    assert Order.objects.count() == 1
    event.refresh_from_db()
    assert event.places_taken == 2


def test_sold_out_says_which_event_and_how_many_are_left_and_places_nothing(manager):
    roomy = EventFactory(title="Roomy", capacity=30)
    tight = EventFactory(title="Maths mastery", capacity=5)
    Event.objects.filter(pk=tight.pk).update(places_taken=3)
    basket = basket_for(manager)
    add_event(basket, roomy, 2)
    add_event(basket, tight, 3)
    with pytest.raises(Conflict) as caught:
        place(basket, manager)
    assert caught.value.code == "sold_out"
    assert "only 2 places left on “Maths mastery”" in caught.value.message
    roomy.refresh_from_db()
    tight.refresh_from_db()
    assert (roomy.places_taken, tight.places_taken) == (0, 3)
    assert not Order.objects.exists() and not Booking.objects.exists()
    assert BasketLine.objects.filter(basket=basket).count() == 2  # the basket is kept to change


def test_prices_come_from_pricing_not_from_the_basket(manager, school):
    leaders = CategoryFactory(name="Leaders")
    package = ProductFactory(name="PL package", covers_categories=[leaders], places_limit=2)
    entitlement = EntitlementFactory(school=school, product=package)
    event = EventFactory(categories=[leaders], member_price=Decimal("50.00"))
    add_event(basket_for(manager), event, 3)

    order = place(basket_for(manager), manager)

    [line] = order.lines.all()
    assert line.total == Decimal("50.00")  # two free with the package, the third pays
    assert line.discount == Decimal("100.00")
    assert [a["code"] for a in line.price_working] == ["base", "package", "total"]
    bookings = list(line.bookings.order_by("id"))
    assert [b.entitlement_id for b in bookings] == [entitlement.pk, entitlement.pk, None]
    entitlement.refresh_from_db()
    assert entitlement.places_used == 2


def test_buying_a_package_activates_it_at_once(manager, school, outbox):
    leaders = CategoryFactory(name="Leaders")
    package = ProductFactory(
        name="Professional Learning package", covers_categories=[leaders], places_limit=None
    )
    add_product(basket_for(manager), package)

    order = place(basket_for(manager), manager)

    entitlement = Entitlement.objects.get(school=school, product=package)
    assert entitlement.status == "active"
    assert entitlement.order_line.order == order
    assert order.total == Decimal("1000.00")
    assert order.lines.get().invoicing_body == package.invoicing_body
    # ... and the next event in its categories is free.
    event = EventFactory(categories=[leaders], member_price=Decimal("60.00"))
    add_event(basket_for(manager), event, 1)
    assert place(basket_for(manager), manager).total == Decimal("0.00")


def test_a_needs_approval_package_waits_and_gives_nothing_until_approved(manager, school, outbox):
    from catalogue.services import entitlement_approve

    early_years = CategoryFactory(name="Early Years")
    package = ProductFactory(covers_categories=[early_years], needs_approval=True, places_limit=20)
    add_product(basket_for(manager), package)
    place(basket_for(manager), manager)
    entitlement = Entitlement.objects.get(school=school, product=package)
    assert entitlement.status == "awaiting_approval"
    assert "awaiting approval" in [m for m in outbox.to(manager.email) if "confirmed" in m.subject][0].body

    event = EventFactory(categories=[early_years], member_price=Decimal("40.00"))
    add_event(basket_for(manager), event, 1)
    assert place(basket_for(manager), manager).total == Decimal("40.00")

    with TestCase.captureOnCommitCallbacks(execute=True):
        entitlement_approve(entitlement=entitlement, actor=StaffFactory())
    approved_mail = outbox.to(manager.email)[-1]
    assert "approved" in approved_mail.subject
    add_event(basket_for(manager), EventFactory(categories=[early_years], member_price=Decimal("40.00")), 1)
    assert place(basket_for(manager), manager).total == Decimal("0.00")


def test_a_school_cannot_buy_the_same_package_twice_for_one_year(manager, school):
    package = ProductFactory()
    EntitlementFactory(school=school, product=package, status="awaiting_approval")
    add_product(basket_for(manager), package)
    with pytest.raises(NotAllowed) as caught:
        place(basket_for(manager), manager)
    assert caught.value.code == "already_held"


@pytest.mark.parametrize(
    ("flags", "school_kwargs", "member", "code"),
    [
        ({"members_only": True, "non_member_price": None}, {}, False, "members_only"),
        ({"haringey_only": True}, {"local_authority": "enfield"}, True, "haringey_only"),
    ],
)
def test_restricted_products_are_refused_at_placing(flags, school_kwargs, member, code):
    school = SchoolFactory(**school_kwargs)
    if member:
        make_member(school)
    user = UserFactory(school=school)
    add_product(basket_for(user), ProductFactory(**flags))
    with pytest.raises(NotAllowed) as caught:
        place(basket_for(user), user)
    assert caught.value.code == code
    assert not Order.objects.exists()


def test_governor_cannot_book_non_governor_training_whatever_the_basket_holds():
    school = SchoolFactory()
    governor = UserFactory(school=school, role="governor")
    leaders = EventFactory(categories=[CategoryFactory(name="Leaders")])
    add_event(basket_for(governor), leaders, 1)  # as a forged post would
    with pytest.raises(NotAllowed) as caught:
        place(basket_for(governor), governor)
    assert caught.value.code == "governor_only"
    assert not Booking.objects.exists()

    governors = CategoryFactory(name="Governors & Clerks", is_governor_training=True)
    BasketLine.objects.all().delete()
    add_event(basket_for(governor), EventFactory(categories=[governors]), 1)
    assert place(basket_for(governor), governor).status == OrderStatus.PLACED


def test_teacher_cannot_book_at_all():
    teacher = UserFactory(role="teacher")
    add_event(basket_for(teacher), EventFactory(), 1)
    with pytest.raises(NotAllowed) as caught:
        place(basket_for(teacher), teacher)
    assert caught.value.code == "role_cannot_book"
    assert not Order.objects.exists()


def test_teacher_cannot_buy_packages():
    teacher = UserFactory(role="teacher")
    add_product(basket_for(teacher), ProductFactory())
    with pytest.raises(NotAllowed) as caught:
        place(basket_for(teacher), teacher)
    assert caught.value.code == "role_cannot_buy"


def test_cannot_order_for_another_school(manager):
    add_event(basket_for(manager), EventFactory(), 1)
    with pytest.raises(NotAllowed):
        place(basket_for(manager), manager, school=SchoolFactory())


def test_mat_head_office_orders_for_any_school_of_its_trust():
    from schools.tests.factories import TrustFactory

    trust = TrustFactory()
    first, second = SchoolFactory(trust=trust), SchoolFactory(trust=trust)
    mat = UserFactory(role="mat_head_office", school=None, trust=trust)
    add_event(basket_for(mat), EventFactory(), 1)
    order = place(basket_for(mat), mat, school=second)
    assert order.school == second
    add_event(basket_for(mat), EventFactory(), 1)
    with pytest.raises(NotAllowed):
        place(basket_for(mat), mat, school=SchoolFactory())
    assert first.orders.count() == 0


def test_event_rules_are_rechecked_at_placing(manager):
    event = EventFactory(booking_rule="haringey")
    manager.school.local_authority = "enfield"
    manager.school.save()
    add_event(basket_for(manager), event, 1)
    with pytest.raises(NotAllowed) as caught:
        place(basket_for(manager), manager)
    assert caught.value.code == "haringey_only"


def test_delegates_must_be_distinct_and_within_the_booking_limit(manager):
    event = EventFactory(max_delegates_per_booking=2)
    add_event(basket_for(manager), event, [("A", "same@x.example"), ("B", "SAME@x.example")])
    with pytest.raises(InvalidInput) as caught:
        place(basket_for(manager), manager)
    assert caught.value.code == "duplicate_delegate"
    BasketLine.objects.all().delete()
    add_event(basket_for(manager), event, 3)
    with pytest.raises(InvalidInput) as caught:
        place(basket_for(manager), manager)
    assert caught.value.code == "too_many_delegates"


def test_empty_basket_is_refused(manager):
    with pytest.raises(DomainError) as caught:
        place(basket_for(manager), manager)
    assert caught.value.code == "empty_basket"


def test_booking_cancel_gives_the_place_and_the_package_place_back(manager, school):
    leaders = CategoryFactory(name="Leaders")
    entitlement = EntitlementFactory(
        school=school, product=ProductFactory(covers_categories=[leaders]), places_limit=3
    )
    event = EventFactory(categories=[leaders], capacity=10)
    add_event(basket_for(manager), event, 2)
    order = place(basket_for(manager), manager)
    booking = Booking.objects.filter(order_line__order=order).first()

    booking_cancel(booking=booking, actor=manager)

    booking.refresh_from_db()
    event.refresh_from_db()
    entitlement.refresh_from_db()
    assert booking.status == "cancelled" and booking.cancelled_at is not None
    assert event.places_taken == 1
    assert entitlement.places_used == 1
    booking_cancel(booking=booking, actor=manager)  # twice changes nothing
    event.refresh_from_db()
    assert event.places_taken == 1


def test_booking_cancel_is_refused_to_other_schools_and_teachers(manager):
    add_event(basket_for(manager), EventFactory(), 1)
    booking = Booking.objects.filter(order_line__order=place(basket_for(manager), manager)).get()
    for outsider in (UserFactory(), UserFactory(school=manager.school, role="teacher")):
        with pytest.raises(NotAllowed):
            booking_cancel(booking=booking, actor=outsider)
    booking_cancel(booking=booking, actor=StaffFactory())
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_a_governor_cancels_governor_training_only(manager):
    """Regression: Governors & Clerks could cancel any booking of their school, though they may
    book (and so cancel) governor training only."""
    governors = CategoryFactory(name="Governors & Clerks", is_governor_training=True)
    add_event(basket_for(manager), EventFactory(title="Maths for leaders"), 1)
    add_event(basket_for(manager), EventFactory(title="Governor briefing", categories=[governors]), 1)
    order = place(basket_for(manager), manager)
    leaders_booking = Booking.objects.get(order_line__order=order, event__title="Maths for leaders")
    governor_booking = Booking.objects.get(order_line__order=order, event__title="Governor briefing")
    governor = UserFactory(school=manager.school, role="governor")

    with pytest.raises(NotAllowed):
        booking_cancel(booking=leaders_booking, actor=governor)
    booking_cancel(booking=governor_booking, actor=governor)

    leaders_booking.refresh_from_db()
    governor_booking.refresh_from_db()
    assert leaders_booking.status == "booked" and governor_booking.status == "cancelled"


def test_a_held_place_is_not_cancelled_on_its_own(db):
    """A guest's held places go (or stay) with their order's payment; cancelling one alone would
    let the payment's outcome count it twice."""
    from django.contrib.auth.models import AnonymousUser

    event = EventFactory(capacity=4, non_member_price=Decimal("80.00"))
    basket = basket_for(session_key="guest-held")
    add_event(basket, event, [("Gail Guest", "gail@home.example"), ("Gus Guest", "gus@home.example")])
    order = order_place(
        basket=basket,
        actor=AnonymousUser(),
        school=None,
        purchase_order_number="",
        idempotency_key=key(),
        buyer_name="Gail Guest",
        buyer_email="gail@home.example",
    )
    held = Booking.objects.filter(order_line__order=order).first()
    with pytest.raises(Conflict):
        booking_cancel(booking=held, actor=StaffFactory())
    order_payment_failed(order=order)
    event.refresh_from_db()
    assert event.places_taken == 0
    assert set(Booking.objects.filter(order_line__order=order).values_list("status", flat=True)) == {
        "cancelled"
    }


def test_guest_card_order_holds_places_until_paid(outbox):
    from django.contrib.auth.models import AnonymousUser

    event = EventFactory(capacity=4, non_member_price=Decimal("80.00"))
    basket = basket_for(session_key="guest-session")
    add_event(basket, event, [("Gail Guest", "gail@home.example")])
    order = order_place(
        basket=basket,
        actor=AnonymousUser(),
        school=None,
        idempotency_key=key(),
        buyer_name="Gail Guest",
        buyer_email="gail@home.example",
    )
    assert order.status == OrderStatus.AWAITING_PAYMENT and order.payment_method == "card"
    assert order.total == Decimal("80.00")
    assert order.places_held_until > timezone.now()
    assert Booking.objects.get().status == "held"
    event.refresh_from_db()
    assert event.places_taken == 1
    assert len(outbox) == 0  # nothing is confirmed before the payment

    with TestCase.captureOnCommitCallbacks(execute=True):
        order_payment_succeeded(order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    assert Booking.objects.get().status == "booked"
    assert outbox.to("gail@home.example")


def test_failed_card_payment_releases_the_places():
    from django.contrib.auth.models import AnonymousUser

    event = EventFactory(capacity=4)
    basket = basket_for(session_key="guest-2")
    add_event(basket, event, 2)
    order = order_place(
        basket=basket,
        actor=AnonymousUser(),
        school=None,
        idempotency_key=key(),
        buyer_name="G",
        buyer_email="g@x.example",
    )
    order_payment_failed(order=order)
    event.refresh_from_db()
    order.refresh_from_db()
    assert event.places_taken == 0
    assert order.status == OrderStatus.PAYMENT_FAILED
    assert set(Booking.objects.values_list("status", flat=True)) == {"cancelled"}


def test_guests_cannot_buy_packages():
    from django.contrib.auth.models import AnonymousUser

    basket = basket_for(session_key="guest-3")
    add_product(basket, ProductFactory())
    with pytest.raises(NotAllowed) as caught:
        order_place(
            basket=basket,
            actor=AnonymousUser(),
            school=None,
            idempotency_key=key(),
            buyer_name="G",
            buyer_email="g@x.example",
        )
    assert caught.value.code == "log_in"


def test_a_promotional_code_on_the_basket_is_priced_and_used_once(manager):
    from billing.models import BasketCoupon, Coupon, CouponRedemption

    coupon = Coupon.objects.create(code="WELCOME10", kind="percentage", value=Decimal("10"), max_uses=1)
    basket = basket_for(manager)
    add_event(basket, EventFactory(member_price=Decimal("50.00")), 2)
    BasketCoupon.objects.create(basket=basket, coupon=coupon)

    order = place(basket, manager)

    assert (order.subtotal, order.discount_total, order.total) == (
        Decimal("100.00"),
        Decimal("10.00"),
        Decimal("90.00"),
    )
    [line] = order.lines.all()
    assert [step["code"] for step in line.price_working] == ["base", "coupon", "total"]
    assert CouponRedemption.objects.get(order=order).amount == Decimal("10.00")
    assert not BasketCoupon.objects.filter(basket=basket).exists()

    # The one use is gone: the next basket with the code is refused with the reason.
    add_event(basket, EventFactory(), 1)
    BasketCoupon.objects.create(basket=basket, coupon=coupon)
    with pytest.raises(InvalidInput) as caught:
        place(basket, manager)
    assert "WELCOME10 has been used the maximum number of times" in caught.value.message
    assert Order.objects.count() == 1


def test_a_coupon_leaves_package_free_lines_alone(manager, school):
    from billing.models import BasketCoupon, Coupon

    leaders = CategoryFactory(name="Leaders")
    EntitlementFactory(school=school, product=ProductFactory(covers_categories=[leaders]))
    coupon = Coupon.objects.create(code="TENOFF", kind="fixed", value=Decimal("10"))
    basket = basket_for(manager)
    add_event(basket, EventFactory(categories=[leaders], member_price=Decimal("50.00")), 1)
    add_event(basket, EventFactory(member_price=Decimal("30.00")), 1)
    BasketCoupon.objects.create(basket=basket, coupon=coupon)
    order = place(basket, manager)
    totals = sorted(line.total for line in order.lines.all())
    assert totals == [Decimal("0.00"), Decimal("20.00")]
    assert order.total == Decimal("20.00")


def test_the_tickets_calendar_entries_are_the_public_feeds(manager, outbox, client):
    """One .ics builder (events.ical): a delegate's entry has the feed's UID, so a calendar that
    also subscribes to the feed shows one entry, and no delegate's email is put in it."""
    from email import message_from_bytes
    from pathlib import Path

    import icalendar
    from django.urls import reverse

    event = EventFactory(title="Maths & more")
    add_event(basket_for(manager), event, [("Ada", "ada@noelpark.example")])
    place(basket_for(manager), manager)
    [ticket] = outbox.to("ada@noelpark.example")
    message = message_from_bytes(Path(ticket.eml_path).read_bytes())
    [ics] = [p.get_payload(decode=True) for p in message.walk() if p.get_content_type() == "text/calendar"]
    [entry] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    feed = icalendar.Calendar.from_ical(client.get(reverse("events:ical")).content)
    assert str(entry["UID"]) in {str(e["UID"]) for e in feed.walk("VEVENT")}
    assert "ada@" not in ics.decode()
    assert str(entry["SUMMARY"]) == "Maths & more"
