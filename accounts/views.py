"""Account pages: log in, request an account, set and reset passwords, the dashboard overview,
the key user's Users page and Account Details. Views parse input, call one service or selector
and render; permissions come from accounts.policy."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from portal.errors import DomainError
from portal.redirects import safe_next
from schools.models import School

from . import services
from .forms import (
    AccountRequestForm,
    ActingSchoolForm,
    EmailChangeForm,
    HandOverForm,
    InviteForm,
    LoginForm,
    NameForm,
    NewPasswordForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
    RoleForm,
)
from .models import Role
from .passwords import password_strength, user_inputs_for
from .policy import ACTION_LABELS, Action, allowed_actions, can, schools_for
from .security import client_ip, lockout_until, throttle
from .selectors import acting_school_for, user_get_for_school, user_list_for_school
from .services.details import email_change_pending
from .services.passwords import INVALID_LINK_MESSAGE, link_is_valid
from .services.users import user_is_invited
from .tokens import RESET_LINK_TIMEOUT, user_from_uid

# --- Logging in -------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def lockout_response(request, original_response=None, credentials=None, *args, **kwargs):
    """django-axes calls this when an account is locked for this client address."""
    from .security import axes_username

    username = axes_username(request, credentials if isinstance(credentials, dict) else None)
    until = lockout_until(username=username, ip_address=client_ip(request))
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    context = {"until": timezone.localtime(until) if until else None, "minutes": minutes}
    return render(request, "accounts/locked_out.html", context, status=429)


# --- Requesting an account ------------------------------------------------------------------


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def account_request(request):
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    form = AccountRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request) or "unknown"
        if not throttle(f"account-request-ip:{ip}", limit=10, window_seconds=3600):
            form.add_error(
                None, "We have had a lot of requests from your connection. Please try again in an hour."
            )
        else:
            try:
                services.account_request_create(**form.cleaned_data, request=request)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                request.session["account_request_email"] = form.cleaned_data["email"].lower()
                return redirect("accounts:request_sent")
    school_names = School.objects.filter(is_open=True).order_by("name").values_list("name", flat=True)
    return render(request, "accounts/request_account.html", {"form": form, "school_names": school_names})


def account_request_sent(request):
    email = request.session.get("account_request_email")
    return render(request, "accounts/request_sent.html", {"email": email})


# --- Passwords: reset and set ------------------------------------------------------------


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def password_reset(request):
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request) or "unknown"
        if not throttle(f"password-reset-ip:{ip}", limit=20, window_seconds=3600):
            form.add_error(
                None, "We have had a lot of requests from your connection. Please try again in an hour."
            )
        else:
            services.password_reset_request(email=form.cleaned_data["email"], request=request)
            request.session["password_reset_email"] = form.cleaned_data["email"].lower()
            return redirect("accounts:password_reset_sent")
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_sent(request):
    return render(
        request,
        "accounts/password_reset_sent.html",
        {
            "email": request.session.get("password_reset_email"),
            "minutes": int(RESET_LINK_TIMEOUT.total_seconds() // 60),
        },
    )


_LINK_SESSION_KEY = "_password_link_token_{kind}"
_METER_INPUTS_KEY = "password_meter_inputs"
_SET_MARKER = "set"


def _invalid_link(request):
    return render(
        request,
        "accounts/password_link_invalid.html",
        {"message": INVALID_LINK_MESSAGE, "form": PasswordResetRequestForm()},
    )


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def _password_link(request, uidb64: str, token: str, kind: str):
    """The set-password and reset links. As in Django's own reset view, a valid token is moved
    from the URL into the session and the browser is sent to a URL without it, so the token never
    leaks through the Referer header or later page loads."""
    url_name = "accounts:set_password" if kind == "set" else "accounts:password_reset_confirm"
    session_key = _LINK_SESSION_KEY.format(kind=kind)
    user = user_from_uid(uidb64)
    if token != _SET_MARKER:
        if not link_is_valid(user, token, kind):
            return _invalid_link(request)
        request.session[session_key] = token
        return redirect(reverse(url_name, kwargs={"uidb64": uidb64, "token": _SET_MARKER}))
    token = request.session.get(session_key, "")
    if not link_is_valid(user, token, kind):
        return _invalid_link(request)
    request.session[_METER_INPUTS_KEY] = user_inputs_for(user)
    form = NewPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_set_with_token(
                user=user, token=token, kind=kind, password=form.cleaned_data["new_password"], request=request
            )
        except services.InvalidLink:
            return _invalid_link(request)
        except DomainError as error:
            form.add_error("new_password", error.message)
        else:
            request.session.pop(session_key, None)
            request.session.pop(_METER_INPUTS_KEY, None)
            messages.success(
                request,
                "Your password is set. Log in with your email address and new password."
                if kind == "set"
                else "Your password has been reset. Log in with your email address and new password.",
            )
            if request.user.is_authenticated and request.user.pk != user.pk:
                from django.contrib.auth import logout

                logout(request)
            return redirect("accounts:login")
    return render(
        request,
        "accounts/password_set.html",
        {"form": form, "kind": kind, "link_user": user},
    )


def password_reset_confirm(request, uidb64: str, token: str):
    return _password_link(request, uidb64, token, "reset")


def set_password(request, uidb64: str, token: str):
    return _password_link(request, uidb64, token, "set")


@sensitive_post_parameters()
@csrf_protect
@require_POST
def password_strength_check(request):
    """The live meter (htmx): scores what was typed with zxcvbn on the server. POST with CSRF, so
    passwords never appear in a URL or an access log; throttled per client."""
    password = request.POST.get("new_password", "")
    key = f"strength:{request.session.session_key or ''}:{client_ip(request)}"
    if not throttle(key, limit=240, window_seconds=60):
        return render(request, "accounts/_strength.html", {"throttled": True})
    if not password:
        return render(request, "accounts/_strength.html", {"strength": None})
    if request.user.is_authenticated:
        inputs = user_inputs_for(request.user)
    else:
        inputs = request.session.get(_METER_INPUTS_KEY) or []
    return render(request, "accounts/_strength.html", {"strength": password_strength(password, inputs)})


# --- Dashboard overview and the MAT acting-school chooser ------------------------------------


@login_required
def dashboard(request):
    from schools.selectors import school_latest_census

    user = request.user
    school = acting_school_for(request)
    actions = allowed_actions(user, school)
    context = {
        "school": school,
        "actions": [(action, ACTION_LABELS[action]) for action in Action if action in actions],
        "census": school_latest_census(school) if school else None,
    }
    if user.role == Role.MAT_HEAD_OFFICE:
        context["chooser"] = ActingSchoolForm(
            schools=schools_for(user).order_by("name"), initial={"school": school}
        )
    if user.is_staff:
        from .selectors import account_request_list_pending

        context["pending_requests"] = account_request_list_pending().count()
    return render(request, "accounts/dashboard.html", context)


@login_required
@require_POST
def acting_school_choose(request):
    form = ActingSchoolForm(request.POST, schools=schools_for(request.user))
    target = safe_next(request, request.POST.get("next")) or reverse("accounts:dashboard")
    if not form.is_valid():
        messages.error(request, "Choose one of your trust's schools.")
        return redirect(target)
    try:
        school = services.acting_school_choose(request=request, school_id=form.cleaned_data["school"].pk)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"You are now acting for {school.name}.")
    return redirect(target)


# --- The key user's Users page ---------------------------------------------------------------


def _forbidden(request, message: str):
    return render(request, "accounts/forbidden.html", {"message": message}, status=403)


def _school_for_managing(request):
    school = acting_school_for(request)
    if not can(request.user, Action.MANAGE_USERS, school):
        return None
    return school


_USERS_FORBIDDEN = "Only your school's key user can manage its users."


@login_required
def users(request):
    school = _school_for_managing(request)
    if school is None:
        return _forbidden(request, _USERS_FORBIDDEN)
    people = list(user_list_for_school(school))
    rows = [{"person": p, "invited": user_is_invited(p)} for p in people]
    return render(request, "accounts/users.html", {"school": school, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def user_invite(request):
    school = _school_for_managing(request)
    if school is None:
        return _forbidden(request, _USERS_FORBIDDEN)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invited = services.user_invite(
                school=school, actor=request.user, request=request, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error("email" if "email" in error.message.lower() else None, error.message)
        else:
            messages.success(
                request,
                f"We have emailed {invited.full_name} an invitation to set a password ({invited.email}).",
            )
            return redirect("accounts:users")
    return render(request, "accounts/user_invite.html", {"form": form, "school": school})


@login_required
@require_http_methods(["GET", "POST"])
def user_detail(request, pk: int):
    school = _school_for_managing(request)
    if school is None:
        # A user who cannot manage users gets the same 404 as for any other school's user.
        from django.http import Http404

        raise Http404("No such user.")
    person = user_get_for_school(school, pk)
    role_form = RoleForm(initial={"role": person.role})
    hand_over_form = HandOverForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "role":
                role_form = RoleForm(request.POST)
                if role_form.is_valid():
                    services.user_role_change(
                        user=person, role=role_form.cleaned_data["role"], actor=request.user, request=request
                    )
                    person.refresh_from_db()
                    messages.success(request, f"{person.full_name} is now {person.get_role_display()}.")
                    return redirect("accounts:user_detail", pk=person.pk)
            elif action == "hand_over":
                hand_over_form = HandOverForm(request.POST)
                if hand_over_form.is_valid():
                    services.key_user_hand_over(
                        school=school,
                        to_user=person,
                        actor=request.user,
                        previous_key_user_role=hand_over_form.cleaned_data["previous_key_user_role"],
                        request=request,
                    )
                    messages.success(request, f"{person.full_name} is now the key user of {school.name}.")
                    return redirect("accounts:dashboard")
            elif action == "deactivate":
                services.user_deactivate(user=person, actor=request.user, request=request)
                messages.success(
                    request, f"{person.full_name}'s account is deactivated. Their bookings stay."
                )
                return redirect("accounts:user_detail", pk=person.pk)
            elif action == "reactivate":
                services.user_reactivate(user=person, actor=request.user, request=request)
                messages.success(request, f"{person.full_name}'s account is active again.")
                return redirect("accounts:user_detail", pk=person.pk)
            elif action == "resend":
                services.user_invitation_resend(user=person, actor=request.user, request=request)
                messages.success(request, f"We have sent {person.full_name} a new invitation.")
                return redirect("accounts:user_detail", pk=person.pk)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("accounts:user_detail", pk=person.pk)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "school": school,
            "person": person,
            "invited": user_is_invited(person),
            "is_self": person.pk == request.user.pk,
            "role_form": role_form,
            "hand_over_form": hand_over_form,
        },
    )


# --- Account Details -----------------------------------------------------------------------


@login_required
def details(request):
    return render(request, "accounts/details.html", {"school": acting_school_for(request)})


@login_required
@require_http_methods(["GET", "POST"])
def details_name(request):
    form = NameForm(request.POST or None, initial={"full_name": request.user.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_name_change(
                user=request.user, full_name=form.cleaned_data["full_name"], request=request
            )
        except DomainError as error:
            form.add_error("full_name", error.message)
        else:
            messages.success(request, "Your name has been changed.")
            return redirect("accounts:details")
    return render(request, "accounts/details_name.html", {"form": form})


@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def details_email(request):
    form = EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.email_change_request(
                user=request.user,
                new_email=form.cleaned_data["new_email"],
                current_password=form.cleaned_data["current_password"],
                request=request,
            )
        except DomainError as error:
            field = "current_password" if error.code == "wrong_password" else "new_email"
            form.add_error(field, error.message)
        else:
            messages.success(
                request,
                f"We have sent a link to {form.cleaned_data['new_email'].lower()}. Your email address "
                "changes when you follow it.",
            )
            return redirect("accounts:details")
    return render(request, "accounts/details_email.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def email_confirm(request, token: str):
    pending = email_change_pending(token)
    if pending is None:
        return render(request, "accounts/email_confirm.html", {"invalid": True}, status=400)
    person, new_email = pending
    if request.method == "POST":
        try:
            services.email_change_confirm(token=token, request=request)
        except DomainError as error:
            return render(
                request, "accounts/email_confirm.html", {"invalid": True, "error": error.message}, status=400
            )
        messages.success(request, f"Your email address is now {new_email}. Use it to log in.")
        if request.user.is_authenticated:
            return redirect("accounts:details")
        return redirect("accounts:login")
    return render(request, "accounts/email_confirm.html", {"person": person, "new_email": new_email})


@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def details_password(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
                request=request,
            )
        except DomainError as error:
            field = "current_password" if error.code == "wrong_password" else "new_password"
            form.add_error(field, error.message)
        else:
            messages.success(
                request,
                "Your password has been changed. We have emailed you to confirm, and logged you out "
                "everywhere else.",
            )
            return redirect("accounts:details")
    return render(request, "accounts/details_password.html", {"form": form})
