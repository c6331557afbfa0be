"""Shared by every test folder: this file puts tests/ on sys.path, so the helpers in
``servers_support`` can be imported from any of them."""
