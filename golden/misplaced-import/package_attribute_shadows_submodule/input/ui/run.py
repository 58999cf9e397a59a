def reset() -> None:
    pass
