"""The Telegram set-up, done once per token: what makes "put the token" the last manual step.

The token is put after the first deploy, and a ``sam deploy`` with no change to the stack runs no custom
resource. So the setup function also runs every 5 minutes (``{"source": "sinawai.setup", "when":
"new-token"}``): it compares a marker in the bucket (``setup/telegram.json``: an HMAC of the token keyed with
the webhook secret, the webhook URL and the chats) with what the set-up would apply now, and sets the bot
up only when they differ, then writes the marker. Within 5 minutes of the token being put, the bot
answers. A webhook moved by hand afterwards is not moved back (the marker still matches): that is for an
operator to see, not for a schedule to fight over.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

from sinawai.deploy.telegram_setup import SetupTarget

logger = logging.getLogger(__name__)

MARKER_KEY = "setup/telegram.json"


def expected_marker(target: SetupTarget, token: str, webhook_secret: str) -> dict[str, Any]:
    """What the marker says once the set-up succeeded for this token and target (never the token)."""
    token_mac = hmac.new(webhook_secret.encode(), token.encode(), hashlib.sha256).hexdigest()[:32]
    return {
        "token_hmac": token_mac,
        "webhook_url": target.webhook_url,
        "staff_group_chat_id": target.staff_group_chat_id,
        "managers_chat_id": target.managers_chat_id,
    }


@dataclass
class SetupMarker:
    bucket: str
    s3: Any = None

    def _client(self) -> Any:
        if self.s3 is None:
            import boto3  # the Lambda runtime has it; the setup function only

            self.s3 = boto3.client("s3")
        return self.s3

    def read(self) -> dict[str, Any] | None:
        client = self._client()
        try:
            body = client.get_object(Bucket=self.bucket, Key=MARKER_KEY)["Body"].read()
        except client.exceptions.NoSuchKey:
            return None
        try:
            value = json.loads(body)
        except ValueError:
            logger.warning("the set-up marker is not JSON: the set-up runs again")
            return None
        return value if isinstance(value, dict) else None

    def write(self, value: dict[str, Any]) -> None:
        self._client().put_object(
            Bucket=self.bucket,
            Key=MARKER_KEY,
            Body=json.dumps(value, sort_keys=True).encode(),
            ContentType="application/json",
        )
