"""Comparing an evaluation report before and after the retention purge."""

from __future__ import annotations

import dataclasses

from sinawai.report.comparison import Report
from sinawai.report.metrics import Metrics


def without_comments(report: Report) -> Report:
    """The report with every rating comment taken out (they are closed tickets' texts, which the purge
    removes): every figure, ticket id and rating as it was."""

    def bare(metrics: Metrics) -> Metrics:
        lows = [dataclasses.replace(low, comment=None) for low in metrics.low_ratings]
        return dataclasses.replace(metrics, low_ratings=lows)

    week = bare(report.week) if report.week else None
    return dataclasses.replace(
        report, metrics=bare(report.metrics), previous=bare(report.previous), week=week
    )
