from app.core import secret_manager

settings = object()
