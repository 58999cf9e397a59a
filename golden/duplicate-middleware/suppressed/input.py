from fastapi import FastAPI

from .mw import TimingMiddleware

app = FastAPI()
app.add_middleware(TimingMiddleware)
# Deliberate: the outer timer measures the whole stack.  archfix: ignore[duplicate-middleware]
app.add_middleware(TimingMiddleware)
app.add_middleware(TimingMiddleware)  # archfix: ignore[duplicate-middleware]
