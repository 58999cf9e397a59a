ALLOWED_ORIGINS = ["https://shop.example"]
