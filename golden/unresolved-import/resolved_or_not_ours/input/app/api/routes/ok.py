import json
from collections import OrderedDict
from sqlalchemy.orm import anything_at_all
from app.database import get_db
from app.db.base import get_db as misplaced_is_another_rule
from app.db.lazy import whatever
from app.db import base
from .. import routes

try:
    from app.optional import feature
except ImportError:
    feature = None
