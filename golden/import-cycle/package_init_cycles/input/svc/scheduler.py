from svc.jobs import submit


def schedule(client: object) -> None:
    if client is None:
        submit(client)
