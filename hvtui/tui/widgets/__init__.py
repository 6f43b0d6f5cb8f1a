"""Widgets of the wizard: sidebar, detail panes, preview."""
