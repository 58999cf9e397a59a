"""Matches the glob but builds no app: not a variant."""


def title() -> str:
    return "single"
