"""The boto3 SDK, imported on first use."""

import importlib


def client(service: str):
    """A boto3 client for ``service``."""
    return importlib.import_module("boto3").client(service)
