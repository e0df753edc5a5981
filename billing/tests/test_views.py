import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from basket.models import Basket, BasketLine
from billing.models import BasketCoupon
from billing.selectors import coupon_for_basket
from billing.services import credit_note_issue, invoices_issue_for_order
from billing.tests.factories import CouponFactory, account_order, line_spec
from events.tests.factories import CategoryFactory, EventFactory
from schools.tests.factories import SchoolFactory, TrustFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return SchoolFactory(name="Campsbourne School")


@pytest.fixture
def sbm(school):
    return UserFactory(school=school, role="business_manager")


def issue(school, *specs):
    return invoices_issue_for_order(order=account_order(school=school, lines=list(specs)))


def test_the_dashboard_lists_the_schools_invoices_and_credit_notes(client, school, sbm):
    [invoice] = issue(school, line_spec("Clerking service", "2200.00"))
    note = credit_note_issue(invoice=invoice, amount=Decimal("200.00"), reason="Fewer meetings", actor=None)
    issue(SchoolFactory(name="Another School"), line_spec("Other school's service", "99.00"))
    client.force_login(sbm)
    response = client.get(reverse("billing:dashboard_invoices"))
    assert response.status_code == 200
    page = response.content.decode()
    assert invoice.number in page and note.number in page
    assert "£2,200.00" in page and "£2,000.00 left" in page
    assert "Another School" not in page and "99.00" not in page
    assert reverse("billing:invoice_download", args=[invoice.number]) in page
    assert 'aria-current="page"' in page  # the dashboard menu marks "Invoices"


def test_the_invoice_list_does_a_fixed_number_of_queries(client, school, sbm):
    client.force_login(sbm)
    issue(school, line_spec("A", "1.00"))
    url = reverse("billing:dashboard_invoices")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i in range(5):
        [invoice] = issue(school, line_spec(f"B{i}", "10.00"))
        credit_note_issue(invoice=invoice, amount=Decimal("1.00"), reason="r", actor=None)
    with CaptureQueriesContext(connection) as six:
        response = client.get(url)
    assert response.content.decode().count("/billing/invoices/") >= 6
    assert len(six) == len(one)


