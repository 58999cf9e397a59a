"""Background services started from the application lifespan."""
