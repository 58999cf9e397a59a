import uvicorn

from svc import Server

if __name__ == "__main__":
    uvicorn.run(Server().app)
