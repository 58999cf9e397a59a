from fastapi import APIRouter

api = APIRouter()
