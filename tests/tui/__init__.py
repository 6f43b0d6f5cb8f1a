"""Tests of the wizard, the way users see it; a package so the helpers import cleanly."""
