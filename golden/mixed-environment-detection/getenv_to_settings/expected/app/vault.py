import os


def read(name: str) -> str:
    # config imports this module: importing config here would close a cycle.
    if os.getenv("ENVIRONMENT") == "production":
        return "from-the-vault"
    return os.environ.get(name, "")
