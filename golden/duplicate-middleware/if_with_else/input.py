from fastapi import FastAPI

from .mw import TimingMiddleware, DebugMiddleware

DEBUG = False
app = FastAPI()
app.add_middleware(TimingMiddleware)
if DEBUG:
    app.add_middleware(TimingMiddleware)
else:
    app.add_middleware(DebugMiddleware)
