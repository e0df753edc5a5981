"""Real parallel connections on PostgreSQL: numbers stay gap-free and a one-use coupon is used once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, transaction

from billing.models import Coupon, CouponRedemption, Invoice, NumberSequence
from billing.services import coupon_redeem, invoices_issue_for_order
from billing.tests.factories import CouponFactory, account_order, line_spec
from portal.errors import Conflict
from schools.tests.factories import SchoolFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PARALLEL = 20


def in_parallel(work, items):
    barrier = threading.Barrier(len(items))

    def run(item):
        try:
            barrier.wait(timeout=30)
            return work(item)
        except Exception as error:  # noqa: BLE001 - returned for the test to inspect
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        return list(pool.map(run, items))


def test_twenty_orders_invoiced_in_parallel_get_gap_free_numbers_per_body():
    schools = [SchoolFactory() for _ in range(4)]
    orders = [
        account_order(
            school=schools[i % 4],
            lines=[
                line_spec("Early Years package", "1200.00", body_code="lbh"),
                line_spec("PL package", "2500.00"),
            ],
        )
        for i in range(PARALLEL)
    ]
    results = in_parallel(lambda order: invoices_issue_for_order(order=order), orders)

    assert not [r for r in results if isinstance(r, Exception)], results
    for code in ("hep", "lbh"):
        numbers = sorted(Invoice.objects.filter(body__code=code).values_list("sequence_number", flat=True))
        assert numbers == list(range(1, PARALLEL + 1))
        assert NumberSequence.objects.get(body__code=code, kind="invoice").last_number == PARALLEL
    for order in orders:
        assert sum(i.total for i in Invoice.objects.filter(order=order)) == order.total


def test_the_same_order_invoiced_twice_at_once_gets_one_invoice_per_body():
    order = account_order(
        school=SchoolFactory(), lines=[line_spec("EY", "10.00", body_code="lbh"), line_spec("PL", "20.00")]
    )
    results = in_parallel(lambda _: invoices_issue_for_order(order=order), [1, 2])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Invoice.objects.filter(order=order).count() == 2
    assert sorted(len(r) for r in results) == [0, 2]


def test_a_one_use_coupon_redeemed_by_twenty_parallel_checkouts_is_used_once():
    coupon = CouponFactory(code="ONCE", max_uses=1)
    schools = [SchoolFactory() for _ in range(PARALLEL)]
    orders = [
        account_order(school=school, lines=[line_spec("Course", "100.00", discount="10.00", coupon="10.00")])
        for school in schools
    ]

    def checkout(index):
        with transaction.atomic():
            return coupon_redeem(coupon=coupon, order=orders[index], school=schools[index], actor=None)

    results = in_parallel(checkout, list(range(PARALLEL)))

    used = [r for r in results if isinstance(r, CouponRedemption)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(used) == 1 and len(refused) == PARALLEL - 1, results
    assert all(r.code == "used_up" for r in refused)
    assert Coupon.objects.get(pk=coupon.pk).times_used == 1
    assert CouponRedemption.objects.count() == 1
    assert used[0].amount == Decimal("10.00")


def test_a_per_school_limit_holds_under_parallel_checkouts():
    coupon = CouponFactory(code="TWICE", max_uses_per_school=2)
    school = SchoolFactory()
    orders = [account_order(school=school, lines=[line_spec("Course", "100.00")]) for _ in range(8)]

    def checkout(order):
        with transaction.atomic():
            return coupon_redeem(coupon=coupon, order=order, school=school, actor=None)

    results = in_parallel(checkout, orders)
    assert len([r for r in results if isinstance(r, CouponRedemption)]) == 2
    assert CouponRedemption.objects.filter(school=school).count() == 2
