from fastapi import APIRouter


def make_router():
    return APIRouter()
