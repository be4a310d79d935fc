"""scripts/build-world-map.py: world-atlas TopoJSON in, {ISO alpha-2: SVG path} out."""

import json
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def test_the_converter_writes_each_countrys_path_and_leaves_antarctica_out(tmp_path):
    topology = {
        "type": "Topology",
        "transform": {"scale": [1, 1], "translate": [0, 0]},
        # Two arcs, delta-encoded: a square around Mexico City, a triangle at the pole.
        "arcs": [
            [[-100, 20], [2, 0], [0, 2], [-2, 0], [0, -2]],
            [[0, -80], [10, 0], [-5, 5], [-5, -5]],
        ],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {
                        "type": "Polygon",
                        "id": "484",
                        "arcs": [[0]],
                        "properties": {"name": "Mexico"},
                    },
                    {
                        "type": "Polygon",
                        "id": "010",
                        "arcs": [[1]],
                        "properties": {"name": "Antarctica"},
                    },
                    {"type": "Polygon", "arcs": [[0]], "properties": {"name": "Kosovo"}},
                ],
            }
        },
    }
    source, output = tmp_path / "countries.json", tmp_path / "world.json"
    source.write_text(json.dumps(topology))
    result = subprocess.run(
        [sys.executable, "scripts/build-world-map.py", str(source), "--output", str(output)],
        cwd=BASE_DIR,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "2 countries written" in result.stdout
    data = json.loads(output.read_text())
    assert sorted(data["countries"]) == ["MX", "XK"]
    # (-100, 20) projected at 2.5 units per degree from (-180, 90): (200, 175).
    assert data["countries"]["MX"] == "M200 175l5 0l0 -5l-5 0l0 5z"


def test_the_converter_refuses_a_file_it_cannot_read(tmp_path):
    result = subprocess.run(
        [sys.executable, "scripts/build-world-map.py", str(tmp_path / "missing.json")],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "cannot read" in result.stderr
