"""The access matrix: who gets what from every URL of the site, GET and POST.

tests/security/test_access_matrix.py requests every URL pattern of the project (the site's own,
allauth's and the admin's) as each identity below, with the URL's parameters filled with
objects that belong to SOMEONE ELSE: the booking of `owner` (a delegate of organisation A), an
event that `facilitator` runs and `other_facilitator` does not, organisation A's pending
request, and so on. Each cell must give the outcome written here; a URL pattern without a row
fails the test with its name.

How to read a row
-----------------
    "core:auditentry-list": page(only(OFFICER)),

`only(OFFICER)`: a visitor who is not signed in is sent to sign in (LOGIN), the officer and the
site administrator (a superuser holds every permission) get the page (OK), everyone else is
refused (FORBIDDEN). Keyword overrides name the exceptions, per identity:

    only(OFFICER, owner=OK)              # ... and the owner of the object too
    signed_in(delegate=NOT_FOUND)        # every signed-in person, but not the other delegate

`page(get)`: a page that only reads, so a POST gets the same answer except that whoever is let
in is told the method is not allowed (405). `form(get, post=...)` gives a POST its own cells
(a POST with an empty body: a form with errors is OK, a done action is a REDIRECT).
"""

from dataclasses import dataclass

# Identities ------------------------------------------------------------------------------------
ANON = "anon"  # not signed in
DELEGATE = "delegate"  # a delegate of organisation A: every object here is someone else's
OWNER = "owner"  # the delegate (of organisation A) whose bookings the URLs name
FACILITATOR = "facilitator"  # Training Pool: runs the event the URLs name
OTHER_FACILITATOR = "other_facilitator"  # Training Pool: runs another event, not that one
OFFICER = "officer"  # Learning and Development officer
BUSINESS_SUPPORT = "business_support"
LOD_MEMBER = "lod_member"  # LOD Group member
LEAD_A = "lead_a"  # safeguarding lead of organisation A (the owner's)
FINANCE_A = "finance_a"  # finance contact of organisation A
LEAD_B = "lead_b"  # safeguarding lead of organisation B
FINANCE_B = "finance_b"  # finance contact of organisation B
SUPERUSER = "superuser"  # the site administrator

IDENTITIES = (ANON, DELEGATE, OWNER, FACILITATOR, OTHER_FACILITATOR, OFFICER, BUSINESS_SUPPORT,
              LOD_MEMBER, LEAD_A, FINANCE_A, LEAD_B, FINANCE_B, SUPERUSER)
# Every identity but the two delegates must use two-factor authentication: the test signs
# them in with force_login, which tests/conftest.py makes count as having passed the code.

# Outcomes --------------------------------------------------------------------------------------
OK = "200"  # the page (or file) itself
LOGIN = "login"  # a redirect to the sign-in page
ADMIN_LOGIN = "admin-login"  # the admin's sign-in (anyone not staff: the admin never says 403)
REDIRECT = "302"  # a redirect anywhere else (an action done, a page that sends you on)
FORBIDDEN = "403"
NOT_FOUND = "404"
NOT_ALLOWED = "405"
OUTCOMES = (OK, LOGIN, ADMIN_LOGIN, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED)


class Cells(dict):
    """identity -> outcome, for one method of one URL."""

    def but(self, **overrides):
        unknown = set(overrides) - set(IDENTITIES)
        assert not unknown, f"unknown identities {sorted(unknown)}"
        return Cells({**self, **overrides})

    def where(self, old, new):
        """The same cells with every `old` outcome turned into `new`."""
        return Cells({who: (new if outcome == old else outcome) for who, outcome in self.items()})


def everyone(outcome=OK, **overrides):
    """The same for everyone, signed in or not."""
    return Cells(dict.fromkeys(IDENTITIES, outcome)).but(**overrides)


def signed_in(outcome=OK, **overrides):
    """Anyone signed in; a visitor is sent to sign in."""
    return everyone(outcome, anon=LOGIN).but(**overrides)


def only(*who, outcome=OK, others=FORBIDDEN, **overrides):
    """`who` and the site administrator get `outcome`; every other signed-in person `others`;
    a visitor is sent to sign in."""
    cells = signed_in(others)  # (the superuser is last in IDENTITIES; overrides win)
    for identity in (*who, SUPERUSER):
        cells[identity] = outcome
    return cells.but(**overrides)


def admin(*who, outcome=OK, others=FORBIDDEN, **overrides):
    """A Django admin page: only staff get in (the officer and the site administrator); anyone
    else, signed in or not, gets the admin's sign-in page. Among staff, `who` (and the site
    administrator) hold the model permission and get `outcome`; the others get `others`."""
    cells = everyone(ADMIN_LOGIN)
    cells[OFFICER] = outcome if OFFICER in who else others
    cells[SUPERUSER] = outcome
    return cells.but(**overrides)


