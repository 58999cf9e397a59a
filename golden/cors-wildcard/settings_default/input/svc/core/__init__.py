from .config import cfg as settings

__all__ = ["settings"]
