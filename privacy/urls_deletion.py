"""Deletion requests: a delegate asks, an officer carries it out (anonymisation)."""

urlpatterns = []
