"""``settings`` here is each operator's own settings object (ZenML's step operators): a parameter
or local variable, not the project's settings, so no way of deciding the environment is read."""

from app import settings  # the module-level name: its reads below count


def launch(step, settings):
    if settings.environment:
        step.env.update(settings.environment)


def configure(step):
    settings = step.get_settings()
    return [s.ENV for s in step.children] + [settings.stage]


def report():
    return settings.ENVIRONMENT
