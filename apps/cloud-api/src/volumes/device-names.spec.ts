import { compareDevices, deviceName, lowestFreeDevice } from './device-names';

describe('device names', () => {
  it('should follow the Linux virtio sequence', () => {
    expect([0, 1, 2, 25, 26, 27, 51, 52].map(deviceName)).toEqual([
      '/dev/vda',
      '/dev/vdb',
      '/dev/vdc',
      '/dev/vdz',
      '/dev/vdaa',
      '/dev/vdab',
      '/dev/vdaz',
      '/dev/vdba',
    ]);
  });

  it('should hand out the lowest free device, never the root disk', () => {
    expect(lowestFreeDevice([])).toBe('/dev/vdb');
    expect(lowestFreeDevice(['/dev/vdb', '/dev/vdd'])).toBe('/dev/vdc');
    expect(lowestFreeDevice(['/dev/vdb', '/dev/vdc'])).toBe('/dev/vdd');
  });

  it('should sort devices in device order', () => {
    expect(['/dev/vdaa', '/dev/vdc', '/dev/vdb'].sort(compareDevices)).toEqual([
      '/dev/vdb',
      '/dev/vdc',
      '/dev/vdaa',
    ]);
  });
});
