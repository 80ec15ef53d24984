import { Semaphore } from '../../src/process/semaphore';

describe('training slots', () => {
  test('never more holders than the capacity, and waiters get slots in arrival order', async () => {
    const slots = new Semaphore(2);
    const order: string[] = [];
    const releases = await Promise.all([slots.acquire(), slots.acquire()]);
    const third = slots.acquire().then((r) => (order.push('third'), r));
    const fourth = slots.acquire().then((r) => (order.push('fourth'), r));
    await Promise.resolve();
    expect(slots.running).toBe(2);
    expect(slots.waiting).toBe(2);
    releases[0]!();
    (await third)();
    (await fourth)();
    releases[1]!();
    expect(order).toEqual(['third', 'fourth']);
    expect(slots.running).toBe(0);
  });

  test('a waiter that is cancelled leaves the queue without taking a slot', async () => {
    const slots = new Semaphore(1);
    const release = await slots.acquire();
    const controller = new AbortController();
    const waiting = slots.acquire(controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    expect(slots.waiting).toBe(0);
    release();
    expect(slots.running).toBe(0);
  });

  test('releasing twice frees only one slot', async () => {
    const slots = new Semaphore(1);
    const release = await slots.acquire();
    release();
    release();
    expect(slots.running).toBe(0);
    await slots.acquire();
    expect(slots.running).toBe(1);
  });

  test.each([0, -1, 1.5])('a capacity of %p is refused', (capacity) => {
    expect(() => new Semaphore(capacity)).toThrow('capacity must be a positive integer');
  });
});
