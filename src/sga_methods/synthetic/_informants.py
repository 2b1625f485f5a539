"""Coded key-informant interviews and focus groups on illicit flows (the theme matrix).

Qualitative fieldwork of an SGA (key-informant interviews and focus-group discussions) is
coded into themes; what the analysis reads is the matrix of sources by themes, not the
transcripts. This module draws such a matrix: one row per source (an interview or a
focus group), its type, sector and number of participants, a 0/1 column per coded theme
and a severity rating (1 low, 2 moderate, 3 high) for each theme the source mentioned.
There is no free text, so nothing in the file can identify a participant.

The sources are a fixed purposive sample (:data:`KEY_INFORMANTS` and
:data:`FOCUS_GROUPS` per sector); a source mentions a theme with the probability of its
sector (:data:`MENTION_PROBABILITY`), higher for focus groups (:data:`FOCUS_GROUP_LOGIT`,
more people raise more themes); the severity of a mentioned theme is drawn from
:data:`SEVERITY_PROBABILITY`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._draw import categorical, expit, logit, nullable

#: Coded themes, in the order of the columns ``theme_<theme>`` and ``severity_<theme>``.
THEMES: tuple[str, ...] = (
    "trafficking_labour_migration",
    "trafficking_sexual_exploitation",
    "drug_transit",
    "drug_local_market",
    "cash_couriers_hawala",
    "counterfeit_goods",
    "online_recruitment",
    "corruption_border",
)

#: Sectors of the sources, in the order of the file.
SECTORS: tuple[str, ...] = (
    "police",
    "customs_border",
    "health_ngo",
    "mahalla_committee",
    "youth",
    "business",
    "education",
)

#: Key-informant interviews per sector (one participant each).
KEY_INFORMANTS: dict[str, int] = {
    "police": 4,
    "customs_border": 3,
    "health_ngo": 4,
    "mahalla_committee": 4,
    "youth": 3,
    "business": 3,
    "education": 3,
}

#: Focus-group discussions per sector.
FOCUS_GROUPS: dict[str, int] = {
    "health_ngo": 1,
    "mahalla_committee": 3,
    "youth": 3,
    "business": 1,
    "education": 2,
}

#: Participants of a focus group: uniform on these bounds (inclusive).
FOCUS_GROUP_SIZE: tuple[int, int] = (6, 10)

#: Probability that a key informant of a sector mentions a theme (rows: SECTORS; columns:
#: THEMES). Each sector sees the flows its work touches.
MENTION_PROBABILITY: dict[str, tuple[float, ...]] = {
    "police": (0.45, 0.35, 0.60, 0.75, 0.30, 0.25, 0.45, 0.15),
    "customs_border": (0.35, 0.15, 0.80, 0.20, 0.60, 0.65, 0.10, 0.45),
    "health_ngo": (0.55, 0.50, 0.20, 0.70, 0.05, 0.10, 0.40, 0.10),
    "mahalla_committee": (0.70, 0.20, 0.10, 0.50, 0.30, 0.30, 0.35, 0.15),
    "youth": (0.55, 0.25, 0.10, 0.60, 0.10, 0.35, 0.75, 0.10),
    "business": (0.30, 0.05, 0.15, 0.15, 0.55, 0.70, 0.15, 0.50),
    "education": (0.45, 0.15, 0.05, 0.45, 0.05, 0.20, 0.70, 0.05),
}

#: Logit added to the mention probability of a focus group.
FOCUS_GROUP_LOGIT: float = 0.6

#: Probability of severity 1, 2, 3 of a mentioned theme (by theme).
SEVERITY_PROBABILITY: dict[str, tuple[float, float, float]] = {
    "trafficking_labour_migration": (0.30, 0.45, 0.25),
    "trafficking_sexual_exploitation": (0.15, 0.35, 0.50),
    "drug_transit": (0.25, 0.45, 0.30),
    "drug_local_market": (0.25, 0.45, 0.30),
    "cash_couriers_hawala": (0.45, 0.40, 0.15),
    "counterfeit_goods": (0.55, 0.35, 0.10),
    "online_recruitment": (0.30, 0.45, 0.25),
    "corruption_border": (0.30, 0.40, 0.30),
}

#: Values of ``source_type``.
KEY_INFORMANT, FOCUS_GROUP = "key_informant", "focus_group"


def informant_columns() -> list[str]:
    """Columns of the theme matrix, in file order."""
    return [
        "source_id",
        "source_type",
        "sector",
        "participants",
        *(f"theme_{t}" for t in THEMES),
        *(f"severity_{t}" for t in THEMES),
    ]


def key_informants(rng: np.random.Generator) -> pd.DataFrame:
    """The coded theme matrix of key-informant interviews and focus groups.

    Parameters
    ----------
    rng : numpy.random.Generator
        The ``informants`` stream.

    Returns
    -------
    pandas.DataFrame
        One row per source (:func:`informant_columns`): ``source_id`` (``KI-01`` ...,
        ``FG-01`` ...), ``source_type`` (``key_informant``, ``focus_group``), ``sector``
        (:data:`SECTORS`), ``participants`` (1 for an interview), ``theme_<t>`` (0/1) and
        ``severity_<t>`` (1-3; NA when the theme is not mentioned).

    Notes
    -----
    Mentions are Bernoulli with probability ``expit(logit(p[sector, theme]) + 0.6 FG)``;
    a source that mentions no theme is coded with its sector's most likely theme (every
    source was recruited because it had something to say). Draws, in this order: the
    focus-group sizes, a uniform per source and theme for the mentions, and one per source
    and theme for the severities (drawn for every cell, kept where mentioned), so the
    number of draws does not depend on the outcomes.
    """
    rows = [(KEY_INFORMANT, s) for s in SECTORS for _ in range(KEY_INFORMANTS.get(s, 0))]
    rows += [(FOCUS_GROUP, s) for s in SECTORS for _ in range(FOCUS_GROUPS.get(s, 0))]
    kind = np.array([k for k, _ in rows])
    sector = np.array([s for _, s in rows])
    focus = kind == FOCUS_GROUP
    n, k = len(rows), len(THEMES)

    low, high = FOCUS_GROUP_SIZE
    participants = np.ones(n, dtype=np.int64)
    participants[focus] = rng.integers(low, high + 1, size=int(focus.sum()))

    base = np.array([MENTION_PROBABILITY[s] for s in sector])
    eta = np.vectorize(logit)(base) + FOCUS_GROUP_LOGIT * focus[:, None]
    mention = (rng.random((n, k)) < expit(eta)).astype(np.int8)
    silent = mention.sum(axis=1) == 0
    mention[silent, base[silent].argmax(axis=1)] = 1

    severity = np.column_stack(
        [categorical(rng, np.tile(SEVERITY_PROBABILITY[t], (n, 1))) + 1 for t in THEMES]
    )

    ids = np.empty(n, dtype=object)
    ids[~focus] = [f"KI-{i:02d}" for i in range(1, int((~focus).sum()) + 1)]
    ids[focus] = [f"FG-{i:02d}" for i in range(1, int(focus.sum()) + 1)]
    frame = pd.DataFrame(
        {
            "source_id": ids.astype(str),
            "source_type": kind,
            "sector": sector,
            "participants": participants,
        }
    )
    for j, theme in enumerate(THEMES):
        frame[f"theme_{theme}"] = mention[:, j]
    for j, theme in enumerate(THEMES):
        frame[f"severity_{theme}"] = nullable(severity[:, j], mention[:, j] == 0)
    return frame[informant_columns()]
