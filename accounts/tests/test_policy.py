"""The permission matrix: every role against every action, written out here by hand so a change
to accounts.policy that nobody meant shows up as a failing row."""

import pytest

from accounts.models import Role
from accounts.policy import ROLE_ACTIONS, Action, acts_for, allowed_actions, can, schools_for
from accounts.tests.factories import StaffFactory, UserFactory
from schools.tests.factories import SchoolFactory, TrustFactory

A = Action
EXPECTED = {
    Role.KEY_USER: {
        A.BUY_PACKAGES,
        A.ORDER_MEMBERSHIP,
        A.BOOK_TRAINING,
        A.BOOK_GOVERNOR_TRAINING,
        A.SEE_CURRICULUM,
        A.MANAGE_USERS,
        A.SEE_ORDERS,
        A.UPDATE_CENSUS,
    },
    Role.MAT_HEAD_OFFICE: {
        A.BUY_PACKAGES,
        A.ORDER_MEMBERSHIP,
        A.BOOK_TRAINING,
        A.BOOK_GOVERNOR_TRAINING,
        A.SEE_CURRICULUM,
        A.SEE_ORDERS,
        A.UPDATE_CENSUS,
    },
    Role.HEADTEACHER: {
        A.BUY_PACKAGES,
        A.ORDER_MEMBERSHIP,
        A.BOOK_TRAINING,
        A.BOOK_GOVERNOR_TRAINING,
        A.SEE_CURRICULUM,
        A.SEE_ORDERS,
        A.UPDATE_CENSUS,
        A.VOTE,
    },
    Role.BUSINESS_MANAGER: {
        A.BUY_PACKAGES,
        A.ORDER_MEMBERSHIP,
        A.BOOK_TRAINING,
        A.BOOK_GOVERNOR_TRAINING,
        A.SEE_ORDERS,
        A.UPDATE_CENSUS,
    },
    Role.TEACHER: {A.SEE_CURRICULUM},
    Role.GOVERNOR: {A.BOOK_GOVERNOR_TRAINING, A.VOTE},
}

CASES = [(role, action, action in EXPECTED[role]) for role in Role for action in Action]


def test_the_table_covers_every_role_and_action():
    assert set(EXPECTED) == set(Role) == set(ROLE_ACTIONS)
    assert len(CASES) == len(Role) * len(Action)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "action", "allowed"), CASES, ids=[f"{r.value}-{a.value}" for r, a, _ in CASES]
)
def test_role_against_action_at_own_school(role, action, allowed):
    trust = TrustFactory()
    school = SchoolFactory(trust=trust)
    if role == Role.MAT_HEAD_OFFICE:
        user = UserFactory(role=role, school=None, trust=trust)
    else:
        user = UserFactory(role=role, school=school)
    assert can(user, action, school) is allowed
    # ...and never for a school that is not theirs, whatever the role.
    assert can(user, action, SchoolFactory()) is False


@pytest.mark.django_db
@pytest.mark.parametrize("action", list(Action))
def test_staff_inactive_and_anonymous_users_have_no_school_actions(action):
    from django.contrib.auth.models import AnonymousUser

    school = SchoolFactory()
    inactive = UserFactory(role=Role.KEY_USER, school=school, is_active=False)
    assert can(StaffFactory(), action, school) is False
    assert can(inactive, action, school) is False
    assert can(AnonymousUser(), action, school) is False
    assert can(UserFactory(role=Role.HEADTEACHER, school=school), action, None) is False


@pytest.mark.django_db
def test_mat_head_office_acts_for_every_school_of_its_trust_only():
    trust = TrustFactory()
    mine = [SchoolFactory(trust=trust), SchoolFactory(trust=trust)]
    other = SchoolFactory(trust=TrustFactory())
    mat = UserFactory(role=Role.MAT_HEAD_OFFICE, school=None, trust=trust)
    assert set(schools_for(mat)) == set(mine)
    assert all(acts_for(mat, s) for s in mine)
    assert not acts_for(mat, other)
    assert allowed_actions(mat, other) == frozenset()
