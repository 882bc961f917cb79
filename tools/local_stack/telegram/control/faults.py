"""Control API: injected faults (a method fails or answers late), and applying them to Bot API calls."""

from __future__ import annotations

import copy

from local_stack.telegram.core import EmulatorCore
from local_stack.telegram.records import METHOD_NAMES, ApiError, JsonDict, Params, status_phrase
from local_stack.telegram.state import Fault


class Faults(EmulatorCore):
    """The next calls of a method fail with an error, or are answered late."""

    def fail_next(
        self,
        method: str,
        *,
        count: int = 1,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: int | None = None,
    ) -> None:
        """The next ``count`` calls of ``method`` (only to ``chat_id`` if given) fail with that error."""
        if method.lower() not in METHOD_NAMES:
            raise ValueError(f"unknown method {method!r}")
        parameters: JsonDict | None = None
        if error_code == 429:
            retry_after = retry_after if retry_after is not None else 1
            description = description or f"Too Many Requests: retry after {retry_after}"
        if retry_after is not None:
            parameters = {"retry_after": retry_after}
        if description is None:
            phrase = status_phrase(error_code)
            description = phrase if error_code >= 500 else f"{phrase}: injected by the emulator"
        with self._cond:
            error = ApiError(error_code, description, parameters)
            self._faults.append(Fault(method.lower(), count, error, chat_id))

    def delay_next(
        self,
        method: str,
        seconds: float,
        *,
        count: int = 1,
        chat_id: int | None = None,
        drop_if_client_gone: bool = False,
    ) -> None:
        """The next ``count`` calls of ``method`` (only to ``chat_id`` if given) are answered ``seconds``
        late, then normally: a slow Telegram, or a worker that outlives its timeout waiting for it.

        ``drop_if_client_gone``: a call whose client hung up while it was held (the process was killed) is
        dropped without effect, as a request that never reached Telegram: a crash *before* the reply left."""
        if method.lower() not in METHOD_NAMES:
            raise ValueError(f"unknown method {method!r}")
        with self._cond:
            fault = Fault(method.lower(), count, None, chat_id, delay=seconds)
            fault.drop_if_client_gone = drop_if_client_gone
            self._faults.append(fault)

    def held_calls(self) -> int:
        """How many calls are being held by a delay right now."""
        with self._cond:
            return self._held

    def _take_delay(self, method: str, params: Params) -> tuple[float, bool]:
        for fault in self._faults:
            if fault.error is not None or fault.method != method.lower() or fault.remaining <= 0:
                continue
            if fault.chat_id is not None and params.get("chat_id") != fault.chat_id:
                continue
            fault.remaining -= 1
            self._faults = [f for f in self._faults if f.remaining > 0]
            return fault.delay, fault.drop_if_client_gone
        return 0.0, False

    def _check_fault(self, method: str, params: Params) -> None:
        for fault in self._faults:
            if fault.error is None or fault.method != method.lower() or fault.remaining <= 0:
                continue
            if fault.chat_id is not None and params.get("chat_id") != fault.chat_id:
                continue
            fault.remaining -= 1
            self._faults = [f for f in self._faults if f.remaining > 0]
            raise ApiError(fault.error.code, fault.error.description, copy.deepcopy(fault.error.parameters))
