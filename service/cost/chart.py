"""An SVG line chart of monthly cost against number of TVs, log-log, one line per design.

Hand-written SVG: a few dozen elements, no plotting library in the image, and it renders
the same in docs/ on GitHub and on the operator page.
"""

from __future__ import annotations

import math
from html import escape

from chalkboard.cost.model import TITLES, Design

TV_COUNTS = [
    10,
    20,
    50,
    100,
    200,
    500,
    1_000,
    2_000,
    5_000,
    10_000,
    20_000,
    50_000,
    100_000,
    200_000,
]
# Colour and dash both tell the lines apart (readable in grey, and for colour-blind eyes).
STYLES = {
    Design.CHALKBOARD: ("#1b7837", ""),
    Design.IMAGES_FROM_S3: ("#5aae61", "2 3"),
    Design.POLL_APP_ALB: ("#2166ac", "8 4"),
    Design.POLL_ALB_LAMBDA: ("#762a83", "4 4"),
    Design.POLL_HTTP_API: ("#e08214", "10 3 2 3"),
    Design.POLL_REST_API: ("#b2182b", "1 0"),
}
WIDTH, HEIGHT = 920, 560
LEFT, RIGHT, TOP, BOTTOM = 80, 20, 50, 230


def _money(value: float) -> str:
    if value >= 1_000_000:
        return f"${value / 1e6:.3g}M"
    if value >= 1_000:
        return f"${value / 1e3:.3g}k"
    return f"${value:.3g}"


def _count(value: float) -> str:
    return f"{value / 1000:g}k" if value >= 1000 else f"{value:g}"


def svg(curves: dict[Design, list[float]], tv_counts: list[int], *, title: str) -> str:
    """The chart as a standalone SVG document."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    values = [v for line in curves.values() for v in line if v > 0]
    y_lo = 10 ** math.floor(math.log10(min(values)))
    y_hi = 10 ** math.ceil(math.log10(max(values)))
    x_lo, x_hi = math.log10(tv_counts[0]), math.log10(tv_counts[-1])

    def x(tvs: float) -> float:
        return LEFT + (math.log10(tvs) - x_lo) / (x_hi - x_lo) * plot_w

    def y(usd: float) -> float:
        frac = (math.log10(usd) - math.log10(y_lo)) / (math.log10(y_hi) - math.log10(y_lo))
        return TOP + plot_h - frac * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'role="img" aria-labelledby="t d" '
        'font-family="system-ui, sans-serif" font-size="13">',
        f'<title id="t">{escape(title)}</title>',
        '<desc id="d">Monthly AWS cost in US dollars (log scale) against the number of TVs '
        "(log scale), one line per design.</desc>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
        f'<text x="{LEFT}" y="28" font-size="16" font-weight="bold">{escape(title)}</text>',
    ]
    decade = y_lo
    while decade <= y_hi:
        for step in (1, 2, 5):
            tick = decade * step
            if tick > y_hi:
                break
            width = "1" if step == 1 else "0.5"
            out.append(
                f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                f'stroke="#ddd" stroke-width="{width}"/>'
            )
            if step == 1 or (y_hi / y_lo) <= 1000:
                out.append(
                    f'<text x="{LEFT - 8}" y="{y(tick) + 4:.1f}" text-anchor="end" '
                    f'fill="#333">{_money(tick)}</text>'
                )
        decade *= 10
    for tvs in tv_counts:
        out.append(
            f'<line x1="{x(tvs):.1f}" x2="{x(tvs):.1f}" y1="{TOP}" y2="{TOP + plot_h}" '
            'stroke="#eee"/>'
            f'<text x="{x(tvs):.1f}" y="{TOP + plot_h + 18}" text-anchor="middle" '
            f'fill="#333">{_count(tvs)}</text>'
        )
    out.append(
        f'<text x="{LEFT + plot_w / 2}" y="{TOP + plot_h + 40}" text-anchor="middle">'
        "TVs (log scale)</text>"
        f'<text transform="translate(18 {TOP + plot_h / 2}) rotate(-90)" '
        'text-anchor="middle">USD per month (log scale)</text>'
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="#999"/>'
    )
    for row, (design, line) in enumerate(curves.items()):
        colour, dash = STYLES[design]
        points = " ".join(f"{x(n):.1f},{y(v):.1f}" for n, v in zip(tv_counts, line, strict=True))
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"'
            f"{dashes}/>"
        )
        legend_y = TOP + plot_h + 66 + row * 22
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + 40}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
            f'stroke="{colour}" stroke-width="2.5"{dashes}/>'
            f'<text x="{LEFT + 50}" y="{legend_y}">{escape(TITLES[design])} — '
            f"{_money(round(line[-1]))} at {_count(tv_counts[-1])} TVs</text>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"
