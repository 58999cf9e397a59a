"""Pod helpers: ``import kubernetes.client`` rebinds ``kubernetes`` to the third-party SDK."""

from app.adaptors import kubernetes
import kubernetes.client


def api():
    """A CoreV1Api of the SDK: ``kubernetes`` here is whichever import ran last."""
    return kubernetes.client.CoreV1Api()
