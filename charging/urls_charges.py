"""URLs of charging/views/charges.py (included by charging/urls.py): the charge decision queue
(L&D officers decide, business support reads) and the public charging policy."""

from django.urls import path

from .views import charges as views

urlpatterns = [
    path("policy/", views.ChargingPolicyView.as_view(), name="policy"),
    path("charges/", views.ChargeListView.as_view(), name="charge-list"),
    # A charge is named by its booking's uid (one charge per booking), never by a guessable id.
    path("charges/<uuid:uid>/", views.ChargeDecideView.as_view(), name="charge-decide"),
]
