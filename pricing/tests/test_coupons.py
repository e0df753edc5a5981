import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pricing.coupons import CouponLine, CouponTerms, coupon_apply
from pricing.quotes import Adjustment, LineQuote

NOW = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)
D = Decimal


def line(key, unit, qty=1, *, product=None, event=None, categories=(), package=False):
    adjustments = ()
    if package:
        adjustments = (Adjustment("package", "Package: free", -D(unit) * qty),)
    return CouponLine(
        key=key,
        quote=LineQuote(unit_price=D(unit), quantity=qty, reason="Member price", adjustments=adjustments),
        product_id=product,
        event_id=event,
        category_ids=frozenset(categories),
    )


def terms(**kw):
    return CouponTerms(**{"code": "SAVE", "kind": "percentage", "value": D("10"), **kw})


@pytest.mark.parametrize(
    "coupon, lines, expected",
    [
        # 10% of each line
        (terms(), [line(1, "45.00", 2), line(2, "12.50")], {1: D("-9.00"), 2: D("-1.25")}),
        # rounding half up per line: 10% of 0.45 = 0.045 -> 0.05
        (terms(), [line(1, "0.45")], {1: D("-0.05")}),
        # 100% takes the whole line, never more
        (terms(value=D("100")), [line(1, "80.00")], {1: D("-80.00")}),
        # fixed £20 shared in proportion: 60/40
        (
            terms(kind="fixed", value=D("20")),
            [line(1, "60.00"), line(2, "40.00")],
            {1: D("-12.00"), 2: D("-8.00")},
        ),
        # fixed more than the basket: capped at the basket
        (
            terms(kind="fixed", value=D("500")),
            [line(1, "60.00"), line(2, "40.00")],
            {1: D("-60.00"), 2: D("-40.00")},
        ),
        # fixed £10 over three equal lines: the pennies add up exactly
        (
            terms(kind="fixed", value=D("10")),
            [line(1, "10.00"), line(2, "10.00"), line(3, "10.00")],
            {1: D("-3.33"), 2: D("-3.33"), 3: D("-3.34")},
        ),
        # restricted to a product: only that line
        (
            terms(product_ids=frozenset({7})),
            [line(1, "100.00", product=7), line(2, "50.00", product=8)],
            {1: D("-10.00")},
        ),
        # restricted to a category: events in it only
        (
            terms(category_ids=frozenset({3})),
            [line(1, "50.00", event=1, categories={3, 4}), line(2, "50.00", event=2, categories={5})],
            {1: D("-5.00")},
        ),
        # a package-covered line is left out unless the coupon combines with packages
        (terms(), [line(1, "50.00", event=1, package=True), line(2, "30.00", event=2)], {2: D("-3.00")}),
    ],
)
def test_coupon_discounts(coupon, lines, expected):
    result = coupon_apply(coupon, lines, now=NOW)
    assert result.ok, result.message
    assert {k: a.amount for k, a in result.adjustments.items()} == expected
    assert result.discount == -sum(expected.values())
    assert all(a.code == "coupon" for a in result.adjustments.values())


@pytest.mark.parametrize(
    "coupon, lines, code, words",
    [
        (None, [line(1, "10.00")], "unknown", "is not a promotional code we recognise"),
        (terms(is_active=False), [line(1, "10.00")], "unknown", "not a promotional code"),
        (
            terms(valid_from=NOW + dt.timedelta(days=2)),
            [line(1, "10.00")],
            "not_yet_valid",
            "cannot be used until 3 October 2026",
        ),
        (
            terms(valid_until=NOW - dt.timedelta(days=1)),
            [line(1, "10.00")],
            "expired",
            "expired on 30 September 2026",
        ),
        (terms(uses_left=0), [line(1, "10.00")], "used_up", "used the maximum number of times"),
        (terms(uses_left_for_buyer=0), [line(1, "10.00")], "used_up", "by your school"),
        (
            terms(product_ids=frozenset({9})),
            [line(1, "10.00", product=1)],
            "not_applicable",
            "does not apply to the items",
        ),
        (terms(), [line(1, "10.00", event=1, package=True)], "not_applicable", "does not apply"),
        (
            terms(minimum_spend=D("100")),
            [line(1, "60.00"), line(2, "39.99")],
            "minimum_spend",
            "minimum spend of £100.00",
        ),
    ],
)
def test_coupon_refusals_say_why(coupon, lines, code, words):
    result = coupon_apply(coupon, lines, now=NOW, entered="save")
    assert not result.ok
    assert result.code == code
    assert words in result.message
    assert result.adjustments == {}


def test_minimum_spend_met_exactly_applies():
    result = coupon_apply(terms(minimum_spend=D("100")), [line(1, "60.00"), line(2, "40.00")], now=NOW)
    assert result.ok and result.discount == D("10.00")


def test_combining_with_package_discounts_when_allowed():
    partly = CouponLine(
        key=1,
        quote=LineQuote(
            D("100.00"), 1, "Member price", (Adjustment("package", "Package: half", D("-50.00")),)
        ),
    )
    result = coupon_apply(terms(combines_with_package_discounts=True), [partly], now=NOW)
    assert result.ok
    assert result.apply_to(partly).total == D("45.00")


def test_unknown_code_echoes_what_was_entered_in_capitals():
    result = coupon_apply(None, [line(1, "10")], now=NOW, entered=" welcome10 ")
    assert result.message.startswith("WELCOME10 is not")


amounts = st.decimals(min_value=D("0.00"), max_value=D("5000"), places=2)


@given(
    prices=st.lists(st.tuples(amounts, st.integers(min_value=1, max_value=5)), min_size=1, max_size=6),
    kind=st.sampled_from(["percentage", "fixed"]),
    value=st.decimals(min_value=D("0.01"), max_value=D("100"), places=2),
    fixed=st.decimals(min_value=D("0.01"), max_value=D("20000"), places=2),
)
def test_coupon_never_takes_a_line_below_zero_and_adds_up(prices, kind, value, fixed):
    lines = [line(i, str(p), q) for i, (p, q) in enumerate(prices)]
    coupon = terms(kind=kind, value=value if kind == "percentage" else fixed)
    result = coupon_apply(coupon, lines, now=NOW)
    base = sum((ln.quote.total for ln in lines), D("0"))
    if base == 0:
        assert not result.ok
        return
    assert result.ok
    for ln in lines:
        after = result.apply_to(ln)
        assert D("0") <= after.total <= ln.quote.total
    assert D("0") <= result.discount <= base
    if kind == "fixed":
        assert result.discount == min(fixed, base)
