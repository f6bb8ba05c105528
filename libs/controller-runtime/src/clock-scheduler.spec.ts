import { AdjustableClock } from '@app/common';
import { ClockScheduler } from './clock-scheduler';

const realSleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ClockScheduler', () => {
  it('fires a timer when the clock reaches it, also when the clock jumps there', async () => {
    const clock = new AdjustableClock();
    const scheduler = new ClockScheduler(clock, 20);
    const fired: string[] = [];
    scheduler.setTimer(() => fired.push('soon'), 30);
    scheduler.setTimer(() => fired.push('in 300 s'), 300_000);
    await realSleep(80);
    expect(fired).toEqual(['soon']);
    clock.advance(300_000);
    await realSleep(60);
    expect(fired).toEqual(['soon', 'in 300 s']);
  });

  it('holds timers while the clock is frozen and fires them in due order once it moves', async () => {
    const clock = new AdjustableClock();
    clock.freeze();
    const scheduler = new ClockScheduler(clock, 10);
    const fired: number[] = [];
    scheduler.setTimer(() => fired.push(2), 2000);
    scheduler.setTimer(() => fired.push(1), 1000);
    scheduler.setTimer(() => fired.push(0), 0);
    await realSleep(50);
    expect(fired).toEqual([0]);
    clock.advance(5000);
    await realSleep(50);
    expect(fired).toEqual([0, 1, 2]);
  });

  it('never fires a cancelled timer', async () => {
    const clock = new AdjustableClock();
    const scheduler = new ClockScheduler(clock, 10);
    const fired: string[] = [];
    scheduler.setTimer(() => fired.push('cancelled'), 10).cancel();
    scheduler.setTimer(() => fired.push('kept'), 15);
    await realSleep(60);
    expect(fired).toEqual(['kept']);
  });
});
