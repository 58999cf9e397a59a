"""archfix: codemods that repair broken FastAPI/Starlette service architectures."""

__version__ = "0.1.0"
