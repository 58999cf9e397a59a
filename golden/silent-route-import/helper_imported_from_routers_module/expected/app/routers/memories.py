from fastapi import APIRouter

router = APIRouter()


class QueryForm:
    content: str = ""


async def query_memory(form: QueryForm) -> list:
    return []


@router.post("/query")
async def query(form: QueryForm) -> list:
    return await query_memory(form)