@dataclass(frozen=True)
class Row:
    get: Cells
    post: Cells


def page(get, post=None):
    """A page that only reads: a POST is refused (405) to whoever the GET lets in."""
    return Row(get=get, post=post if post is not None else get.where(OK, NOT_ALLOWED))


def form(get, post=None):
    """A page that takes a POST: by default the same cells (an empty form shows its errors)."""
    return Row(get=get, post=post if post is not None else get)


def admin_model(app, model, *, view=(), add=(), change=(), delete=(), nobody=()):
    """The URLs of one model registered in the Django admin. view/add/change/delete: the
    staff identities (besides the site administrator) holding that model permission; nobody:
    the actions its ModelAdmin refuses to everyone, the site administrator too. The admin
    shows the change page read-only with the view permission alone, and the history to anyone
    who may view or change."""
    name = f"admin:{app}_{model}"
    seen = tuple({*view, *change})

    def may(action, who):
        if action in nobody:
            return admin(outcome=FORBIDDEN)
        return admin(*who)

    return {
        f"{name}_changelist": form(admin(*seen)),
        f"{name}_add": form(may("add", add)),
        f"{name}_history": form(admin(*seen)),
        f"{name}_delete": form(may("delete", delete)),
        f"{name}_change": form(admin(*seen), post=may("change", change)),
        # The change page's old address redirects to it, for staff (who then may be refused).
        f"admin/{app}/{model}/<path:object_id>/": form(admin(OFFICER, outcome=REDIRECT)),
    }


# The table -------------------------------------------------------------------------------------
# The objects the URLs name (tests/security/test_access_matrix.py, build_world): `owner`'s
# bookings (organisation A) on an event that `facilitator` runs; organisation A's pending
# request to add an organisation; a resource for signed-in users only; business support's
# draft newsletter; another site administrator's account in the admin.

