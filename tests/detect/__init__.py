"""Tests of host detection (``hvtui detect``); a package so the helpers import cleanly."""
