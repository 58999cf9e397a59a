import os as _os

STAGE = _os.environ["ENV"]
