"""Build of the optional C extension; everything else is in pyproject.toml.

`ledger_desktop.engine._ionhash_c` (Ion Hash straight from Ion binary, see
ledger_desktop/engine/ion_binary_hash.py) is optional: where it cannot be compiled (no C
compiler or Python headers) the install still succeeds and the pure-Python path is used.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "ledger_desktop.engine._ionhash_c",
            sources=["ledger_desktop/engine/_ionhash_c.c"],
            optional=True,
        ),
    ],
)
