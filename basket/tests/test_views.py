"""Get Ticket, the basket and the checkout pages, through the test client."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from basket.models import Basket, BasketLine
from basket.tests.factories import add_event, add_product, basket_for
from catalogue.tests.factories import EntitlementFactory, ProductFactory, make_member
from events.models import Event
from events.tests.factories import CategoryFactory, EventFactory
from orders.models import Booking, Order
from schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    school = SchoolFactory(name="Noel Park Primary School")
    make_member(school)
    return UserFactory(school=school, role="business_manager", email="bola@noelpark.example")


def ticket_post(event, delegates, action="basket", **extra):
    data = {
        "action": action,
        "quantity": str(len(delegates)),
        "delegates-TOTAL_FORMS": str(len(delegates)),
        "delegates-INITIAL_FORMS": "0",
        "delegates-MIN_NUM_FORMS": "1",
        "delegates-MAX_NUM_FORMS": "50",
    }
    for i, (name, email) in enumerate(delegates):
        data[f"delegates-{i}-name"] = name
        data[f"delegates-{i}-email"] = email
    data.update(extra)
    return reverse("basket:get_ticket", args=[event.slug]), data


def test_get_ticket_saves_delegates_and_shows_the_basket(client, manager):
    event = EventFactory(title="Phonics in Reception", member_price=Decimal("45.00"))
    client.force_login(manager)
    page = client.get(reverse("basket:get_ticket", args=[event.slug]))
    assert page.status_code == 200
    assert "Checkout now" in page.content.decode() and "Save and view basket" in page.content.decode()

    url, data = ticket_post(event, [("Ada Lovelace", "ada@x.example"), ("Alan Turing", "alan@x.example")])
    response = client.post(url, data)
    assert response.status_code == 302 and response.url == reverse("basket:detail")
    line = BasketLine.objects.get(basket__user=manager)
    assert line.quantity == 2
    assert [d.name for d in line.delegates.all()] == ["Ada Lovelace", "Alan Turing"]

    body = client.get(reverse("basket:detail")).content.decode()
    assert "Phonics in Reception" in body and "Ada Lovelace" in body
    assert "£90.00" in body and "Member price" in body
    assert re.search(r'aria-label="2 items"', body)


def test_checkout_now_goes_to_the_checkout(client, manager):
    event = EventFactory()
    client.force_login(manager)
    url, data = ticket_post(event, [("Ada", "ada@x.example")], action="checkout")
    assert client.post(url, data).url == reverse("basket:checkout")


def test_changing_the_number_of_delegates_keeps_what_was_typed(client, manager):
    event = EventFactory()
    client.force_login(manager)
    url, data = ticket_post(event, [("Ada Lovelace", "ada@x.example")], action="update", quantity="3")
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('name="delegates-') >= 6  # three names and three emails
    assert 'value="Ada Lovelace"' in body
    assert not BasketLine.objects.exists()


def test_duplicate_delegates_in_one_booking_are_refused(client, manager):
    event = EventFactory()
    client.force_login(manager)
    url, data = ticket_post(event, [("Ada", "ada@x.example"), ("Ada again", "ADA@x.example")])
    response = client.post(url, data)
    assert response.status_code == 400
    assert "each delegate needs their own" in response.content.decode()
    assert not BasketLine.objects.exists()


def test_invalid_email_is_refused_with_a_message(client, manager):
    event = EventFactory()
    client.force_login(manager)
    url, data = ticket_post(event, [("Ada", "not-an-email")])
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Enter an email address in the correct format" in response.content.decode()


def test_a_delegate_already_booked_on_the_event_is_warned(client, manager):
    from orders.services import order_place

    event = EventFactory()
    add_event(basket_for(manager), event, [("Ada", "ada@x.example")])
    order_place(basket=basket_for(manager), actor=manager, school=manager.school, idempotency_key="k1")
    client.force_login(manager)
    url, data = ticket_post(event, [("Ada", "ada@x.example")])
    response = client.post(url, data, follow=True)
    body = response.content.decode()
    assert "already has a place on this event" in body
    assert "Already booked on this event" in body


def test_more_delegates_than_places_left_or_allowed_are_refused(client, manager):
    event = EventFactory(capacity=10, max_delegates_per_booking=3)
    client.force_login(manager)
    url, data = ticket_post(event, [(f"D{i}", f"d{i}@x.example") for i in range(4)])
    assert client.post(url, data).status_code == 400
    Event.objects.filter(pk=event.pk).update(places_taken=9)
    url, data = ticket_post(event, [(f"D{i}", f"d{i}@x.example") for i in range(2)])
    response = client.post(url, data)
    assert response.status_code == 400
    assert not BasketLine.objects.exists()


def test_teacher_cannot_book_whatever_the_form_posts(client):
    teacher = UserFactory(role="teacher")
    event = EventFactory()
    client.force_login(teacher)
    page = client.get(reverse("basket:get_ticket", args=[event.slug])).content.decode()
    assert "Your role cannot book training" in page and "Checkout now" not in page
    url, data = ticket_post(event, [("Tom", "tom@x.example")])
    assert client.post(url, data).status_code == 403
    assert not BasketLine.objects.exists()


def test_governor_can_book_governor_training_only(client):
    governor = UserFactory(role="governor")
    leaders = EventFactory(categories=[CategoryFactory(name="Leaders")])
    governors = EventFactory(
        categories=[CategoryFactory(name="Governors & Clerks", is_governor_training=True)]
    )
    client.force_login(governor)
    url, data = ticket_post(leaders, [("Grace", "grace@x.example")])
    response = client.post(url, data)
    assert response.status_code == 403
    assert "Governor training only for your role" in response.content.decode()
    url, data = ticket_post(governors, [("Grace", "grace@x.example")])
    assert client.post(url, data).status_code == 302
    assert list(BasketLine.objects.values_list("event_id", flat=True)) == [governors.pk]


def test_guest_books_into_a_session_basket_which_joins_the_account_at_login(client, manager):
    event = EventFactory()
    url, data = ticket_post(event, [("Gail", "gail@x.example")])
    assert client.post(url, data).status_code == 302
    guest_basket = Basket.objects.get(user=None)
    assert guest_basket.lines.count() == 1
    assert 'aria-label="1 item"' in client.get(reverse("basket:detail")).content.decode()

    product = ProductFactory()
    add_product(basket_for(manager), product)
    # Log in through the real login view, so the login signal merges the baskets.
    response = client.post(
        reverse("accounts:login"), {"username": manager.email, "password": "Tricky-Walrus-Lantern-42"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert not Basket.objects.filter(pk=guest_basket.pk).exists()
    lines = BasketLine.objects.filter(basket__user=manager)
    assert {(line.event_id, line.product_id) for line in lines} == {(event.pk, None), (None, product.pk)}
    assert 'aria-label="2 items"' in client.get(reverse("basket:detail")).content.decode()


def test_the_account_basket_is_kept_across_logins(client, manager):
    event = EventFactory(title="Kept across logins")
    client.force_login(manager)
    url, data = ticket_post(event, [("Ada", "ada@x.example")])
    client.post(url, data, follow=True)
    client.post(reverse("accounts:logout"))
    assert "Kept across logins" not in client.get(reverse("basket:detail")).content.decode()
    client.force_login(manager)
    assert "Kept across logins" in client.get(reverse("basket:detail")).content.decode()


def test_remove_a_line(client, manager):
    line = add_event(basket_for(manager), EventFactory(title="To be removed"), 1)
    client.force_login(manager)
    response = client.post(reverse("basket:remove_line", args=[line.pk]), follow=True)
    assert "To be removed removed from your basket" in response.content.decode()
    assert not BasketLine.objects.exists()
    other = add_event(basket_for(UserFactory()), EventFactory(), 1)
    assert client.post(reverse("basket:remove_line", args=[other.pk])).status_code == 404
    assert BasketLine.objects.filter(pk=other.pk).exists()


def test_basket_shows_package_free_and_totals(client, manager):
    leaders = CategoryFactory(name="Leaders")
    EntitlementFactory(
        school=manager.school,
        product=ProductFactory(name="Professional Learning package", covers_categories=[leaders]),
    )
    add_event(basket_for(manager), EventFactory(categories=[leaders], member_price=Decimal("60.00")), 2)
    add_event(basket_for(manager), EventFactory(member_price=Decimal("30.00")), 1)
    client.force_login(manager)
    body = client.get(reverse("basket:detail")).content.decode()
    assert "Package: free (Professional Learning package)" in body
    assert "£150.00" in body  # subtotal 120 + 30
    assert "£120.00" in body  # discount
    assert 'id="basket-total">£30.00' in body


def test_get_ticket_quotes_what_the_basket_will_charge_when_package_places_are_taken(client, manager):
    """Regression: Get Ticket quoted £0.00 although the basket's earlier lines had used the
    package's last places, so the basket then charged."""
    leaders = CategoryFactory(name="Leaders")
    EntitlementFactory(
        school=manager.school,
        product=ProductFactory(name="Leadership package", covers_categories=[leaders]),
        places_limit=2,
    )
    add_event(basket_for(manager), EventFactory(categories=[leaders], member_price=Decimal("60.00")), 2)
    later = EventFactory(categories=[leaders], member_price=Decimal("40.00"))
    client.force_login(manager)
    response = client.get(reverse("basket:get_ticket", args=[later.slug]))
    assert response.context["quote"].total == Decimal("40.00")
    url, data = ticket_post(later, [("Ada Lovelace", "ada@x.example")])
    client.post(url, data)
    body = client.get(reverse("basket:detail")).content.decode()
    assert 'id="basket-total">£40.00' in body


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_basket_runs_a_fixed_number_of_queries(client, manager):
    leaders = CategoryFactory(name="Leaders")
    EntitlementFactory(school=manager.school, product=ProductFactory(covers_categories=[leaders]))
    client.force_login(manager)
    basket = basket_for(manager)
    add_event(basket, EventFactory(categories=[leaders]), 1)
    add_product(basket, ProductFactory())
    few = _count_queries(client, reverse("basket:detail"))
    for _ in range(6):
        add_event(basket, EventFactory(categories=[leaders, CategoryFactory()]), 5)
        add_product(basket, ProductFactory())
    many = _count_queries(client, reverse("basket:detail"))
    assert few == many
    assert many <= 20, many


