from os import environ as env, getenv


def should_run() -> bool:
    return getenv("ENVIRONMENT", "development") == "production" or env.get("ENVIRONMENT") == "staging"
