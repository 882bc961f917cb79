"""The CloudWatch embedded-metric (EMF) lines a function printed, as CloudWatch reads them from its log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics.provider import cold_start


@dataclass(frozen=True)
class Emf:
    """One EMF line: its namespace, dimension values and metric values (name → value or values)."""

    namespace: str
    dimensions: dict[str, str]
    metrics: dict[str, Any]


def emf_lines(output: str) -> list[Emf]:
    """Every EMF document in ``output`` (a function's stdout); other log lines are skipped."""
    found = []
    for line in output.splitlines():
        if not line.startswith("{"):
            continue
        try:
            document = json.loads(line)
        except ValueError:
            continue
        meta = document.get("_aws") if isinstance(document, dict) else None
        if not isinstance(meta, dict):
            continue
        for directive in meta["CloudWatchMetrics"]:
            names = [m["Name"] for m in directive["Metrics"]]
            keys = [key for group in directive["Dimensions"] for key in group]
            found.append(
                Emf(
                    namespace=directive["Namespace"],
                    dimensions={key: str(document[key]) for key in keys},
                    metrics={name: document[name] for name in names},
                )
            )
    return found


def metric(output: str, name: str, *, service: str) -> list[float]:
    """The value of metric ``name`` printed for ``service`` in namespace Sinawai, one per EMF line (the
    sum of the line's values: Powertools prints a list)."""
    found = []
    for line in emf_lines(output):
        if line.namespace == "Sinawai" and line.dimensions.get("service") == service and name in line.metrics:
            value = line.metrics[name]
            found.append(float(sum(value)) if isinstance(value, list) else float(value))
    return found


def new_container() -> None:
    """The next invocation is a container's first: Powertools prints ColdStart for it, and no metric added
    outside an entry point by an earlier test (Powertools keeps one metric set per process) comes along."""
    cold_start.reset_cold_start_flag()  # type: ignore[no-untyped-call]
    Metrics(namespace="Sinawai").clear_metrics()
