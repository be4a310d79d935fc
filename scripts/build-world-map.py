"""Convert Natural Earth's 110m admin-0 countries (world-atlas TopoJSON) into SVG paths.

Run once, by hand, when the geometry should change; the output is committed:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    .venv/bin/python scripts/build-world-map.py package/countries-110m.json

world-atlas (ISC licence, https://github.com/topojson/world-atlas) repackages Natural
Earth's public-domain 1:110m countries. The site never depends on npm at run time: this
script writes core/data/world_110m.json, a compact {ISO alpha-2: SVG path} map in
an equirectangular projection (Antarctica left out), simplified by rounding to the
output grid and dropping repeated points.
"""

import argparse
import json
import sys
from pathlib import Path

import django
from django.conf import settings

settings.configure()  # django_countries reads its (default) settings; no project needed
django.setup()

from django_countries import countries  # noqa: E402

OUTPUT = Path(__file__).resolve().parent.parent / "core" / "data" / "world_110m.json"
SCALE = 2.5  # output units per degree: a 900 x 375 canvas
MIN_LATITUDE = -58  # below this, only Antarctica and a few sub-Antarctic islands
# Natural Earth places without an ISO numeric code in world-atlas (id missing):
NAMED_WITHOUT_ID = {"Kosovo": "XK", "N. Cyprus": "CY", "Somaliland": "SO"}


def _decode_arcs(topology):
    """Absolute [lon, lat] points of every arc (arcs are quantized and delta-encoded)."""
    scale_x, scale_y = topology["transform"]["scale"]
    translate_x, translate_y = topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale_x + translate_x, y * scale_y + translate_y))
        decoded.append(points)
    return decoded


def _ring(arcs, indexes):
    points = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        # Consecutive arcs share their joining point.
        points.extend(arc if not points else arc[1:])
    return points


def _project(lon, lat):
    return round((lon + 180) * SCALE), round((90 - lat) * SCALE)


def _unwrap(ring):
    """Make longitudes continuous across the antimeridian (Russia, Fiji): a ring that
    crosses it comes back with some longitudes beyond +/-180 and the shift to redraw."""
    unwrapped = [ring[0]]
    for lon, lat in ring[1:]:
        previous = unwrapped[-1][0]
        while lon - previous > 180:
            lon -= 360
        while previous - lon > 180:
            lon += 360
        unwrapped.append((lon, lat))
    low = min(lon for lon, _lat in unwrapped)
    high = max(lon for lon, _lat in unwrapped)
    if high > 180:
        return unwrapped, -360
    if low < -180:
        return unwrapped, 360
    return unwrapped, 0


def _ring_path(ring):
    projected = []
    for lon, lat in ring:
        point = _project(lon, lat)
        if not projected or projected[-1] != point:
            projected.append(point)
    if len(projected) < 3:
        return ""
    start, *rest = projected
    moves = [f"M{start[0]} {start[1]}"]
    previous = start
    for point in rest:
        # Relative moves are shorter than absolute ones.
        moves.append(f"l{point[0] - previous[0]} {point[1] - previous[1]}")
        previous = point
    return "".join(moves) + "z"


def _path(rings):
    parts = []
    for ring in rings:
        if all(lat < MIN_LATITUDE for _lon, lat in ring):
            continue
        unwrapped, shift = _unwrap(ring)
        parts.append(_ring_path(unwrapped))
        if shift:
            # Drawn again on the other side; the SVG viewBox clips what lies outside.
            parts.append(_ring_path([(lon + shift, lat) for lon, lat in unwrapped]))
    return "".join(parts)


def build(topology) -> dict:
    arcs = _decode_arcs(topology)
    shapes = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry.get("properties", {}).get("name", "")
        numeric = geometry.get("id")
        code = countries.alpha2(int(numeric)) if numeric else NAMED_WITHOUT_ID.get(name, "")
        if not code or code == "AQ":
            continue
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        rings = [_ring(arcs, ring) for polygon in polygons for ring in polygon]
        path = _path(rings)
        if path:
            shapes[code] = shapes.get(code, "") + path
    return {
        "source": "Natural Earth 1:110m admin-0 countries (public domain), via world-atlas 2.0.2",
        "width": round(360 * SCALE),
        "height": round((90 - MIN_LATITUDE) * SCALE),
        "countries": dict(sorted(shapes.items())),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build " + str(OUTPUT.name) + " from world-atlas.")
    parser.add_argument("topojson", help="path to world-atlas countries-110m.json")
    parser.add_argument("--output", default=str(OUTPUT))
    args = parser.parse_args(argv)
    try:
        topology = json.loads(Path(args.topojson).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        sys.exit(f"cannot read {args.topojson}: {exc}")
    data = build(topology)
    Path(args.output).write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    sys.stdout.write(f"{len(data['countries'])} countries written to {args.output}\n")


if __name__ == "__main__":
    main()
