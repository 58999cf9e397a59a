from pkg import config


def checks_enabled() -> bool:
    # Set on the config module by pkg.plugin.base.configure().
    return bool(config.bootstrapped)
