import os

from app.core import config
