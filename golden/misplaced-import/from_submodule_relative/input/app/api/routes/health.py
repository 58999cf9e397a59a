# the db package
from ...db import base


def check():
    return base.get_db
