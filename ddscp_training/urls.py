from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from core import views as core_views
from core import views_files as core_files
from core import views_pages as core_pages
from courses import urls as courses_urls
from newsletter import urls as newsletter_urls
from resources import urls as resources_urls

# The newsletter and the resources library are apps of their own above courses, but their
# pages keep their paths under /courses/ and their names in the "courses" namespace: their
# patterns go first, the courses app's last (its course page matches any one segment).
courses_patterns = ([*newsletter_urls.urlpatterns, *resources_urls.urlpatterns,
                     *courses_urls.urlpatterns], courses_urls.app_name)

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
    path("courses/", include(courses_patterns)),
    path("bookings/", include("bookings.urls")),
    path("evaluations/", include("evaluations.urls")),
    path("charging/", include("charging.urls")),
    path("reports/", include("reports.urls")),
    path("privacy/", include("privacy.urls")),
    path("logo/", core_files.partnership_logo, name="partnership-logo"),
    path("accessibility/", core_pages.AccessibilityStatementView.as_view(), name="accessibility"),
    path("admin/", admin.site.urls),
]

handler403 = "core.views.error_403"
handler404 = "core.views.error_404"
handler500 = "core.views.error_500"

# Uploaded files (resources, reports) are served only through views that check who may see
# them, never straight from MEDIA_ROOT, not even in development.
