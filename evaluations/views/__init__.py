"""The evaluations app's views, one module per part (see evaluations/urls.py)."""

import re

# An id in the query string: ASCII digits only ("²".isdigit() is True, and int() refuses it).
QUERY_ID = re.compile(r"^[0-9]{1,11}\Z")
