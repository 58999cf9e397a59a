"""Sessions come from db_base.get_db (words in a docstring are not attribute reads)."""

import app.db.base as db_base

# db_base.get_db used to live here; see app.database.
MODEL = db_base.Base
