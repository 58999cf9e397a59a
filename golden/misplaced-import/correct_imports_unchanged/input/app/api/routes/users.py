import os
import app.database as database
import app.db.base

from fastapi import Depends
from sqlalchemy.orm import Session, not_a_real_name

from ...database import get_db
from ...db import Base, base
from app.db.base import Base as ModelBase
from app import database as db_module


def handler(db: Session = Depends(get_db)):
    def inner():
        from app.database import get_db as late

        return late
    return (os, database.get_db, app.db.base.Base, base.Base, ModelBase, db_module.get_db,
            not_a_real_name, inner)