def test_get_ticket_runs_a_fixed_number_of_queries(client, manager):
    event = EventFactory(categories=[CategoryFactory()], capacity=40)
    client.force_login(manager)
    add_event(basket_for(manager), event, 1)
    few = _count_queries(client, reverse("basket:get_ticket", args=[event.slug]))
    BasketLine.objects.all().delete()
    add_event(basket_for(manager), event, 12)
    many = _count_queries(client, reverse("basket:get_ticket", args=[event.slug]))
    assert few == many
    assert many <= 15


def test_checkout_on_account_places_one_order_even_if_submitted_twice(client, manager):
    event = EventFactory(title="Maths mastery", capacity=10)
    add_event(basket_for(manager), event, [("Ada", "ada@x.example")])
    client.force_login(manager)
    page = client.get(reverse("basket:checkout"))
    body = page.content.decode()
    assert "Noel Park Primary School" in body and "Purchase order number (optional)" in body
    token = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', body).group(1)

    with TestCase.captureOnCommitCallbacks(execute=True):
        first = client.post(
            reverse("basket:checkout"), {"idempotency_key": token, "purchase_order_number": "PO-9"}
        )
    order = Order.objects.get()
    assert first.url == reverse("orders:detail", args=[order.number])
    second = client.post(
        reverse("basket:checkout"), {"idempotency_key": token, "purchase_order_number": "PO-9"}
    )
    assert second.status_code == 302 and second.url == first.url
    assert Order.objects.count() == 1 and Booking.objects.count() == 1
    assert order.purchase_order_number == "PO-9"


