from app.config import config


def should_run() -> bool:
    return config.ENVIRONMENT == "production" or config.ENVIRONMENT == "staging"
