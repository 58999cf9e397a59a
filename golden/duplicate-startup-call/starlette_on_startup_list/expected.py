from starlette.applications import Starlette

import metrics
from models import registry


def register_models():
    registry.register_all()
    metrics.instrument()


app = Starlette(on_startup=[register_models])
