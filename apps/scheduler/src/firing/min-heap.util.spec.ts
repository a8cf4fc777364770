import { MinHeap } from './min-heap.util';

/** A small seeded PRNG so a failure reproduces exactly. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Item {
  at: number;
  id: number;
}

const byAt = (item: Item) => item.at;

function popOrFail<T>(heap: MinHeap<T>): T {
  const item = heap.pop();
  if (item === undefined) throw new Error('heap was unexpectedly empty');
  return item;
}

describe('MinHeap', () => {
  it('is empty to begin with', () => {
    const heap = new MinHeap<Item>(byAt);
    expect(heap.size).toBe(0);
    expect(heap.peek()).toBeUndefined();
    expect(heap.pop()).toBeUndefined();
    expect(heap.size).toBe(0);
  });

  it('pops a single item and is empty again', () => {
    const heap = new MinHeap<Item>(byAt);
    const only = { at: 7, id: 1 };
    heap.push(only);
    expect(heap.peek()).toBe(only);
    expect(heap.pop()).toBe(only);
    expect(heap.size).toBe(0);
    expect(heap.peek()).toBeUndefined();
  });

  it.each([1, 2, 3, 42, 2026])('drains 1000 random pushes in ascending order (seed %i)', (seed) => {
    const random = mulberry32(seed);
    const heap = new MinHeap<Item>(byAt);
    // A narrow range forces many duplicate priorities.
    const items = Array.from({ length: 1000 }, (_, id) => ({ at: Math.floor(random() * 200), id }));
    for (const item of items) heap.push(item);
    expect(heap.size).toBe(1000);

    const out: Item[] = [];
    while (heap.size > 0) {
      const peeked = heap.peek();
      const popped = popOrFail(heap);
      expect(popped).toBe(peeked);
      out.push(popped);
    }
    expect(out.map(byAt)).toEqual(items.map(byAt).sort((a, b) => a - b));
    // Nothing lost or duplicated.
    expect(new Set(out.map((i) => i.id)).size).toBe(1000);
  });

  it.each([7, 99, 12345])('always pops the current minimum under interleaved pushes and pops (seed %i)', (seed) => {
    const random = mulberry32(seed);
    const heap = new MinHeap<Item>(byAt);
    const model: Item[] = [];
    for (let id = 0; id < 1000; id++) {
      if (model.length > 0 && random() < 0.4) {
        const popped = popOrFail(heap);
        const min = Math.min(...model.map(byAt));
        expect(popped.at).toBe(min);
        model.splice(model.indexOf(popped), 1);
      } else {
        // Priorities that are timestamps in ms, like the firing loop's, including negatives and big values.
        const item = { at: Math.floor((random() - 0.1) * 2_000_000_000_000), id };
        heap.push(item);
        model.push(item);
      }
      expect(heap.size).toBe(model.length);
      if (model.length > 0) expect(heap.peek()?.at).toBe(Math.min(...model.map(byAt)));
    }
    const rest: number[] = [];
    while (heap.size > 0) rest.push(popOrFail(heap).at);
    expect(rest).toEqual(model.map(byAt).sort((a, b) => a - b));
  });

  it('handles already sorted and reverse-sorted input', () => {
    for (const input of [
      Array.from({ length: 100 }, (_, i) => i),
      Array.from({ length: 100 }, (_, i) => 99 - i),
    ]) {
      const heap = new MinHeap<number>((n) => n);
      for (const n of input) heap.push(n);
      const out: number[] = [];
      while (heap.size > 0) out.push(popOrFail(heap));
      expect(out).toEqual(Array.from({ length: 100 }, (_, i) => i));
    }
  });
});
