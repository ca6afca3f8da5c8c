"""Reads for the privacy pages, scoped to who asks."""


def person_for_subject_access(*, viewer, pk):
    """The person whose data an officer may download (a subject access request): officers see
    every account (accounts.view_user, as on the People pages); anyone else, no one."""
    from accounts.selectors import person_for_officer

    if not viewer.has_perm("accounts.view_user"):
        return None
    return person_for_officer(pk=pk)
