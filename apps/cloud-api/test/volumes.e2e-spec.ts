import { pageThrough, projectWithToken, startHarness, type Harness } from './cloud-api-harness';

interface Attachment {
  instanceId: string;
  device: string;
  state: string;
}

interface Volume {
  id: string;
  name: string;
  state: string;
  etag: string;
  zone: string;
  type: string;
  sizeGiB: number;
  multiAttach: boolean;
  labels: Record<string, string>;
  attachments: Attachment[];
}

interface Instance {
  id: string;
  state: string;
  etag: string;
  volumes: { volumeId: string; device: string; state: string }[];
}

describe('volumes (e2e)', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
  });

  afterEach(async () => {
    await h.close();
  });

  const createVolume = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    h.http
      .post('/v1/volumes')
      .set(h.auth)
      .set(headers)
      .send({ zone: 'nimbus-1a', type: 'standard', sizeGiB: 10, ...body });

  const getVolume = async (id: string): Promise<Volume> =>
    (await h.http.get(`/v1/volumes/${id}`).set(h.auth).expect(200)).body as Volume;

  const getInstance = async (id: string): Promise<Instance> =>
    (await h.http.get(`/v1/instances/${id}`).set(h.auth).expect(200)).body as Instance;

  /** Volumes and instances created now are available/running once the clock moves 1.5 s. */
  const volume = async (name: string, body: Record<string, unknown> = {}): Promise<Volume> =>
    (await createVolume({ name, ...body }).expect(202)).body.volume as Volume;

  const instance = async (name: string, body: Record<string, unknown> = {}): Promise<Instance> =>
    (
      await h.http
        .post('/v1/instances')
        .set(h.auth)
        .send({ name, zone: 'nimbus-1a', instanceType: 'nb.small', ...body })
        .expect(202)
    ).body.instance as Instance;

  const attach = (volumeId: string, instanceId: string, headers: Record<string, string> = {}) =>
    h.http.post(`/v1/volumes/${volumeId}/attach`).set(h.auth).set(headers).send({ instanceId });

  const detach = (volumeId: string, instanceId: string, headers: Record<string, string> = {}) =>
    h.http.post(`/v1/volumes/${volumeId}/detach`).set(h.auth).set(headers).send({ instanceId });

  const expectRule = (body: { code: string; detail: string }, rule: string) => {
    expect(body.code).toBe('FAILED_PRECONDITION');
    expect(body.detail).toContain(rule);
  };

  it('should list volume types from the catalog', async () => {
    const res = await h.http.get('/v1/volume-types').set(h.auth).expect(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        name: 'standard',
        multiAttach: false,
        minSizeGiB: 1,
        default: true,
      }),
      expect.objectContaining({ name: 'ssd', multiAttach: true, minSizeGiB: 4, default: false }),
    ]);
    expect(res.body.items[0].zones).toEqual(['nimbus-1a', 'nimbus-1b', 'nimbus-1c']);
  });

  it('should give a volume created without a type the default type', async () => {
    const res = await h.http
      .post('/v1/volumes')
      .set(h.auth)
      .send({ name: 'typeless', zone: 'nimbus-1a', sizeGiB: 5 })
      .expect(202);
    expect(res.body.volume.type).toBe('standard');
  });

  it('should create a volume that goes creating → available as the clock advances', async () => {
    const res = await createVolume({ name: 'data-1', labels: { app: 'db' } }).expect(202);
    const { volume: created, operation } = res.body as {
      volume: Volume;
      operation: { id: string; status: string; kind: string };
    };
    expect(created).toMatchObject({
      name: 'data-1',
      state: 'creating',
      zone: 'nimbus-1a',
      region: 'nimbus-1',
      type: 'standard',
      sizeGiB: 10,
      multiAttach: false,
      deleteOnTermination: false,
      attachments: [],
      labels: { app: 'db' },
    });
    expect(created.id).toMatch(/^vol-[0-9a-f]{17}$/);
    expect(res.headers.etag).toBe(`"${created.etag}"`);
    expect(res.headers.location).toBe(`/v1/operations/${operation.id}`);
    expect(operation).toMatchObject({ status: 'running', kind: 'volumes.create' });

    h.clock.advance(999);
    expect((await getVolume(created.id)).state).toBe('creating');
    h.clock.advance(1);
    const available = await getVolume(created.id);
    expect(available.state).toBe('available');
    expect(available.etag).not.toBe(created.etag);
    const op = await h.http.get(`/v1/operations/${operation.id}`).set(h.auth).expect(200);
    expect(op.body.status).toBe('done');
  });

  it('should answer 400 naming the field for bad input, writing nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'a', zone: 'mars-1a' }, 'zone'],
      [{ name: 'a', type: 'tape' }, 'type'],
      [{ name: 'a', type: 'ssd', sizeGiB: 2 }, 'sizeGiB'],
      [{ name: 'a', sizeGiB: 0 }, 'sizeGiB'],
      [{ name: 'a', sizeGiB: 1.5 }, 'sizeGiB'],
      [{ name: 'a', type: 'standard', multiAttach: true }, 'multiAttach'],
      [{ name: 'Not_DNS' }, 'name'],
      [{ name: 'a', labels: { 'bad key!': 'x' } }, 'labels'],
      [{ name: 'a', deleteOnTermination: 'yes' }, 'deleteOnTermination'],
      [{ name: 'a', color: 'blue' }, 'color'],
    ];
    for (const [body, field] of cases) {
      const res = await createVolume(body).expect(400);
      expect(res.body.code).toBe('INVALID_ARGUMENT');
      expect(res.body.fieldViolations.map((v: { field: string }) => v.field)).toContain(field);
    }
    const multi = await createVolume({ name: 'a', multiAttach: true }).expect(400);
    expect(multi.body.detail).toContain('does not support multi-attach');
    expect((await h.http.get('/v1/volumes').set(h.auth).expect(200)).body.items).toEqual([]);
  });

  it('should keep names unique among volumes not being deleted', async () => {
    const first = await volume('dup');
    const again = await createVolume({ name: 'dup' }).expect(409);
    expect(again.body.code).toBe('ALREADY_EXISTS');
    h.clock.advance(1000);
    await h.http.delete(`/v1/volumes/${first.id}`).set(h.auth).expect(202);
    await createVolume({ name: 'dup' }).expect(202);
  });

  it('should walk attach → in-use → detach → available, shown on the volume and the instance', async () => {
    const vol = await volume('data');
    const vm = await instance('web');
    h.clock.advance(1500);
    const before = await getInstance(vm.id);
    expect(before.volumes).toEqual([]);

    const res = await attach(vol.id, vm.id).expect(202);
    expect(res.body.volume.state).toBe('attaching');
    expect(res.body.volume.attachments).toEqual([
      { instanceId: vm.id, device: '/dev/vdb', state: 'attaching' },
    ]);
    expect(res.body.operation).toMatchObject({ kind: 'volumes.attach', status: 'running' });
    const attaching = await getInstance(vm.id);
    expect(attaching.volumes).toEqual([
      { volumeId: vol.id, device: '/dev/vdb', state: 'attaching' },
    ]);
    expect(attaching.etag).not.toBe(before.etag);

    h.clock.advance(1000);
    const inUse = await getVolume(vol.id);
    expect(inUse.state).toBe('in-use');
    expect(inUse.attachments).toEqual([
      { instanceId: vm.id, device: '/dev/vdb', state: 'attached' },
    ]);
    const listed = await h.http.get(`/v1/instances?name=web`).set(h.auth).expect(200);
    expect(listed.body.items[0].volumes).toEqual([
      { volumeId: vol.id, device: '/dev/vdb', state: 'attached' },
    ]);
    const byInstance = await h.http.get(`/v1/volumes?instanceId=${vm.id}`).set(h.auth).expect(200);
    expect(byInstance.body.items.map((v: Volume) => v.id)).toEqual([vol.id]);

    const off = await detach(vol.id, vm.id).expect(202);
    expect(off.body.volume.state).toBe('detaching');
    expect(off.body.volume.attachments[0].state).toBe('detaching');
    h.clock.advance(1000);
    const available = await getVolume(vol.id);
    expect(available).toMatchObject({ state: 'available', attachments: [] });
    expect((await getInstance(vm.id)).volumes).toEqual([]);
  });

  it('should give each attachment the lowest free device, stable while attached', async () => {
    const vm = await instance('vm');
    const vols = [];
    for (const name of ['v1', 'v2', 'v3', 'v4']) {
      vols.push(await volume(name));
    }
    h.clock.advance(1500);
    const device = async (v: Volume) =>
      ((await attach(v.id, vm.id).expect(202)).body.volume as Volume).attachments[0].device;
    expect(await device(vols[0])).toBe('/dev/vdb');
    expect(await device(vols[1])).toBe('/dev/vdc');
    expect(await device(vols[2])).toBe('/dev/vdd');
    h.clock.advance(1000);
    await detach(vols[1].id, vm.id).expect(202);
    // While detaching, the device is still taken.
    expect(await device(vols[3])).toBe('/dev/vde');
    h.clock.advance(1000);
    await detach(vols[3].id, vm.id).expect(202);
    h.clock.advance(1000);
    expect(await device(vols[1])).toBe('/dev/vdc');
    expect((await getInstance(vm.id)).volumes.map((v) => v.device)).toEqual([
      '/dev/vdb',
      '/dev/vdc',
      '/dev/vdd',
    ]);
    expect((await getVolume(vols[0].id)).attachments[0].device).toBe('/dev/vdb');
  });

  it('should refuse each broken attach rule with FAILED_PRECONDITION naming it', async () => {
    const creating = await volume('creating');
    const vm = await instance('vm');
    // Neither is ready yet.
    expectRule((await attach(creating.id, vm.id).expect(400)).body, 'only a created volume');
    h.clock.advance(1500);
    const pendingVm = await instance('pending');
    expectRule(
      (await attach(creating.id, pendingVm.id).expect(400)).body,
      'must be running or stopped',
    );

    const otherZone = await volume('zone-b', { zone: 'nimbus-1b' });
    h.clock.advance(1500);
    expectRule((await attach(otherZone.id, vm.id).expect(400)).body, 'same zone');

    await attach(creating.id, vm.id).expect(202);
    expectRule(
      (await attach(creating.id, pendingVm.id).expect(400)).body,
      'is not multi-attach and is already attached',
    );
    expectRule((await detach(creating.id, pendingVm.id).expect(400)).body, 'not attached');
    expectRule(
      (await h.http.delete(`/v1/volumes/${creating.id}`).set(h.auth).expect(400)).body,
      'a volume with attachments cannot be deleted',
    );

    // A terminated instance is neither running nor stopped.
    const doomed = await instance('doomed');
    h.clock.advance(1500);
    await h.http.delete(`/v1/instances/${doomed.id}`).set(h.auth).expect(202);
    h.clock.advance(1000);
    const spare = await volume('spare');
    h.clock.advance(1000);
    expectRule((await attach(spare.id, doomed.id).expect(400)).body, 'must be running or stopped');

    // A stopped instance takes volumes.
    await h.http.post(`/v1/instances/${pendingVm.id}/stop`).set(h.auth).expect(202);
    h.clock.advance(1000);
    await attach(spare.id, pendingVm.id).expect(202);
  });

  it('should allow at most the instance type’s maxAttachedVolumes', async () => {
    const vm = await instance('small');
    const vols: Volume[] = [];
    for (let i = 0; i < 9; i++) {
      vols.push(await volume(`v${i}`));
    }
    h.clock.advance(1500);
    for (const v of vols.slice(0, 8)) {
      await attach(v.id, vm.id).expect(202);
    }
    const res = await attach(vols[8].id, vm.id).expect(400);
    expectRule(res.body, 'max attached volumes');
    expect(res.body.detail).toContain('nb.small allows at most 8');
    expect((await getVolume(vols[8].id)).attachments).toEqual([]);
  });

  it('should attach a multi-attach volume to several instances with their own devices', async () => {
    const shared = await volume('shared', { type: 'ssd', multiAttach: true });
    const own = await volume('own');
    const a = await instance('a');
    const b = await instance('b');
    h.clock.advance(1500);
    await attach(own.id, b.id).expect(202);
    await attach(shared.id, a.id).expect(202);
    const res = await attach(shared.id, b.id).expect(202);
    expect(res.body.volume.attachments).toEqual([
      { instanceId: a.id, device: '/dev/vdb', state: 'attaching' },
      { instanceId: b.id, device: '/dev/vdc', state: 'attaching' },
    ]);
    h.clock.advance(1000);
    await detach(shared.id, a.id).expect(202);
    // Still attached to b, so still in use.
    expect((await getVolume(shared.id)).state).toBe('in-use');
  });

  it('should treat attaching twice as a no-op and replay attach/detach by Idempotency-Key', async () => {
    const vol = await volume('data');
    const vm = await instance('vm');
    const other = await instance('other');
    h.clock.advance(1500);

    const key = { 'Idempotency-Key': 'attach-data-vm' };
    const first = await attach(vol.id, vm.id, key).expect(202);
    h.clock.advance(1000);
    const replay = await attach(vol.id, vm.id, key).expect(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.etag).toBe(first.headers.etag);
    const reused = await attach(vol.id, other.id, key).expect(409);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');

    // A new request attaching again is a no-op answered at once.
    const again = await attach(vol.id, vm.id).expect(200);
    expect(again.body.operation.status).toBe('done');
    expect(again.body.volume.attachments).toEqual([
      { instanceId: vm.id, device: '/dev/vdb', state: 'attached' },
    ]);

    const detachKey = { 'Idempotency-Key': 'detach-data-vm' };
    const off = await detach(vol.id, vm.id, detachKey).expect(202);
    h.clock.advance(1000);
    const offReplay = await detach(vol.id, vm.id, detachKey).expect(202);
    expect(offReplay.headers['idempotent-replayed']).toBe('true');
    expect(offReplay.body).toEqual(off.body);
    // Without the key, the volume is no longer attached.
    expectRule((await detach(vol.id, vm.id).expect(400)).body, 'not attached');
  });

  it('should answer a second detach as a no-op and refuse attaching while detaching', async () => {
    const vol = await volume('data');
    const vm = await instance('vm');
    h.clock.advance(1500);
    await attach(vol.id, vm.id).expect(202);
    h.clock.advance(1000);
    await detach(vol.id, vm.id).expect(202);
    const again = await detach(vol.id, vm.id).expect(200);
    expect(again.body.operation.status).toBe('done');
    expectRule((await attach(vol.id, vm.id).expect(400)).body, 'still detaching');
  });

  it('should enforce If-Match on PATCH, resize, attach, detach and delete', async () => {
    const vol = await volume('lbl', { labels: { a: '1' } });
    const vm = await instance('vm');
    h.clock.advance(1500);
    const current = await getVolume(vol.id);
    const stale = { 'If-Match': `"${vol.etag}"` };
    const patch = await h.http
      .patch(`/v1/volumes/${vol.id}`)
      .set(h.auth)
      .set(stale)
      .send({ labels: { b: '2' } })
      .expect(412);
    expect(patch.body.code).toBe('PRECONDITION_FAILED');
    await h.http
      .post(`/v1/volumes/${vol.id}/resize`)
      .set(h.auth)
      .set(stale)
      .send({ sizeGiB: 20 })
      .expect(412);
    await attach(vol.id, vm.id, stale).expect(412);
    await h.http.delete(`/v1/volumes/${vol.id}`).set(h.auth).set(stale).expect(412);
    expect(await getVolume(vol.id)).toEqual(current);

    const ok = await h.http
      .patch(`/v1/volumes/${vol.id}`)
      .set(h.auth)
      .set('If-Match', current.etag)
      .send({ labels: { b: '2' } })
      .expect(200);
    expect(ok.body.volume.labels).toEqual({ b: '2' });
    expect(ok.body.operation).toMatchObject({ status: 'done', kind: 'volumes.update' });
    const attached = await attach(vol.id, vm.id, { 'If-Match': ok.body.volume.etag }).expect(202);
    await detach(vol.id, vm.id, { 'If-Match': `"${ok.body.volume.etag}"` }).expect(412);
    await detach(vol.id, vm.id, { 'If-Match': attached.body.volume.etag }).expect(202);
  });

  it('should grow a volume and refuse shrinking', async () => {
    const vol = await volume('grow', { type: 'ssd', sizeGiB: 10 });
    const early = await h.http
      .post(`/v1/volumes/${vol.id}/resize`)
      .set(h.auth)
      .send({ sizeGiB: 20 })
      .expect(400);
    expectRule(early.body, 'creating');
    h.clock.advance(1000);

    const res = await h.http
      .post(`/v1/volumes/${vol.id}/resize`)
      .set(h.auth)
      .send({ sizeGiB: 20 })
      .expect(202);
    expect(res.body.volume).toMatchObject({ sizeGiB: 20, state: 'available' });
    expect(res.body.operation).toMatchObject({ kind: 'volumes.resize', status: 'running' });

    const same = await h.http
      .post(`/v1/volumes/${vol.id}/resize`)
      .set(h.auth)
      .send({ sizeGiB: 20 })
      .expect(200);
    expect(same.body.operation.status).toBe('done');
    const shrink = await h.http
      .post(`/v1/volumes/${vol.id}/resize`)
      .set(h.auth)
      .send({ sizeGiB: 15 })
      .expect(400);
    expectRule(shrink.body, 'volumes only grow');
    const huge = await h.http
      .post(`/v1/volumes/${vol.id}/resize`)
      .set(h.auth)
      .send({ sizeGiB: 20000 })
      .expect(400);
    expect(huge.body.fieldViolations[0].field).toBe('sizeGiB');
    await h.http.post(`/v1/volumes/${vol.id}/resize`).set(h.auth).send({ size: 30 }).expect(400);
    expect((await getVolume(vol.id)).sizeGiB).toBe(20);
  });

  it('should delete a volume: deleting → gone', async () => {
    const vol = await volume('bye');
    h.clock.advance(1000);
    const res = await h.http.delete(`/v1/volumes/${vol.id}`).set(h.auth).expect(202);
    expect(res.body.volume.state).toBe('deleting');
    expect(res.body.operation.kind).toBe('volumes.delete');
    const again = await h.http.delete(`/v1/volumes/${vol.id}`).set(h.auth).expect(200);
    expect(again.body.operation.status).toBe('done');
    expectRule(
      (await h.http.patch(`/v1/volumes/${vol.id}`).set(h.auth).send({ labels: {} }).expect(400))
        .body,
      'deleting',
    );
    h.clock.advance(1000);
    const gone = await h.http.get(`/v1/volumes/${vol.id}`).set(h.auth).expect(404);
    expect(gone.body.code).toBe('NOT_FOUND');
  });

  it('should detach volumes when their instance terminates and delete those marked deleteOnTermination', async () => {
    const keep = await volume('keep');
    const drop = await volume('drop', { deleteOnTermination: true });
    const vm = await instance('vm');
    h.clock.advance(1500);
    await attach(keep.id, vm.id).expect(202);
    await attach(drop.id, vm.id).expect(202);
    h.clock.advance(1000);

    await h.http.delete(`/v1/instances/${vm.id}`).set(h.auth).expect(202);
    // Still attached while the instance shuts down.
    expect((await getVolume(keep.id)).state).toBe('in-use');
    h.clock.advance(1000);
    const terminated = await getInstance(vm.id);
    expect(terminated).toMatchObject({ state: 'terminated', volumes: [] });
    expect(await getVolume(keep.id)).toMatchObject({ state: 'available', attachments: [] });
    expect(await getVolume(drop.id)).toMatchObject({ state: 'deleting', attachments: [] });
    h.clock.advance(1000);
    await h.http.get(`/v1/volumes/${drop.id}`).set(h.auth).expect(404);
    await h.http.get(`/v1/volumes/${keep.id}`).set(h.auth).expect(200);
  });

  it('should settle termination side effects that are already due in the same request', async () => {
    const drop = await volume('drop', { deleteOnTermination: true });
    const vm = await instance('vm');
    h.clock.advance(1500);
    await attach(drop.id, vm.id).expect(202);
    await h.http.delete(`/v1/instances/${vm.id}`).set(h.auth).expect(202);
    // One jump past attach, termination and deletion.
    h.clock.advance(10_000);
    await h.http.get(`/v1/volumes/${drop.id}`).set(h.auth).expect(404);
  });

  it('should page through volumes and filter by label selector, zone, state, name and instance', async () => {
    for (let i = 0; i < 60; i++) {
      await createVolume({
        name: `v-${String(i).padStart(2, '0')}`,
        zone: ['nimbus-1a', 'nimbus-1b'][i % 2],
        labels: { tier: i % 3 === 0 ? 'gold' : 'bronze' },
      }).expect(202);
    }
    const { items, pages } = await pageThrough<Volume>(h, '/v1/volumes', h.auth, 25);
    const seen = items.map((v) => v.name);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(60);
    expect(new Set(seen).size).toBe(60);

    const names = async (query: string) =>
      ((await h.http.get(`/v1/volumes?${query}`).set(h.auth).expect(200)).body.items as Volume[])
        .map((v) => v.name)
        .slice(0, 3);
    expect(await names('labelSelector=tier%3Dgold&zone=nimbus-1a')).toEqual([
      'v-00',
      'v-06',
      'v-12',
    ]);
    expect(await names('name=v-07')).toEqual(['v-07']);
    expect(await names('state=available')).toEqual([]);
    h.clock.advance(1000);
    expect(await names('state=available')).toEqual(['v-00', 'v-01', 'v-02']);

    const first = await h.http.get('/v1/volumes?zone=nimbus-1a&pageSize=5').set(h.auth).expect(200);
    const changed = await h.http
      .get(`/v1/volumes?zone=nimbus-1b&pageSize=5&pageToken=${first.body.nextPageToken}`)
      .set(h.auth)
      .expect(400);
    expect(changed.body.fieldViolations[0].field).toBe('pageToken');
    await h.http.get('/v1/volumes?state=melting').set(h.auth).expect(400);
    await h.http.get('/v1/volumes?color=blue').set(h.auth).expect(400);
  });

  it('should keep projects apart', async () => {
    const otherAuth = await projectWithToken(h, 'team-b');
    const mine = await volume('mine');
    const theirVm = (
      await h.http
        .post('/v1/instances')
        .set(otherAuth)
        .send({ name: 'theirs', zone: 'nimbus-1a', instanceType: 'nb.small' })
        .expect(202)
    ).body.instance as Instance;
    const theirVol = (
      await h.http
        .post('/v1/volumes')
        .set(otherAuth)
        .send({ name: 'mine', zone: 'nimbus-1a', type: 'standard', sizeGiB: 5 })
        .expect(202)
    ).body.volume as Volume;
    h.clock.advance(1500);

    await h.http.get(`/v1/volumes/${theirVol.id}`).set(h.auth).expect(404);
    const cross = await attach(mine.id, theirVm.id).expect(404);
    expect(cross.body.code).toBe('NOT_FOUND');
    await attach(theirVol.id, theirVm.id).expect(404);
    await h.http.delete(`/v1/volumes/${theirVol.id}`).set(h.auth).expect(404);
    await h.http
      .post(`/v1/volumes/${theirVol.id}/resize`)
      .set(h.auth)
      .send({ sizeGiB: 50 })
      .expect(404);
    const list = await h.http.get('/v1/volumes').set(h.auth).expect(200);
    expect(list.body.items.map((v: Volume) => v.id)).toEqual([mine.id]);
    // Their own attach works.
    await h.http
      .post(`/v1/volumes/${theirVol.id}/attach`)
      .set(otherAuth)
      .send({ instanceId: theirVm.id })
      .expect(202);
  });

  it('should settle immediately when transitions take 0 ms', async () => {
    await h.close();
    h = await startHarness({ transitionMs: 0 });
    const vol = (await createVolume({ name: 'fast' }).expect(200)).body.volume as Volume;
    expect(vol.state).toBe('available');
    const vm = (
      await h.http
        .post('/v1/instances')
        .set(h.auth)
        .send({ name: 'fast', zone: 'nimbus-1a', instanceType: 'nb.small' })
        .expect(200)
    ).body.instance as Instance;
    const on = await attach(vol.id, vm.id).expect(200);
    expect(on.body.volume).toMatchObject({ state: 'in-use' });
    expect(on.body.volume.attachments[0].state).toBe('attached');
    const off = await detach(vol.id, vm.id).expect(200);
    expect(off.body.volume).toMatchObject({ state: 'available', attachments: [] });
    const del = await h.http.delete(`/v1/volumes/${vol.id}`).set(h.auth).expect(200);
    expect(del.body.volume.state).toBe('deleting');
    await h.http.get(`/v1/volumes/${vol.id}`).set(h.auth).expect(404);
  });
});
