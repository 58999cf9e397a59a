"""``app`` here is the App instance (the package's attribute), so ``app.reset`` is its method."""

from . import app, event, run


def clean() -> None:
    app.reset()
    event.reset()
    run.reset()
