from fastapi import FastAPI

from app.core.config import settings
from app.middleware.performance import PerformanceOptimizationMiddleware
from app.middleware.versioning import APIVersioningMiddleware

app = FastAPI()
app.add_middleware(PerformanceOptimizationMiddleware)

# Monitoring extras

app.add_middleware(APIVersioningMiddleware)
