from fastapi import FastAPI

from app.middleware import PerformanceOptimizationMiddleware, RequestTrackingMiddleware

app = FastAPI(title="svc")

app.add_middleware(RequestTrackingMiddleware)
app.add_middleware(PerformanceOptimizationMiddleware, slow_request_threshold=0.5)  # timing
app.add_middleware(PerformanceOptimizationMiddleware, slow_request_threshold=0.5)
app.add_middleware(  # second one, reformatted
    PerformanceOptimizationMiddleware,
    slow_request_threshold = 0.5,
)
