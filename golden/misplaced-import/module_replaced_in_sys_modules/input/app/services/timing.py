from app.compat import profiling


def quiet() -> None:
    profiling.logger.setLevel("WARNING")
    profiling.profile_stage("quiet")
