"""Learning gain and score aggregates: pure functions over plain values (no ORM, no names).

DOMAIN.md: "Learning gain per delegate and outcome: post - pre, and the normalised gain
(post - pre) / (max - pre), left out where pre is the maximum; an average is always shown with
the number of pre/post pairs behind it."

The rules, exactly:
- A **pair** is one delegate's pre-course and post-course confidence rating of ONE learning
  outcome, on the same scale. A delegate with only a pre (or only a post) answer for an outcome
  contributes no pair for it; ratings on different scales (a questionnaire changed from 1-5 to
  1-10 in between) make no pair either.
- **Raw change** = post - pre, for every pair (including those whose pre was the maximum).
- **Normalised gain** g = (post - pre) / (max - pre) (Hake), LEFT OUT where pre == max (there is
  nothing left to gain, and the fraction is undefined); such a pair still counts in the raw
  change. So the mean g rests on `gain_pairs` pairs, which may be fewer than `pairs`.
- Means over an event or a course are over all its pairs (each delegate x outcome pair counts
  once), shown beside `pairs` (and `gain_pairs` for g) and the number of delegates behind them.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class OutcomeRating:
    """One confidence rating of one learning outcome. `delegate` is an opaque key (the booking
    the pre and post questionnaires share), never a name."""

    delegate: object
    outcome_index: int
    value: int
    scale_max: int
    outcome_text: str = ""


@dataclass(frozen=True)
class Pair:
    delegate: object
    outcome_index: int
    pre: int
    post: int
    scale_max: int
    outcome_text: str = ""

    @property
    def raw_change(self):
        return self.post - self.pre

    @property
    def gain(self):
        """Hake's g as a Fraction, or None where pre is already the maximum (left out)."""
        if self.pre >= self.scale_max:
            return None
        return Fraction(self.post - self.pre, self.scale_max - self.pre)


@dataclass(frozen=True)
class GainSummary:
    """Mean raw change over `pairs` pairs; mean g over `gain_pairs` pairs (pre below the
    maximum); `delegates` is how many delegates those pairs come from. Means are None when
    there is nothing to average."""

    pairs: int
    delegates: int
    mean_change: float | None
    gain_pairs: int
    mean_gain: float | None
    outcome_index: int | None = None
    outcome_text: str = ""

    @property
    def left_out(self):
        """Pairs left out of g because pre was already the maximum."""
        return self.pairs - self.gain_pairs


def pairs_make(pre, post):
    """Match pre and post ratings (iterables of OutcomeRating) by delegate and outcome: the
    same place in the list AND the same wording (an officer may reorder or reword a course's
    learning outcomes between a delegate's pre and post answers: a rating of one outcome is
    never paired with another's). Unmatched ratings, and ratings on different scales, make no
    pair."""
    def key(r):
        return (r.delegate, r.outcome_index, (r.outcome_text or "").strip())

    before = {key(r): r for r in pre}
    out = []
    for r in post:
        p = before.get(key(r))
        if p is None or p.scale_max != r.scale_max:
            continue
        out.append(Pair(delegate=r.delegate, outcome_index=r.outcome_index, pre=p.value,
                        post=r.value, scale_max=r.scale_max,
                        outcome_text=r.outcome_text or p.outcome_text))
    out.sort(key=lambda x: (x.outcome_index, str(x.delegate)))
    return out


def _mean(values):
    values = list(values)
    if not values:
        return None
    return float(sum(values, Fraction(0)) / len(values))


def learning_gain(pairs, *, outcome_index=None, outcome_text=""):
    """The GainSummary of a set of pairs (see the module's rules)."""
    pairs = list(pairs)
    gains = [p.gain for p in pairs if p.gain is not None]
    return GainSummary(
        pairs=len(pairs), delegates=len({p.delegate for p in pairs}),
        mean_change=_mean(Fraction(p.raw_change) for p in pairs),
        gain_pairs=len(gains), mean_gain=_mean(gains),
        outcome_index=outcome_index, outcome_text=outcome_text,
    )


def learning_gain_by_outcome(pairs):
    """One GainSummary per learning outcome, in outcome order."""
    by = defaultdict(list)
    for p in pairs:
        by[p.outcome_index].append(p)
    return [learning_gain(ps, outcome_index=i, outcome_text=next(
        (p.outcome_text for p in ps if p.outcome_text), ""))
        for i, ps in sorted(by.items())]


@dataclass(frozen=True)
class Distribution:
    """How many answered each point 1..scale_max of a rating question, with the mean and the
    number of answers (`n`) behind it."""

    scale_max: int
    counts: tuple  # counts[i] is the number who chose i + 1
    n: int
    mean: float | None
    key: str = ""
    text: str = ""
    min_label: str = ""
    max_label: str = ""

    @property
    def rows(self):
        """(value, count, percentage of n) for each point of the scale."""
        return [(i + 1, c, round(100 * c / self.n) if self.n else 0)
                for i, c in enumerate(self.counts)]


def rating_distribution(values, *, scale_max, key="", text="", min_label="", max_label=""):
    """The Distribution of rating answers (ints from 1 to scale_max; others are ignored as
    not a rating on this scale)."""
    values = [v for v in values if v is not None and 1 <= v <= scale_max]
    counter = Counter(values)
    return Distribution(
        scale_max=scale_max, counts=tuple(counter.get(i, 0) for i in range(1, scale_max + 1)),
        n=len(values), mean=_mean(Fraction(v) for v in values), key=key, text=text,
        min_label=min_label, max_label=max_label,
    )


def choice_counts(answers, *, choices):
    """Counts per option of a single or multiple choice question: `answers` is a list of lists
    of chosen options. Options no longer offered still count, after the offered ones."""
    counter = Counter(c for chosen in answers for c in chosen)
    ordered = [(c, counter.get(c, 0)) for c in choices]
    ordered += sorted((c, n) for c, n in counter.items() if c not in choices)
    return ordered
