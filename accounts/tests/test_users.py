"""The key user's Users page: invite, change roles, hand over the key user role, deactivate; and
the walls between schools (another school's users are 404) and the MAT acting-school chooser."""

import re

import pytest
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, AuditKind, Role, User
from accounts.selectors import ACTING_SCHOOL_SESSION_KEY
from accounts.services import key_user_hand_over, user_deactivate, user_invite, user_role_change
from accounts.tests.factories import StaffFactory, UserFactory
from portal.errors import InvalidInput, NotAllowed
from schools.tests.factories import SchoolFactory, TrustFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return SchoolFactory(name="Noel Park Primary School")


@pytest.fixture
def key_user(school):
    return UserFactory(school=school, role=Role.KEY_USER, full_name="Kemi Adeyemi")


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_users_page_lists_the_schools_users_only(key_user, school):
    colleague = UserFactory(school=school, role=Role.TEACHER, full_name="Tom Whitfield")
    stranger = UserFactory(full_name="Someone Elsewhere")
    page = logged_in(key_user).get(reverse("accounts:users")).content.decode()
    assert "Tom Whitfield" in page and "Kemi Adeyemi" in page
    assert stranger.full_name not in page
    assert reverse("accounts:user_detail", args=[colleague.pk]) in page


def test_the_users_page_lists_with_a_fixed_number_of_queries(key_user, school, django_assert_max_num_queries):
    for n in range(15):
        UserFactory(school=school, role=Role.TEACHER)
    client = logged_in(key_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("accounts:users")).status_code == 200


@pytest.mark.parametrize("role", [Role.HEADTEACHER, Role.BUSINESS_MANAGER, Role.TEACHER, Role.GOVERNOR])
def test_only_the_key_user_may_manage_users(role, school, key_user):
    user = UserFactory(school=school, role=role)
    client = logged_in(user)
    assert client.get(reverse("accounts:users")).status_code == 403
    assert client.get(reverse("accounts:user_invite")).status_code == 403
    assert client.get(reverse("accounts:user_detail", args=[key_user.pk])).status_code == 404
    nav = client.get(reverse("accounts:dashboard")).content.decode()
    assert reverse("accounts:users") not in nav


def test_a_user_of_one_school_gets_404_for_another_schools_users(key_user):
    other_school_user = UserFactory(role=Role.TEACHER)
    client = logged_in(key_user)
    for method in ("get", "post"):
        response = getattr(client, method)(
            reverse("accounts:user_detail", args=[other_school_user.pk]), {"action": "deactivate"}
        )
        assert response.status_code == 404
    other_school_user.refresh_from_db()
    assert other_school_user.is_active


def test_invite_a_colleague_with_a_role(key_user, school, outbox, committed):
    client = logged_in(key_user)
    with committed():
        response = client.post(
            reverse("accounts:user_invite"),
            {"full_name": "Grace Mensah", "email": "Grace@NoelPark.sch.example", "role": Role.GOVERNOR},
        )
    assert response.status_code == 302
    grace = User.objects.get(email="grace@noelpark.sch.example")
    assert grace.role == Role.GOVERNOR and grace.school == school and not grace.has_usable_password()
    [mail] = outbox.to(grace.email)
    assert mail.subject == "Kemi Adeyemi invited you to HEP"
    assert "as Governors & Clerks" in mail.body
    assert re.search(r"/accounts/set-password/\S+/", mail.body)
    assert AuditEvent.objects.get(kind=AuditKind.USER_INVITED).actor == key_user
    listing = client.get(reverse("accounts:users")).content.decode()
    assert "Invited" in listing


def test_an_email_already_in_use_cannot_be_invited(key_user):
    UserFactory(email="taken@school.example")
    response = logged_in(key_user).post(
        reverse("accounts:user_invite"),
        {"full_name": "Someone", "email": "TAKEN@school.example", "role": Role.TEACHER},
    )
    assert "This email address already belongs to an account" in response.content.decode()
    assert User.objects.filter(email__iexact="taken@school.example").count() == 1


@pytest.mark.parametrize("role", [Role.KEY_USER, Role.MAT_HEAD_OFFICE, "admin"])
def test_a_key_user_cannot_give_these_roles(key_user, school, role):
    with pytest.raises(InvalidInput):
        user_invite(school=school, full_name="X", email="x@school.example", role=role, actor=key_user)
    teacher = UserFactory(school=school, role=Role.TEACHER)
    with pytest.raises(InvalidInput):
        user_role_change(user=teacher, role=role, actor=key_user)


def test_change_a_role_from_the_page(key_user, school):
    teacher = UserFactory(school=school, role=Role.TEACHER)
    response = logged_in(key_user).post(
        reverse("accounts:user_detail", args=[teacher.pk]), {"action": "role", "role": Role.HEADTEACHER}
    )
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert teacher.role == Role.HEADTEACHER
    event = AuditEvent.objects.get(kind=AuditKind.ROLE_CHANGED)
    assert event.detail == {"from": "Teacher", "to": "Headteacher / senior leader"}