def test_checkout_tells_which_event_sold_out(client, manager):
    event = EventFactory(title="Maths mastery", capacity=3)
    add_event(basket_for(manager), event, 2)
    Event.objects.filter(pk=event.pk).update(places_taken=2)
    client.force_login(manager)
    response = client.post(reverse("basket:checkout"), {"idempotency_key": "abc123"})
    assert response.status_code == 400
    assert "only 1 place left on “Maths mastery”" in response.content.decode()
    assert not Order.objects.exists()


def _guest_basket(client, event):
    url, data = ticket_post(event, [("Gail", "gail@x.example")])
    client.post(url, data)
    assert "Your full name" in client.get(reverse("basket:checkout")).content.decode()


GUEST = {"idempotency_key": "g1", "buyer_name": "Gail Guest", "buyer_email": "gail@home.example"}


def test_guest_checkout_holds_the_places_and_opens_the_card_payment_page(client, monkeypatch):
    started = []
    monkeypatch.setattr(
        "payments.services.card_checkout_start",
        lambda *, order: started.append(order) or "https://pay.example/s1",
    )
    event = EventFactory(capacity=5, non_member_price=Decimal("80.00"))
    _guest_basket(client, event)
    response = client.post(reverse("basket:checkout"), GUEST)
    assert response.status_code == 302 and response.url == "https://pay.example/s1"
    order = Order.objects.get()
    assert started == [order]
    assert (order.status, order.payment_method, order.total) == ("awaiting_payment", "card", Decimal("80.00"))
    assert Booking.objects.get().status == "held"
    event.refresh_from_db()
    assert event.places_taken == 1
    assert not BasketLine.objects.exists()


