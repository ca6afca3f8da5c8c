"""reports.privacy: small counts are shown as "fewer than N" and cannot be worked out by
subtraction from any total, row, linked table or headline figure. Pure: no database.

`attacker` below is written independently of the module: it tries every value each
suppressed cell could hold (0 to N-1 for "fewer than N", N or more for a larger count
withheld beside it) against every sum it knows (each column's true total, from the headline
figures; "booked" = the parts of a row), and lists the values still possible."""

import itertools

from reports import privacy
from reports.tables import COUNT, MONEY, RATE, column, display, is_suppressed, row, table


def snapshot(*tables, threshold=3):
    return {"threshold": threshold, "parts": [
        {"key": "all", "title": "Whole programme",
         "sections": [{"key": "s", "title": "S", "tables": list(tables)}]}]}


def visible(tbl, key):
    return [r["cells"][key] for r in tbl["rows"] if not is_suppressed(r["cells"][key])]


def attacker(tbl, true_rows, threshold, row_sums=None):
    """{(row label, column): set of values an attacker cannot rule out} for every
    suppressed cell. Without row sums each column is a puzzle of its own."""
    if not row_sums:
        possible = {}
        for col in tbl["columns"]:
            if col["kind"] == COUNT:
                one = {**tbl, "columns": [col]}
                possible.update(_attack(one, true_rows, threshold, None))
        return possible
    return _attack(tbl, true_rows, threshold, row_sums)


def _attack(tbl, true_rows, threshold, row_sums):
    keys = [c["key"] for c in tbl["columns"] if c["kind"] == COUNT]
    true_total = {k: sum(r[k] for r in true_rows.values()) for k in keys}
    unknown = [(r["label"], k) for r in tbl["rows"] for k in keys
               if is_suppressed(r["cells"][k])]
    domains = []
    for label, k in unknown:
        cell = next(r for r in tbl["rows"] if r["label"] == label)["cells"][k]
        top = true_total[k]
        domains.append(range(threshold, top + 1) if cell.get("secondary")
                       else range(min(threshold, top + 1)))
    possible = {u: set() for u in unknown}
    for values in itertools.product(*domains):
        guess = {r["label"]: dict(r["cells"]) for r in tbl["rows"]}
        for (label, k), v in zip(unknown, values, strict=True):
            guess[label][k] = v
        if any(sum(g[k] for g in guess.values()) != true_total[k] for k in keys):
            continue
        if row_sums and any(g[w] != sum(g[p] for p in parts)
                            for g in guess.values() for w, parts in row_sums.items()):
            continue
        for u, v in zip(unknown, values, strict=True):
            possible[u].add(v)
    return possible


def by_organisation(values, threshold=3):
    rows = [row(name, attended=n) for name, n in values.items()]
    tbl = table("by-org", "Attendance by organisation", row_header="Organisation",
                columns=[column("attended", "Attended", COUNT)], rows=rows,
                total=row("Total", attended=sum(values.values())), small_groups=True)
    privacy.apply(snapshot(tbl, threshold=threshold))
    return tbl


def test_a_cell_of_two_shows_fewer_than_3_and_no_total_gives_it_away():
    true = {"Council": 10, "Nursery": 2, "Police": 7, "School": 5}
    tbl = by_organisation(true)
    cells = {r["label"]: r["cells"]["attended"] for r in tbl["rows"]}
    assert display(cells["Nursery"], COUNT, 3) == "fewer than 3"
    # The next smallest count is withheld beside it, marked as such.
    assert cells["School"] == {"suppressed": True, "secondary": True}
    assert (cells["Council"], cells["Police"]) == (10, 7)
    # The total is the sum of the cells shown, and says so.
    assert tbl["total"]["cells"]["attended"] == 17
    assert any('leave out the cells shown as "fewer than 3"' in n for n in tbl["notes"])
    # Neither the table's total nor the true total (the headline) gives the 2.
    for total in (tbl["total"]["cells"]["attended"], sum(true.values())):
        assert total - sum(visible(tbl, "attended")) != 2
    possible = attacker(tbl, {k: {"attended": v} for k, v in true.items()}, 3)
    assert possible[("Nursery", "attended")] == {0, 1, 2}


