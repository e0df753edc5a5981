import factory

from accounts.models import User
from schools.tests.factories import SchoolFactory

PASSWORD = "Tricky-Walrus-Lantern-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@school.example")
    full_name = factory.Sequence(lambda n: f"User {n}")
    role = "business_manager"
    school = factory.SubFactory(SchoolFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    role = ""
    school = None
    is_staff = True
    staff_role = "site_admin"
    is_superuser = True
