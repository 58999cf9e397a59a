from app.services.sessions import session_manager

__all__ = ["session_manager"]
