"""Small-count suppression for a report snapshot (reports/tables.py), so that a report never
lets anyone work out a count below the threshold (Partnership.report_small_count_threshold,
default 3), whatever they hold: the page, the XLSX, the CSV and the headline figures.

The attacker we defend against knows every true partnership-wide total (the headline
figures are not suppressed), knows which organisation is in which sector and agency type and
which course has which level, audience, category and format (so a by-sector cell is the sum
of its organisations' cells), knows that an annual report's children, adults and joint parts
add up to its whole-programme part, that in an attendance table "booked" is attended +
no-shows + not admitted + late cancellations (+ places whose register is not marked yet,
taken as known), and knows this module's rules.

1. Primary: in a table with small_groups=True, a COUNT cell with 0 < value < threshold is
   suppressed: {"suppressed": True}, shown as "fewer than 3".
2. Secondary: in each column, while its suppressed counts are exactly one or add up to
   less than the threshold, the next smallest non-zero count is suppressed too. Then every
   cell's possible values are worked out from the facts above (interval bounds propagated
   through every known sum until nothing changes: a cell shown as "fewer than 3" is 0 to 2,
   a larger count withheld is 3 or more, money withheld is 0 or more). While a count under
   the threshold can still be pinned to one value, the likeliest cell near it (in a sum it
   is in, else one step further) is withheld: first a 0 (honestly "fewer than 3"), else the
   smallest count, marked {"suppressed": True, "secondary": True} (the table's notes say
   larger counts are withheld too). Compared columns (@previous, @year_before) are columns
   of their own, so each period is suppressed independently.
3. Totals: a total whose column has a suppressed cell is the sum of the cells shown only,
   and the table's notes say so. Rows are never dropped: a row whose cells would give a
   suppressed cell away gets the cells it needs suppressed by rule 2 (the row sum above).
4. A RATE cell whose numerator or denominator cell (column["of"]) is suppressed is
   suppressed; a MONEY or SCORE cell in a row where a count of the same period is suppressed
   is suppressed too (a charge at a fixed fee, or a mean over few people, would reveal the
   count), and money columns get rule 2 against their known totals.

Tables may carry two hints for rule 2, removed once it has run:
    row["links"] = [(table key, row label), ...]: this row's cells add up, with the other
        rows linked to the same target, to that row's cells (organisations to their sector);
    table["row_sums"] = {"booked": ["attended", "no_show", ...]}: one cell of a row is the
        sum of others in the same row (plus a rest taken as known).
    table["tied"] = {"delegates": ["pairs", "gain_pairs"]}: those counts give the first
        away (each delegate rates the same outcomes), so they are withheld with it and
        protected as it is.
A target that is not a suppressible cell (a headline figure) counts as a known sum.
Usually a few rounds of bound-working, whatever the size of the data (each withholds, for every
pinned count that shares no sum with one fixed this round, one cell)."""

import heapq
from collections import defaultdict, deque
from decimal import Decimal

from reports.tables import COUNT, MONEY, RATE, SCORE, is_suppressed

INF = float("inf")
# Sums of at most this many cells are "local" (see _Cells.local_sums).
LOCAL_SUM = 12


def _period_of(column_key):
    return column_key.split("@", 1)[1] if "@" in column_key else ""


def _as_number(cell, kind):
    if kind == MONEY:
        return int((Decimal(cell) * 100).to_integral_value())
    return cell


