"""Settings for the test suite: development defaults unless the environment says otherwise."""

import os

os.environ.setdefault("DEBUG", "1")

from seguimiento.settings import *  # noqa: E402,F403

# Hashing demo and test passwords with the production hasher would dominate the suite's time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / ".media-tests"  # noqa: F405
# django-axes needs the request in authenticate(), which the test client's login() does not pass;
# the lockout's own tests (tests/test_ingreso.py) switch it on with the `settings` fixture.
AXES_ENABLED = False
# Import previews of tests that do not ask for their own folder (the `importaciones` fixture).
STORAGES["importaciones"]["OPTIONS"]["location"] = BASE_DIR / ".importaciones-tests"  # noqa: F405
