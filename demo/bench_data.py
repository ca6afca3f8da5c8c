"""The benchmark's data set (issue 14): five years of a large partnership, built in seconds.

`build(scale)` writes, at scale 1, about 60,000 users in 2,500 organisations, 400 courses,
1,500 events, 60,000 bookings in every state, 150,000 questionnaire responses with about
1,000,000 answers, 5,000 charges and 1,500 invoices; scale 10 ten times that, 0.001 a
thousandth (with a floor of a few rows of each kind, so every booking state is there).

Deterministic: one random generator with a fixed seed, every timestamp counted from `today`
(London), rows in a fixed order with their primary keys given here. So two builds on the
same day give the same rows. Written with PostgreSQL's COPY (psycopg), every row's id chosen
here and the sequences moved past them afterwards; other databases get bulk_create.

Every address is at *.bench.example: seed_bench tells bench data from real data by it. The
well-known accounts (BENCH_ACCOUNTS) share BENCH_PASSWORD; the staff ones have an
authenticator with BENCH_TOTP_SECRET (the benchmark signs them in server-side).

No services run here (no audit, no outbox): it is a snapshot of what five years of them
would have left, written straight to the tables."""

import json
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

BENCH_DOMAIN = "bench.example"
BENCH_PASSWORD = "Bench-training-2026"
BENCH_TOTP_SECRET = "BENCHTOTPSECRETKEY234567ABCDEFGH"
SEED = 20261130

# Rows at scale 1 (issue 14).
BASE = {
    "organisations": 2_500,
    "users": 60_000,
    "courses": 400,
    "events": 1_500,
    "bookings": 60_000,
    "e_learning_completions": 24_000,
    "charges": 5_000,
    "invoices": 1_500,
}
# The smallest number of each, so a tiny scale still has every kind of row.
MINIMUM = {
    "organisations": 8,
    "users": 60,
    "courses": 8,
    "events": 8,
    "bookings": 60,
    "e_learning_completions": 4,
    "charges": 4,
    "invoices": 2,
}

# Well-known logins: email -> (first, last, roles). Staff roles get an authenticator.
BENCH_ACCOUNTS = {
    f"officer@{BENCH_DOMAIN}": ("Olivia", "Officer", ["officer", "delegate"]),
    f"facilitator@{BENCH_DOMAIN}": ("Frank", "Facilitator", ["facilitator", "delegate"]),
    f"lod@{BENCH_DOMAIN}": ("Lena", "Lodmember", ["lod_member"]),
    f"business@{BENCH_DOMAIN}": ("Ben", "Business", ["business_support"]),
    f"delegate@{BENCH_DOMAIN}": ("Dana", "Delegate", ["delegate"]),
}
OFFICER = f"officer@{BENCH_DOMAIN}"
FACILITATOR = f"facilitator@{BENCH_DOMAIN}"
DELEGATE = f"delegate@{BENCH_DOMAIN}"
LOD = f"lod@{BENCH_DOMAIN}"

FIRST = ["Aisha", "Ben", "Chloe", "Daniel", "Emily", "Farah", "George", "Hannah", "Imran",
         "Jade", "Karen", "Liam", "Megan", "Nathan", "Olivia", "Priya", "Quentin", "Rachel",
         "Sam", "Tariq", "Uma", "Victor", "Wendy", "Yusuf", "Zara"]
LAST = ["Adams", "Bennett", "Clarke", "Dunn", "Evans", "Foster", "Grant", "Hughes", "Iqbal",
        "Jones", "Khan", "Lloyd", "Morris", "Nash", "Okafor", "Price", "Rahman", "Shaw",
        "Turner", "Walker", "Wright", "Young"]
JOBS = ["Social worker", "Teacher", "Health visitor", "Police constable", "Nursery practitioner",
        "Care assistant", "Youth worker", "Housing officer", "Nurse", "Volunteer co-ordinator"]
KINDS = {"statutory": ["Council", "School", "NHS trust", "Police"],
         "voluntary": ["Charity", "Community group"],
         "childminder": ["Registered childminder"],
         "private": ["Nursery chain", "Care home group", "Home care agency"]}
SECTORS = ["statutory"] * 3 + ["voluntary"] * 3 + ["childminder"] * 1 + ["private"] * 3
TOPICS = ["Working Together", "Child Exploitation", "Domestic Abuse", "Neglect",
          "Mental Capacity", "Modern Slavery", "Prevent", "Self-neglect", "Online Safety",
          "Female Genital Mutilation", "Contextual Safeguarding", "Hoarding", "Escalation",
          "Information Sharing", "Professional Curiosity", "Voice of the Child"]
CATEGORIES = ["Working Together", "Understanding Safeguarding Risks", "Contextual Safeguarding",
              "Safeguarding Adults", "Leadership", "Early Help"]
COMMENTS = ["Really useful group work.", "The case studies were the right level.",
            "More time for questions would help.", "Clear and practical.", ""]
