import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writePrivateFile } from '@app/common';

export interface UserInfo {
  name: string;
  uid: string;
  groups: string[];
}

/** Components that get their own token in a generated token file. */
export const COMPONENT_USERS = [
  'cloud-controller-manager',
  'kube-scheduler',
  'kube-controller-manager',
];

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

  constructor(readonly file: string) {
    if (!existsSync(file)) {
      const token = () => randomBytes(24).toString('hex');
      const lines = [
        `${token()},admin,admin,"system:masters"`,
        ...COMPONENT_USERS.map((c) => `${token()},system:${c},${c},"system:authenticated"`),
      ];
      writePrivateFile(file, `${lines.join('\n')}\n`);
    }
    for (const line of readFileSync(file, 'utf8').split('\n')) {
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

  authenticate(authorization: string | undefined): UserInfo | undefined {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) {
      return undefined;
    }
    const given = Buffer.from(m[1]);
    for (const [token, user] of this.users) {
      const expected = Buffer.from(token);
      if (expected.length === given.length && timingSafeEqual(expected, given)) {
        return user;
      }
    }
    return undefined;
  }
}
