/**
 * Text lines rendered to pixels the way PaddleOCR's recognizer and direction classifier receive a detected crop:
 * the text (resvg, DejaVu fonts, black on white) cropped to its ink, kept at 48 pixels high, normalized to
 * (x − 0.5) / 0.5, and padded on the right with zeros up to the model's width (PaddleOCR's resize_norm_img).
 * A crop turned upside down (rotate 180°) is what the classifier's class 1 means.
 */
import { Resvg } from '@resvg/resvg-js';

export const LINE_HEIGHT = 48;
/** Left of the text and right of its last ink column, in pixels. */
const MARGIN = 4;
const CANVAS_WIDTH = 480;

export interface Line {
  text: string;
  font: string;
  size: number;
}

/** RGB planes [3, 48, CANVAS_WIDTH] of 0..1 and the width up to the last ink column plus the margin. */
function render(line: Line): { planes: Float32Array; width: number } {
  const y = (LINE_HEIGHT + 0.7 * line.size) / 2;
  const text = line.text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CANVAS_WIDTH}" height="${LINE_HEIGHT}">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<text x="${MARGIN}" y="${y}" font-family="${line.font}" font-size="${line.size}">${text}</text></svg>`;
  const font = { loadSystemFonts: false, fontDirs: ['/usr/share/fonts/truetype/dejavu'], defaultFontFamily: line.font };
  const px = new Resvg(svg, { font }).render().pixels;
  const plane = CANVAS_WIDTH * LINE_HEIGHT;
  const planes = new Float32Array(3 * plane);
  let last = 0;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) planes[c * plane + i] = (px[4 * i + c] as number) / 255;
    if ((px[4 * i] as number) < 128) last = Math.max(last, i % CANVAS_WIDTH);
  }
  return { planes, width: last + 1 + MARGIN };
}

/**
 * One line as the model's input [3, 48, width], upside down when `rotated`. A line wider than the model would
 * be squeezed by PaddleOCR's resize, which this does not imitate: it throws instead, so the set is regenerated
 * with a shorter text.
 */
export function textLine(line: Line, width: number, rotated: boolean): Float32Array {
  const { planes, width: ink } = render(line);
  if (ink > width) throw new Error(`"${line.text}" in ${line.font} ${line.size}px is ${ink} px wide, over ${width}`);
  const out = new Float32Array(3 * LINE_HEIGHT * width);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < LINE_HEIGHT; y++) {
      for (let x = 0; x < ink; x++) {
        const [sy, sx] = rotated ? [LINE_HEIGHT - 1 - y, ink - 1 - x] : [y, x];
        const v = planes[(c * LINE_HEIGHT + sy) * CANVAS_WIDTH + sx] as number;
        out[(c * LINE_HEIGHT + y) * width + x] = (v - 0.5) / 0.5;
      }
    }
  }
  return out;
}
