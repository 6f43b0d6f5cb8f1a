"""hvtui: choose, explain, export and audit Hyper-V enlightenments for QEMU/KVM guests.

The package root stays import-light on purpose: the CLI imports only what a
subcommand needs, and nothing outside ``hvtui.tui`` may import Textual.
"""

__version__ = "0.1.0.dev0"
