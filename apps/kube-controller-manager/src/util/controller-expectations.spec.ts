import { EXPECTATIONS_TIMEOUT_MS, UidTrackingExpectations } from './controller-expectations';

describe('ControllerExpectations', () => {
  let now = 0;
  const e = new UidTrackingExpectations(() => now);

  it('holds a key until every expected creation was observed', () => {
    expect(e.satisfied('ns/rs')).toBe(true);
    e.expectCreations('ns/rs', 2);
    expect(e.satisfied('ns/rs')).toBe(false);
    e.creationObserved('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(false);
    e.creationObserved('ns/rs');
    expect(e.satisfied('ns/rs')).toBe(true);
  });

  it('counts a pod deletion once, however often it is seen', () => {
    e.expectPodDeletions('ns/rs', ['ns/a', 'ns/b']);
    e.podDeletionObserved('ns/rs', 'ns/a');
    e.podDeletionObserved('ns/rs', 'ns/a');
    expect(e.satisfied('ns/rs')).toBe(false);
    e.podDeletionObserved('ns/rs', 'ns/b');
    expect(e.satisfied('ns/rs')).toBe(true);
  });

  it('gives up on expectations older than 5 minutes', () => {
    e.expectCreations('ns/other', 1);
    now += EXPECTATIONS_TIMEOUT_MS + 1;
    expect(e.satisfied('ns/other')).toBe(true);
  });
});
