from fastapi import APIRouter, Depends, WebSocket

from app import clients
from app.deps import get_cache
from app.services import session_manager as sessions

router = APIRouter()


@router.get("/sessions/{sid}")
async def read_session(sid: str):
    return sessions.get(sid)


@router.get("/items/{key}")
async def read_item(key: str, store=Depends(get_cache)):
    return await store.get(key)


@router.websocket("/notifications")
async def notifications(websocket: WebSocket):
    await clients.notifier.subscribe(websocket)