PRACTICE = ["I asked more questions when something did not fit.",
            "I shared information with the police earlier.",
            "I escalated a concern using the escalation policy.",
            "I recorded what the child said in their own words."]


ANSWER_FIELDS = ["id", "response", "question", "outcome_index", "outcome_text", "value_int",
                 "value_text"]


@dataclass
class Built:
    """What build() wrote: rows per table, the well-known accounts' ids."""

    counts: dict = field(default_factory=lambda: defaultdict(int))
    accounts: dict = field(default_factory=dict)
    seconds: float = 0.0


def counts_for(scale):
    return {k: max(MINIMUM[k], round(v * scale)) for k, v in BASE.items()}


class _Writer:
    """Rows into tables with their ids given here: COPY on PostgreSQL, bulk_create elsewhere.
    Fields the caller leaves out take the model's default (a constant, or list/dict)."""

    def __init__(self, built):
        self.built = built
        self.models = []
        self.next_ids = {}

    def first_id(self, model, n):
        """Reserve n ids for `model`, after any row already there."""
        if model not in self.next_ids:
            last = model.objects.aggregate(m=models.Max("pk"))["m"] or 0
            self.next_ids[model] = last + 1
        start = self.next_ids[model]
        self.next_ids[model] = start + n
        return start

    def write(self, model, names, rows):
        rows = list(rows)
        if not rows:
            return
        fields = [model._meta.get_field(n) for n in names]
        extra = []
        for f in model._meta.concrete_fields:
            if f.name in names:
                continue
            if f.primary_key:
                raise ValueError(f"{model.__name__}: give the id")
            if f.has_default():
                default = f.default
                if callable(default):
                    if default not in (list, dict):
                        raise ValueError(f"{model.__name__}.{f.name}: give a value")
                    default = default()
            elif f.null:
                default = None
            elif f.blank and isinstance(f, (models.CharField, models.TextField)):
                default = ""
            else:
                raise ValueError(f"{model.__name__}.{f.name}: give a value")
            extra.append((f, default))
        self.built.counts[model._meta.label] += len(rows)
        if model not in self.models:
            self.models.append(model)
        if connection.vendor != "postgresql":
            names_all = [f.attname for f in fields] + [f.attname for f, _ in extra]
            tail = [d for _, d in extra]
            model.objects.bulk_create(
                [model(**dict(zip(names_all, (*row, *tail), strict=True))) for row in rows],
                batch_size=2000)
            return
        all_fields = fields + [f for f, _ in extra]
        json_at = [i for i, f in enumerate(all_fields) if isinstance(f, models.JSONField)]
        tail = tuple(d for _, d in extra)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in all_fields)
        sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                values = (*row, *tail)
                if json_at:
                    values = list(values)
                    for i in json_at:
                        values[i] = json.dumps(values[i])
                copy.write_row(values)

    def finish(self):
        """Move each table's id sequence past the ids written here."""
        if connection.vendor != "postgresql" or not self.models:
            return
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), self.models):
                cursor.execute(sql)


def _uuid(rng):
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _code(rng):
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(rng.choice(alphabet) for _ in range(12))


def build(scale, *, seed=SEED, today=None, log=None):
    """Write the benchmark data set at `scale` into the default database (see module
    docstring). Run on an empty (migrated) database: seed_bench checks that. Returns Built."""
    import time as _time

    started = _time.monotonic()
    built = Built()
    rng = random.Random(seed)
    today = today or timezone.localdate()
    say = log or (lambda message: None)
    with transaction.atomic():
        _build(built, rng, counts_for(scale), today, say)
    built.seconds = _time.monotonic() - started
    return built


