"""Learning gain and score aggregates (evaluations.scores), without a database, against values
worked out by hand."""

from fractions import Fraction

import pytest

from evaluations import charts, scores
from evaluations.scores import OutcomeRating as R


def ratings(delegate, values, *, scale_max=5):
    return [R(delegate=delegate, outcome_index=i, value=v, scale_max=scale_max,
              outcome_text=f"Outcome {'AB'[i]}") for i, v in enumerate(values)]


# Outcomes A and B on a 1-5 scale:
#   Ann:  pre 2, 3 -> post 4, 4: change +2, +1; g = 2/3, 1/2
#   Bob:  pre 5, 1 -> post 5, 3: change 0, +2; g left out (pre at the maximum), 2/4 = 1/2
#   Cat:  pre 1, 1 and no post: no pair at all
#   Dan:  pre 4 on A only -> post 3, 5: A change -1, g = -1/1 = -1; B has no pre: no pair
PRE = ratings("ann", [2, 3]) + ratings("bob", [5, 1]) + ratings("cat", [1, 1]) + ratings(
    "dan", [4])
POST = ratings("ann", [4, 4]) + ratings("bob", [5, 3]) + ratings("dan", [3, 5])


def test_pairs_need_both_a_pre_and_a_post_rating_of_the_same_outcome():
    pairs = scores.pairs_make(PRE, POST)
    assert {(p.delegate, p.outcome_index) for p in pairs} == {
        ("ann", 0), ("ann", 1), ("bob", 0), ("bob", 1), ("dan", 0)}
    assert "cat" not in {p.delegate for p in pairs}  # only a pre answer: no pair


def test_pre_at_the_maximum_is_left_out_of_g_but_counts_in_the_raw_change():
    bob_a = next(p for p in scores.pairs_make(PRE, POST)
                 if (p.delegate, p.outcome_index) == ("bob", 0))
    assert bob_a.raw_change == 0
    assert bob_a.gain is None


def test_event_means_hand_computed():
    summary = scores.learning_gain(scores.pairs_make(PRE, POST))
    # changes: +2, +1, 0, +2, -1 -> 4 / 5 = 0.8 over 5 pairs (Ann, Bob, Dan)
    assert summary.pairs == 5
    assert summary.delegates == 3
    assert summary.mean_change == pytest.approx(0.8)
    # g: 2/3, 1/2, 1/2, -1 (Bob's A left out) -> (2/3 + 1/2 + 1/2 - 1) / 4 = 2/3 / 4 = 1/6
    assert summary.gain_pairs == 4
    assert summary.left_out == 1
    assert summary.mean_gain == pytest.approx(1 / 6)


def test_per_outcome_means_hand_computed():
    a, b = scores.learning_gain_by_outcome(scores.pairs_make(PRE, POST))
    # A: Ann +2 (g 2/3), Bob 0 (left out), Dan -1 (g -1): change 1/3, g (2/3 - 1)/2 = -1/6
    assert (a.outcome_index, a.outcome_text, a.pairs) == (0, "Outcome A", 3)
    assert a.mean_change == pytest.approx(1 / 3)
    assert (a.gain_pairs, a.left_out) == (2, 1)
    assert a.mean_gain == pytest.approx(-1 / 6)
    # B: Ann +1 (g 1/2), Bob +2 (g 1/2): change 1.5, g 0.5
    assert (b.pairs, b.gain_pairs, b.delegates) == (2, 2, 2)
    assert b.mean_change == pytest.approx(1.5)
    assert b.mean_gain == pytest.approx(0.5)


def test_different_scales_make_no_pair():
    pairs = scores.pairs_make(ratings("eve", [3], scale_max=5), ratings("eve", [8], scale_max=10))
    assert pairs == []
    summary = scores.learning_gain(pairs)
    assert (summary.pairs, summary.mean_change, summary.mean_gain) == (0, None, None)


def test_only_pre_at_the_maximum_gives_a_change_and_no_g():
    summary = scores.learning_gain(scores.pairs_make(ratings("x", [10], scale_max=10),
                                                     ratings("x", [9], scale_max=10)))
    assert (summary.pairs, summary.mean_change, summary.gain_pairs, summary.mean_gain) == (
        1, -1.0, 0, None)


def test_gain_is_exact():
    pair = scores.Pair(delegate=1, outcome_index=0, pre=2, post=3, scale_max=5)
    assert pair.gain == Fraction(1, 3)


def test_rating_distribution_hand_computed():
    d = scores.rating_distribution([5, 4, 4, 2, 5, 5, None, 7], scale_max=5, text="Satisfied?")
    # None and 7 are not ratings on this scale
    assert d.counts == (0, 1, 0, 2, 3)
    assert d.n == 6
    assert d.mean == pytest.approx(25 / 6)
    assert d.rows == [(1, 0, 0), (2, 1, 17), (3, 0, 0), (4, 2, 33), (5, 3, 50)]


def test_empty_distribution_has_no_mean():
    d = scores.rating_distribution([], scale_max=10)
    assert (d.n, d.mean, len(d.counts)) == (0, None, 10)


def test_choice_counts_keep_the_options_order_and_old_options():
    counts = scores.choice_counts([["Yes"], ["No"], ["Yes", "Maybe"], ["Retired option"]],
                                  choices=["Yes", "No", "Maybe", "Never"])
    assert counts == [("Yes", 2), ("No", 1), ("Maybe", 1), ("Never", 0),
                      ("Retired option", 1)]


def test_distribution_chart_is_accessible_svg_without_style_or_script():
    d = scores.rating_distribution([1, 5, 5], scale_max=5, text="Relevance <to role>",
                                   min_label="Not at all", max_label="Very")
    svg = str(charts.distribution_svg(d, chart_id="c1"))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Relevance &lt;to role&gt;</title>' in svg
    assert "1: 1, 2: 0, 3: 0, 4: 0, 5: 2. Mean 3.67." in svg
    assert "style=" not in svg and "<script" not in svg
    assert svg.count("<rect") == 5


def test_gain_chart_draws_negative_means_from_zero():
    pairs = scores.pairs_make(PRE, POST)
    svg = str(charts.gain_svg(scores.learning_gain_by_outcome(pairs), chart_id="g"))
    assert "Outcome A: mean g -0.17 from 2 pairs; Outcome B: mean g 0.50 from 2 pairs" in svg
    assert charts.NEGATIVE in svg


def test_every_label_an_officer_typed_is_escaped_in_the_chart():
    """The chart is returned as safe markup: bar labels (learning outcomes, choices typed by
    officers) must be escaped as well as the title."""
    svg = str(charts.bar_chart_svg(
        chart_id="x", title="T", desc="D", max_value=5,
        bars=[('<script>alert(1)</script>', 3), ('"><img src=x onerror=1>', None)]))
    assert "<script" not in svg and "<img" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "&quot;&gt;&lt;img src=x" in svg
