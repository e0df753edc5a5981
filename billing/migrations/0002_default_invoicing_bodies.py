from django.db import migrations

BODIES = [
    {
        "code": "hep",
        "name": "Haringey Education Partnership",
        "address": "48 Station Road\nLondon\nN22 7TY",
        "payment_details": "BACS to Haringey Education Partnership Ltd, sort code 00-00-00, "
        "account 00000000. Quote the invoice number as the reference.",
        "invoice_prefix": "HEP",
        "email": "accounts@hep.example",
        "is_default": True,
    },
    {
        "code": "lbh",
        "name": "London Borough of Haringey",
        "address": "George Meehan House\n294 High Road\nLondon\nN22 8JZ",
        "payment_details": "Pay the London Borough of Haringey by BACS, sort code 00-00-00, "
        "account 00000000, quoting the invoice number.",
        "invoice_prefix": "LBH",
        "email": "income@haringey.example",
        "is_default": False,
    },
]


def create_bodies(apps, schema_editor):
    InvoicingBody = apps.get_model("billing", "InvoicingBody")
    for body in BODIES:
        InvoicingBody.objects.get_or_create(code=body["code"], defaults=body)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(create_bodies, migrations.RunPython.noop)]
