import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writePrivateFile } from '@app/common';

import type { UserInfo } from './user-info';

export type { UserInfo } from './user-info';

/**
 * The identities a generated token file holds besides `admin` (group system:masters): each Nimbus
 * component as its upstream user, authorised by the bootstrap policy (authz/bootstrap-policy.ts).
 * `system:nimbus-kubelet` is the simulated kubelets' process-wide identity, for the informers
 * their nodes share (list/watch only); each node writes as itself with a node token.
 */
export const COMPONENT_USERS: readonly UserInfo[] = [
  { name: 'system:cloud-controller-manager', uid: 'cloud-controller-manager', groups: [] },
  { name: 'system:kube-scheduler', uid: 'kube-scheduler', groups: [] },
  { name: 'system:kube-controller-manager', uid: 'kube-controller-manager', groups: [] },
  { name: 'system:kube-proxy', uid: 'kube-proxy', groups: [] },
  { name: 'system:nimbus-kubelet', uid: 'nimbus-kubelet', groups: [] },
];

const lineOf = (token: string, user: UserInfo) =>
  `${token},${user.name},${user.uid},"${[...user.groups, 'system:authenticated'].join(',')}"`;

function parseLine(line: string): { token: string; user: UserInfo } | undefined {
  const m = /^([^,]+),([^,]+),([^,]+)(?:,"?([^"]*)"?)?$/.exec(line.trim());
  if (!m) {
    return undefined;
  }
  return {
    token: m[1],
    user: { name: m[2], uid: m[3], groups: (m[4] ?? '').split(',').filter(Boolean) },
  };
}

/**
 * Bearer-token authentication from a CSV file like kube-apiserver's `--token-auth-file`
 * (`token,user,uid,"group1,group2"`). Missing file → one is generated with an admin token and one
 * per component.
 */
export class TokenAuthenticator {
  private readonly users = new Map<string, UserInfo>();

  /**
   * `generated`: the file is the api-server's own (`<data-dir>/tokens.csv`); users added to
   * COMPONENT_USERS since it was written get a token appended.
   */
  constructor(
    readonly file: string,
    generated = false,
  ) {
    const token = () => randomBytes(24).toString('hex');
    if (!existsSync(file)) {
      const lines = [
        `${token()},admin,admin,"system:masters"`,
        ...COMPONENT_USERS.map((c) => lineOf(token(), c)),
      ];
      writePrivateFile(file, `${lines.join('\n')}\n`);
    }
    this.load();
    const missing = COMPONENT_USERS.filter((c) => this.tokenFor(c.name) === undefined);
    if (generated && missing.length > 0) {
      const content = readFileSync(file, 'utf8');
      const lines = missing.map((c) => lineOf(token(), c));
      writePrivateFile(
        file,
        `${content}${content.endsWith('\n') ? '' : '\n'}${lines.join('\n')}\n`,
      );
      this.load();
    }
  }

  private load(): void {
    this.users.clear();
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (line.trim() === '' || line.startsWith('#')) {
        continue;
      }
      const entry = parseLine(line);
      if (entry) {
        this.users.set(entry.token, entry.user);
      }
    }
  }

  /** The token of the first user named `name` (admin for the kubeconfig; components for tests). */
  tokenFor(name: string): string | undefined {
    for (const [token, user] of this.users) {
      if (user.name === name || user.uid === name) {
        return token;
      }
    }
    return undefined;
  }

  authenticateToken(token: string): UserInfo | undefined {
    const given = Buffer.from(token);
    for (const [token, user] of this.users) {
      const expected = Buffer.from(token);
      if (expected.length === given.length && timingSafeEqual(expected, given)) {
        return user;
      }
    }
    return undefined;
  }
}