ROWS: dict[str, Row] = {
    # The site's front door -------------------------------------------------------------------
    "home": page(everyone()),
    "healthz": form(everyone()),  # monitoring: the database and the outbox, as JSON
    "healthz-live": form(everyone()),  # a load balancer's probe: "ok", whatever the method

    # Sign in, sign up, passwords and two-factor authentication (allauth) ---------------------
    "account_login": form(everyone(REDIRECT, anon=OK)),  # signed in: sent on
    "account_signup": form(everyone(REDIRECT, anon=OK)),
    "account_logout": form(signed_in(OK, anon=REDIRECT), post=everyone(REDIRECT)),
    "account_inactive": page(everyone()),
    "account_reauthenticate": form(signed_in()),
    "account_email": form(signed_in(), post=signed_in(REDIRECT)),
    "account_email_verification_sent": page(everyone()),
    # The owner's confirmation link: its page says the address is already confirmed, and
    # confirming it again finds nothing.
    "account_confirm_email": form(everyone(), post=everyone(NOT_FOUND)),
    "account_confirm_login_code": form(signed_in(REDIRECT)),  # no code was asked for
    "account_change_password": form(signed_in()),
    "account_set_password": form(signed_in(REDIRECT)),  # everyone has one: sent to change it
    "account_reset_password": form(everyone()),
    "account_reset_password_done": page(everyone()),
    # The owner's reset link with a key that is not theirs: "this link is not valid".
    "account_reset_password_from_key": form(everyone()),
    "account_reset_password_from_key_done": page(everyone()),
    "mfa_index": page(signed_in()),
    "mfa_authenticate": form(signed_in(REDIRECT)),  # nobody is half way through signing in
    "mfa_reauthenticate": form(signed_in(delegate=REDIRECT, owner=REDIRECT)),  # no app set up
    "mfa_activate_totp": form(signed_in(REDIRECT)),
    "mfa_deactivate_totp": form(signed_in(REDIRECT, delegate=NOT_FOUND, owner=NOT_FOUND)),
    "mfa_view_recovery_codes": page(signed_in(NOT_FOUND), post=signed_in(NOT_ALLOWED)),
    "mfa_generate_recovery_codes": form(signed_in(REDIRECT)),
    "mfa_download_recovery_codes": form(signed_in(NOT_FOUND)),

    # My account, and an organisation's own pages ---------------------------------------------
    "accounts:dashboard": page(signed_in()),
    "accounts:profile": form(signed_in()),
    # Each lead and finance contact reaches their OWN organisation only: the page takes no
    # id, and SHOWS (below) checks that B's lead never sees A's staff.
    "accounts:organisation-staff": page(only(LEAD_A, LEAD_B)),
    "accounts:organisation-account": form(only(FINANCE_A, FINANCE_B),
                                          post=only(FINANCE_A, FINANCE_B, outcome=REDIRECT)),
    "accounts:organisation-list": page(only(OFFICER, BUSINESS_SUPPORT)),
    "accounts:organisation-domains": form(only(OFFICER),  # organisation A's email domains
                                          post=only(OFFICER, outcome=REDIRECT)),
    "accounts:organisationrequest-list": page(only(OFFICER)),
    "accounts:organisationrequest-decide": form(only(OFFICER)),
    # Requests to join an organisation: its own safeguarding lead decides (and officers); the
    # request named here is to join organisation A, so B's lead finds nothing.
    "accounts:membershiprequest-list": page(only(OFFICER, LEAD_A, LEAD_B)),
    "accounts:membershiprequest-decide": form(only(OFFICER, LEAD_A, lead_b=NOT_FOUND)),
    # People (officers): anyone's page, the owner's here; nobody else, not even their own lead.
    "accounts:person-list": page(only(OFFICER)),
    "accounts:person-detail": page(only(OFFICER)),
    "accounts:person-roles": form(only(OFFICER), post=only(OFFICER, outcome=REDIRECT)),
    "courses:person-training-record-export": page(only(OFFICER)),

    # The partnership's settings and the audit log: officers only ------------------------------
    "core:partnership-update": form(only(OFFICER)),
    "core:auditentry-list": page(only(OFFICER)),
    "core:auditentry-export": page(only(OFFICER)),  # the filtered log, as CSV or XLSX
    # The outbox: officers read the emails (never a sign-in or password link) and send a
    # failed one again; business support sees what was sent and when, with addresses masked
    # and never the words (SHOWS below).
    "core:outgoingemail-list": page(only(OFFICER, BUSINESS_SUPPORT)),
    "core:outgoingemail-detail": page(only(OFFICER, BUSINESS_SUPPORT)),
    "core:outgoingemail-resend": form(only(OFFICER, outcome=NOT_ALLOWED),
                                      post=only(OFFICER, outcome=REDIRECT)),

    # The public catalogue and resources library ----------------------------------------------
    "courses:course-list": page(everyone()),
    "courses:course-detail": page(everyone()),
    "courses:event-detail": page(everyone()),
    "courses:event-ics": page(everyone()),
    "courses:calendar-feed": page(everyone()),
    "courses:resource-list": page(everyone()),
    # A resource for signed-in users only: its link, never to a visitor.
    "courses:resource-download": page(signed_in(REDIRECT), post=everyone(NOT_ALLOWED)),
    "courses:newsletter-unsubscribe": form(everyone()),  # without its token: how to opt out

    # A delegate's own learning -----------------------------------------------------------------
    "courses:training-record": page(signed_in()),
    "courses:training-record-export": page(signed_in()),  # the URL names nobody: one's own
    "courses:elearning-module": page(signed_in()),
    "courses:elearning-check": form(signed_in()),
    "courses:elearning-result": page(signed_in()),
    "bookings:my-training": page(signed_in()),

    # Booking (any signed-in person may book the event) ----------------------------------------
    # Booking it books (the owner, who already has a place, is told so on the page).
    "bookings:booking-create": form(signed_in(), post=signed_in(REDIRECT, owner=OK)),
    "bookings:waitlist-join": form(signed_in()),  # places are free: told to book instead
    # The line manager's signed link is the permission (no account needed).
    "bookings:line-manager-approval": form(everyone()),
    # The owner's offer to a colleague without an account: nobody here is that colleague, so
    # answering it (an empty answer too) comes back with a message on the page.
    "bookings:substitution-accept": form(signed_in()),

    # The owner's booking: the owner and officers who manage bookings; anyone else 404 ----------
    "bookings:booking-detail": page(only(OWNER, OFFICER, others=NOT_FOUND)),
    "bookings:booking-ics": page(only(OWNER, OFFICER, others=NOT_FOUND)),
    "bookings:booking-cancel": form(only(OWNER, OFFICER, others=NOT_FOUND),
                                    post=only(OWNER, OFFICER, outcome=REDIRECT,
                                              others=NOT_FOUND)),
    "bookings:booking-late-cancel": form(only(OWNER, OFFICER, others=NOT_FOUND)),
    "bookings:waitlist-leave": form(only(OWNER, OFFICER, others=NOT_FOUND),
                                    post=only(OWNER, OFFICER, outcome=REDIRECT,
                                              others=NOT_FOUND)),
    "bookings:offer-respond": form(only(OWNER, OFFICER, others=NOT_FOUND)),
    "bookings:booking-substitute": form(only(OWNER, OFFICER, others=NOT_FOUND)),
    # The owner's place is offered to a colleague who has not answered: withdrawing it is done.
    "bookings:substitution-withdraw": form(only(OWNER, OFFICER, others=NOT_FOUND),
                                           post=only(OWNER, OFFICER, outcome=REDIRECT,
                                                     others=NOT_FOUND)),

    # Acting for a delegate (the owner): officers who manage bookings only; the owner too is
    # refused (403) before anything is looked up. Another person's booking under the owner's
    # address is a 404 (tests/bookings/test_acting_for.py). The owner already has a place on
    # the event: booking or joining its waiting list is refused with the reason (200).
    "bookings:acting-person": page(only(OFFICER)),
    "bookings:acting-event-list": page(only(OFFICER)),
    "bookings:acting-booking-create": form(only(OFFICER)),
    "bookings:acting-waitlist-join": form(only(OFFICER)),
    "bookings:acting-booking-cancel": form(only(OFFICER), post=only(OFFICER, outcome=REDIRECT)),
    "bookings:acting-booking-late-cancel": form(only(OFFICER)),  # the owner's place tomorrow
    "bookings:acting-booking-move": form(only(OFFICER)),
    "bookings:acting-booking-substitute": form(only(OFFICER)),

    # Facilitators: their own events only (another event's pages are 404) ----------------------
    "courses:trainingpool-list": page(only(FACILITATOR, OTHER_FACILITATOR)),
    "bookings:facilitator-event-list": page(only(FACILITATOR, OTHER_FACILITATOR, OFFICER)),
    # A POST is refused by method before the event is looked up: 405 tells nothing about it.
    "bookings:facilitator-event-detail": page(
        only(FACILITATOR, OFFICER, other_facilitator=NOT_FOUND),
        post=only(FACILITATOR, OTHER_FACILITATOR, OFFICER, outcome=NOT_ALLOWED)),
    "bookings:event-register": form(
        only(FACILITATOR, OFFICER, other_facilitator=NOT_FOUND),
        # The register opens on the day: saving before then says so and comes back.
        post=only(FACILITATOR, OFFICER, outcome=REDIRECT, other_facilitator=NOT_FOUND)),
    # A colleague who attended instead (on the day): the event's facilitators and officers; an
    # empty form comes back with its errors.
    "bookings:register-substitute": form(
        only(FACILITATOR, OFFICER, other_facilitator=NOT_FOUND)),
    # Exports (issue 11): an event's delegates with their access needs, the event's own
    # facilitators and officers only.
    "bookings:event-delegates-export": page(
        only(FACILITATOR, OFFICER, other_facilitator=NOT_FOUND),
        post=only(FACILITATOR, OTHER_FACILITATOR, OFFICER, outcome=NOT_ALLOWED)),
    "bookings:event-register-pdf": page(
        only(FACILITATOR, OFFICER, other_facilitator=NOT_FOUND),
        post=only(FACILITATOR, OTHER_FACILITATOR, OFFICER, outcome=NOT_ALLOWED)),
    "bookings:event-signin-pdf": page(
        only(FACILITATOR, OFFICER, other_facilitator=NOT_FOUND),
        post=only(FACILITATOR, OTHER_FACILITATOR, OFFICER, outcome=NOT_ALLOWED)),

    # Officers: bookings ------------------------------------------------------------------------
    "bookings:event-waiting-list": page(only(OFFICER)),
    # The late-cancellation queue moved to charging (the review is the charge decision): the
    # old addresses send everyone on, and the charging pages decide who gets in.
    "bookings:late-cancellation-list": form(everyone(REDIRECT)),
    "bookings:late-cancellation-review": form(everyone(REDIRECT)),

    # Charges: officers decide; business support reads the queue and each charge ------------
    # (the charge named is the owner's late cancellation, waiting for a decision). An empty
    # decision comes back with its errors (200); business support may not decide (403).
    "charging:charge-list": page(only(OFFICER, BUSINESS_SUPPORT)),
    "charging:charge-decide": form(only(OFFICER, BUSINESS_SUPPORT),
                                   post=only(OFFICER, business_support=FORBIDDEN)),
    # Payments, unpaid invoices and reminders, the CSV export: business support and officers
    # (the invoice named is organisation A's). An empty payment form comes back with its
    # errors; a reminder is sent (or refused with a message) and goes back to the list.
    "charging:payment-outstanding": page(only(OFFICER, BUSINESS_SUPPORT)),
    "charging:payment-create": form(only(OFFICER, BUSINESS_SUPPORT)),
    "charging:invoice-remind": form(only(OFFICER, BUSINESS_SUPPORT, outcome=NOT_ALLOWED),
                                    post=only(OFFICER, BUSINESS_SUPPORT, outcome=REDIRECT)),
    "charging:payment-export": page(only(OFFICER, BUSINESS_SUPPORT)),
    # The statement: each finance contact sees their OWN organisation's (SHOWS below); A's
    # invoice and credit note are a 404 to B's finance contact, and to the site administrator,
    # whose own organisation (the partnership) has none: they use the invoice pages instead.
    "charging:statement": page(only(FINANCE_A, FINANCE_B)),
    "charging:statement-charges": page(only(FINANCE_A, FINANCE_B)),
    "charging:statement-payments": page(only(FINANCE_A, FINANCE_B)),
    "charging:statement-credit-notes": page(only(FINANCE_A, FINANCE_B)),
    # (A POST is refused by method before the invoice is looked up: 405 tells nothing.)
    "charging:statement-invoice": page(
        only(FINANCE_A, finance_b=NOT_FOUND, superuser=NOT_FOUND),
        post=only(FINANCE_A, FINANCE_B, outcome=NOT_ALLOWED)),
    "charging:statement-invoice-pdf": page(
        only(FINANCE_A, finance_b=NOT_FOUND, superuser=NOT_FOUND),
        post=only(FINANCE_A, FINANCE_B, outcome=NOT_ALLOWED)),
    "charging:statement-credit-note-pdf": page(
        only(FINANCE_A, finance_b=NOT_FOUND, superuser=NOT_FOUND),
        post=only(FINANCE_A, FINANCE_B, outcome=NOT_ALLOWED)),
    # The charging policy: public, written from the current settings.
    "charging:policy": page(everyone()),
    # Invoicing: business support and officers only (organisation A's invoice and credit note,
    # an invoicing run). The run's form posted empty, and the credit note form posted empty,
    # come back with their errors; a finance contact's own invoices are on the statement.
    "charging:invoice-batch": form(only(OFFICER, BUSINESS_SUPPORT)),
    "charging:invoice-batch-list": page(only(OFFICER, BUSINESS_SUPPORT)),
    "charging:invoice-batch-detail": page(only(OFFICER, BUSINESS_SUPPORT)),
    "charging:invoice-list": page(only(OFFICER, BUSINESS_SUPPORT)),
    "charging:invoice-detail": page(only(OFFICER, BUSINESS_SUPPORT)),
    "charging:invoice-pdf": page(only(OFFICER, BUSINESS_SUPPORT)),
    "charging:credit-note-create": form(only(OFFICER, BUSINESS_SUPPORT)),
    "charging:credit-note-pdf": page(only(OFFICER, BUSINESS_SUPPORT)),

    # Officers: the programme (business support sees the events, to write the newsletter) ------
    "courses:manage-event-list": page(only(OFFICER, BUSINESS_SUPPORT)),
    "courses:manage-event-export": page(only(OFFICER, BUSINESS_SUPPORT)),  # the same events
    "courses:manage-event-calendar": page(only(OFFICER, BUSINESS_SUPPORT)),
    "courses:manage-event-create": form(only(OFFICER)),
    "courses:manage-event-update": form(only(OFFICER)),
    "courses:manage-event-duplicate": form(only(OFFICER)),
    "courses:manage-event-cancel": form(only(OFFICER)),
    "courses:manage-course-list": page(only(OFFICER)),
    "courses:manage-course-create": form(only(OFFICER)),
    "courses:manage-course-update": form(only(OFFICER)),
    "courses:manage-pool": form(only(OFFICER)),
    "courses:manage-venue-list": page(only(OFFICER)),
    "courses:manage-venue-create": form(only(OFFICER)),
    "courses:manage-venue-update": form(only(OFFICER)),
    "courses:manage-review": form(only(OFFICER), post=only(OFFICER, outcome=REDIRECT)),
    "courses:manage-resource-list": page(only(OFFICER)),
    "courses:manage-resource-create": form(only(OFFICER)),
    "courses:manage-resource-update": form(only(OFFICER)),
    "courses:manage-resource-delete": form(only(OFFICER), post=only(OFFICER, outcome=REDIRECT)),

    # Business support: the newsletter ----------------------------------------------------------
    "courses:newsletter-list": page(only(BUSINESS_SUPPORT)),
    "courses:newsletter-preview": page(only(BUSINESS_SUPPORT)),
    "courses:newsletter-email": page(only(BUSINESS_SUPPORT)),  # the preview's HTML part
    "courses:newsletter-create": form(only(BUSINESS_SUPPORT)),
    "courses:newsletter-update": form(only(BUSINESS_SUPPORT)),
    "courses:newsletter-send": form(only(BUSINESS_SUPPORT)),
    # "Send a test to me": a POST only; the test goes to whoever sends it.
    "courses:newsletter-test": form(only(BUSINESS_SUPPORT, outcome=NOT_ALLOWED),
                                    post=only(BUSINESS_SUPPORT, outcome=REDIRECT)),

    # Certificates: anyone checks a code; the owner downloads their own (another's: 404);
    # officers list, issue by hand and revoke ------------------------------------------------
    "evaluations:certificate-verify": page(everyone()),
    "evaluations:certificate-verify-code": page(everyone()),
    # A POST is refused by method before the code is looked up: 405 tells nothing about it.
    "evaluations:certificate-download": page(only(OWNER, OFFICER, others=NOT_FOUND),
                                             post=signed_in(NOT_ALLOWED)),
    "evaluations:certificate-list": page(only(OFFICER)),
    "evaluations:certificate-issue": form(only(OFFICER),
                                          post=only(OFFICER, outcome=REDIRECT)),
    "evaluations:certificate-revoke": form(only(OFFICER)),

    # Facilitator summaries: the event's own facilitators (another's event is 404) and
    # officers; themes: officers. The theme pages' <pk> is filled with the event's id, which
    # is no theme: 404 for the officer, who alone gets that far ------------------------------
    "evaluations:summary-list": page(only(OFFICER)),
    # The matrix's event is still to come: its own facilitator may not open the summary before
    # it ends (404, like another's event; tests/evaluations/test_summary_rules.py has the 200
    # after), the officer may any time.
    "evaluations:summary-detail": page(
        only(FACILITATOR, OFFICER, facilitator=NOT_FOUND, other_facilitator=NOT_FOUND),
        post=only(FACILITATOR, OTHER_FACILITATOR, OFFICER, outcome=NOT_ALLOWED)),
    "evaluations:summary-pdf": page(
        only(FACILITATOR, OFFICER, facilitator=NOT_FOUND, other_facilitator=NOT_FOUND),
        post=only(FACILITATOR, OTHER_FACILITATOR, OFFICER, outcome=NOT_ALLOWED)),
    "evaluations:theme-list": page(only(OFFICER)),
    "evaluations:theme-create": form(only(OFFICER)),
    "evaluations:theme-update": form(only(OFFICER, outcome=NOT_FOUND)),
    "evaluations:theme-delete": form(only(OFFICER, outcome=NOT_FOUND)),
    "evaluations:theme-tagging": form(only(OFFICER)),
    "evaluations:sessioncomment-create": form(only(OFFICER)),

    # Evaluation questionnaires: officers edit, preview, give a course its own and remove it
    # (<pk>: the course's own Stage 1 evaluation); removing it is done (a redirect) --------------
    "evaluations:questionnaire-list": page(only(OFFICER)),
    "evaluations:questionnaire-override-create": form(only(OFFICER)),
    "evaluations:questionnaire-update": form(only(OFFICER)),
    "evaluations:questionnaire-preview": page(only(OFFICER)),
    "evaluations:questionnaire-override-remove": form(only(OFFICER),
                                                      post=only(OFFICER, outcome=REDIRECT)),
    # The owner's pre-course questionnaire: only the person asked answers it, whatever anyone
    # else's role (the site administrator too: 404). An empty POST shows its errors.
    "evaluations:request-answer": form(only(OWNER, others=NOT_FOUND, superuser=NOT_FOUND)),
    # Your evaluations: each signed-in person's own list (tests/evaluations/test_requests_views.py
    # checks nobody sees another's). Response rates, who has not responded and one more
    # reminder: officers only (names). An empty reminder POST goes back with a message.
    "evaluations:request-list": page(signed_in()),
    "evaluations:responserate-list": page(only(OFFICER)),
    "evaluations:responserate-event": page(only(OFFICER)),
    "evaluations:request-remind": form(only(OFFICER, outcome=NOT_ALLOWED),
                                       post=only(OFFICER, outcome=REDIRECT)),

    # Reports: officers and the LOD Group -------------------------------------------------------
    # The list takes the "ask for a report" form (an empty POST: the form with its errors).
    "reports:report-list": form(only(OFFICER, LOD_MEMBER)),
    # A ready report (its files stored): its page, its progress fragment, its downloads.
    "reports:report-detail": page(only(OFFICER, LOD_MEMBER)),
    "reports:report-progress": page(only(OFFICER, LOD_MEMBER)),
    "reports:report-download": page(only(OFFICER, LOD_MEMBER)),
    "reports:report-table-csv": page(only(OFFICER, LOD_MEMBER)),
    # "Try again" on a failed report (the world's report is ready: nothing to do, back to it).
    "reports:report-retry": form(only(OFFICER, LOD_MEMBER, outcome=NOT_ALLOWED),
                                 post=only(OFFICER, LOD_MEMBER, outcome=REDIRECT)),
    # An annual report's narrative and its issue: officers only. The report named is a ready
    # annual report with no narrative yet: an empty narrative is refused (the form again with
    # its error), and so is issuing it before it has one (the confirmation again, with why).
    "reports:report-narrative": form(only(OFFICER)),
    "reports:report-issue": form(only(OFFICER)),
    # Training needs analysis: officers open and close rounds; officers and the LOD Group read
    # the results; each lead answers for their OWN organisation. The round named is open and
    # organisation A has answered it: A's lead is sent to their answers (and may not answer
    # again), B's lead may answer for B and never sees A's answers (404); the site
    # administrator's organisation has not answered. Closing names another round.
    "reports:tna-round-list": page(only(OFFICER, LOD_MEMBER)),
    "reports:tna-round-create": form(only(OFFICER)),
    "reports:tna-round-close": form(only(OFFICER), post=only(OFFICER, outcome=REDIRECT)),
    "reports:tna-results": page(only(OFFICER, LOD_MEMBER)),
    "reports:tna-results-export": page(only(OFFICER, LOD_MEMBER)),
    "reports:tna-mine": page(only(LEAD_A, LEAD_B)),
    "reports:tna-answer": form(only(LEAD_B, lead_a=REDIRECT)),
    "reports:tna-return": page(only(LEAD_A, lead_b=NOT_FOUND, superuser=NOT_FOUND),
                               post=only(LEAD_A, LEAD_B, outcome=NOT_ALLOWED)),
    # The Training Checklist: officers keep it (the requirement named is organisation-free).
    "reports:checklist-list": page(only(OFFICER)),
    "reports:checklist-create": form(only(OFFICER)),
    "reports:checklist-update": form(only(OFFICER)),
    "reports:checklist-delete": form(only(OFFICER), post=only(OFFICER, outcome=REDIRECT)),
    # The organisation view: each lead sees their OWN organisation (SHOWS below); an officer
    # picks one (until then, their own). The staff group named is the owner's (organisation
    # A): B's lead does not find them.
    "reports:organisation-training": page(only(OFFICER, LEAD_A, LEAD_B)),
    "reports:organisation-training-export": page(only(OFFICER, LEAD_A, LEAD_B)),
    "reports:organisation-staff-group": form(only(OFFICER, LEAD_A, lead_b=NOT_FOUND)),

    # The Django admin: staff only (officers and the site administrator) ------------------------
    "admin:index": form(admin(OFFICER)),
    "admin:app_list": form(admin(OFFICER)),
    # The admin has no login form of its own: the site's sign-in (password, then the code).
    "admin:login": form(signed_in(FORBIDDEN, officer=REDIRECT, superuser=REDIRECT),
                        post=signed_in(FORBIDDEN, officer=OK, superuser=OK)),
    "admin:logout": form(everyone(REDIRECT, officer=NOT_ALLOWED, superuser=NOT_ALLOWED),
                         post=everyone(REDIRECT, officer=OK, superuser=OK)),
    "admin:password_change": form(admin(OFFICER)),
    "admin:password_change_done": page(admin(OFFICER)),
    # Privacy (issue 15): the notice and the accessibility statement are public; "Your data"
    # is each person's own (the download holds only theirs); a subject access download and
    # carrying out a deletion are the officer's. An empty POST deletes nobody: it says what
    # is missing (the tick, or the download first).
    "privacy:notice": page(everyone()),
    "accessibility": page(everyone()),
    # The partnership's logo, public: the test world has none, so "not found" for everyone.
    "partnership-logo": page(everyone(NOT_FOUND), post=everyone(NOT_ALLOWED)),
    "privacy:your-data": page(signed_in()),
    "privacy:your-data-download": form(signed_in(NOT_ALLOWED), post=signed_in()),
    "privacy:deletion-request": form(signed_in()),
    "privacy:deletion-request-list": page(only(OFFICER)),
    "privacy:person-export": form(only(OFFICER)),
    "privacy:person-delete": form(only(OFFICER)),
    "admin:jsi18n": page(admin(OFFICER)),
    "admin:autocomplete": form(admin(outcome=FORBIDDEN),  # no field named: refused
                               post=admin(OFFICER, outcome=NOT_ALLOWED)),
    "admin:view_on_site": form(admin(OFFICER, outcome=NOT_FOUND)),  # a course: no such page
    "admin/(?P<url>.*)$": form(admin(OFFICER, outcome=NOT_FOUND)),  # the admin's catch-all
    # Another site administrator's account: an officer assigns roles but can never reach a
    # site administrator's account, nor set their password.
    "admin:auth_user_password_change": form(admin(OFFICER, officer=NOT_FOUND)),
    **admin_model("auth", "group", view=(OFFICER,)),
    **admin_model("sites", "site"),
    **admin_model("account", "emailaddress"),
    **admin_model("mfa", "authenticator"),
    **admin_model("core", "partnership", view=(OFFICER,), change=(OFFICER,),
                  nobody=("add", "delete")),
    **admin_model("core", "auditentry", view=(OFFICER,), nobody=("add", "change", "delete")),
    **admin_model("accounts", "user", view=(OFFICER,), change=(OFFICER,)),
    **admin_model("accounts", "organisation", view=(OFFICER,), add=(OFFICER,),
                  change=(OFFICER,)),
    **admin_model("accounts", "organisationrequest", view=(OFFICER,)),
    **admin_model("accounts", "membershiprequest", view=(OFFICER,), nobody=("add",)),
    **admin_model("courses", "category", view=(OFFICER,), add=(OFFICER,), change=(OFFICER,)),
    **admin_model("courses", "question", view=(OFFICER,), add=(OFFICER,), change=(OFFICER,),
                  delete=(OFFICER,)),
    **admin_model("courses", "course", view=(OFFICER,), add=(OFFICER,), change=(OFFICER,)),
}
# The officer never reaches another site administrator's account in the admin: it "does not
# exist" (the admin sends them back to the list), and deleting anyone is not theirs to do.
ROWS["admin:accounts_user_change"] = form(admin(OFFICER, officer=REDIRECT))
ROWS["admin:accounts_user_history"] = form(admin(OFFICER, officer=REDIRECT))
# Every field of a membership request is read-only: "saving" it changes nothing.
ROWS["admin:accounts_membershiprequest_change"] = form(
    admin(OFFICER), post=admin(outcome=REDIRECT, officer=FORBIDDEN))

