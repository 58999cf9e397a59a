"""Reporters: turn a Result into something a person or a tool reads (unified diff, HTML, ...)."""