def test_two_small_cells_that_sum_below_the_threshold_take_a_third():
    true = {"A": 1, "B": 1, "C": 9, "D": 4}
    tbl = by_organisation(true)
    cells = {r["label"]: r["cells"]["attended"] for r in tbl["rows"]}
    assert is_suppressed(cells["A"]) and is_suppressed(cells["B"])
    assert is_suppressed(cells["D"]) and cells["C"] == 9
    possible = attacker(tbl, {k: {"attended": v} for k, v in true.items()}, 3)
    assert all(len(v) > 1 for v in possible.values())


def test_two_cells_of_two_are_not_left_to_be_worked_out_together():
    # 2 + 2 = 4 is not below the threshold, yet two "fewer than 3" adding up to 4 are
    # both 2: a third cell is withheld.
    true = {"A": 2, "B": 2, "C": 9, "D": 0}
    tbl = by_organisation(true)
    cells = {r["label"]: r["cells"]["attended"] for r in tbl["rows"]}
    assert cells["D"] == {"suppressed": True}  # a 0 is honestly "fewer than 3"
    assert cells["C"] == 9
    possible = attacker(tbl, {k: {"attended": v} for k, v in true.items()}, 3)
    assert possible[("A", "attended")] == {0, 1, 2}


def test_rows_that_add_up_do_not_give_a_cell_away():
    # booked = attended + no-shows: a row showing both would give its no-shows away.
    columns = [column("booked", "Places booked"), column("attended", "Attended"),
               column("no_show", "No-shows")]
    true = {"Council": {"booked": 6, "attended": 4, "no_show": 2},
            "Police": {"booked": 5, "attended": 5, "no_show": 0},
            "School": {"booked": 9, "attended": 5, "no_show": 4}}
    tbl = {**table("by-org", "T", row_header="Organisation", columns=columns,
                   rows=[row(k, **v) for k, v in true.items()],
                   total=row("Total", booked=20, attended=14, no_show=6), small_groups=True),
           "row_sums": {"booked": ["attended", "no_show"]}}
    privacy.apply(snapshot(tbl))
    council = tbl["rows"][0]["cells"]
    assert is_suppressed(council["no_show"])
    shown = [council[k] for k in ("booked", "attended") if not is_suppressed(council[k])]
    assert len(shown) < 2, "booked - attended would give the no-shows away"
    hidden = sum(is_suppressed(c) for r in tbl["rows"] for c in r["cells"].values())
    if hidden <= 5:  # the brute force below tries every value of every hidden cell
        possible = attacker(tbl, true, 3, row_sums={"booked": ["attended", "no_show"]})
        assert len(possible[("Council", "no_show")]) > 1
    else:  # so much is withheld that the row and its total give nothing to subtract from
        assert all(is_suppressed(council[k]) for k in ("booked", "attended", "no_show"))
        assert is_suppressed(tbl["total"]["cells"]["booked"])
    assert "row_sums" not in tbl


def test_organisations_cannot_be_worked_out_from_their_sector():
    sectors = table("by-sector", "By sector", row_header="Sector",
                    columns=[column("attended", "Attended")],
                    rows=[row("Statutory", attended=12), row("Voluntary", attended=9)],
                    small_groups=True)
    orgs = table("by-org", "By organisation", row_header="Organisation",
                 columns=[column("attended", "Attended")], small_groups=True,
                 rows=[{**row("Council", attended=10), "links": [("by-sector", "Statutory")]},
                       {**row("Nursery", attended=2), "links": [("by-sector", "Statutory")]},
                       {**row("Carers", attended=4), "links": [("by-sector", "Voluntary")]},
                       {**row("Youth club", attended=5),
                        "links": [("by-sector", "Voluntary")]}])
    privacy.apply(snapshot(sectors, orgs))
    cells = {r["label"]: r["cells"]["attended"] for r in orgs["rows"]}
    assert is_suppressed(cells["Nursery"])
    # Statutory 12 is shown: Council must not be, or 12 - 10 gives the nursery's 2.
    assert is_suppressed(cells["Council"])
    assert "links" not in orgs["rows"][0]


