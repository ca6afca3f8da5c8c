from django.urls import path

from . import views_facilitator

app_name = "bookings"
urlpatterns = [
    path("facilitator/events/", views_facilitator.FacilitatorEventListView.as_view(),
         name="facilitator-event-list"),
    path("facilitator/events/<int:pk>/", views_facilitator.FacilitatorEventDetailView.as_view(),
         name="facilitator-event-detail"),
]

# A delegate's booking: book, waiting list, cancel, substitute, approval (booking-core)
from . import views as booking_views  # noqa: E402

urlpatterns += [
    path("events/<int:event_pk>/book/", booking_views.BookingCreateView.as_view(),
         name="booking-create"),
    path("events/<int:event_pk>/waiting-list/", booking_views.WaitlistJoinView.as_view(),
         name="waitlist-join"),
    path("approval/<str:token>/", booking_views.LineManagerApprovalView.as_view(),
         name="line-manager-approval"),
    path("substitution/<str:token>/", booking_views.SubstitutionAcceptView.as_view(),
         name="substitution-accept"),
    path("<uuid:uid>/", booking_views.BookingDetailView.as_view(), name="booking-detail"),
    path("<uuid:uid>/cancel/", booking_views.BookingCancelView.as_view(), name="booking-cancel"),
    path("<uuid:uid>/late-cancellation/", booking_views.LateCancellationView.as_view(),
         name="booking-late-cancel"),
    path("<uuid:uid>/leave-waiting-list/", booking_views.WaitlistLeaveView.as_view(),
         name="waitlist-leave"),
    path("<uuid:uid>/offer/", booking_views.OfferRespondView.as_view(), name="offer-respond"),
    path("<uuid:uid>/substitute/", booking_views.BookingSubstituteView.as_view(),
         name="booking-substitute"),
    path("<uuid:uid>/substitute/withdraw/", booking_views.SubstitutionWithdrawView.as_view(),
         name="substitution-withdraw"),
    path("<uuid:uid>/invite.ics", booking_views.BookingIcsView.as_view(), name="booking-ics"),
]

# My training, the register and its PDFs, waiting lists, late cancellations (booking-ops)
from . import views_ops  # noqa: E402

urlpatterns += [
    path("my-training/", views_ops.MyTrainingView.as_view(), name="my-training"),
    path("events/<int:event_pk>/register/", views_ops.EventRegisterView.as_view(),
         name="event-register"),
    path("events/<int:event_pk>/register/substitute/",
         views_ops.RegisterSubstituteView.as_view(), name="register-substitute"),
    path("events/<int:event_pk>/register.pdf", views_ops.EventRegisterPdfView.as_view(),
         name="event-register-pdf"),
    path("events/<int:event_pk>/sign-in.pdf", views_ops.EventSigninPdfView.as_view(),
         name="event-signin-pdf"),
    path("manage/events/<int:event_pk>/waiting-list/", views_ops.EventWaitingListView.as_view(),
         name="event-waiting-list"),
]

# The late-cancellation queue moved to the charging app, where the review IS the charge
# decision (one decision, one place): the old addresses (bookmarks, emails) send officers on.
# Named by URL name only, so bookings still never imports charging.
from django.views.generic import RedirectView  # noqa: E402

urlpatterns += [
    path("manage/late-cancellations/", RedirectView.as_view(
        pattern_name="charging:charge-list", query_string=True), name="late-cancellation-list"),
    path("manage/late-cancellations/<uuid:uid>/", RedirectView.as_view(
        pattern_name="charging:charge-decide"), name="late-cancellation-review"),
]

# Acting for a delegate: an officer books, moves, cancels for someone who phoned (issue 11)
from . import views_acting  # noqa: E402

urlpatterns += [
    path("for/<int:person_pk>/", views_acting.ActingPersonView.as_view(), name="acting-person"),
    path("for/<int:person_pk>/events/", views_acting.ActingEventListView.as_view(),
         name="acting-event-list"),
    path("for/<int:person_pk>/events/<int:event_pk>/book/",
         views_acting.ActingBookingCreateView.as_view(), name="acting-booking-create"),
    path("for/<int:person_pk>/events/<int:event_pk>/waiting-list/",
         views_acting.ActingWaitlistJoinView.as_view(), name="acting-waitlist-join"),
    path("for/<int:person_pk>/<uuid:uid>/cancel/", views_acting.ActingCancelView.as_view(),
         name="acting-booking-cancel"),
    path("for/<int:person_pk>/<uuid:uid>/late-cancellation/",
         views_acting.ActingLateCancelView.as_view(), name="acting-booking-late-cancel"),
    path("for/<int:person_pk>/<uuid:uid>/move/", views_acting.ActingMoveView.as_view(),
         name="acting-booking-move"),
    path("for/<int:person_pk>/<uuid:uid>/substitute/",
         views_acting.ActingSubstituteView.as_view(), name="acting-booking-substitute"),
]

# Exports (issue 11): an event's delegates as CSV or XLSX (facilitators of the event, officers).
from . import views_exports  # noqa: E402

urlpatterns += [
    path("facilitator/events/<int:event_pk>/delegates.<str:kind>",
         views_exports.EventDelegatesExportView.as_view(), name="event-delegates-export"),
]
