import { imageIdOf, normalizeImage, repositoryOf } from './images';

describe('image references', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['bitnami/redis:7', 'docker.io/bitnami/redis:7'],
    ['registry.k8s.io/pause:3.9', 'registry.k8s.io/pause:3.9'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    ['ghcr.io/org/app:v1', 'ghcr.io/org/app:v1'],
  ])('normalises %s to %s (containerd)', (image, normalized) => {
    expect(normalizeImage(image)).toBe(normalized);
  });

  it('keeps digests and derives stable image IDs', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(normalizeImage(`nginx@${digest}`)).toBe(`docker.io/library/nginx@${digest}`);
    expect(imageIdOf(`docker.io/library/nginx@${digest}`)).toBe(
      `docker.io/library/nginx@${digest}`,
    );
    const id = imageIdOf('docker.io/library/nginx:1.27');
    expect(id).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(imageIdOf('docker.io/library/nginx:1.27')).toBe(id);
    expect(imageIdOf('docker.io/library/nginx:1.28')).not.toBe(id);
    expect(repositoryOf('localhost:5000/app:latest')).toBe('localhost:5000/app');
  });
});
