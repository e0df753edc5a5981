"""The membership fee: table-driven rules (the seed's worked examples among them) and
property tests of its invariants."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.errors import DomainError
from pricing.membership import (
    PER_PUPIL_PHASES,
    PHASES,
    SIXTH_FORM_CAP_PHASES,
    MembershipQuoteError,
    NoPriceSettings,
    PupilCountInvalid,
    PupilCountMissing,
    PupilCountNegative,
    PupilCountTooLarge,
    SchoolFacts,
    UnknownLocalAuthority,
    UnknownPhase,
    membership_quote,
    membership_type_for,
)
from pricing.money import money

D = Decimal


@dataclass(frozen=True)
class Schedule:
    year: int
    membership_type: str
    rate_per_pupil: Decimal
    cap: Decimal
    cap_secondary_sixth_form: Decimal
    further_education_price: Decimal
    new_joiner_minimum: Decimal


# HEP's figures (the demo defaults).
HEP = Schedule(2026, "full", D("19.00"), D("12500.00"), D("13000.00"), D("7500.00"), D("6000.00"))
HEP_ASSOCIATE = Schedule(
    2026, "associate", D("12.00"), D("8000.00"), D("8500.00"), D("5000.00"), D("3000.00")
)
# Round figures, so a pupil count lands exactly on a cap or the minimum.
ROUND = Schedule(2026, "full", D("25.00"), D("12500.00"), D("13000.00"), D("7500.00"), D("6000.00"))


def quote(phase, pupils, *, sixth=False, la="haringey", new=False, schedule=HEP):
    facts = SchoolFacts(phase=phase, pupils=pupils, local_authority=la, has_sixth_form=sixth, new_joiner=new)
    return membership_quote(facts, schedule)


PRICE_TABLE = [
    # (why, phase, pupils, sixth form, local authority, new joiner, schedule, total, rule)
    ("seed: 2FE primary", "primary", 420, False, "haringey", False, HEP, "7980.00", "per_pupil"),
    ("seed: 3FE primary", "primary", 630, False, "haringey", False, HEP, "11970.00", "per_pupil"),
    ("seed example in Enfield", "primary", 420, False, "enfield", False, HEP, "7980.00", "per_pupil"),
    # Every per-pupil phase pays pupils × rate below the cap.
    ("nursery", "nursery", 96, False, "haringey", False, HEP, "1824.00", "per_pupil"),
    ("primary", "primary", 300, False, "haringey", False, HEP, "5700.00", "per_pupil"),
    ("secondary", "secondary", 600, False, "haringey", False, HEP, "11400.00", "per_pupil"),
    ("all-through", "all-through", 600, True, "haringey", False, HEP, "11400.00", "per_pupil"),
    ("special", "special", 120, False, "haringey", False, HEP, "2280.00", "per_pupil"),
    (
        "alternative provision",
        "alternative-provision",
        45,
        False,
        "haringey",
        False,
        HEP,
        "855.00",
        "per_pupil",
    ),
    ("FTE with a half pupil", "primary", D("420.5"), False, "haringey", False, HEP, "7989.50", "per_pupil"),
    # The general cap: just below, at, just above, far above; for every per-pupil phase.
    ("just below the cap", "primary", 657, False, "haringey", False, HEP, "12483.00", "per_pupil"),
    ("just above the cap", "primary", D("657.9"), False, "haringey", False, HEP, "12500.00", "cap"),
    ("at the cap exactly", "primary", 500, False, "haringey", False, ROUND, "12500.00", "per_pupil"),
    ("just above the cap (round)", "primary", D("500.1"), False, "haringey", False, ROUND, "12500.00", "cap"),
    (
        "just below the cap (round)",
        "primary",
        D("499.9"),
        False,
        "haringey",
        False,
        ROUND,
        "12497.50",
        "per_pupil",
    ),
    ("cap: nursery", "nursery", 700, False, "haringey", False, HEP, "12500.00", "cap"),
    (
        "cap: secondary without sixth form",
        "secondary",
        1000,
        False,
        "haringey",
        False,
        HEP,
        "12500.00",
        "cap",
    ),
    (
        "cap: all-through without sixth form",
        "all-through",
        1000,
        False,
        "haringey",
        False,
        HEP,
        "12500.00",
        "cap",
    ),
    ("cap: special", "special", 700, False, "haringey", False, HEP, "12500.00", "cap"),
    (
        "cap: alternative provision",
        "alternative-provision",
        700,
        False,
        "haringey",
        False,
        HEP,
        "12500.00",
        "cap",
    ),
    # The sixth-form cap: secondary and all-through with a sixth form.
    ("sixth form: just below", "secondary", 684, True, "haringey", False, HEP, "12996.00", "per_pupil"),
    (
        "sixth form: just above",
        "secondary",
        D("684.3"),
        True,
        "haringey",
        False,
        HEP,
        "13000.00",
        "cap_sixth_form",
    ),
    ("sixth form: at (round)", "secondary", 520, True, "haringey", False, ROUND, "13000.00", "per_pupil"),
    (
        "sixth form: above (round)",
        "secondary",
        D("520.1"),
        True,
        "haringey",
        False,
        ROUND,
        "13000.00",
        "cap_sixth_form",
    ),
    (
        "sixth form: below (round)",
        "secondary",
        D("519.9"),
        True,
        "haringey",
        False,
        ROUND,
        "12997.50",
        "per_pupil",
    ),
    (
        "sixth form: large secondary",
        "secondary",
        1250,
        True,
        "haringey",
        False,
        HEP,
        "13000.00",
        "cap_sixth_form",
    ),
    (
        "sixth form: all-through",
        "all-through",
        1500,
        True,
        "enfield",
        False,
        HEP,
        "13000.00",
        "cap_sixth_form",
    ),
    ("sixth form between the caps", "secondary", 670, True, "haringey", False, HEP, "12730.00", "per_pupil"),
    ("no sixth form between the caps", "secondary", 670, False, "haringey", False, HEP, "12500.00", "cap"),
    # A sixth form elsewhere does not raise the cap.
    ("special with a sixth form", "special", 700, True, "haringey", False, HEP, "12500.00", "cap"),
    ("primary said to have a sixth form", "primary", 700, True, "haringey", False, HEP, "12500.00", "cap"),
    # Further education: fixed, whatever the size, new or not.
    ("FE", "further-education", 1400, False, "haringey", False, HEP, "7500.00", "fixed"),
    (
        "FE without a pupil count",
        "further-education",
        None,
        False,
        "haringey",
        False,
        HEP,
        "7500.00",
        "fixed",
    ),
    ("FE tiny, newly joining", "further-education", 10, False, "haringey", True, HEP, "7500.00", "fixed"),
    ("FE with a sixth form", "further-education", 5000, True, "enfield", False, HEP, "7500.00", "fixed"),
    # The new-joiner minimum: only for new joiners.
    ("new joiner below the minimum", "primary", 200, False, "haringey", True, HEP, "6000.00", "minimum"),
    ("existing member below it", "primary", 200, False, "haringey", False, HEP, "3800.00", "per_pupil"),
    ("new joiner just below", "primary", D("315.7"), False, "haringey", True, HEP, "6000.00", "minimum"),
    ("new joiner just above", "primary", D("315.8"), False, "haringey", True, HEP, "6000.20", "per_pupil"),
    ("new joiner at the minimum", "primary", 240, False, "haringey", True, ROUND, "6000.00", "per_pupil"),
    ("new nursery", "nursery", 96, False, "enfield", True, HEP, "6000.00", "minimum"),
    ("existing nursery", "nursery", 96, False, "enfield", False, HEP, "1824.00", "per_pupil"),
    ("new joiner above the cap", "primary", 800, False, "haringey", True, HEP, "12500.00", "cap"),
    ("new joiner, seed example", "primary", 420, False, "haringey", True, HEP, "7980.00", "per_pupil"),
    # Associate membership (outside Haringey and Enfield): its own schedule, same rules.
    ("associate", "primary", 420, False, "other", False, HEP_ASSOCIATE, "5040.00", "per_pupil"),
    ("associate cap", "primary", 1000, False, "other", False, HEP_ASSOCIATE, "8000.00", "cap"),
    (
        "associate sixth-form cap",
        "secondary",
        1000,
        True,
        "other",
        False,
        HEP_ASSOCIATE,
        "8500.00",
        "cap_sixth_form",
    ),
    ("associate FE", "further-education", 900, False, "other", False, HEP_ASSOCIATE, "5000.00", "fixed"),
    ("associate new joiner", "special", 110, False, "other", True, HEP_ASSOCIATE, "3000.00", "minimum"),
    ("associate existing", "special", 110, False, "other", False, HEP_ASSOCIATE, "1320.00", "per_pupil"),
]


@pytest.mark.parametrize(
    "why,phase,pupils,sixth,la,new,schedule,total,rule", PRICE_TABLE, ids=[row[0] for row in PRICE_TABLE]
)
def test_membership_price(why, phase, pupils, sixth, la, new, schedule, total, rule):
    result = quote(phase, pupils, sixth=sixth, la=la, new=new, schedule=schedule)
    assert result.total == D(total)
    assert result.rule == rule
    assert result.membership_type == ("associate" if la == "other" else "full")
    assert sum(line.amount for line in result.lines) == result.total


def test_every_phase_is_priced():
    priced = {row[1] for row in PRICE_TABLE}
    assert priced == set(PHASES)


def test_working_lists_pupils_times_rate_then_the_cap():
    result = quote("primary", 700)
    assert result.working() == [
        {"code": "per_pupil", "label": "700 FTE pupils × £19.00", "amount": "13300.00"},
        {"code": "cap", "label": "Capped at £12,500.00 (the cap)", "amount": "-800.00"},
    ]
    assert result.headline == "Capped at £12,500.00 (the cap)"


def test_working_shows_the_sixth_form_cap_and_the_minimum():
    sixth = quote("secondary", 1250, sixth=True)
    assert [line.code for line in sixth.lines] == ["per_pupil", "cap"]
    assert "sixth form" in sixth.lines[1].label and "£13,000.00" in sixth.lines[1].label
    new = quote("primary", 200, new=True)
    assert new.working() == [
        {"code": "per_pupil", "label": "200 FTE pupils × £19.00", "amount": "3800.00"},
        {
            "code": "minimum",
            "label": "Raised to £6,000.00, the minimum for a school newly joining",
            "amount": "2200.00",
        },
    ]


def test_seed_examples_as_the_api_shows_them():
    assert quote("primary", 420).as_dict() == {
        "membership": "full",
        "year": 2026,
        "rule": "per_pupil",
        "total": "7980.00",
        "currency": "GBP",
        "lines": [{"code": "per_pupil", "label": "420 FTE pupils × £19.00", "amount": "7980.00"}],
    }
    assert quote("primary", 630).as_dict()["total"] == "11970.00"


ERROR_TABLE = [
    # (why, phase, pupils, local authority, schedule, error, code, field)
    ("missing pupils", "primary", None, "haringey", HEP, PupilCountMissing, "pupils_missing", "pupils"),
    ("empty pupils", "primary", "  ", "haringey", HEP, PupilCountMissing, "pupils_missing", "pupils"),
    ("negative pupils", "primary", -1, "haringey", HEP, PupilCountNegative, "pupils_negative", "pupils"),
    ("negative text", "secondary", "-0.5", "haringey", HEP, PupilCountNegative, "pupils_negative", "pupils"),
    (
        "FE negative",
        "further-education",
        -3,
        "haringey",
        HEP,
        PupilCountNegative,
        "pupils_negative",
        "pupils",
    ),
    ("words", "primary", "lots", "haringey", HEP, PupilCountInvalid, "pupils_invalid", "pupils"),
    ("not a number", "primary", "NaN", "haringey", HEP, PupilCountInvalid, "pupils_invalid", "pupils"),
    ("infinite", "primary", "Infinity", "haringey", HEP, PupilCountInvalid, "pupils_invalid", "pupils"),
    ("two decimals", "primary", "420.55", "haringey", HEP, PupilCountInvalid, "pupils_invalid", "pupils"),
    ("a boolean", "primary", True, "haringey", HEP, PupilCountInvalid, "pupils_invalid", "pupils"),
    ("absurdly many", "primary", 100000, "haringey", HEP, PupilCountTooLarge, "pupils_too_large", "pupils"),
    ("unknown phase", "college", 420, "haringey", HEP, UnknownPhase, "unknown_phase", "phase"),
    ("empty phase", "", 420, "haringey", HEP, UnknownPhase, "unknown_phase", "phase"),
    ("phase label not value", "Primary", 420, "haringey", HEP, UnknownPhase, "unknown_phase", "phase"),
    (
        "unknown authority",
        "primary",
        420,
        "barnet",
        HEP,
        UnknownLocalAuthority,
        "unknown_local_authority",
        "local_authority",
    ),
    ("no settings", "primary", 420, "haringey", None, NoPriceSettings, "no_price_settings", None),
    (
        "associate settings for a full member",
        "primary",
        420,
        "haringey",
        HEP_ASSOCIATE,
        NoPriceSettings,
        "no_price_settings",
        None,
    ),
    (
        "full settings for an associate",
        "primary",
        420,
        "other",
        HEP,
        NoPriceSettings,
        "no_price_settings",
        None,
    ),
]


@pytest.mark.parametrize(
    "why,phase,pupils,la,schedule,error,code,field", ERROR_TABLE, ids=[row[0] for row in ERROR_TABLE]
)
def test_bad_input_gets_a_clear_error_never_a_price(why, phase, pupils, la, schedule, error, code, field):
    with pytest.raises(error) as raised:
        quote(phase, pupils, la=la, schedule=schedule)
    assert isinstance(raised.value, DomainError) and isinstance(raised.value, MembershipQuoteError)
    assert raised.value.code == code
    assert raised.value.details.get("field") == field
    assert len(raised.value.message) > 20  # a sentence a person can act on


@pytest.mark.parametrize("la,expected", [("haringey", "full"), ("enfield", "full"), ("other", "associate")])
def test_membership_type_follows_the_local_authority(la, expected):
    assert membership_type_for(la) == expected


# --- Properties -----------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=50000, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def schedules(draw):
    cap = draw(amounts)
    sixth_cap = draw(amounts)
    minimum = draw(st.decimals(min_value=0, max_value=min(cap, sixth_cap), places=2))
    return Schedule(
        year=2026,
        membership_type="full",
        rate_per_pupil=draw(st.decimals(min_value=0, max_value=200, places=2)),
        cap=cap,
        cap_secondary_sixth_form=sixth_cap,
        further_education_price=draw(amounts),
        new_joiner_minimum=minimum,
    )


facts_strategy = st.builds(
    SchoolFacts,
    phase=st.sampled_from(PHASES),
    pupils=st.decimals(min_value=0, max_value=Decimal("99999.9"), places=1),
    local_authority=st.sampled_from(["haringey", "enfield"]),
    has_sixth_form=st.booleans(),
    new_joiner=st.booleans(),
)


def applicable_cap(facts, schedule):
    if facts.has_sixth_form and facts.phase in SIXTH_FORM_CAP_PHASES:
        return schedule.cap_secondary_sixth_form
    return schedule.cap


@settings(max_examples=400)
@given(facts=facts_strategy, schedule=schedules())
def test_total_never_above_the_applicable_cap_except_fe(facts, schedule):
    result = membership_quote(facts, schedule)
    if facts.phase in PER_PUPIL_PHASES:
        assert result.total <= applicable_cap(facts, schedule)
    else:
        assert result.total == schedule.further_education_price


@settings(max_examples=400)
@given(facts=facts_strategy, schedule=schedules())
def test_new_joiner_never_pays_below_the_minimum(facts, schedule):
    result = membership_quote(facts, schedule)
    if facts.new_joiner and facts.phase in PER_PUPIL_PHASES:
        assert result.total >= schedule.new_joiner_minimum


@settings(max_examples=400)
@given(facts=facts_strategy, schedule=schedules())
def test_otherwise_the_total_is_pupils_times_rate(facts, schedule):
    result = membership_quote(facts, schedule)
    if facts.phase not in PER_PUPIL_PHASES:
        return
    per_pupil = money(facts.pupils * schedule.rate_per_pupil)
    floor = schedule.new_joiner_minimum if facts.new_joiner else D("0")
    if floor <= per_pupil <= applicable_cap(facts, schedule):
        assert result.total == per_pupil
        assert result.rule == "per_pupil"
    else:
        assert result.rule in ("cap", "cap_sixth_form", "minimum")


@settings(max_examples=300)
@given(facts=facts_strategy, schedule=schedules())
def test_lines_add_up_to_a_non_negative_total_in_pence(facts, schedule):
    result = membership_quote(facts, schedule)
    assert result.total >= 0
    assert result.total == money(result.total)
    assert sum(line.amount for line in result.lines) == result.total


@given(pupils=st.decimals(max_value=D("-0.1"), places=1, allow_nan=False, allow_infinity=False))
def test_negative_pupil_counts_never_get_a_price(pupils):
    with pytest.raises(PupilCountNegative):
        quote("primary", pupils)
