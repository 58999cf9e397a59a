from fastapi import FastAPI

from app.middleware import PerformanceOptimizationMiddleware, RequestTrackingMiddleware

app = FastAPI(title="svc")

app.add_middleware(RequestTrackingMiddleware)
app.add_middleware(PerformanceOptimizationMiddleware, slow_request_threshold=0.5)  # timing
