"""The error handler was added last, so it runs outermost: its JSON 500 never passes through CORS,
and the browser cannot read it."""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app.errors import ExceptionHandlerMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["https://example.com"])
app.add_middleware(ExceptionHandlerMiddleware)
