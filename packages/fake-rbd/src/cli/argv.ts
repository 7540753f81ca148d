import type { Command } from "commander";

// rbd's Shell finds the verb before it parses any option: it takes the words of the
// command line that are not options (skipping the value after every option that is not
// a known switch), matches the longest verb at their start, and then hands the whole
// command line to that verb's option parser. So options may come before, between or
// after the verb's words (`rbd --format json info IMG`). Commander only takes a
// subcommand's options after the subcommand's name, so the verb's words are moved to
// the front; everything else keeps its order.

export type VerbLookup =
  | { kind: "verb"; argv: string[] }
  /** no verb matches: rbd's "unknown option" names every positional word */
  | { kind: "unknown"; words: string[] }
  /** no positional word at all: commander reports (or shows help) as it would */
  | { kind: "none" };

export function findVerb(program: Command, argv: readonly string[]): VerbLookup {
  const switches = switchFlags(program);
  const positions: number[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      for (let j = i + 1; j < argv.length; j++) positions.push(j);
      break;
    }
    if (arg.length > 1 && arg.startsWith("-")) {
      if (arg.includes("=") || switches.has(arg)) continue;
      // a short option with its value attached (-pvolumes) takes nothing more
      if (/^-[^-]./.test(arg)) continue;
      i++;
      continue;
    }
    positions.push(i);
  }
  if (positions.length === 0) return { kind: "none" };
  const words = positions.map((p) => argv[p] as string);
  let command: Command | undefined = program;
  let used = 0;
  while (command && used < words.length) {
    const next: Command | undefined = findSub(command, words[used] as string);
    if (!next) break;
    command = next;
    used++;
  }
  // `help` is commander's own; a group (`snap`, `pool`) is not a verb by itself
  if (words[0] === "help") return { kind: "none" };
  if (used === 0 || (command && command.commands.length > 0)) return { kind: "unknown", words };
  const moved = new Set(positions.slice(0, used));
  return {
    kind: "verb",
    argv: [...words.slice(0, used), ...argv.filter((_, i) => !moved.has(i))],
  };
}

function findSub(command: Command, word: string): Command | undefined {
  return command.commands.find((c) => c.name() === word || c.aliases().includes(word));
}

/** Every flag, across the whole tree, that takes no value (rbd's switch arguments). */
function switchFlags(program: Command): Set<string> {
  const out = new Set<string>(["-h", "--help"]);
  const visit = (command: Command) => {
    for (const option of command.options) {
      if (option.required || option.optional) continue;
      if (option.short) out.add(option.short);
      if (option.long) out.add(option.long);
    }
    for (const sub of command.commands) visit(sub);
  };
  visit(program);
  return out;
}
