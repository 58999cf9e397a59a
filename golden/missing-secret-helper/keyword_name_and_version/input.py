"""Signing keys for webhooks."""
from dataclasses import dataclass


@dataclass
class WebhookKeys:
    current: str
    previous: str


def load_keys() -> WebhookKeys:
    # Rotation keeps the previous version valid for a day.
    return WebhookKeys(
        current=_get_secret(name="WEBHOOK_KEY"),
        previous=_get_secret("WEBHOOK_KEY", version="2"),
    )
