from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from schools.models import CensusFigure, School, Trust

SAMPLE = Path(__file__).parent / "data" / "gias_sample.csv"


def run(*args) -> str:
    out = StringIO()
    call_command("import_schools", str(SAMPLE), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_imports_the_real_columns_in_cp1252():
    output = run()
    assert "8 created" in output
    school = School.objects.get(urn="102113")
    assert school.name == "St Mary’s CofE Primary School"  # a cp1252 apostrophe survives
    assert school.phase == "primary" and school.local_authority == "haringey"
    assert school.postcode == "N8 7PJ" and school.financial_year_start == 4
    academy = School.objects.get(urn="136543")
    assert academy.has_sixth_form and academy.phase == "secondary"
    assert academy.trust == Trust.objects.get(name="Ridgeway Learning Trust")
    assert academy.financial_year_start == 9
    assert School.objects.get(urn="139001").phase == "special"
    assert School.objects.get(urn="130420").phase == "further-education"
    assert School.objects.get(urn="131000").phase == "alternative-provision"
    camden = School.objects.get(urn="100001")
    assert camden.local_authority == "other" and camden.local_authority_name == "Camden"
    assert School.objects.get(urn="102200").is_open is False


@pytest.mark.django_db
def test_reimport_updates_and_never_duplicates():
    run()
    School.objects.filter(urn="102113").update(name="Old name", billing_email="pay@school.example")
    output = run()
    assert "0 created, 1 updated, 7 unchanged" in output
    assert School.objects.count() == 8
    school = School.objects.get(urn="102113")
    assert school.name == "St Mary’s CofE Primary School"
    assert school.billing_email == "pay@school.example"  # what GIAS does not know is kept


@pytest.mark.django_db
def test_filters_by_local_authority_and_records_pupils_once():
    run("--la", "Haringey", "--la", "Enfield", "--census-year", "2026")
    assert not School.objects.filter(urn="100001").exists()
    assert CensusFigure.objects.get(school__urn="102113", census_year=2026).fte_pupils == Decimal("419")
    run("--la", "Haringey", "--census-year", "2026")
    assert CensusFigure.objects.filter(school__urn="102113").count() == 1


@pytest.mark.django_db
def test_a_file_that_is_not_a_gias_export_is_refused(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email\nx,y\n")
    with pytest.raises(CommandError, match="missing column"):
        call_command("import_schools", str(bad), stdout=StringIO())
