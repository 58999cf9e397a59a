from app.clients import metrics


def flush_metrics() -> None:
    """Not a route handler: the app serves its requests without the metrics exporter."""
    metrics.flush()
