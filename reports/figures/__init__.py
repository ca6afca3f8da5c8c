"""The figures of a report, one module per section. Each module has

    def tables(period, *, audience=None, partnership) -> list[table]

(period: reports.periods.Period; audience: None for the whole programme, or a
courses.Audience value for an annual report's part; tables as reports.tables describes)
and computes them with a fixed number of aggregate queries, whatever the size of the data.
reports.build calls them for the period and the periods it is compared with."""

# (key, title, module path): the report's sections in order.
SECTIONS = [
    ("activity", "Events and places", "reports.figures.activity"),
    ("demand", "Demand that found no place", "reports.figures.demand"),
    ("attendance", "Who attended", "reports.figures.attendance"),
    ("elearning", "E-learning", "reports.figures.elearning"),
    ("evaluation", "Evaluation and impact", "reports.figures.evaluation"),
    ("charging", "Charges", "reports.figures.charging"),
]
