from fastapi import FastAPI
from fastapi.middleware import Middleware
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware import cors

api = FastAPI(
    middleware=[
        Middleware(CORSMiddleware, allow_origins=("*",), allow_methods=["GET"]),
    ]
)

api.add_middleware(
    cors.CORSMiddleware,
    allow_origins=["https://app.example.com", "*"],
    allow_credentials=True,
)

api.add_middleware(CORSMiddleware, allow_origin_regex=".*")
