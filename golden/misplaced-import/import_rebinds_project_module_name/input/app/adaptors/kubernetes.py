"""The kubernetes SDK, imported on first use."""

import importlib


def core_api():
    """A CoreV1Api client (imports the SDK on first call)."""
    sdk = importlib.import_module("kubernetes.client")
    return sdk.CoreV1Api()
