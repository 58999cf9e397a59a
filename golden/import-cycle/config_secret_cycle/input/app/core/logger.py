from .config import settings
