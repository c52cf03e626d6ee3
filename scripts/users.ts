import { appendFile, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import bcrypt from 'bcryptjs';
import { parseUserLine, parseUsers } from '../functions/local/users';

/** bcrypt cost of new entries: 2^10 rounds, bcryptjs's default. */
const BCRYPT_COST = 10;
const MIN_PASSWORD_LENGTH = 8;
const PLACEHOLDER_HASH = `$2b$10$${'.'.repeat(53)}`;

const USAGE = `Usage: npm run users -- add NAME ROLE [--file PATH]

Adds a user to the users file (USERS_FILE, or --file PATH) for HTTP Basic sign-in.
ROLE is admin, viewer, or both separated by a comma. The password is read from standard
input: typed without echo on a terminal, or the first line when piped.`;

/** Runs `npm run users -- add NAME ROLE`: appends `name:bcrypt-hash:roles` to the users file. */
async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { file: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, name, roles] = positionals;
  if (values.help || command !== 'add' || !name || !roles) {
    console.error(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const file = values.file ?? process.env.USERS_FILE;
  if (!file) throw new Error('No users file: set USERS_FILE or pass --file PATH.');

  // A placeholder hash lets the server's parser check the name and roles before the prompt.
  parseUserLine(`${name}:${PLACEHOLDER_HASH}:${roles}`, 'user entry');
  const existing = await readExisting(file);
  if (existing.some((user) => user.name === name)) {
    throw new Error(`User ${JSON.stringify(name)} is already in ${file}: remove its line first.`);
  }
  const password = await readPassword(`Password for ${name}: `);
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`The password is too short: use at least ${MIN_PASSWORD_LENGTH} characters.`);
  }

  const line = `${name}:${await bcrypt.hash(password, BCRYPT_COST)}:${roles}`;
  await appendFile(file, `${line}\n`, { mode: 0o600 });
  console.log(`Added ${name} (${roles}) to ${file}.`);
}

async function readExisting(file: string) {
  try {
    return parseUsers(await readFile(file, 'utf8'), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Reads the password: typed without echo on a terminal, else the first line of stdin. */
async function readPassword(prompt: string): Promise<string> {
  if (process.stdin.isTTY !== true) {
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    const line = text.split(/\r?\n/)[0] ?? '';
    if (line === '') throw new Error('No password on standard input.');
    return line;
  }
  return promptHidden(prompt);
}

/** Prompts on the terminal and reads one line without echoing what is typed. */
function promptHidden(prompt: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const reader = createInterface({ input: process.stdin, output, terminal: true });
  process.stderr.write(prompt);
  muted = true;

  return new Promise((resolve, reject) => {
    reader.once('line', (line) => {
      process.stderr.write('\n');
      resolve(line);
      reader.close();
    });
    reader.once('close', () => reject(new Error('No password entered.')));
  });
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exitCode = 1;
});
