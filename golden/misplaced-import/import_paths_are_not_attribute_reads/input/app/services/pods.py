"""Pod helpers.

The dotted module path of an import statement names a module from the top: ``kubernetes`` below
is the third-party SDK, never the project adaptor bound to the local name ``kubernetes``.
"""

from typing import TYPE_CHECKING

import kubernetes.client as k8s
from kubernetes.client import V1Pod

from app.adaptors import kubernetes

if TYPE_CHECKING:
    from kubernetes.client import V1Node


def running(pods: list[V1Pod]) -> list[V1Pod]:
    """The pods whose phase is Running (``core_api`` is the adaptor's)."""
    api = kubernetes.core_api()
    del api
    return [p for p in pods if p.status.phase == k8s.V1PodStatus().phase]


def names(nodes: "list[V1Node]") -> list[str]:
    return [n.metadata.name for n in nodes]
