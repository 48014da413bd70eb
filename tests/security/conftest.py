import os

from hypothesis import HealthCheck, settings

# "hub": what CI runs, reproducible (derandomized, no example database) and quick.
# "deep": HYPOTHESIS_PROFILE=deep, twenty times the examples, freshly random each run.
_COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    "database": None,
}
settings.register_profile("hub", max_examples=100, derandomize=True, **_COMMON)
settings.register_profile("deep", max_examples=2000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "hub"))
