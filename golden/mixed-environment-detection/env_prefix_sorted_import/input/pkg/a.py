import os

from pkg import b
from pkg.zeta import thing

MODE = os.environ.get("APP_ENV")
HOME = os.environ.get("HOME")
