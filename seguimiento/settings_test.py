"""Settings for the test suite: development defaults unless the environment says otherwise."""

import os

os.environ.setdefault("DEBUG", "1")

from seguimiento.settings import *  # noqa: E402,F403

# Hashing demo and test passwords with the production hasher would dominate the suite's time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / ".media-tests"  # noqa: F405
