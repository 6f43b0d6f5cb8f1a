"""The nested mappings the stack exports build: KubeVirt's YAML and Terraform's HCL.

Both write options at paths (``spec.domain.features.hyperv``, ``features.hyper_v``)
that the catalog gives as tuples of keys; :func:`subtree` finds or makes the mapping
at such a path, so each exporter only says what goes there.
"""

from __future__ import annotations

from typing import Any


def subtree(root: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """The mapping at ``path`` under ``root``, created as needed (a non-mapping there is
    replaced: the exporters build fresh trees, so nothing of the user's is lost)."""
    node = root
    for key in path:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    return node


__all__ = ["subtree"]
