"""A person's data, all of it (UK GDPR article 15, the ICO's subject access guidance).

`person_data(user)` gathers every row the database holds about one person, section by
section, as plain JSON values; `export_zip(user)` packs it as data.json, one CSV per section
and a README.txt; `export_fingerprint(user)` is the sha256 of its canonical JSON, which the
deletion of a person compares with the officer's export (pretix's data shredder: nothing is
deleted that changed since it was exported).
"""
import csv
import datetime
import decimal
import hashlib
import io
import json
import uuid
import zipfile

from django.db import models
from django.utils import timezone

# Never exported: secrets and credentials, not data about the person.
_SECRET_FIELDS = {"password"}


def _plain(value):
    """A field's value as a JSON value (dates ISO 8601, money as a string)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    return str(value)


def _row(obj, *, exclude=(), extra=None):
    """Every concrete field of `obj` (foreign keys as their ids), except `exclude`."""
    row = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude or field.name in _SECRET_FIELDS:
            continue
        key = field.attname if isinstance(field, models.ForeignKey) else field.name
        row[key] = _plain(getattr(obj, field.attname))
    if extra:
        row.update({k: _plain(v) for k, v in extra.items()})
    return row


def _profile(user):
    extra = {
        "organisation_name": user.organisation.name if user.organisation_id else "",
        "roles": ", ".join(sorted(g.name for g in user.groups.all())),
    }
    return [_row(user, extra=extra)]


def person_data(user):
    """Section name -> rows: everything the database holds about `user`."""
    return {
        "profile": _profile(user),
    }


# What each file holds, for README.txt (sections not named here get a plain line).
SECTION_DESCRIPTIONS = {
    "profile": "Your account: name, email address, job, organisation, line manager, "
               "access needs, preferences and roles (never your password).",
}


def canonical_json(data):
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def export_fingerprint(user):
    """sha256 of the canonical JSON of what is held about `user` (see person_data)."""
    return hashlib.sha256(canonical_json(person_data(user)).encode()).hexdigest()


def _csv(rows):
    columns = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({
            k: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
            for k, v in row.items()
        })
    return out.getvalue()


def _readme(user, data, now):
    lines = [
        f"The personal data held about {user.get_full_name() or user.email}",
        f"Exported on {timezone.localtime(now):%Y-%m-%d %H:%M}.",
        "",
        "data.json holds every section below in one file.",
        "Each section is also a CSV file (open it with a spreadsheet):",
        "",
    ]
    for name in data:
        lines.append(f"{name}.csv: {SECTION_DESCRIPTIONS.get(name, name.replace('_', ' '))}")
    return "\n".join(lines) + "\n"


def export_zip(user, *, now=None, data=None):
    """A ZIP holding data.json, one CSV per section and README.txt."""
    now = now or timezone.now()
    data = person_data(user) if data is None else data
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(user, data, now))
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False))
        for name, rows in data.items():
            archive.writestr(f"{name}.csv", _csv(rows))
    return buffer.getvalue()
