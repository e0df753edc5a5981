"""Two hand-overs of one school's key user role at the same moment: the school row lock makes
them run one after the other, and the school ends with exactly one key user."""

import threading

import pytest
from django.db import connection

from accounts.models import Role, User
from accounts.services import key_user_hand_over
from accounts.tests.factories import StaffFactory, UserFactory
from portal.errors import DomainError
from schools.tests.factories import SchoolFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_hand_overs_leave_exactly_one_key_user():
    school = SchoolFactory()
    UserFactory(school=school, role=Role.KEY_USER)
    candidates = [UserFactory(school=school, role=Role.HEADTEACHER) for _ in range(4)]
    staff = StaffFactory()
    barrier = threading.Barrier(len(candidates))
    errors = []

    def hand_over(candidate):
        try:
            barrier.wait()
            key_user_hand_over(school=school, to_user=candidate, actor=staff)
        except DomainError as error:  # a clear refusal is fine; a crash is not
            errors.append(error)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
            raise
        finally:
            connection.close()

    threads = [threading.Thread(target=hand_over, args=(c,)) for c in candidates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [e for e in errors if not isinstance(e, DomainError)]
    assert User.objects.filter(school=school, role=Role.KEY_USER, is_active=True).count() == 1
