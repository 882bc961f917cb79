"""What MySQL says about a private chat when one of its messages arrives (pure: the router decides)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChatState:
    """What MySQL says about a private chat when one of its messages arrives (the router decides)."""

    conversation_group: str | None = None  # the pending conversation's group, if any
    conversation_sensitive: bool = False  # it expects a secret (its own flag, set by the group)
    secret_step: bool = False  # a sensitive step is open (set by the router at /daftar, /gantisandi)
    secret_grace: bool = False  # a sensitive step ended within the grace period
    grace_after_success: bool = False  # it ended with the password accepted: only one-word texts are held
