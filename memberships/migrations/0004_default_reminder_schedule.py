from django.db import migrations

DEFAULT_DAYS = (60, 30, 7)


def create_defaults(apps, schema_editor):
    ReminderSchedule = apps.get_model("memberships", "ReminderSchedule")
    for days in DEFAULT_DAYS:
        ReminderSchedule.objects.get_or_create(days_before=days)


def remove_defaults(apps, schema_editor):
    ReminderSchedule = apps.get_model("memberships", "ReminderSchedule")
    ReminderSchedule.objects.filter(days_before__in=DEFAULT_DAYS).delete()


class Migration(migrations.Migration):
    dependencies = [("memberships", "0003_reminders_lapsed_status")]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
