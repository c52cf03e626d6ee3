import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import bcrypt from 'bcryptjs';
import type { Context } from 'hono';
import { auth } from 'hono/utils/basic-auth';
import type { User } from '../../core/api/schemas';
import type { AuthOptions, Role } from '../api/auth';

/** One account of the users file. */
export interface LocalUser {
  name: string;
  /** bcrypt hash of the password (`$2a$`, `$2b$` or `$2y$`). */
  passwordHash: string;
  roles: Role[];
}

const ROLES: readonly Role[] = ['admin', 'viewer'];
const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
const USER_NAME = /^[^\s:#][^\s:]*$/;

/** How long a verified name and password skip bcrypt, which takes tens of milliseconds. */
const VERIFIED_TTL_MS = 5 * 60_000;
const VERIFIED_MAX_ENTRIES = 1000;

/**
 * bcrypt hash (cost 10) of a fixed text, compared when the user does not exist, so that a
 * wrong name takes as long as a wrong password.
 */
const UNKNOWN_USER_HASH = '$2b$10$TCOJ77199YDvNwu6kMOFAu71JjN7UZsqE/KJiUz0srjUQ1sv/m5EK';

/**
 * Parses a users file: one user per line, `name:bcrypt-hash:role[,role]`, blank lines and
 * lines starting with `#` ignored. Throws an Error naming the file and line of a bad entry.
 */
export function parseUsers(text: string, file = 'USERS_FILE'): LocalUser[] {
  const users = new Map<string, LocalUser>();
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;

    const where = `${file} line ${index + 1}`;
    const user = parseUserLine(line, where);
    if (users.has(user.name)) {
      throw new Error(`Invalid ${where}: user ${JSON.stringify(user.name)} is listed twice.`);
    }
    users.set(user.name, user);
  }
  return [...users.values()];
}

/** Parses one `name:bcrypt-hash:role[,role]` line; `where` names it in error messages. */
export function parseUserLine(line: string, where: string): LocalUser {
  const first = line.indexOf(':');
  const last = line.lastIndexOf(':');
  if (first <= 0 || last === first) {
    throw new Error(`Invalid ${where}: expected name:bcrypt-hash:role[,role].`);
  }
  const name = line.slice(0, first);
  const passwordHash = line.slice(first + 1, last);
  const roleNames = line.slice(last + 1).split(',');

  if (!USER_NAME.test(name)) {
    throw new Error(`Invalid ${where}: the user name ${JSON.stringify(name)} has a space.`);
  }
  if (!BCRYPT_HASH.test(passwordHash)) {
    throw new Error(
      `Invalid ${where}: the password of ${name} is not a bcrypt hash; add users with npm run users -- add NAME ROLE.`,
    );
  }
  return { name, passwordHash, roles: parseRoles(roleNames, where) };
}

function parseRoles(names: string[], where: string): Role[] {
  const roles = new Set<Role>();
  for (const name of names.map((value) => value.trim())) {
    const role = ROLES.find((known) => known === name);
    if (!role) {
      throw new Error(
        `Invalid ${where}: unknown role ${JSON.stringify(name)}; use admin or viewer.`,
      );
    }
    roles.add(role);
  }
  // An administrator can do everything a viewer can.
  if (roles.has('admin')) roles.add('viewer');
  return [...roles];
}

/** Reads and parses the users file at `path`; throws when it is missing or invalid. */
export async function readUsersFile(path: string): Promise<LocalUser[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(
      `USERS_FILE ${path} could not be read (${code}): create it with npm run users -- add NAME admin.`,
    );
  }
  return parseUsers(text, path);
}

/** Builds HTTP Basic sign-in against `users`; its 401 challenge makes the browser prompt. */
export function basicAuth(users: LocalUser[]): AuthOptions {
  const byName = new Map(users.map((user) => [user.name, user]));
  const verified = new Map<string, number>();

  const authenticate = async (c: Context): Promise<User | undefined> => {
    const credentials = auth(c.req.raw);
    if (!credentials) return undefined;

    const user = byName.get(credentials.username);
    const key = verifiedKey(credentials.username, credentials.password, user);
    if (user && (verified.get(key) ?? 0) > Date.now()) return toApiUser(user);

    const matches = await bcrypt.compare(
      credentials.password,
      user?.passwordHash ?? UNKNOWN_USER_HASH,
    );
    if (!user || !matches) return undefined;

    if (verified.size >= VERIFIED_MAX_ENTRIES) verified.clear();
    verified.set(key, Date.now() + VERIFIED_TTL_MS);
    return toApiUser(user);
  };
  return { authenticate, challenge: 'Basic realm="Berth", charset="UTF-8"' };
}

/** Key of the verified-credentials cache; a digest, so no password stays in memory as text. */
function verifiedKey(name: string, password: string, user?: LocalUser): string {
  return createHash('sha256')
    .update(`${name}\0${password}\0${user?.passwordHash ?? ''}`)
    .digest('hex');
}

function toApiUser(user: LocalUser): User {
  return { name: user.name, roles: user.roles };
}
