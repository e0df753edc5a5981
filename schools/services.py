"""Writes to schools: creating a school (from an approved account request or the back office)."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction

from portal.errors import InvalidInput

from .models import CensusFigure, FinancialYearStart, LocalAuthority, Phase, School, Trust


@transaction.atomic
def school_create(
    *,
    name: str,
    phase: str,
    local_authority: str,
    actor,
    urn: str = "",
    has_sixth_form: bool = False,
    local_authority_name: str = "",
    trust: Trust | None = None,
    financial_year_start: int = FinancialYearStart.APRIL,
    address_line_1: str = "",
    address_line_2: str = "",
    town: str = "",
    postcode: str = "",
    billing_email: str = "",
    phone: str = "",
    fte_pupils: Decimal | None = None,
    census_year: int | None = None,
) -> School:
    name = name.strip()
    urn = (urn or "").strip()
    if not name:
        raise InvalidInput("Enter the school's name.")
    if phase not in Phase.values:
        raise InvalidInput("Choose the school's phase.")
    if local_authority not in LocalAuthority.values:
        raise InvalidInput("Choose the school's local authority.")
    if urn and not urn.isdigit():
        raise InvalidInput("A URN is a number of up to 10 digits, as shown on Get Information about Schools.")
    if urn and School.objects.filter(urn=urn).exists():
        raise InvalidInput(f"A school with URN {urn} already exists: link the request to it instead.")
    if has_sixth_form and phase not in (Phase.SECONDARY, Phase.ALL_THROUGH, Phase.SPECIAL):
        raise InvalidInput("Only a secondary, all-through or special school can have a sixth form.")
    if (fte_pupils is None) != (census_year is None):
        raise InvalidInput("Give both the FTE pupil count and its census year, or neither.")
    try:
        with transaction.atomic():
            school = School.objects.create(
                name=name,
                urn=urn or None,
                phase=phase,
                has_sixth_form=has_sixth_form,
                local_authority=local_authority,
                local_authority_name=local_authority_name.strip()
                if local_authority == LocalAuthority.OTHER
                else "",
                trust=trust,
                financial_year_start=financial_year_start,
                address_line_1=address_line_1.strip(),
                address_line_2=address_line_2.strip(),
                town=town.strip(),
                postcode=postcode.strip().upper(),
                billing_email=billing_email.strip().lower(),
                phone=phone.strip(),
            )
    except IntegrityError:
        raise InvalidInput(f"A school with URN {urn} already exists: link the request to it instead.")
    if fte_pupils is not None:
        if fte_pupils < 0:
            raise InvalidInput("The FTE pupil count cannot be negative.")
        CensusFigure.objects.create(
            school=school,
            census_year=census_year,
            fte_pupils=fte_pupils,
            note="Given when the school's account was approved",
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
    return school
