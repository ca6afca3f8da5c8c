class DomainError(Exception):
    """A rule of the partnership refused an action. The message is shown to the user as is,
    so it says what happened and what to do next."""

    def __init__(self, message, *, code="refused", field=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
