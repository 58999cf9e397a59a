"""Run from the project root: here svc is the package, so svc.svc is where Server lives."""
from svc.svc import Server

app = Server().app
