"""jobs and scheduler import each other: which loads first depends on who imports first."""

from svc.scheduler import schedule


def submit(client: object) -> None:
    schedule(client)
