from .db_manager import DatabaseManager

__all__ = ["DatabaseManager"]
