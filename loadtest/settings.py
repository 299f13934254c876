"""The product's settings with one change for the load test: static files are collected into the
run's temporary folder (LOADTEST_STATIC_ROOT), not into the checkout, and without compressing
them (the load test serves none; the pages only need the manifest of their hashed names)."""

import os

from digikompas.settings import *  # noqa: F403

STATIC_ROOT = os.environ["LOADTEST_STATIC_ROOT"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
