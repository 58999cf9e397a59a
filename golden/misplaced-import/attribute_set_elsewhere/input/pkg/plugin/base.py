from pkg import config

bootstrapped = False


def configure(bootstrapped_now: bool) -> None:
    config.bootstrapped = bootstrapped_now