# What a page shows --------------------------------------------------------------------------
# Pages that take no id answer 200 to every lead, finance contact or facilitator: what they
# show must still be their own. (URL name, identity, what the page must or must not show.)
# owner_email: the owner (organisation A) / booking: the owner's booking on the event /
# event_page: the facilitator page of the event / invoice_email: organisation A's billing
# address / joiner_email: the person asking to join organisation A / email_words and
# email_address: what an email in the outbox says (the other site administrator's password
# reset link: nobody reads it there) and to whom.
SHOWS = [
    ("accounts:organisation-staff", LEAD_A, "owner_email", True),
    ("accounts:organisation-staff", LEAD_B, "owner_email", False),
    ("reports:organisation-training", LEAD_A, "owner_email", True),
    ("reports:organisation-training", LEAD_B, "owner_email", False),
    ("reports:organisation-training-export", LEAD_A, "owner_email", True),
    ("reports:organisation-training-export", LEAD_B, "owner_email", False),
    ("accounts:organisation-account", FINANCE_A, "invoice_email", True),
    ("accounts:organisation-account", FINANCE_B, "invoice_email", False),
    ("charging:statement", FINANCE_A, "invoice_number", True),
    ("charging:statement", FINANCE_B, "invoice_number", False),
    ("charging:statement-payments", FINANCE_A, "invoice_number", True),
    ("charging:statement-payments", FINANCE_B, "invoice_number", False),
    ("charging:statement-credit-notes", FINANCE_A, "invoice_number", True),
    ("charging:statement-credit-notes", FINANCE_B, "invoice_number", False),
    ("charging:statement-charges", FINANCE_A, "invoice_number", True),
    ("charging:statement-charges", FINANCE_B, "invoice_number", False),
    ("accounts:membershiprequest-list", LEAD_A, "joiner_email", True),
    ("accounts:membershiprequest-list", LEAD_B, "joiner_email", False),
    ("bookings:my-training", OWNER, "booking", True),
    ("bookings:my-training", DELEGATE, "booking", False),
    ("bookings:facilitator-event-list", FACILITATOR, "event_page", True),
    ("bookings:facilitator-event-list", OTHER_FACILITATOR, "event_page", False),
    ("core:outgoingemail-detail", OFFICER, "email_words", False),
    ("core:outgoingemail-detail", OFFICER, "email_address", True),
    ("core:outgoingemail-detail", BUSINESS_SUPPORT, "email_words", False),
    ("core:outgoingemail-detail", BUSINESS_SUPPORT, "email_address", False),
    ("core:outgoingemail-list", OFFICER, "email_address", True),
    ("core:outgoingemail-list", BUSINESS_SUPPORT, "email_address", False),
    # Training needs analysis: A's lead finds A's answers, B's lead never does; the results
    # name organisations, never the lead who answered.
    ("reports:tna-mine", LEAD_A, "tna_answers", True),
    ("reports:tna-mine", LEAD_B, "tna_answers", False),
    ("reports:tna-results", LOD_MEMBER, "tna_lead", False),
    ("reports:tna-results-export", OFFICER, "tna_lead", False),
]
