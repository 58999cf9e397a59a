import os

IS_PROD = os.getenv("ENVIRONMENT") == "production"
