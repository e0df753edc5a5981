"""Forged and odd form posts: the server decides, whatever the page offered."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from basket.models import BasketLine
from basket.tests.factories import add_event, basket_for
from basket.tests.test_views import ticket_post
from catalogue.tests.factories import ProductFactory, make_member
from events.tests.factories import CategoryFactory, EventFactory
from orders.models import Order
from schools.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    school = SchoolFactory(name="Noel Park Primary School")
    make_member(school)
    return UserFactory(school=school, role="business_manager", email="bola@noelpark.example")


@pytest.mark.parametrize("status", ["draft", "cancelled"])
def test_get_ticket_for_an_event_not_open_is_404(client, manager, status):
    event = EventFactory(status=status)
    client.force_login(manager)
    url, data = ticket_post(event, [("Ada", "ada@x.example")])
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    assert not BasketLine.objects.exists()


def test_booking_after_the_cut_off_is_refused(client, manager):
    event = EventFactory(booking_cutoff=timezone.now() - dt.timedelta(hours=1))
    client.force_login(manager)
    url, data = ticket_post(event, [("Ada", "ada@x.example")])
    response = client.post(url, data)
    assert response.status_code == 403
    assert "Booking has closed" in response.content.decode()
    assert not BasketLine.objects.exists()


@pytest.mark.parametrize("total", ["0", "-1", "1000000", "abc"])
def test_odd_delegate_counts_are_refused(client, manager, total):
    event = EventFactory(capacity=100, max_delegates_per_booking=3)
    client.force_login(manager)
    url, data = ticket_post(event, [(f"D{i}", f"d{i}@x.example") for i in range(4)])
    data["delegates-TOTAL_FORMS"] = total
    data["quantity"] = total
    response = client.post(url, data)
    assert response.status_code == 400
    assert not BasketLine.objects.exists()


def test_delegates_beyond_the_maximum_are_refused_even_if_the_form_says_fewer(client, manager):
    event = EventFactory(capacity=100, max_delegates_per_booking=2)
    client.force_login(manager)
    url, data = ticket_post(event, [(f"D{i}", f"d{i}@x.example") for i in range(3)])
    data["delegates-MAX_NUM_FORMS"] = "1000"
    assert client.post(url, data).status_code == 400
    assert not BasketLine.objects.exists()


def test_prices_in_the_post_are_ignored(client, manager):
    event = EventFactory(member_price=Decimal("45.00"))
    client.force_login(manager)
    url, data = ticket_post(event, [("Ada", "ada@x.example")], unit_price="0.00", total="0.00")
    client.post(url, data)
    page = client.get(reverse("basket:checkout")).content.decode()
    token = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page).group(1)
    client.post(reverse("basket:checkout"), {"idempotency_key": token, "total": "0.00", "price": "1"})
    assert Order.objects.get().total == Decimal("45.00")


def test_removing_another_schools_line_is_404(client, manager):
    other = add_event(basket_for(UserFactory()), EventFactory(), 1)
    client.force_login(manager)
    assert client.post(reverse("basket:remove_line", args=[other.pk])).status_code == 404
    assert client.get(reverse("basket:remove_line", args=[other.pk])).status_code == 405
    assert BasketLine.objects.filter(pk=other.pk).exists()


def test_guest_cannot_put_a_package_in_the_basket(client):
    product = ProductFactory()
    client.post(reverse("basket:add_product", args=[product.slug]))
    assert not BasketLine.objects.exists()


def test_governor_books_governor_training_and_sees_the_order(client):
    school = SchoolFactory()
    governor = UserFactory(school=school, role="governor")
    event = EventFactory(categories=[CategoryFactory(name="Governors", is_governor_training=True)])
    client.force_login(governor)
    url, data = ticket_post(event, [("Grace", "grace@x.example")], action="checkout")
    assert client.post(url, data).status_code == 302
    page = client.get(reverse("basket:checkout")).content.decode()
    token = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page).group(1)
    response = client.post(reverse("basket:checkout"), {"idempotency_key": token}, follow=True)
    order = Order.objects.get()
    assert response.status_code == 200, response.status_code
    assert order.number in response.content.decode()


def test_user_text_is_escaped_on_the_basket_and_order_pages(client, manager):
    event = EventFactory(title="Maths & <b>English</b>")
    client.force_login(manager)
    url, data = ticket_post(event, [("<script>alert(1)</script>", "ada@x.example")])
    client.post(url, data)
    body = client.get(reverse("basket:detail")).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    assert "<b>English</b>" not in body and "Maths &amp; &lt;b&gt;" in body
    get_ticket = client.get(url).content.decode()
    assert "<b>English</b>" not in get_ticket


def test_governors_confirmation_links_only_to_pages_they_may_open(
    client, outbox, django_capture_on_commit_callbacks
):
    from orders.services import order_place

    school = SchoolFactory()
    governor = UserFactory(school=school, role="governor", email="grace@gov.example")
    event = EventFactory(categories=[CategoryFactory(name="Governors", is_governor_training=True)])
    add_event(basket_for(governor), event, [("Grace", "grace@x.example")])
    with django_capture_on_commit_callbacks(execute=True):
        order = order_place(basket=basket_for(governor), actor=governor, school=school, idempotency_key="g1")
    (mail,) = [m for m in outbox.to("grace@gov.example") if "confirmed" in m.subject]
    assert f"/orders/{order.number}/" in mail.body
    assert "/orders/bookings/" not in mail.body
    client.force_login(governor)
    page = client.get(reverse("orders:detail", args=[order.number])).content.decode()
    assert 'href="/orders/"' not in page.replace('href="/orders/bookings/"', "")
    client.force_login(UserFactory(school=school, role="governor"))  # another governor: not theirs
    assert client.get(reverse("orders:detail", args=[order.number])).status_code == 404


def test_checkout_without_its_form_key_says_what_to_do_and_links_to_something_on_the_page(client, manager):
    add_event(basket_for(manager), EventFactory(), 1)
    client.force_login(manager)
    response = client.post(reverse("basket:checkout"), {"purchase_order_number": "PO1"})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_idempotency_key"' not in body
    assert '<a href="#order-summary">This checkout form has expired' in body
    # The page now carries a fresh key: submitting again places the order.
    assert "Place order" in body
    token = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', body).group(1)
    client.post(reverse("basket:checkout"), {"purchase_order_number": "PO1", "idempotency_key": token})
    assert Order.objects.get().purchase_order_number == "PO1"
