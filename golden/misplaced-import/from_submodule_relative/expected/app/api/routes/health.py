# the db package
from ... import database


def check():
    return database.get_db
