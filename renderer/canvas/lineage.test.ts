import { describe, expect, it } from 'vitest';
import { arrowGap, curveBounds, lineageArrows, lineageCurve } from './lineage';

describe('lineage arrows', () => {
  it('run from the right side of a source to the left side of a result to its right', () => {
    const points = lineageCurve({ x: 0, y: 0, width: 100, height: 100 }, { x: 300, y: 200, width: 100, height: 50 });
    expect(points).not.toBeNull();
    const [x1, y1, , , , , x2, y2] = points!;
    expect([x1, y1]).toEqual([100 + arrowGap, 50]);
    expect([x2, y2]).toEqual([300 - arrowGap, 225]);
    // The curve leaves and enters horizontally: control points share the ends' heights.
    expect(points![3]).toBe(50);
    expect(points![5]).toBe(225);
  });

  it('go leftwards and vertically too', () => {
    const left = lineageCurve({ x: 500, y: 0, width: 100, height: 100 }, { x: 0, y: 0, width: 100, height: 100 })!;
    expect([left[0], left[6]]).toEqual([500 - arrowGap, 100 + arrowGap]);
    const below = lineageCurve({ x: 0, y: 0, width: 100, height: 100 }, { x: 50, y: 400, width: 100, height: 100 })!;
    expect([below[0], below[1], below[6], below[7]]).toEqual([50, 100 + arrowGap, 100, 400 - arrowGap]);
  });

  it('a stack of results right of its sources gets one arrow per source, none crossing the stack', () => {
    const items = [
      { id: 'a', x: 0, y: 0, width: 100, height: 100, sourceItemIds: [] },
      { id: 'b', x: 120, y: 0, width: 100, height: 100, sourceItemIds: [] },
      ...[0, 1, 2].map((index) => ({ id: `r${index}`, x: 260, y: index * 130, width: 100, height: 100, sourceItemIds: ['a', 'b', 'missing'] })),
    ];
    const arrows = lineageArrows(items);
    expect(arrows.map((arrow) => arrow.key)).toEqual(['a->r0', 'b->r0', 'a->r1', 'b->r1', 'a->r2', 'b->r2']);
    for (const arrow of arrows) {
      // Every end lands left of the result column: the arrows stay in the gap beside the stack.
      expect(arrow.points[6]).toBeLessThan(260);
    }
  });

  it('draws nothing between overlapping items, and the bounds hold the whole curve', () => {
    const items = [
      { id: 'a', x: 0, y: 0, width: 100, height: 100, sourceItemIds: [] },
      { id: 'r', x: 50, y: 10, width: 100, height: 100, sourceItemIds: ['a'] },
    ];
    expect(lineageArrows(items)).toEqual([]);
    const points = lineageCurve({ x: 0, y: 0, width: 10, height: 10 }, { x: 100, y: 50, width: 10, height: 10 })!;
    const bounds = curveBounds(points);
    expect(bounds.x).toBe(10 + arrowGap);
    expect(bounds.x + bounds.width).toBeGreaterThanOrEqual(100 - arrowGap);
  });
});
