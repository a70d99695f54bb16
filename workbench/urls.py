from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from workbench.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Log in, log out and change one's own password. No self-service password reset: no mail is configured,
    # and an administrator sets new passwords in the admin (an anonymous reset form would be attack surface).
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", include("web.urls")),
]
