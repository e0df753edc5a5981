from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("request-account/", views.account_request, name="request"),
    path("request-account/sent/", views.account_request_sent, name="request_sent"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_sent, name="password_reset_sent"),
    path("reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("set-password/<uidb64>/<token>/", views.set_password, name="set_password"),
    path("password-strength/", views.password_strength_check, name="password_strength"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/acting-school/", views.acting_school_choose, name="acting_school"),
    path("dashboard/users/", views.users, name="users"),
    path("dashboard/users/invite/", views.user_invite, name="user_invite"),
    path("dashboard/users/<int:pk>/", views.user_detail, name="user_detail"),
    path("dashboard/details/", views.details, name="details"),
    path("dashboard/details/name/", views.details_name, name="details_name"),
    path("dashboard/details/email/", views.details_email, name="details_email"),
    path("dashboard/details/email/confirm/<token>/", views.email_confirm, name="email_confirm"),
    path("dashboard/details/password/", views.details_password, name="details_password"),
]
