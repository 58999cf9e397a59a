DEV_ORIGINS = ["*"]
STRICT_ORIGINS = ["https://app.example.com"]
