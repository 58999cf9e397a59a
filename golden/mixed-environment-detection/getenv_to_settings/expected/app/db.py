from app.config import config


def echo_sql() -> bool:
    return config.ENVIRONMENT == "development"