class _Cells:
    """Every suppressible numeric cell of the snapshot's small-group tables, with the
    linear facts (sums) an attacker knows about them."""

    def __init__(self, data, threshold):
        self.threshold = threshold
        self.value = {}      # id -> true value (money in pennies)
        self.kind = {}       # id -> COUNT | MONEY
        self.where = {}      # id -> (table, row dict, column key)
        self.constraints = []  # [(terms [(coef, id)], constant)]
        self.by_cell = defaultdict(list)  # id -> constraint indexes
        self.tied = {}       # id -> the id of the count it reveals (table["tied"])
        self.columns = defaultdict(list)  # (id(table), column key) -> ids, in order
        self.data = data

    def add_cell(self, cid, value, kind, tbl, row, key):
        self.value[cid] = value
        self.kind[cid] = kind
        self.where[cid] = (tbl, row, key)
        self.columns[(id(tbl), key)].append(cid)

    def add_constraint(self, terms, constant=0):
        terms = [(c, i) for c, i in terms if i in self.value]
        if len(terms) < 2 and constant == 0:
            return
        index = len(self.constraints)
        self.constraints.append((terms, constant))
        for _coef, cid in terms:
            self.by_cell[cid].append(index)

    def state(self, cid):
        _tbl, row, key = self.where[cid]
        cell = row["cells"].get(key)
        if not isinstance(cell, dict) or cell.get("suppressed") is not True:  # is_suppressed
            return "shown"
        return "secondary" if cell.get("secondary") else "primary"

    def bounds(self):
        """Each cell's [low, high] as an attacker can narrow it."""
        low, high = {}, {}
        for cid, value in self.value.items():
            state = self.state(cid)
            if state == "shown":
                low[cid] = high[cid] = value
            elif self.kind[cid] == MONEY:
                low[cid], high[cid] = 0, INF
            elif state == "primary":
                low[cid], high[cid] = 0, self.threshold - 1
            else:
                low[cid], high[cid] = self.threshold, INF
        # The shown cells of a sum are known numbers: move them into its constant once, so
        # that working out the bounds costs what the hidden cells do, not the whole table.
        constraints, by_cell = [], defaultdict(list)
        for terms, constant in self.constraints:
            hidden = []
            for coef, cid in terms:
                if low[cid] == high[cid]:
                    constant -= coef * low[cid]
                else:
                    hidden.append((coef, cid))
            if not hidden:
                continue  # all shown: tells nothing new
            for _coef, cid in hidden:
                by_cell[cid].append(len(constraints))
            constraints.append((hidden, constant))
        # First in, first out: a long sum waits while its cells change, then is worked
        # once for all of them (the bounds reached are the same in any order).
        queue = deque(range(len(constraints)))
        queued = set(queue)
        # Each change narrows an integer bound of a cell whose values the known sums keep
        # finite, so this ends; the cap only guards against a mistake, and failing loudly
        # is better than a report that gives a small count away.
        limit = 1000 * (len(constraints) + 1) + 1_000_000
        steps = 0
        while queue:
            steps += 1
            if steps > limit:
                raise RuntimeError("Small-count suppression did not settle.")
            index = queue.popleft()
            queued.discard(index)
            terms, constant = constraints[index]
            spans = [(min(c * low[i], c * high[i]), max(c * low[i], c * high[i]))
                     for c, i in terms]
            finite_min = sum(a for a, _b in spans if a != -INF)
            finite_max = sum(b for _a, b in spans if b != INF)
            open_min = sum(1 for a, _b in spans if a == -INF)
            open_max = sum(1 for _a, b in spans if b == INF)
            if open_min > 1 and open_max > 1:
                continue  # every other cell's span is open at both ends: nothing narrows
            if not open_min and not open_max and max(b - a for a, b in spans) <= min(
                    constant - finite_min, finite_max - constant):
                # A cell narrows only when its span is wider than the room the others
                # leave (constant - rest_max > own_min, or constant - rest_min < own_max):
                # none is, so this sum tells nothing new.
                continue
            for (coef, cid), (own_min, own_max) in zip(terms, spans, strict=True):
                if low[cid] == high[cid]:
                    continue
                if own_min == -INF:
                    rest_min = -INF if open_min > 1 else finite_min
                else:
                    rest_min = -INF if open_min else finite_min - own_min
                if own_max == INF:
                    rest_max = INF if open_max > 1 else finite_max
                else:
                    rest_max = INF if open_max else finite_max - own_max
                # coef * x = constant - rest
                a, b = (constant - rest_max) / coef, (constant - rest_min) / coef
                new_low, new_high = min(a, b), max(a, b)
                changed = False
                if new_low > high[cid] or new_high < low[cid]:
                    continue  # cannot happen with true sums; never loop on it
                if new_low > low[cid] and new_low != INF:
                    low[cid] = -(-new_low // 1)  # ceil
                    changed = True
                if new_high < high[cid] and new_high != -INF:
                    high[cid] = new_high // 1
                    changed = True
                if changed:
                    for other_index in by_cell[cid]:
                        if other_index not in queued:
                            queued.add(other_index)
                            queue.append(other_index)
        return low, high

    def local_sums(self, cid):
        """The sums `cid` is in that have few cells (a row's parts, a sector's organisations):
        two pinned counts that share one are fixed one round after the other, since the
        cell withheld for the first may free the second. A long sum (a whole column)
        does not hold them back: withholding one cell for each can only hide more."""
        return {index for index in self.by_cell[cid]
                if len(self.constraints[index][0]) <= LOCAL_SUM}

    def protected(self, cid):
        """A count under the threshold (or money that would reveal one) must not be
        worked out; a 0 or a larger count withheld beside it may be."""
        if cid in self.tied:  # it would give its leader away: as protected as that
            return self.protected(self.tied[cid])
        value = self.value[cid]
        if self.kind[cid] == MONEY:
            return value > 0
        return 0 < value < self.threshold

    def pinned(self):
        low, high = self.bounds()
        self.low, self.high = low, high  # suppress_nearby reads them
        self._spans, self._heaps = {}, {}
        return [cid for cid in self.value
                if self.state(cid) != "shown" and self.protected(cid)
                and low[cid] == high[cid]]

    def _suppress(self, cid):
        tbl, row, key = self.where[cid]
        before = row["cells"][key]
        if self.kind[cid] == COUNT and self.value[cid] >= self.threshold:
            row["cells"][key] = {"suppressed": True, "secondary": True}
        else:
            row["cells"][key] = {"suppressed": True}
        return before

    def _nearby_shown(self, cid, depth=3):
        """Shown cells reached from `cid` through the sums, nearest first: through the
        short sums first (cheap), then, when they reach none, through every sum."""
        return (self._reach(cid, depth, local_only=True)
                or self._reach(cid, depth, local_only=False))

    def _reach(self, cid, depth, *, local_only):
        seen, frontier, found = {cid}, [cid], []
        for distance in range(depth):
            next_frontier = []
            for current in frontier:
                for index in self.by_cell[current]:
                    if local_only and len(self.constraints[index][0]) > LOCAL_SUM:
                        continue
                    for _coef, other in self.constraints[index][0]:
                        if other in seen:
                            continue
                        seen.add(other)
                        next_frontier.append(other)
                        if self.state(other) == "shown":
                            found.append((distance, other))
            if found:  # only the nearest are ever chosen
                break
            frontier = next_frontier
        return found

    def _culprits(self, cid):
        """The sums that pin `cid`: the bounds of their other cells (as pinned() last
        worked them out) alone give its low or its high."""
        value, found = self.value[cid], []
        for index in self.by_cell[cid]:
            if index not in self._spans:  # each sum's span once a round
                terms, constant = self.constraints[index]
                spans = [(min(c * self.low[i], c * self.high[i]),
                          max(c * self.low[i], c * self.high[i])) for c, i in terms]
                self._spans[index] = (sum(a for a, _b in spans), sum(b for _a, b in spans))
            total_min, total_max = self._spans[index]
            terms, constant = self.constraints[index]
            own = sum(coef for coef, other in terms if other == cid)
            if not own:
                continue
            own_min = min(own * self.low[cid], own * self.high[cid])
            own_max = max(own * self.low[cid], own * self.high[cid])
            # The others' span (an open end stays open: never subtract infinities).
            rest_min = total_min - own_min if total_min != -INF else -INF
            rest_max = total_max - own_max if total_max != INF else INF
            a, b = (constant - rest_max) / own, (constant - rest_min) / own
            if min(a, b) >= value or max(a, b) <= value:
                found.append(index)
        return found

    def _smallest_shown(self, index, cid):
        """The shown cell of sum `index` to withhold first (0s, then the smallest counts,
        the same column as `cid` first); a long sum keeps its cells in a heap for the round."""
        terms = self.constraints[index][0]
        if len(terms) <= LOCAL_SUM:
            shown = [other for _coef, other in terms
                     if other != cid and self.state(other) == "shown"]
            return min(shown, key=lambda other: (
                self.value[other] != 0, self.value[other],
                self.where[other][2] != self.where[cid][2], str(other)), default=None)
        heap = self._heaps.get(index)
        if heap is None:
            heap = [(self.value[other] != 0, self.value[other], str(other), other)
                    for _coef, other in terms if self.state(other) == "shown"]
            heapq.heapify(heap)
            self._heaps[index] = heap
        while heap:
            other = heap[0][3]
            if other != cid and self.state(other) == "shown":
                return other
            heapq.heappop(heap)
        return None

    def suppress_nearby(self, cid):
        """Withhold the likeliest shown cell near `cid` (in a sum it is in, else in a sum
        of one of those; 0s first, then the smallest counts, the same column first) and
        return it; None when there is none. A shown cell of a sum that pins `cid` comes
        first: withholding anything else would leave it pinned for another round."""
        culprits = sorted(self._culprits(cid), key=lambda i: len(self.constraints[i][0]))
        for index in culprits:
            chosen = self._smallest_shown(index, cid)
            if chosen is not None:
                self._suppress(chosen)
                return chosen
        found = self._nearby_shown(cid)
        if not found:
            return None
        _d, chosen = min(found, key=lambda item: (
            item[0], self.value[item[1]] != 0, self.value[item[1]],
            self.where[item[1]][2] != self.where[cid][2], str(item[1])))
        self._suppress(chosen)
        return chosen

    def follow_tied(self):
        """A count tied to another (table["tied"]) is withheld whenever that one is."""
        for cid, leader in self.tied.items():
            if self.state(leader) != "shown" and self.state(cid) == "shown":
                self._suppress(cid)

    def column_rule(self, tbl):
        """In each column: while its suppressed counts are exactly one, or add up to less
        than the threshold, also suppress the next smallest non-zero count."""
        for col in tbl["columns"]:
            if col["kind"] != COUNT:
                continue
            ids = self.columns.get((id(tbl), col["key"]), [])
            while True:
                hidden = [i for i in ids if self.state(i) != "shown" and self.value[i] > 0]
                if not hidden or (len(hidden) > 1
                                  and sum(self.value[i] for i in hidden) >= self.threshold):
                    break
                shown = [i for i in ids if self.state(i) == "shown" and self.value[i] > 0]
                if not shown:
                    break
                self._suppress(min(shown, key=lambda i: (self.value[i], str(i))))


def _small_tables(data):
    for part in data.get("parts", []):
        for section in part.get("sections", []):
            for tbl in section.get("tables", []):
                if tbl.get("small_groups"):
                    yield part, tbl


def _primary(tbl, threshold):
    kinds = {c["key"]: c["kind"] for c in tbl["columns"]}
    for row in tbl["rows"]:
        for key, kind in kinds.items():
            cell = row["cells"].get(key)
            if kind == COUNT and isinstance(cell, int) and 0 < cell < threshold:
                row["cells"][key] = {"suppressed": True}


def _follow_rows(tbl):
    """Rates with a suppressed part, and money or scores beside a suppressed count."""
    columns = tbl["columns"]
    for row in tbl["rows"]:
        cells = row["cells"]
        suppressed_periods = {_period_of(c["key"]) for c in columns
                              if c["kind"] == COUNT and is_suppressed(cells.get(c["key"]))}
        for col in columns:
            key = col["key"]
            if is_suppressed(cells.get(key)) or cells.get(key) is None:
                continue
            if col["kind"] in (MONEY, SCORE) and _period_of(key) in suppressed_periods:
                cells[key] = {"suppressed": True}


def _follow_rates(tbl):
    for row in [*tbl["rows"], *([tbl["total"]] if tbl.get("total") else [])]:
        cells = row["cells"]
        for col in tbl["columns"]:
            if col["kind"] == RATE and col.get("of") and not is_suppressed(cells.get(col["key"])):
                if any(is_suppressed(cells.get(k)) for k in col["of"]):
                    cells[col["key"]] = {"suppressed": True}


def _build_cells(data, threshold):
    cells = _Cells(data, threshold)
    tables = {}
    for part, tbl in _small_tables(data):
        tables[tbl["key"]] = (part, tbl)
        for position, row in enumerate(tbl["rows"]):
            for col in tbl["columns"]:
                value = row["cells"].get(col["key"])
                if col["kind"] in (COUNT, MONEY) and isinstance(value, (int, str)):
                    cid = (tbl["key"], position, col["key"])
                    cells.add_cell(cid, _as_number(value, col["kind"]), col["kind"], tbl, row,
                                   col["key"])
    for key, (_part, tbl) in tables.items():
        column_keys = [c["key"] for c in tbl["columns"] if c["kind"] in (COUNT, MONEY)]
        positions = range(len(tbl["rows"]))
        # Column totals: known from the headline figures.
        for ckey in column_keys:
            ids = [(key, p, ckey) for p in positions]
            total = sum(cells.value[i] for i in ids if i in cells.value)
            cells.add_constraint([(1, i) for i in ids], total)
        # Sums within a row (booked = attended + no-shows + ...), for each period.
        for whole, parts in (tbl.get("row_sums") or {}).items():
            for suffix in {_period_of(c) for c in column_keys}:
                tail = f"@{suffix}" if suffix else ""
                if f"{whole}{tail}" not in column_keys or any(
                        f"{q}{tail}" not in column_keys for q in parts):
                    continue
                for p in positions:
                    terms = [(1, (key, p, f"{whole}{tail}"))] + [
                        (-1, (key, p, f"{q}{tail}")) for q in parts]
                    # The rest (places whose register is not marked yet) taken as known.
                    rest = sum(c * cells.value.get(i, 0) for c, i in terms)
                    cells.add_constraint(terms, rest)
        # Counts that give another away (pairs of ratings: the delegates times the
        # outcomes, which everyone knows): withheld with it, and protected like it.
        for leader, followers in (tbl.get("tied") or {}).items():
            for suffix in {_period_of(c) for c in column_keys}:
                tail = f"@{suffix}" if suffix else ""
                for p in positions:
                    lead = (key, p, f"{leader}{tail}")
                    for follower in followers:
                        cid = (key, p, f"{follower}{tail}")
                        if lead in cells.value and cid in cells.value:
                            cells.tied[cid] = lead
        # Rows linked to a row of another table (organisations to their sector).
        groups = defaultdict(list)
        for p, row in enumerate(tbl["rows"]):
            for target in row.get("links") or ():
                groups[tuple(target)].append(p)
        for (target_key, target_label), members in groups.items():
            target = tables.get(target_key)
            target_position = None
            if target:
                target_position = next((i for i, r in enumerate(target[1]["rows"])
                                        if r["label"] == target_label), None)
            for ckey in column_keys:
                terms = [(1, (key, p, ckey)) for p in members]
                target_id = (target_key, target_position, ckey)
                if target_position is not None and target_id in cells.value:
                    cells.add_constraint([*terms, (-1, target_id)])
                else:  # the target is public elsewhere: a known sum
                    cells.add_constraint(terms, sum(cells.value.get(i, 0) for _c, i in terms))
    # An annual report's audience parts add up to its whole programme.
    parts = {part["key"]: part for part in data.get("parts", [])}
    if "all" in parts and len(parts) > 1:
        positions_by_label = {}  # table key -> {row label: [positions]}: one pass per table

        def positions_of(table_key, label):
            if table_key not in positions_by_label:
                index = defaultdict(list)
                for p2, r2 in enumerate(tables[table_key][1]["rows"]):
                    index[r2["label"]].append(p2)
                positions_by_label[table_key] = index
            return positions_by_label[table_key].get(label, ())

        for key, (part, tbl) in tables.items():
            if part["key"] != "all":
                continue
            for position, row in enumerate(tbl["rows"]):
                for col in tbl["columns"]:
                    if col["kind"] not in (COUNT, MONEY):
                        continue
                    terms = [(1, (key, position, col["key"]))]
                    for other_key in parts:
                        if other_key == "all" or f"{other_key}-{key}" not in tables:
                            continue
                        for p2 in positions_of(f"{other_key}-{key}", row["label"]):
                            terms.append((-1, (f"{other_key}-{key}", p2, col["key"])))
                    if len(terms) > 1:
                        cells.add_constraint(terms)
    return cells


def _adjust_totals(tbl, threshold):
    adjusted = False
    for col in tbl["columns"] if tbl.get("total") else ():
        key = col["key"]
        if col["kind"] not in (COUNT, MONEY):
            continue
        column_cells = [r["cells"].get(key) for r in tbl["rows"]]
        if not any(is_suppressed(c) for c in column_cells):
            continue
        shown = [c for c in column_cells if c is not None and not is_suppressed(c)]
        if not any(Decimal(c) if col["kind"] == MONEY else c for c in shown):
            # Every figure of the column is hidden: a total of the cells shown would read 0
            # beside a headline that says otherwise. The total is withheld too.
            tbl["total"]["cells"][key] = {"suppressed": True, "secondary": True}
        elif col["kind"] == MONEY:
            tbl["total"]["cells"][key] = str(sum((Decimal(c) for c in shown), Decimal("0.00")))
        else:
            tbl["total"]["cells"][key] = sum(shown)
        adjusted = True
    if adjusted:
        for col in tbl["columns"]:
            if col["kind"] == RATE and col.get("of"):
                num, den = (tbl["total"]["cells"].get(k) for k in col["of"][:2])
                if is_suppressed(num) or is_suppressed(den):
                    tbl["total"]["cells"][col["key"]] = {"suppressed": True, "secondary": True}
                elif isinstance(num, (int, float)) and isinstance(den, (int, float)):
                    tbl["total"]["cells"][col["key"]] = (num / den) if den else None
        note = (f'Totals leave out the cells shown as "fewer than {threshold}", so that '
                "they cannot be worked out by subtraction.")
        if note not in tbl["notes"]:
            tbl["notes"].append(note)
    secondary = any(isinstance(c, dict) and c.get("secondary")
                    for r in tbl["rows"] for c in r["cells"].values())
    if secondary:
        note = ('Some larger counts are shown as "withheld", so that a small count cannot be '
                "worked out from the totals or from other tables; totals leave them out too.")
        if note not in tbl["notes"]:
            tbl["notes"].append(note)


def apply(data, threshold=None):
    """Suppress small counts in every small-group table of `data`, in place."""
    threshold = threshold if threshold is not None else data.get("threshold", 3)
    data["threshold"] = threshold
    tables = [tbl for _part, tbl in _small_tables(data)]
    # Every cell with its true value first: the attacker knows the true sums.
    cells = _build_cells(data, threshold)
    for tbl in tables:
        _primary(tbl, threshold)
    cells.follow_tied()
    for tbl in tables:
        _follow_rows(tbl)
    for tbl in tables:
        cells.column_rule(tbl)
        _follow_rows(tbl)
    # Each round: work out every cell's possible values once, then for each count that
    # can be pinned (and shares no sum with a cell already withheld this round) withhold
    # the likeliest cell near it. A fixed few rounds in practice, whatever the data size.
    unfixable, attempts = set(), defaultdict(int)
    for _round in range(1000):
        pinned = [cid for cid in cells.pinned() if cid not in unfixable]
        if not pinned:
            break
        touched = set()
        for cid in pinned:
            if touched & cells.local_sums(cid):
                continue
            # A count still pinned after a round had a cell withheld that gave it no room
            # (itself pinned by its own row): withhold twice as many each time, so that a
            # stubborn one takes a few rounds, not one round per cell of a long table.
            withheld = 0
            for _n in range(2 ** min(attempts[cid], 10)):
                chosen = cells.suppress_nearby(cid)
                if chosen is None:
                    break
                withheld += 1
                touched.update(cells.local_sums(chosen))
            attempts[cid] += 1
            if not withheld:
                # Nothing left beside it to withhold (it is its sums' only figure, e.g.
                # the whole column): it stays, as the headline shows it anyway.
                unfixable.add(cid)
                continue
            touched.update(cells.local_sums(cid))
        cells.follow_tied()
        for tbl in tables:
            _follow_rows(tbl)
    for tbl in tables:
        _follow_rates(tbl)
        _adjust_totals(tbl, threshold)
        tbl.pop("row_sums", None)
        tbl.pop("tied", None)
        for row in tbl["rows"]:
            row.pop("links", None)
    return data