def test_the_key_users_role_changes_only_by_hand_over(key_user, school):
    with pytest.raises(InvalidInput, match="handing the key user role"):
        user_role_change(user=key_user, role=Role.TEACHER, actor=StaffFactory())


def test_hand_over_the_key_user_role_in_one_step(key_user, school, outbox, committed):
    business = UserFactory(school=school, role=Role.BUSINESS_MANAGER, full_name="Bola Sanusi")
    client = logged_in(key_user)
    with committed():
        response = client.post(
            reverse("accounts:user_detail", args=[business.pk]),
            {"action": "hand_over", "previous_key_user_role": Role.HEADTEACHER, "confirm": "on"},
        )
    assert response.status_code == 302
    business.refresh_from_db()
    key_user.refresh_from_db()
    assert business.role == Role.KEY_USER and key_user.role == Role.HEADTEACHER
    assert User.objects.filter(school=school, role=Role.KEY_USER, is_active=True).count() == 1
    assert len(outbox.to(business.email)) == 1 and len(outbox.to(key_user.email)) == 1
    # The former key user no longer manages users.
    assert client.get(reverse("accounts:users")).status_code == 403


def test_hand_over_needs_confirmation(key_user, school):
    business = UserFactory(school=school, role=Role.BUSINESS_MANAGER)
    response = logged_in(key_user).post(
        reverse("accounts:user_detail", args=[business.pk]),
        {"action": "hand_over", "previous_key_user_role": Role.HEADTEACHER},
    )
    assert "Confirm that you want to hand over" in response.content.decode()
    business.refresh_from_db()
    assert business.role == Role.BUSINESS_MANAGER


def test_staff_can_hand_over_and_colleagues_cannot(key_user, school):
    teacher = UserFactory(school=school, role=Role.TEACHER)
    head = UserFactory(school=school, role=Role.HEADTEACHER)
    with pytest.raises(NotAllowed):
        key_user_hand_over(school=school, to_user=teacher, actor=head)
    key_user_hand_over(school=school, to_user=teacher, actor=StaffFactory())
    teacher.refresh_from_db()
    assert teacher.role == Role.KEY_USER


def test_staff_hand_over_from_the_back_office(key_user, school):
    head = UserFactory(school=school, role=Role.HEADTEACHER)
    client = logged_in(StaffFactory())
    client.post(
        reverse("admin:accounts_user_changelist"), {"action": "make_key_user", "_selected_action": [head.pk]}
    )
    head.refresh_from_db()
    key_user.refresh_from_db()
    assert head.role == Role.KEY_USER and key_user.role == Role.BUSINESS_MANAGER


def test_the_back_office_refuses_a_second_key_user_with_a_clear_message(key_user, school):
    head = UserFactory(school=school, role=Role.HEADTEACHER)
    client = logged_in(StaffFactory())
    response = client.post(
        reverse("admin:accounts_user_change", args=[head.pk]),
        {
            "email": head.email,
            "full_name": head.full_name,
            "role": Role.KEY_USER,
            "school": school.pk,
            "is_active": "on",
        },
    )
    assert "already has a key user, Kemi Adeyemi" in response.content.decode()


def test_the_database_allows_one_active_key_user_per_school(key_user, school):
    with pytest.raises(IntegrityError):
        UserFactory(school=school, role=Role.KEY_USER)


def test_another_school_user_cannot_be_made_key_user(key_user, school):
    with pytest.raises(InvalidInput, match="is not a user of"):
        key_user_hand_over(school=school, to_user=UserFactory(role=Role.TEACHER), actor=key_user)


def test_deactivate_never_deletes_and_ends_their_sessions(key_user, school):
    teacher = UserFactory(school=school, role=Role.TEACHER)
    theirs = logged_in(teacher)
    assert theirs.get(reverse("accounts:dashboard")).status_code == 200
    logged_in(key_user).post(reverse("accounts:user_detail", args=[teacher.pk]), {"action": "deactivate"})
    teacher.refresh_from_db()
    assert teacher.is_active is False
    assert theirs.get(reverse("accounts:dashboard")).status_code == 302
    assert AuditEvent.objects.filter(kind=AuditKind.USER_DEACTIVATED, user=teacher).exists()
    logged_in(key_user).post(reverse("accounts:user_detail", args=[teacher.pk]), {"action": "reactivate"})
    teacher.refresh_from_db()
    assert teacher.is_active


def test_the_key_user_cannot_deactivate_themselves_or_be_deactivated(key_user, school):
    with pytest.raises(InvalidInput):
        user_deactivate(user=key_user, actor=key_user)
    with pytest.raises(InvalidInput, match="Hand the key user role"):
        user_deactivate(user=key_user, actor=StaffFactory())


def test_users_are_never_deleted_in_the_back_office(key_user):
    client = logged_in(StaffFactory())
    assert client.get(reverse("admin:accounts_user_delete", args=[key_user.pk])).status_code == 403


