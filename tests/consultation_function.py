"""The ConsultationFunction and the DeliveryFunction, built as their functions/<x>/app.py build them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sinawai.consultation import staff_delivery, sweep
from sinawai.consultation.deps import consultation_of
from sinawai.consultation.handlers import register
from sinawai.router.commands import CONSULTATION
from sinawai.telegram.runtime import GroupFunction

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass
class ConsultationFunction:
    function: GroupFunction
    lambda_handler: Handler

    @classmethod
    def build(cls) -> ConsultationFunction:
        """A cold start: the environment is read now."""
        function = GroupFunction(CONSULTATION, register)
        return cls(function, sweep.entry_point(function))

    def auto_close(self, now: datetime) -> dict[str, Any]:
        """The sweep's auto-close at ``now``."""
        return self.function.run(lambda bot: sweep.auto_close(consultation_of(self.function), bot, now))


def delivery_function() -> Handler:
    """The DeliveryFunction's handler."""
    return staff_delivery.entry_point(GroupFunction(CONSULTATION, lambda app: None))
