"""Test-run environment, set before Django reads its settings."""

import os

# Tests run with production-like settings (DEBUG off), so they need the values production requires.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("MASTHEAD_HTTPS", "0")
os.environ.setdefault("MASTHEAD_REQUEST_LOG_LEVEL", "WARNING")
# Tests pay through the local provider with DEBUG off, which production refuses (masthead.E003) unless told.
os.environ.setdefault("MASTHEAD_ALLOW_LOCAL_PAYMENTS", "1")