def test_resend_an_invitation(key_user, school, outbox, committed):
    invited = user_invite(
        school=school, full_name="New Person", email="new@school.example", role="teacher", actor=key_user
    )
    with committed():
        logged_in(key_user).post(reverse("accounts:user_detail", args=[invited.pk]), {"action": "resend"})
    assert len(outbox.to("new@school.example")) == 1


# --- MAT Head Office: choosing the school to act for -----------------------------------------


def test_mat_head_office_chooses_the_school_it_acts_for():
    trust = TrustFactory(name="North London Learning Trust")
    first = SchoolFactory(name="Alpha Primary", trust=trust)
    second = SchoolFactory(name="Beta Primary", trust=trust)
    outsider = SchoolFactory(name="Gamma Primary")
    mat = UserFactory(role=Role.MAT_HEAD_OFFICE, school=None, trust=trust)
    client = logged_in(mat)
    page = client.get(reverse("accounts:dashboard")).content.decode()
    assert "Choose the school you are acting for" in page
    assert "Alpha Primary" in page and "Beta Primary" in page and "Gamma Primary" not in page

    response = client.post(reverse("accounts:acting_school"), {"school": second.pk})
    assert response.status_code == 302
    assert client.session[ACTING_SCHOOL_SESSION_KEY] == second.pk
    assert (
        '<span class="govuk-caption-m">Beta Primary'
        in client.get(reverse("accounts:dashboard")).content.decode()
    )

    client.post(reverse("accounts:acting_school"), {"school": outsider.pk})
    assert client.session[ACTING_SCHOOL_SESSION_KEY] == second.pk  # refused; choice unchanged
    assert first.pk != second.pk


def test_the_acting_school_redirect_stays_on_this_site():
    trust = TrustFactory()
    school = SchoolFactory(trust=trust)
    client = logged_in(UserFactory(role=Role.MAT_HEAD_OFFICE, school=None, trust=trust))
    response = client.post(
        reverse("accounts:acting_school"), {"school": school.pk, "next": "https://evil.example/"}
    )
    assert response.url == reverse("accounts:dashboard")


def test_other_roles_cannot_choose_an_acting_school(key_user, school):
    other = SchoolFactory()
    client = logged_in(key_user)
    client.post(reverse("accounts:acting_school"), {"school": other.pk})
    assert ACTING_SCHOOL_SESSION_KEY not in client.session


# --- The dashboard shows each role what it may do ---------------------------------------------


def test_a_governor_sees_only_what_governors_may(school):
    governor = UserFactory(school=school, role=Role.GOVERNOR)
    page = logged_in(governor).get(reverse("accounts:dashboard")).content.decode()
    actions = re.search(r'data-testid="allowed-actions">(.*?)</ul>', page, re.S).group(1)
    assert "Book governor training" in actions
    assert "Vote in board elections" in actions
    for other in ["Buy packages", "Book professional learning", "Manage the school", "orders, bookings"]:
        assert other not in actions
    assert reverse("accounts:users") not in page


def test_the_key_user_sees_the_users_section(key_user):
    page = logged_in(key_user).get(reverse("accounts:dashboard")).content.decode()
    assert f'href="{reverse("accounts:users")}"' in page
    assert f'href="{reverse("accounts:details")}"' in page


def test_staff_add_an_account_in_the_back_office_and_the_person_sets_their_own_password(
    school, outbox, committed
):
    client = logged_in(StaffFactory())
    with committed():
        response = client.post(
            reverse("admin:accounts_user_add"),
            {
                "email": "Head@School.example",
                "full_name": "Helen Price",
                "role": Role.HEADTEACHER,
                "school": school.pk,
            },
        )
    assert response.status_code == 302
    helen = User.objects.get(email="head@school.example")
    assert not helen.has_usable_password() and helen.role == Role.HEADTEACHER
    [mail] = outbox.to("head@school.example")
    assert re.search(r"/accounts/set-password/\S+/", mail.body)


@pytest.mark.parametrize(
    "change",
    [{"role": Role.TEACHER}, {"is_active": ""}, {"school": "other"}],
    ids=["role", "deactivate", "move"],
)
def test_the_back_office_never_leaves_a_school_without_its_key_user(key_user, school, change):
    UserFactory(school=school, role=Role.TEACHER)
    other = SchoolFactory()
    data = {
        "email": key_user.email,
        "full_name": key_user.full_name,
        "role": Role.KEY_USER,
        "school": school.pk,
        "is_active": "on",
    }
    data.update({k: (other.pk if v == "other" else v) for k, v in change.items()})
    if data["is_active"] == "":
        del data["is_active"]
    response = logged_in(StaffFactory()).post(reverse("admin:accounts_user_change", args=[key_user.pk]), data)
    assert "First make a colleague key user" in response.content.decode()
    key_user.refresh_from_db()
    assert key_user.role == Role.KEY_USER and key_user.is_active and key_user.school == school