def test_the_pdf_downloads_for_the_school_and_is_404_for_others(client, school, sbm):
    [invoice] = issue(school, line_spec("Clerking service", "2200.00"))
    client.force_login(sbm)
    response = client.get(reverse("billing:invoice_download", args=[invoice.number]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    assert response.content.startswith(b"%PDF")

    outsider = UserFactory(role="key_user")  # key user of another school
    client.force_login(outsider)
    assert client.get(reverse("billing:invoice_download", args=[invoice.number])).status_code == 404
    teacher = UserFactory(school=school, role="teacher")  # same school, may not see orders
    client.force_login(teacher)
    assert client.get(reverse("billing:invoice_download", args=[invoice.number])).status_code == 404
    assert client.get(reverse("billing:dashboard_invoices")).status_code == 404


def test_a_credit_note_downloads_for_its_school_only(client, school, sbm):
    [invoice] = issue(school, line_spec("Clerking service", "2200.00"))
    note = credit_note_issue(invoice=invoice, reason="Cancelled", actor=None)
    client.force_login(sbm)
    assert client.get(reverse("billing:credit_note_download", args=[note.number])).status_code == 200
    client.force_login(UserFactory())
    assert client.get(reverse("billing:credit_note_download", args=[note.number])).status_code == 404


def test_a_mat_head_office_user_sees_the_invoices_of_the_school_they_act_for(client):
    trust = TrustFactory()
    first, second = SchoolFactory(trust=trust, name="A School"), SchoolFactory(trust=trust, name="B School")
    [a] = issue(first, line_spec("For A", "1.00"))
    [b] = issue(second, line_spec("For B", "2.00"))
    mat = UserFactory(role="mat_head_office", school=None, trust=trust)
    client.force_login(mat)
    session = client.session
    session["acting_school_id"] = second.pk
    session.save()
    page = client.get(reverse("billing:dashboard_invoices")).content.decode()
    assert b.number in page and a.number not in page
    assert client.get(reverse("billing:invoice_download", args=[a.number])).status_code == 404
    assert client.get(reverse("billing:invoice_download", args=[b.number])).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client, school):
    [invoice] = issue(school, line_spec("A", "1.00"))
    response = client.get(reverse("billing:invoice_download", args=[invoice.number]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- The basket's promotional code ----------------------------------------------------------


@pytest.fixture
def basket(sbm):
    basket = Basket.objects.create(user=sbm)
    category = CategoryFactory(name="Leaders")
    BasketLine.objects.create(
        basket=basket,
        event=EventFactory(non_member_price=Decimal("80.00"), categories=[category]),
        quantity=2,
    )
    return basket


def apply(client, code, next_url="/basket/"):
    return client.post(reverse("billing:coupon_apply"), {"code": code, "next": next_url})


def test_applying_a_code_keeps_it_on_the_basket_case_insensitively(client, sbm, basket):
    CouponFactory(code="WELCOME10", kind="percentage", value=Decimal("10"))
    client.force_login(sbm)
    response = apply(client, "  welcome10 ")
    assert response.status_code == 302 and response["Location"] == "/basket/"
    assert coupon_for_basket(basket).code == "WELCOME10"


@pytest.mark.parametrize(
    "coupon, entered, message",
    [
        (None, "NOPE", "NOPE is not a promotional code we recognise"),
        (dict(code="OLD", valid_until=timezone.now() - dt.timedelta(days=1)), "old", "OLD expired on"),
        (
            dict(code="SOON", valid_from=timezone.now() + dt.timedelta(days=3)),
            "soon",
            "SOON cannot be used until",
        ),
        (dict(code="GONE", max_uses=1, times_used=1), "gone", "used the maximum number of times"),
        (
            dict(code="BIG", minimum_spend=Decimal("500")),
            "big",
            "minimum spend of £500.00; your basket comes to £160.00",
        ),
    ],
)
def test_a_refused_code_shows_why_next_to_the_field(client, sbm, basket, coupon, entered, message):
    if coupon:
        CouponFactory(**coupon)
    client.force_login(sbm)
    apply(client, entered)
    assert not BasketCoupon.objects.exists()
    # The basket page includes the partial; render it as the basket would.
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/basket/")
    request.user = sbm
    request.session = client.session
    html = Template('{% include "billing/_coupon_form.html" %}').render(
        Context({"basket": basket, "request": request})
    )
    assert message in html
    assert 'class="govuk-error-message"' in html and "govuk-input--error" in html
    assert '<details class="govuk-details" open>' in html
    # Shown once: the next render is clean.
    html = Template('{% include "billing/_coupon_form.html" %}').render(
        Context({"basket": basket, "request": request})
    )
    assert message not in html


def test_a_code_for_other_items_is_refused(client, sbm, basket):
    coupon = CouponFactory(code="SEND")
    coupon.categories.set([CategoryFactory(name="SEND")])
    client.force_login(sbm)
    apply(client, "send")
    assert not BasketCoupon.objects.exists()
    assert (
        "SEND does not apply to the items in your basket" in client.session["billing_coupon_flash"]["error"]
    )


def test_the_partial_shows_the_saving_and_removing_works(client, sbm, basket):
    CouponFactory(code="WELCOME10", value=Decimal("10"))
    client.force_login(sbm)
    apply(client, "WELCOME10")
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/basket/")
    request.user = sbm
    request.session = client.session
    html = Template('{% include "billing/_coupon_form.html" %}').render(
        Context({"basket": basket, "request": request})
    )
    assert "WELCOME10" in html and "you save £16.00" in html and "Remove code" in html
    response = client.post(reverse("billing:coupon_remove"), {"next": "/basket/"})
    assert response.status_code == 302
    assert coupon_for_basket(basket) is None


def test_a_code_sees_the_basket_priced_as_the_order_will_be(client, sbm, school):
    """Regression: the code's check priced each line on its own, so two lines sharing a
    package's last places both looked free and a minimum spend the basket met was refused."""
    from catalogue.tests.factories import EntitlementFactory, ProductFactory

    leaders = CategoryFactory(name="Leaders")
    EntitlementFactory(school=school, product=ProductFactory(covers_categories=[leaders]), places_limit=2)
    basket = Basket.objects.create(user=sbm)
    for _ in range(2):
        BasketLine.objects.create(
            basket=basket,
            event=EventFactory(non_member_price=Decimal("60.00"), categories=[leaders]),
            quantity=2,
        )
    CouponFactory(code="SPEND100", kind="percentage", value=Decimal("10"), minimum_spend=Decimal("100"))
    client.force_login(sbm)
    apply(client, "spend100")
    assert coupon_for_basket(basket).code == "SPEND100"  # the basket comes to £120.00
    body = client.get(reverse("basket:detail")).content.decode()
    assert 'id="basket-total">£108.00' in body and "you save £12.00" in body


def test_the_form_is_offered_behind_have_a_promotional_code(client, sbm, basket):
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/basket/")
    request.user = sbm
    request.session = client.session
    html = Template('{% include "billing/_coupon_form.html" %}').render(
        Context({"basket": basket, "request": request})
    )
    assert "Have a Promotional Code" in html and "Apply Coupon" in html
    assert '<label class="govuk-label" for="coupon-code">Promotional code</label>' in html


def test_a_guest_without_a_basket_is_told_to_add_something(client):
    response = apply(client, "WELCOME10")
    assert response.status_code == 302
    assert "Add something to your basket" in client.session["billing_coupon_flash"]["error"]


def test_next_must_be_on_this_site(client, sbm, basket):
    client.force_login(sbm)
    response = apply(client, "X", next_url="https://evil.example/")
    assert response["Location"] == reverse("basket:detail")


def test_guessing_promotional_codes_is_rate_limited(client, sbm, basket):
    """A public form that answers "unknown code" would otherwise let anyone try codes in bulk."""
    from billing.views import COUPON_TRIES_LIMIT

    CouponFactory(code="WELCOME10", value=Decimal("10"))
    client.force_login(sbm)
    for i in range(COUPON_TRIES_LIMIT):
        apply(client, f"GUESS{i}")
        assert "not a promotional code we recognise" in client.session["billing_coupon_flash"]["error"]
    apply(client, "WELCOME10")
    assert "tried a lot of promotional codes" in client.session["billing_coupon_flash"]["error"]
    assert coupon_for_basket(basket) is None
