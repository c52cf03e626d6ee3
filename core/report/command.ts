// Forms of the image config's `history[].created_by` that builders write for a Dockerfile line:
// - The classic builder writes `/bin/sh -c #(nop) <INSTRUCTION>` for instructions that run
//   nothing (ADD, COPY, ENV, CMD, ...) and `/bin/sh -c <command>` for RUN.
// - With build args set, the classic builder writes RUN as
//   `|<count> NAME=value ... /bin/sh -c <command>`.
// - BuildKit writes the instruction itself, with ` # buildkit` appended to some of them (RUN and
//   COPY in the recorded reports), and RUN as `RUN [|<count> NAME=value ...] /bin/sh -c <command>`.

const BUILDKIT_SUFFIX = / # buildkit$/;
const NOP_PREFIX = /^\/bin\/sh -c #\(nop\)/;

// Build args: `|2 A=x B=y ` before the shell. The lazy `.*?` stops at the first shell, because a
// value may contain spaces.
const RUN_PREFIX = /^(?:RUN )?(?:\|\d+(?: .*?)? )?\/bin\/sh -c /;

const WHITESPACE = /\s+/g;

/**
 * Turns a history entry's `created_by` into the Dockerfile line a user would recognize:
 * `/bin/sh -c #(nop)  CMD ["bash"]` becomes `CMD ["bash"]`, `/bin/sh -c apk add x` and
 * `RUN |2 A=x B=y /bin/sh -c apk add x # buildkit` become `RUN apk add x`. Build args are dropped
 * because they are not part of the Dockerfile line. Runs of whitespace collapse to one space.
 * Commands of other builders (`bazel build ...`, `KIWI 9.24.43`) are only trimmed.
 * Returns "" when `createdBy` is missing or blank.
 */
export function cleanCommand(createdBy?: string): string {
  if (createdBy === undefined) {
    return '';
  }

  const command = createdBy.trim().replace(BUILDKIT_SUFFIX, '');
  return collapseWhitespace(stripShell(command));
}

function stripShell(command: string): string {
  if (NOP_PREFIX.test(command)) {
    return command.replace(NOP_PREFIX, '');
  }

  // NOTE: only the default shell is recognized. An image built with another SHELL (for example
  // `/bin/bash -o pipefail -c`) keeps that shell in the cleaned command.
  if (RUN_PREFIX.test(command)) {
    return `RUN ${command.replace(RUN_PREFIX, '')}`;
  }

  return command;
}

function collapseWhitespace(command: string): string {
  return command.replace(WHITESPACE, ' ').trim();
}
