import os

ENVIRONMENT = os.getenv("ENVIRONMENT", "dev")
