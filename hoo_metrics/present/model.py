"""The building blocks of a page's view model: plain frozen values a page lays out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["Card", "Chart", "Table"]


@dataclass(frozen=True)
class Card:
    """One headline number: ``value`` as printed ("42 of 50", "<5", "too few to show"),
    ``help`` (what it counts, shown on hover) and ``caption`` (the groups' values under it)."""

    label: str
    value: str
    help: str = ""
    caption: str = ""


@dataclass(frozen=True)
class Chart:
    """A figure under its one-sentence takeaway; ``key`` names it on the page, ``static``
    draws it without hover or toolbar."""

    figure: Any  # plotly.graph_objects.Figure
    takeaway: str
    key: str
    static: bool = False


@dataclass(frozen=True)
class Table:
    """A table as printed (hidden cells already as their labels), the name of its CSV
    download, and options for its display (``column_config`` hints by column)."""

    frame: pd.DataFrame
    name: str
    key: str
    caption: str = ""
    hide_index: bool = True
    options: dict[str, Any] = field(default_factory=dict)
