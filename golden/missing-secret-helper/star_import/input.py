from app.core.secrets import *

TOKEN = _get_secret("TOKEN")
