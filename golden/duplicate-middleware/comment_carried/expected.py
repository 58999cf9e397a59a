from fastapi import FastAPI

from .mw import MetricsMiddleware, TimingMiddleware

app = FastAPI()
app.add_middleware(TimingMiddleware)

# --- observability -------------------------------------------------
app.add_middleware(MetricsMiddleware)
