"""Import schools from the DfE's "Get Information about Schools" establishment CSV
(edubasealldataYYYYMMDD.csv: cp1252, one row per establishment, URN the key).

Re-importing updates each school found by URN and never duplicates; what staff set that GIAS
does not know (billing email, membership) is left alone."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from .models import CensusFigure, FinancialYearStart, LocalAuthority, Phase, School, Trust

REQUIRED_COLUMNS = {"URN", "EstablishmentName", "LA (name)", "PhaseOfEducation (name)"}

PHASES = {
    "nursery": Phase.NURSERY,
    "primary": Phase.PRIMARY,
    "middle deemed primary": Phase.PRIMARY,
    "secondary": Phase.SECONDARY,
    "middle deemed secondary": Phase.SECONDARY,
    "all-through": Phase.ALL_THROUGH,
    "16 plus": Phase.FURTHER_EDUCATION,
}
FE_TYPES = {"further education", "sixth form centres", "other further education"}
AP_TYPES = {
    "pupil referral unit",
    "academy alternative provision converter",
    "academy alternative provision sponsor led",
    "free schools alternative provision",
}
ACADEMY_GROUPS = {"academies", "free schools"}


class GiasFormatError(ValueError):
    pass


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)


def _phase(row: dict) -> str | None:
    type_name = row.get("TypeOfEstablishment (name)", "").strip().lower()
    group = row.get("EstablishmentTypeGroup (name)", "").strip().lower()
    if type_name in FE_TYPES or group == "colleges":
        return Phase.FURTHER_EDUCATION
    if type_name in AP_TYPES:
        return Phase.ALTERNATIVE_PROVISION
    if group == "special schools" or "special" in type_name:
        return Phase.SPECIAL
    return PHASES.get(row.get("PhaseOfEducation (name)", "").strip().lower())


def _local_authority(name: str) -> str:
    lowered = name.strip().lower()
    if lowered == "haringey":
        return LocalAuthority.HARINGEY
    if lowered == "enfield":
        return LocalAuthority.ENFIELD
    return LocalAuthority.OTHER


def read_rows(path: Path) -> list[dict]:
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = REQUIRED_COLUMNS - set(reader.fieldnames or [])
    if missing:
        raise GiasFormatError(
            "This does not look like a GIAS establishment export: missing column(s) "
            + ", ".join(sorted(missing))
        )
    return list(reader)


def import_rows(
    rows: Iterable[dict],
    *,
    local_authorities: set[str] | None = None,
    census_year: int | None = None,
    progress: Callable[[], None] | None = None,
) -> ImportResult:
    result = ImportResult()
    wanted = {la.strip().lower() for la in local_authorities} if local_authorities else None
    trusts: dict[str, Trust] = {}
    with transaction.atomic():
        for row in rows:
            if progress:
                progress()
            urn = (row.get("URN") or "").strip()
            name = (row.get("EstablishmentName") or "").strip()
            la_name = (row.get("LA (name)") or "").strip()
            if wanted is not None and la_name.lower() not in wanted:
                continue
            phase = _phase(row)
            if not urn.isdigit() or not name:
                result.skipped.append(f"URN {urn or '?'}: no URN or name")
                continue
            if phase is None:
                result.skipped.append(
                    f"URN {urn} {name}: phase not served ({row.get('PhaseOfEducation (name)')})"
                )
                continue
            trust = None
            trust_name = (row.get("Trusts (name)") or "").strip()
            if trust_name:
                trust = trusts.get(trust_name) or Trust.objects.get_or_create(name=trust_name)[0]
                trusts[trust_name] = trust
            group = (row.get("EstablishmentTypeGroup (name)") or "").strip().lower()
            la = _local_authority(la_name)
            values = {
                "name": name,
                "phase": phase,
                "has_sixth_form": (row.get("OfficialSixthForm (name)") or "").strip().lower()
                == "has a sixth form",
                "local_authority": la,
                "local_authority_name": "" if la != LocalAuthority.OTHER else la_name,
                "trust": trust,
                "financial_year_start": FinancialYearStart.SEPTEMBER
                if group in ACADEMY_GROUPS or trust
                else FinancialYearStart.APRIL,
                "address_line_1": (row.get("Street") or "").strip(),
                "address_line_2": ", ".join(
                    p for p in ((row.get("Locality") or "").strip(), (row.get("Address3") or "").strip()) if p
                ),
                "town": (row.get("Town") or "").strip(),
                "postcode": (row.get("Postcode") or "").strip().upper(),
                "phone": (row.get("TelephoneNum") or "").strip(),
                "is_open": not (row.get("EstablishmentStatus (name)") or "Open")
                .strip()
                .lower()
                .startswith("closed"),
            }
            school = School.objects.filter(urn=urn).first()
            if school is None:
                school = School.objects.create(urn=urn, **values)
                result.created += 1
            else:
                changed = [k for k, v in values.items() if getattr(school, k) != v]
                if changed:
                    for key in changed:
                        setattr(school, key, values[key])
                    school.save(update_fields=[*changed, "updated_at"])
                    result.updated += 1
                else:
                    result.unchanged += 1
            pupils = (row.get("NumberOfPupils") or "").strip()
            if census_year and pupils:
                try:
                    figure = Decimal(pupils)
                except InvalidOperation:
                    figure = None
                if (
                    figure is not None
                    and figure >= 0
                    and not school.census_figures.filter(census_year=census_year).exists()
                ):
                    CensusFigure.objects.create(
                        school=school,
                        census_year=census_year,
                        fte_pupils=figure,
                        note="Imported from Get Information about Schools",
                    )
    return result
