"""Sensor deployments: generated along the line (``dense``, ``sparse``) or read from a YAML file a
user writes (docs/deployment.md), and the ``sensors.geojson`` registry of FORMATS.md."""

from ceasewatch.sim.deployment.layout import (
    STYLES,
    generate,
    layout,
    load_deployment,
    to_geojson,
    write_geojson,
)

__all__ = ["STYLES", "generate", "layout", "load_deployment", "to_geojson", "write_geojson"]
