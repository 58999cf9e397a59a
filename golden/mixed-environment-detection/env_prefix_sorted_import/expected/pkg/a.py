import os

from pkg import b
from pkg.settings import settings
from pkg.zeta import thing

MODE = settings.env
HOME = os.environ.get("HOME")
