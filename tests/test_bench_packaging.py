"""bench/ is a tool of the checkout (`make bench`): the wheel does not ship it."""

import tomllib

from setuptools import find_namespace_packages

from tests.helpers import CHECKOUT, needs_checkout

pytestmark = needs_checkout("reads the checkout's pyproject.toml")


def test_it_leaves_bench_out_of_the_packages():
    # pyproject's discovery finds folders without __init__.py too (namespace packages).
    config = tomllib.loads((CHECKOUT / "pyproject.toml").read_text())
    found = config["tool"]["setuptools"]["packages"]["find"]
    packages = find_namespace_packages(
        str(CHECKOUT), include=found["include"], exclude=found["exclude"]
    )
    assert "hub" in packages
    assert not [name for name in packages if name.split(".")[0] == "bench"]
