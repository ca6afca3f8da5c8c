"""URLs of evaluations/views/answer.py (included by evaluations/urls.py)."""

from django.urls import path

from .views.answer import RequestAnswerView

urlpatterns = [
    path("<uuid:uid>/", RequestAnswerView.as_view(), name="request-answer"),
]
