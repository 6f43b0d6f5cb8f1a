"""Codecs shared by the exporters, the importers and detection.

How QEMU and libvirt spell values (:mod:`.spelling`), where each catalog
mapping sits in a domain definition (:mod:`.libvirt_layout`), XML that hvtui
did not write parsed without trusting it (:mod:`.safexml`), the kernel's
cpu-list notation (:mod:`.cpulist`) and the QEMU command-line words detection
and the importers both read (:mod:`.qemu_argv`).

This layer sits above the catalog and the model and below detection,
advice, exports and importers (the contracts in ``pyproject.toml``); it
imports nothing of theirs, so a writer and its reader use one spelling and
neither reaches into the other.
"""
