"""Draw assets/icon.png, the app's favicon: a tiny 2-3-1 network on the theme's blue.

A local PNG instead of an emoji: a machine without an emoji font showed the emoji favicon as a
box, and a Material icon would be fetched from an outside font host. Run once after a change:
`.venv/bin/python scripts/draw_icon.py` (needs Pillow, which the app itself does not).
"""

from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 32  # browsers show 16-32 px in a tab
SCALE = 8  # drawn large, then shrunk: smooth edges
BLUE, WHITE, LINK = (31, 95, 191, 255), (255, 255, 255, 255), (190, 210, 240, 255)  # theme's primaryColor
LAYERS = [(6, (10, 22)), (16, (6, 16, 26)), (26, (16,))]  # (x, ys) of each layer's nodes, in icon pixels
OUT = Path(__file__).resolve().parent.parent / "assets" / "icon.png"


def draw() -> Image.Image:
    big = Image.new("RGBA", (SIZE * SCALE, SIZE * SCALE), (0, 0, 0, 0))
    pen = ImageDraw.Draw(big)
    pen.rounded_rectangle((0, 0, SIZE * SCALE - 1, SIZE * SCALE - 1), radius=7 * SCALE, fill=BLUE)
    for (x0, ys0), (x1, ys1) in zip(LAYERS, LAYERS[1:]):
        for y0 in ys0:
            for y1 in ys1:
                pen.line((x0 * SCALE, y0 * SCALE, x1 * SCALE, y1 * SCALE), fill=LINK, width=int(1.1 * SCALE))
    radius = 2.6 * SCALE
    for x, ys in LAYERS:
        for y in ys:
            pen.ellipse((x * SCALE - radius, y * SCALE - radius, x * SCALE + radius, y * SCALE + radius), fill=WHITE)
    return big.resize((SIZE, SIZE), Image.LANCZOS)


if __name__ == "__main__":
    OUT.parent.mkdir(exist_ok=True)
    draw().save(OUT, optimize=True)
    print(f"{OUT} ({OUT.stat().st_size} bytes)")
