"""Where a point of the clean print ends up in the final image: the line truth's coordinates.

Each image effect that moves pixels (padding, Pillow's QUAD perspective warp, ``rotate`` with
``expand``, resizing, cropping, 90°/180° turns) has a point mapping here computed the way
Pillow computes the pixels, in continuous coordinates (pixel ``i`` covers ``[i, i + 1)``).
Pillow's warps map *output* to *input*; the forward maps invert them (exactly for affine
ones, by Newton's method for the bilinear QUAD warp).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

Point = tuple[float, float]
Step = Callable[[Point], Point]


@dataclass(frozen=True)
class Geometry:
    """A chain of point mappings and the size of the image they end in."""

    size: tuple[int, int]
    steps: tuple[Step, ...] = ()

    def then(self, step: Step, size: tuple[int, int]) -> Geometry:
        return Geometry(size, (*self.steps, step))

    def map(self, point: Point) -> Point:
        for step in self.steps:
            point = step(point)
        return point


def translate(dx: float, dy: float) -> Step:
    return lambda p: (p[0] + dx, p[1] + dy)


def scale(sx: float, sy: float) -> Step:
    return lambda p: (p[0] * sx, p[1] * sy)


def resized(geometry: Geometry, size: tuple[int, int]) -> Geometry:
    """After ``image.resize(size)``."""
    width, height = geometry.size
    return geometry.then(scale(size[0] / width, size[1] / height), size)


def cropped(geometry: Geometry, box: tuple[int, int, int, int]) -> Geometry:
    """After ``image.crop(box)``."""
    return geometry.then(translate(-box[0], -box[1]), (box[2] - box[0], box[3] - box[1]))


def turned(geometry: Geometry, quarter_turns: int) -> Geometry:
    """After ``Image.Transpose.ROTATE_90`` (1) or ``ROTATE_180`` (2), counter-clockwise."""
    width, height = geometry.size
    if quarter_turns == 1:
        return geometry.then(lambda p: (p[1], width - p[0]), (height, width))
    if quarter_turns == 2:
        return geometry.then(lambda p: (width - p[0], height - p[1]), (width, height))
    raise ValueError("only 90° and 180° turns are drawn")


def quad_warped(geometry: Geometry, quad: tuple[float, ...]) -> Geometry:
    """After ``image.transform(size, QUAD, quad)`` (same size): the output point whose
    bilinear source, as Pillow interpolates the four corners (NW, SW, SE, NE), is ``p``."""
    width, height = geometry.size
    nw, sw, se, ne = (quad[0:2], quad[2:4], quad[4:6], quad[6:8])
    ax = (nw[0], (ne[0] - nw[0]) / width, (sw[0] - nw[0]) / height)
    ax3 = (se[0] - sw[0] - ne[0] + nw[0]) / (width * height)
    ay = (nw[1], (ne[1] - nw[1]) / width, (sw[1] - nw[1]) / height)
    ay3 = (se[1] - sw[1] - ne[1] + nw[1]) / (width * height)

    def forward(p: Point) -> Point:
        x, y = p  # the source point is close to its output point: start there
        for _ in range(12):
            fx = ax[0] + ax[1] * x + ax[2] * y + ax3 * x * y - p[0]
            fy = ay[0] + ay[1] * x + ay[2] * y + ay3 * x * y - p[1]
            j11, j12 = ax[1] + ax3 * y, ax[2] + ax3 * x
            j21, j22 = ay[1] + ay3 * y, ay[2] + ay3 * x
            det = j11 * j22 - j12 * j21
            x -= (fx * j22 - fy * j12) / det
            y -= (fy * j11 - fx * j21) / det
        return x, y

    return geometry.then(forward, geometry.size)


def rotated(geometry: Geometry, angle: float) -> Geometry:
    """After ``image.rotate(angle, expand=True)``, with Pillow's own matrix and size."""
    width, height = geometry.size
    radians = -math.radians(angle)
    a, b = round(math.cos(radians), 15), round(math.sin(radians), 15)
    d, e = round(-math.sin(radians), 15), round(math.cos(radians), 15)
    cx, cy = width / 2.0, height / 2.0

    def to_input(x: float, y: float, c: float, f: float) -> Point:
        return a * x + b * y + c, d * x + e * y + f

    c, f = to_input(-cx, -cy, 0.0, 0.0)
    c, f = c + cx, f + cy
    corners = [to_input(x, y, c, f) for x, y in ((0, 0), (width, 0), (width, height), (0, height))]
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    new_w = math.ceil(max(xs)) - math.floor(min(xs))
    new_h = math.ceil(max(ys)) - math.floor(min(ys))
    c, f = to_input(-(new_w - width) / 2.0, -(new_h - height) / 2.0, c, f)
    det = a * e - b * d

    def forward(p: Point) -> Point:  # invert input = M @ output + (c, f)
        u, v = p[0] - c, p[1] - f
        return (e * u - b * v) / det, (a * v - d * u) / det

    return geometry.then(forward, (new_w, new_h))
