import type { Command, Option } from 'commander';

/**
 * Shell completion scripts written from the command tree itself, so they never fall behind the
 * commands: subcommands, each command's flags (with the global ones), and the fixed choices of
 * flags and arguments. Static scripts: completing never starts synder.
 */
export type Shell = 'bash' | 'zsh' | 'fish';
export const SHELLS: readonly Shell[] = ['bash', 'zsh', 'fish'];

interface Node {
  path: string[];
  subcommands: string[];
  flags: string[];
  /** Values a flag or the first argument takes, when they are a fixed list. */
  choices: Map<string, string[]>;
  argChoices: string[];
  description: string;
}

function nodes(program: Command): Node[] {
  const globals = program.options.filter((o) => !o.hidden);
  const out: Node[] = [];
  const visit = (cmd: Command, path: string[]): void => {
    const options: readonly Option[] = [...cmd.options, ...(path.length ? globals : []), ...(cmd.name() === 'help' ? [] : [])];
    const flags = options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f)));
    flags.push('--help');
    const choices = new Map<string, string[]>();
    for (const o of options) if (o.long && o.argChoices?.length) choices.set(o.long, [...o.argChoices]);
    const args = (cmd as unknown as { registeredArguments: Array<{ argChoices?: string[] }> }).registeredArguments ?? [];
    out.push({ path, subcommands: cmd.commands.map((c) => c.name()), flags: [...new Set(flags)], choices, argChoices: args[0]?.argChoices ?? [], description: cmd.description() });
    for (const sub of cmd.commands) visit(sub, [...path, sub.name()]);
  };
  visit(program, []);
  return out;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export function completionScript(program: Command, shell: Shell): string {
  const all = nodes(program);
  if (shell === 'bash') return bash(all);
  if (shell === 'zsh') return `#compdef synder\n${zshBody(all)}`;
  return fish(all);
}

function bash(all: Node[]): string {
  const cases = all
    .map((n) => {
      const key = n.path.join(' ');
      const flagCases = [...n.choices].map(([flag, values]) => `      ${flag}) COMPREPLY=($(compgen -W ${quote(values.join(' '))} -- "$cur")); return ;;`).join('\n');
      const words = [...n.subcommands, ...n.argChoices].join(' ');
      return `    ${quote(key)})
      case "$prev" in
${flagCases}
      esac
      if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W ${quote(n.flags.join(' '))} -- "$cur")); else COMPREPLY=($(compgen -W ${quote(words)} -- "$cur")); fi
      ;;`;
    })
    .join('\n');
  const known = all.filter((n) => n.subcommands.length).map((n) => n.path.join(' '));
  return `# synder completion for bash: source it, or save it as ~/.local/share/bash-completion/completions/synder
_synder() {
  local cur prev path w i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  path=""
  # The command path so far: the words that name a subcommand of the path before them.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    case "$path" in
${known.map((k) => `      ${quote(k)}) case " $(_synder_subs ${quote(k)}) " in *" $w "*) path="\${path:+$path }$w" ;; esac ;;`).join('\n')}
    esac
  done
  case "$path" in
${cases}
  esac
}
_synder_subs() {
  case "$1" in
${all.filter((n) => n.subcommands.length).map((n) => `    ${quote(n.path.join(' '))}) echo ${quote(n.subcommands.join(' '))} ;;`).join('\n')}
  esac
}
complete -F _synder synder
`;
}

function zshBody(all: Node[]): string {
  const esc = (s: string): string => s.replace(/[[\]:'\\]/g, (c) => `\\${c}`);
  const fns = all.map((n) => {
    const name = ['_synder', ...n.path].join('_').replace(/-/g, '_');
    const flagSpecs = n.flags.map((f) => {
      const values = n.choices.get(f);
      return `    '${f}${values ? `:value:(${values.join(' ')})` : ''}'`;
    });
    if (n.subcommands.length === 0) {
      const arg = n.argChoices.length ? [`    '1:argument:(${n.argChoices.join(' ')})'`] : [];
      return `${name}() {\n  _arguments \\\n${[...flagSpecs, ...arg].join(' \\\n')}\n}`;
    }
    const subs = all.filter((c) => c.path.length === n.path.length + 1 && n.path.every((p, i) => c.path[i] === p));
    return `${name}() {
  local -a subcommands
  subcommands=(
${subs.map((c) => `    '${esc(c.path[c.path.length - 1]!)}:${esc(c.description.split('\n')[0] ?? '')}'`).join('\n')}
  )
  _arguments -C \\
${[...flagSpecs, `    '1:command:->cmd'`, `    '*::arg:->args'`].join(' \\\n')}
  case $state in
    cmd) _describe 'command' subcommands ;;
    args) local f="${name}_\${words[1]//-/_}"; (( $+functions[$f] )) && $f ;;
  esac
}`;
  });
  return `# synder completion for zsh: save it as _synder in a folder of $fpath
${fns.join('\n\n')}

_synder "$@"
`;
}

function fish(all: Node[]): string {
  const lines = ['# synder completion for fish: save it as ~/.config/fish/completions/synder.fish', 'complete -c synder -f'];
  for (const n of all) {
    const cond = n.path.length === 0 ? '__fish_use_subcommand' : `__fish_seen_subcommand_from ${n.path[n.path.length - 1]}`;
    for (const c of all.filter((x) => x.path.length === n.path.length + 1 && n.path.every((p, i) => x.path[i] === p)))
      lines.push(`complete -c synder -n ${quote(cond)} -a ${quote(c.path[c.path.length - 1]!)} -d ${quote(c.description.split('\n')[0] ?? '')}`);
    if (n.path.length === 0) continue;
    for (const f of n.flags.filter((x) => x.startsWith('--'))) {
      const values = n.choices.get(f);
      lines.push(`complete -c synder -n ${quote(cond)} -l ${f.slice(2)}${values ? ` -x -a ${quote(values.join(' '))}` : ''}`);
    }
    if (n.argChoices.length) lines.push(`complete -c synder -n ${quote(cond)} -a ${quote(n.argChoices.join(' '))}`);
  }
  return `${lines.join('\n')}\n`;
}
