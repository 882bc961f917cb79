"""What a function printed as CloudWatch embedded metrics (EMF), read as CloudWatch would read it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Emitted:
    """One EMF line: its namespace, dimensions (name → value), metrics (name → value) and the rest."""

    namespace: str
    dimensions: dict[str, str]
    metrics: dict[str, Any]
    units: dict[str, str]
    properties: dict[str, Any]


def _value(raw: Any) -> Any:
    """A metric's value: EMF allows one value or a list of them; one value in a list reads as itself."""
    return raw[0] if isinstance(raw, list) and len(raw) == 1 else raw


def emitted(out: str) -> list[Emitted]:
    """Every EMF line in ``out`` (a function's stdout), in order."""
    found = []
    for line in out.splitlines():
        if '"_aws"' not in line:
            continue
        blob = json.loads(line)
        directive = blob["_aws"]["CloudWatchMetrics"][0]
        names = [m["Name"] for m in directive["Metrics"]]
        dimension_names = [d for group in directive["Dimensions"] for d in group]
        found.append(
            Emitted(
                namespace=directive["Namespace"],
                dimensions={d: blob[d] for d in dimension_names},
                metrics={n: _value(blob[n]) for n in names},
                units={m["Name"]: m["Unit"] for m in directive["Metrics"]},
                properties={
                    k: v
                    for k, v in blob.items()
                    if k != "_aws" and k not in names and k not in dimension_names
                },
            )
        )
    return found


def metric_values(out: str, name: str) -> list[Any]:
    """Every value of metric ``name`` in ``out``, in order."""
    return [e.metrics[name] for e in emitted(out) if name in e.metrics]
