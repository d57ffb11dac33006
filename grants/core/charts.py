"""Charts as plain data: what a page draws with the vendored Chart.js (static/js/charts.js)
and shows as a table for those who cannot see the drawing.

A chart is handed to the template macro ``charts.chart`` (templates/macros/charts.html),
which writes the figures into a JSON block (no inline script: the pages run under a
Content-Security-Policy without 'unsafe-inline'), a table alternative and a link to the
list behind the chart. Each bar or slice links to its filtered list.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Series:
    label: Any
    values: list[float | int]


@dataclass
class Chart:
    key: str  # unique on the page: the canvas id
    title: Any
    labels: list[Any]
    series: list[Series]
    kind: str = "bar"  # bar, line or doughnut
    links: list[str | None] = field(default_factory=list)  # one per label: the filtered list
    list_url: str | None = None  # the whole list behind the chart
    stacked: bool = False
    horizontal: bool = False
    unit: Any = None  # said in the table's heading (e.g. yuan)

    @property
    def empty(self) -> bool:
        return not self.labels or not any(v for s in self.series for v in s.values)

    def data(self) -> dict:
        """The JSON the script reads: labels and values only, every word already translated."""
        return {"kind": self.kind, "labels": [str(label) for label in self.labels],
                "series": [{"label": str(s.label), "values": list(s.values)} for s in self.series],
                "links": list(self.links), "stacked": self.stacked, "horizontal": self.horizontal}

    def rows(self) -> list[tuple[Any, str | None, list]]:
        """(label, link, [value of each series]) for the table alternative."""
        links = self.links or [None] * len(self.labels)
        return [(label, links[i], [s.values[i] for s in self.series]) for i, label in enumerate(self.labels)]
