"""Settings of (F), the floor of ``make bench``: the site's own settings with the floor's URLconf.

Everything else (every middleware, the sessions, the caches, the database) is the site's, so the floor
pays what any page of the site pays before its view does anything.
"""

from masthead.settings import *  # noqa: F403 -- the site's settings, unchanged but for the URLconf

ROOT_URLCONF = "bench.floor"
