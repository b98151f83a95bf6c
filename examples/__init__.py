"""Runnable examples of embedding timeclients; each is run by a test in tests/test_examples.py."""
