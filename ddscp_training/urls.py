from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from core import views as core_views

admin.site.site_header = "Training programme administration"
admin.site.site_title = "Training administration"
# The admin has no login form of its own: /admin/login/ sends to the site's sign-in, where
# staff give their password and then their authenticator code, and wrong passwords lock.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", core_views.HomeView.as_view(), name="home"),
    path("healthz/", core_views.healthz, name="healthz"),
    path("healthz/live/", core_views.healthz_live, name="healthz-live"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("manage/", include("core.urls")),
    path("courses/", include("courses.urls")),
    path("bookings/", include("bookings.urls")),
    path("evaluations/", include("evaluations.urls")),
    path("charging/", include("charging.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "core.views.error_403"
handler404 = "core.views.error_404"
handler500 = "core.views.error_500"

# Uploaded files (resources, reports) are served only through views that check who may see
# them, never straight from MEDIA_ROOT, not even in development.