def test_guest_checkout_gives_the_places_back_when_the_payment_page_cannot_open(client, monkeypatch):
    from payments.services import PaymentServiceError

    def down(*, order):
        raise PaymentServiceError()

    monkeypatch.setattr("payments.services.card_checkout_start", down)
    event = EventFactory(capacity=5)
    _guest_basket(client, event)
    response = client.post(reverse("basket:checkout"), GUEST)
    assert response.status_code == 400
    assert "card payment service is not answering" in response.content.decode()
    event.refresh_from_db()
    assert event.places_taken == 0
    assert Order.objects.get().status in ("cancelled", "payment_failed")
    assert BasketLine.objects.count() == 1  # the basket is kept to try again
    fresh = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', response.content.decode()).group(1)
    assert fresh != GUEST["idempotency_key"]


def test_free_event_guest_checkout_is_confirmed_without_payment(client, outbox):
    event = EventFactory(member_price=Decimal("0.00"), non_member_price=Decimal("0.00"))
    url, data = ticket_post(event, [("Gail", "gail@x.example")])
    client.post(url, data)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("basket:checkout"),
            {"idempotency_key": "free1", "buyer_name": "Gail Guest", "buyer_email": "gail@home.example"},
        )
    order = Order.objects.get()
    assert order.status == "placed" and order.school is None
    assert response.url == reverse("orders:detail", args=[order.number])
    assert client.get(response.url).status_code == 200  # the guest sees their own order
    assert outbox.to("gail@home.example") and outbox.to("gail@x.example")


def test_basket_totals_include_the_promotional_code(client, manager):
    from billing.models import BasketCoupon, Coupon

    basket = basket_for(manager)
    add_event(basket, EventFactory(member_price=Decimal("40.00")), 2)
    BasketCoupon.objects.create(
        basket=basket, coupon=Coupon.objects.create(code="SPRING", kind="percentage", value=Decimal("25"))
    )
    client.force_login(manager)
    body = client.get(reverse("basket:detail")).content.decode()
    assert "Coupon SPRING: 25% off" in body
    assert 'id="basket-total">£60.00' in body
    assert "Remove code" in body
    assert 'id="checkout-total">£60.00' in client.get(reverse("basket:checkout")).content.decode()


def test_the_basket_changes_a_lines_number_of_delegates_keeping_those_entered(client, manager):
    event = EventFactory(title="Phonics", member_price=Decimal("40.00"))
    add_event(basket_for(manager), event, [("Ada", "ada@x.example"), ("Alan", "alan@x.example")])
    client.force_login(manager)
    basket = client.get(reverse("basket:detail")).content.decode()
    change = reverse("basket:get_ticket", args=[event.slug])
    assert f'href="{change}">Change number of delegates or their details' in basket

    page = client.get(change).content.decode()
    assert "already in your basket" in page
    assert 'value="Ada"' in page and 'value="alan@x.example"' in page
    # More delegates: the two entered stay, a third is added.
    url, data = ticket_post(event, [("Ada", "ada@x.example"), ("Alan", "alan@x.example")], action="update")
    data["quantity"] = "3"
    page = client.post(url, data).content.decode()
    assert 'value="Ada"' in page and 'value="Alan"' in page and 'name="delegates-2-name"' in page
    url, data = ticket_post(
        event, [("Ada", "ada@x.example"), ("Alan", "alan@x.example"), ("Grace", "grace@x.example")]
    )
    client.post(url, data)
    assert BasketLine.objects.get().quantity == 3
    assert "£120.00" in client.get(reverse("basket:detail")).content.decode()
    # Fewer: the first stays, the line and its price follow.
    url, data = ticket_post(event, [("Ada", "ada@x.example")])
    client.post(url, data)
    line = BasketLine.objects.get()
    assert line.quantity == 1 and [d.name for d in line.delegates.all()] == ["Ada"]
    assert 'id="basket-total">£40.00' in client.get(reverse("basket:detail")).content.decode()
