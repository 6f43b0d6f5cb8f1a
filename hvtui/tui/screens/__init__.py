"""Screens of the wizard: the main wizard screen and its dialogs."""