def test_an_annual_part_cannot_be_worked_out_from_the_whole_programme():
    def part(key, prefix, values):
        return {"key": key, "title": key, "sections": [{"key": "s", "title": "S", "tables": [
            table(f"{prefix}by-sector", "By sector", row_header="Sector",
                  columns=[column("attended", "Attended")], small_groups=True,
                  rows=[row(k, attended=v) for k, v in values.items()])]}]}
    data = {"threshold": 3, "parts": [
        part("all", "", {"Statutory": 15, "Voluntary": 9}),
        part("children", "children-", {"Statutory": 2, "Voluntary": 5}),
        part("adults", "adults-", {"Statutory": 8, "Voluntary": 4}),
        part("joint", "joint-", {"Statutory": 5, "Voluntary": 0}),
    ]}
    privacy.apply(data)
    children = data["parts"][1]["sections"][0]["tables"][0]["rows"]
    adults = data["parts"][2]["sections"][0]["tables"][0]["rows"]
    joint = data["parts"][3]["sections"][0]["tables"][0]["rows"]
    assert is_suppressed(children[0]["cells"]["attended"])
    # 15 - 8 - 5 would give the children's 2: one of them is withheld too.
    assert is_suppressed(adults[0]["cells"]["attended"]) or is_suppressed(
        joint[0]["cells"]["attended"]) or is_suppressed(
        data["parts"][0]["sections"][0]["tables"][0]["rows"][0]["cells"]["attended"])


def test_compared_columns_are_suppressed_independently():
    columns = [column("attended", "Attended", compare=True),
               {**column("attended@previous", "April to June 2026"), "compares": "attended"}]
    rows = [row("A", **{"attended": 2, "attended@previous": 9}),
            row("B", **{"attended": 8, "attended@previous": 1}),
            row("C", **{"attended": 6, "attended@previous": 7})]
    tbl = table("t", "T", row_header="O", columns=columns, rows=rows, small_groups=True,
                total=row("Total", **{"attended": 16, "attended@previous": 17}))
    privacy.apply(snapshot(tbl))
    cells = [r["cells"] for r in tbl["rows"]]
    assert is_suppressed(cells[0]["attended"]) and cells[0]["attended@previous"] == 9
    assert is_suppressed(cells[1]["attended@previous"]) and cells[1]["attended"] == 8
    assert tbl["total"]["cells"] == {"attended": 8, "attended@previous": 9}


def test_rates_and_money_beside_a_suppressed_count_are_suppressed():
    columns = [column("booked", "Places booked"), column("no_show", "No-shows"),
               column("rate", "No-show rate", RATE, of=["no_show", "booked"]),
               column("charged", "Charged", MONEY)]
    tbl = table("t", "T", row_header="O", columns=columns, small_groups=True, rows=[
        row("A", booked=20, no_show=2, rate=0.1, charged="200.00"),
        row("B", booked=30, no_show=3, rate=0.1, charged="300.00"),
        row("C", booked=40, no_show=8, rate=0.2, charged="800.00"),
    ], total=row("Total", booked=90, no_show=13, rate=13 / 90, charged="1300.00"))
    privacy.apply(snapshot(tbl))
    a = tbl["rows"][0]["cells"]
    assert is_suppressed(a["no_show"]) and is_suppressed(a["rate"])
    assert is_suppressed(a["charged"])  # £100 a no-show would give the 2 away
    # ... and the money column's total cannot give A's £200 either.
    shown_money = [r["cells"]["charged"] for r in tbl["rows"]
                   if not is_suppressed(r["cells"]["charged"])]
    assert len(shown_money) <= 1
    assert tbl["total"]["cells"]["charged"] == str(sum(float(m) for m in shown_money) or 0)\
        or float(tbl["total"]["cells"]["charged"]) == sum(float(m) for m in shown_money)


def test_the_threshold_is_the_setting():
    true = {"A": 4, "B": 10, "C": 12, "D": 6}
    tbl = by_organisation(true, threshold=5)
    cells = {r["label"]: r["cells"]["attended"] for r in tbl["rows"]}
    assert display(cells["A"], COUNT, 5) == "fewer than 5"
    assert any('"fewer than 5"' in n for n in tbl["notes"])
    assert by_organisation(true, threshold=3)["rows"][0]["cells"]["attended"] == 4


def test_tables_without_small_groups_are_left_alone():
    tbl = table("headline", "Events and places", row_header="Measure",
                columns=[column("number", "Number")], rows=[row("No-shows", number=1)])
    privacy.apply(snapshot(tbl))
    assert tbl["rows"][0]["cells"]["number"] == 1
