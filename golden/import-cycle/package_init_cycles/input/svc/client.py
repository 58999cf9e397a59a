from svc import VERSION

from svc.jobs import submit


class Client:
    user_agent = f"svc/{VERSION}"

    def run(self) -> None:
        submit(self)
