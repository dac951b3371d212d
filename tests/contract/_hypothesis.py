"""Health checks a contract suite's property tests suppress, and why.

Each test takes its adapter from a function-scoped fixture (fresh per test, reset between
examples by the test's own unique ids), and each suite runs once per adapter class, on
purpose, which Hypothesis reports as "differing executors"."""

from hypothesis import HealthCheck

SUITE_HEALTH_CHECKS = [HealthCheck.function_scoped_fixture, HealthCheck.differing_executors]