def _aware(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _weekday(day):
    """The day itself, or the Monday after a weekend."""
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def _build(built, rng, n, today, say):  # noqa: C901 (one story, told in order)
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import Group

    from accounts.models import Organisation, OrganisationDomain, User
    from accounts.roles import Role, group_name
    from bookings.models import Booking, BookingStatus
    from charging.models import (
        Charge,
        DocumentCounter,
        Invoice,
        InvoiceBatch,
        InvoiceLine,
        Payment,
    )
    from core.models import Partnership
    from courses.models import (
        Category,
        Completion,
        Course,
        Event,
        TrainingPoolMembership,
        Venue,
    )
    from evaluations.models import (
        Answer,
        Certificate,
        EvaluationRequest,
        QuestionnaireKind,
        QuestionType,
        RequestKind,
        Response,
        SummaryReport,
    )
    from evaluations.selectors.questionnaires import questionnaire_version_for
    from evaluations.services.questionnaires import questionnaires_ensure_defaults

    w = _Writer(built)
    now = _aware(today, 7, 0)
    start_day = today - timedelta(days=5 * 365)
    partnership = Partnership.load()
    partnership.name = "Bench Safeguarding Partnership"
    partnership.short_name = "BENCH"
    partnership.contact_email = f"training@{BENCH_DOMAIN}"
    partnership.save()
    questionnaires_ensure_defaults(now=now)

    # Organisations, their domains.
    say("organisations")
    org_ids, org_sector, org_name = [], {}, {}
    first = w.first_id(Organisation, n["organisations"])
    rows, domains = [], []
    dom_first = w.first_id(OrganisationDomain, n["organisations"])
    for i in range(n["organisations"]):
        pk = first + i
        sector = SECTORS[i % len(SECTORS)]
        kind = rng.choice(KINDS[sector])
        name = f"Bench {kind} {i + 1:05d}"
        org_ids.append(pk)
        org_sector[pk] = sector
        org_name[pk] = name
        private = sector == "private"
        rows.append((pk, name, sector, kind,
                     f"accounts@o{i + 1}.{BENCH_DOMAIN}" if private else "",
                     f"Accounts payable\n{name}\nDudley\nDY1 1XX" if private else "",
                     _aware(start_day, 9)))
        domains.append((dom_first + i, pk, f"o{i + 1}.{BENCH_DOMAIN}", _aware(start_day, 9)))
    w.write(Organisation, ["id", "name", "sector", "kind", "invoice_email", "billing_address",
                           "created_at"], rows)
    w.write(OrganisationDomain, ["id", "organisation", "domain", "created_at"], domains)
    statutory = [o for o in org_ids if org_sector[o] == "statutory"]

    # Users: the well-known accounts first, then delegates spread over the organisations.
    say("users")
    password = make_password(BENCH_PASSWORD)
    groups = {g.name: g.pk for g in Group.objects.all()}
    n_users = n["users"]
    first = w.first_id(User, n_users)
    user_rows, email_rows, group_rows = [], [], []
    user_org, user_name, user_email = {}, {}, {}
    n_staff_fac = max(3, n_users // 1500)  # facilitators of the Training Pool
    facilitators = []
    known = list(BENCH_ACCOUNTS.items())
    for i in range(n_users):
        pk = first + i
        if i < len(known):
            email, (fname, lname, roles) = known[i]
            org = statutory[i % len(statutory)]
        else:
            fname, lname = rng.choice(FIRST), rng.choice(LAST)
            org = org_ids[rng.randrange(len(org_ids))] if i % 7 else org_ids[i % len(org_ids)]
            email = f"u{i + 1}@o{org - org_ids[0] + 1}.{BENCH_DOMAIN}"
            roles = ["delegate"]
            if len(known) <= i < len(known) + n_staff_fac:
                roles = ["facilitator", "delegate"]
            elif i % 400 == 17:
                roles = ["safeguarding_lead", "delegate"]
        if "facilitator" in roles:
            facilitators.append(pk)
        staff = "officer" in roles
        joined = _aware(start_day + timedelta(days=rng.randrange(5 * 365 - 30)), 10)
        if i < len(known):
            joined = _aware(start_day, 9)
        user_rows.append((pk, password, False, fname, lname, email, staff, True, joined,
                          rng.choice(JOBS), org, rng.choice(["group_1", "group_2", "group_3"]),
                          "Morgan Manager", f"manager{i + 1}@{BENCH_DOMAIN}",
                          i % 10 == 0))
        email_rows.append((email, pk, True, True))
        for role in roles:
            group_rows.append((pk, groups[group_name(Role(role))]))
        user_org[pk] = org
        user_name[pk] = f"{fname} {lname}"
        user_email[pk] = email
    w.write(User, ["id", "password", "is_superuser", "first_name", "last_name", "email",
                   "is_staff", "is_active", "date_joined", "job_title", "organisation",
                   "staff_group", "line_manager_name", "line_manager_email",
                   "newsletter_opt_in"], user_rows)
    first_e = w.first_id(EmailAddress, len(email_rows))
    w.write(EmailAddress, ["id", "email", "user", "verified", "primary"],
            [(first_e + i, *row) for i, row in enumerate(email_rows)])
    through = User.groups.through
    first_g = w.first_id(through, len(group_rows))
    w.write(through, ["id", "user", "group"],
            [(first_g + i, *row) for i, row in enumerate(group_rows)])
    built.accounts = {email: first + i for i, (email, _) in enumerate(known)}
    officer_id = built.accounts[OFFICER]
    delegates = [first + i for i in range(len(known), n_users)
                 if first + i not in facilitators]
    delegates.insert(0, built.accounts[DELEGATE])

    # Courses: a quarter e-learning, the rest delivered at events.
    say("courses")
    cat_first = w.first_id(Category, len(CATEGORIES))
    w.write(Category, ["id", "name", "slug", "description", "position"],
            [(cat_first + i, name, f"bench-{i + 1}-" + name.lower().replace(" ", "-"),
              f"{name} courses.", i) for i, name in enumerate(CATEGORIES)])
    venue_n = max(2, n["events"] // 75)
    venue_first = w.first_id(Venue, venue_n)
    venue_capacity = {venue_first + i: rng.choice([20, 24, 30, 40, 60]) for i in range(venue_n)}
    w.write(Venue, ["id", "name", "address", "postcode", "capacity", "access_information"],
            [(pk, f"Bench training room {pk - venue_first + 1}", "Council House, Priory Road",
              "DY1 1HF", cap, "Step-free access.") for pk, cap in venue_capacity.items()])
    course_first = w.first_id(Course, n["courses"])
    course_rows, course_format, course_outcomes, course_title = [], {}, {}, {}
    course_length = {}
    formats = ["e_learning", "virtual", "virtual", "classroom", "classroom", "classroom",
               "conference", "e_learning"]
    for i in range(n["courses"]):
        pk = course_first + i
        fmt = formats[i % len(formats)]
        topic = TOPICS[i % len(TOPICS)]
        level = ["1", "2", "3", "all"][i % 4]
        title = f"{topic} {['essentials', 'in practice', 'for leads', 'update'][i // 16 % 4]}" \
                f" {i + 1}"
        outcomes = [f"Explain {topic.lower()} point {k + 1} in your own practice"
                    for k in range(rng.randint(7, 12))]
        length = "half_day" if i % 3 == 0 else "full_day"
        course_format[pk], course_outcomes[pk], course_title[pk] = fmt, outcomes, title
        course_length[pk] = length
        course_rows.append((
            pk, title, f"bench-{i + 1}-{topic.lower().replace(' ', '-')}",
            f"What every practitioner needs to know about {topic.lower()}.",
            f"A {length.replace('_', ' ')} course on {topic.lower()}.\n\nBench data.",
            outcomes, level, ["children", "adults", "joint"][i % 3],
            cat_first + i % len(CATEGORIES), fmt, length,
            "live" if i % 25 else "coming_soon",
            f"https://elearning.{BENCH_DOMAIN}/m/{i + 1}" if fmt == "e_learning" else "",
            today - timedelta(days=rng.randrange(300)), _aware(start_day, 8)))
    w.write(Course, ["id", "title", "slug", "summary", "description", "learning_outcomes",
                     "level", "audience", "category", "format", "length", "status",
                     "module_url", "last_reviewed", "created_at"], course_rows)
    delivered = [c for c in course_format if course_format[c] != "e_learning"]
    e_learning = [c for c in course_format if course_format[c] == "e_learning"]
    pool_first = w.first_id(TrainingPoolMembership, len(delivered))
    pool, course_facilitator = [], {}
    for i, course in enumerate(delivered):
        fac = facilitators[i % len(facilitators)]
        course_facilitator[course] = fac
        pool.append((pool_first + i, fac, course, start_day))
    w.write(TrainingPoolMembership, ["id", "facilitator", "course", "since"], pool)

    # Events over five years and the next four months; the well-known facilitator runs
    # every fifth one.
    say("events")
    n_events = n["events"]
    ev_first = w.first_id(Event, n_events)
    n_future = max(2, round(n_events * 120 / (5 * 365 + 120)))
    n_past = n_events - n_future
    events = []
    for i in range(n_events):
        pk = ev_first + i
        course = delivered[i % len(delivered)]
        if i < n_past:
            day = start_day + timedelta(days=(i * (5 * 365 - 2)) // n_past)
        else:
            day = today + timedelta(days=3 + ((i - n_past) * 117) // n_future)
        day = _weekday(day)
        fmt = course_format[course]
        half = course_length[course] == "half_day"
        start = _aware(day, 9, 30)
        end = start + timedelta(hours=3 if half else 7)
        venue = None
        if fmt == "conference":
            capacity = 250
        elif fmt == "virtual":
            capacity = 30
        else:
            venue = venue_first + i % venue_n
            capacity = min(30, venue_capacity[venue])
        past = end < now
        status = "completed" if past else "scheduled"
        if i % 37 == 5:
            status = "cancelled"
        events.append({"id": pk, "course": course, "start": start, "end": end, "venue": venue,
                       "capacity": capacity, "status": status, "past": past, "taken": 0})
    # Bookings: each event gets a share proportional to its size, never more than it holds.
    say("bookings")
    n_book = n["bookings"]
    total_cap = sum(e["capacity"] for e in events if e["status"] != "cancelled") or 1
    share = [0] * n_events
    for idx, e in enumerate(events):
        if e["status"] != "cancelled":
            share[idx] = int(n_book * e["capacity"] / total_cap)
    # The rest one at a time, round the events.
    idx = 0
    while sum(share) < n_book:
        if events[idx % n_events]["status"] != "cancelled":
            share[idx % n_events] += 1
        idx += 1
    past_states = [  # (state, weight)
        ("attended", 64), ("no_show", 4), ("not_admitted", 2), ("cancelled", 9),
        ("late_cancelled", 4), ("substituted", 1), ("moved", 1), ("left_waiting_list", 3),
        ("offer_declined", 2), ("offer_expired", 2), ("not_approved", 1),
        ("approval_expired", 1)]
    future_states = [("booked", 60), ("waitlisted", 14), ("offered", 4),
                     ("pending_approval", 6), ("cancelled", 10), ("late_cancelled", 3),
                     ("left_waiting_list", 2), ("offer_declined", 1)]
    counted = {s.value for s in (BookingStatus.BOOKED, BookingStatus.PENDING_APPROVAL,
                                 BookingStatus.OFFERED, BookingStatus.ATTENDED,
                                 BookingStatus.NOT_ADMITTED, BookingStatus.NO_SHOW)}

    def deck(weights):
        out = []
        for state, wt in weights:
            out += [state] * wt
        return out

    past_deck, future_deck = deck(past_states), deck(future_states)
    bk_first = w.first_id(Booking, n_book)
    bookings = []
    made, made_past, made_future = 0, 0, 0
    the_delegate = built.accounts[DELEGATE]
    for idx, e in enumerate(events):
        k = share[idx]
        if not k:
            continue
        people = rng.sample(delegates, min(k, len(delegates)))
        if idx % 20 == 0 and the_delegate not in people:
            people[0] = the_delegate  # My training has five years of history
        for person in people:
            # Every state at least once, at whatever scale: each kind of event's states in
            # turn first, then drawn by weight.
            if e["past"] and made_past < len(past_states):
                state = past_states[made_past][0]
            elif not e["past"] and made_future < len(future_states):
                state = future_states[made_future][0]
            else:
                state = rng.choice(past_deck if e["past"] else future_deck)
            made_past += e["past"]
            made_future += not e["past"]
            if not e["past"] and state not in (s for s, _ in future_states):
                state = "booked"
            if e["past"] and state in ("booked", "waitlisted", "offered", "pending_approval"):
                state = "attended"
            if state in counted:
                if e["taken"] >= e["capacity"]:
                    state = "cancelled" if not e["past"] else "left_waiting_list"
                else:
                    e["taken"] += 1
            created = e["start"] - timedelta(days=rng.randint(3, 90), hours=rng.randint(0, 9))
            created = min(created, now - timedelta(hours=1))
            b = {"id": bk_first + made, "event": e, "person": person, "state": state,
                 "created": created, "org": user_org[person]}
            bookings.append(b)
            made += 1
    for b in bookings:
        e, state, created = b["event"], b["state"], b["created"]
        waitlisted = created if state in ("waitlisted", "offered", "left_waiting_list",
                                          "offer_declined", "offer_expired") else None
        offered = created + timedelta(days=2) if state in (
            "offered", "offer_declined", "offer_expired") else None
        booked = created if state in ("booked", "cancelled", "late_cancelled", "attended",
                                      "no_show", "not_admitted", "substituted", "moved") else None
        cancelled = None
        if state in ("cancelled", "left_waiting_list"):
            cancelled = min(created + timedelta(days=5), e["start"] - timedelta(days=8))
        elif state == "late_cancelled":
            cancelled = e["start"] - timedelta(days=1)
        b["row"] = (
            b["id"], _uuid(rng), e["id"], b["person"], b["org"], state, created, waitlisted,
            offered, offered + timedelta(hours=48) if state == "offered" else None, booked,
            max(cancelled, created) if cancelled else None,
            (8 if state == "cancelled" else 1) if cancelled else None,
            "illness" if state == "late_cancelled" else "",
            created if state in ("pending_approval", "not_approved", "approval_expired")
            else None,
            f"manager@{BENCH_DOMAIN}" if state in ("pending_approval", "not_approved",
                                                    "approval_expired") else "",
            e["start"] + timedelta(minutes=5) if state in ("attended", "no_show",
                                                           "not_admitted") else None,
            45 if state == "not_admitted" else None,
        )
    w.write(Event, ["id", "course", "start", "end", "venue", "joining_link", "capacity",
                    "places_taken", "officer", "notes_for_delegates", "status", "cancelled_at",
                    "cancellation_reason", "created_at"],
            [(e["id"], e["course"], e["start"], e["end"], e["venue"],
              f"https://meet.{BENCH_DOMAIN}/e/{e['id']}" if e["venue"] is None else "",
              e["capacity"], e["taken"], officer_id, "Bring a notebook.", e["status"],
              e["start"] - timedelta(days=20) if e["status"] == "cancelled" else None,
              "Facilitator unwell." if e["status"] == "cancelled" else "",
              e["start"] - timedelta(days=120)) for e in events])
    w.write(Booking, ["id", "uid", "event", "delegate", "organisation", "status", "created_at",
                      "waitlisted_at", "offered_at", "offer_expires_at", "booked_at",
                      "cancelled_at", "notice_working_days", "late_cancellation_reason",
                      "approval_requested_at", "approval_sent_to", "attendance_marked_at",
                      "minutes_late"], [b["row"] for b in bookings])
    fac_through = Event.facilitators.through
    fac_first = w.first_id(fac_through, n_events)
    the_facilitator = built.accounts[FACILITATOR]
    w.write(fac_through, ["id", "event", "user"],
            [(fac_first + i, e["id"],
              the_facilitator if i % 5 == 0 else course_facilitator[e["course"]])
             for i, e in enumerate(events)])

    # Completions: attendance (attended bookings) and e-learning modules passed.
    say("completions and evaluations")
    attended = [b for b in bookings if b["state"] == "attended"]
    n_el = n["e_learning_completions"]
    comp_first = w.first_id(Completion, len(attended) + n_el)
    comp_rows = []
    for i, b in enumerate(attended):
        b["completion"] = comp_first + i
        comp_rows.append((comp_first + i, b["person"], b["event"]["course"], b["event"]["id"],
                          b["event"]["start"].date(), "attendance", None, b["event"]["end"]))
    el_completions = []
    for j in range(n_el):
        pk = comp_first + len(attended) + j
        person = delegates[rng.randrange(len(delegates))]
        course = e_learning[j % len(e_learning)]
        day = start_day + timedelta(days=rng.randrange(5 * 365))
        comp_rows.append((pk, person, course, None, day, "e_learning", rng.randint(80, 100),
                          _aware(day, 14)))
        el_completions.append((pk, person, course, day))
    w.write(Completion, ["id", "user", "course", "event", "completed_on", "source", "score",
                         "created_at"], comp_rows)

    # Evaluation requests and responses (Stage 1 carries the post-course questionnaire).
    default_versions = {kind: questionnaire_version_for(kind=kind, course=None)
                        for kind in (QuestionnaireKind.PRE, QuestionnaireKind.POST,
                                     QuestionnaireKind.STAGE_1, QuestionnaireKind.STAGE_2,
                                     QuestionnaireKind.FACILITATOR)}
    questions = {kind: list(v.questions.all()) for kind, v in default_versions.items()}
    versions = {kind: v.pk for kind, v in default_versions.items()}
    requests, responses, answers = [], [], []
    answered = [0]  # answers written so far (they go in chunks)
    req_first = w.first_id(EvaluationRequest, 0)
    resp_first = w.first_id(Response, 0)
    ans_first = w.first_id(Answer, 0)
    stage_2_days = partnership.stage_2_days_after_stage_1

    reminders = partnership.evaluation_reminder_max
    reminder_gap = timedelta(days=partnership.evaluation_reminder_days)

    def request(kind, user, course, event, booking, completion, due, completed):
        """A request; one sent and never answered has had its reminders long ago, as five
        years of sweeps would have left it (so today's sweep has nothing to catch up)."""
        pk = req_first + len(requests)
        requested = due if due <= now else None
        reminded = None
        if requested and completed is None and due + reminder_gap * reminders < now:
            reminded = due + reminder_gap * reminders
        requests.append((pk, _uuid(rng), kind, user, course, event, booking, completion,
                         due - timedelta(days=1), due, requested, completed,
                         reminders if reminded else 0, reminded))
        return pk

    def respond(req, kind, course, event, at):
        pk = resp_first + len(responses)
        responses.append((pk, req, versions[kind], kind, course, event, at))
        outcomes = course_outcomes[course]
        for q in questions[kind]:
            if q.type == QuestionType.OUTCOMES:
                for k, text in enumerate(outcomes):
                    answers.append((ans_first + answered[0] + len(answers), pk, q.pk, k,
                                    text[:500], rng.randint(1, q.scale_max or 5), ""))
            elif q.type == QuestionType.RATING:
                answers.append((ans_first + answered[0] + len(answers), pk, q.pk, None, "",
                                rng.randint(2, q.scale_max or 5), ""))
            elif q.type == QuestionType.TEXT:
                text = rng.choice(PRACTICE if kind == QuestionnaireKind.STAGE_2 else COMMENTS)
                if text or q.required:
                    answers.append((ans_first + answered[0] + len(answers), pk, q.pk, None,
                                    "", None, text or "No comment."))
        if len(answers) >= 200_000:
            write_answers()

    def write_answers():
        w.write(Answer, ANSWER_FIELDS, answers)
        answered[0] += len(answers)
        answers.clear()

    certificates = []
    for b in bookings:
        e = b["event"]
        if b["state"] not in ("attended", "no_show", "not_admitted"):
            continue
        course = e["course"]
        pre_done = rng.random() < 0.9
        req = request(RequestKind.PRE, b["person"], course, e["id"], b["id"], None,
                      b["created"], e["start"] - timedelta(days=2) if pre_done else None)
        if pre_done:
            respond(req, QuestionnaireKind.PRE, course, e["id"], e["start"] - timedelta(days=2))
        if b["state"] != "attended":
            continue
        s1_at = e["end"] + timedelta(days=1)
        done = s1_at < now and rng.random() < 0.9
        req = request(RequestKind.STAGE_1, b["person"], course, e["id"], b["id"], None,
                      e["end"], s1_at if done else None)
        if not done:
            continue
        respond(req, QuestionnaireKind.POST, course, e["id"], s1_at)
        respond(req, QuestionnaireKind.STAGE_1, course, e["id"], s1_at)
        s2_due = s1_at + timedelta(days=stage_2_days)
        s2_done = s2_due + timedelta(days=3) < now and rng.random() < 0.7
        req = request(RequestKind.STAGE_2, b["person"], course, e["id"], b["id"], None,
                      s2_due, s2_due + timedelta(days=3) if s2_done else None)
        if s2_done:
            at = s2_due + timedelta(days=3)
            respond(req, QuestionnaireKind.STAGE_2, course, e["id"], at)
            certificates.append((b, at))
    for pk, person, course, day in el_completions:
        at = _aware(day, 15)
        done = rng.random() < 0.8
        req = request(RequestKind.STAGE_1, person, course, None, None, pk, at,
                      at + timedelta(hours=1) if done else None)
        if done:
            respond(req, QuestionnaireKind.STAGE_1, course, None, at + timedelta(hours=1))
    summaries = []
    for i, e in enumerate(events):
        if not e["past"] or e["status"] == "cancelled":
            continue
        fac = the_facilitator if i % 5 == 0 else course_facilitator[e["course"]]
        req = request(RequestKind.FACILITATOR, fac, e["course"], e["id"], None, None, e["end"],
                      e["end"] + timedelta(hours=3))
        respond(req, QuestionnaireKind.FACILITATOR, e["course"], e["id"],
                e["end"] + timedelta(hours=3))
        due = (e["end"] + timedelta(days=partnership.summary_report_days_after_event)).date()
        summaries.append((e["id"], due, _aware(due, 8) if due <= today else None))
    w.next_ids[EvaluationRequest] = req_first + len(requests)
    w.next_ids[Response] = resp_first + len(responses)
    write_answers()
    w.next_ids[Answer] = ans_first + answered[0]
    w.write(EvaluationRequest, ["id", "uid", "kind", "user", "course", "event", "booking",
                                "completion", "created_at", "due_at", "requested_at",
                                "completed_at", "reminders_sent", "last_reminded_at"], requests)
    w.write(Response, ["id", "request", "version", "kind", "course", "event", "submitted_at"],
            responses)
    sum_first = w.first_id(SummaryReport, len(summaries))
    w.write(SummaryReport, ["id", "event", "due_on", "sent_at"],
            [(sum_first + i, *row) for i, row in enumerate(summaries)])
    cert_first = w.first_id(Certificate, len(certificates))
    level_label = {"1": "Level 1", "2": "Level 2", "3": "Level 3", "all": "All levels"}
    course_level = {row[0]: row[6] for row in course_rows}
    w.write(Certificate, ["id", "code", "user", "course", "event", "booking", "completion",
                          "delegate_name", "course_title", "course_level", "completed_on",
                          "hours", "issued_at"],
            [(cert_first + i, _code(rng), b["person"], b["event"]["course"], b["event"]["id"],
              b["id"], b["completion"], user_name[b["person"]],
              course_title[b["event"]["course"]],
              level_label[course_level[b["event"]["course"]]], b["event"]["start"].date(),
              Decimal("3.00") if course_length[b["event"]["course"]] == "half_day"
              else Decimal("6.00"), at) for i, (b, at) in enumerate(certificates)])

    # Charges (private organisations' delegates), invoices of the applied ones, payments.
    say("charges and invoices")
    fee = {
        ("attended", "full_day"): partnership.fee_attendance_full_day,
        ("attended", "half_day"): partnership.fee_attendance_half_day,
        ("late_cancelled", "full_day"): partnership.fee_late_cancellation_full_day,
        ("late_cancelled", "half_day"): partnership.fee_late_cancellation_half_day,
        ("no_show", "full_day"): partnership.fee_no_show_full_day,
        ("no_show", "half_day"): partnership.fee_no_show_half_day,
        ("not_admitted", "full_day"): partnership.fee_not_admitted_full_day,
        ("not_admitted", "half_day"): partnership.fee_not_admitted_half_day,
    }
    kind_of = {"attended": "attendance", "late_cancelled": "late_cancellation",
               "no_show": "no_show", "not_admitted": "not_admitted"}
    chargeable = [b for b in bookings if b["event"]["past"] and b["state"] in kind_of
                  and org_sector[b["org"]] == "private"]
    rng.shuffle(chargeable)
    chargeable = sorted(chargeable[:n["charges"]], key=lambda b: b["id"])
    ch_first = w.first_id(Charge, len(chargeable))
    charges = []
    for i, b in enumerate(chargeable):
        length = course_length[b["event"]["course"]]
        status = "waived" if i % 10 == 3 else "pending" if i % 10 == 7 else "applied"
        created = b["event"]["end"] + timedelta(hours=2)
        decided = created + timedelta(days=2) if status != "pending" else None
        amount = fee[(b["state"], length)]
        reason = (f"{kind_of[b['state']].replace('_', ' ').capitalize()}, "
                  f"{length.replace('_', ' ')} course: £{amount}")
        charges.append({"id": ch_first + i, "b": b, "amount": amount, "status": status,
                        "created": created, "row": (
                            ch_first + i, b["id"], b["org"], "private", kind_of[b["state"]],
                            amount, reason, status, created, decided,
                            officer_id if decided else None,
                            "illness" if status == "waived" else "")})
    w.write(Charge, ["id", "booking", "organisation", "sector", "kind", "amount", "reason",
                     "status", "created_at", "decided_at", "decided_by", "waiver_reason"],
            [c["row"] for c in charges])
    applied = [c for c in charges if c["status"] == "applied" and c["created"] < now - timedelta(
        days=20)]
    by_org = defaultdict(list)
    for c in applied:
        by_org[c["b"]["org"]].append(c)
    target = n["invoices"]
    groups_ = []
    for org in sorted(by_org):
        items = sorted(by_org[org], key=lambda c: c["created"])
        parts = max(1, min(len(items), round(len(items) * target / max(len(applied), 1))))
        size = -(-len(items) // parts)
        groups_ += [(org, items[k:k + size]) for k in range(0, len(items), size)]
    groups_.sort(key=lambda g: (g[1][-1]["created"], g[0]))
    inv_first = w.first_id(Invoice, len(groups_))
    line_first = w.first_id(InvoiceLine, len(applied))
    batch_first = w.first_id(InvoiceBatch, 0)
    batches, batch_of_month = [], {}
    invoices, lines, payments, per_year = [], [], [], defaultdict(int)
    for i, (org, items) in enumerate(groups_):
        last = items[-1]["created"].date()
        issued = date(last.year, last.month, 1) + timedelta(days=32)
        issued = date(issued.year, issued.month, partnership.invoice_run_day)
        if issued > today:
            issued = today
        month = (issued.year, issued.month)
        if month not in batch_of_month:
            batch_of_month[month] = batch_first + len(batches)
            batches.append([batch_first + len(batches), _aware(issued, 6, 20),
                            issued - timedelta(days=1), issued, 0, Decimal("0.00")])
        batch = batches[batch_of_month[month] - batch_first]
        per_year[issued.year] += 1
        number = f"BENCH-{issued.year}-{per_year[issued.year]:05d}"
        total = sum((c["amount"] for c in items), Decimal("0.00"))
        batch[4] += 1
        batch[5] += total
        paid = issued < today - timedelta(days=60) or i % 4 == 0
        settled = _aware(issued + timedelta(days=20), 12) if paid else None
        pk = inv_first + i
        invoices.append((pk, number, org, batch[0], issued,
                         issued + timedelta(days=partnership.invoice_payment_days),
                         _aware(issued, 6, 20), org_name[org],
                         f"accounts@o{org - org_ids[0] + 1}.{BENCH_DOMAIN}",
                         f"Accounts payable\n{org_name[org]}", partnership.name,
                         total, settled))
        for pos, c in enumerate(items):
            b = c["b"]
            lines.append((line_first + len(lines), pk, c["id"], pos, user_name[b["person"]],
                          course_title[b["event"]["course"]], b["event"]["start"].date(),
                          c["row"][6], c["amount"]))
        if paid:
            payments.append((pk, issued + timedelta(days=20), total))
    w.next_ids[InvoiceBatch] = batch_first + len(batches)
    w.write(InvoiceBatch, ["id", "run_at", "charges_up_to", "scheduled_for", "invoice_count",
                           "total"], [tuple(b) for b in batches])
    w.write(Invoice, ["id", "number", "organisation", "batch", "issued_on", "due_on",
                      "created_at", "organisation_name", "invoice_email", "billing_address",
                      "partnership_name", "total", "settled_at"], invoices)
    w.write(InvoiceLine, ["id", "invoice", "charge", "position", "delegate_name",
                          "course_title", "event_date", "reason", "amount"], lines)
    pay_first = w.first_id(Payment, len(payments))
    w.write(Payment, ["id", "invoice", "received_on", "amount", "method", "reference",
                      "recorded_at"],
            [(pay_first + i, inv, day, amount, "bacs", f"BACS {inv}", _aware(day, 12))
             for i, (inv, day, amount) in enumerate(payments)])
    counter_first = w.first_id(DocumentCounter, len(per_year))
    w.write(DocumentCounter, ["id", "prefix", "last"],
            [(counter_first + i, f"BENCH-{year}", last)
             for i, (year, last) in enumerate(sorted(per_year.items()))])
    w.finish()

    # Staff sign in with an authenticator (accounts.middleware); a few rows, through allauth.
    from allauth.mfa.totp.internal.auth import TOTP

    for email, (_f, _l, roles) in BENCH_ACCOUNTS.items():
        if set(roles) - {"delegate"}:
            user = User.objects.get(pk=built.accounts[email])
            if not Authenticator.objects.filter(user=user).exists():
                TOTP.activate(user, BENCH_TOTP_SECRET)
                built.counts[Authenticator._meta.label] += 1
    # Other facilitators and safeguarding leads sign in only in tests; they would need one too.
    say("done")
    return built
