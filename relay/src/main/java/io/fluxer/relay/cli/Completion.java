package io.fluxer.relay.cli;

import java.util.List;

/**
 * {@code fluxer completion bash}: a bash completion script for the commands, their subcommands and
 * options, and file names where a file is asked for. Load it with
 * {@code source <(fluxer completion bash)}, or save it under {@code /etc/bash_completion.d/fluxer}.
 */
final class Completion {
  static final String BASH = """
      # bash completion for fluxer; load with: source <(fluxer completion bash)
      _fluxer() {
        local cur prev cmd sub
        cur="${COMP_WORDS[COMP_CWORD]}"
        prev="${COMP_WORDS[COMP_CWORD-1]}"
        cmd="${COMP_WORDS[1]}"
        sub="${COMP_WORDS[2]}"
        case "$prev" in
          -c|--config|--env-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
          --output)
            if [ "$cmd" = genconfig ]; then COMPREPLY=($(compgen -f -- "$cur")); else COMPREPLY=($(compgen -W "json text" -- "$cur")); fi
            return ;;
          --role) COMPREPLY=($(compgen -W "viewer ops admin" -- "$cur")); return ;;
        esac
        if [ "$COMP_CWORD" -eq 1 ]; then
          COMPREPLY=($(compgen -W "serve version genconfig checkconfig gentoken checktoken hash-password health \\
            stack logs publish completion help" -- "$cur"))
          return
        fi
        case "$cmd" in
          stack)
            if [ "$COMP_CWORD" -eq 2 ]; then
              COMPREPLY=($(compgen -W "deploy ls ps rm rollback diff" -- "$cur"))
              return
            fi
            case "$sub" in
              deploy) COMPREPLY=($(compgen -W "-c --env-file --prune --timeout --detach --output" -- "$cur")) ;;
              ls|ps|diff) COMPREPLY=($(compgen -W "--output" -- "$cur")) ;;
              rm) COMPREPLY=($(compgen -W "--timeout --detach" -- "$cur")) ;;
              rollback) COMPREPLY=($(compgen -W "--revision --timeout --detach" -- "$cur")) ;;
            esac ;;
          logs) COMPREPLY=($(compgen -W "-f --follow --tail --output" -- "$cur")) ;;
          publish) COMPREPLY=($(compgen -W "--output" -- "$cur")) ;;
          completion) COMPREPLY=($(compgen -W "bash" -- "$cur")) ;;
          serve) COMPREPLY=($(compgen -W "--dev --cluster --config" -- "$cur")) ;;
          genconfig) COMPREPLY=($(compgen -W "--output" -- "$cur")) ;;
          checkconfig) COMPREPLY=($(compgen -f -- "$cur")) ;;
          gentoken) COMPREPLY=($(compgen -W "--user --role --ttl --channels --ops --dev --config" -- "$cur")) ;;
          checktoken) COMPREPLY=($(compgen -W "--ops --dev --config" -- "$cur")) ;;
        esac
      }
      complete -F _fluxer fluxer
      """;

  private Completion() {}

  static int run(List<String> args, Cli.Io io) {
    List<String> rest = new Cli.Args("completion", args).positional(1, 1, "needs a shell: bash");
    if (!rest.get(0).equals("bash")) {
      throw new Cli.UsageException("only bash is supported, not '" + rest.get(0) + "'");
    }
    io.out().print(BASH);
    return 0;
  }
}
