import app.c
