"""Shared by every test folder: this file puts tests/ on sys.path, so the helpers in
``servers_support`` can be imported from any of them."""

from hypothesis import settings

# Property tests check what is computed, not how fast: on a loaded two-core machine one
# example of a whole parse can take longer than Hypothesis's default 200 ms deadline.
settings.register_profile("receiptflow", deadline=None)
settings.load_profile("receiptflow")
