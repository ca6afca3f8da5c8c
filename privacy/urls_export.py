"""Your data: a person's own export, and an officer's subject access export for anyone."""

urlpatterns = []
