"""The shop pages, who may buy, the packages panel, and the back-office approval queue."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import StaffFactory, UserFactory
from basket.models import BasketLine
from basket.tests.factories import add_product, basket_for
from catalogue.models import Entitlement
from catalogue.rules import purchase_refusal
from catalogue.services import entitlement_approve, entitlement_decline
from catalogue.tests.factories import EntitlementFactory, ProductFactory, make_member, this_year
from events.tests.factories import CategoryFactory
from portal.errors import Conflict, InvalidInput, NotAllowed
from pricing.buyers import Buyer, buyer_for
from schools.tests.factories import SchoolFactory, TrustFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_school():
    school = SchoolFactory(name="Noel Park Primary School", local_authority="haringey")
    make_member(school)
    return school


@pytest.fixture
def manager(member_school):
    return UserFactory(school=member_school, role="business_manager", email="bola@noelpark.example")


@pytest.mark.parametrize(
    ("role", "code"),
    [
        ("key_user", None),
        ("headteacher", None),
        ("business_manager", None),
        ("teacher", "role_cannot_buy"),
        ("governor", "role_cannot_buy"),
    ],
)
def test_only_buying_roles_may_buy(member_school, role, code):
    user = UserFactory(school=member_school, role=role)
    refusal = purchase_refusal(ProductFactory(), user=user, buyer=buyer_for(member_school))
    assert (refusal.code if refusal else None) == code


def test_mat_head_office_buys_for_any_school_of_its_trust():
    trust = TrustFactory()
    school = SchoolFactory(trust=trust)
    mat = UserFactory(role="mat_head_office", school=None, trust=trust)
    assert purchase_refusal(ProductFactory(), user=mat, buyer=buyer_for(school)) is None
    outsider = SchoolFactory()
    assert purchase_refusal(ProductFactory(), user=mat, buyer=buyer_for(outsider)).code == "role_cannot_buy"


def test_guests_are_asked_to_log_in():
    from django.contrib.auth.models import AnonymousUser

    refusal = purchase_refusal(ProductFactory(), user=AnonymousUser(), buyer=Buyer())
    assert refusal.code == "log_in"


def test_members_only_and_haringey_only_refuse_others_with_a_reason():
    enfield = SchoolFactory(local_authority="enfield")
    user = UserFactory(school=enfield)
    members_only = ProductFactory(members_only=True, non_member_price=None)
    haringey_only = ProductFactory(haringey_only=True)
    assert purchase_refusal(members_only, user=user, buyer=buyer_for(enfield)).message.startswith(
        "Members only"
    )
    make_member(enfield)
    assert purchase_refusal(members_only, user=user, buyer=buyer_for(enfield)) is None
    assert (
        purchase_refusal(haringey_only, user=user, buyer=buyer_for(enfield)).message
        == "Only for Haringey settings."
    )


@pytest.mark.parametrize("status", ["active", "awaiting_approval"])
def test_same_package_twice_for_one_year_is_refused(manager, member_school, status):
    product = ProductFactory()
    EntitlementFactory(school=member_school, product=product, status=status)
    refusal = purchase_refusal(product, user=manager, buyer=buyer_for(member_school))
    assert refusal.code == "already_held"


def test_a_declined_package_may_be_bought_again(manager, member_school):
    product = ProductFactory()
    EntitlementFactory(school=member_school, product=product, status="declined")
    assert purchase_refusal(product, user=manager, buyer=buyer_for(member_school)) is None


def test_a_past_year_product_is_not_on_sale(manager, member_school):
    product = ProductFactory(membership_year=this_year() - 1)
    assert purchase_refusal(product, user=manager, buyer=buyer_for(member_school)).code == "year_ended"


def test_packages_page_lists_by_kind_with_this_visitors_prices(client, manager):
    ProductFactory(
        name="Professional Learning package", member_price=Decimal("2500.00"), non_member_price=None
    )
    ProductFactory(
        name="Clerking service",
        kind="traded_service",
        member_price=Decimal("2200.00"),
        non_member_price=Decimal("2900.00"),
    )
    ProductFactory(name="Withdrawn", is_active=False)
    body = client.get(reverse("catalogue:list")).content.decode()
    assert (
        body.index(">Packages<")
        < body.index("Professional Learning package")
        < body.index(">Traded services<")
    )
    assert "£2900.00" in body and "members pay £2200.00" in body
    assert "Withdrawn" not in body
    client.force_login(manager)
    body = client.get(reverse("catalogue:list")).content.decode()
    assert "£2200.00" in body and "£2900.00" not in body


def test_packages_page_runs_a_fixed_number_of_queries(client, manager):
    client.force_login(manager)
    ProductFactory(covers_categories=[CategoryFactory()])
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("catalogue:list"))
    for _ in range(8):
        ProductFactory(covers_categories=[CategoryFactory(), CategoryFactory()])
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("catalogue:list"))
    assert len(few) == len(many)


def test_product_page_explains_what_it_covers_and_offers_add_to_basket(client, manager):
    product = ProductFactory(
        name="Haringey Early Years package",
        covers_categories=[CategoryFactory(name="Early Years")],
        places_limit=20,
        haringey_only=True,
    )
    client.force_login(manager)
    body = client.get(reverse("catalogue:detail", args=[product.slug])).content.decode()
    assert "Early Years" in body and "Up to 20 delegate places" in body
    assert "Haringey settings" in body
    assert "Add to basket" in body
    response = client.post(reverse("basket:add_product", args=[product.slug]))
    assert response.url == reverse("basket:detail")
    assert BasketLine.objects.filter(basket__user=manager, product=product).exists()
    # Twice in one basket is refused.
    response = client.post(reverse("basket:add_product", args=[product.slug]), follow=True)
    assert "already in your basket" in response.content.decode()
    assert BasketLine.objects.filter(product=product).count() == 1


def test_product_page_says_why_not_and_the_server_refuses_too(client):
    enfield = SchoolFactory(local_authority="enfield")
    make_member(enfield)
    user = UserFactory(school=enfield)
    product = ProductFactory(name="Haringey SEND package", haringey_only=True)
    client.force_login(user)
    body = client.get(reverse("catalogue:detail", args=[product.slug])).content.decode()
    assert "Only for Haringey settings." in body
    assert "Add to basket" not in body
    response = client.post(reverse("basket:add_product", args=[product.slug]), follow=True)
    assert "Only for Haringey settings." in response.content.decode()
    assert not BasketLine.objects.exists()


def test_teacher_sees_why_and_cannot_add(client, member_school):
    teacher = UserFactory(school=member_school, role="teacher")
    product = ProductFactory()
    client.force_login(teacher)
    assert (
        "Your role cannot buy packages"
        in client.get(reverse("catalogue:detail", args=[product.slug])).content.decode()
    )
    client.post(reverse("basket:add_product", args=[product.slug]))
    assert not BasketLine.objects.exists()


def test_packages_panel_shows_state_dates_and_places(client, manager, member_school):
    year = this_year()
    EntitlementFactory(
        school=member_school, product=ProductFactory(name="SEND package", places_limit=15), places_used=4
    )
    EntitlementFactory(
        school=member_school,
        product=ProductFactory(name="Early Years package", needs_approval=True),
        status="awaiting_approval",
    )
    EntitlementFactory(
        school=member_school, product=ProductFactory(name="Old package", membership_year=year - 1)
    )
    EntitlementFactory(product=ProductFactory(name="Another school's package"))
    client.force_login(manager)
    body = client.get(reverse("catalogue:dashboard")).content.decode()
    assert "SEND package" in body and "4 used, 11 left of 15" in body
    assert "Awaiting approval" in body and "wait 20 minutes" not in body.lower()
    assert "Old package" in body and "Expired" in body
    assert f"1 Sep {year}" in body and f"31 Aug {year + 1}" in body
    assert "Another school" not in body


def _awaiting(school, **kwargs):
    from orders.models import Order, OrderLine

    product = ProductFactory(name="Early Years package", needs_approval=True, **kwargs)
    n = Order.objects.count() + 1
    order = Order.objects.create(
        number=f"HEP-9{n:05d}",
        status="placed",
        payment_method="account",
        school=school,
        buyer_name="Bola",
        buyer_email="bola@noelpark.example",
        idempotency_key=f"x{n}",
    )
    line = OrderLine.objects.create(
        order=order,
        kind="product",
        product=product,
        description=product.name,
        unit_price=0,
        total=0,
        invoicing_body=product.invoicing_body,
    )
    return EntitlementFactory(school=school, product=product, status="awaiting_approval", order_line=line)


def test_approve_and_decline_email_the_buyer(member_school, outbox):
    staff = StaffFactory()
    entitlement = _awaiting(member_school)
    with TestCase.captureOnCommitCallbacks(execute=True):
        entitlement_approve(entitlement=entitlement, actor=staff)
    entitlement.refresh_from_db()
    assert entitlement.status == "active" and entitlement.decided_by == staff
    [mail] = outbox.to("bola@noelpark.example")
    assert "approved" in mail.subject and "active now" in mail.body
    with pytest.raises(Conflict):
        entitlement_approve(entitlement=entitlement, actor=staff)

    other = _awaiting(SchoolFactory(), slug="other-ey")
    with pytest.raises(InvalidInput):
        entitlement_decline(entitlement=other, actor=staff, reason=" ")
    with TestCase.captureOnCommitCallbacks(execute=True):
        entitlement_decline(entitlement=other, actor=staff, reason="Your setting is not in Haringey.")
    other.refresh_from_db()
    assert other.status == "declined"
    assert "Your setting is not in Haringey." in outbox.to("bola@noelpark.example")[-1].body


def test_only_staff_decide(member_school, manager):
    with pytest.raises(NotAllowed):
        entitlement_approve(entitlement=_awaiting(member_school), actor=manager)


def test_back_office_queue_lists_awaiting_packages_and_approves(client, member_school, outbox):
    entitlement = _awaiting(member_school)
    EntitlementFactory(school=member_school, product=ProductFactory(name="Already active package"))
    client.force_login(StaffFactory())
    url = reverse("admin:catalogue_entitlementawaitingapproval_changelist")
    body = client.get(url).content.decode()
    assert "Early Years package" in body and "Already active package" not in body
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, {"action": "_approve", "_selected_action": [entitlement.pk]}, follow=True)
    assert response.status_code == 200
    entitlement.refresh_from_db()
    assert entitlement.status == "active"
    assert outbox.to("bola@noelpark.example")


def test_back_office_decline_asks_for_a_reason(client, member_school):
    entitlement = _awaiting(member_school)
    client.force_login(StaffFactory())
    url = reverse("admin:catalogue_entitlement_changelist")
    page = client.post(url, {"action": "_decline", "_selected_action": [entitlement.pk]})
    assert "Reason (the buyer reads this)" in page.content.decode()
    client.post(
        url,
        {
            "action": "_decline",
            "_selected_action": [entitlement.pk],
            "confirm": "yes",
            "reason": "Not eligible.",
        },
    )
    entitlement.refresh_from_db()
    assert entitlement.status == "declined" and entitlement.decision_reason == "Not eligible."


def test_product_admin_form_shows_what_it_grants(client):
    client.force_login(StaffFactory())
    body = client.get(reverse("admin:catalogue_product_add")).content.decode()
    for field in ("needs_approval", "covers_categories", "places_limit", "members_only", "haringey_only"):
        assert f'name="{field}"' in body


def test_basket_product_line_for_a_member_package(client, manager):
    add_product(basket_for(manager), ProductFactory(name="PL package", member_price=Decimal("2500.00")))
    client.force_login(manager)
    body = client.get(reverse("basket:detail")).content.decode()
    assert "PL package" in body and "£2500.00" in body
    assert Entitlement.objects.count() == 0


def test_a_product_without_a_non_member_price_is_for_members_only():
    """Its admin help text says so; a non-member must not get it at the member price."""
    enfield = SchoolFactory(local_authority="enfield")
    user = UserFactory(school=enfield)
    product = ProductFactory(members_only=False, non_member_price=None)
    assert purchase_refusal(product, user=user, buyer=buyer_for(enfield)).code == "members_only"
    make_member(enfield)
    assert purchase_refusal(product, user=user, buyer=buyer_for(enfield)) is None
