"""The world map every page draws (the figures' choropleth, the chapter map): Natural Earth
1:110m outlines in an equirectangular projection, committed as core/data/world_110m.json
(scripts/build-world-map.py writes it), and the projection to place a point on it."""

import json
from functools import cache
from pathlib import Path

WORLD_MAP = Path(__file__).resolve().parent / "data" / "world_110m.json"
SCALE = 2.5  # map units per degree (scripts/build-world-map.py)


@cache
def world_geometry() -> dict:
    """{"width", "height", "source", "countries": {ISO alpha-2: SVG path}}."""
    return json.loads(WORLD_MAP.read_text(encoding="utf-8"))


@cache
def land_path() -> str:
    """Every country's outline as one SVG path (a map with no data per country)."""
    return " ".join(world_geometry()["countries"].values())


def project(longitude: float, latitude: float) -> tuple[float, float]:
    """The map's (x, y) of a point, in the units of `world_geometry()`."""
    return (longitude + 180) * SCALE, (90 - latitude) * SCALE
