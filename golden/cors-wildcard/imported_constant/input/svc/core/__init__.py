from .constants import DEV_ORIGINS
