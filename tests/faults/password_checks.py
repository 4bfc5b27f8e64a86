"""Settings for a served site that counts every password it checks (DJANGO_SETTINGS_MODULE for the server).

The site's own settings, with one password hasher that appends a line to ``<MASTHEAD_VAR_DIR>/password-checks``
each time it verifies a password, and takes a moment to verify or hash one, as a real hash does, so guesses
and sign-ups sent together overlap. A race test reads the file to know how many guesses were evaluated,
whichever worker evaluated them.
"""

import os
import time
from pathlib import Path

from django.contrib.auth.hashers import MD5PasswordHasher

from masthead.settings import *  # noqa: F403 -- the site's settings, unchanged but for the hasher

PASSWORD_HASHERS = ["tests.faults.password_checks.CountingHasher"]
CHECK_SECONDS = 0.3


def checks_file(var_dir: str | Path) -> Path:
    return Path(var_dir) / "password-checks"


class CountingHasher(MD5PasswordHasher):
    algorithm = "counting"

    def encode(self, password, salt):
        time.sleep(CHECK_SECONDS)  # hashing a new password takes as long: sign-ups overlap as they do for real
        return super().encode(password, salt)

    def verify(self, password, encoded):
        path = checks_file(os.environ["MASTHEAD_VAR_DIR"])
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a") as log:
            log.write("checked\n")
        time.sleep(CHECK_SECONDS)
        return super().verify(password, encoded)
