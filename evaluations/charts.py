"""Charts drawn on the server as SVG: no JavaScript, no style attributes (the CSP forbids
inline styles; SVG presentation attributes such as fill= are not styles). Each chart carries a
<title> and a <desc> (role="img", aria-labelledby), and the page shows the same figures as a
table beside it, so nobody needs to read the picture. The same markup goes into the PDF
(WeasyPrint draws inline SVG)."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

BAR = "#1d70b8"
AXIS = "#505a5f"
TEXT = "#0b0c0c"
NEGATIVE = "#d4351c"


def _fmt(value, decimals):
    return f"{value:.{decimals}f}" if decimals else f"{int(round(value))}"


def bar_chart_svg(*, chart_id, title, desc, bars, max_value, min_value=0, decimals=0,
                  width=560, bar_height=26, label_width=190):
    """Horizontal bars: `bars` is a list of (label, value). Values are drawn from min_value
    (0 or below, for a negative mean gain) to max_value. Returns safe markup: every piece of
    text in it is escaped here."""
    gap = 8
    top = 8
    plot_left = label_width + 8
    plot_width = width - plot_left - 60
    span = (max_value - min_value) or 1
    zero_x = plot_left + plot_width * (0 - min_value) / span
    height = top + len(bars) * (bar_height + gap) + 22
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        f'font-family="Arial, Helvetica, sans-serif" font-size="13">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(desc)}</desc>',
    ]
    for i, (label, value) in enumerate(bars):
        y = top + i * (bar_height + gap)
        text_y = y + bar_height / 2 + 4
        shown = str(label)
        if len(shown) > 30:
            shown = shown[:29] + "…"
        parts.append(f'<text x="{label_width}" y="{text_y:.1f}" text-anchor="end" '
                     f'fill="{TEXT}">{escape(shown)}</text>')
        if value is None:
            parts.append(f'<text x="{plot_left + 4}" y="{text_y:.1f}" fill="{AXIS}">'
                         'no answers</text>')
            continue
        clipped = max(min(value, max_value), min_value)
        x_end = plot_left + plot_width * (clipped - min_value) / span
        x, w = (zero_x, x_end - zero_x) if x_end >= zero_x else (x_end, zero_x - x_end)
        colour = BAR if value >= 0 else NEGATIVE
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{max(w, 0):.1f}" '
                     f'height="{bar_height}" fill="{colour}"/>')
        label_x = max(x_end, zero_x) + 6
        parts.append(f'<text x="{label_x:.1f}" y="{text_y:.1f}" fill="{TEXT}">'
                     f'{escape(_fmt(value, decimals))}</text>')
    axis_bottom = top + len(bars) * (bar_height + gap)
    parts.append(f'<line x1="{zero_x:.1f}" y1="{top - 4}" x2="{zero_x:.1f}" '
                 f'y2="{axis_bottom}" stroke="{AXIS}" stroke-width="1"/>')
    parts.append(f'<text x="{plot_left}" y="{axis_bottom + 16}" fill="{AXIS}">'
                 f'{escape(_fmt(min_value, decimals))}</text>')
    parts.append(f'<text x="{plot_left + plot_width}" y="{axis_bottom + 16}" '
                 f'text-anchor="end" fill="{AXIS}">{escape(_fmt(max_value, decimals))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def distribution_svg(distribution, *, chart_id):
    """A histogram of one rating question: how many chose each point of the scale."""
    d = distribution
    bars = []
    for value, count, _pct in d.rows:
        label = str(value)
        if value == 1 and d.min_label:
            label = f"1 ({d.min_label})"
        elif value == d.scale_max and d.max_label:
            label = f"{value} ({d.max_label})"
        bars.append((label, count))
    counts = ", ".join(f"{v}: {c}" for v, c, _ in d.rows)
    mean = f"{d.mean:.2f}" if d.mean is not None else "none"
    desc = (f"How many of the {d.n} delegates who answered chose each rating from 1 to "
            f"{d.scale_max}. {counts}. Mean {mean}.")
    return bar_chart_svg(chart_id=chart_id, title=d.text or d.key, desc=desc, bars=bars,
                         max_value=max(max(d.counts, default=0), 1), decimals=0)


def gain_svg(summaries, *, chart_id, title="Normalised learning gain by learning outcome"):
    """Mean normalised gain (g, from -1 to 1, drawn from 0 unless a mean is negative) per
    learning outcome, each bar labelled with its outcome."""
    bars = [(s.outcome_text or f"Outcome {s.outcome_index + 1}", s.mean_gain) for s in summaries]
    lowest = min([v for _, v in bars if v is not None] + [0])
    desc = "; ".join(
        f"{label}: mean g {v:.2f} from {s.gain_pairs} pair{'s' if s.gain_pairs != 1 else ''}"
        if v is not None else f"{label}: no pairs"
        for (label, v), s in zip(bars, summaries, strict=True))
    return bar_chart_svg(chart_id=chart_id, title=title, desc=desc or "No pairs.", bars=bars,
                         max_value=1, min_value=-1 if lowest < 0 else 0, decimals=2,
                         label_width=230)
